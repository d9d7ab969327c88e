//! The decoder on frames captured from lldpd 1.0.16 (Debian 12) on a veth
//! pair, configured with lldpcli, and on frames broken on purpose.

use nipart_plugin_api::state::{
    LldpErrorKind, LldpLinkAggregation, LldpMacPhyConf, LldpManagementAddress, LldpTlv, LldpVlan,
};
use serde_json::json;

use super::{samples::*, *};

#[test]
fn a_frame_of_lldpd_decodes_into_nmstates_tlvs() {
    let pdu = decode_frame(&bytes(LLDPD_FULL)).unwrap();
    assert_eq!(pdu.ttl, 4);
    assert_eq!(
        pdu.tlvs,
        vec![
            LldpTlv::ChassisId {
                id: "4E:48:E7:75:8D:4D".into(),
                subtype: 4
            },
            LldpTlv::PortId {
                id: "4E:48:E7:75:8D:4D".into(),
                subtype: 3
            },
            LldpTlv::Ttl(4),
            LldpTlv::SystemName("sw-test".into()),
            LldpTlv::SystemDescription("Test switch 1.0".into()),
            LldpTlv::SystemCapabilities {
                supported: vec![
                    "MAC Bridge component".into(),
                    "802.11 Access Point (AP)".into(),
                    "Router".into(),
                    "Station Only".into()
                ],
                enabled: vec!["MAC Bridge component".into(), "Router".into()],
            },
            LldpTlv::ManagementAddresses(vec![
                LldpManagementAddress {
                    address: "192.0.2.1".into(),
                    address_subtype: "IPv4".into(),
                    interface_number: 2,
                    interface_number_subtype: 2,
                },
                LldpManagementAddress {
                    address: "2001:db8::1".into(),
                    address_subtype: "IPv6".into(),
                    interface_number: 2,
                    interface_number_subtype: 2,
                },
            ]),
            LldpTlv::PortDescription("uplink port".into()),
            LldpTlv::LinkAggregation {
                oui: "00:12:0f".into(),
                subtype: 3,
                aggregation: LldpLinkAggregation {
                    supported: true,
                    enabled: false,
                    port_id: 0
                },
            },
            LldpTlv::MacPhyConf(LldpMacPhyConf {
                autoneg: false,
                operational_mau_type: 0x36,
                pmd_autoneg_cap: 0x8000,
            }),
            LldpTlv::Organizational {
                oui: "11:22:33".into(),
                subtype: 44,
                data: "556677".into()
            },
            LldpTlv::PortVlanId(100),
            LldpTlv::ProtocolVlanIds(vec![200]),
            LldpTlv::Vlans(vec![
                LldpVlan {
                    name: "v100".into(),
                    vid: 100
                },
                LldpVlan {
                    name: "v200".into(),
                    vid: 200
                },
            ]),
            LldpTlv::MaxFrameSize(1518),
        ]
    );
}

#[test]
fn tlvs_print_with_nmstates_keys_and_read_back() {
    let pdu = decode_frame(&bytes(LLDPD_FULL)).unwrap();
    let v = serde_json::to_value(&pdu.tlvs).unwrap();
    assert_eq!(
        v[0],
        json!({"type": 1, "chassis-id": "4E:48:E7:75:8D:4D", "chassis-id-type": 4,
               "_description": "MAC address"})
    );
    assert_eq!(
        v[1],
        json!({"type": 2, "port-id": "4E:48:E7:75:8D:4D", "port-id-type": 3,
               "_description": "MAC address"})
    );
    assert_eq!(v[3], json!({"type": 5, "system-name": "sw-test"}));
    assert_eq!(
        v[5]["system-capabilities"],
        json!([
            "MAC Bridge component",
            "802.11 Access Point (AP)",
            "Router",
            "Station Only"
        ])
    );
    assert_eq!(
        v[6]["management-addresses"][0],
        json!({"address": "192.0.2.1", "address-subtype": "IPv4",
               "interface-number": 2, "interface-number-subtype": 2})
    );
    assert_eq!(
        v[9],
        json!({"type": 127, "oui": "00:12:0f", "subtype": 1,
               "ieee-802-3-mac-phy-conf": {"autoneg": false, "operational-mau-type": 54,
                                           "pmd-autoneg-cap": 32768}})
    );
    assert_eq!(
        v[10],
        json!({"type": 127, "oui": "11:22:33", "subtype": 44, "data": "556677"})
    );
    assert_eq!(
        v[13],
        json!({"type": 127, "oui": "00:80:c2", "subtype": 3,
               "ieee-802-1-vlans": [{"name": "v100", "vid": 100}, {"name": "v200", "vid": 200}]})
    );
    assert_eq!(
        v[14],
        json!({"type": 127, "oui": "00:12:0f", "subtype": 4, "ieee-802-3-max-frame-size": 1518})
    );
    let back: Vec<LldpTlv> = serde_json::from_value(v).unwrap();
    assert_eq!(back, pdu.tlvs);
}

#[test]
fn lldpds_default_frame_and_its_shutdown_share_the_msap() {
    let pdu = decode_frame(&bytes(LLDPD_DEFAULT)).unwrap();
    assert_eq!(pdu.ttl, 4);
    assert_eq!(pdu.tlvs[3], LldpTlv::SystemName("vm".into()));
    assert!(
        matches!(&pdu.tlvs[4], LldpTlv::SystemDescription(d) if d.starts_with("Debian GNU/Linux 12"))
    );
    assert_eq!(pdu.tlvs[7], LldpTlv::PortDescription("cap0".into()));
    let bye = decode_frame(&bytes(LLDPD_SHUTDOWN)).unwrap();
    assert_eq!(bye.ttl, 0);
    assert_eq!(bye.tlvs.len(), 3);
    assert_eq!(bye.msap, pdu.msap);
}

/// The LLDPDU of a frame (after the 14-byte Ethernet header).
fn lldpdu(hex: &str) -> Vec<u8> {
    bytes(hex)[14..].to_vec()
}

fn kind(pdu: &[u8]) -> LldpErrorKind {
    decode(pdu).unwrap_err().kind
}

#[test]
fn every_subtype_of_chassis_and_port_id_is_shown() {
    let frame = |chassis: &[u8], port: &[u8]| {
        let mut f = vec![0x02, chassis.len() as u8];
        f.extend_from_slice(chassis);
        f.extend_from_slice(&[0x04, port.len() as u8]);
        f.extend_from_slice(port);
        f.extend_from_slice(&[0x06, 0x02, 0x00, 0x78, 0, 0]);
        decode(&f).unwrap().tlvs
    };
    let t = frame(
        &[5, 1, 192, 0, 2, 9],
        &[
            4, 2, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        ],
    );
    assert_eq!(
        t[0],
        LldpTlv::ChassisId {
            id: "192.0.2.9".into(),
            subtype: 5
        }
    );
    assert_eq!(
        t[1],
        LldpTlv::PortId {
            id: "2001:db8::1".into(),
            subtype: 4
        }
    );
    for subtype in [1u8, 2, 3, 6, 7] {
        let t = frame(
            &[subtype, b's', b'w', b'1'],
            &[subtype.min(7), b'G', b'i', b'0', b'/', b'1'],
        );
        assert_eq!(
            t[0],
            LldpTlv::ChassisId {
                id: "sw1".into(),
                subtype
            }
        );
    }
    for subtype in [1u8, 2, 5, 6, 7] {
        let t = frame(&[7, b'x'], &[subtype, b'p', b'1']);
        assert_eq!(
            t[1],
            LldpTlv::PortId {
                id: "p1".into(),
                subtype
            }
        );
    }
    // Binary IDs show as hex; the subtype's name is nmstate's.
    let t = frame(&[7, 0, 1, 0xff], &[7, 0x10]);
    assert_eq!(
        t[0],
        LldpTlv::ChassisId {
            id: "00:01:FF".into(),
            subtype: 7
        }
    );
    let v = serde_json::to_value(&t[0]).unwrap();
    assert_eq!(v["_description"], "Locally assigned");
    let v = serde_json::to_value(frame(&[1, b'c'], &[6, b'p'])).unwrap();
    assert_eq!(v[0]["_description"], "Chasis compontent");
    assert_eq!(v[1]["_description"], "Agent circuit ID");
    // A MAC management address, numbered by system port (3).
    let mut f = lldpdu(LLDPD_SHUTDOWN);
    f.truncate(f.len() - 2);
    f.extend_from_slice(&[
        0x10, 0x0e, 7, 6, 2, 0, 0, 0, 0, 1, 3, 0, 0, 0x03, 0xe9, 0, 0, 0,
    ]);
    let t = decode(&f).unwrap().tlvs;
    assert_eq!(
        t[3],
        LldpTlv::ManagementAddresses(vec![LldpManagementAddress {
            address: "02:00:00:00:00:01".into(),
            address_subtype: "MAC".into(),
            interface_number: 1001,
            interface_number_subtype: 3,
        }])
    );
}

#[test]
fn a_tlv_running_past_the_frame_is_truncated() {
    let mut f = lldpdu(LLDPD_FULL);
    // The system name (at 30) says 40 bytes; cut the frame inside it.
    f.truncate(36);
    assert_eq!(kind(&f), LldpErrorKind::Truncated);
    // A lone byte of a TLV header.
    let mut f = lldpdu(LLDPD_SHUTDOWN);
    f.truncate(f.len() - 2);
    f.push(0x0a);
    assert_eq!(kind(&f), LldpErrorKind::Truncated);
    assert_eq!(
        decode_frame(&[1, 2, 3]).unwrap_err().kind,
        LldpErrorKind::Truncated
    );
}

#[test]
fn mandatory_tlvs_must_come_first_in_order_and_once() {
    let f = lldpdu(LLDPD_SHUTDOWN);
    // Without the TTL (the last 6 bytes are TTL and End).
    let no_ttl = &f[..f.len() - 6];
    let e = decode(no_ttl).unwrap_err();
    assert_eq!(e.kind, LldpErrorKind::MissingMandatory);
    assert_eq!(e.message, "no TTL TLV (type 3)");
    // Port ID first, chassis ID second.
    let (chassis, rest) = f.split_at(9);
    let (port, rest) = rest.split_at(9);
    let swapped = [port, chassis, rest].concat();
    let e = decode(&swapped).unwrap_err();
    assert_eq!(e.kind, LldpErrorKind::OutOfOrder);
    assert_eq!(e.message, "the chassis ID TLV (type 1) is not TLV number 1");
    // A second TTL.
    let twice = [&f[..f.len() - 2], &[0x06, 0x02, 0x00, 0x10, 0, 0]].concat();
    assert_eq!(kind(&twice), LldpErrorKind::OutOfOrder);
    // Nothing at all.
    assert_eq!(kind(&[]), LldpErrorKind::MissingMandatory);
}

#[test]
fn an_oversized_lldpdu_is_refused() {
    let mut f = lldpdu(LLDPD_SHUTDOWN);
    f.truncate(f.len() - 2);
    while f.len() <= MAX_LLDPDU {
        // Port descriptions of 255 bytes.
        f.extend_from_slice(&[0x08, 0xff]);
        f.extend(std::iter::repeat_n(b'x', 255));
    }
    let e = decode(&f).unwrap_err();
    assert_eq!(e.kind, LldpErrorKind::Oversized);
}

#[test]
fn tlvs_of_the_wrong_length_are_invalid() {
    let base = lldpdu(LLDPD_SHUTDOWN);
    let head = &base[..base.len() - 2];
    for (tlv, what) in [
        (&[0x0e, 0x03, 0, 0, 0][..], "3 bytes, not 4"),
        (&[0xfe, 0x03, 0, 0x80, 0xc2][..], "less than an OUI"),
        (&[0xfe, 0x05, 0, 0x80, 0xc2, 1, 0][..], "not 2"),
        (
            &[0xfe, 0x09, 0, 0x80, 0xc2, 3, 0, 1, 9, b'a', b'b'][..],
            "VLAN name of 9 bytes",
        ),
        (&[0x10, 0x04, 40, 1, 0, 0][..], "not 2 to 32"),
        (
            &[0x10, 0x0c, 5, 1, 192, 0, 2, 1, 2, 0, 0, 0, 1, 5][..],
            "an OID of 5 bytes",
        ),
        (
            &[0x10, 0x0b, 4, 1, 192, 0, 2, 2, 0, 0, 0, 1, 0][..],
            "family 1 with 3 bytes",
        ),
    ] {
        let f = [head, tlv, &[0, 0]].concat();
        let e = decode(&f).unwrap_err();
        assert_eq!(e.kind, LldpErrorKind::InvalidTlv, "{e}");
        assert!(e.message.contains(what), "{e} does not say {what:?}");
    }
    // The chassis ID has a subtype and at least one byte.
    let f = [&[0x02, 0x01, 4][..], &base[9..]].concat();
    assert_eq!(kind(&f), LldpErrorKind::InvalidTlv);
}

#[test]
fn unknown_tlv_types_are_kept_as_hex_and_padding_ends_the_frame() {
    let base = lldpdu(LLDPD_SHUTDOWN);
    let head = &base[..base.len() - 2];
    let f = [head, &[0x12, 0x02, 0xab, 0xcd], &[0, 0, 0, 0, 0, 0]].concat();
    let t = decode(&f).unwrap().tlvs;
    assert_eq!(
        t[3],
        LldpTlv::Unknown {
            tlv_type: 9,
            data: "abcd".into()
        }
    );
    assert_eq!(
        serde_json::to_value(&t[3]).unwrap(),
        json!({"type": 9, "data": "abcd"})
    );
    // No End TLV: the frame ends where the data does.
    assert_eq!(decode(head).unwrap().tlvs.len(), 3);
}

#[test]
fn frames_not_for_lldp_are_refused() {
    let mut f = bytes(LLDPD_SHUTDOWN);
    f[5] = 0x01;
    assert_eq!(
        decode_frame(&f).unwrap_err().kind,
        LldpErrorKind::InvalidTlv
    );
    let mut f = bytes(LLDPD_SHUTDOWN);
    f[13] = 0x00;
    assert_eq!(
        decode_frame(&f).unwrap_err().kind,
        LldpErrorKind::InvalidTlv
    );
    // An 802.1Q tag before the ethertype is skipped.
    let f = bytes(LLDPD_SHUTDOWN);
    let tagged = [&f[..12], &[0x81, 0x00, 0x00, 0x64], &f[12..]].concat();
    assert_eq!(decode_frame(&tagged).unwrap().ttl, 0);
}

/// A small deterministic generator (xorshift), so that a failure can be
/// replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The decoder never panics and its errors always have a message: random
/// bytes, and the captured frames with random bytes changed, cut or
/// inserted. Bounded: 60,000 inputs from a fixed seed (a second or two in
/// a debug build), then, with `NIPART_FUZZ_SECONDS=N` (`.ci/test` sets 30),
/// more until N seconds have passed.
#[test]
fn random_and_mutated_frames_never_panic() {
    let seeds = [
        bytes(LLDPD_FULL),
        bytes(LLDPD_DEFAULT),
        bytes(LLDPD_SHUTDOWN),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0;
    let budget = std::env::var("NIPART_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    let started = std::time::Instant::now();
    let more = |i: u64| i < 60_000 || budget.is_some_and(|b| started.elapsed() < b);
    let mut i = 0u64;
    while more(i) {
        i += 1;
        let mut f = if i % 4 == 0 {
            let n = rng.below(200);
            let mut f = bytes(LLDPD_SHUTDOWN)[..14].to_vec();
            f.extend((0..n).map(|_| rng.next() as u8));
            f
        } else {
            seeds[rng.below(seeds.len())].clone()
        };
        for _ in 0..=rng.below(4) {
            let at = 14 + rng.below(f.len().saturating_sub(14));
            match rng.below(3) {
                0 if at < f.len() => f[at] = rng.next() as u8,
                1 => f.truncate(at),
                _ => f.insert(at.min(f.len()), rng.next() as u8),
            }
        }
        match decode_frame(&f) {
            Ok(p) => {
                decoded += 1;
                assert!(matches!(p.tlvs[0], LldpTlv::ChassisId { .. }));
                // Whatever decodes prints and reads back the same.
                let v = serde_json::to_value(&p.tlvs).unwrap();
                let back: Vec<LldpTlv> = serde_json::from_value(v).unwrap();
                assert_eq!(back, p.tlvs);
            }
            Err(e) => assert!(!e.message.is_empty()),
        }
    }
    assert!(
        decoded > 1000,
        "only {decoded} inputs decoded: the mutations are too harsh"
    );
}
