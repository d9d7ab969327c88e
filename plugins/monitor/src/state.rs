//! The monitor's picture of the kernel: links and addresses, and the
//! changes between two pictures. Pure data, no I/O: the netlink side feeds
//! it parsed messages or whole dumps, and it answers with the changes to
//! publish, in a stable order.

use std::{
    collections::{BTreeMap, BTreeSet},
    net::IpAddr,
};

use nipart_plugin_api::{
    Message,
    protocol::monitor::{
        AddressAdded, AddressRemoved, IpFamily, LinkAdded, LinkAdminDown, LinkAdminUp,
        LinkCarrierDown, LinkCarrierUp, LinkMtuChanged, LinkRemoved, LinkRenamed,
    },
};
use serde::Serialize;

/// One link as the monitor tracks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkState {
    pub index: u32,
    pub name: String,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// Carrier (`IFF_LOWER_UP`): the device is up and has a link.
    pub carrier: bool,
    /// The link kind from `IFLA_LINKINFO` (`veth`, `bridge`, …), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The MTU (`IFLA_MTU`), if the message gave one. Not in the
    /// `monitor.links` view, whose fields are the protocol's.
    #[serde(skip)]
    pub mtu: Option<u32>,
}

/// One address on one link. Ordered by link, family, address, prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AddrKey {
    pub index: u32,
    pub address: IpAddr,
    pub prefix_len: u8,
}

impl AddrKey {
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.address, self.prefix_len)
    }

    pub fn family(&self) -> IpFamily {
        match self.address {
            IpAddr::V4(_) => IpFamily::Ipv4,
            IpAddr::V6(_) => IpFamily::Ipv6,
        }
    }
}

/// A route as a notification describes it (routes are not tracked: each
/// notification is published as it comes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteKey {
    /// `None` for a default route (no `RTA_DST`).
    pub destination: Option<IpAddr>,
    pub prefix_len: u8,
    pub gateway: Option<IpAddr>,
    /// The next hop's link, 0 if none.
    pub index: u32,
    pub table: u32,
    pub metric: Option<u32>,
    pub ipv6: bool,
}

impl RouteKey {
    /// `192.0.2.0/24`; `0.0.0.0/0` or `::/0` for a default route.
    pub fn destination_cidr(&self) -> String {
        let unspecified = if self.ipv6 {
            IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)
        } else {
            IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
        };
        format!(
            "{}/{}",
            self.destination.unwrap_or(unspecified),
            self.prefix_len
        )
    }

    pub fn family(&self) -> IpFamily {
        if self.ipv6 {
            IpFamily::Ipv6
        } else {
            IpFamily::Ipv4
        }
    }
}

/// A change worth an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    LinkAdded(LinkState),
    LinkRemoved(LinkState),
    LinkRenamed {
        link: LinkState,
        old_name: String,
    },
    AdminUp(LinkState),
    AdminDown(LinkState),
    CarrierUp(LinkState),
    CarrierDown(LinkState),
    /// The MTU changed from the one given (the link has the new one).
    MtuChanged {
        link: LinkState,
        old_mtu: u32,
    },
    /// The address and the name of its link at the time (empty if unknown).
    AddressAdded(AddrKey, String),
    AddressRemoved(AddrKey, String),
}

impl Change {
    /// The event topic of this change.
    pub fn topic(&self) -> &'static str {
        match self {
            Change::LinkAdded(_) => LinkAdded::TOPIC,
            Change::LinkRemoved(_) => LinkRemoved::TOPIC,
            Change::LinkRenamed { .. } => LinkRenamed::TOPIC,
            Change::AdminUp(_) => LinkAdminUp::TOPIC,
            Change::AdminDown(_) => LinkAdminDown::TOPIC,
            Change::CarrierUp(_) => LinkCarrierUp::TOPIC,
            Change::CarrierDown(_) => LinkCarrierDown::TOPIC,
            Change::MtuChanged { .. } => LinkMtuChanged::TOPIC,
            Change::AddressAdded(..) => AddressAdded::TOPIC,
            Change::AddressRemoved(..) => AddressRemoved::TOPIC,
        }
    }
}

/// Links by index and the set of addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetState {
    pub links: BTreeMap<u32, LinkState>,
    pub addresses: BTreeSet<AddrKey>,
}

impl NetState {
    pub fn link_by_name(&self, name: &str) -> Option<&LinkState> {
        self.links.values().find(|l| l.name == name)
    }

    /// The name of link `index`, empty if unknown.
    pub fn name_of(&self, index: u32) -> String {
        self.links
            .get(&index)
            .map(|l| l.name.clone())
            .unwrap_or_default()
    }

    /// The addresses of link `index`, in order.
    pub fn addresses_of(&self, index: u32) -> impl Iterator<Item = &AddrKey> {
        let lo = AddrKey {
            index,
            address: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            prefix_len: 0,
        };
        self.addresses
            .range(lo..)
            .take_while(move |a| a.index == index)
    }

    /// Applies a `RTM_NEWLINK`: the link now looks like `link`.
    pub fn link_seen(&mut self, link: LinkState, out: &mut Vec<Change>) {
        match self.links.get_mut(&link.index) {
            None => {
                out.push(Change::LinkAdded(link.clone()));
                self.links.insert(link.index, link);
            }
            Some(old) => {
                let before = old.clone();
                let mut link = link;
                // A message without `IFLA_MTU` keeps the one known.
                link.mtu = link.mtu.or(before.mtu);
                *old = link.clone();
                diff_link(&before, &link, out);
            }
        }
    }

    /// Applies a `RTM_DELLINK`: the link and whatever addresses the kernel
    /// did not report removed first are gone.
    pub fn link_gone(&mut self, index: u32, out: &mut Vec<Change>) {
        let Some(link) = self.links.get(&index).cloned() else {
            return;
        };
        let addrs: Vec<AddrKey> = self.addresses_of(index).copied().collect();
        for a in addrs {
            self.addresses.remove(&a);
            out.push(Change::AddressRemoved(a, link.name.clone()));
        }
        self.links.remove(&index);
        out.push(Change::LinkRemoved(link));
    }

    /// Applies a `RTM_NEWADDR`. Flag updates of a known address are no change.
    pub fn address_seen(&mut self, addr: AddrKey, label: Option<&str>, out: &mut Vec<Change>) {
        if self.addresses.insert(addr) {
            let mut name = self.name_of(addr.index);
            if name.is_empty() {
                name = label.unwrap_or_default().to_string();
            }
            out.push(Change::AddressAdded(addr, name));
        }
    }

    /// Applies a `RTM_DELADDR`.
    pub fn address_gone(&mut self, addr: AddrKey, out: &mut Vec<Change>) {
        if self.addresses.remove(&addr) {
            out.push(Change::AddressRemoved(addr, self.name_of(addr.index)));
        }
    }

    /// Replaces this picture with `fresh` (a full dump) and returns what
    /// changed: address removals, link removals, link additions, changes of
    /// kept links, address additions; each group in index order.
    pub fn replace_with(&mut self, fresh: NetState) -> Vec<Change> {
        let mut out = Vec::new();
        for a in self.addresses.difference(&fresh.addresses) {
            out.push(Change::AddressRemoved(*a, self.name_of(a.index)));
        }
        for (index, link) in &self.links {
            if !fresh.links.contains_key(index) {
                out.push(Change::LinkRemoved(link.clone()));
            }
        }
        for (index, link) in &fresh.links {
            if !self.links.contains_key(index) {
                out.push(Change::LinkAdded(link.clone()));
            }
        }
        for (index, link) in &fresh.links {
            if let Some(old) = self.links.get(index) {
                diff_link(old, link, &mut out);
            }
        }
        for a in fresh.addresses.difference(&self.addresses) {
            out.push(Change::AddressAdded(*a, fresh.name_of(a.index)));
        }
        *self = fresh;
        out
    }
}

fn diff_link(before: &LinkState, after: &LinkState, out: &mut Vec<Change>) {
    if before.name != after.name {
        out.push(Change::LinkRenamed {
            link: after.clone(),
            old_name: before.name.clone(),
        });
    }
    match (before.up, after.up) {
        (false, true) => out.push(Change::AdminUp(after.clone())),
        (true, false) => out.push(Change::AdminDown(after.clone())),
        _ => {}
    }
    match (before.carrier, after.carrier) {
        (false, true) => out.push(Change::CarrierUp(after.clone())),
        (true, false) => out.push(Change::CarrierDown(after.clone())),
        _ => {}
    }
    // A message without `IFLA_MTU` says nothing of it.
    if let (Some(old_mtu), Some(mtu)) = (before.mtu, after.mtu)
        && old_mtu != mtu
    {
        out.push(Change::MtuChanged {
            link: after.clone(),
            old_mtu,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nipart_plugin_api::{
        Message,
        protocol::monitor::{
            AddressAdded, AddressRemoved, LinkAdded, LinkAdminDown, LinkAdminUp, LinkCarrierDown,
            LinkCarrierUp, LinkMtuChanged, LinkRemoved, LinkRenamed,
        },
    };

    fn link(index: u32, name: &str, up: bool, carrier: bool) -> LinkState {
        LinkState {
            index,
            name: name.into(),
            up,
            carrier,
            kind: Some("veth".into()),
            mtu: Some(1500),
        }
    }

    fn addr(index: u32, a: &str, p: u8) -> AddrKey {
        AddrKey {
            index,
            address: a.parse().unwrap(),
            prefix_len: p,
        }
    }

    fn topics(changes: &[Change]) -> Vec<&'static str> {
        changes.iter().map(Change::topic).collect()
    }

    #[test]
    fn only_changes_are_reported() {
        let mut s = NetState::default();
        let mut out = Vec::new();
        s.link_seen(link(2, "a", false, false), &mut out);
        s.link_seen(link(2, "a", false, false), &mut out);
        s.link_seen(link(2, "a", true, false), &mut out);
        s.link_seen(link(2, "a", true, false), &mut out);
        s.link_seen(link(2, "a", true, true), &mut out);
        s.link_seen(link(2, "a", false, false), &mut out);
        assert_eq!(
            topics(&out),
            [
                LinkAdded::TOPIC,
                LinkAdminUp::TOPIC,
                LinkCarrierUp::TOPIC,
                LinkAdminDown::TOPIC,
                LinkCarrierDown::TOPIC
            ]
        );
        out.clear();
        s.address_seen(addr(2, "10.0.0.1", 24), None, &mut out);
        s.address_seen(addr(2, "10.0.0.1", 24), None, &mut out); // flags update
        s.address_gone(addr(2, "10.0.0.2", 24), &mut out); // unknown
        s.address_gone(addr(2, "10.0.0.1", 24), &mut out);
        assert_eq!(topics(&out), [AddressAdded::TOPIC, AddressRemoved::TOPIC]);
        assert_eq!(
            out[0],
            Change::AddressAdded(addr(2, "10.0.0.1", 24), "a".into())
        );
    }

    #[test]
    fn an_mtu_change_is_reported_with_the_old_mtu() {
        let mut s = NetState::default();
        let mut out = Vec::new();
        s.link_seen(link(2, "a", true, true), &mut out);
        out.clear();
        let mut bigger = link(2, "a", true, true);
        bigger.mtu = Some(9000);
        s.link_seen(bigger.clone(), &mut out);
        s.link_seen(bigger.clone(), &mut out);
        // A message without the MTU changes nothing.
        s.link_seen(
            LinkState {
                mtu: None,
                ..bigger.clone()
            },
            &mut out,
        );
        assert_eq!(topics(&out), [LinkMtuChanged::TOPIC]);
        assert_eq!(
            out[0],
            Change::MtuChanged {
                link: bigger,
                old_mtu: 1500
            }
        );
    }

    #[test]
    fn link_removal_takes_its_addresses() {
        let mut s = NetState::default();
        let mut out = Vec::new();
        s.link_seen(link(2, "a", true, true), &mut out);
        s.link_seen(link(3, "b", true, true), &mut out);
        s.address_seen(addr(2, "10.0.0.1", 24), None, &mut out);
        s.address_seen(addr(2, "fe80::1", 64), None, &mut out);
        s.address_seen(addr(3, "10.0.1.1", 24), None, &mut out);
        out.clear();
        s.link_gone(2, &mut out);
        s.link_gone(2, &mut out);
        assert_eq!(
            topics(&out),
            [
                AddressRemoved::TOPIC,
                AddressRemoved::TOPIC,
                LinkRemoved::TOPIC
            ]
        );
        assert_eq!(s.addresses.len(), 1);
        assert_eq!(s.addresses_of(3).count(), 1);
    }

    #[test]
    fn replace_reports_the_difference() {
        let mut s = NetState::default();
        let mut out = Vec::new();
        s.link_seen(link(2, "a", true, true), &mut out);
        s.link_seen(link(3, "b", false, false), &mut out);
        s.address_seen(addr(2, "10.0.0.1", 24), None, &mut out);
        s.address_seen(addr(3, "10.0.1.1", 24), None, &mut out);
        let mut fresh = NetState::default();
        fresh.links.insert(2, link(2, "a2", false, false));
        fresh.links.insert(4, link(4, "c", true, false));
        fresh.addresses.insert(addr(2, "10.0.0.9", 24));
        let changes = s.replace_with(fresh.clone());
        assert_eq!(
            topics(&changes),
            [
                AddressRemoved::TOPIC,
                AddressRemoved::TOPIC,
                LinkRemoved::TOPIC,
                LinkAdded::TOPIC,
                LinkRenamed::TOPIC,
                LinkAdminDown::TOPIC,
                LinkCarrierDown::TOPIC,
                AddressAdded::TOPIC
            ]
        );
        assert_eq!(s, fresh);
        assert!(s.replace_with(fresh).is_empty());
    }
}
