//! `nipartd` as the benchmarks run it (startup, memory, flood): the binary
//! under test as a child process, maybe inside a network namespace, without
//! the caller's log and systemd settings, its stderr lines read by a thread
//! (each stamped with its arrival) so that it never blocks on a full pipe;
//! stopped with [`stop`]. Its files are in a [`Scratch`] directory, never in
//! the host's `/etc/nipart` or `/var/lib/nipart`.

use std::{
    ffi::OsStr,
    fs,
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
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

/// A daemon's own temporary directory: its configuration, its API socket
/// and the files the conf plugin keeps; removed on drop.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// A new one, named for the benchmark `what`.
    pub fn new(what: &str) -> Result<Self, String> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("nipart-bench-{what}-state-"))
            .tempdir()
            .map_err(|e| format!("creating a temporary directory: {e}"))?;
        Ok(Self { dir })
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside it.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The daemon's API socket.
    pub fn socket(&self) -> PathBuf {
        self.path("nipart.sock")
    }

    /// Writes the daemon's configuration: `plugin_dir`, the `top` lines,
    /// the socket, conf's directories in here, then `sections`. Its path.
    pub fn write_config(
        &self,
        plugin_dir: &Path,
        top: &str,
        sections: &str,
    ) -> Result<PathBuf, String> {
        let q = |p: &Path| format!("{:?}", p.display().to_string());
        let config = self.path("nipartd.toml");
        fs::write(
            &config,
            format!(
                "plugin_dir = {}\n{top}[api]\nsocket = {}\n\
                 [plugin.conf]\nconfig_dir = {}\nstate_dir = {}\n{sections}",
                q(plugin_dir),
                q(&self.socket()),
                q(&self.path("etc")),
                q(&self.path("var")),
            ),
        )
        .map_err(|e| format!("writing {}: {e}", config.display()))?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The daemon's stderr comes through the channel, and `stop` reports a
    /// daemon that did not exit cleanly.
    #[test]
    fn stderr_lines_arrive_and_a_failed_exit_is_an_error() {
        let nipartd = nipart_testkit::nipartd_binary();
        let scratch = Scratch::new("child-test").unwrap();
        let missing = scratch.path("missing.toml");
        let mut d = spawn(
            &nipartd,
            None,
            &[OsStr::new("--config"), missing.as_os_str()],
        )
        .unwrap();
        let (_, line) = d.lines.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(
            line,
            format!(
                "nipartd: invalid configuration: {}: cannot be read: No such file or directory (os error 2)",
                missing.display()
            )
        );
        let err = stop(&mut d.child).unwrap_err();
        assert!(err.contains("exited with exit status: 2"), "{err}");
    }
}
