//! `nipartd`: see the crate docs and `docs/operations.md`.

use std::{io::IsTerminal, path::PathBuf, process::ExitCode};

use clap::Parser;
use nipartd::{
    DaemonConfig, Lifecycle, MemberState,
    api::{BoundApi, DaemonView},
    signals::{self, Signal},
};
use tracing_subscriber::{EnvFilter, prelude::*, reload};

/// The nipart network daemon: loads the plugins in its plugin directory,
/// runs them, and shuts them down in reverse order on SIGTERM or SIGINT.
#[derive(Parser, Debug)]
#[command(name = "nipartd", version)]
struct Args {
    /// Configuration file (TOML). Without it, built-in defaults apply.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
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

fn main() -> ExitCode {
    // Before any thread exists, so that every thread inherits the mask.
    if let Err(e) = signals::block() {
        eprintln!("nipartd: cannot block signals: {e}");
        return ExitCode::FAILURE;
    }
    let args = Args::parse();
    let mut config = match &args.config {
        Some(path) => match DaemonConfig::from_file(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("nipartd: invalid configuration: {e}");
                return ExitCode::from(2);
            }
        },
        None => DaemonConfig::default(),
    };
    if let Some(dir) = args.plugin_dir {
        config.plugin_dir = dir;
    }
    if let Some(level) = args.log_level {
        config.log_level = level;
    }
    if let Some(socket) = args.socket {
        config.api.socket = socket;
    }
    if let Err(e) = config.validate() {
        eprintln!("nipartd: invalid configuration: {e}");
        return ExitCode::from(2);
    }
    let filter =
        EnvFilter::try_from_env("NIPART_LOG").unwrap_or_else(|_| EnvFilter::new(&config.log_level));
    // The filter sits behind a reload handle so that the API's SetLogLevel
    // can change it at run time.
    let (filter, filter_handle) = reload::Layer::new(filter);
    tracing_subscriber::registry()
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .init();

    // Bind the API socket before any plugin starts, so that a second
    // daemon refuses to start before it touches anything.
    let api = match BoundApi::bind(&config.api) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!("cannot start the API: {e}");
            return ExitCode::FAILURE;
        }
    };

    tracing::info!(
        "nipartd {} (plugin ABI {}) loading plugins from {}",
        nipartd::VERSION,
        nipart_plugin_api::ABI_VERSION,
        config.plugin_dir.display()
    );
    let lifecycle = match Lifecycle::start(config) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("start-up aborted: {e}");
            api.abandon();
            return ExitCode::FAILURE;
        }
    };
    let set_level = move |level: &str| {
        filter_handle
            .modify(|f| *f = EnvFilter::new(level))
            .map_err(|e| e.to_string())
    };
    let socket_path = api.path().display().to_string();
    let api = match api.serve(DaemonView::from_lifecycle(
        &lifecycle,
        Some(Box::new(set_level)),
    )) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!("cannot start the API: {e}");
            lifecycle.shutdown();
            return ExitCode::FAILURE;
        }
    };
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

    loop {
        match signals::wait() {
            Ok(Signal::Terminate | Signal::Interrupt) => break,
            Ok(Signal::Hangup) => {
                tracing::warn!("SIGHUP received: configuration reload is not supported yet");
            }
            Err(e) => {
                tracing::error!("waiting for signals: {e}");
                break;
            }
        }
    }
    // The API first: stop accepting, close the connections, remove the
    // socket; then the plugins.
    api.stop();
    tracing::info!("shutting down {} plugins in reverse order", plugins.len());
    let errors = lifecycle.shutdown();
    if errors.is_empty() {
        tracing::info!("nipartd stopped");
    } else {
        tracing::warn!("nipartd stopped with {} shutdown errors", errors.len());
    }
    ExitCode::SUCCESS
}
