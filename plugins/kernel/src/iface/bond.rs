//! Bonds: the mode, the kernel's bonding options, the port list and each
//! port's `priority` and `queue-id`. A bond is created before its ports
//! ([`InterfaceKind::is_controller`]); a port's options are set on the
//! port's own conf, from the bond's `ports-config`. Only the options that
//! differ from the current ones are sent: the kernel refuses some options
//! in modes they don't apply to, even when the value is unchanged. An
//! active-backup bond with `fail_over_mac: active` shows no MAC address:
//! it follows the active port. The kernel changes a bond's mode only
//! while it is down and has no ports: the apply then detaches its ports,
//! nispor brings it down to change the mode, and the ports are attached
//! again (as nmstate does; see [`InterfaceKind::change_needs_no_ports`]).

use std::collections::HashSet;

use nipart_plugin_api::{Result, state::Interface};
use nispor::{BondConf, BondPortConf, IfaceConf, IfaceType};
use serde::{Serialize, de::DeserializeOwned};

use super::{InterfaceKind, Queried};

pub(crate) struct Bond;

/// nispor's keyword for one of ours: nispor writes `filter-active` where
/// nmstate writes `filter_active`.
fn to_np<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.replace('_', "-"))).ok()
}

/// Ours for nispor's keyword `v` (`None` for a value the schema lacks).
fn from_np<T: Serialize, U: Copy>(v: &T, all: &[U], name: fn(U) -> &'static str) -> Option<U> {
    let s = serde_json::to_value(v).ok()?;
    let s = s.as_str()?;
    all.iter()
        .copied()
        .find(|u| name(*u).replace('_', "-") == s)
}

macro_rules! from_np_opt {
    ($v:expr, $t:ty) => {
        $v.as_ref()
            .and_then(|x| from_np(x, <$t>::ALL, <$t>::as_str))
    };
}

impl InterfaceKind for Bond {
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
        use nipart_plugin_api::state::*;
        let Some(b) = np.bond.as_ref() else { return };
        let mut port = b.ports.clone();
        port.sort();
        let ports_config: Vec<BondPortConfig> = port
            .iter()
            .filter_map(|p| {
                let info = all.ifaces.get(p)?.bond_port.as_ref()?;
                Some(BondPortConfig {
                    name: p.clone(),
                    priority: Some(info.prio),
                    queue_id: Some(info.queue_id),
                })
            })
            .collect();
        let arp_ip_target = b.arp_ip_target.as_deref().map(|s| {
            s.split(',')
                .filter_map(|x| x.trim().parse().ok())
                .collect::<Vec<_>>()
        });
        let options = BondOptions {
            miimon: b.miimon,
            updelay: b.updelay,
            downdelay: b.downdelay,
            use_carrier: b.use_carrier,
            arp_interval: b.arp_interval,
            arp_ip_target,
            arp_validate: from_np_opt!(b.arp_validate, BondArpValidate),
            arp_all_targets: from_np_opt!(b.arp_all_targets, BondArpAllTargets),
            primary: b.primary.clone().filter(|p| !p.is_empty()),
            primary_reselect: from_np_opt!(b.primary_reselect, BondPrimaryReselect),
            fail_over_mac: from_np_opt!(b.fail_over_mac, BondFailOverMac),
            xmit_hash_policy: from_np_opt!(b.xmit_hash_policy, BondXmitHashPolicy),
            resend_igmp: b.resend_igmp,
            num_grat_arp: b.num_grat_arp.or(b.num_unsol_na),
            all_slaves_active: from_np_opt!(b.all_ports_active, BondAllSlavesActive),
            min_links: b.min_links,
            lp_interval: b.lp_interval,
            packets_per_slave: b.packets_per_port,
            lacp_rate: from_np_opt!(b.lacp_rate, BondLacpRate),
            ad_select: from_np_opt!(b.ad_select, BondAdSelect),
            ad_actor_sys_prio: b.ad_actor_sys_prio,
            ad_user_port_key: b.ad_user_port_key,
            ad_actor_system: b.ad_actor_system.as_ref().map(|m| m.to_uppercase()),
            tlb_dynamic_lb: b.tlb_dynamic_lb,
            peer_notif_delay: b.peer_notif_delay,
        };
        // With fail_over_mac active, an active-backup bond takes the MAC
        // address of its active port: it is not the bond's to set, and
        // a state shown earlier must not try to set it back.
        if options.fail_over_mac == Some(BondFailOverMac::Active)
            && matches!(b.mode, nispor::BondMode::ActiveBackup)
        {
            iface.mac_address = None;
        }
        iface.link_aggregation = Some(BondConfig {
            mode: from_np(&b.mode, BondMode::ALL, BondMode::as_str),
            port: Some(port),
            ports_config: Some(ports_config),
            options: Some(options),
        });
    }

    fn conf(&self, want: &Interface, cur: Option<&Interface>, conf: &mut IfaceConf) -> Result<()> {
        conf.iface_type = Some(IfaceType::Bond);
        let Some(w) = &want.link_aggregation else {
            return Ok(());
        };
        let have = cur.and_then(|c| c.link_aggregation.as_ref());
        let ho = have.and_then(|h| h.options.clone()).unwrap_or_default();
        let mut c = BondConf::default();
        c.mode = w.mode.and_then(|m| to_np(m.as_str()));
        if let Some(o) = &w.options {
            // The option when it differs from the current value.
            macro_rules! set {
                ($np:ident, $ours:ident) => {
                    if o.$ours.is_some() && o.$ours != ho.$ours {
                        c.$np = o.$ours.clone();
                    }
                };
                ($np:ident, $ours:ident, keyword) => {
                    if o.$ours.is_some() && o.$ours != ho.$ours {
                        c.$np = o.$ours.and_then(|x| to_np(x.as_str()));
                    }
                };
            }
            set!(miimon, miimon);
            set!(updelay, updelay);
            set!(downdelay, downdelay);
            set!(use_carrier, use_carrier);
            set!(arp_interval, arp_interval);
            set!(arp_ip_target, arp_ip_target);
            set!(arp_validate, arp_validate, keyword);
            set!(arp_all_targets, arp_all_targets, keyword);
            set!(primary, primary);
            set!(primary_reselect, primary_reselect, keyword);
            set!(fail_over_mac, fail_over_mac, keyword);
            set!(xmit_hash_policy, xmit_hash_policy, keyword);
            set!(resend_igmp, resend_igmp);
            set!(num_unsol_na, num_grat_arp);
            set!(all_ports_active, all_slaves_active, keyword);
            set!(min_links, min_links);
            set!(lp_interval, lp_interval);
            set!(packets_per_port, packets_per_slave);
            set!(lacp_rate, lacp_rate, keyword);
            set!(ad_select, ad_select, keyword);
            set!(ad_actor_sys_prio, ad_actor_sys_prio);
            set!(ad_user_port_key, ad_user_port_key);
            set!(ad_actor_system, ad_actor_system);
            set!(tlb_dynamic_lb, tlb_dynamic_lb);
            set!(peer_notif_delay, peer_notif_delay);
        }
        conf.bond = Some(c);
        Ok(())
    }

    fn ports<'a>(&self, controller: &'a Interface) -> Option<HashSet<&'a str>> {
        let ports = controller.link_aggregation.as_ref()?.port.as_ref()?;
        Some(ports.iter().map(String::as_str).collect())
    }

    fn change_needs_no_ports(&self, want: &Interface, cur: &Interface) -> bool {
        let mode = |i: &Interface| i.link_aggregation.as_ref().and_then(|b| b.mode);
        mode(want).is_some_and(|m| mode(cur) != Some(m))
    }

    fn port_conf(&self, controller: &Interface, conf: &mut IfaceConf) {
        if let Some(p) = controller
            .link_aggregation
            .as_ref()
            .and_then(|b| b.ports_config.as_ref())
            .and_then(|ports| ports.iter().find(|p| p.name == conf.name))
            && (p.priority.is_some() || p.queue_id.is_some())
        {
            let mut bp = BondPortConf::default();
            bp.prio = p.priority;
            bp.queue_id = p.queue_id;
            conf.bond_port = Some(bp);
        }
    }
}
