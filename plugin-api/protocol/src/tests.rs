use serde_json::json;

use crate::{
    Hello, Message, Notice, Request, Role,
    api::{Commit, ListCheckpoints},
    conf::{CheckpointInProgress, CheckpointListRequest},
    daemon::{DaemonCall, DaemonStarted, PluginFailed, QueueDepth},
    dhcp::CarrierUp,
    monitor::{
        Condition, FollowUp, LinkCarrierUp, RuleAdd, RuleInterface, RuleListRequest, RuleRemove,
    },
    state::{
        ApiCall, ApplyPart, CheckpointPending, IpChange, PlanRequest, QueryRequest, ShowRequest,
        StateSave, VerifyRequest,
    },
    workflow::{ApplyFailed, NetworkApplied},
};

/// Every topic of the built-in exchanges, with its role (`None` for a
/// notice): the rows of `docs/protocol.md`.
fn topics() -> Vec<(&'static str, Option<Role>)> {
    rows().into_iter().map(|r| (r.topic, r.role)).collect()
}

#[test]
fn every_topic_is_bound_once_and_is_well_formed() {
    let all = topics();
    let mut seen = std::collections::HashSet::new();
    for (topic, _) in &all {
        assert!(seen.insert(*topic), "{topic} is bound to two types");
        // The SDK's grammar: dot-separated lowercase words.
        assert!(
            topic.split('.').all(|w| !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')),
            "{topic}"
        );
    }
    assert_eq!(QueryRequest::ROLE, Role::KERNEL);
    assert_eq!(RuleAdd::ROLE.as_str(), "monitor");
}

/// The compatibility rule: a payload written before a field was added
/// (as optional, with a default) decodes into the newer type.
#[test]
fn old_payloads_decode_into_new_types() {
    // A hello from before features existed.
    let h: Hello = serde_json::from_value(json!({"protocol_version": 1})).unwrap();
    assert!(h.features.is_empty());
    // `rollback` came after `state` and `checkpoint`.
    let part: ApplyPart =
        serde_json::from_value(json!({"state": {}, "checkpoint": "cp-1"})).unwrap();
    assert!(!part.rollback);
    // `replace` came after `desired`.
    let save: StateSave = serde_json::from_value(json!({"desired": {}})).unwrap();
    assert!(!save.replace);
    // `plugins` came after the bare notice.
    let started: DaemonStarted = serde_json::from_value(json!({})).unwrap();
    assert!(started.plugins.is_empty());
    // An older reader ignores a field it does not know.
    let q: QueryRequest =
        serde_json::from_value(json!({"interface": "eth0", "added-later": 1})).unwrap();
    assert_eq!(q.interface.as_deref(), Some("eth0"));
    // A rule written by a plugin that knew neither `persistent` nor
    // `fire_if_holds`.
    let rule: RuleAdd = serde_json::from_value(json!({
        "interface": {"name": "eth0"},
        "condition": "carrier-up",
        "event": {"topic": "x.y"},
    }))
    .unwrap();
    assert!(!rule.persistent && rule.fire_if_holds);
    assert_eq!(rule.event.dst, "none");
    // `dns-resolver`, `hostname` and `ipv4.auto-dns` came after the rest.
    let part: ApplyPart = serde_json::from_value(json!({
        "state": {"interfaces": [{"name": "eth0", "ipv4": {"enabled": true}}]},
        "checkpoint": "cp-1",
    }))
    .unwrap();
    assert!(part.state.dns_resolver.is_none() && part.state.hostname.is_none());
    assert_eq!(
        part.state.interfaces[0].ipv4.as_ref().unwrap().auto_dns,
        None
    );
    // A lease list without `settings`, a lease without the domain and host
    // names, a route without `table`: written by an older dhcp plugin.
    let list: crate::state::DhcpLeaseList = serde_json::from_value(json!({
        "leases": [{"interface": "eth0", "address": "192.0.2.10/24", "server-id": "192.0.2.1",
            "lease-time": 120, "renewal-time": 60, "rebinding-time": 105,
            "acquired": "2026-11-28T21:03:00Z", "expires": "2026-11-28T21:05:00Z"}],
    }))
    .unwrap();
    assert!(list.settings.is_empty() && list.leases[0].search.is_empty());
    assert_eq!(list.leases[0].hostname, None);
    let route: crate::state::IpRoute =
        serde_json::from_value(json!({"destination": "0.0.0.0/0"})).unwrap();
    assert_eq!(route.table, None);
}

#[test]
fn network_applied_is_one_type_that_reads_both_outcomes() {
    let failed = json!({"error": "verification failed", "rolled_back": true});
    let n: NetworkApplied = serde_json::from_value(failed.clone()).unwrap();
    assert_eq!(
        n,
        NetworkApplied::Failed(ApplyFailed {
            error: "verification failed".into(),
            rolled_back: true
        })
    );
    assert_eq!(serde_json::to_value(&n).unwrap(), failed);
    let ok = json!({
        "checkpoint": "cp-1", "pending": false, "verified": true, "attempts": 1,
        "changes": [], "desired": {},
    });
    let n: NetworkApplied = serde_json::from_value(ok).unwrap();
    assert!(matches!(n, NetworkApplied::Applied(r) if r.checkpoint == "cp-1"));
    // Neither shape: an error, not a silent default.
    assert!(serde_json::from_value::<NetworkApplied>(json!({"x": 1})).is_err());
}

#[test]
fn shared_payloads_are_told_apart_by_type() {
    assert_ne!(CheckpointPending::TOPIC, CheckpointInProgress::TOPIC);
    assert_ne!(PluginFailed::TOPIC, crate::daemon::PluginStopped::TOPIC);
    assert_eq!(<ApiCall<Commit>>::ROLE, Role::COMMANDER);
    assert_eq!(CheckpointListRequest::TOPIC, "conf.checkpoint.list");
    let _: (
        RuleListRequest,
        RuleRemove,
        VerifyRequest,
        IpChange,
        PlanRequest,
    ) = (
        RuleListRequest {},
        RuleRemove { id: 1 },
        serde_json::from_value(json!({"desired": {}, "current": {}})).unwrap(),
        IpChange::default(),
        serde_json::from_value(json!({"desired": {}, "current": {}})).unwrap(),
    );
}

#[test]
fn a_rule_carries_a_typed_follow_up() {
    let follow = FollowUp::notice(
        "plugin:dhcp",
        &CarrierUp(crate::dhcp::CarrierChange {
            interface: "eth0".into(),
        }),
    )
    .unwrap();
    let rule = RuleAdd {
        interface: RuleInterface::Name("eth0".into()),
        condition: Condition::CarrierUp,
        event: follow,
        persistent: true,
        fire_if_holds: false,
    };
    assert_eq!(
        serde_json::to_value(&rule).unwrap(),
        json!({
            "interface": {"name": "eth0"},
            "condition": "carrier-up",
            "event": {"topic": "dhcp.carrier-up", "dst": "plugin:dhcp", "state": "done",
                      "payload": {"interface": "eth0"}},
            "persistent": true,
            "fire_if_holds": false,
        })
    );
    assert_eq!(LinkCarrierUp::TOPIC, "link.carrier-up");
}

#[test]
fn daemon_calls_keep_their_first_encodings() {
    assert_eq!(QueueDepth::encode_output(&3), b"3");
    assert_eq!(QueueDepth::decode_output(b"12"), Some(12));
    assert_eq!(QueueDepth::decode_output(b"x"), None);
    let h = Hello::new(&["hello"]);
    assert_eq!(Hello::decode(&h.encode()), Some(h.clone()));
    assert!(h.has("hello") && !h.has("other"));
    let _ = ApiCall::new("io.nipart.Network.Show", ShowRequest::default());
}

/// One row of `docs/protocol.md`'s table.
struct Row {
    topic: &'static str,
    /// `None` for a notice.
    role: Option<Role>,
    payload: String,
    reply: Option<String>,
}

/// `nipart_protocol::state::api::ApiCall<nipart_protocol::…::ShowRequest>`
/// → `ApiCall<ShowRequest>`.
fn short_type_name(full: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            out.push_str(word.rsplit("::").next().unwrap_or(""));
            word.clear();
            out.push(c);
        }
    }
    out.push_str(word.rsplit("::").next().unwrap_or(""));
    out
}

fn rows() -> Vec<Row> {
    fn r<R: Request>() -> Row {
        Row {
            topic: R::TOPIC,
            role: Some(R::ROLE),
            payload: short_type_name(std::any::type_name::<R>()),
            reply: Some(short_type_name(std::any::type_name::<R::Reply>())),
        }
    }
    fn n<N: Notice>() -> Row {
        Row {
            topic: N::TOPIC,
            role: None,
            payload: short_type_name(std::any::type_name::<N>()),
            reply: None,
        }
    }
    use crate::{conf::*, daemon::*, dhcp::*, lldp::*, monitor::*, ovs::*, state::*, workflow::*};
    vec![
        r::<ApiCall<ShowRequest>>(),
        r::<ApiCall<ApplyRequest>>(),
        r::<ApiCall<Commit>>(),
        r::<ApiCall<crate::api::Rollback>>(),
        r::<ApiCall<ListCheckpoints>>(),
        r::<ApiCall<crate::state::StatusRequest>>(),
        r::<QueryRequest>(),
        r::<ApplyPart>(),
        r::<PlanRequest>(),
        r::<RevertRequest>(),
        r::<VerifyRequest>(),
        n::<NetworkApplied>(),
        n::<RolledBack>(),
        r::<CheckpointSave>(),
        r::<CheckpointGet>(),
        r::<CheckpointListRequest>(),
        r::<CheckpointPending>(),
        r::<CheckpointInProgress>(),
        r::<StateSave>(),
        n::<LoadFailed>(),
        n::<BootApplied>(),
        n::<LinkAppeared>(),
        n::<LinkGone>(),
        r::<WaitingRequest>(),
        r::<SavedStateRequest>(),
        r::<IpChange>(),
        r::<DhcpLeaseQuery>(),
        n::<DhcpLeaseInfo>(),
        n::<DhcpLeaseLost>(),
        n::<Dhcp6LeaseInfo>(),
        n::<Dhcp6LeaseLost>(),
        n::<CarrierUp>(),
        n::<CarrierDown>(),
        r::<LldpQuery>(),
        n::<LldpNeighborAdded>(),
        n::<LldpNeighborChanged>(),
        n::<LldpNeighborGone>(),
        r::<DnsQuery>(),
        r::<DnsAutoQuery>(),
        r::<HostnameQuery>(),
        r::<OvsQuery>(),
        n::<OvsdbConnection>(),
        n::<OvsLinkAppeared>(),
        r::<crate::fleet::FleetStatusRequest>(),
        n::<crate::fleet::FleetConnection>(),
        n::<LinkAdded>(),
        n::<LinkRemoved>(),
        n::<LinkRenamed>(),
        n::<LinkAdminUp>(),
        n::<LinkAdminDown>(),
        n::<LinkCarrierUp>(),
        n::<LinkCarrierDown>(),
        n::<LinkMtuChanged>(),
        n::<AddressAdded>(),
        n::<AddressRemoved>(),
        n::<RouteAdded>(),
        n::<RouteRemoved>(),
        n::<Resync>(),
        n::<RuleDropped>(),
        r::<RuleAdd>(),
        r::<RuleRemove>(),
        r::<RuleListRequest>(),
        r::<LinksRequest>(),
        n::<DaemonStarted>(),
        r::<DaemonStopping>(),
        n::<BusMissed>(),
        n::<PluginStopped>(),
        n::<PluginFailed>(),
        n::<ConfigChanged>(),
        n::<DaemonPing>(),
    ]
}

/// The table of `docs/protocol.md`, as the code has it.
fn protocol_table() -> String {
    let mut out = String::from(
        "| topic | kind | to | payload (type) | reply (type) |\n| --- | --- | --- | --- | --- |\n",
    );
    for row in rows() {
        let (kind, to, reply) = match (&row.role, &row.reply) {
            (Some(role), Some(reply)) => {
                ("request", format!("`role:{role}`"), format!("`{reply}`"))
            }
            _ => ("notice", "subscribers".to_string(), "".to_string()),
        };
        out.push_str(&format!(
            "| `{}` | {kind} | {to} | `{}` | {reply} |\n",
            row.topic, row.payload
        ));
    }
    out
}

/// `docs/protocol.md` lists every exchange and notice with its types, as
/// the code binds them: a new or changed topic fails here until the page
/// says so (the message holds the table to paste).
#[test]
fn docs_protocol_md_lists_every_exchange_as_the_code_has_it() {
    let docs = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs"));
    if !docs.is_dir() {
        // Outside the repository (the crate as packaged): nothing to check.
        return;
    }
    let doc = std::fs::read_to_string(docs.join("protocol.md")).expect("docs/protocol.md");
    let begin = "<!-- the table below is checked by nipart-protocol's tests -->\n";
    let start = doc
        .find(begin)
        .expect("docs/protocol.md has the table's marker")
        + begin.len();
    let end = doc[start..]
        .find("\n\n")
        .map_or(doc.len(), |e| start + e + 1);
    let expected = protocol_table();
    assert!(
        doc[start..end] == expected,
        "docs/protocol.md is out of date; its table should be:\n{expected}"
    );
}

#[test]
fn type_names_are_shortened() {
    assert_eq!(
        short_type_name("nipart_protocol::state::api::ApiCall<nipart_protocol::api::Commit>"),
        "ApiCall<Commit>"
    );
    assert_eq!(short_type_name("alloc::vec::Vec<u8>"), "Vec<u8>");
}
