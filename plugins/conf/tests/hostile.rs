//! Files the conf plugin reads, made hostile: a world-writable saved state
//! someone added an interface to, a link to `/dev/zero` as the saved state
//! and as a checkpoint, an oversized saved state. Each is refused with its
//! reason in the log, nothing of it is applied, the daemon runs on, and its
//! memory stays small.

mod common;

use std::{fs, os::unix::fs::PermissionsExt};

use common::{FAST, Node};
use nipart_plugin_api::state::NetworkState;
use nipart_testkit::resident_kib;

/// The daemon's resident memory, in KiB.
fn rss_kib(n: &Node) -> u64 {
    resident_kib(n.daemon.running().expect("the daemon runs").pid())
}

/// Far below what reading `/dev/zero` would take (it took gigabytes).
const SMALL_KIB: u64 = 256 * 1024;

const PAIR: &str = "
interfaces:
  - name: ch0
    type: veth
    state: up
    veth: {peer: ch0-ep}
";

/// A node whose daemon saved PAIR, stopped.
fn node_with_saved_pair() -> Node {
    let mut n = Node::new(FAST);
    n.start();
    n.apply(PAIR, &[]);
    n.stop();
    n
}

#[test]
fn a_world_writable_saved_state_is_not_applied_at_start() {
    let mut n = node_with_saved_pair();
    n.ns.ip("link del ch0");
    // What an unprivileged user could do to a world-writable file.
    let file = n.state_file();
    let mut state = n.saved();
    let added =
        NetworkState::from_yaml("interfaces: [{name: evil0, type: linux-bridge, state: up}]")
            .unwrap();
    state.interfaces.extend(added.interfaces);
    fs::write(&file, state.to_yaml()).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o666)).unwrap();

    let err = n.start();
    let expected = format!(
        "{0}: the file is group- or other-writable (mode 666); fix: chmod go-w {0}; \
         nothing of it was applied",
        file.display()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(
        n.ns.link("evil0").is_none(),
        "the added interface was applied"
    );
    assert!(
        n.ns.link("ch0").is_none(),
        "nothing of the file was applied"
    );
    n.nipc_ok(&["ping"]);
    // Fixed as the message says, it is applied at the next start.
    n.stop();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    let err = n.start();
    assert!(err.contains("is applied"), "{err}");
    assert!(n.ns.link("evil0").is_some());
}

#[test]
fn links_to_dev_zero_as_saved_state_and_checkpoint_cost_nothing() {
    let mut n = node_with_saved_pair();
    let file = n.state_file();
    fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
    let cp = n.checkpoint_dir().join("cp-7.json");
    std::os::unix::fs::symlink("/dev/zero", &cp).unwrap();

    let err = n.start();
    assert!(
        err.contains(&format!(
            "{}: is a symbolic link, which is not followed here; \
             fix: replace the link with the file itself; nothing of it was applied",
            file.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: is a symbolic link, which is not followed here; \
             fix: replace the link with the file itself; the checkpoint is left out of the list",
            cp.display()
        )),
        "{err}"
    );
    // Listing (which any user may ask for) reads no file and leaves it out.
    for _ in 0..20 {
        let cps = n.checkpoints();
        assert!(cps.iter().all(|c| c["id"] != "cp-7"), "{cps:?}");
    }
    n.nipc_ok(&["ping"]);
    let rss = rss_kib(&n);
    assert!(rss < SMALL_KIB, "resident memory {rss} KiB");
    n.stop();
}

#[test]
fn an_oversized_saved_state_is_refused_with_its_size_and_the_limit() {
    let mut n = Node::with_conf(FAST, "max_file_bytes = 4096");
    let file = n.state_file();
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    let mut text = String::from("interfaces:\n  - {name: big0, type: linux-bridge}\n");
    while text.len() <= 4096 {
        text.push_str("# padding padding padding padding padding padding\n");
    }
    fs::write(&file, &text).unwrap();
    let err = n.start();
    assert!(
        err.contains(&format!(
            "{}: {} bytes is over the limit of 4096 bytes; \
             fix: make it smaller, or raise [plugin.conf] max_file_bytes; nothing of it was applied",
            file.display(),
            text.len()
        )),
        "{err}"
    );
    assert!(n.ns.link("big0").is_none());
    n.nipc_ok(&["ping"]);
}
