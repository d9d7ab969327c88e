//! Test harness for the network-state workflow: network namespaces the
//! tests create and always remove, the daemon run in-process inside one
//! with the kernel, state and commander plugins, and a bus client that
//! sends the calls the API server sends.
//!
//! Needs root (network namespaces, veth pairs, bridges).

#![allow(dead_code)] // each test file uses a part of it

use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
    time::Duration,
};

use nipart_plugin_api::{
    Address, Error,
    state::{ApplyProgress, ApplyResult, NetworkState, topics},
};
use nipart_testkit::{BusClient, DaemonBuilder, InProcessDaemon};
use serde_json::{Value, json};

pub use nipart_testkit::{Netns, run};

/// A fresh namespace with `lo` up, as a host has it.
pub fn netns() -> Netns {
    let ns = Netns::new();
    ns.ip("link set lo up");
    ns
}

/// `ip -j -d link show` without the running timers, and without the
/// operational state: the kernel updates it up to a second after a
/// carrier change (linkwatch), so a bridge that just got its port may
/// still say `UNKNOWN` in a snapshot taken at once, and `UP` a moment
/// later with nothing changed. The flags (`UP`, `LOWER_UP`) say the same
/// without the delay.
pub fn links_without_timers(ns: &Netns) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|k, _| !k.contains("timer") && k != "operstate");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = ns.ip_json("-d link show");
    strip(&mut v);
    v
}

/// The `.so` files under test.
pub struct Artifacts {
    pub kernel: PathBuf,
    pub state: PathBuf,
    pub commander: PathBuf,
    pub fault: PathBuf,
}

/// Builds the three plugins (with the cargo, profile and target directory
/// of this test binary: `cargo test` of another package does not build a
/// cdylib) and the `state-fault` fixture (in the fixtures workspace, into
/// `<target>/loader-fixtures`), once per process.
pub fn artifacts() -> &'static Artifacts {
    static A: OnceLock<Artifacts> = OnceLock::new();
    A.get_or_init(|| {
        let profile_dir = nipart_testkit::build_in_workspace(&[
            "-p",
            "nipart-plugin-kernel",
            "-p",
            "nipart-plugin-state",
            "-p",
            "nipart-plugin-commander",
            "--lib",
        ]);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target_dir = nipart_testkit::target_dir();
        let fixtures = target_dir.join("loader-fixtures");
        run(nipart_testkit::cargo()
            .args(["build", "--quiet", "--manifest-path"])
            .arg(root.join("loader-tests/fixtures/Cargo.toml"))
            .args(["-p", "nipart-fixture-state-fault", "--target-dir"])
            .arg(&fixtures));
        let a = Artifacts {
            kernel: profile_dir.join("libnipart_plugin_kernel.so"),
            state: profile_dir.join("libnipart_plugin_state.so"),
            commander: profile_dir.join("libnipart_plugin_commander.so"),
            fault: fixtures.join("debug/libnipart_fixture_state_fault.so"),
        };
        for p in [&a.kernel, &a.state, &a.commander, &a.fault] {
            assert!(
                p.is_file(),
                "{} is missing; build it with `cargo build -p nipart-plugin-kernel -p nipart-plugin-state -p nipart-plugin-commander`",
                p.display()
            );
        }
        a
    })
}

/// The daemon running in a namespace, and a bus client.
pub struct Daemon {
    // Leaves the bus before the daemon shuts down.
    client: BusClient,
    daemon: InProcessDaemon,
}

/// The outcome of one call: its progress events and the final reply.
#[derive(Debug)]
pub struct CallOutcome {
    pub progress: Vec<ApplyProgress>,
    pub result: Result<Value, Error>,
}

impl Daemon {
    /// Starts the daemon inside `ns` with the kernel, state and commander
    /// plugins, and the `state-fault` fixture when `fault` is set;
    /// `extra_toml` is appended to the configuration.
    pub fn start(ns: &Netns, fault: bool, extra_toml: &str) -> Daemon {
        let a = artifacts();
        let mut builder = DaemonBuilder::new()
            .netns(ns)
            .plugin(&a.kernel)
            .plugin(&a.state)
            .plugin(&a.commander)
            .require(&["kernel", "state", "commander"])
            .config(extra_toml);
        if fault {
            builder = builder.plugin(&a.fault);
        }
        let daemon = builder
            .start()
            .unwrap_or_else(|e| panic!("daemon start: {e}"));
        let client = daemon.client();
        Daemon { client, daemon }
    }

    /// Sends a request as the API server does (no deadline); its id.
    pub fn send(&self, topic: &str, dst: Address, payload: Value) -> nipart_plugin_api::EventId {
        self.client
            .send_request_bytes(topic, dst, serde_json::to_vec(&payload).unwrap(), None)
            .unwrap_or_else(|e| panic!("publishing {topic}: {e}"))
    }

    /// Collects the progress and the reply of request `id`.
    pub fn wait(&self, id: nipart_plugin_api::EventId, timeout: Duration) -> CallOutcome {
        let out = self.client.wait(id, timeout);
        CallOutcome {
            progress: out.progress.iter().map(|e| e.json().unwrap()).collect(),
            result: out.result(),
        }
    }

    /// Sends a request and collects its progress and reply.
    pub fn call(
        &self,
        topic: &str,
        dst: Address,
        payload: Value,
        timeout: Duration,
    ) -> CallOutcome {
        let id = self.send(topic, dst, payload);
        self.wait(id, timeout)
    }

    /// The payload the API server sends for `Apply`.
    pub fn apply_payload(yaml: &str, options: Value) -> Value {
        let state: Value =
            serde_norway::from_str(yaml).unwrap_or_else(|e| panic!("test YAML: {e}"));
        json!({
            "method": "io.nipart.Network.Apply",
            "parameters": {"state": state, "options": options},
            "more": true,
            "caller": {"uid": 0, "gid": 0, "pid": 1, "admin": true},
        })
    }

    /// `Show` through the commander: the current state.
    pub fn show(&self) -> NetworkState {
        let out = self.call(
            topics::SHOW,
            Address::role("commander"),
            json!({"method": "io.nipart.Network.Show", "parameters": {}}),
            Duration::from_secs(30),
        );
        let v = out.result.unwrap_or_else(|e| panic!("show failed: {e}"));
        NetworkState::from_value(&v)
            .unwrap_or_else(|e| panic!("show gave an invalid state: {e}\n{v}"))
    }

    /// `Apply` of a YAML state through the commander, with `options`.
    pub fn apply_with(&self, yaml: &str, options: Value) -> CallOutcome {
        self.call(
            topics::APPLY,
            Address::role("commander"),
            Self::apply_payload(yaml, options),
            Duration::from_secs(120),
        )
    }

    /// `Apply` that must succeed; its result.
    pub fn apply(&self, yaml: &str) -> ApplyResult {
        let out = self.apply_with(yaml, json!({}));
        let v = out.result.unwrap_or_else(|e| {
            panic!(
                "apply failed: {e}\nstate:\n{yaml}\nprogress: {:#?}",
                out.progress
            )
        });
        serde_json::from_value(v).unwrap()
    }

    /// `Apply` that must fail; the error.
    pub fn apply_err(&self, yaml: &str) -> Error {
        match self.apply_with(yaml, json!({})).result {
            Ok(v) => panic!("apply should have failed, it gave {v:#}"),
            Err(e) => e,
        }
    }
}

/// Asserts `state` (a query) shows `desired` exactly: every property the
/// desired state gives, as given.
pub fn assert_shows(state: &NetworkState, desired_yaml: &str) {
    let desired = NetworkState::from_yaml(desired_yaml).unwrap();
    let diffs = nipart_plugin_api::state::differences(&desired, state);
    assert!(
        diffs.is_empty(),
        "the query differs from the desired state: {:#?}\nquery:\n{}",
        diffs.iter().map(ToString::to_string).collect::<Vec<_>>(),
        state.to_yaml()
    );
}

/// The query without the loopback interface, for whole-state comparisons.
pub fn without_lo(mut s: NetworkState) -> NetworkState {
    s.interfaces.retain(|i| i.name != "lo");
    s
}

/// Applies each nmstate-format file of `tests/SUBDIR` (there must be
/// `count`), in name order, with `apply`: each parses, verifies, shows
/// (by `show`) as written, and applying it again changes nothing.
pub fn apply_nmstate_files(
    subdir: &str,
    count: usize,
    apply: impl Fn(&str) -> ApplyResult,
    show: impl Fn() -> NetworkState,
) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(subdir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), count, "{files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        NetworkState::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let r = apply(&text);
        assert!(r.verified, "{}", f.display());
        assert_shows(&show(), &text);
        let again = apply(&text);
        assert!(
            again.changes.is_empty(),
            "{}: second apply changed {:?}",
            f.display(),
            again.changes
        );
    }
}
