//! A vendor's plugin serving a built-in role: `loader-tests/foreign/vendor-conf`,
//! written from the template and built out of tree (its own workspace and
//! target directory, the SDK of this checkout through `[patch.crates-io]`),
//! answers role `conf` in memory through the typed protocol only. A real
//! daemon (kernel, state, commander and that `.so`, in a fresh network
//! namespace) applies a veth pair: the commander takes its checkpoint from
//! the vendor's plugin (`vendor-1`), lists it, and rolls back to it.
//!
//! Needs root (a network namespace, a veth pair).

use std::{path::PathBuf, sync::OnceLock, time::Duration};

use nipart_loader_tests::{Netns, cargo, repo_root, run, target_dir};
use nipart_plugin_api::{Address, state::topics};
use nipart_testkit::DaemonBuilder;
use serde_json::{Value, json};

/// The vendor's `.so`, built once per process with its own target
/// directory, as a vendor builds it.
fn vendor_conf() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let own_target = target_dir().join("vendor-conf");
        run(cargo()
            .args(["build", "--quiet", "--offline", "--manifest-path"])
            .arg(repo_root().join("loader-tests/foreign/vendor-conf/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &own_target));
        let built = own_target.join("debug/libnipart_plugin_vendor_conf.so");
        assert!(built.is_file(), "{} was not built", built.display());
        built
    })
}

#[test]
fn a_vendor_plugin_built_out_of_tree_serves_role_conf_for_the_commander() {
    let ns = Netns::new();
    ns.ip("link set lo up");
    let mut daemon = DaemonBuilder::new()
        .netns(&ns)
        .workspace_plugins(&[
            "nipart-plugin-commander",
            "nipart-plugin-state",
            "nipart-plugin-kernel",
        ])
        .plugin(vendor_conf())
        .require(&["kernel", "state", "commander", "vendor-conf"])
        .start()
        .unwrap_or_else(|e| panic!("daemon start: {e}"));
    let client = daemon.client();
    let call = |topic: &str, params: Value| {
        client
            .call(
                topic,
                Address::role("commander"),
                &json!({
                    "method": topic,
                    "parameters": params,
                    "more": true,
                    "caller": {"uid": 0, "gid": 0, "pid": 1, "admin": true},
                }),
                Duration::from_secs(120),
            )
            .result()
            .unwrap_or_else(|e| panic!("{topic}: {e}"))
    };
    let has_v1 = |ns: &Netns| {
        ns.ip_json("link show")
            .to_string()
            .contains("\"vendor-v1\"")
    };

    call(
        topics::APPLY,
        json!({"state": {"interfaces": [
            {"name": "vendor-v1", "type": "veth", "veth": {"peer": "vendor-v1-ep"}}
        ]}, "options": {}}),
    );
    assert!(has_v1(&ns), "the apply made no veth");

    // The commander took its checkpoint from the vendor's plugin.
    let list = call(topics::LIST_CHECKPOINTS, json!({}));
    assert_eq!(list["checkpoints"][0]["id"], "vendor-1", "{list:#}");

    // And restores it through that plugin.
    call(topics::ROLLBACK, json!({"checkpoint": "vendor-1"}));
    assert!(!has_v1(&ns), "the rollback left the veth");
    // Every checkpoint, the rollback's own included, is the vendor's.
    let list = call(topics::LIST_CHECKPOINTS, json!({}));
    let ids: Vec<&str> = list["checkpoints"]
        .as_array()
        .expect("a list of checkpoints")
        .iter()
        .map(|c| c["id"].as_str().expect("an id"))
        .collect();
    assert!(
        ids.len() >= 2 && ids.iter().all(|id| id.starts_with("vendor-")),
        "{list:#}"
    );

    drop(client);
    let problems = daemon.shutdown();
    assert!(problems.is_empty(), "{problems:?}");
}
