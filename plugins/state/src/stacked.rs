//! The properties a type needs to create an interface and can't change on
//! one that exists (the kernel takes them only when it creates the link):
//! a VLAN's `base-iface`, `id` and `protocol`, a VRF's `route-table-id`,
//! a MAC-VLAN's or MAC-VTAP's `base-iface`, a VXLAN's `id`, `base-iface`,
//! `local` and `destination-port`. A change is refused with "make it
//! absent first", as for a veth's peer. A new VXLAN without
//! `destination-port` gets 4789, the IANA port nmstate uses (the kernel's
//! own default is 8472).

use nipart_plugin_api::state::{Interface, InterfaceType, StateError};

/// The UDP port a new VXLAN gets when the state gives none.
pub const VXLAN_PORT: u16 = 4789;

/// One property: its key under the section, the desired and current value.
type Fixed = (&'static str, Option<String>, Option<String>);

fn show<T: ToString>(v: Option<T>) -> Option<String> {
    v.map(|x| x.to_string())
}

/// Checks `iface` (at `p`, its type filled in) against `cur`, and fills in
/// the defaults of a new one.
pub fn check_fixed_properties(
    iface: &mut Interface,
    cur: Option<&Interface>,
    p: &str,
) -> Result<(), StateError> {
    let Some(t) = iface.iface_type else {
        return Ok(());
    };
    let section = t.as_str();
    if cur.is_none() {
        if t == InterfaceType::Vxlan
            && let Some(v) = iface.vxlan.as_mut()
            && v.destination_port.is_none()
        {
            v.destination_port = Some(VXLAN_PORT);
        }
        let needed: &[(&str, bool)] = match t {
            InterfaceType::Vlan => &[
                (
                    "base-iface",
                    iface.vlan.as_ref().is_some_and(|v| v.base_iface.is_some()),
                ),
                ("id", iface.vlan.as_ref().is_some_and(|v| v.id.is_some())),
            ],
            InterfaceType::Vrf => &[(
                "route-table-id",
                iface
                    .vrf
                    .as_ref()
                    .is_some_and(|v| v.route_table_id.is_some()),
            )],
            InterfaceType::MacVlan => &[(
                "base-iface",
                iface
                    .mac_vlan
                    .as_ref()
                    .is_some_and(|v| v.base_iface.is_some()),
            )],
            InterfaceType::MacVtap => &[(
                "base-iface",
                iface
                    .mac_vtap
                    .as_ref()
                    .is_some_and(|v| v.base_iface.is_some()),
            )],
            InterfaceType::Vxlan => &[("id", iface.vxlan.as_ref().is_some_and(|v| v.id.is_some()))],
            _ => &[],
        };
        if let Some((key, _)) = needed.iter().find(|(_, given)| !given) {
            return Err(StateError::new(
                format!("{p}.{section}.{key}"),
                format!(
                    "interface {:?} is a new {t}, which needs {section}.{key}",
                    iface.name
                ),
            ));
        }
        return Ok(());
    }
    let Some(cur) = cur else { return Ok(()) };
    let fixed: Vec<Fixed> = match t {
        InterfaceType::Vlan => {
            let (w, h) = (iface.vlan.as_ref(), cur.vlan.as_ref());
            vec![
                (
                    "base-iface",
                    w.and_then(|v| v.base_iface.clone()),
                    h.and_then(|v| v.base_iface.clone()),
                ),
                ("id", show(w.and_then(|v| v.id)), show(h.and_then(|v| v.id))),
                (
                    "protocol",
                    show(w.and_then(|v| v.protocol)),
                    show(h.and_then(|v| v.protocol)),
                ),
            ]
        }
        InterfaceType::Vrf => vec![(
            "route-table-id",
            show(iface.vrf.as_ref().and_then(|v| v.route_table_id)),
            show(cur.vrf.as_ref().and_then(|v| v.route_table_id)),
        )],
        InterfaceType::MacVlan | InterfaceType::MacVtap => {
            let pick = |i: &Interface| {
                if t == InterfaceType::MacVlan {
                    i.mac_vlan.as_ref().and_then(|v| v.base_iface.clone())
                } else {
                    i.mac_vtap.as_ref().and_then(|v| v.base_iface.clone())
                }
            };
            vec![("base-iface", pick(iface), pick(cur))]
        }
        InterfaceType::Vxlan => {
            let (w, h) = (iface.vxlan.as_ref(), cur.vxlan.as_ref());
            vec![
                ("id", show(w.and_then(|v| v.id)), show(h.and_then(|v| v.id))),
                (
                    "base-iface",
                    w.and_then(|v| v.base_iface.clone()),
                    h.and_then(|v| v.base_iface.clone()),
                ),
                (
                    "local",
                    show(w.and_then(|v| v.local)),
                    show(h.and_then(|v| v.local)),
                ),
                (
                    "destination-port",
                    show(w.and_then(|v| v.destination_port)),
                    show(h.and_then(|v| v.destination_port)),
                ),
            ]
        }
        _ => Vec::new(),
    };
    for (key, want, have) in fixed {
        if let Some(w) = want
            && have.as_ref() != Some(&w)
        {
            return Err(StateError::new(
                format!("{p}.{section}.{key}"),
                format!(
                    "{t} {:?} has {key} {}; the kernel can't change it: make it absent first to change it to {w}",
                    iface.name,
                    have.as_deref().unwrap_or("(none)")
                ),
            ));
        }
    }
    Ok(())
}
