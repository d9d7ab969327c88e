//! Linux bridges: STP options and the port list with each port's options.
//! A bridge is created before its ports ([`InterfaceKind::is_controller`]);
//! a port's options are set on the port's own conf, from the bridge's
//! `port` list.

use std::collections::HashSet;

use nipart_plugin_api::{
    Result,
    state::{BridgeConfig, BridgeOptions, BridgePort, Interface, StpOptions},
};
use nispor::{BridgeConf, BridgePortConf, BridgeStpState, Iface, IfaceConf, IfaceType, NetState};

use super::InterfaceKind;

pub(crate) struct LinuxBridge;

impl InterfaceKind for LinuxBridge {
    fn creates(&self) -> bool {
        true
    }

    fn is_controller(&self) -> bool {
        true
    }

    fn query(&self, np: &Iface, all: &NetState, iface: &mut Interface) {
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
                BridgePort {
                    name: p.clone(),
                    stp_hairpin_mode: pi.map(|x| x.hairpin_mode),
                    stp_path_cost: pi.map(|x| x.stp_path_cost),
                    stp_priority: pi.map(|x| x.stp_priority),
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
            }),
            port: Some(ports),
        });
    }

    fn conf(&self, want: &Interface, _cur: Option<&Interface>, conf: &mut IfaceConf) -> Result<()> {
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

/// The kernel keeps bridge timers in hundredths of a second.
fn centis_to_secs(c: u32) -> u8 {
    u8::try_from(c.saturating_add(50) / 100).unwrap_or(u8::MAX)
}

fn secs_to_centis(s: u8) -> u32 {
    u32::from(s) * 100
}
