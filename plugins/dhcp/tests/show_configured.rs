//! `nipc show` of an interface whose DHCP client runs without a lease yet
//! (no server answers): `ipv4.dhcp: true`, configured though not yet in
//! effect, so that applying what `show` printed keeps the client running
//! (issue 13's round trip).

mod common;

use common::{Bed, CLIENT_IF, Daemon};

#[test]
fn dhcp_without_a_lease_is_shown_as_configured_and_applies_back() {
    let bed = Bed::new();
    let daemon = Daemon::start(&bed);
    daemon.enable_dhcp(&bed);
    let shown = daemon.show(CLIENT_IF);
    assert_eq!(shown["ipv4"]["dhcp"], true, "{shown}");
    assert_eq!(shown["ipv4"]["enabled"], true, "{shown}");
    assert!(shown["ipv4"].get("dhcp-lease").is_none(), "{shown}");

    // What show printed applies back, and the client keeps running.
    let out = daemon.nipc(&["-o", "yaml", "show", CLIENT_IF]);
    assert!(out.status.success());
    daemon.apply_ok(&bed, &String::from_utf8_lossy(&out.stdout));
    let again = daemon.show(CLIENT_IF);
    assert_eq!(again["ipv4"]["dhcp"], true, "{again}");
}
