//! DHCPv6 (IA_NA) against dnsmasq as the DHCPv6 server and router
//! advertisement sender in a server namespace: acquire, apply with the
//! lease's lifetimes, show, name servers and domains, renewal, release on
//! shutdown and when DHCPv6 is turned off, the saved lease renewed by a
//! restarted daemon, a rollback, and a server that never answers.

mod common;

use std::{
    fs,
    process::Command,
    time::{Duration, Instant},
};

use common::{Bed, CLIENT_IF, Daemon, SERVER_IF, wait_for};
use nipart_testkit::DhcpServer;
use serde_json::Value;

const PATIENCE: Duration = Duration::from_secs(30);
const SERVER_IP6: &str = "fd09::1";
const DNS6: &str = "fd09::53";
const DOMAIN: &str = "dhcp6.example";

/// dnsmasq serving DHCPv6 from `fd09::100`–`fd09::1ff` (2-minute leases,
/// its shortest) with a name server and a search domain, and sending
/// router advertisements; killed on drop.
fn dnsmasq6(bed: &Bed) -> DhcpServer {
    // The server's addresses survive the tests' carrier flaps (taking
    // a link down flushes its IPv6 addresses otherwise).
    let out = Command::new("ip")
        .args(["netns", "exec", &bed.server.name, "sysctl", "-q", "-w"])
        .arg(format!("net.ipv6.conf.{SERVER_IF}.keep_addr_on_down=1"))
        .output()
        .expect("running sysctl");
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    bed.server
        .ip(&format!("addr add {SERVER_IP6}/64 dev {SERVER_IF} nodad"));
    // Replies and advertisements come from a link-local address (the
    // test kit's namespaces make none).
    bed.server
        .ip(&format!("addr add fe80::1/64 dev {SERVER_IF} nodad"));
    let dns = format!("--dhcp-option=option6:dns-server,[{DNS6}]");
    let search = format!("--dhcp-option=option6:domain-search,{DOMAIN}");
    DhcpServer::start(
        &bed.server,
        SERVER_IF,
        bed.dir.path(),
        "dnsmasq6",
        &[
            "--enable-ra",
            "--dhcp-range=fd09::100,fd09::1ff,64,2m",
            &dns,
            &search,
        ],
    )
}

/// The test bed with a link-local address on the client's interface once
/// it is up (the test kit's namespaces make none by default): DHCPv6 is
/// sent from it.
fn bed6() -> Bed {
    let bed = Bed::new();
    let out = Command::new("ip")
        .args(["netns", "exec", &bed.client.name, "sysctl", "-q", "-w"])
        .arg(format!("net.ipv6.conf.{CLIENT_IF}.addr_gen_mode=0"))
        .output()
        .expect("running sysctl");
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    bed
}

/// The client's global IPv6 addresses (`ADDR/LEN`).
fn addresses6(bed: &Bed) -> Vec<String> {
    bed.client
        .addresses(CLIENT_IF)
        .into_iter()
        .filter(|a| a.contains(':'))
        .collect()
}

/// Waits until the client has exactly one global IPv6 address; it. On
/// timeout, fails with the daemon's and the server's logs.
fn wait_for_address6(bed: &Bed, daemon: &Daemon, dnsmasq: &DhcpServer) -> String {
    let give_up = Instant::now() + PATIENCE;
    loop {
        let a = addresses6(bed);
        if a.len() == 1 {
            return a[0].clone();
        }
        assert!(
            Instant::now() < give_up,
            "no address from DHCPv6 ({a:?}; {}); daemon log:\n{}\ndnsmasq log:\n{}",
            bed.client.ip(&format!("addr show dev {CLIENT_IF}")),
            daemon.log_text(),
            dnsmasq.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_for_no_address6(bed: &Bed) {
    wait_for(PATIENCE, "the DHCPv6 address to be removed", || {
        addresses6(bed).is_empty().then_some(())
    });
}

fn in_range6(addr: &str) -> bool {
    addr.strip_suffix("/128")
        .and_then(|ip| ip.strip_prefix("fd09::"))
        .and_then(|host| u16::from_str_radix(host, 16).ok())
        .is_some_and(|h| (0x100..=0x1ff).contains(&h))
}

fn ip_of(cidr: &str) -> &str {
    cidr.split('/').next().unwrap_or(cidr)
}

fn enable_dhcp6(daemon: &Daemon, bed: &Bed) {
    daemon.apply_ok(bed, &dhcp6_state(true));
}

fn dhcp6_state(on: bool) -> String {
    format!(
        "interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv6:\n      enabled: true\n      dhcp: {on}\n"
    )
}

/// The kernel's lifetimes of `ip` on the client: (valid, preferred).
fn lifetimes(bed: &Bed, ip: &str) -> (u64, u64) {
    let info = bed.client.ip_json(&format!("-6 addr show dev {CLIENT_IF}"));
    let a = info[0]["addr_info"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["local"] == ip))
        .cloned()
        .unwrap_or(Value::Null);
    let get = |k: &str| {
        a[k].as_u64()
            .unwrap_or_else(|| panic!("{k} of {ip}: {info:#}"))
    };
    (get("valid_life_time"), get("preferred_life_time"))
}

#[test]
fn address_is_acquired_applied_shown_and_released_at_shutdown() {
    let bed = bed6();
    let dnsmasq = dnsmasq6(&bed);
    let mut daemon = Daemon::start(&bed);
    enable_dhcp6(&daemon, &bed);

    let addr = wait_for_address6(&bed, &daemon, &dnsmasq);
    assert!(in_range6(&addr), "{addr} is not from the server's range");
    let ip = ip_of(&addr);
    // The kernel holds it with the lease's lifetimes, not forever.
    let (valid, preferred) = lifetimes(&bed, ip);
    assert!(valid > 0 && valid <= 120, "valid lifetime {valid}");
    assert!(preferred <= valid, "preferred lifetime {preferred}");
    wait_for(PATIENCE, "dnsmasq to record the lease", || {
        dnsmasq.lease_text().contains(ip).then_some(())
    });

    let shown = daemon.show(CLIENT_IF);
    let lease = &shown["ipv6"]["dhcp-lease"];
    assert_eq!(shown["ipv6"]["dhcp"], true, "{shown:#}");
    assert_eq!(lease["address"], addr.as_str(), "{shown:#}");
    assert_eq!(lease["valid-lifetime"], 120, "{shown:#}");
    assert_eq!(lease["dns-servers"][0], DNS6, "{shown:#}");
    assert_eq!(lease["domains"][0], DOMAIN, "{shown:#}");
    assert!(
        lease["server-duid"].as_str().is_some_and(|d| d.len() > 8),
        "{shown:#}"
    );
    assert!(
        lease["expires"].as_str().is_some_and(|e| e.ends_with('Z')),
        "{shown:#}"
    );
    // What Show printed applies again as it is.
    let whole = daemon.nipc(&["-o", "yaml", "show", CLIENT_IF]);
    assert!(whole.status.success());
    daemon.apply_ok(&bed, &common::text(&whole.stdout));
    assert_eq!(addresses6(&bed), std::slice::from_ref(&addr));

    // The lease is saved for the next start.
    let saved = fs::read_to_string(
        bed.path("leases")
            .join("v6")
            .join(format!("{CLIENT_IF}.json")),
    )
    .expect("the saved lease");
    assert!(saved.contains(ip), "{saved}");

    daemon.terminate();
    let give_up = Instant::now() + PATIENCE;
    while dnsmasq.lease_text().contains(ip) {
        assert!(
            Instant::now() < give_up,
            "dnsmasq kept the lease; daemon log:\n{}\ndnsmasq log:\n{}",
            daemon.log_text(),
            dnsmasq.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        dnsmasq
            .log_text()
            .contains(&format!("DHCPRELEASE({SERVER_IF})")),
        "{}",
        dnsmasq.log_text()
    );
    let left = addresses6(&bed);
    assert!(left.is_empty(), "the address went with it: {left:?}");
    let saved = fs::read_to_string(
        bed.path("leases")
            .join("v6")
            .join(format!("{CLIENT_IF}.json")),
    )
    .expect("the saved lease");
    assert!(saved.contains("\"released\": true"), "{saved}");

    // A released lease is not used again before a server gives it.
    let daemon = Daemon::start(&bed);
    enable_dhcp6(&daemon, &bed);
    let again = wait_for_address6(&bed, &daemon, &dnsmasq);
    assert!(in_range6(&again), "{again}");
    assert!(
        !daemon.log_text().contains("using the saved lease"),
        "{}",
        daemon.log_text()
    );
}

#[test]
fn turning_dhcp6_off_releases_the_lease() {
    let bed = bed6();
    let dnsmasq = dnsmasq6(&bed);
    let daemon = Daemon::start(&bed);
    enable_dhcp6(&daemon, &bed);
    let addr = wait_for_address6(&bed, &daemon, &dnsmasq);
    wait_for(PATIENCE, "dnsmasq to record the lease", || {
        dnsmasq.lease_text().contains(ip_of(&addr)).then_some(())
    });
    daemon.apply_ok(&bed, &dhcp6_state(false));
    wait_for_no_address6(&bed);
    wait_for(PATIENCE, "the release", || {
        dnsmasq
            .log_text()
            .contains(&format!("DHCPRELEASE({SERVER_IF})"))
            .then_some(())
    });
    assert!(!dnsmasq.lease_text().contains(ip_of(&addr)));
    let shown = daemon.show(CLIENT_IF);
    assert!(shown["ipv6"].get("dhcp-lease").is_none(), "{shown:#}");
    assert_ne!(shown["ipv6"]["dhcp"], true, "{shown:#}");
    // Stopped for good: a carrier flap brings nothing back.
    bed.server.ip(&format!("link set {SERVER_IF} down"));
    bed.server.ip(&format!("link set {SERVER_IF} up"));
    std::thread::sleep(Duration::from_secs(3));
    assert!(addresses6(&bed).is_empty());
}

#[test]
fn a_restarted_daemon_renews_its_saved_lease() {
    let bed = bed6();
    let dnsmasq = dnsmasq6(&bed);
    let daemon = Daemon::start(&bed);
    enable_dhcp6(&daemon, &bed);
    let addr = wait_for_address6(&bed, &daemon, &dnsmasq);
    // Killed, not stopped: nothing is released, the lease stays on disk.
    drop(daemon);
    let solicits = dnsmasq.log_text().matches("DHCPSOLICIT").count();

    let daemon = Daemon::start(&bed);
    enable_dhcp6(&daemon, &bed);
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: using the saved lease {addr} while the server confirms it"),
        PATIENCE,
    );
    // Confirmed by a Renew, not solicited again.
    daemon.wait_for_log(&format!("{CLIENT_IF}: renewed {addr}"), PATIENCE);
    assert_eq!(addresses6(&bed), std::slice::from_ref(&addr));
    let log = dnsmasq.log_text();
    assert!(log.contains(&format!("DHCPRENEW({SERVER_IF})")), "{log}");
    assert_eq!(
        log.matches("DHCPSOLICIT").count(),
        solicits,
        "the restarted daemon renewed its saved lease without soliciting:\n{log}"
    );
}

#[test]
fn a_rollback_stops_the_dhcp6_client_the_apply_started() {
    let bed = bed6();
    let dnsmasq = dnsmasq6(&bed);
    // Up before the checkpoint, so that the rollback only undoes DHCPv6.
    bed.client.ip(&format!("link set {CLIENT_IF} up"));
    let daemon = Daemon::start(&bed);
    let file = bed.path("dhcp6.yml");
    fs::write(&file, dhcp6_state(true)).unwrap();
    let out = daemon.nipc(&["apply", "--no-commit", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    let addr = wait_for_address6(&bed, &daemon, &dnsmasq);

    let out = daemon.nipc(&["rollback"]);
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    wait_for_no_address6(&bed);
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: stopping DHCPv6: checkpoint"),
        PATIENCE,
    );
    wait_for(PATIENCE, "the release", || {
        (!dnsmasq.lease_text().contains(ip_of(&addr))).then_some(())
    });
    bed.server.ip(&format!("link set {SERVER_IF} down"));
    bed.server.ip(&format!("link set {SERVER_IF} up"));
    std::thread::sleep(Duration::from_secs(3));
    assert!(addresses6(&bed).is_empty());
}

/// Without a server the apply still succeeds (DHCP is configured, not yet
/// in effect), nothing is applied, Show says `dhcp: true` without a lease,
/// and the log says that no server answered.
#[test]
fn a_server_that_never_answers_applies_nothing() {
    let bed = bed6();
    bed.server
        .ip(&format!("addr add fe80::1/64 dev {SERVER_IF} nodad"));
    let daemon = Daemon::start(&bed);
    enable_dhcp6(&daemon, &bed);
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: no DHCPv6 lease within 10s (no server answered); still asking"),
        PATIENCE,
    );
    assert!(addresses6(&bed).is_empty());
    let shown = daemon.show(CLIENT_IF);
    assert_eq!(shown["ipv6"]["dhcp"], true, "{shown:#}");
    assert!(shown["ipv6"].get("dhcp-lease").is_none(), "{shown:#}");
    // What Show printed applies again, keeping the client.
    let whole = daemon.nipc(&["-o", "yaml", "show", CLIENT_IF]);
    daemon.apply_ok(&bed, &common::text(&whole.stdout));
    assert_eq!(daemon.show(CLIENT_IF)["ipv6"]["dhcp"], true);
    // Turned off, it stops asking.
    daemon.apply_ok(&bed, &dhcp6_state(false));
    daemon.wait_for_log(&format!("{CLIENT_IF}: DHCPv6 client stopped"), PATIENCE);
}

/// dnsmasq's shortest lease is 2 minutes (T1 one minute), so this test
/// takes that long.
#[test]
fn the_lease_is_renewed_at_t1_with_fresh_lifetimes() {
    let bed = bed6();
    let dnsmasq = dnsmasq6(&bed);
    let daemon = Daemon::start(&bed);
    enable_dhcp6(&daemon, &bed);
    let addr = wait_for_address6(&bed, &daemon, &dnsmasq);
    let first = daemon.show(CLIENT_IF)["ipv6"]["dhcp-lease"]["acquired"].clone();
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: renewed {addr}"),
        Duration::from_secs(100),
    );
    let log = dnsmasq.log_text();
    assert!(log.contains(&format!("DHCPRENEW({SERVER_IF})")), "{log}");
    // Same address, lifetimes counted from the renewal again.
    assert_eq!(addresses6(&bed), std::slice::from_ref(&addr));
    let (valid, _) = lifetimes(&bed, ip_of(&addr));
    assert!(valid > 100, "valid lifetime after the renewal: {valid}");
    let shown = daemon.show(CLIENT_IF);
    assert_ne!(shown["ipv6"]["dhcp-lease"]["acquired"], first, "{shown:#}");
}

/// An apply whose verification fails (the state-fault fixture puts the MTU
/// back after each apply) is rolled back: the DHCPv6 client it started
/// stops, releasing its lease, and its address goes.
#[test]
fn a_failed_verification_rolls_the_dhcp6_client_back() {
    let bed = bed6();
    let dnsmasq = dnsmasq6(&bed);
    bed.client.ip(&format!("link set {CLIENT_IF} up"));
    let daemon = Daemon::start_failing_mtu(&bed);
    let out = daemon.apply(
        &bed,
        &format!(
            "interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    mtu: 1400\n    ipv6:\n      enabled: true\n      dhcp: true\n"
        ),
    );
    let stderr = common::text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("verification failed") && stderr.contains("mtu desired 1400, current 1500"),
        "{stderr}"
    );
    daemon.wait_for_log(
        &format!("{CLIENT_IF}: stopping DHCPv6: checkpoint"),
        PATIENCE,
    );
    wait_for_no_address6(&bed);
    let shown = daemon.show(CLIENT_IF);
    assert_ne!(shown["ipv6"]["dhcp"], true, "{shown:#}");
    // Whatever the client got while verification went on was released.
    if dnsmasq.log_text().contains("DHCPREPLY") {
        wait_for(PATIENCE, "the release", || {
            dnsmasq
                .log_text()
                .contains(&format!("DHCPRELEASE({SERVER_IF})"))
                .then_some(())
        });
    }
}

/// mozim's line for the random wait before the first Solicit.
const SOLICIT_WAIT: &str = "before start initial Solicit";

/// By default (`solicit_max_delay_ms = 0`) the first Solicit goes out as
/// soon as the link-local address is usable, with no random wait; with
/// `solicit_max_delay_ms = 1000` (RFC 8415's SOL_MAX_DELAY) mozim waits a
/// random time below one second first. Either way the address comes.
#[test]
fn the_first_solicit_waits_only_when_configured_to() {
    let bed = bed6();
    let dnsmasq = dnsmasq6(&bed);
    let mut daemon = Daemon::start(&bed);
    enable_dhcp6(&daemon, &bed);
    let addr = wait_for_address6(&bed, &daemon, &dnsmasq);
    let log = daemon.log_text();
    let start = log
        .find(&format!("{CLIENT_IF}: carrier up, starting DHCPv6"))
        .unwrap_or_else(|| panic!("no start of DHCPv6 in the log:\n{log}"));
    let after = &log[start..];
    assert!(after.contains("Sending Solicit"), "{log}");
    assert!(!after.contains(SOLICIT_WAIT), "{log}");
    // Shutdown releases: the next daemon solicits again.
    daemon.terminate();
    wait_for_no_address6(&bed);

    let daemon = Daemon::start_with(&bed, Some("debug"), "solicit_max_delay_ms = 1000\n");
    enable_dhcp6(&daemon, &bed);
    assert_eq!(wait_for_address6(&bed, &daemon, &dnsmasq), addr);
    let log = daemon.log_text();
    // `Waiting N miliseconds before start initial Solicit`.
    let waited: u64 = log
        .lines()
        .filter(|l| l.contains(SOLICIT_WAIT))
        .find_map(|l| l.split("Waiting ").nth(1)?.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no wait before the first Solicit:\n{log}"));
    assert!(waited < 1000, "{waited} ms");
}

/// `solicit_max_delay_ms` above RFC 8415's SOL_MAX_DELAY (1 s), or not a
/// number, fails the plugin's start with the key named.
#[test]
fn a_solicit_delay_out_of_range_is_refused_naming_the_key() {
    let ns = nipart_testkit::Netns::new();
    for (value, expected) in [
        (
            "1001",
            "[plugin.dhcp] solicit_max_delay_ms: 1001 is out of range 0..=1000 (RFC 8415 SOL_MAX_DELAY is 1 s)",
        ),
        ("\"soon\"", "solicit_max_delay_ms"),
        ("-1", "solicit_max_delay_ms"),
    ] {
        let e = nipart_testkit::DaemonBuilder::new()
            .netns(&ns)
            .workspace_plugins(&["nipart-plugin-dhcp"])
            .require(&["dhcp"])
            .config(&format!("[plugin.dhcp]\nsolicit_max_delay_ms = {value}\n"))
            .start()
            .err()
            .unwrap_or_else(|| panic!("solicit_max_delay_ms = {value} was accepted"))
            .to_string();
        assert!(
            e.contains("required plugin \"dhcp\" failed") && e.contains(expected),
            "{value}: {e}"
        );
    }
}
