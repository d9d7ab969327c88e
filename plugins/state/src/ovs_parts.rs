//! How a sanitized state is shared between role `kernel` and role `ovs`
//! (the Open vSwitch plugin): OVS bridges and interfaces go to `ovs`; a
//! system interface that joins or leaves an OVS bridge goes to both (the
//! kernel sees it without that `controller`, which is no kernel
//! controller, and `ovs` makes it a port or removes its port); the
//! addresses (and other kernel properties) of an OVS internal interface
//! go to the kernel in a second part, after `ovs` has created it. Static
//! routes go with that second part when there is one, since they may
//! pass through such an interface. The top-level `ovs-db` and `ovn` go to
//! `ovs` alone.

use std::collections::HashSet;

use nipart_plugin_api::state::{Interface, InterfaceType, NetworkState, RouteRules, Routes};

/// The parts of one state, in the order they are applied.
pub struct Split {
    /// What the kernel applies first (everything but OVS's own types).
    pub kernel: NetworkState,
    /// What role `ovs` applies, if anything.
    pub ovs: Option<NetworkState>,
    /// What the kernel applies once OVS has made its interfaces.
    pub kernel_after: Option<NetworkState>,
}

/// Splits `sane` (checked against `current`).
pub fn split(sane: &NetworkState, current: &NetworkState) -> Split {
    let bridges: HashSet<&str> = sane
        .interfaces
        .iter()
        .filter(|i| i.iface_type == Some(InterfaceType::OvsBridge) && !i.is_absent())
        .chain(
            current
                .interfaces
                .iter()
                .filter(|i| i.iface_type == Some(InterfaceType::OvsBridge)),
        )
        .map(|i| i.name.as_str())
        .collect();
    let is_bridge = |c: Option<&str>| c.is_some_and(|c| bridges.contains(c));
    let mut kernel = Vec::new();
    let mut ovs = Vec::new();
    let mut after = Vec::new();
    for i in &sane.interfaces {
        let cur = current.interface(&i.name);
        // An absent interface keeps only its name: its type is the
        // current one's.
        let t = i.iface_type.or_else(|| cur.and_then(|c| c.iface_type));
        if t.is_some_and(InterfaceType::is_ovs) {
            ovs.push(i.clone());
            if t == Some(InterfaceType::OvsInterface) && !i.is_absent() && i.patch.is_none() {
                after.push(Interface {
                    iface_type: Some(InterfaceType::Unknown),
                    controller: None,
                    mtu: None,
                    patch: None,
                    ovs_db: None,
                    ovs_bridge: None,
                    ..i.clone()
                });
            }
            continue;
        }
        let joins = !i.is_absent() && is_bridge(i.controller.as_deref());
        let was_port = is_bridge(cur.and_then(|c| c.controller.as_deref()));
        let leaves = was_port && (i.is_absent() || (i.controller.is_some() && !joins));
        if joins || leaves || i.ovs_db.is_some() {
            ovs.push(Interface {
                name: i.name.clone(),
                state: i.state,
                controller: i.controller.clone(),
                ovs_db: i.ovs_db.clone(),
                ..Interface::default()
            });
        }
        let mut k = i.clone();
        k.ovs_db = None;
        if joins || (leaves && k.controller.as_deref() == Some("")) {
            // Not a kernel controller; what the kernel knows of the port
            // is left as OVS makes it.
            k.controller = None;
        }
        kernel.push(k);
    }
    let routes_later = !after.is_empty();
    let state = |interfaces: Vec<Interface>, routes: bool| NetworkState {
        interfaces,
        routes: if routes {
            sane.routes.clone()
        } else {
            Routes::default()
        },
        // Rules go with the routes they lead to.
        route_rules: if routes {
            sane.route_rules.clone()
        } else {
            RouteRules::default()
        },
        ..NetworkState::default()
    };
    // The `Open_vSwitch` row's columns and OVN's mappings are OVS's alone.
    let global = sane.ovs_db.is_some() || sane.ovn.is_some();
    Split {
        kernel: state(kernel, !routes_later),
        ovs: (!ovs.is_empty() || global).then(|| NetworkState {
            ovs_db: sane.ovs_db.clone(),
            ovn: sane.ovn.clone(),
            ..state(ovs, false)
        }),
        kernel_after: routes_later.then(|| state(after, true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(yaml: &str) -> NetworkState {
        NetworkState::from_yaml(yaml).unwrap()
    }

    #[test]
    fn ovs_types_go_to_ovs_and_internal_addresses_to_a_second_kernel_part() {
        let sane = st(r#"
interfaces:
  - {name: v0, type: veth, state: up, controller: br0, veth: {peer: v0-ep}}
  - name: ovs0
    type: ovs-interface
    state: up
    controller: br0
    mtu: 1400
    ipv4: {enabled: true, address: [{ip: 192.0.2.1, prefix-length: 24}]}
  - {name: br0, type: ovs-bridge, state: up, bridge: {port: [{name: v0}, {name: ovs0}]}}
routes:
  config: [{destination: 198.51.100.0/24, next-hop-interface: ovs0}]
"#);
        let split = split(&sane, &NetworkState::default());
        let names = |s: &NetworkState| {
            s.interfaces
                .iter()
                .map(|i| i.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&split.kernel), ["v0"]);
        assert_eq!(
            split.kernel.interfaces[0].controller, None,
            "no kernel controller"
        );
        assert!(split.kernel.routes.is_empty(), "routes wait for ovs0");
        let ovs = split.ovs.expect("an ovs part");
        assert_eq!(names(&ovs), ["v0", "ovs0", "br0"]);
        assert_eq!(ovs.interfaces[0].controller.as_deref(), Some("br0"));
        let after = split.kernel_after.expect("a second kernel part");
        assert_eq!(names(&after), ["ovs0"]);
        assert_eq!(after.interfaces[0].iface_type, Some(InterfaceType::Unknown));
        assert_eq!(
            after.interfaces[0].mtu, None,
            "the MTU is OVS's mtu_request"
        );
        assert!(after.interfaces[0].ipv4.is_some());
        assert!(after.routes.config.is_some());
    }

    #[test]
    fn a_port_leaving_or_going_is_told_to_ovs_and_a_plain_state_is_the_kernels() {
        let current = st(r#"
interfaces:
  - {name: v0, type: veth, controller: br0}
  - {name: v1, type: veth, controller: br0}
  - {name: br0, type: ovs-bridge, state: up}
"#);
        let sane = st(r#"
interfaces:
  - {name: v0, type: veth, state: up, controller: ""}
  - {name: v1, state: absent}
"#);
        let split = split(&sane, &current);
        let ovs = split.ovs.expect("an ovs part");
        assert_eq!(ovs.interfaces.len(), 2);
        assert_eq!(split.kernel.interfaces[0].controller, None);
        assert!(split.kernel_after.is_none());

        let plain = st("interfaces:\n  - {name: v2, type: veth, state: up, veth: {peer: v3}}\n");
        let split = super::split(&plain, &current);
        assert!(split.ovs.is_none() && split.kernel_after.is_none());
        assert_eq!(split.kernel, plain);
    }

    #[test]
    fn the_top_level_ovs_db_and_ovn_go_to_ovs_alone() {
        let sane = st(
            "ovs-db: {external_ids: {a: b}}\novn: {bridge-mappings: [{localnet: n, bridge: br0}]}\n",
        );
        let split = split(&sane, &NetworkState::default());
        let ovs = split.ovs.expect("an ovs part");
        assert_eq!(ovs.ovs_db, sane.ovs_db);
        assert_eq!(ovs.ovn, sane.ovn);
        assert!(split.kernel.ovs_db.is_none() && split.kernel.ovn.is_none());
    }
}
