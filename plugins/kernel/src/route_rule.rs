//! Routing rules both ways: the kernel's rules (read by nispor) in the
//! schema, and adding or removing one by netlink (nispor 2.0 reads rules
//! but does not write them).
//!
//! The query leaves out the kernel's default rules and any rule with a
//! selector the schema does not have (`not`, `tos`, `goto`, `l3mdev`, a
//! tunnel id, an IP protocol, ports, a realm): shown without it, such a
//! rule would look like another, and an absent selector could remove it.
//! A removal names every field the query gave, priority included, and the
//! kernel deletes the first rule equal on each field named: exactly that
//! one.

use nipart_plugin_api::{
    Result,
    state::{RouteRule, RouteRuleAction, RouteRules, RuleFamily, canonical_network},
};
use nispor::{AddressFamily, NetState, RouteRuleFlag, RuleAction};
use rtnetlink::packet_route::{
    AddressFamily as NlFamily,
    route::RouteProtocol,
    rule::{RuleAction as NlAction, RuleAttribute, RuleMessage},
};

use crate::{
    error::from_netlink,
    netlink::{Connection, done_if},
};

/// The rules of `np` the schema can show, sorted.
pub(crate) fn query(np: &NetState) -> RouteRules {
    let mut config: Vec<RouteRule> = np.rules.iter().filter_map(convert).collect();
    config.retain(|r| !r.is_kernel_default());
    config.sort();
    RouteRules {
        config: Some(config),
    }
}

fn convert(r: &nispor::RouteRule) -> Option<RouteRule> {
    let unmodelled = r.tos != 0
        || r.goto.is_some()
        || r.l3mdev == Some(true)
        || r.tun_id.is_some()
        || r.ip_proto.is_some()
        || r.realm.is_some()
        || r.suppress_ifgroup.is_some()
        || r.src_port_range.is_some()
        || r.dst_port_range.is_some()
        || r.flags.contains(&RouteRuleFlag::Invert);
    if unmodelled {
        return None;
    }
    let family = match r.address_family {
        AddressFamily::Ipv4 => RuleFamily::Ipv4,
        AddressFamily::Ipv6 => RuleFamily::Ipv6,
        _ => return None,
    };
    let (action, route_table) = match r.action {
        RuleAction::Table => (None, r.table),
        RuleAction::Blackhole => (Some(RouteRuleAction::Blackhole), None),
        RuleAction::Unreachable => (Some(RouteRuleAction::Unreachable), None),
        RuleAction::Prohibit => (Some(RouteRuleAction::Prohibit), None),
        _ => return None,
    };
    let net = |n: &Option<String>| -> Option<Option<String>> {
        match n {
            None => Some(None),
            Some(s) => {
                let (ip, len) = canonical_network(s)?;
                Some(Some(format!("{ip}/{len}")))
            }
        }
    };
    Some(RouteRule {
        state: None,
        family: Some(family),
        ip_from: net(&r.src)?,
        ip_to: net(&r.dst)?,
        // The kernel leaves out a priority of 0 (the `local` rule's).
        priority: Some(r.priority.unwrap_or(0)),
        route_table,
        fwmark: r.fw_mark,
        fwmask: r.fw_mask,
        action,
        iif: r.iif.clone(),
        oif: r.oif.clone(),
        suppress_prefix_length: r.suppress_prefix_len,
    })
}

/// The netlink message for `r`: every field it gives; `add` also sets the
/// protocol (`static`, as `ip rule` shows it).
fn message(r: &RouteRule, add: bool) -> RuleMessage {
    let mut m = RuleMessage::default();
    m.header.family = match r.family() {
        Some(RuleFamily::Ipv6) => NlFamily::Inet6,
        _ => NlFamily::Inet,
    };
    let prefix = |s: &Option<String>| s.as_deref().and_then(canonical_network);
    if let Some((ip, len)) = prefix(&r.ip_from) {
        m.header.src_len = len;
        m.attributes.push(RuleAttribute::Source(ip));
    }
    if let Some((ip, len)) = prefix(&r.ip_to) {
        m.header.dst_len = len;
        m.attributes.push(RuleAttribute::Destination(ip));
    }
    m.header.action = match r.action {
        Some(RouteRuleAction::Blackhole) => NlAction::Blackhole,
        Some(RouteRuleAction::Unreachable) => NlAction::Unreachable,
        Some(RouteRuleAction::Prohibit) => NlAction::Prohibit,
        None => NlAction::ToTable,
    };
    if let Some(t) = r.route_table {
        // The header has 8 bits; FRA_TABLE takes any table.
        m.header.table = u8::try_from(t).unwrap_or(0);
        m.attributes.push(RuleAttribute::Table(t));
    }
    if let Some(p) = r.priority {
        m.attributes.push(RuleAttribute::Priority(p));
    }
    if let Some(x) = r.fwmark {
        m.attributes.push(RuleAttribute::FwMark(x));
    }
    if let Some(x) = r.fwmask {
        m.attributes.push(RuleAttribute::FwMask(x));
    }
    if let Some(x) = &r.iif {
        m.attributes.push(RuleAttribute::Iifname(x.clone()));
    }
    if let Some(x) = &r.oif {
        m.attributes.push(RuleAttribute::Oifname(x.clone()));
    }
    if let Some(x) = r.suppress_prefix_length {
        m.attributes.push(RuleAttribute::SuppressPrefixLen(x));
    }
    if add {
        m.attributes
            .push(RuleAttribute::Protocol(RouteProtocol::Static));
    }
    m
}

/// Removes each rule of `remove`, then adds each of `add`, on one netlink
/// socket; stops at the first the kernel refuses, with the rule and its
/// reason. A rule gone already is not an error.
pub(crate) async fn apply(remove: &[&RouteRule], add: &[&RouteRule]) -> Result<()> {
    if remove.is_empty() && add.is_empty() {
        return Ok(());
    }
    let handle = Connection::open()?;
    for r in remove {
        let sent = handle.rule().del(message(r, false)).execute().await;
        done_if(libc::ENOENT, sent).map_err(|e| from_netlink(&format!("removing rule {r}"), e))?;
    }
    for r in add {
        let mut req = handle.rule().add();
        *req.message_mut() = message(r, true);
        req.execute()
            .await
            .map_err(|e| from_netlink(&format!("adding rule {r}"), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    #[test]
    fn a_message_names_every_field() {
        let r = RouteRule {
            family: Some(RuleFamily::Ipv6),
            ip_from: Some("2001:db8::/64".into()),
            priority: Some(7),
            route_table: Some(1000),
            fwmark: Some(3),
            iif: Some("v0".into()),
            ..RouteRule::default()
        };
        let m = message(&r, false);
        assert_eq!(m.header.family, NlFamily::Inet6);
        assert_eq!(m.header.src_len, 64);
        assert_eq!(m.header.table, 0, "table 1000 goes in FRA_TABLE");
        assert!(m.attributes.contains(&RuleAttribute::Table(1000)));
        assert!(m.attributes.contains(&RuleAttribute::Priority(7)));
        assert!(
            !m.attributes
                .iter()
                .any(|a| matches!(a, RuleAttribute::Protocol(_))),
            "a removal names no protocol"
        );
        let src: IpAddr = "2001:db8::".parse().unwrap();
        assert!(m.attributes.contains(&RuleAttribute::Source(src)));
    }
}
