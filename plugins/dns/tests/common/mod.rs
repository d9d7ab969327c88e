//! DNS and host name test bed: the real `nipartd` (kernel, state,
//! commander and dns plugins, and conf or the `state-fault` fixture when a
//! test asks) in a network namespace and a UTS namespace of the test's own
//! (so that setting the host name never touches the machine's), with its
//! `resolv.conf` and host name file in the test's directory, or, for
//! [`Bed::with_default_paths`], an overlay of the test's own over `/etc` in
//! a mount namespace of its own (the daemon writes `/etc/resolv.conf`, the
//! test reads the overlay's upper directory). `nipc` drives the daemon.
//! Everything is removed on drop, also when a test fails.

#![allow(dead_code)] // each test file uses a part of it

pub mod hostnamed;
pub mod resolved;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
};

pub use nipart_testkit::Netns;
use nipart_testkit::{DaemonBuilder, DaemonProcess, nipc_binary};
use serde_json::Value;

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The `state-fault` fixture (role `fault`: runs `sabotage` after each
/// apply), built once per process in the fixtures workspace.
pub fn fault_fixture() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let target = nipart_testkit::target_dir().join("loader-fixtures");
        let out = nipart_testkit::cargo()
            .args(["build", "--quiet", "--manifest-path"])
            .arg(root.join("loader-tests/fixtures/Cargo.toml"))
            .args(["-p", "nipart-fixture-state-fault", "--target-dir"])
            .arg(&target)
            .output()
            .expect("running cargo");
        assert!(out.status.success(), "{}", text(&out.stderr));
        target.join("debug/libnipart_fixture_state_fault.so")
    })
}

/// What a test's daemon has besides kernel, state, commander and dns.
#[derive(Default)]
pub struct Extras {
    /// The conf plugin (the saved state, applied at start).
    pub conf: bool,
    /// The `state-fault` fixture with this `sabotage` command.
    pub sabotage: Option<String>,
    /// The monitor and dhcp plugins (leases in the test's directory).
    pub dhcp: bool,
    /// `[plugin.dns] dbus_address`: where systemd-resolved and hostnamed
    /// are looked for (else a bus that does not exist).
    pub dbus_address: Option<String>,
    /// The process whose UTS namespace the daemon joins (else one of its
    /// own).
    pub uts_of: Option<u32>,
}

/// A namespace, a directory, and where the daemon's files are.
pub struct Bed {
    pub ns: Netns,
    pub dir: tempfile::TempDir,
    /// The resolv.conf the daemon writes, as the test sees it.
    pub resolv_conf: PathBuf,
    /// The host name file, as the test sees it.
    pub hostname_file: PathBuf,
    /// `/etc` overlaid in a mount namespace of the daemon's own.
    default_paths: bool,
}

impl Bed {
    /// `[plugin.dns]` pointed at files in the test's directory.
    pub fn new() -> Bed {
        let ns = Netns::new();
        ns.ip("link set lo up");
        let dir = tempfile::Builder::new()
            .prefix("nipart-dns-test-")
            .tempdir()
            .expect("a temporary directory");
        Bed {
            resolv_conf: dir.path().join("resolv.conf"),
            hostname_file: dir.path().join("hostname"),
            ns,
            dir,
            default_paths: false,
        }
    }

    /// The default paths (`/etc/resolv.conf`, `/etc/hostname`), with an
    /// overlay over `/etc` whose upper directory is in the test's
    /// directory: what the daemon writes there lands in `upper/`. (A file
    /// bound over `/etc/resolv.conf` would not do: a crash-safe writer
    /// renames over the name, which a mount point refuses.)
    pub fn with_default_paths() -> Bed {
        nipart_testkit::require_all(&["unshare", "mount"]);
        let mut bed = Bed::new();
        for d in ["upper", "work"] {
            std::fs::create_dir(bed.dir.path().join(d)).expect("creating the overlay's dirs");
        }
        bed.resolv_conf = bed.dir.path().join("upper/resolv.conf");
        bed.hostname_file = bed.dir.path().join("upper/hostname");
        bed.default_paths = true;
        bed
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The real daemon: in the namespace, in a UTS namespace of its own
    /// (and, with default paths, a mount namespace with `/etc` overlaid).
    pub fn daemon(&self, extras: &Extras) -> DaemonProcess {
        nipart_testkit::require("unshare");
        let mut plugins = vec![
            "nipart-plugin-kernel",
            "nipart-plugin-state",
            "nipart-plugin-commander",
            "nipart-plugin-dns",
        ];
        let mut required = vec!["kernel", "state", "commander", "dns"];
        if extras.conf {
            plugins.push("nipart-plugin-conf");
            required.push("conf");
        }
        if extras.dhcp {
            plugins.extend(["nipart-plugin-monitor", "nipart-plugin-dhcp"]);
            required.extend(["monitor", "dhcp"]);
        }
        let mut config = String::from("log_level = \"debug\"\n");
        if extras.dhcp {
            config.push_str(&format!(
                "[plugin.dhcp]\nlease_dir = {:?}\nretry_interval_ms = 1000\n",
                self.path("leases").display().to_string()
            ));
        }
        // Without a bus of the test's own, one that does not exist: a
        // machine's systemd-resolved or hostnamed is never configured.
        let no_bus = format!("unix:path={}/no-bus", self.dir.path().display());
        config.push_str(&format!(
            "[plugin.dns]\ndbus_address = {:?}\n",
            extras.dbus_address.as_deref().unwrap_or(&no_bus)
        ));
        if !self.default_paths {
            config.push_str(&format!(
                "resolv_conf = {:?}\nhostname_file = {:?}\n",
                self.resolv_conf.display().to_string(),
                self.hostname_file.display().to_string()
            ));
        }
        let mut b = DaemonBuilder::new()
            .workspace_plugins(&plugins)
            .require(&required)
            .netns(&self.ns);
        if let Some(cmd) = &extras.sabotage {
            b = b
                .plugin(fault_fixture())
                .require(&["state-fault"])
                .config(&format!(
                    "[plugin.commander]\nextra_roles = [\"fault\"]\nverify_retries = 2\n\
                     verify_interval_ms = 100\n[plugin.state-fault]\nsabotage = {cmd:?}\n"
                ));
        }
        if extras.conf {
            b = b.conf("");
        }
        b = b.config(&config);
        let overlay;
        let target;
        let wrapper: Vec<&str> = if self.default_paths {
            let d = self.dir.path().display();
            overlay = format!(
                "mount -t overlay nipart-test -o lowerdir=/etc,upperdir={d}/upper,workdir={d}/work /etc && exec \"$@\""
            );
            vec![
                "unshare",
                "--mount",
                "--uts",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                &overlay,
                "sh",
            ]
        } else if let Some(pid) = extras.uts_of {
            target = pid.to_string();
            vec!["nsenter", "--target", &target, "--uts", "--"]
        } else {
            vec!["unshare", "--uts", "--"]
        };
        b.wrap(&wrapper).spawn()
    }
}

pub fn nipc(d: &DaemonProcess, args: &[&str]) -> Output {
    Command::new(nipc_binary())
        .arg("--socket")
        .arg(d.socket())
        .args(args)
        .output()
        .expect("running nipc")
}

/// Applies a YAML state; its output.
pub fn apply(d: &DaemonProcess, bed: &Bed, yaml: &str) -> Output {
    let file = bed.path("state.yml");
    std::fs::write(&file, yaml).expect("writing state.yml");
    nipc(d, &["apply", file.to_str().expect("a UTF-8 path")])
}

/// Applies a YAML state that must succeed.
pub fn apply_ok(d: &DaemonProcess, bed: &Bed, yaml: &str) -> String {
    let out = apply(d, bed, yaml);
    assert!(
        out.status.success(),
        "apply failed: {}\n{}\ndaemon log:\n{}",
        text(&out.stdout),
        text(&out.stderr),
        d.log()
    );
    text(&out.stdout)
}

/// Applies a YAML state that must fail; its error output.
pub fn apply_err(d: &DaemonProcess, bed: &Bed, yaml: &str) -> String {
    let out = apply(d, bed, yaml);
    assert!(
        !out.status.success(),
        "apply succeeded: {}",
        text(&out.stdout)
    );
    text(&out.stderr)
}

/// `nipc -o json show`.
pub fn show(d: &DaemonProcess) -> Value {
    let out = nipc(d, &["-o", "json", "show"]);
    assert!(out.status.success(), "show: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("show prints JSON")
}

/// Polls `f` every 100 ms until it gives `Some`, at most
/// [`nipart_testkit::PATIENCE`].
pub fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let give_up = std::time::Instant::now() + nipart_testkit::PATIENCE;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < give_up,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The file, or "" when it is missing.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The lines of a resolv.conf that are not comments.
pub fn entries(path: &Path) -> Vec<String> {
    read(path)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The bed's interface that takes a DHCP lease from [`DhcpServer`].
pub const DHCP_CLIENT_IF: &str = "dnsc0";
/// Its peer, in the server's namespace.
const DHCP_SERVER_IF: &str = "dnss0";

/// A server namespace joined to the bed by a veth pair
/// ([`DHCP_CLIENT_IF`] in the bed), with dnsmasq leasing from
/// 10.19.0.50-150 and giving name servers 10.19.0.53 and 10.19.0.54.
pub struct DhcpServer {
    // Dropped first: dnsmasq goes before its namespace.
    _dnsmasq: nipart_testkit::DhcpServer,
    pub ns: Netns,
}

impl DhcpServer {
    /// With dnsmasq's `extra` options.
    pub fn start(bed: &Bed, extra: &[&str]) -> DhcpServer {
        DhcpServer::start_with_mac(bed, None, extra)
    }

    /// The client's link with the MAC address `mac` (the kernel's choice
    /// when `None`), dnsmasq with `extra` options.
    pub fn start_with_mac(bed: &Bed, mac: Option<&str>, extra: &[&str]) -> DhcpServer {
        DhcpServer::start_inner(bed, mac, false, extra)
    }

    /// DHCPv6 too, on the same link: leasing from fd19::100-1ff and giving
    /// name server fd19::53 and search domain six.example; the client's
    /// link makes a link-local address (DHCPv6 goes between those).
    pub fn start_with_v6(bed: &Bed, extra: &[&str]) -> DhcpServer {
        DhcpServer::start_inner(bed, None, true, extra)
    }

    fn start_inner(bed: &Bed, mac: Option<&str>, v6: bool, extra: &[&str]) -> DhcpServer {
        let ns = Netns::new();
        let address = mac.map(|m| format!(" address {m}")).unwrap_or_default();
        bed.ns.ip(&format!(
            "link add {DHCP_CLIENT_IF}{address} type veth peer name {DHCP_SERVER_IF} netns {}",
            ns.name
        ));
        ns.ip(&format!("addr add 10.19.0.1/24 dev {DHCP_SERVER_IF}"));
        let mut options = vec![
            "--dhcp-range=10.19.0.50,10.19.0.150,255.255.255.0,2m",
            "--dhcp-option=option:dns-server,10.19.0.53,10.19.0.54",
        ];
        if v6 {
            bed.ns
                .ip(&format!("link set {DHCP_CLIENT_IF} addrgenmode eui64"));
            ns.ip(&format!("addr add fd19::1/64 dev {DHCP_SERVER_IF} nodad"));
            ns.ip(&format!("addr add fe80::1/64 dev {DHCP_SERVER_IF} nodad"));
            options.extend([
                "--dhcp-range=fd19::100,fd19::1ff,64,2m",
                "--dhcp-option=option6:dns-server,[fd19::53]",
                "--dhcp-option=option6:domain-search,six.example",
            ]);
        }
        ns.ip(&format!("link set {DHCP_SERVER_IF} up"));
        options.extend(extra);
        DhcpServer {
            _dnsmasq: nipart_testkit::DhcpServer::start(
                &ns,
                DHCP_SERVER_IF,
                bed.dir.path(),
                "dnsmasq",
                &options,
            ),
            ns,
        }
    }
}

/// The machine's running host name (the test's own UTS namespace is the
/// machine's).
pub fn machine_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("reading the host name")
        .trim()
        .to_string()
}

/// A running name with white space is refused, naming the key, and the
/// machine's name (`machine`) is untouched.
pub fn refuses_a_bad_host_name(d: &DaemonProcess, bed: &Bed, machine: &str) {
    let e = apply_err(d, bed, "hostname:\n  running: \"two words\"\n");
    assert!(
        e.contains("hostname.running: \"two words\" is not a host name: ' ' is not allowed"),
        "{e}"
    );
    assert_eq!(
        machine_hostname(),
        machine,
        "the machine's name is untouched"
    );
}

/// `dns-resolver` shows `want` as both `config` and `running`, and what
/// show prints applies back with nothing to change.
pub fn shown_and_applied_back(d: &DaemonProcess, bed: &Bed, want: &Value) {
    let shown = show(d)["dns-resolver"].clone();
    assert_eq!(&shown["config"], want);
    assert_eq!(&shown["running"], want);
    let round =
        serde_json::to_string(&serde_json::json!({"dns-resolver": shown})).expect("a JSON state");
    let out = apply_ok(d, bed, &round);
    assert!(out.contains("nothing to change"), "{out}");
}

/// Not an IP address, a search domain with white space and more servers
/// than the resolver takes are refused, each naming its key (the caller
/// checks that nothing changed).
pub fn refuses_bad_resolver_input(d: &DaemonProcess, bed: &Bed) {
    let e = apply_err(
        d,
        bed,
        "dns-resolver: {config: {server: [192.0.2.1, 192.0.2.300]}}",
    );
    assert!(
        e.contains("dns-resolver.config.server[1]: \"192.0.2.300\" is not an IP address"),
        "{e}"
    );
    let e = apply_err(
        d,
        bed,
        "dns-resolver: {config: {search: [\"two words.example\"]}}",
    );
    assert!(
        e.contains("dns-resolver.config.search[0]: \"two words.example\" is not a domain name: it holds white space"),
        "{e}"
    );
    let e = apply_err(
        d,
        bed,
        "dns-resolver: {config: {server: [192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4]}}",
    );
    assert!(
        e.contains("dns-resolver.config.server: 4 servers given, but the resolver of resolv.conf uses at most 3 (glibc's MAXNS)"),
        "{e}"
    );
}
