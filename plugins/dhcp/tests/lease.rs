//! DHCPv4 against dnsmasq: acquire, apply, show, renew, option 121.

mod common;

use std::time::Duration;

use common::{Bed, CLIENT_IF, Daemon, SERVER_IP, dnsmasq, in_range, wait_for};

const PATIENCE: Duration = Duration::from_secs(30);

#[test]
fn lease_is_acquired_applied_and_shown() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(&bed, &[]);
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);

    let addr = bed.wait_for_address(PATIENCE);
    assert!(in_range(&addr), "{addr} is not from the server's range");
    let routes = wait_for(PATIENCE, "the default route", || {
        let r = bed.client_routes();
        r.iter().any(|l| l.starts_with("default")).then_some(r)
    });
    assert!(
        routes.iter().any(|l| l.starts_with(&format!(
            "default via {SERVER_IP} dev {CLIENT_IF} proto dhcp"
        ))),
        "{routes:#?}"
    );
    // The kernel holds the address with the lease's lifetime, not forever.
    let info = bed.client.ip_json(&format!("-4 addr show dev {CLIENT_IF}"));
    let lft = &info[0]["addr_info"][0]["valid_life_time"];
    assert!(
        lft.as_u64().is_some_and(|s| s > 0 && s <= 120),
        "valid lifetime {lft}"
    );
    // The server agrees.
    let ip = addr.split('/').next().unwrap();
    assert!(
        dnsmasq.lease_text().contains(ip),
        "{}",
        dnsmasq.lease_text()
    );

    // Show reports the lease.
    let shown = daemon.show(CLIENT_IF);
    let lease = &shown["ipv4"]["dhcp-lease"];
    assert_eq!(lease["address"], addr.as_str(), "{shown:#}");
    assert_eq!(lease["server-id"], SERVER_IP, "{shown:#}");
    assert_eq!(lease["lease-time"], 120, "{shown:#}");
    assert_eq!(lease["dns-servers"][0], "10.9.0.53", "{shown:#}");
    assert_eq!(lease["gateway"], SERVER_IP, "{shown:#}");
    assert!(
        lease["expires"].as_str().is_some_and(|e| e.ends_with('Z')),
        "{shown:#}"
    );
    // And a shown state can be applied again as it is.
    let whole = daemon.nipc(&["-o", "yaml", "show", CLIENT_IF]);
    assert!(whole.status.success());
    daemon.apply_ok(&bed, &common::text(&whole.stdout));
    assert_eq!(bed.client_addresses(), [addr]);
}

#[test]
fn lease_is_renewed_at_t1_and_classless_routes_replace_the_router() {
    let bed = Bed::new();
    let dnsmasq = dnsmasq(
        &bed,
        &[
            "--dhcp-option=option:T1,3",
            "--dhcp-option=option:T2,100",
            "--dhcp-option=option:classless-static-route,198.51.100.0/24,10.9.0.254",
        ],
    );
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let addr = bed.wait_for_address(PATIENCE);
    let routes = wait_for(PATIENCE, "the option 121 route", || {
        let r = bed.client_routes();
        r.iter()
            .any(|l| l.starts_with("198.51.100.0/24 via 10.9.0.254"))
            .then_some(r)
    });
    assert!(
        !routes.iter().any(|l| l.starts_with("default")),
        "option 121 replaces the router option (RFC 3442): {routes:#?}"
    );
    let lease = &daemon.show(CLIENT_IF)["ipv4"]["dhcp-lease"];
    assert_eq!(lease["renewal-time"], 3);
    assert_eq!(lease["routes"][0], "198.51.100.0/24 via 10.9.0.254");
    assert!(lease.get("gateway").is_none(), "{lease:#}");

    // T1 is 3 s: two renewals within 15 s, each an ACK from the server for
    // the same address, and the address stays.
    let ip = addr.split('/').next().unwrap().to_string();
    wait_for(Duration::from_secs(15), "two renewals", || {
        let log = dnsmasq.log_text();
        (log.matches(&format!("DHCPACK({}) {ip}", common::SERVER_IF))
            .count()
            >= 3)
            .then_some(())
    });
    wait_for(PATIENCE, "the daemon to log the renewal", || {
        daemon
            .log_text()
            .contains(&format!("renewed {addr}"))
            .then_some(())
    });
    assert_eq!(bed.client_addresses(), [addr]);
}
