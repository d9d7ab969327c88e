//! Comparing a desired state with a current one: what verification reports
//! (`veth1: mtu desired 9000, current 1500`) and what a plugin uses to skip
//! what already is as desired.

use std::{
    collections::{BTreeSet, HashMap},
    fmt::Display,
};

use serde_json::Value;

use super::{
    Difference, Interface, InterfaceState, InterfaceType, IpAddress, IpConfig, NetworkState, Route,
};

fn diff(item: &str, property: &str, desired: impl Display, current: impl Display) -> Difference {
    Difference {
        item: item.to_string(),
        property: property.to_string(),
        desired: desired.to_string(),
        current: current.to_string(),
    }
}

fn opt<T: Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "(none)".to_string(), ToString::to_string)
}

/// A port's VLANs as `[10 (pvid untagged), 20, …]`.
fn vlan_list(v: &std::collections::BTreeMap<u16, bool>) -> String {
    let items: Vec<String> = v
        .iter()
        .map(|(id, native)| {
            if *native {
                format!("{id} (pvid untagged)")
            } else {
                id.to_string()
            }
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn addr_list(a: &BTreeSet<IpAddress>) -> String {
    if a.is_empty() {
        return "[]".to_string();
    }
    let v: Vec<String> = a.iter().map(ToString::to_string).collect();
    format!("[{}]", v.join(", "))
}

/// Whether an IPv6 address is link-local (fe80::/10): queries leave them out
/// and applies never remove them.
pub fn is_link_local(a: &std::net::IpAddr) -> bool {
    match a {
        std::net::IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
        std::net::IpAddr::V4(_) => false,
    }
}

fn ip_diffs(
    out: &mut Vec<Difference>,
    name: &str,
    key: &str,
    want: &IpConfig,
    have: Option<&IpConfig>,
) {
    let have_addrs: BTreeSet<IpAddress> = have
        .and_then(|h| h.address.as_ref())
        .map(|a| {
            a.iter()
                .copied()
                .filter(|a| !is_link_local(&a.ip))
                .collect()
        })
        .unwrap_or_default();
    let have_enabled = have
        .and_then(|h| h.enabled)
        .unwrap_or(!have_addrs.is_empty());
    if want.enabled == Some(false) && (have_enabled || !have_addrs.is_empty()) {
        out.push(diff(name, &format!("{key}.enabled"), false, true));
        return;
    }
    if let Some(want_addrs) = &want.address {
        let want_addrs: BTreeSet<IpAddress> = want_addrs.iter().copied().collect();
        if want_addrs != have_addrs {
            out.push(diff(
                name,
                &format!("{key}.address"),
                addr_list(&want_addrs),
                addr_list(&have_addrs),
            ));
        }
    }
}

/// The properties of `want` (a desired interface) that `have` (the same
/// interface in a query, `None` if it does not exist) does not match.
/// A difference in a bridge's port list (complete when given).
fn port_list_diff(
    out: &mut Vec<Difference>,
    name: &str,
    want: BTreeSet<&str>,
    have: BTreeSet<&str>,
) {
    if want != have {
        let fmt =
            |s: &BTreeSet<&str>| format!("[{}]", s.iter().copied().collect::<Vec<_>>().join(", "));
        out.push(diff(name, "bridge.port", fmt(&want), fmt(&have)));
    }
}

/// A difference in a bridge port's VLANs, compared as the VLAN set.
fn port_vlan_diff(
    out: &mut Vec<Difference>,
    name: &str,
    port: &str,
    want: &super::BridgePortVlan,
    have: Option<&super::BridgePortVlan>,
) {
    let have_vlans = have.map(|v| v.kernel_vlans()).unwrap_or_default();
    let want_vlans = want.kernel_vlans();
    if want_vlans != have_vlans {
        out.push(diff(
            name,
            &format!("bridge.port {port} vlan"),
            vlan_list(&want_vlans),
            vlan_list(&have_vlans),
        ));
    }
}

pub fn interface_differences(want: &Interface, have: Option<&Interface>) -> Vec<Difference> {
    let name = want.name.as_str();
    let mut out = Vec::new();
    let want_state = want.state_or_up();
    match (want_state, have) {
        (InterfaceState::Ignore, _) => return out,
        (InterfaceState::Absent, None) => return out,
        (InterfaceState::Absent, Some(_)) => {
            out.push(diff(name, "state", "absent", "present"));
            return out;
        }
        (s, None) => {
            out.push(diff(name, "state", s, "absent"));
            return out;
        }
        _ => {}
    }
    let Some(have) = have else { return out };
    if let Some(t) = want.iface_type
        && have.iface_type != Some(t)
        && !(t == InterfaceType::Ethernet && have.iface_type == Some(InterfaceType::Veth))
    {
        out.push(diff(name, "type", t, opt(&have.iface_type)));
    }
    if have.state_or_up() != want_state {
        out.push(diff(name, "state", want_state, have.state_or_up()));
    }
    if let Some(m) = want.mtu
        && have.mtu != Some(m)
    {
        out.push(diff(name, "mtu", m, opt(&have.mtu)));
    }
    if let Some(m) = &want.mac_address
        && have.mac_address.as_deref().map(str::to_uppercase) != Some(m.to_uppercase())
    {
        out.push(diff(name, "mac-address", m, opt(&have.mac_address)));
    }
    if let Some(c) = &want.controller {
        let cur = have.controller.clone().unwrap_or_default();
        if &cur != c {
            let show = |s: &str| {
                if s.is_empty() {
                    "(none)".to_string()
                } else {
                    s.to_string()
                }
            };
            out.push(diff(name, "controller", show(c), show(&cur)));
        }
    }
    if let Some(w) = &want.ipv4 {
        ip_diffs(&mut out, name, "ipv4", w, have.ipv4.as_ref());
    }
    if let Some(w) = &want.ipv6 {
        ip_diffs(&mut out, name, "ipv6", w, have.ipv6.as_ref());
        out.extend(super::autoconf::differences(name, w, have.ipv6.as_ref()));
    }
    if let Some(v) = &want.veth {
        let cur = have.veth.as_ref().map(|v| v.peer.clone());
        if cur.as_deref() != Some(v.peer.as_str()) {
            out.push(diff(name, "veth.peer", &v.peer, opt(&cur)));
        }
    }
    if let Some(w) = want.accept_all_mac_addresses
        && have.accept_all_mac_addresses != Some(w)
    {
        out.push(diff(
            name,
            "accept-all-mac-addresses",
            w,
            opt(&have.accept_all_mac_addresses),
        ));
    }
    section_diffs(
        &mut out,
        name,
        "link-aggregation",
        &want.link_aggregation,
        &have.link_aggregation,
    );
    section_diffs(&mut out, name, "vlan", &want.vlan, &have.vlan);
    section_diffs(&mut out, name, "vrf", &want.vrf, &have.vrf);
    section_diffs(&mut out, name, "mac-vlan", &want.mac_vlan, &have.mac_vlan);
    section_diffs(&mut out, name, "mac-vtap", &want.mac_vtap, &have.mac_vtap);
    section_diffs(&mut out, name, "vxlan", &want.vxlan, &have.vxlan);
    section_diffs(&mut out, name, "patch", &want.patch, &have.patch);
    section_diffs(&mut out, name, "ovs-db", &want.ovs_db, &have.ovs_db);
    if let Some(b) = &want.ovs_bridge {
        let hb = have.ovs_bridge.as_ref();
        if let Some(ports) = &b.port {
            // The port list is complete; each port's own settings are
            // compared below.
            fn names(l: &[super::OvsBridgePort]) -> BTreeSet<&str> {
                l.iter().map(|p| p.name.as_str()).collect()
            }
            let have = names(hb.and_then(|b| b.port.as_deref()).unwrap_or_default());
            port_list_diff(&mut out, name, names(ports), have);
        }
        // VLANs compare as the set of VLANs a port carries (tags may be
        // written one by one or as ranges); the rest as given.
        let without_vlans = |b: &super::OvsBridgeConfig| {
            let mut b = b.clone();
            for p in b.port.iter_mut().flatten() {
                p.vlan = None;
            }
            b
        };
        section_diffs(
            &mut out,
            name,
            "bridge",
            &Some(without_vlans(b)),
            &hb.map(without_vlans),
        );
        for p in b.port.iter().flatten() {
            let Some(w) = &p.vlan else { continue };
            let have = hb
                .and_then(|b| b.port.as_ref())
                .and_then(|l| l.iter().find(|x| x.name == p.name))
                .and_then(|h| h.vlan.as_ref());
            port_vlan_diff(&mut out, name, &p.name, w, have);
        }
    }
    if let Some(b) = &want.bridge {
        let hb = have.bridge.as_ref();
        if let Some(stp) = b.options.as_ref().and_then(|o| o.stp.as_ref()) {
            let hs = hb
                .and_then(|b| b.options.as_ref())
                .and_then(|o| o.stp.as_ref());
            macro_rules! stp_field {
                ($f:ident, $key:literal) => {
                    if let Some(w) = stp.$f {
                        let h = hs.and_then(|s| s.$f);
                        if h != Some(w) {
                            out.push(diff(name, concat!("bridge.options.stp.", $key), w, opt(&h)));
                        }
                    }
                };
            }
            stp_field!(enabled, "enabled");
            stp_field!(forward_delay, "forward-delay");
            stp_field!(hello_time, "hello-time");
            stp_field!(max_age, "max-age");
            stp_field!(priority, "priority");
        }
        if let Some(o) = &b.options {
            // The options beyond STP, key by key.
            let rest = |o: &super::BridgeOptions| super::BridgeOptions {
                stp: None,
                ..o.clone()
            };
            let have = hb.and_then(|b| b.options.as_ref()).map(rest);
            section_diffs(&mut out, name, "bridge.options", &Some(rest(o)), &have);
        }
        if let Some(ports) = &b.port {
            let hp = hb.and_then(|b| b.port.as_ref());
            let want_names: BTreeSet<&str> = ports.iter().map(|p| p.name.as_str()).collect();
            let have_names: BTreeSet<&str> = hp
                .map(|p| p.iter().map(|p| p.name.as_str()).collect())
                .unwrap_or_default();
            port_list_diff(&mut out, name, want_names, have_names);
            for p in ports {
                let h = hp.and_then(|l| l.iter().find(|x| x.name == p.name));
                macro_rules! port_field {
                    ($f:ident, $key:literal) => {
                        if let Some(w) = p.$f {
                            let hv = h.and_then(|h| h.$f);
                            if hv != Some(w) {
                                out.push(diff(
                                    name,
                                    &format!("bridge.port {} {}", p.name, $key),
                                    w,
                                    opt(&hv),
                                ));
                            }
                        }
                    };
                }
                if h.is_some() {
                    port_field!(stp_hairpin_mode, "stp-hairpin-mode");
                    port_field!(stp_path_cost, "stp-path-cost");
                    port_field!(stp_priority, "stp-priority");
                    if let Some(w) = &p.vlan {
                        port_vlan_diff(&mut out, name, &p.name, w, h.and_then(|h| h.vlan.as_ref()));
                    }
                }
            }
        }
    }
    out
}

/// The differences of a type's section (`vlan`, `link-aggregation`, …),
/// compared as their JSON form: only what `want` gives counts; a list of
/// names (a port list) is complete and compared as a set; a list of
/// mappings with a `name` (`ports-config`) is compared entry by entry.
fn section_diffs<T: serde::Serialize>(
    out: &mut Vec<Difference>,
    name: &str,
    key: &str,
    want: &Option<T>,
    have: &Option<T>,
) {
    let Some(want) = want else { return };
    let to_value = |x: &T| serde_json::to_value(x).unwrap_or(Value::Null);
    let have = have.as_ref().map_or(Value::Null, to_value);
    value_diffs(out, name, key, &to_value(want), &have);
}

fn value_diffs(out: &mut Vec<Difference>, name: &str, path: &str, want: &Value, have: &Value) {
    let show = |v: &Value| match v {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    };
    match want {
        Value::Object(w) => {
            for (k, wv) in w {
                let hv = have.get(k).unwrap_or(&Value::Null);
                value_diffs(out, name, &format!("{path}.{k}"), wv, hv);
            }
        }
        Value::Array(w) if w.iter().all(|x| x.get("name").is_some()) && !w.is_empty() => {
            let have_items = have.as_array().map(Vec::as_slice).unwrap_or_default();
            for item in w {
                let n = item.get("name").and_then(Value::as_str).unwrap_or_default();
                let h = have_items
                    .iter()
                    .find(|x| x.get("name").and_then(Value::as_str) == Some(n))
                    .unwrap_or(&Value::Null);
                value_diffs(out, name, &format!("{path} {n}"), item, h);
            }
        }
        Value::Array(w) => {
            let set =
                |a: &[Value]| -> BTreeSet<String> { a.iter().map(|x| x.to_string()).collect() };
            let h = have.as_array().map(Vec::as_slice).unwrap_or_default();
            if set(w) != set(h) {
                let mut ws = w.clone();
                ws.sort_by_key(|x| x.to_string());
                let mut hs = h.to_vec();
                hs.sort_by_key(|x| x.to_string());
                out.push(diff(
                    name,
                    path,
                    show(&Value::Array(ws)),
                    show(&Value::Array(hs)),
                ));
            }
        }
        Value::Null => {}
        w if w != have => out.push(diff(name, path, show(w), show(have))),
        _ => {}
    }
}

/// The static routes `current` has configured through an interface that
/// `is_up` accepts, and that `desired` does not remove on purpose (no
/// `state: absent` route of it selects them): the routes an apply must
/// keep on the interfaces it touched.
pub fn routes_kept_through<'a>(
    desired: &NetworkState,
    current: &'a NetworkState,
    is_up: impl Fn(&str) -> bool,
) -> Vec<&'a Route> {
    let config = desired.routes.config.as_deref().unwrap_or(&[]);
    let statics = current.routes.config.as_deref().unwrap_or(&[]);
    let removed = routes_to_remove(config, statics);
    statics
        .iter()
        .filter(|r| r.next_hop_interface.as_deref().is_some_and(&is_up) && !removed.contains(r))
        .collect()
}

/// Routes of `statics` (the static routes of a query, its
/// `routes.config`) that the absent selectors of `config` would remove:
/// matched by a selector and by no route `config` wants. Only static
/// routes, as nmstate: the kernel's own (`proto kernel`, the connected
/// routes of an address) and DHCP's are never selected, so `state:
/// absent` with only `next-hop-interface` leaves the interface's connected
/// routes alone.
pub fn routes_to_remove<'a>(config: &[Route], statics: &'a [Route]) -> Vec<&'a Route> {
    selected_for_removal(config, statics)
}

/// Routes of `config` (not absent) that no route of `running` matches.
pub fn routes_missing<'a>(config: &'a [Route], running: &[Route]) -> Vec<&'a Route> {
    not_present(config, running)
}

/// An entry of a list that a desired state adds to, and removes from by
/// selection (`routes.config`, `route-rules.config`): an absent entry
/// selects what it matches.
pub(super) trait Selected {
    fn is_absent(&self) -> bool;
    /// Whether `self`, a desired entry, selects `other`, one of a query.
    fn selects(&self, other: &Self) -> bool;
}

impl Selected for Route {
    fn is_absent(&self) -> bool {
        Route::is_absent(self)
    }
    fn selects(&self, other: &Self) -> bool {
        self.matches(other)
    }
}

/// Entries of `current` that an absent entry of `config` selects and no
/// other entry of `config` wants.
pub(super) fn selected_for_removal<'a, T: Selected>(config: &[T], current: &'a [T]) -> Vec<&'a T> {
    let selectors: Vec<&T> = config.iter().filter(|r| r.is_absent()).collect();
    if selectors.is_empty() {
        return Vec::new();
    }
    let wanted: Vec<&T> = config.iter().filter(|r| !r.is_absent()).collect();
    current
        .iter()
        .filter(|r| selectors.iter().any(|s| s.selects(r)) && !wanted.iter().any(|w| w.selects(r)))
        .collect()
}

/// Entries of `config` (not absent) that no entry of `current` matches.
pub(super) fn not_present<'a, T: Selected>(config: &'a [T], current: &[T]) -> Vec<&'a T> {
    config
        .iter()
        .filter(|r| !r.is_absent() && !current.iter().any(|x| r.selects(x)))
        .collect()
}

/// Everything of `desired` that `current` (a full query) does not match.
pub fn differences(desired: &NetworkState, current: &NetworkState) -> Vec<Difference> {
    let mut out = Vec::new();
    // By name: a lookup per desired interface, not a scan of the current
    // ones (thousands of VLANs made verification quadratic).
    let by_name: HashMap<&str, &Interface> = current
        .interfaces
        .iter()
        .rev() // the first of a name wins, as `NetworkState::interface`'s
        .map(|i| (i.name.as_str(), i))
        .collect();
    for want in &desired.interfaces {
        out.extend(interface_differences(
            want,
            by_name.get(want.name.as_str()).copied(),
        ));
    }
    if let Some(config) = &desired.routes.config {
        let running = current.routes.running.as_deref().unwrap_or(&[]);
        for r in routes_missing(config, running) {
            out.push(diff("routes", &format!("route {r}"), "present", "missing"));
        }
        let statics = current.routes.config.as_deref().unwrap_or(&[]);
        for r in routes_to_remove(config, statics) {
            out.push(diff("routes", &format!("route {r}"), "absent", "present"));
        }
    }
    if let Some(d) = &desired.dns_resolver {
        out.extend(super::dns_differences(d, current.dns_resolver.as_deref()));
    }
    if let Some(h) = &desired.hostname {
        out.extend(super::hostname_differences(h, current.hostname.as_deref()));
    }
    out.extend(super::route_rule::rule_differences(
        &desired.route_rules,
        &current.route_rules,
    ));
    if let Some(d) = &desired.ovs_db {
        out.extend(d.differences(current.ovs_db.as_deref()));
    }
    if let Some(o) = &desired.ovn {
        out.extend(o.differences(current.ovn.as_deref()));
    }
    out
}
