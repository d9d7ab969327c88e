//! The plugin and `ovsdb-server`'s life: killed and restarted while the
//! daemon runs (the plugin says so, an apply in between fails at once with
//! a clear error and is rolled back, and after the restart it reconnects
//! and applies again); not running at all (the plugin says where it
//! looked, the daemon and the other plugins run on).

mod common;

use std::time::{Duration, Instant};

use common::*;

#[test]
fn ovsdb_server_killed_and_restarted_while_the_daemon_runs() {
    let mut bed = Bed::new();
    bed.apply_ok(&state_file("01-bridge-internal-ip.yml"));
    let socket = bed.ovs.socket().display().to_string();

    bed.ovs.kill_db();
    wait_for(PATIENCE, "the plugin to say it lost ovsdb-server", || {
        bed.d
            .log()
            .contains(&format!("lost ovsdb-server at {socket}"))
            .then_some(())
    });
    let started = Instant::now();
    let out = bed.apply(&state_file("09-empty-bridge.yml"));
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the apply hung"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("role ovs failed to apply")
            && err.contains(&format!("not connected to ovsdb-server at {socket}"))
            && err.contains("rolled back"),
        "{err}"
    );
    // The kernel's part of the state is still there.
    assert!(
        bed.ns
            .addresses("ovs0")
            .iter()
            .any(|a| a == "192.0.2.10/24")
    );

    bed.ovs.start_db();
    // The plugin's own lines (errors quote "not connected to …").
    let connected = format!("connected to ovsdb-server at {socket}");
    wait_for(PATIENCE, "the plugin to reconnect", || {
        let log = bed.d.log();
        let n = log
            .lines()
            .filter(|l| l.contains(&connected) && !l.contains("not connected"))
            .count();
        (n >= 2).then_some(())
    });
    bed.apply_ok(&state_file("09-empty-bridge.yml"));
    assert_eq!(
        bed.ovs.vsctl(&["list-br"]).lines().collect::<Vec<_>>(),
        ["br0", "br9"]
    );
    assert_eq!(bed.show_iface("br9")["type"], "ovs-bridge");
}

#[test]
fn ovsdb_server_not_running_at_all() {
    let ns = Netns::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let socket = dir.path().join("db.sock");
    let d = daemon(&ns, &socket);
    let where_ = socket.display().to_string();
    wait_for(PATIENCE, "the plugin to say where it looked", || {
        d.log()
            .contains(&format!("ovsdb-server is not reachable at {where_}"))
            .then_some(())
    });
    let file = dir.path().join("state.yml");
    // The kernel's applies work.
    std::fs::write(
        &file,
        "interfaces:\n  - name: veth9\n    type: veth\n    veth: {peer: veth9-ep}\n",
    )
    .unwrap();
    let out = nipc(&d, &["apply", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}\n{}", text(&out.stderr), d.log());
    assert!(ns.link("veth9").is_some());
    // One with OVS fails, saying why.
    std::fs::write(&file, state_file("09-empty-bridge.yml")).unwrap();
    let out = nipc(&d, &["apply", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("not connected to ovsdb-server at {where_}")),
        "{err}"
    );
    let out = nipc(&d, &["show", "veth9"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
