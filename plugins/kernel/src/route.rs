//! Routes both ways: the kernel's unicast routes (main and other tables,
//! not `local`) in the schema, and nispor's conf for a desired route.

use std::net::IpAddr;

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{MAIN_TABLE, Route, Routes, canonical_network, is_link_local},
};
use nispor::{AddressFamily, NetConf, NetState, RouteConf, RouteProtocol, RouteType};

use crate::error::from_nispor;

/// The local routing table: never reported.
const LOCAL_TABLE: u32 = 255;

/// The routes of `np`: every one in `running`, the static ones (protocol
/// `static` or `boot`) in `config` too; sorted. IPv6 link-local routes
/// (`fe80::/64` of every IPv6 interface) are left out.
pub(crate) fn query(np: &NetState) -> Routes {
    let mut running: Vec<Route> = Vec::new();
    let mut config: Vec<Route> = Vec::new();
    for r in &np.routes {
        if r.route_type != RouteType::Unicast || r.table == LOCAL_TABLE {
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
        let route = Route {
            state: None,
            destination: Some(format!("{net}/{len}")),
            next_hop_interface: r.oif.clone(),
            next_hop_address: r
                .gateway
                .as_deref()
                .or(r.via.as_deref())
                .and_then(|g| g.parse::<IpAddr>().ok()),
            metric: Some(r.metric.unwrap_or(0)),
            table_id: Some(r.table),
        };
        if matches!(r.protocol, RouteProtocol::Static | RouteProtocol::Boot) {
            config.push(route.clone());
        }
        running.push(route);
    }
    config.sort();
    running.sort();
    Routes {
        config: Some(config),
        running: Some(running),
    }
}

/// nispor's conf that adds (or with `remove`, removes) `r`.
pub(crate) fn conf(r: &Route, remove: bool) -> Result<RouteConf> {
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
    if remove {
        // nispor's default protocol is `static`, and the kernel deletes
        // only a route of the protocol a request names: `unspec` names
        // none, so that a `boot` route (`ip route add`) is removed too.
        c.protocol = Some(RouteProtocol::Unspec);
    }
    Ok(c)
}

/// Applies `routes`, one nispor call each, so that an error names the
/// route the kernel refused (`applying routes: adding 198.51.100.0/24 via
/// 192.0.2.1 dev eth1: … Network is unreachable`); the ones before it
/// stay, as they did in one call.
pub(crate) async fn apply(routes: Vec<RouteConf>) -> Result<()> {
    for route in routes {
        let what = describe_conf(&route);
        let mut net = NetConf::default();
        net.routes = Some(vec![route]);
        net.apply_async()
            .await
            .map_err(|e| from_nispor(&format!("applying routes: {what}"), e))?;
    }
    Ok(())
}

/// `adding 198.51.100.0/24 via 192.0.2.1 dev eth1 metric 100 table 200`.
fn describe_conf(c: &RouteConf) -> String {
    let mut s = format!(
        "{} {}",
        if c.remove { "removing" } else { "adding" },
        if c.dst.is_empty() { "*" } else { &c.dst }
    );
    if let Some(via) = &c.via {
        s.push_str(&format!(" via {via}"));
    }
    if let Some(dev) = &c.oif {
        s.push_str(&format!(" dev {dev}"));
    }
    if let Some(m) = c.metric {
        s.push_str(&format!(" metric {m}"));
    }
    if let Some(t) = c.table.filter(|t| u32::from(*t) != MAIN_TABLE) {
        s.push_str(&format!(" table {t}"));
    }
    s
}
