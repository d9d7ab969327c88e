//! The name servers of a DHCPv4 lease (dnsmasq in a server namespace) go
//! into resolv.conf after the configured ones, unless the interface's
//! `auto-dns` is false; they leave with the lease's client.

mod common;

use std::process::{Child, Command, Stdio};

use common::*;

const CLIENT_IF: &str = "dnsc0";
const SERVER_IF: &str = "dnss0";

/// dnsmasq serving DHCP (no DNS) in `ns`, killed on drop.
struct Dnsmasq(Child);

impl Dnsmasq {
    fn start(ns: &Netns, bed: &Bed) -> Dnsmasq {
        let log = bed.path("dnsmasq.log");
        let child = Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .arg(nipart_testkit::require("dnsmasq"))
            .args([
                "--no-daemon",
                "--conf-file=/dev/null",
                "--port=0",
                "--user=root",
                "--bind-interfaces",
                "--dhcp-authoritative",
                "--dhcp-range=10.19.0.50,10.19.0.150,255.255.255.0,2m",
                "--dhcp-option=option:dns-server,10.19.0.53,10.19.0.54",
            ])
            .arg(format!("--interface={SERVER_IF}"))
            .arg(format!(
                "--dhcp-leasefile={}",
                bed.path("dnsmasq.leases").display()
            ))
            .arg(format!("--log-facility={}", log.display()))
            .arg(format!("--pid-file={}", bed.path("dnsmasq.pid").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting dnsmasq");
        let d = Dnsmasq(child);
        wait_for("dnsmasq to start", || {
            read(&log).contains("DHCP, IP range").then_some(())
        });
        d
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn lease_name_servers_follow_the_configured_ones_unless_auto_dns_is_false() {
    let bed = Bed::new();
    let server = Netns::new();
    bed.ns.ip(&format!(
        "link add {CLIENT_IF} type veth peer name {SERVER_IF} netns {}",
        server.name
    ));
    server.ip(&format!("addr add 10.19.0.1/24 dev {SERVER_IF}"));
    server.ip(&format!("link set {SERVER_IF} up"));
    let _dnsmasq = Dnsmasq::start(&server, &bed);
    let d = bed.daemon(&Extras {
        dhcp: true,
        ..Extras::default()
    });

    apply_ok(
        &d,
        &bed,
        &format!(
            "dns-resolver:\n  config:\n    server: [192.0.2.53]\n    search: [example.com]\n\
             interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4:\n      dhcp: true\n"
        ),
    );
    wait_for("the lease's name servers in resolv.conf", || {
        (entries(&bed.resolv_conf)
            == [
                "nameserver 192.0.2.53",
                "nameserver 10.19.0.53",
                "nameserver 10.19.0.54",
                "search example.com",
            ])
        .then_some(())
    });
    // `config` is what was asked for; `running` what the resolver uses.
    let shown = show(&d)["dns-resolver"].clone();
    assert_eq!(shown["config"]["server"], serde_json::json!(["192.0.2.53"]));
    assert_eq!(
        shown["running"]["server"],
        serde_json::json!(["192.0.2.53", "10.19.0.53", "10.19.0.54"])
    );

    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      auto-dns: false\n"),
    );
    assert_eq!(
        entries(&bed.resolv_conf),
        ["nameserver 192.0.2.53", "search example.com"]
    );

    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      auto-dns: true\n"),
    );
    assert_eq!(entries(&bed.resolv_conf)[1], "nameserver 10.19.0.53");

    // DHCP stopped: its name servers leave with the lease.
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      dhcp: false\n"),
    );
    wait_for("the lease's name servers to leave", || {
        (entries(&bed.resolv_conf) == ["nameserver 192.0.2.53", "search example.com"]).then_some(())
    });
}
