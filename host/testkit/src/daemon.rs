//! `nipartd` as a child process: started with a [`Sandbox`]'s
//! configuration (maybe in a [`Netns`]), its stderr collected, killed and
//! reaped on drop.

use std::{
    fs,
    io::Read,
    process::{Child, Command, ExitStatus, Stdio},
    sync::{Arc, Mutex},
    thread,
    time::{Duration, Instant},
};

use crate::{Netns, PATIENCE, Sandbox, nipartd_binary};

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
        Self::start_in_named(sandbox, extra, &ns.name)
    }

    /// As [`Self::start_in`], in the namespace named `ns`.
    pub(crate) fn start_in_named(sandbox: &Sandbox, extra: &str, ns: &str) -> Self {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns]).arg(nipartd_binary());
        Self::spawn(sandbox, extra, cmd)
    }

    /// As [`Self::start`] (in the namespace named `ns`, if any), behind
    /// `wrapper` (a command that ends by executing its remaining
    /// arguments; none when empty).
    pub(crate) fn start_wrapped(
        sandbox: &Sandbox,
        extra: &str,
        wrapper: &[String],
        ns: Option<&str>,
    ) -> Self {
        let mut words: Vec<std::ffi::OsString> = wrapper.iter().map(Into::into).collect();
        if let Some(ns) = ns {
            words.extend(["ip", "netns", "exec", ns].map(Into::into));
        }
        words.push(nipartd_binary().into());
        let mut cmd = Command::new(&words[0]);
        cmd.args(&words[1..]);
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
