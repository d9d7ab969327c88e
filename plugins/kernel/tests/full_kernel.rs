//! Interface types that need kernel modules the test machines' kernel may
//! lack (`dummy`, `bonding`, `8021q`): each test says so with
//! `nipart_testkit::full_kernel!` and runs, where the kernel lacks them, in
//! the test VM (`docs/testing.md`), all of this file's tests in one boot.
//! They are the pattern for the interface types' tests. (Root: creates
//! namespaces.)

use std::process::Command;

use nipart_testkit::{DaemonBuilder, Netns, full_kernel};
use nispor::{IfaceType, NetState};
use serde_json::Value;

/// The interfaces of `ns` as nispor reads them from the kernel there.
fn nispor_state(ns: &Netns) -> NetState {
    ns.run_inside(|| NetState::retrieve().expect("nispor reads the namespace"))
}

#[test]
fn a_vlan_on_a_bond_on_a_dummy_made_with_ip_is_what_nispor_reads() {
    full_kernel!("dummy", "bonding", "8021q");
    let ns = Netns::new();
    ns.ip_batch(
        "link add fk-d0 type dummy
         link add fk-bond0 type bond mode active-backup miimon 100
         link set fk-d0 master fk-bond0
         link add link fk-bond0 name fk-bond0.10 type vlan id 10
         link set fk-bond0 up",
    );
    let state = nispor_state(&ns);
    let bond = &state.ifaces["fk-bond0"];
    assert_eq!(bond.iface_type, IfaceType::Bond);
    let info = bond.bond.as_ref().expect("bond information");
    assert_eq!(info.ports, ["fk-d0"]);
    assert_eq!(info.miimon, Some(100));
    assert_eq!(state.ifaces["fk-d0"].iface_type, IfaceType::Dummy);
    assert_eq!(
        state.ifaces["fk-d0"].controller.as_deref(),
        Some("fk-bond0")
    );
    let vlan = &state.ifaces["fk-bond0.10"];
    assert_eq!(vlan.iface_type, IfaceType::Vlan);
    let info = vlan.vlan.as_ref().expect("VLAN information");
    assert_eq!((info.vlan_id, info.base_iface.as_str()), (10, "fk-bond0"));
}

#[test]
fn the_daemon_with_its_plugins_shows_a_bond_and_applies_to_it() {
    full_kernel!("dummy", "bonding");
    let ns = Netns::new();
    ns.ip("link set lo up");
    // veth works in the VM too: a pair across two namespaces.
    let peer = Netns::new();
    ns.ip(&format!(
        "link add fk-v0 type veth peer fk-v1 netns {}",
        peer.name
    ));
    ns.ip_batch(
        "link add fk-d1 type dummy
         link add fk-bond1 type bond
         link set fk-d1 master fk-bond1",
    );
    let daemon = DaemonBuilder::new()
        .workspace_plugins(&[
            "nipart-plugin-kernel",
            "nipart-plugin-state",
            "nipart-plugin-commander",
        ])
        .require(&["kernel", "state", "commander"])
        .netns(&ns)
        .spawn();
    let dir = nipart_testkit::build_in_workspace(&["-p", "nipc", "--bin", "nipc"]);
    let nipc = |args: &[&str]| {
        let out = Command::new(dir.join("nipc"))
            .arg("--socket")
            .arg(daemon.socket())
            .args(args)
            .output()
            .expect("running nipc");
        assert!(
            out.status.success(),
            "nipc {args:?}: {}\n---- the daemon's log ----\n{}",
            String::from_utf8_lossy(&out.stderr),
            daemon.log()
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    let shown: Value = serde_json::from_str(&nipc(&["-o", "json", "show"])).expect("JSON");
    let names: Vec<&str> = shown["interfaces"]
        .as_array()
        .expect("interfaces")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    for name in ["fk-bond1", "fk-d1", "fk-v0"] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }

    // An apply through the commander and the kernel plugin to the bond.
    let file = daemon.sandbox().path("state.yml");
    std::fs::write(
        &file,
        "interfaces:\n  - name: fk-bond1\n    state: up\n    mtu: 1400\n",
    )
    .expect("writing the state file");
    nipc(&["apply", file.to_str().expect("UTF-8 path")]);
    let link = ns.link("fk-bond1").expect("the bond");
    assert_eq!(link["mtu"], 1400, "{link}");
    assert!(
        link["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .any(|f| f == "UP"),
        "{link}"
    );
}
