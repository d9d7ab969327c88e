//! End to end: the real `nipartd` binary in a network namespace with the
//! kernel, state and commander plugins, driven by the real `nipc` over the
//! API socket.

mod common;

use std::{
    path::PathBuf,
    process::{Child, Command, Output, Stdio},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

use common::{Netns, artifacts, netns};
use serde_json::Value;

/// `nipartd` and `nipc`, built with this test's cargo, profile and target
/// directory (a test of another package does not build them).
fn binaries() -> &'static (PathBuf, PathBuf) {
    static B: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    B.get_or_init(|| {
        let dir =
            nipart_loader_tests::build_in_workspace(&["-p", "nipartd", "-p", "nipc", "--bins"]);
        (dir.join("nipartd"), dir.join("nipc"))
    })
}

/// The daemon as a child process inside the namespace; killed on drop.
struct Daemon {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Daemon {
    fn start(ns: &Netns) -> Daemon {
        let a = artifacts();
        let (nipartd, _) = binaries();
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        std::fs::create_dir(&plugins).unwrap();
        for p in [&a.kernel, &a.state, &a.commander] {
            std::fs::copy(p, plugins.join(p.file_name().unwrap())).unwrap();
        }
        let socket = dir.path().join("nipart.sock");
        let child = Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .arg(nipartd)
            .arg("--plugin-dir")
            .arg(&plugins)
            .arg("--socket")
            .arg(&socket)
            .stderr(Stdio::null())
            .spawn()
            .expect("starting nipartd");
        let d = Daemon {
            child,
            socket,
            _dir: dir,
        };
        let t0 = Instant::now();
        while !d.nipc(&["ping"]).status.success() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "nipartd did not answer"
            );
            thread::sleep(Duration::from_millis(50));
        }
        d
    }

    fn nipc(&self, args: &[&str]) -> Output {
        let (_, nipc) = binaries();
        Command::new(nipc)
            .arg("--socket")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("running nipc")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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
    // Progress reaches the operator on stderr.
    assert!(
        text(&out.stderr).contains("progress"),
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
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr)
            .contains("interfaces[0].ipv4.address[0].prefix-length: 33 is out of range 0..=32"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(ns.addresses("e2e0"), ["192.0.2.7/24"]);
}
