//! The plugin loaded by a real daemon (the real loader, the real bus) in
//! this test's process, through nipart's test kit, and sent its request by
//! a client on the daemon's bus. The kit builds the `.so` first.
//!
//! When you rename the plugin, rename it here too.

use nipart_plugin_api::{Address, ErrorKind};
use nipart_testkit::{DaemonBuilder, own_cdylib};
use serde_json::json;

/// The plugin's name and its request's topic, as in `src/lib.rs`.
const NAME: &str = "example";
const HELLO: &str = "example.hello";

#[test]
fn the_plugin_answers_its_request_in_a_real_daemon() {
    let daemon = DaemonBuilder::new()
        .plugin(own_cdylib(env!("CARGO_MANIFEST_DIR"), env!("CARGO_PKG_NAME")))
        .config(&format!("[plugin.{NAME}]\ngreeting = \"Bonjour\"\n"))
        .require(&[NAME])
        .start()
        .unwrap_or_else(|e| panic!("the daemon did not start with the plugin: {e}"));
    let client = daemon.client();

    let reply = client
        .ask(HELLO, Address::plugin(NAME), &json!({ "name": "vendor" }))
        .unwrap_or_else(|e| panic!("{HELLO} failed: {e}"));
    assert_eq!(reply["text"], "Bonjour, vendor!", "{reply}");
    assert_eq!(reply["plugin"], NAME, "{reply}");

    // A malformed request is refused with an error that says so.
    let error = client
        .ask(HELLO, Address::plugin(NAME), &json!({ "nom": "vendor" }))
        .expect_err("a request without `name` is refused");
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
}
