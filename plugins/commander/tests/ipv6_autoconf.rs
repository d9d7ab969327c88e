//! IPv6 autoconfiguration (SLAAC) through the real daemon: a client
//! namespace with the daemon, a server namespace where dnsmasq sends
//! router advertisements (`--enable-ra`, RA only) on three veth links;
//! each `addr-gen-mode`, a `token`, `auto-gateway: false`; the address
//! formed and the default route from the advertisement, checked with `ip`.

mod common;

use std::time::{Duration, Instant};

use common::{Daemon, Netns, assert_shows, netns};
use nipart_plugin_api::ErrorKind;
use nipart_testkit::RouterAdvertiser as Advertiser;

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
            "interfaces: [{name: c1, ipv6: {autoconf: true, auto-route-table-id: 100}}]",
            "interfaces[0].ipv6.auto-route-table-id: the kernel puts the routes of router advertisements in the main table",
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
