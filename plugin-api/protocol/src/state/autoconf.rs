//! IPv6 autoconfiguration's keys of `interfaces[].ipv6` (nmstate's names):
//! `addr-gen-mode`, `token`, `auto-gateway`, `auto-routes`,
//! `auto-route-metric`, `auto-route-table-id`. The kernel does SLAAC
//! itself; these are its per-interface settings (sysctls and the link's
//! IPv6 token), applied by the kernel plugin.

use std::{fmt, net::Ipv6Addr};

use serde::{Serialize, Serializer};

use super::parse::{Obj, R, boolean, int, join, keyword, string};
use super::{Difference, IpConfig, StateError, quote};

/// `ipv6.addr-gen-mode`: how SLAAC forms the host part of an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddrGenMode {
    /// From the MAC address (RFC 4291).
    Eui64,
    /// Stable per network, not revealing the MAC address (RFC 7217).
    StablePrivacy,
}

impl AddrGenMode {
    pub const ALL: [AddrGenMode; 2] = [AddrGenMode::Eui64, AddrGenMode::StablePrivacy];

    pub fn as_str(self) -> &'static str {
        match self {
            AddrGenMode::Eui64 => "eui64",
            AddrGenMode::StablePrivacy => "stable-privacy",
        }
    }
}

impl Serialize for AddrGenMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for AddrGenMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The autoconf keys of an `ipv6` section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct AutoconfKeys {
    pub addr_gen_mode: Option<AddrGenMode>,
    pub token: Option<Ipv6Addr>,
    pub auto_gateway: Option<bool>,
    pub auto_routes: Option<bool>,
    pub auto_route_metric: Option<u32>,
    pub auto_route_table_id: Option<u32>,
}

/// Takes the autoconf keys out of the `ipv6` mapping `o` (at `path`).
pub(super) fn parse(o: &mut Obj<'_>, path: &str) -> R<AutoconfKeys> {
    let k = AutoconfKeys {
        addr_gen_mode: o.opt("addr-gen-mode", |v, p| {
            keyword(v, p, &AddrGenMode::ALL, AddrGenMode::as_str)
        })?,
        token: o.opt("token", |v, p| {
            let s = string(v, p)?;
            let t: Ipv6Addr = s.parse().map_err(|_| {
                StateError::new(p, format!("{} is not an IPv6 token (::1:2:3:4)", quote(&s)))
            })?;
            // A token is the host part: the upper 64 bits are the prefix's.
            if u128::from(t) >> 64 != 0 {
                return Err(StateError::new(
                    p,
                    format!("{t} sets bits of the prefix; a token is the last 64 bits (::1:2:3:4)"),
                ));
            }
            Ok(t)
        })?,
        auto_gateway: o.opt("auto-gateway", boolean)?,
        auto_routes: o.opt("auto-routes", boolean)?,
        auto_route_metric: o
            .opt("auto-route-metric", |v, p| int(v, p, 1, u32::MAX as u64))?
            .map(|x| x as u32),
        auto_route_table_id: o
            .opt("auto-route-table-id", |v, p| int(v, p, 0, u32::MAX as u64))?
            .map(|x| x as u32),
    };
    if k.auto_route_table_id
        .is_some_and(|t| t != 0 && t != super::MAIN_TABLE)
    {
        return Err(StateError::new(
            join(path, "auto-route-table-id"),
            "the kernel puts the routes of router advertisements in the main table; nipart can't move them to another",
        ));
    }
    Ok(k)
}

/// What verification reports about the autoconf keys of `want` that
/// `have` (a query's `ipv6`) does not match.
pub(super) fn differences(name: &str, want: &IpConfig, have: Option<&IpConfig>) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut one = |key: &str, w: Option<String>, h: Option<String>| {
        if let Some(w) = w
            && h.as_ref() != Some(&w)
        {
            out.push(Difference {
                item: name.to_string(),
                property: format!("ipv6.{key}"),
                desired: w,
                current: h.unwrap_or_else(|| "(none)".into()),
            });
        }
    };
    one(
        "autoconf",
        want.autoconf.map(|b| b.to_string()),
        have.and_then(|h| h.autoconf).map(|b| b.to_string()),
    );
    one(
        "addr-gen-mode",
        want.addr_gen_mode.map(|m| m.to_string()),
        have.and_then(|h| h.addr_gen_mode).map(|m| m.to_string()),
    );
    one(
        "token",
        want.token.map(|t| t.to_string()),
        have.and_then(|h| h.token).map(|t| t.to_string()),
    );
    if want.autoconf == Some(true) {
        one(
            "auto-gateway",
            want.auto_gateway.map(|b| b.to_string()),
            have.and_then(|h| h.auto_gateway).map(|b| b.to_string()),
        );
        one(
            "auto-routes",
            want.auto_routes.map(|b| b.to_string()),
            have.and_then(|h| h.auto_routes).map(|b| b.to_string()),
        );
        one(
            "auto-route-metric",
            want.auto_route_metric.map(|m| m.to_string()),
            have.and_then(|h| h.auto_route_metric)
                .map(|m| m.to_string()),
        );
    }
    out
}
