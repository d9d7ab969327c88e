//! Validation, sanitizing and planning of a desired state against the
//! current one, with nmstate's partial-state meaning: what the desired
//! state does not mention is left alone.

use std::collections::{HashMap, HashSet};

use nipart_plugin_api::state::{
    Interface, InterfaceState, InterfaceType, IpConfig, NetworkState, Plan, PlanPart, Route,
    Routes, StateError, VethConfig, routes_to_remove,
};
use serde_json::Value;

type R<T> = Result<T, StateError>;

/// The role that applies the kernel's part.
pub const KERNEL: &str = "kernel";
/// The role that runs DHCP and IPv6 autoconf clients.
pub const DHCP: &str = "dhcp";

/// Parses, validates and sanitizes `desired`; works out the parts.
pub fn plan(desired: &Value, current: &NetworkState) -> R<Plan> {
    let parsed = NetworkState::from_value(desired)?;
    let (sane, notes) = sanitize(parsed, current)?;
    let mut plan = make_plan(sane, notes);
    plan.verify = verify_state(&plan.desired, current);
    Ok(plan)
}

/// What verification checks after applying `desired` to `current`: the
/// desired state, and what it leaves alone on each interface it names
/// (that was up and stays up, outside a controller): the addresses of a
/// family it does not list, and the static routes through it that it does
/// not remove. The kernel drops routes, and may drop addresses, as a side
/// effect of a change (the kernel plugin puts routes back); verification
/// catches what was lost anyway.
fn verify_state(desired: &NetworkState, current: &NetworkState) -> NetworkState {
    let mut verify = desired.clone();
    let mut kept_up: HashSet<&str> = HashSet::new();
    for want in &mut verify.interfaces {
        let Some(cur) = current.interface(&want.name) else {
            continue;
        };
        if want.state_or_up() != InterfaceState::Up
            || cur.state != Some(InterfaceState::Up)
            || want.controller.as_deref().is_some_and(|c| !c.is_empty())
            || cur.controller.as_deref().is_some_and(|c| !c.is_empty())
        {
            continue;
        }
        kept_up.insert(cur.name.as_str());
        // IPv6 goes away below an MTU of 1280.
        let v6_kept = want.mtu.is_none_or(|m| m >= 1280);
        for (w, c, kept) in [
            (&mut want.ipv4, &cur.ipv4, true),
            (&mut want.ipv6, &cur.ipv6, v6_kept),
        ] {
            // Any word on DHCP or autoconf may add or remove addresses.
            let leaves_alone = w.as_ref().is_none_or(|w| {
                w.address.is_none()
                    && w.enabled != Some(false)
                    && w.dhcp.is_none()
                    && w.autoconf.is_none()
            });
            let Some(have) = c.as_ref().and_then(|c| c.address.as_ref()) else {
                continue;
            };
            if kept && leaves_alone && !have.is_empty() {
                w.get_or_insert_with(IpConfig::default).address = Some(have.clone());
            }
        }
    }
    let config = desired.routes.config.as_deref().unwrap_or(&[]);
    let running = current.routes.running.as_deref().unwrap_or(&[]);
    let removed = routes_to_remove(config, running);
    let kept: Vec<Route> = current
        .routes
        .config
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|r| {
            r.next_hop_interface
                .as_deref()
                .is_some_and(|i| kept_up.contains(i))
                && !removed.contains(r)
                && !config.iter().any(|c| !c.is_absent() && c.matches(r))
        })
        .cloned()
        .collect();
    if !kept.is_empty() {
        verify
            .routes
            .config
            .get_or_insert_with(Vec::new)
            .extend(kept);
    }
    verify
}

fn make_plan(sane: NetworkState, notes: Vec<String>) -> Plan {
    let mut parts = vec![PlanPart {
        role: KERNEL.to_string(),
        state: sane.clone(),
    }];
    let wants_dhcp = |ip: &Option<IpConfig>| {
        ip.as_ref()
            .is_some_and(|c| c.dhcp == Some(true) || c.autoconf == Some(true))
    };
    let dhcp: Vec<Interface> = sane
        .interfaces
        .iter()
        .filter(|i| wants_dhcp(&i.ipv4) || wants_dhcp(&i.ipv6))
        .map(|i| Interface {
            name: i.name.clone(),
            ipv4: i.ipv4.clone(),
            ipv6: i.ipv6.clone(),
            ..Interface::default()
        })
        .collect();
    if !dhcp.is_empty() {
        parts.push(PlanPart {
            role: DHCP.to_string(),
            state: NetworkState {
                interfaces: dhcp,
                routes: Routes::default(),
            },
        });
    }
    Plan {
        verify: sane.clone(),
        desired: sane,
        parts,
        notes,
    }
}

fn idx_path(i: usize) -> String {
    format!("interfaces[{i}]")
}

/// Checks `desired` against `current` and fills in what the apply needs:
/// types of existing interfaces, `state: up` when not given, the peer of a
/// new veth, the `controller` of every bridge port.
pub fn sanitize(
    mut desired: NetworkState,
    current: &NetworkState,
) -> R<(NetworkState, Vec<String>)> {
    let mut notes = Vec::new();
    desired.routes.running = None;
    // Where each interface was given, for error paths.
    let mut pos: HashMap<String, usize> = HashMap::new();
    let mut kept = Vec::new();
    for (i, iface) in std::mem::take(&mut desired.interfaces)
        .into_iter()
        .enumerate()
    {
        if iface.state == Some(InterfaceState::Ignore) {
            notes.push(format!("{} is ignored (state: ignore)", iface.name));
            continue;
        }
        pos.insert(iface.name.clone(), i);
        kept.push(iface);
    }
    desired.interfaces = kept;

    let absent: HashSet<String> = desired
        .interfaces
        .iter()
        .filter(|i| i.is_absent())
        .map(|i| i.name.clone())
        .collect();
    let created: HashSet<String> = desired
        .interfaces
        .iter()
        .filter(|i| !i.is_absent() && current.interface(&i.name).is_none())
        .map(|i| i.name.clone())
        .collect();
    // Will this interface exist after the apply (ignoring implicit veth peers)?
    let will_exist = |name: &str| {
        !absent.contains(name) && (current.interface(name).is_some() || created.contains(name))
    };

    let mut extra: Vec<Interface> = Vec::new();
    for iface in &mut desired.interfaces {
        let p = idx_path(pos[&iface.name]);
        let cur = current.interface(&iface.name);
        if iface.is_absent() {
            // Only the name matters.
            *iface = Interface {
                name: iface.name.clone(),
                state: Some(InterfaceState::Absent),
                ..Interface::default()
            };
            if cur.is_none() {
                notes.push(format!("{} is already absent", iface.name));
            }
            continue;
        }
        for ip in [&mut iface.ipv4, &mut iface.ipv6].into_iter().flatten() {
            // Lease information that `Show` reported, not something to apply.
            ip.dhcp_lease = None;
        }
        crate::settable::check_new_values(iface, cur, &p)?;
        if cur.is_none() {
            check_dhcp_target(iface, &p)?;
        }
        let cur_type = cur.and_then(|c| c.iface_type);
        let t = match (iface.iface_type, cur_type) {
            (Some(t), Some(c)) if t != c && c != InterfaceType::Unknown => {
                return Err(StateError::new(
                    format!("{p}.type"),
                    format!(
                        "{:?} is a {c} interface, not {t}; make it absent first to change its type",
                        iface.name
                    ),
                ));
            }
            (Some(t), _) => t,
            (None, Some(c)) => c,
            (None, None) if iface.veth.is_some() => InterfaceType::Veth,
            (None, None) if iface.bridge.is_some() => InterfaceType::LinuxBridge,
            (None, None) => {
                return Err(StateError::new(
                    format!("{p}.type"),
                    format!(
                        "interface {:?} does not exist, so its type is needed to create it",
                        iface.name
                    ),
                ));
            }
        };
        if cur.is_none() && !t.can_create() {
            return Err(StateError::new(
                format!("{p}.type"),
                format!(
                    "interface {:?} does not exist and nipart can't create a {t} interface",
                    iface.name
                ),
            ));
        }
        iface.iface_type = Some(t);
        if iface.state.is_none() {
            iface.state = Some(InterfaceState::Up);
        }
        for ip in [&mut iface.ipv4, &mut iface.ipv6].into_iter().flatten() {
            if ip.enabled.is_none() && ip.address.is_some() {
                ip.enabled = Some(true);
            }
        }
        if t == InterfaceType::Veth {
            let cur_peer = cur.and_then(|c| c.veth.as_ref()).map(|v| v.peer.clone());
            match (&iface.veth, &cur_peer) {
                (None, None) if cur.is_none() => {
                    return Err(StateError::new(
                        format!("{p}.veth.peer"),
                        format!(
                            "interface {:?} is a new veth, which needs a peer",
                            iface.name
                        ),
                    ));
                }
                (Some(v), Some(c)) if &v.peer != c && c.parse::<u32>().is_err() => {
                    return Err(StateError::new(
                        format!("{p}.veth.peer"),
                        format!(
                            "veth {:?} has peer {c:?}; make it absent first to change its peer to {:?}",
                            iface.name, v.peer
                        ),
                    ));
                }
                _ => {}
            }
            if let Some(v) = &iface.veth
                && cur.is_none()
            {
                if absent.contains(&v.peer) {
                    return Err(StateError::new(
                        format!("{p}.veth.peer"),
                        format!("peer {:?} is marked absent", v.peer),
                    ));
                }
                if let Some(other) = current.interface(&v.peer) {
                    return Err(StateError::new(
                        format!("{p}.veth.peer"),
                        format!(
                            "{:?} already exists (a {} interface), so it can't be the peer of the new veth {:?}",
                            v.peer,
                            other.iface_type.map_or("unknown", |t| t.as_str()),
                            iface.name
                        ),
                    ));
                }
                if !pos.contains_key(&v.peer) && !extra.iter().any(|e| e.name == v.peer) {
                    // nmstate brings the peer up too.
                    extra.push(Interface {
                        name: v.peer.clone(),
                        iface_type: Some(InterfaceType::Veth),
                        state: Some(InterfaceState::Up),
                        veth: Some(VethConfig {
                            peer: iface.name.clone(),
                        }),
                        ..Interface::default()
                    });
                }
            }
        }
    }
    // Peers created with their veth.
    let implicit: HashSet<String> = extra.iter().map(|e| e.name.clone()).collect();
    let exists_after = |name: &str| will_exist(name) || implicit.contains(name);

    // Bridge ports.
    let mut port_of: HashMap<String, String> = HashMap::new();
    let bridges: Vec<(String, Vec<String>)> = desired
        .interfaces
        .iter()
        .filter_map(|b| {
            let ports = b.bridge.as_ref()?.port.as_ref()?;
            Some((
                b.name.clone(),
                ports.iter().map(|p| p.name.clone()).collect(),
            ))
        })
        .collect();
    for (bridge, ports) in &bridges {
        let p = idx_path(pos[bridge]);
        for (j, port) in ports.iter().enumerate() {
            let pp = format!("{p}.bridge.port[{j}].name");
            if port == bridge {
                return Err(StateError::new(
                    pp,
                    format!("bridge {bridge:?} can't be its own port"),
                ));
            }
            if !exists_after(port) {
                return Err(StateError::new(
                    pp,
                    format!("interface {port:?} does not exist and is not created by this state"),
                ));
            }
            if let Some(other) = port_of.insert(port.clone(), bridge.clone()) {
                return Err(StateError::new(
                    pp,
                    format!("{port:?} is already a port of bridge {other:?} in this state"),
                ));
            }
        }
    }
    let desired_types: HashMap<String, InterfaceType> = desired
        .interfaces
        .iter()
        .filter_map(|i| Some((i.name.clone(), i.iface_type?)))
        .collect();
    for iface in desired.interfaces.iter_mut().chain(extra.iter_mut()) {
        if iface.is_absent() {
            continue;
        }
        let want = port_of.get(&iface.name);
        match (&iface.controller, want) {
            (Some(c), Some(b)) if c != b => {
                let p = pos
                    .get(&iface.name)
                    .map_or_else(|| iface.name.clone(), |i| idx_path(*i));
                return Err(StateError::new(
                    format!("{p}.controller"),
                    format!(
                        "{c:?} disagrees with bridge {b:?}, which lists {:?} as a port",
                        iface.name
                    ),
                ));
            }
            (_, Some(b)) => iface.controller = Some(b.clone()),
            (Some(c), None) if !c.is_empty() => {
                let p = pos
                    .get(&iface.name)
                    .map_or_else(|| iface.name.clone(), |i| idx_path(*i));
                if bridges.iter().any(|(b, _)| b == c) {
                    return Err(StateError::new(
                        format!("{p}.controller"),
                        format!(
                            "bridge {c:?} does not list {:?} among its ports",
                            iface.name
                        ),
                    ));
                }
                let ctype = desired_types
                    .get(c.as_str())
                    .copied()
                    .or_else(|| current.interface(c).and_then(|x| x.iface_type));
                if !exists_after(c) || ctype != Some(InterfaceType::LinuxBridge) {
                    return Err(StateError::new(
                        format!("{p}.controller"),
                        format!(
                            "{c:?} is not a linux-bridge that exists or is created by this state"
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    // Existing ports not otherwise mentioned: attach them, keeping their state.
    for (port, bridge) in &port_of {
        if pos.contains_key(port) || implicit.contains(port) {
            continue;
        }
        let cur = current.interface(port);
        extra.push(Interface {
            name: port.clone(),
            iface_type: cur.and_then(|c| c.iface_type),
            state: Some(cur.map_or(InterfaceState::Up, |c| c.state_or_up())),
            controller: Some(bridge.clone()),
            ..Interface::default()
        });
    }
    extra.sort_by(|a, b| a.name.cmp(&b.name));
    desired.interfaces.extend(extra);

    // Routes.
    if let Some(routes) = &desired.routes.config {
        for (k, r) in routes.iter().enumerate() {
            if r.is_absent() {
                continue;
            }
            if let Some(i) = &r.next_hop_interface
                && !exists_after(i)
            {
                return Err(StateError::new(
                    format!("routes.config[{k}].next-hop-interface"),
                    if absent.contains(i) {
                        format!("interface {i:?} is marked absent in this state")
                    } else {
                        format!("interface {i:?} does not exist and is not created by this state")
                    },
                ));
            }
        }
    }
    Ok((desired, notes))
}

/// DHCP (or autoconf) on `iface`, which does not exist, needs this state to
/// create it: say so at the `dhcp` key rather than with a less direct
/// complaint about its type.
fn check_dhcp_target(iface: &Interface, p: &str) -> R<()> {
    let key = [("ipv4", &iface.ipv4), ("ipv6", &iface.ipv6)]
        .into_iter()
        .find_map(|(family, ip)| {
            let ip = ip.as_ref()?;
            if ip.dhcp == Some(true) {
                Some(format!("{family}.dhcp"))
            } else if ip.autoconf == Some(true) {
                Some(format!("{family}.autoconf"))
            } else {
                None
            }
        });
    let Some(key) = key else { return Ok(()) };
    let created = iface
        .iface_type
        .or(iface.veth.as_ref().map(|_| InterfaceType::Veth))
        .or(iface.bridge.as_ref().map(|_| InterfaceType::LinuxBridge))
        .is_some_and(InterfaceType::can_create);
    if created {
        return Ok(());
    }
    Err(StateError::new(
        format!("{p}.{key}"),
        format!(
            "interface {:?} does not exist and is not created by this state, so DHCP can't run on it",
            iface.name
        ),
    ))
}

/// The plan that brings `current` back to `checkpoint` (both full queries):
/// interfaces that appeared are deleted, the others get every property
/// they had, static routes that appeared are removed and those that went
/// away are added back.
pub fn revert_plan(checkpoint: &NetworkState, current: &NetworkState) -> Plan {
    let mut notes = Vec::new();
    let mut interfaces = Vec::new();
    for cur in &current.interfaces {
        if checkpoint.interface(&cur.name).is_none() {
            if cur.iface_type.is_some_and(|t| t.can_create()) {
                interfaces.push(Interface {
                    name: cur.name.clone(),
                    state: Some(InterfaceState::Absent),
                    ..Interface::default()
                });
            } else {
                notes.push(format!("{} appeared meanwhile and is left alone", cur.name));
            }
        }
    }
    for before in &checkpoint.interfaces {
        let t = before.iface_type;
        if current.interface(&before.name).is_none() && !t.is_some_and(|t| t.can_create()) {
            notes.push(format!(
                "{} is gone and can't be created again",
                before.name
            ));
            continue;
        }
        let mut want = before.clone();
        want.controller = Some(before.controller.clone().unwrap_or_default());
        for ip in [&mut want.ipv4, &mut want.ipv6].into_iter().flatten() {
            ip.dhcp = None;
            ip.autoconf = None;
            if ip.enabled == Some(false) && ip.address.as_ref().is_some_and(|a| !a.is_empty()) {
                ip.enabled = Some(true);
            }
            if ip.enabled == Some(false) {
                ip.address = None;
            }
        }
        // An IPv4 "enabled: false" of a query only means "no address".
        if let Some(v4) = &mut want.ipv4
            && v4.enabled == Some(false)
        {
            v4.enabled = None;
            v4.address = Some(Vec::new());
        }
        interfaces.push(want);
    }
    let cp_config = checkpoint.routes.config.clone().unwrap_or_default();
    let mut routes = cp_config.clone();
    for r in current.routes.config.as_deref().unwrap_or(&[]) {
        if !cp_config.contains(r) {
            let mut sel = r.clone();
            sel.state = Some(nipart_plugin_api::state::RouteState::Absent);
            routes.push(sel);
        }
    }
    let state = NetworkState {
        interfaces,
        routes: Routes {
            config: Some(routes),
            running: None,
        },
    };
    make_plan(state, notes)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod verify_tests;
