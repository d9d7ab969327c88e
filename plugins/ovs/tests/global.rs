//! The host-wide OVS settings, in nmstate's schema: the top-level
//! `ovs-db` (the `Open_vSwitch` row's `external_ids` and `other_config`)
//! and `ovn.bridge-mappings` (that row's
//! `external_ids:ovn-bridge-mappings`), through the real daemon and a real
//! `ovsdb-server`: set, removed, emptied, shown, applied back with no
//! change, rolled back exactly, saved by the conf plugin and applied again
//! at start.

mod common;

use common::*;
use nipart_plugin_api::state::NetworkState;
use serde_json::json;

/// The `Open_vSwitch` row's `COLUMN:KEY` (`None` when the key is missing).
fn root_key(bed_ovs: &Ovs, column: &str, key: &str) -> Option<String> {
    bed_ovs
        .try_vsctl(&["get", "Open_vSwitch", ".", &format!("{column}:{key}")])
        .ok()
        .map(|v| v.trim().trim_matches('"').to_string())
}

/// The `Open_vSwitch` row's two columns, as ovs-vsctl prints them.
fn root_columns(bed_ovs: &Ovs) -> String {
    bed_ovs.vsctl(&[
        "--columns=external_ids,other_config",
        "list",
        "Open_vSwitch",
    ])
}

/// `show` printed as YAML and applied again changes nothing.
fn round_trips(bed: &Bed) {
    let shown = bed.show(None);
    let again = bed.apply_ok(&serde_json::to_string(&shown).expect("JSON"));
    assert_eq!(again["changes"], json!([]), "{again:#}\nshown: {shown:#}");
}

#[test]
fn top_level_ovs_db_keys_are_set_removed_and_emptied() {
    let bed = Bed::new();
    let r = bed.apply_ok(&state_file("10-ovs-db-global.yml"));
    assert_eq!(r["verified"], true, "{r:#}");
    let ovs = &bed.ovs;
    assert_eq!(
        root_key(ovs, "external_ids", "ovn-encap-ip").as_deref(),
        Some("192.0.2.7")
    );
    assert_eq!(
        root_key(ovs, "other_config", "stats-update-interval").as_deref(),
        Some("10000")
    );
    // The test bed's own key was left alone.
    assert_eq!(
        root_key(ovs, "external_ids", "nipart-test").as_deref(),
        Some("ready")
    );
    let shown = bed.show(None);
    assert_eq!(
        shown["ovs-db"]["external_ids"]["ovn-encap-type"], "geneve",
        "{shown:#}"
    );
    assert_eq!(
        shown["ovs-db"]["other_config"],
        json!({"stats-update-interval": "10000"})
    );
    round_trips(&bed);
    let again = bed.apply_ok(&state_file("10-ovs-db-global.yml"));
    assert_eq!(again["changes"], json!([]), "{again:#}");

    // `null` removes a key, the others stay.
    bed.apply_ok("ovs-db:\n  external_ids:\n    ovn-encap-type: null\n");
    assert_eq!(root_key(ovs, "external_ids", "ovn-encap-type"), None);
    assert!(root_key(ovs, "external_ids", "ovn-encap-ip").is_some());
    assert!(root_key(ovs, "other_config", "stats-update-interval").is_some());

    // An empty column is emptied; the other stays.
    bed.apply_ok("ovs-db:\n  other_config: {}\n");
    assert!(
        root_columns(ovs).contains("other_config        : {}"),
        "{}",
        root_columns(ovs)
    );
    assert!(root_key(ovs, "external_ids", "ovn-encap-ip").is_some());

    // `ovs-db: {}` empties both.
    let r = bed.apply_ok("ovs-db: {}\n");
    assert_eq!(r["verified"], true, "{r:#}");
    let cols = root_columns(ovs);
    assert!(
        cols.contains("external_ids        : {}") && cols.contains("other_config        : {}"),
        "{cols}"
    );
    assert_eq!(
        bed.show(None)["ovs-db"],
        json!({"external_ids": {}, "other_config": {}})
    );
}

#[test]
fn ovn_bridge_mappings_are_one_external_id_shown_as_ovn() {
    let bed = Bed::new();
    let ovs = &bed.ovs;
    let r = bed.apply_ok(&state_file("11-ovn-mappings.yml"));
    assert_eq!(r["verified"], true, "{r:#}");
    assert_eq!(
        root_key(ovs, "external_ids", "ovn-bridge-mappings").as_deref(),
        Some("net1:br-phys1,net2:br-phys2")
    );
    let shown = bed.show(None);
    assert_eq!(
        shown["ovn"],
        json!({"bridge-mappings": [
            {"localnet": "net1", "bridge": "br-phys1"},
            {"localnet": "net2", "bridge": "br-phys2"},
        ]}),
        "{shown:#}"
    );
    assert!(
        shown["ovs-db"]["external_ids"]
            .get("ovn-bridge-mappings")
            .is_none(),
        "shown once, as ovn: {shown:#}"
    );
    round_trips(&bed);

    // One mapping changed, one removed, one added; the others stay.
    bed.apply_ok(
        "ovn:\n  bridge-mappings:\n    - {localnet: net1, bridge: br-x}\n    - {localnet: net2, state: absent}\n    - {localnet: net3, bridge: br-phys3}\n",
    );
    assert_eq!(
        root_key(ovs, "external_ids", "ovn-bridge-mappings").as_deref(),
        Some("net1:br-x,net3:br-phys3")
    );

    // Emptying external_ids keeps the mappings (they are `ovn`'s).
    bed.apply_ok("ovs-db:\n  external_ids: {}\n");
    assert_eq!(root_key(ovs, "external_ids", "nipart-test"), None);
    assert_eq!(
        root_key(ovs, "external_ids", "ovn-bridge-mappings").as_deref(),
        Some("net1:br-x,net3:br-phys3")
    );

    // Their key through ovs-db is refused, naming the path.
    let out = bed.apply("ovs-db:\n  external_ids:\n    ovn-bridge-mappings: net9:br9\n");
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("ovs-db.external_ids.ovn-bridge-mappings") && err.contains("`ovn` section"),
        "{err}"
    );

    // The last mapping removed: no `ovn` shown, no external id left.
    bed.apply_ok(
        "ovn:\n  bridge-mappings:\n    - {localnet: net1, state: absent}\n    - {localnet: net3, state: absent}\n",
    );
    assert_eq!(root_key(ovs, "external_ids", "ovn-bridge-mappings"), None);
    assert_eq!(bed.show(None).get("ovn"), None);
}

#[test]
fn ovs_db_and_ovn_are_rolled_back_exactly() {
    let bed = Bed::new();
    let ovs = &bed.ovs;
    bed.apply_ok(&state_file("10-ovs-db-global.yml"));
    bed.apply_ok(&state_file("11-ovn-mappings.yml"));
    let before = root_columns(ovs);

    // Changed, then rolled back by hand.
    let out = bed.nipc(&[
        "-o",
        "json",
        "apply",
        "--no-commit",
        &{
            let f = ovs.dir.path().join("change.yml");
            std::fs::write(
                &f,
                "ovs-db:\n  external_ids:\n    ovn-encap-ip: null\n    added: 'yes'\n  other_config: {}\novn:\n  bridge-mappings:\n    - {localnet: net1, state: absent}\n    - {localnet: net4, bridge: br4}\n",
            )
            .expect("writing change.yml");
            f.display().to_string()
        },
    ]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stderr),
        bed.d.log()
    );
    assert_ne!(root_columns(ovs), before);
    let out = bed.nipc(&["rollback"]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stderr),
        bed.d.log()
    );
    assert_eq!(root_columns(ovs), before);

    // Changed in an apply that fails verification: rolled back too.
    // (ovs-vswitchd can't give a tap device an MTU of 70000.)
    let out = bed.apply(
        "ovs-db:\n  external_ids:\n    added: 'yes'\novn:\n  bridge-mappings:\n    - {localnet: net2, bridge: br-other}\ninterfaces:\n  - {name: ovs9, type: ovs-interface, mtu: 70000}\n  - {name: br9, type: ovs-bridge, bridge: {options: {datapath: netdev}, port: [{name: ovs9}]}}\n",
    );
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("verification failed") && err.contains("rolled back"),
        "{err}"
    );
    assert_eq!(root_columns(ovs), before);
}

#[test]
fn saved_ovs_db_and_ovn_are_applied_again_at_start() {
    let ns = Netns::new();
    ns.ip("link set lo up");
    let ovs = Ovs::start(&ns);
    let mut d = builder(&ns, &ovs.socket(), &["nipart-plugin-conf"])
        .conf("# the saved state in the sandbox")
        .build();
    d.start();
    let file = ovs.dir.path().join("state.yml");
    std::fs::write(&file, state_file("10-ovs-db-global.yml")).expect("writing");
    let out = nipc(&d, &["apply", file.to_str().expect("UTF-8")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), d.log());
    std::fs::write(&file, state_file("11-ovn-mappings.yml")).expect("writing");
    let out = nipc(&d, &["apply", file.to_str().expect("UTF-8")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), d.log());
    std::fs::write(&file, "ovs-db: {external_ids: {ovn-encap-type: null}}\n").expect("writing");
    let out = nipc(&d, &["apply", file.to_str().expect("UTF-8")]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), d.log());

    let saved_file = d.sandbox().conf_dirs().0.join("state.yml");
    let saved =
        NetworkState::from_yaml(&std::fs::read_to_string(&saved_file).expect("the saved state"))
            .expect("the saved state parses")
            .to_value();
    assert_eq!(
        saved["ovs-db"]["external_ids"],
        json!({"ovn-encap-ip": "192.0.2.7", "ovn-encap-type": null}),
        "{saved:#?}"
    );
    assert_eq!(saved["ovn"]["bridge-mappings"][0]["localnet"], "net1");

    // Lost while the daemon was stopped; the boot apply gives them back.
    d.stop(PATIENCE);
    ovs.vsctl(&[
        "remove",
        "Open_vSwitch",
        ".",
        "external_ids",
        "ovn-encap-ip",
    ]);
    ovs.vsctl(&[
        "remove",
        "Open_vSwitch",
        ".",
        "external_ids",
        "ovn-bridge-mappings",
    ]);
    ovs.vsctl(&[
        "set",
        "Open_vSwitch",
        ".",
        "external_ids:ovn-encap-type=vxlan",
    ]);
    d.start();
    wait_for(PATIENCE, "the boot apply", || {
        (root_key(&ovs, "external_ids", "ovn-bridge-mappings").as_deref()
            == Some("net1:br-phys1,net2:br-phys2"))
        .then_some(())
    });
    assert_eq!(
        root_key(&ovs, "external_ids", "ovn-encap-ip").as_deref(),
        Some("192.0.2.7")
    );
    assert_eq!(root_key(&ovs, "external_ids", "ovn-encap-type"), None);
}

#[test]
fn a_row_beyond_the_schemas_limits_is_left_out_of_the_state_not_the_bridges() {
    let bed = Bed::new();
    bed.apply_ok(&state_file("09-empty-bridge.yml"));
    // Another tool wrote more keys than a state may give (256).
    let keys: Vec<String> = (0..300).map(|i| format!("external_ids:k{i}=v")).collect();
    let mut args = vec!["set", "Open_vSwitch", "."];
    args.extend(keys.iter().map(String::as_str));
    bed.ovs.vsctl(&args);
    let shown = bed.show(None);
    assert_eq!(shown.get("ovs-db"), None, "{shown:#}");
    let names: Vec<&str> = shown["interfaces"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(
        names.contains(&"br9"),
        "the bridges are still shown: {shown:#}"
    );
    assert!(
        bed.d.log().contains("the Open_vSwitch row is not shown"),
        "{}",
        bed.d.log()
    );
}
