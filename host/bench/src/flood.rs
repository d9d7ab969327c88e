//! The flood benchmark: how long root's apply takes while `nobody` floods
//! the API with read calls, beside the same apply with nobody calling (the
//! baseline, measured in the same run).
//!
//! The release `nipartd` runs in a network namespace of its own with the
//! kernel, state, commander and conf plugins (the conf plugin's files in a
//! temporary directory) and 100 veth pairs, so that queries and checkpoints
//! have some weight. The attacker is 48 threads that each take `nobody`'s
//! credentials (for that thread only) and send `ListCheckpoints` and
//! `Show` back to back, every fifth call dropped with its connection, as in
//! issue 11. Root applies alternate an MTU on a veth. Needs root.

use std::{
    ffi::OsStr,
    fs,
    io::Write,
    os::unix::{fs::PermissionsExt, net::UnixStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
        mpsc,
    },
    thread,
    time::{Duration, Instant},
};

use crate::child::{self, Nipartd, Scratch};

use nipart_testkit::callers::{Tally, flood_reads, varlink_call};

use crate::{
    memory::Netns,
    table::{self, Row, Table},
};

const PLUGINS: [&str; 4] = ["kernel", "state", "commander", "conf"];
const FLOOD_CONNECTIONS: usize = 48;
const VETH_PAIRS: usize = 100;

/// One run's figures.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Median root apply, nobody calling.
    pub quiet: Duration,
    /// Median root apply under the flood.
    pub flooded: Duration,
    /// The attacker's calls answered per second.
    pub attacker_calls_per_s: f64,
}

/// Builds the four plugins in release mode into `target`; a temporary
/// plugin directory holding copies of them.
pub fn plugin_dir(
    cargo: &std::ffi::OsStr,
    repo: &Path,
    target: &Path,
) -> Result<tempfile::TempDir, String> {
    eprintln!("nipart-bench: building the kernel, state, commander and conf plugins ...");
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--quiet", "--lib", "--manifest-path"])
        .arg(repo.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target);
    for p in PLUGINS {
        cmd.args(["-p", &format!("nipart-plugin-{p}")]);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo to build the plugins: {e}"))?;
    if !status.success() {
        return Err(format!("building the plugins failed ({status})"));
    }
    let dir = tempfile::Builder::new()
        .prefix("nipart-bench-flood-")
        .tempdir()
        .map_err(|e| format!("creating a temporary plugin directory: {e}"))?;
    chmod(dir.path(), 0o755)?;
    for p in PLUGINS {
        let lib = format!("libnipart_plugin_{p}.so");
        let (from, to) = (target.join("release").join(&lib), dir.path().join(&lib));
        fs::copy(&from, &to).map_err(|e| format!("copying {}: {e}", from.display()))?;
        chmod(&to, 0o755)?;
    }
    Ok(dir)
}

fn chmod(path: &Path, mode: u32) -> Result<(), String> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

/// One root apply of `mtu`; how long it took.
fn apply(socket: &Path, mtu: u32) -> Result<Duration, String> {
    let started = Instant::now();
    let mut s = UnixStream::connect(socket).map_err(|e| format!("connecting: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(|e| e.to_string())?;
    let msg = serde_json::json!({
        "method": "io.nipart.Network.Apply",
        "parameters": {
            "state": {"interfaces": [{"name": "fb0", "type": "veth", "veth": {"peer": "fb0-ep"}, "mtu": mtu}]},
            "timeout_ms": 120000,
        },
    });
    let v = varlink_call(&mut s, &msg.to_string())?;
    if v.get("error").is_some() {
        return Err(format!("root's apply failed: {v}"));
    }
    Ok(started.elapsed())
}

/// The daemon in its namespace; stopped (SIGTERM) and its files removed on drop.
struct Node {
    child: Child,
    /// Its log, read so that it never blocks; not looked at.
    _lines: mpsc::Receiver<(Instant, String)>,
    socket: PathBuf,
    _scratch: Scratch,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Err(e) = child::stop(&mut self.child) {
            eprintln!("nipart-bench: warning: flood: {e}");
        }
    }
}

fn start(nipartd: &Path, plugins: &Path, ns: &Netns) -> Result<Node, String> {
    let scratch = Scratch::new("flood")?;
    // nobody must reach the socket.
    chmod(scratch.root(), 0o755)?;
    let config = scratch.write_config(
        plugins,
        "",
        "[plugin.commander]\nverify_interval_ms = 100\n",
    )?;
    let Nipartd { child, lines } = child::spawn(
        nipartd,
        Some(ns.name()),
        &[OsStr::new("--config"), config.as_os_str()],
    )?;
    let node = Node {
        child,
        _lines: lines,
        socket: scratch.socket(),
        _scratch: scratch,
    };
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut c) = UnixStream::connect(&node.socket)
            && varlink_call(&mut c, r#"{"method":"io.nipart.Daemon.Ping"}"#).is_ok()
        {
            return Ok(node);
        }
        if Instant::now() > until {
            return Err("nipartd did not answer within 60 s".into());
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// One run: a fresh daemon, `applies` quiet root applies, then as many
/// under the flood.
pub fn measure(nipartd: &Path, plugins: &Path, applies: usize) -> Result<Sample, String> {
    let ns = Netns::new()
        .ok_or("the flood benchmark needs root (network namespaces, nobody's credentials)")?;
    let lines: String = (0..VETH_PAIRS)
        .map(|i| format!("link add fv{i} type veth peer name fv{i}-p\n"))
        .collect();
    let mut ip = Command::new("ip")
        .args(["-n", ns.name(), "-batch", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running ip: {e}"))?;
    if let Some(mut stdin) = ip.stdin.take() {
        stdin
            .write_all(lines.as_bytes())
            .map_err(|e| format!("writing to ip: {e}"))?;
    }
    let status = ip.wait().map_err(|e| format!("waiting for ip: {e}"))?;
    if !status.success() {
        return Err(format!("creating veth pairs failed ({status})"));
    }
    let node = start(nipartd, plugins, &ns)?;
    let mtu = |i: usize| if i % 2 == 0 { 1400 } else { 1500 };
    // Warm-up: the first apply creates the veth; a few checkpoints to list.
    for i in 0..3 {
        apply(&node.socket, mtu(i))?;
    }
    let mut quiet = Vec::new();
    for i in 0..applies {
        quiet.push(apply(&node.socket, mtu(i))?);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let threads: Vec<_> = (0..FLOOD_CONNECTIONS)
        .map(|n| {
            let (socket, stop, tally) = (node.socket.clone(), stop.clone(), tally.clone());
            thread::spawn(move || flood_reads(&socket, "fb0", &stop, &tally, n))
        })
        .collect();
    thread::sleep(Duration::from_secs(1));
    let started = Instant::now();
    let answered_before = tally.answered.load(Ordering::Relaxed);
    let mut flooded = Vec::new();
    let mut result = Ok(());
    for i in 0..applies {
        match apply(&node.socket, mtu(i + 1)) {
            Ok(t) => flooded.push(t),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    let attacker = (tally.answered.load(Ordering::Relaxed) - answered_before) as f64
        / started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    result?;
    drop(node);
    Ok(Sample {
        quiet: median(quiet),
        flooded: median(flooded),
        attacker_calls_per_s: attacker,
    })
}

/// Runs the benchmark `runs` times (at most 3) and adds its rows to `table`.
pub fn bench(
    runs: usize,
    quick: bool,
    target: &Path,
    nipartd: &Path,
    table: &mut Table,
) -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("nipart-bench: flood: skipped (needs root)");
        return Ok(());
    }
    let plugins = plugin_dir(
        &crate::build::cargo(),
        &crate::build::workspace_dir(),
        target,
    )?;
    let applies = if quick { 5 } else { 11 };
    let runs = runs.min(3);
    eprintln!(
        "nipart-bench: flood: {runs} x ({applies} root applies quiet, {applies} with nobody flooding on {FLOOD_CONNECTIONS} connections) ..."
    );
    let mut samples = Vec::new();
    for _ in 0..runs {
        samples.push(measure(nipartd, plugins.path(), applies)?);
    }
    let ms = |f: fn(&Sample) -> Duration| {
        crate::median_f64(samples.iter().map(|s| f(s).as_secs_f64() * 1e3))
    };
    let (flooded, quiet) = (ms(|s| s.flooded), ms(|s| s.quiet));
    let attacker = crate::median_f64(samples.iter().map(|s| s.attacker_calls_per_s));
    table.section(&format!(
        "flood: root applies while nobody floods reads on {FLOOD_CONNECTIONS} connections ({VETH_PAIRS} veth pairs)"
    ));
    table.push(
        Row::new("root apply, flooded vs quiet")
            .values(table::millis(flooded), table::millis(quiet))
            .ratio(flooded / quiet),
    );
    table.push(
        Row::new("  attacker's calls answered")
            .values(format!("{}/s", table::rate(attacker)), String::new()),
    );
    Ok(())
}
