//! Routing rules (`route-rules`) through the real daemon in a namespace of
//! each test's own: apply, show, absent (one rule, or all that match, the
//! kernel's default rules kept), rollback after a failed verification,
//! and nmstate-format files (tests/route-rules/), checked with `ip rule`.

mod common;

use common::{Daemon, Netns, assert_shows, netns};
use nipart_plugin_api::{
    ErrorKind,
    state::{NetworkState, RouteRule},
};
use serde_json::json;

/// `ip rule show` lines of `family` (`-4`/`-6`), white space collapsed.
fn ip_rules(ns: &Netns, family: &str) -> Vec<String> {
    ns.ip(&format!("{family} rule show"))
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

const DEFAULTS_V4: [&str; 3] = [
    "0: from all lookup local",
    "32766: from all lookup main",
    "32767: from all lookup default",
];
const DEFAULTS_V6: [&str; 2] = ["0: from all lookup local", "32766: from all lookup main"];

fn shown_rules(d: &Daemon) -> Vec<RouteRule> {
    d.show().route_rules.config.unwrap_or_default()
}

/// A namespace with a veth pair up (for iif/oif), and a rule added by
/// another tool.
fn with_links() -> Netns {
    let ns = netns();
    ns.ip("link add r0 type veth peer name r0-ep");
    ns.ip("link set r0 up");
    ns.ip("link set r0-ep up");
    ns.ip("rule add from 203.0.113.0/24 lookup 300 priority 900");
    ns
}

const RULES: &str = "
route-rules:
  config:
    - {ip-from: 192.0.2.0/24, priority: 1000, route-table: 200}
    - {ip-to: 198.51.100.0/24, priority: 1001, route-table: 70000, iif: r0}
    - {family: ipv4, priority: 1002, fwmark: '0x10', fwmask: '0xff', route-table: 201}
    - {family: ipv4, priority: 1003, oif: r0, action: unreachable}
    - {ip-from: 192.0.2.128/25, priority: 1004, action: blackhole}
    - {ip-to: 192.0.2.0/24, priority: 1005, suppress-prefix-length: 0, route-table: 254}
    - {ip-from: '2001:db8:1::/64', priority: 1006, route-table: 202}
    - {family: ipv6, priority: 1007, action: prohibit}
";

#[test]
fn rules_apply_show_and_are_removed_by_absent() {
    let ns = with_links();
    let d = Daemon::start(&ns, false, "");
    // The other tool's rule is shown; the kernel's defaults are not.
    let before = shown_rules(&d);
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(
        before[0].to_string(),
        "priority 900 from 203.0.113.0/24 lookup 300"
    );

    let r = d.apply(RULES);
    assert!(r.verified, "{r:?}");
    assert_eq!(
        r.changes
            .iter()
            .filter(|c| c.starts_with("kernel: add rule"))
            .count(),
        8,
        "{:?}",
        r.changes
    );
    assert_shows(&d.show(), RULES);
    let v4 = ip_rules(&ns, "-4");
    for want in [
        "1000: from 192.0.2.0/24 lookup 200 proto static",
        "1001: from all to 198.51.100.0/24 iif r0 lookup 70000 proto static",
        "1002: from all fwmark 0x10/0xff lookup 201 proto static",
        "1003: from all oif r0 unreachable proto static",
        "1004: from 192.0.2.128/25 blackhole proto static",
        "1005: from all to 192.0.2.0/24 lookup main suppress_prefixlength 0 proto static",
    ] {
        assert!(v4.iter().any(|l| l == want), "{want} missing in {v4:#?}");
    }
    let v6 = ip_rules(&ns, "-6");
    for want in [
        "1006: from 2001:db8:1::/64 lookup 202 proto static",
        "1007: from all prohibit proto static",
    ] {
        assert!(v6.iter().any(|l| l == want), "{want} missing in {v6:#?}");
    }
    assert!(
        d.apply(RULES).changes.is_empty(),
        "applying again changes nothing"
    );

    // One rule, selected by its priority.
    let r = d.apply("route-rules: {config: [{state: absent, priority: 1001}]}");
    assert_eq!(r.changes.len(), 1, "{:?}", r.changes);
    assert!(!ip_rules(&ns, "-4").iter().any(|l| l.starts_with("1001:")));
    assert_eq!(shown_rules(&d).len(), 8);

    // Every IPv6 rule.
    d.apply("route-rules: {config: [{state: absent, family: ipv6}]}");
    assert_eq!(ip_rules(&ns, "-6"), DEFAULTS_V6);

    // Everything, except what the same state asks for: the kernel's
    // default rules stay.
    let r = d.apply(
        "route-rules: {config: [{state: absent}, {ip-from: 192.0.2.0/24, route-table: 200}]}",
    );
    assert!(r.verified);
    let left: Vec<String> = ip_rules(&ns, "-4");
    let mut want: Vec<String> = DEFAULTS_V4.iter().map(ToString::to_string).collect();
    want.insert(1, "1000: from 192.0.2.0/24 lookup 200 proto static".into());
    assert_eq!(left, want);
    d.apply("route-rules: {config: [{state: absent}]}");
    assert_eq!(ip_rules(&ns, "-4"), DEFAULTS_V4);
    assert_eq!(ip_rules(&ns, "-6"), DEFAULTS_V6);
    assert_eq!(shown_rules(&d), Vec::new());
}

#[test]
fn bad_rules_are_refused_with_the_path_and_change_nothing() {
    let ns = with_links();
    let d = Daemon::start(&ns, false, "");
    let before = ip_rules(&ns, "-4");
    for (yaml, want) in [
        (
            "route-rules: {config: [{ip-from: 192.0.2.0/24, priority: 5}, {priority: 6, route-table: 9}]}",
            "route-rules.config[1].family: is required when neither ip-from nor ip-to is given",
        ),
        (
            "route-rules: {config: [{family: ipv4, action: blackhole, route-table: 5}]}",
            "route-rules.config[0].route-table: 5 is given with action blackhole",
        ),
    ] {
        let e = d.apply_err(yaml);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.message().starts_with(want), "{yaml}: {e}");
        assert_eq!(ip_rules(&ns, "-4"), before);
    }
}

#[test]
fn a_rule_lost_before_verification_is_rolled_back() {
    let ns = with_links();
    // Something removes the new rule behind the apply's back.
    let d = Daemon::start(
        &ns,
        true,
        "[plugin.commander]\nextra_roles = [\"fault\"]\nverify_retries = 2\nverify_interval_ms = 100\n\
         [plugin.state-fault]\nsabotage = \"ip rule del priority 1000 2>/dev/null || true\"\n",
    );
    let before = d.show();
    let rules_before = ip_rules(&ns, "-4");
    let out = d.apply_with(
        "
route-rules:
  config:
    - {state: absent, priority: 900}
    - {ip-from: 192.0.2.0/24, priority: 1000, route-table: 200}
    - {ip-to: '2001:db8::/64', priority: 1001, action: unreachable}
",
        json!({}),
    );
    let e = out.result.expect_err("verification fails");
    assert_eq!(e.kind(), ErrorKind::Failed);
    assert!(
        e.message().starts_with(
            "verification failed after 2 attempts: route-rules: rule priority 1000 from 192.0.2.0/24 lookup 200 desired present, current missing; rolled back to checkpoint"
        ),
        "{e}"
    );
    // The removed rule is back (added by nipart: `proto static`, which the
    // schema does not show), the added one gone.
    let unmarked: Vec<String> = ip_rules(&ns, "-4")
        .iter()
        .map(|l| l.replace(" proto static", ""))
        .collect();
    assert_eq!(unmarked, rules_before);
    assert_eq!(ip_rules(&ns, "-6"), DEFAULTS_V6);
    assert_eq!(d.show(), before);
}

#[test]
fn nmstate_rule_files_apply_and_verify() {
    let ns = netns();
    for l in ["eth1", "eth2"] {
        ns.ip(&format!("link add {l} type veth peer name {l}-ep"));
        ns.ip(&format!("link set {l}-ep up"));
    }
    let d = Daemon::start(&ns, false, "");
    common::apply_nmstate_files("route-rules", 3, |t| d.apply(t), || d.show());
    // The last file removes every rule of table 500.
    let left: Vec<RouteRule> = shown_rules(&d);
    assert!(left.iter().all(|r| r.route_table != Some(500)), "{left:?}");
    assert!(!left.is_empty());
    // What Show gives is a state that applies as is.
    let shown = d.show().to_yaml();
    NetworkState::from_yaml(&shown).unwrap();
    assert!(d.apply(&shown).changes.is_empty());
}
