//! The sections of the interface types beyond veth and linux-bridge, in
//! nmstate's schema: `link-aggregation` (bond), `vlan`, `vrf`, `mac-vlan`,
//! `mac-vtap` and `vxlan`. As in [`super::schema`], `None` is "not
//! mentioned": a desired state changes only what it gives, and verification
//! compares only that.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Serialize, Serializer};

/// A keyword enum: its nmstate names, `ALL`, and serialization as the name.
macro_rules! keywords {
    ($(#[$m:meta])* $name:ident { $($v:ident => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($v),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),* }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(super) use keywords;

keywords!(
    /// `link-aggregation.mode`; the kernel's numbers 0..=6 in this order.
    BondMode {
        BalanceRr => "balance-rr",
        ActiveBackup => "active-backup",
        BalanceXor => "balance-xor",
        Broadcast => "broadcast",
        Ieee8023ad => "802.3ad",
        BalanceTlb => "balance-tlb",
        BalanceAlb => "balance-alb",
    }
);
keywords!(
    /// `options.xmit_hash_policy`; the kernel's numbers 0..=5 in this order.
    BondXmitHashPolicy {
        Layer2 => "layer2",
        Layer34 => "layer3+4",
        Layer23 => "layer2+3",
        Encap23 => "encap2+3",
        Encap34 => "encap3+4",
        VlanSrcMac => "vlan+srcmac",
    }
);
keywords!(
    /// `options.lacp_rate` (0 slow, 1 fast).
    BondLacpRate { Slow => "slow", Fast => "fast" }
);
keywords!(
    /// `options.ad_select` (0..=2).
    BondAdSelect { Stable => "stable", Bandwidth => "bandwidth", Count => "count" }
);
keywords!(
    /// `options.arp_validate` (0..=6).
    BondArpValidate {
        None => "none",
        Active => "active",
        Backup => "backup",
        All => "all",
        Filter => "filter",
        FilterActive => "filter_active",
        FilterBackup => "filter_backup",
    }
);
keywords!(
    /// `options.arp_all_targets` (0 any, 1 all).
    BondArpAllTargets { Any => "any", All => "all" }
);
keywords!(
    /// `options.primary_reselect` (0..=2).
    BondPrimaryReselect { Always => "always", Better => "better", Failure => "failure" }
);
keywords!(
    /// `options.fail_over_mac` (0..=2).
    BondFailOverMac { None => "none", Active => "active", Follow => "follow" }
);
keywords!(
    /// `options.all_slaves_active` (0 dropped, 1 delivered).
    BondAllSlavesActive { Dropped => "dropped", Delivered => "delivered" }
);
keywords!(
    /// `vlan.protocol`.
    VlanProtocol { Ieee8021q => "802.1q", Ieee8021ad => "802.1ad" }
);
keywords!(
    /// `bridge.options.multicast-router`; the kernel's numbers 0..=2 in
    /// this order.
    MulticastRouter { Disabled => "disabled", Auto => "auto", Enabled => "enabled" }
);
keywords!(
    /// `bridge.port[].vlan.mode`.
    BridgePortVlanMode { Access => "access", Trunk => "trunk" }
);

/// The most VLAN IDs: 1..=4094 (0 and 4095 are reserved).
pub const MAX_VLAN_ID: u16 = 4094;

/// `interfaces[].bridge.port[].vlan`: the port's VLANs, which the bridge
/// filters by when any of its ports has some. An empty section (`{}`) is
/// "no VLANs" (the kernel's default: VLAN 1, untagged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BridgePortVlan {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_native: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<BridgePortVlanMode>,
    /// The access VLAN, or the native VLAN of a trunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trunk_tags: Option<Vec<BridgeTrunkTag>>,
}

/// `bridge.port[].vlan.trunk-tags[]`: `{id: N}` or `{id-range: {min, max}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgeTrunkTag {
    Id(u16),
    IdRange { min: u16, max: u16 },
}

/// As a mapping (YAML writers would tag an enum: `!id 20`).
impl Serialize for BridgeTrunkTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        match *self {
            BridgeTrunkTag::Id(id) => m.serialize_entry("id", &id)?,
            BridgeTrunkTag::IdRange { min, max } => {
                let range: std::collections::BTreeMap<&str, u16> =
                    [("min", min), ("max", max)].into_iter().collect();
                m.serialize_entry("id-range", &range)?
            }
        }
        m.end()
    }
}

impl BridgePortVlan {
    /// The VLANs the kernel has on the port for this section, each VLAN ID
    /// with whether it is the PVID and untagged (an access tag or a native
    /// VLAN); none for an empty section.
    pub fn kernel_vlans(&self) -> std::collections::BTreeMap<u16, bool> {
        let mut out = std::collections::BTreeMap::new();
        for t in self.trunk_tags.iter().flatten() {
            let (min, max) = match *t {
                BridgeTrunkTag::Id(id) => (id, id),
                BridgeTrunkTag::IdRange { min, max } => (min, max),
            };
            for id in min..=max.min(MAX_VLAN_ID) {
                out.insert(id, false);
            }
        }
        let native = match self.mode {
            Some(BridgePortVlanMode::Access) => true,
            Some(BridgePortVlanMode::Trunk) | None => self.enable_native == Some(true),
        };
        if native && let Some(tag) = self.tag {
            out.insert(tag, true);
        }
        out
    }
}

keywords!(
    /// `mac-vlan.mode` and `mac-vtap.mode`.
    MacVlanMode {
        Vepa => "vepa",
        Bridge => "bridge",
        Private => "private",
        Passthru => "passthru",
        Source => "source",
    }
);

/// `interfaces[].link-aggregation` of a `bond`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BondConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<BondMode>,
    /// The complete list of ports when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<Vec<String>>,
    /// Options of some of the ports (each of `port`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports_config: Option<Vec<BondPortConfig>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<BondOptions>,
}

/// `link-aggregation.ports-config[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BondPortConfig {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_id: Option<u16>,
}

/// `link-aggregation.options`: the kernel's bonding options, under their
/// sysfs names as nmstate writes them (times in milliseconds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BondOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub miimon: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updelay: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downdelay: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_carrier: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arp_interval: Option<u32>,
    /// Written as nmstate does: `192.0.2.1,192.0.2.2`.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "comma_list")]
    pub arp_ip_target: Option<Vec<Ipv4Addr>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arp_validate: Option<BondArpValidate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arp_all_targets: Option<BondArpAllTargets>,
    /// A port's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_reselect: Option<BondPrimaryReselect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_over_mac: Option<BondFailOverMac>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xmit_hash_policy: Option<BondXmitHashPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resend_igmp: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_grat_arp: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_slaves_active: Option<BondAllSlavesActive>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_links: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lp_interval: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packets_per_slave: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lacp_rate: Option<BondLacpRate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_select: Option<BondAdSelect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_actor_sys_prio: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_user_port_key: Option<u16>,
    /// Upper case, as every MAC address of the schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_actor_system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tlb_dynamic_lb: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_notif_delay: Option<u32>,
}

fn comma_list<S: Serializer>(v: &Option<Vec<Ipv4Addr>>, s: S) -> Result<S::Ok, S::Error> {
    let list: Vec<String> = v.iter().flatten().map(ToString::to_string).collect();
    s.serialize_str(&list.join(","))
}

/// `interfaces[].vlan`: `base-iface` and `id` are needed to create one and
/// can't change afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct VlanConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_iface: Option<String>,
    /// 0..=4094.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<VlanProtocol>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reorder_headers: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loose_binding: Option<bool>,
}

/// `interfaces[].vrf`: `route-table-id` is needed to create one and can't
/// change afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct VrfConfig {
    /// The complete list of ports when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<Vec<String>>,
    /// 1..=4294967295 (0 is not a table).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table_id: Option<u32>,
}

/// `interfaces[].mac-vlan` and `interfaces[].mac-vtap`: `base-iface` is
/// needed to create one and can't change afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct MacVlanConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_iface: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<MacVlanMode>,
    /// Whether it receives every frame of its base interface
    /// (`passthru` mode only; the kernel's flag `nopromisc` inverted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promiscuous: Option<bool>,
}

/// `interfaces[].vxlan`: `id` is needed to create one; `id`, `base-iface`,
/// `local` and `destination-port` can't change afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct VxlanConfig {
    /// The VNI, 0..=16777215.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_iface: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<IpAddr>,
    /// 4789 when not given at creation (the IANA port; the kernel's own
    /// default is 8472).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learning: Option<bool>,
}
