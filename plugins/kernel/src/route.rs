//! Routes both ways: the kernel's unicast routes (main and other tables,
//! not `local`) and its blackhole, unreachable and prohibit routes in the
//! schema; a desired route, or a DHCP lease's (`kernel.ip.change`), added
//! or removed by netlink ([`send`], [`send_from`]: any table, the route's
//! type, source and metrics; nispor's conf has tables up to 255 and no
//! types or metrics).
//!
//! [`message`] is the one builder of route requests: the routes of router
//! advertisements (`crate::ra_routes`, [`Origin::Ra`], with an expiry) are
//! built by it too.

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
    error::from_netlink,
    netlink::{Connection, done_if},
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
    /// A router advertisement's (`crate::ra_routes`): protocol `ra` both
    /// ways, so that removing one never takes a route of another origin.
    Ra,
}

/// What a request does with a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Request {
    /// Adds it; with `expires`, for that many seconds (`RTA_EXPIRES`:
    /// IPv6 only).
    Add {
        expires: Option<u32>,
    },
    Remove,
}

/// The index of `r`'s next hop interface, as its request names it: none
/// for a hop of a multipath route (each hop names its own).
fn oif_of(r: &Route) -> Result<Option<u32>> {
    match &r.next_hop_interface {
        Some(dev) if r.weight.is_none() => index_of(dev).map(Some),
        _ => Ok(None),
    }
}

/// The netlink message that does `request` with `r`, through interface
/// `oif` (`r`'s next hop interface looked up, or known to the caller). A
/// removal names scope `nowhere` (any) and no metrics, and no protocol
/// for a desired state's route (as `ip route del`: a `boot` route, from
/// `ip route add`, is removed too).
pub(crate) fn message(
    r: &Route,
    oif: Option<u32>,
    request: Request,
    origin: Origin,
) -> Result<RouteMessage> {
    let remove = request == Request::Remove;
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
    if let Some(index) = oif {
        m.attributes.push(RouteAttribute::Oif(index));
    }
    if r.weight.is_none()
        && let Some(gw) = r.next_hop_address
    {
        m.attributes.push(RouteAttribute::Gateway(gw.into()));
    }
    if let Some(metric) = r.metric {
        m.attributes.push(RouteAttribute::Priority(metric));
    }
    let protocol = match origin {
        Origin::State if remove => NlProtocol::Unspec,
        Origin::State => NlProtocol::Static,
        Origin::Dhcp => NlProtocol::Dhcp,
        Origin::Ra => NlProtocol::Ra,
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
    if let Request::Add {
        expires: Some(seconds),
    } = request
    {
        m.attributes.push(RouteAttribute::Expires(seconds));
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
    let mut m = message(
        first,
        oif_of(first)?,
        Request::Add { expires: None },
        Origin::State,
    )?;
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
    let handle = Connection::open()?;
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
        let single = |request| oif_of(r).and_then(|oif| message(r, oif, request, origin));
        let sent = if remove {
            let m = single(Request::Remove).map_err(named)?;
            handle.route().del(m).execute().await
        } else if r.weight.is_some() {
            let hops = hops_of(r);
            let hops: Vec<&Route> = hops.iter().collect();
            let m = multipath_message(&hops).map_err(named)?;
            handle.route().add(m).replace().execute().await
        } else {
            let m = single(Request::Add { expires: None }).map_err(named)?;
            handle.route().add(m).execute().await
        };
        let sent = if remove {
            done_if(libc::ESRCH, sent)
        } else if origin == Origin::Dhcp {
            done_if(libc::EEXIST, sent)
        } else {
            sent
        };
        sent.map_err(|e| from_netlink(&what, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netlink::{Connection, tests::in_netns};

    /// An advertisement's route as `crate::ra_routes` asks for it.
    fn ra_route(dst: &str) -> Route {
        Route {
            destination: Some(dst.into()),
            next_hop_interface: Some("d0".into()),
            next_hop_address: Some("fe80::1".parse().unwrap()),
            metric: Some(1024),
            table_id: Some(1000),
            ..Route::default()
        }
    }

    #[test]
    fn an_expiry_goes_only_in_an_add() {
        let r = ra_route("2001:db8:1::/64");
        let expires = |m: &RouteMessage| {
            m.attributes.iter().find_map(|a| match a {
                RouteAttribute::Expires(s) => Some(*s),
                _ => None,
            })
        };
        let add = message(&r, Some(7), Request::Add { expires: Some(600) }, Origin::Ra).unwrap();
        assert_eq!(expires(&add), Some(600));
        assert_eq!(add.header.protocol, NlProtocol::Ra);
        assert_eq!(add.header.scope, RouteScope::Universe);
        assert_eq!(add.header.table, RouteHeader::RT_TABLE_UNSPEC, "1000 > 255");
        assert!(add.attributes.contains(&RouteAttribute::Table(1000)));
        assert!(add.attributes.contains(&RouteAttribute::Oif(7)));
        let forever = message(&r, Some(7), Request::Add { expires: None }, Origin::Ra).unwrap();
        assert_eq!(expires(&forever), None);
        let remove = message(&r, Some(7), Request::Remove, Origin::Ra).unwrap();
        assert_eq!(expires(&remove), None);
        assert_eq!(remove.header.protocol, NlProtocol::Ra, "only ours");
        assert_eq!(remove.header.scope, RouteScope::NoWhere);
        let state = message(&r, Some(7), Request::Remove, Origin::State).unwrap();
        assert_eq!(state.header.protocol, NlProtocol::Unspec, "any protocol");
    }

    /// In the kernel: an advertisement's route is added with its expiry and
    /// protocol `ra`, and a removal of origin `ra` leaves a route of the
    /// same place that `ip route add` made.
    #[test]
    fn an_ra_removal_takes_only_ra_routes() {
        in_netns(async |ns| {
            ns.ip("link add d0 type veth peer name d1");
            ns.ip("link set d0 up");
            let index = index_of("d0").unwrap();
            let conn = Connection::open().unwrap();
            let ours = ra_route("2001:db8:1::/64");
            let add = Request::Add { expires: Some(600) };
            let m = message(&ours, Some(index), add, Origin::Ra).unwrap();
            conn.route().add(m).execute().await.unwrap();
            ns.ip("-6 route add 2001:db8:2::/64 via fe80::1 dev d0 table 1000 metric 1024");
            let shown = ns.routes("-6", "1000");
            let line = shown
                .iter()
                .find(|l| l.starts_with("2001:db8:1::/64 via fe80::1 dev d0"))
                .unwrap_or_else(|| panic!("the route added: {shown:?}"));
            assert!(
                line.contains("proto ra") && line.contains("expires"),
                "{line}"
            );
            for dst in ["2001:db8:1::/64", "2001:db8:2::/64"] {
                let m = message(&ra_route(dst), Some(index), Request::Remove, Origin::Ra).unwrap();
                let sent =
                    crate::netlink::done_if(libc::ESRCH, conn.route().del(m).execute().await);
                sent.unwrap();
            }
            let left = ns.routes("-6", "1000");
            assert_eq!(left.len(), 1, "{left:?}");
            assert!(
                left[0].starts_with("2001:db8:2::/64 via fe80::1"),
                "{left:?}"
            );
        });
    }
}
