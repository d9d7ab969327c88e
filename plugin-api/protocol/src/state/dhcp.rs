//! The payloads between the `dhcp` plugin, the `kernel` plugin and the
//! commander: a lease's addresses and routes to apply, and the lease
//! information `Show` reports. See `docs/plugins/dhcp.md`.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

/// Topics of the DHCP exchange.
pub mod dhcp_topics {
    /// any plugin → `role:kernel` (request):
    /// [`IpChange`](super::IpChange); reply:
    /// [`PartApplied`](crate::state::PartApplied).
    pub const IP_CHANGE: &str = "kernel.ip.change";
    /// commander (or anyone) → `role:dhcp` (request):
    /// [`DhcpLeaseQuery`](super::DhcpLeaseQuery); reply:
    /// [`DhcpLeaseList`](super::DhcpLeaseList).
    pub const LEASES: &str = "dhcp.leases";
    /// `dhcp` → subscribers (notification): a lease was applied (acquired
    /// or renewed): [`DhcpLeaseInfo`](super::DhcpLeaseInfo).
    pub const LEASE: &str = "dhcp.lease";
    /// `dhcp` → subscribers (notification): a lease's address was removed
    /// (expired, refused, carrier lost, released):
    /// [`DhcpLeaseLost`](super::DhcpLeaseLost).
    pub const LEASE_LOST: &str = "dhcp.lease-lost";
    /// `dhcp` → subscribers (notification): a DHCPv6 lease was applied:
    /// [`Dhcp6LeaseInfo`](super::Dhcp6LeaseInfo).
    pub const LEASE6: &str = "dhcp6.lease";
}

/// Payload of [`dhcp_topics::IP_CHANGE`]: addresses and routes to add to or
/// remove from one interface, leaving everything else alone (unlike a
/// desired state's complete `address` list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpChange {
    pub interface: String,
    /// Added, or replaced (an address that exists gets the new lifetimes).
    #[serde(default)]
    pub add_addresses: Vec<DynamicAddress>,
    /// Removed; one that is not there is not an error.
    #[serde(default)]
    pub remove_addresses: Vec<DynamicAddress>,
    /// Added through `interface` (an existing one is not an error).
    #[serde(default)]
    pub add_routes: Vec<IpRoute>,
    /// Removed; one that is not there is not an error.
    #[serde(default)]
    pub remove_routes: Vec<IpRoute>,
}

/// An address with optional lifetimes, in seconds (absent: forever). The
/// kernel removes an address whose valid lifetime ran out by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DynamicAddress {
    pub ip: IpAddr,
    pub prefix_length: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_lifetime: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_lifetime: Option<u32>,
}

/// A route through the interface of an [`IpChange`], installed with
/// protocol `dhcp` (so queries do not count it among the static routes of
/// `routes.config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpRoute {
    /// `0.0.0.0/0`, `198.51.100.0/24`.
    pub destination: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
    /// The routing table; main when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
}

/// Payload of [`dhcp_topics::LEASES`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DhcpLeaseQuery {
    /// Only this interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
}

/// The reply to [`dhcp_topics::LEASES`]: the leases applied now, sorted by
/// interface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhcpLeaseList {
    pub leases: Vec<DhcpLeaseInfo>,
    /// Every interface with a DHCP client running, with a lease or still
    /// without one (configured, not yet in effect), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configured: Vec<String>,
    /// The DHCPv6 leases applied now, sorted by interface.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leases6: Vec<super::Dhcp6LeaseInfo>,
    /// Every interface with a DHCPv6 client running, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configured6: Vec<String>,
    /// What each running client does with its lease's routes (the
    /// `auto-*` keys of its `ipv4`), sorted by interface.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<DhcpSettings>,
}

/// The `ipv4` keys a DHCPv4 client runs with (nmstate's names), as `Show`
/// reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhcpSettings {
    pub interface: String,
    /// Whether a default route of the lease is installed.
    pub auto_gateway: bool,
    /// Whether any route of the lease is installed.
    pub auto_routes: bool,
    /// The metric of the lease's routes (the kernel's default when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_route_metric: Option<u32>,
    /// The table of the lease's routes (0: main).
    pub auto_route_table_id: u32,
    /// Whether the lease's host name (option 12) is the running host name.
    #[serde(default)]
    pub auto_hostname: bool,
}

/// A DHCPv4 lease as `Show` reports it under `ipv4.dhcp-lease`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DhcpLeaseInfo {
    /// The interface (left out under `ipv4.dhcp-lease`, where it is implied).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub interface: String,
    /// `192.0.2.10/24`.
    pub address: String,
    pub server_id: Ipv4Addr,
    /// Seconds, as the server gave them.
    pub lease_time: u32,
    pub renewal_time: u32,
    pub rebinding_time: u32,
    /// When the lease was acquired or last renewed, and when it ends
    /// (RFC 3339, UTC).
    pub acquired: String,
    pub expires: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_servers: Vec<Ipv4Addr>,
    /// The default gateway applied (option 3), unless option 121 replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Ipv4Addr>,
    /// Classless static routes (option 121): `198.51.100.0/24 via 192.0.2.1`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
    /// The domain name (option 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    /// The domain search list (option 119), else the domain name: the
    /// search domains the lease gives the resolver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search: Vec<String>,
    /// The host name (option 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// Payload of [`dhcp_topics::LEASE_LOST`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DhcpLeaseLost {
    pub interface: String,
    /// `192.0.2.10/24`.
    pub address: String,
    /// `expired`, `refused`, `nak`, `carrier-lost`, `released`, `stopped`.
    pub reason: String,
}
