//! A saved interface whose link is not there at start (a veth another tool
//! creates later): the rest of the saved state is applied at start, and
//! its part (addresses, MTU, the route through it) when the link appears,
//! and again when it is removed and comes back; `nipc show` and
//! `conf.waiting` say it waits meanwhile.

mod common;

use std::{
    fs, thread,
    time::{Duration, Instant},
};

use common::{FAST, Node};

/// Interfaces nipart creates (a veth with its peer, a bridge) and two it
/// can't (veths saved without their peer, as another tool would create
/// them), one of them a port of the bridge.
const SAVED: &str = "interfaces:
  - name: lt-now
    type: veth
    mtu: 1450
    veth: {peer: lt-now-ep}
    ipv4: {enabled: true, address: [{ip: 192.0.2.1, prefix-length: 24}]}
  - name: lt-late
    type: veth
    mtu: 1360
    ipv4: {enabled: true, address: [{ip: 198.51.100.1, prefix-length: 24}]}
  - name: lt-late2
    type: veth
    mtu: 1380
  - name: lt-br
    type: linux-bridge
    bridge: {port: [{name: lt-late2}]}
routes:
  config:
  - {destination: 203.0.113.0/24, next-hop-address: 198.51.100.254, next-hop-interface: lt-late}
";

/// Polls `ok` for up to 20 s; panics with `what` and the daemon's log.
fn wait_for(n: &Node, what: &str, ok: impl Fn() -> bool) {
    let give_up = Instant::now() + Duration::from_secs(20);
    while !ok() {
        assert!(
            Instant::now() < give_up,
            "{what}: not within 20 s; daemon:\n{}",
            n.stderr()
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// `conf.waiting`'s list.
fn waiting(n: &Node) -> Vec<String> {
    let out = n.nipc_ok(&["-o", "json", "call", "conf.waiting", "{}", "--role", "conf"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    serde_json::from_value(v["interfaces"].clone()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The saved part of `lt-late` is in effect.
fn late_configured(n: &Node) -> bool {
    n.ns.addresses("lt-late") == ["198.51.100.1/24"]
        && n.ns.link("lt-late").is_some_and(|l| l["mtu"] == 1360)
        && n.ns
            .routes("-4", "main")
            .iter()
            .any(|r| r.starts_with("203.0.113.0/24 via 198.51.100.254 dev lt-late"))
}

#[test]
fn a_saved_interface_that_appears_later_is_configured_when_it_appears_and_when_it_comes_back() {
    let mut n = Node::with_monitor(FAST);
    n.start();
    n.stop();
    fs::write(n.state_file(), SAVED).unwrap();

    let log = n.start();
    // The rest of the saved state is applied at start.
    assert!(log.contains("the saved state"), "{log}");
    assert!(
        log.contains("is applied (but for lt-late, lt-late2"),
        "{log}"
    );
    assert!(log.contains("waiting for the link of lt-late"), "{log}");
    assert_eq!(n.ns.addresses("lt-now"), ["192.0.2.1/24"], "{log}");
    assert_eq!(n.ns.link("lt-now").unwrap()["mtu"], 1450, "{log}");
    assert!(n.ns.link("lt-late").is_none());
    // The bridge is there, without its missing port.
    assert!(n.ns.link("lt-br").is_some(), "{log}");
    assert_eq!(waiting(&n), ["lt-late", "lt-late2"]);
    let show = n.nipc_ok(&["show"]);
    assert!(
        show.ends_with(
            "# waiting for their link (their saved state is applied when it appears): lt-late, lt-late2\n"
        ),
        "{show}"
    );

    // With JSON the line goes to standard error, and the output parses.
    let json = n.nipc(&["-o", "json", "show"]);
    assert!(
        common::text(&json.stderr).contains("): lt-late, lt-late2"),
        "{}",
        common::text(&json.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&json.stdout).unwrap();

    // Another tool creates it, seconds later.
    thread::sleep(Duration::from_secs(2));
    n.ns.ip("link add lt-late type veth peer name lt-late-ep");
    wait_for(&n, "lt-late configured once created", || {
        late_configured(&n)
    });
    assert_eq!(waiting(&n), ["lt-late2"]);
    // The bridge's port: attached when it appears.
    n.ns.ip("link add lt-late2 type veth peer name lt-late2-ep");
    wait_for(&n, "lt-late2 a port of lt-br once created", || {
        n.ns.link("lt-late2")
            .is_some_and(|l| l["master"] == "lt-br" && l["mtu"] == 1380)
    });
    assert!(waiting(&n).is_empty());
    assert!(!n.nipc_ok(&["show"]).contains("# waiting"));
    assert!(
        n.stderr().contains("lt-late: its part of the saved state"),
        "{}",
        n.stderr()
    );
    // What was applied at start is still there.
    assert_eq!(n.ns.addresses("lt-now"), ["192.0.2.1/24"]);

    // Removed: it waits again; re-created: configured again.
    n.ns.ip("link del lt-late");
    wait_for(&n, "lt-late waiting again once removed", || {
        waiting(&n) == ["lt-late"]
    });
    n.ns.ip("link add lt-late type veth peer name lt-late-ep");
    wait_for(&n, "lt-late configured once re-created", || {
        late_configured(&n)
    });
    assert!(waiting(&n).is_empty());
    let log = n.stderr();
    assert_eq!(
        log.matches("lt-late: its link appeared: applying its part")
            .count(),
        2,
        "{log}"
    );
    assert!(log.contains("lt-late: its link went away"), "{log}");
    // Each went through the workflow: a checkpoint at start and for
    // each appearance.
    let checkpoints = n.checkpoints();
    assert!(checkpoints.len() >= 3, "{checkpoints:?}");
}

#[test]
fn without_the_monitor_the_saved_state_is_applied_whole_as_before() {
    let mut n = Node::new(FAST);
    n.start();
    n.stop();
    fs::write(
        n.state_file(),
        "interfaces:\n  - {name: lt-present, type: veth, mtu: 1400}\n",
    )
    .unwrap();
    n.ns.ip("link add lt-present type veth peer name lt-present-ep");
    let log = n.start();
    assert!(
        log.contains("the links of lt-present are not watched"),
        "{log}"
    );
    assert!(log.contains("is applied"), "{log}");
    assert_eq!(n.ns.link("lt-present").unwrap()["mtu"], 1400, "{log}");
    // No conf.waiting list to speak of.
    assert!(!n.nipc_ok(&["show"]).contains("# waiting"));
}

#[test]
fn an_interface_saved_after_the_start_is_configured_again_when_it_comes_back() {
    let mut n = Node::with_monitor(FAST);
    n.start();
    // Created by another tool, configured and saved with nipc.
    n.ns.ip("link add lt-new type veth peer name lt-new-ep");
    n.apply(
        "interfaces:
  - name: lt-new
    type: veth
    mtu: 1300
    ipv4: {enabled: true, address: [{ip: 198.51.100.7, prefix-length: 24}]}
",
        &[],
    );
    assert!(waiting(&n).is_empty());

    n.ns.ip("link del lt-new");
    wait_for(&n, "lt-new waiting once removed", || {
        waiting(&n) == ["lt-new"]
    });
    n.ns.ip("link add lt-new type veth peer name lt-new-ep");
    wait_for(&n, "lt-new configured again once re-created", || {
        n.ns.addresses("lt-new") == ["198.51.100.7/24"]
            && n.ns.link("lt-new").is_some_and(|l| l["mtu"] == 1300)
    });
    assert!(waiting(&n).is_empty());

    // Deleted through nipart: no longer saved, so no longer waited for.
    n.apply("interfaces: [{name: lt-new, state: absent}]", &[]);
    wait_for(&n, "lt-new gone", || n.ns.link("lt-new").is_none());
    wait_for(&n, "lt-new not watched", || {
        n.stderr()
            .contains("lt-new: no longer in the saved state: its link is not watched any more")
    });
    assert!(waiting(&n).is_empty(), "{}", n.stderr());
}

/// Interfaces stacked on a saved interface whose link is not there at
/// start (a MAC-VLAN, a VXLAN, and a VLAN on that MAC-VLAN... on a veth
/// another tool creates later) wait with it: the boot apply does not fail
/// for them, and they are created when their base appears, and again when
/// it comes back.
#[test]
fn interfaces_stacked_on_a_later_interface_wait_with_it() {
    let mut n = Node::with_monitor(FAST);
    n.start();
    n.stop();
    fs::write(
        n.state_file(),
        "interfaces:
  - {name: ls-now, type: veth, veth: {peer: ls-now-ep}, mtu: 1440}
  - name: ls-base
    type: veth
    ipv4: {enabled: true, address: [{ip: 198.51.100.1, prefix-length: 24}]}
  - name: ls-mv
    type: mac-vlan
    mac-vlan: {base-iface: ls-base, mode: bridge}
    ipv4: {enabled: true, address: [{ip: 192.0.2.9, prefix-length: 24}]}
  - name: ls-vx
    type: vxlan
    vxlan: {id: 42, base-iface: ls-base, remote: 198.51.100.2, destination-port: 4789}
routes:
  config:
  - {destination: 203.0.113.0/24, next-hop-address: 192.0.2.254, next-hop-interface: ls-mv}
",
    )
    .unwrap();

    let log = n.start();
    assert!(
        log.contains(
            "is applied (but for ls-base, waiting for its link, and ls-mv, ls-vx, stacked on it)"
        ),
        "{log}"
    );
    assert_eq!(n.ns.link("ls-now").unwrap()["mtu"], 1440, "{log}");
    assert!(n.ns.link("ls-mv").is_none() && n.ns.link("ls-vx").is_none());
    assert_eq!(waiting(&n), ["ls-base"]);

    let stacked_up = || {
        n.ns.link("ls-mv").is_some_and(|l| {
            l["link"] == "ls-base" && l["linkinfo"]["info_data"]["mode"] == "bridge"
        }) && n.ns.addresses("ls-mv") == ["192.0.2.9/24"]
            && n.ns
                .link("ls-vx")
                .is_some_and(|l| l["linkinfo"]["info_data"]["id"] == 42)
            && n.ns
                .routes("-4", "main")
                .iter()
                .any(|r| r.starts_with("203.0.113.0/24 via 192.0.2.254 dev ls-mv"))
    };
    thread::sleep(Duration::from_secs(2));
    n.ns.ip("link add ls-base type veth peer name ls-base-ep");
    wait_for(
        &n,
        "ls-mv and ls-vx created once ls-base appears",
        stacked_up,
    );
    assert!(waiting(&n).is_empty());

    // The base removed (the kernel deletes what stands on it) and
    // created again: all of it again.
    n.ns.ip("link del ls-base");
    wait_for(&n, "ls-base waiting again once removed", || {
        waiting(&n) == ["ls-base"]
    });
    assert!(n.ns.link("ls-mv").is_none());
    n.ns.ip("link add ls-base type veth peer name ls-base-ep");
    wait_for(&n, "ls-mv and ls-vx created again", stacked_up);
}
