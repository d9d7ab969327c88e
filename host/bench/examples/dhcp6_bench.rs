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
//! Target (issue 14): nipart no slower than the reference + 50 ms (p50).
//! Exit status 0 whatever the figures; non-zero only if the benchmark could
//! not run.

#[path = "common/stats.rs"]
mod stats;

use std::{
    ffi::CStr,
    fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode, Stdio},
    sync::{Arc, mpsc},
    time::{Duration, Instant},
};

use nipart_plugin_api::{Address, EventState};
use nipart_testkit::{BusClient, Netns, build_in_workspace, netns::enter as enter_netns, try_run};
use nipartd::{DaemonConfig, Lifecycle};
use serde_json::json;
use stats::percentile;

type BoxError = Box<dyn std::error::Error>;

const CLIENT_IF: &str = "bench6";
const SERVER_IF: &str = "bsrv6";
const TARGET_SLACK: Duration = Duration::from_millis(50);
const GIVE_UP: Duration = Duration::from_secs(20);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dhcp6_bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    iterations: usize,
    json: bool,
}

fn args() -> Result<Args, BoxError> {
    let mut a = Args {
        iterations: 20,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--iterations" => {
                a.iterations = it.next().ok_or("--iterations needs a number")?.parse()?;
            }
            "--json" => a.json = true,
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    Ok(a)
}

/// Whether `iface` has a global IPv6 address in this thread's namespace.
fn has_ipv6(iface: &str) -> bool {
    let mut found = false;
    // SAFETY: getifaddrs fills a list we walk read-only and free once.
    unsafe {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        if libc::getifaddrs(&mut list) != 0 {
            return false;
        }
        let mut p = list;
        while !p.is_null() {
            let a = &*p;
            if !a.ifa_addr.is_null()
                && i32::from((*a.ifa_addr).sa_family) == libc::AF_INET6
                && CStr::from_ptr(a.ifa_name).to_bytes() == iface.as_bytes()
            {
                // AF_INET6 entries are sockaddr_in6.
                let sin6 = &*(a.ifa_addr as *const libc::sockaddr_in6);
                let ip = std::net::Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                if (ip.segments()[0] & 0xffc0) != 0xfe80 {
                    found = true;
                    break;
                }
            }
            p = a.ifa_next;
        }
        libc::freeifaddrs(list);
    }
    found
}

/// Polls `iface` in namespace `ns_path` from a thread of its own; the
/// receiver gets the instant the address appeared (or an error). Returns
/// once the poller is inside the namespace.
fn watch_address(ns_path: String) -> Result<mpsc::Receiver<Result<Instant, String>>, BoxError> {
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Err(e) = enter_netns(&ns_path) {
            let _ = ready_tx.send(Err(e));
            return;
        }
        let _ = ready_tx.send(Ok(()));
        let give_up = Instant::now() + GIVE_UP;
        loop {
            if has_ipv6(CLIENT_IF) {
                let _ = tx.send(Ok(Instant::now()));
                return;
            }
            if Instant::now() > give_up {
                let _ = tx.send(Err(format!("no address on {CLIENT_IF} within {GIVE_UP:?}")));
                return;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    });
    ready_rx.recv()??;
    Ok(rx)
}

/// A server namespace with dnsmasq, a client namespace, a veth pair.
struct Side {
    client: Netns,
    server: Netns,
    dnsmasq: std::process::Child,
}

impl Side {
    fn new(tag: &str, dir: &Path) -> Result<Side, BoxError> {
        let client = Netns::try_new()?;
        let server = Netns::try_new()?;
        client.try_ip("link set lo up")?;
        client.try_ip(&format!(
            "link add {CLIENT_IF} type veth peer name {SERVER_IF} netns {}",
            server.name
        ))?;
        // The test kit's namespaces make no link-local addresses; DHCPv6
        // needs them.
        client.try_ip(&format!("link set {CLIENT_IF} addrgenmode eui64"))?;
        server.try_ip(&format!("link set {SERVER_IF} addrgenmode eui64"))?;
        client.try_ip(&format!("link set {CLIENT_IF} up"))?;
        // Its address survives the carrier flaps of each iteration (taking
        // a link down flushes its IPv6 addresses otherwise).
        try_run(Command::new("ip").args([
            "netns",
            "exec",
            &server.name,
            "sysctl",
            "-q",
            "-w",
            &format!("net.ipv6.conf.{SERVER_IF}.keep_addr_on_down=1"),
        ]))?;
        server.try_ip(&format!("addr add fd77::1/64 dev {SERVER_IF} nodad"))?;
        server.try_ip(&format!("link set {SERVER_IF} up"))?;
        let dnsmasq = Command::new("ip")
            .args(["netns", "exec", &server.name, "dnsmasq", "--no-daemon"])
            .args([
                "--conf-file=/dev/null",
                "--port=0",
                "--user=root",
                "--bind-interfaces",
                "--dhcp-authoritative",
                "--dhcp-range=fd77::100,fd77::1ff,64,1h",
            ])
            .arg(format!("--interface={SERVER_IF}"))
            .arg(format!(
                "--dhcp-leasefile={}",
                dir.join(format!("{tag}.leases")).display()
            ))
            .arg(format!(
                "--pid-file={}",
                dir.join(format!("{tag}.pid")).display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(Side {
            client,
            server,
            dnsmasq,
        })
    }

    fn carrier(&self, up: bool) -> Result<(), BoxError> {
        self.server.try_ip(&format!(
            "link set {SERVER_IF} {}",
            if up { "up" } else { "down" }
        ))?;
        Ok(())
    }
}

impl Drop for Side {
    fn drop(&mut self) {
        let _ = self.dnsmasq.kill();
        let _ = self.dnsmasq.wait();
    }
}

/// Builds the plugins with this example's profile and target directory.
fn plugins() -> Result<Vec<PathBuf>, BoxError> {
    let names = ["kernel", "monitor", "dhcp"];
    let profile_dir = build_in_workspace(&[
        "-p",
        "nipart-plugin-kernel",
        "-p",
        "nipart-plugin-monitor",
        "-p",
        "nipart-plugin-dhcp",
        "--lib",
    ]);
    names
        .iter()
        .map(|n| {
            let p = profile_dir.join(format!("libnipart_plugin_{n}.so"));
            if p.is_file() {
                Ok(p)
            } else {
                Err(format!("{} is missing: build nipart-plugin-{n} first", p.display()).into())
            }
        })
        .collect()
}

/// The daemon in `side`'s client namespace with DHCP on [`CLIENT_IF`].
fn start_nipart(side: &Side, dir: &Path) -> Result<Lifecycle, BoxError> {
    let plugin_dir = dir.join("plugins");
    fs::create_dir_all(&plugin_dir)?;
    for p in plugins()? {
        fs::copy(&p, plugin_dir.join(p.file_name().ok_or("no file name")?))?;
    }
    let mut config = DaemonConfig::from_toml(&format!(
        "[plugin.dhcp]\nlease_dir = {:?}\n",
        dir.join("leases")
    ))?;
    config.plugin_dir = plugin_dir;
    config.log_level = "warn".into();
    let ns = side.client.path();
    let lifecycle = std::thread::spawn(move || -> Result<Lifecycle, String> {
        enter_netns(&ns)?;
        Lifecycle::start(config).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the daemon's start panicked")??;
    let client = BusClient::join(lifecycle.bus(), 1);
    let part = json!({
        "state": {"interfaces": [{"name": CLIENT_IF, "ipv6": {"dhcp": true}}]},
        "checkpoint": "bench",
    });
    let id = client.send_request_bytes(
        "network.apply",
        Address::role("dhcp"),
        serde_json::to_vec(&part)?,
        None,
    )?;
    let reply = client.wait(id, GIVE_UP).reply;
    if reply.state == EventState::Cancelled {
        return Err(format!("enabling DHCP: {}", String::from_utf8_lossy(&reply.payload)).into());
    }
    drop(client);
    Ok(lifecycle)
}

/// One nipart iteration: carrier down until the address is gone, then
/// carrier up → address.
fn nipart_once(side: &Side, dir: &Path, fresh: bool) -> Result<Duration, BoxError> {
    side.carrier(false)?;
    let give_up = Instant::now() + GIVE_UP;
    let ns = side.client.path();
    loop {
        let gone = std::thread::spawn({
            let ns = ns.clone();
            move || enter_netns(&ns).map(|()| !has_ipv6(CLIENT_IF))
        })
        .join()
        .map_err(|_| "poller panicked")??;
        if gone {
            break;
        }
        if Instant::now() > give_up {
            return Err("nipart did not remove the address at carrier loss".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    if fresh {
        remove_if_there(&dir.join("leases/v6").join(format!("{CLIENT_IF}.json")))?;
    }
    let rx = watch_address(ns)?;
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
    let rx = watch_address(side.client.path())?;
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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

    let nipart_side = Side::new("n", dir.path())?;
    let reference_side = Side::new("r", dir.path())?;
    // dnsmasq needs a moment to bind.
    std::thread::sleep(Duration::from_millis(300));
    let lifecycle = Arc::new(start_nipart(&nipart_side, dir.path())?);

    // Warm-up: the first lease of each (DISCOVER with dnsmasq's ping check).
    let first = {
        let rx = watch_address(nipart_side.client.path())?;
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
        rows.push((scenario, n50, n95, r50, r95, n50 <= r50 + TARGET_SLACK));
    }
    drop(nipart_side);
    if let Ok(l) = Arc::try_unwrap(lifecycle) {
        let _ = l.shutdown();
    }
    if args.json {
        let rows: Vec<_> = rows
            .iter()
            .map(|(scenario, n50, n95, r50, r95, met)| {
                json!({
                    "scenario": scenario,
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
        for (scenario, n50, n95, r50, r95, met) in rows {
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
