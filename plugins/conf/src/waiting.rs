//! Saved interfaces whose link nipart can't create (an `ethernet`, a veth
//! saved without its peer, one of no type): which they are, the part of the
//! saved state that can be applied without the missing ones, and the part
//! that belongs to one of them (applied when its link appears).
//!
//! Invariant: the boot part and the parts of the missing interfaces cover
//! the saved state. A route whose `next-hop-interface` is missing goes with
//! that interface; a missing port of a saved bridge is left out of the
//! bridge's port list until it appears, and then the bridge's entry goes
//! with its part (so that it is attached).

use std::collections::BTreeSet;

use nipart_plugin_api::state::{Interface, InterfaceState, InterfaceType, NetworkState, Routes};

/// The saved interfaces nipart can't create, by name: their link must
/// appear by itself (a driver, a hot-plug, another tool).
pub fn watched(state: &NetworkState) -> Vec<String> {
    state
        .interfaces
        .iter()
        .filter(|i| {
            !matches!(
                i.state,
                Some(InterfaceState::Absent | InterfaceState::Ignore)
            )
        })
        .filter(|i| !creatable(i))
        .map(|i| i.name.clone())
        .collect()
}

/// Whether the kernel plugin creates `iface` when its link is missing.
fn creatable(iface: &Interface) -> bool {
    match iface.iface_type {
        Some(InterfaceType::Veth) => iface.veth.is_some(),
        Some(t) => t.can_create(),
        None => false,
    }
}

/// What can be applied while the interfaces in `missing` are not there:
/// `state` without them, without the routes through them, and without
/// them in the port lists of bridges.
pub fn without(state: &NetworkState, missing: &BTreeSet<String>) -> NetworkState {
    let interfaces = state
        .interfaces
        .iter()
        .filter(|i| !missing.contains(&i.name))
        .map(|i| without_ports(i, missing))
        .collect();
    NetworkState {
        interfaces,
        routes: routes_where(&state.routes, |via| {
            via.is_none_or(|name| !missing.contains(name))
        }),
        // The kernel takes rules naming interfaces it does not have.
        route_rules: state.route_rules.clone(),
    }
}

/// The part of `state` that belongs to `name`: its entry, the routes
/// through it, and the saved bridges that list it as a port (without the
/// ports still in `missing`). `None` if `state` no longer has `name`, or
/// has it as `absent` or `ignore`.
pub fn part(state: &NetworkState, name: &str, missing: &BTreeSet<String>) -> Option<NetworkState> {
    let own = state.interface(name)?;
    if matches!(
        own.state,
        Some(InterfaceState::Absent | InterfaceState::Ignore)
    ) {
        return None;
    }
    let mut interfaces = vec![own.clone()];
    interfaces.extend(
        state
            .interfaces
            .iter()
            .filter(|i| i.name != name && lists_port(i, name))
            .map(|i| without_ports(i, missing)),
    );
    Some(NetworkState {
        interfaces,
        routes: routes_where(&state.routes, |via| via == Some(name)),
        ..NetworkState::default()
    })
}

fn lists_port(iface: &Interface, port: &str) -> bool {
    iface
        .bridge
        .as_ref()
        .and_then(|b| b.port.as_ref())
        .is_some_and(|ports| ports.iter().any(|p| p.name == port))
}

fn without_ports(iface: &Interface, missing: &BTreeSet<String>) -> Interface {
    let mut iface = iface.clone();
    if let Some(ports) = iface.bridge.as_mut().and_then(|b| b.port.as_mut()) {
        ports.retain(|p| !missing.contains(&p.name));
    }
    iface
}

/// The saved routes whose next-hop interface `keep` accepts (`None`: the
/// route names none); no `config` at all when none is kept.
fn routes_where(routes: &Routes, keep: impl Fn(Option<&str>) -> bool) -> Routes {
    let kept: Vec<_> = routes
        .config
        .iter()
        .flatten()
        .filter(|r| keep(r.next_hop_interface.as_deref()))
        .cloned()
        .collect();
    Routes {
        config: (!kept.is_empty()).then_some(kept),
        running: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(yaml: &str) -> NetworkState {
        NetworkState::from_yaml(yaml).unwrap()
    }

    const SAVED: &str = "interfaces:
  - name: eth9
    type: ethernet
    mtu: 1400
  - name: late0
    type: veth
    ipv4: {enabled: true, address: [{ip: 192.0.2.2, prefix-length: 24}]}
  - name: v0
    type: veth
    veth: {peer: v0-ep}
  - name: br0
    type: linux-bridge
    bridge: {port: [{name: v0}, {name: eth9}]}
  - name: gone
    type: ethernet
    state: absent
routes:
  config:
  - {destination: 198.51.100.0/24, next-hop-address: 192.0.2.1, next-hop-interface: late0}
  - {destination: 203.0.113.0/24, next-hop-address: 192.0.2.1, next-hop-interface: v0}
";

    #[test]
    fn interfaces_nipart_cannot_create_are_watched() {
        assert_eq!(watched(&state(SAVED)), ["eth9", "late0"]);
    }

    #[test]
    fn the_boot_part_leaves_out_the_missing_interfaces_their_routes_and_ports() {
        let missing: BTreeSet<String> = ["eth9".into(), "late0".into()].into();
        let boot = without(&state(SAVED), &missing);
        let names: Vec<_> = boot.interfaces.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["v0", "br0", "gone"]);
        let ports = boot.interface("br0").unwrap().bridge.as_ref().unwrap();
        let ports: Vec<_> = ports
            .port
            .as_ref()
            .unwrap()
            .iter()
            .map(|p| &p.name)
            .collect();
        assert_eq!(ports, ["v0"]);
        let routes = boot.routes.config.unwrap();
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].next_hop_interface.as_deref(), Some("v0"));
    }

    #[test]
    fn a_part_has_the_interface_its_routes_and_the_bridges_it_is_a_port_of() {
        let missing: BTreeSet<String> = ["eth9".into(), "late0".into()].into();
        let s = state(SAVED);
        let late = part(&s, "late0", &missing).unwrap();
        assert_eq!(late.interfaces.len(), 1);
        assert_eq!(late.routes.config.unwrap().len(), 1);
        let eth = part(&s, "eth9", &BTreeSet::new()).unwrap();
        let names: Vec<_> = eth.interfaces.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["eth9", "br0"]);
        assert!(eth.routes.config.is_none());
        assert!(part(&s, "gone", &missing).is_none());
        assert!(part(&s, "nosuch", &missing).is_none());
    }
}
