//! nmstate-format files (tests/states/, written from nmstate's documented
//! examples, on veth instead of physical NICs) apply, verify, and show
//! exactly as written; applying each again changes nothing.

mod common;

use std::path::Path;

use common::{Daemon, assert_shows, netns};
use nipart_plugin_api::state::NetworkState;

#[test]
fn nmstate_files_apply_and_verify() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/states");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 7, "{files:?}");
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        NetworkState::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let r = d.apply(&text);
        assert!(r.verified, "{}", f.display());
        assert_shows(&d.show(), &text);
        let again = d.apply(&text);
        assert!(
            again.changes.is_empty(),
            "{}: second apply changed {:?}",
            f.display(),
            again.changes
        );
    }
    // The end state, seen by ip: the bridge and veth1 (with its peer) gone,
    // eth1 left detached.
    assert!(ns.link("linux-br0").is_none());
    assert!(ns.link("veth1").is_none() && ns.link("veth1peer").is_none());
    assert!(ns.link("eth1").unwrap().get("master").is_none());
}
