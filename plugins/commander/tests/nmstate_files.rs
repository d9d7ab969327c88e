//! nmstate-format files (tests/states/, written from nmstate's documented
//! examples, on veth instead of physical NICs) apply, verify, and show
//! exactly as written; applying each again changes nothing.

mod common;

use common::{Daemon, netns};

#[test]
fn nmstate_files_apply_and_verify() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    common::apply_nmstate_files("states", 7, |t| d.apply(t), || d.show());
    // The end state, seen by ip: the bridge and veth1 (with its peer) gone,
    // eth1 left detached.
    assert!(ns.link("linux-br0").is_none());
    assert!(ns.link("veth1").is_none() && ns.link("veth1peer").is_none());
    assert!(ns.link("eth1").unwrap().get("master").is_none());
}
