//! DHCP test bed: a server namespace running dnsmasq and a client namespace
//! running the real `nipartd` (kernel, state, commander, monitor and dhcp
//! plugins, started by the test kit's `DaemonBuilder`), joined by a veth
//! pair; `nipc` drives the daemon. Everything is
//! removed on drop (namespaces, dnsmasq, the daemon, temporary
//! directories), also when a test fails.
//!
//! Needs root, `dnsmasq` and `python3`.

#![allow(dead_code)] // each test file uses a part of it

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    thread,
    time::{Duration, Instant},
};

pub use nipart_testkit::Netns;
use nipart_testkit::{DaemonBuilder, DaemonProcess, DhcpServer, nipc_binary, toml_str};
use serde_json::Value;

/// The client's interface and the server's.
pub const CLIENT_IF: &str = "dhcp0";
pub const SERVER_IF: &str = "srv0";
/// The server's address and the range it leases from.
pub const SERVER_IP: &str = "10.9.0.1";
pub const RANGE: (&str, &str) = ("10.9.0.50", "10.9.0.150");

/// Polls `f` every 50 ms until it gives `Some`, at most `limit`.
pub fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let give_up = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < give_up, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// Two namespaces and a veth pair: `dhcp0` in the client's (down), `srv0`
/// with 10.9.0.1/24 in the server's (up).
pub struct Bed {
    pub client: Netns,
    pub server: Netns,
    pub dir: tempfile::TempDir,
}

impl Bed {
    pub fn new() -> Bed {
        let client = Netns::new();
        let server = Netns::new();
        client.ip("link set lo up");
        server.ip("link set lo up");
        client.ip(&format!(
            "link add {CLIENT_IF} type veth peer name {SERVER_IF} netns {}",
            server.name
        ));
        server.ip(&format!("addr add {SERVER_IP}/24 dev {SERVER_IF}"));
        server.ip(&format!("link set {SERVER_IF} up"));
        let dir = tempfile::Builder::new()
            .prefix("nipart-dhcp-test-")
            .tempdir()
            .expect("a temporary directory");
        Bed {
            client,
            server,
            dir,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// IPv4 addresses of the client's interface (`ADDR/LEN`).
    pub fn client_addresses(&self) -> Vec<String> {
        self.client
            .addresses(CLIENT_IF)
            .into_iter()
            .filter(|a| !a.contains(':'))
            .collect()
    }

    /// Waits until the client's interface has exactly one IPv4 address; it.
    pub fn wait_for_address(&self, limit: Duration) -> String {
        wait_for(limit, "an address from DHCP", || {
            let a = self.client_addresses();
            (a.len() == 1).then(|| a[0].clone())
        })
    }

    /// Waits until the client's interface has no IPv4 address.
    pub fn wait_for_no_address(&self, limit: Duration) {
        wait_for(limit, "the address to be removed", || {
            self.client_addresses().is_empty().then_some(())
        })
    }

    /// `ip -4 route` lines of the client.
    pub fn client_routes(&self) -> Vec<String> {
        self.client.routes("-4", "main")
    }
}

/// dnsmasq serving DHCP (no DNS) on the server side: the test kit's
/// [`DhcpServer`], killed on drop.
pub type Dnsmasq = DhcpServer;

/// dnsmasq leasing 2-minute leases (its minimum) from [`RANGE`] with
/// router 10.9.0.1 and DNS server 10.9.0.53, plus `extra` options.
pub fn dnsmasq(bed: &Bed, extra: &[&str]) -> Dnsmasq {
    dnsmasq_with(bed, "dnsmasq", RANGE, extra)
}

/// Like [`dnsmasq`], leasing from `range`, with its files (`NAME.leases`,
/// `NAME.log`, `NAME.pid`) named `name`: a second server on the same bed
/// starts with a log of its own.
pub fn dnsmasq_with(bed: &Bed, name: &str, range: (&str, &str), extra: &[&str]) -> Dnsmasq {
    let range = format!("--dhcp-range={},{},255.255.255.0,2m", range.0, range.1);
    let router = format!("--dhcp-option=option:router,{SERVER_IP}");
    let mut args = vec![
        range.as_str(),
        router.as_str(),
        "--dhcp-option=option:dns-server,10.9.0.53",
    ];
    args.extend_from_slice(extra);
    DhcpServer::start(&bed.server, SERVER_IF, bed.dir.path(), name, &args)
}

/// `nipartd` in the client namespace with the kernel, state, commander,
/// monitor and dhcp plugins (the test kit's `DaemonProcess`), killed on
/// drop.
pub struct Daemon {
    process: DaemonProcess,
}

impl Daemon {
    /// Starts the daemon with its lease directory `<bed>/leases`, logging
    /// at debug level.
    pub fn start(bed: &Bed) -> Daemon {
        Daemon::start_with(bed, Some("debug"), "")
    }

    /// Starts the daemon with `log_level` (`None`: the default, info) and
    /// `dhcp_config` lines added to its `[plugin.dhcp]`.
    pub fn start_with(bed: &Bed, log_level: Option<&str>, dhcp_config: &str) -> Daemon {
        Daemon::start_custom(bed, log_level, dhcp_config, |b| b)
    }

    /// Starts the daemon with the conf plugin too (its directories in the
    /// sandbox): applied states are saved and applied again at the next
    /// start ([`Daemon::restart`]).
    pub fn start_saving(bed: &Bed) -> Daemon {
        Daemon::start_custom(bed, Some("debug"), "", |b| {
            b.workspace_plugins(&["nipart-plugin-conf"]).conf("")
        })
    }

    /// With the state-fault fixture (role `fault`) putting the client's
    /// MTU back to 1500 after each apply: an apply that sets another one
    /// fails verification (retried for about 6 s) and is rolled back.
    pub fn start_failing_mtu(bed: &Bed) -> Daemon {
        Daemon::start_custom(bed, Some("debug"), "", |b| {
            b.plugin(nipart_testkit::fault_fixture())
                .require(&["state-fault"])
                .config(&format!(
                    "[plugin.commander]\nextra_roles = [\"fault\"]\nverify_retries = 30\n\
                     verify_interval_ms = 200\n[plugin.state-fault]\nsabotage = \"ip link set {CLIENT_IF} mtu 1500\"\n"
                ))
        })
    }

    /// Like [`Daemon::start_with`], with `more` adding to the builder
    /// (another plugin, configuration sections).
    pub fn start_custom(
        bed: &Bed,
        log_level: Option<&str>,
        dhcp_config: &str,
        more: impl for<'a> FnOnce(DaemonBuilder<'a>) -> DaemonBuilder<'a>,
    ) -> Daemon {
        let level = log_level
            .map(|l| format!("log_level = {l:?}\n"))
            .unwrap_or_default();
        let builder = DaemonBuilder::new()
            .workspace_plugins(&[
                "nipart-plugin-kernel",
                "nipart-plugin-state",
                "nipart-plugin-commander",
                "nipart-plugin-monitor",
                "nipart-plugin-dhcp",
            ])
            .netns(&bed.client)
            .config(&format!(
                "{level}[plugin.dhcp]\nlease_dir = {}\nretry_interval_ms = 1000\n{dhcp_config}",
                toml_str(&bed.path("leases"))
            ));
        let process = more(builder).spawn();
        Daemon { process }
    }

    /// Stops the daemon (SIGTERM: the plugins' shutdown runs) and starts
    /// it again over the same files; waits until the conf plugin applied
    /// the saved state.
    pub fn restart(&mut self) {
        self.process.stop(Duration::from_secs(30));
        self.process.start();
        self.wait_for_log("is applied", Duration::from_secs(60));
    }

    /// Its API socket (for `nipc` run from another thread).
    pub fn socket(&self) -> PathBuf {
        self.process.socket()
    }

    pub fn nipc(&self, args: &[&str]) -> Output {
        Command::new(nipc_binary())
            .arg("--socket")
            .arg(self.process.socket())
            .args(args)
            .output()
            .expect("running nipc")
    }

    /// Applies a YAML state; the `nipc` output.
    pub fn apply(&self, bed: &Bed, yaml: &str) -> Output {
        let file = bed.path("state.yml");
        fs::write(&file, yaml).expect("writing state.yml");
        self.nipc(&["apply", file.to_str().expect("a UTF-8 path")])
    }

    /// Applies a YAML state that must succeed.
    pub fn apply_ok(&self, bed: &Bed, yaml: &str) {
        let out = self.apply(bed, yaml);
        assert!(
            out.status.success(),
            "apply failed: {}\n{}\ndaemon log:\n{}",
            text(&out.stdout),
            text(&out.stderr),
            self.log_text()
        );
    }

    /// Applies `yaml`, which sets an MTU that a daemon of
    /// [`Daemon::start_failing_mtu`] puts back: checks that verification
    /// fails on it; whether `during` held at some time while the apply (and
    /// its rollback) went on.
    pub fn apply_failing_mtu(
        &self,
        bed: &Bed,
        yaml: &str,
        mut during: impl FnMut() -> bool,
    ) -> bool {
        let file = bed.path("failing.yml");
        fs::write(&file, yaml).expect("writing failing.yml");
        let apply = nipart_testkit::nipc_on_thread(
            &self.socket(),
            &["apply", file.to_str().expect("a UTF-8 path")],
        );
        let mut seen = false;
        while !apply.is_finished() && !seen {
            seen = during();
            thread::sleep(Duration::from_millis(20));
        }
        let out = apply.join().expect("the nipc thread");
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(
            stderr.contains("verification failed")
                && stderr.contains("mtu desired 1400, current 1500"),
            "{stderr}"
        );
        seen
    }

    /// Starts DHCP on the client's interface.
    pub fn enable_dhcp(&self, bed: &Bed) {
        self.apply_ok(
            bed,
            &format!(
                "interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4:\n      dhcp: true\n"
            ),
        );
    }

    /// `nipc -o json show IFACE`: the interface's JSON.
    pub fn show(&self, iface: &str) -> Value {
        let out = self.nipc(&["-o", "json", "show", iface]);
        assert!(out.status.success(), "show: {}", text(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).expect("show prints JSON");
        v["interfaces"][0].clone()
    }

    /// Its log (standard error) so far.
    pub fn log_text(&self) -> String {
        self.process.log()
    }

    /// Waits until the daemon's log contains `needle`; on timeout, fails
    /// showing the log.
    pub fn wait_for_log(&self, needle: &str, limit: Duration) {
        let give_up = Instant::now() + limit;
        while !self.log_text().contains(needle) {
            assert!(
                Instant::now() < give_up,
                "the daemon never logged {needle:?}; its log:\n{}",
                self.log_text()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then waits for the exit (the plugins' shutdown ran).
    pub fn terminate(&mut self) {
        self.process.terminate(Duration::from_secs(30));
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Whether `addr` (`A.B.C.D/LEN`) is inside [`RANGE`] with prefix 24.
pub fn in_range(addr: &str) -> bool {
    let Some((ip, len)) = addr.split_once('/') else {
        return false;
    };
    let last = |s: &str| -> u8 {
        s.rsplit('.')
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0)
    };
    len == "24" && ip.starts_with("10.9.0.") && (last(RANGE.0)..=last(RANGE.1)).contains(&last(ip))
}

/// Runs `script` with python3 in the background inside `ns`; killed on drop.
pub struct Python(Child);

impl Python {
    pub fn start(ns: &Netns, script: &str) -> Python {
        Python(
            Command::new("ip")
                .args(["netns", "exec", &ns.name])
                .arg(nipart_testkit::require("python3"))
                .args(["-c", script])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("starting python3"),
        )
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads a whole file (for error messages).
pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}
