//! The name servers of a DHCPv4 lease (dnsmasq in a server namespace) go
//! into resolv.conf after the configured ones, unless the interface's
//! `auto-dns` is false; they leave with the lease's client. The lease's
//! search domains (option 119, else 15) follow the configured ones the
//! same way, and its host name (option 12) becomes the running one when
//! `ipv4.auto-hostname` is true.

mod common;

use common::*;

const CLIENT_IF: &str = DHCP_CLIENT_IF;

#[test]
fn lease_name_servers_follow_the_configured_ones_unless_auto_dns_is_false() {
    let t = DhcpBed::new("02:00:00:19:00:03", &[]);
    let (bed, d) = (&t.bed, &t.d);

    apply_ok(
        d,
        bed,
        &format!(
            "dns-resolver:\n  config:\n    server: [192.0.2.53]\n    search: [example.com]\n\
             interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4:\n      dhcp: true\n"
        ),
    );
    wait_for("the lease's name servers in resolv.conf", || {
        (entries(&bed.resolv_conf)
            == [
                "nameserver 192.0.2.53",
                "nameserver 10.19.0.53",
                "nameserver 10.19.0.54",
                "search example.com",
            ])
        .then_some(())
    });
    // `config` is what was asked for; `running` what the resolver uses.
    let shown = show(d)["dns-resolver"].clone();
    assert_eq!(shown["config"]["server"], serde_json::json!(["192.0.2.53"]));
    assert_eq!(
        shown["running"]["server"],
        serde_json::json!(["192.0.2.53", "10.19.0.53", "10.19.0.54"])
    );

    auto_dns_off(d, bed);

    apply_ok(
        d,
        bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      auto-dns: true\n"),
    );
    assert_eq!(entries(&bed.resolv_conf)[1], "nameserver 10.19.0.53");

    // DHCP stopped: its name servers leave with the lease.
    apply_ok(
        d,
        bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      dhcp: false\n"),
    );
    wait_for("the lease's name servers to leave", || {
        (entries(&bed.resolv_conf) == ["nameserver 192.0.2.53", "search example.com"]).then_some(())
    });
}

/// The bed, a [`DhcpServer`] with `extra` options whose client link has
/// the MAC address `mac` (by which dnsmasq can name the host), and the
/// daemon with the dhcp plugin. Dropped in field order: the daemon first,
/// the namespaces last.
struct DhcpBed {
    d: nipart_testkit::DaemonProcess,
    _server: DhcpServer,
    bed: Bed,
}

impl DhcpBed {
    fn new(mac: &str, extra: &[&str]) -> DhcpBed {
        let bed = Bed::new();
        let server = DhcpServer::start_with_mac(&bed, Some(mac), extra);
        let d = bed.daemon(&Extras {
            dhcp: true,
            ..Extras::default()
        });
        DhcpBed {
            d,
            _server: server,
            bed,
        }
    }
}

/// Applies `auto-dns: false` to the client: resolv.conf keeps the
/// configured server and search domain alone.
fn auto_dns_off(d: &nipart_testkit::DaemonProcess, bed: &Bed) {
    apply_ok(
        d,
        bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      auto-dns: false\n"),
    );
    assert_eq!(
        entries(&bed.resolv_conf),
        ["nameserver 192.0.2.53", "search example.com"]
    );
}

/// The client interface's `ipv4` in a shown state.
fn client_ipv4(shown: &serde_json::Value) -> serde_json::Value {
    shown["interfaces"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == CLIENT_IF))
        .map(|i| i["ipv4"].clone())
        .expect("the client interface is shown")
}

/// The running host name in the daemon's UTS namespace, as it shows it.
fn running_hostname(d: &nipart_testkit::DaemonProcess) -> String {
    show(d)["hostname"]["running"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn lease_search_domains_and_host_name_are_used_as_the_state_says() {
    let t = DhcpBed::new(
        "02:00:00:19:00:01",
        &[
            "--dhcp-option=option:domain-name,lan.example",
            "--dhcp-option=option:domain-search,a.example,b.example",
            "--dhcp-host=02:00:00:19:00:01,nipart-dhcp-host",
        ],
    );
    let (bed, d) = (&t.bed, &t.d);
    let before = running_hostname(d);
    assert_ne!(before, "nipart-dhcp-host");

    apply_ok(
        d,
        bed,
        &format!(
            "dns-resolver:\n  config:\n    server: [192.0.2.53]\n    search: [example.com]\n\
             interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4:\n      dhcp: true\n"
        ),
    );
    let with_lease = [
        "nameserver 192.0.2.53",
        "nameserver 10.19.0.53",
        "nameserver 10.19.0.54",
        "search example.com a.example b.example",
    ];
    wait_for("the lease's search domains in resolv.conf", || {
        (entries(&bed.resolv_conf) == with_lease).then_some(())
    });
    // The lease shows what it gave; `config` is what was asked for.
    let shown = show(d);
    let lease = client_ipv4(&shown)["dhcp-lease"].clone();
    assert_eq!(lease["domain-name"], "lan.example", "{lease:#}");
    assert_eq!(
        lease["search"],
        serde_json::json!(["a.example", "b.example"]),
        "{lease:#}"
    );
    assert_eq!(lease["hostname"], "nipart-dhcp-host", "{lease:#}");
    assert_eq!(
        shown["dns-resolver"]["config"]["search"],
        serde_json::json!(["example.com"])
    );
    assert_eq!(
        shown["dns-resolver"]["running"]["search"],
        serde_json::json!(["example.com", "a.example", "b.example"])
    );
    // auto-hostname is false when not given: the name stays.
    assert_eq!(running_hostname(d), before);

    // auto-dns: false takes servers and search domains out.
    auto_dns_off(d, bed);

    // auto-hostname: true makes the lease's host name the running one.
    apply_ok(
        d,
        bed,
        &format!(
            "interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      auto-dns: true\n      auto-hostname: true\n"
        ),
    );
    assert_eq!(running_hostname(d), "nipart-dhcp-host");
    assert_eq!(entries(&bed.resolv_conf), with_lease);
    let v4 = client_ipv4(&show(d));
    assert_eq!(v4["auto-hostname"], true, "{v4:#}");
}

#[test]
fn option_15_alone_is_the_search_domain_and_auto_hostname_applies_at_the_lease() {
    let t = DhcpBed::new(
        "02:00:00:19:00:02",
        &[
            "--dhcp-option=option:domain-name,lan.example",
            "--dhcp-host=02:00:00:19:00:02,nipart-lease-name",
        ],
    );
    let (bed, d) = (&t.bed, &t.d);
    // auto-hostname given with DHCP: the name is set when the lease comes.
    apply_ok(
        d,
        bed,
        &format!(
            "interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4:\n      dhcp: true\n      auto-hostname: true\n"
        ),
    );
    wait_for("the lease's host name", || {
        (running_hostname(d) == "nipart-lease-name").then_some(())
    });
    wait_for("option 15 as the search domain", || {
        entries(&bed.resolv_conf)
            .contains(&"search lan.example".to_string())
            .then_some(())
    });
}

/// `auto-dns` and `auto-hostname` are shown where they are not the
/// defaults, so a checkpoint holds them and a rollback restores them: a
/// `--no-commit` apply taking the lease's name servers out and making its
/// host name the running one, undone by `nipc rollback`; then the same
/// `auto-dns: false` in an apply whose verification fails (an MTU the
/// state-fault fixture puts back), undone by the automatic rollback.
#[test]
fn a_rollback_restores_auto_dns_and_auto_hostname() {
    let bed = Bed::new();
    let _server = DhcpServer::start_with_mac(
        &bed,
        Some("02:00:00:19:00:04"),
        &["--dhcp-host=02:00:00:19:00:04,nipart-rollback-host"],
    );
    let d = bed.daemon(&Extras {
        dhcp: true,
        sabotage: Some(format!("ip link set {CLIENT_IF} mtu 1500")),
        ..Extras::default()
    });
    let d = &d;
    apply_ok(
        d,
        &bed,
        &format!(
            "dns-resolver:\n  config:\n    server: [192.0.2.53]\n\
             interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4:\n      dhcp: true\n"
        ),
    );
    let with_lease = [
        "nameserver 192.0.2.53",
        "nameserver 10.19.0.53",
        "nameserver 10.19.0.54",
    ];
    let without = ["nameserver 192.0.2.53"];
    wait_for("the lease's name servers in resolv.conf", || {
        (entries(&bed.resolv_conf) == with_lease).then_some(())
    });
    let name = running_hostname(d);
    assert_ne!(name, "nipart-rollback-host");
    let auto = |d: &nipart_testkit::DaemonProcess| {
        let v4 = client_ipv4(&show(d));
        (v4["auto-dns"].clone(), v4["auto-hostname"].clone())
    };
    let defaults = (serde_json::Value::Null, serde_json::Value::Null);
    assert_eq!(auto(d), defaults);

    // Before the rollback: the lease's servers out, its name running.
    let file = bed.path("auto.yml");
    std::fs::write(
        &file,
        format!(
            "interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      auto-dns: false\n      auto-hostname: true\n"
        ),
    )
    .unwrap();
    let out = nipc(d, &["apply", "--no-commit", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(entries(&bed.resolv_conf), without);
    assert_eq!(running_hostname(d), "nipart-rollback-host");
    assert_eq!(auto(d), (false.into(), true.into()));
    // The interface's own query shows them too.
    let one = nipc(d, &["-o", "json", "show", CLIENT_IF]);
    let one: serde_json::Value = serde_json::from_slice(&one.stdout).expect("show prints JSON");
    assert_eq!(client_ipv4(&one)["auto-dns"], false, "{one:#}");

    let out = nipc(d, &["rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(entries(&bed.resolv_conf), with_lease);
    assert_eq!(running_hostname(d), name);
    assert_eq!(auto(d), defaults);

    // A failed verification: out while it is verified, back after.
    let file = bed.path("failing.yml");
    std::fs::write(
        &file,
        format!(
            "interfaces:\n  - name: {CLIENT_IF}\n    mtu: 1400\n    ipv4:\n      auto-dns: false\n"
        ),
    )
    .unwrap();
    let apply = nipart_testkit::nipc_on_thread(&d.socket(), &["apply", file.to_str().unwrap()]);
    let mut seen = false;
    while !apply.is_finished() && !seen {
        seen = entries(&bed.resolv_conf) == without;
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out = apply.join().unwrap();
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("verification failed"), "{stderr}");
    assert!(seen, "auto-dns: false never took the lease's servers out");
    assert_eq!(entries(&bed.resolv_conf), with_lease);
    assert_eq!(auto(d), defaults);
}
