//! Test harness: network namespaces, the daemon run in-process inside one,
//! and a bus client that observes events and sends requests.
//!
//! The tests need root (they create network namespaces and veth pairs).

#![allow(dead_code)] // each test file uses a part of it

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::{Arc, OnceLock, mpsc},
    time::{Duration, Instant},
};

use nipart_plugin_abi::FfiEvent;
use nipart_plugin_api::{Address, Error, Event, EventState};
use nipartd::{
    DaemonConfig, EventBus, Lifecycle, MemberId, MemberState,
    bus::{Sink, daemon_event},
};
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

/// With `NIPART_LOG` set (e.g. `debug`), the daemon's and the plugins'
/// logs go to standard error (shown for failing tests).
fn init_logging() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if let Ok(filter) = std::env::var("NIPART_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
    });
}

/// What the test client receives.
struct ClientSink {
    events: mpsc::Sender<Event>,
    replies: mpsc::Sender<Event>,
}

impl Sink for ClientSink {
    fn deliver(&self, event: FfiEvent) -> nipart_plugin_api::Result<u32> {
        let event = Event::from_ffi(event)?;
        let is_reply = event.ref_id.is_some()
            && matches!(event.state, EventState::Done | EventState::Cancelled);
        let tx = if is_reply {
            &self.replies
        } else {
            &self.events
        };
        let _ = tx.send(event);
        Ok(0)
    }
}

pub const CLIENT: u64 = 1;

/// The daemon running in a namespace, and a bus client observing it.
pub struct Daemon {
    lifecycle: Option<Lifecycle>,
    pub bus: Arc<EventBus>,
    events: mpsc::Receiver<Event>,
    replies: mpsc::Receiver<Event>,
    _plugin_dir: tempfile::TempDir,
}

impl Daemon {
    /// Starts the daemon inside `ns` with `plugins` and the configuration
    /// `extra_toml` (e.g. a `[plugin.monitor]` section).
    pub fn start(ns: &Netns, plugins: &[&Path], extra_toml: &str) -> Daemon {
        Self::try_start(ns, plugins, extra_toml).unwrap_or_else(|e| panic!("daemon start: {e}"))
    }

    /// Like [`Daemon::start`]; a start-up error comes back as its message.
    pub fn try_start(ns: &Netns, plugins: &[&Path], extra_toml: &str) -> Result<Daemon, String> {
        init_logging();
        let dir = tempfile::tempdir().unwrap();
        for p in plugins {
            std::fs::copy(p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
        let mut config = DaemonConfig::from_toml(extra_toml).unwrap();
        config.plugin_dir = dir.path().to_path_buf();
        config.required_plugins = vec!["monitor".into()];
        let lifecycle = ns
            .run_inside(move || Lifecycle::start(config))
            .map_err(|e| e.to_string())?;
        let bus = lifecycle.bus().clone();
        let (etx, erx) = mpsc::channel();
        let (rtx, rrx) = mpsc::channel();
        let member = bus
            .join(
                MemberId::Client(CLIENT),
                Vec::new(),
                Box::new(ClientSink {
                    events: etx,
                    replies: rtx,
                }),
            )
            .unwrap();
        member.set_state(MemberState::Running);
        for p in ["link.*", "address.*", "monitor.**", "plugin.*", "test.**"] {
            bus.subscribe(&MemberId::Client(CLIENT), p).unwrap();
        }
        Ok(Daemon {
            lifecycle: Some(lifecycle),
            bus,
            events: erx,
            replies: rrx,
            _plugin_dir: dir,
        })
    }

    pub fn start_monitor(ns: &Netns) -> Daemon {
        Self::start(ns, &[&artifacts().monitor], "")
    }

    /// Sends a request from the client; returns the reply's payload, or
    /// the error of a `Cancelled` reply.
    pub fn request_raw(&self, topic: &str, dst: Address, payload: Vec<u8>) -> Result<Value, Error> {
        let mut ev = Event::new(topic, dst);
        ev.payload = payload;
        ev.request = true;
        let id = ev.id;
        self.bus
            .publish_from(&MemberId::Client(CLIENT), ev.into_ffi())?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = self
                .replies
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no reply to {topic} within 10 s"));
            if reply.ref_id != Some(id) {
                continue;
            }
            return match reply.state {
                EventState::Done => {
                    Ok(serde_json::from_slice(&reply.payload).unwrap_or(Value::Null))
                }
                _ => Err(reply.json::<Error>().unwrap()),
            };
        }
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
        let ev = Event::new(topic, dst).with_json(&payload).unwrap();
        self.bus
            .publish_from(&MemberId::Client(CLIENT), ev.into_ffi())
            .unwrap();
    }

    /// Publishes an event as the daemon itself does.
    pub fn send_as_daemon(&self, topic: &str, payload: Value) {
        let all = nipart_plugin_abi::FfiAddress {
            kind: nipart_plugin_abi::address_kind::ALL,
            name: "".into(),
        };
        self.bus
            .publish_from(
                &MemberId::Daemon,
                daemon_event(topic, all, serde_json::to_vec(&payload).unwrap()),
            )
            .unwrap();
    }

    /// Events received until none came for `quiet` (at most `max` in all).
    pub fn events_until_quiet(&self, quiet: Duration, max: Duration) -> Vec<Event> {
        let end = Instant::now() + max;
        let mut out = Vec::new();
        loop {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return out;
            }
            match self.events.recv_timeout(quiet.min(left)) {
                Ok(e) => out.push(e),
                Err(_) => return out,
            }
        }
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
            match self.events.recv_timeout(left) {
                Ok(e) if pred(&e) => return (before, e),
                Ok(e) => before.push(e),
                Err(_) => panic!("no {what} within {timeout:?}; got {:?}", summaries(&before)),
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
        self.lifecycle
            .take()
            .map(|l| l.shutdown())
            .unwrap_or_default()
    }

    /// Events received so far without waiting.
    pub fn pending_events(&self) -> Vec<Event> {
        self.events.try_iter().collect()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(l) = self.lifecycle.take() {
            let _ = l.shutdown();
        }
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
        e.topic.clone()
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
