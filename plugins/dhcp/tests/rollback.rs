//! A rollback brings the DHCP clients back as the checkpoint had them
//! (dnsmasq in a server namespace): a client a later apply turned off runs
//! again, one started since stops, whatever undoes the change (a failed
//! verification, `nipc rollback` of a `--no-commit` apply, `nipc rollback
//! CHECKPOINT` to any checkpoint of the history). Each test looks at the
//! client before, during and after.

mod common;

use std::time::Duration;

use common::{Bed, CLIENT_IF, Daemon, Dnsmasq, SERVER_IF, dnsmasq, text, wait_for};
use serde_json::Value;

const PATIENCE: Duration = Duration::from_secs(30);

fn state(ipv4: &str) -> String {
    format!("interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4: {{{ipv4}}}\n")
}

/// How many leases dnsmasq acknowledged so far (a client that runs again
/// asks again).
fn acks(dnsmasq: &Dnsmasq) -> usize {
    dnsmasq
        .log_text()
        .matches(&format!("DHCPACK({SERVER_IF})"))
        .count()
}

/// Waits until dnsmasq acknowledged more than `than` leases: a client
/// asked (the address a rollback lists again is no proof of one).
fn wait_for_ack(dnsmasq: &Dnsmasq, daemon: &Daemon, than: usize) {
    let give_up = std::time::Instant::now() + PATIENCE;
    while acks(dnsmasq) <= than {
        assert!(
            std::time::Instant::now() < give_up,
            "no new DHCPACK; daemon log:\n{}\ndnsmasq log:\n{}",
            daemon.log_text(),
            dnsmasq.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `nipc -o json apply` of `yaml` with `flags`; the result.
fn apply_json(daemon: &Daemon, bed: &Bed, yaml: &str, flags: &[&str]) -> Value {
    let file = bed.path("change.yml");
    std::fs::write(&file, yaml).unwrap();
    let mut args = vec!["-o", "json", "apply"];
    args.extend_from_slice(flags);
    args.push(file.to_str().unwrap());
    let out = daemon.nipc(&args);
    assert!(
        out.status.success(),
        "{}\ndaemon log:\n{}",
        text(&out.stderr),
        daemon.log_text()
    );
    serde_json::from_slice(&out.stdout).expect("apply prints JSON")
}

/// Whether `show` says the DHCPv4 client runs, and its lease's address.
fn shown_client(daemon: &Daemon) -> (Value, Value) {
    let v4 = daemon.show(CLIENT_IF)["ipv4"].clone();
    (v4["dhcp"].clone(), v4["dhcp-lease"]["address"].clone())
}

/// `nipc rollback` of a `--no-commit` apply that turned DHCP off: the
/// client released its lease when the apply was made, and runs again
/// (asks the server, gets its address back) after the rollback.
#[test]
fn a_rollback_restarts_a_client_the_apply_turned_off() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    bed.client.ip(&format!("link set {CLIENT_IF} up"));
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    assert_eq!(shown_client(&daemon), (true.into(), addr.clone().into()));

    apply_json(&daemon, &bed, &state("dhcp: false"), &["--no-commit"]);
    bed.wait_for_no_address(PATIENCE);
    let ip = addr.split('/').next().unwrap();
    wait_for(PATIENCE, "the release", || {
        dnsmasq
            .log_text()
            .contains(&format!("DHCPRELEASE({SERVER_IF}) {ip}"))
            .then_some(())
    });
    assert_eq!(daemon.show(CLIENT_IF)["ipv4"]["dhcp"], false);
    let asked = acks(&dnsmasq);

    let out = daemon.nipc(&["rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_for_ack(&dnsmasq, &daemon, asked);
    assert_eq!(bed.wait_for_address(PATIENCE), addr);
    wait_for(PATIENCE, "the lease in show", || {
        (shown_client(&daemon) == (true.into(), addr.clone().into())).then_some(())
    });
}

/// An apply that turns DHCPv4 off (and starts DHCPv6) together with an MTU
/// the state-fault fixture puts back: the DHCPv4 client stops during the
/// apply, verification fails, and the automatic rollback starts it again
/// and stops the DHCPv6 client it started.
#[test]
fn a_failed_verification_restarts_a_client_the_apply_turned_off() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    bed.client.ip(&format!("link set {CLIENT_IF} up"));
    let daemon = Daemon::start_failing_mtu(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    let asked = acks(&dnsmasq);

    let failing = format!(
        "interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    mtu: 1400\n    ipv4: {{dhcp: false}}\n    ipv6: {{enabled: true, dhcp: true}}\n"
    );
    // During verification the client is stopped: its address is gone.
    let gone = daemon.apply_failing_mtu(&bed, &failing, || bed.client_addresses().is_empty());
    assert!(
        gone,
        "the address stayed during the apply; daemon log:\n{}",
        daemon.log_text()
    );
    wait_for_ack(&dnsmasq, &daemon, asked);
    assert_eq!(bed.wait_for_address(PATIENCE), addr);
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: stopping DHCPv6: checkpoint"),
        PATIENCE,
    );
    let shown = daemon.show(CLIENT_IF);
    assert_eq!(shown["ipv4"]["dhcp"], true, "{shown:#}");
    assert_eq!(shown["ipv6"]["dhcp"], false, "{shown:#}");
}

/// `nipc rollback CHECKPOINT` to a checkpoint of the history taken by an
/// apply without a DHCP part (an MTU change): the client a later apply
/// turned off runs again, and the client settings changed since are the
/// checkpoint's.
#[test]
fn a_rollback_to_a_history_checkpoint_brings_its_clients_back() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    bed.client.ip(&format!("link set {CLIENT_IF} up"));
    let daemon = Daemon::start_saving(&bed);
    daemon.apply_ok(&bed, &state("dhcp: true, auto-route-metric: 120"));
    let addr = bed.wait_for_address(PATIENCE);
    let mtu = apply_json(
        &daemon,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    mtu: 1450\n"),
        &[],
    );
    let checkpoint = mtu["checkpoint"].as_str().unwrap().to_string();
    assert!(checkpoint.starts_with("cp-"), "{mtu:#}");
    daemon.apply_ok(&bed, &state("auto-route-metric: 130"));
    daemon.apply_ok(&bed, &state("dhcp: false"));
    bed.wait_for_no_address(PATIENCE);
    assert_eq!(daemon.show(CLIENT_IF)["ipv4"]["dhcp"], false);
    let asked = acks(&dnsmasq);

    let out = daemon.nipc(&["rollback", &checkpoint]);
    assert!(
        out.status.success(),
        "{}\ndaemon log:\n{}",
        text(&out.stderr),
        daemon.log_text()
    );
    wait_for_ack(&dnsmasq, &daemon, asked);
    assert_eq!(bed.wait_for_address(PATIENCE), addr);
    let shown = daemon.show(CLIENT_IF);
    assert_eq!(shown["ipv4"]["dhcp"], true, "{shown:#}");
    assert_eq!(shown["ipv4"]["auto-route-metric"], 120, "{shown:#}");
    assert_eq!(shown["mtu"], 1500, "{shown:#}");
    wait_for(PATIENCE, "the default route with metric 120", || {
        bed.client_routes()
            .iter()
            .any(|r| r.starts_with("default via") && r.contains("metric 120"))
            .then_some(())
    });
}
