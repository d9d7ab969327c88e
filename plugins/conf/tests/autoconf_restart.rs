//! IPv6 autoconfiguration kept across a restart: a saved state with
//! `autoconf: true`, `addr-gen-mode` and `token`; the daemon stopped, the
//! links made anew (kernel defaults: EUI-64, no token), the daemon started
//! again; the boot apply sets autoconf up again, so the SLAAC addresses
//! form again from the router advertisements (dnsmasq in a server
//! namespace) as the saved state says, and `show` reports the same keys.

mod common;

use std::{process::Command, time::Duration};

use common::{FAST, Netns, Node};
use nipart_testkit::RouterAdvertiser as Advertiser;

/// Waits (up to 30 s) until `f` holds.
fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    nipart_testkit::wait_for(Duration::from_secs(30), what, || f().then_some(()));
}

/// The two veth pairs, made anew: `c1`/`c2` in `ns` with fixed MAC
/// addresses, `s1`/`s2` with `2001:db8:N::1/64` in `server`.
fn links(ns: &Netns, server: &Netns) {
    for i in [1, 2] {
        let _ = Command::new("ip")
            .args(["-n", &ns.name, "link", "del", &format!("c{i}")])
            .output();
        ns.ip(&format!(
            "link add c{i} address 02:00:00:00:00:2{i} type veth peer name s{i} netns {}",
            server.name
        ));
        server.ip(&format!("link set s{i} addrgenmode eui64"));
        server.ip(&format!("addr add 2001:db8:{i}::1/64 dev s{i} nodad"));
        server.ip(&format!("link set s{i} up"));
    }
}

const STATE: &str = "
interfaces:
  - name: c1
    state: up
    ipv6: {enabled: true, autoconf: true, addr-gen-mode: eui64, token: '::abcd'}
  - name: c2
    state: up
    ipv6: {enabled: true, autoconf: true, addr-gen-mode: stable-privacy}
";

/// The SLAAC addresses of `c1` (the token's) and `c2` (stable-privacy:
/// not the EUI-64 one) formed.
fn wait_for_addresses(ns: &Netns) {
    wait_until("c1's token address", || {
        ns.addresses("c1")
            .iter()
            .any(|a| a == "2001:db8:1::abcd/64")
    });
    wait_until("c2's stable-privacy address", || {
        ns.addresses("c2")
            .iter()
            .any(|a| a.starts_with("2001:db8:2:0:") && a.ends_with("/64"))
    });
    assert!(
        !ns.addresses("c2")
            .iter()
            .any(|a| a == "2001:db8:2::ff:fe00:22/64"),
        "stable-privacy is not EUI-64: {:?}",
        ns.addresses("c2")
    );
}

/// The autoconf keys `show` reports for `name`.
fn shown_keys(n: &Node, name: &str) -> (Option<bool>, Option<String>, Option<String>) {
    let shown = n.show();
    let v6 = shown
        .interface(name)
        .and_then(|i| i.ipv6.clone())
        .unwrap_or_default();
    (
        v6.autoconf,
        v6.addr_gen_mode.map(|m| m.to_string()),
        v6.token.map(|t| t.to_string()),
    )
}

#[test]
fn autoconf_is_set_up_again_after_a_restart() {
    let mut n = Node::new(FAST);
    let server = Netns::new();
    links(&n.ns, &server);
    n.start();
    n.apply(STATE, &[]);
    let ra = Advertiser::start(&server, &["s1", "s2"]);
    wait_for_addresses(&n.ns);
    let before = (shown_keys(&n, "c1"), shown_keys(&n, "c2"));
    assert_eq!(
        before.0,
        (Some(true), Some("eui64".into()), Some("::abcd".into()))
    );
    assert_eq!(before.1.1.as_deref(), Some("stable-privacy"));

    n.stop();
    drop(ra);
    // Fresh links: the kernel's defaults (EUI-64 addresses, no token).
    links(&n.ns, &server);
    assert!(n.ns.addresses("c1").is_empty());
    let err = n.start();
    assert!(err.contains("is applied"), "{err}");
    let _ra = Advertiser::start(&server, &["s1", "s2"]);
    wait_for_addresses(&n.ns);
    assert!(
        !n.ns
            .addresses("c1")
            .iter()
            .any(|a| a == "2001:db8:1::ff:fe00:21/64"),
        "the token replaced the EUI-64 host part: {:?}",
        n.ns.addresses("c1")
    );
    assert_eq!((shown_keys(&n, "c1"), shown_keys(&n, "c2")), before);
}

/// The IPv6 routes of table 100 through `c1`, without the `table 100`
/// that `ip` puts after the device.
fn table_100(ns: &Netns) -> Vec<String> {
    ns.routes("-6", "all")
        .into_iter()
        .filter(|l| l.contains(" table 100 ") && l.contains("dev c1 "))
        .map(|l| l.replacen(" table 100 ", " ", 1))
        .collect()
}

const TABLE_100: &str = "
interfaces:
  - name: c1
    state: up
    ipv6: {enabled: true, autoconf: true, addr-gen-mode: eui64, auto-route-table-id: 100, auto-route-metric: 300}
";

/// Routes of advertisements in a table of their own across a restart:
/// the daemon leaves them at shutdown (they expire with their lifetimes),
/// and the saved state makes the new daemon place them again, in table
/// 100 and not in main, on links made anew; `show` reports the table and
/// the metric.
#[test]
fn advertisement_routes_go_in_their_table_again_after_a_restart() {
    let mut n = Node::new(FAST);
    let server = Netns::new();
    links(&n.ns, &server);
    n.start();
    n.apply(TABLE_100, &[]);
    let ra = Advertiser::start(&server, &["s1"]);
    let placed = |ns: &Netns| {
        let t = table_100(ns);
        t.iter().any(|l| {
            l.starts_with("default via fe80::") && l.contains("proto ra metric 300 expires")
        }) && t
            .iter()
            .any(|l| l.starts_with("2001:db8:1::/64 dev c1 proto ra metric 300"))
    };
    wait_until("the routes in table 100", || placed(&n.ns));
    let shown = |n: &Node| {
        let v6 = n
            .show()
            .interface("c1")
            .and_then(|i| i.ipv6.clone())
            .unwrap_or_default();
        (v6.auto_route_table_id, v6.auto_route_metric)
    };
    assert_eq!(shown(&n), (Some(100), Some(300)));

    n.stop();
    // Left at shutdown: they expire unless a daemon refreshes them.
    assert!(placed(&n.ns), "{:?}", table_100(&n.ns));
    drop(ra);
    links(&n.ns, &server);
    assert!(table_100(&n.ns).is_empty(), "{:?}", table_100(&n.ns));
    let err = n.start();
    assert!(err.contains("is applied"), "{err}");
    let _ra = Advertiser::start(&server, &["s1"]);
    wait_until("the routes in table 100 again", || placed(&n.ns));
    assert!(
        !n.ns
            .routes("-6", "main")
            .iter()
            .any(|l| l.starts_with("default")),
        "{:?}",
        n.ns.routes("-6", "main")
    );
    assert_eq!(shown(&n), (Some(100), Some(300)));
}
