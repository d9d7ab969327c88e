//! VLANs (802.1Q and 802.1ad): `base-iface`, `id` and `protocol` are set
//! when the link is created (the `state` plugin refuses to change them),
//! `reorder-headers` and `loose-binding` any time.

use nipart_plugin_api::{
    Result,
    state::{Interface, VlanConfig, VlanProtocol},
};
use nispor::{IfaceConf, IfaceState, IfaceType, VlanConf};
use rtnetlink::{
    LinkMessageBuilder, LinkVlan,
    packet_route::link::{InfoKind, VlanFlags},
};

use super::{InterfaceKind, LinkRequest, Queried};

pub(crate) struct Vlan;

impl InterfaceKind for Vlan {
    fn creates(&self) -> bool {
        true
    }

    fn reads_nispor(&self) -> bool {
        true
    }

    fn query(&self, q: &Queried, iface: &mut Interface) {
        let Some((np, _)) = q.nispor else {
            return;
        };
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

/// The request creating the VLAN `conf` describes, in one message (link,
/// id, protocol, flags, MTU and state together), when that is all `conf`
/// sets; `None` leaves it to nispor (a MAC address, a controller, port
/// options: what nispor resolves and sets in requests of their own).
/// nispor takes five requests per created link (it reads the link before
/// and after, and its base): a thousand VLANs took 2.5 times `ip -batch`.
pub(crate) fn creation(conf: &IfaceConf) -> Result<Option<LinkRequest>> {
    let Some(v) = conf.vlan.as_ref() else {
        return Ok(None);
    };
    let (Some(id), Some(base)) = (v.vlan_id, v.base_iface.as_deref()) else {
        return Ok(None);
    };
    // Everything else of `conf` left as its default: nothing this message
    // would leave out.
    let mut rest = conf.clone();
    rest.name = String::new();
    rest.state = IfaceConf::default().state;
    rest.mtu = None;
    rest.vlan = None;
    if rest.iface_type == Some(IfaceType::Vlan) {
        rest.iface_type = None;
    }
    let mut vlan_rest = v.clone();
    vlan_rest.vlan_id = None;
    vlan_rest.base_iface = None;
    vlan_rest.protocol = None;
    vlan_rest.is_reorder_hdr = None;
    vlan_rest.is_loose_binding = None;
    if rest != IfaceConf::default() || vlan_rest != VlanConf::default() {
        return Ok(None);
    }
    let mut b = LinkMessageBuilder::<LinkVlan>::new_with_info_kind(InfoKind::Vlan)
        .name(conf.name.clone())
        .link(crate::address::index_of(base)?)
        .id(id);
    if let Some(p) = v.protocol {
        b = b.protocol(p.into());
    }
    let (mut flags, mut mask) = (VlanFlags::empty(), VlanFlags::empty());
    for (on, flag) in [
        (v.is_reorder_hdr, VlanFlags::ReorderHdr),
        (v.is_loose_binding, VlanFlags::LooseBinding),
    ] {
        if let Some(on) = on {
            mask |= flag;
            if on {
                flags |= flag;
            }
        }
    }
    if !mask.is_empty() {
        b = b.flags(flags, mask);
    }
    if let Some(mtu) = conf.mtu {
        b = b.mtu(mtu);
    }
    b = match conf.state {
        IfaceState::Up => b.up(),
        _ => b.down(),
    };
    Ok(Some(LinkRequest::Add(b.build())))
}
