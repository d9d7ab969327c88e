//! Interface types that run on this machine's kernel (veth as ethernet,
//! MAC-VLAN, MAC-VTAP, VXLAN, linux-bridge options): create, change, absent and automatic
//! rollback through the real daemon, checked with `ip`, and an
//! nmstate-format file per type (tests/types/). Bonds, VLANs, dummies and
//! VRFs need kernel modules: see `vm_types.rs`.

mod common;

use common::{Daemon, Netns, assert_shows, netns, without_lo};
use nipart_plugin_api::ErrorKind;
use serde_json::{Value, json};

fn flags(ns: &Netns, name: &str) -> Vec<String> {
    let l = ns.link(name).unwrap_or_else(|| panic!("{name} exists"));
    l["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

fn info_data(ns: &Netns, name: &str) -> Value {
    ns.link(name).unwrap_or_else(|| panic!("{name} exists"))["linkinfo"]["info_data"].clone()
}

#[test]
fn veth_is_accepted_as_ethernet() {
    let ns = netns();
    ns.ip("link add eth1 type veth peer name eth1-ep");
    let d = Daemon::start(&ns, false, "");
    let state = "
interfaces:
  - name: eth1
    type: ethernet
    mtu: 1400
    accept-all-mac-addresses: true
    ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}]}
";
    let r = d.apply(state);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), state);
    assert!(flags(&ns, "eth1").contains(&"PROMISC".to_string()));
    assert_eq!(ns.link("eth1").unwrap()["mtu"], 1400);
    // Still a veth, shown as one.
    assert_shows(&d.show(), "interfaces: [{name: eth1, type: veth}]");
    assert!(
        d.apply(state).changes.is_empty(),
        "applying again changes nothing"
    );

    d.apply("interfaces: [{name: eth1, type: ethernet, accept-all-mac-addresses: false}]");
    assert!(!flags(&ns, "eth1").contains(&"PROMISC".to_string()));

    // type: ethernet with a veth section creates a veth, as nmstate does.
    let new = "interfaces: [{name: eth2, type: ethernet, veth: {peer: eth2-ep}}]";
    d.apply(new);
    assert_eq!(ns.link("eth2").unwrap()["linkinfo"]["info_kind"], "veth");
    // An ethernet that does not exist is not created.
    let e = d.apply_err("interfaces: [{name: eth3, type: ethernet}]");
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert!(
        e.message()
            .contains("does not exist and nipart can't create a ethernet interface"),
        "{e}"
    );
}

#[test]
fn mac_vlan_and_mac_vtap_create_change_absent() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    // The base is created in the same apply, before what stands on it.
    let create = "
interfaces:
  - name: mv0
    type: mac-vlan
    mtu: 1400
    mac-vlan: {base-iface: base0, mode: bridge}
    ipv4: {address: [{ip: 192.0.2.10, prefix-length: 24}]}
  - name: mt0
    type: mac-vtap
    mac-vtap: {base-iface: base0, mode: vepa, promiscuous: true}
  - name: base0
    type: veth
    veth: {peer: base0-ep}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), create);
    assert_eq!(ns.link("mv0").unwrap()["linkinfo"]["info_kind"], "macvlan");
    assert_eq!(info_data(&ns, "mv0")["mode"], "bridge");
    assert_eq!(ns.link("mv0").unwrap()["link"], "base0");
    assert_eq!(ns.link("mt0").unwrap()["linkinfo"]["info_kind"], "macvtap");
    assert_eq!(info_data(&ns, "mt0")["mode"], "vepa");
    assert_eq!(ns.addresses("mv0"), ["192.0.2.10/24"]);
    assert!(
        d.apply(create).changes.is_empty(),
        "applying again changes nothing"
    );

    // Change the mode of each.
    let change = "
interfaces:
  - {name: mv0, mac-vlan: {mode: private}}
  - {name: mt0, mac-vtap: {mode: bridge}}
";
    let r = d.apply(change);
    assert!(
        r.changes
            .iter()
            .any(|c| c.contains("change mv0: mac-vlan.mode")),
        "{:?}",
        r.changes
    );
    assert_shows(&d.show(), change);
    assert_eq!(info_data(&ns, "mv0")["mode"], "private");
    assert_eq!(info_data(&ns, "mt0")["mode"], "bridge");

    // The base can't move.
    let e = d.apply_err("interfaces: [{name: mv0, mac-vlan: {base-iface: lo}}]");
    assert!(
        e.message().contains("interfaces[0].mac-vlan.base-iface")
            && e.message().contains("make it absent first"),
        "{e}"
    );

    let r = d.apply("interfaces: [{name: mv0, state: absent}, {name: mt0, state: absent}]");
    assert!(r.verified);
    assert!(ns.link("mv0").is_none() && ns.link("mt0").is_none());
    assert!(ns.link("base0").is_some(), "the base stays");
}

#[test]
fn vxlan_create_change_absent() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let create = "
interfaces:
  - name: vx0
    type: vxlan
    vxlan:
      id: 100
      base-iface: under0
      remote: 192.0.2.2
      local: 192.0.2.1
      learning: false
  - name: under0
    type: veth
    veth: {peer: under0-ep}
    ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}]}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), create);
    // The IANA port when none is given, as nmstate.
    assert_shows(
        &d.show(),
        "interfaces: [{name: vx0, vxlan: {destination-port: 4789}}]",
    );
    let data = info_data(&ns, "vx0");
    assert_eq!(data["id"], 100);
    assert_eq!(data["remote"], "192.0.2.2");
    assert_eq!(data["local"], "192.0.2.1");
    assert_eq!(data["port"], 4789);
    assert_eq!(data["learning"], false);
    assert_eq!(data["link"], "under0");

    let change = "interfaces: [{name: vx0, vxlan: {learning: true, remote: 192.0.2.3}}]";
    d.apply(change);
    assert_shows(&d.show(), change);
    let data = info_data(&ns, "vx0");
    assert_eq!(data["learning"], true);
    assert_eq!(data["remote"], "192.0.2.3");

    // The VNI is fixed at creation.
    let e = d.apply_err("interfaces: [{name: vx0, vxlan: {id: 101}}]");
    assert!(
        e.message().contains("interfaces[0].vxlan.id")
            && e.message().contains("make it absent first"),
        "{e}"
    );
    // A new VXLAN needs its VNI.
    let e = d.apply_err("interfaces: [{name: vx1, type: vxlan, vxlan: {remote: 192.0.2.9}}]");
    assert!(e.message().contains("interfaces[0].vxlan.id"), "{e}");

    // Deleting the base and the VXLAN on it in one apply.
    let r = d.apply("interfaces: [{name: under0, state: absent}, {name: vx0, state: absent}]");
    assert!(r.verified);
    assert!(ns.link("vx0").is_none() && ns.link("under0").is_none());
}

#[test]
fn new_stacked_interfaces_are_rolled_back() {
    let ns = netns();
    ns.ip("link add eth1 type veth peer name eth1-ep");
    let d = Daemon::start(
        &ns,
        true,
        "[plugin.commander]\nextra_roles = [\"fault\"]\n[plugin.state-fault]\nfail = true\n",
    );
    let before = without_lo(d.show());
    let out = d.apply_with(
        "
interfaces:
  - {name: eth1, type: ethernet, accept-all-mac-addresses: true, mtu: 1300}
  - {name: mv9, type: mac-vlan, mac-vlan: {base-iface: eth1, mode: bridge}}
  - {name: vx9, type: vxlan, vxlan: {id: 9, base-iface: eth1, remote: 192.0.2.9}}
",
        json!({}),
    );
    let e = out.result.expect_err("the fault role fails the apply");
    assert!(e.message().contains("rolled back"), "{e}");
    assert!(ns.link("mv9").is_none() && ns.link("vx9").is_none());
    assert!(!flags(&ns, "eth1").contains(&"PROMISC".to_string()));
    assert_eq!(without_lo(d.show()), before);
}

#[test]
fn nmstate_files_per_type() {
    let ns = netns();
    ns.ip("link add eth1 type veth peer name eth1-ep");
    let d = Daemon::start(&ns, false, "");
    common::apply_nmstate_files("types", 4, |t| d.apply(t), || d.show());
    assert_eq!(ns.link("mac0").unwrap()["linkinfo"]["info_kind"], "macvlan");
    assert_eq!(ns.link("mac1").unwrap()["linkinfo"]["info_kind"], "macvtap");
    assert_eq!(ns.link("vxlan0").unwrap()["linkinfo"]["info_kind"], "vxlan");
}

#[test]
fn linux_bridge_options() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let create = "
interfaces:
  - name: br0
    type: linux-bridge
    bridge:
      options:
        stp: {enabled: true, priority: 8192}
        group-forward-mask: 8
        mac-ageing-time: 600
        multicast-snooping: true
        multicast-querier: true
        multicast-query-use-ifaddr: true
        hash-max: 1024
        multicast-last-member-count: 3
        multicast-startup-query-count: 4
        multicast-last-member-interval: 200
        multicast-membership-interval: 30000
        multicast-querier-interval: 26000
        multicast-query-interval: 12000
        multicast-query-response-interval: 1100
        multicast-startup-query-interval: 3000
        multicast-router: enabled
      port: [{name: bp1}]
  - {name: bp1, type: veth, veth: {peer: bp1-ep}}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), create);
    let data = info_data(&ns, "br0");
    assert_eq!(data["group_fwd_mask"], "0x8", "{data}");
    assert_eq!(data["ageing_time"], 60000);
    assert_eq!(data["mcast_snooping"], 1);
    assert_eq!(data["mcast_querier"], 1);
    assert_eq!(data["mcast_hash_max"], 1024);
    assert_eq!(data["mcast_last_member_cnt"], 3);
    assert_eq!(data["mcast_startup_query_cnt"], 4);
    assert_eq!(data["mcast_query_intvl"], 12000);
    assert_eq!(data["mcast_query_response_intvl"], 1100);
    assert_eq!(data["mcast_router"], 2);
    assert!(
        d.apply(create).changes.is_empty(),
        "applying again changes nothing"
    );

    let change = "
interfaces:
  - name: br0
    bridge:
      options: {mac-ageing-time: 300, multicast-snooping: false, multicast-router: disabled}
";
    let r = d.apply(change);
    assert!(
        r.changes
            .iter()
            .any(|c| c.contains("bridge.options.mac-ageing-time")),
        "{:?}",
        r.changes
    );
    assert_shows(&d.show(), change);
    let data = info_data(&ns, "br0");
    assert_eq!(data["ageing_time"], 30000);
    assert_eq!(data["mcast_snooping"], 0);
    assert_eq!(data["mcast_router"], 0);
    // nmstate's numbers for it (1 is auto).
    d.apply("interfaces: [{name: br0, bridge: {options: {multicast-router: 1}}}]");
    assert_eq!(info_data(&ns, "br0")["mcast_router"], 1);

    let e = d.apply_err("interfaces: [{name: br0, bridge: {options: {group-forward-mask: 1}}}]");
    assert!(
        e.message()
            .contains("interfaces[0].bridge.options.group-forward-mask"),
        "{e}"
    );
}

/// What `Show` prints applies back unchanged and changes nothing, on a
/// topology with every type this kernel has: a bridge with options and
/// ports, veths, a MAC-VLAN, a MAC-VTAP and a VXLAN on them, addresses
/// and static routes.
#[test]
fn show_applies_back_unchanged_on_a_rich_topology() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    d.apply(
        "
interfaces:
  - name: rbr0
    type: linux-bridge
    bridge:
      options: {stp: {enabled: false}, mac-ageing-time: 120, multicast-snooping: false}
      port: [{name: rp1}]
    ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}]}
    ipv6: {address: [{ip: 2001:db8::1, prefix-length: 64}]}
  - {name: rp1, type: veth, veth: {peer: rp1-ep}}
  - name: ru0
    type: veth
    veth: {peer: ru0-ep}
    mtu: 1400
    accept-all-mac-addresses: true
    ipv4: {address: [{ip: 198.51.100.1, prefix-length: 24}]}
  - {name: rmv0, type: mac-vlan, mac-vlan: {base-iface: ru0, mode: bridge}}
  - {name: rmt0, type: mac-vtap, mac-vtap: {base-iface: ru0, mode: vepa}}
  - {name: rvx0, type: vxlan, vxlan: {id: 42, base-iface: ru0, remote: 198.51.100.2}}
routes:
  config:
    - {destination: 203.0.113.0/24, next-hop-interface: rbr0, next-hop-address: 192.0.2.254, metric: 50}
",
    );
    let shown = d.show();
    let r = d.apply(&shown.to_yaml());
    assert!(r.verified, "{r:?}");
    assert!(
        r.changes.is_empty(),
        "applying show's output changed {:?}",
        r.changes
    );
    assert_eq!(d.show(), shown);
}
