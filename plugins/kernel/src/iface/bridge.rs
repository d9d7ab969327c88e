//! Linux bridges: STP options and the port list with each port's options.
//! A bridge is created before its ports ([`InterfaceKind::is_controller`]);
//! a port's options are set on the port's own conf, from the bridge's
//! `port` list. A port's VLANs are set once every port is attached
//! ([`apply_port_vlans`], by netlink as `bridge vlan add` does), and the
//! bridge filters by VLAN while any port has some (as nmstate).

use std::collections::{BTreeMap, HashSet};

use nipart_plugin_api::{
    Result,
    state::{
        BridgeConfig, BridgeOptions, BridgePort, BridgePortVlan, BridgePortVlanMode,
        BridgeTrunkTag, Interface, MulticastRouter, NetworkState, StpOptions, VlanProtocol,
    },
};
use nispor::{
    BridgeConf, BridgeMulticastRouterType, BridgePortConf, BridgeStpState, BridgeVlanEntry,
    IfaceConf, IfaceType, NetState, NetStateFilter, NetStateIfaceFilter,
};
use rtnetlink::{LinkBridgeVlan, packet_route::link::BridgeVlanInfoFlags};

use crate::{
    error::{from_netlink, from_nispor},
    netlink::Connection,
};

use super::{InterfaceKind, Queried};

pub(crate) struct LinuxBridge;

impl InterfaceKind for LinuxBridge {
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
        let Some((np, all)) = q.nispor else {
            return;
        };
        let info = np.bridge.as_ref();
        let stp = info.map(|b| StpOptions {
            enabled: b.stp_state.as_ref().map(|s| *s != BridgeStpState::Disabled),
            forward_delay: b.forward_delay.map(centis_to_secs),
            hello_time: b.hello_time.map(centis_to_secs),
            max_age: b.max_age.map(centis_to_secs),
            priority: b.priority,
        });
        let mut ports: Vec<BridgePort> = info
            .map(|b| b.ports.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let pi = all.ifaces.get(p).and_then(|x| x.bridge_port.as_ref());
                let filtering = info.and_then(|b| b.vlan_filtering) == Some(true);
                BridgePort {
                    name: p.clone(),
                    stp_hairpin_mode: pi.map(|x| x.hairpin_mode),
                    stp_path_cost: pi.map(|x| x.stp_path_cost),
                    stp_priority: pi.map(|x| x.stp_priority),
                    vlan: pi
                        .filter(|_| filtering)
                        .and_then(|x| x.vlans.as_deref())
                        .and_then(port_vlan),
                }
            })
            .collect();
        ports.sort_by(|a, b| a.name.cmp(&b.name));
        let centis_to_secs32 = |c: u32| c.saturating_add(50) / 100;
        iface.bridge = Some(BridgeConfig {
            options: Some(BridgeOptions {
                stp,
                group_forward_mask: info.and_then(|b| b.group_fwd_mask),
                mac_ageing_time: info.and_then(|b| b.ageing_time).map(centis_to_secs32),
                multicast_snooping: info.and_then(|b| b.multicast_snooping),
                multicast_querier: info.and_then(|b| b.multicast_querier),
                multicast_query_use_ifaddr: info.and_then(|b| b.multicast_query_use_ifaddr),
                hash_max: info.and_then(|b| b.multicast_hash_max),
                multicast_last_member_count: info.and_then(|b| b.multicast_last_member_count),
                multicast_startup_query_count: info.and_then(|b| b.multicast_startup_query_count),
                multicast_last_member_interval: info.and_then(|b| b.multicast_last_member_interval),
                multicast_membership_interval: info.and_then(|b| b.multicast_membership_interval),
                multicast_querier_interval: info.and_then(|b| b.multicast_querier_interval),
                multicast_query_interval: info.and_then(|b| b.multicast_query_interval),
                multicast_query_response_interval: info
                    .and_then(|b| b.multicast_query_response_interval),
                multicast_startup_query_interval: info
                    .and_then(|b| b.multicast_startup_query_interval),
                vlan_protocol: info.and_then(|b| b.vlan_protocol).map(|p| match p {
                    nispor::VlanProtocol::Ieee8021AD => VlanProtocol::Ieee8021ad,
                    _ => VlanProtocol::Ieee8021q,
                }),
                multicast_router: info.and_then(|b| b.multicast_router).and_then(|r| match r {
                    BridgeMulticastRouterType::Disabled => Some(MulticastRouter::Disabled),
                    BridgeMulticastRouterType::TempQuery => Some(MulticastRouter::Auto),
                    BridgeMulticastRouterType::Perm => Some(MulticastRouter::Enabled),
                    _ => None,
                }),
            }),
            port: Some(ports),
        });
    }

    fn conf(&self, want: &Interface, cur: Option<&Interface>, conf: &mut IfaceConf) -> Result<()> {
        conf.iface_type = Some(IfaceType::Bridge);
        let mut b = BridgeConf::default();
        if let Some(stp) = want
            .bridge
            .as_ref()
            .and_then(|b| b.options.as_ref())
            .and_then(|o| o.stp.as_ref())
        {
            b.stp_state = stp.enabled.map(|e| {
                if e {
                    BridgeStpState::KernelStp
                } else {
                    BridgeStpState::Disabled
                }
            });
            b.forward_delay = stp.forward_delay.map(secs_to_centis);
            b.hello_time = stp.hello_time.map(secs_to_centis);
            b.max_age = stp.max_age.map(secs_to_centis);
            b.priority = stp.priority;
        }
        if let Some(o) = want.bridge.as_ref().and_then(|b| b.options.as_ref()) {
            b.group_fwd_mask = o.group_forward_mask;
            b.ageing_time = o.mac_ageing_time.map(|s| s.saturating_mul(100));
            b.mcast_snooping = o.multicast_snooping;
            b.mcast_querier = o.multicast_querier;
            b.mcast_query_use_ifaddr = o.multicast_query_use_ifaddr;
            b.mcast_hash_max = o.hash_max;
            b.mcast_last_member_count = o.multicast_last_member_count;
            b.mcast_startup_query_count = o.multicast_startup_query_count;
            b.mcast_last_member_interval = o.multicast_last_member_interval;
            b.mcast_membership_interval = o.multicast_membership_interval;
            b.mcast_querier_interval = o.multicast_querier_interval;
            b.mcast_query_interval = o.multicast_query_interval;
            b.mcast_query_response_interval = o.multicast_query_response_interval;
            b.mcast_startup_query_interval = o.multicast_startup_query_interval;
            b.vlan_protocol = o.vlan_protocol.map(|p| match p {
                VlanProtocol::Ieee8021q => nispor::VlanProtocol::Ieee8021Q,
                VlanProtocol::Ieee8021ad => nispor::VlanProtocol::Ieee8021AD,
            });
            b.mcast_router = o.multicast_router.map(|r| match r {
                MulticastRouter::Disabled => BridgeMulticastRouterType::Disabled,
                MulticastRouter::Auto => BridgeMulticastRouterType::TempQuery,
                MulticastRouter::Enabled => BridgeMulticastRouterType::Perm,
            });
        }
        if let Some(ports) = want.bridge.as_ref().and_then(|b| b.port.as_ref()) {
            // Filtering while any port has VLANs: those the state gives,
            // and the current ones of ports it gives no `vlan` for. Set
            // only when that changes: a kernel without VLAN filtering
            // refuses even to turn it off.
            let cur_ports = cur
                .and_then(|c| c.bridge.as_ref())
                .and_then(|b| b.port.as_ref());
            let has_vlans =
                |v: Option<&BridgePortVlan>| v.is_some_and(|v| !v.kernel_vlans().is_empty());
            let filtering = ports.iter().any(|p| {
                has_vlans(p.vlan.as_ref().or_else(|| {
                    cur_ports
                        .and_then(|c| c.iter().find(|c| c.name == p.name))
                        .and_then(|c| c.vlan.as_ref())
                }))
            });
            let filtering_now =
                cur_ports.is_some_and(|c| c.iter().any(|p| has_vlans(p.vlan.as_ref())));
            if filtering != filtering_now {
                b.vlan_filtering = Some(filtering);
            }
        }
        conf.bridge = Some(b);
        Ok(())
    }

    fn ports<'a>(&self, controller: &'a Interface) -> Option<HashSet<&'a str>> {
        let ports = controller.bridge.as_ref()?.port.as_ref()?;
        Some(ports.iter().map(|p| p.name.as_str()).collect())
    }

    fn port_conf(&self, controller: &Interface, conf: &mut IfaceConf) {
        if let Some(p) = controller
            .bridge
            .as_ref()
            .and_then(|b| b.port.as_ref())
            .and_then(|ports| ports.iter().find(|p| p.name == conf.name))
            && (p.stp_hairpin_mode.is_some()
                || p.stp_path_cost.is_some()
                || p.stp_priority.is_some())
        {
            let mut bp = BridgePortConf::default();
            bp.hairpin_mode = p.stp_hairpin_mode;
            bp.stp_path_cost = p.stp_path_cost;
            bp.stp_priority = p.stp_priority;
            conf.bridge_port = Some(bp);
        }
    }
}

/// A port's `vlan` section from the kernel's VLANs of the port (as
/// nmstate reads them): one untagged PVID alone is an access port, else a
/// trunk whose untagged PVID is its native VLAN, the other VLANs its trunk
/// tags (runs of IDs as ranges). The kernel's default (VLAN 1, untagged
/// PVID) is no VLAN.
fn port_vlan(entries: &[BridgeVlanEntry]) -> Option<BridgePortVlan> {
    let native = BridgeVlanInfoFlags::Pvid | BridgeVlanInfoFlags::Untagged;
    let mut vlans = kernel_port_vlans(entries);
    if vlans.get(&1) == Some(&native) {
        vlans.remove(&1);
    }
    let tag = vlans.iter().find(|(_, f)| **f == native).map(|(id, _)| *id);
    if let (Some(tag), 1) = (tag, vlans.len()) {
        return Some(BridgePortVlan {
            mode: Some(BridgePortVlanMode::Access),
            tag: Some(tag),
            ..BridgePortVlan::default()
        });
    }
    if vlans.is_empty() {
        return None;
    }
    let mut trunk: Vec<BridgeTrunkTag> = Vec::new();
    for id in vlans.keys().copied().filter(|id| Some(*id) != tag) {
        let run_start = match trunk.last() {
            Some(&BridgeTrunkTag::Id(min)) if min + 1 == id => Some(min),
            Some(&BridgeTrunkTag::IdRange { min, max }) if max + 1 == id => Some(min),
            _ => None,
        };
        if let Some(min) = run_start {
            trunk.pop();
            trunk.push(BridgeTrunkTag::IdRange { min, max: id });
        } else {
            trunk.push(BridgeTrunkTag::Id(id));
        }
    }
    Some(BridgePortVlan {
        mode: Some(BridgePortVlanMode::Trunk),
        enable_native: Some(tag.is_some()),
        tag,
        trunk_tags: Some(trunk),
    })
}

/// The kernel's VLANs of a port: each VLAN ID with its flags.
fn kernel_port_vlans(entries: &[BridgeVlanEntry]) -> BTreeMap<u16, BridgeVlanInfoFlags> {
    let mut out = BTreeMap::new();
    for e in entries {
        let Some((min, max)) = e.vid_range.or(e.vid.map(|v| (v, v))) else {
            continue;
        };
        let mut f = BridgeVlanInfoFlags::empty();
        if e.is_pvid {
            f |= BridgeVlanInfoFlags::Pvid;
        }
        if e.is_egress_untagged {
            f |= BridgeVlanInfoFlags::Untagged;
        }
        for id in min..=max {
            out.insert(id, f);
        }
    }
    out
}

/// The VLANs `vlan` puts on a port, as the kernel keeps them: an empty
/// section is the kernel's default (VLAN 1, untagged PVID).
fn wanted_port_vlans(vlan: &BridgePortVlan) -> BTreeMap<u16, BridgeVlanInfoFlags> {
    let native = BridgeVlanInfoFlags::Pvid | BridgeVlanInfoFlags::Untagged;
    let mut out: BTreeMap<u16, BridgeVlanInfoFlags> = vlan
        .kernel_vlans()
        .into_iter()
        .map(|(id, n)| {
            (
                id,
                if n {
                    native
                } else {
                    BridgeVlanInfoFlags::empty()
                },
            )
        })
        .collect();
    if out.is_empty() {
        out.insert(1, native);
    }
    out
}

/// The VLANs of `vlans` in one request of `port_index`: runs of VLAN IDs
/// with the same flags as ranges (the kernel takes no PVID range).
fn vlan_request(
    port_index: u32,
    vlans: &BTreeMap<u16, BridgeVlanInfoFlags>,
) -> rtnetlink::packet_route::link::LinkMessage {
    let mut b = LinkBridgeVlan::new(port_index);
    let mut run: Option<(u16, u16, BridgeVlanInfoFlags)> = None;
    let flush = |b: rtnetlink::LinkMessageBuilder<LinkBridgeVlan>,
                 (min, max, f): (u16, u16, BridgeVlanInfoFlags)| {
        if min == max {
            b.vlan(min, f)
        } else {
            b.vlan_range_start(min, f).vlan_range_end(max, f)
        }
    };
    for (&id, &f) in vlans {
        run = match run {
            Some((min, max, rf))
                if max + 1 == id && rf == f && !f.contains(BridgeVlanInfoFlags::Pvid) =>
            {
                Some((min, id, rf))
            }
            Some(r) => {
                b = flush(b, r);
                Some((id, id, f))
            }
            None => Some((id, id, f)),
        };
    }
    if let Some(r) = run {
        b = flush(b, r);
    }
    b.build()
}

/// Sets the VLANs of the ports `desired`'s bridges give a `vlan` section,
/// against what the kernel holds now (the ports attached): VLANs the
/// section does not give are removed (the kernel's default VLAN 1 too,
/// unless the section is empty), the others added or their flags changed.
pub(crate) async fn apply_port_vlans(desired: &NetworkState) -> Result<()> {
    let ports: Vec<(&str, &BridgePortVlan)> = desired
        .interfaces
        .iter()
        .filter(|i| !i.is_absent())
        .filter_map(|i| i.bridge.as_ref()?.port.as_ref())
        .flatten()
        .filter_map(|p| Some((p.name.as_str(), p.vlan.as_ref()?)))
        .collect();
    if ports.is_empty() {
        return Ok(());
    }
    let mut filter = NetStateFilter::minimum();
    let mut iface_filter = NetStateIfaceFilter::minimum();
    iface_filter.include_bridge_vlan = true;
    filter.iface = Some(iface_filter);
    let np = NetState::retrieve_with_filter_async(&filter)
        .await
        .map_err(|e| from_nispor("reading the bridge ports' VLANs", e))?;
    let handle = Connection::open()?;
    for (name, vlan) in ports {
        let Some(iface) = np.ifaces.get(name) else {
            continue;
        };
        let have = iface
            .bridge_port
            .as_ref()
            .and_then(|p| p.vlans.as_deref())
            .map(kernel_port_vlans)
            .unwrap_or_default();
        // No VLANs wanted and none on the port: nothing to do, and
        // nothing to ask of a kernel built without VLAN filtering
        // (which keeps no VLANs on ports and refuses every request).
        if have.is_empty() && vlan.kernel_vlans().is_empty() {
            continue;
        }
        let want = wanted_port_vlans(vlan);
        let gone: BTreeMap<u16, BridgeVlanInfoFlags> = have
            .iter()
            .filter(|(id, _)| !want.contains_key(id))
            .map(|(id, f)| (*id, *f & !BridgeVlanInfoFlags::Pvid))
            .collect();
        let set: BTreeMap<u16, BridgeVlanInfoFlags> = want
            .iter()
            .filter(|(id, f)| have.get(id) != Some(f))
            .map(|(id, f)| (*id, *f))
            .collect();
        // Added first: the port always has a PVID to move to.
        for (vlans, add) in [(&set, true), (&gone, false)] {
            if vlans.is_empty() {
                continue;
            }
            let m = vlan_request(iface.index, vlans);
            let sent = if add {
                handle.link().set(m).execute().await
            } else {
                handle.link().del_with_message(m).execute().await
            };
            let what = if add { "setting" } else { "removing" };
            sent.map_err(|e| from_netlink(&format!("{what} VLANs of bridge port {name}"), e))?;
        }
    }
    Ok(())
}

/// The kernel keeps bridge timers in hundredths of a second.
fn centis_to_secs(c: u32) -> u8 {
    u8::try_from(c.saturating_add(50) / 100).unwrap_or(u8::MAX)
}

fn secs_to_centis(s: u8) -> u32 {
    u32::from(s) * 100
}
