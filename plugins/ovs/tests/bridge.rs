//! OVS bridges through the whole daemon: a bridge with a system port and an
//! internal interface carrying IPv4 and IPv6 (the kernel's addresses after
//! OVS made the interface), shown from OVSDB and round-tripping; `absent`;
//! a system port detached; an apply that fails verification rolled back
//! with OVSDB's content as before.

mod common;

use common::*;
use serde_json::{Value, json};

fn names(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    out.sort();
    out
}

#[test]
fn bridge_with_internal_interface_carrying_ipv4_and_ipv6() {
    let bed = Bed::new();
    bed.apply_ok(&state_file("01-bridge-internal-ip.yml"));

    assert_eq!(bed.ovs.ports("br0"), ["ovs0", "ovsp0"]);
    assert_eq!(
        bed.ovs.vsctl(&["get", "Interface", "ovs0", "type"]).trim(),
        "internal"
    );
    let addrs = bed.ns.addresses("ovs0");
    assert!(addrs.iter().any(|a| a == "192.0.2.10/24"), "{addrs:?}");
    assert!(addrs.iter().any(|a| a == "2001:db8:10::10/64"), "{addrs:?}");

    let br = bed.show_iface("br0");
    assert_eq!(br["type"], "ovs-bridge", "{br:#}");
    assert_eq!(names(&br["bridge"]["port"]), ["ovs0", "ovsp0"], "{br:#}");
    assert_eq!(br["bridge"]["options"]["datapath"], "netdev", "{br:#}");
    let ovs0 = bed.show_iface("ovs0");
    assert_eq!(ovs0["type"], "ovs-interface", "{ovs0:#}");
    assert_eq!(ovs0["controller"], "br0", "{ovs0:#}");
    assert_eq!(bed.show_iface("ovsp0")["controller"], "br0");
    // `show IFACE` finds a bridge, which has no kernel link.
    assert_eq!(bed.show(Some("br0"))["interfaces"][0]["type"], "ovs-bridge");

    // Round trip: what show gives, applied again, changes nothing.
    let shown = json!({"interfaces": [br, ovs0, bed.show_iface("ovsp0")]});
    let again = bed.apply_ok(&serde_json::to_string(&shown).unwrap());
    assert_eq!(again["changes"], json!([]), "{again:#}");
    // The same file again changes nothing either.
    let again = bed.apply_ok(&state_file("01-bridge-internal-ip.yml"));
    assert_eq!(again["changes"], json!([]), "{again:#}");
}

#[test]
fn absent_bridge_goes_with_its_ports_and_a_port_can_be_detached() {
    let bed = Bed::new();
    bed.apply_ok(&state_file("01-bridge-internal-ip.yml"));

    bed.apply_ok(&state_file("03-port-detached.yml"));
    assert_eq!(bed.ovs.ports("br0"), ["ovs0"]);
    assert!(
        bed.show_iface("ovsp0")
            .get("controller")
            .is_none_or(|c| c == "")
    );
    assert!(bed.ns.link("ovsp0").is_some(), "the veth stays");

    bed.apply_ok(&state_file("02-bridge-absent.yml"));
    assert!(bed.ovs.try_vsctl(&["br-exists", "br0"]).is_err());
    assert_eq!(bed.ovs.vsctl(&["list-br"]).trim(), "");
    // The internal interface went with its port.
    wait_for(PATIENCE, "ovs0 to go", || {
        bed.ns.link("ovs0").is_none().then_some(())
    });
    assert!(bed.ns.link("ovsp0").is_some(), "the veth stays");
    assert_eq!(bed.show_iface("br0"), Value::Null);
}

#[test]
fn failed_verification_rolls_ovsdb_back_exactly() {
    let bed = Bed::new();
    bed.apply_ok(&state_file("01-bridge-internal-ip.yml"));
    let before = bed.ovs.content();

    let out = bed.apply(&state_file("04-mtu-not-applied.yml"));
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("verification failed") && err.contains("mtu"),
        "{err}"
    );
    assert!(err.contains("rolled back"), "{err}");

    assert_eq!(bed.ovs.content(), before);
    wait_for(PATIENCE, "ovs1 to go", || {
        bed.ns.link("ovs1").is_none().then_some(())
    });
    let addrs = bed.ns.addresses("ovs0");
    assert!(addrs.iter().any(|a| a == "192.0.2.10/24"), "{addrs:?}");
}
