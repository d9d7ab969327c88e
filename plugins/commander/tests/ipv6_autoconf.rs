//! IPv6 autoconfiguration (SLAAC) through the real daemon: a client
//! namespace with the daemon, a server namespace where dnsmasq sends
//! router advertisements (`--enable-ra`, RA only) on three veth links;
//! each `addr-gen-mode`, a `token`, `auto-gateway: false`; the address
//! formed and the default route from the advertisement, checked with `ip`.
//! With `auto-route-table-id` other than main the kernel plugin places the
//! routes of advertisements itself, in that table: default route, on-link
//! prefix, router lifetime 0, back to main, a partial state, absent,
//! rollback; route information options (radvd); hand-made advertisements
//! (hop limit, too many routes); an nmstate-format file.

mod common;

use std::time::{Duration, Instant};

use common::{Daemon, Netns, assert_shows, netns};
use nipart_plugin_api::ErrorKind;
use nipart_testkit::{Radvd, RouterAdvertiser as Advertiser};

/// Waits (up to 30 s) until `f` holds.
fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

const STATE: &str = "
interfaces:
  - name: c1
    ipv6: {enabled: true, autoconf: true, addr-gen-mode: eui64}
  - name: c2
    ipv6: {enabled: true, autoconf: true, addr-gen-mode: stable-privacy, auto-route-metric: 333}
  - name: c3
    ipv6: {enabled: true, autoconf: true, addr-gen-mode: eui64, token: '::abcd', auto-gateway: false}
";

#[test]
fn slaac_addresses_and_default_routes_from_router_advertisements() {
    let ns = netns();
    let server = Netns::new();
    for (i, c, s) in [(1, "c1", "s1"), (2, "c2", "s2"), (3, "c3", "s3")] {
        ns.ip(&format!(
            "link add {c} address 02:00:00:00:00:1{i} type veth peer name {s} netns {}",
            server.name
        ));
        server.ip(&format!("link set {s} addrgenmode eui64"));
        server.ip(&format!("addr add 2001:db8:{i}::1/64 dev {s} nodad"));
        server.ip(&format!("link set {s} up"));
    }
    let d = Daemon::start(&ns, false, "");
    let r = d.apply(STATE);
    assert!(r.verified, "{r:?}");
    let _ra = Advertiser::start(&server, &["s1", "s2", "s3"]);

    let has = |link: &str, addr: &str| ns.addresses(link).iter().any(|a| a == addr);
    // EUI-64 of 02:00:00:00:00:11 (the U/L bit flipped).
    wait_until("c1's EUI-64 address", || {
        has("c1", "2001:db8:1::ff:fe00:11/64")
    });
    wait_until("c3's token address", || has("c3", "2001:db8:3::abcd/64"));
    wait_until("c2's stable-privacy address", || {
        ns.addresses("c2")
            .iter()
            .any(|a| a.starts_with("2001:db8:2:0:") && a.ends_with("/64"))
    });
    assert!(
        !has("c2", "2001:db8:2::ff:fe00:12/64"),
        "stable-privacy is not EUI-64"
    );

    let defaults = || -> Vec<String> {
        ns.routes("-6", "main")
            .into_iter()
            .filter(|l| l.starts_with("default"))
            .collect()
    };
    wait_until("the default routes from the advertisements", || {
        let d = defaults();
        d.iter().any(|l| l.contains("dev c1 proto ra"))
            && d.iter().any(|l| l.contains("dev c2 proto ra metric 333"))
    });
    assert!(
        !defaults().iter().any(|l| l.contains("dev c3")),
        "auto-gateway: false: {:?}",
        defaults()
    );
    assert_shows(&d.show(), STATE);
    assert!(
        d.apply(STATE).changes.is_empty(),
        "applying again changes nothing"
    );

    for (yaml, want) in [
        (
            "interfaces: [{name: c1, ipv6: {token: '2001:db8::1'}}]",
            "interfaces[0].ipv6.token: 2001:db8::1 sets bits of the prefix",
        ),
        (
            "interfaces: [{name: c1, ipv6: {autoconf: true, auto-route-table-id: 255}}]",
            "interfaces[0].ipv6.auto-route-table-id: table 255 is the kernel's local table",
        ),
        (
            "interfaces: [{name: c1, ipv6: {autoconf: true, auto-route-table-id: 253}}]",
            "interfaces[0].ipv6.auto-route-table-id: table 253 is the kernel's default table",
        ),
        (
            "interfaces: [{name: c1, ipv6: {auto-route-table-id: 100}}]",
            "interfaces[0].ipv6.auto-route-table-id: table 100 needs autoconf: true",
        ),
        (
            "interfaces: [{name: c1, ipv6: {addr-gen-mode: random}}]",
            "interfaces[0].ipv6.addr-gen-mode: \"random\" is not one of: eui64, stable-privacy",
        ),
    ] {
        let e = d.apply_err(yaml);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.message().starts_with(want), "{yaml}: {e}");
    }
}

/// A client namespace with `c1` (MAC 02:00:00:00:00:31) and a server
/// namespace with its peer `s1` (`2001:db8:1::1/64`).
fn one_link() -> (Netns, Netns) {
    let ns = netns();
    let server = Netns::new();
    ns.ip(&format!(
        "link add c1 address 02:00:00:00:00:31 type veth peer name s1 netns {}",
        server.name
    ));
    server.ip("link set s1 addrgenmode eui64");
    server.ip("addr add 2001:db8:1::1/64 dev s1 nodad");
    server.ip("link set s1 up");
    (ns, server)
}

/// The IPv6 routes of table `table` (not main) in `ns`, without the
/// `table N` that `ip` puts after the device.
fn table_routes(ns: &Netns, table: u32) -> Vec<String> {
    let tag = format!(" table {table} ");
    ns.routes("-6", "all")
        .into_iter()
        .map(|l| format!("{l} "))
        .filter(|l| l.contains(&tag))
        .map(|l| l.replacen(&tag, " ", 1).trim_end().to_string())
        .collect()
}

/// Whether main has a default route through `c1` from an advertisement.
fn main_default(ns: &Netns) -> bool {
    ns.routes("-6", "main")
        .iter()
        .any(|l| l.starts_with("default via fe80::") && l.contains("dev c1 proto ra"))
}

const TABLE_100: &str = "
interfaces:
  - name: c1
    ipv6: {enabled: true, autoconf: true, addr-gen-mode: eui64, auto-route-table-id: 100, auto-route-metric: 200}
";

#[test]
fn advertisement_routes_in_a_table_of_their_own() {
    let (ns, server) = one_link();
    let d = Daemon::start(&ns, false, "");
    let r = d.apply(TABLE_100);
    assert!(r.verified, "{r:?}");
    assert!(
        r.changes.iter().any(
            |c| c.ends_with("c1: router advertisement routes placed in table 100 (metric 200)")
        ),
        "{:?}",
        r.changes
    );
    let ra = Advertiser::start(&server, &["s1"]);
    let has_default = || {
        table_routes(&ns, 100).iter().any(|l| {
            l.starts_with("default via fe80::") && l.contains("dev c1 proto ra metric 200 expires")
        })
    };
    wait_until("the default route in table 100", has_default);
    wait_until("the on-link prefix in table 100", || {
        table_routes(&ns, 100)
            .iter()
            .any(|l| l.starts_with("2001:db8:1::/64 dev c1 proto ra metric 200"))
    });
    // SLAAC is still the kernel's; its routes are not in main.
    wait_until("c1's EUI-64 address", || {
        ns.addresses("c1")
            .iter()
            .any(|a| a == "2001:db8:1::ff:fe00:31/64")
    });
    assert!(!main_default(&ns), "{:?}", ns.routes("-6", "main"));
    assert_shows(&d.show(), TABLE_100);
    assert!(
        d.apply(TABLE_100).changes.is_empty(),
        "applying again changes nothing"
    );

    // Back to main: table 100 emptied, the kernel's routes again.
    let r = d.apply(
        "interfaces: [{name: c1, ipv6: {enabled: true, autoconf: true, auto-route-table-id: 254}}]",
    );
    assert!(r.verified, "{r:?}");
    assert!(
        table_routes(&ns, 100).is_empty(),
        "{:?}",
        table_routes(&ns, 100)
    );
    wait_until("the kernel's default route in main", || main_default(&ns));
    let shown = d.show();
    let v6 = shown.interface("c1").and_then(|i| i.ipv6.clone()).unwrap();
    assert_eq!(v6.auto_route_table_id, None, "{v6:?}");
    assert_eq!(v6.auto_gateway, Some(true), "{v6:?}");

    // In table 100 again: the kernel's route in main goes.
    assert!(d.apply(TABLE_100).verified);
    assert!(!main_default(&ns), "{:?}", ns.routes("-6", "main"));
    wait_until("the default route in table 100 again", has_default);

    // A router lifetime of 0: no longer a default router; the prefix
    // stays.
    drop(ra);
    let _ra = Advertiser::start_with(&server, &["s1"], &["--ra-param=s1,10,0"]);
    wait_until("the default route removed", || !has_default());
    assert!(
        table_routes(&ns, 100)
            .iter()
            .any(|l| l.starts_with("2001:db8:1::/64 dev c1")),
        "{:?}",
        table_routes(&ns, 100)
    );

    // autoconf off: nothing of nipart's left in table 100.
    let r = d.apply("interfaces: [{name: c1, ipv6: {enabled: true, autoconf: false}}]");
    assert!(r.verified, "{r:?}");
    assert!(
        table_routes(&ns, 100).is_empty(),
        "{:?}",
        table_routes(&ns, 100)
    );

    // A key not given keeps its value: the metric changes, the table
    // stays; then the interface goes, and its listener with it.
    assert!(d.apply(TABLE_100).verified);
    let r = d.apply("interfaces: [{name: c1, ipv6: {autoconf: true, auto-route-metric: 300}}]");
    assert!(r.verified, "{r:?}");
    let shown = d.show();
    let v6 = shown.interface("c1").and_then(|i| i.ipv6.clone()).unwrap();
    assert_eq!(
        (v6.auto_route_table_id, v6.auto_route_metric),
        (Some(100), Some(300))
    );
    wait_until("the on-link prefix with metric 300", || {
        table_routes(&ns, 100)
            .iter()
            .any(|l| l.starts_with("2001:db8:1::/64 dev c1 proto ra metric 300"))
    });
    assert!(
        !table_routes(&ns, 100)
            .iter()
            .any(|l| l.contains("metric 200")),
        "{:?}",
        table_routes(&ns, 100)
    );
    let r = d.apply("interfaces: [{name: c1, state: absent}]");
    assert!(
        r.changes
            .iter()
            .any(|c| c.ends_with("c1: router advertisement routes no longer placed in table 100")),
        "{:?}",
        r.changes
    );
}

#[test]
fn a_failed_verification_puts_advertisement_routes_back_in_main() {
    let (ns, server) = one_link();
    let d = Daemon::start(
        &ns,
        true,
        "[plugin.commander]\nextra_roles = [\"fault\"]\nverify_retries = 2\nverify_interval_ms = 100\n\
         [plugin.state-fault]\nsabotage = \"ip link set c1 mtu 1300\"\n",
    );
    assert!(
        d.apply("interfaces: [{name: c1, ipv6: {enabled: true, autoconf: true}}]")
            .verified
    );
    let _ra = Advertiser::start(&server, &["s1"]);
    wait_until("the kernel's default route in main", || main_default(&ns));
    let before = d.show();
    let e = d.apply_err(
        "interfaces: [{name: c1, mtu: 1400, ipv6: {enabled: true, autoconf: true, auto-route-table-id: 100}}]",
    );
    assert!(
        e.message().contains("c1: mtu desired 1400, current 1300")
            && e.message().contains("rolled back"),
        "{e}"
    );
    assert!(
        table_routes(&ns, 100).is_empty(),
        "{:?}",
        table_routes(&ns, 100)
    );
    wait_until("the kernel's default route in main again", || {
        main_default(&ns)
    });
    let after = d.show();
    assert_eq!(
        after.interface("c1").and_then(|i| i.ipv6.clone()),
        before.interface("c1").and_then(|i| i.ipv6.clone())
    );
}

/// radvd on `s1`: the on-link prefix, two route information options
/// (one with lifetime 0: not placed), every 3 to 4 s.
const RADVD: &str = "
interface s1 {
  AdvSendAdvert on;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval 4;
  prefix 2001:db8:1::/64 { };
  route 2001:db8:100::/48 { AdvRouteLifetime 600; };
  route 2001:db8:200::/56 { AdvRouteLifetime 0; };
};
";

#[test]
fn route_information_goes_in_the_table_without_the_default_route() {
    let (ns, server) = one_link();
    let d = Daemon::start(&ns, false, "");
    let state = "
interfaces:
  - name: c1
    ipv6: {enabled: true, autoconf: true, auto-route-table-id: 1000, auto-gateway: false}
";
    assert!(d.apply(state).verified);
    let radvd = Radvd::start(&server, RADVD);
    wait_until("the route information's route in table 1000", || {
        table_routes(&ns, 1000).iter().any(|l| {
            l.starts_with("2001:db8:100::/48 via fe80::")
                && l.contains("dev c1 proto ra metric 1024 expires")
        })
    });
    wait_until("the on-link prefix in table 1000", || {
        table_routes(&ns, 1000)
            .iter()
            .any(|l| l.starts_with("2001:db8:1::/64 dev c1 proto ra metric 1024"))
    });
    let routes = table_routes(&ns, 1000);
    assert!(
        !routes
            .iter()
            .any(|l| l.starts_with("default") || l.starts_with("2001:db8:200:")),
        "auto-gateway: false, and a route of lifetime 0: {routes:?}"
    );
    assert!(!main_default(&ns), "{:?}", ns.routes("-6", "main"));
    assert!(
        !ns.routes("-6", "main")
            .iter()
            .any(|l| l.starts_with("2001:db8:100::")),
        "{:?}",
        ns.routes("-6", "main")
    );
    assert_shows(&d.show(), state);
    // radvd's last advertisement (lifetimes 0) removes the route.
    drop(radvd);
    wait_until("the route information's route removed", || {
        !table_routes(&ns, 1000)
            .iter()
            .any(|l| l.starts_with("2001:db8:100::/48"))
    });
}

/// The nmstate-format file of `tests/ipv6-autoconf/` applies, verifies,
/// shows as written and changes nothing applied again; the routes of the
/// advertisements go in its table with its metric.
#[test]
fn nmstate_file_with_an_advertisement_route_table() {
    let (ns, server) = one_link();
    let d = Daemon::start(&ns, false, "");
    common::apply_nmstate_files("ipv6-autoconf", 1, |t| d.apply(t), || d.show());
    let _ra = Advertiser::start(&server, &["s1"]);
    wait_until("the default route in table 100 with metric 150", || {
        table_routes(&ns, 100).iter().any(|l| {
            l.starts_with("default via fe80::") && l.contains("dev c1 proto ra metric 150")
        })
    });
    assert!(!main_default(&ns), "{:?}", ns.routes("-6", "main"));
}

/// Sends from `s1` of `server` one router advertisement made by hand
/// (Python's raw ICMPv6 socket; the kernel fills in the checksum): router
/// lifetime 1800, `count` route information options
/// `2001:db8:N::/48` from N = `first`, sent with hop limit `hops`.
fn send_advertisement(server: &Netns, hops: u8, first: u16, count: u16) {
    nipart_testkit::require("python3");
    const SCRIPT: &str = r#"
import socket, struct, sys
hops, first, count = (int(a) for a in sys.argv[1:4])
ra = bytes([134, 0, 0, 0, 64, 0]) + struct.pack("!H", 1800) + bytes(8)
for n in range(first, first + count):
    ra += bytes([24, 2, 48, 0]) + struct.pack("!I", 600) + bytes([0x20, 0x01, 0x0d, 0xb8]) + struct.pack("!H", n) + bytes(2)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"s1")
index = socket.if_nametoindex("s1")
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
s.sendto(ra, ("ff02::1", 0, 0, index))
"#;
    nipart_testkit::run(std::process::Command::new("ip").args([
        "netns",
        "exec",
        &server.name,
        "python3",
        "-c",
        SCRIPT,
        &hops.to_string(),
        &first.to_string(),
        &count.to_string(),
    ]));
}

/// What an on-link host can send is bounded: an advertisement that did
/// not come from the link (hop limit below 255) places nothing, and of 80
/// routes at most 64 are kept per interface (the default route and 63 of
/// the route information options).
#[test]
fn advertisements_from_off_the_link_and_too_many_routes_are_dropped() {
    let (ns, server) = one_link();
    let d = Daemon::start(&ns, false, "");
    assert!(
        d.apply("interfaces: [{name: c1, ipv6: {enabled: true, autoconf: true, addr-gen-mode: eui64, auto-route-table-id: 100}}]")
            .verified
    );
    // Both ends' link-local addresses are ready (DAD) before anything is
    // sent: from a tentative address the kernel sends with source `::`,
    // which the listener rightly drops.
    for (netns, dev) in [(&ns, "c1"), (&server, "s1")] {
        wait_until(&format!("{dev}'s link-local address"), || {
            netns.ip_json(&format!("-6 addr show dev {dev} scope link"))[0]["addr_info"]
                .as_array()
                .is_some_and(|a| a.iter().any(|a| a.get("tentative").is_none()))
        });
    }
    send_advertisement(&server, 64, 0xffff, 1);
    // Sent again every 3 s until it lands (a lost datagram is not what
    // this test is about); the same routes again change nothing.
    let mut sent: Option<Instant> = None;
    wait_until("64 routes in table 100", || {
        if sent.is_none_or(|t| t.elapsed() > Duration::from_secs(3)) {
            send_advertisement(&server, 255, 0, 80);
            sent = Some(Instant::now());
        }
        table_routes(&ns, 100).len() >= 64
    });
    // Another advertisement's worth of time: nothing more comes.
    std::thread::sleep(Duration::from_millis(500));
    let routes = table_routes(&ns, 100);
    assert_eq!(routes.len(), 64, "{routes:#?}");
    assert!(routes.iter().any(|l| l.starts_with("default via fe80::")));
    assert!(
        !routes.iter().any(|l| l.starts_with("2001:db8:ffff::")),
        "hop limit 64: {routes:#?}"
    );
}
