//! The memory benchmark: resident memory and thread count of the release
//! `nipartd` with every plugin of the workspace (`plugins/*`) loaded and
//! idle, beside the same daemon with an empty plugin directory (the
//! baseline, measured in the same run); and, as root, the resident memory
//! of that daemon after it created and deleted N veth pairs through `nipc
//! apply`, beside the same daemon idle before the cycle: memory the work
//! took must be given back.
//!
//! The daemon runs in a network namespace of its own when it can (root), so
//! that its plugins see a quiet network, and every plugin that keeps files
//! gets a temporary directory (never the host's `/etc/nipart` or
//! `/var/lib/nipart`).

use std::{
    ffi::OsStr,
    ffi::OsString,
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

use crate::child::{self, Nipartd, Scratch};

/// One measurement of an idle daemon.
#[derive(Debug, Clone)]
pub struct Sample {
    /// VmRSS, in bytes.
    pub rss: u64,
    pub threads: usize,
    /// Thread names (`/proc/PID/task/*/comm`), sorted, for the report.
    pub thread_names: Vec<String>,
    /// Plugins running, from the ready line.
    pub running: usize,
}

/// The workspace's plugin crates: `(package, library file)` for every
/// `plugins/NAME/Cargo.toml`.
pub fn workspace_plugins(repo: &Path) -> Result<Vec<(String, String)>, String> {
    let dir = repo.join("plugins");
    let mut out = Vec::new();
    let entries = fs::read_dir(&dir).map_err(|e| format!("listing {}: {e}", dir.display()))?;
    for e in entries.flatten() {
        if !e.path().join("Cargo.toml").is_file() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        out.push((
            format!("nipart-plugin-{name}"),
            format!("libnipart_plugin_{}.so", name.replace('-', "_")),
        ));
    }
    out.sort();
    Ok(out)
}

/// Builds the workspace plugins in release mode into `target`; returns a
/// temporary plugin directory holding copies of them.
pub fn plugin_dir(
    cargo: &OsString,
    repo: &Path,
    target: &Path,
) -> Result<(tempfile::TempDir, usize), String> {
    let plugins = workspace_plugins(repo)?;
    eprintln!(
        "nipart-bench: building the {} workspace plugins ...",
        plugins.len()
    );
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--quiet", "--lib", "--manifest-path"])
        .arg(repo.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target);
    for (package, _) in &plugins {
        cmd.args(["-p", package]);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo to build the plugins: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the workspace plugins failed ({status}); see cargo's messages above"
        ));
    }
    let dir = tempfile::Builder::new()
        .prefix("nipart-bench-memory-")
        .tempdir()
        .map_err(|e| format!("creating a temporary plugin directory: {e}"))?;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("chmod {}: {e}", dir.path().display()))?;
    for (_, lib) in &plugins {
        let from = target.join("release").join(lib);
        let to = dir.path().join(lib);
        fs::copy(&from, &to).map_err(|e| format!("copying {}: {e}", from.display()))?;
        fs::set_permissions(&to, fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("chmod {}: {e}", to.display()))?;
    }
    Ok((dir, plugins.len()))
}

/// A network namespace for the daemon, removed on drop.
pub struct Netns(String);

impl Netns {
    /// `None` when namespaces can't be made here (not root).
    pub fn new() -> Option<Self> {
        let name = format!("nipart-bench-mem-{}", std::process::id());
        let ok = Command::new("ip")
            .args(["netns", "add", &name])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Self(name))
    }

    pub fn name(&self) -> &str {
        &self.0
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.0])
            .status();
    }
}

/// A `nipartd` started by the benchmark, with its own scratch directory
/// (configuration, socket, state); stopped with SIGTERM by [`Running::stop`],
/// killed on drop otherwise.
pub struct Running {
    child: Child,
    /// The daemon's stderr lines, drained by a thread so that it never
    /// blocks on a full pipe.
    lines: mpsc::Receiver<(Instant, String)>,
    /// Plugins running, from the ready line.
    pub plugins: usize,
    socket: PathBuf,
    _scratch: Scratch,
}

impl Running {
    /// Starts `nipartd` on `plugin_dir` (in `netns` when given) and waits
    /// for its ready line.
    pub fn start(
        nipartd: &Path,
        plugin_dir: &Path,
        netns: Option<&Netns>,
    ) -> Result<Running, String> {
        let scratch = Scratch::new("memory")?;
        let socket = scratch.socket();
        let config = scratch.write_config(
            plugin_dir,
            "log_level = \"info\"\n",
            &format!(
                "[plugin.dhcp]\nlease_dir = {:?}\n",
                scratch.path("dhcp").display().to_string()
            ),
        )?;
        let Nipartd { child, lines } = child::spawn(
            nipartd,
            netns.map(|ns| ns.0.as_str()),
            &[OsStr::new("--config"), config.as_os_str()],
        )?;
        let mut running = Running {
            child,
            lines,
            plugins: 0,
            socket,
            _scratch: scratch,
        };
        running.plugins = running.wait_ready()?;
        Ok(running)
    }

    /// The number of plugins the ready line announces.
    fn wait_ready(&mut self) -> Result<usize, String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut tail = Vec::new();
        loop {
            let (_, line) = self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .map_err(|_| {
                    format!(
                        "nipartd was not ready within 60 s; its last lines:\n{}",
                        tail.join("\n")
                    )
                })?;
            if let Some(rest) = line.split("nipartd ready in ").nth(1) {
                return Ok(rest
                    .split(" ms: ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0));
            }
            tail.push(line);
        }
    }

    /// Waits `idle`, then reads the daemon's memory and threads.
    pub fn sample_after(&mut self, idle: Duration) -> Result<Sample, String> {
        thread::sleep(idle);
        while self.lines.try_recv().is_ok() {}
        let pid = self.child.id();
        let status = fs::read_to_string(format!("/proc/{pid}/status"))
            .map_err(|e| format!("reading /proc/{pid}/status: {e}"))?;
        let field = |name: &str| -> Option<u64> {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        };
        let rss_kib = field("VmRSS:").ok_or("no VmRSS in /proc/PID/status")?;
        let threads = field("Threads:").ok_or("no Threads in /proc/PID/status")? as usize;
        let mut thread_names: Vec<String> = fs::read_dir(format!("/proc/{pid}/task"))
            .map_err(|e| format!("listing /proc/{pid}/task: {e}"))?
            .flatten()
            .filter_map(|t| fs::read_to_string(t.path().join("comm")).ok())
            .map(|n| n.trim().to_string())
            .collect();
        thread_names.sort();
        Ok(Sample {
            rss: rss_kib * 1024,
            threads,
            thread_names,
            running: self.plugins,
        })
    }

    /// `nipc apply` of `state` (YAML) against this daemon.
    pub fn apply(&mut self, nipc: &Path, state: &str, scratch: &Path) -> Result<(), String> {
        let file = scratch.join("cycle.yml");
        fs::write(&file, state).map_err(|e| format!("writing {}: {e}", file.display()))?;
        let out = Command::new(nipc)
            .arg("--socket")
            .arg(&self.socket)
            .args(["--call-timeout", "900", "apply"])
            .arg(&file)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", nipc.display()))?;
        while self.lines.try_recv().is_ok() {}
        if !out.status.success() {
            return Err(format!(
                "nipc apply failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(())
    }

    /// SIGTERM, and the exit status checked.
    pub fn stop(mut self) -> Result<(), String> {
        child::stop(&mut self.child)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts `nipartd` on `plugin_dir`, waits for its ready line, lets it idle
/// for `idle`, reads its memory and threads, and stops it.
pub fn measure(
    nipartd: &Path,
    plugin_dir: &Path,
    netns: Option<&Netns>,
    idle: Duration,
) -> Result<Sample, String> {
    let mut daemon = Running::start(nipartd, plugin_dir, netns)?;
    let sample = daemon.sample_after(idle);
    let stopped = daemon.stop();
    let sample = sample?;
    stopped?;
    Ok(sample)
}

/// Resident memory of one daemon before and after a create-and-delete
/// cycle.
#[derive(Debug, Clone, Copy)]
pub struct Cycle {
    /// Idle, before the cycle.
    pub idle: u64,
    /// Right after the veth pairs were created.
    pub loaded: u64,
    /// Idle again after they were deleted.
    pub after: u64,
}

/// A state of `pairs` veth pairs (`bmN` and its peer `bmNp`), present or
/// absent.
pub fn veth_pairs(pairs: usize, present: bool) -> String {
    let mut s = String::from("interfaces:\n");
    for i in 0..pairs {
        if present {
            s.push_str(&format!(
                "  - {{name: bm{i}, type: veth, state: up, veth: {{peer: bm{i}p}}}}\n"
            ));
        } else {
            s.push_str(&format!("  - {{name: bm{i}, type: veth, state: absent}}\n"));
        }
    }
    s
}

/// Starts the daemon with every plugin in `netns`, samples it idle, creates
/// `pairs` veth pairs and deletes them again through `nipc apply` (plain
/// applies: checkpoint, verification, saved state), and samples it idle
/// again.
pub fn cycle(
    nipartd: &Path,
    nipc: &Path,
    plugin_dir: &Path,
    netns: &Netns,
    pairs: usize,
    idle: Duration,
) -> Result<Cycle, String> {
    let scratch = tempfile::Builder::new()
        .prefix("nipart-bench-memory-cycle-")
        .tempdir()
        .map_err(|e| format!("creating a temporary directory: {e}"))?;
    let mut daemon = Running::start(nipartd, plugin_dir, Some(netns))?;
    let result = (|| -> Result<Cycle, String> {
        let before = daemon.sample_after(idle)?.rss;
        daemon.apply(nipc, &veth_pairs(pairs, true), scratch.path())?;
        let loaded = daemon.sample_after(Duration::ZERO)?.rss;
        daemon.apply(nipc, &veth_pairs(pairs, false), scratch.path())?;
        let after = daemon.sample_after(idle)?.rss;
        Ok(Cycle {
            idle: before,
            loaded,
            after,
        })
    })();
    let stopped = daemon.stop();
    let c = result?;
    stopped?;
    Ok(c)
}
