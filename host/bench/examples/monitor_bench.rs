//! Benchmark: link change → `link.admin-up`/`link.admin-down` event at a
//! bus subscriber, beside a raw rtnetlink listener in the same process
//! seeing the same change (the baseline), over N changes.
//!
//! Run as root (it creates a network namespace and a veth pair there):
//!
//! ```sh
//! cargo run --release -p nipart-bench --example monitor_bench -- [--changes 1000] [--json]
//! ```
//!
//! Each change is an `SIOCSIFFLAGS` ioctl toggling `IFF_UP` on one veth, made
//! from a thread inside the namespace; the clock starts right before the
//! ioctl. The monitor's time is taken when the bus hands its event to a
//! subscribed client (the daemon's `Sink`, on the monitor's thread: the same
//! point at which a subscribed plugin's queue receives it). The baseline's
//! time is taken when a blocking `recv` on a raw `NETLINK_ROUTE` socket
//! subscribed to `RTNLGRP_LINK` returns the notification. Changes are made
//! one at a time: the next starts once both have seen the previous one.
//!
//! Target (issue 6): monitor p99 ≤ 5 ms. Exit status 0 whatever the
//! figures; non-zero only if the benchmark could not run.

#[path = "common/stats.rs"]
mod stats;

use std::{
    ffi::CString,
    os::fd::AsRawFd,
    path::PathBuf,
    process::ExitCode,
    sync::mpsc,
    time::{Duration, Instant},
};

use nipart_plugin_api::Event;
use nipart_testkit::{Netns, build_in_workspace};
use nipartd::{DaemonConfig, Lifecycle, MemberId, MemberState, bus::Sink};
use stats::percentile;

const IFACE: &str = "mbench0";
const PEER: &str = "mbench1";
const TARGET_P99: Duration = Duration::from_millis(5);
const WARMUP: usize = 50;

type BoxError = Box<dyn std::error::Error>;

/// Finds (building it if needed) the monitor's `.so` beside this example.
fn monitor_so() -> Result<PathBuf, BoxError> {
    let profile_dir = build_in_workspace(&["-p", "nipart-plugin-monitor", "--lib"]);
    let so = profile_dir.join("libnipart_plugin_monitor.so");
    if !so.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build -p nipart-plugin-monitor` with the same profile, or pass --plugin PATH",
            so.display()
        )
        .into());
    }
    Ok(so)
}

/// Timestamps the monitor's admin events for IFACE as the bus delivers them.
/// Its own sink rather than the test kit's `BusClient`: the time is taken on
/// the bus's delivering thread, before any channel hop the figure would
/// otherwise include.
struct StampSink(mpsc::Sender<(Instant, bool)>);

impl Sink for StampSink {
    fn deliver(&self, event: Event) -> nipart_plugin_api::Result<u32> {
        let at = Instant::now();
        let up = match event.topic.as_str() {
            "link.admin-up" => true,
            "link.admin-down" => false,
            _ => return Ok(0),
        };
        let p: serde_json::Value = event.json()?;
        if p["name"] == IFACE {
            let _ = self.0.send((at, up));
        }
        Ok(0)
    }
}

/// The baseline: a raw rtnetlink listener reporting IFF_UP changes of `index`.
fn raw_listener(
    index: u32,
    tx: mpsc::Sender<(Instant, bool)>,
    ready: mpsc::Sender<Result<(), String>>,
) {
    let open = || -> std::io::Result<netlink_sys::Socket> {
        let mut s = netlink_sys::Socket::new(netlink_sys::protocols::NETLINK_ROUTE)?;
        s.bind(&netlink_sys::SocketAddr::new(0, 0))?;
        s.set_rx_buf_sz(4 << 20)?;
        s.add_membership(1)?; // RTNLGRP_LINK
        Ok(s)
    };
    let socket = match open() {
        Ok(s) => {
            let _ = ready.send(Ok(()));
            s
        }
        Err(e) => {
            let _ = ready.send(Err(format!("raw listener: {e}")));
            return;
        }
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut last_up: Option<bool> = None;
    loop {
        // SAFETY: buf is valid for writes of its length.
        let n = unsafe { libc::recv(socket.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
        let at = Instant::now();
        if n <= 0 {
            continue;
        }
        let data = &buf[..n as usize];
        let mut off = 0;
        while off + 16 <= data.len() {
            let len = u32::from_ne_bytes([data[off], data[off + 1], data[off + 2], data[off + 3]])
                as usize;
            let kind = u16::from_ne_bytes([data[off + 4], data[off + 5]]);
            if len < 16 || off + len > data.len() {
                break;
            }
            let p = &data[off + 16..off + len];
            if kind == libc::RTM_NEWLINK && p.len() >= 16 {
                let idx = u32::from_ne_bytes([p[4], p[5], p[6], p[7]]);
                let flags = u32::from_ne_bytes([p[8], p[9], p[10], p[11]]);
                let up = flags & libc::IFF_UP as u32 != 0;
                if idx == index && last_up != Some(up) {
                    last_up = Some(up);
                    if tx.send((at, up)).is_err() {
                        return;
                    }
                }
            }
            off += (len + 3) & !3;
        }
    }
}

fn if_index(name: &str) -> Result<u32, BoxError> {
    let c = CString::new(name)?;
    // SAFETY: c is a valid C string.
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if i == 0 {
        return Err(format!("no interface {name}: {}", std::io::Error::last_os_error()).into());
    }
    Ok(i)
}

/// Sets or clears IFF_UP on IFACE; returns the instant right before the call.
fn set_up(sock: libc::c_int, up: bool) -> Result<Instant, String> {
    // SAFETY: ifreq is plain data; the ioctls read and write only it.
    unsafe {
        let mut req: libc::ifreq = std::mem::zeroed();
        for (i, b) in IFACE.bytes().enumerate() {
            req.ifr_name[i] = b as libc::c_char;
        }
        if libc::ioctl(sock, libc::SIOCGIFFLAGS, &mut req) != 0 {
            return Err(format!("SIOCGIFFLAGS: {}", std::io::Error::last_os_error()));
        }
        let flags = req.ifr_ifru.ifru_flags;
        req.ifr_ifru.ifru_flags = if up {
            flags | libc::IFF_UP as libc::c_short
        } else {
            flags & !(libc::IFF_UP as libc::c_short)
        };
        let t0 = Instant::now();
        if libc::ioctl(sock, libc::SIOCSIFFLAGS, &req) != 0 {
            return Err(format!("SIOCSIFFLAGS: {}", std::io::Error::last_os_error()));
        }
        Ok(t0)
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

struct Args {
    changes: usize,
    plugin: Option<PathBuf>,
    json: bool,
}

fn parse_args() -> Result<Args, BoxError> {
    let mut args = Args {
        changes: 1000,
        plugin: None,
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--changes" => args.changes = it.next().ok_or("--changes needs N")?.parse()?,
            "--plugin" => args.plugin = Some(it.next().ok_or("--plugin needs PATH")?.into()),
            "--json" => args.json = true,
            "-h" | "--help" => {
                println!(
                    "monitor_bench [--changes N] [--plugin PATH/libnipart_plugin_monitor.so] [--json]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if args.changes == 0 {
        return Err("--changes must be at least 1".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("monitor_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), BoxError> {
    let args = parse_args()?;
    let so = match &args.plugin {
        Some(p) => p.clone(),
        None => monitor_so()?,
    };
    let ns = Netns::try_new()?;
    ns.try_ip(&format!("link add name {IFACE} type veth peer name {PEER}"))?;
    ns.try_ip(&format!("link set dev {PEER} up"))?;

    let dir = tempfile::tempdir()?;
    std::fs::copy(&so, dir.path().join("libnipart_plugin_monitor.so"))?;
    let config = DaemonConfig {
        plugin_dir: dir.path().to_path_buf(),
        required_plugins: vec!["monitor".into()],
        log_level: "warn".into(),
        ..DaemonConfig::default()
    };
    let lifecycle = ns
        .spawn_inside(move || Lifecycle::start(config))
        .join()
        .map_err(|_| "the start-up thread panicked")??
        .map_err(|e| format!("daemon start-up: {e}"))?;
    let bus = lifecycle.bus().clone();
    let (mon_tx, mon_rx) = mpsc::channel();
    let client = MemberId::Client(1);
    bus.join(client.clone(), Vec::new(), Box::new(StampSink(mon_tx)))?
        .set_state(MemberState::Running);
    bus.subscribe(&client, "link.*")?;

    // The baseline listener and the driver live inside the namespace.
    let (raw_tx, raw_rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    let _listener = ns.spawn_inside(move || {
        let index = match if_index(IFACE) {
            Ok(i) => i,
            Err(e) => {
                let _ = ready_tx.send(Err(e.to_string()));
                return;
            }
        };
        raw_listener(index, raw_tx, ready_tx)
    });
    ready_rx.recv_timeout(Duration::from_secs(5))??;

    let total = args.changes + WARMUP;
    let driver = ns.spawn_inside(move || -> Result<Vec<(Duration, Duration)>, String> {
        // SAFETY: a plain socket for the flag ioctls, closed below.
        let sock = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if sock < 0 {
            return Err(format!("socket: {}", std::io::Error::last_os_error()));
        }
        let mut samples = Vec::with_capacity(total);
        let mut result = Ok(());
        for i in 0..total {
            let up = i % 2 == 0;
            let t0 = match set_up(sock, up) {
                Ok(t) => t,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let wait = |rx: &mpsc::Receiver<(Instant, bool)>, who: &str| loop {
                match rx.recv_timeout(Duration::from_secs(2)) {
                    Ok((at, seen)) if seen == up => return Ok(at.saturating_duration_since(t0)),
                    Ok(_) => continue,
                    Err(_) => {
                        return Err(format!(
                            "change {i} ({}) not seen by the {who} within 2 s",
                            if up { "up" } else { "down" }
                        ));
                    }
                }
            };
            let raw = match wait(&raw_rx, "raw listener") {
                Ok(d) => d,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let mon = match wait(&mon_rx, "monitor") {
                Ok(d) => d,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            if i >= WARMUP {
                samples.push((raw, mon));
            }
        }
        // SAFETY: sock is ours.
        unsafe { libc::close(sock) };
        result.map(|()| samples)
    });
    let samples = driver
        .join()
        .map_err(|_| "the driver thread panicked")???;
    let errors = lifecycle.shutdown();
    drop(bus);
    if !errors.is_empty() {
        eprintln!("monitor_bench: shutdown errors: {errors:?}");
    }

    let mut raw: Vec<Duration> = samples.iter().map(|s| s.0).collect();
    let mut mon: Vec<Duration> = samples.iter().map(|s| s.1).collect();
    let mut extra: Vec<Duration> = samples.iter().map(|(r, m)| m.saturating_sub(*r)).collect();
    raw.sort();
    mon.sort();
    extra.sort();
    let n = samples.len();
    let (r50, r99) = (percentile(&raw, 50.0), percentile(&raw, 99.0));
    let (m50, m99) = (percentile(&mon, 50.0), percentile(&mon, 99.0));
    let (e50, e99) = (percentile(&extra, 50.0), percentile(&extra, 99.0));
    let ratio = |a: Duration, b: Duration| {
        if b.is_zero() {
            f64::INFINITY
        } else {
            a.as_secs_f64() / b.as_secs_f64()
        }
    };
    let met = m99 <= TARGET_P99;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "benchmark": "monitor link change to event",
                "changes": n,
                "baseline_raw_rtnetlink_us": {"p50": us(r50), "p99": us(r99), "max": us(raw[n - 1])},
                "monitor_event_us": {"p50": us(m50), "p99": us(m99), "max": us(mon[n - 1])},
                "monitor_extra_us": {"p50": us(e50), "p99": us(e99)},
                "ratio": {"p50": ratio(m50, r50), "p99": ratio(m99, r99)},
                "target_p99_us": us(TARGET_P99),
                "target_met": met,
            })
        );
    } else {
        println!(
            "monitor: link change -> event at a bus subscriber, {n} changes ({WARMUP} warm-up changes not counted)"
        );
        println!(
            "| {:<38} | {:>10} | {:>10} | {:>10} |",
            "measure", "p50 µs", "p99 µs", "max µs"
        );
        println!("|{:-<40}|{:->12}|{:->12}|{:->12}|", "", "", "", "");
        println!(
            "| {:<38} | {:>10.1} | {:>10.1} | {:>10.1} |",
            "baseline: raw rtnetlink listener",
            us(r50),
            us(r99),
            us(raw[n - 1])
        );
        println!(
            "| {:<38} | {:>10.1} | {:>10.1} | {:>10.1} |",
            "monitor event at a bus subscriber",
            us(m50),
            us(m99),
            us(mon[n - 1])
        );
        println!(
            "| {:<38} | {:>10.1} | {:>10.1} | {:>10} |",
            "monitor minus baseline (per change)",
            us(e50),
            us(e99),
            "-"
        );
        println!(
            "ratio monitor/baseline: p50 {:.2}x, p99 {:.2}x; target monitor p99 <= {} ms: {}",
            ratio(m50, r50),
            ratio(m99, r99),
            TARGET_P99.as_millis(),
            if met { "met" } else { "NOT met" }
        );
    }
    Ok(())
}
