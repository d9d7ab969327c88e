//! A DHCPv6 (IA_NA) lease as the plugin keeps it: what it applies (one
//! address with the lease's lifetimes), what `Show` reports
//! (`ipv6.dhcp-lease`), and what it saves under `<lease_dir>/v6/` so that a
//! restarted daemon asks the server to renew it first.

use std::{
    net::{IpAddr, Ipv6Addr},
    time::Duration,
};

use mozim::{DhcpV6Duid, DhcpV6IaType, DhcpV6Lease};
use nipart_plugin_api::{
    Error, Result,
    state::{Dhcp6LeaseInfo, DynamicAddress, IpChange},
};
use serde::{Deserialize, Serialize};

use crate::lease::{Saved, rfc3339};

/// OPTION_SERVERID (RFC 8415 21.3): the server's DUID as it sent it.
const OPTION_SERVERID: u16 = 2;
/// An IA_NA address is a single address (RFC 8415 21.6): on-link
/// prefixes come from router advertisements.
const PREFIX_LENGTH: u8 = 128;

/// A DHCPv6 lease (the file format of `<lease_dir>/v6/<interface>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease6 {
    pub interface: String,
    pub address: Ipv6Addr,
    /// Seconds, as the server gave them.
    pub preferred_lifetime: u32,
    pub valid_lifetime: u32,
    pub renewal_time: u32,
    pub rebinding_time: u32,
    pub iaid: u32,
    /// The server's DUID, raw bytes.
    pub server_duid: Vec<u8>,
    /// Seconds since the Unix epoch when the server's Reply arrived.
    pub acquired: u64,
    #[serde(default)]
    pub dns_servers: Vec<Ipv6Addr>,
    #[serde(default)]
    pub domains: Vec<String>,
    /// Released to the server: asked for again, never used unconfirmed.
    #[serde(default)]
    pub released: bool,
}

impl Saved for Lease6 {
    fn interface(&self) -> &str {
        &self.interface
    }
}

/// The most name servers and search domains kept from a reply (what a
/// resolver takes is fewer; a server can't make us hold an unbounded list).
const MAX_DNS_ITEMS: usize = 16;

impl Lease6 {
    /// The IA_NA lease mozim acquired on `interface`, `now` (Unix seconds).
    pub fn from_mozim(interface: &str, l: &DhcpV6Lease, now: u64) -> Result<Lease6> {
        if l.ia_type != Some(DhcpV6IaType::NonTemporaryAddresses) {
            return Err(Error::invalid_input(format!(
                "the reply has no IA_NA address ({:?})",
                l.ia_type
            )));
        }
        if l.address.is_unspecified() || l.address.is_multicast() || l.address.is_loopback() {
            return Err(Error::invalid_input(format!(
                "the reply's address {} can't be an interface's",
                l.address
            )));
        }
        if l.valid_time_sec == 0 {
            return Err(Error::invalid_input(format!(
                "the reply's address {} has a valid lifetime of 0",
                l.address
            )));
        }
        let server_duid = l
            .get_option_raw(OPTION_SERVERID)
            .and_then(|d| d.into_iter().next())
            .map(|d| option_data(OPTION_SERVERID, d))
            .filter(|d| !d.is_empty())
            .ok_or_else(|| Error::invalid_input("the reply has no server DUID"))?;
        Ok(Lease6 {
            interface: interface.to_string(),
            address: l.address,
            preferred_lifetime: l.preferred_time_sec.min(l.valid_time_sec),
            valid_lifetime: l.valid_time_sec,
            renewal_time: l.t1_sec,
            rebinding_time: l.t2_sec,
            iaid: l.iaid,
            server_duid,
            acquired: now,
            dns_servers: l.dns_srvs.iter().take(MAX_DNS_ITEMS).copied().collect(),
            domains: l
                .domain_list
                .iter()
                .take(MAX_DNS_ITEMS)
                .filter(|d| !d.is_empty() && d.len() <= 253)
                .cloned()
                .collect(),
            released: false,
        })
    }

    /// The lease as mozim takes it to renew or release it, its times what
    /// is left of them at `now` (`None` when its valid lifetime is too short
    /// to ask for it again). Renewal comes after a second: the server
    /// confirms the address before the plugin applies it again.
    pub fn to_mozim(&self, now: u64) -> Option<DhcpV6Lease> {
        let left = |t| self.left(t, now);
        let valid = left(self.valid_lifetime);
        if valid < 4 {
            return None;
        }
        let mut l = DhcpV6Lease::default();
        l.ia_type = Some(DhcpV6IaType::NonTemporaryAddresses);
        l.iaid = self.iaid;
        l.address = self.address;
        l.prefix_len = PREFIX_LENGTH;
        l.valid_time_sec = valid;
        l.preferred_time_sec = left(self.preferred_lifetime).min(valid);
        l.t1_sec = 1;
        l.t2_sec = left(self.rebinding_time).clamp(2, valid);
        l.srv_duid = DhcpV6Duid::Raw(self.server_duid.clone());
        Some(l)
    }

    /// The lease as mozim releases it (its times do not matter).
    pub fn to_mozim_release(&self) -> DhcpV6Lease {
        let mut l = DhcpV6Lease::default();
        l.ia_type = Some(DhcpV6IaType::NonTemporaryAddresses);
        l.iaid = self.iaid;
        l.address = self.address;
        l.prefix_len = PREFIX_LENGTH;
        l.srv_duid = DhcpV6Duid::Raw(self.server_duid.clone());
        l
    }

    /// What is left at `now` of `t` seconds from the lease's Reply.
    fn left(&self, t: u32, now: u64) -> u32 {
        u32::try_from(
            self.acquired
                .saturating_add(u64::from(t))
                .saturating_sub(now),
        )
        .unwrap_or(u32::MAX)
    }

    /// Unix seconds when the valid lifetime ends.
    pub fn expires(&self) -> u64 {
        self.acquired.saturating_add(u64::from(self.valid_lifetime))
    }

    /// Time left until the lease ends (zero once it has).
    pub fn remaining(&self, now: u64) -> Duration {
        Duration::from_secs(self.expires().saturating_sub(now))
    }

    /// `2001:db8::10/128`.
    pub fn cidr(&self) -> String {
        format!("{}/{PREFIX_LENGTH}", self.address)
    }

    fn dynamic_address(&self, lifetimes: Option<(u32, u32)>) -> DynamicAddress {
        DynamicAddress {
            ip: IpAddr::V6(self.address),
            prefix_length: PREFIX_LENGTH,
            valid_lifetime: lifetimes.map(|(v, _)| v),
            preferred_lifetime: lifetimes.map(|(_, p)| p),
        }
    }

    /// What the kernel applies for this lease at `now`: the address with
    /// what is left of its lifetimes (the kernel deprecates it, then drops
    /// it, even without us). `previous` is the lease this one replaces.
    pub fn apply_change(&self, previous: Option<&Lease6>, now: u64) -> IpChange {
        let left = |t| self.left(t, now);
        let valid = left(self.valid_lifetime).max(1);
        let preferred = left(self.preferred_lifetime).min(valid);
        let mut change = IpChange {
            interface: self.interface.clone(),
            add_addresses: vec![self.dynamic_address(Some((valid, preferred)))],
            ..IpChange::default()
        };
        if let Some(p) = previous
            && p.address != self.address
        {
            change.remove_addresses.push(p.dynamic_address(None));
        }
        change
    }

    /// What the kernel removes when the lease is gone.
    pub fn remove_change(&self) -> IpChange {
        IpChange {
            interface: self.interface.clone(),
            remove_addresses: vec![self.dynamic_address(None)],
            ..IpChange::default()
        }
    }

    /// What `Show` reports.
    pub fn info(&self) -> Dhcp6LeaseInfo {
        Dhcp6LeaseInfo {
            interface: self.interface.clone(),
            address: self.cidr(),
            preferred_lifetime: self.preferred_lifetime,
            valid_lifetime: self.valid_lifetime,
            renewal_time: self.renewal_time,
            rebinding_time: self.rebinding_time,
            server_duid: self
                .server_duid
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(":"),
            iaid: self.iaid,
            acquired: rfc3339(self.acquired),
            expires: rfc3339(self.expires()),
            dns_servers: self.dns_servers.clone(),
            domains: self.domains.clone(),
        }
    }
}

/// The data of an option as mozim's `get_option_raw` gives it: mozim 0.3.4
/// includes the option's code and length (RFC 8415 21.1), which are left
/// out here; data without them is taken as it is.
fn option_data(code: u16, raw: Vec<u8>) -> Vec<u8> {
    match raw.as_slice() {
        [c0, c1, l0, l1, data @ ..]
            if u16::from_be_bytes([*c0, *c1]) == code
                && usize::from(u16::from_be_bytes([*l0, *l1])) == data.len() =>
        {
            data.to_vec()
        }
        _ => raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lease::LeaseStore;

    fn lease() -> Lease6 {
        Lease6 {
            interface: "veth1".into(),
            address: "2001:db8::10".parse().unwrap(),
            preferred_lifetime: 100,
            valid_lifetime: 200,
            renewal_time: 50,
            rebinding_time: 80,
            iaid: 0,
            server_duid: vec![0, 3, 0, 1, 2, 4, 6, 8, 10, 12],
            acquired: 1_000,
            dns_servers: vec!["2001:db8::53".parse().unwrap()],
            domains: vec!["example.org".into()],
            released: false,
        }
    }

    #[test]
    fn applied_with_what_is_left_of_its_lifetimes() {
        let l = lease();
        let c = l.apply_change(None, 1_030);
        assert_eq!(c.add_addresses[0].prefix_length, 128);
        assert_eq!(c.add_addresses[0].valid_lifetime, Some(170));
        assert_eq!(c.add_addresses[0].preferred_lifetime, Some(70));
        // Past its preferred lifetime: deprecated, still valid.
        let c = l.apply_change(None, 1_150);
        assert_eq!(c.add_addresses[0].preferred_lifetime, Some(0));
        assert_eq!(c.add_addresses[0].valid_lifetime, Some(50));
        let mut other = lease();
        other.address = "2001:db8::11".parse().unwrap();
        let c = other.apply_change(Some(&l), 1_000);
        assert_eq!(c.remove_addresses[0].ip, IpAddr::V6(l.address));
        assert!(l.apply_change(Some(&l), 1_000).remove_addresses.is_empty());
    }

    #[test]
    fn renewed_with_what_is_left_and_not_when_nearly_gone() {
        let l = lease();
        let m = l.to_mozim(1_050).unwrap();
        assert_eq!((m.t1_sec, m.t2_sec), (1, 30));
        assert_eq!((m.preferred_time_sec, m.valid_time_sec), (50, 150));
        assert_eq!(m.srv_duid, DhcpV6Duid::Raw(l.server_duid.clone()));
        // Past T2: rebinding comes right after renewal.
        let m = l.to_mozim(1_190).unwrap();
        assert_eq!((m.t1_sec, m.t2_sec, m.valid_time_sec), (1, 2, 10));
        assert_eq!(l.to_mozim(1_197), None);
    }

    #[test]
    fn option_headers_are_left_out() {
        assert_eq!(
            option_data(2, vec![0, 2, 0, 3, 0, 3, 9]),
            vec![0, 3, 9],
            "code 2, length 3"
        );
        assert_eq!(option_data(2, vec![0, 3, 0, 1, 7]), vec![0, 3, 0, 1, 7]);
        assert_eq!(option_data(2, vec![0, 2, 0, 9, 7]), vec![0, 2, 0, 9, 7]);
    }

    #[test]
    fn shown_with_the_duid_in_hex() {
        let info = lease().info();
        assert_eq!(info.address, "2001:db8::10/128");
        assert_eq!(info.server_duid, "00:03:00:01:02:04:06:08:0a:0c");
        assert_eq!(info.expires, rfc3339(1_200));
    }

    #[test]
    fn saved_and_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let store: LeaseStore<Lease6> = LeaseStore::new(&dir.path().join("v6"));
        assert_eq!(store.load("veth1"), None);
        store.save(&lease()).unwrap();
        assert_eq!(store.load("veth1"), Some(lease()));
        assert_eq!(store.load("veth2"), None);
    }
}
