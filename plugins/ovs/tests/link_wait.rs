//! The wait for an internal interface's kernel link learnt from the
//! monitor plugin (a one-shot rule "link added → ovs.link-appeared"),
//! beside OVSDB's own report of its `ofport`: an internal interface with
//! IPv4 and IPv6 addresses in the same state as its bridge gets them,
//! with the monitor plugin loaded (the other test files run without it:
//! the kernel is asked once).

mod common;

use common::*;

/// Whether the daemon's log says the monitor plugin's follow-up told
/// that `name`'s link appeared (the rule is registered before the
/// transaction that makes the interface, so the link always comes after).
fn learnt_from_monitor(log: &str, name: &str) -> bool {
    log.contains(&format!(
        "the monitor plugin saw the kernel link of {name} appear"
    ))
}

#[test]
fn internal_interfaces_get_their_addresses_once_the_monitor_saw_their_link() {
    let bed = Bed::with(&["nipart-plugin-monitor"]);
    let r = bed.apply_ok(&state_file("01-bridge-internal-ip.yml"));
    assert_eq!(r["verified"], true, "{r:#}");
    let addrs = bed.ns.addresses("ovs0");
    assert!(
        addrs.iter().any(|a| a == "192.0.2.10/24")
            && addrs.iter().any(|a| a == "2001:db8:10::10/64"),
        "{addrs:?}"
    );
    assert!(learnt_from_monitor(&bed.d.log(), "ovs0"), "{}", bed.d.log());

    // One more, on the bridge that exists: the same wait.
    bed.apply_ok(
        "interfaces:\n  - name: ovs5\n    type: ovs-interface\n    controller: br0\n    ipv4: {enabled: true, address: [{ip: 192.0.2.50, prefix-length: 24}]}\n",
    );
    assert!(
        bed.ns
            .addresses("ovs5")
            .iter()
            .any(|a| a == "192.0.2.50/24"),
        "{:?}",
        bed.ns.addresses("ovs5")
    );
    assert!(learnt_from_monitor(&bed.d.log(), "ovs5"), "{}", bed.d.log());
    // The one-shot rules are gone once they fired or held.
    let out = bed.nipc(&["-o", "json", "call", "monitor.rule.list", "{}"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        rules["rules"]
            .as_array()
            .is_some_and(|l| l.iter().all(|r| r["owner"] != "plugin:ovs")),
        "{rules:#}"
    );
}
