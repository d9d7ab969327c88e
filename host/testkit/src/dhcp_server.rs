//! dnsmasq as the DHCP server (DHCPv4, DHCPv6, router advertisements as
//! its arguments say) of the tests and benchmarks: in a namespace, on one
//! interface, with no DNS (`--port=0`), authoritative, its lease file, log
//! and pid file in a folder of the caller's; killed on drop.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::{Netns, find_program, missing_message};

/// A running dnsmasq (see the module).
pub struct DhcpServer {
    child: Child,
    /// Its lease file.
    pub leases: PathBuf,
    /// Its log (`--log-dhcp`: every exchange).
    pub log: PathBuf,
}

impl DhcpServer {
    /// Starts dnsmasq in `ns` on `interface` with `args` (the
    /// `--dhcp-range`s and options), its files `dir/NAME.leases`,
    /// `NAME.log` and `NAME.pid`, and waits (10 s at most) until its log
    /// says it serves a range.
    pub fn try_start(
        ns: &Netns,
        interface: &str,
        dir: &Path,
        name: &str,
        args: &[&str],
    ) -> Result<DhcpServer, String> {
        let dnsmasq = find_program("dnsmasq").ok_or_else(|| missing_message("dnsmasq"))?;
        let leases = dir.join(format!("{name}.leases"));
        let log = dir.join(format!("{name}.log"));
        let child = Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .arg(dnsmasq)
            .args([
                "--no-daemon",
                "--conf-file=/dev/null",
                "--port=0",
                "--user=root",
                "--bind-interfaces",
                "--log-dhcp",
                "--dhcp-authoritative",
            ])
            .arg(format!("--interface={interface}"))
            .arg(format!("--dhcp-leasefile={}", leases.display()))
            .arg(format!("--log-facility={}", log.display()))
            .arg(format!(
                "--pid-file={}",
                dir.join(format!("{name}.pid")).display()
            ))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting dnsmasq: {e}"))?;
        let mut server = DhcpServer { child, leases, log };
        let give_up = Instant::now() + Duration::from_secs(10);
        // "DHCP, IP range …" or "DHCPv6, IP range …".
        while !server.log_text().contains(", IP range") {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "dnsmasq exited ({status}) before serving; its log:\n{}",
                    server.log_text()
                ));
            }
            if Instant::now() > give_up {
                server.kill();
                return Err(format!(
                    "dnsmasq did not start serving within 10 s; its log:\n{}",
                    server.log_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    /// [`try_start`](Self::try_start), panicking (for tests).
    pub fn start(ns: &Netns, interface: &str, dir: &Path, name: &str, args: &[&str]) -> DhcpServer {
        Self::try_start(ns, interface, dir, name, args).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Its log's text so far.
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Its lease file's text.
    pub fn lease_text(&self) -> String {
        fs::read_to_string(&self.leases).unwrap_or_default()
    }

    /// Stops it now.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DhcpServer {
    fn drop(&mut self) {
        self.kill();
    }
}
