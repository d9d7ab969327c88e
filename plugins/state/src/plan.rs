//! Validation, sanitizing and planning of a desired state against the
//! current one, with nmstate's partial-state meaning: what the desired
//! state does not mention is left alone.

use std::collections::HashSet;

use nipart_plugin_api::{
    Role,
    state::{
        DnsResolver, HostnameState, Interface, InterfaceState, IpConfig, NetworkState, Plan,
        PlanPart, Route, RouteRule, RouteRules, RouteState, Routes, StateError, dns_differences,
        hostname_differences, routes_kept_through,
    },
};

use crate::sanitize::sanitize;
use serde_json::Value;

type R<T> = Result<T, StateError>;

/// The role that applies the kernel's part.
pub const KERNEL: &str = Role::KERNEL.as_str();
/// The role that runs DHCP clients (IPv6 autoconf is the kernel's).
pub const DHCP: &str = Role::DHCP.as_str();

/// The role that listens for (and sends) LLDP frames.
pub const LLDP: &str = Role::LLDP.as_str();
/// The role that configures the resolver (`dns-resolver`).
pub const DNS: &str = Role::DNS.as_str();
/// The role that sets the host name.
pub const HOSTNAME: &str = Role::HOSTNAME.as_str();

/// The role that owns Open vSwitch bridges and interfaces.
pub const OVS: &str = Role::OVS.as_str();

/// Parses, validates and sanitizes `desired`; works out the parts.
pub fn plan(desired: &Value, current: &NetworkState) -> R<Plan> {
    let parsed = NetworkState::from_value(desired)?;
    let (mut sane, notes) = sanitize(parsed, current)?;
    complete_system(&mut sane, current);
    let mut plan = make_plan(sane, notes, current, Purpose::Apply);
    plan.verify = verify_state(&plan.desired, current);
    Ok(plan)
}

/// What verification checks after applying `desired` to `current`: the
/// desired state, and what it leaves alone on each interface it names
/// (that was up and stays up, outside a controller): the addresses of a
/// family it does not list, and the static routes through it that it does
/// not remove. The kernel drops routes, and may drop addresses, as a side
/// effect of a change (the kernel plugin puts routes back); verification
/// catches what was lost anyway.
fn verify_state(desired: &NetworkState, current: &NetworkState) -> NetworkState {
    let mut verify = desired.clone();
    let mut kept_up: HashSet<&str> = HashSet::new();
    for want in &mut verify.interfaces {
        let Some(cur) = current.interface(&want.name) else {
            continue;
        };
        if want.state_or_up() != InterfaceState::Up
            || cur.state != Some(InterfaceState::Up)
            || want.controller.as_deref().is_some_and(|c| !c.is_empty())
            || cur.controller.as_deref().is_some_and(|c| !c.is_empty())
        {
            continue;
        }
        kept_up.insert(cur.name.as_str());
        // IPv6 goes away below an MTU of 1280.
        let v6_kept = want.mtu.is_none_or(|m| m >= 1280);
        for (w, c, kept) in [
            (&mut want.ipv4, &cur.ipv4, true),
            (&mut want.ipv6, &cur.ipv6, v6_kept),
        ] {
            // Any word on DHCP or autoconf may add or remove addresses.
            let leaves_alone = w.as_ref().is_none_or(|w| {
                w.address.is_none()
                    && w.enabled != Some(false)
                    && w.dhcp.is_none()
                    && w.autoconf.is_none()
            });
            let Some(have) = c.as_ref().and_then(|c| c.address.as_ref()) else {
                continue;
            };
            if kept && leaves_alone && !have.is_empty() {
                w.get_or_insert_with(IpConfig::default).address = Some(have.clone());
            }
        }
    }
    let config = desired.routes.config.as_deref().unwrap_or(&[]);
    let kept: Vec<Route> = routes_kept_through(desired, current, |i| kept_up.contains(i))
        .into_iter()
        .filter(|r| !config.iter().any(|c| !c.is_absent() && c.matches(r)))
        .cloned()
        .collect();
    if !kept.is_empty() {
        verify
            .routes
            .config
            .get_or_insert_with(Vec::new)
            .extend(kept);
    }
    verify
}

/// Makes the desired `dns-resolver` and `hostname` say all they set: the
/// resolver keys the config leaves out are the current ones (`config: {}`
/// clears them), `running` is dropped; a `hostname` with `config` alone
/// sets the running name too.
fn complete_system(sane: &mut NetworkState, current: &NetworkState) {
    if let Some(d) = &mut sane.dns_resolver {
        d.running = None;
        let have = current
            .dns_resolver
            .as_ref()
            .and_then(|c| c.config.as_ref());
        d.config = d.config.as_ref().map(|c| c.completed(have));
        if d.config.is_none() && d.take_over.is_none() {
            sane.dns_resolver = None;
        }
    }
    if let Some(h) = &mut sane.hostname {
        **h = h.completed();
    }
}

/// The parts of roles `dns` and `hostname`, which go first: a resolver
/// configuration its plugin refuses changes nothing else. Role `dns` also
/// gets each interface's `auto-dns` (whether the name servers and search
/// domains of its DHCP lease are used) and `auto-hostname` (whether its
/// lease's host name is the running one).
fn system_parts(sane: &NetworkState, parts: &mut Vec<PlanPart>, purpose: Purpose) {
    let auto_dns: Vec<Interface> = sane
        .interfaces
        .iter()
        .filter_map(|i| {
            let pick = |ip: &Option<IpConfig>| {
                ip.as_ref()
                    .filter(|c| c.auto_dns.is_some() || c.auto_hostname.is_some())
                    .map(|c| IpConfig {
                        auto_dns: c.auto_dns,
                        auto_hostname: c.auto_hostname,
                        ..IpConfig::default()
                    })
            };
            let (ipv4, ipv6) = (pick(&i.ipv4), pick(&i.ipv6));
            (ipv4.is_some() || ipv6.is_some()).then(|| Interface {
                name: i.name.clone(),
                ipv4,
                ipv6,
                ..Interface::default()
            })
        })
        .collect();
    if sane.dns_resolver.is_some() || !auto_dns.is_empty() {
        parts.push(PlanPart {
            role: DNS.to_string(),
            state: NetworkState {
                interfaces: auto_dns,
                dns_resolver: sane.dns_resolver.clone(),
                ..NetworkState::default()
            },
            // A revert of the interfaces' keys alone: a daemon without a
            // dns plugin (and so without them) reverts the rest.
            optional: purpose == Purpose::Revert && sane.dns_resolver.is_none(),
        });
    }
    if let Some(h) = &sane.hostname {
        parts.push(PlanPart {
            role: HOSTNAME.to_string(),
            state: NetworkState {
                hostname: Some(h.clone()),
                ..NetworkState::default()
            },
            optional: false,
        });
    }
}

/// What a plan is for, which says how DHCP clients are turned off.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// An apply: a client turned off (`dhcp: false`) stops once the apply
    /// has been verified (the dhcp plugin reads `network.applied`), so that
    /// a failed one leaves it running.
    Apply,
    /// A revert to a checkpoint: role `dhcp` gets every interface whose
    /// clients the revert starts, sets, stops (`dhcp: false`) or deletes,
    /// at once; optional, so that a daemon without a dhcp plugin reverts
    /// the rest.
    Revert,
}

/// The parts, in order: roles `dns` and `hostname`, role `lldp` for the
/// interfaces going down or away (so that it sends its shutdown LLDPDU
/// while it still can), the kernel, role `ovs` (see [`crate::ovs_parts`]),
/// the kernel again for the addresses of OVS internal interfaces, the DHCP
/// clients, then role `lldp` for any word on LLDP.
fn make_plan(
    sane: NetworkState,
    notes: Vec<String>,
    current: &NetworkState,
    purpose: Purpose,
) -> Plan {
    let mut parts = Vec::new();
    system_parts(&sane, &mut parts, purpose);
    let ovs = crate::ovs_parts::split(&sane, current);
    let leaving: Vec<Interface> = sane
        .interfaces
        .iter()
        .filter(|i| matches!(i.state, Some(InterfaceState::Down | InterfaceState::Absent)))
        .map(|i| Interface {
            name: i.name.clone(),
            state: i.state,
            ..Interface::default()
        })
        .collect();
    if !leaving.is_empty() {
        parts.push(PlanPart {
            role: LLDP.to_string(),
            state: NetworkState {
                interfaces: leaving,
                ..NetworkState::default()
            },
            // Without an lldp plugin nothing announces.
            optional: true,
        });
    }
    parts.push(PlanPart {
        role: KERNEL.to_string(),
        state: ovs.kernel,
        optional: false,
    });
    if let Some(state) = ovs.ovs {
        parts.push(PlanPart {
            role: OVS.to_string(),
            state,
            optional: false,
        });
    }
    if let Some(state) = ovs.kernel_after {
        parts.push(PlanPart {
            role: KERNEL.to_string(),
            state,
            optional: false,
        });
    }
    // IPv6 autoconf is the kernel's (SLAAC): its part says it. The `auto-*`
    // keys of `ipv4` alone change a running DHCPv4 client's settings.
    let wants_dhcp = |ip: &Option<IpConfig>| ip.as_ref().is_some_and(|c| c.dhcp == Some(true));
    let dhcp_settings = |ip: &Option<IpConfig>| {
        ip.as_ref().is_some_and(|c| {
            c.dhcp.is_none()
                && (c.auto_gateway.is_some()
                    || c.auto_routes.is_some()
                    || c.auto_route_metric.is_some()
                    || c.auto_route_table_id.is_some()
                    || c.auto_hostname.is_some())
        })
    };
    let reverted = |i: &Interface| {
        purpose == Purpose::Revert
            && [&i.ipv4, &i.ipv6]
                .iter()
                .any(|ip| ip.as_ref().is_some_and(|c| c.dhcp.is_some()))
    };
    let dhcp: Vec<Interface> = sane
        .interfaces
        .iter()
        .filter(|i| {
            wants_dhcp(&i.ipv4) || wants_dhcp(&i.ipv6) || dhcp_settings(&i.ipv4) || reverted(i)
        })
        .map(|i| Interface {
            name: i.name.clone(),
            ipv4: i.ipv4.clone(),
            ipv6: i.ipv6.clone(),
            state: i.state,
            ..Interface::default()
        })
        .collect();
    if !dhcp.is_empty() {
        // Not optional even for settings alone: their effect is out of a
        // query's sight, and only a required part is applied then.
        parts.push(PlanPart {
            role: DHCP.to_string(),
            state: NetworkState {
                interfaces: dhcp,
                ..NetworkState::default()
            },
            optional: purpose == Purpose::Revert,
        });
    }
    // Any word on LLDP (on or off) goes to role `lldp`.
    let lldp: Vec<Interface> = sane
        .interfaces
        .iter()
        .filter(|i| i.lldp.is_some())
        .map(|i| Interface {
            name: i.name.clone(),
            lldp: i.lldp.clone(),
            ..Interface::default()
        })
        .collect();
    if !lldp.is_empty() {
        parts.push(PlanPart {
            role: LLDP.to_string(),
            state: NetworkState {
                interfaces: lldp,
                ..NetworkState::default()
            },
            optional: false,
        });
    }
    Plan {
        verify: sane.clone(),
        desired: sane,
        parts,
        notes,
    }
}

/// The plan that brings `current` back to `checkpoint` (both full queries):
/// interfaces that appeared are deleted, the others get every property
/// they had, static routes that appeared are removed and those that went
/// away are added back; the `Open_vSwitch` row's columns and OVN's
/// mappings get the checkpoint's keys back, those that appeared removed.
pub fn revert_plan(checkpoint: &NetworkState, current: &NetworkState) -> Plan {
    let mut notes = Vec::new();
    let mut interfaces = Vec::new();
    for cur in &current.interfaces {
        if checkpoint.interface(&cur.name).is_none() {
            if cur.iface_type.is_some_and(|t| t.can_create()) {
                let mut gone = Interface {
                    name: cur.name.clone(),
                    state: Some(InterfaceState::Absent),
                    ..Interface::default()
                };
                // Its DHCP clients stop with it.
                revert_dhcp(&mut gone.ipv4, cur.ipv4.as_ref());
                revert_dhcp(&mut gone.ipv6, cur.ipv6.as_ref());
                interfaces.push(gone);
            } else {
                notes.push(format!("{} appeared meanwhile and is left alone", cur.name));
            }
        }
    }
    for before in &checkpoint.interfaces {
        let t = before.iface_type;
        if current.interface(&before.name).is_none() && !t.is_some_and(|t| t.can_create()) {
            notes.push(format!(
                "{} is gone and can't be created again",
                before.name
            ));
            continue;
        }
        let mut want = before.clone();
        want.controller = Some(before.controller.clone().unwrap_or_default());
        // A bridge port a query shows no VLANs of had none: said so, the
        // VLANs given since are removed (and the bridge stops filtering).
        for p in want
            .bridge
            .as_mut()
            .and_then(|b| b.port.as_mut())
            .into_iter()
            .flatten()
        {
            p.vlan.get_or_insert_with(Default::default);
        }
        let now = current.interface(&before.name);
        for (ip, cur) in [
            (&mut want.ipv4, now.and_then(|c| c.ipv4.as_ref())),
            (&mut want.ipv6, now.and_then(|c| c.ipv6.as_ref())),
        ] {
            revert_dhcp(ip, cur);
            revert_auto(ip, cur);
        }
        for ip in [&mut want.ipv4, &mut want.ipv6].into_iter().flatten() {
            if ip.enabled == Some(false) && ip.address.as_ref().is_some_and(|a| !a.is_empty()) {
                ip.enabled = Some(true);
            }
            if ip.enabled == Some(false) {
                ip.address = None;
                // No autoconf without IPv6: its sysctls are left alone.
                ip.autoconf = None;
            }
        }
        // An IPv4 "enabled: false" of a query only means "no address".
        if let Some(v4) = &mut want.ipv4
            && v4.enabled == Some(false)
        {
            v4.enabled = None;
            v4.address = Some(Vec::new());
        }
        interfaces.push(want);
    }
    let cp_config = checkpoint.routes.config.clone().unwrap_or_default();
    let mut routes = cp_config.clone();
    for r in current.routes.config.as_deref().unwrap_or(&[]) {
        if !cp_config.contains(r) {
            let mut sel = r.clone();
            sel.state = Some(nipart_plugin_api::state::RouteState::Absent);
            routes.push(sel);
        }
    }
    let state = NetworkState {
        interfaces,
        routes: Routes {
            config: Some(routes),
            running: None,
        },
        dns_resolver: revert_dns(checkpoint, current),
        hostname: revert_hostname(checkpoint, current),
        route_rules: revert_rules(checkpoint, current),
        // A checkpoint taken without OVS has neither: they are left alone.
        ovs_db: checkpoint
            .ovs_db
            .as_ref()
            .and_then(|was| was.revert_from(current.ovs_db.as_deref()))
            .map(Box::new),
        ovn: checkpoint.ovs_db.as_ref().and_then(|_| {
            checkpoint
                .ovn
                .clone()
                .unwrap_or_default()
                .revert_from(current.ovn.as_deref())
                .map(Box::new)
        }),
    };
    make_plan(state, notes, current, Purpose::Revert)
}

/// What role `dns` does with the leases of one family, as the checkpoint
/// had it (`ip`; `now`, the current one): a query shows `auto-dns` and
/// `auto-hostname` only where they are not the defaults, so one shown now
/// and not in the checkpoint goes back to its default (`auto-dns: true`,
/// `auto-hostname: false`).
fn revert_auto(ip: &mut Option<IpConfig>, now: Option<&IpConfig>) {
    let Some(now) = now else { return };
    if now.auto_dns.is_some() && ip.as_ref().is_none_or(|c| c.auto_dns.is_none()) {
        ip.get_or_insert_with(IpConfig::default).auto_dns = Some(true);
    }
    if now.auto_hostname.is_some() && ip.as_ref().is_none_or(|c| c.auto_hostname.is_none()) {
        ip.get_or_insert_with(IpConfig::default).auto_hostname = Some(false);
    }
}

/// The DHCP client of one family as the checkpoint had it (`ip`, its
/// `ipv4` or `ipv6`; `now`, the current one): a query says `dhcp: true`
/// where a client runs (with its `auto-*` keys) and nothing where none
/// does, so a client that runs now and did not then is turned off
/// (`dhcp: false`), one that ran then runs again with the checkpoint's
/// keys, and nothing is said where neither runs (a daemon without a dhcp
/// plugin gets no DHCP part).
fn revert_dhcp(ip: &mut Option<IpConfig>, now: Option<&IpConfig>) {
    let running = now.is_some_and(|c| c.dhcp == Some(true));
    match ip {
        Some(c) if c.dhcp == Some(true) => {}
        Some(c) => c.dhcp = running.then_some(false),
        None if running => {
            *ip = Some(IpConfig {
                dhcp: Some(false),
                ..IpConfig::default()
            });
        }
        None => {}
    }
}

/// The resolver configuration of `checkpoint`, when `current`'s differs
/// (none when the checkpoint has none: it was taken without a `dns`
/// plugin).
fn revert_dns(checkpoint: &NetworkState, current: &NetworkState) -> Option<Box<DnsResolver>> {
    let config = checkpoint.dns_resolver.as_ref()?.config.as_ref()?;
    let want = DnsResolver {
        config: Some(config.completed(None)),
        ..DnsResolver::default()
    };
    (!dns_differences(&want, current.dns_resolver.as_deref()).is_empty()).then_some(Box::new(want))
}

/// The host names of `checkpoint`, when `current`'s differ (no static
/// name in the checkpoint: `config: ""`, removed).
fn revert_hostname(
    checkpoint: &NetworkState,
    current: &NetworkState,
) -> Option<Box<HostnameState>> {
    let was = checkpoint.hostname.as_ref()?;
    let want = HostnameState {
        running: was.running.clone(),
        config: Some(was.config.clone().unwrap_or_default()),
    };
    (!hostname_differences(&want, current.hostname.as_deref()).is_empty()).then_some(Box::new(want))
}

/// The rules that bring `current`'s back to `checkpoint`'s: those of the
/// checkpoint, and each rule that appeared since as an absent selector of
/// exactly itself (every field a query gives, so it selects no other
/// rule; and `rules_to_remove` spares what the checkpoint wants).
fn revert_rules(checkpoint: &NetworkState, current: &NetworkState) -> RouteRules {
    let before = checkpoint.route_rules.config.clone().unwrap_or_default();
    let mut rules = before.clone();
    for r in current.route_rules.config.as_deref().unwrap_or(&[]) {
        if !before.contains(r) {
            rules.push(RouteRule {
                state: Some(RouteState::Absent),
                ..r.clone()
            });
        }
    }
    RouteRules {
        config: Some(rules),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod verify_tests;

#[cfg(test)]
mod dns_tests;
