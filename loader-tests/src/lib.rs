//! Support for the loader tests: fixture plugins built on demand, a private
//! plugin directory per test, an in-process bus client, and `nipartd` run as
//! a child process.
//!
//! # Fixtures
//!
//! The fixture plugins are real `.so` files, built by the tests themselves
//! (once per test process, whatever the number of threads) into
//! `<target dir>/loader-fixtures`, where `<target dir>` is the one holding
//! the running test binary. They come from several cargo workspaces:
//!
//! * `loader-tests/fixtures/`: plugins made with the SDK ([`Fixture::Good`],
//!   the scripted [`Fixture::Alpha`], [`Fixture::Zulu`] and [`Fixture::Pair`],
//!   [`Fixture::BadCtor`]), a plain cdylib ([`Fixture::NotPlugin`]) and a
//!   library whose root module constructor panics ([`Fixture::RootPanic`]);
//! * `loader-tests/foreign/<name>/`, one workspace each, for what can't share
//!   a dependency graph with the SDK: an interface with another ABI major
//!   ([`Fixture::OtherMajor`]), one whose layout differs ([`Fixture::Layout`])
//!   and a `panic = "abort"` build ([`Fixture::PanicAbort`]).
//!
//! The scripted plugins follow their `[plugin.NAME]` configuration section
//! (see `loader-tests/fixtures/common`): fail, panic or hang in Init or
//! Shutdown, panic on a topic, record what happens to a log file, answer
//! `test.echo` and relay `test.relay` to another plugin.
//!
//! # Isolation
//!
//! Each test makes a [`Sandbox`]: a temporary directory holding a `plugins/`
//! directory with copies of just the fixtures it needs, plus its log files,
//! configuration and API socket. Sandboxes, and [`Daemon`] children, are
//! cleaned up on drop, also when a test fails.
//!
//! # Network namespaces
//!
//! [`Netns`] is the one network-namespace helper of the project's tests
//! (the plugin crates' tests use it too): a uniquely named namespace removed
//! on drop, `ip` helpers, and [`Netns::run_inside`] to start a daemon inside.

pub mod callers;
pub mod netns;

pub use netns::{Netns, run, try_run};

use std::{
    fs,
    io::Read,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex, OnceLock, mpsc},
    thread,
    time::{Duration, Instant},
};

use nipart_plugin_abi::FfiEvent;
use nipart_plugin_api::{Address, Event, EventState};
use nipartd::{EventBus, MemberId, MemberState, bus::Sink};

/// How long the helpers wait for something that should happen promptly.
pub const PATIENCE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// Locations and builds

/// The directory of the running test binary: `<target>/<profile>/deps`.
fn exe_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .expect("the test binary's directory")
        .to_path_buf()
}

/// `<target>/<profile>` (or `<target>/<triple>/<profile>`) of this build.
pub fn profile_dir() -> PathBuf {
    let deps = exe_dir();
    match deps.file_name() {
        // Test binaries live in `deps/`, examples (the benchmarks) in
        // `examples/`.
        Some(n) if n == "deps" || n == "examples" => deps
            .parent()
            .expect("the profile directory above deps/ or examples/")
            .to_path_buf(),
        _ => deps,
    }
}

/// The cargo target directory holding the running test binary: the first
/// directory above it that cargo marked with `CACHEDIR.TAG`.
pub fn target_dir() -> PathBuf {
    let profile = profile_dir();
    // `<target>/<profile>` or `<target>/<triple>/<profile>`: look no higher,
    // since a target directory may itself sit inside another one.
    profile
        .ancestors()
        .skip(1)
        .take(2)
        .find(|d| d.join("CACHEDIR.TAG").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            profile
                .parent()
                .expect("the target directory above the profile directory")
                .to_path_buf()
        })
}

/// The repository root (the main workspace).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("loader-tests sits in the repository root")
        .to_path_buf()
}

/// Where the fixture workspaces build (one shared target directory, so the
/// foreign workspaces reuse what they can).
pub fn fixtures_target_dir() -> PathBuf {
    target_dir().join("loader-fixtures")
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // The target directory is always given explicitly.
    cmd.env_remove("CARGO_TARGET_DIR");
    cmd
}

/// Runs a cargo command to completion, panicking with its output on failure.
fn run_cargo(mut cmd: Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running cargo to build {what}: {e}"));
    if !out.status.success() {
        panic!(
            "building {what} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A cargo workspace holding fixtures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workspace {
    Fixtures,
    Layout,
    OtherMajor,
    PanicAbort,
}

impl Workspace {
    const ALL: [Workspace; 4] = [
        Workspace::Fixtures,
        Workspace::Layout,
        Workspace::OtherMajor,
        Workspace::PanicAbort,
    ];

    fn manifest(self) -> PathBuf {
        let dir = repo_root().join("loader-tests");
        match self {
            Workspace::Fixtures => dir.join("fixtures/Cargo.toml"),
            Workspace::Layout => dir.join("foreign/layout/Cargo.toml"),
            Workspace::OtherMajor => dir.join("foreign/other-major/Cargo.toml"),
            Workspace::PanicAbort => dir.join("foreign/panic-abort/Cargo.toml"),
        }
    }

    /// The packages of the workspace the loader tests use (others may add
    /// fixtures of their own to `fixtures/`; a broken one must not fail these
    /// tests).
    fn packages(self) -> &'static [&'static str] {
        match self {
            Workspace::Fixtures => &[
                "nipart-fixture-good",
                "nipart-fixture-alpha",
                "nipart-fixture-zulu",
                "nipart-fixture-pair",
                "nipart-fixture-bad-ctor",
                "nipart-fixture-not-plugin",
                "nipart-fixture-root-panic",
                "nipart-fixture-misfits",
                "nipart-fixture-empty",
                "nipart-fixture-evil",
            ],
            Workspace::Layout | Workspace::OtherMajor | Workspace::PanicAbort => &[],
        }
    }

    /// Builds the workspace once per process.
    fn ensure_built(self) {
        static BUILT: [OnceLock<()>; 4] = [const { OnceLock::new() }; 4];
        let idx = Workspace::ALL
            .iter()
            .position(|w| *w == self)
            .expect("a listed workspace");
        BUILT[idx].get_or_init(|| {
            let manifest = self.manifest();
            let mut cmd = cargo();
            cmd.arg("build")
                .arg("--quiet")
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(fixtures_target_dir());
            for p in self.packages() {
                cmd.arg("-p").arg(p);
            }
            run_cargo(cmd, &manifest.display().to_string());
        });
    }
}

/// A fixture plugin library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixture {
    /// Plugin `good` (role `echo`): answers every request with `"pong"`.
    Good,
    /// The scripted plugin `alpha`.
    Alpha,
    /// The scripted plugin `zulu`.
    Zulu,
    /// Two scripted plugins in one library: `pair-a` and `pair-b`.
    Pair,
    /// `ctor-panic` (its `Plugin::new` panics) and `ctor-error` (its
    /// `Plugin::new` returns an error).
    BadCtor,
    /// A plain cdylib exporting a C function and no root module.
    NotPlugin,
    /// Exports the v1 root module type, but its constructor panics.
    RootPanic,
    /// Descriptors the loader refuses: `twice` registered twice, `Bad Name`,
    /// `bad-role` (role `Kernel!`), `bad-topic` (pattern `link.**.up`).
    Misfits,
    /// Exports the root module but registers no plugin.
    Empty,
    /// Built against a plugin ABI 2.0.0.
    OtherMajor,
    /// Claims to be `nipart-plugin-abi` 1.0.0 but its root module's fields differ.
    Layout,
    /// Plugin `panic-abort`, built with `panic = "abort"`.
    PanicAbort,
    /// No plugin: a library whose constructor leaves the marker file
    /// [`evil_marker`] when it is loaded, the proof that it ran.
    Evil,
}

/// The marker [`Fixture::Evil`]'s constructor leaves when a library loads
/// it in this process.
pub fn evil_marker() -> PathBuf {
    std::env::temp_dir().join(format!("nipart-fixture-evil-{}", std::process::id()))
}

impl Fixture {
    fn workspace(self) -> Workspace {
        match self {
            Fixture::OtherMajor => Workspace::OtherMajor,
            Fixture::Layout => Workspace::Layout,
            Fixture::PanicAbort => Workspace::PanicAbort,
            _ => Workspace::Fixtures,
        }
    }

    /// The library's file name, as cargo builds it.
    pub fn file_name(self) -> &'static str {
        match self {
            Fixture::Good => "libnipart_fixture_good.so",
            Fixture::Alpha => "libnipart_fixture_alpha.so",
            Fixture::Zulu => "libnipart_fixture_zulu.so",
            Fixture::Pair => "libnipart_fixture_pair.so",
            Fixture::BadCtor => "libnipart_fixture_bad_ctor.so",
            Fixture::NotPlugin => "libnipart_fixture_not_plugin.so",
            Fixture::RootPanic => "libnipart_fixture_root_panic.so",
            Fixture::Misfits => "libnipart_fixture_misfits.so",
            Fixture::Empty => "libnipart_fixture_empty.so",
            Fixture::OtherMajor => "libnipart_fixture_other_major.so",
            Fixture::Layout => "libnipart_fixture_layout.so",
            Fixture::PanicAbort => "libnipart_fixture_panic_abort.so",
            Fixture::Evil => "libnipart_fixture_evil.so",
        }
    }

    /// The built library (built first if this process has not yet).
    pub fn path(self) -> PathBuf {
        self.workspace().ensure_built();
        let path = fixtures_target_dir().join("debug").join(self.file_name());
        assert!(path.is_file(), "{} was not built", path.display());
        path
    }
}

/// Builds targets of the main workspace (`args` such as
/// `["-p", "nipart-plugin-monitor", "--lib"]`) with this test binary's cargo,
/// profile and target directory, and returns the profile directory they
/// land in. `cargo test` of one package does not build another package's
/// cdylib or binary, and a test must not run stale ones: every caller
/// builds what it loads (a no-op when it is fresh).
pub fn build_in_workspace(args: &[&str]) -> PathBuf {
    let profile_dir = profile_dir();
    let mut cmd = cargo();
    cmd.arg("build")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(repo_root().join("Cargo.toml"))
        .args(args)
        .arg("--target-dir")
        .arg(target_dir());
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.arg("--profile").arg(other);
        }
    }
    // A cross build (`<target>/<triple>/<profile>`) needs the triple.
    if let Some(triple_dir) = profile_dir.parent()
        && triple_dir != target_dir()
        && let Some(triple) = triple_dir.file_name()
    {
        cmd.arg("--target").arg(triple);
    }
    run_cargo(cmd, &args.join(" "));
    profile_dir
}

/// The `nipartd` binary of this build, rebuilt once per process so that it
/// matches the sources.
pub fn nipartd_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let bin = build_in_workspace(&["-p", "nipartd", "--bin", "nipartd"]).join("nipartd");
            assert!(bin.is_file(), "{} was not built", bin.display());
            bin
        })
        .clone()
}

// ---------------------------------------------------------------------------
// Sandboxes

/// A private temporary directory for one test, removed on drop: a
/// `plugins/` directory (owned by us, mode 0755) and room for logs,
/// configuration and the API socket.
pub struct Sandbox {
    root: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("nipart-loader-test-")
            .tempdir()
            .expect("a temporary directory");
        let plugins = root.path().join("plugins");
        fs::create_dir(&plugins).expect("creating plugins/");
        fs::set_permissions(&plugins, fs::Permissions::from_mode(0o755)).expect("chmod plugins/");
        Self { root }
    }

    /// The temporary directory itself.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The plugin directory.
    pub fn plugin_dir(&self) -> PathBuf {
        self.root().join("plugins")
    }

    /// A path in the sandbox (outside the plugin directory).
    pub fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// Copies `fixture` into the plugin directory under its own file name
    /// (mode 0755); returns the copy's path.
    pub fn add(&self, fixture: Fixture) -> PathBuf {
        self.add_as(fixture, fixture.file_name())
    }

    /// Copies `fixture` into the plugin directory as `file_name` (mode 0755).
    pub fn add_as(&self, fixture: Fixture, file_name: &str) -> PathBuf {
        let dest = self.plugin_dir().join(file_name);
        fs::copy(fixture.path(), &dest)
            .unwrap_or_else(|e| panic!("copying {fixture:?} to {}: {e}", dest.display()));
        fs::set_permissions(&dest, fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", dest.display()));
        dest
    }

    /// Writes a file of text into the plugin directory (mode 0644).
    pub fn add_text(&self, file_name: &str, text: &str) -> PathBuf {
        let dest = self.plugin_dir().join(file_name);
        fs::write(&dest, text).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
        fs::set_permissions(&dest, fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", dest.display()));
        dest
    }

    /// A daemon configuration (TOML) loading from this sandbox's plugin
    /// directory, its API socket inside the sandbox, followed by `extra`.
    ///
    /// Unless `extra` has its own `[plugin.conf]`, the `conf` plugin (if a
    /// test loads it) keeps its files in the sandbox ([`Self::conf_dirs`]),
    /// never in the host's `/etc/nipart` and `/var/lib/nipart`.
    pub fn config_toml(&self, extra: &str) -> String {
        let mut toml = format!(
            "plugin_dir = {}\n{extra}\n[api]\nsocket = {}\n",
            toml_str(&self.plugin_dir()),
            toml_str(&self.path("nipart.sock")),
        );
        if !extra.contains("[plugin.conf]") {
            let (config_dir, state_dir) = self.conf_dirs();
            toml.push_str(&format!(
                "[plugin.conf]\nconfig_dir = {}\nstate_dir = {}\n",
                toml_str(&config_dir),
                toml_str(&state_dir),
            ));
        }
        toml
    }

    /// The `conf` plugin's `config_dir` (the saved state) and `state_dir`
    /// (the checkpoints) in this sandbox: `etc/` and `var/`.
    pub fn conf_dirs(&self) -> (PathBuf, PathBuf) {
        (self.path("etc"), self.path("var"))
    }

    /// [`Self::config_toml`] parsed, for an in-process daemon.
    pub fn config(&self, extra: &str) -> nipartd::DaemonConfig {
        nipartd::DaemonConfig::from_toml(&self.config_toml(extra))
            .unwrap_or_else(|e| panic!("invalid test configuration: {e}"))
    }
}

/// The resident memory (`VmRSS`) of process `pid`, in KiB.
pub fn resident_kib(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmRSS in /proc/{pid}/status:\n{status}"))
}

/// A path as a TOML string literal.
pub fn toml_str(path: &Path) -> String {
    serde_json::to_string(&path.display().to_string()).expect("a string serializes")
}

/// A `[plugin.NAME]` section for a scripted plugin with a `log` file and
/// more `key = value` lines.
pub fn scripted_section(name: &str, log: &Path, more: &[&str]) -> String {
    let mut s = format!("[plugin.{name}]\nlog = {}\n", toml_str(log));
    for line in more {
        s.push_str(line);
        s.push('\n');
    }
    s
}

// ---------------------------------------------------------------------------
// Fixture logs

/// The lines of a scripted plugin's log file (none if it does not exist).
pub fn log_lines(path: &Path) -> Vec<String> {
    match fs::read_to_string(path) {
        Ok(text) => text.lines().map(str::to_string).collect(),
        Err(_) => Vec::new(),
    }
}

/// Waits until the log holds `line`; returns all lines at that point.
pub fn wait_for_log_line(path: &Path, line: &str) -> Vec<String> {
    let give_up = Instant::now() + PATIENCE;
    loop {
        let lines = log_lines(path);
        if lines.iter().any(|l| l == line) {
            return lines;
        }
        if Instant::now() > give_up {
            panic!(
                "{} never got the line {line:?}; it holds {lines:#?}",
                path.display()
            );
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until each of `plugins` logged `started NAME` (it handled the
/// daemon's start broadcast).
pub fn wait_for_started(path: &Path, plugins: &[&str]) {
    for name in plugins {
        wait_for_log_line(path, &format!("started {name}"));
    }
}

// ---------------------------------------------------------------------------
// In-process bus client

struct ChannelSink(Mutex<mpsc::Sender<FfiEvent>>);

impl Sink for ChannelSink {
    fn deliver(&self, event: FfiEvent) -> nipart_plugin_api::Result<u32> {
        let tx = self.0.lock().unwrap_or_else(|e| e.into_inner());
        tx.send(event)
            .map(|()| 0)
            .map_err(|_| nipart_plugin_api::Error::other("test client is gone"))
    }
}

/// A test's seat on a daemon's bus: `MemberId::Client(id)` with an
/// unbounded queue.
pub struct Client {
    bus: Arc<EventBus>,
    id: MemberId,
    rx: mpsc::Receiver<FfiEvent>,
}

impl Client {
    /// Joins `bus` as client `id`, receiving events from now on.
    pub fn join(bus: &Arc<EventBus>, id: u64) -> Self {
        let (tx, rx) = mpsc::channel();
        let member_id = MemberId::Client(id);
        let member = bus
            .join(
                member_id.clone(),
                Vec::new(),
                Box::new(ChannelSink(Mutex::new(tx))),
            )
            .expect("joining the bus");
        member.set_state(MemberState::Running);
        Self {
            bus: bus.clone(),
            id: member_id,
            rx,
        }
    }

    /// This client's address, as plugins see it.
    pub fn address(&self) -> Address {
        match self.id {
            MemberId::Client(id) => Address::Client(id),
            _ => unreachable!("a test client is a client"),
        }
    }

    /// Publishes `event` as this client.
    pub fn publish(&self, event: Event) -> nipart_plugin_api::Result<()> {
        self.bus.publish_from(&self.id, event.into_ffi())
    }

    /// Sends a request with a JSON payload; returns its id, or the error
    /// the bus gave.
    pub fn send_request(
        &self,
        topic: &str,
        dst: Address,
        payload: &serde_json::Value,
    ) -> nipart_plugin_api::Result<nipart_plugin_api::EventId> {
        let mut event = Event::new(topic, dst)
            .with_json(payload)?
            .with_deadline(PATIENCE);
        event.request = true;
        let id = event.id;
        self.publish(event)?;
        Ok(id)
    }

    /// The next event received within `timeout`.
    pub fn recv(&self, timeout: Duration) -> Option<Event> {
        self.rx
            .recv_timeout(timeout)
            .ok()
            .map(|e| Event::from_ffi(e).expect("a well-formed event"))
    }

    /// Waits for the final reply (state `Done` or `Cancelled`) to request
    /// `id`, skipping other events.
    pub fn reply_to(&self, id: nipart_plugin_api::EventId) -> Event {
        let give_up = Instant::now() + PATIENCE;
        loop {
            let left = give_up.saturating_duration_since(Instant::now());
            let event = self
                .recv(left)
                .unwrap_or_else(|| panic!("no reply to request {id}"));
            if event.ref_id == Some(id)
                && matches!(event.state, EventState::Done | EventState::Cancelled)
            {
                return event;
            }
        }
    }

    /// Sends a request and waits for its reply.
    pub fn request(&self, topic: &str, dst: Address, payload: &serde_json::Value) -> Event {
        let id = self
            .send_request(topic, dst, payload)
            .unwrap_or_else(|e| panic!("sending {topic}: {e}"));
        self.reply_to(id)
    }
}

// ---------------------------------------------------------------------------
// nipartd as a child process

/// A running `nipartd`, killed (SIGKILL) and reaped on drop if it is still
/// running. Its stderr is collected in the background.
pub struct Daemon {
    child: Child,
    stderr: Arc<Mutex<String>>,
    reader: Option<thread::JoinHandle<()>>,
    status: Option<ExitStatus>,
}

impl Daemon {
    /// Starts `nipartd --config <sandbox>/nipartd.toml` with the
    /// configuration [`Sandbox::config_toml`] makes of `extra`.
    pub fn start(sandbox: &Sandbox, extra: &str) -> Self {
        Self::spawn(sandbox, extra, Command::new(nipartd_binary()))
    }

    /// As [`Self::start`], inside the network namespace `ns` (`ip netns
    /// exec` execs the daemon: [`Self::pid`] is the daemon's).
    pub fn start_in(sandbox: &Sandbox, extra: &str, ns: &Netns) -> Self {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &ns.name]).arg(nipartd_binary());
        Self::spawn(sandbox, extra, cmd)
    }

    /// As [`Self::start`], with `setup` applied to the command just before
    /// it is spawned: more arguments, environment variables (e.g.
    /// `NOTIFY_SOCKET`), or stderr sent elsewhere than the pipe
    /// [`Self::stderr`] reads.
    pub fn start_with(sandbox: &Sandbox, extra: &str, setup: impl FnOnce(&mut Command)) -> Self {
        Self::spawn_with(sandbox, extra, Command::new(nipartd_binary()), setup)
    }

    /// Runs `cmd`, a `nipartd` other than this build's (an installed one,
    /// for the packaging tests), maybe behind `ip netns exec`, as it is:
    /// its arguments say where its configuration is.
    pub fn start_command(cmd: Command) -> Self {
        Self::spawn_command(cmd, |_| {})
    }

    fn spawn(sandbox: &Sandbox, extra: &str, cmd: Command) -> Self {
        Self::spawn_with(sandbox, extra, cmd, |_| {})
    }

    fn spawn_with(
        sandbox: &Sandbox,
        extra: &str,
        mut cmd: Command,
        setup: impl FnOnce(&mut Command),
    ) -> Self {
        let config = sandbox.path("nipartd.toml");
        fs::write(&config, sandbox.config_toml(extra)).expect("writing nipartd.toml");
        cmd.arg("--config").arg(&config);
        Self::spawn_command(cmd, setup)
    }

    fn spawn_command(mut cmd: Command, setup: impl FnOnce(&mut Command)) -> Self {
        cmd.env_remove("NIPART_LOG")
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        setup(&mut cmd);
        let mut child = cmd.spawn().expect("starting nipartd");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let pipe = child.stderr.take();
        let reader = thread::spawn(move || {
            let Some(mut pipe) = pipe else {
                return; // the test sent stderr elsewhere
            };
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]);
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_str(&text);
            }
        });
        Self {
            child,
            stderr,
            reader: Some(reader),
            status: None,
        }
    }

    /// The daemon's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What it wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until stderr contains `text`; returns stderr at that point.
    /// Fails early if the daemon exits first.
    pub fn wait_for_stderr(&mut self, text: &str) -> String {
        let give_up = Instant::now() + PATIENCE;
        loop {
            let err = self.stderr();
            if err.contains(text) {
                return err;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                self.status = Some(status);
                self.finish_reading();
                let err = self.stderr();
                assert!(
                    err.contains(text),
                    "nipartd exited ({status}) without printing {text:?}; stderr:\n{err}"
                );
                return err;
            }
            if Instant::now() > give_up {
                panic!("nipartd did not print {text:?}; stderr:\n{err}");
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until it is ready (`nipartd ready in`); returns stderr.
    pub fn wait_ready(&mut self) -> String {
        self.wait_for_stderr("nipartd ready in")
    }

    /// Sends `signal` (e.g. `libc::SIGTERM`).
    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid fits pid_t");
        // SAFETY: kill has no memory-safety preconditions; the child is ours
        // and not yet reaped, so the pid can't have been reused.
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "kill({pid}, {signal})");
    }

    fn finish_reading(&mut self) {
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }

    /// Waits for it to exit (at most `limit`); returns its status and its
    /// whole stderr.
    pub fn wait_exit(&mut self, limit: Duration) -> (ExitStatus, String) {
        let give_up = Instant::now() + limit;
        let status = loop {
            if let Some(s) = self.status {
                break s;
            }
            match self.child.try_wait() {
                Ok(Some(s)) => {
                    self.status = Some(s);
                    break s;
                }
                Ok(None) if Instant::now() < give_up => thread::sleep(Duration::from_millis(5)),
                Ok(None) => panic!(
                    "nipartd still runs after {limit:?}; stderr:\n{}",
                    self.stderr()
                ),
                Err(e) => panic!("waiting for nipartd: {e}"),
            }
        };
        self.finish_reading();
        (status, self.stderr())
    }

    /// SIGTERM, then [`Self::wait_exit`].
    pub fn terminate(&mut self, limit: Duration) -> (ExitStatus, String) {
        self.signal(libc::SIGTERM);
        self.wait_exit(limit)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        self.finish_reading();
    }
}

/// The text after `marker` on each stderr line containing it, in order
/// (e.g. the `rejected ` lines).
pub fn lines_after(stderr: &str, marker: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.split_once(marker).map(|(_, rest)| rest.to_string()))
        .collect()
}

/// The examples of the plugin guide (`docs/plugin-sdk.md`), compiled as doc
/// tests here rather than in the SDK, whose published crate has no `docs/`.
#[cfg(doctest)]
#[doc = include_str!("../../docs/plugin-sdk.md")]
pub struct PluginGuideDoctests;
