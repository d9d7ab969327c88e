//! The memory benchmark: resident memory and thread count of the release
//! `nipartd` with every plugin of the workspace (`plugins/*`) loaded and
//! idle, beside the same daemon with an empty plugin directory (the
//! baseline, measured in the same run).
//!
//! The daemon runs in a network namespace of its own when it can (root), so
//! that its plugins see a quiet network, and every plugin that keeps files
//! gets a temporary directory (never the host's `/etc/nipart` or
//! `/var/lib/nipart`).

use std::{
    ffi::OsString,
    fs,
    io::{BufRead, BufReader},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

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

/// Starts `nipartd` on `plugin_dir`, waits for its ready line, lets it idle
/// for `idle`, reads its memory and threads, and stops it.
pub fn measure(
    nipartd: &Path,
    plugin_dir: &Path,
    netns: Option<&Netns>,
    idle: Duration,
) -> Result<Sample, String> {
    let scratch = tempfile::Builder::new()
        .prefix("nipart-bench-memory-state-")
        .tempdir()
        .map_err(|e| format!("creating a temporary directory: {e}"))?;
    let s = scratch.path();
    let config = s.join("nipartd.toml");
    let q = |p: PathBuf| format!("{:?}", p.display().to_string());
    fs::write(
        &config,
        format!(
            "plugin_dir = {}\nlog_level = \"info\"\n[api]\nsocket = {}\n\
             [plugin.conf]\nconfig_dir = {}\nstate_dir = {}\n\
             [plugin.dhcp]\nlease_dir = {}\n",
            q(plugin_dir.to_path_buf()),
            q(s.join("nipart.sock")),
            q(s.join("etc")),
            q(s.join("var")),
            q(s.join("dhcp")),
        ),
    )
    .map_err(|e| format!("writing {}: {e}", config.display()))?;
    let mut cmd = match netns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", &ns.0]).arg(nipartd);
            c
        }
        None => Command::new(nipartd),
    };
    cmd.arg("--config")
        .arg(&config)
        .env_remove("NIPART_LOG")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("JOURNAL_STREAM")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", nipartd.display()))?;
    let result = idle_sample(&mut child, idle);
    let stopped = crate::startup::stop(&mut child);
    let sample = result?;
    stopped?;
    Ok(sample)
}

fn idle_sample(child: &mut Child, idle: Duration) -> Result<Sample, String> {
    let stderr = child
        .stderr
        .take()
        .ok_or("nipartd's stderr was not captured")?;
    let (tx, rx) = mpsc::channel::<String>();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut tail = Vec::new();
    let running = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .map_err(|_| {
                format!(
                    "nipartd was not ready within 60 s; its last lines:\n{}",
                    tail.join("\n")
                )
            })?;
        if let Some(rest) = line.split("nipartd ready in ").nth(1) {
            break rest
                .split(" ms: ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0);
        }
        tail.push(line);
    };
    thread::sleep(idle);
    // Keep draining so the daemon never blocks on a full pipe.
    while rx.try_recv().is_ok() {}
    let pid = child.id();
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
        running,
    })
}
