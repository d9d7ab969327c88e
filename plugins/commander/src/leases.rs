//! What role `dhcp` adds to a query. Every query (`Show`, checkpoints,
//! verification, rollback) holds which clients run: an interface whose
//! DHCPv4 client runs shows `ipv4.dhcp: true` (and `enabled: true`, with or
//! without a lease yet: configured, not yet in effect, so that applying
//! what `Show` printed keeps the client running) and the client's `auto-*`
//! keys (what it does with the lease's routes and host name); a DHCPv6
//! client `ipv6.dhcp: true`. A checkpoint therefore knows its clients, and
//! a rollback starts, stops and sets them as they were (role `state`'s
//! revert plan). `Show` adds the leases themselves: each under its
//! interface's `ipv4.dhcp-lease` (`ipv6.dhcp-lease` for DHCPv6).

use std::time::Duration;

use nipart_plugin_api::{
    Context, Result,
    state::{DhcpLeaseList, DhcpLeaseQuery, IpConfig, NetworkState},
};

/// Asks role `dhcp` for its clients and leases; `None` without a dhcp
/// plugin. A holder that fails to answer fails the query: a checkpoint
/// without its clients would stop them all at a rollback.
pub async fn ask(
    ctx: &Context,
    interface: Option<&str>,
    timeout: Duration,
) -> Result<Option<DhcpLeaseList>> {
    let query = DhcpLeaseQuery {
        interface: interface.map(str::to_string),
    };
    crate::system::ask_if_held(ctx, &query, timeout).await
}

/// Marks the interfaces of `list`'s running clients in `state`, with
/// their `auto-*` keys.
pub fn merge_clients(state: &mut NetworkState, list: &DhcpLeaseList) {
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
            if s.auto_hostname {
                v4.auto_hostname = Some(true);
            }
        }
    }
    for name in &list.configured6 {
        if let Some(iface) = state.interface_mut(name) {
            let v6 = iface.ipv6.get_or_insert_with(IpConfig::default);
            v6.dhcp = Some(true);
            v6.enabled = Some(true);
        }
    }
}

/// Puts each lease of `list` under its interface (`Show`).
pub fn merge_leases(state: &mut NetworkState, list: DhcpLeaseList) {
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
