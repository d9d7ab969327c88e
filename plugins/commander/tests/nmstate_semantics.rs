//! nmstate's semantics found with nmstate's own files: values as strings,
//! an empty document, the absence of an unknown interface, IPv6
//! link-local addresses in a list, routes removed by interface (never the
//! kernel's connected ones), and clashing routes refused up front with the
//! reason.

mod common;

use common::{Daemon, netns, without_lo};

/// Strings where nmstate takes them, an empty document, and the absence of
/// an interface of a type nipart does not know that does not exist.
#[test]
fn nmstate_leniencies() {
    let ns = netns();
    ns.ip("link add eth1 type veth peer name eth1-ep");
    let d = Daemon::start(&ns, false, "");
    let r = d.apply(
        "
interfaces:
  - name: eth1
    mtu: \"1400\"
    accept-all-mac-addresses: \"true\"
    ipv4: {enabled: \"true\", address: [{ip: 192.0.2.1, prefix-length: \"24\"}]}
",
    );
    assert!(r.verified);
    assert_eq!(ns.addresses("eth1"), ["192.0.2.1/24"]);
    assert_eq!(ns.link("eth1").unwrap()["mtu"], 1400);
    let before = without_lo(d.show());
    let r = d.apply("");
    assert!(r.changes.is_empty(), "{:?}", r.changes);
    let r = d.apply("interfaces: [{name: team9, type: team, state: absent}]");
    assert!(r.changes.is_empty(), "{:?}", r.changes);
    assert_eq!(without_lo(d.show()), before);
}

#[test]
fn routes_absent_by_interface_keep_the_kernels_own() {
    let ns = netns();
    ns.ip("link add e1 type veth peer name e1-ep");
    ns.ip("link set e1 up");
    ns.ip("addr add 192.0.2.1/24 dev e1");
    ns.ip("route add 198.51.100.0/24 via 192.0.2.254 dev e1");
    let d = Daemon::start(&ns, false, "");
    let r = d.apply("routes: {config: [{next-hop-interface: e1, state: absent}]}");
    assert!(r.verified, "{r:?}");
    assert_eq!(
        r.changes,
        ["kernel: remove route 198.51.100.0/24 via 192.0.2.254 dev e1 metric 0"]
    );
    let routes = ns.ip_json("route show dev e1");
    let dsts: Vec<&str> = routes
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["dst"].as_str())
        .collect();
    assert_eq!(
        dsts,
        ["192.0.2.0/24"],
        "the connected route stays: {routes}"
    );
}

#[test]
fn clashing_routes_are_refused_before_anything_is_applied() {
    let ns = netns();
    ns.ip("link add e1 type veth peer name e1-ep");
    ns.ip("link set e1 up");
    ns.ip("addr add 192.0.2.1/24 dev e1");
    let d = Daemon::start(&ns, false, "");
    let before = without_lo(d.show());
    let e = d.apply_err(
        "
interfaces: [{name: e1, mtu: 1400}]
routes:
  config:
    - {destination: 0.0.0.0/0, next-hop-interface: e1, next-hop-address: 192.0.2.253, metric: 100}
    - {destination: 0.0.0.0/0, next-hop-interface: e1, next-hop-address: 192.0.2.254, metric: 100}
",
    );
    assert!(
        e.message().contains("routes.config[1]")
            && e.message().contains("same destination, table and metric"),
        "{e}"
    );
    assert_eq!(without_lo(d.show()), before, "nothing applied");

    // Against a route the kernel has.
    ns.ip("route add default via 192.0.2.253 dev e1 metric 100");
    let e = d.apply_err(
        "routes: {config: [{destination: 0.0.0.0/0, next-hop-interface: e1, next-hop-address: 192.0.2.254, metric: 100}]}",
    );
    assert!(
        e.message()
            .contains("existing route 0.0.0.0/0 via 192.0.2.253"),
        "{e}"
    );
    // Replacing it in the same state is fine.
    let r = d.apply(
        "
routes:
  config:
    - {destination: 0.0.0.0/0, state: absent}
    - {destination: 0.0.0.0/0, next-hop-interface: e1, next-hop-address: 192.0.2.254, metric: 100}
",
    );
    assert!(r.verified, "{r:?}");
}

#[test]
fn ipv6_link_local_addresses_in_the_list_are_left_to_the_kernel() {
    let ns = netns();
    ns.ip("link add e1 type veth peer name e1-ep");
    let d = Daemon::start(&ns, false, "");
    let state = "
interfaces:
  - name: e1
    ipv6:
      enabled: true
      address:
        - {ip: fe80::1, prefix-length: 64}
        - {ip: 2001:db8::1, prefix-length: 64}
";
    let r = d.apply(state);
    assert!(r.verified, "{r:?}");
    assert!(ns.addresses("e1").contains(&"2001:db8::1/64".to_string()));
    assert!(d.apply(state).changes.is_empty());
}
