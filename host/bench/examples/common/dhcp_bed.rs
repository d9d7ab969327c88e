//! What the DHCPv4 and DHCPv6 benchmarks (`dhcp_bench`, `dhcp6_bench`)
//! share: their arguments, a side of the bed (a server namespace with
//! dnsmasq, a client namespace, a veth pair), watching a namespace for the
//! client's address, and nipart's side (the daemon with the kernel, monitor and dhcp plugins
//! in the client's namespace, DHCP turned on through the bus).

// Each benchmark uses one family.
#![allow(dead_code)]

use std::{
    ffi::CStr,
    fs,
    path::{Path, PathBuf},
    sync::mpsc,
    time::{Duration, Instant},
};

use nipart_plugin_api::{Address, EventState};
use nipart_testkit::{
    BusClient, DhcpServer, Netns, build_in_workspace, netns::enter as enter_netns, try_run,
};
use nipartd::{DaemonConfig, Lifecycle};
use serde_json::json;

pub type BoxError = Box<dyn std::error::Error>;

/// How long one address may take.
pub const GIVE_UP: Duration = Duration::from_secs(20);

/// A server namespace with dnsmasq (the test kit's [`DhcpServer`]), a
/// client namespace, a veth pair between them.
pub struct Side {
    pub client: Netns,
    pub server: Netns,
    server_if: &'static str,
    _dnsmasq: DhcpServer,
}

impl Side {
    /// A side leasing `family`'s addresses (1-hour leases), dnsmasq's
    /// files named `tag` in `dir`.
    pub fn new(
        family: Family,
        tag: &str,
        dir: &Path,
        client_if: &'static str,
        server_if: &'static str,
    ) -> Result<Side, BoxError> {
        let client = Netns::try_new()?;
        let server = Netns::try_new()?;
        client.try_ip("link set lo up")?;
        client.try_ip(&format!(
            "link add {client_if} type veth peer name {server_if} netns {}",
            server.name
        ))?;
        let args: &[&str] = match family {
            Family::V4 => {
                server.try_ip(&format!("addr add 10.77.0.1/24 dev {server_if}"))?;
                &[
                    "--dhcp-range=10.77.0.50,10.77.0.150,255.255.255.0,1h",
                    "--dhcp-option=option:router,10.77.0.1",
                ]
            }
            Family::V6 => {
                // The test kit's namespaces make no link-local addresses;
                // DHCPv6 needs them.
                client.try_ip(&format!("link set {client_if} addrgenmode eui64"))?;
                server.try_ip(&format!("link set {server_if} addrgenmode eui64"))?;
                // The server's address survives the carrier flaps of each
                // iteration (taking a link down flushes its IPv6 addresses
                // otherwise).
                try_run(std::process::Command::new("ip").args([
                    "netns",
                    "exec",
                    &server.name,
                    "sysctl",
                    "-q",
                    "-w",
                    &format!("net.ipv6.conf.{server_if}.keep_addr_on_down=1"),
                ]))?;
                server.try_ip(&format!("addr add fd77::1/64 dev {server_if} nodad"))?;
                &["--dhcp-range=fd77::100,fd77::1ff,64,1h"]
            }
        };
        client.try_ip(&format!("link set {client_if} up"))?;
        server.try_ip(&format!("link set {server_if} up"))?;
        let dnsmasq = DhcpServer::try_start(&server, server_if, dir, tag, args)?;
        Ok(Side {
            client,
            server,
            server_if,
            _dnsmasq: dnsmasq,
        })
    }

    /// Takes the server's end of the link up or down (the client sees its
    /// carrier come and go).
    pub fn carrier(&self, up: bool) -> Result<(), BoxError> {
        self.server.try_ip(&format!(
            "link set {} {}",
            self.server_if,
            if up { "up" } else { "down" }
        ))?;
        Ok(())
    }
}

/// Which address a benchmark waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Any IPv4 address.
    V4,
    /// A global (not link-local) IPv6 address.
    V6,
}

impl Family {
    /// The state's key (`ipv4`, `ipv6`).
    fn key(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
        }
    }
}

pub struct Args {
    pub iterations: usize,
    pub json: bool,
}

/// `[--iterations N] [--json]`.
pub fn args() -> Result<Args, BoxError> {
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

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Whether `iface` has a `family` address in this thread's namespace.
pub fn has_address(iface: &str, family: Family) -> bool {
    let mut found = false;
    // SAFETY: getifaddrs fills a list we walk read-only and free once; an
    // AF_INET6 entry's address is a sockaddr_in6.
    unsafe {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        if libc::getifaddrs(&mut list) != 0 {
            return false;
        }
        let mut p = list;
        while !p.is_null() {
            let a = &*p;
            if !a.ifa_addr.is_null() && CStr::from_ptr(a.ifa_name).to_bytes() == iface.as_bytes() {
                let af = i32::from((*a.ifa_addr).sa_family);
                found = match family {
                    Family::V4 => af == libc::AF_INET,
                    Family::V6 => {
                        af == libc::AF_INET6 && {
                            let sin6 = &*(a.ifa_addr as *const libc::sockaddr_in6);
                            let ip = std::net::Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                            (ip.segments()[0] & 0xffc0) != 0xfe80
                        }
                    }
                };
                if found {
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
/// receiver gets the instant a `family` address appeared (or an error).
/// Returns once the poller is inside the namespace.
pub fn watch_address(
    ns_path: String,
    iface: &'static str,
    family: Family,
) -> Result<mpsc::Receiver<Result<Instant, String>>, BoxError> {
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
            if has_address(iface, family) {
                let _ = tx.send(Ok(Instant::now()));
                return;
            }
            if Instant::now() > give_up {
                let _ = tx.send(Err(format!("no address on {iface} within {GIVE_UP:?}")));
                return;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    });
    ready_rx.recv()??;
    Ok(rx)
}

/// Waits until `iface` in `ns_path` has no `family` address (nipart
/// removes it when the carrier goes).
pub fn wait_until_gone(ns_path: &str, iface: &'static str, family: Family) -> Result<(), BoxError> {
    let give_up = Instant::now() + GIVE_UP;
    loop {
        let gone = std::thread::spawn({
            let ns = ns_path.to_string();
            move || enter_netns(&ns).map(|()| !has_address(iface, family))
        })
        .join()
        .map_err(|_| "poller panicked")??;
        if gone {
            return Ok(());
        }
        if Instant::now() > give_up {
            return Err("nipart did not remove the address at carrier loss".into());
        }
        std::thread::sleep(Duration::from_millis(5));
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

/// The daemon in the namespace `ns_path` with `family` DHCP on `iface`,
/// its leases under `<dir>/leases`.
pub fn start_nipart(
    ns_path: String,
    dir: &Path,
    iface: &str,
    family: Family,
) -> Result<Lifecycle, BoxError> {
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
    // With `NIPART_LOG` set (e.g. `warn,plugin=debug`), the daemon's and
    // the plugins' log goes to standard error with timestamps: where the
    // time between link up and the address goes, step by step.
    config.log_level = match std::env::var("NIPART_LOG") {
        Ok(filter) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_writer(std::io::stderr)
                .try_init();
            "debug".into()
        }
        Err(_) => "warn".into(),
    };
    let lifecycle = std::thread::spawn(move || -> Result<Lifecycle, String> {
        enter_netns(&ns_path)?;
        Lifecycle::start(config).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the daemon's start panicked")??;
    let client = BusClient::join(lifecycle.bus(), 1);
    let part = json!({
        "state": {"interfaces": [{"name": iface, family.key(): {"dhcp": true}}]},
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
