//! OVS on the kernel datapath (`datapath: system`, the `openvswitch`
//! module), which the test machines' kernel lacks: this whole binary runs
//! in the test VM where it must (`full_kernel!`, one boot; docs/testing.md).
//! One test walks the bed through every case, each from an nmstate-format
//! file (tests/states/kernel-*.yml), checked in OVSDB with ovs-vsctl and in
//! the kernel with ip: a bridge of the system datapath with a system port
//! (a veth) and an internal interface carrying IPv4 and IPv6 (the module's
//! own link, not a tap), shown and round-tripping; a bond of two veths; an
//! apply that fails verification rolled back with OVSDB's content as
//! before; absent removing the bridge with its ports.

mod common;

use common::*;
use nipart_testkit::full_kernel;
use serde_json::{Value, json};

fn get(bed: &Bed, table: &str, row: &str, column: &str) -> String {
    bed.ovs
        .vsctl(&["get", table, row, column])
        .trim()
        .to_string()
}

fn link_kind(bed: &Bed, name: &str) -> Value {
    bed.ns
        .link(name)
        .unwrap_or_else(|| panic!("the kernel has no link {name}"))["linkinfo"]["info_kind"]
        .clone()
}

#[test]
fn kernel_datapath_bridge_internal_ip_bond_rollback_and_absent() {
    full_kernel!("openvswitch");
    let bed = Bed::kernel_datapath();

    // A bridge of the system datapath, a veth and an internal interface
    // with IPv4 and IPv6.
    let r = bed.apply_ok(&state_file("kernel-01-bridge-internal-ip.yml"));
    assert_eq!(r["verified"], true, "{r:#}");
    assert_eq!(bed.ovs.ports("kbr0"), ["kovs0", "kp0"]);
    assert_eq!(get(&bed, "Bridge", "kbr0", "datapath_type"), "system");
    assert_eq!(get(&bed, "Interface", "kovs0", "type"), "internal");
    // The module's internal link (a tap would be `tun`), and the kernel's
    // datapath has both ports.
    assert_eq!(link_kind(&bed, "kovs0"), "openvswitch");
    let dp = bed.ovs.appctl(&["dpif/show"]);
    assert!(
        dp.contains("system@ovs-system") && dp.contains("kovs0") && dp.contains("kp0"),
        "{dp}"
    );
    let addrs = bed.ns.addresses("kovs0");
    assert!(addrs.iter().any(|a| a == "192.0.2.20/24"), "{addrs:?}");
    assert!(addrs.iter().any(|a| a == "2001:db8:20::20/64"), "{addrs:?}");

    let br = bed.show_iface("kbr0");
    assert_eq!(br["type"], "ovs-bridge", "{br:#}");
    assert_eq!(br["bridge"]["options"]["datapath"], "system", "{br:#}");
    let kovs0 = bed.show_iface("kovs0");
    assert_eq!(kovs0["type"], "ovs-interface", "{kovs0:#}");
    assert_eq!(kovs0["controller"], "kbr0", "{kovs0:#}");
    assert_eq!(bed.show_iface("kp0")["controller"], "kbr0");
    // Round trip: what show gives, applied again, changes nothing.
    let shown = json!({"interfaces": [br, kovs0, bed.show_iface("kp0")]});
    let again = bed.apply_ok(&serde_json::to_string(&shown).unwrap());
    assert_eq!(again["changes"], json!([]), "{again:#}");

    // A bond of two veths on the same bridge (the daemon's default
    // datapath, system), and the same file again changes nothing.
    let r = bed.apply_ok(&state_file("kernel-02-bond.yml"));
    assert_eq!(r["verified"], true, "{r:#}");
    let again = bed.apply_ok(&state_file("kernel-02-bond.yml"));
    assert_eq!(again["changes"], json!([]), "{again:#}");
    assert_eq!(bed.ovs.ports("kbr0"), ["kbond0", "kovs0", "kp0"]);
    assert_eq!(get(&bed, "Port", "kbond0", "bond_mode"), "active-backup");
    let dp = bed.ovs.appctl(&["dpif/show"]);
    assert!(dp.contains("kbnd0") && dp.contains("kbnd1"), "{dp}");
    let br = bed.show_iface("kbr0");
    let bond = br["bridge"]["port"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p["name"] == "kbond0"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        bond["link-aggregation"]["port"],
        json!([{"name": "kbnd0"}, {"name": "kbnd1"}]),
        "{br:#}"
    );
    assert_eq!(bed.show_iface("kbnd1")["controller"], "kbr0");

    // An internal interface the module can't give its MTU: verification
    // fails, and OVSDB and the kernel are as before.
    let before = bed.ovs.content();
    let out = bed.apply(&state_file("kernel-03-mtu-not-applied.yml"));
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("verification failed") && err.contains("rolled back"),
        "{err}"
    );
    assert_eq!(bed.ovs.content(), before);
    wait_for(PATIENCE, "kovs1 to go", || {
        bed.ns.link("kovs1").is_none().then_some(())
    });
    let addrs = bed.ns.addresses("kovs0");
    assert!(addrs.iter().any(|a| a == "192.0.2.20/24"), "{addrs:?}");

    // Absent: the bridge goes with its ports and the internal link; the
    // veths stay.
    bed.apply_ok(&state_file("kernel-04-absent.yml"));
    assert_eq!(bed.ovs.vsctl(&["list-br"]).trim(), "");
    assert_eq!(
        bed.ovs
            .vsctl(&["--columns=name", "list", "Interface"])
            .trim(),
        ""
    );
    wait_for(PATIENCE, "kovs0 to go", || {
        bed.ns.link("kovs0").is_none().then_some(())
    });
    for veth in ["kp0", "kbnd0", "kbnd1"] {
        assert!(bed.ns.link(veth).is_some(), "the veth {veth} stays");
        assert!(
            bed.show_iface(veth)
                .get("controller")
                .is_none_or(|c| c == ""),
            "{veth} is out of OVS"
        );
    }
    assert_eq!(bed.show_iface("kbr0"), Value::Null);
}
