//! VLANs (802.1Q and 802.1ad): `base-iface`, `id` and `protocol` are set
//! when the link is created (the `state` plugin refuses to change them),
//! `reorder-headers` and `loose-binding` any time.

use nipart_plugin_api::{
    Result,
    state::{Interface, VlanConfig, VlanProtocol},
};
use nispor::{Iface, IfaceConf, IfaceType, NetState, VlanConf};

use super::InterfaceKind;

pub(crate) struct Vlan;

impl InterfaceKind for Vlan {
    fn creates(&self) -> bool {
        true
    }

    fn query(&self, np: &Iface, _all: &NetState, iface: &mut Interface) {
        iface.vlan = np.vlan.as_ref().map(|v| VlanConfig {
            base_iface: (!v.base_iface.is_empty()).then(|| v.base_iface.clone()),
            id: Some(v.vlan_id),
            protocol: Some(match v.protocol {
                nispor::VlanProtocol::Ieee8021AD => VlanProtocol::Ieee8021ad,
                _ => VlanProtocol::Ieee8021q,
            }),
            reorder_headers: Some(v.is_reorder_hdr),
            loose_binding: Some(v.is_loose_binding),
        });
    }

    fn conf(&self, want: &Interface, cur: Option<&Interface>, conf: &mut IfaceConf) -> Result<()> {
        conf.iface_type = Some(IfaceType::Vlan);
        let Some(w) = &want.vlan else { return Ok(()) };
        let mut v = VlanConf::default();
        if cur.is_none() {
            v.vlan_id = w.id;
            v.base_iface = w.base_iface.clone();
            v.protocol = w.protocol.map(|p| match p {
                VlanProtocol::Ieee8021q => nispor::VlanProtocol::Ieee8021Q,
                VlanProtocol::Ieee8021ad => nispor::VlanProtocol::Ieee8021AD,
            });
        }
        v.is_reorder_hdr = w.reorder_headers;
        v.is_loose_binding = w.loose_binding;
        conf.vlan = Some(v);
        Ok(())
    }
}
