//! A real systemd-resolved for a test: Debian's `systemd-resolved`
//! package, downloaded with `apt-get download` and unpacked with `dpkg -x`
//! into `target/resolved` once (never installed: its postinst would make
//! the machine's `/etc/resolv.conf` a link to a stub nobody serves), run
//! in the test's network namespace on a private `dbus-daemon` whose socket
//! is in the test's directory. Both run in mount namespaces of their own
//! where `/etc/passwd` and `/etc/group` are the machine's plus the
//! `systemd-resolve` user (resolved refuses to start without it, and the
//! bus names its owner), resolved with a tmpfs on `/run/systemd` and an
//! empty `/etc/resolv.conf` (it would take the machine's servers as its
//! global ones). The namespace gets a veth pair with a default route on
//! [`LINK`]: the link the resolver's config goes to. Both processes are
//! killed on drop.

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::OnceLock,
};

use super::{Bed, text, wait_for};

/// The link with the default route.
pub const LINK: &str = "nr0";
/// The uid the `systemd-resolve` user gets in the mount namespaces.
const RESOLVE_UID: u32 = 64990;

/// `systemd-resolved` unpacked from its Debian package (cached).
pub fn resolved_binary() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let cache = nipart_testkit::target_dir().join("resolved");
        let binary = cache.join("root/lib/systemd/systemd-resolved");
        if binary.exists() {
            return binary;
        }
        nipart_testkit::require_all(&["apt-get", "dpkg"]);
        // Unpacked beside, then renamed: a test binary running at the
        // same time sees the whole tree or none.
        let tmp = nipart_testkit::target_dir().join(format!("resolved.tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).expect("creating the unpack directory");
        let download = || {
            Command::new("apt-get")
                .args(["download", "-q", "systemd-resolved"])
                .current_dir(&tmp)
                .output()
                .expect("running apt-get")
        };
        let mut out = download();
        if !out.status.success() {
            // A fresh machine may not have the package lists yet.
            let _ = Command::new("apt-get").args(["update", "-qq"]).status();
            out = download();
        }
        assert!(
            out.status.success(),
            "apt-get download systemd-resolved: {}",
            text(&out.stderr)
        );
        let deb = std::fs::read_dir(&tmp)
            .expect("reading the unpack directory")
            .map(|e| e.expect("a directory entry").path())
            .find(|p| p.extension().is_some_and(|e| e == "deb"))
            .expect("the downloaded .deb");
        nipart_testkit::run(
            Command::new("dpkg")
                .arg("-x")
                .arg(&deb)
                .arg(tmp.join("root")),
        );
        if std::fs::rename(&tmp, &cache).is_err() {
            // Another process unpacked it first.
            let _ = std::fs::remove_dir_all(&tmp);
        }
        assert!(binary.exists(), "{} after unpacking", binary.display());
        binary
    })
}

/// A private system bus with systemd-resolved on it, in a bed's namespace.
pub struct Resolved {
    dir: PathBuf,
    ns: String,
    bus: Child,
    resolved: Option<Child>,
}

impl Resolved {
    /// Starts the bus and resolved for `bed` (whose namespace gets
    /// [`LINK`] with a default route).
    pub fn start(bed: &Bed) -> Resolved {
        nipart_testkit::require_all(&["dbus-daemon", "busctl", "unshare", "mount"]);
        // Unpacked before anything is made, so a failure leaves nothing.
        resolved_binary();
        bed.ns
            .ip(&format!("link add {LINK} type veth peer name nr1"));
        bed.ns.ip(&format!("link set {LINK} up"));
        bed.ns.ip("link set nr1 up");
        bed.ns.ip(&format!("addr add 192.0.2.1/24 dev {LINK}"));
        bed.ns
            .ip(&format!("route add default via 192.0.2.2 dev {LINK}"));

        let dir = bed.path("resolved");
        std::fs::create_dir(&dir).expect("creating the bus directory");
        // resolved runs as its own user: it must reach the bus's socket.
        for d in [bed.dir.path(), dir.as_path()] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755))
                .expect("opening the directory to resolved's user");
        }
        let passwd = std::fs::read_to_string("/etc/passwd").expect("reading /etc/passwd");
        let group = std::fs::read_to_string("/etc/group").expect("reading /etc/group");
        let write = |name: &str, base: String, line: String| {
            let body = if base.lines().any(|l| l.starts_with("systemd-resolve:")) {
                base
            } else {
                base + &line
            };
            std::fs::write(dir.join(name), body).expect("writing the user database");
        };
        write(
            "passwd",
            passwd,
            format!("systemd-resolve:x:{RESOLVE_UID}:{RESOLVE_UID}::/:/usr/sbin/nologin\n"),
        );
        write(
            "group",
            group,
            format!("systemd-resolve:x:{RESOLVE_UID}:\n"),
        );
        std::fs::write(dir.join("resolv.conf"), "").expect("writing the empty resolv.conf");
        std::fs::write(
            dir.join("bus.conf"),
            format!(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n \
                 \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
                 <busconfig>\n  <type>system</type>\n  <listen>unix:path={}/bus</listen>\n  \
                 <auth>EXTERNAL</auth>\n  <policy context=\"default\">\n    <allow user=\"*\"/>\n    \
                 <allow own=\"*\"/>\n    <allow send_destination=\"*\"/>\n    \
                 <allow receive_sender=\"*\"/>\n  </policy>\n</busconfig>\n",
                dir.display()
            ),
        )
        .expect("writing the bus's configuration");
        let users = format!(
            "mount --bind {d}/passwd /etc/passwd && mount --bind {d}/group /etc/group",
            d = dir.display()
        );
        let bus = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
            .arg(format!(
                "{users} && exec dbus-daemon --nofork --config-file={}/bus.conf",
                dir.display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting dbus-daemon");
        let mut r = Resolved {
            dir,
            ns: bed.ns.name.clone(),
            bus,
            resolved: None,
        };
        wait_for("the private bus's socket", || {
            r.dir.join("bus").exists().then_some(())
        });
        r.start_resolved();
        r
    }

    /// The bus's address, for `[plugin.dns] dbus_address`.
    pub fn address(&self) -> String {
        format!("unix:path={}/bus", self.dir.display())
    }

    /// Starts resolved (again) and waits until it owns its name.
    pub fn start_resolved(&mut self) {
        assert!(self.resolved.is_none(), "resolved already runs");
        let d = self.dir.display();
        let log = std::fs::File::create(self.dir.join("resolved.log")).expect("creating its log");
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns,
                "unshare",
                "--mount",
                "--propagation",
                "private",
            ])
            .args(["--", "sh", "-c"])
            .arg(format!(
                "mount --bind {d}/passwd /etc/passwd && mount --bind {d}/group /etc/group && \
                 mount --bind {d}/resolv.conf /etc/resolv.conf && \
                 mount -t tmpfs nipart-test /run/systemd && exec {}",
                resolved_binary().display()
            ))
            .env("DBUS_SYSTEM_BUS_ADDRESS", self.address())
            .env("SYSTEMD_LOG_LEVEL", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("starting systemd-resolved");
        self.resolved = Some(child);
        wait_for("systemd-resolved on the bus", || self.runs().then_some(()));
    }

    /// Stops resolved (SIGTERM, as systemd does) and waits for its exit.
    pub fn stop_resolved(&mut self) {
        if let Some(mut c) = self.resolved.take() {
            // SAFETY: kill(2) on the pid of a child we started and have
            // not reaped yet.
            unsafe { libc::kill(c.id() as libc::pid_t, libc::SIGTERM) };
            let _ = c.wait();
        }
        wait_for("systemd-resolved gone from the bus", || {
            (!self.runs()).then_some(())
        });
    }

    /// Whether resolved owns its name on the bus.
    pub fn runs(&self) -> bool {
        self.busctl(&[
            "call",
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            "s",
            "org.freedesktop.resolve1",
        ])
        .is_ok_and(|o| o.trim() == "b true")
    }

    /// `busctl ARGS` on the private bus; its output.
    pub fn busctl(&self, args: &[&str]) -> Result<String, String> {
        nipart_testkit::try_run(
            Command::new("busctl")
                .arg(format!("--address={}", self.address()))
                .args(args),
        )
    }

    /// A shell command that runs `busctl ARGS` on the private bus (for a
    /// sabotage).
    pub fn busctl_command(&self, args: &str) -> String {
        format!("busctl --address={} {args}", self.address())
    }

    /// The name servers resolved has for link `name` (its `DNS` property).
    pub fn link_servers(&self, index: u32) -> Vec<String> {
        let v = self.link_property(index, "DNS");
        v["data"]
            .as_array()
            .expect("DNS is an array")
            .iter()
            .map(|e| {
                let bytes: Vec<u8> = e[1]
                    .as_array()
                    .expect("an address's bytes")
                    .iter()
                    .map(|b| b.as_u64().expect("a byte") as u8)
                    .collect();
                match bytes.len() {
                    4 => std::net::IpAddr::from(<[u8; 4]>::try_from(bytes).unwrap()).to_string(),
                    _ => std::net::IpAddr::from(<[u8; 16]>::try_from(bytes).unwrap()).to_string(),
                }
            })
            .collect()
    }

    /// The domains resolved has for link `index`: (domain, routing only).
    pub fn link_domains(&self, index: u32) -> Vec<(String, bool)> {
        let v = self.link_property(index, "Domains");
        v["data"]
            .as_array()
            .expect("Domains is an array")
            .iter()
            .map(|e| {
                (
                    e[0].as_str().expect("a domain").to_string(),
                    e[1].as_bool().expect("a flag"),
                )
            })
            .collect()
    }

    /// Whether link `index` is a route for every name.
    pub fn link_default_route(&self, index: u32) -> bool {
        self.link_property(index, "DefaultRoute")["data"]
            .as_bool()
            .expect("DefaultRoute is a boolean")
    }

    fn link_property(&self, index: u32, name: &str) -> serde_json::Value {
        let fail = |e: String| panic!("{e}\nresolved's log:\n{}", self.log());
        let path = self
            .busctl(&[
                "call",
                "org.freedesktop.resolve1",
                "/org/freedesktop/resolve1",
                "org.freedesktop.resolve1.Manager",
                "GetLink",
                "i",
                &index.to_string(),
            ])
            .unwrap_or_else(fail);
        // `o "/org/freedesktop/resolve1/link/_33"`
        let path = path
            .trim()
            .trim_start_matches("o ")
            .trim_matches('"')
            .to_string();
        let out = self
            .busctl(&[
                "--json=short",
                "get-property",
                "org.freedesktop.resolve1",
                &path,
                "org.freedesktop.resolve1.Link",
                name,
            ])
            .unwrap_or_else(fail);
        serde_json::from_str(&out).expect("busctl prints JSON")
    }

    /// What resolved wrote to its standard error.
    pub fn log(&self) -> String {
        super::read(&self.dir.join("resolved.log"))
    }
}

impl Drop for Resolved {
    fn drop(&mut self) {
        for c in self
            .resolved
            .iter_mut()
            .chain(std::iter::once(&mut self.bus))
        {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The index of `name` in `bed`'s namespace.
pub fn link_index(bed: &Bed, name: &str) -> u32 {
    bed.ns.ip_json(&format!("link show {name}"))[0]["ifindex"]
        .as_u64()
        .expect("an ifindex") as u32
}
