//! Routes both ways: the kernel's unicast routes (main and other tables,
//! not `local`) and its blackhole, unreachable and prohibit routes in the
//! schema; a desired route, or a DHCP lease's (`kernel.ip.change`), added
//! or removed by netlink ([`send`], [`send_from`]: any table, the route's
//! type, source and metrics; nispor's conf has tables up to 255 and no
//! types or metrics).

use std::net::IpAddr;

use nipart_plugin_api::{
    Result,
    state::{Route, RouteType as Type, Routes, canonical_network, is_link_local},
};
use nispor::{AddressFamily, NetState, RouteFlag, RouteProtocol, RouteType};
use rtnetlink::packet_route::{
    AddressFamily as NlFamily,
    route::{
        RouteAttribute, RouteFlags, RouteHeader, RouteMessage, RouteMetric, RouteNextHop,
        RouteNextHopFlags, RouteProtocol as NlProtocol, RouteScope, RouteType as NlType,
    },
};

use crate::{
    address::index_of,
    error::{from_io, from_netlink},
};

/// The local routing table: never reported.
const LOCAL_TABLE: u32 = 255;

/// The routes of `np`: every one in `running`, the static ones (protocol
/// `static` or `boot`) in `config` too; sorted. IPv6 link-local routes
/// (`fe80::/64` of every IPv6 interface) are left out.
pub(crate) fn query(np: &NetState) -> Routes {
    let mut running: Vec<Route> = Vec::new();
    let mut config: Vec<Route> = Vec::new();
    for r in &np.routes {
        let route_type = match r.route_type {
            RouteType::Unicast => None,
            RouteType::BlackHole => Some(Type::Blackhole),
            RouteType::Unreachable => Some(Type::Unreachable),
            RouteType::Prohibit => Some(Type::Prohibit),
            _ => continue,
        };
        if r.table == LOCAL_TABLE {
            continue;
        }
        let v6 = r.address_family == AddressFamily::Ipv6;
        let dst = r.dst.clone().unwrap_or_else(|| {
            if v6 {
                "::/0".into()
            } else {
                "0.0.0.0/0".into()
            }
        });
        let Some((net, len)) = canonical_network(&dst) else {
            continue;
        };
        if is_link_local(&net) {
            continue;
        }
        // The kernel's own IPv6 "unreachable" routes (through `lo`, of
        // protocol kernel) are not a user's.
        if route_type.is_some()
            && !matches!(r.protocol, RouteProtocol::Static | RouteProtocol::Boot)
        {
            continue;
        }
        let route = Route {
            state: None,
            destination: Some(format!("{net}/{len}")),
            // A route without a next hop shows `lo` (IPv6): not one.
            next_hop_interface: r.oif.clone().filter(|_| route_type.is_none()),
            next_hop_address: r
                .gateway
                .as_deref()
                .or(r.via.as_deref())
                .and_then(|g| g.parse::<IpAddr>().ok()),
            metric: Some(r.metric.unwrap_or(0)),
            table_id: Some(r.table),
            route_type,
            source: r.prefered_src.as_deref().and_then(|s| s.parse().ok()),
            cwnd: r.cwnd,
            initcwnd: r.initcwnd,
            initrwnd: r.initrwnd,
            mtu: r.mtu,
            onlink: r.flags.contains(&RouteFlag::Onlink).then_some(true),
            weight: None,
        };
        // A multipath route is one route per next hop, with its weight,
        // as nmstate shows it.
        let hops: Vec<Route> = match &r.multipath {
            Some(hops) if !hops.is_empty() => hops
                .iter()
                .map(|h| Route {
                    next_hop_interface: Some(h.iface.clone()),
                    next_hop_address: h.via.parse().ok(),
                    weight: Some(h.weight),
                    ..route.clone()
                })
                .collect(),
            _ => vec![route],
        };
        if matches!(r.protocol, RouteProtocol::Static | RouteProtocol::Boot) {
            config.extend(hops.iter().cloned());
        }
        running.extend(hops);
    }
    config.sort();
    running.sort();
    Routes {
        config: Some(config),
        running: Some(running),
    }
}

/// Whose routes [`send_from`] adds or removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A desired state's: added with protocol `static`, removed whatever
    /// their protocol (as `ip route del`), so that a `boot` route goes too.
    State,
    /// A DHCP lease's: protocol `dhcp` both ways, so that removing one
    /// never takes a static route of the same place; adding one that is
    /// there already is not an error.
    Dhcp,
}

/// The netlink message that adds (or with `remove`, removes) `r`. A
/// removal names scope `nowhere` (any) and no metrics, and no protocol
/// for a desired state's route (as `ip route del`: a `boot` route, from
/// `ip route add`, is removed too).
fn message(r: &Route, remove: bool, origin: Origin) -> Result<RouteMessage> {
    let mut m = RouteMessage::default();
    let (dst, len) = r
        .destination
        .as_deref()
        .and_then(canonical_network)
        .ok_or_else(|| {
            nipart_plugin_api::Error::invalid_input(format!("route {r}: no destination"))
        })?;
    m.header.address_family = if dst.is_ipv6() {
        NlFamily::Inet6
    } else {
        NlFamily::Inet
    };
    m.header.destination_prefix_length = len;
    m.attributes.push(RouteAttribute::Destination(dst.into()));
    let table = r.table();
    m.header.table = u8::try_from(table).unwrap_or(RouteHeader::RT_TABLE_UNSPEC);
    m.attributes.push(RouteAttribute::Table(table));
    m.header.kind = match r.route_type {
        None => NlType::Unicast,
        Some(Type::Blackhole) => NlType::BlackHole,
        Some(Type::Unreachable) => NlType::Unreachable,
        Some(Type::Prohibit) => NlType::Prohibit,
    };
    if r.weight.is_none() {
        if let Some(dev) = &r.next_hop_interface {
            m.attributes.push(RouteAttribute::Oif(index_of(dev)?));
        }
        if let Some(gw) = r.next_hop_address {
            m.attributes.push(RouteAttribute::Gateway(gw.into()));
        }
    }
    if let Some(metric) = r.metric {
        m.attributes.push(RouteAttribute::Priority(metric));
    }
    let protocol = match origin {
        Origin::State if remove => NlProtocol::Unspec,
        Origin::State => NlProtocol::Static,
        Origin::Dhcp => NlProtocol::Dhcp,
    };
    m.header.protocol = protocol;
    if remove {
        m.header.scope = RouteScope::NoWhere;
        if r.route_type.is_none() {
            m.header.kind = NlType::Unspec;
        }
        return Ok(m);
    }
    // As `ip route add`: a unicast route without a gateway is on the link.
    m.header.scope = if r.route_type.is_none() && r.next_hop_address.is_none() {
        RouteScope::Link
    } else {
        RouteScope::Universe
    };
    if let Some(src) = r.source {
        m.attributes.push(RouteAttribute::PrefSource(src.into()));
    }
    let metrics: Vec<RouteMetric> = [
        r.mtu.map(RouteMetric::Mtu),
        r.cwnd.map(RouteMetric::Cwnd),
        r.initcwnd.map(RouteMetric::InitCwnd),
        r.initrwnd.map(RouteMetric::InitRwnd),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !metrics.is_empty() {
        m.attributes.push(RouteAttribute::Metrics(metrics));
    }
    if r.onlink == Some(true) {
        m.header.flags |= RouteFlags::Onlink;
    }
    Ok(m)
}

/// The message that adds (replacing) the multipath route whose next hops
/// are `hops` (routes of the same place, each with a weight); the first
/// gives the route's own properties.
fn multipath_message(hops: &[&Route]) -> Result<RouteMessage> {
    let Some(first) = hops.first() else {
        return Err(nipart_plugin_api::Error::invalid_input(
            "a multipath route needs next hops",
        ));
    };
    let mut m = message(first, false, Origin::State)?;
    m.header.scope = RouteScope::Universe;
    m.header.flags.remove(RouteFlags::Onlink);
    let mut next = Vec::with_capacity(hops.len());
    for h in hops {
        let mut n = RouteNextHop::default();
        // The kernel counts from 0: weight 1 is 0.
        n.hops = u8::try_from(h.weight.unwrap_or(1).saturating_sub(1)).unwrap_or(u8::MAX);
        if let Some(dev) = &h.next_hop_interface {
            n.interface_index = index_of(dev)?;
        }
        if let Some(gw) = h.next_hop_address {
            n.attributes.push(RouteAttribute::Gateway(gw.into()));
        }
        if h.onlink == Some(true) {
            n.flags |= RouteNextHopFlags::Onlink;
        }
        next.push(n);
    }
    m.attributes.push(RouteAttribute::MultiPath(next));
    Ok(m)
}

/// Adds (`remove`: removes) each of `routes` by netlink, one request each
/// on one socket, so that an error names the route the kernel refused
/// (`applying routes: adding 198.51.100.0/24 via 192.0.2.1 dev eth1: …
/// Network is unreachable`, as nispor's path says it); the ones before it stay. A route gone already is not an
/// error.
///
/// Weighted routes are next hops of multipath routes: adding one replaces
/// the multipath route of its place with every hop of `hops_of` (the
/// desired and kept hops of that place); removing one removes the whole
/// multipath route (the kernel can't remove one hop), and the caller adds
/// back the hops that stay.
pub(crate) async fn send(
    routes: &[&Route],
    remove: bool,
    hops_of: impl Fn(&Route) -> Vec<Route>,
) -> Result<()> {
    send_from(Origin::State, routes, remove, hops_of).await
}

/// [`send`] for routes of `origin`.
pub(crate) async fn send_from(
    origin: Origin,
    routes: &[&Route],
    remove: bool,
    hops_of: impl Fn(&Route) -> Vec<Route>,
) -> Result<()> {
    if routes.is_empty() {
        return Ok(());
    }
    let (conn, handle, _) =
        rtnetlink::new_connection().map_err(|e| from_io("opening a netlink socket", e))?;
    let conn = tokio::spawn(conn);
    let result = async {
        let mut done: Vec<&Route> = Vec::new();
        for r in routes {
            let what = format!(
                "applying routes: {} {r}",
                if remove { "removing" } else { "adding" }
            );
            let named = |e: nipart_plugin_api::Error| {
                nipart_plugin_api::Error::new(e.kind(), format!("{what}: {}", e.message()))
            };
            if r.weight.is_some() {
                // One request for the whole multipath route.
                if done.iter().any(|d| d.weight.is_some() && d.same_place(r)) {
                    continue;
                }
                done.push(r);
            }
            let sent = if remove {
                handle
                    .route()
                    .del(message(r, true, origin).map_err(named)?)
                    .execute()
                    .await
            } else if r.weight.is_some() {
                let hops = hops_of(r);
                let hops: Vec<&Route> = hops.iter().collect();
                let m = multipath_message(&hops).map_err(named)?;
                handle.route().add(m).replace().execute().await
            } else {
                handle
                    .route()
                    .add(message(r, false, origin).map_err(named)?)
                    .execute()
                    .await
            };
            match sent {
                Err(rtnetlink::Error::NetlinkError(ref e))
                    if remove && e.raw_code() == -libc::ESRCH => {}
                Err(rtnetlink::Error::NetlinkError(ref e))
                    if origin == Origin::Dhcp && !remove && e.raw_code() == -libc::EEXIST => {}
                Err(e) => return Err(from_netlink(&what, e)),
                Ok(()) => {}
            }
        }
        Ok(())
    }
    .await;
    conn.abort();
    result
}
