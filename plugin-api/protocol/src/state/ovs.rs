//! The Open vSwitch sections of an interface, in nmstate's schema: the
//! `bridge` section of an `ovs-bridge` (options, ports with VLANs and
//! bonds), the `patch` section of an `ovs-interface`, and `ovs-db`
//! (`external_ids`, `other_config`). Applied and reported by the plugin
//! holding role `ovs`; as in [`super::schema`], `None` is "not mentioned".

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::{BridgePortVlan, kinds::keywords};

keywords!(
    /// `bridge.port[].link-aggregation.mode` of an `ovs-bridge`.
    OvsBondMode {
        ActiveBackup => "active-backup",
        BalanceSlb => "balance-slb",
        BalanceTcp => "balance-tcp",
    }
);

keywords!(
    /// `bridge.options.fail-mode` of an `ovs-bridge`.
    OvsFailMode {
        Standalone => "standalone",
        Secure => "secure",
    }
);

keywords!(
    /// `bridge.options.datapath` of an `ovs-bridge`: the kernel module's
    /// (`system`) or ovs-vswitchd's own (`netdev`).
    OvsDatapath {
        System => "system",
        Netdev => "netdev",
    }
);

/// The `bridge` section of an `ovs-bridge`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct OvsBridgeConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<OvsBridgeOptions>,
    /// The complete list of ports when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<Vec<OvsBridgePort>>,
}

/// `bridge.options` of an `ovs-bridge`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct OvsBridgeOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stp: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rstp: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcast_snooping_enable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_mode: Option<OvsFailMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datapath: Option<OvsDatapath>,
}

/// `bridge.port[]` of an `ovs-bridge`: a system interface, an
/// `ovs-interface`, or a bond (with `link-aggregation`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct OvsBridgePort {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<BridgePortVlan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_aggregation: Option<OvsBond>,
}

/// `bridge.port[].link-aggregation`: an OVS bond of system interfaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct OvsBond {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<OvsBondMode>,
    /// The bond's interfaces (at least two), as `{name: …}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<Vec<OvsBondPort>>,
    /// Milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bond_updelay: Option<u32>,
    /// Milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bond_downdelay: Option<u32>,
}

/// `link-aggregation.port[]` of an OVS bond.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OvsBondPort {
    pub name: String,
}

/// `patch` of an `ovs-interface`: one end of a patch pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OvsPatch {
    pub peer: String,
}

/// `ovs-db`: the `external_ids` and `other_config` columns of an OVSDB row
/// (an interface's, a bridge's, or the global `Open_vSwitch` row's); the
/// keys given are set, the others left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OvsDb {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_config: Option<BTreeMap<String, String>>,
}

/// The most entries an `ovs-db` map may hold.
pub const MAX_OVS_DB_ENTRIES: usize = 256;
/// The longest key or value of an `ovs-db` map.
pub const MAX_OVS_DB_TEXT: usize = 1024;
/// The most ports an OVS bridge or bond may list.
pub const MAX_OVS_PORTS: usize = 4096;

impl OvsBridgeConfig {
    /// Every interface the bridge holds: its ports, and the interfaces of
    /// its bonds instead of the bonds' own names.
    pub fn interfaces(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for p in self.port.iter().flatten() {
            match p.link_aggregation.as_ref().and_then(|b| b.port.as_ref()) {
                Some(members) => out.extend(members.iter().map(|m| m.name.as_str())),
                None => out.push(p.name.as_str()),
            }
        }
        out
    }
}
