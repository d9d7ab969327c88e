//! Saved interfaces whose link nipart can't create (an `ethernet`, a veth
//! saved without its peer, one of no type): which they are, the part of the
//! saved state that can be applied without the missing ones, and the part
//! that belongs to one of them (applied when its link appears).
//!
//! Invariant: the boot part and the parts of the missing interfaces cover
//! the saved state. An interface stacked on a missing one (a VLAN,
//! MAC-VLAN, MAC-VTAP or VXLAN whose `base-iface` is missing, or stacked on
//! such an interface) waits with it: it goes with the missing interface's
//! part ([`stacked`]). A route whose `next-hop-interface` is missing or
//! waits goes with that interface; a missing or waiting port of a saved
//! bridge is left out of the bridge's port list until it appears, and then
//! the bridge's entry goes with its part (so that it is attached).

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

/// The saved interfaces (not `absent`) stacked on one in `bases`, directly
/// or through others (a VLAN on a VLAN on it): they can't be created
/// before it. Not those in `bases` themselves.
pub fn stacked(state: &NetworkState, bases: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    // Each round adds at least one, or ends: at most one per interface.
    loop {
        let more: Vec<String> = state
            .interfaces
            .iter()
            .filter(|i| !i.is_absent() && !bases.contains(&i.name) && !found.contains(&i.name))
            .filter(|i| {
                i.base_iface()
                    .is_some_and(|b| bases.contains(b) || found.contains(b))
            })
            .map(|i| i.name.clone())
            .collect();
        if more.is_empty() {
            return found;
        }
        found.extend(more);
    }
}

/// `missing` and what is [`stacked`] on it: what waits.
fn waiting_with(state: &NetworkState, missing: &BTreeSet<String>) -> BTreeSet<String> {
    let mut all = stacked(state, missing);
    all.extend(missing.iter().cloned());
    all
}

/// What can be applied while the interfaces in `missing` are not there:
/// `state` without them and what is [`stacked`] on them, without the
/// routes through those, and without those in the port lists of bridges.
pub fn without(state: &NetworkState, missing: &BTreeSet<String>) -> NetworkState {
    let missing = &waiting_with(state, missing);
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
        dns_resolver: state.dns_resolver.clone(),
        hostname: state.hostname.clone(),
        // The kernel takes rules naming interfaces it does not have.
        route_rules: state.route_rules.clone(),
        ovs_db: state.ovs_db.clone(),
        ovn: state.ovn.clone(),
    }
}

/// The part of `state` that belongs to `name`: its entry and those of the
/// interfaces [`stacked`] on it, the routes through these, and the saved
/// bridges that list one of them as a port (without the ports still
/// waiting for one in `missing`). `None` if `state` no longer has `name`,
/// or has it as `absent` or `ignore`.
pub fn part(state: &NetworkState, name: &str, missing: &BTreeSet<String>) -> Option<NetworkState> {
    let own = state.interface(name)?;
    if matches!(
        own.state,
        Some(InterfaceState::Absent | InterfaceState::Ignore)
    ) {
        return None;
    }
    let mut mine = stacked(state, &BTreeSet::from([name.to_string()]));
    mine.insert(name.to_string());
    let still = waiting_with(state, missing);
    let mut interfaces = vec![own.clone()];
    interfaces.extend(
        state
            .interfaces
            .iter()
            .filter(|i| i.name != name && mine.contains(&i.name))
            .cloned(),
    );
    interfaces.extend(
        state
            .interfaces
            .iter()
            .filter(|i| !mine.contains(&i.name) && lists_port(i, &mine))
            .map(|i| without_ports(i, &still)),
    );
    Some(NetworkState {
        interfaces,
        routes: routes_where(&state.routes, |via| via.is_some_and(|v| mine.contains(v))),
        ..NetworkState::default()
    })
}

fn lists_port(iface: &Interface, ports: &BTreeSet<String>) -> bool {
    iface
        .bridge
        .as_ref()
        .and_then(|b| b.port.as_ref())
        .is_some_and(|list| list.iter().any(|p| ports.contains(&p.name)))
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

    const STACKED: &str = "interfaces:
  - name: late0
    type: veth
  - {name: mv0, type: mac-vlan, mac-vlan: {base-iface: late0, mode: bridge}}
  - {name: late0.10, type: vlan, vlan: {base-iface: late0, id: 10}}
  - {name: late0.10.20, type: vlan, vlan: {base-iface: late0.10, id: 20}}
  - {name: gone.5, type: vlan, state: absent}
  - {name: d0, type: dummy}
  - {name: d0.7, type: vlan, vlan: {base-iface: d0, id: 7}}
  - name: br0
    type: linux-bridge
    bridge: {port: [{name: d0}, {name: mv0}]}
routes:
  config:
  - {destination: 198.51.100.0/24, next-hop-address: 192.0.2.1, next-hop-interface: late0.10.20}
";

    #[test]
    fn interfaces_stacked_on_a_missing_one_wait_with_it() {
        let s = state(STACKED);
        let missing: BTreeSet<String> = ["late0".into()].into();
        let names = |st: &NetworkState| -> Vec<String> {
            st.interfaces.iter().map(|i| i.name.clone()).collect()
        };
        assert_eq!(
            stacked(&s, &missing).into_iter().collect::<Vec<_>>(),
            ["late0.10", "late0.10.20", "mv0"]
        );
        let boot = without(&s, &missing);
        assert_eq!(names(&boot), ["gone.5", "d0", "d0.7", "br0"]);
        assert!(boot.routes.config.is_none());
        let br = boot.interface("br0").unwrap().bridge.as_ref().unwrap();
        assert_eq!(br.port.as_ref().unwrap().len(), 1, "mv0 waits");

        // Its link appears: its part has what stands on it, their route,
        // and the bridge with the port that no longer waits.
        let late = part(&s, "late0", &BTreeSet::new()).unwrap();
        assert_eq!(
            names(&late),
            ["late0", "mv0", "late0.10", "late0.10.20", "br0"]
        );
        assert_eq!(late.routes.config.as_ref().unwrap().len(), 1);
        let br = late.interface("br0").unwrap().bridge.as_ref().unwrap();
        assert_eq!(br.port.as_ref().unwrap().len(), 2);
    }
}
