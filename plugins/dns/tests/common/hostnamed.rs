//! A real systemd-hostnamed for a test (the machine's, from the `systemd`
//! package), started on demand as on a systemd host: a private
//! `dbus-daemon` whose service directory (in the test's directory) says
//! how to start it, inside a holder process's UTS namespace and mount
//! namespace, where `/etc` is an overlay whose upper directory is the
//! test's (hostnamed writes `/etc/hostname` there; the machine's is
//! hidden, so there is no static name at first). The daemon joins the
//! holder's UTS namespace ([`super::Extras::uts_of`]), so the running name
//! hostnamed sets is the one the daemon sees; the machine's never
//! changes. hostnamed exits when idle, and the bus starts it again at the
//! next call. Everything is killed on drop.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use super::{Bed, read, wait_for};

/// Where Debian's systemd has hostnamed.
const HOSTNAMED: &str = "/lib/systemd/systemd-hostnamed";

/// The holder of the namespaces and the bus that starts hostnamed in them.
pub struct Hostnamed {
    dir: PathBuf,
    holder: Child,
    bus: Child,
}

impl Hostnamed {
    /// The running name the holder's UTS namespace starts with.
    pub const FIRST_NAME: &'static str = "nipart-uts-start";

    pub fn start(bed: &Bed) -> Hostnamed {
        nipart_testkit::require_all(&["dbus-daemon", "busctl", "unshare", "nsenter", "mount"]);
        assert!(
            Path::new(HOSTNAMED).exists(),
            "{HOSTNAMED} is missing: apt-get install -y systemd"
        );
        let dir = bed.path("hostnamed");
        for d in ["upper", "work", "services"] {
            std::fs::create_dir_all(dir.join(d)).expect("creating the test's directories");
        }
        let d = dir.display();
        let holder = Command::new("unshare")
            .args(["--uts", "--mount", "--propagation", "private", "--"])
            .args(["sh", "-c"])
            .arg(format!(
                "mount -t overlay nipart-test -o lowerdir=/etc,upperdir={d}/upper,workdir={d}/work /etc \
                 && rm -f /etc/hostname && hostname {} && touch {d}/ready && exec sleep infinity",
                Self::FIRST_NAME
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the namespaces' holder");
        let ready = dir.join("ready");
        wait_for("the namespaces' holder", || ready.exists().then_some(()));
        std::fs::write(
            dir.join("services/org.freedesktop.hostname1.service"),
            format!(
                "[D-BUS Service]\nName=org.freedesktop.hostname1\n\
                 Exec={} --target {} --uts --mount {HOSTNAMED}\n",
                nipart_testkit::require("nsenter").display(),
                holder.id()
            ),
        )
        .expect("writing the service file");
        // No <type>system</type>: a system bus starts services through
        // its setuid helper, from the system's directories only.
        std::fs::write(
            dir.join("bus.conf"),
            format!(
                "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n \
                 \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n\
                 <busconfig>\n  <listen>unix:path={d}/bus</listen>\n  \
                 <auth>EXTERNAL</auth>\n  <servicedir>{d}/services</servicedir>\n  \
                 <policy context=\"default\">\n    <allow user=\"*\"/>\n    \
                 <allow own=\"*\"/>\n    <allow send_destination=\"*\"/>\n    \
                 <allow receive_sender=\"*\"/>\n  </policy>\n</busconfig>\n"
            ),
        )
        .expect("writing the bus's configuration");
        let log = std::fs::File::create(dir.join("bus.log")).expect("creating the bus's log");
        let address = format!("unix:path={d}/bus");
        let bus = Command::new("dbus-daemon")
            .arg("--nofork")
            .arg(format!("--config-file={d}/bus.conf"))
            // What the services it starts connect to.
            .env("DBUS_SYSTEM_BUS_ADDRESS", &address)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("starting dbus-daemon");
        let h = Hostnamed { dir, holder, bus };
        wait_for("the private bus's socket", || {
            h.dir.join("bus").exists().then_some(())
        });
        h
    }

    /// The bus's address, for `[plugin.dns] dbus_address`.
    pub fn address(&self) -> String {
        format!("unix:path={}/bus", self.dir.display())
    }

    /// The pid whose UTS namespace the daemon joins.
    pub fn holder(&self) -> u32 {
        self.holder.id()
    }

    /// The running name in the holder's UTS namespace.
    pub fn running(&self) -> String {
        nipart_testkit::run(Command::new("nsenter").args([
            "--target",
            &self.holder.id().to_string(),
            "--uts",
            "hostname",
        ]))
        .trim()
        .to_string()
    }

    /// `/etc/hostname` as hostnamed wrote it ("" when there is none).
    pub fn etc_hostname(&self) -> String {
        read(&self.dir.join("upper/hostname"))
    }

    /// Sets the static name as another program would (busctl).
    pub fn set_static(&self, name: &str) {
        nipart_testkit::run(
            Command::new("busctl")
                .arg(format!("--address={}", self.address()))
                .args([
                    "call",
                    "org.freedesktop.hostname1",
                    "/org/freedesktop/hostname1",
                    "org.freedesktop.hostname1",
                    "SetStaticHostname",
                    "sb",
                    name,
                    "false",
                ]),
        );
    }

    /// What the bus and the hostnamed it started wrote to standard error.
    pub fn log(&self) -> String {
        read(&self.dir.join("bus.log"))
    }
}

impl Drop for Hostnamed {
    fn drop(&mut self) {
        // hostnamed, when the bus has started it (it would otherwise stay
        // until its idle timeout), then the bus and the holder.
        let owner = nipart_testkit::try_run(
            Command::new("busctl")
                .arg(format!("--address={}", self.address()))
                .args([
                    "call",
                    "org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus",
                    "GetConnectionUnixProcessID",
                    "s",
                    "org.freedesktop.hostname1",
                ]),
        );
        if let Some(pid) = owner
            .ok()
            .and_then(|o| o.trim().strip_prefix("u ")?.parse::<libc::pid_t>().ok())
        {
            // SAFETY: kill(2) of the hostnamed this test's bus started
            // (its pid, from the bus, while it owns the name there).
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        for c in [&mut self.bus, &mut self.holder] {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
