//! The one change this plugin makes to the kernel itself: removing a
//! lease's address and routes when the kernel role can't (it has stopped
//! already at daemon shutdown). Everything else goes through role `kernel`.

use nipart_plugin_api::{Error, Result, state::IpChange};
use nispor::{IfaceConf, IfaceState, IpAddrConf, IpConf, NetConf, RouteConf, RouteProtocol};

/// Removes the addresses and routes `change` lists for removal (one that
/// is not there is not an error).
pub async fn remove(change: &IpChange) -> Result<()> {
    let iface = &change.interface;
    let fail = |what: &str, e: nispor::NisporError| {
        Error::other(format!("{iface}: removing the {what} directly: {e}"))
    };
    if !change.remove_routes.is_empty() {
        let routes = change
            .remove_routes
            .iter()
            .map(|r| {
                let mut c = RouteConf::default();
                c.remove = true;
                c.dst = r.destination.clone();
                c.oif = Some(iface.clone());
                c.via = r.gateway.map(|g| g.to_string());
                c.metric = r.metric;
                // `AutoSettings::of` kept tables within nispor's 8 bits.
                c.table = r.table.and_then(|t| u8::try_from(t).ok());
                c.protocol = Some(RouteProtocol::Dhcp);
                c
            })
            .collect();
        let mut net = NetConf::default();
        net.routes = Some(routes);
        net.apply_async().await.map_err(|e| fail("routes", e))?;
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
        net.apply_async().await.map_err(|e| fail("address", e))?;
    }
    Ok(())
}
