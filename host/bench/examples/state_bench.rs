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
//! - VLANs (issue 13), under a full kernel (`8021q`, `dummy`): show of
//!   1,000 VLANs on a dummy against nispor (at most 1.1× + 2 ms), and apply
//!   of a dummy with 1,000 VLANs on it, an IPv4 address each, against
//!   `ip -batch` (at most 3×). Where this kernel lacks the modules, the
//!   program runs itself (`--vlans`) in the test VM
//!   (`nipart_testkit::vm::boot_binary`, see docs/testing.md): both sides
//!   of each ratio are measured there, in the same run (guest code is
//!   several times slower under emulation, the ratio is what counts).
//!
//! `cargo run --release -p nipart-bench --example state_bench -- [--quick]`
//! (`--quick`: 100 pairs for show, 10 and 50 for apply, 100 VLANs);
//! `-- --vlans` only the VLAN rows. With `NIPART_LOG=warn,plugin=debug`
//! the plugins' step timings (`apply …: verify took … ms`) are printed too.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use nipart_plugin_api::{Address, EventState, state::topics};
use nipart_testkit::{BusClient, DaemonBuilder, InProcessDaemon, Netns};
use serde_json::{Value, json};

/// The plugins of the benchmarks' daemon.
const PLUGINS: [&str; 3] = [
    "nipart-plugin-kernel",
    "nipart-plugin-state",
    "nipart-plugin-commander",
];

/// The kernel, state and commander plugins run in `ns`, and a client on
/// their bus.
struct Daemon {
    client: BusClient,
    _daemon: InProcessDaemon,
}

impl Daemon {
    fn start(ns: &Netns) -> Daemon {
        // With `NIPART_LOG` set (`warn,plugin=debug`: where each apply's
        // time goes, step by step), the plugins log at debug level.
        let level = if std::env::var_os("NIPART_LOG").is_some() {
            "log_level = \"debug\""
        } else {
            "log_level = \"warn\""
        };
        let daemon = DaemonBuilder::new()
            .workspace_plugins(&PLUGINS)
            .config(level)
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

/// The IPv4 address of the `i`th interface of a benchmark, as `ip` and
/// as the state's address list take it.
fn address(i: usize) -> (String, Value) {
    let ip = format!("10.{}.{}.1", i / 256, i % 256);
    let list = json!({"enabled": true, "address": [{"ip": ip, "prefix-length": 24}]});
    (format!("{ip}/24"), list)
}

fn pair_script(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!("link add b{i} type veth peer name b{i}p\n"));
        s.push_str(&format!("address add {} dev b{i}\n", address(i).0));
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
                "ipv4": address(i).1,
            })
        })
        .collect();
    json!({ "interfaces": interfaces })
}

fn vlan_script(n: usize) -> String {
    let mut s = String::from("link add d0 type dummy\nlink set d0 up\n");
    for i in 0..n {
        s.push_str(&format!(
            "link add link d0 name v{i} type vlan id {}\n",
            i + 1
        ));
        s.push_str(&format!("address add {} dev v{i}\n", address(i).0));
        s.push_str(&format!("link set v{i} up\n"));
    }
    s
}

fn vlan_state(n: usize) -> Value {
    let mut interfaces = vec![json!({"name": "d0", "type": "dummy", "state": "up"})];
    interfaces.extend((0..n).map(|i| {
        json!({
            "name": format!("v{i}"), "type": "vlan", "state": "up",
            "vlan": {"base-iface": "d0", "id": i + 1},
            "ipv4": address(i).1,
        })
    }));
    json!({ "interfaces": interfaces })
}

/// The row of `show` (its case named `what`) with the namespace `ns`
/// holding more than `min` interfaces.
fn show_row(ns: &Netns, what: &str, min: usize, runs: usize) {
    let d = Daemon::start(ns);
    let show = json!({"method": "io.nipart.Network.Show", "parameters": {}});
    // Warm-up: the plugins' first query (lazy statics, allocations).
    d.call(topics::SHOW, show.clone());
    let ours = median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                let v = d.call(topics::SHOW, show.clone());
                assert!(v["interfaces"].as_array().unwrap().len() > min);
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
                    assert!(s.ifaces.len() > min);
                    t.elapsed()
                })
                .collect(),
        )
    });
    let target = ms(base) * 1.1 + 2.0;
    println!(
        "{:<34} {:>12.2} {:>12.2} {:>7.2}x  <= {:.1} ms (1.1x + 2 ms): {}",
        what,
        ms(ours),
        ms(base),
        ms(ours) / ms(base),
        target,
        if ms(ours) <= target { "met" } else { "MISSED" }
    );
}

/// The row of applying `state` beside `ip -batch` running `script`, each
/// in a new namespace; `target`: the ratio to meet, if any.
fn apply_row(what: &str, state: Value, script: &str, target: Option<f64>) {
    let ns = Netns::new();
    let d = Daemon::start(&ns);
    let t = Instant::now();
    let r = d.call(
        topics::APPLY,
        json!({"method": "io.nipart.Network.Apply", "parameters": {"state": state, "options": {}}}),
    );
    let ours = t.elapsed();
    assert_eq!(r["verified"], true);
    drop(d);
    drop(ns);
    let ns = Netns::new();
    let t = Instant::now();
    ns.ip_batch(script);
    let base = t.elapsed();
    let ratio = ms(ours) / ms(base);
    let target = match target {
        Some(x) => format!("<= {x}x: {}", if ratio <= x { "met" } else { "MISSED" }),
        None => "(growth)".to_string(),
    };
    println!(
        "{:<34} {:>12.2} {:>12.2} {:>7.2}x  {target}",
        what,
        ms(ours),
        ms(base),
        ratio
    );
}

/// The VLAN rows, here (the kernel has `8021q` and `dummy`, or this is
/// the VM) or in the test VM.
fn vlan_rows(quick: bool, runs: usize) {
    let n = if quick { 100 } else { 1000 };
    let here = nipart_testkit::vm::inside()
        || ["8021q", "dummy"]
            .iter()
            .all(|m| nipart_testkit::vm::kernel_has(m));
    if !here {
        // The guest builds nothing: the plugins its daemon loads first.
        let mut build = Vec::new();
        for p in PLUGINS {
            build.extend(["-p", p]);
        }
        build.push("--lib");
        nipart_testkit::build_in_workspace(&build);
        let exe = std::env::current_exe().expect("this program's path");
        let mut args = vec!["--vlans".to_string()];
        if quick {
            args.push("--quick".into());
        }
        println!("(VLAN rows: in the test VM, under emulation; both sides measured there)");
        // Memory: each daemon start copies its plugins (about 100 MB in a
        // release build) into the guest's /tmp, a tmpfs of half of it, and
        // they stay mapped until the program ends.
        let run = nipart_testkit::vm::boot_binary(
            &exe,
            &args,
            Some(Duration::from_secs(1800)),
            Some(1536),
        )
        .unwrap_or_else(|e| panic!("the test VM failed: {e}"));
        print!("{}", run.output);
        assert_eq!(
            run.status,
            Some(0),
            "the VLAN rows failed in the VM; the end of its console:\n{}",
            run.console_tail
        );
        return;
    }
    let ns = Netns::new();
    ns.ip_batch(&vlan_script(n));
    show_row(&ns, &format!("show, {n} VLANs on a dummy"), n, runs);
    drop(ns);
    let sizes: &[usize] = if quick { &[10, 100] } else { &[100, 1000] };
    for &k in sizes {
        apply_row(
            &format!("apply, {k} VLANs + addresses"),
            vlan_state(k),
            &vlan_script(k),
            (k >= 200).then_some(3.0),
        );
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let vlans_only = std::env::args().any(|a| a == "--vlans");
    let show_pairs = if quick { 100 } else { 1000 };
    let apply_sizes: &[usize] = if quick {
        &[10, 50]
    } else {
        &[10, 100, 200, 1000]
    };
    let runs = 5;

    // Inside the VM, the host's run has printed the heading.
    if !nipart_testkit::vm::inside() {
        println!(
            "state benchmarks (show: median of {runs} runs; apply: one run; baseline measured in the same run)"
        );
        println!(
            "{:<34} {:>12} {:>12} {:>8}  target",
            "case", "nipart ms", "baseline ms", "ratio"
        );
    }

    if vlans_only {
        vlan_rows(quick, runs);
        return;
    }
    {
        let ns = Netns::new();
        ns.ip_batch(&pair_script(show_pairs));
        show_row(
            &ns,
            &format!("show, {show_pairs} veth pairs"),
            2 * show_pairs,
            runs,
        );
    }
    for &n in apply_sizes {
        // Issue 13: linear, within 3x at 1,000 pairs as at 200.
        apply_row(
            &format!("apply, {n} veth pairs + addresses"),
            pair_state(n),
            &pair_script(n),
            (n >= 200).then_some(3.0),
        );
    }
    vlan_rows(quick, runs);
    let nmstate = Command::new("nmstatectl").arg("--version").output();
    if nmstate.is_err() {
        println!(
            "nmstatectl: not installed; no nmstate column (cargo install nmstatectl to add it)"
        );
    }
}
