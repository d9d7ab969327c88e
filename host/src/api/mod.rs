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

pub mod auth;
pub mod config;
mod conn;
pub mod idl;
mod methods;
pub mod redact;
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
use tokio::{io::AsyncWriteExt, sync::watch};

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
    per_uid: HashMap<u32, usize>,
}

/// State shared by every connection.
pub(crate) struct Shared {
    /// Replaced by [`ApiServer::reconfigure`] (a configuration reload).
    pub(crate) cfg: ArcSwap<ApiConfig>,
    pub(crate) view: DaemonView,
    pub(crate) policy: ArcSwap<auth::Policy>,
    counts: Mutex<Counts>,
    next_conn: AtomicU64,
}

/// Holds one connection slot; releases it on drop.
pub(crate) struct ConnSlot {
    shared: Arc<Shared>,
    uid: u32,
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut c = self.shared.lock_counts();
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.per_uid.get_mut(&self.uid) {
            *n -= 1;
            if *n == 0 {
                c.per_uid.remove(&self.uid);
            }
        }
    }
}

impl Shared {
    fn lock_counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a connection slot for `uid`, or says which limit is reached.
    fn admit(self: &Arc<Self>, uid: u32) -> Result<ConnSlot, (&'static str, usize)> {
        let cfg = self.cfg.load();
        let mut c = self.lock_counts();
        if c.total >= cfg.max_connections {
            return Err(("total", cfg.max_connections));
        }
        let n = c.per_uid.entry(uid).or_insert(0);
        if *n >= cfg.max_connections_per_uid {
            return Err(("uid", cfg.max_connections_per_uid));
        }
        *n += 1;
        c.total += 1;
        Ok(ConnSlot {
            shared: self.clone(),
            uid,
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
        let shared = Arc::new(Shared {
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
    /// group at once for connections that have not yet been authorized,
    /// the limits for new connections and calls. The socket stays where it
    /// is (`api.socket` needs a restart). Nothing changes if the admin group
    /// does not exist.
    pub fn reconfigure(&self, cfg: &ApiConfig) -> Result<(), String> {
        let policy = auth::Policy::new(cfg.admin_group.as_deref())
            .map_err(|e| format!("api.admin_group: {e}"))?;
        let mut cfg = cfg.clone();
        cfg.socket = self.shared.cfg.load().socket.clone();
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
    let peer = match stream.peer_cred() {
        Ok(c) => auth::Peer {
            uid: c.uid(),
            gid: c.gid(),
            pid: c.pid(),
        },
        Err(e) => {
            tracing::warn!("API connection without peer credentials refused: {e}");
            return;
        }
    };
    match shared.admit(peer.uid) {
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
            tracing::warn!(
                "API connection from uid {} pid {:?} refused: too many connections ({scope} limit {limit})",
                peer.uid,
                peer.pid
            );
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
