//! Start-up and shutdown of the plugins.
//!
//! Init runs in sorted plugin order, Shutdown in reverse, each call on a
//! thread of its own with a deadline (an FFI call can't be cancelled: a
//! plugin that misses its deadline is marked failed and its thread is left
//! behind). Once every Init has returned, the bus broadcasts
//! `daemon.started`. A plugin whose Init fails, panics or times out is
//! isolated; if the configuration marks it required, start-up is aborted
//! instead, after the plugins already initialized are shut down in reverse.
//!
//! Before the shutdown, [`Lifecycle::drain`] lets the apply in progress
//! end: the daemon asks `role:commander` (`daemon.stopping`) and waits for
//! its reply, with every plugin still running, so that the apply can roll
//! back or save and answer its client. Only then do the plugins stop.

use std::{
    path::PathBuf,
    sync::{
        Arc, Condvar, Mutex, OnceLock,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    thread,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use arc_swap::ArcSwap;
use nipart_plugin_api::{
    Address, Error, ErrorKind, Event, EventState, Message, Request, Result as ApiResult,
    protocol::daemon::{
        ConfigChanged, DaemonCall, DaemonPing, DaemonStarted, DaemonStopping, InitSettings,
        SetLogLevel,
    },
};

use crate::{
    bus::{
        EventBus, Member, MemberId, MemberState, Sink, announce_gone, daemon_event, daemon_notice,
    },
    config::{DaemonConfig, section::SectionJson},
    ffi::PluginInstance,
    handle::DaemonHandle,
    loader::{LoadedPlugin, PluginLoader, Rejection},
};

/// A plugin's generic `call(method, input)` entry point, shareable across
/// threads. The call is synchronous FFI: run it where blocking is allowed.
#[derive(Clone)]
pub struct PluginCall(PluginInstance);

impl PluginCall {
    pub fn call(&self, method: &str, input: &[u8]) -> ApiResult<Vec<u8>> {
        self.0.call(method, input)
    }
}

/// Static facts about a loaded plugin, for listings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    pub file: PathBuf,
    pub roles: Vec<String>,
    pub sdk_version: String,
    /// The protocol version agreed in its hello at Init (`None` before
    /// Init, or if it sent no hello).
    pub protocol_version: Option<u32>,
}

struct RunningPlugin {
    info: PluginInfo,
    instance: PluginInstance,
    member: Arc<Member>,
    /// Its `[plugin.NAME]` section as JSON, shared with its daemon handle.
    section: Arc<ArcSwap<SectionJson>>,
    /// Init returned in time (successfully or not): Shutdown may be called.
    init_returned: bool,
    /// Set by its hello (through its daemon handle).
    protocol: Arc<OnceLock<u32>>,
}

/// Why start-up was aborted.
#[derive(Debug)]
pub struct StartError {
    pub message: String,
    /// Problems met while shutting down the plugins already started.
    pub shutdown_errors: Vec<String>,
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The running plugins and their bus.
pub struct Lifecycle {
    bus: Arc<EventBus>,
    plugins: Vec<RunningPlugin>,
    rejected: Vec<Rejection>,
    config: DaemonConfig,
    started_at: Instant,
    /// Counts the `daemon.ping` events the bus delivered to the daemon.
    pings: Arc<AtomicU64>,
    /// Replies to the daemon's `daemon.stopping` requests.
    stopping: Arc<StoppingReplies>,
}

/// The ids of the `daemon.stopping` requests answered so far.
#[derive(Default)]
struct StoppingReplies {
    answered: Mutex<Vec<[u8; 16]>>,
    changed: Condvar,
}

/// How the wait for the apply in progress ended (see [`Lifecycle::drain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrainOutcome {
    /// No plugin holds role `commander`: nothing to wait for.
    NoCommander,
    /// The commander said no apply runs any more.
    Drained,
    /// No answer within the limit: the plugins stop anyway, and the apply
    /// still marked in progress is rolled back at the next start.
    TimedOut,
    /// The request could not be sent or was refused.
    Failed(String),
}

/// The daemon's own seat on the bus: it takes only the `daemon.ping` the
/// health check sends itself (a round trip through the routing) and the
/// replies to its `daemon.stopping` request (see [`Lifecycle::drain`]), and
/// refuses anything else as before it had a seat (a request to the daemon
/// still gets "the daemon takes no events").
struct DaemonSink(Arc<AtomicU64>, Arc<StoppingReplies>);

impl Sink for DaemonSink {
    fn deliver(&self, event: Event) -> ApiResult<u32> {
        match event.topic.as_str() {
            DaemonPing::TOPIC => {
                self.0.fetch_add(1, Ordering::AcqRel);
                Ok(0)
            }
            // The notice of refused events comes before the next ping: it
            // must not stand in the ping's way.
            nipart_plugin_api::BusMissed::TOPIC => Ok(0),
            DaemonStopping::TOPIC => {
                if let Some(id) = event.ref_id
                    && matches!(event.state, EventState::Done | EventState::Cancelled)
                {
                    let mut answered = self.1.answered.lock().unwrap_or_else(|e| e.into_inner());
                    answered.push(id.0);
                    self.1.changed.notify_all();
                }
                Ok(0)
            }
            _ => Err(Error::new(
                ErrorKind::Unsupported,
                "the daemon takes no events".to_string(),
            )),
        }
    }
}

/// What a reload changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReloadReport {
    /// Plugins whose section changed and that were sent `config.changed`.
    pub notified: Vec<String>,
    /// Plugins whose section changed but that could not be told (failed,
    /// stopped, or the event was refused), with the reason.
    pub not_notified: Vec<(String, String)>,
    /// Keys that changed but keep their running value until a restart.
    pub needs_restart: Vec<&'static str>,
    /// The new `log_level`, if it changed.
    pub log_level: Option<String>,
}

/// How long past a plugin's Shutdown deadline the host still waits for the
/// SDK's own answer.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

/// `at` as milliseconds since the Unix epoch, rounded up, so that a plugin
/// honouring the deadline never answers before the host's own `at`.
fn unix_ms(at: Instant) -> u64 {
    let wall = SystemTime::now() + at.saturating_duration_since(Instant::now());
    wall.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos().div_ceil(1_000_000) as u64)
}

/// How a call made with a deadline ended.
enum CallOutcome {
    Returned(Result<(), Error>),
    /// The deadline passed; the call's thread is left behind.
    TimedOut,
    Lost(String),
}

/// Runs `f` on a thread of its own and waits for it at most until `wait_until`.
fn call_with_deadline(
    thread_name: String,
    wait_until: Instant,
    f: impl FnOnce() -> Result<(), Error> + Send + 'static,
) -> CallOutcome {
    let (tx, rx) = mpsc::channel();
    let spawned = thread::Builder::new().name(thread_name).spawn(move || {
        let _ = tx.send(f());
    });
    if let Err(e) = spawned {
        return CallOutcome::Lost(format!("cannot spawn a thread: {e}"));
    }
    let budget = wait_until.saturating_duration_since(Instant::now());
    match rx.recv_timeout(budget) {
        Ok(r) => CallOutcome::Returned(r),
        Err(mpsc::RecvTimeoutError::Timeout) => CallOutcome::TimedOut,
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            CallOutcome::Lost("its thread ended without an answer".to_string())
        }
    }
}

fn fmt_duration(d: Duration) -> String {
    if d.as_millis() % 1000 == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl Lifecycle {
    /// Loads the plugins from the configured directory and starts them.
    pub fn start(config: DaemonConfig) -> Result<Self, StartError> {
        Self::start_reporting(config, &|_| {})
    }

    /// [`Self::start`], telling `progress` what it is doing (one line, for
    /// systemd's `STATUS=`).
    pub fn start_reporting(
        config: DaemonConfig,
        progress: &dyn Fn(&str),
    ) -> Result<Self, StartError> {
        let started_at = Instant::now();
        progress(&format!(
            "loading plugins from {}",
            config.plugin_dir.display()
        ));
        let report = PluginLoader::new(&config.plugin_dir).load();
        for r in &report.rejected {
            tracing::warn!("rejected {r}");
        }
        for name in &config.required_plugins {
            if !report.plugins.iter().any(|p| &p.name == name) {
                let why = report
                    .rejected
                    .iter()
                    .find(|r| r.plugin.as_deref() == Some(name))
                    .map_or_else(
                        || format!("no file in {} provides it", config.plugin_dir.display()),
                        |r| r.to_string(),
                    );
                return Err(StartError {
                    message: format!("required plugin {name:?} was not loaded: {why}"),
                    shutdown_errors: Vec::new(),
                });
            }
        }
        let bus = Arc::new(EventBus::new());
        let pings = Arc::new(AtomicU64::new(0));
        let stopping = Arc::new(StoppingReplies::default());
        match bus.join(
            MemberId::Daemon,
            Vec::new(),
            Box::new(DaemonSink(pings.clone(), stopping.clone())),
        ) {
            Ok(m) => m.set_state(MemberState::Running),
            Err(e) => {
                return Err(StartError {
                    message: format!("the daemon can't join its bus: {e}"),
                    shutdown_errors: Vec::new(),
                });
            }
        }
        let mut plugins = Vec::with_capacity(report.plugins.len());
        for p in report.plugins {
            plugins.push(Self::join(&bus, p, &config)?);
        }
        let mut lifecycle = Lifecycle {
            bus,
            plugins,
            rejected: report.rejected,
            config,
            started_at,
            pings,
            stopping,
        };
        lifecycle.init_all(progress)?;
        let started = DaemonStarted {
            plugins: lifecycle
                .plugins
                .iter()
                .filter(|p| p.member.state() == MemberState::Running)
                .map(|p| p.info.name.clone())
                .collect(),
        };
        if let Err(e) = lifecycle
            .bus
            .publish_from(&MemberId::Daemon, daemon_notice(Address::All, &started))
        {
            tracing::warn!("broadcasting {}: {e}", DaemonStarted::TOPIC);
        }
        Ok(lifecycle)
    }

    fn join(
        bus: &Arc<EventBus>,
        p: LoadedPlugin,
        config: &DaemonConfig,
    ) -> Result<RunningPlugin, StartError> {
        let instance = PluginInstance::new(p.instance);
        let id = MemberId::Plugin(p.name.clone());
        let member = bus
            .join(id.clone(), p.roles.clone(), Box::new(instance.sink()))
            .map_err(|e| StartError {
                message: e.to_string(),
                shutdown_errors: Vec::new(),
            })?;
        for pattern in &p.subscriptions {
            // Patterns were validated by the loader.
            if let Err(e) = bus.subscribe(&id, pattern) {
                tracing::warn!("plugin {}: subscribing to {pattern:?}: {e}", p.name);
            }
        }
        let p_name = p.name.clone();
        Ok(RunningPlugin {
            info: PluginInfo {
                name: p.name,
                version: p.version,
                description: p.description,
                file: p.path,
                roles: p.roles,
                sdk_version: p.sdk_version,
                protocol_version: None,
            },
            section: Arc::new(ArcSwap::from_pointee(config.plugin_section(&p_name))),
            instance,
            member,
            init_returned: false,
            protocol: Arc::new(OnceLock::new()),
        })
    }

    fn init_all(&mut self, progress: &dyn Fn(&str)) -> Result<(), StartError> {
        let total = self.plugins.len();
        for i in 0..total {
            let p = &mut self.plugins[i];
            let name = p.info.name.clone();
            progress(&format!("starting plugin {name} ({}/{total})", i + 1));
            let timeout = self.config.init_timeout();
            let deadline = Instant::now() + timeout;
            let handle = DaemonHandle {
                name: name.clone(),
                id: MemberId::Plugin(name.clone()),
                member: p.member.clone(),
                bus: self.bus.clone(),
                section: p.section.clone(),
                protocol: p.protocol.clone(),
            };
            let settings = serde_json::to_string(&InitSettings {
                queue_capacity: self.config.queue_capacity,
                log_level: self.config.log_level.clone(),
            })
            .unwrap_or_default();
            p.member.set_state(MemberState::Initializing);
            let instance = p.instance.clone();
            let outcome = call_with_deadline(format!("init-{name}"), deadline, move || {
                instance.init(handle, &settings)
            });
            let reason = match outcome {
                CallOutcome::Returned(Ok(())) => {
                    p.init_returned = true;
                    // A handler may already have failed it during Init.
                    if p.member.state() == MemberState::Initializing {
                        p.member.set_state(MemberState::Running);
                    }
                    tracing::info!("plugin {name} {} started", p.info.version);
                    continue;
                }
                CallOutcome::Returned(Err(e)) => {
                    p.init_returned = true;
                    format!("Init failed: {e}")
                }
                CallOutcome::TimedOut => {
                    format!(
                        "Init did not return within {} (init_timeout_ms)",
                        fmt_duration(timeout)
                    )
                }
                CallOutcome::Lost(why) => format!("Init failed: {why}"),
            };
            p.member.fail(reason.clone());
            announce_gone(&self.bus, &name, Some(&reason));
            if self.config.required_plugins.contains(&name) {
                let message = format!("required plugin {name:?} failed: {reason}");
                tracing::error!("{message}; shutting down the plugins already started");
                progress(&format!(
                    "start-up aborted: {message}; stopping the plugins"
                ));
                let shutdown_errors = self.shutdown_range(i, progress);
                return Err(StartError {
                    message,
                    shutdown_errors,
                });
            }
            tracing::error!("plugin {name} failed and is isolated: {reason}");
        }
        Ok(())
    }

    /// Shuts down plugins `0..end` in reverse order; returns the errors.
    fn shutdown_range(&mut self, end: usize, progress: &dyn Fn(&str)) -> Vec<String> {
        let overall = Instant::now() + self.config.shutdown_total_timeout();
        let mut errors = Vec::new();
        for p in self.plugins[..end].iter_mut().rev() {
            if !p.init_returned {
                continue;
            }
            let name = p.info.name.clone();
            progress(&format!("stopping plugin {name}"));
            if p.member.state() != MemberState::Failed {
                p.member.set_state(MemberState::Stopping);
            }
            let now = Instant::now();
            if now >= overall {
                let e = format!(
                    "plugin {name}: Shutdown skipped: the overall shutdown deadline of {} has passed",
                    fmt_duration(self.config.shutdown_total_timeout())
                );
                tracing::error!("{e}");
                p.member
                    .fail("Shutdown skipped: the overall shutdown deadline had passed");
                errors.push(e);
                continue;
            }
            let deadline = (now + self.config.shutdown_timeout()).min(overall);
            let ms = unix_ms(deadline);
            let instance = p.instance.clone();
            // The SDK answers by the deadline itself; the grace lets its
            // precise answer arrive before the host gives up on the thread.
            let outcome = call_with_deadline(
                format!("stop-{name}"),
                deadline + SHUTDOWN_GRACE,
                move || instance.shutdown(ms),
            );
            p.init_returned = false;
            let reason = match outcome {
                CallOutcome::Returned(Ok(())) => {
                    if p.member.state() != MemberState::Failed {
                        p.member.set_state(MemberState::Stopped);
                    }
                    tracing::info!("plugin {name} stopped");
                    announce_gone(&self.bus, &name, None);
                    continue;
                }
                // The SDK's own timeout and ours mean the same to an operator.
                CallOutcome::Returned(Err(e)) if e.kind() != ErrorKind::Timeout => {
                    format!("Shutdown failed: {e}")
                }
                CallOutcome::Returned(Err(_)) | CallOutcome::TimedOut => format!(
                    "Shutdown did not return by its deadline (shutdown_timeout_ms {}, shutdown_total_timeout_ms {})",
                    self.config.shutdown_timeout_ms, self.config.shutdown_total_timeout_ms
                ),
                CallOutcome::Lost(why) => format!("Shutdown failed: {why}"),
            };
            let e = format!("plugin {name}: {reason}");
            tracing::error!("{e}");
            p.member.fail(reason.clone());
            announce_gone(&self.bus, &name, Some(&reason));
            errors.push(e);
        }
        errors
    }

    /// Whether the daemon is healthy enough to feed systemd's watchdog: an
    /// event the daemon sends itself makes it through the bus, and no
    /// required plugin has failed or stopped. `Err` says why not.
    pub fn health(&self) -> crate::error::Result<()> {
        let unhealthy = |message: String| crate::Error::new(crate::ErrorKind::Unhealthy, message);
        let before = self.pings.load(Ordering::Acquire);
        self.bus
            .publish_from(
                &MemberId::Daemon,
                daemon_notice(Address::Daemon, &DaemonPing {}),
            )
            .map_err(|e| unhealthy(format!("the bus did not route the daemon's ping: {e}")))?;
        if self.pings.load(Ordering::Acquire) == before {
            return Err(unhealthy(
                "the bus accepted the daemon's ping but did not deliver it".into(),
            ));
        }
        for name in &self.config.required_plugins {
            let Some(p) = self.plugins.iter().find(|p| &p.info.name == name) else {
                continue; // start-up checked its presence
            };
            let state = p.member.state();
            if state != MemberState::Running {
                let why = p
                    .member
                    .last_error()
                    .map_or_else(String::new, |e| format!(": {e}"));
                return Err(unhealthy(format!("required plugin {name} is {state}{why}")));
            }
        }
        Ok(())
    }

    /// Applies a new configuration (already checked) to the running daemon:
    /// timeouts and `required_plugins` take effect at once; each plugin
    /// whose `[plugin.NAME]` section changed gets it through
    /// `Context::config` and a unicast `config.changed` event carrying it;
    /// a new `log_level` is passed to every running plugin (the daemon's
    /// own filter and the API limits are the caller's). The
    /// [`RESTART_KEYS`](crate::config::RESTART_KEYS) keep their running
    /// value.
    pub fn reload(&mut self, mut new: DaemonConfig) -> ReloadReport {
        let mut report = ReloadReport {
            needs_restart: self.config.restart_keys_changed(&new),
            ..ReloadReport::default()
        };
        new.plugin_dir = self.config.plugin_dir.clone();
        new.queue_capacity = self.config.queue_capacity;
        new.api.socket = self.config.api.socket.clone();
        if new.log_level != self.config.log_level {
            report.log_level = Some(new.log_level.clone());
            for p in &self.plugins {
                if p.member.state() != MemberState::Running {
                    continue;
                }
                let call = PluginCall(p.instance.clone());
                let set = SetLogLevel {
                    level: new.log_level.clone(),
                };
                if let Err(e) = call.call(SetLogLevel::METHOD, &set.encode()) {
                    tracing::warn!(
                        "plugin {}: setting log level {}: {e}",
                        p.info.name,
                        new.log_level
                    );
                }
            }
        }
        for p in &self.plugins {
            let name = &p.info.name;
            let section = new.plugin_section(name);
            let json = section.json.clone();
            let changed = p.section.load().json != json;
            // Stored even if unchanged: its keys may have moved in the file.
            p.section.store(Arc::new(section));
            if !changed {
                continue;
            }
            let state = p.member.state();
            if !matches!(state, MemberState::Running | MemberState::Initializing) {
                report
                    .not_notified
                    .push((name.clone(), format!("it is {state}")));
                continue;
            }
            let to = Address::plugin(name.as_str());
            // The section is already the JSON object the notice carries.
            let event = daemon_event(ConfigChanged::TOPIC, to, json.into_bytes());
            match self.bus.publish_from(&MemberId::Daemon, event) {
                Ok(()) => report.notified.push(name.clone()),
                Err(e) => report.not_notified.push((name.clone(), e.to_string())),
            }
        }
        self.config = new;
        report
    }

    /// The stopping phase, before [`Self::shutdown`]: asks `role:commander`
    /// (`daemon.stopping`) to refuse new applies and to answer once the one
    /// in progress has ended, and waits for that answer at most `limit`.
    pub fn drain(&self, limit: Duration) -> DrainOutcome {
        let mut ev = daemon_event(
            DaemonStopping::TOPIC,
            Address::role(DaemonStopping::ROLE.as_str()),
            serde_json::to_vec(&DaemonStopping {}).unwrap_or_default(),
        )
        .with_state(EventState::Todo);
        ev.request = true;
        let id = ev.id.0;
        match self.bus.publish_from(&MemberId::Daemon, ev) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NoRoleHolder => return DrainOutcome::NoCommander,
            Err(e) => return DrainOutcome::Failed(e.to_string()),
        }
        let deadline = Instant::now() + limit;
        let mut answered = self
            .stopping
            .answered
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(i) = answered.iter().position(|a| *a == id) {
                answered.swap_remove(i);
                return DrainOutcome::Drained;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return DrainOutcome::TimedOut;
            }
            answered = self
                .stopping
                .changed
                .wait_timeout(answered, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The ordered shutdown of every plugin; returns the errors met.
    pub fn shutdown(self) -> Vec<String> {
        self.shutdown_reporting(&|_| {})
    }

    /// [`Self::shutdown`], telling `progress` which plugin it is stopping.
    pub fn shutdown_reporting(mut self, progress: &dyn Fn(&str)) -> Vec<String> {
        let n = self.plugins.len();
        self.shutdown_range(n, progress)
    }

    pub fn bus(&self) -> &Arc<EventBus> {
        &self.bus
    }

    pub fn config(&self) -> &DaemonConfig {
        &self.config
    }

    /// When start-up began.
    pub fn started_at(&self) -> Instant {
        self.started_at
    }

    /// The files refused at load.
    pub fn rejected(&self) -> &[Rejection] {
        &self.rejected
    }

    /// A handle on plugin `name`'s generic `call(method, input)` (e.g.
    /// `nipart.set_log_level`), usable from other threads (the API server).
    pub fn plugin_call(&self, name: &str) -> Option<PluginCall> {
        self.plugins
            .iter()
            .find(|p| p.info.name == name)
            .map(|p| PluginCall(p.instance.clone()))
    }

    /// Loaded plugins in Init order, with their bus member (state and counters).
    pub fn plugins(&self) -> Vec<(PluginInfo, Arc<Member>)> {
        self.plugins
            .iter()
            .map(|p| {
                let info = PluginInfo {
                    protocol_version: p.protocol.get().copied(),
                    ..p.info.clone()
                };
                (info, p.member.clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_holds_after_events_the_daemon_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let config = DaemonConfig {
            plugin_dir: dir.path().to_path_buf(),
            ..DaemonConfig::default()
        };
        let lc = Lifecycle::start(config).unwrap();
        assert_eq!(lc.health(), Ok(()));
        let daemon = || Address::Daemon;
        // A notice to the daemon is dropped (and counted); a request gets
        // the same error as before the daemon had a seat on the bus.
        lc.bus()
            .publish_from(
                &MemberId::Daemon,
                daemon_event("test.notice", daemon(), vec![]),
            )
            .unwrap();
        let mut request = daemon_event("test.request", daemon(), vec![]);
        request.request = true;
        let e = lc
            .bus()
            .publish_from(&MemberId::Daemon, request)
            .unwrap_err();
        assert_eq!(e.message(), "the daemon takes no events");
        // The bus.missed notice that now precedes the next ping does not
        // stand in its way.
        assert_eq!(lc.health(), Ok(()));
        assert_eq!(lc.health(), Ok(()));
        assert!(lc.shutdown().is_empty());
    }

    #[test]
    fn without_a_commander_there_is_no_apply_to_wait_for() {
        let dir = tempfile::tempdir().unwrap();
        let config = DaemonConfig {
            plugin_dir: dir.path().to_path_buf(),
            ..DaemonConfig::default()
        };
        let lc = Lifecycle::start(config).unwrap();
        let t = Instant::now();
        assert_eq!(lc.drain(Duration::from_secs(30)), DrainOutcome::NoCommander);
        assert!(t.elapsed() < Duration::from_secs(10), "it did not wait");
        assert!(lc.shutdown().is_empty());
    }
}
