//! A varlink client nobody here wrote: the Python `varlink` package from
//! PyPI parses every interface description, calls Ping and Info, and reads
//! an error. Needs the Python package `varlink`, which `bash .ci/test` installs
//! in the project's virtual environment (`nipart_testkit::python_with`); the
//! test fails at once (it is never skipped) when it is missing.

mod api_daemon;
mod support;

use std::{path::Path, process::Command};

use api_daemon::daemon;
use serde_json::{Value, json};

#[test]
fn python_varlink_package_talks_to_the_daemon() {
    let python = nipart_testkit::python_with(&["varlink"]);
    let d = daemon().spawn();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/varlink_client.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(d.socket())
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        d.log()
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON from the script");
    assert_eq!(
        v["interfaces"],
        json!([
            "io.nipart.Daemon",
            "io.nipart.Events",
            "io.nipart.Network",
            "org.varlink.service"
        ])
    );
    for member in [
        "Ping",
        "Info",
        "Plugins",
        "SetLogLevel",
        "Plugin",
        "PermissionDenied",
    ] {
        assert!(
            v["parsed"]["io.nipart.Daemon"]
                .as_array()
                .unwrap()
                .contains(&json!(member)),
            "{member}: {v}"
        );
    }
    assert_eq!(
        v["parsed"]["io.nipart.Events"],
        json!(["Event", "InvalidPattern", "Monitor"])
    );
    assert_eq!(v["ping"], json!({}));
    assert_eq!(
        v["info"],
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "abi_version": "1.0.0",
            "plugin_dir": d.sandbox().plugin_dir().display().to_string(),
            "socket": d.socket().display().to_string(),
        })
    );
    assert_eq!(
        v["show_error"],
        json!(["io.nipart.Network.NoCommander", {"role": "commander", "message": "no plugin provides role commander"}])
    );
}
