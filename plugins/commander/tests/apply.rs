//! Apply through the commander in a network namespace, then check with both
//! our own query and `ip` that the kernel shows exactly the desired state.

mod common;

use common::{Daemon, assert_shows, links_without_timers, netns, without_lo};
use nipart_plugin_api::state::InterfaceState;

#[test]
fn veth_pair_create_change_delete() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let create = "
interfaces:
  - name: veth1
    type: veth
    mtu: 9000
    mac-address: 02:00:00:00:01:01
    veth:
      peer: veth1-ep
";
    let r = d.apply(create);
    assert!(r.verified && r.attempts >= 1, "{r:?}");
    assert!(
        r.changes.iter().any(|c| c == "kernel: create veth veth1"),
        "{:?}",
        r.changes
    );
    let s = d.show();
    assert_shows(&s, create);
    // The peer was brought up with it, as nmstate does.
    assert_shows(
        &s,
        "interfaces: [{name: veth1-ep, type: veth, state: up, veth: {peer: veth1}}]",
    );
    let link = ns.link("veth1").expect("veth1 exists");
    assert_eq!(link["mtu"], 9000);
    assert_eq!(link["address"], "02:00:00:00:01:01");
    assert_eq!(link["linkinfo"]["info_kind"], "veth");
    assert!(link["flags"].as_array().unwrap().iter().any(|f| f == "UP"));

    // Change: mtu and down.
    d.apply("interfaces: [{name: veth1, mtu: 1400, state: down}]");
    let link = ns.link("veth1").unwrap();
    assert_eq!(link["mtu"], 1400);
    assert!(!link["flags"].as_array().unwrap().iter().any(|f| f == "UP"));
    assert_eq!(
        d.show().interface("veth1").unwrap().state,
        Some(InterfaceState::Down)
    );

    // Delete.
    let r = d.apply("interfaces: [{name: veth1, state: absent}]");
    assert_eq!(r.changes, ["kernel: delete veth1"]);
    assert!(ns.link("veth1").is_none());
    assert!(ns.link("veth1-ep").is_none(), "the peer goes with it");
    assert!(d.show().interface("veth1").is_none());
}

#[test]
fn bridge_with_ports_and_stp() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let state = "
interfaces:
  - name: br0
    type: linux-bridge
    state: up
    bridge:
      options:
        stp:
          enabled: true
          forward-delay: 10
          hello-time: 3
          max-age: 25
          priority: 4096
      port:
        - name: p1
          stp-priority: 20
          stp-path-cost: 150
          stp-hairpin-mode: true
        - name: p2
  - name: p1
    type: veth
    veth: {peer: p1-ep}
  - name: p2
    type: veth
    veth: {peer: p2-ep}
";
    d.apply(state);
    assert_shows(&d.show(), state);
    let br = ns.link("br0").unwrap();
    let data = &br["linkinfo"]["info_data"];
    assert_eq!(data["stp_state"], 1);
    assert_eq!(data["forward_delay"], 1000);
    assert_eq!(data["hello_time"], 300);
    assert_eq!(data["max_age"], 2500);
    assert_eq!(data["priority"], 4096);
    let p1 = ns.link("p1").unwrap();
    assert_eq!(p1["master"], "br0");
    assert_eq!(p1["linkinfo"]["info_slave_data"]["priority"], 20);
    assert_eq!(p1["linkinfo"]["info_slave_data"]["cost"], 150);
    assert_eq!(p1["linkinfo"]["info_slave_data"]["hairpin"], true);
    assert_eq!(ns.link("p2").unwrap()["master"], "br0");

    // Remove p2 from the port list: detached, not deleted; then stp off.
    let change = "
interfaces:
  - name: br0
    bridge:
      options: {stp: {enabled: false}}
      port: [{name: p1}]
";
    d.apply(change);
    assert_shows(&d.show(), change);
    assert!(
        ns.link("p2").unwrap().get("master").is_none(),
        "p2 detached"
    );
    assert_eq!(
        ns.link("br0").unwrap()["linkinfo"]["info_data"]["stp_state"],
        0
    );

    // Delete the bridge: its port stays, detached.
    d.apply("interfaces: [{name: br0, state: absent}]");
    assert!(ns.link("br0").is_none());
    let p1 = ns.link("p1").unwrap();
    assert!(p1.get("master").is_none());
}

/// A change of a bridge port's `stp-*` options alone (the port already
/// attached, nothing else of it or the bridge changing) reaches the
/// kernel, and a rollback puts the old values back.
#[test]
fn bridge_port_stp_options_alone() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let create = "
interfaces:
  - name: brs0
    type: linux-bridge
    bridge:
      options: {stp: {enabled: false}}
      port:
        - {name: brs1, stp-priority: 20, stp-path-cost: 150, stp-hairpin-mode: false}
        - {name: brs2}
  - {name: brs1, type: veth, veth: {peer: brs1-ep}}
  - {name: brs2, type: veth, veth: {peer: brs2-ep}}
";
    d.apply(create);
    let slave = |p: &str| ns.link(p).unwrap()["linkinfo"]["info_slave_data"].clone();
    assert_eq!(slave("brs1")["priority"], 20);

    let change = "
interfaces:
  - name: brs0
    bridge:
      port:
        - {name: brs1, stp-priority: 40, stp-path-cost: 300, stp-hairpin-mode: true}
        - {name: brs2, stp-priority: 7}
";
    let r = d.apply(change);
    assert!(r.verified, "{r:?}");
    assert!(!r.changes.is_empty(), "{r:?}");
    assert_shows(&d.show(), change);
    let p1 = slave("brs1");
    assert_eq!(p1["priority"], 40);
    assert_eq!(p1["cost"], 300);
    assert_eq!(p1["hairpin"], true);
    assert_eq!(slave("brs2")["priority"], 7);
    assert!(
        d.apply(change).changes.is_empty(),
        "applying again changes nothing"
    );

    // The same kind of change in a failing apply: rolled back.
    let before = without_lo(d.show());
    let e = d.apply_err(
        "
interfaces:
  - name: brs0
    bridge:
      port:
        - {name: brs1, stp-priority: 50}
        - {name: brs2}
  - {name: brs-bad, type: veth, mtu: 70000, veth: {peer: brs-bad-ep}}
",
    );
    assert!(e.message().contains("rolled back"), "{e}");
    assert_eq!(slave("brs1")["priority"], 40);
    assert_eq!(without_lo(d.show()), before);

    d.apply("interfaces: [{name: brs0, state: absent}, {name: brs1, state: absent}, {name: brs2, state: absent}]");
}

#[test]
fn ipv4_and_ipv6_static_addresses() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let state = "
interfaces:
  - name: v4
    type: veth
    veth: {peer: v4-ep}
    ipv4:
      enabled: true
      address:
        - {ip: 192.0.2.1, prefix-length: 24}
        - {ip: 198.51.100.9, prefix-length: 32}
    ipv6:
      enabled: true
      address:
        - {ip: '2001:db8::1', prefix-length: 64}
";
    d.apply(state);
    assert_shows(&d.show(), state);
    assert_eq!(
        ns.addresses("v4"),
        ["192.0.2.1/24", "198.51.100.9/32", "2001:db8::1/64"]
    );

    // Replace the lists: the ones not given go away.
    let change = "
interfaces:
  - name: v4
    ipv4:
      address: [{ip: 192.0.2.2, prefix-length: 25}]
    ipv6:
      address: [{ip: '2001:db8:1::2', prefix-length: 80}]
";
    d.apply(change);
    assert_shows(&d.show(), change);
    assert_eq!(ns.addresses("v4"), ["192.0.2.2/25", "2001:db8:1::2/80"]);

    // Disable both.
    let off = "interfaces: [{name: v4, ipv4: {enabled: false}, ipv6: {enabled: false}}]";
    d.apply(off);
    assert_shows(&d.show(), off);
    assert!(ns.addresses("v4").is_empty());
    assert_eq!(
        ns.exec("cat /proc/sys/net/ipv6/conf/v4/disable_ipv6")
            .trim(),
        "1"
    );
}

#[test]
fn routes_add_change_metric_remove() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let add = "
interfaces:
  - name: r1
    type: veth
    veth: {peer: r1-ep}
    ipv4:
      address: [{ip: 192.0.2.1, prefix-length: 24}]
    ipv6:
      address: [{ip: '2001:db8::1', prefix-length: 64}]
routes:
  config:
    - destination: 198.51.100.0/24
      next-hop-interface: r1
      next-hop-address: 192.0.2.254
      metric: 100
    - destination: 203.0.113.0/24
      next-hop-interface: r1
      metric: 50
      table-id: 100
    - destination: 2001:db8:f::/48
      next-hop-interface: r1
      next-hop-address: 2001:db8::fe
      metric: 300
";
    d.apply(add);
    assert_shows(&d.show(), add);
    let main4 = ns.routes("-4", "main");
    assert!(
        main4.iter().any(
            |r| r.starts_with("198.51.100.0/24 via 192.0.2.254 dev r1 proto static metric 100")
        ),
        "{main4:?}"
    );
    assert!(ns.routes("-4", "100").iter().any(|r| r.starts_with("203.0.113.0/24 dev r1 proto static") && r.contains("metric 50")), "{:?}", ns.routes("-4", "100"));
    assert!(
        ns.routes("-6", "main")
            .iter()
            .any(|r| r
                .starts_with("2001:db8:f::/48 via 2001:db8::fe dev r1 proto static metric 300"))
    );

    // Change the metric: remove the old route and add the new one.
    let change = "
routes:
  config:
    - destination: 198.51.100.0/24
      state: absent
    - destination: 198.51.100.0/24
      next-hop-interface: r1
      next-hop-address: 192.0.2.254
      metric: 200
";
    d.apply(change);
    assert_shows(&d.show(), change);
    let main4 = ns.routes("-4", "main");
    assert!(
        main4
            .iter()
            .any(|r| r.contains("198.51.100.0/24") && r.contains("metric 200")),
        "{main4:?}"
    );
    assert!(!main4.iter().any(|r| r.contains("metric 100")), "{main4:?}");

    // Remove.
    let remove = "
routes:
  config:
    - {destination: 198.51.100.0/24, state: absent}
    - {destination: 203.0.113.0/24, table-id: 100, state: absent}
    - {destination: 2001:db8:f::/48, state: absent}
";
    d.apply(remove);
    assert_shows(&d.show(), remove);
    assert!(
        !ns.routes("-4", "main")
            .iter()
            .any(|r| r.contains("198.51.100.0"))
    );
    assert!(ns.routes("-4", "100").is_empty());
    assert!(
        !ns.routes("-6", "main")
            .iter()
            .any(|r| r.contains("2001:db8:f::"))
    );
}

#[test]
fn second_apply_changes_nothing() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let state = "
interfaces:
  - name: br1
    type: linux-bridge
    bridge: {port: [{name: i1}]}
  - name: i1
    type: veth
    mtu: 1450
    veth: {peer: i1-ep}
    ipv4:
      address: [{ip: 192.0.2.10, prefix-length: 24}]
routes:
  config:
    - {destination: 198.51.100.0/24, next-hop-interface: i1, metric: 7}
";
    let first = d.apply(state);
    assert!(!first.changes.is_empty());
    let before = d.show();
    let links_before = links_without_timers(&ns);
    let second = d.apply(state);
    assert!(
        second.changes.is_empty(),
        "the second apply changed {:?}",
        second.changes
    );
    assert_eq!(d.show(), before);
    assert_eq!(links_without_timers(&ns), links_before);
}

#[test]
fn partial_state_leaves_the_rest_alone() {
    let ns = netns();
    ns.ip("link add keep1 type veth peer name keep1-ep");
    ns.ip("link set keep1 mtu 1300");
    ns.ip("addr add 192.0.2.77/24 dev keep1");
    ns.ip("link set keep1 up");
    ns.ip("route add 203.0.113.0/24 dev keep1 metric 9");
    ns.ip("link add touch type veth peer name touch-ep");
    ns.ip("addr add 198.51.100.1/24 dev touch");
    ns.ip("link set touch up");
    let d = Daemon::start(&ns, false, "");
    let before = d.show();
    d.apply("interfaces: [{name: touch, mtu: 1280}]");
    let after = d.show();
    for name in ["keep1", "keep1-ep", "lo", "touch-ep"] {
        assert_eq!(
            after.interface(name),
            before.interface(name),
            "{name} changed"
        );
    }
    let touch = after.interface("touch").unwrap();
    assert_eq!(touch.mtu, Some(1280));
    assert_eq!(
        touch.ipv4,
        before.interface("touch").unwrap().ipv4,
        "addresses not mentioned are kept"
    );
    assert_eq!(after.routes, before.routes, "routes not mentioned are kept");
    assert!(
        ns.routes("-4", "main")
            .iter()
            .any(|r| r.starts_with("203.0.113.0/24 dev keep1"))
    );
    assert_eq!(without_lo(after).interfaces.len(), 4);
}
