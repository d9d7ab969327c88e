//! `nipartd` as the benchmarks run it (startup, memory, flood): the binary
//! under test as a child process, maybe inside a network namespace, without
//! the caller's log and systemd settings, its stderr lines read by a thread
//! (each stamped with its arrival) so that it never blocks on a full pipe;
//! stopped with [`stop`].

use std::{
    ffi::OsStr,
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

/// A started `nipartd` and its stderr lines as they come.
pub struct Nipartd {
    pub child: Child,
    pub lines: mpsc::Receiver<(Instant, String)>,
}

/// Starts `nipartd ARGS` (inside the namespace `netns` when given).
pub fn spawn(nipartd: &Path, netns: Option<&str>, args: &[&OsStr]) -> Result<Nipartd, String> {
    let mut cmd = match netns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", ns]).arg(nipartd);
            c
        }
        None => Command::new(nipartd),
    };
    cmd.args(args)
        .env_remove("NIPART_LOG")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("JOURNAL_STREAM")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", nipartd.display()))?;
    let Some(stderr) = child.stderr.take() else {
        let _ = child.kill();
        let _ = child.wait();
        return Err("nipartd's stderr was not captured".into());
    };
    let (tx, lines) = mpsc::channel();
    thread::spawn(move || {
        // Read to the end even when nobody listens any more: the daemon
        // must never block on its stderr.
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send((Instant::now(), line));
        }
    });
    Ok(Nipartd { child, lines })
}

/// SIGTERM, then waits (at most 30 s) for a successful exit; killed if it
/// does not stop.
pub fn stop(child: &mut Child) -> Result<(), String> {
    let pid = child.id() as libc::pid_t;
    // SAFETY: kill has no memory-safety preconditions; `pid` is our child,
    // not yet reaped, so the id can't have been reused.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("nipartd exited with {status} on SIGTERM")),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("nipartd did not stop within 30 s of SIGTERM; killed".into());
            }
            Err(e) => return Err(format!("waiting for nipartd: {e}")),
        }
    }
}
