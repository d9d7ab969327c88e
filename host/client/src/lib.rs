//! Client library for the nipart daemon's public API (varlink on a UNIX
//! socket; see `docs/api.md`).
//!
//! [`Client`] is async (tokio); [`BlockingClient`] wraps it for programs
//! that are not.
//!
//! ```no_run
//! # async fn demo() -> Result<(), nipart_client::Error> {
//! let mut client = nipart_client::Client::connect(nipart_client::DEFAULT_SOCKET).await?;
//! client.ping().await?;
//! let info = client.info().await?;
//! println!("nipartd {} up {:.0} s", info.version, info.uptime_seconds);
//! let mut events = client.monitor(&["link.*"]).await?;
//! while let Some(event) = events.next().await? {
//!     println!("{} {}", event.topic, event.src);
//! }
//! # Ok(()) }
//! ```
//!
//! Blocking:
//!
//! ```no_run
//! let mut client = nipart_client::BlockingClient::connect("/run/nipart/nipart.sock")?;
//! client.ping()?;
//! # Ok::<(), nipart_client::Error>(())
//! ```

/// The parameters and replies of the network calls and the generic call's
/// parameters: the protocol's types, the very ones the daemon decodes and
/// the commander answers.
pub use nipart_protocol::{
    api::PluginCall,
    state::{
        ApplyKind, ApplyOptions, ApplyProgress, ApplyRequest, ApplyResult, ApplyStep,
        CheckpointInfo, CheckpointList, CheckpointRequest, CheckpointResult, LastApply,
        NetworkState, NetworkStatus, ShowRequest, StatusRequest,
    },
};
use std::{
    fmt, io,
    path::{Path, PathBuf},
    time::Duration,
};

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Value, json, value::RawValue};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::UnixStream,
};

/// Where the daemon listens unless configured otherwise.
pub const DEFAULT_SOCKET: &str = "/run/nipart/nipart.sock";

/// The largest reply the client accepts (the daemon's ceiling).
pub const MAX_REPLY_SIZE: usize = 16 << 20;

/// A varlink error reply from the daemon.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteError {
    /// Fully qualified error name, e.g. `io.nipart.Daemon.PermissionDenied`.
    pub error: String,
    pub parameters: Value,
}

impl RemoteError {
    fn param(&self, name: &str) -> String {
        match self.parameters.get(name) {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => "?".to_string(),
        }
    }

    /// The kind of a `Failed` error (`invalid-input`, `not-found`, `busy`,
    /// …; the SDK's `ErrorKind` in kebab case).
    pub fn failure_kind(&self) -> Option<&str> {
        self.parameters.get("kind").and_then(Value::as_str)
    }

    /// The last part of the error name, e.g. `PermissionDenied`.
    pub fn short_name(&self) -> &str {
        self.error.rsplit('.').next().unwrap_or(&self.error)
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error.as_str() {
            "io.nipart.Daemon.PermissionDenied" | "io.nipart.Network.PermissionDenied" => write!(
                f,
                "permission denied: {} needs {}",
                self.param("method"),
                self.param("privilege")
            ),
            "io.nipart.Network.NoCommander" => write!(
                f,
                "the daemon can't do this yet: {} (no network plugin is installed)",
                self.param("message")
            ),
            "io.nipart.Network.Failed" | "io.nipart.Daemon.Failed" => {
                write!(f, "{} ({})", self.param("message"), self.param("kind"))
            }
            "io.nipart.Daemon.CallRefused" => write!(f, "refused: {}", self.param("reason")),
            "io.nipart.Daemon.NoReceiver" => write!(
                f,
                "nothing took the request at {}: {}",
                self.param("destination"),
                self.param("message")
            ),
            "io.nipart.Network.Timeout" | "io.nipart.Daemon.Timeout" => write!(
                f,
                "no answer to {} within {} ms",
                self.param("method"),
                self.param("timeout_ms")
            ),
            "io.nipart.Daemon.InvalidLogLevel" => write!(
                f,
                "invalid log level {:?}: use error, warn, info, debug or trace",
                self.param("level")
            ),
            "io.nipart.Daemon.TooManyConnections" => write!(
                f,
                "the daemon has too many connections ({} limit {}); try again later",
                self.param("scope"),
                self.param("limit")
            ),
            "io.nipart.Daemon.TooManyRequests" => write!(
                f,
                "too many calls sent ahead of their replies (limit {})",
                self.param("limit")
            ),
            "io.nipart.Daemon.InvalidMessage" => {
                write!(
                    f,
                    "the daemon did not understand the message: {}",
                    self.param("reason")
                )
            }
            "io.nipart.Events.InvalidPattern" => write!(
                f,
                "invalid topic pattern {:?}: {}",
                self.param("pattern"),
                self.param("reason")
            ),
            "org.varlink.service.InvalidParameter" => {
                write!(f, "invalid parameter {:?}", self.param("parameter"))
            }
            "org.varlink.service.MethodNotFound" => {
                write!(f, "the daemon has no method {}", self.param("method"))
            }
            "org.varlink.service.InterfaceNotFound" => {
                write!(f, "the daemon has no interface {}", self.param("interface"))
            }
            _ => write!(f, "{} {}", self.error, self.parameters),
        }
    }
}

/// Everything that can go wrong talking to the daemon.
#[derive(Debug)]
pub enum Error {
    /// The socket could not be reached.
    Connect { path: PathBuf, source: io::Error },
    /// Reading or writing failed.
    Io(io::Error),
    /// The daemon closed the connection before answering.
    Closed,
    /// The daemon sent something that is no valid reply.
    Protocol(String),
    /// The daemon answered with an error.
    Remote(RemoteError),
}

impl Error {
    /// The varlink error, if the daemon answered with one.
    pub fn remote(&self) -> Option<&RemoteError> {
        match self {
            Error::Remote(r) => Some(r),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Connect { path, source } => {
                write!(
                    f,
                    "cannot connect to the nipart daemon at {}: {source}",
                    path.display()
                )?;
                match source.kind() {
                    io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused => {
                        f.write_str(" (is nipartd running? --socket chooses another path)")
                    }
                    io::ErrorKind::PermissionDenied => {
                        f.write_str(" (the socket or its directory is not accessible to you)")
                    }
                    _ => Ok(()),
                }
            }
            Error::Io(e) => write!(f, "talking to the nipart daemon: {e}"),
            Error::Closed => f.write_str("the nipart daemon closed the connection"),
            Error::Protocol(m) => write!(f, "unexpected answer from the nipart daemon: {m}"),
            Error::Remote(r) => r.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::UnexpectedEof => Error::Closed,
            _ => Error::Io(e),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `io.nipart.Daemon.Info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    pub version: String,
    pub abi_version: String,
    pub pid: u32,
    pub uptime_seconds: f64,
    pub plugin_dir: String,
    pub socket: String,
    pub plugins: u64,
    pub rejected: u64,
}

/// One plugin in `io.nipart.Daemon.Plugins`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginStatus {
    pub name: String,
    pub version: String,
    pub description: String,
    pub file: String,
    pub roles: Vec<String>,
    pub state: String,
    pub last_error: Option<String>,
    /// What the plugin says of its own state.
    #[serde(default)]
    pub status: Option<String>,
    pub delivered: u64,
    pub dropped: u64,
    pub queue_depth: u64,
}

/// A file the daemon refused to load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedFile {
    pub file: String,
    pub plugin: Option<String>,
    pub reason: String,
    pub fix: String,
}

/// `io.nipart.Daemon.Plugins`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plugins {
    pub plugins: Vec<PluginStatus>,
    pub rejected: Vec<RejectedFile>,
}

/// A plugin that did not take a new log level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PluginFailure {
    pub plugin: String,
    pub error: String,
}

/// `io.nipart.Daemon.SetLogLevel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLevelSet {
    pub level: String,
    pub failed: Vec<PluginFailure>,
}

/// One bus event from `io.nipart.Events.Monitor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusEvent {
    pub id: String,
    pub ref_id: Option<String>,
    pub state: String,
    pub src: String,
    pub dst: String,
    pub topic: String,
    #[serde(default)]
    pub request: bool,
    pub deadline_unix_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_base64: Option<String>,
}

/// A parsed reply.
struct Reply {
    parameters: Value,
    continues: bool,
}

/// An async connection to the daemon. Calls are answered in order; one
/// call at a time per connection (open more connections for parallelism).
pub struct Client {
    stream: UnixStream,
    buf: Vec<u8>,
    scanned: usize,
    timeout: Option<Duration>,
}

impl Client {
    /// Connects to the daemon's socket.
    pub async fn connect(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let stream = UnixStream::connect(path)
            .await
            .map_err(|source| Error::Connect {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Self {
            stream,
            buf: Vec::with_capacity(4096),
            scanned: 0,
            timeout: None,
        })
    }

    /// The timeout passed with `io.nipart.Network` calls (`timeout_ms`);
    /// `None` leaves the daemon's default.
    pub fn set_call_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    async fn send(
        &mut self,
        method: &str,
        parameters: Value,
        more: bool,
        oneway: bool,
    ) -> Result<()> {
        let mut msg = json!({ "method": method, "parameters": parameters });
        if more {
            msg["more"] = Value::Bool(true);
        }
        if oneway {
            msg["oneway"] = Value::Bool(true);
        }
        let mut bytes = serde_json::to_vec(&msg).map_err(|e| Error::Protocol(e.to_string()))?;
        bytes.push(0);
        if let Err(e) = self.stream.write_all(&bytes).await {
            // The daemon may have said why before closing (e.g.
            // TooManyConnections): report that rather than the broken pipe.
            let said = tokio::time::timeout(Duration::from_millis(200), self.read_reply()).await;
            if let Ok(Err(remote @ Error::Remote(_))) = said {
                return Err(remote);
            }
            return Err(e.into());
        }
        Ok(())
    }

    /// Writes raw bytes (tests of malformed input use this).
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.stream.write_all(bytes).await?;
        Ok(())
    }

    /// Reads one raw message (without its terminator) as JSON.
    pub async fn read_raw(&mut self) -> Result<Value> {
        let message = self.read_message().await?;
        serde_json::from_slice(&message).map_err(|e| Error::Protocol(format!("invalid JSON: {e}")))
    }

    /// Reads one message's bytes (without its terminator).
    async fn read_message(&mut self) -> Result<Vec<u8>> {
        loop {
            if let Some(pos) = self.buf[self.scanned..].iter().position(|&b| b == 0) {
                let end = self.scanned + pos;
                let rest = self.buf.split_off(end + 1);
                let mut message = std::mem::replace(&mut self.buf, rest);
                message.truncate(end);
                self.scanned = 0;
                return Ok(message);
            }
            self.scanned = self.buf.len();
            if self.buf.len() > MAX_REPLY_SIZE {
                return Err(Error::Protocol(format!(
                    "reply larger than {MAX_REPLY_SIZE} bytes"
                )));
            }
            self.buf.reserve(8192);
            let n = self.stream.read_buf(&mut self.buf).await?;
            if n == 0 {
                return Err(Error::Closed);
            }
        }
    }

    async fn read_reply(&mut self) -> Result<Reply> {
        let mut v = self.read_raw().await?;
        let parameters = v
            .get_mut("parameters")
            .map(Value::take)
            .unwrap_or_else(|| json!({}));
        if let Some(err) = v.get("error") {
            let error = err
                .as_str()
                .ok_or_else(|| Error::Protocol("\"error\" is not a string".into()))?;
            return Err(Error::Remote(RemoteError {
                error: error.to_string(),
                parameters,
            }));
        }
        let continues = v.get("continues").and_then(Value::as_bool).unwrap_or(false);
        Ok(Reply {
            parameters,
            continues,
        })
    }

    /// Calls `method` and returns the reply's parameters.
    pub async fn call(&mut self, method: &str, parameters: Value) -> Result<Value> {
        self.send(method, parameters, false, false).await?;
        let r = self.read_reply().await?;
        if r.continues {
            return Err(Error::Protocol(format!(
                "{method} answered with a stream to a single call"
            )));
        }
        Ok(r.parameters)
    }

    /// Calls `method` without asking for a reply.
    pub async fn call_oneway(&mut self, method: &str, parameters: Value) -> Result<()> {
        self.send(method, parameters, false, true).await
    }

    /// Calls `method` with `more`: read the replies from the stream.
    pub async fn call_more(&mut self, method: &str, parameters: Value) -> Result<Replies<'_>> {
        self.send(method, parameters, true, false).await?;
        Ok(Replies {
            client: self,
            done: false,
        })
    }

    async fn call_typed<T: DeserializeOwned>(
        &mut self,
        method: &str,
        parameters: Value,
    ) -> Result<T> {
        let v = self.call(method, parameters).await?;
        serde_json::from_value(v).map_err(|e| Error::Protocol(format!("{method}: {e}")))
    }

    pub async fn ping(&mut self) -> Result<()> {
        self.call("io.nipart.Daemon.Ping", json!({}))
            .await
            .map(drop)
    }

    pub async fn info(&mut self) -> Result<Info> {
        self.call_typed("io.nipart.Daemon.Info", json!({})).await
    }

    pub async fn plugins(&mut self) -> Result<Plugins> {
        self.call_typed("io.nipart.Daemon.Plugins", json!({})).await
    }

    /// Sets the log level of the daemon and its plugins (admin only).
    pub async fn set_log_level(&mut self, level: &str) -> Result<LogLevelSet> {
        self.call_typed("io.nipart.Daemon.SetLogLevel", json!({ "level": level }))
            .await
    }

    /// The varlink interface description (IDL) of `interface`.
    pub async fn interface_description(&mut self, interface: &str) -> Result<String> {
        let v = self
            .call(
                "org.varlink.service.GetInterfaceDescription",
                json!({ "interface": interface }),
            )
            .await?;
        v.get("description")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::Protocol("no description in the reply".into()))
    }

    /// Calls an `io.nipart.Network` method with `parameters` (a protocol
    /// type); `progress` receives each progress report (the call is made
    /// with `more`). Returns `result`, decoded as `R`.
    pub async fn network<P: Serialize, R: DeserializeOwned>(
        &mut self,
        method: &str,
        parameters: &P,
        mut progress: Option<&mut (dyn FnMut(ApplyProgress) + Send)>,
    ) -> Result<R> {
        let mut parameters =
            serde_json::to_value(parameters).map_err(|e| Error::Protocol(e.to_string()))?;
        if let Some(t) = self.timeout {
            parameters["timeout_ms"] = json!(t.as_millis() as u64);
        }
        let full = format!("io.nipart.Network.{method}");
        let mut result = if progress.is_some() {
            let mut replies = self.call_more(&full, parameters).await?;
            let mut last = Value::Null;
            while let Some(mut r) = replies.next().await? {
                if let (Some(cb), Some(p)) = (progress.as_mut(), r.get_mut("progress")) {
                    if !p.is_null() {
                        let p = serde_json::from_value(p.take())
                            .map_err(|e| Error::Protocol(format!("{method} progress: {e}")))?;
                        cb(p);
                        continue;
                    }
                }
                last = r;
            }
            last
        } else {
            self.call(&full, parameters).await?
        };
        let result = result
            .get_mut("result")
            .map(Value::take)
            .unwrap_or_default();
        serde_json::from_value(result).map_err(|e| Error::Protocol(format!("{method}: {e}")))
    }

    /// The current network state, or only `interface` (and the routes
    /// through it).
    pub async fn show(&mut self, interface: Option<&str>) -> Result<NetworkState> {
        let p = ShowRequest {
            interface: interface.map(str::to_string),
        };
        self.network("Show", &p, None).await
    }

    /// [`Self::show`]'s state as the daemon wrote it: JSON text, its keys
    /// in the schema's order, not decoded (for output that needs no
    /// decoding: `nipc -o json show`; with hundreds of interfaces,
    /// decoding and encoding again was most of `nipc`'s time).
    pub async fn show_json(&mut self, interface: Option<&str>) -> Result<String> {
        #[derive(Deserialize)]
        struct Envelope<'a> {
            #[serde(borrow)]
            parameters: Option<&'a RawValue>,
            error: Option<String>,
            #[serde(default)]
            continues: bool,
        }
        #[derive(Deserialize)]
        struct Parameters<'a> {
            #[serde(borrow)]
            result: Option<&'a RawValue>,
        }
        let mut parameters = serde_json::to_value(ShowRequest {
            interface: interface.map(str::to_string),
        })
        .map_err(|e| Error::Protocol(e.to_string()))?;
        if let Some(t) = self.timeout {
            parameters["timeout_ms"] = json!(t.as_millis() as u64);
        }
        self.send("io.nipart.Network.Show", parameters, false, false)
            .await?;
        let message = self.read_message().await?;
        let invalid = |e: serde_json::Error| Error::Protocol(format!("invalid JSON: {e}"));
        let envelope: Envelope = serde_json::from_slice(&message).map_err(invalid)?;
        if let Some(error) = envelope.error {
            let parameters = match envelope.parameters {
                Some(p) => serde_json::from_str(p.get()).map_err(invalid)?,
                None => json!({}),
            };
            return Err(Error::Remote(RemoteError { error, parameters }));
        }
        if envelope.continues {
            return Err(Error::Protocol(
                "io.nipart.Network.Show answered with a stream to a single call".into(),
            ));
        }
        let parameters: Parameters =
            serde_json::from_str(envelope.parameters.map_or("{}", RawValue::get))
                .map_err(invalid)?;
        parameters
            .result
            .map(|r| r.get().to_string())
            .ok_or_else(|| Error::Protocol("io.nipart.Network.Show: no result in the reply".into()))
    }

    /// Applies `request.state` with its options; `progress` receives each
    /// step as it starts.
    pub async fn apply(
        &mut self,
        request: &ApplyRequest,
        progress: Option<&mut (dyn FnMut(ApplyProgress) + Send)>,
    ) -> Result<ApplyResult> {
        self.network("Apply", request, progress).await
    }

    /// Confirms the apply awaiting commit (`checkpoint` names it, or the
    /// one pending).
    pub async fn commit(&mut self, checkpoint: Option<&str>) -> Result<CheckpointResult> {
        self.network("Commit", &checkpoint_request(checkpoint), None)
            .await
    }

    /// Restores a checkpoint (see `nipc rollback` for which).
    pub async fn rollback(&mut self, checkpoint: Option<&str>) -> Result<CheckpointResult> {
        self.network("Rollback", &checkpoint_request(checkpoint), None)
            .await
    }

    /// The checkpoints, oldest first.
    pub async fn list_checkpoints(&mut self) -> Result<CheckpointList> {
        self.network("ListCheckpoints", &json!({}), None).await
    }

    /// The last apply of each kind, the pending checkpoint, whether an
    /// apply runs, and how the running state differs from the saved one.
    pub async fn status(&mut self) -> Result<NetworkStatus> {
        self.network("Status", &StatusRequest {}, None).await
    }

    /// `io.nipart.Daemon.Call` (admins only): sends a request on a
    /// plugin's own topic and returns its reply, free-form JSON as the
    /// plugin wrote it. The built-in roles' requests that change state are
    /// refused (`io.nipart.Daemon.CallRefused`).
    pub async fn call_plugin(&mut self, call: &PluginCall) -> Result<Value> {
        let mut parameters =
            serde_json::to_value(call).map_err(|e| Error::Protocol(e.to_string()))?;
        if let Some(t) = self.timeout {
            parameters["timeout_ms"] = json!(t.as_millis() as u64);
        }
        let mut reply = self.call("io.nipart.Daemon.Call", parameters).await?;
        Ok(reply
            .get_mut("result")
            .map(Value::take)
            .unwrap_or(Value::Null))
    }

    /// Starts watching bus events whose topic matches one of `patterns`
    /// (all events if empty). Returns once the daemon has subscribed.
    pub async fn monitor<S: AsRef<str>>(&mut self, patterns: &[S]) -> Result<Monitor<'_>> {
        let patterns: Vec<&str> = patterns.iter().map(AsRef::as_ref).collect();
        let mut replies = self
            .call_more("io.nipart.Events.Monitor", json!({ "patterns": patterns }))
            .await?;
        let first = replies
            .next()
            .await?
            .ok_or_else(|| Error::Protocol("Monitor ended at once".into()))?;
        let subscribed = first
            .get("subscribed")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .ok_or_else(|| Error::Protocol("Monitor did not confirm its subscription".into()))?;
        Ok(Monitor {
            replies,
            subscribed,
        })
    }
}

fn checkpoint_request(checkpoint: Option<&str>) -> CheckpointRequest {
    CheckpointRequest {
        checkpoint: checkpoint.map(str::to_string),
    }
}

/// The replies to a call made with `more`.
pub struct Replies<'a> {
    client: &'a mut Client,
    done: bool,
}

impl Replies<'_> {
    /// The next reply's parameters; `None` after the last one.
    pub async fn next(&mut self) -> Result<Option<Value>> {
        if self.done {
            return Ok(None);
        }
        let r = match self.client.read_reply().await {
            Ok(r) => r,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        self.done = !r.continues;
        Ok(Some(r.parameters))
    }
}

/// A running `Monitor` stream.
pub struct Monitor<'a> {
    replies: Replies<'a>,
    /// The patterns the daemon subscribed to.
    pub subscribed: Vec<String>,
}

impl Monitor<'_> {
    /// The next event; `None` if the daemon ended the stream.
    pub async fn next(&mut self) -> Result<Option<BusEvent>> {
        while let Some(mut r) = self.replies.next().await? {
            if let Some(ev) = r.get_mut("event") {
                return serde_json::from_value(ev.take())
                    .map(Some)
                    .map_err(|e| Error::Protocol(format!("Monitor event: {e}")));
            }
        }
        Ok(None)
    }
}

/// [`Client`] for programs without an async runtime: each call runs on a
/// private single-threaded runtime.
pub struct BlockingClient {
    rt: tokio::runtime::Runtime,
    inner: Client,
}

impl BlockingClient {
    pub fn connect(path: impl AsRef<Path>) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Io)?;
        let inner = rt.block_on(Client::connect(path))?;
        Ok(Self { rt, inner })
    }

    /// Runs any async method of the inner client, e.g.
    /// `c.run(|c| Box::pin(c.show(None)))`.
    pub fn run<T>(
        &mut self,
        f: impl for<'c> FnOnce(
            &'c mut Client,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'c>>,
    ) -> T {
        self.rt.block_on(f(&mut self.inner))
    }

    pub fn ping(&mut self) -> Result<()> {
        self.rt.block_on(self.inner.ping())
    }

    pub fn info(&mut self) -> Result<Info> {
        self.rt.block_on(self.inner.info())
    }

    pub fn plugins(&mut self) -> Result<Plugins> {
        self.rt.block_on(self.inner.plugins())
    }

    pub fn set_log_level(&mut self, level: &str) -> Result<LogLevelSet> {
        self.rt.block_on(self.inner.set_log_level(level))
    }

    pub fn call(&mut self, method: &str, parameters: Value) -> Result<Value> {
        self.rt.block_on(self.inner.call(method, parameters))
    }

    pub fn show(&mut self, interface: Option<&str>) -> Result<NetworkState> {
        self.rt.block_on(self.inner.show(interface))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_errors_read_as_sentences() {
        let e = Error::Remote(RemoteError {
            error: "io.nipart.Daemon.PermissionDenied".into(),
            parameters: json!({"method": "io.nipart.Daemon.SetLogLevel", "privilege": "root"}),
        });
        assert_eq!(
            e.to_string(),
            "permission denied: io.nipart.Daemon.SetLogLevel needs root"
        );
        let e = Error::Connect {
            path: "/x.sock".into(),
            source: io::Error::from(io::ErrorKind::NotFound),
        };
        assert!(
            e.to_string()
                .starts_with("cannot connect to the nipart daemon at /x.sock")
        );
        assert!(e.to_string().contains("is nipartd running?"));
    }
}
