//! Routing rules persist: a saved apply's rules are in the saved state
//! (an absent selector removes the saved rules it selects), and the boot
//! apply puts back rules that went away while the daemon was stopped.

mod common;

use common::{FAST, Node};
use nipart_plugin_api::state::RouteRule;

fn ip_rules(n: &Node) -> Vec<String> {
    n.ns.ip("-4 rule show")
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn saved_rules_are_applied_again_at_start() {
    let mut n = Node::new(FAST);
    n.start();
    n.apply(
        "
route-rules:
  config:
    - {ip-from: 192.0.2.0/24, priority: 1100, route-table: 210}
    - {family: ipv4, priority: 1101, fwmark: 7, action: prohibit}
    - {ip-to: '2001:db8::/64', priority: 1102, route-table: 211}
",
        &[],
    );
    n.apply(
        "route-rules: {config: [{state: absent, priority: 1102}]}",
        &[],
    );
    let saved: Vec<String> = n
        .saved()
        .route_rules
        .config
        .unwrap_or_default()
        .iter()
        .map(RouteRule::to_string)
        .collect();
    assert_eq!(
        saved,
        [
            "ipv4 priority 1101 fwmark 0x7 prohibit",
            "priority 1100 from 192.0.2.0/24 lookup 210",
        ]
    );

    // The checkpoints say what took them.
    let cps = n.checkpoints();
    assert_eq!(cps[0]["created_by"], "apply of routing rules", "{cps:?}");

    n.stop();
    n.ns.ip("rule del priority 1100");
    n.ns.ip("rule del priority 1101");
    assert!(!ip_rules(&n).iter().any(|l| l.starts_with("1100:")));
    let err = n.start();
    assert!(err.contains("is applied"), "{err}");
    let rules = ip_rules(&n);
    for want in [
        "1100: from 192.0.2.0/24 lookup 210 proto static",
        "1101: from all fwmark 0x7 prohibit proto static",
    ] {
        assert!(
            rules.iter().any(|l| l == want),
            "{want} missing: {rules:#?}"
        );
    }
    assert!(
        !n.ns.ip("-6 rule show").contains("1102:"),
        "the removed rule stays removed"
    );
}
