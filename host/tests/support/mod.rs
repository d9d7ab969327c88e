//! Shared by the API tests (`host/tests/api*.rs`) and the `nipc` tests
//! (`host/nipc/tests`, included with `#[path]`): the fixture plugins, raw
//! varlink calls, and the configuration of the `nipc` tests' in-process
//! daemon ([`Setup`]). The API tests start their daemon with the test kit
//! (`api_daemon`); this file stays free of the kit, which the `nipc` tests
//! do not depend on.
#![allow(dead_code)]

use std::{
    io::{Read, Write},
    os::unix::{fs::PermissionsExt, net::UnixStream},
    path::{Path, PathBuf},
    process::Command,
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
