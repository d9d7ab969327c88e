//! The public API: varlink on a UNIX stream socket.
//!
//! The server runs on a single-threaded tokio runtime of its own (thread
//! `nipart-api`); the daemon's main thread keeps waiting for signals. Each
//! connection is one task made of three parts joined together: a reader
//! (frames, parses and counts calls in flight), an executor (answers the
//! calls one at a time, in order, as varlink requires) and a writer (drains
//! a bounded queue of encoded replies). A client that stops reading fills
//! its queue and is cut off; nobody else waits for it.
//!
//! The wire format is small and owned here ([`wire`]) rather than taken
//! from a crate, so that message size, calls in flight, write queues and
//! peer credentials are under our control. See `docs/api.md` for the
//! interfaces ([`idl`]), authorization ([`auth`]) and limits
//! ([`ApiConfig`]).
//!
//! # Layout
//!
//! - [`socket`]: binding the socket (stale one replaced, live one refused).
//! - `mod.rs`: the server (accept loop, admission, shared state, limits).
//! - [`auth`]: the peer's credentials taken at accept; admin or not.
//! - `conn`: one connection's reader, executor and writer tasks.
//! - `session`: what a call's handler gets from its connection (the
//!   caller's context, permits, bus membership, the reply queue). `conn`
//!   and `methods` both use it and not each other's internals
//!   (`conn` → `methods` → `session`: no cycle).
//! - `methods`: the methods: parameters decoded into the protocol's types
//!   (`nipart_protocol::api`), forwarded on the bus (`forward`: permits,
//!   deadline, cancellation, redaction) and answered.
//! - [`idl`]: the interface descriptions, checked against the protocol's
//!   types by `host/tests/api_idl.rs`.
//! - [`wire`]: the varlink framing and encoding; [`redact`]: secrets hidden
//!   from non-admins and echoed values cut short; [`config`]: the `[api]`
//!   section.
//!
//! # Administrators always get through
//!
//! Whether a peer is an admin is decided once, at `accept()`, from the
//! credentials the kernel recorded at `connect()` ([`auth`]). From that:
//!
//! - **Connections**: callers who are not admins share
//!   `max_connections - admin_reserved_connections` slots; the rest are
//!   for admins only.
//! - **Calls that reach plugins** (`io.nipart.Network`, and
//!   `io.nipart.Daemon.Call`, which is for admins only): a connection
//!   answers its calls one at a time, so it has at most one such call
//!   running; callers who are not admins also need a permit of their uid
//!   (`max_unprivileged_calls_per_uid`) and one of all of them together
//!   (`max_unprivileged_calls`). Both are FIFO semaphores: a connection
//!   waits its turn (within its call's timeout) behind the connections
//!   that asked before it, so each gets a fair share.
//! - **Plugin queues**: each running Network call has at most one request
//!   queued at a plugin at a time (the commander asks one plugin after
//!   another, and answers the call itself from a task, at once). So
//!   read-only traffic of non-admins occupies at most
//!   `max_unprivileged_calls` (at most 256, default 32) places in any
//!   plugin's queue (default 1024 places), and admins at most one per
//!   connection. The room left is the reserve in which the daemon's own
//!   workflow (the commander's checkpoint save, state save, commit, the
//!   pending mark) always finds a place.
//! - **Abandoned calls**: when a client disconnects or its call times out,
//!   a `Cancelled` event follows the request ([`methods`]); the SDK drops a
//!   request so cancelled before its handler runs (answering it), the
//!   commander stops a read-only call at once, and a request whose deadline
//!   has passed is not handled either (`plugin-api/src/adapter.rs`). The
//!   caller's permits are given back only when that final answer comes (at
//!   most 10 s later), so abandoned calls still count against the limits
//!   while their work may sit in a plugin's queue: a caller cannot slip
//!   past the bound by disconnecting and calling again.
//!
//! Warnings a caller who is not an admin can cause (a denied call, a
//! refused connection, a client cut off) go through one rate limiter
//! ([`WarnLimiter`]): one line, then a count of those suppressed, per
//! interval. Values such callers control are echoed cut short
//! ([`redact::echo`]).

pub mod auth;
pub mod config;
mod conn;
pub mod idl;
mod methods;
pub mod redact;
mod session;
pub mod socket;
pub mod wire;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use arc_swap::ArcSwap;
pub use config::ApiConfig;
use tokio::{
    io::AsyncWriteExt,
    sync::{Semaphore, watch},
};

use crate::{
    Lifecycle, PluginCall, PluginInfo, Rejection,
    bus::{EventBus, Member},
};

/// Changes the daemon's own log filter; returns a message on failure.
pub type LogLevelSetter = Box<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// A loaded plugin as the API shows and reaches it.
pub struct PluginEntry {
    pub info: PluginInfo,
    pub member: Arc<Member>,
    pub call: Option<PluginCall>,
}

/// What the API serves from: the daemon's plugins, bus and facts.
pub struct DaemonView {
    pub bus: Arc<EventBus>,
    pub plugins: Vec<PluginEntry>,
    pub rejected: Vec<Rejection>,
    pub plugin_dir: PathBuf,
    pub started_at: Instant,
    pub set_log_level: Option<LogLevelSetter>,
}

impl DaemonView {
    pub fn from_lifecycle(l: &Lifecycle, set_log_level: Option<LogLevelSetter>) -> Self {
        Self {
            bus: l.bus().clone(),
            plugins: l
                .plugins()
                .into_iter()
                .map(|(info, member)| PluginEntry {
                    call: l.plugin_call(&info.name),
                    info,
                    member,
                })
                .collect(),
            rejected: l.rejected().to_vec(),
            plugin_dir: l.config().plugin_dir.clone(),
            started_at: l.started_at(),
            set_log_level,
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    /// Connections of callers who are not admins.
    unprivileged: usize,
    per_uid: HashMap<u32, UidEntry>,
}

struct UidEntry {
    connections: usize,
    /// Permits for Network calls of this uid (when not an admin).
    calls: Arc<Semaphore>,
}

/// Logs a warning caused by a caller who is not an admin at most once per
/// interval; the next line logged says how many were left out meanwhile.
pub(crate) struct WarnLimiter {
    interval: Duration,
    state: Mutex<(Option<Instant>, u64)>,
}

impl WarnLimiter {
    pub(crate) fn new(interval: Duration) -> Self {
        Self {
            interval,
            state: Mutex::new((None, 0)),
        }
    }

    /// `Some(suppressed)` when this warning may be logged now (with the
    /// count of warnings left out since the last one logged), else `None`
    /// (it is counted).
    pub(crate) fn admit(&self) -> Option<u64> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match s.0 {
            Some(last) if now.duration_since(last) < self.interval => {
                s.1 += 1;
                None
            }
            _ => {
                s.0 = Some(now);
                Some(std::mem::take(&mut s.1))
            }
        }
    }

    /// Logs `message` at WARN if [`Self::admit`] lets it.
    pub(crate) fn warn(&self, message: std::fmt::Arguments<'_>) {
        match self.admit() {
            Some(0) => tracing::warn!("{message}"),
            Some(n) => tracing::warn!(
                "{message} ({n} similar warnings left out in the last {} s)",
                self.interval.as_secs()
            ),
            None => {}
        }
    }
}

/// State shared by every connection.
pub(crate) struct Shared {
    /// Replaced by [`ApiServer::reconfigure`] (a configuration reload).
    pub(crate) cfg: ArcSwap<ApiConfig>,
    pub(crate) view: DaemonView,
    pub(crate) policy: ArcSwap<auth::Policy>,
    counts: Mutex<Counts>,
    next_conn: AtomicU64,
    /// Permits for Network calls of all callers who are not admins;
    /// replaced (for calls made after it) by a reload.
    pub(crate) unprivileged_calls: ArcSwap<Semaphore>,
    /// Warnings callers who are not admins cause.
    pub(crate) unprivileged_warnings: WarnLimiter,
}

/// How often a warning caused by callers who are not admins is logged.
const WARN_INTERVAL: Duration = Duration::from_secs(10);

/// Holds one connection slot; releases it on drop.
pub(crate) struct ConnSlot {
    shared: Arc<Shared>,
    uid: u32,
    pub(crate) admin: bool,
    /// The uid's call permits (used when not an admin).
    pub(crate) uid_calls: Arc<Semaphore>,
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut c = self.shared.lock_counts();
        c.total = c.total.saturating_sub(1);
        if !self.admin {
            c.unprivileged = c.unprivileged.saturating_sub(1);
        }
        if let Some(e) = c.per_uid.get_mut(&self.uid) {
            e.connections -= 1;
            if e.connections == 0 {
                c.per_uid.remove(&self.uid);
            }
        }
    }
}

impl Shared {
    /// Logs a warning a caller caused: as is for an admin, through the
    /// rate limiter for anyone else.
    pub(crate) fn warn(&self, admin: bool, message: std::fmt::Arguments<'_>) {
        if admin {
            tracing::warn!("{message}");
        } else {
            self.unprivileged_warnings.warn(message);
        }
    }

    fn lock_counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a connection slot for `uid`, or says which limit is reached.
    /// Callers who are not admins stop short of the admins' reserve.
    fn admit(self: &Arc<Self>, uid: u32, admin: bool) -> Result<ConnSlot, (&'static str, usize)> {
        let cfg = self.cfg.load();
        let mut c = self.lock_counts();
        if c.total >= cfg.max_connections {
            return Err(("total", cfg.max_connections));
        }
        if !admin && c.unprivileged >= cfg.unprivileged_connections() {
            return Err(("unprivileged", cfg.unprivileged_connections()));
        }
        let e = c.per_uid.entry(uid).or_insert_with(|| UidEntry {
            connections: 0,
            calls: Arc::new(Semaphore::new(cfg.max_unprivileged_calls_per_uid)),
        });
        // A new entry has no connection and the limit is at least 1: an
        // entry is never left empty here.
        if e.connections >= cfg.max_connections_per_uid {
            return Err(("uid", cfg.max_connections_per_uid));
        }
        e.connections += 1;
        let uid_calls = e.calls.clone();
        c.total += 1;
        if !admin {
            c.unprivileged += 1;
        }
        Ok(ConnSlot {
            shared: self.clone(),
            uid,
            admin,
            uid_calls,
        })
    }
}

/// A socket bound but not yet served: bind before the plugins start, so a
/// second daemon refuses before touching anything.
pub struct BoundApi {
    listener: std::os::unix::net::UnixListener,
    socket: socket::BoundSocket,
    cfg: ApiConfig,
    policy: auth::Policy,
}

impl BoundApi {
    /// Checks the configuration's admin group and binds the socket.
    pub fn bind(cfg: &ApiConfig) -> Result<Self, String> {
        let policy = auth::Policy::new(cfg.admin_group.as_deref())?;
        let (listener, socket) = socket::bind(&cfg.socket)?;
        Ok(Self {
            listener,
            socket,
            cfg: cfg.clone(),
            policy,
        })
    }

    pub fn path(&self) -> &Path {
        &self.socket.path
    }

    /// Removes the socket file without serving (start-up failed).
    pub fn abandon(self) {
        self.socket.remove();
    }

    /// Starts serving on a runtime of its own.
    pub fn serve(self, view: DaemonView) -> Result<ApiServer, String> {
        // One thread: every connection task runs on `nipart-api` itself,
        // with no cross-thread wake-ups on the request path (measured: the
        // lowest latency on the 2-core target; see docs/api.md).
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the API runtime: {e}"))?;
        let unprivileged_calls = Semaphore::new(self.cfg.max_unprivileged_calls);
        let shared = Arc::new(Shared {
            unprivileged_calls: ArcSwap::from_pointee(unprivileged_calls),
            unprivileged_warnings: WarnLimiter::new(WARN_INTERVAL),
            cfg: ArcSwap::from_pointee(self.cfg),
            view,
            policy: ArcSwap::from_pointee(self.policy),
            counts: Mutex::new(Counts::default()),
            next_conn: AtomicU64::new(1),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let listener = self.listener;
        let server_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("nipart-api".into())
            .spawn(move || {
                runtime.block_on(accept_loop(listener, shared, stop_rx));
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(|e| format!("cannot start the API thread: {e}"))?;
        Ok(ApiServer {
            stop: stop_tx,
            thread: Some(thread),
            socket: self.socket,
            shared: server_shared,
        })
    }
}

/// The running API server. [`ApiServer::stop`] (or drop) stops accepting,
/// closes every connection and removes the socket file.
pub struct ApiServer {
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    socket: socket::BoundSocket,
    shared: Arc<Shared>,
}

impl ApiServer {
    /// Applies a new `[api]` section (a configuration reload): the admin
    /// group and the limits for connections and calls made after it (an
    /// open connection keeps the authorization it got at accept). The socket stays where it
    /// is (`api.socket` needs a restart). Nothing changes if the admin group
    /// does not exist.
    pub fn reconfigure(&self, cfg: &ApiConfig) -> Result<(), String> {
        let policy = auth::Policy::new(cfg.admin_group.as_deref())
            .map_err(|e| format!("api.admin_group: {e}"))?;
        let mut cfg = cfg.clone();
        let old = self.shared.cfg.load_full();
        cfg.socket = old.socket.clone();
        if cfg.max_unprivileged_calls != old.max_unprivileged_calls {
            self.shared
                .unprivileged_calls
                .store(Arc::new(Semaphore::new(cfg.max_unprivileged_calls)));
        }
        self.shared.policy.store(Arc::new(policy));
        self.shared.cfg.store(Arc::new(cfg));
        Ok(())
    }

    /// Binds and serves in one step.
    pub fn start(cfg: &ApiConfig, view: DaemonView) -> Result<Self, String> {
        BoundApi::bind(cfg)?.serve(view)
    }

    pub fn socket_path(&self) -> &Path {
        &self.socket.path
    }

    pub fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        let _ = self.stop.send(true);
        if thread.join().is_err() {
            tracing::error!("the API thread panicked");
        }
        self.socket.remove();
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}

async fn accept_loop(
    listener: std::os::unix::net::UnixListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let listener = match tokio::net::UnixListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("the API socket can't be served: {e}");
            return;
        }
    };
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => admit(stream, &shared, &stop),
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!("accepting an API connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    // Connections see the stop signal and close; wait for them briefly.
    let until = Instant::now() + Duration::from_secs(2);
    while shared.lock_counts().total > 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tracing::info!("API stopped");
}

fn admit(stream: tokio::net::UnixStream, shared: &Arc<Shared>, stop: &watch::Receiver<bool>) {
    // The credentials the peer had at connect(): they decide for the whole
    // life of the connection (see `auth`).
    let peer = match auth::Peer::of(&stream) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("API connection without peer credentials refused: {e}");
            return;
        }
    };
    let admin = shared.policy.load().is_admin(&peer);
    match shared.admit(peer.uid, admin) {
        Ok(slot) => {
            let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(conn::serve(
                stream,
                peer,
                id,
                shared.clone(),
                slot,
                stop.clone(),
            ));
        }
        Err((scope, limit)) => {
            let message = format_args!(
                "API connection from uid {} pid {} refused: too many connections ({scope} limit {limit})",
                peer.uid,
                peer.pid_text()
            );
            shared.warn(admin, message);
            let msg = wire::error(
                "io.nipart.Daemon.TooManyConnections",
                serde_json::json!({ "scope": scope, "limit": limit }),
            );
            tokio::spawn(async move {
                let mut stream = stream;
                let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(&msg)).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_limited_to_one_per_interval_with_a_count() {
        let l = WarnLimiter::new(Duration::from_millis(200));
        assert_eq!(l.admit(), Some(0));
        for _ in 0..5 {
            assert_eq!(l.admit(), None);
        }
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(l.admit(), Some(5));
        assert_eq!(l.admit(), None);
    }
}
