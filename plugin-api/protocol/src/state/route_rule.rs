//! `route-rules`: the kernel's routing policy rules (`ip rule`), in
//! nmstate's schema (`RouteRuleEntry`): parsing, matching, what
//! verification reports and what a merge keeps.
//!
//! Invariants:
//! - a query never shows the kernel's default rules (priority 0 → `local`,
//!   32766 → `main`, 32767 → `default`, no selector), so no `state:
//!   absent` selects them, however broad;
//! - a rule that is not `absent` has a family (given, or from `ip-from` /
//!   `ip-to`) and, without an `action`, a `route-table` (main when not
//!   given, as nmstate).

use std::{fmt, net::IpAddr};

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::diff::{Selected, not_present, selected_for_removal};
use super::merge::merge_selected;
use super::parse::{Obj, R, iface_name, int, join, keyword, list, network};
use super::{Difference, Family, MAIN_TABLE, RouteState, StateError, quote};

/// `route-rules`: `config` in a desired state; in a query, every rule the
/// kernel has except its default ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct RouteRules {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Vec<RouteRule>>,
}

impl RouteRules {
    pub fn is_empty(&self) -> bool {
        self.config.is_none()
    }
}

/// One rule. In a desired state with `state: absent`, the fields given
/// select the rules to remove (a missing field matches any value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct RouteRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<RouteState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<RuleFamily>,
    /// A network in canonical form: `192.0.2.0/24`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_to: Option<String>,
    /// Lower numbers are looked at first; the kernel picks one below the
    /// lowest existing rule above 0 when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// The table looked up when the rule matches.
    #[serde(rename = "route-table", skip_serializing_if = "Option::is_none")]
    pub route_table: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "hex")]
    pub fwmark: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "hex")]
    pub fwmask: Option<u32>,
    /// What to do instead of looking up a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<RouteRuleAction>,
    /// The interface packets come in by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iif: Option<String>,
    /// The interface packets of local sockets bound to it go out by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oif: Option<String>,
    /// Ignore a route looked up with a prefix this long or shorter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppress_prefix_length: Option<u32>,
}

/// nmstate writes marks in hex: `0x10`.
fn hex<S: Serializer>(v: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_str(&format!("{x:#x}")),
        None => s.serialize_none(),
    }
}

/// `route-rules.config[].family`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleFamily {
    Ipv4,
    Ipv6,
}

impl RuleFamily {
    pub const ALL: [RuleFamily; 2] = [RuleFamily::Ipv4, RuleFamily::Ipv6];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleFamily::Ipv4 => "ipv4",
            RuleFamily::Ipv6 => "ipv6",
        }
    }

    fn of(ip: &IpAddr) -> RuleFamily {
        match Family::of(ip) {
            Family::V4 => RuleFamily::Ipv4,
            Family::V6 => RuleFamily::Ipv6,
        }
    }

    fn max_prefix(self) -> u64 {
        match self {
            RuleFamily::Ipv4 => 32,
            RuleFamily::Ipv6 => 128,
        }
    }
}

/// `route-rules.config[].action`: instead of looking up a table, drop as
/// a route of that type would.
pub type RouteRuleAction = super::RouteType;

impl Serialize for RuleFamily {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for RuleFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kernel's default rules (`ip rule` of a fresh namespace): priority,
/// table. IPv6 has the first two.
pub const DEFAULT_RULES: [(u32, u32); 3] = [(0, 255), (32766, MAIN_TABLE), (32767, 253)];

impl RouteRule {
    pub fn is_absent(&self) -> bool {
        self.state == Some(RouteState::Absent)
    }

    /// The family given, or that of `ip-from` / `ip-to`.
    pub fn family(&self) -> Option<RuleFamily> {
        self.family.or_else(|| {
            [&self.ip_from, &self.ip_to]
                .into_iter()
                .flatten()
                .find_map(|n| n.split('/').next()?.parse::<IpAddr>().ok())
                .map(|ip| RuleFamily::of(&ip))
        })
    }

    /// Whether this is one of the kernel's default rules, which nipart
    /// never shows nor removes.
    pub fn is_kernel_default(&self) -> bool {
        let bare = RouteRule {
            state: None,
            family: None,
            priority: None,
            route_table: None,
            ..self.clone()
        };
        bare == RouteRule::default()
            && DEFAULT_RULES
                .iter()
                .any(|(p, t)| self.priority == Some(*p) && self.route_table == Some(*t))
    }

    /// Whether `self`, a desired rule, selects `other`, a rule of a query:
    /// every field given here is equal there.
    pub fn matches(&self, other: &RouteRule) -> bool {
        fn eq<T: PartialEq>(want: &Option<T>, have: &Option<T>) -> bool {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        }
        eq(&self.family(), &other.family())
            && eq(&self.ip_from, &other.ip_from)
            && eq(&self.ip_to, &other.ip_to)
            && eq(&self.priority, &other.priority)
            && eq(&self.route_table, &other.route_table)
            && eq(&self.fwmark, &other.fwmark)
            && eq(&self.fwmask, &other.fwmask)
            && eq(&self.action, &other.action)
            && eq(&self.iif, &other.iif)
            && eq(&self.oif, &other.oif)
            && eq(&self.suppress_prefix_length, &other.suppress_prefix_length)
    }
}

/// As `ip rule` prints it: `priority 100 from 192.0.2.0/24 lookup 200`.
impl fmt::Display for RouteRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if self.ip_from.is_none()
            && self.ip_to.is_none()
            && let Some(fam) = self.family()
        {
            parts.push(fam.to_string());
        }
        if let Some(p) = self.priority {
            parts.push(format!("priority {p}"));
        }
        if let Some(x) = &self.ip_from {
            parts.push(format!("from {x}"));
        }
        if let Some(x) = &self.ip_to {
            parts.push(format!("to {x}"));
        }
        if let Some(m) = self.fwmark {
            match self.fwmask {
                Some(k) => parts.push(format!("fwmark {m:#x}/{k:#x}")),
                None => parts.push(format!("fwmark {m:#x}")),
            }
        }
        if let Some(x) = &self.iif {
            parts.push(format!("iif {x}"));
        }
        if let Some(x) = &self.oif {
            parts.push(format!("oif {x}"));
        }
        if let Some(t) = self.route_table {
            parts.push(format!("lookup {t}"));
        }
        if let Some(l) = self.suppress_prefix_length {
            parts.push(format!("suppress_prefixlength {l}"));
        }
        if let Some(a) = self.action {
            parts.push(a.to_string());
        }
        if parts.is_empty() {
            parts.push("*".into());
        }
        f.write_str(&parts.join(" "))
    }
}

/// A 32-bit mark: an integer, or a string in decimal or `0x` hex (nmstate
/// writes `0x10`).
fn mark(v: &Value, path: &str) -> R<u32> {
    if let Value::String(s) = v
        && let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
    {
        return u32::from_str_radix(h, 16).map_err(|_| {
            StateError::new(path, format!("{} is not a 32-bit number in hex", quote(s)))
        });
    }
    int(v, path, 0, u32::MAX as u64).map(|x| x as u32)
}

/// A network, or a single address (`192.0.2.1` → `192.0.2.1/32`), as
/// nmstate takes it.
fn prefix(v: &Value, path: &str) -> R<(IpAddr, u8)> {
    if let Value::String(s) = v
        && !s.contains('/')
        && let Ok(ip) = s.parse::<IpAddr>()
    {
        return Ok((ip, Family::of(&ip).max_prefix()));
    }
    network(v, path)
}

fn rule(v: &Value, path: &str) -> R<RouteRule> {
    let mut o = Obj::new(path, v)?;
    let state = o.opt("state", |v, p| {
        keyword(v, p, &[RouteState::Absent], RouteState::as_str)
    })?;
    let family = o.opt("family", |v, p| {
        keyword(v, p, &RuleFamily::ALL, RuleFamily::as_str)
    })?;
    let ip_from = o.opt("ip-from", prefix)?;
    let ip_to = o.opt("ip-to", prefix)?;
    // nmstate's -1 means "let the kernel choose", as not giving it.
    let priority = o.opt("priority", |v, p| {
        if v.as_i64() == Some(-1) || v.as_str() == Some("-1") {
            return Ok(None);
        }
        int(v, p, 0, u32::MAX as u64).map(|x| Some(x as u32))
    })?;
    // nmstate's 0 means "the default table" (main).
    let route_table = o
        .opt("route-table", |v, p| int(v, p, 0, u32::MAX as u64))?
        .map(|x| x as u32);
    let fwmark = o.opt("fwmark", mark)?;
    let fwmask = o.opt("fwmask", mark)?;
    let action = o.opt("action", |v, p| {
        keyword(v, p, &RouteRuleAction::ALL, RouteRuleAction::as_str)
    })?;
    let iif = o.opt("iif", iface_name)?;
    let oif = o.opt("oif", iface_name)?;
    let suppress_prefix_length = o
        .opt("suppress-prefix-length", |v, p| int(v, p, 0, 128))?
        .map(|x| x as u32);
    o.finish()?;

    // One family for everything given.
    let mut fam: Option<(RuleFamily, &str)> = family.map(|f| (f, "family"));
    for (key, net) in [("ip-from", &ip_from), ("ip-to", &ip_to)] {
        let Some((ip, _)) = net else { continue };
        let f = RuleFamily::of(ip);
        match fam {
            Some((g, by)) if g != f => {
                return Err(StateError::new(
                    join(path, key),
                    format!("{ip} is {f}, but {by} is {g}"),
                ));
            }
            _ => fam = Some((f, key)),
        }
    }
    if let (Some(l), Some((f, _))) = (suppress_prefix_length, fam)
        && u64::from(l) > f.max_prefix()
    {
        return Err(StateError::new(
            join(path, "suppress-prefix-length"),
            format!("{l} is out of range 0..={} for {f}", f.max_prefix()),
        ));
    }
    if fwmask.is_some() && fwmark.is_none() {
        return Err(StateError::new(
            join(path, "fwmask"),
            "is given without fwmark; a mask applies to a mark",
        ));
    }
    let route_table = route_table.filter(|t| *t != 0);
    if let (Some(a), Some(t)) = (action, route_table) {
        return Err(StateError::new(
            join(path, "route-table"),
            format!("{t} is given with action {a}, which looks up no table; give one of them"),
        ));
    }
    let absent = state.is_some();
    if !absent && fam.is_none() {
        return Err(StateError::new(
            join(path, "family"),
            "is required when neither ip-from nor ip-to is given",
        ));
    }
    Ok(RouteRule {
        state,
        family: fam.map(|(f, _)| f),
        ip_from: ip_from.map(|(ip, len)| format!("{ip}/{len}")),
        ip_to: ip_to.map(|(ip, len)| format!("{ip}/{len}")),
        priority: priority.flatten(),
        // A rule that drops nothing looks up a table: main unless given.
        route_table: route_table.or((!absent && action.is_none()).then_some(MAIN_TABLE)),
        fwmark,
        fwmask,
        action,
        iif,
        oif,
        suppress_prefix_length,
    })
}

/// Parses `route-rules` (`{config: [...]}`).
pub(super) fn route_rules(v: &Value, path: &str) -> R<RouteRules> {
    let mut o = Obj::new(path, v)?;
    let config = o.opt("config", |v, p| {
        list(v, p)?
            .iter()
            .enumerate()
            .map(|(i, r)| rule(r, &format!("{p}[{i}]")))
            .collect()
    })?;
    o.finish()?;
    Ok(RouteRules { config })
}

/// Rules of `current` (a query's `route-rules.config`) that the absent
/// selectors of `config` remove: matched by a selector and by no rule
/// `config` wants. The kernel's default rules are never among them.
pub fn rules_to_remove<'a>(config: &[RouteRule], current: &'a [RouteRule]) -> Vec<&'a RouteRule> {
    let mut out = selected_for_removal(config, current);
    out.retain(|r| !r.is_kernel_default());
    out
}

/// Rules of `config` (not absent) that no rule of `current` matches.
pub fn rules_missing<'a>(config: &'a [RouteRule], current: &[RouteRule]) -> Vec<&'a RouteRule> {
    not_present(config, current)
}

impl Selected for RouteRule {
    fn is_absent(&self) -> bool {
        RouteRule::is_absent(self)
    }
    fn selects(&self, other: &Self) -> bool {
        self.matches(other)
    }
}

/// What verification reports about rules: `route-rules: rule priority 100
/// from 192.0.2.0/24 lookup 200 desired present, current missing`.
pub(super) fn rule_differences(desired: &RouteRules, current: &RouteRules) -> Vec<Difference> {
    let Some(config) = &desired.config else {
        return Vec::new();
    };
    let have = current.config.as_deref().unwrap_or(&[]);
    let item = |r: &RouteRule, desired: &str, current: &str| Difference {
        item: "route-rules".into(),
        property: format!("rule {r}"),
        desired: desired.into(),
        current: current.into(),
    };
    let mut out: Vec<Difference> = rules_missing(config, have)
        .into_iter()
        .map(|r| item(r, "present", "missing"))
        .collect();
    out.extend(
        rules_to_remove(config, have)
            .into_iter()
            .map(|r| item(r, "absent", "present")),
    );
    out
}

/// Merges desired rules into saved ones (see [`merge_selected`]).
pub(super) fn merge_rules(saved: &mut RouteRules, desired: &RouteRules) {
    if let Some(rules) = &desired.config {
        merge_selected(&mut saved.config, rules);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::NetworkState;

    fn rules(yaml: &str) -> Vec<RouteRule> {
        NetworkState::from_yaml(&format!("route-rules: {{config: [{yaml}]}}"))
            .unwrap_or_else(|e| panic!("{yaml}: {e}"))
            .route_rules
            .config
            .unwrap()
    }

    fn err(yaml: &str) -> String {
        NetworkState::from_yaml(&format!("route-rules: {{config: [{yaml}]}}"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parses_nmstate_rules_canonically() {
        let r = rules(
            "{ip-from: 192.0.2.7/24, priority: 100, route-table: 200, fwmark: '0x10', fwmask: 255, iif: eth1}",
        );
        assert_eq!(
            r[0],
            RouteRule {
                family: Some(RuleFamily::Ipv4),
                ip_from: Some("192.0.2.0/24".into()),
                priority: Some(100),
                route_table: Some(200),
                fwmark: Some(0x10),
                fwmask: Some(0xff),
                iif: Some("eth1".into()),
                ..RouteRule::default()
            }
        );
        assert_eq!(
            r[0].to_string(),
            "priority 100 from 192.0.2.0/24 fwmark 0x10/0xff iif eth1 lookup 200"
        );
        // A single address is a host prefix; no table and no action: main.
        let r = rules("{ip-to: '2001:db8::1', priority: -1}");
        assert_eq!(r[0].ip_to.as_deref(), Some("2001:db8::1/128"));
        assert_eq!(r[0].priority, None);
        assert_eq!(r[0].route_table, Some(MAIN_TABLE));
        assert_eq!(r[0].family(), Some(RuleFamily::Ipv6));
        let r = rules("{family: ipv4, action: blackhole, suppress-prefix-length: 0, oif: v0}");
        assert_eq!(r[0].route_table, None);
        assert_eq!(
            r[0].to_string(),
            "ipv4 oif v0 suppress_prefixlength 0 blackhole"
        );
    }

    #[test]
    fn round_trips_through_yaml() {
        let text = "route-rules:\n  config:\n  - {ip-from: 192.0.2.0/24, priority: 5, route-table: 7, fwmark: 16, fwmask: '0xff'}\n  - {family: ipv6, action: prohibit, iif: a1}\n  - {state: absent, route-table: 500}\n";
        let s = NetworkState::from_yaml(text).unwrap();
        let yaml = s.to_yaml();
        assert!(yaml.contains("fwmark: '0x10'"), "{yaml}");
        assert_eq!(NetworkState::from_yaml(&yaml).unwrap(), s, "{yaml}");
    }

    #[test]
    fn bad_rules_are_refused_with_the_path() {
        for (yaml, want) in [
            (
                "{ip-from: 192.0.2.0/24, ip-to: '2001:db8::/64'}",
                "route-rules.config[0].ip-to: 2001:db8:: is ipv6, but ip-from is ipv4",
            ),
            (
                "{family: ipv6, ip-from: 192.0.2.0/24}",
                "route-rules.config[0].ip-from: 192.0.2.0 is ipv4, but family is ipv6",
            ),
            (
                "{priority: 5}",
                "route-rules.config[0].family: is required when neither ip-from nor ip-to is given",
            ),
            (
                "{family: ipv4, fwmask: 3}",
                "route-rules.config[0].fwmask: is given without fwmark; a mask applies to a mark",
            ),
            (
                "{family: ipv4, action: blackhole, route-table: 5}",
                "route-rules.config[0].route-table: 5 is given with action blackhole, which looks up no table; give one of them",
            ),
            (
                "{family: ipv4, action: drop}",
                "route-rules.config[0].action: \"drop\" is not one of: blackhole, unreachable, prohibit",
            ),
            (
                "{ip-from: 192.0.2.0/24, suppress-prefix-length: 33}",
                "route-rules.config[0].suppress-prefix-length: 33 is out of range 0..=32 for ipv4",
            ),
            (
                "{family: ipv4, fwmark: '0xZZ'}",
                "route-rules.config[0].fwmark: \"0xZZ\" is not a 32-bit number in hex",
            ),
            (
                "{ip-from: 192.0.2.0/33}",
                "route-rules.config[0].ip-from: \"192.0.2.0/33\" is not a network: the prefix length must be 0..=32",
            ),
            (
                "{family: ipv4, iif: 'a/b'}",
                "route-rules.config[0].iif: \"a/b\" contains '/', which an interface name can't",
            ),
            (
                "{family: ipv4, table: 5}",
                "route-rules.config[0].table: unknown key",
            ),
        ] {
            let e = err(yaml);
            assert!(e.starts_with(want), "{yaml}: {e}");
        }
    }

    #[test]
    fn absent_selects_what_matches_but_never_the_kernel_defaults() {
        let current = rules(
            "{ip-from: 192.0.2.0/24, priority: 100, route-table: 200},
             {ip-from: 198.51.100.0/24, priority: 101, route-table: 200},
             {ip-to: '2001:db8::/64', priority: 102, route-table: 200},
             {family: ipv4, priority: 32766, route-table: 254}",
        );
        assert!(current[3].is_kernel_default());
        let broad = rules("{state: absent}");
        let gone = rules_to_remove(&broad, &current);
        assert_eq!(gone.len(), 3, "{gone:?}");
        let v4 = rules("{state: absent, family: ipv4, route-table: 200}");
        assert_eq!(rules_to_remove(&v4, &current).len(), 2);
        // A rule the same state wants is kept.
        let keep =
            rules("{state: absent, route-table: 200}, {ip-from: 192.0.2.0/24, route-table: 200}");
        let gone: Vec<_> = rules_to_remove(&keep, &current)
            .into_iter()
            .map(|r| r.priority)
            .collect();
        assert_eq!(gone, vec![Some(101), Some(102)]);
        assert_eq!(rules_missing(&keep, &current).len(), 0);
        let other = rules("{ip-from: 192.0.2.0/24, route-table: 201}");
        assert_eq!(rules_missing(&other, &current).len(), 1);
    }

    #[test]
    fn merge_adds_and_removes() {
        let mut saved = RouteRules {
            config: Some(rules(
                "{ip-from: 192.0.2.0/24, route-table: 200}, {ip-to: 192.0.2.0/24, route-table: 201}",
            )),
        };
        merge_rules(
            &mut saved,
            &RouteRules {
                config: Some(rules(
                    "{state: absent, route-table: 200}, {family: ipv6, action: unreachable}",
                )),
            },
        );
        let left = saved.config.clone().unwrap();
        assert_eq!(left.len(), 2);
        assert_eq!(left[0].route_table, Some(201));
        assert_eq!(left[1].action, Some(RouteRuleAction::Unreachable));
        merge_rules(
            &mut saved,
            &RouteRules {
                config: Some(rules("{state: absent}")),
            },
        );
        assert_eq!(saved.config, None);
    }
}
