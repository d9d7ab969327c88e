//! The `auto-*` keys of `ipv4` with DHCPv4 (dnsmasq in a server
//! namespace): which of the lease's routes are installed (option 3, option
//! 121), with which metric, in which table; shown, applied back from
//! `show`, changed on a running client, kept across a daemon restart.

mod common;

use std::time::Duration;

use common::{Bed, CLIENT_IF, Daemon, SERVER_IP, dnsmasq, text};

const PATIENCE: Duration = Duration::from_secs(30);

/// The client's IPv4 routes of `table` that DHCP installed (none while
/// the kernel has no such table: it makes one with its first route).
fn dhcp_routes(bed: &Bed, table: &str) -> Vec<String> {
    match bed.client.try_ip(&format!("-4 route show table {table}")) {
        Ok(text) => text
            .lines()
            .map(str::trim)
            .filter(|l| l.contains("proto dhcp"))
            .map(String::from)
            .collect(),
        Err(e) if e.contains("FIB table does not exist") => Vec::new(),
        Err(e) => panic!("{e}"),
    }
}

/// Waits until the DHCP routes of `table` are `want` (in any order); on
/// timeout, fails showing the daemon's log.
fn wait_for_routes(bed: &Bed, daemon: &Daemon, table: &str, want: &[&str]) {
    let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want.sort();
    let mut last = Vec::new();
    let give_up = std::time::Instant::now() + PATIENCE;
    loop {
        let mut have = dhcp_routes(bed, table);
        have.sort();
        if have == want {
            return;
        }
        assert!(
            std::time::Instant::now() < give_up,
            "table {table}: want {want:#?}, have {have:#?} (before: {last:#?}); daemon log:\n{}",
            daemon.log_text()
        );
        last = have;
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn state(keys: &str) -> String {
    format!("interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4: {{{keys}}}\n")
}

#[test]
fn auto_keys_place_the_routes_of_option_121() {
    let bed = Bed::new();
    let _dnsmasq = dnsmasq(
        &bed,
        &[&format!(
            "--dhcp-option=option:classless-static-route,0.0.0.0/0,{SERVER_IP},198.51.100.0/24,10.9.0.254"
        )],
    );
    let daemon = Daemon::start(&bed);
    daemon.apply_ok(
        &bed,
        &state("dhcp: true, auto-route-metric: 150, auto-route-table-id: 200"),
    );
    bed.wait_for_address(PATIENCE);
    let both = [
        "default via 10.9.0.1 dev dhcp0 proto dhcp metric 150",
        "198.51.100.0/24 via 10.9.0.254 dev dhcp0 proto dhcp metric 150",
    ];
    wait_for_routes(&bed, &daemon, "200", &both);
    assert_eq!(dhcp_routes(&bed, "main"), Vec::<String>::new());

    // Shown, and applied back as shown changes nothing.
    let v4 = daemon.show(CLIENT_IF)["ipv4"].clone();
    assert_eq!(v4["auto-route-table-id"], 200, "{v4:#}");
    assert_eq!(v4["auto-route-metric"], 150, "{v4:#}");
    assert_eq!(v4["auto-gateway"], true, "{v4:#}");
    assert_eq!(v4["auto-routes"], true, "{v4:#}");
    assert_eq!(
        v4["dhcp-lease"]["routes"],
        serde_json::json!(["0.0.0.0/0 via 10.9.0.1", "198.51.100.0/24 via 10.9.0.254"]),
        "{v4:#}"
    );
    let shown = daemon.nipc(&["-o", "yaml", "show", CLIENT_IF]);
    assert!(shown.status.success());
    daemon.apply_ok(&bed, &text(&shown.stdout));
    assert!(
        !daemon.log_text().contains("update the DHCPv4 settings"),
        "the shown settings are the running ones"
    );
    wait_for_routes(&bed, &daemon, "200", &both);

    // auto-gateway: false drops option 121's default route; the metric
    // and table not given stay.
    daemon.apply_ok(&bed, &state("dhcp: true, auto-gateway: false"));
    wait_for_routes(
        &bed,
        &daemon,
        "200",
        &["198.51.100.0/24 via 10.9.0.254 dev dhcp0 proto dhcp metric 150"],
    );
    // auto-routes: false, given alone (no `dhcp` key): none at all, the
    // address stays.
    daemon.apply_ok(&bed, &state("auto-routes: false"));
    wait_for_routes(&bed, &daemon, "200", &[]);
    assert_eq!(bed.client_addresses().len(), 1);
    assert_eq!(daemon.show(CLIENT_IF)["ipv4"]["auto-routes"], false);
    // Back to main (0), everything.
    daemon.apply_ok(
        &bed,
        &state("dhcp: true, auto-routes: true, auto-gateway: true, auto-route-table-id: 0"),
    );
    wait_for_routes(&bed, &daemon, "main", &both);
    wait_for_routes(&bed, &daemon, "200", &[]);

    // Any table but local: 1000 (above 8 bits) takes both, main none.
    daemon.apply_ok(&bed, &state("dhcp: true, auto-route-table-id: 1000"));
    wait_for_routes(&bed, &daemon, "1000", &both);
    wait_for_routes(&bed, &daemon, "main", &[]);
    assert_eq!(daemon.show(CLIENT_IF)["ipv4"]["auto-route-table-id"], 1000);
    // The local table is refused, naming the key; nothing moves.
    let out = daemon.apply(&bed, &state("dhcp: true, auto-route-table-id: 255"));
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("dhcp0: ipv4.auto-route-table-id 255: that is the kernel's local table"),
        "{err}"
    );
    wait_for_routes(&bed, &daemon, "1000", &both);
    // Back to main: removed from table 1000 while the address stays.
    daemon.apply_ok(&bed, &state("auto-route-table-id: 0"));
    wait_for_routes(&bed, &daemon, "main", &both);
    wait_for_routes(&bed, &daemon, "1000", &[]);
    assert_eq!(bed.client_addresses().len(), 1);
}

/// A lease's routes in tables above 255 go with the client: rolled back,
/// turned off, and at daemon shutdown (when the plugin removes them
/// itself, the kernel role having stopped).
#[test]
fn routes_in_a_table_above_255_go_with_the_client() {
    let bed = Bed::new();
    let _dnsmasq = dnsmasq(&bed, &[]);
    // Up before the checkpoint, so that the rollback only undoes DHCP.
    bed.client.ip(&format!("link set {CLIENT_IF} up"));
    let mut daemon = Daemon::start(&bed);
    let default = "default via 10.9.0.1 dev dhcp0 proto dhcp";

    // A `--no-commit` apply rolled back.
    let file = bed.path("table.yml");
    std::fs::write(&file, state("dhcp: true, auto-route-table-id: 1000")).unwrap();
    let out = daemon.nipc(&["apply", "--no-commit", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_for_routes(&bed, &daemon, "1000", &[default]);
    let out = daemon.nipc(&["rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_for_routes(&bed, &daemon, "1000", &[]);

    // `dhcp: false`.
    daemon.apply_ok(&bed, &state("dhcp: true, auto-route-table-id: 70000"));
    wait_for_routes(&bed, &daemon, "70000", &[default]);
    daemon.apply_ok(&bed, &state("dhcp: false"));
    wait_for_routes(&bed, &daemon, "70000", &[]);

    // Shutdown, in the highest table. A second address keeps the kernel
    // from flushing the interface's routes with the lease's address: the
    // route goes only if the plugin removes it.
    daemon.apply_ok(&bed, &state("dhcp: true, auto-route-table-id: 4294967295"));
    wait_for_routes(&bed, &daemon, "4294967295", &[default]);
    bed.client
        .ip(&format!("address add 10.99.0.1/24 dev {CLIENT_IF}"));
    daemon.terminate();
    assert_eq!(dhcp_routes(&bed, "4294967295"), Vec::<String>::new());
    assert!(
        bed.client_addresses()
            .iter()
            .any(|a| a.starts_with("10.99.0.1/")),
        "{:?}",
        bed.client_addresses()
    );
}

#[test]
fn auto_keys_of_option_3_persist_across_a_restart() {
    let bed = Bed::new();
    let _dnsmasq = dnsmasq(&bed, &[]);
    let mut daemon = Daemon::start_saving(&bed);
    daemon.apply_ok(&bed, include_str!("states/dhcp_auto_routes.yml"));
    bed.wait_for_address(PATIENCE);
    let default = ["default via 10.9.0.1 dev dhcp0 proto dhcp metric 77"];
    wait_for_routes(&bed, &daemon, "120", &default);
    // auto-gateway: false: option 3 gives nothing else.
    daemon.apply_ok(&bed, &state("dhcp: true, auto-gateway: false"));
    wait_for_routes(&bed, &daemon, "120", &[]);
    daemon.apply_ok(&bed, &state("dhcp: true, auto-gateway: true"));
    wait_for_routes(&bed, &daemon, "120", &default);

    daemon.restart();
    // Shutdown released the lease and removed its routes; the saved state
    // brings both back, placed as it says.
    bed.wait_for_address(PATIENCE);
    wait_for_routes(&bed, &daemon, "120", &default);
    assert_eq!(dhcp_routes(&bed, "main"), Vec::<String>::new());
    let v4 = daemon.show(CLIENT_IF)["ipv4"].clone();
    assert_eq!(
        (
            v4["auto-route-table-id"].clone(),
            v4["auto-route-metric"].clone(),
            v4["auto-gateway"].clone()
        ),
        (120.into(), 77.into(), true.into()),
        "{v4:#}"
    );
}

/// A rollback gives a running client back the `auto-*` settings the
/// undone apply changed, and its lease's routes go back where they were:
/// a `--no-commit` apply rolled back with `nipc rollback`, and an apply
/// whose verification fails (the state-fault fixture puts the MTU back
/// after each apply).
#[test]
fn a_rollback_restores_a_running_clients_settings() {
    let bed = Bed::new();
    let _dnsmasq = dnsmasq(&bed, &[]);
    bed.client.ip(&format!("link set {CLIENT_IF} up"));
    let daemon = Daemon::start_failing_mtu(&bed);
    let before = ["default via 10.9.0.1 dev dhcp0 proto dhcp metric 100"];
    daemon.apply_ok(&bed, &state("dhcp: true, auto-route-metric: 100"));
    bed.wait_for_address(PATIENCE);
    wait_for_routes(&bed, &daemon, "main", &before);
    let shown = |daemon: &Daemon| {
        let v4 = daemon.show(CLIENT_IF)["ipv4"].clone();
        (
            v4["auto-route-metric"].clone(),
            v4["auto-route-table-id"].clone(),
        )
    };

    // A `--no-commit` apply moves the route to table 300 with metric 150;
    // `nipc rollback` brings it back.
    let file = bed.path("moved.yml");
    std::fs::write(
        &file,
        state("auto-route-metric: 150, auto-route-table-id: 300"),
    )
    .unwrap();
    let out = daemon.nipc(&["apply", "--no-commit", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_for_routes(
        &bed,
        &daemon,
        "300",
        &["default via 10.9.0.1 dev dhcp0 proto dhcp metric 150"],
    );
    wait_for_routes(&bed, &daemon, "main", &[]);
    assert_eq!(shown(&daemon), (150.into(), 300.into()));
    let out = daemon.nipc(&["rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_for_routes(&bed, &daemon, "main", &before);
    wait_for_routes(&bed, &daemon, "300", &[]);
    assert_eq!(shown(&daemon), (100.into(), 0.into()));
    daemon.wait_for_log(
        "dhcp0: DHCPv4 settings back as before: checkpoint",
        PATIENCE,
    );

    // An apply that changes the metric and fails verification: the route
    // has metric 200 while verification goes on, 100 again after.
    let failing = format!(
        "interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    mtu: 1400\n    ipv4: {{auto-route-metric: 200}}\n"
    );
    let during = "default via 10.9.0.1 dev dhcp0 proto dhcp metric 200".to_string();
    let seen = daemon.apply_failing_mtu(&bed, &failing, || {
        dhcp_routes(&bed, "main").contains(&during)
    });
    assert!(
        seen,
        "metric 200 never applied; daemon log:\n{}",
        daemon.log_text()
    );
    wait_for_routes(&bed, &daemon, "main", &before);
    assert_eq!(shown(&daemon), (100.into(), 0.into()));
}
