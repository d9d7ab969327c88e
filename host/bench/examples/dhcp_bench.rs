//! Benchmark: link up → DHCPv4 address applied, nipart's `dhcp` plugin
//! beside busybox `udhcpc` (the reference client from Debian) on identical
//! setups in the same run.
//!
//! Run as root, with `dnsmasq` and `udhcpc` installed:
//!
//! ```sh
//! cargo run --release -p nipart-bench --example dhcp_bench -- [--iterations 20] [--json]
//! ```
//!
//! Each side has a server namespace running dnsmasq and a client namespace,
//! joined by a veth pair. nipart's side runs the daemon (kernel, monitor and
//! dhcp plugins) in its client namespace with DHCP enabled on the client's
//! veth. An iteration takes the server's end down (nipart removes the
//! address when the carrier goes; the reference's address is flushed), then
//! starts the clock and sets it up: nipart follows the carrier on its own,
//! the reference is started right then (`udhcpc -f -q`, as an ifup hook
//! would). The clock stops when the client's namespace shows an IPv4
//! address on the interface (polled with `getifaddrs` every 0.2 ms).
//!
//! Both clients hold a lease from a previous iteration: nipart asks for it
//! again (INIT-REBOOT), udhcpc asks for it in its DISCOVER (`-r`).
//!
//! Target (issue 6): nipart no slower than the reference + 50 ms (p50).
//! Exit status 0 whatever the figures; non-zero only if the benchmark could
//! not run.

#[path = "common/dhcp_bed.rs"]
mod dhcp_bed;
#[path = "common/stats.rs"]
mod stats;

use std::{
    fs,
    path::Path,
    process::{Command, ExitCode, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use dhcp_bed::{BoxError, Family, Side, args, ms, start_nipart, wait_until_gone, watch_address};
use nipart_testkit::try_run;
use serde_json::json;
use stats::percentile;

const CLIENT_IF: &str = "bench0";
const SERVER_IF: &str = "bsrv0";
const TARGET_SLACK: Duration = Duration::from_millis(50);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dhcp_bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One nipart iteration: carrier down until the address is gone, then
/// carrier up → address.
fn nipart_once(side: &Side) -> Result<Duration, BoxError> {
    side.carrier(false)?;
    let ns = side.client.path();
    wait_until_gone(&ns, CLIENT_IF, Family::V4)?;
    let rx = watch_address(ns, CLIENT_IF, Family::V4)?;
    let t0 = Instant::now();
    side.carrier(true)?;
    let at = rx.recv()??;
    Ok(at - t0)
}

/// The reference's script: apply what udhcpc got.
const UDHCPC_SCRIPT: &str = "#!/bin/sh
case \"$1\" in
  bound|renew)
    ip addr add \"$ip/$mask\" dev \"$interface\"
    [ -n \"$router\" ] && ip route replace default via \"${router%% *}\" dev \"$interface\"
    ;;
esac
exit 0
";

/// One reference iteration: carrier down, address flushed; then carrier up
/// and udhcpc started → address.
fn reference_once(
    side: &Side,
    script: &Path,
    last: &mut Option<String>,
) -> Result<Duration, BoxError> {
    side.carrier(false)?;
    side.client.try_ip(&format!("addr flush dev {CLIENT_IF}"))?;
    let rx = watch_address(side.client.path(), CLIENT_IF, Family::V4)?;
    let t0 = Instant::now();
    side.carrier(true)?;
    let mut cmd = Command::new("ip");
    cmd.args([
        "netns",
        "exec",
        &side.client.name,
        "udhcpc",
        "-f",
        "-q",
        "-i",
        CLIENT_IF,
        "-s",
    ])
    .arg(script)
    .args(["-t", "20", "-T", "1"]);
    if let Some(ip) = last.as_deref() {
        cmd.args(["-r", ip]);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let at = rx.recv();
    let _ = child.kill();
    let _ = child.wait();
    let at = at??;
    let addrs = try_run(Command::new("ip").args([
        "-n",
        &side.client.name,
        "-4",
        "-br",
        "addr",
        "show",
        CLIENT_IF,
    ]))?;
    *last = addrs
        .split_whitespace()
        .nth(2)
        .and_then(|a| a.split('/').next())
        .map(str::to_string);
    Ok(at - t0)
}

fn run() -> Result<(), BoxError> {
    let args = args()?;
    for tool in ["dnsmasq", "udhcpc"] {
        if try_run(Command::new("sh").args(["-c", &format!("command -v {tool}")])).is_err() {
            return Err(
                format!("{tool} is not installed (apt-get install dnsmasq-base udhcpc)").into(),
            );
        }
    }
    let dir = tempfile::Builder::new()
        .prefix("nipart-dhcp-bench-")
        .tempdir()?;
    let script = dir.path().join("udhcpc.script");
    fs::write(&script, UDHCPC_SCRIPT)?;
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755))?;

    let nipart_side = Side::new(Family::V4, "n", dir.path(), CLIENT_IF, SERVER_IF)?;
    let reference_side = Side::new(Family::V4, "r", dir.path(), CLIENT_IF, SERVER_IF)?;
    // dnsmasq needs a moment to bind.
    std::thread::sleep(Duration::from_millis(300));
    let lifecycle = Arc::new(start_nipart(
        nipart_side.client.path(),
        dir.path(),
        CLIENT_IF,
        Family::V4,
    )?);

    // Warm-up: the first lease of each (DISCOVER with dnsmasq's ping check).
    let first = {
        let rx = watch_address(nipart_side.client.path(), CLIENT_IF, Family::V4)?;
        rx.recv()??
    };
    let _ = first;
    let mut last = None;
    reference_once(&reference_side, &script, &mut last)?;

    let mut nipart = Vec::with_capacity(args.iterations);
    let mut reference = Vec::with_capacity(args.iterations);
    // Interleaved, so that drift on a noisy machine hits both alike.
    for _ in 0..args.iterations {
        nipart.push(nipart_once(&nipart_side)?);
        reference.push(reference_once(&reference_side, &script, &mut last)?);
    }
    nipart.sort();
    reference.sort();
    let (n50, n95) = (percentile(&nipart, 50.0), percentile(&nipart, 95.0));
    let (r50, r95) = (percentile(&reference, 50.0), percentile(&reference, 95.0));
    let met = n50 <= r50 + TARGET_SLACK;
    drop(nipart_side);
    if let Ok(l) = Arc::try_unwrap(lifecycle) {
        let _ = l.shutdown();
    }
    if args.json {
        println!(
            "{}",
            json!({
                "iterations": args.iterations,
                "nipart_ms": {"p50": ms(n50), "p95": ms(n95)},
                "udhcpc_ms": {"p50": ms(r50), "p95": ms(r95)},
                "ratio_p50": ms(n50) / ms(r50),
                "target": "nipart p50 <= udhcpc p50 + 50 ms",
                "target_met": met,
            })
        );
    } else {
        println!(
            "DHCPv4: link up -> address applied, {} iterations each",
            args.iterations
        );
        println!(
            "  nipart (dhcp plugin)  p50 {:>8.1} ms   p95 {:>8.1} ms",
            ms(n50),
            ms(n95)
        );
        println!(
            "  udhcpc (reference)    p50 {:>8.1} ms   p95 {:>8.1} ms",
            ms(r50),
            ms(r95)
        );
        println!(
            "  difference p50 {:+.1} ms, ratio nipart/udhcpc p50 {:.2}x; target nipart <= udhcpc + 50 ms: {}",
            ms(n50) - ms(r50),
            ms(n50) / ms(r50),
            if met { "met" } else { "NOT met" }
        );
    }
    Ok(())
}
