//! Shared by the API tests (`host/tests/api*.rs`) and the `nipc` tests
//! (`host/nipc/tests`, included with `#[path]`): a real daemon with a
//! private socket and plugin directory, and the fixture plugins it loads.
#![allow(dead_code)]

use std::{
    io::{Read, Write},
    os::unix::{fs::PermissionsExt, net::UnixStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use serde_json::Value;

/// The cargo target directory of the running test binary
/// (`<target>/debug/deps/<test>`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .expect("target dir above the test binary")
        .to_path_buf()
}

/// Builds the fixture workspace package `nipart-fixture-<name>` into
/// `<target>/loader-fixtures` (once per test binary) and returns its `.so`.
pub fn fixture(name: &str) -> PathBuf {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    let out = target_dir().join("loader-fixtures");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|p| p.join("loader-tests/fixtures/Cargo.toml").exists())
        .expect("the repository root")
        .join("loader-tests/fixtures/Cargo.toml");
    let built = BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let o = Command::new(cargo)
            .args(["build", "--quiet", "--manifest-path"])
            .arg(&manifest)
            .args(["-p", "nipart-fixture-api-commander", "--target-dir"])
            .arg(&out)
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .map_err(|e| format!("running cargo: {e}"))?;
        if o.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&o.stderr).into_owned())
        }
    });
    if let Err(e) = built {
        panic!("building the fixture plugins failed:\n{e}");
    }
    let so = out
        .join("debug")
        .join(format!("libnipart_fixture_{}.so", name.replace('-', "_")));
    assert!(so.exists(), "{} was not built", so.display());
    so
}

/// A private directory that the unprivileged test user can traverse.
pub fn open_tempdir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("nipart-api-")
        .tempdir()
        .expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

/// What a test daemon is started with.
#[derive(Default, Clone)]
pub struct Setup {
    /// Fixture plugins to install (names as for [`fixture`]).
    pub plugins: Vec<&'static str>,
    /// Extra lines for the `[api]` section.
    pub api: Vec<String>,
    /// Extra top-level configuration lines.
    pub top: Vec<String>,
}

impl Setup {
    pub fn with_commander() -> Self {
        Setup {
            plugins: vec!["api-commander"],
            ..Default::default()
        }
    }

    pub fn api(mut self, line: &str) -> Self {
        self.api.push(line.to_string());
        self
    }

    /// Writes the plugin directory and the configuration; returns
    /// (socket path, plugin dir, config file).
    pub fn prepare(&self, dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
        let plugins = dir.join("plugins");
        std::fs::create_dir(&plugins).expect("plugin dir");
        std::fs::set_permissions(&plugins, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        for p in &self.plugins {
            let so = fixture(p);
            let dst = plugins.join(so.file_name().expect("file name"));
            std::fs::copy(&so, &dst).expect("copy fixture");
            std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        let socket = dir.join("run/nipart.sock");
        let mut config = String::new();
        for l in &self.top {
            config.push_str(l);
            config.push('\n');
        }
        config.push_str(&format!(
            "plugin_dir = {:?}\n[api]\nsocket = {:?}\n",
            plugins.display().to_string(),
            socket.display().to_string()
        ));
        for l in &self.api {
            config.push_str(l);
            config.push('\n');
        }
        let config_file = dir.join("nipartd.toml");
        std::fs::write(&config_file, config).expect("config");
        (socket, plugins, config_file)
    }
}

/// `nipartd` as a child process; SIGKILLed on drop if still running.
pub struct Daemon {
    pub child: Option<Child>,
    pub socket: PathBuf,
    pub plugin_dir: PathBuf,
    pub log: PathBuf,
    pub dir: tempfile::TempDir,
}

impl Daemon {
    /// Starts `bin` (the `nipartd` binary) and waits until its socket answers.
    pub fn start(bin: &str, setup: &Setup) -> Daemon {
        let dir = open_tempdir();
        let (socket, plugin_dir, config) = setup.prepare(dir.path());
        let mut d = Daemon::spawn_with(bin, dir, socket, plugin_dir, &config);
        d.wait_ready();
        d
    }

    fn spawn_with(
        bin: &str,
        dir: tempfile::TempDir,
        socket: PathBuf,
        plugin_dir: PathBuf,
        config: &Path,
    ) -> Daemon {
        let log = dir.path().join("nipartd.log");
        let child = spawn_daemon(bin, config, &log);
        Daemon {
            child: Some(child),
            socket,
            plugin_dir,
            log,
            dir,
        }
    }

    /// Waits (at most 20 s) for the socket to accept and answer a Ping.
    pub fn wait_ready(&mut self) {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                panic!("nipartd exited with {status}:\n{}", self.log_text());
            }
            if let Ok(mut s) = UnixStream::connect(&self.socket)
                && raw_call(&mut s, r#"{"method":"io.nipart.Daemon.Ping"}"#).is_ok()
            {
                return;
            }
            assert!(
                Instant::now() < until,
                "nipartd did not answer within 20 s:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM and waits (at most 20 s) for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("daemon running");
        // SAFETY: kill on our own child's pid.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        wait_timeout(&mut child, Duration::from_secs(20))
    }

    /// SIGKILL: leaves the socket file behind, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn spawn_daemon(bin: &str, config: &Path, log: &Path) -> Child {
    let log_file = std::fs::File::create(log).expect("log file");
    Command::new(bin)
        .arg("--config")
        .arg(config)
        .env_remove("NIPART_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .expect("spawn nipartd")
}

pub fn wait_timeout(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let until = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            return s;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("process {} did not exit within {limit:?}", child.id());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends one raw message (a NUL is appended) and reads one reply.
pub fn raw_call(s: &mut UnixStream, msg: &str) -> std::io::Result<Value> {
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut bytes = msg.as_bytes().to_vec();
    bytes.push(0);
    s.write_all(&bytes)?;
    read_message(s)
}

/// Reads one NUL-terminated message (byte by byte: tests only).
pub fn read_message(s: &mut UnixStream) -> std::io::Result<Value> {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    loop {
        let n = s.read(&mut b)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("EOF after {} bytes", out.len()),
            ));
        }
        if b[0] == 0 {
            return serde_json::from_slice(&out)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e));
        }
        out.push(b[0]);
    }
}

/// Whether the peer closed `s` (EOF or reset) within `limit`, after
/// draining what was sent before.
pub fn closed_within(s: &mut UnixStream, limit: Duration) -> bool {
    let until = Instant::now() + limit;
    let mut buf = [0u8; 65536];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        s.set_read_timeout(Some(left)).expect("timeout");
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// A Ping on a fresh connection must succeed.
pub fn assert_ping(socket: &Path, after: &str) {
    let mut s = UnixStream::connect(socket)
        .unwrap_or_else(|e| panic!("after {after}: cannot connect: {e}"));
    let r = raw_call(&mut s, r#"{"method":"io.nipart.Daemon.Ping"}"#)
        .unwrap_or_else(|e| panic!("after {after}: Ping failed: {e}"));
    assert_eq!(
        r,
        serde_json::json!({"parameters": {}}),
        "after {after}: unexpected Ping reply"
    );
}

/// The error name of a reply, or "" if it is no error.
pub fn error_name(v: &Value) -> &str {
    v.get("error").and_then(Value::as_str).unwrap_or("")
}

/// Opens `n` connections, each proven admitted by a Ping. Connections
/// refused meanwhile (slots of closed connections are given back a moment
/// after the close) are retried for at most 5 s.
pub fn hold(socket: &Path, n: usize) -> Vec<UnixStream> {
    let mut held = Vec::new();
    let until = Instant::now() + Duration::from_secs(5);
    while held.len() < n {
        let mut s = UnixStream::connect(socket).expect("connect");
        match raw_call(&mut s, r#"{"method":"io.nipart.Daemon.Ping"}"#) {
            Ok(v) if error_name(&v).is_empty() => held.push(s),
            other => {
                assert!(Instant::now() < until, "{other:?}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    held
}
