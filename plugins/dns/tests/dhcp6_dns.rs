//! The name servers and search domains of a DHCPv6 lease (dnsmasq in a
//! server namespace) go into resolv.conf after the configured ones, unless
//! the interface's `ipv6.auto-dns` is false; they leave with the lease.
//! With a DHCPv4 lease beside it, each family's `auto-dns` governs its own
//! lease only.

mod common;

use common::*;

const CLIENT_IF: &str = "dns6c0";
const SERVER_IF: &str = "dns6s0";

/// dnsmasq serving DHCPv6 (no DNS) in `ns`, with two name servers and a
/// search domain; killed on drop.
fn dnsmasq(ns: &Netns, bed: &Bed) -> nipart_testkit::DhcpServer {
    nipart_testkit::DhcpServer::start(
        ns,
        SERVER_IF,
        bed.dir.path(),
        "dnsmasq",
        &[
            "--dhcp-range=fd19::100,fd19::1ff,64,2m",
            "--dhcp-option=option6:dns-server,[fd19::53],[fd19::54]",
            "--dhcp-option=option6:domain-search,six.example",
        ],
    )
}

#[test]
fn dhcp6_name_servers_and_domains_follow_the_configured_ones_unless_auto_dns_is_false() {
    let bed = Bed::new();
    let server = Netns::new();
    bed.ns.ip(&format!(
        "link add {CLIENT_IF} type veth peer name {SERVER_IF} netns {}",
        server.name
    ));
    // DHCPv6 goes between link-local addresses (the test kit's namespaces
    // make none by themselves).
    bed.ns
        .ip(&format!("link set {CLIENT_IF} addrgenmode eui64"));
    server.ip(&format!("addr add fd19::1/64 dev {SERVER_IF} nodad"));
    server.ip(&format!("addr add fe80::1/64 dev {SERVER_IF} nodad"));
    server.ip(&format!("link set {SERVER_IF} up"));
    let _dnsmasq = dnsmasq(&server, &bed);
    let d = bed.daemon(&Extras {
        dhcp: true,
        ..Extras::default()
    });

    apply_ok(
        &d,
        &bed,
        &format!(
            "dns-resolver:\n  config:\n    server: [192.0.2.53]\n    search: [example.com]\n\
             interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv6:\n      enabled: true\n      dhcp: true\n"
        ),
    );
    let with_lease = [
        "nameserver 192.0.2.53",
        "nameserver fd19::53",
        "nameserver fd19::54",
        "search example.com six.example",
    ];
    wait_for("the DHCPv6 lease's name servers in resolv.conf", || {
        (entries(&bed.resolv_conf) == with_lease).then_some(())
    });
    let shown = show(&d)["dns-resolver"].clone();
    assert_eq!(shown["config"]["server"], serde_json::json!(["192.0.2.53"]));

    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv6:\n      auto-dns: false\n"),
    );
    assert_eq!(
        entries(&bed.resolv_conf),
        ["nameserver 192.0.2.53", "search example.com"]
    );
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv6:\n      auto-dns: true\n"),
    );
    assert_eq!(entries(&bed.resolv_conf), with_lease);

    // DHCPv6 stopped: what it gave leaves with the lease.
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv6:\n      dhcp: false\n"),
    );
    wait_for("the lease's name servers to leave", || {
        (entries(&bed.resolv_conf) == ["nameserver 192.0.2.53", "search example.com"]).then_some(())
    });
}

/// Both leases on one interface (one dnsmasq serving DHCPv4 and DHCPv6):
/// `ipv6.auto-dns: false` leaves out the DHCPv6 lease's name server and
/// domain and keeps the DHCPv4 lease's; `ipv4.auto-dns: false` the other
/// way round.
#[test]
fn each_familys_auto_dns_governs_its_own_lease_only() {
    let bed = Bed::new();
    let _server =
        DhcpServer::start_with_v6(&bed, &["--dhcp-option=option:domain-search,four.example"]);
    let d = bed.daemon(&Extras {
        dhcp: true,
        ..Extras::default()
    });
    let iface = |v4: &str, v6: &str| {
        format!(
            "interfaces:\n  - name: {DHCP_CLIENT_IF}\n    state: up\n    ipv4: {{{v4}}}\n    ipv6: {{{v6}}}\n"
        )
    };
    apply_ok(&d, &bed, &iface("dhcp: true", "enabled: true, dhcp: true"));
    let v4 = ["nameserver 10.19.0.53", "nameserver 10.19.0.54"];
    let both = [
        v4[0],
        v4[1],
        "nameserver fd19::53",
        "search four.example six.example",
    ];
    wait_for("both leases' name servers in resolv.conf", || {
        (entries(&bed.resolv_conf) == both).then_some(())
    });

    apply_ok(
        &d,
        &bed,
        &iface("dhcp: true", "enabled: true, dhcp: true, auto-dns: false"),
    );
    assert_eq!(
        entries(&bed.resolv_conf),
        [v4[0], v4[1], "search four.example"]
    );
    apply_ok(
        &d,
        &bed,
        &iface(
            "dhcp: true, auto-dns: false",
            "enabled: true, dhcp: true, auto-dns: true",
        ),
    );
    assert_eq!(
        entries(&bed.resolv_conf),
        ["nameserver fd19::53", "search six.example"]
    );
    apply_ok(
        &d,
        &bed,
        &iface("dhcp: true, auto-dns: true", "enabled: true, dhcp: true"),
    );
    assert_eq!(entries(&bed.resolv_conf), both);
}
