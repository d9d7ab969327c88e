//! Planning against a current state written by hand.

use nipart_plugin_api::state::{InterfaceState, InterfaceType, NetworkState, differences};
use serde_json::Value;

use super::*;

fn current() -> NetworkState {
    NetworkState::from_yaml(
        r#"
interfaces:
  - {name: lo, type: loopback, state: up, mtu: 65536}
  - {name: eth0, type: ethernet, state: down, mtu: 1500}
  - {name: v1, type: veth, state: up, mtu: 1500, veth: {peer: v1p}}
  - {name: v1p, type: veth, state: up, mtu: 1500, veth: {peer: v1}}
  - {name: br0, type: linux-bridge, state: up, bridge: {port: [{name: v1p}]}}
routes:
  config: [{destination: 198.51.100.0/24, next-hop-interface: v1, metric: 100, table-id: 254}]
  running: [{destination: 198.51.100.0/24, next-hop-interface: v1, metric: 100, table-id: 254}]
"#,
    )
    .unwrap()
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

fn plan_err(text: &str) -> String {
    match plan(&yaml(text), &current()) {
        Ok(p) => panic!("expected an error, got {p:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn new_veth_gets_its_peer_and_types_are_filled_in() {
    let p = plan(&yaml("interfaces: [{name: v2, type: veth, veth: {peer: v2p}, mtu: 9000}, {name: eth0, mtu: 1400}]"), &current()).unwrap();
    let names: Vec<_> = p
        .desired
        .interfaces
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["v2", "eth0", "v2p"]);
    let peer = p.desired.interface("v2p").unwrap();
    assert_eq!(peer.state, Some(InterfaceState::Up));
    assert_eq!(peer.veth.as_ref().unwrap().peer, "v2");
    let eth0 = p.desired.interface("eth0").unwrap();
    assert_eq!(
        eth0.iface_type,
        Some(InterfaceType::Ethernet),
        "type of an existing interface"
    );
    assert_eq!(
        eth0.state,
        Some(InterfaceState::Up),
        "state defaults to up, as in nmstate"
    );
    assert_eq!(p.parts.len(), 1);
    assert_eq!(p.parts[0].role, KERNEL);
}

#[test]
fn invalid_states_name_the_path() {
    let cases = [
        (
            "interfaces: [{name: v9, type: veth}]",
            "interfaces[0].veth.peer: interface \"v9\" is a new veth, which needs a peer",
        ),
        (
            "interfaces: [{name: x, mtu: 1400}]",
            "interfaces[0].type: interface \"x\" does not exist, so its type is needed to create it",
        ),
        (
            "interfaces: [{name: eth9, type: ethernet}]",
            "interfaces[0].type: interface \"eth9\" does not exist and nipart can't create a ethernet interface",
        ),
        (
            "interfaces: [{name: v1, type: linux-bridge}]",
            "interfaces[0].type: \"v1\" is a veth interface, not linux-bridge; make it absent first to change its type",
        ),
        (
            "interfaces: [{name: v1, veth: {peer: other}}]",
            "interfaces[0].veth.peer: veth \"v1\" has peer \"v1p\"; make it absent first to change its peer to \"other\"",
        ),
        (
            "interfaces: [{name: v2, type: veth, veth: {peer: eth0}}]",
            "interfaces[0].veth.peer: \"eth0\" already exists (a ethernet interface), so it can't be the peer of the new veth \"v2\"",
        ),
        (
            "interfaces: [{name: br1, type: linux-bridge, bridge: {port: [{name: nope}]}}]",
            "interfaces[0].bridge.port[0].name: interface \"nope\" does not exist and is not created by this state",
        ),
        (
            "interfaces: [{name: br1, type: linux-bridge, bridge: {port: [{name: v1}]}}, {name: v1, state: absent}]",
            "interfaces[0].bridge.port[0].name: interface \"v1\" does not exist and is not created by this state",
        ),
        (
            "interfaces: [{name: br1, type: linux-bridge, bridge: {port: [{name: v1}]}}, {name: br2, type: linux-bridge, bridge: {port: [{name: v1}]}}]",
            "interfaces[1].bridge.port[0].name: \"v1\" is already a port of bridge \"br1\" in this state",
        ),
        (
            "interfaces: [{name: v1, controller: eth0}]",
            "interfaces[0].controller: \"eth0\" is not a linux-bridge that exists or is created by this state",
        ),
        (
            "routes: {config: [{destination: 192.0.2.0/24, next-hop-interface: nope}]}",
            "routes.config[0].next-hop-interface: interface \"nope\" does not exist and is not created by this state",
        ),
        (
            "interfaces: [{name: v1, state: absent}]\nroutes: {config: [{destination: 192.0.2.0/24, next-hop-interface: v1}]}",
            "routes.config[0].next-hop-interface: interface \"v1\" is marked absent in this state",
        ),
        (
            "interfaces: [{name: v1, ipv4: {address: [{ip: 192.0.2.1, prefix-length: 40}]}}]",
            "interfaces[0].ipv4.address[0].prefix-length: 40 is out of range 0..=32",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(plan_err(text), want, "for {text}");
    }
}

#[test]
fn bridge_ports_get_their_controller_and_are_brought_up() {
    let p = plan(&yaml("interfaces: [{name: br1, type: linux-bridge, bridge: {port: [{name: eth0}, {name: v3}]}}, {name: v3, type: veth, veth: {peer: v3p}}]"), &current()).unwrap();
    let eth0 = p.desired.interface("eth0").unwrap();
    assert_eq!(eth0.controller.as_deref(), Some("br1"));
    assert_eq!(
        eth0.state,
        Some(InterfaceState::Up),
        "a port that was down is brought up (nmstate does)"
    );
    assert_eq!(
        p.desired.interface("v3").unwrap().controller.as_deref(),
        Some("br1")
    );
}

#[test]
fn ignore_drops_the_interface_and_dhcp_goes_to_its_role() {
    let p = plan(
        &yaml("interfaces: [{name: eth0, state: ignore}, {name: v1, ipv4: {dhcp: true}}]"),
        &current(),
    )
    .unwrap();
    assert!(p.desired.interface("eth0").is_none());
    assert_eq!(p.parts.len(), 2);
    assert_eq!(p.parts[1].role, DHCP);
    assert_eq!(p.parts[1].state.interfaces[0].name, "v1");
}

#[test]
fn revert_plan_restores_the_checkpoint() {
    let before = current();
    let mut after = current();
    after.interfaces.push(
        NetworkState::from_yaml("interfaces: [{name: v5, type: veth, veth: {peer: v5p}}]")
            .unwrap()
            .interfaces
            .remove(0),
    );
    after.interface_mut("v1").unwrap().mtu = Some(9000);
    after
        .routes
        .config
        .as_mut()
        .unwrap()
        .push(nipart_plugin_api::state::Route {
            destination: Some("203.0.113.0/24".into()),
            next_hop_interface: Some("v1".into()),
            metric: Some(5),
            table_id: Some(254),
            ..Default::default()
        });
    after.routes.running = after.routes.config.clone();
    let p = revert_plan(&before, &after);
    assert!(p.desired.interface("v5").unwrap().is_absent());
    assert_eq!(p.desired.interface("v1").unwrap().mtu, Some(1500));
    let diffs: Vec<String> = differences(&p.verify, &after)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        diffs.contains(&"v5: state desired absent, current present".to_string()),
        "{diffs:?}"
    );
    assert!(
        diffs.contains(&"v1: mtu desired 1500, current 9000".to_string()),
        "{diffs:?}"
    );
    assert!(
        diffs.contains(
            &"routes: route 203.0.113.0/24 dev v1 metric 5 desired absent, current present"
                .to_string()
        ),
        "{diffs:?}"
    );
    assert!(
        differences(&p.verify, &before).is_empty(),
        "{:?}",
        differences(&p.verify, &before)
    );
}

#[test]
fn dhcp_on_a_missing_interface_is_named_at_its_dhcp_key() {
    assert_eq!(
        plan_err("interfaces: [{name: v1, mtu: 1400}, {name: ghost0, ipv4: {dhcp: true}}]"),
        "interfaces[1].ipv4.dhcp: interface \"ghost0\" does not exist and is not created by this state, so DHCP can't run on it"
    );
    assert_eq!(
        plan_err("interfaces: [{name: ghost0, type: ethernet, ipv6: {autoconf: true}}]"),
        "interfaces[0].ipv6.autoconf: interface \"ghost0\" does not exist and is not created by this state, so DHCP can't run on it"
    );
}

#[test]
fn dhcp_on_an_interface_created_by_the_same_state_is_planned_for_role_dhcp() {
    let p = plan(
        &yaml("interfaces: [{name: v9, type: veth, veth: {peer: v9p}, ipv4: {dhcp: true}}]"),
        &current(),
    )
    .unwrap();
    let dhcp = p
        .parts
        .iter()
        .find(|part| part.role == DHCP)
        .expect("a dhcp part");
    assert_eq!(dhcp.state.interfaces.len(), 1);
    assert_eq!(dhcp.state.interfaces[0].name, "v9");
}

#[test]
fn shown_lease_information_is_dropped_from_a_desired_state() {
    let p = plan(
        &yaml(
            "interfaces: [{name: v1, ipv4: {dhcp: true, dhcp-lease: {address: 192.0.2.10/24, server-id: 192.0.2.1, lease-time: 120, renewal-time: 60, rebinding-time: 105, acquired: '2026-01-01T00:00:00Z', expires: '2026-01-01T00:02:00Z'}}}]",
        ),
        &current(),
    )
    .unwrap();
    let v1 = p.desired.interface("v1").unwrap();
    assert_eq!(v1.ipv4.as_ref().unwrap().dhcp_lease, None);
    assert_eq!(v1.ipv4.as_ref().unwrap().dhcp, Some(true));
}

#[test]
fn new_macs_and_addresses_must_be_settable_ones() {
    assert_eq!(
        plan_err("interfaces: [{name: eth0, mac-address: '01:00:5e:00:00:01'}]"),
        "interfaces[0].mac-address: 01:00:5E:00:00:01 is a multicast address; an interface needs a unicast one"
    );
    assert_eq!(
        plan_err(
            "interfaces: [{name: v1, mtu: 1500}, {name: eth0, mac-address: '00:00:00:00:00:00'}]"
        ),
        "interfaces[1].mac-address: 00:00:00:00:00:00 is all zeros; an interface needs a unicast address"
    );
    assert_eq!(
        plan_err(
            "interfaces: [{name: v1, ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}, {ip: 0.0.0.0, prefix-length: 0}]}}]"
        ),
        "interfaces[0].ipv4.address[1]: 0.0.0.0/0 is the unspecified address; an interface needs a host address"
    );
    assert_eq!(
        plan_err(
            "interfaces: [{name: v9, type: veth, veth: {peer: v9p}, ipv6: {address: [{ip: '2001:db8::', prefix-length: 64}]}}]"
        ),
        "interfaces[0].ipv6.address[0]: 2001:db8::/64 is a network address (its host bits are all zero); an interface needs a host address"
    );
    assert_eq!(
        plan_err(
            "interfaces: [{name: v1, ipv4: {address: [{ip: 192.0.2.255, prefix-length: 24}]}}]"
        ),
        "interfaces[0].ipv4.address[0]: 192.0.2.255/24 is the broadcast address of its network; an interface needs a host address"
    );
    // What the interface already has goes through: `Show` then `Apply`
    // works (lo's MAC address is all zeros).
    let mut cur = current();
    let lo = cur.interface_mut("lo").unwrap();
    lo.mac_address = Some("00:00:00:00:00:00".into());
    lo.ipv4 = Some(IpConfig {
        address: Some(vec![nipart_plugin_api::state::IpAddress {
            ip: "10.0.0.0".parse().unwrap(),
            prefix_length: 8,
        }]),
        ..IpConfig::default()
    });
    let again = yaml(
        "interfaces: [{name: lo, mac-address: '00:00:00:00:00:00', ipv4: {address: [{ip: 10.0.0.0, prefix-length: 8}]}}]",
    );
    assert!(plan(&again, &cur).is_ok());
}

#[test]
fn interfaces_going_down_or_away_go_to_lldp_before_the_kernel() {
    let p = plan(
        &yaml("interfaces: [{name: v1, state: down, mtu: 1400}, {name: br0, state: absent}, {name: eth0, mtu: 1400, lldp: {enabled: true}}]"),
        &current(),
    )
    .unwrap();
    let roles: Vec<_> = p
        .parts
        .iter()
        .map(|part| (part.role.as_str(), part.optional))
        .collect();
    assert_eq!(roles, [(LLDP, true), (KERNEL, false), (LLDP, false)]);
    let first: Vec<_> = p.parts[0]
        .state
        .interfaces
        .iter()
        .map(|i| (i.name.as_str(), i.state, i.mtu))
        .collect();
    assert_eq!(
        first,
        [
            ("v1", Some(InterfaceState::Down), None),
            ("br0", Some(InterfaceState::Absent), None)
        ]
    );
    let up = plan(&yaml("interfaces: [{name: v1, mtu: 1400}]"), &current()).unwrap();
    assert_eq!(up.parts.len(), 1, "nothing goes down: no lldp part");
}

#[test]
fn revert_plan_restores_the_checkpoints_rules() {
    let rules = |text: &str| {
        NetworkState::from_yaml(&format!("route-rules: {{config: [{text}]}}"))
            .unwrap()
            .route_rules
    };
    let mut before = current();
    before.route_rules = rules(
        "{ip-from: 192.0.2.0/24, priority: 100, route-table: 200}, {family: ipv6, priority: 101, action: prohibit}",
    );
    let mut after = current();
    after.route_rules = rules(
        "{ip-from: 192.0.2.0/24, priority: 100, route-table: 200}, {ip-from: 192.0.2.0/24, priority: 102, route-table: 200}",
    );
    let p = revert_plan(&before, &after);
    let kernel = p.parts.iter().find(|p| p.role == KERNEL).unwrap();
    let config = kernel.state.route_rules.config.as_deref().unwrap();
    let want = config.iter().filter(|r| !r.is_absent());
    assert_eq!(want.count(), 2, "{config:?}");
    // The rule that appeared goes, the one that went comes back, and the
    // one kept is neither removed nor added.
    let current_rules = after.route_rules.config.as_deref().unwrap();
    let gone: Vec<String> = nipart_plugin_api::state::rules_to_remove(config, current_rules)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(gone, ["priority 102 from 192.0.2.0/24 lookup 200"]);
    let added: Vec<String> = nipart_plugin_api::state::rules_missing(config, current_rules)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(added, ["ipv6 priority 101 prohibit"]);
}

#[test]
fn dhcp_settings_alone_go_to_role_dhcp_and_auto_hostname_to_role_dns() {
    let p = plan(
        &yaml("interfaces: [{name: v1, ipv4: {auto-gateway: false, auto-hostname: true}}, {name: eth0, ipv4: {auto-dns: false}}]"),
        &current(),
    )
    .unwrap();
    let roles: Vec<&str> = p.parts.iter().map(|p| p.role.as_str()).collect();
    assert_eq!(roles, [DNS, KERNEL, DHCP]);
    // Required: an apply of settings alone shows nothing to a query.
    assert!(!p.parts[2].optional);
    let dhcp: Vec<&str> = p.parts[2]
        .state
        .interfaces
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(dhcp, ["v1"]);
    let dns = &p.parts[0].state.interfaces;
    let v1 = dns[0].ipv4.as_ref().unwrap();
    assert_eq!((v1.auto_hostname, v1.auto_dns), (Some(true), None));
    assert_eq!(dns[1].ipv4.as_ref().unwrap().auto_dns, Some(false));
}

#[test]
fn revert_plan_gives_ovs_db_and_ovn_back_to_role_ovs() {
    let global = |text: &str| NetworkState::from_yaml(text).unwrap();
    let mut before = current();
    let b = global("ovs-db: {external_ids: {a: '1'}, other_config: {}}\n");
    before.ovs_db = b.ovs_db;
    let mut after = current();
    let a = global(
        "ovs-db: {external_ids: {a: '2', new: x}, other_config: {k: v}}\novn: {bridge-mappings: [{localnet: n, bridge: br0}]}\n",
    );
    after.ovs_db = a.ovs_db;
    after.ovn = a.ovn;
    let p = revert_plan(&before, &after);
    let ovs = p
        .parts
        .iter()
        .find(|p| p.role == OVS)
        .expect("a part for ovs");
    let db = ovs.state.ovs_db.as_deref().expect("ovs-db");
    let have = db.applied_to((
        &[
            ("a".to_string(), "2".to_string()),
            ("new".to_string(), "x".to_string()),
        ]
        .into(),
        &[("k".to_string(), "v".to_string())].into(),
    ));
    assert_eq!(
        have,
        (
            [("a".to_string(), "1".to_string())].into(),
            Default::default()
        )
    );
    let ovn = ovs.state.ovn.as_deref().expect("ovn");
    assert_eq!(ovn.applied_to(after.ovn.as_deref()).to_external_id(), None);

    // A checkpoint taken without OVS leaves them alone; so does one that
    // agrees.
    let p = revert_plan(&current(), &after);
    assert!(p.parts.iter().all(|p| p.role != OVS));
    let p = revert_plan(&after, &after);
    assert!(p.parts.iter().all(|p| p.role != OVS));
}

/// The DHCP clients a query lists (`dhcp: true` with the `auto-*` keys)
/// come back as the checkpoint had them: one that ran then runs again
/// with its keys, one started since is turned off at once, one on an
/// interface created since stops with it; without a client on either side
/// role `dhcp` gets nothing, and its part is optional (a daemon without a
/// dhcp plugin reverts the rest).
#[test]
fn revert_plan_gives_role_dhcp_the_checkpoints_clients() {
    let with = |text: &str| {
        let mut s = current();
        let extra = NetworkState::from_yaml(text).unwrap();
        for i in extra.interfaces {
            match s.interface_mut(&i.name) {
                Some(have) => {
                    have.ipv4 = i.ipv4;
                    have.ipv6 = i.ipv6;
                }
                None => s.interfaces.push(i),
            }
        }
        s
    };
    let before = with(
        "interfaces: [{name: v1, ipv4: {enabled: true, dhcp: true, auto-route-metric: 100, auto-route-table-id: 0, auto-gateway: true, auto-routes: true}}]",
    );
    let after = with(
        "interfaces: [{name: v1, ipv4: {enabled: true, dhcp: true, auto-route-metric: 150, auto-route-table-id: 300, auto-gateway: true, auto-routes: true}}, \
         {name: eth0, ipv6: {enabled: true, dhcp: true}}, \
         {name: v5, type: veth, veth: {peer: v5p}, ipv4: {enabled: true, dhcp: true}}]",
    );
    let p = revert_plan(&before, &after);
    let part = p
        .parts
        .iter()
        .find(|p| p.role == DHCP)
        .expect("a part for role dhcp");
    assert!(part.optional);
    let v1 = part.state.interface("v1").unwrap().ipv4.as_ref().unwrap();
    assert_eq!((v1.dhcp, v1.auto_route_metric), (Some(true), Some(100)));
    assert_eq!(v1.auto_route_table_id, Some(0));
    let eth0 = part.state.interface("eth0").unwrap();
    assert_eq!(eth0.ipv6.as_ref().unwrap().dhcp, Some(false));
    assert!(eth0.ipv4.is_none());
    let v5 = part.state.interface("v5").unwrap();
    assert!(v5.is_absent());
    assert_eq!(v5.ipv4.as_ref().unwrap().dhcp, Some(false));
    assert!(part.state.interface("lo").is_none());
    // The other way round: a client turned off since runs again.
    let p = revert_plan(&after, &before);
    let part = p.parts.iter().find(|p| p.role == DHCP).unwrap();
    let eth0 = part.state.interface("eth0").unwrap();
    assert_eq!(eth0.ipv6.as_ref().unwrap().dhcp, Some(true));
    // No client anywhere: no part.
    assert!(
        revert_plan(&current(), &current())
            .parts
            .iter()
            .all(|p| p.role != DHCP)
    );
}
