//! What must change nothing: invalid states, applies that fail part-way or
//! fail verification (rolled back, so a query after equals the query
//! before), and the serialization of applies and checkpoints.

mod common;

use std::time::Duration;

use common::{Daemon, Netns, links_without_timers, netns};
use nipart_plugin_api::{
    Address, ErrorKind,
    state::{ApplyProgress, ApplyStep, topics},
};
use serde_json::json;

/// A namespace with some state to damage: a bridge with a port, addresses
/// and a static route.
fn populated() -> Netns {
    let ns = netns();
    ns.ip("link add br5 type bridge");
    ns.ip("link add e1 type veth peer name e1-ep");
    ns.ip("link set e1 master br5");
    ns.ip("link set e1 mtu 1400");
    ns.ip("addr add 192.0.2.5/24 dev e1");
    ns.ip("addr add 2001:db8::5/64 dev e1");
    for l in ["br5", "e1", "e1-ep"] {
        ns.ip(&format!("link set {l} up"));
    }
    ns.ip("route add 198.51.100.0/24 via 192.0.2.1 dev e1 metric 33");
    ns
}

/// A state that changes all of it.
const DAMAGE: &str = "
interfaces:
  - name: br5
    type: linux-bridge
    bridge:
      options: {stp: {enabled: true}}
      port: []
  - name: e1
    mtu: 9000
    ipv4:
      address: [{ip: 192.0.2.6, prefix-length: 25}]
    ipv6:
      enabled: false
  - name: new1
    type: veth
    veth: {peer: new1-ep}
    ipv4:
      address: [{ip: 203.0.113.1, prefix-length: 24}]
routes:
  config:
    - {destination: 198.51.100.0/24, state: absent}
    - {destination: 10.0.0.0/8, next-hop-interface: new1, metric: 5}
";

#[test]
fn invalid_states_fail_with_the_path_and_change_nothing() {
    let ns = populated();
    let d = Daemon::start(&ns, false, "");
    let before = d.show();
    let links = links_without_timers(&ns);
    let cases = [
        (
            "interfaces: [{name: e1, mtu: 1500, colour: red}]",
            "interfaces[0].colour: unknown key",
        ),
        (
            "interfaces: [{name: e1, mtu: 1000}, {name: br5, ipv4: {address: [{ip: 192.0.2.9, prefix-length: 33}]}}]",
            "interfaces[1].ipv4.address[0].prefix-length: 33 is out of range 0..=32",
        ),
        (
            "interfaces: [{name: e1, mtu: 1000}]\nroutes: {config: [{destination: 10.1.0.0/16, next-hop-interface: ghost0}]}",
            "routes.config[0].next-hop-interface: interface \"ghost0\" does not exist and is not created by this state",
        ),
        (
            "interfaces: [{name: e1, mtu: 1000}, {name: lonely, type: veth}]",
            "interfaces[1].veth.peer: interface \"lonely\" is a new veth, which needs a peer",
        ),
    ];
    for (yaml, want) in cases {
        let e = d.apply_err(yaml);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.message().starts_with(want), "for {yaml}: got {e}");
        assert_eq!(d.show(), before, "{yaml} changed the state");
        assert_eq!(links_without_timers(&ns), links, "{yaml} changed a link");
    }
}

#[test]
fn kernel_failure_part_way_is_rolled_back() {
    let ns = populated();
    let d = Daemon::start(&ns, false, "");
    let before = d.show();
    // new2 is created and e1 changed before the kernel refuses bad1's MTU.
    let out = d.apply_with(
        "
interfaces:
  - name: e1
    mtu: 9000
    ipv4: {address: [{ip: 192.0.2.99, prefix-length: 24}]}
  - name: new2
    type: veth
    veth: {peer: new2-ep}
  - name: bad1
    type: veth
    mtu: 70000
    veth: {peer: bad1-ep}
",
        json!({}),
    );
    let e = out
        .result
        .expect_err("the kernel refuses MTU 70000 on a veth");
    assert!(e.message().contains("role kernel failed to apply"), "{e}");
    assert!(
        e.message().contains("rolled back to checkpoint cp-1"),
        "{e}"
    );
    let steps: Vec<ApplyStep> = out
        .progress
        .iter()
        .map(|p: &ApplyProgress| p.step)
        .collect();
    assert!(
        steps.contains(&ApplyStep::Apply) && steps.contains(&ApplyStep::Rollback),
        "{steps:?}"
    );
    assert_eq!(d.show(), before);
    assert!(ns.link("new2").is_none());
    assert_eq!(ns.link("e1").unwrap()["mtu"], 1400);
    assert_eq!(ns.addresses("e1"), ["192.0.2.5/24", "2001:db8::5/64"]);
}

#[test]
fn failure_after_the_kernel_applied_is_rolled_back() {
    let ns = populated();
    let d = Daemon::start(
        &ns,
        true,
        "[plugin.commander]\nextra_roles = [\"fault\"]\n[plugin.state-fault]\nfail = true\n",
    );
    let before = d.show();
    let out = d.apply_with(DAMAGE, json!({}));
    let e = out.result.expect_err("the fixture fails the apply");
    assert!(
        e.message().starts_with("role fault failed to apply: injected failure (state-fault fixture); rolled back to checkpoint cp-1"),
        "{e}"
    );
    let after = d.show();
    assert_eq!(
        after,
        before,
        "\nbefore:\n{}\nafter:\n{}",
        before.to_yaml(),
        after.to_yaml()
    );
    assert_eq!(ns.link("e1").unwrap()["master"], "br5");
    assert!(ns.link("new1").is_none());
    assert!(
        ns.routes("-4", "main")
            .iter()
            .any(|r| r.starts_with("198.51.100.0/24 via 192.0.2.1 dev e1"))
    );
}

#[test]
fn verification_failure_is_rolled_back_with_what_differed() {
    let ns = populated();
    let d = Daemon::start(
        &ns,
        true,
        "[plugin.commander]\nextra_roles = [\"fault\"]\nverify_retries = 3\nverify_interval_ms = 100\n\
         [plugin.state-fault]\nsabotage = \"ip link set e1 mtu 1500\"\n",
    );
    let before = d.show();
    let out = d.apply_with(DAMAGE, json!({}));
    let e = out.result.expect_err("verification fails");
    assert_eq!(e.kind(), ErrorKind::Failed);
    assert_eq!(
        e.message(),
        "verification failed after 3 attempts: e1: mtu desired 9000, current 1500; rolled back to checkpoint cp-1"
    );
    let verifies = out
        .progress
        .iter()
        .filter(|p| p.step == ApplyStep::Verify && p.message.starts_with("verification "))
        .count();
    assert_eq!(verifies, 3, "{:#?}", out.progress);
    assert_eq!(d.show(), before);

    // With no_verify the same apply goes through (the sabotage stays).
    let out = d.apply_with(DAMAGE, json!({"no_verify": true}));
    let r = out.result.expect("no_verify skips the check");
    assert_eq!(r["verified"], false);
    assert_eq!(ns.link("e1").unwrap()["mtu"], 1500);
    assert!(ns.link("new1").is_some());
}

#[test]
fn applies_are_serialized_and_no_wait_gets_busy() {
    let ns = netns();
    // The first apply is slow: its verification fails twice, 1 s apart.
    let d = Daemon::start(
        &ns,
        true,
        "[plugin.commander]\nextra_roles = [\"fault\"]\nverify_retries = 2\nverify_interval_ms = 1500\n\
         [plugin.state-fault]\nsabotage = \"ip link set s1 mtu 1500 2>/dev/null || true\"\n",
    );
    let slow = d.send(
        topics::APPLY,
        Address::role("commander"),
        Daemon::apply_payload(
            "interfaces: [{name: s1, type: veth, mtu: 2000, veth: {peer: s1-ep}}]",
            json!({}),
        ),
    );
    std::thread::sleep(Duration::from_millis(500));
    let busy = d.call(
        topics::APPLY,
        Address::role("commander"),
        Daemon::apply_payload(
            "interfaces: [{name: s2, type: veth, veth: {peer: s2-ep}}]",
            json!({"no_wait": true}),
        ),
        Duration::from_secs(10),
    );
    let e = busy.result.expect_err("busy");
    assert_eq!(e.kind(), ErrorKind::Busy);
    assert_eq!(
        e.message(),
        "another apply is in progress (no_wait was asked)"
    );
    // A show is answered meanwhile.
    assert!(d.show().interface("lo").is_some());
    // One that waits is queued, and runs after the first one ended.
    let queued = d.send(
        topics::APPLY,
        Address::role("commander"),
        Daemon::apply_payload(
            "interfaces: [{name: s3, type: veth, veth: {peer: s3-ep}}]",
            json!({}),
        ),
    );
    let first = d.wait(slow, Duration::from_secs(60));
    assert!(first.result.is_err(), "the slow one fails verification");
    let second = d.wait(queued, Duration::from_secs(60));
    assert_eq!(
        second.progress[0].step,
        ApplyStep::Queued,
        "{:#?}",
        second.progress
    );
    second.result.expect("the queued apply succeeds");
    assert!(ns.link("s3").is_some());
    assert!(ns.link("s2").is_none());
    assert!(ns.link("s1").is_none(), "rolled back");
}

#[test]
fn checkpoint_commit_rollback_and_timeout() {
    let ns = netns();
    let d = Daemon::start(&ns, false, "");
    let before = d.show();
    let call = |topic: &str, params: serde_json::Value| {
        d.call(
            topic,
            Address::role("commander"),
            json!({"method": topic, "parameters": params}),
            Duration::from_secs(30),
        )
        .result
    };
    // Rollback of a pending checkpoint.
    let r = d
        .apply_with(
            "interfaces: [{name: c1, type: veth, veth: {peer: c1-ep}}]",
            json!({"no_commit": true}),
        )
        .result
        .unwrap();
    assert_eq!(r["pending"], true);
    let cp = r["checkpoint"].as_str().unwrap().to_string();
    let list = call(topics::LIST_CHECKPOINTS, json!({})).unwrap();
    assert_eq!(list["checkpoints"][0]["id"], cp.as_str());
    // Another apply is refused while it waits.
    let e = d.apply_err("interfaces: [{name: c9, type: veth, veth: {peer: c9-ep}}]");
    assert_eq!(e.kind(), ErrorKind::Busy);
    assert_eq!(
        e.message(),
        format!("checkpoint {cp} awaits Commit or Rollback")
    );
    let r = call(topics::ROLLBACK, json!({"checkpoint": cp})).unwrap();
    assert_eq!(r["done"], "rolled-back");
    assert_eq!(d.show(), before);
    assert!(
        call(topics::COMMIT, json!({})).is_err(),
        "nothing to commit"
    );

    // Commit keeps it.
    d.apply_with(
        "interfaces: [{name: c2, type: veth, veth: {peer: c2-ep}}]",
        json!({"no_commit": true}),
    )
    .result
    .unwrap();
    assert_eq!(
        call(topics::COMMIT, json!({})).unwrap()["done"],
        "committed"
    );
    assert!(ns.link("c2").is_some());
    let committed = d.show();

    // No commit in time: rolled back automatically.
    d.apply_with(
        "interfaces: [{name: c3, type: veth, veth: {peer: c3-ep}}]",
        json!({"no_commit": true, "commit_timeout": 1}),
    )
    .result
    .unwrap();
    assert!(ns.link("c3").is_some());
    let give_up = std::time::Instant::now() + Duration::from_secs(15);
    while ns.link("c3").is_some() && std::time::Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ns.link("c3").is_none(), "not rolled back after its timeout");
    assert_eq!(d.show(), committed);
}
