//! Benchmarks of the network-state workflow, each beside a baseline measured
//! in the same run (needs root: it makes network namespaces):
//!
//! - show: the commander's `api.network.show` answered through the bus
//!   (kernel plugin query, JSON both ways) with N veth pairs, against
//!   nispor's `NetState::retrieve()` called directly in the same namespace.
//!   Target: at most 1.1× + 2 ms.
//! - apply: N veth pairs with an IPv4 address each, applied through the
//!   commander (validate, query, plan, apply, verify), against `ip -batch`
//!   making the same changes. Target at 200 pairs: at most 3×.
//!
//! `cargo run --release -p nipart-plugin-kernel --example state_bench -- [--quick]`
//! (`--quick`: 100 pairs for show, 10 and 50 for apply).

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, mpsc},
    time::{Duration, Instant},
};

use nipart_plugin_abi::FfiEvent;
use nipart_plugin_api::{Address, Event, EventState, state::topics};
use nipart_testkit::Netns;
use nipartd::{DaemonConfig, EventBus, Lifecycle, MemberId, MemberState, bus::Sink};
use serde_json::{Value, json};

/// Builds the three plugins in this example's profile; their directory.
fn plugins() -> PathBuf {
    let profile_dir = nipart_testkit::build_in_workspace(&[
        "-p",
        "nipart-plugin-kernel",
        "-p",
        "nipart-plugin-state",
        "-p",
        "nipart-plugin-commander",
        "--lib",
    ]);
    let dir = std::env::temp_dir().join(format!("nipart-state-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for p in ["kernel", "state", "commander"] {
        let f = format!("libnipart_plugin_{p}.so");
        std::fs::copy(profile_dir.join(&f), dir.join(&f)).unwrap();
    }
    dir
}

struct Tx(mpsc::Sender<Event>);
impl Sink for Tx {
    fn deliver(&self, e: FfiEvent) -> nipart_plugin_api::Result<u32> {
        let _ = self.0.send(Event::from_ffi(e)?);
        Ok(0)
    }
}

struct Daemon {
    lifecycle: Option<Lifecycle>,
    bus: Arc<EventBus>,
    rx: mpsc::Receiver<Event>,
}

impl Daemon {
    fn start(ns: &Netns, dir: &Path) -> Daemon {
        let mut config = DaemonConfig::from_toml("log_level = \"warn\"").unwrap();
        config.plugin_dir = dir.to_path_buf();
        let lifecycle = ns
            .run_inside(move || Lifecycle::start(config))
            .expect("daemon start");
        let bus = lifecycle.bus().clone();
        let (tx, rx) = mpsc::channel();
        bus.join(MemberId::Client(1), Vec::new(), Box::new(Tx(tx)))
            .unwrap()
            .set_state(MemberState::Running);
        Daemon {
            lifecycle: Some(lifecycle),
            bus,
            rx,
        }
    }

    fn call(&self, topic: &str, payload: Value) -> Value {
        let mut ev = Event::new(topic, Address::role("commander"))
            .with_json(&payload)
            .unwrap();
        ev.request = true;
        let id = ev.id;
        self.bus
            .publish_from(&MemberId::Client(1), ev.into_ffi())
            .unwrap();
        loop {
            let r = self
                .rx
                .recv_timeout(Duration::from_secs(600))
                .expect("a reply");
            if r.ref_id != Some(id) {
                continue;
            }
            match r.state {
                EventState::Done => return serde_json::from_slice(&r.payload).unwrap(),
                EventState::Cancelled => {
                    panic!("{topic} failed: {}", String::from_utf8_lossy(&r.payload))
                }
                _ => {}
            }
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(l) = self.lifecycle.take() {
            l.shutdown();
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pair_script(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!("link add b{i} type veth peer name b{i}p\n"));
        s.push_str(&format!(
            "address add 10.{}.{}.1/24 dev b{i}\n",
            i / 256,
            i % 256
        ));
        s.push_str(&format!("link set b{i} up\nlink set b{i}p up\n"));
    }
    s
}

fn pair_state(n: usize) -> Value {
    let interfaces: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "name": format!("b{i}"), "type": "veth", "state": "up",
                "veth": {"peer": format!("b{i}p")},
                "ipv4": {"enabled": true, "address": [{"ip": format!("10.{}.{}.1", i / 256, i % 256), "prefix-length": 24}]},
            })
        })
        .collect();
    json!({ "interfaces": interfaces })
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let show_pairs = if quick { 100 } else { 1000 };
    let apply_sizes: &[usize] = if quick {
        &[10, 50]
    } else {
        &[10, 100, 200, 1000]
    };
    let dir = plugins();
    let runs = 5;

    println!("state benchmarks (median of {runs} runs; baseline measured in the same run)");
    println!(
        "{:<34} {:>12} {:>12} {:>8}  target",
        "case", "nipart ms", "baseline ms", "ratio"
    );

    // show
    {
        let ns = Netns::new();
        ns.ip_batch(&pair_script(show_pairs));
        let d = Daemon::start(&ns, &dir);
        let show = json!({"method": "io.nipart.Network.Show", "parameters": {}});
        let ours = median(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    let v = d.call(topics::SHOW, show.clone());
                    assert!(v["interfaces"].as_array().unwrap().len() > 2 * show_pairs);
                    t.elapsed()
                })
                .collect(),
        );
        let base = ns.run_inside(move || {
            median(
                (0..runs)
                    .map(|_| {
                        let t = Instant::now();
                        let s = nispor::NetState::retrieve().unwrap();
                        assert!(s.ifaces.len() > 2 * show_pairs);
                        t.elapsed()
                    })
                    .collect(),
            )
        });
        let target = ms(base) * 1.1 + 2.0;
        println!(
            "{:<34} {:>12.2} {:>12.2} {:>7.2}x  <= {:.1} ms (1.1x + 2 ms): {}",
            format!("show, {show_pairs} veth pairs"),
            ms(ours),
            ms(base),
            ms(ours) / ms(base),
            target,
            if ms(ours) <= target { "met" } else { "MISSED" }
        );
    }

    // apply
    for &n in apply_sizes {
        let ns = Netns::new();
        let d = Daemon::start(&ns, &dir);
        let t = Instant::now();
        let r = d.call(
            topics::APPLY,
            json!({"method": "io.nipart.Network.Apply", "parameters": {"state": pair_state(n), "options": {}}}),
        );
        let ours = t.elapsed();
        assert_eq!(r["verified"], true);
        drop(d);
        drop(ns);
        let ns = Netns::new();
        let script = pair_script(n);
        let t = Instant::now();
        ns.ip_batch(&script);
        let base = t.elapsed();
        let ratio = ms(ours) / ms(base);
        let target = if n == 200 {
            format!("<= 3x: {}", if ratio <= 3.0 { "met" } else { "MISSED" })
        } else {
            "(growth)".to_string()
        };
        println!(
            "{:<34} {:>12.2} {:>12.2} {:>7.2}x  {target}",
            format!("apply, {n} veth pairs + addresses"),
            ms(ours),
            ms(base),
            ratio
        );
    }
    let nmstate = Command::new("nmstatectl").arg("--version").output();
    if nmstate.is_err() {
        println!(
            "nmstatectl: not installed; no nmstate column (cargo install nmstatectl to add it)"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
