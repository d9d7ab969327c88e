//! Crafted frames sent with a raw socket from the peer namespace: every
//! kind of malformed frame is dropped and counted (shown under the
//! interface's `lldp.counters`), the plugin keeps working, and frames of
//! another ethertype never reach it.

mod common;

use common::*;
use serde_json::json;

const HEADER: &str = "0180c200000e02000000000188cc";
const CHASSIS: &str = "020704020000000001";
const PORT: &str = "0403057031";
const TTL: &str = "06020078";

#[test]
fn malformed_frames_are_dropped_and_counted() {
    let bed = Bed::new();
    // Room on the link for an oversized LLDPDU.
    bed.peer.ip(&format!("link set {PEER_IF} mtu 9000"));
    bed.host.ip(&format!("link set {HOST_IF} mtu 9000"));
    let d = daemon(&bed, "");
    enable(&d, &bed, HOST_IF, false);

    let frame = |tlvs: &[&str]| format!("{HEADER}{}0000", tlvs.concat());
    // 1600 bytes of port descriptions after the mandatory TLVs.
    let filler = format!("08ff{}", "78".repeat(255)).repeat(7);
    let frames = vec![
        // The system name says 16 bytes, 3 follow.
        format!("{HEADER}{CHASSIS}{PORT}{TTL}0a10616263"),
        // No TTL.
        frame(&[CHASSIS, PORT]),
        // Port ID before chassis ID.
        frame(&[PORT, CHASSIS, TTL]),
        frame(&[CHASSIS, PORT, TTL, &filler]),
        // A TTL of three bytes.
        frame(&[CHASSIS, PORT, "0603000078"]),
        // Not LLDP: IPv4's ethertype to LLDP's address; the kernel keeps
        // it from the plugin's socket.
        format!("0180c200000e0200000000010800{}", "00".repeat(46)),
        // A good one at last, from the same sender.
        frame(&[CHASSIS, PORT, TTL, "0a067261772d6f6b"]),
    ];
    bed.send_raw(PEER_IF, &frames);

    let n = wait_for(PATIENCE, "the well-formed frame's neighbour", || {
        neighbors(&d, HOST_IF).into_iter().next()
    });
    assert_eq!(system_name(&n).as_deref(), Some("raw-ok"));
    assert_eq!(field(&n, 1, None, "chassis-id"), "02:00:00:00:00:01");
    assert_eq!(field(&n, 2, None, "port-id"), "p1");
    assert_eq!(field(&n, 2, None, "_description"), "Interface name");
    let shown = show(&d, HOST_IF);
    assert_eq!(
        shown["lldp"]["counters"],
        json!({
            "frames-received": 6,
            "frames-malformed": 5,
            "truncated": 1,
            "missing-mandatory": 1,
            "out-of-order": 1,
            "oversized": 1,
            "invalid-tlv": 1,
            "neighbors-expired": 0,
            "too-many-neighbors": 0,
        }),
        "{shown:#}"
    );
    // One warning in the log for the first; the rest only counted.
    let log = d.log();
    let warnings = log
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("dropped a malformed LLDP frame"))
        .count();
    assert_eq!(warnings, 1, "{log}");
    assert!(
        log.contains("lldp0: dropped a malformed LLDP frame: truncated: the TLV of type 5 at offset 18 is 16 bytes long, only 3 left"),
        "{log}"
    );
}
