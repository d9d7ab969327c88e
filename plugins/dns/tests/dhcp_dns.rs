//! The name servers of a DHCPv4 lease (dnsmasq in a server namespace) go
//! into resolv.conf after the configured ones, unless the interface's
//! `auto-dns` is false; they leave with the lease's client.

mod common;

use common::*;

const CLIENT_IF: &str = DHCP_CLIENT_IF;

#[test]
fn lease_name_servers_follow_the_configured_ones_unless_auto_dns_is_false() {
    let bed = Bed::new();
    let _server = DhcpServer::start(&bed, &[]);
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
