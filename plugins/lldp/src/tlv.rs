//! Decoding LLDPDUs (IEEE 802.1AB) into nmstate's TLV list. No I/O: a
//! frame in, a neighbour or a [`Malformed`] error out, never a panic (every
//! index is checked; `tests` and the random-input test hold it to that).
//!
//! What is refused, with its kind: a TLV whose length runs past the frame
//! (`truncated`); a frame without chassis ID, port ID or TTL
//! (`missing-mandatory`); those three not first, in that order, or one of
//! them repeated (`out-of-order`); an LLDPDU longer than [`MAX_LLDPDU`]
//! (`oversized`); a TLV whose length or content does not fit its type
//! (`invalid-tlv`). Unknown TLVs are kept, as hex.

use std::{
    fmt,
    net::{Ipv4Addr, Ipv6Addr},
};

use nipart_plugin_api::state::{
    LldpErrorKind, LldpLinkAggregation, LldpMacPhyConf, LldpManagementAddress, LldpTlv, LldpVlan,
    OUI_802_1, OUI_802_3, capability_names, tlv_type,
};

/// LLDP's ethertype.
pub const ETHERTYPE: u16 = 0x88cc;
/// The nearest-bridge group address LLDP frames are sent to.
pub const NEAREST_BRIDGE: [u8; 6] = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];
/// The other two LLDP group addresses (nearest non-TPMR bridge, nearest
/// customer bridge).
const OTHER_GROUPS: [[u8; 6]; 2] = [
    [0x01, 0x80, 0xc2, 0x00, 0x00, 0x03],
    [0x01, 0x80, 0xc2, 0x00, 0x00, 0x00],
];
/// The longest LLDPDU taken: an untagged Ethernet frame's payload.
pub const MAX_LLDPDU: usize = 1500;
const ETH_HEADER: usize = 14;

/// Why a frame was dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub kind: LldpErrorKind,
    pub message: String,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Malformed {}

fn bad(kind: LldpErrorKind, message: impl Into<String>) -> Malformed {
    Malformed {
        kind,
        message: message.into(),
    }
}

/// A decoded LLDPDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lldpdu {
    /// Seconds the neighbour's information stays valid; 0: it is shutting
    /// down.
    pub ttl: u16,
    /// The MSAP identifier (chassis ID and port ID TLVs, raw): what tells
    /// one neighbour from another.
    pub msap: Vec<u8>,
    /// Every TLV, in nmstate's form.
    pub tlvs: Vec<LldpTlv>,
}

/// Decodes an Ethernet frame (destination, source, ethertype, LLDPDU; an
/// 802.1Q tag is skipped).
pub fn decode_frame(frame: &[u8]) -> Result<Lldpdu, Malformed> {
    if frame.len() < ETH_HEADER {
        return Err(bad(
            LldpErrorKind::Truncated,
            format!("{} bytes, shorter than an Ethernet header", frame.len()),
        ));
    }
    let dst = &frame[..6];
    if dst != NEAREST_BRIDGE && !OTHER_GROUPS.iter().any(|g| g == dst) {
        return Err(bad(
            LldpErrorKind::InvalidTlv,
            format!("sent to {}, not an LLDP group address", mac(dst)),
        ));
    }
    let mut at = 12;
    let mut ethertype = u16::from_be_bytes([frame[at], frame[at + 1]]);
    if ethertype == 0x8100 && frame.len() >= ETH_HEADER + 4 {
        at += 4;
        ethertype = u16::from_be_bytes([frame[at], frame[at + 1]]);
    }
    if ethertype != ETHERTYPE {
        return Err(bad(
            LldpErrorKind::InvalidTlv,
            format!("ethertype {ethertype:#06x}, not LLDP's {ETHERTYPE:#06x}"),
        ));
    }
    decode(&frame[at + 2..])
}

/// One TLV as it is on the wire.
struct Raw<'a> {
    tlv_type: u8,
    offset: usize,
    value: &'a [u8],
}

/// Splits an LLDPDU into TLVs, up to the End TLV or the end of the data.
fn split(pdu: &[u8]) -> Result<Vec<Raw<'_>>, Malformed> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < pdu.len() {
        if pdu.len() - at < 2 {
            return Err(bad(
                LldpErrorKind::Truncated,
                format!(
                    "a TLV header at offset {at} runs past the end ({} bytes)",
                    pdu.len()
                ),
            ));
        }
        let header = u16::from_be_bytes([pdu[at], pdu[at + 1]]);
        let tlv_type = (header >> 9) as u8;
        let len = usize::from(header & 0x01ff);
        let start = at + 2;
        if pdu.len() - start < len {
            return Err(bad(
                LldpErrorKind::Truncated,
                format!(
                    "the TLV of type {tlv_type} at offset {at} is {len} bytes long, only {} left",
                    pdu.len() - start
                ),
            ));
        }
        if tlv_type == tlv_type::END {
            break;
        }
        out.push(Raw {
            tlv_type,
            offset: at,
            value: &pdu[start..start + len],
        });
        at = start + len;
    }
    Ok(out)
}

/// Decodes an LLDPDU (the payload after the ethertype).
pub fn decode(pdu: &[u8]) -> Result<Lldpdu, Malformed> {
    if pdu.len() > MAX_LLDPDU {
        return Err(bad(
            LldpErrorKind::Oversized,
            format!("an LLDPDU of {} bytes, more than {MAX_LLDPDU}", pdu.len()),
        ));
    }
    let raw = split(pdu)?;
    check_mandatory(&raw)?;
    let mut tlvs: Vec<LldpTlv> = Vec::with_capacity(raw.len());
    let mut ttl = 0;
    let mut msap = Vec::new();
    for t in &raw {
        let invalid = |what: String| {
            bad(
                LldpErrorKind::InvalidTlv,
                format!(
                    "the TLV of type {} at offset {}: {what}",
                    t.tlv_type, t.offset
                ),
            )
        };
        let v = t.value;
        match t.tlv_type {
            tlv_type::CHASSIS_ID | tlv_type::PORT_ID => {
                if !(2..=256).contains(&v.len()) {
                    return Err(invalid(format!("{} bytes, not 2 to 256", v.len())));
                }
                msap.extend_from_slice(&(v.len() as u16).to_be_bytes());
                msap.extend_from_slice(v);
                let subtype = v[0];
                let chassis = t.tlv_type == tlv_type::CHASSIS_ID;
                // Chassis subtypes 4 and 5 are port subtypes 3 and 4.
                let id = match (chassis, subtype) {
                    (true, 4) | (false, 3) => mac(&v[1..]),
                    (true, 5) | (false, 4) => network_address(&v[1..]),
                    _ => text_or_hex(&v[1..]),
                };
                tlvs.push(if chassis {
                    LldpTlv::ChassisId { id, subtype }
                } else {
                    LldpTlv::PortId { id, subtype }
                });
            }
            tlv_type::TTL => {
                let [a, b] = v else {
                    return Err(invalid(format!("{} bytes, not 2", v.len())));
                };
                ttl = u16::from_be_bytes([*a, *b]);
                tlvs.push(LldpTlv::Ttl(ttl));
            }
            tlv_type::PORT_DESCRIPTION | tlv_type::SYSTEM_NAME | tlv_type::SYSTEM_DESCRIPTION => {
                if v.len() > 255 {
                    return Err(invalid(format!("{} bytes, more than 255", v.len())));
                }
                let s = String::from_utf8_lossy(v).into_owned();
                tlvs.push(match t.tlv_type {
                    tlv_type::PORT_DESCRIPTION => LldpTlv::PortDescription(s),
                    tlv_type::SYSTEM_NAME => LldpTlv::SystemName(s),
                    _ => LldpTlv::SystemDescription(s),
                });
            }
            tlv_type::SYSTEM_CAPABILITIES => {
                let [a, b, c, d] = v else {
                    return Err(invalid(format!("{} bytes, not 4", v.len())));
                };
                tlvs.push(LldpTlv::SystemCapabilities {
                    supported: capability_names(u16::from_be_bytes([*a, *b])),
                    enabled: capability_names(u16::from_be_bytes([*c, *d])),
                });
            }
            tlv_type::MANAGEMENT_ADDRESS => {
                let a = management_address(v).map_err(invalid)?;
                gather(&mut tlvs, a, LldpTlv::ManagementAddresses, |t| match t {
                    LldpTlv::ManagementAddresses(l) => Some(l),
                    _ => None,
                });
            }
            tlv_type::ORGANIZATIONAL => {
                organizational(v, &mut tlvs).map_err(invalid)?;
            }
            other => tlvs.push(LldpTlv::Unknown {
                tlv_type: other,
                data: hex(v),
            }),
        }
    }
    Ok(Lldpdu { ttl, msap, tlvs })
}

/// Adds `item` to the one entry that gathers its kind (`list` finds it),
/// made with `make` at the first: nmstate shows every management address,
/// VLAN name and protocol VLAN ID of a neighbour in one entry each.
fn gather<T>(
    tlvs: &mut Vec<LldpTlv>,
    item: T,
    make: fn(Vec<T>) -> LldpTlv,
    list: fn(&mut LldpTlv) -> Option<&mut Vec<T>>,
) {
    match tlvs.iter_mut().find_map(list) {
        Some(l) => l.push(item),
        None => tlvs.push(make(vec![item])),
    }
}

/// The first three TLVs are chassis ID, port ID and TTL, each once.
fn check_mandatory(raw: &[Raw<'_>]) -> Result<(), Malformed> {
    const MANDATORY: [(u8, &str); 3] = [
        (tlv_type::CHASSIS_ID, "chassis ID"),
        (tlv_type::PORT_ID, "port ID"),
        (tlv_type::TTL, "TTL"),
    ];
    for (i, (t, name)) in MANDATORY.iter().enumerate() {
        let count = raw.iter().filter(|r| r.tlv_type == *t).count();
        if count == 0 {
            return Err(bad(
                LldpErrorKind::MissingMandatory,
                format!("no {name} TLV (type {t})"),
            ));
        }
        if count > 1 {
            return Err(bad(
                LldpErrorKind::OutOfOrder,
                format!("{count} {name} TLVs (type {t}), only one may be"),
            ));
        }
        match raw.get(i) {
            Some(r) if r.tlv_type == *t => {}
            _ => {
                return Err(bad(
                    LldpErrorKind::OutOfOrder,
                    format!("the {name} TLV (type {t}) is not TLV number {}", i + 1),
                ));
            }
        }
    }
    Ok(())
}

fn management_address(v: &[u8]) -> Result<LldpManagementAddress, String> {
    // address string length (subtype + address), subtype, address,
    // interface numbering subtype, interface number, OID length, OID.
    let Some((&alen, rest)) = v.split_first() else {
        return Err("empty".into());
    };
    let alen = usize::from(alen);
    if !(2..=32).contains(&alen) {
        return Err(format!("an address string of {alen} bytes, not 2 to 32"));
    }
    if rest.len() < alen + 6 {
        return Err(format!(
            "{} bytes, too short for an address of {alen}",
            v.len()
        ));
    }
    let family = rest[0];
    let addr = &rest[1..alen];
    let rest = &rest[alen..];
    let if_subtype = rest[0];
    let if_number = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]);
    let oid_len = usize::from(rest[5]);
    if rest.len() - 6 != oid_len {
        return Err(format!(
            "an OID of {oid_len} bytes where {} are left",
            rest.len() - 6
        ));
    }
    let (address, subtype) = match (family, addr.len()) {
        (1, 4) => (
            Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]).to_string(),
            "IPv4",
        ),
        (2, 16) => {
            let mut b = [0u8; 16];
            b.copy_from_slice(addr);
            (Ipv6Addr::from(b).to_string(), "IPv6")
        }
        (6, 6) => (mac(addr), "MAC"),
        (1 | 2 | 6, n) => {
            return Err(format!("an address of family {family} with {n} bytes"));
        }
        _ => (hex(addr), "Unknown"),
    };
    Ok(LldpManagementAddress {
        address,
        address_subtype: subtype.to_string(),
        interface_number: if_number,
        interface_number_subtype: u32::from(if_subtype),
    })
}

/// Decodes an organisational TLV into `tlvs` (VLAN names and protocol VLAN
/// IDs are gathered into one entry each, as nmstate shows them).
fn organizational(v: &[u8], tlvs: &mut Vec<LldpTlv>) -> Result<(), String> {
    let [a, b, c, subtype, info @ ..] = v else {
        return Err(format!("{} bytes, less than an OUI and a subtype", v.len()));
    };
    let oui = format!("{a:02x}:{b:02x}:{c:02x}");
    let need = |n: usize| {
        if info.len() == n {
            Ok(())
        } else {
            Err(format!(
                "{oui} subtype {subtype}: {} bytes of information, not {n}",
                info.len()
            ))
        }
    };
    match (oui.as_str(), *subtype) {
        (OUI_802_1, 1) => {
            need(2)?;
            tlvs.push(LldpTlv::PortVlanId(u16::from_be_bytes([info[0], info[1]])));
        }
        (OUI_802_1, 2) => {
            need(3)?;
            let id = u32::from(u16::from_be_bytes([info[1], info[2]]));
            gather(tlvs, id, LldpTlv::ProtocolVlanIds, |t| match t {
                LldpTlv::ProtocolVlanIds(l) => Some(l),
                _ => None,
            });
        }
        (OUI_802_1, 3) => {
            let [v1, v2, n, name @ ..] = info else {
                return Err(format!("{oui} subtype 3: {} bytes, too short", info.len()));
            };
            if usize::from(*n) != name.len() || name.len() > 32 {
                return Err(format!(
                    "{oui} subtype 3: a VLAN name of {n} bytes where {} are left (at most 32)",
                    name.len()
                ));
            }
            let vlan = LldpVlan {
                name: String::from_utf8_lossy(name).into_owned(),
                vid: u32::from(u16::from_be_bytes([*v1, *v2]) & 0x0fff),
            };
            gather(tlvs, vlan, LldpTlv::Vlans, |t| match t {
                LldpTlv::Vlans(l) => Some(l),
                _ => None,
            });
        }
        (OUI_802_3, 1) => {
            need(5)?;
            tlvs.push(LldpTlv::MacPhyConf(LldpMacPhyConf {
                autoneg: info[0] & 0x02 != 0,
                pmd_autoneg_cap: u16::from_be_bytes([info[1], info[2]]),
                operational_mau_type: u16::from_be_bytes([info[3], info[4]]),
            }));
        }
        (OUI_802_3, 3) | (OUI_802_1, 7) => {
            need(5)?;
            tlvs.push(LldpTlv::LinkAggregation {
                aggregation: LldpLinkAggregation {
                    supported: info[0] & 0x01 != 0,
                    enabled: info[0] & 0x02 != 0,
                    port_id: u32::from_be_bytes([info[1], info[2], info[3], info[4]]),
                },
                oui,
                subtype: *subtype,
            });
        }
        (OUI_802_3, 4) => {
            need(2)?;
            tlvs.push(LldpTlv::MaxFrameSize(u32::from(u16::from_be_bytes([
                info[0], info[1],
            ]))));
        }
        _ => tlvs.push(LldpTlv::Organizational {
            oui,
            subtype: *subtype,
            data: hex(info),
        }),
    }
    Ok(())
}

/// `00:01:30:F9:AD:A0` for six bytes (as nmstate shows MAC addresses);
/// other lengths in colon-separated hex.
pub fn mac(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push(char::from(DIGITS[usize::from(x >> 4)]));
        s.push(char::from(DIGITS[usize::from(x & 0x0f)]));
    }
    s
}

/// A network address ID: IANA family (1 IPv4, 2 IPv6) and the address.
fn network_address(b: &[u8]) -> String {
    match b {
        [1, a, b, c, d] => Ipv4Addr::new(*a, *b, *c, *d).to_string(),
        [2, rest @ ..] if rest.len() == 16 => {
            let mut x = [0u8; 16];
            x.copy_from_slice(rest);
            Ipv6Addr::from(x).to_string()
        }
        _ => mac(b),
    }
}

/// Text if it is printable UTF-8, else colon-separated hex.
fn text_or_hex(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if !s.chars().any(char::is_control) => s.to_string(),
        _ => mac(b),
    }
}

/// Lowercase hex without separators.
pub fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(char::from(DIGITS[usize::from(x >> 4)]));
        s.push(char::from(DIGITS[usize::from(x & 0x0f)]));
    }
    s
}

// Paths spelled out: the benchmark compiles this file in with `#[path]`.
#[cfg(test)]
#[path = "tlv/samples.rs"]
mod samples;
#[cfg(test)]
#[path = "tlv/tests.rs"]
mod tests;
