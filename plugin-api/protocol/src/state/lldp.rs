//! LLDP (IEEE 802.1AB): an interface's `lldp` section, the neighbours the
//! `lldp` plugin has heard, in nmstate's output format (a neighbour is the
//! list of its TLVs, each with its `type` and fields), and the exchange
//! `Show` uses to list them. See `docs/plugins/lldp.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Topics of the LLDP exchange.
pub mod lldp_topics {
    /// commander (or anyone) → `role:lldp` (request):
    /// [`LldpQuery`](super::LldpQuery); reply:
    /// [`LldpReport`](super::LldpReport).
    pub const NEIGHBORS: &str = "lldp.neighbors";
    /// `lldp` → subscribers (notice): a new neighbour was heard:
    /// [`LldpNeighborAdded`](super::LldpNeighborAdded).
    pub const NEIGHBOR_ADDED: &str = "lldp.neighbor-added";
    /// `lldp` → subscribers (notice): a neighbour sent other TLVs than
    /// before: [`LldpNeighborChanged`](super::LldpNeighborChanged).
    pub const NEIGHBOR_CHANGED: &str = "lldp.neighbor-changed";
    /// `lldp` → subscribers (notice): a neighbour is gone:
    /// [`LldpNeighborRemoved`](super::LldpNeighborRemoved).
    pub const NEIGHBOR_REMOVED: &str = "lldp.neighbor-removed";
}

/// `interfaces[].lldp`. In a desired state only `enabled` and `transmit`
/// mean something; `neighbors` and `counters` are what `Show` reports, and
/// are ignored there (so a shown state can be applied again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LldpConfig {
    /// Listen for LLDP frames on the interface (the `lldp` plugin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Also announce this host on the interface (off by default; beyond
    /// nmstate, which only receives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmit: Option<bool>,
    /// The neighbours heard, each as its list of TLVs (nmstate's format).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbors: Option<Vec<LldpNeighbor>>,
    /// Frames received and dropped on the interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<LldpCounters>,
}

/// One neighbour: its TLVs in the order it sent them (the management
/// addresses, VLAN names and protocol VLAN IDs each gathered into one
/// entry, as nmstate does).
pub type LldpNeighbor = Vec<LldpTlv>;

/// What the `lldp` plugin counted on one interface since it started
/// listening there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default)]
pub struct LldpCounters {
    /// LLDP frames received, well-formed or not.
    pub frames_received: u64,
    /// Frames dropped as malformed, in all (the sum of the kinds below).
    pub frames_malformed: u64,
    /// A TLV whose length runs past the end of the frame.
    pub truncated: u64,
    /// No chassis ID, port ID or TTL TLV.
    pub missing_mandatory: u64,
    /// The first three TLVs not chassis ID, port ID, TTL; a mandatory TLV
    /// repeated.
    pub out_of_order: u64,
    /// A frame longer than an LLDPDU may be.
    pub oversized: u64,
    /// A TLV whose length or content is wrong for its type.
    pub invalid_tlv: u64,
    /// Neighbours removed because their TTL ran out.
    pub neighbors_expired: u64,
    /// Well-formed frames of a new neighbour dropped because the interface
    /// had as many neighbours as the plugin keeps.
    pub too_many_neighbors: u64,
}

impl LldpCounters {
    /// Counts one malformed frame of `kind`.
    pub fn count_malformed(&mut self, kind: LldpErrorKind) {
        self.frames_malformed += 1;
        let c = match kind {
            LldpErrorKind::Truncated => &mut self.truncated,
            LldpErrorKind::MissingMandatory => &mut self.missing_mandatory,
            LldpErrorKind::OutOfOrder => &mut self.out_of_order,
            LldpErrorKind::Oversized => &mut self.oversized,
            LldpErrorKind::InvalidTlv => &mut self.invalid_tlv,
        };
        *c += 1;
    }
}

/// Why a frame is not a valid LLDPDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LldpErrorKind {
    Truncated,
    MissingMandatory,
    OutOfOrder,
    Oversized,
    InvalidTlv,
}

impl LldpErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LldpErrorKind::Truncated => "truncated",
            LldpErrorKind::MissingMandatory => "missing-mandatory",
            LldpErrorKind::OutOfOrder => "out-of-order",
            LldpErrorKind::Oversized => "oversized",
            LldpErrorKind::InvalidTlv => "invalid-tlv",
        }
    }
}

impl fmt::Display for LldpErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// TLV type numbers (IEEE 802.1AB-2016, table 8-1).
pub mod tlv_type {
    pub const END: u8 = 0;
    pub const CHASSIS_ID: u8 = 1;
    pub const PORT_ID: u8 = 2;
    pub const TTL: u8 = 3;
    pub const PORT_DESCRIPTION: u8 = 4;
    pub const SYSTEM_NAME: u8 = 5;
    pub const SYSTEM_DESCRIPTION: u8 = 6;
    pub const SYSTEM_CAPABILITIES: u8 = 7;
    pub const MANAGEMENT_ADDRESS: u8 = 8;
    pub const ORGANIZATIONAL: u8 = 127;
}

/// The organisations whose TLVs are decoded: IEEE 802.1 and 802.3.
pub const OUI_802_1: &str = "00:80:c2";
pub const OUI_802_3: &str = "00:12:0f";

/// One TLV of a neighbour, as nmstate shows it. The YAML/JSON form is flat
/// (`type`, the fields of the TLV, and `oui`/`subtype` for an
/// organisational one); see [`TlvFields`] for every key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "TlvFields", try_from = "TlvFields")]
pub enum LldpTlv {
    /// Type 1: `chassis-id`, `chassis-id-type` (the subtype, 1..=7) and
    /// `_description` (the subtype's name).
    ChassisId { id: String, subtype: u8 },
    /// Type 2: `port-id`, `port-id-type`, `_description`.
    PortId { id: String, subtype: u8 },
    /// Type 3: `ttl`, seconds.
    Ttl(u16),
    /// Type 4: `port-description`.
    PortDescription(String),
    /// Type 5: `system-name`.
    SystemName(String),
    /// Type 6: `system-description`.
    SystemDescription(String),
    /// Type 7: `system-capabilities` (the capabilities the system has, by
    /// name, as nmstate) and `enabled-capabilities` (those turned on).
    SystemCapabilities {
        supported: Vec<String>,
        enabled: Vec<String>,
    },
    /// Type 8, every one the neighbour sent: `management-addresses`.
    ManagementAddresses(Vec<LldpManagementAddress>),
    /// 802.1 subtype 1: `ieee-802-1-pvid`.
    PortVlanId(u16),
    /// 802.1 subtype 2, every one: `ieee-802-1-ppvids`.
    ProtocolVlanIds(Vec<u32>),
    /// 802.1 subtype 3, every one: `ieee-802-1-vlans`.
    Vlans(Vec<LldpVlan>),
    /// 802.3 subtype 1: `ieee-802-3-mac-phy-conf`.
    MacPhyConf(LldpMacPhyConf),
    /// 802.3 subtype 3 (and 802.1 subtype 7, where 802.1AB-2009 moved
    /// it): `ieee-802-3-link-aggregation`.
    LinkAggregation {
        oui: String,
        subtype: u8,
        aggregation: LldpLinkAggregation,
    },
    /// 802.3 subtype 4: `ieee-802-3-max-frame-size`.
    MaxFrameSize(u32),
    /// Any other organisational TLV: `oui`, `subtype` and `data` (hex).
    Organizational {
        oui: String,
        subtype: u8,
        data: String,
    },
    /// A TLV of a type this decoder does not know: `type` and `data` (hex).
    Unknown { tlv_type: u8, data: String },
}

/// `management-addresses[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LldpManagementAddress {
    /// `192.0.2.1`, `2001:db8::1`, `02:00:00:00:00:01`; other families in
    /// hex.
    pub address: String,
    /// `IPv4`, `IPv6`, `MAC`, or `Unknown`.
    pub address_subtype: String,
    pub interface_number: u32,
    /// 1 unknown, 2 ifIndex, 3 system port number.
    pub interface_number_subtype: u32,
}

/// `ieee-802-1-vlans[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LldpVlan {
    pub name: String,
    pub vid: u32,
}

/// `ieee-802-3-mac-phy-conf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LldpMacPhyConf {
    /// Auto-negotiation is enabled.
    pub autoneg: bool,
    pub operational_mau_type: u16,
    pub pmd_autoneg_cap: u16,
}

/// `ieee-802-3-link-aggregation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LldpLinkAggregation {
    pub supported: bool,
    pub enabled: bool,
    pub port_id: u32,
}

/// The flat form of an [`LldpTlv`]: `type` and the keys of that TLV.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TlvFields {
    #[serde(rename = "type")]
    pub tlv_type: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chassis_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chassis_id_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_id_type: Option<u8>,
    #[serde(rename = "_description", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_capabilities: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled_capabilities: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_addresses: Option<Vec<LldpManagementAddress>>,
    #[serde(rename = "ieee-802-1-pvid", skip_serializing_if = "Option::is_none")]
    pub ieee_802_1_pvid: Option<u16>,
    #[serde(rename = "ieee-802-1-ppvids", skip_serializing_if = "Option::is_none")]
    pub ieee_802_1_ppvids: Option<Vec<u32>>,
    #[serde(rename = "ieee-802-1-vlans", skip_serializing_if = "Option::is_none")]
    pub ieee_802_1_vlans: Option<Vec<LldpVlan>>,
    #[serde(
        rename = "ieee-802-3-mac-phy-conf",
        skip_serializing_if = "Option::is_none"
    )]
    pub ieee_802_3_mac_phy_conf: Option<LldpMacPhyConf>,
    #[serde(
        rename = "ieee-802-3-link-aggregation",
        skip_serializing_if = "Option::is_none"
    )]
    pub ieee_802_3_link_aggregation: Option<LldpLinkAggregation>,
    #[serde(
        rename = "ieee-802-3-max-frame-size",
        skip_serializing_if = "Option::is_none"
    )]
    pub ieee_802_3_max_frame_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oui: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtype: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// The name of a chassis ID subtype, as nmstate gives it in `_description`
/// (its spelling of subtype 1 included).
pub fn chassis_id_subtype_name(subtype: u8) -> &'static str {
    match subtype {
        1 => "Chasis compontent",
        2 => "Interface alias",
        3 => "Port component",
        4 => "MAC address",
        5 => "Network address",
        6 => "Interface name",
        7 => "Locally assigned",
        _ => "Reserved",
    }
}

/// The name of a port ID subtype, as nmstate gives it in `_description`.
pub fn port_id_subtype_name(subtype: u8) -> &'static str {
    match subtype {
        1 => "Interface alias",
        2 => "Port component",
        3 => "MAC address",
        4 => "Network address",
        5 => "Interface name",
        6 => "Agent circuit ID",
        7 => "Locally assigned",
        _ => "Reserved",
    }
}

/// The system capability bits (802.1AB table 8-4), by bit, with nmstate's
/// names.
pub const CAPABILITY_NAMES: [&str; 11] = [
    "Other",
    "Repeater",
    "MAC Bridge component",
    "802.11 Access Point (AP)",
    "Router",
    "Telephone",
    "DOCSIS cable device",
    "Station Only",
    "C-VLAN component",
    "S-VLAN component",
    "Two-port MAC Relay component",
];

/// The names of the capability bits set in `bits`.
pub fn capability_names(bits: u16) -> Vec<String> {
    CAPABILITY_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| n.to_string())
        .collect()
}

impl From<LldpTlv> for TlvFields {
    fn from(t: LldpTlv) -> TlvFields {
        let org = |oui: &str, subtype: u8| TlvFields {
            tlv_type: tlv_type::ORGANIZATIONAL,
            oui: Some(oui.to_string()),
            subtype: Some(subtype),
            ..TlvFields::default()
        };
        let basic = |tlv_type: u8| TlvFields {
            tlv_type,
            ..TlvFields::default()
        };
        match t {
            LldpTlv::ChassisId { id, subtype } => TlvFields {
                chassis_id: Some(id),
                chassis_id_type: Some(subtype),
                description: Some(chassis_id_subtype_name(subtype).to_string()),
                ..basic(tlv_type::CHASSIS_ID)
            },
            LldpTlv::PortId { id, subtype } => TlvFields {
                port_id: Some(id),
                port_id_type: Some(subtype),
                description: Some(port_id_subtype_name(subtype).to_string()),
                ..basic(tlv_type::PORT_ID)
            },
            LldpTlv::Ttl(ttl) => TlvFields {
                ttl: Some(ttl),
                ..basic(tlv_type::TTL)
            },
            LldpTlv::PortDescription(s) => TlvFields {
                port_description: Some(s),
                ..basic(tlv_type::PORT_DESCRIPTION)
            },
            LldpTlv::SystemName(s) => TlvFields {
                system_name: Some(s),
                ..basic(tlv_type::SYSTEM_NAME)
            },
            LldpTlv::SystemDescription(s) => TlvFields {
                system_description: Some(s),
                ..basic(tlv_type::SYSTEM_DESCRIPTION)
            },
            LldpTlv::SystemCapabilities { supported, enabled } => TlvFields {
                system_capabilities: Some(supported),
                enabled_capabilities: Some(enabled),
                ..basic(tlv_type::SYSTEM_CAPABILITIES)
            },
            LldpTlv::ManagementAddresses(a) => TlvFields {
                management_addresses: Some(a),
                ..basic(tlv_type::MANAGEMENT_ADDRESS)
            },
            LldpTlv::PortVlanId(v) => TlvFields {
                ieee_802_1_pvid: Some(v),
                ..org(OUI_802_1, 1)
            },
            LldpTlv::ProtocolVlanIds(v) => TlvFields {
                ieee_802_1_ppvids: Some(v),
                ..org(OUI_802_1, 2)
            },
            LldpTlv::Vlans(v) => TlvFields {
                ieee_802_1_vlans: Some(v),
                ..org(OUI_802_1, 3)
            },
            LldpTlv::MacPhyConf(c) => TlvFields {
                ieee_802_3_mac_phy_conf: Some(c),
                ..org(OUI_802_3, 1)
            },
            LldpTlv::LinkAggregation {
                oui,
                subtype,
                aggregation,
            } => TlvFields {
                ieee_802_3_link_aggregation: Some(aggregation),
                ..org(&oui, subtype)
            },
            LldpTlv::MaxFrameSize(v) => TlvFields {
                ieee_802_3_max_frame_size: Some(v),
                ..org(OUI_802_3, 4)
            },
            LldpTlv::Organizational { oui, subtype, data } => TlvFields {
                data: Some(data),
                ..org(&oui, subtype)
            },
            LldpTlv::Unknown { tlv_type, data } => TlvFields {
                data: Some(data),
                ..basic(tlv_type)
            },
        }
    }
}

impl TryFrom<TlvFields> for LldpTlv {
    type Error = String;

    fn try_from(f: TlvFields) -> Result<LldpTlv, String> {
        let missing = |key: &str| format!("a TLV of type {} needs {key}", f.tlv_type);
        Ok(match f.tlv_type {
            tlv_type::CHASSIS_ID => LldpTlv::ChassisId {
                id: f.chassis_id.ok_or_else(|| missing("chassis-id"))?,
                subtype: f
                    .chassis_id_type
                    .ok_or_else(|| missing("chassis-id-type"))?,
            },
            tlv_type::PORT_ID => LldpTlv::PortId {
                id: f.port_id.ok_or_else(|| missing("port-id"))?,
                subtype: f.port_id_type.ok_or_else(|| missing("port-id-type"))?,
            },
            tlv_type::TTL => LldpTlv::Ttl(f.ttl.ok_or_else(|| missing("ttl"))?),
            tlv_type::PORT_DESCRIPTION => LldpTlv::PortDescription(
                f.port_description
                    .ok_or_else(|| missing("port-description"))?,
            ),
            tlv_type::SYSTEM_NAME => {
                LldpTlv::SystemName(f.system_name.ok_or_else(|| missing("system-name"))?)
            }
            tlv_type::SYSTEM_DESCRIPTION => LldpTlv::SystemDescription(
                f.system_description
                    .ok_or_else(|| missing("system-description"))?,
            ),
            tlv_type::SYSTEM_CAPABILITIES => LldpTlv::SystemCapabilities {
                supported: f
                    .system_capabilities
                    .ok_or_else(|| missing("system-capabilities"))?,
                enabled: f.enabled_capabilities.unwrap_or_default(),
            },
            tlv_type::MANAGEMENT_ADDRESS => LldpTlv::ManagementAddresses(
                f.management_addresses
                    .ok_or_else(|| missing("management-addresses"))?,
            ),
            tlv_type::ORGANIZATIONAL => {
                let oui = f.oui.ok_or_else(|| missing("oui"))?;
                let subtype = f.subtype.ok_or_else(|| missing("subtype"))?;
                if let Some(v) = f.ieee_802_1_pvid {
                    LldpTlv::PortVlanId(v)
                } else if let Some(v) = f.ieee_802_1_ppvids {
                    LldpTlv::ProtocolVlanIds(v)
                } else if let Some(v) = f.ieee_802_1_vlans {
                    LldpTlv::Vlans(v)
                } else if let Some(c) = f.ieee_802_3_mac_phy_conf {
                    LldpTlv::MacPhyConf(c)
                } else if let Some(aggregation) = f.ieee_802_3_link_aggregation {
                    LldpTlv::LinkAggregation {
                        oui,
                        subtype,
                        aggregation,
                    }
                } else if let Some(v) = f.ieee_802_3_max_frame_size {
                    LldpTlv::MaxFrameSize(v)
                } else {
                    LldpTlv::Organizational {
                        oui,
                        subtype,
                        data: f.data.ok_or_else(|| missing("data"))?,
                    }
                }
            }
            t => LldpTlv::Unknown {
                tlv_type: t,
                data: f.data.ok_or_else(|| missing("data"))?,
            },
        })
    }
}

impl LldpTlv {
    /// The chassis ID of a neighbour's TLVs, if it has one.
    pub fn chassis_id(tlvs: &[LldpTlv]) -> Option<&str> {
        tlvs.iter().find_map(|t| match t {
            LldpTlv::ChassisId { id, .. } => Some(id.as_str()),
            _ => None,
        })
    }

    /// The port ID of a neighbour's TLVs, if it has one.
    pub fn port_id(tlvs: &[LldpTlv]) -> Option<&str> {
        tlvs.iter().find_map(|t| match t {
            LldpTlv::PortId { id, .. } => Some(id.as_str()),
            _ => None,
        })
    }
}

/// Payload of [`lldp_topics::NEIGHBORS`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LldpQuery {
    /// Only this interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
}

/// The reply to [`lldp_topics::NEIGHBORS`]: every interface the plugin
/// listens on, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LldpReport {
    pub interfaces: Vec<LldpInterfaceReport>,
}

/// One interface of an [`LldpReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LldpInterfaceReport {
    pub interface: String,
    /// Whether the plugin announces this host there too.
    #[serde(default)]
    pub transmit: bool,
    pub neighbors: Vec<LldpNeighbor>,
    pub counters: LldpCounters,
}

/// Payload of [`lldp_topics::NEIGHBOR_ADDED`] and
/// [`lldp_topics::NEIGHBOR_CHANGED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LldpNeighborInfo {
    pub interface: String,
    pub neighbor: LldpNeighbor,
}

/// Why a neighbour was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LldpRemoveReason {
    /// Its TTL ran out without a new frame.
    Expired,
    /// It sent a shutdown LLDPDU (TTL 0).
    Shutdown,
    /// LLDP was turned off on the interface, or the interface went away.
    Stopped,
}

/// Payload of [`lldp_topics::NEIGHBOR_REMOVED`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LldpNeighborGone {
    pub interface: String,
    pub neighbor: LldpNeighbor,
    pub reason: LldpRemoveReason,
}
