//! The DHCPv6 lease as `Show` reports it under `ipv6.dhcp-lease`, and as
//! the `dhcp` plugin announces it (`dhcp6.lease`). See
//! `docs/plugins/dhcp.md`.

use std::net::Ipv6Addr;

use serde::{Deserialize, Serialize};

/// A DHCPv6 IA_NA lease (one address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Dhcp6LeaseInfo {
    /// The interface (left out under `ipv6.dhcp-lease`, where it is implied).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interface: String,
    /// `2001:db8::10/128`.
    pub address: String,
    /// Seconds, as the server gave them: the address's lifetimes, and when
    /// the client renews (T1) and rebinds (T2).
    pub preferred_lifetime: u32,
    pub valid_lifetime: u32,
    pub renewal_time: u32,
    pub rebinding_time: u32,
    /// The server's DUID, hexadecimal bytes separated by `:`.
    pub server_duid: String,
    /// The identity association's IAID.
    #[serde(default)]
    pub iaid: u32,
    /// When the lease was acquired or last renewed, and when its valid
    /// lifetime ends (RFC 3339, UTC).
    pub acquired: String,
    pub expires: String,
    /// Name servers (option 23) and the search list (option 24).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_servers: Vec<Ipv6Addr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
}
