//! IPv6 autoconfiguration's keys of `interfaces[].ipv6` (nmstate's names):
//! `addr-gen-mode`, `token`, `auto-gateway`, `auto-routes`,
//! `auto-route-metric`, `auto-route-table-id`. The kernel does SLAAC
//! itself; these are its per-interface settings (sysctls and the link's
//! IPv6 token), applied by the kernel plugin, which also places the
//! routes of advertisements itself when `auto-route-table-id` is a table
//! other than main (Linux puts them in main only). The four `auto-*` route keys
//! are also `ipv4`'s, for DHCPv4: the dhcp plugin applies them to the
//! routes of a lease.

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

/// The autoconf keys of an `ipv6` section (the route keys of an `ipv4`
/// one: there they say what the dhcp plugin does with a lease's routes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct AutoconfKeys {
    pub addr_gen_mode: Option<AddrGenMode>,
    pub token: Option<Ipv6Addr>,
    pub auto_gateway: Option<bool>,
    pub auto_routes: Option<bool>,
    pub auto_route_metric: Option<u32>,
    pub auto_route_table_id: Option<u32>,
}

/// Takes the route keys shared by `ipv4` (DHCPv4) and `ipv6` (router
/// advertisements) out of the mapping `o`: `auto-gateway`, `auto-routes`,
/// `auto-route-metric`, `auto-route-table-id`.
pub(super) fn parse_route_keys(o: &mut Obj<'_>) -> R<AutoconfKeys> {
    Ok(AutoconfKeys {
        auto_gateway: o.opt("auto-gateway", boolean)?,
        auto_routes: o.opt("auto-routes", boolean)?,
        auto_route_metric: o
            .opt("auto-route-metric", |v, p| int(v, p, 1, u32::MAX as u64))?
            .map(|x| x as u32),
        auto_route_table_id: o
            .opt("auto-route-table-id", |v, p| int(v, p, 0, u32::MAX as u64))?
            .map(|x| x as u32),
        ..AutoconfKeys::default()
    })
}

/// Takes the autoconf keys out of the `ipv6` mapping `o` (at `path`;
/// `autoconf`: the section's `autoconf`).
pub(super) fn parse(o: &mut Obj<'_>, path: &str, autoconf: Option<bool>) -> R<AutoconfKeys> {
    let addr_gen_mode = o.opt("addr-gen-mode", |v, p| {
        keyword(v, p, &AddrGenMode::ALL, AddrGenMode::as_str)
    })?;
    let token = o.opt("token", |v, p| {
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
    })?;
    let k = AutoconfKeys {
        addr_gen_mode,
        token,
        ..parse_route_keys(o)?
    };
    // The kernel installs the routes of router advertisements in main;
    // for another table the kernel plugin takes them itself (it listens
    // for the advertisements), which it does only while autoconf is on.
    if let Some(t) = k.auto_route_table_id.filter(|&t| !ra_in_main(t)) {
        let at = join(path, "auto-route-table-id");
        if RESERVED_TABLES.contains(&t) {
            return Err(StateError::new(
                at,
                format!(
                    "table {t} is the kernel's {} table; router advertisement routes go in main (0 or 254) or a table of their own (1 to 252, or above 255)",
                    if t == LOCAL_TABLE { "local" } else { "default" }
                ),
            ));
        }
        if autoconf != Some(true) {
            return Err(StateError::new(
                at,
                format!(
                    "table {t} needs autoconf: true in the same section (the routes of router advertisements are put in table {t} while nipart receives them)"
                ),
            ));
        }
    }
    Ok(k)
}

fn main_as_254(table: u32) -> u32 {
    if ra_in_main(table) {
        super::MAIN_TABLE
    } else {
        table
    }
}

/// The kernel's local table.
const LOCAL_TABLE: u32 = 255;
/// Tables that are not a place for routes of advertisements: the kernel's
/// `default` (253) and `local` (255).
const RESERVED_TABLES: [u32; 2] = [253, LOCAL_TABLE];

/// Whether `auto-route-table-id` `table` is the main table (0 says main
/// too, as the kernel takes it).
pub fn ra_in_main(table: u32) -> bool {
    table == 0 || table == super::MAIN_TABLE
}

/// What verification reports about the autoconf keys of `want` that
/// `have` (a query's `ipv6`) does not match.
pub(super) fn differences(name: &str, want: &IpConfig, have: Option<&IpConfig>) -> Vec<Difference> {
    fn show<T: ToString>(v: Option<T>) -> Option<String> {
        v.map(|v| v.to_string())
    }
    let h = |f: fn(&IpConfig) -> Option<String>| have.and_then(f);
    let mut keys: Vec<(&str, Option<String>, Option<String>)> = vec![
        ("autoconf", show(want.autoconf), h(|h| show(h.autoconf))),
        (
            "addr-gen-mode",
            show(want.addr_gen_mode),
            h(|h| show(h.addr_gen_mode)),
        ),
        ("token", show(want.token), h(|h| show(h.token))),
    ];
    // The kernel's settings for advertisements matter while it takes them.
    if want.autoconf == Some(true) {
        keys.extend([
            (
                "auto-gateway",
                show(want.auto_gateway),
                h(|h| show(h.auto_gateway)),
            ),
            (
                "auto-routes",
                show(want.auto_routes),
                h(|h| show(h.auto_routes)),
            ),
            (
                "auto-route-metric",
                show(want.auto_route_metric),
                h(|h| show(h.auto_route_metric)),
            ),
            // Main is 254 however it is said (0, or not shown).
            (
                "auto-route-table-id",
                want.auto_route_table_id.map(|t| main_as_254(t).to_string()),
                have.map(|h| main_as_254(h.auto_route_table_id.unwrap_or(0)).to_string()),
            ),
        ]);
    }
    keys.into_iter()
        .filter_map(|(key, w, h)| {
            let w = w?;
            (h.as_ref() != Some(&w)).then(|| Difference {
                item: name.to_string(),
                property: format!("ipv6.{key}"),
                desired: w,
                current: h.unwrap_or_else(|| "(none)".into()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::state::{NetworkState, merge};

    #[test]
    fn autoconf_keys_round_trip_and_merge() {
        let text = "interfaces:\n- name: e1\n  ipv6:\n    autoconf: true\n    addr-gen-mode: stable-privacy\n    token: ::1:2\n    auto-gateway: false\n    auto-routes: true\n    auto-route-metric: 50\n    auto-route-table-id: 254\n";
        let s = NetworkState::from_yaml(text).unwrap();
        assert_eq!(NetworkState::from_yaml(&s.to_yaml()).unwrap(), s);
        // What a later apply does not give stays saved.
        let mut saved = s.clone();
        merge(
            &mut saved,
            &NetworkState::from_yaml("interfaces: [{name: e1, ipv6: {addr-gen-mode: eui64}}]")
                .unwrap(),
        );
        let v6 = saved.interfaces[0].ipv6.clone().unwrap();
        assert_eq!(v6.addr_gen_mode, Some(super::AddrGenMode::Eui64));
        assert_eq!(v6.token, Some("::1:2".parse().unwrap()));
        assert_eq!(v6.auto_route_metric, Some(50));
        // Verification names what differs.
        let want = NetworkState::from_yaml(
            "interfaces: [{name: e1, ipv6: {autoconf: true, addr-gen-mode: eui64, auto-gateway: true}}]",
        )
        .unwrap();
        let diffs: Vec<String> = crate::state::differences(&want, &s)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            diffs,
            [
                "e1: ipv6.addr-gen-mode desired eui64, current stable-privacy",
                "e1: ipv6.auto-gateway desired true, current false"
            ]
        );
        // IPv6 only.
        let e =
            NetworkState::from_yaml("interfaces: [{name: e1, ipv4: {token: '::1'}}]").unwrap_err();
        // The route keys are DHCPv4's too, with any table.
        let v4 = NetworkState::from_yaml(
            "interfaces: [{name: e1, ipv4: {dhcp: true, auto-gateway: false, auto-routes: true, auto-route-metric: 150, auto-route-table-id: 1000}}]",
        )
        .unwrap();
        assert_eq!(NetworkState::from_yaml(&v4.to_yaml()).unwrap(), v4);
        let ip = v4.interfaces[0].ipv4.clone().unwrap();
        assert_eq!(
            (
                ip.auto_gateway,
                ip.auto_route_metric,
                ip.auto_route_table_id
            ),
            (Some(false), Some(150), Some(1000))
        );
        assert!(
            e.to_string()
                .starts_with("interfaces[0].ipv4.token: unknown key"),
            "{e}"
        );
    }

    #[test]
    fn ipv6_route_table_other_than_main_needs_autoconf_and_no_reserved_table() {
        // Main however it is said, and a table of its own with autoconf.
        for ok in [
            "interfaces: [{name: e1, ipv6: {auto-route-table-id: 0}}]",
            "interfaces: [{name: e1, ipv6: {auto-route-table-id: 254}}]",
            "interfaces: [{name: e1, ipv6: {autoconf: true, auto-route-table-id: 100}}]",
            "interfaces: [{name: e1, ipv6: {autoconf: true, auto-route-table-id: 1000}}]",
        ] {
            NetworkState::from_yaml(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for (bad, want) in [
            (
                "interfaces: [{name: e1, ipv6: {autoconf: true, auto-route-table-id: 255}}]",
                "interfaces[0].ipv6.auto-route-table-id: table 255 is the kernel's local table",
            ),
            (
                "interfaces: [{name: e1, ipv6: {autoconf: true, auto-route-table-id: 253}}]",
                "interfaces[0].ipv6.auto-route-table-id: table 253 is the kernel's default table",
            ),
            (
                "interfaces: [{name: e1, ipv6: {autoconf: false, auto-route-table-id: 100}}]",
                "interfaces[0].ipv6.auto-route-table-id: table 100 needs autoconf: true",
            ),
            (
                "interfaces: [{name: e1}, {name: e2, ipv6: {auto-route-table-id: 7}}]",
                "interfaces[1].ipv6.auto-route-table-id: table 7 needs autoconf: true",
            ),
        ] {
            let e = NetworkState::from_yaml(bad).unwrap_err().to_string();
            assert!(e.starts_with(want), "{bad}: {e}");
        }
        // Verified: main is 254 whether said 0 or not shown.
        let want = |t: u32| {
            NetworkState::from_yaml(&format!(
                "interfaces: [{{name: e1, ipv6: {{autoconf: true, auto-route-table-id: {t}}}}}]"
            ))
            .unwrap()
        };
        let diffs = |w: &NetworkState, h: &NetworkState| -> Vec<String> {
            crate::state::differences(w, h)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let main =
            NetworkState::from_yaml("interfaces: [{name: e1, ipv6: {autoconf: true}}]").unwrap();
        assert!(diffs(&want(0), &main).is_empty());
        assert!(diffs(&want(254), &want(0)).is_empty());
        assert_eq!(
            diffs(&want(100), &main),
            ["e1: ipv6.auto-route-table-id desired 100, current 254"]
        );
        assert_eq!(
            diffs(&want(254), &want(100)),
            ["e1: ipv6.auto-route-table-id desired 254, current 100"]
        );
    }
}
