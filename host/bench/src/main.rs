//! nipart benchmarks: `cargo run --release -p nipart-bench [-- --quick]`.
//!
//! Prints one table: bus throughput and latency between two `.so` plugins
//! beside an in-process tokio channel (see `bus.rs`), and `nipartd`'s
//! start-up with 100 plugins beside an empty plugin directory (see
//! `startup.rs`), and its resident memory and threads with every workspace
//! plugin idle beside no plugin (see `memory.rs`). Then it runs the
//! benchmarks other crates own: the public
//! API's round trips beside a raw UNIX-socket echo (`nipc`'s `api_bench`)
//! link change to event (`nipart-plugin-monitor`'s `monitor_bench`) and show
//! and apply against nispor and `ip -batch` (`nipart-plugin-kernel`'s
//! `state_bench`), and link up to DHCPv4 address beside udhcpc
//! (`nipart-plugin-dhcp`'s `dhcp_bench`), and to DHCPv6 address beside dhcpcd
//! (`dhcp6_bench`); those need root; and the LLDP
//! decoder per frame and the daemon with LLDP on 100 interfaces
//! (`lldp_bench`, the daemon part as root); an OVS bridge with 200 ports
//! and show with it beside ovs-vsctl (`ovs_bench`, root); `nipc fleet
//! apply` to 10 and 50 hosts beside local applies one after the other, and
//! the fleet plugin's idle memory (`fleet_bench`, root, nats-server). Every figure is the median of several runs, every
//! comparison is against a baseline measured in the same run, and each
//! target is reported as met or not. The exit status is 0 whatever the
//! figures; it is non-zero only when the benchmark could not run.

mod build;
mod bus;
mod child;
mod flood;
mod memory;
mod startup;
mod table;

#[path = "../plugins/proto.rs"]
mod proto;

use std::{path::PathBuf, process::ExitCode, time::Duration};

use clap::{Parser, ValueEnum};

use crate::table::{Row, Table};

#[derive(Parser, Debug)]
#[command(
    name = "nipart-bench",
    about = "nipart benchmarks: the bus, start-up, memory, the public API and the monitor"
)]
struct Args {
    /// Fewer events and runs (about 10 s instead of about a minute).
    #[arg(long)]
    quick: bool,
    /// Runs per measurement; the median is reported (default 5, 3 with --quick).
    #[arg(long, value_name = "N")]
    runs: Option<usize>,
    /// Run only one benchmark.
    #[arg(long, value_enum)]
    only: Option<Only>,
    /// Plugin files for the start-up benchmark.
    #[arg(long, value_name = "N", default_value_t = 100)]
    plugins: usize,
    /// Events per bus run at full speed (default 200000, 50000 with --quick).
    #[arg(long, value_name = "N")]
    events: Option<u64>,
    /// Events per bus run at 10,000 events/s (default 10000, 3000 with --quick).
    #[arg(long, value_name = "N")]
    paced_events: Option<u64>,
    /// Veth pairs the memory benchmark creates and deletes (root only; 0
    /// leaves that row out).
    #[arg(long, value_name = "N", default_value_t = 5000)]
    cycle_pairs: usize,
    /// Use this nipartd binary instead of building it.
    #[arg(long, value_name = "PATH")]
    nipartd: Option<PathBuf>,
    /// Print every run's figures on stderr.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum Only {
    Bus,
    Startup,
    /// The public API's round trips (examples/api_bench.rs).
    Api,
    /// Link change to event at a subscriber (examples/monitor_bench.rs; root).
    Monitor,
    /// Show and apply against nispor and `ip -batch` (examples/state_bench.rs; root).
    State,
    /// Resident memory and threads of nipartd with every plugin idle (memory.rs).
    Memory,
    /// Link up to DHCPv4 address applied, beside udhcpc (examples/dhcp_bench.rs; root, dnsmasq, udhcpc).
    Dhcp,
    /// Link up to DHCPv6 address applied, beside dhcpcd (examples/dhcp6_bench.rs; root, dnsmasq, dhcpcd).
    Dhcp6,
    /// Root's apply while nobody floods the API with reads, beside no flood (flood.rs; root).
    Flood,
    /// The LLDP decoder's CPU per frame, and nipartd with LLDP on 100 interfaces beside idle (examples/lldp_bench.rs; the daemon part as root).
    Lldp,
    /// An OVS bridge with 200 ports beside one chained ovs-vsctl, and show beside ovs-vsctl show plus the kernel's query (examples/ovs_bench.rs; root, openvswitch-switch).
    Ovs,
    /// `nipc fleet apply` to 10 and 50 hosts beside local applies one after the other, and the fleet plugin's idle memory (examples/fleet_bench.rs; root, nats-server).
    Fleet,
}

/// The benchmarks that are programs of their own (this crate's examples),
/// run after this one's table: (what, package, example).
const EXAMPLES: [(Only, &str, &str); 8] = [
    (Only::Api, "nipart-bench", "api_bench"),
    (Only::Monitor, "nipart-bench", "monitor_bench"),
    (Only::State, "nipart-bench", "state_bench"),
    (Only::Dhcp, "nipart-bench", "dhcp_bench"),
    (Only::Dhcp6, "nipart-bench", "dhcp6_bench"),
    (Only::Lldp, "nipart-bench", "lldp_bench"),
    (Only::Ovs, "nipart-bench", "ovs_bench"),
    (Only::Fleet, "nipart-bench", "fleet_bench"),
];

/// The bars from issue 2 ("Benchmarks").
const TARGET_EVENTS_PER_S: f64 = 1_000_000.0;
const TARGET_RATIO: f64 = 0.5;
const TARGET_P99_NS: u64 = 20_000;
const PACED_RATE: u64 = 10_000;
const TARGET_STARTUP: Duration = Duration::from_millis(100);

/// Capacity of each plugin's queue (the daemon's default) and the sender's
/// window: at most this many events in flight, so none is ever dropped.
const QUEUE_CAPACITY: usize = 1024;
const WINDOW: u32 = 512;
const ACK_EVERY: u32 = 64;

fn main() -> ExitCode {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("NIPART_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nipart-bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn median<T: Copy>(mut v: Vec<T>, key: impl Fn(&T) -> f64) -> Option<T> {
    v.sort_by(|a, b| key(a).total_cmp(&key(b)));
    v.get(v.len() / 2).copied()
}

fn median_f64(v: impl IntoIterator<Item = f64>) -> f64 {
    median(v.into_iter().collect(), |x| *x).unwrap_or(f64::NAN)
}

fn run(args: &Args) -> Result<(), String> {
    let runs = args.runs.unwrap_or(if args.quick { 3 } else { 5 }).max(1);
    if cfg!(debug_assertions) {
        eprintln!(
            "nipart-bench: warning: this is a debug build; run `cargo run --release -p nipart-bench` for meaningful figures"
        );
    }
    let target = build::target_dir()?;
    let wants = |what: Only| args.only.is_none_or(|o| o == what);
    let mut failures = Vec::new();
    if wants(Only::Bus) || wants(Only::Startup) || wants(Only::Memory) || wants(Only::Flood) {
        own_benches(args, runs, &target, &wants)?;
    }
    for (what, package, example) in EXAMPLES {
        if wants(what) {
            println!();
            if let Err(e) = build::run_example(&target, package, example) {
                eprintln!("nipart-bench: error: {e}");
                failures.push(e);
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} benchmark(s) could not run", failures.len()))
    }
}

/// The bus, start-up and memory benchmarks, printed as one table.
fn own_benches(
    args: &Args,
    runs: usize,
    target: &std::path::Path,
    wants: &dyn Fn(Only) -> bool,
) -> Result<(), String> {
    let mut table = Table::default();
    let nipartd = || match &args.nipartd {
        Some(p) => Ok(p.clone()),
        None => build::daemon(target),
    };
    if wants(Only::Bus) || wants(Only::Startup) {
        let plugins = build::plugins(target)?;
        if wants(Only::Bus) {
            bus_bench(args, runs, &plugins, &mut table)?;
        }
        if wants(Only::Startup) {
            startup_bench(args, runs, &plugins, &nipartd()?, &mut table)?;
        }
    }
    if wants(Only::Memory) {
        memory_bench(args, runs, target, &nipartd()?, &mut table)?;
    }
    if wants(Only::Flood) {
        flood::bench(runs, args.quick, target, &nipartd()?, &mut table)?;
    }

    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!("nipart benchmarks: median of {runs} runs, {cpus} CPUs");
    println!();
    table.print();
    println!();
    let (met, total) = table.targets();
    println!("{met} of {total} targets met");
    Ok(())
}

fn bus_bench(
    args: &Args,
    runs: usize,
    plugins: &std::path::Path,
    table: &mut Table,
) -> Result<(), String> {
    let flat_out = bus::Load {
        count: args
            .events
            .unwrap_or(if args.quick { 50_000 } else { 200_000 })
            .max(1),
        rate: 0,
        window: WINDOW,
        ack_every: ACK_EVERY,
    };
    let paced = bus::Load {
        count: args
            .paced_events
            .unwrap_or(if args.quick { 3_000 } else { 10_000 })
            .max(1),
        rate: PACED_RATE,
        ..flat_out
    };
    eprintln!(
        "nipart-bench: bus: {runs} x ({} events at full speed, {} at {} events/s), nipart and baseline ...",
        flat_out.count, paced.count, paced.rate
    );
    let mut daemon = bus::Daemon::start(plugins, QUEUE_CAPACITY)?;
    // Warm-up: first-touch allocations, lazy statics, CPU frequency.
    let warm = bus::Load {
        count: flat_out.count / 4,
        ..flat_out
    };
    daemon.run(warm)?;
    bus::baseline(warm)?;

    let (mut n_max, mut b_max, mut n_paced, mut b_paced) = (vec![], vec![], vec![], vec![]);
    for i in 0..runs {
        // Alternate, so drift in the machine's speed hits both alike.
        b_max.push(bus::baseline(flat_out)?);
        n_max.push(daemon.run(flat_out)?);
        b_paced.push(bus::baseline(paced)?);
        n_paced.push(daemon.run(paced)?);
        if args.verbose {
            let show = |what: &str, s: &bus::Sample| {
                eprintln!(
                    "  run {i} {what:<16} {:>10.0} events/s  p50 {:>7.1} us  p99 {:>7.1} us  max {:>7.1} us  cpu/event: sender {:>6.0} ns, receiver {:>6.0} ns",
                    s.events_per_s,
                    s.latency.p50_ns as f64 / 1e3,
                    s.latency.p99_ns as f64 / 1e3,
                    s.latency.max_ns as f64 / 1e3,
                    s.sender_cpu_ns,
                    s.receiver_cpu_ns
                )
            };
            show("nipart max", &n_max[i]);
            show("baseline max", &b_max[i]);
            show("nipart paced", &n_paced[i]);
            show("baseline paced", &b_paced[i]);
        }
    }
    let dropped: u64 = daemon.stats().iter().map(|s| s.dropped).sum();
    let errors = daemon.shutdown();
    for e in &errors {
        eprintln!("nipart-bench: warning: shutting the bench plugins down: {e}");
    }

    let tput = |v: &[bus::Sample]| median_f64(v.iter().map(|s| s.events_per_s));
    let p50 = |v: &[bus::Sample]| median_f64(v.iter().map(|s| s.latency.p50_ns as f64));
    let p99 = |v: &[bus::Sample]| median_f64(v.iter().map(|s| s.latency.p99_ns as f64));

    let section = format!(
        "bus: 2 .so plugins, JSON {} B",
        bus::example_payload().len()
    );
    let (nt, bt) = (tput(&n_max), tput(&b_max));
    table.section(&section);
    table.push(
        Row::new("events/s, full speed")
            .values(table::rate(nt), table::rate(bt))
            .ratio(nt / bt)
            .target(
                format!(">= {}", table::rate(TARGET_EVENTS_PER_S)),
                nt >= TARGET_EVENTS_PER_S,
            ),
    );
    table.push(
        Row::new("  ratio nipart/baseline")
            .values(format!("{:.2}x", nt / bt), String::new())
            .target(format!(">= {TARGET_RATIO:.1}x"), nt / bt >= TARGET_RATIO),
    );
    for (what, f) in [
        ("p50", &p50 as &dyn Fn(&[bus::Sample]) -> f64),
        ("p99", &p99),
    ] {
        let (n, b) = (f(&n_max), f(&b_max));
        table.push(
            Row::new(format!("latency {what}, full speed"))
                .values(table::micros(n), table::micros(b))
                .ratio(n / b),
        );
    }
    let paced_label = format!("{} events/s", table::rate(PACED_RATE as f64));
    let (n, b) = (p50(&n_paced), p50(&b_paced));
    table.push(
        Row::new(format!("latency p50 at {paced_label}"))
            .values(table::micros(n), table::micros(b))
            .ratio(n / b),
    );
    let (n, b) = (p99(&n_paced), p99(&b_paced));
    table.push(
        Row::new(format!("latency p99 at {paced_label}"))
            .values(table::micros(n), table::micros(b))
            .ratio(n / b)
            .target(
                format!("<= {}", table::micros(TARGET_P99_NS as f64)),
                n <= TARGET_P99_NS as f64,
            ),
    );
    let cpu = |v: &[bus::Sample], f: fn(&bus::Sample) -> f64| median_f64(v.iter().map(f));
    for (what, f) in [
        (
            "CPU per event, sending thread",
            (|s| s.sender_cpu_ns) as fn(&bus::Sample) -> f64,
        ),
        ("CPU per event, receiving thread", |s| s.receiver_cpu_ns),
    ] {
        let (n, b) = (cpu(&n_max, f), cpu(&b_max, f));
        table.push(
            Row::new(format!("{what}, full speed"))
                .values(table::nanos(n), table::nanos(b))
                .ratio(n / b),
        );
    }
    table.push(Row::new("events dropped by the bus").values(dropped.to_string(), "-".into()));
    Ok(())
}

fn startup_bench(
    args: &Args,
    runs: usize,
    plugins: &std::path::Path,
    nipartd: &std::path::Path,
    table: &mut Table,
) -> Result<(), String> {
    let n = args.plugins;
    eprintln!("nipart-bench: start-up: {runs} x (nipartd with {n} plugins, with none) ...");
    let full_dir = startup::plugin_dir(&plugins.join(build::STARTUP_LIB), n)?;
    let empty_dir = startup::plugin_dir(&plugins.join(build::STARTUP_LIB), 0)?;
    // Warm-up: the page cache and the dynamic loader's caches.
    startup::start_once(nipartd, full_dir.path(), n)?;
    startup::start_once(nipartd, empty_dir.path(), 0)?;
    let (mut full, mut empty) = (vec![], vec![]);
    for i in 0..runs {
        empty.push(startup::start_once(nipartd, empty_dir.path(), 0)?);
        full.push(startup::start_once(nipartd, full_dir.path(), n)?);
        if args.verbose {
            eprintln!(
                "  run {i} exec to ready: {n} plugins {:.1} ms (daemon says {:.1} ms), none {:.1} ms",
                full[i].exec_to_ready.as_secs_f64() * 1e3,
                full[i].self_reported_ms,
                empty[i].exec_to_ready.as_secs_f64() * 1e3
            );
        }
    }
    let ms =
        |v: &[startup::Start]| median_f64(v.iter().map(|s| s.exec_to_ready.as_secs_f64() * 1e3));
    let (f, e) = (ms(&full), ms(&empty));
    let inside = median_f64(full.iter().map(|s| s.self_reported_ms));
    table.section(&format!("start-up: nipartd, {n} plugin files"));
    table.push(
        Row::new(format!("exec to ready, {n} plugins"))
            .values(table::millis(f), table::millis(e))
            .target(
                format!("<= {}", table::millis(TARGET_STARTUP.as_secs_f64() * 1e3)),
                f <= TARGET_STARTUP.as_secs_f64() * 1e3,
            ),
    );
    table.push(
        Row::new("  of which load + Init (daemon's log)")
            .values(table::millis(inside), String::new()),
    );
    if n > 0 {
        table.push(
            Row::new("cost per plugin")
                .values(table::micros((f - e) / n as f64 * 1e6), String::new()),
        );
    }
    Ok(())
}

/// The bars from issue 7 ("Benchmark"): every plugin loaded and idle.
const TARGET_RSS: u64 = 25 << 20;
/// Threads allowed beyond one per plugin.
const TARGET_EXTRA_THREADS: usize = 4;

fn memory_bench(
    args: &Args,
    runs: usize,
    target: &std::path::Path,
    nipartd: &std::path::Path,
    table: &mut Table,
) -> Result<(), String> {
    let (dir, n) = memory::plugin_dir(&build::cargo(), &build::workspace_dir(), target)?;
    let empty = tempfile::Builder::new()
        .prefix("nipart-bench-memory-empty-")
        .tempdir()
        .map_err(|e| format!("creating a temporary directory: {e}"))?;
    std::fs::set_permissions(
        empty.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .map_err(|e| format!("chmod {}: {e}", empty.path().display()))?;
    let netns = memory::Netns::new();
    if netns.is_none() {
        eprintln!("nipart-bench: memory: not root: the daemon runs in this network namespace");
    }
    let idle = Duration::from_secs(if args.quick { 2 } else { 5 });
    let runs = runs.min(3);
    eprintln!(
        "nipart-bench: memory: {runs} x (nipartd with {n} plugins idle {} s, with none) ...",
        idle.as_secs()
    );
    let (mut full, mut base) = (Vec::new(), Vec::new());
    for i in 0..runs {
        base.push(memory::measure(
            nipartd,
            empty.path(),
            netns.as_ref(),
            idle,
        )?);
        let s = memory::measure(nipartd, dir.path(), netns.as_ref(), idle)?;
        if s.running != n {
            return Err(format!(
                "{} of the {n} plugins are running (see `nipartd --plugin-dir {}`)",
                s.running,
                dir.path().display()
            ));
        }
        if args.verbose {
            eprintln!(
                "  run {i}: {} MiB, {} threads: {}",
                s.rss >> 20,
                s.threads,
                s.thread_names.join(" ")
            );
        }
        full.push(s);
    }
    let rss = |v: &[memory::Sample]| median_f64(v.iter().map(|s| s.rss as f64));
    let threads = |v: &[memory::Sample]| median_f64(v.iter().map(|s| s.threads as f64));
    let mib = |b: f64| format!("{:.1} MiB", b / f64::from(1 << 20));
    let (nr, br) = (rss(&full), rss(&base));
    let (nt, bt) = (threads(&full), threads(&base));
    table.section(&format!("memory: nipartd with {n} plugins idle"));
    table.push(
        Row::new("resident memory (VmRSS)")
            .values(mib(nr), mib(br))
            .ratio(nr / br)
            .target(
                format!("<= {}", mib(TARGET_RSS as f64)),
                nr <= TARGET_RSS as f64,
            ),
    );
    let max_threads = n + TARGET_EXTRA_THREADS;
    table.push(
        Row::new("threads")
            .values(format!("{nt:.0}"), format!("{bt:.0}"))
            .ratio(nt / bt)
            .target(format!("<= {max_threads}"), nt <= max_threads as f64),
    );
    if let Some(s) = full.last() {
        println!(
            "nipartd's threads with {n} plugins: {}",
            s.thread_names.join(" ")
        );
    }
    match (&netns, args.cycle_pairs) {
        (_, 0) => {}
        (None, _) => {
            eprintln!("nipart-bench: memory: not root: no create-and-delete cycle");
        }
        (Some(ns), pairs) => {
            let nipc = build::nipc(target)?;
            eprintln!(
                "nipart-bench: memory: nipartd with {n} plugins creates and deletes {pairs} veth pairs ..."
            );
            let c = memory::cycle(nipartd, &nipc, dir.path(), ns, pairs, idle)?;
            if args.verbose {
                eprintln!(
                    "  cycle: idle {} MiB, with the pairs {} MiB, after {} MiB",
                    c.idle >> 20,
                    c.loaded >> 20,
                    c.after >> 20
                );
            }
            let (after, idle) = (c.after as f64, c.idle as f64);
            table.push(
                Row::new(format!(
                    "VmRSS after creating and deleting {pairs} veth pairs (vs idle before)"
                ))
                .values(mib(after), mib(idle))
                .ratio(after / idle)
                .target(
                    format!("<= {TARGET_CYCLE_RATIO}x idle"),
                    after <= TARGET_CYCLE_RATIO * idle,
                ),
            );
        }
    }
    Ok(())
}

/// The bar from issue 11: memory taken by a large apply is given back.
const TARGET_CYCLE_RATIO: f64 = 2.0;
