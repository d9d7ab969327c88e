//! A real `nipartd` (child process, the test kit's `DaemonProcess`) inside
//! a network namespace of its own, with the kernel, state, commander and
//! conf plugins and the conf plugin's directories in its sandbox; driven by
//! the real `nipc`.
//!
//! Needs root (network namespaces, veth pairs).

#![allow(dead_code)] // each test file uses a part of it

use std::{
    fs,
    path::PathBuf,
    process::{Command, Output},
    thread,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use nipart_plugin_api::state::NetworkState;
use nipart_testkit::{DaemonBuilder, DaemonProcess, Sandbox};

pub use nipart_testkit::{Netns, nipc_binary};

/// Short verification pauses, so that tests (and the boot apply) are quick.
pub const FAST: &str = "[plugin.commander]\nverify_interval_ms = 100\n";

/// A namespace, and the daemon's files and process (when running).
pub struct Node {
    pub daemon: DaemonProcess,
    // Dropped last: the daemon must be gone before its namespace.
    pub ns: Netns,
}

impl Node {
    /// A fresh namespace (`lo` up) and sandbox; `extra` is added to the
    /// daemon's configuration.
    pub fn new(extra: &str) -> Node {
        Self::with_conf(extra, "")
    }

    /// As [`Self::new`], with more `[plugin.conf]` lines (the section
    /// always names the sandbox's directories).
    pub fn with_conf(extra: &str, conf_lines: &str) -> Node {
        Self::with_plugins(&[], extra, conf_lines)
    }

    /// As [`Self::new`], with the monitor plugin too (conf watches the
    /// links of saved interfaces that are missing at start).
    pub fn with_monitor(extra: &str) -> Node {
        Self::with_plugins(&["nipart-plugin-monitor"], extra, "")
    }

    fn with_plugins(more: &[&str], extra: &str, conf_lines: &str) -> Node {
        let ns = Netns::new();
        ns.ip("link set lo up");
        let mut plugins = vec![
            "nipart-plugin-kernel",
            "nipart-plugin-state",
            "nipart-plugin-commander",
            "nipart-plugin-conf",
        ];
        plugins.extend_from_slice(more);
        let daemon = DaemonBuilder::new()
            .workspace_plugins(&plugins)
            .netns(&ns)
            .config(extra)
            .conf(conf_lines)
            .build();
        Node { daemon, ns }
    }

    /// The daemon's files.
    pub fn sandbox(&self) -> &Sandbox {
        self.daemon.sandbox()
    }

    /// Starts the daemon and waits until it answers and conf has handled
    /// the start (the boot apply ended, or there was nothing to apply).
    pub fn start(&mut self) -> String {
        let d = self.daemon.start();
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            let err = d.stderr();
            let boot_failed = err
                .lines()
                .any(|l| l.contains("applying the saved state") && l.contains(" failed: "));
            if boot_failed
                || [
                    "nothing to apply at start",
                    "is applied",
                    "nothing of it was applied",
                ]
                .iter()
                .any(|t| err.contains(t))
            {
                break;
            }
            assert!(
                Instant::now() < give_up,
                "conf did not finish the boot apply; stderr:\n{err}"
            );
            thread::sleep(Duration::from_millis(10));
        }
        self.stderr()
    }

    /// SIGTERM and wait; the daemon's whole stderr.
    pub fn stop(&mut self) -> String {
        self.daemon.stop(Duration::from_secs(20))
    }

    /// SIGKILL and reap.
    pub fn kill(&mut self) {
        self.daemon.kill();
    }

    pub fn stderr(&self) -> String {
        self.daemon.log()
    }

    /// The saved desired state file.
    pub fn state_file(&self) -> PathBuf {
        self.sandbox().conf_dirs().0.join("state.yml")
    }

    /// The checkpoint directory.
    pub fn checkpoint_dir(&self) -> PathBuf {
        self.sandbox().conf_dirs().1.join("checkpoints")
    }

    /// The saved desired state, parsed.
    pub fn saved(&self) -> NetworkState {
        let text = fs::read_to_string(self.state_file())
            .unwrap_or_else(|e| panic!("{}: {e}", self.state_file().display()));
        NetworkState::from_yaml(&text).unwrap_or_else(|e| panic!("state.yml: {e}\n{text}"))
    }

    /// `nipc --socket … ARGS`.
    pub fn nipc(&self, args: &[&str]) -> Output {
        Command::new(nipc_binary())
            .arg("--socket")
            .arg(self.daemon.socket())
            .args(args)
            .output()
            .expect("running nipc")
    }

    /// `nipc ARGS` that must succeed; its standard output.
    pub fn nipc_ok(&self, args: &[&str]) -> String {
        let out = self.nipc(args);
        assert!(
            out.status.success(),
            "nipc {args:?} failed ({}): {}{}\ndaemon:\n{}",
            out.status,
            text(&out.stdout),
            text(&out.stderr),
            self.stderr()
        );
        text(&out.stdout)
    }

    /// `nipc ARGS` that must fail with exit code `code` (nipc(1)); its
    /// standard error.
    pub fn nipc_err(&self, code: i32, args: &[&str]) -> String {
        let out = self.nipc(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "nipc {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stderr)
    }

    /// Writes `yaml` to a file in the sandbox and applies it with `opts`;
    /// the result (JSON).
    pub fn apply(&self, yaml: &str, opts: &[&str]) -> serde_json::Value {
        let out = self.try_apply(yaml, opts);
        assert!(
            out.status.success(),
            "apply failed: {}\nstate:\n{yaml}\ndaemon:\n{}",
            text(&out.stderr),
            self.stderr()
        );
        serde_json::from_slice(&out.stdout).expect("apply prints JSON with -o json")
    }

    pub fn try_apply(&self, yaml: &str, opts: &[&str]) -> Output {
        let file = self.sandbox().path("desired.yml");
        fs::write(&file, yaml).unwrap();
        let mut args = vec!["-o", "json", "apply"];
        args.extend_from_slice(opts);
        let f = file.display().to_string();
        args.push(&f);
        self.nipc(&args)
    }

    /// `nipc show`, parsed.
    pub fn show(&self) -> NetworkState {
        let out = self.nipc_ok(&["-o", "json", "show"]);
        NetworkState::from_json(&out).unwrap_or_else(|e| panic!("show: {e}\n{out}"))
    }

    /// `nipc checkpoints`, parsed.
    pub fn checkpoints(&self) -> Vec<serde_json::Value> {
        let out = self.nipc_ok(&["-o", "json", "checkpoints"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["checkpoints"].as_array().cloned().unwrap_or_default()
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// xorshift64*: enough to spread kills at random moments; seeded from the
/// clock unless the environment variable `var` gives the seed, so that a
/// failing run (the test prints the seed) can be repeated.
pub struct Rng(u64);

impl Rng {
    /// The generator and its seed.
    pub fn from_env(var: &str) -> (Rng, u64) {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        (Rng(seed), seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
