//! The one change this plugin makes to the kernel itself: removing a
//! lease's address and routes when the kernel role can't (it has stopped
//! already at daemon shutdown). Everything else goes through role `kernel`.

use nipart_plugin_api::{
    Error, Result,
    state::{IpChange, IpRoute, canonical_network},
};
use nispor::{IfaceConf, IfaceState, IpAddrConf, IpConf, NetConf};
use rtnetlink::{
    Handle, RouteMessageBuilder,
    packet_route::route::{RouteProtocol, RouteScope},
};

/// Removes the addresses and routes `change` lists for removal (one that
/// is not there is not an error).
pub async fn remove(change: &IpChange) -> Result<()> {
    let iface = &change.interface;
    if !change.remove_routes.is_empty() {
        // By netlink (rtnetlink's message builder), as role `kernel` does:
        // nispor's route conf has 8-bit tables.
        let index = crate::nak::interface_index(iface)
            .map_err(|e| Error::other(format!("{iface}: removing the routes directly: {e}")))?;
        let (conn, handle, _) = rtnetlink::new_connection()
            .map_err(|e| Error::other(format!("{iface}: opening a netlink socket: {e}")))?;
        let conn = tokio::spawn(conn);
        let mut result = Ok(());
        for r in &change.remove_routes {
            result = remove_route(&handle, index, r).await.map_err(|e| {
                Error::other(format!(
                    "{iface}: removing the route {} directly: {e}",
                    r.destination
                ))
            });
            if result.is_err() {
                break;
            }
        }
        conn.abort();
        result?;
    }
    if !change.remove_addresses.is_empty() {
        // Each family under its own key (a DHCPv6 lease's address too).
        let family = |v6: bool| {
            let addresses: Vec<IpAddrConf> = change
                .remove_addresses
                .iter()
                .filter(|a| a.ip.is_ipv6() == v6)
                .map(|a| {
                    let mut c = IpAddrConf::default();
                    c.remove = true;
                    c.address = a.ip.to_string();
                    c.prefix_len = a.prefix_length;
                    c
                })
                .collect();
            (!addresses.is_empty()).then(|| {
                let mut ip = IpConf::default();
                ip.addresses = addresses;
                ip
            })
        };
        let mut c = IfaceConf::default();
        c.name = iface.clone();
        c.state = IfaceState::Unknown;
        c.ipv4 = family(false);
        c.ipv6 = family(true);
        let mut net = NetConf::default();
        net.ifaces = Some(vec![c]);
        net.apply_async()
            .await
            .map_err(|e| Error::other(format!("{iface}: removing the address directly: {e}")))?;
    }
    Ok(())
}

/// Removes the lease's route `r` through the interface of `index`, in
/// whatever table it went: protocol `dhcp` (never a static route of the
/// same place), any scope. One gone already is not an error.
async fn remove_route(handle: &Handle, index: u32, r: &IpRoute) -> std::result::Result<(), String> {
    let (dst, len) =
        canonical_network(&r.destination).ok_or("not ADDRESS/PREFIX-LENGTH".to_string())?;
    let mut b = RouteMessageBuilder::<std::net::IpAddr>::new()
        .destination_prefix(dst, len)
        .map_err(|e| e.to_string())?
        .output_interface(index)
        .protocol(RouteProtocol::Dhcp)
        .scope(RouteScope::NoWhere);
    // 0 and none: main, as role `kernel` takes them.
    if let Some(t) = r.table.filter(|t| *t != 0) {
        b = b.table_id(t);
    }
    if let Some(m) = r.metric {
        b = b.priority(m);
    }
    if let Some(g) = r.gateway {
        b = b.gateway(g).map_err(|e| e.to_string())?;
    }
    match handle.route().del(b.build()).execute().await {
        Err(rtnetlink::Error::NetlinkError(e)) if e.raw_code() == -libc::ESRCH => Ok(()),
        Err(e) => Err(e.to_string()),
        Ok(()) => Ok(()),
    }
}
