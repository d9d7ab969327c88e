//! `kernel.ip.change`: add or remove single addresses and routes on one
//! interface, leaving everything else alone. The `dhcp` plugin applies its
//! leases this way; a desired state can't say "this address too" because
//! its `address` list is complete. Routes go by netlink with protocol
//! `dhcp` ([`route::send_from`]): any table, as a desired state's.

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{DynamicAddress, IpAddress, IpChange, IpRoute, Route},
};
use nispor::{IfaceConf, IfaceState, IpAddrConf, IpConf};

use crate::{
    address,
    apply::apply_ifaces,
    route::{self, Origin},
};

/// Applies `change`; returns what changed, one line each.
pub async fn apply(change: &IpChange) -> Result<Vec<String>> {
    let iface = change.interface.as_str();
    nipart_plugin_api::state::check_interface_name(iface, "interface")?;
    // Check everything before changing anything.
    for a in change.add_addresses.iter().chain(&change.remove_addresses) {
        let max = if a.ip.is_ipv4() { 32 } else { 128 };
        if a.prefix_length > max {
            return Err(Error::invalid_input(format!(
                "address {}/{} on {iface}: the prefix length is above {max}",
                a.ip, a.prefix_length
            )));
        }
    }
    let mut changes = Vec::new();

    // Routes first when removing (they may go through the address), last
    // when adding (the gateway must be reachable through the address).
    let removals: Vec<Route> = change
        .remove_routes
        .iter()
        .map(|r| schema_route(iface, r))
        .collect::<Result<_>>()?;
    let additions: Vec<Route> = change
        .add_routes
        .iter()
        .map(|r| schema_route(iface, r))
        .collect::<Result<_>>()?;
    for r in &change.remove_routes {
        changes.push(format!("remove route {}", describe(iface, r)));
    }
    let removals: Vec<&Route> = removals.iter().collect();
    route::send_from(Origin::Dhcp, &removals, true, |_| Vec::new()).await?;

    // Removed exactly (see `address::remove`), then added.
    for a in &change.remove_addresses {
        changes.push(format!(
            "remove address {}/{} on {iface}",
            a.ip, a.prefix_length
        ));
    }
    let removals: Vec<IpAddress> = change
        .remove_addresses
        .iter()
        .map(|a| IpAddress {
            ip: a.ip,
            prefix_length: a.prefix_length,
        })
        .collect();
    address::remove(iface, &removals).await?;
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for a in &change.add_addresses {
        changes.push(format!(
            "add address {}/{} on {iface}",
            a.ip, a.prefix_length
        ));
        let c = address_conf(a);
        if a.ip.is_ipv4() {
            v4.push(c)
        } else {
            v6.push(c)
        }
    }
    if !v4.is_empty() || !v6.is_empty() {
        let mut c = IfaceConf::default();
        c.name = iface.to_string();
        // Leave the link's up/down state alone.
        c.state = IfaceState::Unknown;
        if !v4.is_empty() {
            let mut ip = IpConf::default();
            ip.addresses = v4;
            c.ipv4 = Some(ip);
        }
        if !v6.is_empty() {
            let mut ip = IpConf::default();
            ip.addresses = v6;
            c.ipv6 = Some(ip);
        }
        apply_ifaces(vec![c]).await?;
    }

    for r in &change.add_routes {
        changes.push(format!("add route {}", describe(iface, r)));
    }
    let additions: Vec<&Route> = additions.iter().collect();
    route::send_from(Origin::Dhcp, &additions, false, |_| Vec::new())
        .await
        .map_err(|e| {
            // Adding through a missing interface is a bad request (nispor's
            // route conf said so too); removing there finds nothing.
            if e.kind() == ErrorKind::NotFound {
                Error::invalid_input(e.message())
            } else {
                e
            }
        })?;
    Ok(changes)
}

/// `198.51.100.0/24 via 192.0.2.1 dev eth1 metric 100 table 200`.
fn describe(iface: &str, r: &IpRoute) -> String {
    let mut s = match r.gateway {
        Some(g) => format!("{} via {g} dev {iface}", r.destination),
        None => format!("{} dev {iface}", r.destination),
    };
    if let Some(m) = r.metric {
        s.push_str(&format!(" metric {m}"));
    }
    if let Some(t) = r.table {
        s.push_str(&format!(" table {t}"));
    }
    s
}

fn address_conf(a: &DynamicAddress) -> IpAddrConf {
    let mut c = IpAddrConf::default();
    c.address = a.ip.to_string();
    c.prefix_len = a.prefix_length;
    // nispor's lifetime syntax; "forever" (the default) when not given.
    let lft = |s: Option<u32>| s.map_or_else(|| "forever".to_string(), |s| format!("{s}sec"));
    c.valid_lft = lft(a.valid_lifetime);
    c.preferred_lft = lft(a.preferred_lifetime.or(a.valid_lifetime));
    c
}

/// `r` through `iface` as the schema has it (what [`route::send_from`]
/// takes), its destination checked.
fn schema_route(iface: &str, r: &IpRoute) -> Result<Route> {
    let (net, len) =
        nipart_plugin_api::state::canonical_network(&r.destination).ok_or_else(|| {
            Error::invalid_input(format!(
                "route destination {:?} on {iface} is not ADDRESS/PREFIX-LENGTH",
                r.destination
            ))
        })?;
    Ok(Route {
        destination: Some(format!("{net}/{len}")),
        next_hop_interface: Some(iface.to_string()),
        next_hop_address: r.gateway,
        metric: r.metric,
        table_id: r.table,
        ..Route::default()
    })
}
