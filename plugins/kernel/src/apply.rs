//! Applying the kernel's part of a desired state with nispor, in an order
//! the kernel accepts: detach ports leaving their controller (and, for a
//! controller whose change the kernel refuses while it has ports, such as
//! a bond's mode, every port, attached again at the end), delete
//! interfaces (what stands on others first), remove routes and routing
//! rules, create or change controllers, then plain interfaces (ports
//! attach to controllers that now exist), then each stacked interface
//! after its base ([`iface::rank`]), then the options of ports whose
//! controller's entry alone changed them (a bridge port's
//! `stp-priority`), then bridge ports' VLANs, then add routes, then rules.
//! Interfaces that already are as desired are not
//! touched.
//!
//! The common link properties (state, MTU, MAC, controller) are set here,
//! addresses by [`crate::ip`], routes by [`crate::route`], rules by
//! [`crate::route_rule`], and each type's
//! own properties by its module in [`crate::iface`].

use std::{
    collections::{HashMap, HashSet},
    time::Instant,
};

use nipart_plugin_api::{
    Error, Result,
    state::{
        Interface, InterfaceState, IpAddress, NetworkState, Route, interface_differences,
        routes_kept_through, routes_missing, routes_to_remove, rules_missing, rules_to_remove,
    },
};
use nispor::{IfaceConf, IfaceState, NetConf};

use crate::{
    address,
    error::from_nispor,
    iface, ip, link,
    query::{query, query_routes},
    ra_routes::RaRoutes,
    route, route_rule,
};

/// Applies `desired` (sanitized by the `state` plugin); returns what changed.
/// `ra`: the interfaces whose advertisement routes the plugin places (their
/// keys are not the kernel's sysctls); `rollback`: `desired` is a
/// checkpoint's.
pub async fn apply(desired: &NetworkState, ra: &RaRoutes, rollback: bool) -> Result<Vec<String>> {
    let mut lap = Lap::new();
    let mut current = query(None).await?;
    ra.show(&mut current);
    lap.done("query");
    let mut changes = Vec::new();

    // 1. Ports leaving their controller, and explicit detaches.
    let mut detach = Vec::new();
    for want in desired.interfaces.iter().filter(|i| !i.is_absent()) {
        if let Some(keep) = iface::ports(want) {
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
    // Controllers whose change needs them without ports (a bond's mode):
    // their staying ports are detached too, and attached again after the
    // change (`reattach`: port, controller).
    let mut reattach: Vec<(&Interface, &Interface)> = Vec::new();
    for want in desired.interfaces.iter().filter(|i| !i.is_absent()) {
        let Some(cur_ctrl) = current.interface(&want.name) else {
            continue;
        };
        if !iface::change_needs_no_ports(want, cur_ctrl) {
            continue;
        }
        for port in current
            .interfaces
            .iter()
            .filter(|p| p.controller.as_deref() == Some(want.name.as_str()))
        {
            if detach.iter().any(|d| d.name == port.name) {
                continue;
            }
            let stays = desired.interface(&port.name).is_none_or(|d| {
                !d.is_absent() && d.controller.as_deref().is_none_or(|c| c == want.name)
            });
            detach.push(port);
            if stays {
                reattach.push((port, want));
            }
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
    // 2. Deletions, what stands on others first (a VLAN before its bond).
    let mut gone: Vec<&Interface> = desired
        .interfaces
        .iter()
        .filter(|i| i.is_absent())
        .collect();
    gone.sort_by_cached_key(|i| std::cmp::Reverse(iface::rank(i, desired, &current)));
    for want in gone {
        if current.interface(&want.name).is_some() {
            let mut c = IfaceConf::default();
            c.name = want.name.clone();
            c.state = IfaceState::Absent;
            changes.push(format!("delete {}", want.name));
            confs.push(c);
        }
    }
    apply_ifaces(confs).await?;
    lap.done("detach and delete");

    // 3. Route removals.
    let config = desired.routes.config.as_deref().unwrap_or(&[]);
    let statics = current.routes.config.as_deref().unwrap_or(&[]);
    let mut routes = Vec::new();
    let removed_routes = routes_to_remove(config, statics);
    for &r in &removed_routes {
        // Routes through a deleted interface are gone already.
        if r.next_hop_interface
            .as_deref()
            .is_some_and(|i| desired.interface(i).is_some_and(|d| d.is_absent()))
        {
            continue;
        }
        routes.push(r);
        changes.push(format!("remove route {r}"));
    }
    route::send(&routes, true, |_| Vec::new()).await?;
    // The other hops of a multipath route one hop of which went: removed
    // with it, added back below.
    let survivors: Vec<&Route> = statics
        .iter()
        .filter(|c| {
            c.weight.is_some()
                && !removed_routes.contains(c)
                && routes.iter().any(|r| r.weight.is_some() && r.same_place(c))
        })
        .collect();
    // The next hops a multipath route of `r`'s place has after the apply:
    // the desired ones, and those it had that are not removed.
    let hops_of = |r: &Route| -> Vec<Route> {
        let mut hops: Vec<Route> = config
            .iter()
            .filter(|c| !c.is_absent() && c.weight.is_some() && c.same_place(r))
            .cloned()
            .collect();
        for s in statics
            .iter()
            .filter(|c| c.weight.is_some() && c.same_place(r) && !removed_routes.contains(c))
        {
            if !hops.iter().any(|h| {
                h.next_hop_interface == s.next_hop_interface
                    && h.next_hop_address == s.next_hop_address
            }) {
                hops.push(s.clone());
            }
        }
        hops
    };
    // Rule removals (rules name interfaces by name: a deleted interface
    // leaves its rules, and they stay removable).
    let rules = desired.route_rules.config.as_deref().unwrap_or(&[]);
    let cur_rules = current.route_rules.config.as_deref().unwrap_or(&[]);
    let gone_rules = rules_to_remove(rules, cur_rules);
    changes.extend(gone_rules.iter().map(|r| format!("remove rule {r}")));
    route_rule::apply(&gone_rules, &[]).await?;
    lap.done("remove routes and rules");

    // 4. Controllers (bridges, bonds, VRFs), then plain interfaces, then
    //    each interface after its base (see `iface::rank`).
    let order = |i: &&Interface| iface::rank(i, desired, &current);
    // By name: a lookup per desired interface, not a scan of the current
    // ones (the first of a name wins, as `NetworkState::interface`'s).
    let current_by_name: HashMap<&str, &Interface> = current
        .interfaces
        .iter()
        .rev()
        .map(|i| (i.name.as_str(), i))
        .collect();
    let mut todo: Vec<&Interface> = desired
        .interfaces
        .iter()
        .filter(|i| !i.is_absent() && i.state != Some(InterfaceState::Ignore))
        .collect();
    // Each rank once (it follows bases through the lists).
    todo.sort_by_cached_key(order);
    let mut phase = Vec::new();
    // What each conf of the phase changes, for its error: the kernel's
    // answer alone (`Invalid argument`) names neither object nor change.
    let mut phase_what = Vec::new();
    // Links created in one request each (see `iface::creation`), instead
    // of nispor's conf: sent after the phase's confs.
    let mut phase_links = Vec::new();
    // Requests for links nispor creates in the phase: sent after it.
    let mut after_phase = Vec::new();
    // Addresses to add once the phase's links exist (by netlink, one
    // request each: nispor would read every address of the system back for
    // each interface it gives addresses to, which made a large apply grow
    // with the square of its size).
    let mut phase_addresses = Vec::new();
    let mut touched = Vec::new();
    // Bonds whose primary port is created by this apply: set at the end.
    let mut late = Vec::new();
    let mut last = 0;
    for want in todo {
        let cur = current_by_name.get(want.name.as_str()).copied();
        let diffs = interface_differences(want, cur);
        let rank = order(&want);
        if rank != last {
            apply_ifaces_changing(std::mem::take(&mut phase), &std::mem::take(&mut phase_what))
                .await?;
            link::send(std::mem::take(&mut phase_links)).await?;
            link::send(std::mem::take(&mut after_phase)).await?;
            address::add(std::mem::take(&mut phase_addresses)).await?;
            last = rank;
        }
        if diffs.is_empty() {
            continue;
        }
        if cur.is_none() {
            let line = format!(
                "create {} {}",
                want.iface_type.map_or("interface", |t| t.as_str()),
                want.name
            );
            phase_what.push(line.clone());
            changes.push(line);
        } else {
            let what: Vec<String> = diffs.iter().map(|d| d.property.clone()).collect();
            changes.push(format!("change {}: {}", want.name, what.join(", ")));
            phase_what.extend(diffs.iter().map(ToString::to_string));
        }
        let (mut conf, removals, additions) = iface_conf(want, cur, desired)?;
        // A port detached for its controller's change: attached again
        // with this change (its options with it, see `iface::conf`).
        if let Some(i) = reattach.iter().position(|(p, _)| p.name == want.name) {
            let (_, ctrl) = reattach.remove(i);
            conf.controller = Some(ctrl.name.clone());
            changes.push(format!("attach {} to {} again", want.name, ctrl.name));
        }
        if !additions.is_empty() {
            phase_addresses.push((want.name.clone(), additions));
        }
        if let Some(b) = conf.bond.as_mut()
            && b.primary
                .as_deref()
                .is_some_and(|p| current.interface(p).is_none())
        {
            // nispor names the primary by its index: it must exist.
            let mut c = IfaceConf::default();
            c.name = want.name.clone();
            c.state = to_np_state(want.state_or_up());
            c.iface_type = Some(nispor::IfaceType::Bond);
            let mut lb = nispor::BondConf::default();
            lb.primary = b.primary.take();
            c.bond = Some(lb);
            late.push(c);
        }
        if let Some(r) = iface::link_request(want, cur)? {
            link::send(vec![(want.name.clone(), r)]).await?;
        }
        if let Some(on) = want.accept_all_mac_addresses
            && cur.and_then(|c| c.accept_all_mac_addresses) != Some(on)
        {
            after_phase.push((want.name.clone(), link::promiscuous(&want.name, on)));
        }
        address::remove(&want.name, &removals).await?;
        match cur.is_none().then(|| iface::creation(&conf)).transpose()? {
            Some(Some(r)) => phase_links.push((want.name.clone(), r)),
            _ => phase.push(conf),
        }
        ip::set_ipv6_enabled(want)?;
        if cur.is_some() {
            crate::autoconf::apply(want, ra.table_bound(want, rollback)).await?;
        }
        touched.push(want);
    }
    apply_ifaces_changing(phase, &phase_what).await?;
    link::send(phase_links).await?;
    link::send(after_phase).await?;
    address::add(phase_addresses).await?;
    lap.done("create and change interfaces");
    // Ports whose options only their controller's entry changed
    // (`stp-priority` of a bridge port, `priority` of a bond port): the
    // options are set on the port's own conf, and the port itself had
    // nothing to change.
    let mut port_options = Vec::new();
    for ctrl in touched.iter().filter(|c| iface::is_controller(c)) {
        let Some(ports) = iface::ports(ctrl) else {
            continue;
        };
        for port in current.interfaces.iter().filter(|p| {
            p.controller.as_deref() == Some(ctrl.name.as_str())
                && ports.contains(p.name.as_str())
                && !touched.iter().any(|t| t.name == p.name)
                && !reattach.iter().any(|(r, _)| r.name == p.name)
        }) {
            let mut c = IfaceConf::default();
            c.name = port.name.clone();
            c.state = to_np_state(port.state_or_up());
            iface::port_conf(ctrl, &mut c);
            if c.bridge_port.is_some() || c.bond_port.is_some() {
                port_options.push(c);
            }
        }
    }
    apply_ifaces(port_options).await?;
    // The other ports detached for their controller's change.
    let mut again = Vec::new();
    for (port, ctrl) in reattach {
        let mut c = IfaceConf::default();
        c.name = port.name.clone();
        c.state = to_np_state(desired.interface(&port.name).unwrap_or(port).state_or_up());
        c.controller = Some(ctrl.name.clone());
        iface::port_conf(ctrl, &mut c);
        changes.push(format!("attach {} to {} again", port.name, ctrl.name));
        again.push(c);
    }
    apply_ifaces(again).await?;
    apply_ifaces(late).await?;
    // Bridge ports' VLANs, once every port is attached.
    iface::apply_port_vlans(desired).await?;
    ip::after_create(&desired.interfaces)?;
    for want in desired.interfaces.iter().filter(|i| {
        !i.is_absent()
            && i.state != Some(InterfaceState::Ignore)
            && current.interface(&i.name).is_none()
    }) {
        crate::autoconf::apply(want, ra.table_bound(want, rollback)).await?;
    }

    lap.done("ports, VLAN filtering, autoconf");

    // 5. Route additions, and the static routes the kernel removed along
    //    with an address or a link change (see `routes_kept`).
    // Read only when a route is wanted or one the apply must keep runs
    // through a touched interface: otherwise nothing below looks at it
    // (thousands of VLANs made this read a good part of an apply).
    let kept = routes_kept(desired, &current, &touched);
    let after = if config.iter().any(|r| !r.is_absent()) || !kept.is_empty() {
        query_routes().await?
    } else {
        current.routes.clone()
    };
    lap.done("query routes");
    let running = after.running.as_deref().unwrap_or(&[]);
    let mut routes = Vec::new();
    for r in routes_missing(config, running) {
        routes.push(r);
        changes.push(format!("add route {r}"));
    }
    for &r in &survivors {
        if !routes.iter().any(|x| x.same_place(r) && x.weight.is_some()) {
            routes.push(r);
            changes.push(format!(
                "put back route {r}, another next hop of its multipath route was removed"
            ));
        }
    }
    let lost: Vec<&Route> = kept
        .into_iter()
        .filter(|r| !running.iter().any(|x| r.matches(x)))
        .collect();
    for r in &lost {
        if !routes_missing(config, running).contains(r) {
            routes.push(r);
            changes.push(format!(
                "put back route {r}, removed by the kernel with the change"
            ));
        }
    }
    route::send(&routes, false, hops_of).await.map_err(|e| {
        if lost.is_empty() {
            e
        } else {
            Error::new(
                e.kind(),
                format!("{e} (putting back static routes the kernel removed with the change)"),
            )
        }
    })?;
    // 6. Rule additions (after the routes they lead to).
    let new_rules = rules_missing(rules, cur_rules);
    changes.extend(new_rules.iter().map(|r| format!("add rule {r}")));
    route_rule::apply(&[], &new_rules).await?;
    lap.done("add routes and rules");
    Ok(changes)
}

/// Logs (debug) how long each step of an apply took: where its time goes,
/// for operators and the benchmarks.
struct Lap(Instant);

impl Lap {
    fn new() -> Self {
        Self(Instant::now())
    }

    /// Logs the time since the last step as step `what`'s.
    fn done(&mut self, what: &str) {
        let now = Instant::now();
        tracing::debug!(
            "apply: {what} took {:.1} ms",
            (now - self.0).as_secs_f64() * 1000.0
        );
        self.0 = now;
    }
}

/// The static routes `before` had through an interface of `touched` that
/// the apply did not remove on purpose: the kernel flushes routes whose
/// gateway was reachable through an address that went, or whose link went
/// down and up, and the apply puts back those a query after the interface
/// changes no longer has. Interfaces left down can't take routes.
fn routes_kept<'a>(
    desired: &NetworkState,
    before: &'a NetworkState,
    touched: &[&Interface],
) -> Vec<&'a Route> {
    let up: HashSet<&str> = touched
        .iter()
        .filter(|i| i.state_or_up() == InterfaceState::Up)
        .map(|i| i.name.as_str())
        .collect();
    routes_kept_through(desired, before, |i| up.contains(i))
}

fn to_np_state(s: InterfaceState) -> IfaceState {
    match s {
        InterfaceState::Down => IfaceState::Down,
        InterfaceState::Absent => IfaceState::Absent,
        _ => IfaceState::Up,
    }
}

/// As [`apply_ifaces`]; an error names what the call was changing (`what`:
/// `op0: mtu desired 70000000, current 1500`, `create veth v1`).
async fn apply_ifaces_changing(confs: Vec<IfaceConf>, what: &[String]) -> Result<()> {
    apply_ifaces(confs).await.map_err(|e| {
        if what.is_empty() {
            e
        } else {
            Error::new(e.kind(), format!("{e} (changing {})", what.join("; ")))
        }
    })
}

/// Applies `confs` in one nispor call (nothing if empty).
pub(crate) async fn apply_ifaces(confs: Vec<IfaceConf>) -> Result<()> {
    if confs.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = confs.iter().map(|c| c.name.clone()).collect();
    let mut net = NetConf::default();
    net.ifaces = Some(confs);
    net.apply_async()
        .await
        .map_err(|e| from_nispor(&format!("applying interfaces {}", names.join(", ")), e))
}

/// nispor's conf for `want` (`cur`: its current state, `None` to create
/// it), the addresses to remove first and those to add after (see
/// [`ip::conf`]): the common link properties here, the type's own by its
/// module.
fn iface_conf(
    want: &Interface,
    cur: Option<&Interface>,
    desired: &NetworkState,
) -> Result<(IfaceConf, Vec<IpAddress>, Vec<IpAddress>)> {
    let mut c = IfaceConf::default();
    c.name = want.name.clone();
    c.state = to_np_state(want.state_or_up());
    c.mtu = want.mtu;
    c.mac_address = want.mac_address.clone();
    if let Some(ctrl) = &want.controller {
        let cur_ctrl = cur.and_then(|c| c.controller.clone()).unwrap_or_default();
        if *ctrl != cur_ctrl {
            c.controller = Some(ctrl.clone());
        }
    }
    iface::conf(want, cur, desired, &mut c)?;
    let mut removals = Vec::new();
    let mut additions = Vec::new();
    for (w, h) in [
        (&want.ipv4, cur.and_then(|c| c.ipv4.as_ref())),
        (&want.ipv6, cur.and_then(|c| c.ipv6.as_ref())),
    ] {
        if let Some((add, gone)) = w.as_ref().and_then(|w| ip::conf(w, h)) {
            additions.extend(add);
            removals.extend(gone);
        }
    }
    Ok((c, removals, additions))
}
