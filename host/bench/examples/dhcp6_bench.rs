//! Benchmark: link up → DHCPv6 (IA_NA) address applied, nipart's `dhcp`
//! plugin beside `dhcpcd` (the reference client from Debian, package
//! dhcpcd-base) on identical setups in the same run.
//!
//! Run as root, with `dnsmasq` and `dhcpcd` installed:
//!
//! ```sh
//! cargo run --release -p nipart-bench --example dhcp6_bench -- [--iterations 20] [--json]
//! ```
//!
//! Each side has a server namespace running dnsmasq (DHCPv6 only, no
//! router advertisements) and a client namespace, joined by a veth pair;
//! both ends make link-local addresses (EUI-64) with the kernel's duplicate
//! address detection. nipart's side runs the daemon (kernel, monitor and
//! dhcp plugins) in its client namespace with `ipv6.dhcp` on the client's
//! veth. An iteration takes the server's end down (nipart removes the
//! address when the carrier goes; the reference's is flushed), then starts
//! the clock and sets it up: nipart follows the carrier on its own, the
//! reference is started right then (`dhcpcd -6 -1`, IA_NA without router
//! solicitation, as an ifup hook would). The clock stops when the client's
//! namespace shows a global IPv6 address on the interface (polled with
//! `getifaddrs` every 0.2 ms).
//!
//! Both clients hold a lease from a previous iteration: nipart uses it while
//! it renews it (RFC 8415 18.2.3); dhcpcd reads its lease file (kept in the
//! benchmark's directory, bound over `/var/lib/dhcpcd` in its own mount
//! namespace) and confirms it.
//!
//! `--json` also lists every iteration's figure, sorted; with
//! `NIPART_LOG=warn,plugin=debug` the daemon's log goes to standard error
//! with timestamps (carrier up, each Solicit, Advertise, Request, Reply,
//! the kernel's address added).
//!
//! Target (issue 14): nipart no slower than the reference + 50 ms (p50).
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

use dhcp_bed::{
    BoxError, Family, GIVE_UP, Side, args, ms, start_nipart, wait_until_gone, watch_address,
};
use nipart_testkit::try_run;
use serde_json::json;
use stats::percentile;

const CLIENT_IF: &str = "bench6";
const SERVER_IF: &str = "bsrv6";
const TARGET_SLACK: Duration = Duration::from_millis(50);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dhcp6_bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One nipart iteration: carrier down until the address is gone, then
/// carrier up → address.
fn nipart_once(side: &Side, dir: &Path, fresh: bool) -> Result<Duration, BoxError> {
    side.carrier(false)?;
    let ns = side.client.path();
    wait_until_gone(&ns, CLIENT_IF, Family::V6)?;
    if fresh {
        remove_if_there(&dir.join("leases/v6").join(format!("{CLIENT_IF}.json")))?;
    }
    let rx = watch_address(ns, CLIENT_IF, Family::V6)?;
    let t0 = Instant::now();
    side.carrier(true)?;
    let at = rx.recv()??;
    Ok(at - t0)
}

fn remove_if_there(path: &Path) -> Result<(), BoxError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// dhcpcd's configuration: DHCPv6 only, an IA_NA at once (no router
/// solicitation first: the server sends no advertisements), no hooks.
const DHCPCD_CONF: &str = "ipv6only\nnoipv6rs\nia_na\nnohook resolv.conf\n";

/// One reference iteration: carrier down, global addresses flushed; then
/// carrier up and dhcpcd started → address.
fn reference_once(side: &Side, dir: &Path, fresh: bool) -> Result<Duration, BoxError> {
    side.carrier(false)?;
    side.client
        .try_ip(&format!("-6 addr flush dev {CLIENT_IF} scope global"))?;
    if fresh {
        remove_if_there(&dir.join("dhcpcd-db").join(format!("{CLIENT_IF}.lease6")))?;
    }
    let rx = watch_address(side.client.path(), CLIENT_IF, Family::V6)?;
    let conf = dir.join("dhcpcd.conf");
    let db = dir.join("dhcpcd-db");
    let run = dir.join("dhcpcd-run");
    // Its own mount namespace (`ip netns exec` makes one): its lease file,
    // DUID and control socket stay in the benchmark's directory.
    let script = format!(
        "mkdir -p /run/dhcpcd && mount --bind {run:?} /run/dhcpcd && mount --bind {db:?} /var/lib/dhcpcd && exec dhcpcd -6 -1 -B -d -f {conf:?} {CLIENT_IF}"
    );
    let t0 = Instant::now();
    side.carrier(true)?;
    let log = fs::File::create(dir.join("dhcpcd.log"))?;
    let mut child = Command::new("ip")
        .args(["netns", "exec", &side.client.name, "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()?;
    let at = rx.recv();
    // With -1 it exits once the address is in place (after its duplicate
    // address detection); a SIGTERM, not a SIGKILL, also ends its
    // privilege-separation helpers.
    let give_up = Instant::now() + GIVE_UP;
    while child.try_wait()?.is_none() {
        if Instant::now() > give_up {
            let pid = libc::pid_t::try_from(child.id())?;
            // SAFETY: a plain signal to our own child.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            child.wait()?;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    match at? {
        Ok(at) => Ok(at - t0),
        Err(e) => Err(format!(
            "dhcpcd: {e}; its log:\n{}",
            fs::read_to_string(dir.join("dhcpcd.log")).unwrap_or_default()
        )
        .into()),
    }
}

fn run() -> Result<(), BoxError> {
    let args = args()?;
    for tool in ["dnsmasq", "dhcpcd"] {
        if try_run(Command::new("sh").args(["-c", &format!("command -v {tool}")])).is_err() {
            return Err(format!(
                "{tool} is not installed (apt-get install dnsmasq-base dhcpcd-base)"
            )
            .into());
        }
    }
    let dir = tempfile::Builder::new()
        .prefix("nipart-dhcp6-bench-")
        .tempdir()?;
    fs::write(dir.path().join("dhcpcd.conf"), DHCPCD_CONF)?;
    fs::create_dir_all(dir.path().join("dhcpcd-db"))?;
    fs::create_dir_all(dir.path().join("dhcpcd-run"))?;

    let nipart_side = Side::new(Family::V6, "n", dir.path(), CLIENT_IF, SERVER_IF)?;
    let reference_side = Side::new(Family::V6, "r", dir.path(), CLIENT_IF, SERVER_IF)?;
    // dnsmasq needs a moment to bind.
    std::thread::sleep(Duration::from_millis(300));
    let lifecycle = Arc::new(start_nipart(
        nipart_side.client.path(),
        dir.path(),
        CLIENT_IF,
        Family::V6,
    )?);

    // Warm-up: the first lease of each (DISCOVER with dnsmasq's ping check).
    let first = {
        let rx = watch_address(nipart_side.client.path(), CLIENT_IF, Family::V6)?;
        rx.recv()??
    };
    let _ = first;
    reference_once(&reference_side, dir.path(), false)?;

    let mut rows = Vec::new();
    // With the lease of the previous iteration, then without any.
    for (scenario, fresh) in [("with a saved lease", false), ("without a lease", true)] {
        let mut nipart = Vec::with_capacity(args.iterations);
        let mut reference = Vec::with_capacity(args.iterations);
        // Interleaved, so that drift on a noisy machine hits both alike.
        for _ in 0..args.iterations {
            nipart.push(nipart_once(&nipart_side, dir.path(), fresh)?);
            reference.push(reference_once(&reference_side, dir.path(), fresh)?);
        }
        nipart.sort();
        reference.sort();
        let (n50, n95) = (percentile(&nipart, 50.0), percentile(&nipart, 95.0));
        let (r50, r95) = (percentile(&reference, 50.0), percentile(&reference, 95.0));
        let met = n50 <= r50 + TARGET_SLACK;
        rows.push((scenario, n50, n95, r50, r95, met, nipart, reference));
    }
    drop(nipart_side);
    if let Ok(l) = Arc::try_unwrap(lifecycle) {
        let _ = l.shutdown();
    }
    if args.json {
        let rows: Vec<_> = rows
            .iter()
            .map(|(scenario, n50, n95, r50, r95, met, nipart, reference)| {
                let all = |v: &[Duration]| v.iter().map(|d| ms(*d)).collect::<Vec<_>>();
                json!({
                    "scenario": scenario,
                    // Every iteration, sorted: where the tail comes from.
                    "nipart_samples_ms": all(nipart),
                    "dhcpcd_samples_ms": all(reference),
                    "nipart_ms": {"p50": ms(*n50), "p95": ms(*n95)},
                    "dhcpcd_ms": {"p50": ms(*r50), "p95": ms(*r95)},
                    "ratio_p50": ms(*n50) / ms(*r50),
                    "target_met": met,
                })
            })
            .collect();
        println!(
            "{}",
            json!({
                "iterations": args.iterations,
                "target": "nipart p50 <= dhcpcd p50 + 50 ms",
                "rows": rows,
            })
        );
    } else {
        println!(
            "DHCPv6: link up -> IA_NA address applied, {} iterations each",
            args.iterations
        );
        for (scenario, n50, n95, r50, r95, met, _, _) in rows {
            println!("  {scenario}:");
            println!(
                "    nipart (dhcp plugin)  p50 {:>8.1} ms   p95 {:>8.1} ms",
                ms(n50),
                ms(n95)
            );
            println!(
                "    dhcpcd (reference)    p50 {:>8.1} ms   p95 {:>8.1} ms",
                ms(r50),
                ms(r95)
            );
            println!(
                "    difference p50 {:+.1} ms, ratio nipart/dhcpcd p50 {:.2}x; target nipart <= dhcpcd + 50 ms: {}",
                ms(n50) - ms(r50),
                ms(n50) / ms(r50),
                if met { "met" } else { "NOT met" }
            );
        }
    }
    Ok(())
}
