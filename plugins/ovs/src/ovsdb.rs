//! A small OVSDB client (RFC 7047: JSON-RPC over `ovsdb-server`'s UNIX
//! socket), with no plugin logic: `transact` (one atomic transaction,
//! guarded by `wait` operations where the caller needs them), a `monitor`
//! of the `Interface` table (so that the caller can wait for
//! `ovs-vswitchd` to give an interface its `ofport` without polling), the
//! server's `echo` answered and our own echo sent when the line is idle
//! (a server that stops answering is dropped), and reconnection with
//! backoff.
//!
//! Invariants: a call never waits longer than its timeout, and fails at
//! once when there is no connection (never queued for a connection that
//! may not come); every pending call fails when the connection is lost; a
//! message is at most [`MAX_MESSAGE`] bytes (a longer one drops the
//! connection).

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::UnixStream,
    sync::{mpsc, oneshot, watch},
};

/// The database of Open vSwitch.
pub const DATABASE: &str = "Open_vSwitch";
/// The longest message read from the server.
pub const MAX_MESSAGE: usize = 64 << 20;
/// The echo sent when nothing came for this long; the connection is
/// dropped when its answer does not come within the same time.
const KEEPALIVE: Duration = Duration::from_secs(5);
/// The first and the longest wait before connecting again.
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OvsdbError {
    /// No connection to the server (the message says where and why).
    NotConnected(String),
    /// No answer within the timeout.
    Timeout(String),
    /// The server refused the call or an operation of the transaction.
    Refused(String),
    /// The connection was lost while waiting.
    Lost(String),
}

impl std::fmt::Display for OvsdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OvsdbError::NotConnected(m)
            | OvsdbError::Timeout(m)
            | OvsdbError::Refused(m)
            | OvsdbError::Lost(m) => f.write_str(m),
        }
    }
}

/// What the connection did, for the caller's log and notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connected,
    /// Lost (or could not be made after having been), with why.
    Lost(String),
}

/// What the monitor knows of one row of the `Interface` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterfaceRow {
    /// `-1` when ovs-vswitchd could not add it, `None` until it tried.
    pub ofport: Option<i64>,
    /// ovs-vswitchd's complaint, if any.
    pub error: Option<String>,
}

type Reply = Result<Value, OvsdbError>;

struct Conn {
    out: mpsc::UnboundedSender<Vec<u8>>,
    pending: Arc<Mutex<HashMap<u64, oneshot::Sender<Reply>>>>,
}

struct Inner {
    socket: PathBuf,
    conn: Mutex<Option<Conn>>,
    last_error: Mutex<String>,
    next_id: AtomicU64,
    /// The `Interface` table as the monitor reports it, by name.
    interfaces: Mutex<HashMap<String, InterfaceRow>>,
    /// Bumped on each monitor update.
    updates: watch::Sender<u64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A client that keeps one connection to `ovsdb-server` (made again with
/// backoff whenever it is lost) until it is dropped.
pub struct Client {
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Client {
    /// Starts connecting to `socket`; `report` is told of each connection
    /// made or lost. Must be called within a tokio runtime.
    pub fn start(socket: &Path, report: impl Fn(Connection) + Send + Sync + 'static) -> Client {
        let (updates, _) = watch::channel(0);
        let inner = Arc::new(Inner {
            socket: socket.to_path_buf(),
            conn: Mutex::new(None),
            last_error: Mutex::new("not connected yet".into()),
            next_id: AtomicU64::new(1),
            interfaces: Mutex::new(HashMap::new()),
            updates,
        });
        let task = tokio::spawn(supervise(inner.clone(), Box::new(report)));
        Client { inner, task }
    }

    pub fn is_connected(&self) -> bool {
        lock(&self.inner.conn).is_some()
    }

    /// Waits until connected, at most `limit`.
    pub async fn connected_within(&self, limit: Duration) -> bool {
        let mut rx = self.inner.updates.subscribe();
        let until = tokio::time::Instant::now() + limit;
        while !self.is_connected() {
            if tokio::time::timeout_at(until, rx.changed()).await.is_err() {
                return false;
            }
        }
        true
    }

    /// `method` with `params`, answered within `timeout`.
    pub async fn call(&self, method: &str, params: Value, timeout: Duration) -> Reply {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let guard = lock(&self.inner.conn);
            let Some(conn) = guard.as_ref() else {
                return Err(OvsdbError::NotConnected(format!(
                    "not connected to ovsdb-server at {} ({})",
                    self.inner.socket.display(),
                    lock(&self.inner.last_error)
                )));
            };
            lock(&conn.pending).insert(id, tx);
            let msg = json!({"id": id, "method": method, "params": params});
            let _ = conn.out.send(msg.to_string().into_bytes());
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(OvsdbError::Lost(format!(
                "the connection to ovsdb-server at {} was lost during {method}",
                self.inner.socket.display()
            ))),
            Err(_) => {
                if let Some(c) = lock(&self.inner.conn).as_ref() {
                    lock(&c.pending).remove(&id);
                }
                Err(OvsdbError::Timeout(format!(
                    "ovsdb-server at {} did not answer {method} within {} ms",
                    self.inner.socket.display(),
                    timeout.as_millis()
                )))
            }
        }
    }

    /// One transaction of `ops` on [`DATABASE`]: all of them or none. The
    /// results, one per operation; an operation's error (or a `wait` that
    /// timed out) fails the whole.
    pub async fn transact(&self, ops: Vec<Value>, timeout: Duration) -> Reply {
        let mut params = vec![json!(DATABASE)];
        params.extend(ops);
        let result = self.call("transact", Value::Array(params), timeout).await?;
        let results = result.as_array().cloned().unwrap_or_default();
        // RFC 7047 4.1.3: an error in any operation (or an extra error
        // after the last, from the commit) means nothing was done.
        if let Some(e) = results.iter().find_map(|r| r.get("error")) {
            let details = results
                .iter()
                .find_map(|r| r.get("details").and_then(Value::as_str))
                .unwrap_or("");
            return Err(OvsdbError::Refused(format!(
                "ovsdb-server refused the transaction: {}{}{}",
                e.as_str().unwrap_or("error"),
                if details.is_empty() { "" } else { ": " },
                details
            )));
        }
        Ok(Value::Array(results))
    }

    /// Waits until `done` holds for the monitor's view of the
    /// `Interface` table (checked again at each update), at most `limit`.
    pub async fn wait_for<T>(
        &self,
        limit: Duration,
        mut done: impl FnMut(&HashMap<String, InterfaceRow>) -> Option<T>,
    ) -> Option<T> {
        let mut rx = self.inner.updates.subscribe();
        let until = tokio::time::Instant::now() + limit;
        loop {
            if let Some(v) = done(&lock(&self.inner.interfaces)) {
                return Some(v);
            }
            match tokio::time::timeout_at(until, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return None,
            }
        }
    }
}

/// Connects, serves the connection until it ends, waits, and again.
async fn supervise(inner: Arc<Inner>, report: Box<dyn Fn(Connection) + Send + Sync>) {
    let mut backoff = BACKOFF_MIN;
    let mut was_connected = false;
    loop {
        match UnixStream::connect(&inner.socket).await {
            Ok(stream) => {
                backoff = BACKOFF_MIN;
                let why = serve(&inner, stream, &*report).await;
                *lock(&inner.last_error) = why.clone();
                report(Connection::Lost(why));
                was_connected = true;
            }
            Err(e) => {
                let why = format!("connecting: {e}");
                let first = *lock(&inner.last_error) != why;
                *lock(&inner.last_error) = why.clone();
                if was_connected && first {
                    report(Connection::Lost(why));
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Serves one connection: the monitor set up, replies routed, the server's
/// echo answered, updates applied; returns why it ended.
async fn serve(
    inner: &Arc<Inner>,
    stream: UnixStream,
    report: &(dyn Fn(Connection) + Send + Sync),
) -> String {
    let (mut rd, mut wr) = stream.into_split();
    let (out, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let pending: Arc<Mutex<HashMap<u64, oneshot::Sender<Reply>>>> = Arc::default();
    let writer = tokio::spawn(async move {
        while let Some(msg) = out_rx.recv().await {
            if wr.write_all(&msg).await.is_err() {
                break;
            }
        }
    });
    // The monitor's id: its initial rows come as its reply, later changes
    // as `update` notifications.
    let monitor_id = inner.next_id.fetch_add(1, Ordering::Relaxed);
    let monitor = json!({
        "id": monitor_id,
        "method": "monitor",
        "params": [DATABASE, null, {"Interface": {"columns": ["name", "ofport", "error"]}}],
    });
    let _ = out.send(monitor.to_string().into_bytes());
    lock(&inner.interfaces).clear();
    *lock(&inner.conn) = Some(Conn {
        out: out.clone(),
        pending: pending.clone(),
    });
    report(Connection::Connected);
    inner.updates.send_modify(|n| *n += 1);

    let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut ends = MessageEnds::default();
    let mut chunk = vec![0u8; 64 << 10];
    let mut echo_sent: Option<tokio::time::Instant> = None;
    let why = loop {
        let idle = tokio::time::sleep(KEEPALIVE);
        let n = tokio::select! {
            r = rd.read(&mut chunk) => match r {
                Ok(0) => break "ovsdb-server closed the connection".to_string(),
                Ok(n) => n,
                Err(e) => break format!("reading: {e}"),
            },
            () = idle => {
                if echo_sent.is_some() {
                    break format!("no answer to our echo within {} s", 2 * KEEPALIVE.as_secs());
                }
                echo_sent = Some(tokio::time::Instant::now());
                let echo = json!({"id": "echo", "method": "echo", "params": []});
                let _ = out.send(echo.to_string().into_bytes());
                continue;
            }
        };
        echo_sent = None;
        buf.extend_from_slice(&chunk[..n]);
        let end = ends.scan(&buf);
        let (messages, used) = split_messages(&buf[..end]);
        buf.drain(..used);
        ends.consumed(used);
        if buf.len() > MAX_MESSAGE {
            break format!("a message longer than {MAX_MESSAGE} bytes");
        }
        let mut failed = None;
        for m in messages {
            match m {
                Ok(m) => handle(inner, &out, &pending, monitor_id, m),
                Err(e) => failed = Some(format!("a malformed message: {e}")),
            }
        }
        if let Some(why) = failed {
            break why;
        }
    };
    *lock(&inner.conn) = None;
    writer.abort();
    // Every call waiting fails now (its sender dropped).
    lock(&pending).clear();
    inner.updates.send_modify(|n| *n += 1);
    why
}

/// Where the messages in the bytes read so far end, found by counting
/// brackets outside strings, each byte looked at once: a reply of many
/// reads (a select of 200 ports is several) is parsed once, when it is
/// complete, rather than again from its start after each read.
#[derive(Debug, Default)]
struct MessageEnds {
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// How many bytes of the buffer were looked at.
    scanned: usize,
}

impl MessageEnds {
    /// Looks at the new bytes of `buf`; the end of the last complete
    /// value in it (0: none). Anything but whitespace outside every value
    /// (a stray `]`, say) counts as an end, for [`split_messages`] to
    /// report.
    fn scan(&mut self, buf: &[u8]) -> usize {
        let mut end = 0;
        for (i, &b) in buf.iter().enumerate().skip(self.scanned) {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.depth == 0 {
                        end = i + 1;
                    }
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                b' ' | b'\t' | b'\n' | b'\r' => continue,
                _ => {}
            }
            if self.depth == 0 {
                end = i + 1;
            }
        }
        self.scanned = buf.len();
        end
    }

    /// `n` bytes were taken off the front of the buffer.
    fn consumed(&mut self, n: usize) {
        self.scanned = self.scanned.saturating_sub(n);
    }
}

/// The complete JSON values at the start of `buf` and how many bytes they
/// took (an incomplete one at the end is left for the next read).
fn split_messages(buf: &[u8]) -> (Vec<Result<Value, String>>, usize) {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(buf).into_iter::<Value>();
    let mut used = 0;
    loop {
        match stream.next() {
            Some(Ok(v)) => {
                used = stream.byte_offset();
                out.push(Ok(v));
            }
            Some(Err(e)) if e.is_eof() => break,
            Some(Err(e)) => {
                out.push(Err(e.to_string()));
                used = buf.len();
                break;
            }
            None => break,
        }
    }
    (out, used)
}

fn handle(
    inner: &Inner,
    out: &mpsc::UnboundedSender<Vec<u8>>,
    pending: &Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
    monitor_id: u64,
    m: Value,
) {
    match m.get("method").and_then(Value::as_str) {
        Some("echo") => {
            let reply = json!({"id": m["id"], "result": m["params"], "error": null});
            let _ = out.send(reply.to_string().into_bytes());
            return;
        }
        Some("update") => {
            if let Some(u) = m["params"].get(1) {
                apply_update(inner, u);
            }
            return;
        }
        Some(_) => return,
        None => {}
    }
    let Some(id) = m.get("id").and_then(Value::as_u64) else {
        return; // our echo's answer, or a stray reply
    };
    if id == monitor_id {
        apply_update(inner, &m["result"]);
        return;
    }
    let Some(tx) = lock(pending).remove(&id) else {
        return;
    };
    let reply = match m.get("error") {
        Some(e) if !e.is_null() => Err(OvsdbError::Refused(format!(
            "ovsdb-server refused the call: {}",
            e.as_str().map_or_else(|| e.to_string(), str::to_string)
        ))),
        // Moved out, not cloned: a select of hundreds of rows is large.
        _ => Ok(match m {
            Value::Object(mut o) => o.remove("result").unwrap_or(Value::Null),
            _ => Value::Null,
        }),
    };
    let _ = tx.send(reply);
}

/// Applies a `<table-updates>` of the `Interface` table to the cache.
fn apply_update(inner: &Inner, updates: &Value) {
    let Some(rows) = updates.get("Interface").and_then(Value::as_object) else {
        return;
    };
    {
        let mut table = lock(&inner.interfaces);
        for update in rows.values() {
            if let Some(old) = update.get("old")
                && update.get("new").is_none()
                && let Some(name) = old.get("name").and_then(Value::as_str)
            {
                table.remove(name);
                continue;
            }
            let Some(new) = update.get("new") else {
                continue;
            };
            let Some(name) = new.get("name").and_then(Value::as_str) else {
                continue;
            };
            table.insert(
                name.to_string(),
                InterfaceRow {
                    ofport: set_atoms(&new["ofport"]).first().and_then(Value::as_i64),
                    error: set_atoms(&new["error"])
                        .first()
                        .and_then(Value::as_str)
                        .map(str::to_string),
                },
            );
        }
    }
    inner.updates.send_modify(|n| *n += 1);
}

/// The atoms of an OVSDB value that may be a set (`["set", [...]]`) or a
/// single atom.
pub fn set_atoms(v: &Value) -> Vec<Value> {
    match v.as_array().map(Vec::as_slice) {
        Some([tag, Value::Array(items)]) if tag == "set" => items.clone(),
        _ if v.is_null() => Vec::new(),
        _ => vec![v.clone()],
    }
}

/// The pairs of an OVSDB map (`["map", [[k, v], ...]]`) of texts.
pub fn map_pairs(v: &Value) -> Vec<(String, String)> {
    let Some([tag, Value::Array(items)]) = v.as_array().map(Vec::as_slice) else {
        return Vec::new();
    };
    if tag != "map" {
        return Vec::new();
    }
    items
        .iter()
        .filter_map(|p| {
            let k = p.get(0)?;
            let v = p.get(1)?;
            let text = |x: &Value| x.as_str().map_or_else(|| x.to_string(), str::to_string);
            Some((text(k), text(v)))
        })
        .collect()
}

/// The UUID of a `["uuid", "…"]` atom.
pub fn uuid_of(v: &Value) -> Option<&str> {
    match v.as_array().map(Vec::as_slice) {
        Some([tag, Value::String(u)]) if tag == "uuid" => Some(u),
        _ => None,
    }
}

/// An OVSDB set of `items`.
pub fn set(items: Vec<Value>) -> Value {
    json!(["set", items])
}

/// An OVSDB map of texts.
pub fn map<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    let items: Vec<Value> = pairs.into_iter().map(|(k, v)| json!([k, v])).collect();
    json!(["map", items])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_split_where_they_end() {
        let (m, used) = split_messages(br#"{"id":1,"result":[]}{"id":2,"res"#);
        assert_eq!(m.len(), 1);
        assert_eq!(used, 20);
        let (m, used) = split_messages(br#"{"id":1}  {"id":2}"#);
        assert_eq!(m.len(), 2);
        assert_eq!(used, 18);
        let (m, _) = split_messages(br#"{"id":1}]"#);
        assert!(m[1].is_err());
    }

    #[test]
    fn messages_end_where_their_brackets_close_whatever_the_reads() {
        let stream = br#"{"id":1,"result":[{"s":"a}]\"{["}]} {"id":2}"#;
        let first = stream.iter().position(|b| *b == b' ').unwrap();
        // Byte by byte: the first value ends once, at its last brace.
        let mut ends = MessageEnds::default();
        let mut buf = Vec::new();
        let mut seen = Vec::new();
        for (i, b) in stream.iter().enumerate() {
            buf.push(*b);
            let end = ends.scan(&buf);
            if end > 0 {
                seen.push((i, end));
                let (m, used) = split_messages(&buf[..end]);
                assert!(m.iter().all(Result::is_ok), "{m:?}");
                buf.drain(..used);
                ends.consumed(used);
            }
        }
        assert_eq!(
            seen,
            [(first - 1, first), (stream.len() - 1, stream.len() - first)]
        );
        assert!(buf.is_empty());
        // A stray bracket is an end, so that the parser reports it.
        let mut ends = MessageEnds::default();
        assert_eq!(ends.scan(b"{}]"), 3);
        assert!(split_messages(b"{}]").0[1].is_err());
    }

    #[test]
    fn atoms_sets_and_maps_are_read() {
        assert_eq!(set_atoms(&json!(["set", []])), Vec::<Value>::new());
        assert_eq!(set_atoms(&json!(5)), vec![json!(5)]);
        assert_eq!(set_atoms(&json!(["set", [1, 2]])), vec![json!(1), json!(2)]);
        assert_eq!(
            map_pairs(&json!(["map", [["a", "b"]]])),
            vec![("a".to_string(), "b".to_string())]
        );
        assert_eq!(uuid_of(&json!(["uuid", "x"])), Some("x"));
    }
}
