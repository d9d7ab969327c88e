//! `nipartd`: see the crate docs and `docs/operations.md`.

use std::{
    io::IsTerminal,
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

use clap::Parser;
use nipart_plugin_api::Role;
use nipartd::{
    Lifecycle, MemberState,
    api::{ApiServer, BoundApi, DaemonView},
    config::{ConfigSource, LoadedConfig, Override, Severity, render},
    journal::{self, JournalLayer},
    lifecycle::DrainOutcome,
    notify::{self, Notifier, NotifyEnv},
    signals::{self, Signal},
};
use tracing_subscriber::{EnvFilter, prelude::*, reload};

/// The nipart network daemon: loads the plugins in its plugin directory,
/// runs them, reloads its configuration on SIGHUP, and shuts them down in
/// reverse order on SIGTERM or SIGINT.
#[derive(Parser, Debug)]
#[command(name = "nipartd", version)]
struct Args {
    /// Read only this configuration file (TOML) instead of the system
    /// files (/usr/lib/nipart/nipartd.toml, /usr/lib/nipart/conf.d/*.toml,
    /// /etc/nipart/nipartd.toml, /etc/nipart/conf.d/*.toml).
    #[arg(long, value_name = "FILE", conflicts_with = "config_root")]
    config: Option<PathBuf>,
    /// Look for the system files under DIR instead of / (also
    /// NIPART_CONFIG_ROOT).
    #[arg(long, value_name = "DIR")]
    config_root: Option<PathBuf>,
    /// Print the merged configuration, each key with the file it came
    /// from, and every problem found; then exit (0: usable, 2: errors).
    #[arg(long)]
    check_config: bool,
    /// Load plugins from DIR (overrides plugin_dir of the configuration).
    #[arg(long, value_name = "DIR")]
    plugin_dir: Option<PathBuf>,
    /// Log level: error, warn, info, debug or trace (overrides log_level).
    #[arg(long, value_name = "LEVEL")]
    log_level: Option<String>,
    /// Path of the API socket (overrides api.socket; default
    /// /run/nipart/nipart.sock).
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
}

impl Args {
    /// Which files to read: `--config`, or the system layering under
    /// `--config-root` / `NIPART_CONFIG_ROOT` / `/`.
    fn source(&self) -> ConfigSource {
        if let Some(file) = &self.config {
            return ConfigSource::File(file.clone());
        }
        match self
            .config_root
            .clone()
            .or_else(|| std::env::var_os("NIPART_CONFIG_ROOT").map(PathBuf::from))
        {
            Some(root) => ConfigSource::System(root),
            None => ConfigSource::system(),
        }
    }

    /// The options that override configuration keys: a last layer, kept
    /// across reloads.
    fn overrides(&self) -> Vec<Override> {
        let path = |p: &PathBuf| toml::Value::String(p.display().to_string());
        let mut out = Vec::new();
        if let Some(dir) = &self.plugin_dir {
            out.push(Override {
                key: "plugin_dir",
                value: path(dir),
                flag: "--plugin-dir",
            });
        }
        if let Some(level) = &self.log_level {
            out.push(Override {
                key: "log_level",
                value: toml::Value::String(level.clone()),
                flag: "--log-level",
            });
        }
        if let Some(socket) = &self.socket {
            out.push(Override {
                key: nipartd::api::config::SOCKET_KEY,
                value: path(socket),
                flag: "--socket",
            });
        }
        out
    }
}

/// Sets the daemon's own log filter (the API's type for it).
type SetLevel = nipartd::api::LogLevelSetter;

/// How many malloc arenas the daemon's threads share (see
/// [`tune_malloc`]).
#[cfg(target_env = "gnu")]
const MALLOC_ARENAS: libc::c_int = 4;

/// Blocks from this size up are mapped on their own and unmapped when freed
/// (glibc's default, 128 KiB, but fixed: see [`tune_malloc`]).
#[cfg(target_env = "gnu")]
const MALLOC_MMAP_THRESHOLD: libc::c_int = 128 << 10;

/// Makes glibc give memory back after a large apply (5,000 veth pairs
/// created and deleted left the daemon at 346 MB with glibc's defaults):
///
/// - glibc gives threads that contend for malloc arenas of their own, up to
///   8 per CPU, and memory freed in one arena stays there: every plugin
///   thread's arena kept its peak. A few shared arenas keep the free memory
///   in few places, from which the commander's `malloc_trim` after each
///   apply returns it.
/// - glibc raises its mmap threshold to the largest block freed (up to 32
///   MiB), so that the large temporary buffers of an apply (whole states as
///   JSON) then come from the arenas, between small long-lived blocks that
///   pin their pages. A fixed threshold keeps them in mappings of their
///   own, unmapped when freed.
///
/// `MALLOC_ARENA_MAX` and `MALLOC_MMAP_THRESHOLD_` in the environment still
/// decide.
#[cfg(target_env = "gnu")]
fn tune_malloc() {
    for (var, param, value) in [
        ("MALLOC_ARENA_MAX", libc::M_ARENA_MAX, MALLOC_ARENAS),
        (
            "MALLOC_MMAP_THRESHOLD_",
            libc::M_MMAP_THRESHOLD,
            MALLOC_MMAP_THRESHOLD,
        ),
    ] {
        if std::env::var_os(var).is_none() {
            // SAFETY: mallopt only sets an allocator parameter; no other
            // thread exists yet.
            unsafe { libc::mallopt(param, value) };
        }
    }
}

fn main() -> ExitCode {
    #[cfg(target_env = "gnu")]
    tune_malloc();
    // Before any thread exists, so that every thread inherits the mask.
    if let Err(e) = signals::block() {
        eprintln!("nipartd: cannot block signals: {e}");
        return ExitCode::FAILURE;
    }
    let args = Args::parse();
    let notify_env = take_notify_env();
    let source = args.source();
    let overrides = args.overrides();
    let loaded = LoadedConfig::load(&source, &overrides);
    if args.check_config {
        return check_config(loaded);
    }
    let (config, warnings) = match loaded.into_result() {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("nipartd: invalid configuration: {e}");
            }
            return ExitCode::from(2);
        }
    };
    let log = Logging::install(&config.log_level);
    for w in &warnings {
        tracing::warn!("configuration: {w}");
    }
    let (notifier, watchdog) = systemd(&notify_env);
    let Some(Running { mut lifecycle, api }) = start(config, &notifier, log.setter()) else {
        return ExitCode::FAILURE;
    };
    let reload_level = (!log.fixed).then(|| log.setter());
    let mut feeder = watchdog.map(|period| WatchdogFeeder::new(period, &notifier));
    // Until SIGTERM or SIGINT: SIGHUP reloads the configuration.
    while let Some(Signal::Hangup) = next_signal(feeder.as_mut(), &lifecycle) {
        reload(
            &source,
            &overrides,
            &mut lifecycle,
            &api,
            reload_level.as_ref(),
            &notifier,
        );
    }
    stop(lifecycle, api, &notifier);
    ExitCode::SUCCESS
}

/// Takes systemd's notification variables out of the environment, so
/// that the plugins' children do not inherit them. Call it before any
/// thread exists.
fn take_notify_env() -> NotifyEnv {
    let notify_env = NotifyEnv::from_env();
    for var in notify::ENV_VARS {
        // SAFETY: no other thread exists yet (clap spawns none), so nothing
        // reads the environment concurrently.
        unsafe { std::env::remove_var(var) };
    }
    notify_env
}

/// The daemon's own log: to the journal if there is one, else stderr.
struct Logging {
    /// The filter the API's SetLogLevel and SIGHUP change at run time.
    filter: reload::Handle<EnvFilter, tracing_subscriber::Registry>,
    /// `NIPART_LOG` was set: it wins over the configuration, also across
    /// reloads.
    fixed: bool,
}

impl Logging {
    fn install(log_level: &str) -> Self {
        let env_filter = EnvFilter::try_from_env("NIPART_LOG").ok();
        let fixed = env_filter.is_some();
        let filter = env_filter.unwrap_or_else(|| EnvFilter::new(log_level));
        let (filter, handle) = reload::Layer::new(filter);
        let journal = journal::detect().and_then(|path| match JournalLayer::new(path.clone()) {
            Ok(layer) => Some(layer),
            Err(e) => {
                eprintln!(
                    "nipartd: the journal socket {} is not usable ({e}); logging to stderr",
                    path.display()
                );
                None
            }
        });
        let stderr_log = journal.is_none().then(|| {
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal())
        });
        tracing_subscriber::registry()
            .with(filter)
            .with(journal)
            .with(stderr_log)
            .init();
        Self {
            filter: handle,
            fixed,
        }
    }

    fn setter(&self) -> SetLevel {
        let handle = self.filter.clone();
        Box::new(move |level: &str| {
            handle
                .modify(|f| *f = EnvFilter::new(level))
                .map_err(|e| e.to_string())
        })
    }
}

/// The notifier and the watchdog period systemd asked for; an unusable
/// variable is logged and leaves that part off.
fn systemd(env: &NotifyEnv) -> (Notifier, Option<Duration>) {
    let notifier = Notifier::new(env).unwrap_or_else(|e| {
        tracing::warn!("not notifying systemd: {e}");
        Notifier::disabled()
    });
    let watchdog = env.watchdog_period().unwrap_or_else(|e| {
        tracing::warn!("no watchdog: {e}");
        None
    });
    (notifier, watchdog)
}

/// The started daemon: its plugins and its API.
struct Running {
    lifecycle: Lifecycle,
    api: ApiServer,
}

/// Binds the API socket, starts the plugins, serves the API and tells
/// systemd it is ready; `None` (after logging why) if any step fails.
fn start(
    config: nipartd::DaemonConfig,
    notifier: &Notifier,
    set_level: SetLevel,
) -> Option<Running> {
    // Bind the API socket before any plugin starts, so that a second
    // daemon refuses to start before it touches anything.
    let api = match BoundApi::bind(&config.api) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!("cannot start the API: {e}");
            notifier.status(&format!("cannot start the API: {e}"));
            return None;
        }
    };
    tracing::info!(
        "nipartd {} (plugin ABI {}) loading plugins from {}",
        nipartd::VERSION,
        nipart_plugin_api::ABI_VERSION,
        config.plugin_dir.display()
    );
    let lifecycle = match Lifecycle::start_reporting(config, &|s| notifier.status(s)) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("start-up aborted: {e}");
            notifier.status(&format!("start-up aborted: {e}"));
            api.abandon();
            return None;
        }
    };
    let socket_path = api.path().display().to_string();
    let api = match api.serve(DaemonView::from_lifecycle(&lifecycle, Some(set_level))) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!("cannot start the API: {e}");
            notifier.status("stopping: the API could not start");
            lifecycle.shutdown();
            return None;
        }
    };
    log_ready(&lifecycle, &socket_path);
    warn_unused_sections(&lifecycle);
    notifier.send(&format!("READY=1\nSTATUS={}", running_status(&lifecycle)));
    Some(Running { lifecycle, api })
}

fn log_ready(lifecycle: &Lifecycle, socket_path: &str) {
    let plugins = lifecycle.plugins();
    let running = plugins
        .iter()
        .filter(|(_, m)| m.state() == MemberState::Running)
        .count();
    tracing::info!(
        "nipartd ready in {:.1} ms: {running} plugins running, {} failed, {} files rejected; API on {socket_path}",
        lifecycle.started_at().elapsed().as_secs_f64() * 1e3,
        plugins.len() - running,
        // Files, not refusals: one library may have several plugins refused.
        lifecycle
            .rejected()
            .iter()
            .map(|r| &r.path)
            .collect::<std::collections::HashSet<_>>()
            .len()
    );
}

/// Waits for the next signal, feeding the watchdog meanwhile; `None` when
/// the daemon is to stop (SIGTERM, SIGINT, or signals can't be waited for).
fn next_signal(feeder: Option<&mut WatchdogFeeder<'_>>, lifecycle: &Lifecycle) -> Option<Signal> {
    let mut feeder = feeder;
    loop {
        let signal = match feeder.as_deref_mut() {
            Some(f) => {
                f.feed_if_due(lifecycle);
                signals::wait_timeout(f.until_due())
            }
            None => signals::wait().map(Some),
        };
        match signal {
            Ok(None) => {}
            Ok(Some(Signal::Terminate | Signal::Interrupt)) => return None,
            Ok(Some(signal)) => return Some(signal),
            Err(e) => {
                tracing::error!("waiting for signals: {e}");
                return None;
            }
        }
    }
}

/// Stops the daemon: the apply in progress ends first, then the API, then
/// the plugins in reverse order.
fn stop(lifecycle: Lifecycle, api: ApiServer, notifier: &Notifier) {
    drain_apply(&lifecycle, notifier);
    notifier.send("STOPPING=1\nSTATUS=stopping: shutting down the plugins");
    // The API first: stop accepting, close the connections, remove the
    // socket; then the plugins.
    api.stop();
    tracing::info!(
        "shutting down {} plugins in reverse order",
        lifecycle.plugins().len()
    );
    let errors = lifecycle.shutdown_reporting(&|s| notifier.status(&format!("stopping: {s}")));
    if errors.is_empty() {
        tracing::info!("nipartd stopped");
    } else {
        tracing::warn!("nipartd stopped with {} shutdown errors", errors.len());
    }
}

/// Lets the apply in progress end, with every plugin and the API still up:
/// it is verified and saved, or rolled back, and its client gets the
/// answer. New applies are refused meanwhile.
fn drain_apply(lifecycle: &Lifecycle, notifier: &Notifier) {
    let commander = lifecycle.plugins().iter().any(|(p, m)| {
        p.roles.iter().any(|r| r == Role::COMMANDER.as_str()) && m.state() == MemberState::Running
    });
    if !commander {
        return;
    }
    notifier.send("STOPPING=1\nSTATUS=stopping: waiting for the apply in progress");
    let limit = lifecycle.config().shutdown_total_timeout();
    match lifecycle.drain(limit) {
        DrainOutcome::Drained | DrainOutcome::NoCommander => {}
        DrainOutcome::TimedOut => tracing::error!(
            "the apply in progress did not end within shutdown_total_timeout_ms ({} ms): stopping anyway; it stays marked in progress and is rolled back at the next start",
            limit.as_millis()
        ),
        DrainOutcome::Failed(e) => {
            tracing::warn!("could not ask the commander to finish its apply: {e}")
        }
    }
}

/// `--check-config`: the report on stdout; 2 if there are errors.
fn check_config(mut loaded: LoadedConfig) -> ExitCode {
    // The admin group must exist on this machine (the daemon refuses to
    // start otherwise), which the files alone can't tell.
    if let Some(config) = &loaded.config
        && let Some(group) = &config.api.admin_group
        && let Err(e) = nipartd::api::auth::group_gid(group)
    {
        loaded.problems.push(nipartd::config::Problem {
            severity: Severity::Error,
            origin: loaded.origin("api.admin_group").clone(),
            line: None,
            key: Some("api.admin_group".into()),
            message: e,
        });
    }
    check_plugin_sections(&mut loaded);
    print!("{}", render::check_report(&loaded));
    if loaded.errors().next().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--check-config`: the `[plugin.NAME]` sections against the plugins of
/// the plugin directory, loaded as the daemon loads them (checked,
/// constructed, never initialised). A section no plugin reads is most
/// likely a typo (a warning; the daemon warns at start too); in the
/// section of a plugin that declares its keys (`Plugin::CONFIG_KEYS`), a
/// key it does not read or a value of another type is an error (the
/// plugin would refuse it at Init).
fn check_plugin_sections(loaded: &mut nipartd::config::LoadedConfig) {
    use nipart_plugin_api::protocol::daemon::ConfigType;
    use nipartd::config::{Origin, Problem};
    let Some(config) = &loaded.config else {
        return;
    };
    if config.plugin.is_empty() {
        return;
    }
    let dir = config.plugin_dir.clone();
    let report = nipartd::loader::PluginLoader::new(&dir).load();
    let mut problems = Vec::new();
    for (name, section) in &config.plugin {
        let origin_of = |key: &str| {
            let prefix = format!("plugin.{name}.{key}");
            loaded
                .origins
                .iter()
                .find(|(k, _)| k.starts_with(&prefix))
                .map_or(Origin::Default, |(_, o)| o.clone())
        };
        let Some(plugin) = report.plugins.iter().find(|p| &p.name == name) else {
            problems.push(Problem {
                severity: Severity::Warning,
                origin: origin_of(""),
                line: None,
                key: Some(format!("plugin.{name}")),
                message: format!(
                    "no plugin {name} in {}: the section is not used",
                    dir.display()
                ),
            });
            continue;
        };
        let Some(keys) = &plugin.config_keys else {
            continue;
        };
        for (key, value) in section {
            let found = match value {
                toml::Value::Boolean(_) => Some(ConfigType::Boolean),
                toml::Value::Integer(_) => Some(ConfigType::Integer),
                toml::Value::String(_) => Some(ConfigType::String),
                toml::Value::Array(_) => Some(ConfigType::Array),
                toml::Value::Table(_) => Some(ConfigType::Table),
                toml::Value::Float(_) | toml::Value::Datetime(_) => None,
            };
            let message = match keys.get(key) {
                None if keys.is_empty() => {
                    format!("unknown key: plugin {name} reads no configuration")
                }
                None => format!(
                    "unknown key: plugin {name} reads {}",
                    keys.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
                Some(want) if Some(*want) != found => format!(
                    "{} is wanted, not {}",
                    type_name(*want),
                    found.map_or_else(
                        || format!("a {}", value.type_str()),
                        |f| type_name(f).to_string()
                    )
                ),
                Some(_) => continue,
            };
            problems.push(Problem {
                severity: Severity::Error,
                origin: origin_of(key),
                line: None,
                key: Some(format!("plugin.{name}.{key}")),
                message,
            });
        }
    }
    loaded.problems.extend(problems);
}

fn type_name(t: nipart_plugin_api::protocol::daemon::ConfigType) -> &'static str {
    use nipart_plugin_api::protocol::daemon::ConfigType;
    match t {
        ConfigType::Boolean => "a boolean",
        ConfigType::Integer => "an integer",
        ConfigType::String => "a string",
        ConfigType::Array => "a list",
        ConfigType::Table => "a table",
    }
}

/// `running, N plugins` (and how many failed), for `STATUS=`.
fn running_status(lifecycle: &Lifecycle) -> String {
    let plugins = lifecycle.plugins();
    let running = plugins
        .iter()
        .filter(|(_, m)| m.state() == MemberState::Running)
        .count();
    let failed = plugins.len() - running;
    if failed == 0 {
        format!("running, {running} plugins")
    } else {
        format!("running, {running} plugins ({failed} failed)")
    }
}

/// A `[plugin.NAME]` section no loaded plugin reads is most likely a typo.
fn warn_unused_sections(lifecycle: &Lifecycle) {
    let plugins = lifecycle.plugins();
    for name in lifecycle.config().plugin.keys() {
        if !plugins.iter().any(|(info, _)| &info.name == name) {
            tracing::warn!("configuration: [plugin.{name}]: no plugin {name} is loaded");
        }
    }
}

/// SIGHUP: re-reads every file; applies the result only if it has no
/// error (nothing half-applied), otherwise logs the errors and keeps
/// running with the old configuration.
fn reload(
    source: &ConfigSource,
    overrides: &[Override],
    lifecycle: &mut Lifecycle,
    api: &ApiServer,
    set_level: Option<&SetLevel>,
    notifier: &Notifier,
) {
    notifier.send(&format!(
        "RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC={}",
        monotonic_usec()
    ));
    let loaded = LoadedConfig::load(source, overrides);
    let files = loaded.files.len();
    match loaded.into_result() {
        Err(errors) => {
            for e in &errors {
                tracing::error!("configuration reload refused: {e}");
            }
            tracing::error!(
                "configuration reload refused ({} errors): still running with the previous configuration",
                errors.len()
            );
        }
        Ok((config, warnings)) => {
            for w in &warnings {
                tracing::warn!("configuration: {w}");
            }
            // The API first: it is the only part that can still refuse
            // (an admin group that does not exist), before anything changed.
            if let Err(e) = api.reconfigure(&config.api) {
                tracing::error!(
                    "configuration reload refused: {e}; still running with the previous configuration"
                );
            } else {
                let report = lifecycle.reload(config);
                if let Some(level) = &report.log_level
                    && let Some(set) = set_level
                    && let Err(e) = set(level)
                {
                    tracing::warn!("setting the log level to {level}: {e}");
                }
                for key in &report.needs_restart {
                    tracing::warn!(
                        "configuration: {key} changed; the new value takes effect at the next start"
                    );
                }
                for (name, why) in &report.not_notified {
                    tracing::warn!(
                        "plugin {name}: its configuration changed but it was not told: {why}"
                    );
                }
                warn_unused_sections(lifecycle);
                tracing::info!(
                    "configuration reloaded from {files} files; config.changed sent to {}",
                    if report.notified.is_empty() {
                        "no plugin".to_string()
                    } else {
                        report.notified.join(", ")
                    }
                );
            }
        }
    }
    notifier.send(&format!("READY=1\nSTATUS={}", running_status(lifecycle)));
}

/// CLOCK_MONOTONIC in microseconds (what `RELOADING=1` carries for
/// `Type=notify-reload`).
fn monotonic_usec() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64) * 1_000_000 + (ts.tv_nsec as u64) / 1_000
}

/// Sends `WATCHDOG=1` every period while [`Lifecycle::health`] is fine, and
/// logs once when it stops or resumes feeding.
struct WatchdogFeeder<'a> {
    period: Duration,
    next: Instant,
    healthy: bool,
    notifier: &'a Notifier,
}

impl<'a> WatchdogFeeder<'a> {
    fn new(period: Duration, notifier: &'a Notifier) -> Self {
        tracing::info!(
            "feeding systemd's watchdog every {} ms while healthy",
            period.as_millis()
        );
        Self {
            period,
            next: Instant::now(),
            healthy: true,
            notifier,
        }
    }

    fn feed_if_due(&mut self, lifecycle: &Lifecycle) {
        let now = Instant::now();
        if now < self.next {
            return;
        }
        self.next = now + self.period;
        match lifecycle.health() {
            Ok(()) => {
                if !self.healthy {
                    tracing::info!("healthy again: feeding the watchdog");
                    self.healthy = true;
                }
                self.notifier.send("WATCHDOG=1");
            }
            Err(why) => {
                if self.healthy {
                    tracing::error!("not feeding the watchdog: {why}");
                    self.notifier
                        .status(&format!("unhealthy, watchdog not fed: {why}"));
                    self.healthy = false;
                }
            }
        }
    }

    fn until_due(&self) -> Duration {
        self.next.saturating_duration_since(Instant::now())
    }
}
