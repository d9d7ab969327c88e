//! `Show` reports DHCP leases: the plugin holding role `dhcp`, when there
//! is one, is asked for the leases it applied, and each goes under its
//! interface's `ipv4.dhcp-lease` (with `ipv4.dhcp: true`), a DHCPv6 one
//! under `ipv6.dhcp-lease` (with `ipv6.dhcp: true`). An interface
//! whose DHCP client runs without a lease yet shows `ipv4.dhcp: true` (and
//! `enabled: true`) too: configured, not yet in effect, so that applying
//! what `Show` printed keeps the client running. Each client's `auto-*`
//! keys (what it does with the lease's routes and host name) go under its
//! `ipv4` too.

use std::time::Duration;

use nipart_plugin_api::{
    Context,
    state::{DhcpLeaseQuery, IpConfig, NetworkState},
};

/// The dhcp plugin answers from memory; a slow one must not hold `Show` up.
const LEASES_TIMEOUT: Duration = Duration::from_secs(2);

/// Merges the leases of role `dhcp` into `state`. Without a dhcp plugin
/// (or when it does not answer) `state` is left as the kernel reported it.
pub async fn merge(ctx: &Context, state: &mut NetworkState, interface: Option<&str>) {
    let query = DhcpLeaseQuery {
        interface: interface.map(str::to_string),
    };
    let list = match ctx.ask_within(&query, LEASES_TIMEOUT).await {
        Ok(list) => list,
        Err(e) => {
            tracing::debug!("show without DHCP leases: {e}");
            return;
        }
    };
    for name in &list.configured {
        if let Some(iface) = state.interface_mut(name) {
            let v4 = iface.ipv4.get_or_insert_with(IpConfig::default);
            v4.dhcp = Some(true);
            v4.enabled = Some(true);
        }
    }
    for s in &list.settings {
        if let Some(iface) = state.interface_mut(&s.interface) {
            let v4 = iface.ipv4.get_or_insert_with(IpConfig::default);
            v4.auto_gateway = Some(s.auto_gateway);
            v4.auto_routes = Some(s.auto_routes);
            v4.auto_route_metric = s.auto_route_metric;
            v4.auto_route_table_id = Some(s.auto_route_table_id);
            // Shown when on only: `false` in a desired state goes to role
            // `dns`, which a daemon without a dns plugin lacks, and
            // `show`'s output must apply back there too.
            v4.auto_hostname = s.auto_hostname.then_some(true);
        }
    }
    for mut lease in list.leases {
        let Some(iface) = state.interface_mut(&lease.interface) else {
            continue;
        };
        let v4 = iface.ipv4.get_or_insert_with(IpConfig::default);
        v4.dhcp = Some(true);
        // Implied by where it is.
        lease.interface.clear();
        v4.dhcp_lease = Some(lease);
    }
    for name in &list.configured6 {
        if let Some(iface) = state.interface_mut(name) {
            let v6 = iface.ipv6.get_or_insert_with(IpConfig::default);
            v6.dhcp = Some(true);
            v6.enabled = Some(true);
        }
    }
    for mut lease in list.leases6 {
        let Some(iface) = state.interface_mut(&lease.interface) else {
            continue;
        };
        let v6 = iface.ipv6.get_or_insert_with(IpConfig::default);
        v6.dhcp = Some(true);
        lease.interface.clear();
        v6.dhcp6_lease = Some(lease);
    }
}
