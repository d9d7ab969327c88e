//! One way to run a daemon for a test: [`DaemonBuilder`] names the plugins
//! to load, the configuration sections, the plugins that must start and the
//! network namespace, then starts either the real `nipartd` binary
//! ([`DaemonBuilder::spawn`], a [`DaemonProcess`] with its API socket and
//! log, which can be stopped and started again over the same files) or the
//! daemon's lifecycle in this process ([`DaemonBuilder::start`], an
//! [`InProcessDaemon`] whose bus a [`BusClient`] joins). Both wait until the
//! daemon is ready, and stop it and remove its files on drop.

use std::{
    ops::{Deref, DerefMut},
    path::PathBuf,
    sync::OnceLock,
};

use nipartd::{EventBus, Lifecycle, StartError};

use crate::{BusClient, Daemon, Netns, PluginLibrary, Sandbox, build_once_in_workspace, toml_str};

/// What a test daemon is made of; see the module documentation.
#[derive(Default)]
pub struct DaemonBuilder<'ns> {
    plugins: Vec<PathBuf>,
    sections: String,
    conf_lines: String,
    api_lines: String,
    open_to_others: bool,
    required: Vec<String>,
    netns: Option<&'ns Netns>,
    wrapper: Vec<String>,
}

impl<'ns> DaemonBuilder<'ns> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads `library` (a built `.so`, or a test crate's fixture).
    pub fn plugin(mut self, library: impl PluginLibrary) -> Self {
        self.plugins.push(library.library_path());
        self
    }

    /// Loads the plugins of these packages of the nipart workspace (e.g.
    /// `nipart-plugin-kernel`), built first with this test's profile (once
    /// per test process).
    pub fn workspace_plugins(mut self, packages: &[&str]) -> Self {
        let mut args = Vec::new();
        for p in packages {
            args.extend(["-p", p]);
        }
        args.push("--lib");
        let dir = build_once_in_workspace(&args);
        for p in packages {
            self.plugins
                .push(dir.join(format!("lib{}.so", p.replace('-', "_"))));
        }
        self
    }

    /// Appends configuration (TOML): `[plugin.NAME]` sections, or
    /// top-level keys before the first section.
    pub fn config(mut self, toml: &str) -> Self {
        self.sections.push_str(toml);
        self.sections.push('\n');
        self
    }

    /// Adds lines to the `[plugin.conf]` section, which names the conf
    /// plugin's directories in the sandbox ([`Sandbox::conf_dirs`]).
    pub fn conf(mut self, lines: &str) -> Self {
        self.conf_lines.push_str(lines);
        self.conf_lines.push('\n');
        self
    }

    /// Adds lines to the `[api]` section, which names the socket in the
    /// sandbox.
    pub fn api(mut self, lines: &str) -> Self {
        self.api_lines.push_str(lines);
        self.api_lines.push('\n');
        self
    }

    /// Lets callers who are not root reach the API socket
    /// ([`Sandbox::open_to_others`]).
    pub fn open_to_others(mut self) -> Self {
        self.open_to_others = true;
        self
    }

    /// The plugins that must reach Running for the start to succeed
    /// (`required_plugins`).
    pub fn require(mut self, names: &[&str]) -> Self {
        self.required.extend(names.iter().map(|n| n.to_string()));
        self
    }

    /// Runs the daemon inside `ns` (which the test owns: declared before
    /// the daemon, it outlives it).
    pub fn netns(mut self, ns: &'ns Netns) -> Self {
        self.netns = Some(ns);
        self
    }

    /// Runs the daemon's command behind `command` (which must end by
    /// executing its remaining arguments, so that the process stays the
    /// daemon's): e.g. `unshare --mount --uts --` with a shell that mounts
    /// something first, for a daemon in namespaces of the test's own.
    /// Only for [`Self::spawn`] and [`Self::build`].
    pub fn wrap(mut self, command: &[&str]) -> Self {
        self.wrapper = command.iter().map(|s| s.to_string()).collect();
        self
    }

    /// The sandbox holding the plugins, and the configuration text after the
    /// sandbox's own lines.
    fn prepare(&self) -> (Sandbox, String) {
        let sandbox = Sandbox::new();
        for p in &self.plugins {
            sandbox.add(p);
        }
        let mut extra = String::new();
        if !self.required.is_empty() {
            let names: Vec<String> = self.required.iter().map(|n| format!("{n:?}")).collect();
            extra.push_str(&format!("required_plugins = [{}]\n", names.join(", ")));
        }
        extra.push_str(&self.sections);
        if self.open_to_others {
            sandbox.open_to_others();
        }
        if !self.api_lines.is_empty() {
            extra.push_str(&format!(
                "\n[api]\nsocket = {}\n{}",
                toml_str(&sandbox.path("nipart.sock")),
                self.api_lines
            ));
        }
        if !self.conf_lines.is_empty() {
            let (config_dir, state_dir) = sandbox.conf_dirs();
            extra.push_str(&format!(
                "\n[plugin.conf]\nconfig_dir = {}\nstate_dir = {}\n{}",
                toml_str(&config_dir),
                toml_str(&state_dir),
                self.conf_lines
            ));
        }
        (sandbox, extra)
    }

    /// Starts the `nipartd` binary of this build and waits until it is
    /// ready (panics with its log if it exits first).
    pub fn spawn(self) -> DaemonProcess {
        let mut process = self.build();
        process.start();
        process
    }

    /// The daemon's files and configuration, not started yet
    /// ([`DaemonProcess::start`]): for a test that writes files first, or
    /// starts the daemon again over the same files.
    pub fn build(self) -> DaemonProcess {
        let (sandbox, extra) = self.prepare();
        DaemonProcess {
            daemon: None,
            sandbox,
            extra,
            netns: self.netns.map(|ns| ns.name.clone()),
            wrapper: self.wrapper,
        }
    }

    /// Starts the daemon's lifecycle in this process (in the namespace, if
    /// one was given): the plugins loaded, initialised and running.
    pub fn start(self) -> Result<InProcessDaemon, StartError> {
        init_logging();
        let (sandbox, extra) = self.prepare();
        let config = sandbox.config(&extra);
        let lifecycle = match self.netns {
            Some(ns) => ns.run_inside(move || Lifecycle::start(config))?,
            None => Lifecycle::start(config)?,
        };
        Ok(InProcessDaemon {
            lifecycle: Some(lifecycle),
            sandbox,
        })
    }
}

/// With `NIPART_LOG` set (e.g. `debug`), an in-process daemon's and its
/// plugins' logs go to the test's output (shown for failing tests).
fn init_logging() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if let Ok(filter) = std::env::var("NIPART_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
    });
}

/// `nipartd` as a child process, made by [`DaemonBuilder::spawn`] (started)
/// or [`DaemonBuilder::build`] (not yet): its files ([`Sandbox`]: socket,
/// plugins, configuration) and, while it runs, the [`Daemon`] (pid, log,
/// signals), which it derefs to. It can be stopped and started again over
/// the same files. Killed, then its files removed, on drop.
///
/// Its namespace, if any, is the test's: declared before this, it outlives
/// it.
pub struct DaemonProcess {
    // Dropped in this order: the process, then its files.
    daemon: Option<Daemon>,
    sandbox: Sandbox,
    extra: String,
    netns: Option<String>,
    wrapper: Vec<String>,
}

impl DaemonProcess {
    /// Starts it and waits until it is ready (panics with its log if it
    /// exits first); panics if it runs already.
    pub fn start(&mut self) -> &mut Daemon {
        assert!(self.daemon.is_none(), "the daemon already runs");
        let mut daemon = Daemon::start_wrapped(
            &self.sandbox,
            &self.extra,
            &self.wrapper,
            self.netns.as_deref(),
        );
        daemon.wait_ready();
        self.daemon.insert(daemon)
    }

    /// The process while it runs.
    pub fn running(&self) -> Option<&Daemon> {
        self.daemon.as_ref()
    }

    /// The process, taken out (the test waits for it or signals it
    /// itself); `None` if it does not run.
    pub fn take(&mut self) -> Option<Daemon> {
        self.daemon.take()
    }

    /// SIGTERM, then waits (at most `limit`) for a successful exit; its
    /// whole log.
    pub fn stop(&mut self, limit: std::time::Duration) -> String {
        let mut d = self.daemon.take().expect("the daemon runs");
        let (status, log) = d.terminate(limit);
        assert!(status.success(), "nipartd exited with {status}:\n{log}");
        log
    }

    /// SIGKILL, and reaps it.
    pub fn kill(&mut self) {
        let mut d = self.daemon.take().expect("the daemon runs");
        d.signal(libc::SIGKILL);
        d.wait_exit(crate::PATIENCE);
    }

    /// The API socket.
    pub fn socket(&self) -> PathBuf {
        self.sandbox.path("nipart.sock")
    }

    /// Its files.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Its log (standard error) so far; empty when it does not run.
    pub fn log(&self) -> String {
        self.daemon.as_ref().map(Daemon::stderr).unwrap_or_default()
    }
}

impl Deref for DaemonProcess {
    type Target = Daemon;
    fn deref(&self) -> &Daemon {
        self.daemon.as_ref().expect("the daemon does not run")
    }
}

impl DerefMut for DaemonProcess {
    fn deref_mut(&mut self) -> &mut Daemon {
        self.daemon.as_mut().expect("the daemon does not run")
    }
}

/// The daemon's lifecycle run in the test's process by
/// [`DaemonBuilder::start`]: real plugins on the real bus, which
/// [`Self::client`] joins. Shut down on drop.
pub struct InProcessDaemon {
    lifecycle: Option<Lifecycle>,
    sandbox: Sandbox,
}

impl InProcessDaemon {
    fn running(&self) -> &Lifecycle {
        self.lifecycle
            .as_ref()
            .expect("the daemon was shut down already")
    }

    /// Its lifecycle (plugins, reload, health).
    pub fn lifecycle(&self) -> &Lifecycle {
        self.running()
    }

    /// Its lifecycle, to reload it.
    pub fn lifecycle_mut(&mut self) -> &mut Lifecycle {
        self.lifecycle
            .as_mut()
            .expect("the daemon was shut down already")
    }

    /// Its bus.
    pub fn bus(&self) -> &std::sync::Arc<EventBus> {
        self.running().bus()
    }

    /// A new client on its bus (a fresh client id).
    pub fn client(&self) -> BusClient {
        BusClient::join_next(self.bus())
    }

    /// Its files.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Shuts it down; returns the problems the shutdown met.
    pub fn shutdown(&mut self) -> Vec<String> {
        self.lifecycle
            .take()
            .map(Lifecycle::shutdown)
            .unwrap_or_default()
    }
}

impl Drop for InProcessDaemon {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
