//! `daemon.stopping` (what the daemon sends on SIGTERM before it stops
//! anything): the commander lets the apply in progress end and be answered,
//! refuses the calls that would change the network from then on (also those
//! already queued), and answers once nothing runs.

mod common;

use std::time::{Duration, Instant};

use common::{Daemon, netns};
use nipart_plugin_api::{Address, ErrorKind, state::topics, topics::DAEMON_STOPPING};
use serde_json::json;

#[test]
fn stopping_waits_for_the_apply_in_progress_and_refuses_new_ones() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "[plugin.commander]\nverify_interval_ms = 50\n");
    let mut yaml = String::from("interfaces:\n");
    for i in 0..40 {
        yaml.push_str(&format!(
            "  - {{name: st{i}, type: veth, veth: {{peer: st{i}p}}}}\n"
        ));
    }
    let running = d.send(
        topics::APPLY,
        Address::role("commander"),
        Daemon::apply_payload(&yaml, json!({})),
    );
    let stopping = d.send(DAEMON_STOPPING, Address::role("commander"), json!({}));
    let queued = d.send(
        topics::APPLY,
        Address::role("commander"),
        Daemon::apply_payload(
            "interfaces: [{name: late0, type: veth, veth: {peer: late0p}}]",
            json!({}),
        ),
    );

    let t = Instant::now();
    let first = d.wait(running, Duration::from_secs(120));
    let v = first
        .result
        .unwrap_or_else(|e| panic!("the apply in progress was not finished: {e}"));
    assert_eq!(v["verified"], true, "{v}");
    let drained = d.wait(stopping, Duration::from_secs(120));
    assert!(drained.result.is_ok(), "{:?}", drained.result);
    println!("drained {:?} after the apply was sent", t.elapsed());

    let e = d
        .wait(queued, Duration::from_secs(30))
        .result
        .expect_err("an apply queued behind the drain is refused");
    assert_eq!(e.kind(), ErrorKind::ShuttingDown, "{e}");
    assert_eq!(
        e.message(),
        "the daemon is stopping: the apply was not started"
    );
    assert!(
        ns.link("late0").is_none(),
        "nothing of the refused apply was done"
    );
    assert!(ns.link("st39").is_some());

    // And those that come later.
    let e = d
        .apply_with("interfaces: [{name: st0, mtu: 1400}]", json!({}))
        .result
        .expect_err("refused while stopping");
    assert_eq!(e.kind(), ErrorKind::ShuttingDown, "{e}");
    let e = d
        .call(
            topics::ROLLBACK,
            Address::role("commander"),
            json!({"method": "io.nipart.Network.Rollback", "parameters": {}}),
            Duration::from_secs(30),
        )
        .result
        .expect_err("refused while stopping");
    assert_eq!(
        e.message(),
        "the daemon is stopping: the rollback was not started"
    );
    // Reading goes on.
    assert!(d.show().interface("st0").is_some());
}
