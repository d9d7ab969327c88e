//! Route details through the real daemon in a namespace of each test's
//! own: `route-type`, `source`, `cwnd`, `initcwnd`, `initrwnd`, `mtu`,
//! `onlink` and tables above 255 (applied by netlink), shown, removed by
//! `absent`, rolled back, checked with `ip route`; and an nmstate-format
//! file (tests/route-details/).

mod common;

use common::{Daemon, Netns, assert_shows, netns};
use nipart_plugin_api::ErrorKind;
use serde_json::json;

fn with_link() -> Netns {
    let ns = netns();
    ns.ip("link add d0 type veth peer name d0-ep");
    ns.ip("addr add 192.0.2.1/24 dev d0");
    ns.ip("addr add 2001:db8:1::1/64 dev d0 nodad");
    ns.ip("link set d0 up");
    ns.ip("link set d0-ep up");
    ns
}

fn routes(ns: &Netns, family: &str, table: &str) -> Vec<String> {
    ns.routes(family, table)
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

const DETAILS: &str = "
routes:
  config:
    - {destination: 198.51.100.0/24, next-hop-address: 192.0.2.254, next-hop-interface: d0,
       metric: 10, source: 192.0.2.1, cwnd: 10, initcwnd: 20, initrwnd: 30, mtu: 1400}
    - {destination: 203.0.113.0/24, route-type: blackhole, metric: 11}
    - {destination: 203.0.113.64/26, route-type: unreachable, table-id: 1000}
    - {destination: '2001:db8:9::/48', route-type: prohibit, metric: 12}
    - {destination: 10.9.0.0/16, next-hop-address: 10.255.0.1, next-hop-interface: d0,
       onlink: true, table-id: 70000, metric: 13}
";

#[test]
fn route_details_apply_show_and_go() {
    let ns = with_link();
    let d = Daemon::start(&ns, false, "");
    let r = d.apply(DETAILS);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), DETAILS);
    let main4 = routes(&ns, "-4", "main");
    for want in [
        "198.51.100.0/24 via 192.0.2.254 dev d0 proto static src 192.0.2.1 metric 10 mtu 1400 cwnd 10 initcwnd 20 initrwnd 30",
        "blackhole 203.0.113.0/24 proto static metric 11",
    ] {
        assert!(
            main4.iter().any(|l| l == want),
            "{want} missing: {main4:#?}"
        );
    }
    assert_eq!(
        routes(&ns, "-4", "1000"),
        ["unreachable 203.0.113.64/26 proto static"]
    );
    assert_eq!(
        routes(&ns, "-4", "70000"),
        ["10.9.0.0/16 via 10.255.0.1 dev d0 proto static metric 13 onlink"]
    );
    assert!(
        routes(&ns, "-6", "main")
            .iter()
            .any(|l| l == "prohibit 2001:db8:9::/48 dev lo proto static metric 12 pref medium"),
        "{:#?}",
        routes(&ns, "-6", "main")
    );
    assert!(
        d.apply(DETAILS).changes.is_empty(),
        "applying again changes nothing"
    );

    // A wanted detail that differs is another route: absent + add.
    let r = d.apply(
        "
routes:
  config:
    - {destination: 198.51.100.0/24, state: absent}
    - {destination: 198.51.100.0/24, next-hop-address: 192.0.2.254, next-hop-interface: d0, metric: 10, mtu: 1300}
",
    );
    assert!(r.verified);
    assert!(
        routes(&ns, "-4", "main")
            .iter()
            .any(|l| l == "198.51.100.0/24 via 192.0.2.254 dev d0 proto static metric 10 mtu 1300"),
        "{:#?}",
        routes(&ns, "-4", "main")
    );

    // Absent by type, and by table above 255.
    d.apply("routes: {config: [{state: absent, route-type: blackhole}, {state: absent, table-id: 70000}, {state: absent, table-id: 1000}]}");
    assert!(
        !routes(&ns, "-4", "main")
            .iter()
            .any(|l| l.starts_with("blackhole"))
    );
    assert!(routes(&ns, "-4", "70000").is_empty());
    assert!(routes(&ns, "-4", "1000").is_empty());
}

#[test]
fn bad_route_details_are_refused_with_the_path() {
    let ns = with_link();
    let d = Daemon::start(&ns, false, "");
    for (yaml, want) in [
        (
            "routes: {config: [{destination: 203.0.113.0/24, route-type: blackhole, next-hop-interface: d0}]}",
            "routes.config[0].next-hop-interface: a blackhole route has no next hop; leave next-hop-interface out",
        ),
        (
            "routes: {config: [{destination: 203.0.113.0/24, next-hop-interface: d0, source: '2001:db8::1'}]}",
            "routes.config[0].source: \"2001:db8::1\" is not an IPv4 address",
        ),
        (
            "routes: {config: [{destination: 203.0.113.0/24, route-type: drop}]}",
            "routes.config[0].route-type: \"drop\" is not one of: blackhole, unreachable, prohibit",
        ),
        (
            "routes: {config: [{destination: 203.0.113.0/24, next-hop-interface: d0, onlink: true}]}",
            "routes.config[0].onlink: needs a next-hop-address",
        ),
    ] {
        let e = d.apply_err(yaml);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.message().starts_with(want), "{yaml}: {e}");
    }
    // The kernel refuses a source address the host does not have: the
    // apply fails with the route named and is rolled back.
    let before = d.show();
    let out = d.apply_with(
        "routes: {config: [{destination: 10.1.0.0/16, route-type: blackhole}, {destination: 203.0.113.0/24, next-hop-interface: d0, source: 192.0.2.99}]}",
        json!({}),
    );
    let e = out.result.expect_err("the kernel refuses the source");
    assert!(
        e.message()
            .contains("adding route 203.0.113.0/24 dev d0 src 192.0.2.99"),
        "{e}"
    );
    assert!(e.message().contains("rolled back"), "{e}");
    assert_eq!(d.show(), before);
}

#[test]
fn nmstate_route_detail_files_apply_and_verify() {
    let ns = netns();
    ns.ip("link add eth1 type veth peer name eth1-ep");
    ns.ip("link set eth1-ep up");
    let d = Daemon::start(&ns, false, "");
    common::apply_nmstate_files("route-details", 1, |t| d.apply(t), || d.show());
}

#[test]
fn weighted_routes_are_the_next_hops_of_a_multipath_route() {
    let ns = with_link();
    for (l, a4, a6) in [
        ("d1", "192.0.3.1/24", "2001:db8:3::1/64"),
        ("d2", "192.0.4.1/24", "2001:db8:4::1/64"),
    ] {
        ns.ip(&format!("link add {l} type veth peer name {l}-ep"));
        ns.ip(&format!("addr add {a4} dev {l}"));
        ns.ip(&format!("addr add {a6} dev {l} nodad"));
        ns.ip(&format!("link set {l} up"));
        ns.ip(&format!("link set {l}-ep up"));
    }
    let d = Daemon::start(&ns, false, "");
    let two = "
routes:
  config:
    - {destination: 198.51.100.0/24, next-hop-address: 192.0.2.254, next-hop-interface: d0, weight: 1, metric: 5}
    - {destination: 198.51.100.0/24, next-hop-address: 192.0.3.254, next-hop-interface: d1, weight: 3, metric: 5}
    - {destination: '2001:db8:8::/64', next-hop-address: '2001:db8:1::fe', next-hop-interface: d0, weight: 2}
    - {destination: '2001:db8:8::/64', next-hop-address: '2001:db8:3::fe', next-hop-interface: d1, weight: 4}
";
    let r = d.apply(two);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), two);
    let text = ns.ip("-4 route show 198.51.100.0/24");
    let text: Vec<&str> = text.split_whitespace().collect();
    let text = text.join(" ");
    assert_eq!(
        text,
        "198.51.100.0/24 proto static metric 5 nexthop via 192.0.2.254 dev d0 weight 1 nexthop via 192.0.3.254 dev d1 weight 3"
    );
    assert!(
        d.apply(two).changes.is_empty(),
        "applying again changes nothing"
    );

    // A hop given alone joins the others.
    d.apply("routes: {config: [{destination: 198.51.100.0/24, next-hop-address: 192.0.4.254, next-hop-interface: d2, weight: 2, metric: 5}]}");
    let hops = ns.ip("-4 route show 198.51.100.0/24");
    assert_eq!(hops.matches("nexthop").count(), 3, "{hops}");

    // One hop absent: the others stay.
    let r = d.apply("routes: {config: [{state: absent, next-hop-interface: d1}]}");
    assert!(r.verified);
    let hops = ns.ip("-4 route show 198.51.100.0/24");
    assert_eq!(hops.matches("nexthop").count(), 2, "{hops}");
    assert!(!hops.contains("dev d1"), "{hops}");
    assert!(!ns.ip("-6 route show 2001:db8:8::/64").contains("dev d1"));

    // A weight on a route of one next hop is refused: the kernel keeps none.
    let e = d.apply_err(
        "routes: {config: [{destination: 203.0.113.0/24, next-hop-interface: d0, weight: 5}]}",
    );
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert!(
        e.message().starts_with(
            "routes.config[0].weight: 203.0.113.0/24 dev d0 weight 5 is the only next hop"
        ),
        "{e}"
    );
}
