//! The packaged daemon under a real systemd: the test VM (docs/testing.md)
//! boots with systemd as init over the host's root (read-only, with a
//! writable overlay), installs the `.deb`s of `packaging/build` there and
//! drives `nipartd.service` (`packaging/tests/vm/under-systemd`, which
//! reports what it finds; the asserts are here). One boot for all of it:
//! start to `active` through READY=1; the unit's sandbox lets the daemon
//! configure links, save its state and checkpoints and take a DHCP lease
//! (dnsmasq in a namespace inside the VM); `systemctl reload` re-reads the
//! configuration; a hung daemon (SIGSTOP) is restarted by the watchdog; the
//! journal carries the plugins' `NIPART_PLUGIN` field; `systemctl stop`
//! stops it cleanly.

use std::{collections::BTreeMap, process::Command};

use nipart_packaging_tests::{DHCP_PACKAGE, packages};
use nipart_testkit::{repo_root, target_dir, vm};

#[test]
fn the_packaged_daemon_runs_under_systemd() {
    nipart_testkit::require_all(&["qemu-system-x86_64", "depmod", "busybox", "xz"]);
    let p = packages();
    let script = repo_root().join("packaging/tests/vm/under-systemd");
    let console = tempfile::NamedTempFile::new().expect("a console file");
    let out = Command::new(vm::runner())
        .env("NIPART_VM_DIR", target_dir().join("vm"))
        .args(["run", "--systemd", "--memory", "1024", "--console"])
        .arg(console.path())
        .arg("--")
        .arg(&script)
        .arg(p.deb("nipart"))
        .arg(p.deb(DHCP_PACKAGE))
        .output()
        .expect("running nipart-vm");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    let console_text = std::fs::read_to_string(console.path()).unwrap_or_default();
    let context = format!(
        "{report}\n---- nipart-vm ----\n{}\n---- the end of the console ----\n{}",
        String::from_utf8_lossy(&out.stderr),
        console_text
            .lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Shown with --nocapture (and when the test fails).
    println!("{report}");
    assert!(out.status.success(), "the script failed:\n{context}");
    let facts: BTreeMap<&str, &str> = report
        .lines()
        .take_while(|l| !l.starts_with("---- "))
        .filter_map(|l| l.split_once('='))
        .collect();
    let fact = |key: &str| *facts.get(key).unwrap_or(&"<missing>");
    let expect = |key: &str, want: &str| {
        assert_eq!(fact(key), want, "{key}:\n{context}");
    };

    expect("install", "0");
    // /lib is /usr/lib on a merged-/usr system.
    assert!(
        fact("unit_file").ends_with("/lib/systemd/system/nipartd.service"),
        "unit_file:\n{context}"
    );
    // Started through READY=1 (Type=notify), with the daemon's status.
    expect("start", "0");
    expect("active", "active");
    assert!(!fact("status_text").is_empty(), "no STATUS=:\n{context}");
    // The sandbox lets it change links, save the state, keep checkpoints
    // and take a lease.
    expect("apply", "0");
    expect("sd0_address", "192.0.2.10/24");
    assert_ne!(fact("saved_state"), "0", "state.yml:\n{context}");
    assert!(
        fact("checkpoints").parse::<u32>().is_ok_and(|n| n >= 1),
        "checkpoints:\n{context}"
    );
    expect("dhcp_apply", "0");
    expect("lease_file", "present");
    assert!(
        fact("dh0_address").starts_with("198.51.100."),
        "dh0_address:\n{context}"
    );
    // Reload re-reads the configuration in the same process.
    expect("reload", "0");
    assert_ne!(fact("reloaded"), "0", "reloaded:\n{context}");
    expect("pid_after_reload", "same");
    // The watchdog restarts a hung daemon.
    expect("restarted", "yes");
    expect("active_after_restart", "active");
    assert!(
        fact("n_restarts").parse::<u32>().is_ok_and(|n| n >= 1),
        "n_restarts:\n{context}"
    );
    assert_ne!(fact("watchdog_logged"), "0", "watchdog:\n{context}");
    // The plugins' records carry their name.
    let plugins: Vec<&str> = fact("plugin_fields").split(',').collect();
    assert!(
        plugins
            .iter()
            .any(|p| ["commander", "conf", "kernel", "monitor", "state", "dhcp"].contains(p)),
        "NIPART_PLUGIN values {plugins:?}:\n{context}"
    );
    // Stopped cleanly.
    expect("stop", "0");
    expect("active_after_stop", "inactive");
    expect("result", "success");
    expect("exit_status", "0");
}
