//! DHCPv4 over time: carrier loss and return, expiry when the server goes
//! away, release on shutdown and when DHCP is turned off, and a restarted
//! daemon asking for its saved lease (accepted, or refused with DHCPNAK),
//! and a renewal refused with DHCPNAK.

mod common;

use std::{fs, time::Duration};

use common::{Bed, CLIENT_IF, Daemon, RANGE, SERVER_IF, dnsmasq, dnsmasq_with, in_range, wait_for};

const PATIENCE: Duration = Duration::from_secs(30);

fn ip_of(cidr: &str) -> String {
    cidr.split('/').next().unwrap_or_default().to_string()
}

#[test]
fn carrier_loss_removes_the_address_and_its_return_brings_it_back() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);

    bed.server.ip(&format!("link set {SERVER_IF} down"));
    bed.wait_for_no_address(PATIENCE);
    assert!(
        !bed.client_routes().iter().any(|r| r.starts_with("default")),
        "{:?}",
        bed.client_routes()
    );
    assert!(
        daemon.show(CLIENT_IF)["ipv4"].get("dhcp-lease").is_none(),
        "no lease is reported while there is none"
    );

    bed.server.ip(&format!("link set {SERVER_IF} up"));
    let again = bed.wait_for_address(PATIENCE);
    assert_eq!(again, addr, "the same address comes back");
    // It asked for it again (INIT-REBOOT) rather than starting with DISCOVER.
    let log = dnsmasq.log_text();
    let last_discover = log.rfind("DHCPDISCOVER");
    let last_request = log.rfind(&format!("DHCPREQUEST({SERVER_IF}) {}", ip_of(&addr)));
    assert!(
        last_request > last_discover,
        "the last exchange is a REQUEST for {addr}:\n{log}"
    );
    wait_for(PATIENCE, "the default route back", || {
        bed.client_routes()
            .iter()
            .any(|r| r.starts_with("default"))
            .then_some(())
    });
}

#[test]
fn shutdown_releases_and_a_restart_asks_for_the_same_address() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    let mut daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    let ip = ip_of(&addr);
    assert!(dnsmasq.lease_text().contains(&ip));

    daemon.terminate();
    // Released: dnsmasq logged the RELEASE and dropped the lease.
    wait_for(PATIENCE, "dnsmasq to drop the released lease", || {
        (!dnsmasq.lease_text().contains(&ip)).then_some(())
    });
    assert!(
        dnsmasq
            .log_text()
            .contains(&format!("DHCPRELEASE({SERVER_IF}) {ip}")),
        "{}",
        dnsmasq.log_text()
    );
    assert!(
        bed.client_addresses().is_empty(),
        "the address went with it"
    );
    // The lease stays on disk for the next start.
    let saved = fs::read_to_string(bed.path("leases").join(format!("{CLIENT_IF}.json")))
        .expect("the saved lease");
    assert!(saved.contains(&ip), "{saved}");

    let discovers_before = dnsmasq.log_text().matches("DHCPDISCOVER").count();
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let again = bed.wait_for_address(PATIENCE);
    assert_eq!(again, addr);
    assert_eq!(
        dnsmasq.log_text().matches("DHCPDISCOVER").count(),
        discovers_before,
        "the restarted daemon asked for its saved address directly:\n{}",
        dnsmasq.log_text()
    );
    drop(daemon);
}

#[test]
fn a_saved_lease_the_server_refuses_is_replaced() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    // A saved lease for an address outside the server's range.
    let dir = bed.path("leases");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join(format!("{CLIENT_IF}.json")),
        format!(
            r#"{{"interface": "{CLIENT_IF}", "address": "10.9.0.222", "prefix_length": 24,
                "server_id": "10.9.0.1", "lease_time": 120, "renewal_time": 60,
                "rebinding_time": 105, "acquired": 1}}"#
        ),
    )
    .unwrap();
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    assert!(in_range(&addr), "{addr}");
    let log = dnsmasq.log_text();
    assert!(
        log.contains(&format!("DHCPNAK({SERVER_IF}) 10.9.0.222")),
        "the server refused the saved address:\n{log}"
    );
    // The new lease replaces the saved one (written right after the apply).
    wait_for(PATIENCE, "the new lease to be saved", || {
        fs::read_to_string(dir.join(format!("{CLIENT_IF}.json")))
            .ok()
            .filter(|saved| saved.contains(&format!("\"{}\"", ip_of(&addr))))
    });
}

#[test]
fn turning_dhcp_off_releases_the_lease() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    daemon.apply_ok(
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      dhcp: false\n"),
    );
    bed.wait_for_no_address(PATIENCE);
    wait_for(PATIENCE, "the release", || {
        dnsmasq
            .log_text()
            .contains(&format!("DHCPRELEASE({SERVER_IF}) {}", ip_of(&addr)))
            .then_some(())
    });
    // Stopped for good: a carrier flap brings nothing back.
    bed.server.ip(&format!("link set {SERVER_IF} down"));
    bed.server.ip(&format!("link set {SERVER_IF} up"));
    std::thread::sleep(Duration::from_secs(3));
    assert!(bed.client_addresses().is_empty());
}

/// dnsmasq's shortest lease is 2 minutes, so this test takes that long.
#[test]
fn the_address_is_removed_at_expiry_when_the_server_is_gone() {
    let bed = Bed::new();
    let mut dnsmasq = dnsmasq(&bed, &[]);
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    dnsmasq.kill();
    let killed = std::time::Instant::now();
    // Still there well before the end of the lease…
    std::thread::sleep(Duration::from_secs(60));
    assert_eq!(bed.client_addresses(), std::slice::from_ref(&addr));
    // …and gone at its end (120 s after the ACK).
    bed.wait_for_no_address(Duration::from_secs(90));
    assert!(
        killed.elapsed() >= Duration::from_secs(100),
        "{:?}",
        killed.elapsed()
    );
    daemon.wait_for_log(&format!("removed {addr} (expired)"), PATIENCE);
    assert!(daemon.show(CLIENT_IF)["ipv4"].get("dhcp-lease").is_none());
}

#[test]
fn a_rollback_stops_the_client_the_apply_started() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    // Up before the checkpoint, so that the rollback only undoes DHCP.
    bed.client.ip(&format!("link set {CLIENT_IF} up"));
    let daemon = Daemon::start(&bed);
    let file = bed.path("dhcp.yml");
    fs::write(
        &file,
        format!("interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4:\n      dhcp: true\n"),
    )
    .unwrap();
    let out = daemon.nipc(&["apply", "--no-commit", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    let addr = bed.wait_for_address(PATIENCE);

    let out = daemon.nipc(&["rollback"]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    bed.wait_for_no_address(PATIENCE);
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: stopping DHCPv4: checkpoint"),
        PATIENCE,
    );
    let release = format!("DHCPRELEASE({SERVER_IF}) {}", ip_of(&addr));
    let give_up = std::time::Instant::now() + PATIENCE;
    while !dnsmasq.log_text().contains(&release) {
        assert!(
            std::time::Instant::now() < give_up,
            "no {release} from the server; daemon log:\n{}\ndnsmasq log:\n{}",
            daemon.log_text(),
            dnsmasq.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The client is gone: the carrier coming back brings no address.
    bed.server.ip(&format!("link set {SERVER_IF} down"));
    bed.server.ip(&format!("link set {SERVER_IF} up"));
    std::thread::sleep(Duration::from_secs(3));
    assert!(bed.client_addresses().is_empty());
}

/// A renewal refused with DHCPNAK drops the lease at once (mozim alone
/// would keep it until expiry) and the client starts over with DISCOVER.
#[test]
fn a_nak_to_a_renewal_drops_the_lease_and_starts_over() {
    let bed = Bed::new();
    // T1 = 4 s: a renewal every 4 s; T2 = 8 s: should one renewal miss the
    // new server, the rebinding is refused the same way.
    let timers = ["--dhcp-option=option:T1,4", "--dhcp-option=option:T2,8"];
    let mut first = dnsmasq(&bed, &timers);
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    let ip = ip_of(&addr);
    assert!(in_range(&addr), "{addr}");

    // Right after a renewal, the server restarts (with no lease database)
    // leasing from another part of the subnet: the address is not
    // available any more, and the next renewal gets a DHCPNAK.
    daemon.wait_for_log(&format!("renewed {addr}"), PATIENCE);
    first.kill();
    let restarted = std::time::Instant::now();
    let second = dnsmasq_with(&bed, "second", ("10.9.0.200", "10.9.0.250"), &timers);
    let nak = format!("{CLIENT_IF}: DHCPNAK from 10.9.0.1 for {ip}: lease dropped");
    daemon.wait_for_log(&nak, PATIENCE);
    assert!(
        second
            .log_text()
            .contains(&format!("DHCPNAK({SERVER_IF}) {ip}")),
        "{}",
        second.log_text()
    );
    daemon.wait_for_log(&format!("removed {addr} (nak)"), PATIENCE);

    // A new address from the new range, applied well before the old
    // lease (2 minutes) would have ended.
    let new = wait_for(PATIENCE, "an address from the new range", || {
        let a = bed.client_addresses();
        (a.len() == 1 && a[0] != addr).then(|| a[0].clone())
    });
    let last: u8 = ip_of(&new)
        .rsplit('.')
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    assert!(
        new.starts_with("10.9.0.") && new.ends_with("/24") && (200..=250).contains(&last),
        "{new} (first range {RANGE:?})"
    );
    assert!(
        restarted.elapsed() < Duration::from_secs(60),
        "{:?}",
        restarted.elapsed()
    );
    // Started over with DISCOVER, not by asking for the refused address.
    let log = second.log_text();
    assert!(log.contains("DHCPDISCOVER"), "{log}");
    assert!(
        log.contains(&format!("DHCPACK({SERVER_IF}) {}", ip_of(&new))),
        "{log}"
    );
    wait_for(PATIENCE, "the default route back", || {
        bed.client_routes()
            .iter()
            .any(|r| r.starts_with("default"))
            .then_some(())
    });
    // The saved lease is the new one.
    wait_for(PATIENCE, "the new lease to be saved", || {
        fs::read_to_string(bed.path("leases").join(format!("{CLIENT_IF}.json")))
            .ok()
            .filter(|saved| saved.contains(&format!("\"{}\"", ip_of(&new))))
    });
}

/// The same while rebinding: the renewal finds no server, the rebinding
/// (broadcast from mozim's raw socket) reaches a new one that refuses it.
#[test]
fn a_nak_to_a_rebinding_drops_the_lease_and_starts_over() {
    let bed = Bed::new();
    let timers = ["--dhcp-option=option:T1,3", "--dhcp-option=option:T2,8"];
    let mut first = dnsmasq(&bed, &timers);
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    let ip = ip_of(&addr);

    daemon.wait_for_log(&format!("renewed {addr}"), PATIENCE);
    first.kill();
    // The next renewal goes unanswered; the server comes back before T2.
    let renewals = daemon.log_text().matches("DHCPv4 renewing").count();
    wait_for(PATIENCE, "a renewal with no server", || {
        (daemon.log_text().matches("DHCPv4 renewing").count() > renewals).then_some(())
    });
    let second = dnsmasq_with(&bed, "second", ("10.9.0.200", "10.9.0.250"), &timers);
    daemon.wait_for_log("DHCPv4 rebinding", PATIENCE);
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: DHCPNAK from 10.9.0.1 for {ip}: lease dropped"),
        PATIENCE,
    );
    assert!(
        second
            .log_text()
            .contains(&format!("DHCPNAK({SERVER_IF}) {ip}")),
        "{}",
        second.log_text()
    );
    let new = wait_for(PATIENCE, "an address from the new range", || {
        let a = bed.client_addresses();
        (a.len() == 1 && a[0] != addr).then(|| a[0].clone())
    });
    assert!(new.starts_with("10.9.0.2"), "{new}");
    assert!(second.log_text().contains("DHCPDISCOVER"));
}

/// A DHCP server (python) that offers 10.9.0.99 and answers each
/// DHCPREQUEST for it with DHCPNAK until the client has started over with
/// a second DHCPDISCOVER; then it ACKs. Each message it gets and sends is
/// a line in the file `LOG`.
const NAK_THE_OFFER: &str = r#"
import socket, struct
log = open("LOG", "a", buffering=1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"srv0")
s.bind(("0.0.0.0", 67))
me = bytes([10, 9, 0, 1])
discovers = 0
def reply(req, kind, yiaddr, extra):
    xid, chaddr = req[4:8], req[28:44]
    head = struct.pack("!BBBB4sHH4s4s4s4s16s64s128s", 2, 1, 6, 0, xid, 0, 0x8000,
                       bytes(4), yiaddr, me, bytes(4), chaddr, bytes(64), bytes(128))
    opts = bytes([99, 130, 83, 99, 53, 1, kind, 54, 4]) + me + extra + bytes([255])
    s.sendto(head + opts, ("255.255.255.255", 68))
lease = (bytes([51, 4]) + struct.pack("!I", 120) + bytes([58, 4]) + struct.pack("!I", 60)
         + bytes([59, 4]) + struct.pack("!I", 105) + bytes([1, 4, 255, 255, 255, 0, 3, 4]) + me)
while True:
    req, _ = s.recvfrom(2048)
    if len(req) < 240 or req[0] != 1:
        continue
    opts, kind, i = req[240:], None, 0
    while i + 1 < len(opts) and opts[i] != 255:
        if opts[i] == 0:
            i += 1
            continue
        if opts[i] == 53:
            kind = opts[i + 2]
        i += 2 + opts[i + 1]
    if kind == 1:
        discovers += 1
        log.write("DISCOVER\n")
        reply(req, 2, bytes([10, 9, 0, 99]), lease)
    elif kind == 3 and discovers < 2:
        log.write("REQUEST NAK\n")
        reply(req, 6, bytes(4), b"")
    elif kind == 3:
        log.write("REQUEST ACK\n")
        reply(req, 5, bytes([10, 9, 0, 99]), lease)
"#;

/// mozim would ask for a refused offer forever; the client starts over
/// with DISCOVER instead, and gets a lease.
#[test]
fn a_nak_to_the_request_of_an_offer_starts_over() {
    let bed = Bed::new();
    let log = bed.path("server.log");
    let script = NAK_THE_OFFER.replace("LOG", log.to_str().unwrap());
    let _server = common::Python::start(&bed.server, &script);
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: DHCPNAK from 10.9.0.1 for the offered 10.9.0.99: starting over"),
        PATIENCE,
    );
    assert_eq!(bed.wait_for_address(PATIENCE), "10.9.0.99/24");
    let lines = common::read(&log);
    assert!(
        lines.starts_with("DISCOVER\nREQUEST NAK\nDISCOVER\n") && lines.contains("REQUEST ACK"),
        "{lines}"
    );
}
