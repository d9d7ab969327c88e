//! End to end: the real `nipartd` binary in a network namespace with the
//! kernel, state and commander plugins, driven by the real `nipc` over the
//! API socket.

mod common;

use std::process::{Command, Output};

use common::{Netns, artifacts, netns};
use nipart_plugin_api::state::NetworkState;
use nipart_testkit::{DaemonBuilder, DaemonProcess, nipc_binary};
use serde_json::Value;

/// The daemon as a child process inside the namespace (the test kit's
/// `DaemonProcess`); killed on drop.
struct Daemon {
    process: DaemonProcess,
}

impl Daemon {
    fn start(ns: &Netns) -> Daemon {
        let a = artifacts();
        let process = DaemonBuilder::new()
            .plugin(&a.kernel)
            .plugin(&a.state)
            .plugin(&a.commander)
            .netns(ns)
            .spawn();
        Daemon { process }
    }

    fn nipc(&self, args: &[&str]) -> Output {
        Command::new(nipc_binary())
            .arg("--socket")
            .arg(self.process.socket())
            .args(args)
            .output()
            .expect("running nipc")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn nipc_apply_and_show_through_the_daemon() {
    let ns = netns();
    let d = Daemon::start(&ns);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state.yml");
    std::fs::write(
        &file,
        "interfaces:
  - name: e2e0
    type: veth
    state: up
    mtu: 1400
    veth:
      peer: e2e0-ep
    ipv4:
      enabled: true
      address:
        - ip: 192.0.2.7
          prefix-length: 24
",
    )
    .unwrap();
    let out = d.nipc(&["apply", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "apply: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // Progress reaches the operator on stderr, one line per step.
    assert!(
        text(&out.stderr).contains("\nverify: "),
        "{}",
        text(&out.stderr)
    );

    let out = d.nipc(&["-o", "json", "show", "e2e0"]);
    assert!(out.status.success(), "show: {}", text(&out.stderr));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    let iface = &shown["interfaces"][0];
    assert_eq!(iface["name"], "e2e0", "{shown}");
    assert_eq!(iface["mtu"], 1400, "{shown}");
    assert_eq!(iface["ipv4"]["address"][0]["ip"], "192.0.2.7", "{shown}");
    // The JSON, printed as the daemon wrote it, is the state the YAML
    // shows; an interface that does not exist is exit code 8, naming it,
    // with nothing on standard output.
    let yaml = d.nipc(&["show", "e2e0"]);
    assert_eq!(
        NetworkState::from_yaml(&text(&yaml.stdout)).expect("YAML"),
        NetworkState::from_json(&text(&out.stdout)).expect("JSON")
    );
    let missing = d.nipc(&["-o", "json", "show", "nosuch0"]);
    assert_eq!(missing.status.code(), Some(8), "{}", text(&missing.stderr));
    assert!(
        text(&missing.stderr).contains("no interface named \"nosuch0\""),
        "{}",
        text(&missing.stderr)
    );
    assert!(missing.stdout.is_empty());
    // And the kernel agrees.
    assert_eq!(ns.link("e2e0").expect("e2e0 exists")["mtu"], 1400);
    assert_eq!(ns.addresses("e2e0"), ["192.0.2.7/24"]);

    // An invalid file fails with the path-naming error and changes nothing.
    std::fs::write(
        &file,
        "interfaces:\n  - name: e2e0\n    type: veth\n    mtu: 1400\n    veth: {peer: e2e0-ep}\n    ipv4:\n      enabled: true\n      address: [{ip: 192.0.2.7, prefix-length: 33}]\n",
    )
    .unwrap();
    let out = d.nipc(&["apply", file.to_str().unwrap()]);
    // 7: the daemon refused the state (nipc(1)'s exit codes).
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("interfaces[0].ipv4.address[0].prefix-length: 33 is out of range 0..=32"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(ns.addresses("e2e0"), ["192.0.2.7/24"]);
}

/// Issue 11, item 10: states that must not reach the kernel are refused as
/// a whole, naming where, and the kernel is left exactly as it was; item
/// 11: a deeply nested document is refused by `nipc` at once.
#[test]
fn nipc_refuses_bad_states_before_the_kernel_is_touched() {
    let ns = netns();
    ns.ip_batch(
        "link add rf0 type veth peer name rf0-ep\nlink set rf0 up\naddr add 192.0.2.5/24 dev rf0",
    );
    let d = Daemon::start(&ns);
    let dir = tempfile::tempdir().unwrap();
    let kernel = || (common::links_without_timers(&ns), ns.ip_json("addr show"));
    let before = kernel();
    // Each state starts with valid changes (an MTU, a new veth) that an
    // apply of the valid part would make.
    let valid = "interfaces:\n  - {name: rf0, mtu: 1400}\n  - {name: ok1, type: veth, veth: {peer: ok1-ep}}\n";
    let refused_by_daemon = [
        (
            "  - {name: \"bad\\e[31m\", type: veth, veth: {peer: bad-ep}}\n",
            "interfaces[2].name: ",
        ),
        (
            "  - {name: \"rf\\u202E0\", type: veth, veth: {peer: bad-ep}}\n",
            "interfaces[2].name: ",
        ),
        (
            "  - {name: \"rf\\0x\", type: veth, veth: {peer: bad-ep}}\n",
            "interfaces[2].name: ",
        ),
        (
            "  - {name: \"rf\\u200B0\", type: veth, veth: {peer: bad-ep}}\n",
            "interfaces[2].name: ",
        ),
        (
            "  - {name: rf0-ep, controller: rf0-ep}\n",
            "interfaces[2].controller: ",
        ),
        ("  - {name: lo, state: absent}\n", "interfaces[2].state: "),
        (
            "  - {name: rf0-ep, mac-address: 'FF:FF:FF:FF:FF:FF'}\n",
            "interfaces[2].mac-address: ",
        ),
        (
            "  - {name: rf0-ep, mac-address: '00:00:00:00:00:00'}\n",
            "interfaces[2].mac-address: ",
        ),
        (
            "  - {name: rf0-ep, ipv4: {address: [{ip: 0.0.0.0, prefix-length: 0}]}}\n",
            "interfaces[2].ipv4.address[0]: ",
        ),
        (
            "  - {name: rf0-ep, ipv4: {address: [{ip: 198.51.100.0, prefix-length: 24}]}}\n",
            "interfaces[2].ipv4.address[0]: ",
        ),
        (
            "  - {name: rf0-ep, state: absent, ipv4: {dhcp: true}}\n",
            "interfaces[2].ipv4: ",
        ),
    ];
    for (i, (bad, path)) in refused_by_daemon.iter().enumerate() {
        let file = dir.path().join(format!("bad{i}.yml"));
        std::fs::write(&file, format!("{valid}{bad}")).unwrap();
        let out = d.nipc(&["apply", file.to_str().unwrap()]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(7), "{bad}: {err}");
        assert!(err.contains(path), "{bad}: {err}");
        for internal in ["Some(", "None", "{ ", "\u{1b}", "\u{202e}"] {
            assert!(!err.contains(internal), "{bad}: {err}");
        }
        assert_eq!(kernel(), before, "{bad} changed the kernel");
    }
    let refused_by_nipc = [
        (
            "interfaces:\n  - name: rf0\n    name: ok1\n    type: veth\n    veth: {peer: ok1-ep}\n"
                .to_string(),
            "duplicate key \"name\"",
        ),
        (
            format!("{valid}interfaces: []\n"),
            "duplicate key \"interfaces\"",
        ),
        (
            format!(
                "interfaces: {}{}\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            "nesting deeper than 64 levels (the limit)",
        ),
    ];
    for (i, (bad, what)) in refused_by_nipc.iter().enumerate() {
        let file = dir.path().join(format!("nipc{i}.yml"));
        std::fs::write(&file, bad).unwrap();
        let out = d.nipc(&["apply", file.to_str().unwrap()]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(what), "{err}");
        assert_eq!(kernel(), before);
    }
    // The valid part alone goes through: the refusals above were not the
    // daemon failing at everything.
    let file = dir.path().join("good.yml");
    std::fs::write(&file, valid).unwrap();
    let out = d.nipc(&["apply", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(ns.link("rf0").expect("rf0")["mtu"], 1400);
    assert!(ns.link("ok1").is_some());
}
