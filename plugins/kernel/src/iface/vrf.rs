//! VRFs: `route-table-id` is set when the link is created (the `state`
//! plugin refuses to change it); the ports are interfaces whose controller
//! is the VRF, attached after it exists ([`InterfaceKind::is_controller`]).

use std::collections::HashSet;

use nipart_plugin_api::{
    Result,
    state::{Interface, VrfConfig},
};
use nispor::{IfaceConf, IfaceType, VrfConf};

use super::{InterfaceKind, Queried};

pub(crate) struct Vrf;

impl InterfaceKind for Vrf {
    fn creates(&self) -> bool {
        true
    }

    fn is_controller(&self) -> bool {
        true
    }

    fn reads_nispor(&self) -> bool {
        true
    }

    fn query(&self, q: &Queried, iface: &mut Interface) {
        let Some((np, _)) = q.nispor else {
            return;
        };
        iface.vrf = np.vrf.as_ref().map(|v| {
            let mut port = v.ports.clone();
            port.sort();
            VrfConfig {
                port: Some(port),
                route_table_id: Some(v.table_id),
            }
        });
    }

    fn conf(&self, want: &Interface, _cur: Option<&Interface>, conf: &mut IfaceConf) -> Result<()> {
        conf.iface_type = Some(IfaceType::Vrf);
        let mut v = VrfConf::default();
        v.table_id = want.vrf.as_ref().and_then(|v| v.route_table_id);
        conf.vrf = Some(v);
        Ok(())
    }

    fn ports<'a>(&self, controller: &'a Interface) -> Option<HashSet<&'a str>> {
        let ports = controller.vrf.as_ref()?.port.as_ref()?;
        Some(ports.iter().map(String::as_str).collect())
    }
}
