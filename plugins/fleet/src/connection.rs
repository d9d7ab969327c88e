//! The NATS connection: options from the configuration, the connection's
//! state (announced on the bus as it changes), the heartbeat, and the
//! subscriptions `serve.rs` answers.

use std::{
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use async_nats::{
    Client, ClientError, ConnectErrorKind, ConnectOptions, Event as NatsEvent, ServerAddr,
    ServerError,
};
use nipart_plugin_api::{
    Context, Error, ErrorKind, Result,
    protocol::{
        daemon::{DaemonVersion, SetStatus},
        fleet::{ConnectionState, FleetConnection, FleetStatus, Heartbeat, subject},
        state::{ApiCall, StatusRequest},
    },
};
use tokio::task::JoinHandle;

use crate::{
    Shared,
    config::{Auth, Config, Permissions},
    lock,
    serve::{self, Dedup, Kind},
};

/// The largest file we read for credentials or a seed.
const MAX_SECRET_FILE: u64 = 64 * 1024;
/// Messages waiting per subscription, and commands to the connection.
const SUBSCRIPTION_CAPACITY: usize = 1024;
const CLIENT_CAPACITY: usize = 256;
/// The longest wait between two connection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What the serving tasks share.
pub(crate) struct Inner {
    pub client: Client,
    pub host: String,
    pub groups: Vec<String>,
    pub admin: bool,
    pub request_timeout: Duration,
    pub heartbeat_interval: Duration,
    pub shared: Arc<Shared>,
    pub version: String,
    pub served: AtomicU64,
    pub failed: AtomicU64,
    pub dedup: Dedup,
}

/// The running connection and its tasks.
pub(crate) struct Link {
    inner: Arc<Inner>,
    state: Arc<Mutex<FleetConnection>>,
    tasks: Vec<JoinHandle<()>>,
}

/// Between attempts: 100 ms doubling to [`MAX_BACKOFF`].
fn backoff(attempts: usize) -> Duration {
    let exp = u32::try_from(attempts.min(8)).unwrap_or(8);
    (Duration::from_millis(100) * 2u32.pow(exp)).min(MAX_BACKOFF)
}

fn read_secret(path: &std::path::Path, what: &str) -> Result<String> {
    let fail = |m: String| {
        Error::invalid_input(format!(
            "[plugin.fleet] auth: {what} {}: {m}",
            path.display()
        ))
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() || meta.len() > MAX_SECRET_FILE {
        return Err(fail(format!(
            "not a regular file of at most {MAX_SECRET_FILE} bytes"
        )));
    }
    std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))
}

async fn options(config: &Config) -> Result<ConnectOptions> {
    let mut opts = ConnectOptions::new()
        .name(format!("nipart-{}", config.host()))
        .retry_on_initial_connect()
        .max_reconnects(None)
        .reconnect_delay_callback(backoff)
        .connection_timeout(Duration::from_secs(3))
        .ping_interval(Duration::from_secs(5))
        // Bounded queues: requests beyond them are dropped by the client
        // (their senders time out), never held without limit.
        .subscription_capacity(SUBSCRIPTION_CAPACITY)
        .client_capacity(CLIENT_CAPACITY);
    opts = match &config.auth {
        None => opts,
        Some(Auth::UserPassword { user, password }) => {
            opts.user_and_password(user.clone(), password.clone())
        }
        Some(Auth::Credentials { file }) => {
            let creds = read_secret(file, "credentials file")?;
            opts.credentials(&creds).map_err(|e| {
                Error::invalid_input(format!(
                    "[plugin.fleet] auth: credentials file {}: {e}",
                    file.display()
                ))
            })?
        }
        Some(Auth::Nkey { seed_file }) => {
            opts.nkey(read_secret(seed_file, "NKey seed file")?.trim().to_string())
        }
    };
    if let Some(ca) = &config.tls_ca {
        if !ca.is_file() {
            return Err(Error::invalid_input(format!(
                "[plugin.fleet] tls_ca: {} is not a file",
                ca.display()
            )));
        }
        opts = opts.add_root_certificates(ca.clone()).require_tls(true);
    }
    Ok(opts)
}

fn set_state(
    ctx: &Context,
    state: &Mutex<FleetConnection>,
    new: ConnectionState,
    server: Option<String>,
    message: String,
) {
    let notice = {
        let mut s = lock(state);
        if s.state == new && s.server == server && s.message == message {
            return;
        }
        s.state = new;
        s.server = server;
        s.message = message;
        s.clone()
    };
    tracing::info!(state = new.as_str(), server = ?notice.server, "{}", notice.message);
    // The same, in a line of `nipc plugins`.
    let line = match (&notice.server, notice.message.is_empty()) {
        (Some(server), _) => format!("{} as {}, to {server}", new.as_str(), notice.host),
        (None, true) => format!("{} as {}", new.as_str(), notice.host),
        (None, false) => format!("{} as {}: {}", new.as_str(), notice.host, notice.message),
    };
    if let Err(e) = ctx.call(&SetStatus { status: Some(line) }) {
        tracing::debug!("setting the plugin's status: {e}");
    }
    if let Err(e) = ctx.announce(&notice) {
        tracing::debug!("announcing the fleet connection: {e}");
    }
}

impl Link {
    pub async fn start(ctx: &Context, config: &Config, shared: Arc<Shared>) -> Result<Link> {
        let host = config.host().to_string();
        let servers = config
            .servers
            .iter()
            .map(|s| {
                s.parse::<ServerAddr>().map_err(|e| {
                    Error::invalid_input(format!("[plugin.fleet] servers: {s:?}: {e}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let state = Arc::new(Mutex::new(FleetConnection {
            host: host.clone(),
            state: ConnectionState::Connecting,
            server: None,
            message: String::new(),
        }));
        set_state(
            ctx,
            &state,
            ConnectionState::Connecting,
            None,
            format!("to {}", config.servers.join(", ")),
        );
        let client_cell: Arc<OnceLock<Client>> = Arc::default();
        let opts = {
            let (ctx, state, cell) = (ctx.clone(), state.clone(), client_cell.clone());
            options(config).await?.event_callback(move |ev| {
                let (ctx, state, cell) = (ctx.clone(), state.clone(), cell.clone());
                async move {
                    let server = || cell.get().map(|c| c.server_info().server_name);
                    match ev {
                        NatsEvent::Connected => set_state(
                            &ctx,
                            &state,
                            ConnectionState::Connected,
                            server(),
                            String::new(),
                        ),
                        NatsEvent::Disconnected => set_state(
                            &ctx,
                            &state,
                            ConnectionState::Disconnected,
                            None,
                            "connection lost: reconnecting".into(),
                        ),
                        // A connection attempt the server refuses comes as
                        // a client error carrying the connect error's kind
                        // (as text); one refused later as a server error.
                        NatsEvent::ClientError(ClientError::Other(m))
                            if m == ConnectErrorKind::AuthorizationViolation.to_string() =>
                        {
                            set_state(
                                &ctx,
                                &state,
                                ConnectionState::Refused,
                                None,
                                "the server refused our credentials".into(),
                            )
                        }
                        NatsEvent::ServerError(ServerError::AuthorizationViolation) => set_state(
                            &ctx,
                            &state,
                            ConnectionState::Refused,
                            None,
                            "the server refused our credentials".into(),
                        ),
                        other => tracing::warn!("NATS: {other}"),
                    }
                }
            })
        };
        let client = opts.connect(servers).await.map_err(|e| {
            Error::new(ErrorKind::Failed, format!("fleet: connecting to NATS: {e}"))
        })?;
        let _ = client_cell.set(client.clone());
        let version = ctx.call(&DaemonVersion).unwrap_or_default();
        let inner = Arc::new(Inner {
            client,
            host,
            groups: config.groups.clone(),
            admin: config.permissions == Permissions::Admin,
            request_timeout: config.request_timeout(),
            heartbeat_interval: config.heartbeat_interval(),
            shared,
            version,
            served: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            dedup: Dedup::default(),
        });
        let mut tasks = Vec::new();
        let mut subjects = vec![(
            format!("{}.{}.read.*", subject::ROOT, inner.host),
            Kind::Read,
        )];
        for g in &inner.groups {
            subjects.push((format!("{}.group.{g}.read.*", subject::ROOT), Kind::Read));
        }
        if inner.admin {
            subjects.push((
                format!("{}.{}.admin.*", subject::ROOT, inner.host),
                Kind::Admin,
            ));
            for g in &inner.groups {
                subjects.push((format!("{}.group.{g}.admin.*", subject::ROOT), Kind::Admin));
            }
        }
        for (subj, kind) in subjects {
            let sub = inner.client.subscribe(subj.clone()).await.map_err(|e| {
                Error::new(
                    ErrorKind::Failed,
                    format!("fleet: subscribing to {subj}: {e}"),
                )
            })?;
            tasks.push(tokio::spawn(serve::serve(
                ctx.clone(),
                inner.clone(),
                sub,
                kind,
            )));
        }
        tasks.push(tokio::spawn(heartbeats(ctx.clone(), inner.clone())));
        Ok(Link {
            inner,
            state,
            tasks,
        })
    }

    pub fn status(&self, config: &Config) -> FleetStatus {
        FleetStatus {
            connection: lock(&self.state).clone(),
            groups: config.groups.clone(),
            served: self.inner.served.load(Ordering::Relaxed),
            failed: self.inner.failed.load(Ordering::Relaxed),
        }
    }

    /// Publishes without waiting (a notice is worth nothing late; the
    /// client buffers it while reconnecting).
    pub fn publish(&self, subject: String, payload: Vec<u8>) {
        let client = self.inner.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.publish(subject, payload.into()).await {
                tracing::debug!("publishing a notice: {e}");
            }
        });
    }

    pub async fn stop(self) {
        for t in &self.tasks {
            t.abort();
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), self.inner.client.flush()).await;
    }
}

/// This host's heartbeat, also the reply to `read.plugins`.
pub(crate) async fn heartbeat(ctx: &Context, inner: &Inner) -> Heartbeat {
    let last_apply = match ctx
        .ask_within(
            &ApiCall::new("fleet", StatusRequest {}),
            Duration::from_secs(5),
        )
        .await
    {
        Ok(status) => status.last.into_iter().max_by_key(|l| l.unix_time),
        Err(e) => {
            tracing::debug!("heartbeat: the commander's status: {e}");
            None
        }
    };
    Heartbeat {
        host: inner.host.clone(),
        version: inner.version.clone(),
        plugins: lock(&inner.shared.plugins).clone(),
        groups: inner.groups.clone(),
        last_apply,
        interval_ms: u64::try_from(inner.heartbeat_interval.as_millis()).unwrap_or(u64::MAX),
        admin: inner.admin,
    }
}

async fn heartbeats(ctx: Context, inner: Arc<Inner>) {
    let mut tick = tokio::time::interval(inner.heartbeat_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let subj = subject::heartbeat(&inner.host);
    loop {
        tick.tick().await;
        let beat = heartbeat(&ctx, &inner).await;
        let Ok(bytes) = serde_json::to_vec(&beat) else {
            continue;
        };
        if let Err(e) = inner.client.publish(subj.clone(), bytes.into()).await {
            tracing::debug!("heartbeat: {e}");
        }
    }
}
