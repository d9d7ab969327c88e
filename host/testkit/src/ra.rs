//! Router advertisements for IPv6 autoconfiguration tests: dnsmasq sending
//! them (RA only, no DHCPv6) on links of a server namespace.

use std::process::{Child, Command, Stdio};

use crate::{Netns, require};

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
