//! The parts of roles `dns` and `hostname`: first in the plan, completed
//! against the current state, in the revert only when they differ.

use nipart_plugin_api::state::{NetworkState, differences};
use serde_json::Value;

use super::*;

fn current() -> NetworkState {
    NetworkState::from_yaml(
        r#"
interfaces:
  - {name: v1, type: veth, state: up, mtu: 1500, veth: {peer: v1p}}
  - {name: v1p, type: veth, state: up, mtu: 1500, veth: {peer: v1}}
dns-resolver:
  config: {server: [198.51.100.1], search: [old.example], options: [rotate]}
hostname: {running: vm}
"#,
    )
    .unwrap()
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

#[test]
fn resolver_and_hostname_parts_go_first_and_say_all_they_set() {
    let p = plan(
        &yaml("dns-resolver: {config: {server: [192.0.2.53]}}\nhostname: {config: h1}\ninterfaces: [{name: v1, mtu: 9000}]"),
        &current(),
    )
    .unwrap();
    let roles: Vec<&str> = p.parts.iter().map(|p| p.role.as_str()).collect();
    assert_eq!(roles, [DNS, HOSTNAME, KERNEL]);
    let c = p.parts[0]
        .state
        .dns_resolver
        .as_ref()
        .unwrap()
        .config
        .clone()
        .unwrap();
    assert_eq!(c.server.unwrap(), ["192.0.2.53"]);
    assert_eq!(
        c.search.unwrap(),
        ["old.example"],
        "kept from the current state"
    );
    let h = p.parts[1].state.hostname.as_ref().unwrap();
    assert_eq!(
        h.running.as_deref(),
        Some("h1"),
        "config alone sets running"
    );
    assert!(p.parts[2].state.dns_resolver.is_none() && p.parts[2].state.hostname.is_none());
    // Verification sees the resolver not yet as desired.
    let d = differences(&p.verify, &current());
    assert!(d.iter().any(|d| d.item == "dns-resolver"), "{d:?}");

    let cleared = plan(&yaml("dns-resolver: {config: {}}"), &current()).unwrap();
    let c = cleared.parts[0]
        .state
        .dns_resolver
        .as_ref()
        .unwrap()
        .config
        .clone()
        .unwrap();
    assert_eq!(c.completed(None), c);
    assert!(c.server.unwrap().is_empty() && c.search.unwrap().is_empty());
}

#[test]
fn auto_dns_goes_to_role_dns() {
    let p = plan(
        &yaml("interfaces: [{name: v1, ipv4: {dhcp: true, auto-dns: false}}]"),
        &current(),
    )
    .unwrap();
    let dns = p.parts.iter().find(|p| p.role == DNS).expect("a dns part");
    assert_eq!(dns.state.interfaces[0].name, "v1");
    assert_eq!(
        dns.state.interfaces[0].ipv4.as_ref().unwrap().auto_dns,
        Some(false)
    );
    assert!(dns.state.dns_resolver.is_none());
}

#[test]
fn the_revert_writes_the_checkpoints_resolver_only_when_it_differs() {
    let checkpoint = current();
    let same = revert_plan(&checkpoint, &current());
    assert!(
        same.parts
            .iter()
            .all(|p| p.role != DNS && p.role != HOSTNAME)
    );
    let mut changed = current();
    changed
        .dns_resolver
        .as_mut()
        .unwrap()
        .config
        .as_mut()
        .unwrap()
        .server = Some(vec!["192.0.2.53".into()]);
    changed.hostname.as_mut().unwrap().running = Some("h1".into());
    let back = revert_plan(&checkpoint, &changed);
    let dns = back
        .parts
        .iter()
        .find(|p| p.role == DNS)
        .expect("a dns part");
    let c = dns
        .state
        .dns_resolver
        .as_ref()
        .unwrap()
        .config
        .clone()
        .unwrap();
    assert_eq!(c.server.unwrap(), ["198.51.100.1"]);
    let h = back
        .parts
        .iter()
        .find(|p| p.role == HOSTNAME)
        .expect("a hostname part");
    assert_eq!(
        h.state.hostname.as_ref().unwrap().running.as_deref(),
        Some("vm")
    );
    assert_eq!(
        h.state.hostname.as_ref().unwrap().config.as_deref(),
        Some("")
    );
}

/// `auto-dns` and `auto-hostname` (which a query shows where they are not
/// the defaults) come back as the checkpoint had them: those set since go
/// back to the defaults, those the checkpoint had are given again.
#[test]
fn the_revert_gives_role_dns_the_checkpoints_auto_keys() {
    let mut checkpoint = current();
    checkpoint.interface_mut("v1").unwrap().ipv6 = Some(IpConfig {
        auto_dns: Some(false),
        ..IpConfig::default()
    });
    let mut now = current();
    now.interface_mut("v1").unwrap().ipv4 = Some(IpConfig {
        auto_dns: Some(false),
        auto_hostname: Some(true),
        ..IpConfig::default()
    });
    let back = revert_plan(&checkpoint, &now);
    let dns = back
        .parts
        .iter()
        .find(|p| p.role == DNS)
        .expect("a dns part");
    // The interfaces' keys alone: optional (no dns plugin, none to revert).
    assert!(dns.optional);
    let v1 = dns.state.interface("v1").unwrap();
    let v4 = v1.ipv4.as_ref().unwrap();
    assert_eq!((v4.auto_dns, v4.auto_hostname), (Some(true), Some(false)));
    assert_eq!(v1.ipv6.as_ref().unwrap().auto_dns, Some(false));
    // Nothing set on either side: no interface for role dns.
    let same = revert_plan(&current(), &current());
    assert!(
        same.parts
            .iter()
            .filter(|p| p.role == DNS)
            .all(|p| p.state.interfaces.is_empty())
    );
}
