//! Test harness: network namespaces, the daemon run in-process inside one,
//! and a bus client that observes events and sends requests.
//!
//! The tests need root (they create network namespaces and veth pairs).

#![allow(dead_code)] // each test file uses a part of it

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::OnceLock,
    time::{Duration, Instant},
};

use nipart_plugin_api::{Address, Error, Event};
use nipart_testkit::{BusClient, DaemonBuilder, InProcessDaemon, reply_result};
use nipartd::{MemberId, bus::daemon_event};
use serde_json::{Value, json};

pub use nipart_testkit::Netns;

/// The kernel's view: name → (index, up, carrier, sorted addresses).
pub fn kernel_state(ns: &Netns) -> BTreeMap<String, LinkView> {
    let text = ns.ip("-j addr show");
    let links: Vec<Value> = serde_json::from_str(&text).unwrap();
    links
        .iter()
        .map(|l| {
            let flags: Vec<&str> = l["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            let mut addresses: Vec<String> = l["addr_info"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|a| format!("{}/{}", a["local"].as_str().unwrap(), a["prefixlen"]))
                        .collect()
                })
                .unwrap_or_default();
            addresses.sort();
            let name = l["ifname"].as_str().unwrap().to_string();
            (
                name,
                LinkView {
                    index: l["ifindex"].as_u64().unwrap() as u32,
                    up: flags.contains(&"UP"),
                    carrier: flags.contains(&"LOWER_UP"),
                    addresses,
                },
            )
        })
        .collect()
}

/// The ifindex of `name` in `ns`.
pub fn index(ns: &Netns, name: &str) -> u32 {
    kernel_state(ns)[name].index
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    pub index: u32,
    pub up: bool,
    pub carrier: bool,
    pub addresses: Vec<String>,
}

/// The `.so` files under test, built once per test binary.
pub struct Artifacts {
    pub monitor: PathBuf,
    pub ruler: PathBuf,
}

/// Builds the monitor plugin and the fixture with the same cargo, profile
/// and target directory as this test binary (`cargo test` of another
/// package does not build a cdylib), and returns their paths.
pub fn artifacts() -> &'static Artifacts {
    static ARTIFACTS: OnceLock<Artifacts> = OnceLock::new();
    ARTIFACTS.get_or_init(|| {
        let profile_dir = nipart_testkit::build_in_workspace(&[
            "-p",
            "nipart-plugin-monitor",
            "--lib",
            "--example",
            "monitor_test_ruler",
        ]);
        let a = Artifacts {
            monitor: profile_dir.join("libnipart_plugin_monitor.so"),
            ruler: profile_dir.join("examples/libmonitor_test_ruler.so"),
        };
        assert!(a.monitor.is_file(), "{} is missing", a.monitor.display());
        assert!(a.ruler.is_file(), "{} is missing", a.ruler.display());
        a
    })
}

pub const CLIENT: u64 = 1;

/// The daemon running in a namespace, and a bus client observing it.
pub struct Daemon {
    // Leaves the bus before the daemon shuts down.
    client: BusClient,
    daemon: InProcessDaemon,
}

impl Daemon {
    /// Starts the daemon inside `ns` with `plugins` and the configuration
    /// `extra_toml` (e.g. a `[plugin.monitor]` section).
    pub fn start(ns: &Netns, plugins: &[&Path], extra_toml: &str) -> Daemon {
        Self::try_start(ns, plugins, extra_toml).unwrap_or_else(|e| panic!("daemon start: {e}"))
    }

    /// Like [`Daemon::start`]; a start-up error comes back as its message.
    pub fn try_start(ns: &Netns, plugins: &[&Path], extra_toml: &str) -> Result<Daemon, String> {
        let mut builder = DaemonBuilder::new()
            .netns(ns)
            .require(&["monitor"])
            .config(extra_toml);
        for p in plugins {
            builder = builder.plugin(*p);
        }
        let daemon = builder.start().map_err(|e| e.to_string())?;
        let client = BusClient::join(daemon.bus(), CLIENT);
        client.subscribe(&["link.*", "address.*", "monitor.**", "plugin.*", "test.**"]);
        Ok(Daemon { client, daemon })
    }

    pub fn start_monitor(ns: &Netns) -> Daemon {
        Self::start(ns, &[&artifacts().monitor], "")
    }

    /// Sends a request from the client; returns the reply's payload, or
    /// the error of a `Cancelled` reply.
    pub fn request_raw(&self, topic: &str, dst: Address, payload: Vec<u8>) -> Result<Value, Error> {
        let id = self.client.send_request_bytes(topic, dst, payload, None)?;
        reply_result(&self.client.wait(id, Duration::from_secs(10)).reply)
    }

    pub fn request(&self, topic: &str, payload: Value) -> Result<Value, Error> {
        self.request_raw(
            topic,
            Address::role("monitor"),
            serde_json::to_vec(&payload).unwrap(),
        )
    }

    /// Publishes a plain event from the client.
    pub fn send(&self, topic: &str, dst: Address, payload: Value) {
        self.client.notify(topic, dst, &payload);
    }

    /// Publishes an event as the daemon itself does.
    pub fn send_as_daemon(&self, topic: &str, payload: Value) {
        self.daemon
            .bus()
            .publish_from(
                &MemberId::Daemon,
                daemon_event(topic, Address::All, serde_json::to_vec(&payload).unwrap()),
            )
            .unwrap();
    }

    /// Events received until none came for `quiet` (at most `max` in all).
    pub fn events_until_quiet(&self, quiet: Duration, max: Duration) -> Vec<Event> {
        self.client.events_until_quiet(quiet, max)
    }

    /// The events after an action, once things settled (200 ms without one).
    pub fn settle(&self) -> Vec<Event> {
        self.events_until_quiet(Duration::from_millis(200), Duration::from_secs(10))
    }

    /// Waits for an event matching `pred`; returns it with those before it.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&Event) -> bool,
    ) -> (Vec<Event>, Event) {
        let end = Instant::now() + timeout;
        let mut before = Vec::new();
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.client.recv_event(left) {
                Some(e) if pred(&e) => return (before, e),
                Some(e) => before.push(e),
                None => panic!("no {what} within {timeout:?}; got {:?}", summaries(&before)),
            }
        }
    }

    /// The monitor's view in the same form as [`kernel_state`].
    pub fn monitor_state(&self) -> BTreeMap<String, LinkView> {
        let v = self.request("monitor.links", json!({})).unwrap();
        v["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let mut addresses: Vec<String> = l["addresses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect();
                addresses.sort();
                (
                    l["name"].as_str().unwrap().to_string(),
                    LinkView {
                        index: l["index"].as_u64().unwrap() as u32,
                        up: l["up"].as_bool().unwrap(),
                        carrier: l["carrier"].as_bool().unwrap(),
                        addresses,
                    },
                )
            })
            .collect()
    }

    /// Shuts the daemon down; returns the errors it met.
    pub fn shutdown(&mut self) -> Vec<String> {
        self.daemon.shutdown()
    }

    /// Events received so far without waiting.
    pub fn pending_events(&self) -> Vec<Event> {
        self.client.pending_events()
    }
}

/// `"link.admin-up va"`, `"address.added va 10.0.0.1/24"`, or the topic.
pub fn summary(e: &Event) -> String {
    let p: Value = serde_json::from_slice(&e.payload).unwrap_or(Value::Null);
    if e.topic.starts_with("link.") {
        format!("{} {}", e.topic, p["name"].as_str().unwrap_or("?"))
    } else if e.topic.starts_with("address.") {
        format!(
            "{} {} {}/{}",
            e.topic,
            p["name"].as_str().unwrap_or("?"),
            p["address"].as_str().unwrap_or("?"),
            p["prefix_len"]
        )
    } else {
        e.topic.to_string()
    }
}

pub fn summaries(events: &[Event]) -> Vec<String> {
    events.iter().map(summary).collect()
}

/// Sorted summaries, for steps whose events come from several devices in
/// an order the kernel does not fix.
pub fn sorted(events: &[Event]) -> Vec<String> {
    let mut v = summaries(events);
    v.sort();
    v
}

pub fn payload(e: &Event) -> Value {
    serde_json::from_slice(&e.payload).unwrap()
}

/// A veth pair `a`–`b` in `ns`, both up or down.
pub fn veth(ns: &Netns, a: &str, b: &str, up: bool) {
    ns.ip(&format!("link add name {a} type veth peer name {b}"));
    if up {
        ns.ip(&format!("link set dev {a} up"));
        ns.ip(&format!("link set dev {b} up"));
    }
}
