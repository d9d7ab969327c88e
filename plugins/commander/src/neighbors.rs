//! `Show` reports LLDP neighbours: the plugin holding role `lldp`, when
//! there is one, is asked for what it heard, and each interface it listens
//! on gets `lldp: {enabled: true, neighbors: [...], counters: {...}}`.

use std::time::Duration;

use nipart_plugin_api::{
    Context,
    state::{LldpConfig, LldpQuery, NetworkState},
};

/// The lldp plugin answers from memory; a slow one must not hold `Show` up.
const NEIGHBORS_TIMEOUT: Duration = Duration::from_secs(2);

/// Merges the neighbours of role `lldp` into `state`. Without an lldp
/// plugin (or when it does not answer) `state` is left as it is.
pub async fn merge(ctx: &Context, state: &mut NetworkState, interface: Option<&str>) {
    let query = LldpQuery {
        interface: interface.map(str::to_string),
    };
    let report = match ctx.ask_within(&query, NEIGHBORS_TIMEOUT).await {
        Ok(report) => report,
        Err(e) => {
            tracing::debug!("show without LLDP neighbours: {e}");
            return;
        }
    };
    for r in report.interfaces {
        let Some(iface) = state.interface_mut(&r.interface) else {
            continue;
        };
        iface.lldp = Some(LldpConfig {
            enabled: Some(true),
            transmit: r.transmit.then_some(true),
            neighbors: Some(r.neighbors),
            counters: Some(r.counters),
        });
    }
}
