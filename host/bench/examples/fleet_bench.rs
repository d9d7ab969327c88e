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
//! The daemons' CPU time (user + system, from `/proc`) during the fleet
//! apply over the machine's cores is the floor those applies can take here
//! (all the hosts share this machine's cores).
//!
//! Target: the fleet apply of 50 hosts within 1.5× the slowest single
//! host's apply. Then the fleet plugin's idle memory: the resident (and
//! anonymous) memory of 5 idle daemons with the plugin, connected, beside
//! 5 with the same plugins but the fleet one (medians; target < 5 MiB).
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
    /// CPU time of all the daemons during the fleet apply, and during the
    /// local applies.
    fleet_cpu: Duration,
    local_cpu: Duration,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// CPU time (user + system) of process `pid` so far.
fn cpu_of(pid: u32) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // After the command's name (in parentheses): state is field 3, utime
    // and stime fields 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    // SAFETY: sysconf only reads a system constant.
    let hz = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) })
        .unwrap_or(100)
        .max(1);
    Duration::from_micros(ticks * 1_000_000 / hz)
}

/// The CPU time all the hosts' daemons used so far.
fn daemons_cpu(b: &bed::Bed) -> Duration {
    b.hosts
        .iter()
        .filter_map(|h| h.daemon.running().map(|d| cpu_of(d.pid())))
        .sum()
}

/// `VmRSS` and `RssAnon` (KiB) of `pid`.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (resident_kib(pid), field("RssAnon:"))
}

/// A bed of `n` hosts as a fleet runs them: `heartbeat_interval_ms` at its
/// default (5 s), each host's daemon started side by side and waited for
/// until its plugin is connected.
fn bed_of(n: usize) -> (bed::Bed, Vec<String>) {
    let mut b = bed::Bed::new(false);
    b.heartbeat_ms = 5_000;
    let names: Vec<String> = (1..=n).map(|i| format!("b{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    b.add_hosts(&refs, &["bench"], None);
    for name in &names {
        b.wait_state(name, "connected");
    }
    (b, names)
}

fn one(n: usize) -> Result<Row, BoxError> {
    let (b, names) = bed_of(n);
    // Let the start settle (plugins' first reads) before timing.
    std::thread::sleep(Duration::from_secs(2));
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
    let cpu_before = daemons_cpu(&b);
    let t = Instant::now();
    let out = cmd.output()?;
    let fleet_total = t.elapsed();
    let fleet_cpu = daemons_cpu(&b).saturating_sub(cpu_before);
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
    let cpu_before = daemons_cpu(&b);
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
    let local_cpu = daemons_cpu(&b).saturating_sub(cpu_before);
    let local_total = times.iter().sum();
    times.sort();
    Ok(Row {
        hosts: n,
        fleet_total,
        fleet_p50: stats::percentile(&per_host, 50.0),
        fleet_p99: stats::percentile(&per_host, 99.0),
        fleet_cpu,
        local_total,
        local_p50: stats::percentile(&times, 50.0),
        local_p99: stats::percentile(&times, 99.0),
        local_slowest: times.last().copied().unwrap_or_default(),
        local_cpu,
    })
}

/// Median (`VmRSS`, `RssAnon`) of idle daemons: `IDLE_SAMPLES` with the
/// fleet plugin (connected, no request served), then as many with the
/// same plugins but the fleet one, each measured after the same wait.
fn idle_memory() -> ((u64, u64), (u64, u64)) {
    let median = |mut v: Vec<(u64, u64)>| {
        let mut rss: Vec<u64> = v.iter().map(|m| m.0).collect();
        v.sort_by_key(|m| m.1);
        rss.sort();
        (rss[rss.len() / 2], v[v.len() / 2].1)
    };
    let (b, _) = bed_of(IDLE_SAMPLES);
    std::thread::sleep(IDLE_WAIT);
    let with: Vec<(u64, u64)> = b
        .hosts
        .iter()
        .filter_map(|h| h.daemon.running().map(|d| memory_kib(d.pid())))
        .collect();
    drop(b);
    let nss: Vec<Netns> = (0..IDLE_SAMPLES).map(|_| Netns::new()).collect();
    let daemons: Vec<_> = nss
        .iter()
        .map(|ns| {
            DaemonBuilder::new()
                .workspace_plugins(&[
                    "nipart-plugin-kernel",
                    "nipart-plugin-state",
                    "nipart-plugin-commander",
                ])
                .require(&["kernel", "state", "commander"])
                .netns(ns)
                .spawn()
        })
        .collect();
    std::thread::sleep(IDLE_WAIT);
    let without: Vec<(u64, u64)> = daemons
        .iter()
        .filter_map(|d| d.running().map(|p| memory_kib(p.pid())))
        .collect();
    (median(with), median(without))
}

const IDLE_SAMPLES: usize = 5;
const IDLE_WAIT: Duration = Duration::from_secs(3);

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
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut rows = Vec::new();
    for n in counts {
        eprintln!("fleet_bench: {n} hosts ...");
        rows.push(one(n)?);
    }
    eprintln!("fleet_bench: idle memory ...");
    let ((with, with_anon), (without, without_anon)) = idle_memory();
    let plugin_kib = with.saturating_sub(without);
    let plugin_anon_kib = with_anon.saturating_sub(without_anon);
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
                    "fleet_daemons_cpu_ms": ms(r.fleet_cpu),
                    "local_daemons_cpu_ms": ms(r.local_cpu),
                    "cores": cores,
                })
            })
            .collect();
        println!(
            "{}",
            json!({"rows": rows, "daemon_with_fleet_kib": with, "daemon_without_fleet_kib": without,
                   "daemon_with_fleet_anon_kib": with_anon, "daemon_without_fleet_anon_kib": without_anon})
        );
        return Ok(());
    }
    println!(
        "| hosts | fleet apply total | per host p50 / p99 | local applies, one after the other | per host p50 / p99 | slowest host | fleet / slowest | target | daemons' CPU in the fleet apply / {cores} cores (floor) | fleet / floor |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &rows {
        let ratio = r.fleet_total.as_secs_f64() / r.local_slowest.as_secs_f64().max(1e-9);
        // The machine's floor: the daemons' CPU spread over every core.
        let floor = r.fleet_cpu.as_secs_f64() / cores as f64;
        println!(
            "| {} | {:.0} ms | {:.0} / {:.0} ms | {:.0} ms | {:.0} / {:.0} ms | {:.0} ms | {:.2}× | ≤ {TARGET_RATIO}×: {} | {:.0} ms (local applies: {:.0} ms CPU) | {:.2}× |",
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
            },
            floor * 1000.0,
            ms(r.local_cpu),
            r.fleet_total.as_secs_f64() / floor.max(1e-9),
        );
    }
    println!(
        "| fleet plugin idle memory (median of {IDLE_SAMPLES}) | RSS {with} KiB with it, {without} KiB without: {plugin_kib} KiB; anonymous {with_anon} / {without_anon} KiB: {plugin_anon_kib} KiB | < {TARGET_IDLE_KIB} KiB: {} |",
        if plugin_kib < TARGET_IDLE_KIB {
            "met"
        } else {
            "not met"
        }
    );
    Ok(())
}
