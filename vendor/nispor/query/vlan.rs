// SPDX-License-Identifier: Apache-2.0

use std::collections::HashMap;

use rtnetlink::packet_route::link::{self, InfoData, InfoVlan, VlanFlags};
use serde::{Deserialize, Serialize};

use crate::{Iface, IfaceType};

#[derive(
    Serialize, Deserialize, Debug, PartialEq, Eq, Clone, Copy, Default,
)]
#[non_exhaustive]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum VlanProtocol {
    #[serde(rename = "802.1q")]
    #[default]
    Ieee8021Q,
    #[serde(rename = "802.1ad")]
    Ieee8021AD,
}

impl From<link::VlanProtocol> for VlanProtocol {
    fn from(d: link::VlanProtocol) -> Self {
        match d {
            link::VlanProtocol::Ieee8021Q => Self::Ieee8021Q,
            link::VlanProtocol::Ieee8021Ad => Self::Ieee8021AD,
            _ => Self::Ieee8021Q,
        }
    }
}

impl From<VlanProtocol> for link::VlanProtocol {
    fn from(v: VlanProtocol) -> Self {
        match v {
            VlanProtocol::Ieee8021Q => link::VlanProtocol::Ieee8021Q,
            VlanProtocol::Ieee8021AD => link::VlanProtocol::Ieee8021Ad,
        }
    }
}

#[derive(
    Serialize, Deserialize, Debug, PartialEq, Eq, Clone, Copy, Default,
)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VlanQosMapping {
    pub from: u32,
    pub to: u32,
}

impl VlanQosMapping {
    fn from_netlink(map: &link::VlanQosMapping) -> Option<Self> {
        if let link::VlanQosMapping::Mapping(f, t) = map {
            Some(Self { from: *f, to: *t })
        } else {
            None
        }
    }
}

impl From<&VlanQosMapping> for rtnetlink::QosMapping {
    fn from(v: &VlanQosMapping) -> Self {
        Self {
            from: v.from,
            to: v.to,
        }
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Eq, Clone, Default)]
#[non_exhaustive]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VlanInfo {
    pub vlan_id: u16,
    pub protocol: VlanProtocol,
    pub base_iface: String,
    pub is_reorder_hdr: bool,
    pub is_gvrp: bool,
    pub is_loose_binding: bool,
    pub is_mvrp: bool,
    pub is_bridge_binding: bool,
    /// Mapping VLAN header priority to linux internal packet priority for
    /// incoming packet.
    pub ingress_qos_map: Vec<VlanQosMapping>,
    /// Mapping linux internal packet priority to VLAN header priority for
    /// outgoing packet. Vector of <from, to>.
    pub egress_qos_map: Vec<VlanQosMapping>,
}

pub(crate) fn get_vlan_info(data: &InfoData) -> Option<VlanInfo> {
    if let InfoData::Vlan(infos) = data {
        let mut vlan_info = VlanInfo::default();
        for info in infos {
            if let InfoVlan::Id(d) = info {
                vlan_info.vlan_id = *d;
            } else if let InfoVlan::Protocol(d) = info {
                vlan_info.protocol = (*d).into();
            } else if let InfoVlan::Flags((flags, _)) = info {
                // The kernel always set the mask as u32::MAX
                vlan_info.is_reorder_hdr =
                    flags.contains(VlanFlags::ReorderHdr);
                vlan_info.is_gvrp = flags.contains(VlanFlags::Gvrp);
                vlan_info.is_loose_binding =
                    flags.contains(VlanFlags::LooseBinding);
                vlan_info.is_mvrp = flags.contains(VlanFlags::Mvrp);
                vlan_info.is_bridge_binding =
                    flags.contains(VlanFlags::BridgeBinding);
            } else if let InfoVlan::EgressQos(maps) = info {
                vlan_info.egress_qos_map = maps
                    .as_slice()
                    .iter()
                    .filter_map(VlanQosMapping::from_netlink)
                    .collect();
            } else if let InfoVlan::IngressQos(maps) = info {
                vlan_info.ingress_qos_map = maps
                    .as_slice()
                    .iter()
                    .filter_map(VlanQosMapping::from_netlink)
                    .collect();
            } else {
                log::debug!("Unknown VLAN info: {info:?}");
            }
        }
        Some(vlan_info)
    } else {
        None
    }
}

pub(crate) fn vlan_iface_tidy_up(iface_states: &mut HashMap<String, Iface>) {
    convert_base_iface_index_to_name(iface_states);
}

fn convert_base_iface_index_to_name(iface_states: &mut HashMap<String, Iface>) {
    let mut index_to_name = HashMap::new();
    for iface in iface_states.values() {
        index_to_name.insert(format!("{}", iface.index), iface.name.clone());
    }
    for iface in iface_states.values_mut() {
        if iface.iface_type != IfaceType::Vlan {
            continue;
        }
        if let Some(ref mut vlan_info) = iface.vlan
            && let Some(base_iface_name) =
                index_to_name.get(&vlan_info.base_iface)
        {
            vlan_info.base_iface.clone_from(base_iface_name);
        }
    }
}
