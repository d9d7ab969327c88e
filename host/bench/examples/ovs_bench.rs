//! Benchmark: the `ovs` plugin (issue 15). Root only.
//!
//! ```sh
//! cargo run --release -p nipart-bench --example ovs_bench -- [--runs 3] [--ports 200] [--shows N] [--json]
//! ```
//!
//! In a namespace with its own `ovsdb-server` and `ovs-vswitchd` (the test
//! kit's `Ovs`, userspace datapath) and `--ports` veth pairs:
//!
//! 1. **apply**: `nipc apply` of an OVS bridge with every veth as a port
//!    (the whole workflow: plan, checkpoint, kernel part, one OVSDB
//!    transaction, the wait for every `ofport`, verification), beside one
//!    `ovs-vsctl` invocation doing the same (`add-br`, `set bridge`,
//!    `add-port` for each, chained with `--`; it waits for ovs-vswitchd
//!    too). The bridge is removed between runs (by the same tool). Target:
//!    at most 2× ovs-vsctl.
//! 2. **show**: `nipc -o json show` with that bridge in place, beside
//!    `ovs-vsctl show` plus the kernel's query `ip -j addr show` (run one
//!    after the other). Target: at most 1.2×. Beside them, where show's
//!    time goes: the kernel plugin's query alone (`nipc call
//!    network.query --role kernel`), the daemon's least round trip
//!    (`nipc ping`) and nispor called directly (in this process) for the
//!    same links, addresses, routes and rules.
//!
//! Medians of `--runs` (of `--shows`, at least 5, for show: more to
//! profile the daemon with `perf record -p`). Exit status 0 whatever the figures; non-zero only
//! if the benchmark could not run.

use std::{
    process::{Command, ExitCode},
    time::{Duration, Instant},
};

use nipart_plugin_api::{Message, Request, state::QueryRequest};
use nipart_testkit::{DaemonBuilder, Netns, build_in_workspace, ovs::Ovs};
use serde_json::json;

type BoxError = Box<dyn std::error::Error>;

const TARGET_APPLY: f64 = 2.0;
const TARGET_SHOW: f64 = 1.2;

struct Args {
    runs: usize,
    ports: usize,
    shows: usize,
    json: bool,
}

fn args() -> Result<Args, BoxError> {
    let mut a = Args {
        runs: 3,
        ports: 200,
        shows: 0,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<usize, BoxError> {
            Ok(it
                .next()
                .ok_or(format!("{name} needs a value"))?
                .parse()
                .map_err(|e| format!("{name}: {e}"))?)
        };
        match arg.as_str() {
            "--json" => a.json = true,
            "--runs" => a.runs = number("--runs")?.max(1),
            "--ports" => a.ports = number("--ports")?.clamp(1, 4000),
            "--shows" => a.shows = number("--shows")?.min(100_000),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ovs_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs `cmd`, which must succeed; how long it took.
fn timed(cmd: &mut Command) -> Result<Duration, BoxError> {
    let t = Instant::now();
    let out = cmd.output()?;
    let took = t.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{cmd:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(took)
}

struct Figures {
    apply: Duration,
    vsctl_apply: Duration,
    show: Duration,
    vsctl_show: Duration,
    ip_query: Duration,
    kernel_query: Duration,
    ping: Duration,
    nispor: Duration,
}

/// nispor's read of what the kernel plugin reports (links with their
/// bridge VLANs, addresses, routes, rules), in the calling thread's
/// namespace; how long it took.
fn nispor_query() -> Result<Duration, String> {
    let mut filter = nispor::NetStateFilter::minimum();
    let mut iface = nispor::NetStateIfaceFilter::minimum();
    iface.include_ip_address = true;
    iface.include_bridge_vlan = true;
    filter.iface = Some(iface);
    filter.route = Some(nispor::NetStateRouteFilter::default());
    filter.route_rule = Some(nispor::NetStateRouteRuleFilter::default());
    let t = Instant::now();
    nispor::NetState::retrieve_with_filter(&filter).map_err(|e| format!("nispor: {e}"))?;
    Ok(t.elapsed())
}

fn bench(a: &Args) -> Result<Figures, BoxError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("needs root (network namespaces, ovs-vswitchd)".into());
    }
    let ns = Netns::try_new()?;
    ns.ip("link set lo up");
    let mut batch = String::new();
    for i in 0..a.ports {
        batch.push_str(&format!(
            "link add v{i} type veth peer name e{i}\nlink set v{i} up\nlink set e{i} up\n"
        ));
    }
    ns.ip_batch(&batch);
    let ovs = Ovs::start(&ns);
    let nipc = build_in_workspace(&["-p", "nipc", "--bins"]).join("nipc");
    let daemon = DaemonBuilder::new()
        .workspace_plugins(&[
            "nipart-plugin-kernel",
            "nipart-plugin-state",
            "nipart-plugin-commander",
            "nipart-plugin-ovs",
        ])
        .config(&format!(
            "[plugin.ovs]\nsocket = {:?}\ndatapath = \"netdev\"\nready_timeout_ms = 60000\n[plugin.commander]\napply_timeout_ms = 120000\n",
            ovs.socket().display().to_string()
        ))
        .netns(&ns)
        .spawn();
    let db = format!("--db=unix:{}", ovs.socket().display());
    let vsctl = || {
        let mut c = Command::new("ovs-vsctl");
        c.arg(&db).arg("--timeout=120");
        c
    };
    let nipc_cmd = |args: &[&str]| {
        let mut c = Command::new(&nipc);
        c.arg("--socket").arg(daemon.socket()).args(args);
        c
    };
    let mut yaml = String::from(
        "interfaces:\n  - name: nb0\n    type: ovs-bridge\n    bridge:\n      options: {datapath: netdev}\n      port:\n",
    );
    for i in 0..a.ports {
        yaml.push_str(&format!("        - name: v{i}\n"));
    }
    let create = daemon.sandbox().path("ovs-bridge.yml");
    std::fs::write(&create, yaml)?;
    let remove = daemon.sandbox().path("ovs-bridge-absent.yml");
    std::fs::write(
        &remove,
        "interfaces:\n  - {name: nb0, type: ovs-bridge, state: absent}\n",
    )?;
    let create = create.to_str().ok_or("a UTF-8 path")?.to_string();
    let remove = remove.to_str().ok_or("a UTF-8 path")?.to_string();

    let (mut apply, mut vsctl_apply) = (Vec::new(), Vec::new());
    for run in 0..a.runs {
        eprintln!("ovs_bench: run {} of {}: apply ...", run + 1, a.runs);
        let mut c = vsctl();
        c.args([
            "add-br",
            "vb0",
            "--",
            "set",
            "bridge",
            "vb0",
            "datapath_type=netdev",
        ]);
        for i in 0..a.ports {
            c.args(["--", "add-port", "vb0", &format!("v{i}")]);
        }
        vsctl_apply.push(timed(&mut c)?);
        timed(vsctl().args(["del-br", "vb0"]))?;
        apply.push(timed(&mut nipc_cmd(&["apply", &create]))?);
        if run + 1 < a.runs {
            timed(&mut nipc_cmd(&["apply", &remove]))?;
        }
    }

    let (mut show, mut vsctl_show, mut ip_query) = (Vec::new(), Vec::new(), Vec::new());
    let (mut kernel_query, mut ping, mut nispor) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..a.runs.max(a.shows).max(5) {
        show.push(timed(&mut nipc_cmd(&["-o", "json", "show"]))?);
        vsctl_show.push(timed(vsctl().arg("show"))?);
        ip_query.push(timed(
            Command::new("ip").args(["netns", "exec", &ns.name, "ip", "-j", "addr", "show"]),
        )?);
        // Where show's time goes: the kernel plugin's query alone (through
        // the API, without the commander, OVS or the merge), the daemon's
        // least round trip (ping), and nispor called directly for the same
        // links, addresses, routes and rules, in this process.
        kernel_query.push(timed(&mut nipc_cmd(&[
            "call",
            QueryRequest::TOPIC,
            "{}",
            "--role",
            QueryRequest::ROLE.as_str(),
        ]))?);
        ping.push(timed(&mut nipc_cmd(&["ping"]))?);
        nispor.push(ns.run_inside(nispor_query)?);
    }
    drop(daemon);
    drop(ovs);
    Ok(Figures {
        kernel_query: median(kernel_query),
        ping: median(ping),
        nispor: median(nispor),
        apply: median(apply),
        vsctl_apply: median(vsctl_apply),
        show: median(show),
        vsctl_show: median(vsctl_show),
        ip_query: median(ip_query),
    })
}

fn run() -> Result<(), BoxError> {
    let a = args()?;
    if cfg!(debug_assertions) {
        eprintln!("ovs_bench: warning: a debug build; use --release for meaningful figures");
    }
    let f = bench(&a)?;
    let apply_ratio = f.apply.as_secs_f64() / f.vsctl_apply.as_secs_f64();
    let show_base = f.vsctl_show + f.ip_query;
    let show_ratio = f.show.as_secs_f64() / show_base.as_secs_f64();
    if a.json {
        println!(
            "{}",
            json!({
                "ports": a.ports,
                "apply_ms": f.apply.as_secs_f64() * 1e3,
                "ovs_vsctl_apply_ms": f.vsctl_apply.as_secs_f64() * 1e3,
                "apply_ratio": apply_ratio,
                "show_ms": f.show.as_secs_f64() * 1e3,
                "ovs_vsctl_show_ms": f.vsctl_show.as_secs_f64() * 1e3,
                "ip_query_ms": f.ip_query.as_secs_f64() * 1e3,
                "show_ratio": show_ratio,
                "kernel_query_ms": f.kernel_query.as_secs_f64() * 1e3,
                "ping_ms": f.ping.as_secs_f64() * 1e3,
                "nispor_ms": f.nispor.as_secs_f64() * 1e3,
            })
        );
        return Ok(());
    }
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    println!(
        "ovs benchmark (issue 15), {} ports, medians of {} runs",
        a.ports, a.runs
    );
    println!();
    println!("| what | nipart | baseline | ratio | target |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| apply: OVS bridge with {} veth ports | {} | one chained ovs-vsctl: {} | {apply_ratio:.2}× | ≤ {TARGET_APPLY}×: {} |",
        a.ports,
        ms(f.apply),
        ms(f.vsctl_apply),
        met(apply_ratio <= TARGET_APPLY)
    );
    println!(
        "| show with that bridge | {} | ovs-vsctl show {} + ip -j addr show {} | {show_ratio:.2}× | ≤ {TARGET_SHOW}×: {} |",
        ms(f.show),
        ms(f.vsctl_show),
        ms(f.ip_query),
        met(show_ratio <= TARGET_SHOW)
    );
    println!();
    println!(
        "where show's time goes: the kernel plugin's query alone (nipc call network.query --role kernel) {}, \
         the daemon's least round trip (nipc ping) {}, nispor called directly for the same data {}, ip -j addr show {}",
        ms(f.kernel_query),
        ms(f.ping),
        ms(f.nispor),
        ms(f.ip_query)
    );
    Ok(())
}
