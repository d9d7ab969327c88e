//! Benchmark: the fleet over NATS (issue 17).
//!
//! ```sh
//! cargo run --release -p nipart-bench --example fleet_bench -- [--hosts 10,50] [--json]
//! ```
//!
//! As root, with `nats-server`: the fleet tests' bed
//! (`plugins/fleet/tests/common`: a cluster of three servers, each host's
//! real `nipartd` with the kernel, state, commander and fleet plugins in
//! its own namespace). For each host count N:
//!
//! 1. `nipc fleet apply --hosts b1,…,bN` of a small state (one veth pair)
//!    to the N hosts at once, the whole command timed (its connection to
//!    NATS included; hosts named, so no heartbeat is listened for), and
//!    each host's time from request to answer (p50, p99), as `nipc fleet`
//!    prints them;
//! 2. the baseline, in the same run: the same kind of state (another veth
//!    pair) applied with `nipc apply` to each host's own socket, one host
//!    after the other: the sum, p50/p99, and the slowest host's apply.
//!
//! Target: the fleet apply of 50 hosts within 1.5× the slowest single
//! host's apply. Then the fleet plugin's idle memory: the resident memory
//! of the daemons with the plugin (median over the hosts) beside a daemon
//! with the same plugins but the fleet one, idle (target < 5 MiB).
//!
//! Exit status 0 whatever the figures; non-zero only if the benchmark could
//! not run.

// The fleet tests' bed, as they use it.
#[path = "../../../plugins/fleet/tests/common/mod.rs"]
mod bed;
#[path = "common/stats.rs"]
mod stats;

use std::{
    process::{Command, ExitCode},
    time::{Duration, Instant},
};

use nipart_testkit::{DaemonBuilder, Netns, resident_kib};
use serde_json::json;

type BoxError = Box<dyn std::error::Error>;

const TARGET_RATIO: f64 = 1.5;
const TARGET_IDLE_KIB: u64 = 5 * 1024;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fleet_bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Row {
    hosts: usize,
    fleet_total: Duration,
    fleet_p50: Duration,
    fleet_p99: Duration,
    local_total: Duration,
    local_p50: Duration,
    local_p99: Duration,
    local_slowest: Duration,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn one(n: usize) -> Result<(Row, Vec<u64>), BoxError> {
    let mut b = bed::Bed::new(false);
    let names: Vec<String> = (1..=n).map(|i| format!("b{i}")).collect();
    for name in &names {
        b.add_host(name, &["bench"], None);
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    b.wait_seen(&refs);
    // The fleet: every host at once, named (no time spent listening for
    // heartbeats to find them).
    let file = b.write("fleet.yml", bed::VETH_STATE);
    let list = names.join(",");
    let args = [
        "--listen",
        "0",
        "apply",
        "--hosts",
        &list,
        "--deadline",
        "300",
        &file,
    ];
    let mut cmd = b.fleet_command("admin", &b.urls(), false, &args);
    let t = Instant::now();
    let out = cmd.output()?;
    let fleet_total = t.elapsed();
    if !out.status.success() {
        return Err(format!(
            "fleet apply failed:\n{}{}",
            bed::text(&out.stdout),
            bed::text(&out.stderr)
        )
        .into());
    }
    let mut per_host: Vec<Duration> = bed::text(&out.stderr)
        .lines()
        .filter_map(|l| {
            let rest = l.split_once(": applied in ")?.1;
            rest.split_once(" ms")?.0.parse::<u64>().ok()
        })
        .map(Duration::from_millis)
        .collect();
    per_host.sort();
    // The baseline: each host's own socket, one after the other.
    let local = b.write("local.yml", &bed::VETH_STATE.replace("fl0", "fl2"));
    let mut times = Vec::new();
    for h in &b.hosts {
        let t = Instant::now();
        let out = Command::new(bed::nipc_binary())
            .arg("--socket")
            .arg(h.daemon.socket())
            .args(["apply", &local])
            .output()?;
        times.push(t.elapsed());
        if !out.status.success() {
            return Err(format!("local apply on {}: {}", h.name, bed::text(&out.stderr)).into());
        }
    }
    let local_total = times.iter().sum();
    times.sort();
    let rss: Vec<u64> = b
        .hosts
        .iter()
        .filter_map(|h| h.daemon.running().map(|d| resident_kib(d.pid())))
        .collect();
    Ok((
        Row {
            hosts: n,
            fleet_total,
            fleet_p50: stats::percentile(&per_host, 50.0),
            fleet_p99: stats::percentile(&per_host, 99.0),
            local_total,
            local_p50: stats::percentile(&times, 50.0),
            local_p99: stats::percentile(&times, 99.0),
            local_slowest: times.last().copied().unwrap_or_default(),
        },
        rss,
    ))
}

/// A daemon with every plugin the hosts run but the fleet, idle.
fn without_fleet_kib() -> u64 {
    let ns = Netns::new();
    let d = DaemonBuilder::new()
        .workspace_plugins(&[
            "nipart-plugin-kernel",
            "nipart-plugin-state",
            "nipart-plugin-commander",
        ])
        .require(&["kernel", "state", "commander"])
        .netns(&ns)
        .spawn();
    std::thread::sleep(Duration::from_secs(2));
    d.running().map_or(0, |p| resident_kib(p.pid()))
}

fn run() -> Result<(), BoxError> {
    let mut counts = vec![10usize, 50];
    let mut json_out = false;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json_out = true,
            "--hosts" => {
                counts = it
                    .next()
                    .ok_or("--hosts needs N[,N…]")?
                    .split(',')
                    .map(|n| n.parse::<usize>().map_err(|e| format!("--hosts: {e}")))
                    .collect::<Result<_, _>>()?;
                if counts.iter().any(|n| !(1..=200).contains(n)) {
                    return Err("--hosts: 1 to 200 each".into());
                }
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let mut rows = Vec::new();
    let mut with_fleet = Vec::new();
    for n in counts {
        eprintln!("fleet_bench: {n} hosts ...");
        let (row, rss) = one(n)?;
        if with_fleet.is_empty() {
            with_fleet = rss;
        }
        rows.push(row);
    }
    with_fleet.sort();
    let with = with_fleet.get(with_fleet.len() / 2).copied().unwrap_or(0);
    let without = without_fleet_kib();
    let plugin_kib = with.saturating_sub(without);
    if json_out {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "hosts": r.hosts,
                    "fleet_total_ms": ms(r.fleet_total),
                    "fleet_p50_ms": ms(r.fleet_p50),
                    "fleet_p99_ms": ms(r.fleet_p99),
                    "local_total_ms": ms(r.local_total),
                    "local_p50_ms": ms(r.local_p50),
                    "local_p99_ms": ms(r.local_p99),
                    "local_slowest_ms": ms(r.local_slowest),
                })
            })
            .collect();
        println!(
            "{}",
            json!({"rows": rows, "daemon_with_fleet_kib": with, "daemon_without_fleet_kib": without})
        );
        return Ok(());
    }
    println!(
        "| hosts | fleet apply total | per host p50 / p99 | local applies, one after the other | per host p50 / p99 | slowest host | fleet / slowest | target |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &rows {
        let ratio = r.fleet_total.as_secs_f64() / r.local_slowest.as_secs_f64().max(1e-9);
        println!(
            "| {} | {:.0} ms | {:.0} / {:.0} ms | {:.0} ms | {:.0} / {:.0} ms | {:.0} ms | {:.2}× | ≤ {TARGET_RATIO}×: {} |",
            r.hosts,
            ms(r.fleet_total),
            ms(r.fleet_p50),
            ms(r.fleet_p99),
            ms(r.local_total),
            ms(r.local_p50),
            ms(r.local_p99),
            ms(r.local_slowest),
            ratio,
            if ratio <= TARGET_RATIO {
                "met"
            } else {
                "not met"
            }
        );
    }
    println!(
        "| fleet plugin idle memory | {with} KiB with it, {without} KiB without: {plugin_kib} KiB | < {TARGET_IDLE_KIB} KiB: {} |",
        if plugin_kib < TARGET_IDLE_KIB {
            "met"
        } else {
            "not met"
        }
    );
    Ok(())
}
