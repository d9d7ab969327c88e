//! What verification covers beyond the desired state's own words.

use nipart_plugin_api::state::{NetworkState, differences};
use serde_json::Value;

use super::*;

fn current() -> NetworkState {
    NetworkState::from_yaml(
        r#"
interfaces:
  - {name: lo, type: loopback, state: up}
  - name: eth1
    type: veth
    state: up
    veth: {peer: eth1-ep}
    ipv4: {enabled: true, address: [{ip: 192.0.2.10, prefix-length: 24}]}
    ipv6: {enabled: true, address: [{ip: "2001:db8::10", prefix-length: 64}]}
  - {name: eth1-ep, type: veth, state: up, veth: {peer: eth1}}
  - name: eth2
    type: veth
    state: up
    veth: {peer: eth2-ep}
    ipv4: {enabled: true, address: [{ip: 198.51.100.1, prefix-length: 24}]}
  - {name: eth2-ep, type: veth, state: up, veth: {peer: eth2}}
routes:
  config:
    - {destination: 0.0.0.0/0, next-hop-address: 192.0.2.1, next-hop-interface: eth1, table-id: 254}
    - {destination: 203.0.113.0/24, next-hop-address: 192.0.2.1, next-hop-interface: eth1, table-id: 100}
    - {destination: 0.0.0.0/0, next-hop-address: 198.51.100.254, next-hop-interface: eth2, table-id: 254}
  running:
    - {destination: 0.0.0.0/0, next-hop-address: 192.0.2.1, next-hop-interface: eth1, table-id: 254}
    - {destination: 203.0.113.0/24, next-hop-address: 192.0.2.1, next-hop-interface: eth1, table-id: 100}
    - {destination: 0.0.0.0/0, next-hop-address: 198.51.100.254, next-hop-interface: eth2, table-id: 254}
"#,
    )
    .unwrap()
}

fn plan_of(text: &str) -> Plan {
    let v: Value = serde_norway::from_str(text).unwrap();
    plan(&v, &current()).unwrap()
}

fn routes(p: &Plan) -> Vec<String> {
    let mut v: Vec<String> = p
        .verify
        .routes
        .config
        .iter()
        .flatten()
        .map(ToString::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn the_routes_and_addresses_of_a_named_interface_are_verified() {
    // Only the IPv4 list is named: the routes through eth1 and its IPv6
    // addresses must still be there afterwards; eth2 is not touched.
    let p = plan_of(
        "interfaces: [{name: eth1, ipv4: {address: [{ip: 192.0.2.20, prefix-length: 24}]}}]",
    );
    assert_eq!(
        routes(&p),
        [
            "0.0.0.0/0 via 192.0.2.1 dev eth1",
            "203.0.113.0/24 via 192.0.2.1 dev eth1 table 100"
        ]
    );
    let eth1 = p.verify.interface("eth1").unwrap();
    assert_eq!(
        eth1.ipv6.as_ref().unwrap().address.as_ref().unwrap()[0].to_string(),
        "2001:db8::10/64"
    );
    assert_eq!(
        eth1.ipv4.as_ref().unwrap().address.as_ref().unwrap()[0].to_string(),
        "192.0.2.20/24"
    );
    // What is applied is the document, not the extra checks.
    assert!(p.desired.routes.config.is_none());
    // A current state that lost the default route fails verification.
    let mut lost = current();
    lost.routes.running.as_mut().unwrap().remove(0);
    let d = differences(&p.verify, &lost);
    assert!(
        d.iter()
            .any(|d| d.property == "route 0.0.0.0/0 via 192.0.2.1 dev eth1"),
        "{d:?}"
    );
}

#[test]
fn routes_removed_on_purpose_and_interfaces_going_down_are_not_verified_present() {
    let p = plan_of(
        "
interfaces: [{name: eth1, mtu: 1400}, {name: eth2, state: down}]
routes:
  config: [{next-hop-address: 192.0.2.1, state: absent}]
",
    );
    assert_eq!(
        routes(&p),
        [
            "* via 192.0.2.1",
            "203.0.113.0/24 via 192.0.2.1 dev eth1 table 100"
        ]
    );
    assert!(p.verify.interface("eth2").unwrap().ipv4.is_none());
}

#[test]
fn a_word_on_dhcp_leaves_the_addresses_to_the_dhcp_client() {
    for ip in ["{dhcp: false}", "{dhcp: true}", "{enabled: false}"] {
        let p = plan_of(&format!("interfaces: [{{name: eth1, ipv4: {ip}}}]"));
        let v4 = p.verify.interface("eth1").unwrap().ipv4.as_ref().unwrap();
        assert!(
            v4.address.is_none() || v4.address.as_ref().is_some_and(|a| a.is_empty()),
            "{ip}: {v4:?}"
        );
    }
}
