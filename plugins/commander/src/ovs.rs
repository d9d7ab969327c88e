//! Every query includes Open vSwitch: the plugin holding role `ovs`, when
//! there is one, reports OVSDB's bridges, ports and interfaces, which are
//! merged into the kernel's state (an internal interface is a kernel link
//! of OVS's type; a system interface gets its bridge as `controller`; a
//! bridge and a patch port have no kernel link and are added; the
//! top-level `ovs-db` and `ovn` are the plugin's alone). So `Show`
//! shows OVS, a checkpoint holds its part of the state, and verification
//! compares it.

use nipart_plugin_api::{
    Context, ErrorKind,
    protocol::ovs::OvsQuery,
    state::{InterfaceType, NetworkState},
};

/// Role `ovs`'s answer: `None` without an ovs plugin, or when it can't
/// answer (no `ovsdb-server`), which is logged; the state is then the
/// kernel's alone (an apply that needs OVS then fails in its OVS part, with
/// the plugin's message). Asked beside the kernel's query, not after it.
pub async fn ask(
    ctx: &Context,
    interface: Option<&str>,
    timeout: std::time::Duration,
) -> Option<NetworkState> {
    let query = OvsQuery {
        interface: interface.map(str::to_string),
    };
    match ctx.ask_within(&query, timeout).await {
        Ok(r) => Some(r),
        Err(e) if e.kind() == ErrorKind::NoRoleHolder => None,
        Err(e) => {
            tracing::warn!("the state is without Open vSwitch: {e}");
            None
        }
    }
}

/// Merges role `ovs`'s answer ([`ask`]) into `state`.
pub fn merge(state: &mut NetworkState, report: Option<NetworkState>) {
    let Some(report) = report else {
        return;
    };
    state.ovs_db = report.ovs_db;
    state.ovn = report.ovn;
    for r in report.interfaces {
        match state.interface_mut(&r.name) {
            Some(k) => {
                if r.iface_type == Some(InterfaceType::OvsInterface) {
                    k.iface_type = r.iface_type;
                }
                k.controller = r.controller;
                if r.patch.is_some() {
                    k.patch = r.patch;
                }
                if r.ovs_db.is_some() {
                    k.ovs_db = r.ovs_db;
                }
                if r.ovs_bridge.is_some() {
                    k.iface_type = r.iface_type;
                    k.ovs_bridge = r.ovs_bridge;
                }
            }
            // A bridge (no kernel link without an internal port of its
            // name), a patch port, or an interface OVS has and the kernel
            // has not.
            None if r.ovs_bridge.is_some() || r.patch.is_some() => state.interfaces.push(r),
            None => {}
        }
    }
    state.sort();
}
