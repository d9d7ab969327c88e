//! `network.query`: the kernel's state, read with nispor, in the shared
//! schema. The common properties of a link are read here, addresses in
//! [`crate::ip`], routes in [`crate::route`], rules in
//! [`crate::route_rule`], and each type's own
//! properties by its module in [`crate::iface`].

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{Interface, InterfaceState, NetworkState, Routes},
};
use nispor::{
    Iface, IfaceFlag, NetState, NetStateFilter, NetStateIfaceFilter, NetStateRouteFilter,
    NetStateRouteRuleFilter,
};

use crate::{
    error::from_nispor,
    iface,
    inet6_conf::Inet6Settings,
    ip::{self, AddressDump},
    route, route_rule,
};

/// Queries the kernel: every interface (or only `only`, with the routes
/// through it) and the routes.
pub async fn query(only: Option<&str>) -> Result<NetworkState> {
    let mut filter = NetStateFilter::minimum();
    let mut iface_filter = NetStateIfaceFilter::minimum();
    // The addresses come from our own dump (ip::AddressDump): nispor's
    // also reads every interface's `forwarding` sysctl.
    iface_filter.include_bridge_vlan = true;
    filter.iface = Some(iface_filter);
    filter.route = Some(NetStateRouteFilter::default());
    filter.route_rule = Some(NetStateRouteRuleFilter::default());
    let np = NetState::retrieve_with_filter_async(&filter)
        .await
        .map_err(|e| from_nispor("querying the kernel with nispor", e))?;
    let addresses = AddressDump::read()?;
    let mut state = convert(&np, &addresses);
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

/// Only the routes (`config` and `running`): nispor then reads the links'
/// names alone, not their addresses or properties, and none is converted
/// (an apply's last query, with many interfaces, was a whole one).
pub async fn query_routes() -> Result<Routes> {
    let mut filter = NetStateFilter::minimum();
    filter.route = Some(NetStateRouteFilter::default());
    let np = NetState::retrieve_with_filter_async(&filter)
        .await
        .map_err(|e| from_nispor("querying the kernel's routes with nispor", e))?;
    Ok(route::query(&np))
}

/// Converts nispor's state into the schema (sorted).
fn convert(np: &NetState, addresses: &AddressDump) -> NetworkState {
    let inet6 = Inet6Settings::read();
    // Sorted before they are converted: moving references, not whole
    // interfaces (with hundreds, sorting those was 4 % of a query).
    let mut links: Vec<&Iface> = np.ifaces.values().collect();
    links.sort_by(|a, b| a.name.cmp(&b.name));
    let interfaces: Vec<Interface> = links
        .into_iter()
        .map(|i| interface(i, np, addresses, &inet6))
        .collect();
    NetworkState {
        interfaces,
        routes: route::query(np),
        route_rules: route_rule::query(np),
        ..NetworkState::default()
    }
}

/// One interface: the common properties, then its type's own.
fn interface(
    i: &Iface,
    np: &NetState,
    addresses: &AddressDump,
    inet6: &Inet6Settings,
) -> Interface {
    let (iface_type, kind) = iface::by_nispor_type(&i.iface_type);
    let (ipv4, ipv6) = ip::query(i, addresses, inet6);
    let mut iface = Interface {
        name: i.name.clone(),
        iface_type: Some(iface_type),
        state: Some(if i.flags.contains(&IfaceFlag::Up) {
            InterfaceState::Up
        } else {
            InterfaceState::Down
        }),
        mtu: u32::try_from(i.mtu).ok(),
        mac_address: (!i.mac_address.is_empty()).then(|| i.mac_address.to_uppercase()),
        controller: i.controller.clone(),
        ipv4: Some(ipv4),
        ipv6: Some(ipv6),
        accept_all_mac_addresses: Some(i.flags.contains(&IfaceFlag::Promisc)),
        ..Interface::default()
    };
    if let Some(kind) = kind {
        kind.query(i, np, &mut iface);
    }
    iface
}
