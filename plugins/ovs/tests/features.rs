//! The OVS settings beyond plain ports, each from an nmstate-format file
//! applied through the daemon, checked in OVSDB with ovs-vsctl, shown by
//! `nipc show` as written and applied again with no change: bridge
//! options, an access and a trunk port, a bond of two veths, a patch pair
//! between two bridges, `ovs-db` columns and the MTU of an internal
//! interface.

mod common;

use common::*;
use serde_json::{Value, json};

/// Applies file `name`, then checks that the same file again changes
/// nothing (what show gives matches it: verification passed).
fn apply_twice(bed: &Bed, name: &str) {
    let r = bed.apply_ok(&state_file(name));
    assert_eq!(r["verified"], true, "{name}: {r:#}");
    let again = bed.apply_ok(&state_file(name));
    assert_eq!(again["changes"], json!([]), "{name}: {again:#}");
}

fn get(bed: &Bed, table: &str, row: &str, column: &str) -> String {
    bed.ovs
        .vsctl(&["get", table, row, column])
        .trim()
        .to_string()
}

#[test]
fn bridge_options_and_port_vlans() {
    let bed = Bed::new();
    apply_twice(&bed, "05-options-vlans.yml");
    assert_eq!(get(&bed, "Bridge", "br1", "stp_enable"), "true");
    assert_eq!(get(&bed, "Bridge", "br1", "rstp_enable"), "false");
    assert_eq!(get(&bed, "Bridge", "br1", "mcast_snooping_enable"), "true");
    assert_eq!(get(&bed, "Bridge", "br1", "fail_mode"), "secure");
    assert_eq!(get(&bed, "Port", "acc0", "tag"), "10");
    assert_eq!(get(&bed, "Port", "acc0", "vlan_mode"), "access");
    assert_eq!(
        get(&bed, "Port", "trk0", "trunks"),
        "[100, 101, 200, 201, 202, 203, 204, 205]"
    );
    assert_eq!(get(&bed, "Port", "trk0", "vlan_mode"), "trunk");
    let br = bed.show_iface("br1");
    let ports = br["bridge"]["port"].as_array().cloned().unwrap_or_default();
    let trk = ports
        .iter()
        .find(|p| p["name"] == "trk0")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(
        trk["vlan"],
        json!({"mode": "trunk", "trunk-tags": [
            {"id-range": {"min": 100, "max": 101}},
            {"id-range": {"min": 200, "max": 205}},
        ]}),
        "{br:#}"
    );

    // A trunk becomes an access port: one change of the port's row.
    bed.apply_ok(
        "interfaces:\n  - name: br1\n    type: ovs-bridge\n    bridge:\n      port:\n        - name: acc0\n        - name: trk0\n          vlan: {mode: access, tag: 20}\n",
    );
    assert_eq!(get(&bed, "Port", "trk0", "tag"), "20");
    assert_eq!(get(&bed, "Port", "trk0", "trunks"), "[]");
}

#[test]
fn bond_of_two_veths() {
    let bed = Bed::new();
    apply_twice(&bed, "06-bond.yml");
    assert_eq!(bed.ovs.ports("br2"), ["bond0"]);
    assert_eq!(get(&bed, "Port", "bond0", "bond_mode"), "balance-slb");
    assert_eq!(get(&bed, "Port", "bond0", "bond_updelay"), "100");
    assert_eq!(get(&bed, "Port", "bond0", "bond_downdelay"), "200");
    let members = bed.ovs.vsctl(&[
        "--format=csv",
        "--no-headings",
        "--columns=name",
        "list",
        "Interface",
    ]);
    assert!(
        members.contains("bnd0") && members.contains("bnd1"),
        "{members}"
    );
    let br = bed.show_iface("br2");
    assert_eq!(
        br["bridge"]["port"][0]["link-aggregation"]["port"],
        json!([{"name": "bnd0"}, {"name": "bnd1"}]),
        "{br:#}"
    );
    assert_eq!(bed.show_iface("bnd1")["controller"], "br2");
}

#[test]
fn patch_pair_between_two_bridges() {
    let bed = Bed::new();
    apply_twice(&bed, "07-patch-pair.yml");
    assert_eq!(get(&bed, "Interface", "patch-a", "type"), "patch");
    assert_eq!(get(&bed, "Interface", "patch-a", "options:peer"), "patch-b");
    assert_eq!(get(&bed, "Interface", "patch-b", "options:peer"), "patch-a");
    let ofport: i64 = get(&bed, "Interface", "patch-b", "ofport")
        .parse()
        .unwrap_or(-1);
    assert!(ofport > 0, "patch-b has ofport {ofport}");
    let a = bed.show_iface("patch-a");
    assert_eq!(a["type"], "ovs-interface", "{a:#}");
    assert_eq!(a["patch"]["peer"], "patch-b", "{a:#}");
    assert_eq!(a["controller"], "br-a", "{a:#}");
}

#[test]
fn ovs_db_columns_and_internal_mtu() {
    let bed = Bed::new();
    apply_twice(&bed, "08-ovs-db-mtu.yml");
    assert_eq!(
        get(&bed, "Interface", "ovs3", "external_ids:iface-id"),
        "port-3"
    );
    assert_eq!(get(&bed, "Bridge", "br3", "external_ids:bridge-id"), "br3");
    assert_eq!(
        get(&bed, "Bridge", "br3", "other_config:hwaddr"),
        "\"02:00:00:00:03:03\""
    );
    assert_eq!(bed.ns.link("ovs3").unwrap()["mtu"], 1400);
    // A key set later leaves the others alone.
    bed.apply_ok("interfaces:\n  - name: ovs3\n    ovs-db:\n      external_ids:\n        owner: someone-else\n");
    assert_eq!(
        get(&bed, "Interface", "ovs3", "external_ids:owner"),
        "someone-else"
    );
    assert_eq!(
        get(&bed, "Interface", "ovs3", "external_ids:iface-id"),
        "port-3"
    );
    let shown = bed.show_iface("ovs3");
    assert_eq!(
        shown["ovs-db"]["external_ids"]["iface-id"], "port-3",
        "{shown:#}"
    );
}
