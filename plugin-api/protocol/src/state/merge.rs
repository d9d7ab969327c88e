//! Merging a desired state into the saved one (what the `conf` plugin
//! writes after each apply, and what the commander compares the running
//! state with in `Status`): interfaces field by field by name, routes by
//! value; `absent` removes. The top-level `ovs-db` and `ovn` merge as
//! their types say (`OvsDbGlobal::merge_into`, `Ovn::merge_into`).

use super::diff::Selected;
use super::{BridgeConfig, Interface, IpConfig, NetworkState};

/// Merges a sanitized desired state into a saved one: what `desired`
/// gives replaces what `saved` has, field by field; an `absent` interface
/// is removed (a veth with its peer), an `absent` route removes the saved
/// routes it selects.
pub fn merge(saved: &mut NetworkState, desired: &NetworkState) {
    for iface in &desired.interfaces {
        if iface.is_absent() {
            let peer = saved
                .interface(&iface.name)
                .and_then(|i| i.veth.as_ref())
                .map(|v| v.peer.clone());
            saved.interfaces.retain(|i| {
                i.name != iface.name
                    && Some(&i.name) != peer.as_ref()
                    && i.veth.as_ref().is_none_or(|v| v.peer != iface.name)
            });
            continue;
        }
        match saved.interface_mut(&iface.name) {
            Some(s) => merge_interface(s, iface),
            None => saved.interfaces.push(iface.clone()),
        }
    }
    if let Some(routes) = &desired.routes.config {
        merge_selected(&mut saved.routes.config, routes);
    }
    saved.routes.running = None;
    if let Some(d) = &desired.dns_resolver {
        super::dns::merge_dns(&mut saved.dns_resolver, d);
    }
    if let Some(h) = &desired.hostname {
        super::hostname::merge_hostname(&mut saved.hostname, h);
    }
    super::route_rule::merge_rules(&mut saved.route_rules, &desired.route_rules);
    if let Some(d) = &desired.ovs_db {
        super::OvsDbGlobal::merge_into(&mut saved.ovs_db, d);
    }
    if let Some(o) = &desired.ovn {
        super::Ovn::merge_into(&mut saved.ovn, o);
    }
    saved.sort();
}

/// Merges desired entries into a saved list: an absent entry removes the
/// saved entries it selects, others are added unless already there; an
/// empty list is none.
pub(super) fn merge_selected<T: Selected + Clone + PartialEq>(
    saved: &mut Option<Vec<T>>,
    desired: &[T],
) {
    let config = saved.get_or_insert_with(Vec::new);
    for r in desired {
        if r.is_absent() {
            config.retain(|c| !r.selects(c));
        } else if !config.contains(r) {
            config.push(r.clone());
        }
    }
    if config.is_empty() {
        *saved = None;
    }
}

fn set<T: Clone>(to: &mut Option<T>, from: &Option<T>) {
    if from.is_some() {
        to.clone_from(from);
    }
}

fn merge_interface(to: &mut Interface, from: &Interface) {
    set(&mut to.iface_type, &from.iface_type);
    set(&mut to.state, &from.state);
    set(&mut to.mtu, &from.mtu);
    set(&mut to.mac_address, &from.mac_address);
    set(&mut to.controller, &from.controller);
    set(&mut to.veth, &from.veth);
    set(&mut to.ovs_bridge, &from.ovs_bridge);
    set(&mut to.patch, &from.patch);
    set(&mut to.ovs_db, &from.ovs_db);
    for (to, from) in [(&mut to.ipv4, &from.ipv4), (&mut to.ipv6, &from.ipv6)] {
        if let Some(f) = from {
            merge_ip(to.get_or_insert_with(IpConfig::default), f);
        }
    }
    if let Some(f) = &from.bridge {
        merge_bridge(to.bridge.get_or_insert_with(BridgeConfig::default), f);
    }
}

fn merge_ip(to: &mut IpConfig, from: &IpConfig) {
    set(&mut to.enabled, &from.enabled);
    set(&mut to.dhcp, &from.dhcp);
    set(&mut to.autoconf, &from.autoconf);
    set(&mut to.auto_dns, &from.auto_dns);
    set(&mut to.auto_hostname, &from.auto_hostname);
    set(&mut to.addr_gen_mode, &from.addr_gen_mode);
    set(&mut to.token, &from.token);
    set(&mut to.auto_gateway, &from.auto_gateway);
    set(&mut to.auto_routes, &from.auto_routes);
    set(&mut to.auto_route_metric, &from.auto_route_metric);
    set(&mut to.auto_route_table_id, &from.auto_route_table_id);
    set(&mut to.address, &from.address);
}

fn merge_bridge(to: &mut BridgeConfig, from: &BridgeConfig) {
    set(&mut to.options, &from.options);
    set(&mut to.port, &from.port);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Route;

    fn route(yaml: &str) -> Route {
        st(&format!("routes: {{config: [{yaml}]}}"))
            .routes
            .config
            .unwrap()
            .remove(0)
    }

    fn st(yaml: &str) -> NetworkState {
        NetworkState::from_yaml(yaml).unwrap()
    }

    #[test]
    fn merges_interfaces_field_by_field_and_removes_absent_ones() {
        let mut saved = st("
interfaces:
  - {name: v0, type: veth, state: up, mtu: 1400, veth: {peer: v0-ep},
     ipv4: {enabled: true, address: [{ip: 192.0.2.1, prefix-length: 24}]}}
  - {name: v0-ep, type: veth, state: up, veth: {peer: v0}}
  - {name: br0, type: linux-bridge, state: up}
");
        merge(
            &mut saved,
            &st(
                "interfaces: [{name: v0, mtu: 1500}, {name: br0, state: absent}, {name: v9, type: veth, veth: {peer: v9-ep}}]",
            ),
        );
        assert_eq!(
            saved,
            st("
interfaces:
  - {name: v0, type: veth, state: up, mtu: 1500, veth: {peer: v0-ep},
     ipv4: {enabled: true, address: [{ip: 192.0.2.1, prefix-length: 24}]}}
  - {name: v0-ep, type: veth, state: up, veth: {peer: v0}}
  - {name: v9, type: veth, veth: {peer: v9-ep}}
")
        );
        // Removing a veth removes its peer too: alone, the peer would
        // recreate the pair at boot.
        merge(
            &mut saved,
            &st("interfaces: [{name: v0-ep, state: absent}]"),
        );
        assert_eq!(
            saved,
            st("interfaces: [{name: v9, type: veth, veth: {peer: v9-ep}}]")
        );
    }

    #[test]
    fn merges_routes_by_value() {
        let mut saved = st("
routes:
  config:
    - {destination: 198.51.100.0/24, next-hop-interface: v0}
    - {destination: 203.0.113.0/24, next-hop-interface: v0}
");
        merge(
            &mut saved,
            &st("
routes:
  config:
    - {destination: 198.51.100.0/24, state: absent}
    - {destination: 203.0.113.0/24, next-hop-interface: v0}
    - {destination: 2001:db8::/64, next-hop-interface: v0}
"),
        );
        assert_eq!(
            saved.routes.config.clone().unwrap(),
            vec![
                route("{destination: 2001:db8::/64, next-hop-interface: v0}"),
                route("{destination: 203.0.113.0/24, next-hop-interface: v0}"),
            ]
        );
        merge(
            &mut saved,
            &st("routes: {config: [{state: absent, next-hop-interface: v0}]}"),
        );
        assert_eq!(saved.routes.config, None);
    }
}
