//! Bad input: DHCP on an interface that does not exist, and a server side
//! that sends garbage. (DHCPv6, refused here before, is `dhcp6.rs`'s.)

mod common;

use std::time::Duration;

use common::{Bed, CLIENT_IF, Daemon, Python, SERVER_IF, dnsmasq, in_range, text};

const PATIENCE: Duration = Duration::from_secs(30);

#[test]
fn dhcp_on_a_missing_interface_is_a_validation_error() {
    let bed = Bed::new();
    let daemon = Daemon::start(&bed);
    let out = daemon.apply(
        &bed,
        &format!(
            "interfaces:\n  - name: {CLIENT_IF}\n    mtu: 1400\n  - name: ghost0\n    ipv4:\n      dhcp: true\n"
        ),
    );
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(
            "interfaces[1].ipv4.dhcp: interface \"ghost0\" does not exist and is not created by this state, so DHCP can't run on it"
        ),
        "{}",
        text(&out.stderr)
    );
    // Nothing was applied.
    assert_ne!(bed.client.link(CLIENT_IF).unwrap()["mtu"], 1400);

    // A veth created by the same state is fine.
    daemon.apply_ok(
        &bed,
        "interfaces:\n  - name: newv0\n    type: veth\n    veth:\n      peer: newv0-ep\n    ipv4:\n      dhcp: true\n",
    );
    assert!(bed.client.link("newv0").is_some());
}

/// Broadcasts malformed DHCP replies to the client's port from the server
/// side, every 10 ms: a few random bytes, and a BOOTREPLY whose options run
/// past the end of the packet.
const GARBAGE: &str = r#"
import os, socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"srv0")
s.bind(("10.9.0.1", 6767))
bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, 0x12345678, 0, 0,
                    bytes(4), bytes([10, 9, 0, 99]), bytes(4), bytes(4), bytes(16), bytes(64), bytes(128))
bad_options = bytes([99, 130, 83, 99, 53, 1, 2, 51, 200, 1, 2])
while True:
    for p in (os.urandom(23), bootp + bad_options, bootp[:100]):
        s.sendto(p, ("255.255.255.255", 68))
    time.sleep(0.01)
"#;

/// At the daemon's default log level (info): the first invalid packet is a
/// warning, the rest are counted and summarized (here every 2 s), never
/// logged one by one.
#[test]
fn garbage_from_the_server_side_is_logged_and_ignored() {
    let bed = Bed::new();
    let _garbage = Python::start(&bed.server, GARBAGE);
    // Let the garbage flow before the client starts.
    std::thread::sleep(Duration::from_millis(300));
    let dnsmasq = dnsmasq(
        &bed,
        &["--dhcp-option=option:T1,3", "--dhcp-option=option:T2,100"],
    );
    let daemon = Daemon::start_with(&bed, None, "invalid_report_ms = 2000\n");
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    assert!(in_range(&addr), "{addr}");
    let warning = format!("{CLIENT_IF}: ignored an invalid DHCP packet (");
    daemon.wait_for_log(&warning, PATIENCE);
    daemon.wait_for_log(&format!("{CLIENT_IF}: ignored "), PATIENCE);
    // The client keeps working: it renews (T1 = 3 s) amid the garbage.
    daemon.wait_for_log(&format!("renewed {addr}"), PATIENCE);
    daemon.wait_for_log("invalid DHCP packets in the last", PATIENCE);
    assert_eq!(bed.client_addresses(), [addr]);
    assert!(
        dnsmasq
            .log_text()
            .contains(&format!("DHCPACK({SERVER_IF})"))
    );
    // Hundreds of packets, one warning; mozim's line per packet stays at
    // debug level, so it is not in the log.
    let log = daemon.log_text();
    assert_eq!(log.matches(&warning).count(), 1, "{log}");
    assert!(!log.contains("Ignoring invalid DHCP package"), "{log}");
}
