// SPDX-License-Identifier: Apache-2.0

use std::collections::HashMap;

use rtnetlink::packet_route::link::{self, InfoData, InfoMacVlan, InfoMacVtap};
use serde::{Deserialize, Serialize};

use crate::{
    Iface, IfaceType, NisporError,
    mac::{ETH_ALEN, parse_as_mac},
};

#[derive(Serialize, Deserialize, Debug, PartialEq, Eq, Clone, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum MacVlanMode {
    #[default]
    /// don't talk to other macvlans
    Private,
    /// talk to other ports through ext bridge
    Vepa,
    /// talk to bridge ports directly
    Bridge,
    /// take over the underlying device
    #[serde(rename = "passthru")]
    PassThrough,
    /// use source MAC address list to assign
    Source,
    Other(u32),
}

impl From<link::MacVlanMode> for MacVlanMode {
    fn from(d: link::MacVlanMode) -> Self {
        match d {
            link::MacVlanMode::Private => Self::Private,
            link::MacVlanMode::Vepa => Self::Vepa,
            link::MacVlanMode::Bridge => Self::Bridge,
            link::MacVlanMode::Passthrough => Self::PassThrough,
            link::MacVlanMode::Source => Self::Source,
            _ => Self::Other(d.into()),
        }
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Eq, Clone, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub struct MacVlanInfo {
    pub base_iface: String,
    pub mode: MacVlanMode,
    pub flags: Vec<MacVlanFlag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_mac_addresses: Option<Vec<String>>,
}

pub(crate) fn get_mac_vlan_info(
    data: &InfoData,
) -> Result<Option<MacVlanInfo>, NisporError> {
    let mut macv_info = MacVlanInfo::default();
    if let InfoData::MacVlan(infos) = data {
        for info in infos {
            if let InfoMacVlan::Mode(d) = *info {
                macv_info.mode = d.into();
            } else if let InfoMacVlan::Flags(d) = *info {
                macv_info.flags = MacVlanFlag::from_netlink(d);
            } else if let InfoMacVlan::MacAddrData(d) = info {
                let mut addrs = Vec::new();
                for macvlan in d {
                    if let InfoMacVlan::MacAddr(mac_d) = macvlan {
                        addrs.push(parse_as_mac(ETH_ALEN, mac_d)?);
                    }
                }
                macv_info.allowed_mac_addresses = Some(addrs);
            } else {
                log::debug!("Unknown MAC VLAN info {info:?}")
            }
        }
        Ok(Some(macv_info))
    } else if let InfoData::MacVtap(infos) = data {
        for info in infos {
            if let InfoMacVtap::Mode(d) = *info {
                macv_info.mode = d.into();
            } else if let InfoMacVtap::Flags(d) = *info {
                macv_info.flags = MacVtapFlag::from_netlink(d);
            } else if let InfoMacVtap::MacAddrData(d) = info {
                let mut addrs = Vec::new();
                for macvtap in d {
                    if let InfoMacVtap::MacAddr(mac_d) = macvtap {
                        addrs.push(parse_as_mac(ETH_ALEN, mac_d)?);
                    }
                }
                macv_info.allowed_mac_addresses = Some(addrs);
            } else {
                log::debug!("Unknown MAC VTAP info {info:?}")
            }
        }
        Ok(Some(macv_info))
    } else {
        Ok(None)
    }
}

pub(crate) fn mac_vlan_iface_tidy_up(
    iface_states: &mut HashMap<String, Iface>,
) {
    convert_base_iface_index_to_name(iface_states);
}

fn convert_base_iface_index_to_name(iface_states: &mut HashMap<String, Iface>) {
    let mut index_to_name = HashMap::new();
    for iface in iface_states.values() {
        index_to_name.insert(format!("{}", iface.index), iface.name.clone());
    }
    for iface in iface_states.values_mut() {
        if iface.iface_type != IfaceType::MacVlan
            && iface.iface_type != IfaceType::MacVtap
        {
            continue;
        }
        if let Some(ref mut info) = iface.mac_vlan {
            if let Some(base_iface_name) = index_to_name.get(&info.base_iface) {
                info.base_iface.clone_from(base_iface_name);
            }
        } else if let Some(ref mut info) = iface.mac_vtap
            && let Some(base_iface_name) = index_to_name.get(&info.base_iface)
        {
            info.base_iface.clone_from(base_iface_name);
        }
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Eq, Clone)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum MacVlanFlag {
    NoPromisc,
    NoDst,
    Other(u16),
}

pub type MacVtapFlag = MacVlanFlag;

impl MacVlanFlag {
    pub(crate) fn from_netlink(d: link::MacVlanFlags) -> Vec<Self> {
        d.iter()
            .map(|bit| match bit {
                link::MacVlanFlags::NoPromisc => Self::NoPromisc,
                link::MacVlanFlags::NoDst => Self::NoDst,
                _ => Self::Other(bit.bits()),
            })
            .collect()
    }
}
