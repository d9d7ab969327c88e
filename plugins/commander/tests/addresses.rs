//! Changing the address list of an interface removes, adds or replaces
//! exactly what the list says (v4 and v6, one or several), and never loses
//! the static routes through the interface: the kernel flushes a route
//! whose gateway was reachable through an address that went, and the apply
//! puts it back and verifies it.

mod common;

use common::{Daemon, netns};

/// A veth `eth1` (peer `eth1-ep`) with `v4` and `v6` addresses.
fn eth1(v4: &[&str], v6: &[&str]) -> String {
    let list = |a: &[&str]| {
        a.iter()
            .map(|a| {
                let (ip, len) = a.split_once('/').unwrap();
                format!("{{ip: \"{ip}\", prefix-length: {len}}}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "interfaces:
  - name: eth1
    type: veth
    veth: {{peer: eth1-ep}}
    ipv4: {{enabled: true, address: [{}]}}
    ipv6: {{enabled: true, address: [{}]}}
",
        list(v4),
        list(v6)
    )
}

fn sorted(a: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = a.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Applies each address list in turn; after each, the kernel (`ip -j
/// addr`) has exactly that list.
fn walk(steps: &[(&[&str], &[&str])]) {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    for (v4, v6) in steps {
        let r = d.apply(&eth1(v4, v6));
        assert!(r.verified, "{r:?}");
        let mut want: Vec<&str> = v4.to_vec();
        want.extend_from_slice(v6);
        assert_eq!(
            ns.addresses("eth1"),
            sorted(&want),
            "after applying v4 {v4:?} v6 {v6:?}; changes {:?}",
            r.changes
        );
    }
}

#[test]
fn removing_one_of_two_ipv4_addresses_keeps_the_other() {
    walk(&[
        (&["192.0.2.10/24", "192.0.2.11/24"], &[]),
        (&["192.0.2.10/24"], &[]),
    ]);
}

#[test]
fn removing_the_primary_ipv4_address_keeps_the_secondaries() {
    walk(&[
        (&["192.0.2.10/24", "192.0.2.11/24", "192.0.2.12/24"], &[]),
        (&["192.0.2.11/24", "192.0.2.12/24"], &[]),
        (&["192.0.2.12/24"], &[]),
    ]);
}

#[test]
fn adding_ipv4_addresses_one_and_several() {
    walk(&[
        (&["192.0.2.10/24"], &[]),
        (&["192.0.2.10/24", "192.0.2.11/24"], &[]),
        (
            &[
                "192.0.2.10/24",
                "192.0.2.11/24",
                "192.0.2.12/24",
                "198.51.100.1/24",
            ],
            &[],
        ),
    ]);
}

#[test]
fn replacing_ipv4_addresses_in_the_same_subnet_and_another() {
    walk(&[
        (&["192.0.2.10/24", "192.0.2.11/24"], &[]),
        (&["192.0.2.20/24", "192.0.2.21/24"], &[]),
        (&["198.51.100.7/25"], &[]),
        (&[], &[]),
    ]);
}

#[test]
fn removing_adding_and_replacing_ipv6_addresses() {
    walk(&[
        (&[], &["2001:db8::10/64", "2001:db8::11/64"]),
        (&[], &["2001:db8::10/64"]),
        (
            &[],
            &["2001:db8::10/64", "2001:db8::12/64", "2001:db8:1::1/64"],
        ),
        (&[], &["2001:db8::20/64", "2001:db8::21/64"]),
        (&["192.0.2.10/24"], &["2001:db8::20/64"]),
        (&[], &[]),
    ]);
}

const ROUTES: &str = "
routes:
  config:
  - destination: 0.0.0.0/0
    next-hop-address: 192.0.2.1
    next-hop-interface: eth1
  - destination: 198.51.100.0/24
    next-hop-address: 192.0.2.254
    next-hop-interface: eth1
    metric: 150
  - destination: 203.0.113.0/24
    next-hop-address: 192.0.2.1
    next-hop-interface: eth1
    table-id: 100
  - destination: 2001:db8:2::/64
    next-hop-address: 2001:db8::1
    next-hop-interface: eth1
";

fn assert_routes_kept(ns: &common::Netns) {
    let main = ns.routes("-4", "main");
    assert!(
        main.iter()
            .any(|r| r.starts_with("default via 192.0.2.1 dev eth1")),
        "{main:?}"
    );
    assert!(
        main.iter().any(
            |r| r.starts_with("198.51.100.0/24 via 192.0.2.254 dev eth1")
                && r.contains("metric 150")
        ),
        "{main:?}"
    );
    let t100 = ns.routes("-4", "100");
    assert!(
        t100.iter()
            .any(|r| r.starts_with("203.0.113.0/24 via 192.0.2.1 dev eth1")),
        "{t100:?}"
    );
    let v6 = ns.routes("-6", "main");
    assert!(
        v6.iter()
            .any(|r| r.starts_with("2001:db8:2::/64 via 2001:db8::1 dev eth1")),
        "{v6:?}"
    );
}

#[test]
fn changing_the_address_puts_back_the_routes_the_kernel_flushed() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    d.apply(&format!(
        "{}{ROUTES}",
        eth1(&["192.0.2.10/24"], &["2001:db8::10/64"])
    ));
    assert_routes_kept(&ns);

    // The routes are not in this document: they were configured before.
    let r = d.apply(&eth1(&["192.0.2.20/24"], &["2001:db8::20/64"]));
    assert!(r.verified, "{r:?}");
    assert_eq!(
        ns.addresses("eth1"),
        ["192.0.2.20/24", "2001:db8::20/64"],
        "{:?}",
        r.changes
    );
    assert_routes_kept(&ns);
    assert!(
        r.changes
            .iter()
            .any(|c| c.starts_with("kernel: put back route")),
        "{:?}",
        r.changes
    );

    // Through a removal of a primary address too.
    d.apply(&eth1(
        &["192.0.2.20/24", "192.0.2.21/24"],
        &["2001:db8::20/64"],
    ));
    let r = d.apply(&eth1(&["192.0.2.21/24"], &["2001:db8::20/64"]));
    assert!(r.verified, "{r:?}");
    assert_eq!(ns.addresses("eth1"), ["192.0.2.21/24", "2001:db8::20/64"]);
    assert_routes_kept(&ns);
}

#[test]
fn a_route_the_change_can_not_keep_fails_the_apply_and_rolls_back() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    d.apply(&format!(
        "{}{ROUTES}",
        eth1(&["192.0.2.10/24"], &["2001:db8::10/64"])
    ));
    // Another subnet: the gateways are no longer reachable, and the routes
    // were not removed on purpose. Nothing is lost: the apply fails and the
    // kernel is as before.
    let e = d.apply_err(&eth1(&["198.51.100.10/24"], &["2001:db8::10/64"]));
    assert!(
        e.message().contains("putting back static routes") && e.message().contains("rolled back"),
        "{e}"
    );
    assert_eq!(ns.addresses("eth1"), ["192.0.2.10/24", "2001:db8::10/64"]);
    assert_routes_kept(&ns);

    // Said on purpose, it works.
    let r = d.apply(&format!(
        "{}
routes:
  config:
  - next-hop-address: 192.0.2.1
    state: absent
  - next-hop-address: 192.0.2.254
    state: absent
  - next-hop-address: 192.0.2.1
    table-id: 100
    state: absent
  - destination: 0.0.0.0/0
    next-hop-address: 198.51.100.1
    next-hop-interface: eth1
",
        eth1(&["198.51.100.10/24"], &["2001:db8::10/64"])
    ));
    assert!(r.verified, "{r:?}");
    let main = ns.routes("-4", "main");
    assert!(
        main.iter()
            .any(|l| l.starts_with("default via 198.51.100.1 dev eth1")),
        "{main:?}"
    );
    assert!(ns.routes("-4", "100").is_empty());
}

#[test]
fn kernel_ip_change_removes_exactly_the_lease_address() {
    use nipart_plugin_api::{Address, state::dhcp_topics};
    use serde_json::json;
    use std::time::Duration;

    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    d.apply(&eth1(&["192.0.2.10/24"], &["2001:db8::10/64"]));
    let change = |add: serde_json::Value, remove: serde_json::Value| {
        let out = d.call(
            dhcp_topics::IP_CHANGE,
            Address::role("kernel"),
            json!({"interface": "eth1", "add_addresses": add, "remove_addresses": remove}),
            Duration::from_secs(30),
        );
        out.result
            .unwrap_or_else(|e| panic!("kernel.ip.change failed: {e}"));
    };
    // A lease in the same subnet, as the dhcp plugin adds it, then dropped.
    change(
        json!([
            {"ip": "192.0.2.50", "prefix_length": 24, "valid_lifetime": 600},
            {"ip": "2001:db8::50", "prefix_length": 64, "valid_lifetime": 600}
        ]),
        json!([]),
    );
    assert_eq!(
        ns.addresses("eth1"),
        sorted(&[
            "192.0.2.10/24",
            "192.0.2.50/24",
            "2001:db8::10/64",
            "2001:db8::50/64"
        ])
    );
    change(
        json!([]),
        json!([
            {"ip": "192.0.2.50", "prefix_length": 24},
            {"ip": "2001:db8::50", "prefix_length": 64}
        ]),
    );
    assert_eq!(ns.addresses("eth1"), ["192.0.2.10/24", "2001:db8::10/64"]);
}
