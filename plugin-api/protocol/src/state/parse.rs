//! Parsing a state from JSON or YAML, checking every key and value, with
//! errors that name the path: `interfaces[1].ipv4.address[0].prefix-length:
//! 33 is out of range 0..=32`.

use std::{
    collections::HashMap,
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

use serde_json::{Map, Value};

use super::schema::*;

mod ovs;
use super::{LldpConfig, LldpCounters, LldpNeighbor, LldpTlv};

/// A problem in a state, at a path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StateError {
    /// Where: `interfaces[1].ipv4.address[0].prefix-length`; empty for the
    /// whole document.
    pub path: String,
    /// What: `33 is out of range 0..=32`.
    pub message: String,
}

impl StateError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for StateError {}

pub(super) type R<T> = Result<T, StateError>;

/// What a JSON value is, for messages.
pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A mapping being taken apart: every key must be taken, or it is unknown.
pub(super) struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
    taken: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    pub(super) fn new(path: &str, v: &'a Value) -> R<Self> {
        match v {
            Value::Object(map) => Ok(Obj {
                path: path.to_string(),
                map,
                taken: Vec::new(),
            }),
            other => Err(StateError::new(
                path,
                format!("expected a mapping, found {}", describe(other)),
            )),
        }
    }

    /// The value of `key` (absent or null: `None`), taken.
    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.taken.push(key);
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// `f` of `v` with the path of `key`, written into `self.path` for the
    /// call and taken off after it: no string is made for each value read
    /// (a state of hundreds of interfaces has thousands; making them was
    /// most of reading one).
    fn at<T>(&mut self, key: &str, v: &'a Value, f: impl FnOnce(&'a Value, &str) -> R<T>) -> R<T> {
        let len = self.path.len();
        if len > 0 {
            self.path.push('.');
        }
        self.path.push_str(key);
        let r = f(v, &self.path);
        self.path.truncate(len);
        r
    }

    pub(super) fn opt<T>(
        &mut self,
        key: &'static str,
        f: impl FnOnce(&'a Value, &str) -> R<T>,
    ) -> R<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => self.at(key, v, f).map(Some),
        }
    }

    pub(super) fn req<T>(
        &mut self,
        key: &'static str,
        f: impl FnOnce(&'a Value, &str) -> R<T>,
    ) -> R<T> {
        match self.get(key) {
            None => Err(StateError::new(join(&self.path, key), "is required")),
            Some(v) => self.at(key, v, f),
        }
    }

    /// Fails on the first key not taken.
    pub(super) fn finish(self) -> R<()> {
        if let Some(k) = self.map.keys().find(|k| !self.taken.contains(&k.as_str())) {
            let mut known = self.taken.clone();
            known.sort_unstable();
            return Err(StateError::new(
                join(&self.path, k),
                format!("unknown key; expected one of: {}", known.join(", ")),
            ));
        }
        Ok(())
    }
}

pub(super) fn list<'a>(v: &'a Value, path: &str) -> R<&'a Vec<Value>> {
    match v {
        Value::Array(a) => Ok(a),
        other => Err(StateError::new(
            path,
            format!("expected a list, found {}", describe(other)),
        )),
    }
}

pub(super) fn string(v: &Value, path: &str) -> R<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(StateError::new(
            path,
            format!("expected a string, found {}", describe(other)),
        )),
    }
}

/// `true`/`false`, also written as the strings `"true"`/`"false"`, as
/// nmstate accepts them.
pub(super) fn boolean(v: &Value, path: &str) -> R<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        other => Err(StateError::new(
            path,
            format!("expected true or false, found {}", describe(other)),
        )),
    }
}

/// An integer in `lo..=hi`, also written as a string of digits (`"24"`),
/// as nmstate accepts it.
pub(super) fn int(v: &Value, path: &str, lo: u64, hi: u64) -> R<u64> {
    let parsed;
    let n = match v {
        Value::Number(n) => n,
        Value::String(s)
            if !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            parsed = s
                .parse::<u64>()
                .map(serde_json::Number::from)
                .map_err(|_| {
                    StateError::new(path, format!("{} is out of range {lo}..={hi}", quote(s)))
                })?;
            &parsed
        }
        other => {
            return Err(StateError::new(
                path,
                format!("expected an integer, found {}", describe(other)),
            ));
        }
    };
    match n.as_u64() {
        Some(x) if (lo..=hi).contains(&x) => Ok(x),
        _ if n.is_u64() || n.is_i64() => Err(StateError::new(
            path,
            format!("{n} is out of range {lo}..={hi}"),
        )),
        _ => Err(StateError::new(
            path,
            format!("expected an integer, found {n}"),
        )),
    }
}

/// One of `names`.
pub(super) fn keyword<T: Copy>(
    v: &Value,
    path: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> R<T> {
    let s = string(v, path)?;
    all.iter().copied().find(|t| name(*t) == s).ok_or_else(|| {
        let names: Vec<_> = all.iter().map(|t| name(*t)).collect();
        StateError::new(
            path,
            format!("{} is not one of: {}", quote(&s), names.join(", ")),
        )
    })
}

/// `s` for a message: quoted, escaped (control and invisible characters
/// show as `\u{…}`), and cut after [`QUOTE_MAX`] characters, so that a value
/// echoed in an error stays short and harmless to print.
pub fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        None => format!("{s:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &s[..cut], s.len()),
    }
}

/// How many characters of a value [`quote`] shows.
pub const QUOTE_MAX: usize = 40;

/// Characters that print as nothing or reorder the text around them:
/// bidirectional controls, zero-width and other invisible format
/// characters. A name with one looks like another name.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
        | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// The longest interface name the kernel takes (`IFNAMSIZ` - 1).
pub const MAX_INTERFACE_NAME: usize = 15;

/// Checks an interface name as the kernel would (`dev_valid_name`: 1 to 15
/// bytes, not `.` or `..`, no `/`, `:` or white space), and that it prints
/// as what it is: no control characters (NUL, ESC, newline…) and no
/// bidirectional or zero-width ones.
pub fn check_interface_name(name: &str, path: &str) -> R<()> {
    let bad = if name.is_empty() {
        Some("an interface name can't be empty".to_string())
    } else if name.len() > MAX_INTERFACE_NAME {
        Some(format!(
            "{} is longer than {MAX_INTERFACE_NAME} bytes",
            quote(name)
        ))
    } else if name == "." || name == ".." {
        Some(format!("{} is not a valid interface name", quote(name)))
    } else {
        name.chars()
            .find(|c| *c == '/' || *c == ':' || c.is_whitespace())
            .map(|c| {
                format!(
                    "{} contains {c:?}, which an interface name can't",
                    quote(name)
                )
            })
            .or_else(|| {
                name.chars()
                    .find(|c| c.is_control() || is_invisible(*c))
                    .map(|c| {
                        format!(
                            "{} contains the control or invisible character {}, which an interface name can't",
                            quote(name),
                            c.escape_unicode()
                        )
                    })
            })
    };
    match bad {
        Some(m) => Err(StateError::new(path, m)),
        None => Ok(()),
    }
}

pub(super) fn iface_name(v: &Value, path: &str) -> R<String> {
    let s = string(v, path)?;
    check_interface_name(&s, path)?;
    Ok(s)
}

/// `02:00:00:00:00:0a`, `02-00-00-00-00-0A` → `02:00:00:00:00:0A`.
pub fn canonical_mac(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    if parts.len() != 6
        || parts
            .iter()
            .any(|p| p.len() != 2 || u8::from_str_radix(p, 16).is_err())
    {
        return None;
    }
    Some(parts.join(":").to_uppercase())
}

fn mac(v: &Value, path: &str) -> R<String> {
    let s = string(v, path)?;
    canonical_mac(&s).ok_or_else(|| {
        StateError::new(
            path,
            format!(
                "{} is not a MAC address (six hex bytes separated by colons)",
                quote(&s)
            ),
        )
    })
}

/// The family of an `ipv4` or `ipv6` section.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn max_prefix(self) -> u8 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    pub fn of(ip: &IpAddr) -> Family {
        if ip.is_ipv4() { Family::V4 } else { Family::V6 }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

pub(super) fn ip_addr(v: &Value, path: &str, family: Option<Family>) -> R<IpAddr> {
    let s = string(v, path)?;
    let ip: IpAddr = s
        .parse()
        .map_err(|_| StateError::new(path, format!("{} is not an IP address", quote(&s))))?;
    if let Some(f) = family
        && Family::of(&ip) != f
    {
        return Err(StateError::new(
            path,
            format!("{} is not an {} address", quote(&s), f.name()),
        ));
    }
    Ok(ip)
}

fn ip_config(v: &Value, path: &str, family: Family) -> R<IpConfig> {
    let mut o = Obj::new(path, v)?;
    let enabled = o.opt("enabled", boolean)?;
    let dhcp = o.opt("dhcp", boolean)?;
    let (autoconf, auto) = if family == Family::V6 {
        let autoconf = o.opt("autoconf", boolean)?;
        (autoconf, super::autoconf::parse(&mut o, path, autoconf)?)
    } else {
        (None, super::autoconf::parse_route_keys(&mut o)?)
    };
    // What `Show` reports about a DHCPv4 lease: accepted so that a shown
    // state can be applied again, and ignored there.
    let dhcp_lease = if family == Family::V4 {
        o.opt("dhcp-lease", |v, p| {
            serde_json::from_value::<super::DhcpLeaseInfo>(v.clone()).map_err(|e| {
                // serde names the Rust type it expected; the reader knows
                // the key, not the type.
                let what = e
                    .to_string()
                    .replace("struct DhcpLeaseInfo", "a lease mapping");
                StateError::new(p, format!("not a lease as Show reports it: {what}"))
            })
        })?
    } else {
        None
    };
    let dhcp6_lease = if family == Family::V6 {
        o.opt("dhcp-lease", |v, p| {
            serde_json::from_value::<super::Dhcp6LeaseInfo>(v.clone()).map_err(|e| {
                let what = e
                    .to_string()
                    .replace("struct Dhcp6LeaseInfo", "a lease mapping");
                StateError::new(p, format!("not a lease as Show reports it: {what}"))
            })
        })?
    } else {
        None
    };
    let auto_dns = o.opt("auto-dns", boolean)?;
    let auto_hostname = if family == Family::V4 {
        o.opt("auto-hostname", boolean)?
    } else {
        None
    };
    let address = o.opt("address", |v, p| {
        let items = list(v, p)?;
        let mut out: Vec<IpAddress> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let ap = format!("{p}[{i}]");
            let mut a = Obj::new(&ap, item)?;
            let ip = a.req("ip", |v, p| ip_addr(v, p, Some(family)))?;
            let max = family.max_prefix() as u64;
            let prefix_length = a.req("prefix-length", |v, p| int(v, p, 0, max))? as u8;
            a.finish()?;
            let addr = IpAddress { ip, prefix_length };
            if let Some(j) = out.iter().position(|x| x.ip == ip) {
                return Err(StateError::new(
                    ap,
                    format!("{} is already given as {p}[{j}]", addr.ip),
                ));
            }
            out.push(addr);
        }
        Ok(out)
    })?;
    o.finish()?;
    if enabled == Some(false) && address.as_ref().is_some_and(|a| !a.is_empty()) {
        return Err(StateError::new(
            join(path, "address"),
            format!(
                "addresses are given while {} is disabled (enabled: false)",
                family.name()
            ),
        ));
    }
    if enabled == Some(false) && (dhcp == Some(true) || autoconf == Some(true)) {
        return Err(StateError::new(
            join(
                path,
                if dhcp == Some(true) {
                    "dhcp"
                } else {
                    "autoconf"
                },
            ),
            format!(
                "can't be true while {} is disabled (enabled: false)",
                family.name()
            ),
        ));
    }
    Ok(IpConfig {
        enabled,
        dhcp,
        autoconf,
        address,
        dhcp_lease,
        dhcp6_lease,
        auto_dns,
        auto_hostname,
        addr_gen_mode: auto.addr_gen_mode,
        token: auto.token,
        auto_gateway: auto.auto_gateway,
        auto_routes: auto.auto_routes,
        auto_route_metric: auto.auto_route_metric,
        auto_route_table_id: auto.auto_route_table_id,
    })
}

fn bridge_config(v: &Value, path: &str) -> R<BridgeConfig> {
    let mut o = Obj::new(path, v)?;
    let options = o.opt("options", |v, p| {
        let mut o = Obj::new(p, v)?;
        let stp = o.opt("stp", |v, p| {
            let mut s = Obj::new(p, v)?;
            let stp = StpOptions {
                enabled: s.opt("enabled", boolean)?,
                forward_delay: s
                    .opt("forward-delay", |v, p| int(v, p, 2, 30))?
                    .map(|x| x as u8),
                hello_time: s
                    .opt("hello-time", |v, p| int(v, p, 1, 10))?
                    .map(|x| x as u8),
                max_age: s.opt("max-age", |v, p| int(v, p, 6, 40))?.map(|x| x as u8),
                priority: s
                    .opt("priority", |v, p| int(v, p, 0, 65535))?
                    .map(|x| x as u16),
            };
            s.finish()?;
            Ok(stp)
        })?;
        let u32_of = |v: &Value, p: &str| int(v, p, 0, u32::MAX as u64).map(|x| x as u32);
        let centis = |v: &Value, p: &str| int(v, p, 0, u32::MAX as u64);
        let out = BridgeOptions {
            stp,
            group_forward_mask: o
                .opt("group-forward-mask", |v, p| {
                    let m = int(v, p, 0, 0xffff)? as u16;
                    // The kernel refuses STP, MAC pause and LACP frames.
                    if m & 0b111 != 0 {
                        return Err(StateError::new(
                            p,
                            format!("{m} sets bits 0..=2 (STP, MAC pause, LACP frames), which the kernel never forwards"),
                        ));
                    }
                    Ok(m)
                })?,
            mac_ageing_time: o.opt("mac-ageing-time", |v, p| int(v, p, 0, 1_000_000).map(|x| x as u32))?,
            multicast_snooping: o.opt("multicast-snooping", boolean)?,
            multicast_querier: o.opt("multicast-querier", boolean)?,
            multicast_query_use_ifaddr: o.opt("multicast-query-use-ifaddr", boolean)?,
            hash_max: o.opt("hash-max", u32_of)?,
            multicast_last_member_count: o.opt("multicast-last-member-count", u32_of)?,
            multicast_startup_query_count: o.opt("multicast-startup-query-count", u32_of)?,
            multicast_last_member_interval: o.opt("multicast-last-member-interval", centis)?,
            multicast_membership_interval: o.opt("multicast-membership-interval", centis)?,
            multicast_querier_interval: o.opt("multicast-querier-interval", centis)?,
            multicast_query_interval: o.opt("multicast-query-interval", centis)?,
            multicast_query_response_interval: o.opt("multicast-query-response-interval", centis)?,
            multicast_startup_query_interval: o.opt("multicast-startup-query-interval", centis)?,
            vlan_protocol: o.opt("vlan-protocol", |v, p| {
                keyword(v, p, VlanProtocol::ALL, VlanProtocol::as_str)
            })?,
            multicast_router: o.opt("multicast-router", |v, p| {
                keyword_or_number(v, p, MulticastRouter::ALL, MulticastRouter::as_str)
            })?,
        };
        o.finish()?;
        Ok(out)
    })?;
    let port = o.opt("port", |v, p| {
        let items = list(v, p)?;
        let mut out: Vec<BridgePort> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let pp = format!("{p}[{i}]");
            let mut o = Obj::new(&pp, item)?;
            let port = BridgePort {
                name: o.req("name", iface_name)?,
                stp_hairpin_mode: o.opt("stp-hairpin-mode", boolean)?,
                stp_path_cost: o
                    .opt("stp-path-cost", |v, p| int(v, p, 1, 65535))?
                    .map(|x| x as u32),
                stp_priority: o
                    .opt("stp-priority", |v, p| int(v, p, 0, 63))?
                    .map(|x| x as u16),
                vlan: o.opt("vlan", port_vlan)?,
            };
            o.finish()?;
            if let Some(j) = out.iter().position(|x| x.name == port.name) {
                return Err(StateError::new(
                    join(&pp, "name"),
                    format!("port {:?} is already given as {p}[{j}]", port.name),
                ));
            }
            out.push(port);
        }
        Ok(out)
    })?;
    o.finish()?;
    Ok(BridgeConfig { options, port })
}

/// `bridge.port[].vlan`, checked as nmstate does: an access port has a
/// `tag` and no `trunk-tags`, a trunk has `trunk-tags`, and a native VLAN
/// needs its `tag`.
fn port_vlan(v: &Value, path: &str) -> R<BridgePortVlan> {
    let vid = |v: &Value, p: &str| int(v, p, 1, u64::from(MAX_VLAN_ID)).map(|x| x as u16);
    let mut o = Obj::new(path, v)?;
    let out = BridgePortVlan {
        enable_native: o.opt("enable-native", boolean)?,
        mode: o.opt("mode", |v, p| {
            keyword(v, p, BridgePortVlanMode::ALL, BridgePortVlanMode::as_str)
        })?,
        tag: o.opt("tag", vid)?,
        trunk_tags: o.opt("trunk-tags", |v, p| {
            let items = list(v, p)?;
            if items.len() > usize::from(MAX_VLAN_ID) {
                return Err(StateError::new(
                    p,
                    format!("{} tags are more than {MAX_VLAN_ID}", items.len()),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let pp = format!("{p}[{i}]");
                let mut t = Obj::new(&pp, item)?;
                let id = t.opt("id", vid)?;
                let range = t.opt("id-range", |v, p| {
                    let mut r = Obj::new(p, v)?;
                    let min = r.req("min", vid)?;
                    let max = r.req("max", vid)?;
                    r.finish()?;
                    if min > max {
                        return Err(StateError::new(p, format!("min {min} is above max {max}")));
                    }
                    Ok((min, max))
                })?;
                t.finish()?;
                out.push(match (id, range) {
                    (Some(id), None) => BridgeTrunkTag::Id(id),
                    (None, Some((min, max))) => BridgeTrunkTag::IdRange { min, max },
                    _ => {
                        return Err(StateError::new(
                            &pp,
                            "give either id or id-range".to_string(),
                        ));
                    }
                });
            }
            Ok(out)
        })?,
    };
    o.finish()?;
    let trunks = out.trunk_tags.as_ref().is_some_and(|t| !t.is_empty());
    let problem = match out.mode {
        Some(BridgePortVlanMode::Access) if trunks => {
            Some(("trunk-tags", "an access port has no trunk-tags"))
        }
        Some(BridgePortVlanMode::Access) if out.enable_native == Some(true) => {
            Some(("enable-native", "an access port has no native VLAN"))
        }
        Some(BridgePortVlanMode::Trunk) if !trunks => {
            Some(("trunk-tags", "a trunk port needs trunk-tags"))
        }
        None if trunks || out.tag.is_some() => {
            Some(("mode", "give mode (access or trunk) with tag or trunk-tags"))
        }
        _ if out.enable_native == Some(true) && out.tag.is_none() => {
            Some(("tag", "enable-native needs the native VLAN's tag"))
        }
        _ => None,
    };
    if let Some((key, why)) = problem {
        return Err(StateError::new(join(path, key), why.to_string()));
    }
    Ok(out)
}

/// The most neighbours a shown `lldp.neighbors` may list (the plugin keeps
/// at most 64 per interface).
const MAX_LLDP_NEIGHBORS: usize = 1024;

/// `interfaces[].lldp`: `enabled` and `transmit`; what `Show` reports
/// (`neighbors`, `counters`) is accepted, so that a shown state can be
/// applied again, and ignored there.
fn lldp_config(v: &Value, path: &str) -> R<LldpConfig> {
    let mut o = Obj::new(path, v)?;
    let enabled = o.opt("enabled", boolean)?;
    let transmit = o.opt("transmit", boolean)?;
    let neighbors = o.opt("neighbors", |v, p| {
        let items = list(v, p)?;
        if items.len() > MAX_LLDP_NEIGHBORS {
            return Err(StateError::new(
                p,
                format!("{} neighbours, more than {MAX_LLDP_NEIGHBORS}", items.len()),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let np = format!("{p}[{i}]");
                list(n, &np)?
                    .iter()
                    .enumerate()
                    .map(|(j, t)| {
                        serde_json::from_value::<LldpTlv>(t.clone()).map_err(|e| {
                            StateError::new(
                                format!("{np}[{j}]"),
                                format!("not an LLDP TLV as Show reports it: {e}"),
                            )
                        })
                    })
                    .collect()
            })
            .collect::<R<Vec<LldpNeighbor>>>()
    })?;
    let counters = o.opt("counters", |v, p| {
        serde_json::from_value::<LldpCounters>(v.clone())
            .map_err(|e| StateError::new(p, format!("not LLDP counters as Show reports them: {e}")))
    })?;
    o.finish()?;
    if enabled == Some(false) && transmit == Some(true) {
        return Err(StateError::new(
            join(path, "transmit"),
            "can't be true while LLDP is disabled (enabled: false)",
        ));
    }
    Ok(LldpConfig {
        enabled,
        transmit,
        neighbors,
        counters,
    })
}

fn interface(v: &Value, path: &str) -> R<Interface> {
    let mut o = Obj::new(path, v)?;
    let name = o.req("name", iface_name)?;
    let iface_type = o.opt("type", |v, p| {
        // The OVS types are matched apart, so that the list an error gives
        // stays the kernel's.
        match v
            .as_str()
            .and_then(|s| InterfaceType::OVS.iter().find(|t| t.as_str() == s))
        {
            Some(t) => Ok(*t),
            None => keyword(v, p, &InterfaceType::ALL, InterfaceType::as_str),
        }
    });
    let state = o.opt("state", |v, p| {
        keyword(v, p, &InterfaceState::ALL, InterfaceState::as_str)
    })?;
    // As nmstate, the absence of an interface of a type nipart does not
    // know is accepted (nothing to do if it does not exist; an existing
    // one is deleted whatever its type).
    let iface_type = match iface_type {
        Err(_) if state == Some(InterfaceState::Absent) => Some(InterfaceType::Unknown),
        t => t?,
    };
    let mtu = o
        .opt("mtu", |v, p| int(v, p, 68, u32::MAX as u64))?
        .map(|x| x as u32);
    let mac_address = o.opt("mac-address", mac)?;
    let controller = o.opt("controller", |v, p| {
        let s = string(v, p)?;
        if !s.is_empty() {
            check_interface_name(&s, p)?;
        }
        Ok(s)
    })?;
    let ipv4 = o.opt("ipv4", |v, p| ip_config(v, p, Family::V4))?;
    let ipv6 = o.opt("ipv6", |v, p| ip_config(v, p, Family::V6))?;
    let veth = o.opt("veth", |v, p| {
        let mut o = Obj::new(p, v)?;
        let peer = o.req("peer", iface_name)?;
        o.finish()?;
        Ok(VethConfig { peer })
    })?;
    let (bridge, ovs_bridge) = if iface_type == Some(InterfaceType::OvsBridge) {
        (None, o.opt("bridge", ovs::bridge)?)
    } else {
        (o.opt("bridge", bridge_config)?, None)
    };
    let patch = o.opt("patch", ovs::patch)?;
    let ovs_db = o.opt("ovs-db", ovs::ovs_db)?;
    let lldp = o.opt("lldp", lldp_config)?;
    let accept_all_mac_addresses = o.opt("accept-all-mac-addresses", boolean)?;
    let link_aggregation = o.opt("link-aggregation", bond_config)?;
    let vlan = o.opt("vlan", vlan_config)?;
    let vrf = o.opt("vrf", vrf_config)?;
    let mac_vlan = o.opt("mac-vlan", mac_vlan_config)?;
    let mac_vtap = o.opt("mac-vtap", mac_vlan_config)?;
    let vxlan = o.opt("vxlan", vxlan_config)?;
    o.finish()?;
    let only = |section: &str, wanted: InterfaceType| -> R<()> {
        match iface_type {
            Some(t) if t != wanted => Err(StateError::new(
                join(path, section),
                format!("only a {wanted} interface has a {section} section, this one is {t}"),
            )),
            _ => Ok(()),
        }
    };
    // nmstate takes `type: ethernet` for a veth too.
    if veth.is_some() && iface_type != Some(InterfaceType::Ethernet) {
        only("veth", InterfaceType::Veth)?;
    }
    let sections = [
        ("bridge", bridge.is_some(), InterfaceType::LinuxBridge),
        (
            "link-aggregation",
            link_aggregation.is_some(),
            InterfaceType::Bond,
        ),
        ("vlan", vlan.is_some(), InterfaceType::Vlan),
        ("vrf", vrf.is_some(), InterfaceType::Vrf),
        ("mac-vlan", mac_vlan.is_some(), InterfaceType::MacVlan),
        ("mac-vtap", mac_vtap.is_some(), InterfaceType::MacVtap),
        ("vxlan", vxlan.is_some(), InterfaceType::Vxlan),
        ("patch", patch.is_some(), InterfaceType::OvsInterface),
    ];
    for (section, given, t) in sections {
        if given {
            only(section, t)?;
        }
    }
    if let Some(base) = [
        vlan.as_ref()
            .and_then(|v| v.base_iface.as_ref())
            .map(|b| ("vlan", b)),
        mac_vlan
            .as_ref()
            .and_then(|v| v.base_iface.as_ref())
            .map(|b| ("mac-vlan", b)),
        mac_vtap
            .as_ref()
            .and_then(|v| v.base_iface.as_ref())
            .map(|b| ("mac-vtap", b)),
        vxlan
            .as_ref()
            .and_then(|v| v.base_iface.as_ref())
            .map(|b| ("vxlan", b)),
    ]
    .into_iter()
    .flatten()
    .find(|(_, b)| **b == name)
    {
        return Err(StateError::new(
            join(path, &format!("{}.base-iface", base.0)),
            format!("an interface can't stand on itself ({name:?})"),
        ));
    }
    if let Some(v) = &veth
        && v.peer == name
    {
        return Err(StateError::new(
            join(path, "veth.peer"),
            format!("a veth interface can't be its own peer ({name:?})"),
        ));
    }
    if let Some(v) = &patch
        && v.peer == name
    {
        return Err(StateError::new(
            join(path, "patch.peer"),
            format!("a patch port can't be its own peer ({name:?})"),
        ));
    }
    if controller.as_deref() == Some(name.as_str()) {
        return Err(StateError::new(
            join(path, "controller"),
            format!("an interface can't be its own controller ({name:?})"),
        ));
    }
    if state == Some(InterfaceState::Absent) {
        if name == LOOPBACK || iface_type == Some(InterfaceType::Loopback) {
            return Err(StateError::new(
                join(path, "state"),
                format!("the loopback interface {name:?} can't be made absent"),
            ));
        }
        // Only `name` and `type` go with `absent`: anything else would be
        // dropped silently, and was probably meant for another interface.
        let given = [
            ("mtu", mtu.is_some()),
            ("mac-address", mac_address.is_some()),
            ("controller", controller.is_some()),
            ("ipv4", ipv4.is_some()),
            ("ipv6", ipv6.is_some()),
            ("veth", veth.is_some()),
            ("bridge", bridge.is_some() || ovs_bridge.is_some()),
            ("patch", patch.is_some()),
            ("ovs-db", ovs_db.is_some()),
            ("lldp", lldp.is_some()),
            (
                "accept-all-mac-addresses",
                accept_all_mac_addresses.is_some(),
            ),
            ("link-aggregation", link_aggregation.is_some()),
            ("vlan", vlan.is_some()),
            ("vrf", vrf.is_some()),
            ("mac-vlan", mac_vlan.is_some()),
            ("mac-vtap", mac_vtap.is_some()),
            ("vxlan", vxlan.is_some()),
        ];
        if let Some((key, _)) = given.iter().find(|(_, g)| *g) {
            return Err(StateError::new(
                join(path, key),
                "can't be given with state: absent (only name and type can); remove it, or the state",
            ));
        }
    }
    Ok(Interface {
        name,
        iface_type,
        state,
        mtu,
        mac_address,
        controller,
        ipv4,
        ipv6,
        veth,
        bridge,
        lldp,
        accept_all_mac_addresses,
        link_aggregation,
        vlan,
        vrf,
        mac_vlan,
        mac_vtap,
        vxlan,
        ovs_bridge,
        patch,
        ovs_db,
    })
}

/// A keyword of `all`, or its number in the kernel (the index in `all`), as
/// nmstate accepts both for bond options.
fn keyword_or_number<T: Copy>(
    v: &Value,
    path: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> R<T> {
    if let Value::Number(_) = v {
        let i = int(v, path, 0, all.len() as u64 - 1)?;
        return Ok(all[i as usize]);
    }
    if let Value::String(s) = v
        && let Ok(i) = s.parse::<usize>()
    {
        return all.get(i).copied().ok_or_else(|| {
            StateError::new(
                path,
                format!("{} is out of range 0..={}", quote(s), all.len() - 1),
            )
        });
    }
    keyword(v, path, all, name)
}

/// A list of interface names without repeats.
fn name_list(v: &Value, path: &str) -> R<Vec<String>> {
    let items = list(v, path)?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let n = iface_name(item, &p)?;
        if let Some(j) = out.iter().position(|x| *x == n) {
            return Err(StateError::new(
                p,
                format!("{n:?} is already given as {path}[{j}]"),
            ));
        }
        out.push(n);
    }
    Ok(out)
}

fn bond_config(v: &Value, path: &str) -> R<BondConfig> {
    let mut o = Obj::new(path, v)?;
    let mode = o.opt("mode", |v, p| {
        keyword_or_number(v, p, BondMode::ALL, BondMode::as_str)
    })?;
    let port = o.opt("port", name_list)?;
    // nmstate's older name for `port`.
    let slaves = o.opt("slaves", name_list)?;
    let port = match (port, slaves) {
        (Some(_), Some(_)) => {
            return Err(StateError::new(
                join(path, "slaves"),
                "is the older name of port; give only one of them",
            ));
        }
        (p, s) => p.or(s),
    };
    let ports_config = o.opt("ports-config", |v, p| {
        let items = list(v, p)?;
        let mut out: Vec<BondPortConfig> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let pp = format!("{p}[{i}]");
            let mut o = Obj::new(&pp, item)?;
            let c = BondPortConfig {
                name: o.req("name", iface_name)?,
                priority: o.opt("priority", signed32)?,
                queue_id: o
                    .opt("queue-id", |v, p| int(v, p, 0, u16::MAX as u64))?
                    .map(|x| x as u16),
            };
            o.finish()?;
            if let Some(j) = out.iter().position(|x| x.name == c.name) {
                return Err(StateError::new(
                    join(&pp, "name"),
                    format!("port {:?} is already given as {p}[{j}]", c.name),
                ));
            }
            out.push(c);
        }
        Ok(out)
    })?;
    let options = o.opt("options", bond_options)?;
    o.finish()?;
    if let (Some(pc), Some(ports)) = (&ports_config, &port)
        && let Some((i, c)) = pc
            .iter()
            .enumerate()
            .find(|(_, c)| !ports.contains(&c.name))
    {
        return Err(StateError::new(
            format!("{}[{i}].name", join(path, "ports-config")),
            format!("{:?} is not in the port list", c.name),
        ));
    }
    Ok(BondConfig {
        mode,
        port,
        ports_config,
        options,
    })
}

/// A signed 32-bit integer (a bond port's priority), also as a string.
fn signed32(v: &Value, path: &str) -> R<i32> {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    n.and_then(|n| i32::try_from(n).ok()).ok_or_else(|| {
        StateError::new(
            path,
            format!(
                "expected an integer in {}..={}, found {}",
                i32::MIN,
                i32::MAX,
                describe(v)
            ),
        )
    })
}

fn bond_options(v: &Value, path: &str) -> R<BondOptions> {
    let mut o = Obj::new(path, v)?;
    let u32_of = |v: &Value, p: &str| int(v, p, 0, u32::MAX as u64).map(|x| x as u32);
    let out = BondOptions {
        miimon: o.opt("miimon", u32_of)?,
        updelay: o.opt("updelay", u32_of)?,
        downdelay: o.opt("downdelay", u32_of)?,
        use_carrier: o.opt("use_carrier", boolean)?,
        arp_interval: o.opt("arp_interval", u32_of)?,
        arp_ip_target: o.opt("arp_ip_target", |v, p| {
            let s = string(v, p)?;
            let mut out: Vec<Ipv4Addr> = Vec::new();
            for part in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
                let ip: Ipv4Addr = part.parse().map_err(|_| {
                    StateError::new(p, format!("{} is not an IPv4 address", quote(part)))
                })?;
                if !out.contains(&ip) {
                    out.push(ip);
                }
            }
            // The kernel's limit (BOND_MAX_ARP_TARGETS).
            if out.len() > 16 {
                return Err(StateError::new(
                    p,
                    format!("{} targets; the kernel takes at most 16", out.len()),
                ));
            }
            Ok(out)
        })?,
        arp_validate: o.opt("arp_validate", |v, p| {
            keyword_or_number(v, p, BondArpValidate::ALL, BondArpValidate::as_str)
        })?,
        arp_all_targets: o.opt("arp_all_targets", |v, p| {
            keyword_or_number(v, p, BondArpAllTargets::ALL, BondArpAllTargets::as_str)
        })?,
        primary: o.opt("primary", iface_name)?,
        primary_reselect: o.opt("primary_reselect", |v, p| {
            keyword_or_number(v, p, BondPrimaryReselect::ALL, BondPrimaryReselect::as_str)
        })?,
        fail_over_mac: o.opt("fail_over_mac", |v, p| {
            keyword_or_number(v, p, BondFailOverMac::ALL, BondFailOverMac::as_str)
        })?,
        xmit_hash_policy: o.opt("xmit_hash_policy", |v, p| {
            keyword_or_number(v, p, BondXmitHashPolicy::ALL, BondXmitHashPolicy::as_str)
        })?,
        resend_igmp: o.opt("resend_igmp", |v, p| int(v, p, 0, 255).map(|x| x as u32))?,
        num_grat_arp: o.opt("num_grat_arp", |v, p| int(v, p, 0, 255).map(|x| x as u8))?,
        all_slaves_active: o.opt("all_slaves_active", |v, p| {
            keyword_or_number(v, p, BondAllSlavesActive::ALL, BondAllSlavesActive::as_str)
        })?,
        min_links: o.opt("min_links", u32_of)?,
        lp_interval: o.opt("lp_interval", |v, p| {
            int(v, p, 1, i32::MAX as u64).map(|x| x as u32)
        })?,
        packets_per_slave: o.opt("packets_per_slave", |v, p| {
            int(v, p, 0, 65535).map(|x| x as u32)
        })?,
        lacp_rate: o.opt("lacp_rate", |v, p| {
            keyword_or_number(v, p, BondLacpRate::ALL, BondLacpRate::as_str)
        })?,
        ad_select: o.opt("ad_select", |v, p| {
            keyword_or_number(v, p, BondAdSelect::ALL, BondAdSelect::as_str)
        })?,
        ad_actor_sys_prio: o.opt("ad_actor_sys_prio", |v, p| {
            int(v, p, 1, 65535).map(|x| x as u16)
        })?,
        ad_user_port_key: o.opt("ad_user_port_key", |v, p| {
            int(v, p, 0, 1023).map(|x| x as u16)
        })?,
        ad_actor_system: o.opt("ad_actor_system", mac)?,
        tlb_dynamic_lb: o.opt("tlb_dynamic_lb", boolean)?,
        peer_notif_delay: o.opt("peer_notif_delay", u32_of)?,
    };
    o.finish()?;
    Ok(out)
}

fn vlan_config(v: &Value, path: &str) -> R<VlanConfig> {
    let mut o = Obj::new(path, v)?;
    let out = VlanConfig {
        base_iface: o.opt("base-iface", iface_name)?,
        id: o.opt("id", |v, p| int(v, p, 0, 4094).map(|x| x as u16))?,
        protocol: o.opt("protocol", |v, p| {
            keyword(v, p, VlanProtocol::ALL, VlanProtocol::as_str)
        })?,
        reorder_headers: o.opt("reorder-headers", boolean)?,
        loose_binding: o.opt("loose-binding", boolean)?,
    };
    o.finish()?;
    Ok(out)
}

fn vrf_config(v: &Value, path: &str) -> R<VrfConfig> {
    let mut o = Obj::new(path, v)?;
    let out = VrfConfig {
        port: o.opt("port", name_list)?,
        route_table_id: o.opt("route-table-id", |v, p| {
            int(v, p, 1, u32::MAX as u64).map(|x| x as u32)
        })?,
    };
    o.finish()?;
    Ok(out)
}

fn mac_vlan_config(v: &Value, path: &str) -> R<MacVlanConfig> {
    let mut o = Obj::new(path, v)?;
    let base_iface = o.opt("base-iface", iface_name)?;
    let mode = o.opt("mode", |v, p| {
        keyword(v, p, MacVlanMode::ALL, MacVlanMode::as_str)
    })?;
    let promiscuous = o.opt("promiscuous", boolean)?;
    // nmstate's other name for `promiscuous`.
    let accept_all_mac = o.opt("accept-all-mac", boolean)?;
    o.finish()?;
    if promiscuous.is_some() && accept_all_mac.is_some() {
        return Err(StateError::new(
            join(path, "accept-all-mac"),
            "is another name of promiscuous; give only one of them",
        ));
    }
    Ok(MacVlanConfig {
        base_iface,
        mode,
        promiscuous: promiscuous.or(accept_all_mac),
    })
}

fn vxlan_config(v: &Value, path: &str) -> R<VxlanConfig> {
    let mut o = Obj::new(path, v)?;
    let out = VxlanConfig {
        id: o.opt("id", |v, p| int(v, p, 0, 16_777_215).map(|x| x as u32))?,
        base_iface: o.opt("base-iface", iface_name)?,
        remote: o.opt("remote", |v, p| ip_addr(v, p, None))?,
        local: o.opt("local", |v, p| ip_addr(v, p, None))?,
        destination_port: o.opt("destination-port", |v, p| {
            int(v, p, 0, u16::MAX as u64).map(|x| x as u16)
        })?,
        learning: o.opt("learning", boolean)?,
    };
    o.finish()?;
    if let (Some(r), Some(l)) = (out.remote, out.local)
        && r.is_ipv4() != l.is_ipv4()
    {
        return Err(StateError::new(
            join(path, "local"),
            format!("{l} and remote {r} are of different IP families"),
        ));
    }
    Ok(out)
}

/// The loopback interface, which always exists.
pub const LOOPBACK: &str = "lo";

/// Checks a MAC address (canonical) that is to be set on an interface: not
/// multicast (the lowest bit of the first byte; this includes broadcast)
/// and not all zeros, which the kernel refuses or which break the link.
pub fn check_unicast_mac(mac: &str, path: &str) -> R<()> {
    let first = mac
        .get(..2)
        .and_then(|b| u8::from_str_radix(b, 16).ok())
        .ok_or_else(|| StateError::new(path, format!("{} is not a MAC address", quote(mac))))?;
    if first & 1 == 1 {
        return Err(StateError::new(
            path,
            format!("{mac} is a multicast address; an interface needs a unicast one"),
        ));
    }
    if mac.split(':').all(|b| b == "00") {
        return Err(StateError::new(
            path,
            format!("{mac} is all zeros; an interface needs a unicast address"),
        ));
    }
    Ok(())
}

/// Checks an address that is to be set on an interface: not the
/// unspecified address (`0.0.0.0`, `::`), not the network address of its
/// prefix (host bits all zero) and, for IPv4, not its broadcast address
/// (host bits all one). Point-to-point prefixes (/31 and /32 in IPv4, /127
/// and /128 in IPv6) have no network or broadcast address.
pub fn check_interface_address(addr: &IpAddress, path: &str) -> R<()> {
    let refuse = |why: &str| Err(StateError::new(path, format!("{addr} is {why}")));
    if addr.ip.is_unspecified() {
        return refuse("the unspecified address; an interface needs a host address");
    }
    match addr.ip {
        IpAddr::V4(ip) if addr.prefix_length < 31 => {
            let host_bits = u32::MAX >> addr.prefix_length;
            let host = u32::from(ip) & host_bits;
            if host == 0 {
                return refuse(
                    "a network address (its host bits are all zero); an interface needs a host address",
                );
            }
            if host == host_bits {
                return refuse(
                    "the broadcast address of its network; an interface needs a host address",
                );
            }
        }
        IpAddr::V6(ip) if addr.prefix_length < 127 => {
            let host_bits = u128::MAX >> addr.prefix_length;
            if u128::from(ip) & host_bits == 0 {
                return refuse(
                    "a network address (its host bits are all zero); an interface needs a host address",
                );
            }
        }
        _ => {}
    }
    Ok(())
}

/// Parses `198.51.100.0/24`, clearing host bits.
pub fn canonical_network(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, len) = s.split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    let max = Family::of(&ip).max_prefix();
    if len > max {
        return None;
    }
    let net = match ip {
        IpAddr::V4(a) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
        }
        IpAddr::V6(a) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
        }
    };
    Some((net, len))
}

/// A network, `ADDRESS/PREFIX-LENGTH`, with its host bits cleared.
pub(super) fn network(v: &Value, p: &str) -> R<(IpAddr, u8)> {
    let s = string(v, p)?;
    if !s.contains('/') {
        return Err(StateError::new(
            p,
            format!(
                "{} is not a network: expected ADDRESS/PREFIX-LENGTH",
                quote(&s)
            ),
        ));
    }
    let (ip, _) = s.split_once('/').unwrap_or((&s, ""));
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| StateError::new(p, format!("{} is not a network: bad address", quote(&s))))?;
    let max = Family::of(&ip).max_prefix();
    canonical_network(&s).ok_or_else(|| {
        StateError::new(
            p,
            format!(
                "{} is not a network: the prefix length must be 0..={max}",
                quote(&s)
            ),
        )
    })
}

fn route(v: &Value, path: &str) -> R<Route> {
    let mut o = Obj::new(path, v)?;
    let state = o.opt("state", |v, p| {
        keyword(v, p, &[RouteState::Absent], RouteState::as_str)
    })?;
    let destination = o.opt("destination", network)?;
    let next_hop_interface = o.opt("next-hop-interface", iface_name)?;
    let family = destination.map(|(ip, _)| Family::of(&ip));
    let next_hop_address = o.opt("next-hop-address", |v, p| ip_addr(v, p, family))?;
    let metric = o
        .opt("metric", |v, p| int(v, p, 0, u32::MAX as u64))?
        .map(|x| x as u32);
    let table_id = o
        .opt("table-id", |v, p| int(v, p, 0, u32::MAX as u64))?
        .map(|x| x as u32);
    let route_type = o.opt("route-type", |v, p| {
        keyword(v, p, &RouteType::ALL, RouteType::as_str)
    })?;
    let source = o.opt("source", |v, p| ip_addr(v, p, family))?;
    let u32_of = |v: &Value, p: &str| int(v, p, 0, u32::MAX as u64).map(|x| x as u32);
    let cwnd = o.opt("cwnd", u32_of)?;
    let initcwnd = o.opt("initcwnd", u32_of)?;
    let initrwnd = o.opt("initrwnd", u32_of)?;
    // The kernel's smallest IPv4 MTU; an IPv6 route takes 1280 or more.
    let mtu = o.opt("mtu", |v, p| {
        int(v, p, 68, u32::MAX as u64).map(|x| x as u32)
    })?;
    let onlink = o.opt("onlink", boolean)?;
    let weight = o.opt("weight", |v, p| int(v, p, 1, 256).map(|x| x as u16))?;
    o.finish()?;
    if weight.is_some() && route_type.is_some() {
        return Err(StateError::new(
            join(path, "weight"),
            "a route without a next hop has no weight",
        ));
    }
    if let Some(t) = route_type {
        let hop = if next_hop_address.is_some() {
            Some("next-hop-address")
        } else if next_hop_interface.is_some() {
            Some("next-hop-interface")
        } else if onlink.is_some() {
            Some("onlink")
        } else {
            None
        };
        if let Some(key) = hop {
            return Err(StateError::new(
                join(path, key),
                format!("a {t} route has no next hop; leave {key} out"),
            ));
        }
    }
    if onlink == Some(true) && next_hop_address.is_none() && state.is_none() {
        return Err(StateError::new(
            join(path, "onlink"),
            "needs a next-hop-address (the gateway taken as on the link)",
        ));
    }
    if state.is_none() {
        if destination.is_none() {
            return Err(StateError::new(join(path, "destination"), "is required"));
        }
        if route_type.is_none() && next_hop_interface.is_none() && next_hop_address.is_none() {
            return Err(StateError::new(
                join(path, "next-hop-interface"),
                "is required when next-hop-address is not given",
            ));
        }
    }
    Ok(Route {
        state,
        destination: destination.map(|(ip, len)| format!("{ip}/{len}")),
        next_hop_interface,
        next_hop_address,
        metric,
        table_id,
        route_type,
        source,
        cwnd,
        initcwnd,
        initrwnd,
        mtu,
        onlink,
        weight,
    })
}

fn routes(v: &Value, path: &str) -> R<Routes> {
    let mut o = Obj::new(path, v)?;
    let mut one = |key: &'static str| -> R<Option<Vec<Route>>> {
        o.opt(key, |v, p| {
            list(v, p)?
                .iter()
                .enumerate()
                .map(|(i, r)| route(r, &format!("{p}[{i}]")))
                .collect()
        })
    };
    let config = one("config")?;
    let running = one("running")?;
    o.finish()?;
    Ok(Routes { config, running })
}

impl NetworkState {
    /// Parses and checks a state from a JSON value (`null` is empty).
    pub fn from_value(v: &Value) -> Result<Self, StateError> {
        if v.is_null() {
            return Ok(Self::default());
        }
        let mut o = Obj::new("", v)?;
        let interfaces = o
            .opt("interfaces", |v, p| {
                let items = list(v, p)?;
                let mut out: Vec<Interface> = Vec::with_capacity(items.len());
                let mut seen: HashMap<String, usize> = HashMap::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let ip = format!("{p}[{i}]");
                    let iface = interface(item, &ip)?;
                    if let Some(j) = seen.insert(iface.name.clone(), i) {
                        return Err(StateError::new(
                            join(&ip, "name"),
                            format!("interface {:?} is already given as {p}[{j}]", iface.name),
                        ));
                    }
                    out.push(iface);
                }
                Ok(out)
            })?
            .unwrap_or_default();
        let routes = o.opt("routes", routes)?.unwrap_or_default();
        let dns_resolver = o
            .opt("dns-resolver", super::dns::dns_resolver)?
            .map(Box::new);
        let hostname = o.opt("hostname", super::hostname::hostname)?.map(Box::new);
        let route_rules = o
            .opt("route-rules", super::route_rule::route_rules)?
            .unwrap_or_default();
        let ovs_db = o.opt("ovs-db", ovs::ovs_db_global)?.map(Box::new);
        let ovn = o.opt("ovn", ovs::ovn)?.map(Box::new);
        o.finish()?;
        Ok(NetworkState {
            interfaces,
            routes,
            dns_resolver,
            hostname,
            route_rules,
            ovs_db,
            ovn,
        })
    }

    /// Parses and checks a state in JSON (see [`json_value`](super::json_value) for what the
    /// text itself may not hold).
    pub fn from_json(text: &str) -> Result<Self, StateError> {
        Self::from_value(&super::json_value(text)?)
    }

    /// Parses and checks a state in YAML, nmstate's format (see
    /// [`yaml_value`](super::yaml_value) for what the text itself may not
    /// hold).
    pub fn from_yaml(text: &str) -> Result<Self, StateError> {
        Self::from_value(&super::yaml_value(text)?)
    }

    /// The state as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl<'de> serde::Deserialize<'de> for NetworkState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        NetworkState::from_value(&v).map_err(serde::de::Error::custom)
    }
}
