//! Benchmarks of the network-state workflow, each beside a baseline measured
//! in the same run (needs root: it makes network namespaces):
//!
//! - show: the commander's `api.network.show` answered through the bus
//!   (kernel plugin query, JSON both ways) with N veth pairs, against
//!   nispor's `NetState::retrieve()` called directly in the same namespace.
//!   Target: at most 1.1× + 2 ms.
//! - apply: N veth pairs with an IPv4 address each, applied through the
//!   commander (validate, query, plan, apply, verify), against `ip -batch`
//!   making the same changes. Target at 200 and 1,000 pairs: at most 3×.
//!
//! `cargo run --release -p nipart-bench --example state_bench -- [--quick]`
//! (`--quick`: 100 pairs for show, 10 and 50 for apply).

use std::{
    process::Command,
    time::{Duration, Instant},
};

use nipart_plugin_api::{Address, EventState, state::topics};
use nipart_testkit::{BusClient, DaemonBuilder, InProcessDaemon, Netns};
use serde_json::{Value, json};

/// The kernel, state and commander plugins run in `ns`, and a client on
/// their bus.
struct Daemon {
    client: BusClient,
    _daemon: InProcessDaemon,
}

impl Daemon {
    fn start(ns: &Netns) -> Daemon {
        let daemon = DaemonBuilder::new()
            .workspace_plugins(&[
                "nipart-plugin-kernel",
                "nipart-plugin-state",
                "nipart-plugin-commander",
            ])
            .config("log_level = \"warn\"")
            .netns(ns)
            .start()
            .expect("daemon start");
        Daemon {
            client: daemon.client(),
            _daemon: daemon,
        }
    }

    fn call(&self, topic: &str, payload: Value) -> Value {
        let bytes = serde_json::to_vec(&payload).unwrap();
        let id = self
            .client
            .send_request_bytes(topic, Address::role("commander"), bytes, None)
            .unwrap();
        let reply = self.client.wait(id, Duration::from_secs(600)).reply;
        match reply.state {
            EventState::Done => serde_json::from_slice(&reply.payload).unwrap(),
            _ => panic!(
                "{topic} failed: {}",
                String::from_utf8_lossy(&reply.payload)
            ),
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
        let d = Daemon::start(&ns);
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
        let d = Daemon::start(&ns);
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
        // Issue 13: linear, within 3x at 1,000 pairs as at 200.
        let target = if n >= 200 {
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
}
