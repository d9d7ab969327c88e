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

const CLIENT_IF: &str = "bench0";
const SERVER_IF: &str = "bsrv0";
const TARGET_SLACK: Duration = Duration::from_millis(50);
const GIVE_UP: Duration = Duration::from_secs(20);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dhcp_bench: error: {e}");
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

/// Whether `iface` has an IPv4 address in this thread's namespace.
fn has_ipv4(iface: &str) -> bool {
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
                && i32::from((*a.ifa_addr).sa_family) == libc::AF_INET
                && CStr::from_ptr(a.ifa_name).to_bytes() == iface.as_bytes()
            {
                found = true;
                break;
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
            if has_ipv4(CLIENT_IF) {
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
        client.try_ip(&format!("link set {CLIENT_IF} up"))?;
        server.try_ip(&format!("addr add 10.77.0.1/24 dev {SERVER_IF}"))?;
        server.try_ip(&format!("link set {SERVER_IF} up"))?;
        let dnsmasq = Command::new("ip")
            .args(["netns", "exec", &server.name, "dnsmasq", "--no-daemon"])
            .args([
                "--conf-file=/dev/null",
                "--port=0",
                "--user=root",
                "--bind-interfaces",
                "--dhcp-authoritative",
                "--dhcp-range=10.77.0.50,10.77.0.150,255.255.255.0,1h",
                "--dhcp-option=option:router,10.77.0.1",
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
        "state": {"interfaces": [{"name": CLIENT_IF, "ipv4": {"dhcp": true}}]},
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
fn nipart_once(side: &Side) -> Result<Duration, BoxError> {
    side.carrier(false)?;
    let give_up = Instant::now() + GIVE_UP;
    let ns = side.client.path();
    loop {
        let gone = std::thread::spawn({
            let ns = ns.clone();
            move || enter_netns(&ns).map(|()| !has_ipv4(CLIENT_IF))
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
    let rx = watch_address(ns)?;
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
    let rx = watch_address(side.client.path())?;
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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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
