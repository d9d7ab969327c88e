//! Network namespaces for tests: each one exists for the life of a value and
//! is removed on drop, even when the test fails. Names are unique per process
//! and per namespace, so tests run in parallel.

use std::{
    ffi::CString,
    io::Write,
    process::{Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
};

use serde_json::{Value, json};

static NEXT_NS: AtomicU32 = AtomicU32::new(0);

/// Runs a command to success and returns its standard output; panics with
/// its standard error otherwise.
pub fn run(cmd: &mut Command) -> String {
    try_run(cmd).unwrap_or_else(|e| panic!("{e}"))
}

/// As [`run`], with the failure as an error (for programs such as the
/// benchmarks, which report errors instead of panicking).
pub fn try_run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("running {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A network namespace `nipart-t-<pid>-<n>`.
pub struct Netns {
    pub name: String,
}

impl Netns {
    /// A fresh namespace in which new links get no IPv6 link-local address,
    /// so that tests see only the addresses they add. `lo` is left down.
    pub fn new() -> Self {
        Self::try_new().unwrap_or_else(|e| panic!("{e}"))
    }

    /// As [`Self::new`], with the failure as an error.
    pub fn try_new() -> Result<Self, String> {
        if crate::find_program("ip").is_none() {
            return Err(crate::missing_message("ip"));
        }
        let name = format!(
            "nipart-t-{}-{}",
            std::process::id(),
            NEXT_NS.fetch_add(1, Ordering::Relaxed)
        );
        try_run(Command::new("ip").args(["netns", "add", &name]))?;
        let ns = Netns { name };
        try_run(Command::new("ip").args([
            "netns",
            "exec",
            &ns.name,
            "sh",
            "-c",
            "echo 1 > /proc/sys/net/ipv6/conf/default/addr_gen_mode",
        ]))?;
        Ok(ns)
    }

    /// `/run/netns/NAME`, what `setns` and `ip netns exec` open.
    pub fn path(&self) -> String {
        format!("/run/netns/{}", self.name)
    }

    /// `ip -n NS ARGS…`
    pub fn ip(&self, args: &str) -> String {
        self.try_ip(args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// As [`Self::ip`], with the failure as an error.
    pub fn try_ip(&self, args: &str) -> Result<String, String> {
        try_run(
            Command::new("ip")
                .args(["-n", &self.name])
                .args(args.split_whitespace()),
        )
    }

    /// `ip -n NS -j ARGS…`, parsed (`[]` for no output).
    pub fn ip_json(&self, args: &str) -> Value {
        let text = run(Command::new("ip")
            .args(["-n", &self.name, "-j"])
            .args(args.split_whitespace()));
        if text.trim().is_empty() {
            return json!([]);
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("ip -j {args}: {e}: {text}"))
    }

    /// `ip -n NS -batch -` with `script` on standard input.
    pub fn ip_batch(&self, script: &str) {
        let mut child = Command::new("ip")
            .args(["-n", &self.name, "-batch", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("running ip -batch: {e}"));
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(script.as_bytes())
            .expect("writing the batch");
        let out = child.wait_with_output().expect("waiting for ip -batch");
        assert!(
            out.status.success(),
            "ip -batch failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A shell command inside the namespace.
    pub fn exec(&self, script: &str) -> String {
        run(Command::new("ip").args(["netns", "exec", &self.name, "sh", "-c", script]))
    }

    /// The link `name` as `ip -j -d link show` reports it (None if absent).
    pub fn link(&self, name: &str) -> Option<Value> {
        let all = self.ip_json("-d link show");
        all.as_array()?
            .iter()
            .find(|l| l["ifname"] == name)
            .cloned()
    }

    /// Sorted `ADDR/LEN` of `name` (link-local left out), from `ip`.
    pub fn addresses(&self, name: &str) -> Vec<String> {
        let v = self.ip_json(&format!("addr show dev {name}"));
        let mut out: Vec<String> = v[0]["addr_info"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|a| a["scope"] != "link")
                    .map(|a| format!("{}/{}", a["local"].as_str().unwrap_or("?"), a["prefixlen"]))
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// `ip route show` lines for `family` (`-4`/`-6`) and `table`, without
    /// link-local and multicast routes.
    pub fn routes(&self, family: &str, table: &str) -> Vec<String> {
        let text =
            run(Command::new("ip")
                .args(["-n", &self.name, family, "route", "show", "table", table]));
        text.lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty() && !l.starts_with("fe80::") && !l.starts_with("multicast"))
            .collect()
    }

    /// Runs `f` on a new thread that has entered the namespace; threads it
    /// creates (such as a plugin's) inherit the namespace.
    pub fn run_inside<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        match self.spawn_inside(f).join() {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => panic!("{e}"),
            Err(p) => std::panic::resume_unwind(p),
        }
    }

    /// Starts `f` on a new thread inside the namespace and returns at once;
    /// the thread's result is an error if it could not enter.
    pub fn spawn_inside<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> std::thread::JoinHandle<Result<T, String>> {
        let path = self.path();
        std::thread::spawn(move || {
            enter(&path)?;
            Ok(f())
        })
    }
}

impl Default for Netns {
    fn default() -> Self {
        Self::new()
    }
}

/// Moves the calling thread into the network namespace at `path`.
pub fn enter(path: &str) -> Result<(), String> {
    let c = CString::new(path).map_err(|_| format!("{path:?} holds a NUL byte"))?;
    // SAFETY: plain syscalls on a path we own; the fd is closed below.
    unsafe {
        let fd = libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(format!("open {path}: {}", std::io::Error::last_os_error()));
        }
        let rc = libc::setns(fd, libc::CLONE_NEWNET);
        let err = std::io::Error::last_os_error();
        libc::close(fd);
        if rc != 0 {
            return Err(format!("setns {path}: {err}"));
        }
    }
    Ok(())
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}
