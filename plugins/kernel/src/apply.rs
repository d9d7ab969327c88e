//! Applying the kernel's part of a desired state with nispor, in an order
//! the kernel accepts: detach ports leaving their bridge, delete
//! interfaces, remove routes, create or change bridges, then the other
//! interfaces (ports attach to bridges that now exist), then add routes.
//! Interfaces that already are as desired are not touched.

use std::collections::HashSet;

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{
        Interface, InterfaceState, InterfaceType, IpAddress, IpConfig, NetworkState, Route,
        interface_differences, is_link_local, routes_missing, routes_to_remove,
    },
};
use nispor::{
    BridgeConf, BridgePortConf, BridgeStpState, IfaceConf, IfaceState, IfaceType, IpAddrConf,
    IpConf, NetConf, RouteConf, VethConf,
};

use crate::{
    address,
    query::{nispor_error, query},
};

/// Applies `desired` (sanitized by the `state` plugin); returns what changed.
pub async fn apply(desired: &NetworkState) -> Result<Vec<String>> {
    let current = query(None).await?;
    let mut changes = Vec::new();

    // 1. Ports leaving their bridge, and explicit detaches.
    let mut detach = Vec::new();
    for want in desired.interfaces.iter().filter(|i| !i.is_absent()) {
        if let Some(ports) = want.bridge.as_ref().and_then(|b| b.port.as_ref()) {
            let keep: HashSet<&str> = ports.iter().map(|p| p.name.as_str()).collect();
            for cur in &current.interfaces {
                if cur.controller.as_deref() == Some(want.name.as_str())
                    && !keep.contains(cur.name.as_str())
                    && !desired.interface(&cur.name).is_some_and(|d| d.is_absent())
                {
                    detach.push(cur);
                }
            }
        }
        if want.controller.as_deref() == Some("")
            && let Some(cur) = current.interface(&want.name)
            && cur.controller.as_deref().is_some_and(|c| !c.is_empty())
            && !detach.iter().any(|d| d.name == cur.name)
        {
            detach.push(cur);
        }
    }
    let mut confs = Vec::new();
    for cur in detach {
        let mut c = IfaceConf::default();
        c.name = cur.name.clone();
        c.state = to_np_state(cur.state_or_up());
        c.controller = Some(String::new());
        changes.push(format!(
            "detach {} from {}",
            cur.name,
            cur.controller.as_deref().unwrap_or("?")
        ));
        confs.push(c);
    }
    // 2. Deletions.
    for want in desired.interfaces.iter().filter(|i| i.is_absent()) {
        if current.interface(&want.name).is_some() {
            let mut c = IfaceConf::default();
            c.name = want.name.clone();
            c.state = IfaceState::Absent;
            changes.push(format!("delete {}", want.name));
            confs.push(c);
        }
    }
    apply_ifaces(confs).await?;

    // 3. Route removals.
    let config = desired.routes.config.as_deref().unwrap_or(&[]);
    let running = current.routes.running.as_deref().unwrap_or(&[]);
    let mut routes = Vec::new();
    for r in routes_to_remove(config, running) {
        // Routes through a deleted interface are gone already.
        if r.next_hop_interface
            .as_deref()
            .is_some_and(|i| desired.interface(i).is_some_and(|d| d.is_absent()))
        {
            continue;
        }
        routes.push(route_conf(r, true)?);
        changes.push(format!("remove route {r}"));
    }
    apply_routes(routes).await?;

    // 4. Bridges, then everything else.
    let order = |i: &&Interface| match i.iface_type {
        Some(InterfaceType::LinuxBridge) => 0,
        _ => 1,
    };
    let mut todo: Vec<&Interface> = desired
        .interfaces
        .iter()
        .filter(|i| !i.is_absent() && i.state != Some(InterfaceState::Ignore))
        .collect();
    todo.sort_by_key(order);
    let mut phase = Vec::new();
    let mut touched = Vec::new();
    let mut last = 0;
    for want in todo {
        let cur = current.interface(&want.name);
        let diffs = interface_differences(want, cur);
        if order(&want) != last {
            apply_ifaces(std::mem::take(&mut phase)).await?;
            last = order(&want);
        }
        if diffs.is_empty() {
            continue;
        }
        if cur.is_none() {
            changes.push(format!(
                "create {} {}",
                want.iface_type.map_or("interface", |t| t.as_str()),
                want.name
            ));
        } else {
            let what: Vec<String> = diffs.iter().map(|d| d.property.clone()).collect();
            changes.push(format!("change {}: {}", want.name, what.join(", ")));
        }
        let (conf, removals) = iface_conf(want, cur, desired)?;
        address::remove(&want.name, &removals).await?;
        phase.push(conf);
        set_ipv6_enabled(want)?;
        touched.push(want);
    }
    apply_ifaces(phase).await?;
    after_create(desired)?;

    // 5. Route additions, and the static routes the kernel removed along
    //    with an address or a link change (see `routes_lost`).
    let after = if config.iter().any(|r| !r.is_absent()) || !touched.is_empty() {
        query(None).await?
    } else {
        current.clone()
    };
    let running = after.routes.running.as_deref().unwrap_or(&[]);
    let mut routes = Vec::new();
    for r in routes_missing(config, running) {
        routes.push(route_conf(r, false)?);
        changes.push(format!("add route {r}"));
    }
    let lost = routes_lost(desired, &current, &touched, running);
    for r in &lost {
        if !routes_missing(config, running).contains(r) {
            routes.push(route_conf(r, false)?);
            changes.push(format!(
                "put back route {r}, removed by the kernel with the change"
            ));
        }
    }
    apply_routes(routes).await.map_err(|e| {
        if lost.is_empty() {
            e
        } else {
            Error::new(
                e.kind(),
                format!("{e} (putting back static routes the kernel removed with the change)"),
            )
        }
    })?;
    Ok(changes)
}

/// The static routes `before` had through an interface of `touched` that
/// the apply did not remove on purpose and that `running` (a query after
/// the interface changes) no longer has: the kernel flushes routes whose
/// gateway was reachable through an address that went, or whose link
/// went down and up. Interfaces left down can't take routes.
fn routes_lost<'a>(
    desired: &NetworkState,
    before: &'a NetworkState,
    touched: &[&Interface],
    running: &[Route],
) -> Vec<&'a Route> {
    let config = desired.routes.config.as_deref().unwrap_or(&[]);
    let before_running = before.routes.running.as_deref().unwrap_or(&[]);
    let removed = routes_to_remove(config, before_running);
    let up: HashSet<&str> = touched
        .iter()
        .filter(|i| i.state_or_up() == InterfaceState::Up)
        .map(|i| i.name.as_str())
        .collect();
    before
        .routes
        .config
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|r| {
            r.next_hop_interface
                .as_deref()
                .is_some_and(|i| up.contains(i))
                && !removed.contains(r)
                && !running.iter().any(|x| r.matches(x))
        })
        .collect()
}

fn to_np_state(s: InterfaceState) -> IfaceState {
    match s {
        InterfaceState::Down => IfaceState::Down,
        InterfaceState::Absent => IfaceState::Absent,
        _ => IfaceState::Up,
    }
}

async fn apply_ifaces(confs: Vec<IfaceConf>) -> Result<()> {
    if confs.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = confs.iter().map(|c| c.name.clone()).collect();
    let mut net = NetConf::default();
    net.ifaces = Some(confs);
    net.apply_async()
        .await
        .map_err(|e| nispor_error(&format!("applying interfaces {}", names.join(", ")), e))
}

pub(crate) async fn apply_routes(routes: Vec<RouteConf>) -> Result<()> {
    if routes.is_empty() {
        return Ok(());
    }
    let mut net = NetConf::default();
    net.routes = Some(routes);
    net.apply_async()
        .await
        .map_err(|e| nispor_error("applying routes", e))
}

fn route_conf(r: &Route, remove: bool) -> Result<RouteConf> {
    let table = r.table();
    let table = u8::try_from(table).map_err(|_| {
        Error::new(
            ErrorKind::Unsupported,
            format!("route {r}: table-id {table} is above 255, which the kernel plugin does not support yet"),
        )
    })?;
    let mut c = RouteConf::default();
    c.remove = remove;
    c.dst = r.destination.clone().unwrap_or_default();
    c.oif = r.next_hop_interface.clone();
    c.via = r.next_hop_address.map(|a| a.to_string());
    c.metric = r.metric;
    c.table = Some(table);
    Ok(c)
}

/// What changes the addresses of one family: the nispor conf that adds
/// (the missing ones, or all wanted ones after a removal: removing an IPv4
/// primary address takes its secondaries with it, and nispor's add is a
/// replace, harmless for one that stayed), and the addresses to remove
/// (see [`address::remove`]: nispor's removal is not exact).
fn ip_conf(want: &IpConfig, have: Option<&IpConfig>) -> Option<(IpConf, Vec<IpAddress>)> {
    let have_addrs = have.and_then(|h| h.address.as_deref()).unwrap_or(&[]);
    let want_addrs: &[_] = match (want.enabled, want.address.as_deref()) {
        (Some(false), _) => &[],
        (_, Some(a)) => a,
        (_, None) => return None,
    };
    let removals: Vec<IpAddress> = have_addrs
        .iter()
        .filter(|a| !is_link_local(&a.ip) && !want_addrs.contains(a))
        .copied()
        .collect();
    let addresses = want_addrs
        .iter()
        .filter(|a| !removals.is_empty() || !have_addrs.contains(a))
        .map(|a| {
            let mut c = IpAddrConf::default();
            c.address = a.ip.to_string();
            c.prefix_len = a.prefix_length;
            c
        })
        .collect();
    let mut c = IpConf::default();
    c.addresses = addresses;
    Some((c, removals))
}

fn iface_conf(
    want: &Interface,
    cur: Option<&Interface>,
    desired: &NetworkState,
) -> Result<(IfaceConf, Vec<IpAddress>)> {
    let mut c = IfaceConf::default();
    c.name = want.name.clone();
    c.state = to_np_state(want.state_or_up());
    let t = want.iface_type.or(cur.and_then(|c| c.iface_type));
    match t {
        Some(InterfaceType::Veth) => {
            c.iface_type = Some(IfaceType::Veth);
            if cur.is_none() {
                let peer = want.veth.as_ref().map(|v| v.peer.clone()).ok_or_else(|| {
                    Error::invalid_input(format!(
                        "{}: a new veth interface needs veth.peer",
                        want.name
                    ))
                })?;
                let mut v = VethConf::default();
                v.peer = peer;
                c.veth = Some(v);
            }
        }
        Some(InterfaceType::LinuxBridge) => {
            c.iface_type = Some(IfaceType::Bridge);
            let mut b = BridgeConf::default();
            if let Some(stp) = want
                .bridge
                .as_ref()
                .and_then(|b| b.options.as_ref())
                .and_then(|o| o.stp.as_ref())
            {
                b.stp_state = stp.enabled.map(|e| {
                    if e {
                        BridgeStpState::KernelStp
                    } else {
                        BridgeStpState::Disabled
                    }
                });
                b.forward_delay = stp.forward_delay.map(|s| u32::from(s) * 100);
                b.hello_time = stp.hello_time.map(|s| u32::from(s) * 100);
                b.max_age = stp.max_age.map(|s| u32::from(s) * 100);
                b.priority = stp.priority;
            }
            c.bridge = Some(b);
        }
        _ if cur.is_none() => {
            return Err(Error::invalid_input(format!(
                "{}: interface does not exist and the kernel plugin can't create one of type {}",
                want.name,
                t.map_or("(none)", |t| t.as_str())
            )));
        }
        _ => {}
    }
    c.mtu = want.mtu;
    c.mac_address = want.mac_address.clone();
    if let Some(ctrl) = &want.controller {
        let cur_ctrl = cur.and_then(|c| c.controller.clone()).unwrap_or_default();
        if *ctrl != cur_ctrl {
            c.controller = Some(ctrl.clone());
        }
        // Port options, from the bridge's port list.
        if let Some(p) = desired
            .interface(ctrl)
            .and_then(|b| b.bridge.as_ref())
            .and_then(|b| b.port.as_ref())
            .and_then(|ports| ports.iter().find(|p| p.name == want.name))
            && (p.stp_hairpin_mode.is_some()
                || p.stp_path_cost.is_some()
                || p.stp_priority.is_some())
        {
            let mut bp = BridgePortConf::default();
            bp.hairpin_mode = p.stp_hairpin_mode;
            bp.stp_path_cost = p.stp_path_cost;
            bp.stp_priority = p.stp_priority;
            c.bridge_port = Some(bp);
        }
    }
    let mut removals = Vec::new();
    if let Some((ip, gone)) = want
        .ipv4
        .as_ref()
        .and_then(|w| ip_conf(w, cur.and_then(|c| c.ipv4.as_ref())))
    {
        c.ipv4 = Some(ip);
        removals.extend(gone);
    }
    if let Some((ip, gone)) = want
        .ipv6
        .as_ref()
        .and_then(|w| ip_conf(w, cur.and_then(|c| c.ipv6.as_ref())))
    {
        c.ipv6 = Some(ip);
        removals.extend(gone);
    }
    Ok((c, removals))
}

/// `ipv6.enabled`: the interface's `disable_ipv6` sysctl, in this thread's
/// network namespace. Only written for an interface that exists.
fn set_ipv6_enabled(want: &Interface) -> Result<()> {
    let Some(enabled) = want.ipv6.as_ref().and_then(|v| v.enabled) else {
        return Ok(());
    };
    let path = format!("/proc/sys/net/ipv6/conf/{}/disable_ipv6", want.name);
    let value = if enabled { "0" } else { "1" };
    match std::fs::read_to_string(&path) {
        Ok(cur) if cur.trim() == value => Ok(()),
        // A new interface: created by nispor below, then set by the caller's
        // next pass (see `after_create`).
        Err(_) => Ok(()),
        Ok(_) => std::fs::write(&path, value).map_err(|e| {
            Error::other(format!(
                "{}: setting ipv6.enabled: writing {path}: {e}",
                want.name
            ))
        }),
    }
}

/// After interfaces were created: the sysctls that need the interface.
pub fn after_create(desired: &NetworkState) -> Result<()> {
    for want in &desired.interfaces {
        if !want.is_absent() {
            set_ipv6_enabled(want)?;
        }
    }
    Ok(())
}
