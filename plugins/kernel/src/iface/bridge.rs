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
        iface.bridge = Some(BridgeConfig {
            options: Some(BridgeOptions { stp }),
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
