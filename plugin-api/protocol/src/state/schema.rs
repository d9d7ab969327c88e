//! The network-state types: nmstate's schema for the parts nipart supports.
//!
//! Every field a file may leave out is an `Option`: `None` means "not
//! mentioned", which in a desired state means "leave it as it is". Values
//! are kept canonical (addresses as `IpAddr`, MAC addresses upper case,
//! route destinations as network addresses), so two states that mean the
//! same compare equal.

use std::{fmt, net::IpAddr};

pub use super::kinds::*;

use serde::{Serialize, Serializer};

/// A whole network state: the desired state of a file, or the current state
/// of a query. Parse it with [`NetworkState::from_yaml`],
/// [`NetworkState::from_json`] or [`NetworkState::from_value`]; all of them
/// check every key and value and name the path of the first problem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct NetworkState {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
    #[serde(skip_serializing_if = "Routes::is_empty")]
    pub routes: Routes,
    /// The resolver's name servers and search domains (role `dns`); boxed,
    /// as rarely given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_resolver: Option<Box<super::DnsResolver>>,
    /// The host name (role `hostname`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Box<super::HostnameState>>,
    #[serde(skip_serializing_if = "super::RouteRules::is_empty")]
    pub route_rules: super::RouteRules,
    /// The `Open_vSwitch` row's `external_ids` and `other_config` (role
    /// `ovs`); boxed, as the two below, to keep the state small.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ovs_db: Option<Box<super::OvsDbGlobal>>,
    /// OVN's bridge mappings (role `ovs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ovn: Option<Box<super::Ovn>>,
}

/// One interface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Interface {
    pub name: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub iface_type: Option<InterfaceType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<InterfaceState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// Upper case, colon separated: `02:00:00:00:00:01`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// The bridge this interface is a port of; `""` detaches it. Reported
    /// by queries; in a desired state it attaches or detaches the port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<IpConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<IpConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub veth: Option<VethConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<BridgeConfig>,
    /// LLDP on this interface (role `lldp`); `Show` adds the neighbours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lldp: Option<super::LldpConfig>,
    /// Promiscuous mode: the interface receives every frame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_all_mac_addresses: Option<bool>,
    /// The section of a `bond`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_aggregation: Option<BondConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<VlanConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vrf: Option<VrfConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_vlan: Option<MacVlanConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_vtap: Option<MacVlanConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vxlan: Option<VxlanConfig>,
    /// The `bridge` section of an `ovs-bridge` (role `ovs`).
    #[serde(rename = "bridge", skip_serializing_if = "Option::is_none")]
    pub ovs_bridge: Option<super::OvsBridgeConfig>,
    /// The `patch` section of an `ovs-interface`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<super::OvsPatch>,
    /// The OVSDB columns of an OVS bridge or interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ovs_db: Option<super::OvsDb>,
}

impl Interface {
    /// An interface with just a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The state, `up` when not given.
    pub fn state_or_up(&self) -> InterfaceState {
        self.state.unwrap_or(InterfaceState::Up)
    }

    /// Whether the state is `absent`.
    pub fn is_absent(&self) -> bool {
        self.state == Some(InterfaceState::Absent)
    }

    /// The complete port list of a controller (bridge, bond, VRF), if its
    /// section gives one.
    pub fn ports(&self) -> Option<Vec<&str>> {
        fn names(l: &[String]) -> Vec<&str> {
            l.iter().map(String::as_str).collect()
        }
        if let Some(p) = self.bridge.as_ref().and_then(|b| b.port.as_ref()) {
            return Some(p.iter().map(|p| p.name.as_str()).collect());
        }
        if let Some(b) = self.ovs_bridge.as_ref().filter(|b| b.port.is_some()) {
            return Some(b.interfaces());
        }
        if let Some(p) = self
            .link_aggregation
            .as_ref()
            .and_then(|b| b.port.as_deref())
        {
            return Some(names(p));
        }
        self.vrf.as_ref().and_then(|v| v.port.as_deref()).map(names)
    }

    /// The interface this one stands on (`base-iface` of a VLAN, MAC-VLAN,
    /// MAC-VTAP or VXLAN), if its section names one.
    pub fn base_iface(&self) -> Option<&str> {
        self.vlan
            .as_ref()
            .and_then(|v| v.base_iface.as_deref())
            .or_else(|| self.mac_vlan.as_ref().and_then(|v| v.base_iface.as_deref()))
            .or_else(|| self.mac_vtap.as_ref().and_then(|v| v.base_iface.as_deref()))
            .or_else(|| self.vxlan.as_ref().and_then(|v| v.base_iface.as_deref()))
    }
}

/// `interfaces[].type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InterfaceType {
    Ethernet,
    Veth,
    LinuxBridge,
    Loopback,
    Dummy,
    Bond,
    Vlan,
    Vrf,
    MacVlan,
    MacVtap,
    Vxlan,
    /// An Open vSwitch bridge (role `ovs`).
    OvsBridge,
    /// An Open vSwitch internal interface or patch port (role `ovs`).
    OvsInterface,
    /// Any other kind of interface: reported by queries; a desired state may
    /// change its common properties, but nipart does not create one.
    Unknown,
}

impl InterfaceType {
    pub const ALL: [InterfaceType; 12] = [
        InterfaceType::Ethernet,
        InterfaceType::Veth,
        InterfaceType::LinuxBridge,
        InterfaceType::Loopback,
        InterfaceType::Dummy,
        InterfaceType::Bond,
        InterfaceType::Vlan,
        InterfaceType::Vrf,
        InterfaceType::MacVlan,
        InterfaceType::MacVtap,
        InterfaceType::Vxlan,
        InterfaceType::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InterfaceType::Ethernet => "ethernet",
            InterfaceType::Veth => "veth",
            InterfaceType::LinuxBridge => "linux-bridge",
            InterfaceType::Loopback => "loopback",
            InterfaceType::Dummy => "dummy",
            InterfaceType::Bond => "bond",
            InterfaceType::Vlan => "vlan",
            InterfaceType::Vrf => "vrf",
            InterfaceType::MacVlan => "mac-vlan",
            InterfaceType::MacVtap => "mac-vtap",
            InterfaceType::Vxlan => "vxlan",
            InterfaceType::OvsBridge => "ovs-bridge",
            InterfaceType::OvsInterface => "ovs-interface",
            InterfaceType::Unknown => "unknown",
        }
    }

    /// Whether nipart can create an interface of this type.
    pub fn can_create(self) -> bool {
        !matches!(
            self,
            InterfaceType::Ethernet | InterfaceType::Loopback | InterfaceType::Unknown
        )
    }

    /// Whether interfaces of this type take ports (`controller` of others).
    pub fn is_controller(self) -> bool {
        matches!(
            self,
            InterfaceType::LinuxBridge
                | InterfaceType::Bond
                | InterfaceType::Vrf
                | InterfaceType::OvsBridge
        )
    }

    /// The types the plugin holding role `ovs` owns, which the kernel
    /// neither creates nor deletes.
    pub const OVS: [InterfaceType; 2] = [InterfaceType::OvsBridge, InterfaceType::OvsInterface];

    /// Whether the plugin holding role `ovs` owns interfaces of this type.
    pub fn is_ovs(self) -> bool {
        Self::OVS.contains(&self)
    }

    /// The type a section of an interface implies: `veth` → veth, …
    pub fn of_section(iface: &Interface) -> Option<InterfaceType> {
        [
            (iface.veth.is_some(), InterfaceType::Veth),
            (iface.bridge.is_some(), InterfaceType::LinuxBridge),
            (iface.link_aggregation.is_some(), InterfaceType::Bond),
            (iface.vlan.is_some(), InterfaceType::Vlan),
            (iface.vrf.is_some(), InterfaceType::Vrf),
            (iface.mac_vlan.is_some(), InterfaceType::MacVlan),
            (iface.mac_vtap.is_some(), InterfaceType::MacVtap),
            (iface.vxlan.is_some(), InterfaceType::Vxlan),
            (iface.ovs_bridge.is_some(), InterfaceType::OvsBridge),
            (iface.patch.is_some(), InterfaceType::OvsInterface),
        ]
        .into_iter()
        .find_map(|(given, t)| given.then_some(t))
    }
}

/// `interfaces[].state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterfaceState {
    Up,
    Down,
    /// Delete the interface (only in a desired state).
    Absent,
    /// Leave the interface alone (only in a desired state).
    Ignore,
}

impl InterfaceState {
    pub const ALL: [InterfaceState; 4] = [
        InterfaceState::Up,
        InterfaceState::Down,
        InterfaceState::Absent,
        InterfaceState::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InterfaceState::Up => "up",
            InterfaceState::Down => "down",
            InterfaceState::Absent => "absent",
            InterfaceState::Ignore => "ignore",
        }
    }
}

macro_rules! serialize_as_str {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
serialize_as_str!(InterfaceType, InterfaceState, RouteState, RouteType);

/// `interfaces[].ipv4` and `interfaces[].ipv6`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct IpConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dhcp: Option<bool>,
    /// IPv6 router advertisements (IPv6 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoconf: Option<bool>,
    /// The complete list of static addresses when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Vec<IpAddress>>,
    /// IPv4 only, reported by `Show` when the `dhcp` plugin holds a lease
    /// for the interface; ignored in a desired state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dhcp_lease: Option<super::DhcpLeaseInfo>,
    /// IPv6 only, reported by `Show` when the `dhcp` plugin holds a DHCPv6
    /// lease for the interface (`dhcp-lease` too); ignored in a desired
    /// state.
    #[serde(rename = "dhcp-lease", skip_serializing_if = "Option::is_none")]
    pub dhcp6_lease: Option<super::Dhcp6LeaseInfo>,
    /// Whether the name servers a DHCP lease gives are used (role `dns`);
    /// true when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_dns: Option<bool>,
    /// IPv4 only: whether the host name a DHCP lease gives (option 12)
    /// becomes the running host name (role `hostname`); false when not
    /// given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_hostname: Option<bool>,
    /// IPv6 only: how SLAAC forms addresses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr_gen_mode: Option<super::AddrGenMode>,
    /// IPv6 only: the host part SLAAC uses instead (`::1:2:3:4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<std::net::Ipv6Addr>,
    /// Whether router advertisements (IPv6) or a DHCPv4 lease (option 3,
    /// a default route of option 121) give a default route; true when not
    /// given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_gateway: Option<bool>,
    /// Whether router advertisements (IPv6) or a DHCPv4 lease give routes
    /// at all; true when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_routes: Option<bool>,
    /// The metric of the default route of router advertisements (IPv6), of
    /// every route of a DHCPv4 lease (IPv4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_route_metric: Option<u32>,
    /// The table of a DHCPv4 lease's routes (0: main); for IPv6, main only
    /// (the kernel installs the routes of router advertisements there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_route_table_id: Option<u32>,
}

/// One static address: `{ip: 192.0.2.1, prefix-length: 24}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct IpAddress {
    pub ip: IpAddr,
    pub prefix_length: u8,
}

impl fmt::Display for IpAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ip, self.prefix_length)
    }
}

/// `interfaces[].veth`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct VethConfig {
    pub peer: String,
}

/// `interfaces[].bridge` of a `linux-bridge`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BridgeConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<BridgeOptions>,
    /// The complete list of ports when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<Vec<BridgePort>>,
}

/// `interfaces[].bridge.options`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BridgeOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stp: Option<StpOptions>,
    /// Which link-local group frames (01:80:C2:00:00:0X, one bit per X)
    /// are forwarded; bits 0, 1 and 2 can't be set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_forward_mask: Option<u16>,
    /// Seconds a learned MAC address is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_ageing_time: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_snooping: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_querier: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_query_use_ifaddr: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_max: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_last_member_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_startup_query_count: Option<u32>,
    /// The multicast timers, in hundredths of a second as nmstate and the
    /// kernel give them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_last_member_interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_membership_interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_querier_interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_query_interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_query_response_interval: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_startup_query_interval: Option<u64>,
    /// The protocol of the VLANs the bridge filters by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan_protocol: Option<VlanProtocol>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast_router: Option<MulticastRouter>,
}

/// `interfaces[].bridge.options.stp`; times in seconds, as in nmstate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct StpOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// 2..=30 seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_delay: Option<u8>,
    /// 1..=10 seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hello_time: Option<u8>,
    /// 6..=40 seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u16>,
}

/// `interfaces[].bridge.port[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BridgePort {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stp_hairpin_mode: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stp_path_cost: Option<u32>,
    /// 0..=63.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stp_priority: Option<u16>,
    /// The port's VLANs (compared as the kernel's VLAN set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<BridgePortVlan>,
}

/// `routes`: `config` in a desired state (and the static routes of a
/// query); `running` (every route the kernel has) in a query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Routes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Vec<Route>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running: Option<Vec<Route>>,
}

impl Routes {
    pub fn is_empty(&self) -> bool {
        self.config.is_none() && self.running.is_none()
    }
}

/// One route. In a desired state with `state: absent`, the fields given
/// select the routes to remove (a missing field matches any value).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Route {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<RouteState>,
    /// A network in canonical form: `198.51.100.0/24`, `2001:db8::/64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_hop_interface: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_hop_address: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
    /// 254 (main) when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_id: Option<u32>,
    /// A route that drops instead of forwarding (no next hop).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_type: Option<RouteType>,
    /// The source address for packets this host sends by the route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<IpAddr>,
    /// TCP's congestion window clamp, in packets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwnd: Option<u32>,
    /// TCP's initial congestion window, in packets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initcwnd: Option<u32>,
    /// TCP's initial receive window, in packets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initrwnd: Option<u32>,
    /// The path MTU of the route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// The next hop is on the link even if no address's prefix says so.
    /// A query shows only `true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onlink: Option<bool>,
    /// 1..=256: this next hop's share of a multipath route, whose hops are
    /// the routes with the same destination, table and metric and a
    /// weight each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
}

/// `routes.config[].route-type`: what a route without a next hop does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteType {
    /// Drop silently.
    Blackhole,
    /// Drop with "network unreachable".
    Unreachable,
    /// Drop with "administratively prohibited".
    Prohibit,
}

impl RouteType {
    pub const ALL: [RouteType; 3] = [
        RouteType::Blackhole,
        RouteType::Unreachable,
        RouteType::Prohibit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RouteType::Blackhole => "blackhole",
            RouteType::Unreachable => "unreachable",
            RouteType::Prohibit => "prohibit",
        }
    }
}

/// The main routing table.
pub const MAIN_TABLE: u32 = 254;

impl Route {
    pub fn is_absent(&self) -> bool {
        self.state == Some(RouteState::Absent)
    }

    /// The table, main when not given (or given as 0).
    pub fn table(&self) -> u32 {
        match self.table_id {
            None | Some(0) => MAIN_TABLE,
            Some(t) => t,
        }
    }

    /// Whether `self`, a desired route, selects `other`, a route of a
    /// query: every field given here is equal there.
    pub fn matches(&self, other: &Route) -> bool {
        fn eq<T: PartialEq>(want: &Option<T>, have: &Option<T>) -> bool {
            want.as_ref().is_none_or(|w| have.as_ref() == Some(w))
        }
        eq(&self.destination, &other.destination)
            && eq(&self.next_hop_interface, &other.next_hop_interface)
            && eq(&self.next_hop_address, &other.next_hop_address)
            && eq(&self.metric, &other.metric)
            && self.table() == other.table()
            && eq(&self.route_type, &other.route_type)
            && eq(&self.source, &other.source)
            && eq(&self.cwnd, &other.cwnd)
            && eq(&self.initcwnd, &other.initcwnd)
            && eq(&self.initrwnd, &other.initrwnd)
            && eq(&self.mtu, &other.mtu)
            && eq(&self.weight, &other.weight)
            // A query shows only `onlink: true`.
            && self
                .onlink
                .is_none_or(|w| other.onlink.unwrap_or(false) == w)
    }

    /// Whether `other` takes the same place in the kernel: the same
    /// destination, table and metric (the kernel's when none is given: 0
    /// for IPv4, 1024 for IPv6). Two such routes with a weight each are
    /// next hops of one multipath route.
    pub fn same_place(&self, other: &Route) -> bool {
        let metric = |r: &Route| r.metric.unwrap_or(if r.is_ipv6() { 1024 } else { 0 });
        self.destination.is_some()
            && self.destination == other.destination
            && self.table() == other.table()
            && metric(self) == metric(other)
    }

    /// Whether the destination is an IPv6 network.
    pub fn is_ipv6(&self) -> bool {
        self.destination.as_deref().is_some_and(|d| d.contains(':'))
            || self.next_hop_address.is_some_and(|a| a.is_ipv6())
            || self.source.is_some_and(|a| a.is_ipv6())
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(t) = self.route_type {
            write!(f, "{t} ")?;
        }
        f.write_str(self.destination.as_deref().unwrap_or("*"))?;
        if let Some(a) = &self.next_hop_address {
            write!(f, " via {a}")?;
        }
        if let Some(i) = &self.next_hop_interface {
            write!(f, " dev {i}")?;
        }
        if let Some(m) = self.metric {
            write!(f, " metric {m}")?;
        }
        if self.table() != MAIN_TABLE {
            write!(f, " table {}", self.table())?;
        }
        if let Some(s) = &self.source {
            write!(f, " src {s}")?;
        }
        for (name, v) in [
            ("mtu", self.mtu),
            ("cwnd", self.cwnd),
            ("initcwnd", self.initcwnd),
            ("initrwnd", self.initrwnd),
        ] {
            if let Some(v) = v {
                write!(f, " {name} {v}")?;
            }
        }
        if self.onlink == Some(true) {
            f.write_str(" onlink")?;
        }
        if let Some(w) = self.weight {
            write!(f, " weight {w}")?;
        }
        Ok(())
    }
}

/// `routes.config[].state`: only `absent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteState {
    Absent,
}

impl RouteState {
    pub fn as_str(self) -> &'static str {
        "absent"
    }
}

impl NetworkState {
    /// Whether the state says nothing at all (every part left out).
    pub fn is_empty(&self) -> bool {
        *self == NetworkState::default()
    }

    /// The interface named `name`.
    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.name == name)
    }

    /// The interface named `name`, mutable.
    pub fn interface_mut(&mut self, name: &str) -> Option<&mut Interface> {
        self.interfaces.iter_mut().find(|i| i.name == name)
    }

    /// The state as nmstate-style YAML.
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(self).unwrap_or_else(|e| format!("# cannot print the state: {e}\n"))
    }

    /// Sorts interfaces by name and routes, so that two queries of the same
    /// kernel state compare equal.
    pub fn sort(&mut self) {
        self.interfaces.sort_by(|a, b| a.name.cmp(&b.name));
        for i in &mut self.interfaces {
            for ip in [&mut i.ipv4, &mut i.ipv6].into_iter().flatten() {
                if let Some(a) = &mut ip.address {
                    a.sort();
                }
            }
            if let Some(ports) = i.bridge.as_mut().and_then(|b| b.port.as_mut()) {
                ports.sort_by(|a, b| a.name.cmp(&b.name));
            }
            if let Some(b) = i.link_aggregation.as_mut() {
                if let Some(p) = b.port.as_mut() {
                    p.sort();
                }
                if let Some(p) = b.ports_config.as_mut() {
                    p.sort_by(|a, b| a.name.cmp(&b.name));
                }
            }
            if let Some(p) = i.vrf.as_mut().and_then(|v| v.port.as_mut()) {
                p.sort();
            }
            if let Some(ports) = i.ovs_bridge.as_mut().and_then(|b| b.port.as_mut()) {
                ports.sort_by(|a, b| a.name.cmp(&b.name));
                for b in ports.iter_mut().filter_map(|p| p.link_aggregation.as_mut()) {
                    if let Some(m) = b.port.as_mut() {
                        m.sort();
                    }
                }
            }
        }
        for r in [&mut self.routes.config, &mut self.routes.running]
            .into_iter()
            .flatten()
        {
            r.sort();
        }
        if let Some(r) = &mut self.route_rules.config {
            r.sort();
        }
    }
}

impl fmt::Display for NetworkState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_yaml())
    }
}
