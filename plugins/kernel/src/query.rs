//! `network.query`: the kernel's state in the shared schema. The links
//! come from one dump of the plugin's own ([`crate::link_dump`]) and their
//! common properties are read here; addresses in [`crate::ip`] (from a dump
//! of its own too); routes in [`crate::route`] and rules in
//! [`crate::route_rule`] (read by nispor, naming interfaces from the link
//! dump); each type's own properties by its module in [`crate::iface`],
//! from the link dump or, for the types that say so, from nispor's view of
//! the links (asked for only when such a link exists).

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{Interface, InterfaceState, NetworkState, Routes},
};
use nispor::{Iface, NetState, NetStateFilter, NetStateIfaceFilter, NetStateRouteFilter};

use crate::{
    error::from_nispor,
    iface::{self, Queried},
    ip::{self, AddressDump},
    link_dump::{Link, LinkDump},
    route, route_rule,
};

/// Queries the kernel: every interface (or only `only`, with the routes
/// through it) and the routes.
pub async fn query(only: Option<&str>) -> Result<NetworkState> {
    let links = LinkDump::read()?;
    let addresses = AddressDump::read()?;
    let nispor_links = if links
        .links()
        .iter()
        .any(|l| iface::by_link(l).1.is_some_and(|k| k.reads_nispor()))
    {
        let mut filter = NetStateFilter::minimum();
        let mut iface_filter = NetStateIfaceFilter::minimum();
        iface_filter.include_bridge_vlan = true;
        filter.iface = Some(iface_filter);
        Some(
            NetState::retrieve_with_filter_async(&filter)
                .await
                .map_err(|e| from_nispor("querying the kernel's links with nispor", e))?,
        )
    } else {
        None
    };
    let routes = routes_and_rules(&links, true).await?;
    let mut state = convert(&links, &addresses, nispor_links.as_ref(), &routes);
    if let Some(name) = only {
        if state.interface(name).is_none() {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("no interface named {name:?}"),
            ));
        }
        state.interfaces.retain(|i| i.name == name);
        for list in [&mut state.routes.config, &mut state.routes.running]
            .into_iter()
            .flatten()
        {
            list.retain(|r| r.next_hop_interface.as_deref() == Some(name));
        }
        if let Some(rules) = &mut state.route_rules.config {
            rules.retain(|r| r.iif.as_deref() == Some(name) || r.oif.as_deref() == Some(name));
        }
    }
    Ok(state)
}

/// Only the routes (`config` and `running`): the links are read for their
/// names alone, and none is converted (an apply's last query, with many
/// interfaces, was a whole one).
pub async fn query_routes() -> Result<Routes> {
    let links = LinkDump::read()?;
    Ok(route::query(&routes_and_rules(&links, false).await?))
}

/// nispor's read of the routes (and with `rules`, the rules), their
/// interfaces named from `links`.
async fn routes_and_rules(links: &LinkDump, rules: bool) -> Result<NetState> {
    NetState::retrieve_routes_async(
        &links.name_to_index(),
        Some(&NetStateRouteFilter::default()),
        rules,
    )
    .await
    .map_err(|e| from_nispor("querying the kernel's routes with nispor", e))
}

/// Converts the links (with nispor's view of those whose type reads it)
/// and the routes into the schema (sorted).
fn convert(
    links: &LinkDump,
    addresses: &AddressDump,
    nispor_links: Option<&NetState>,
    routes: &NetState,
) -> NetworkState {
    let interfaces: Vec<Interface> = links
        .links()
        .iter()
        .map(|l| interface(l, links, nispor_links, addresses))
        .collect();
    NetworkState {
        interfaces,
        routes: route::query(routes),
        route_rules: route_rule::query(routes),
        ..NetworkState::default()
    }
}

/// One interface: the common properties, then its type's own.
fn interface(
    link: &Link,
    links: &LinkDump,
    nispor_links: Option<&NetState>,
    addresses: &AddressDump,
) -> Interface {
    let (iface_type, kind) = iface::by_link(link);
    let (ipv4, ipv6) = ip::query(link, addresses);
    let mut iface = Interface {
        name: link.name.clone(),
        iface_type: Some(iface_type),
        state: Some(if link.is_up() {
            InterfaceState::Up
        } else {
            InterfaceState::Down
        }),
        mtu: Some(link.mtu),
        mac_address: link.mac_address.as_ref().map(|m| m.to_uppercase()),
        controller: link.controller.map(|c| links.name_of(c)),
        ipv4: Some(ipv4),
        ipv6: Some(ipv6),
        accept_all_mac_addresses: Some(link.is_promiscuous()),
        ..Interface::default()
    };
    if let Some(kind) = kind {
        let q = Queried {
            link,
            links,
            nispor: nispor_links
                .and_then(|all| all.ifaces.get(&link.name).map(|np: &Iface| (np, all))),
        };
        kind.query(&q, &mut iface);
    }
    iface
}
