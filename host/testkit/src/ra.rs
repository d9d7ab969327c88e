//! Router advertisements for IPv6 autoconfiguration tests: dnsmasq sending
//! them (RA only, no DHCPv6) on links of a server namespace, or radvd
//! (route information options, which dnsmasq does not send).

use std::{
    fs,
    path::PathBuf,
    process::{Child, Command, Stdio},
};

use crate::{Netns, require, run};

/// dnsmasq sending router advertisements on `links` of a namespace, for
/// the prefixes of the links' own addresses (`constructor:s*`); killed on
/// drop.
pub struct RouterAdvertiser(Child);

impl RouterAdvertiser {
    pub fn start(server: &Netns, links: &[&str]) -> RouterAdvertiser {
        Self::start_with(server, links, &[])
    }

    /// As [`start`](Self::start), with more dnsmasq arguments (`extra`),
    /// such as `--ra-param=s1,10,0` (advertisements every 10 s with
    /// router lifetime 0: not a default router).
    pub fn start_with(server: &Netns, links: &[&str], extra: &[&str]) -> RouterAdvertiser {
        require("dnsmasq");
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &server.name, "dnsmasq"]).args([
            "--no-daemon",
            "--conf-file=/dev/null",
            "--port=0",
            "--user=root",
            "--bind-interfaces",
            "--enable-ra",
            "--dhcp-range=::,constructor:s*,ra-only,64",
            "--pid-file=",
            "--leasefile-ro",
        ]);
        for l in links {
            cmd.arg(format!("--interface={l}"));
        }
        cmd.args(extra);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting dnsmasq");
        RouterAdvertiser(child)
    }
}

impl Drop for RouterAdvertiser {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// radvd sending router advertisements in a namespace, as its
/// configuration `config` says (radvd.conf(5): `interface s1 { … route
/// 2001:db8:100::/48 { }; };`); the namespace forwards IPv6, as radvd
/// wants of a router. Stopped on drop (radvd then sends a last
/// advertisement with lifetime 0) and its files removed.
pub struct Radvd {
    child: Child,
    dir: PathBuf,
}

impl Radvd {
    pub fn start(server: &Netns, config: &str) -> Radvd {
        let radvd = require("radvd");
        let dir = std::env::temp_dir().join(format!(
            "nipart-radvd-{}-{}",
            std::process::id(),
            server.name
        ));
        fs::create_dir_all(&dir).expect("creating radvd's folder");
        let conf = dir.join("radvd.conf");
        fs::write(&conf, config).expect("writing radvd.conf");
        run(Command::new("ip").args([
            "netns",
            "exec",
            &server.name,
            "sysctl",
            "-qw",
            "net.ipv6.conf.all.forwarding=1",
        ]));
        let child = Command::new("ip")
            .args(["netns", "exec", &server.name])
            .arg(radvd)
            .args(["--nodaemon", "--logmethod=none", "--config"])
            .arg(&conf)
            .arg("--pidfile")
            .arg(dir.join("radvd.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting radvd");
        Radvd { child, dir }
    }
}

impl Drop for Radvd {
    fn drop(&mut self) {
        // SIGTERM: radvd's last advertisement says it is leaving.
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: plain FFI call; the pid is our own child's, not yet
            // waited for.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}
