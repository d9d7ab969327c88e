//! The versioned hello at Init, through the real loader with real `.so`
//! plugins: the SDK sends its `Hello`; the daemon takes the version of a
//! plugin it speaks (and shows it), and refuses one of a later protocol
//! version at Init, saying how to fix it.

use nipart_loader_tests::{DaemonBuilder, Fixture};
use nipart_plugin_api::protocol::PROTOCOL_VERSION;
use nipartd::MemberState;

/// The refusal the operator reads, in the loader's manner: what is wrong,
/// then how to fix it.
fn refusal() -> String {
    let future = PROTOCOL_VERSION + 1;
    format!(
        "plugin future speaks nipart protocol version {future}: this daemon speaks nipart \
         protocol versions up to {PROTOCOL_VERSION}; run a nipartd release that speaks protocol \
         version {future}, or rebuild the plugin against the nipart-plugin-api release that \
         matches this daemon"
    )
}

#[test]
fn a_plugin_of_a_later_protocol_is_refused_at_init_and_the_others_run() {
    let daemon = DaemonBuilder::new()
        .plugin(Fixture::Good)
        .plugin(Fixture::Future)
        .start()
        .unwrap_or_else(|e| panic!("daemon start: {e}"));
    let plugins = daemon.lifecycle().plugins();
    let find = |name: &str| {
        plugins
            .iter()
            .find(|(info, _)| info.name == name)
            .unwrap_or_else(|| panic!("plugin {name} is not listed"))
    };

    let (good, member) = find("good");
    assert_eq!(good.protocol_version, Some(PROTOCOL_VERSION));
    assert_eq!(member.state(), MemberState::Running);

    let (future, member) = find("future");
    assert_eq!(future.protocol_version, None, "no version was agreed");
    assert_eq!(member.state(), MemberState::Failed);
    let error = member.stats().last_error.unwrap_or_default();
    assert_eq!(error, format!("Init failed: {}", refusal()));
}

#[test]
fn the_daemon_logs_the_agreed_version_at_debug_and_the_refusal() {
    let mut daemon = DaemonBuilder::new()
        .config("log_level = \"debug\"")
        .plugin(Fixture::Good)
        .plugin(Fixture::Future)
        .spawn();
    let log = daemon.wait_for_stderr("plugin future failed and is isolated");
    assert!(
        log.contains(&format!(
            "plugin good: protocol version {PROTOCOL_VERSION} agreed"
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!(
            "plugin future failed and is isolated: Init failed: {}",
            refusal()
        )),
        "{log}"
    );
}
