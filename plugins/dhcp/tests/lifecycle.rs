//! DHCPv4 over time: carrier loss and return, expiry when the server goes
//! away, release on shutdown and when DHCP is turned off, and a restarted
//! daemon asking for its saved lease (accepted, or refused with DHCPNAK).

mod common;

use std::{fs, time::Duration};

use common::{Bed, CLIENT_IF, Daemon, Dnsmasq, SERVER_IF, in_range, wait_for};

const PATIENCE: Duration = Duration::from_secs(30);

fn ip_of(cidr: &str) -> String {
    cidr.split('/').next().unwrap_or_default().to_string()
}

#[test]
fn carrier_loss_removes_the_address_and_its_return_brings_it_back() {
    let bed = Bed::new();
    let dnsmasq = Dnsmasq::start(&bed, &[]);
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
    let dnsmasq = Dnsmasq::start(&bed, &[]);
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
    let dnsmasq = Dnsmasq::start(&bed, &[]);
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
    let dnsmasq = Dnsmasq::start(&bed, &[]);
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
    let mut dnsmasq = Dnsmasq::start(&bed, &[]);
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
    let dnsmasq = Dnsmasq::start(&bed, &[]);
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
