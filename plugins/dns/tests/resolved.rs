//! `dns-resolver` through a real systemd-resolved (Debian's package,
//! unpacked, on a private bus in the test's namespace: `common/resolved.rs`):
//! the config goes to the link with the default route over D-Bus while
//! resolv.conf (a link to resolved's stub, as on a systemd host) is left
//! alone; shown from resolved; applied back unchanged; cleared with
//! `RevertLink`; refused when bad or when it asks for resolver options;
//! rolled back when verification fails; applied again after both daemons
//! restart; and, with resolved stopped, the file's rules again.

mod common;

use common::{resolved::*, *};
use serde_json::json;

const STATE: &str = "\
dns-resolver:
  config:
    server:
      - 192.0.2.53
      - 2001:db8::53
    search:
      - example.com
      - example.org
";

/// A bed whose resolv.conf is a link to a stub (as systemd-resolved's
/// hosts have), resolved on its private bus, and the daemon pointed at it.
fn bed_with_resolved(extras: Extras) -> (Bed, Resolved, nipart_testkit::DaemonProcess) {
    let bed = Bed::new();
    let stub = bed.path("stub-resolv.conf");
    std::fs::write(&stub, "nameserver 127.0.0.53\noptions edns0 trust-ad\n").unwrap();
    std::os::unix::fs::symlink(&stub, &bed.resolv_conf).unwrap();
    let resolved = Resolved::start(&bed);
    let d = bed.daemon(&Extras {
        dbus_address: Some(resolved.address()),
        ..extras
    });
    (bed, resolved, d)
}

fn stub_untouched(bed: &Bed) {
    let meta = std::fs::symlink_metadata(&bed.resolv_conf).unwrap();
    assert!(meta.file_type().is_symlink(), "resolv.conf is still a link");
    assert_eq!(
        read(&bed.path("stub-resolv.conf")),
        "nameserver 127.0.0.53\noptions edns0 trust-ad\n"
    );
}

#[test]
fn applied_to_the_default_route_link_shown_and_reverted() {
    let (bed, r, d) = bed_with_resolved(Extras::default());
    let link = link_index(&bed, LINK);

    apply_ok(&d, &bed, STATE);
    assert_eq!(r.link_servers(link), ["192.0.2.53", "2001:db8::53"]);
    assert_eq!(
        r.link_domains(link),
        [("example.com".into(), false), ("example.org".into(), false)]
    );
    assert!(r.link_default_route(link));
    stub_untouched(&bed);

    // Shown from resolved, not from the stub the link points to.
    // Shown as applied, and applied back with nothing to change.
    shown_and_applied_back(
        &d,
        &bed,
        &json!({
        "server": ["192.0.2.53", "2001:db8::53"],
        "search": ["example.com", "example.org"],
        "options": []
        }),
    );

    // A config with only servers keeps the search list.
    apply_ok(
        &d,
        &bed,
        "dns-resolver:\n  config:\n    server: [203.0.113.7]\n",
    );
    assert_eq!(r.link_servers(link), ["203.0.113.7"]);
    assert_eq!(r.link_domains(link).len(), 2);

    // `config: {}` clears: the link is reverted.
    apply_ok(&d, &bed, "dns-resolver:\n  config: {}\n");
    assert!(r.link_servers(link).is_empty());
    assert!(r.link_domains(link).is_empty());
    assert_eq!(
        show(&d)["dns-resolver"]["config"],
        json!({"server": [], "search": [], "options": []})
    );
    stub_untouched(&bed);
}

#[test]
fn bad_input_and_options_are_refused_and_nothing_changes() {
    let (bed, r, d) = bed_with_resolved(Extras::default());
    let link = link_index(&bed, LINK);
    apply_ok(&d, &bed, STATE);

    refuses_bad_resolver_input(&d, &bed);
    // resolved has no resolver options: refused, not silently dropped.
    let e = apply_err(
        &d,
        &bed,
        "dns-resolver: {config: {server: [192.0.2.9], options: [rotate]}}",
    );
    assert!(
        e.contains(
            "dns-resolver.config.options: [rotate] given, but systemd-resolved (which runs here) has no resolver options"
        ),
        "{e}"
    );
    assert_eq!(r.link_servers(link), ["192.0.2.53", "2001:db8::53"]);
    assert_eq!(r.link_domains(link).len(), 2);
    stub_untouched(&bed);
}

#[test]
fn a_failed_verification_rolls_resolved_back() {
    let bed = Bed::new();
    let r = Resolved::start(&bed);
    let link = link_index(&bed, LINK);
    // Before: someone else's server on the link.
    r.busctl(&[
        "call",
        "org.freedesktop.resolve1",
        "/org/freedesktop/resolve1",
        "org.freedesktop.resolve1.Manager",
        "SetLinkDNS",
        "ia(iay)",
        &link.to_string(),
        "1",
        "2",
        "4",
        "198",
        "51",
        "100",
        "1",
    ])
    .unwrap();
    // After every apply, someone else sets the link's servers.
    let sabotage = r.busctl_command(&format!(
        "call org.freedesktop.resolve1 /org/freedesktop/resolve1 \
         org.freedesktop.resolve1.Manager SetLinkDNS 'ia(iay)' {link} 1 2 4 203 0 113 66"
    ));
    let d = bed.daemon(&Extras {
        sabotage: Some(sabotage),
        dbus_address: Some(r.address()),
        ..Extras::default()
    });
    let e = apply_err(&d, &bed, STATE);
    assert!(
        e.contains(
            "dns-resolver: config.server desired [192.0.2.53, 2001:db8::53], current [203.0.113.66]"
        ),
        "{e}"
    );
    assert!(e.contains("rolled back to checkpoint"), "{e}");
    // Back to the checkpoint's servers, through resolved.
    assert_eq!(r.link_servers(link), ["198.51.100.1"]);
    assert!(r.link_domains(link).is_empty());
}

#[test]
fn applied_again_after_both_daemons_restart() {
    let (bed, mut r, mut d) = bed_with_resolved(Extras {
        conf: true,
        ..Extras::default()
    });
    let link = link_index(&bed, LINK);
    apply_ok(&d, &bed, STATE);
    d.stop(nipart_testkit::PATIENCE);
    // resolved keeps link settings only while it runs.
    r.stop_resolved();
    r.start_resolved();
    assert!(r.link_servers(link).is_empty());
    d.start();
    wait_for("the saved resolver applied to resolved at start", || {
        (r.link_servers(link) == ["192.0.2.53", "2001:db8::53"]).then_some(())
    });
    assert_eq!(
        r.link_domains(link),
        [("example.com".into(), false), ("example.org".into(), false)]
    );
    stub_untouched(&bed);
}

/// resolved forgets link settings when it restarts: the plugin follows
/// its name on the bus and gives the links what they had again.
#[test]
fn a_resolved_restart_gets_the_links_again() {
    let (bed, mut r, d) = bed_with_resolved(Extras::default());
    let link = link_index(&bed, LINK);
    apply_ok(&d, &bed, STATE);
    r.stop_resolved();
    r.start_resolved();
    wait_for("the links given again after resolved's restart", || {
        (r.link_servers(link) == ["192.0.2.53", "2001:db8::53"]).then_some(())
    });
    assert_eq!(
        r.link_domains(link),
        [("example.com".into(), false), ("example.org".into(), false)]
    );
    assert!(r.link_default_route(link));
    assert!(
        d.log().contains("systemd-resolved is back on"),
        "{}",
        d.log()
    );
}

/// Decided: the backend is chosen at each apply and query, so with
/// resolved gone the file's rules hold again: the stub's link is another
/// manager's file, refused unless taken over.
#[test]
fn with_resolved_stopped_the_file_rules_hold_again() {
    let (bed, mut r, d) = bed_with_resolved(Extras::default());
    apply_ok(&d, &bed, STATE);
    r.stop_resolved();
    assert_eq!(
        show(&d)["dns-resolver"]["running"]["server"],
        json!(["127.0.0.53"]),
        "shown from the file once resolved is gone"
    );
    let e = apply_err(
        &d,
        &bed,
        "dns-resolver:\n  config:\n    server: [192.0.2.54]\n",
    );
    assert!(
        e.contains("is a symbolic link to") && e.contains("dns-resolver.take-over: true"),
        "{e}"
    );
    stub_untouched(&bed);
    // resolved back: the D-Bus path again.
    r.start_resolved();
    apply_ok(
        &d,
        &bed,
        "dns-resolver:\n  config:\n    server: [192.0.2.54]\n",
    );
    assert_eq!(r.link_servers(link_index(&bed, LINK)), ["192.0.2.54"]);
}

/// A DHCP lease's name servers go on the lease's own link (dnsmasq gives
/// no router there, so the configured servers stay on the default-route
/// link alone), unless its `auto-dns` is false, and leave with the lease.
#[test]
fn a_leases_name_servers_go_on_its_own_link() {
    const CLIENT_IF: &str = DHCP_CLIENT_IF;
    let bed = Bed::new();
    let r = Resolved::start(&bed);
    // No router: the client's link gets no default route.
    let _server = DhcpServer::start(&bed, &["--dhcp-option=option:router"]);
    let d = bed.daemon(&Extras {
        dhcp: true,
        dbus_address: Some(r.address()),
        ..Extras::default()
    });
    let default_link = link_index(&bed, LINK);
    let client = link_index(&bed, CLIENT_IF);

    apply_ok(
        &d,
        &bed,
        &format!(
            "dns-resolver:\n  config:\n    server: [192.0.2.53]\n    search: [example.com]\n\
             interfaces:\n  - name: {CLIENT_IF}\n    state: up\n    ipv4:\n      dhcp: true\n"
        ),
    );
    wait_for("the lease's name servers on its link", || {
        (r.link_servers(client) == ["10.19.0.53", "10.19.0.54"]).then_some(())
    });
    assert_eq!(r.link_servers(default_link), ["192.0.2.53"]);
    assert_eq!(
        r.link_domains(default_link),
        [("example.com".into(), false)]
    );
    // `config` is what was asked for; `running` all that resolved uses.
    let shown = show(&d)["dns-resolver"].clone();
    assert_eq!(shown["config"]["server"], json!(["192.0.2.53"]));
    let mut running: Vec<String> =
        serde_json::from_value(shown["running"]["server"].clone()).unwrap();
    running.sort();
    assert_eq!(running, ["10.19.0.53", "10.19.0.54", "192.0.2.53"]);

    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      auto-dns: false\n"),
    );
    assert!(r.link_servers(client).is_empty());
    assert_eq!(r.link_servers(default_link), ["192.0.2.53"]);

    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      auto-dns: true\n"),
    );
    assert_eq!(r.link_servers(client), ["10.19.0.53", "10.19.0.54"]);

    // DHCP stopped: its name servers leave with the lease.
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {CLIENT_IF}\n    ipv4:\n      dhcp: false\n"),
    );
    wait_for("the lease's name servers to leave", || {
        r.link_servers(client).is_empty().then_some(())
    });
    assert_eq!(r.link_servers(default_link), ["192.0.2.53"]);
}
