//! How a sanitized state is shared between role `kernel` and role `ovs`
//! (the Open vSwitch plugin): OVS bridges and interfaces go to `ovs`; a
//! system interface that joins or leaves an OVS bridge goes to both (the
//! kernel sees it without that `controller`, which is no kernel
//! controller, and `ovs` makes it a port or removes its port); the
//! addresses (and other kernel properties) of an OVS internal interface
//! go to the kernel in a second part, after `ovs` has created it. Static
//! routes go with that second part when there is one, since they may
//! pass through such an interface.

use std::collections::HashSet;

use nipart_plugin_api::state::{Interface, InterfaceType, NetworkState, Routes};

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
    };
    Split {
        kernel: state(kernel, !routes_later),
        ovs: (!ovs.is_empty()).then(|| state(ovs, false)),
        kernel_after: routes_later.then(|| state(after, true)),
    }
}
