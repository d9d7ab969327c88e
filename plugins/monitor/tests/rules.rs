//! The monitor's rules: registration, firing, removal, owners going away
//! and bad input; against the real kernel in namespaces (root required).

mod common;

use std::time::Duration;

use common::{CLIENT, Daemon, Netns, artifacts, index, payload, summaries, veth};
use nipart_plugin_api::{Address, ErrorKind};
use serde_json::{Value, json};

fn topics_of(events: &[nipart_plugin_api::Event], prefix: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.topic.starts_with(prefix))
        .map(|e| e.topic.to_string())
        .collect()
}

fn rule_ids(d: &Daemon) -> Vec<(u64, String)> {
    d.request("monitor.rule.list", json!({})).unwrap()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_u64().unwrap(),
                r["owner"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn one_shot_fires_once_persistent_every_time_and_removal_works() {
    let ns = Netns::new();
    veth(&ns, "mva", "mvb", false);
    ns.ip("link set dev mvb up");
    let d = Daemon::start_monitor(&ns);
    let client = format!("client:{CLIENT}");

    let once = d
        .request(
            "monitor.rule.add",
            json!({"interface": "mva", "condition": "up",
                   "event": {"topic": "test.once", "dst": client, "payload": {"k": "v"}}}),
        )
        .unwrap();
    assert_eq!(once["holds"], false);
    assert_eq!(once["fired"], false);
    assert_eq!(once["active"], true);
    let every = d
        .request(
            "monitor.rule.add",
            json!({"interface": index(&ns, "mva"), "condition": "carrier-up", "persistent": true,
                   "event": {"topic": "test.every", "state": "done"}}),
        )
        .unwrap();
    assert_ne!(once["id"], every["id"]);

    for round in 0..3 {
        ns.ip("link set dev mva up");
        let ev = d.settle();
        let fired = topics_of(&ev, "test.");
        if round == 0 {
            assert_eq!(fired, ["test.once", "test.every"], "{:?}", summaries(&ev));
            let once_ev = ev.iter().find(|e| e.topic == "test.once").unwrap();
            assert_eq!(payload(once_ev), json!({"k": "v"}));
            assert_eq!(once_ev.src, Address::plugin("monitor"));
            assert_eq!(once_ev.dst, Address::Client(CLIENT));
        } else {
            assert_eq!(fired, ["test.every"], "round {round}: {:?}", summaries(&ev));
        }
        // The follow-up comes after the change that fired it.
        let pos = |t: &str| ev.iter().position(|e| e.topic == t).unwrap();
        assert!(pos("link.carrier-up") < pos("test.every"));
        ns.ip("link set dev mva down");
        assert_eq!(topics_of(&d.settle(), "test."), Vec::<String>::new());
    }
    // The one-shot rule is gone; the persistent one stays.
    let id = every["id"].as_u64().unwrap();
    assert_eq!(rule_ids(&d), [(id, client.clone())]);

    let removed = d.request("monitor.rule.remove", json!({"id": id})).unwrap();
    assert_eq!(removed, json!({"id": id, "removed": true}));
    ns.ip("link set dev mva up");
    let ev = d.settle();
    assert_eq!(
        topics_of(&ev, "test."),
        Vec::<String>::new(),
        "{:?}",
        summaries(&ev)
    );
    let e = d
        .request("monitor.rule.remove", json!({"id": id}))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.message(), format!("no monitor rule {id}"));
}

#[test]
fn a_rule_that_already_holds_fires_at_registration_unless_told_not_to() {
    let ns = Netns::new();
    veth(&ns, "mva", "mvb", true);
    let d = Daemon::start_monitor(&ns);

    let r = d
        .request(
            "monitor.rule.add",
            json!({"interface": "mva", "condition": "up", "event": {"topic": "test.now"}}),
        )
        .unwrap();
    assert_eq!(
        (&r["holds"], &r["fired"], &r["active"]),
        (&json!(true), &json!(true), &json!(false))
    );
    let ev = d.settle();
    assert_eq!(topics_of(&ev, "test."), ["test.now"]);
    assert_eq!(rule_ids(&d), []);

    let r = d
        .request(
            "monitor.rule.add",
            json!({"interface": "mva", "condition": "up", "fire_if_holds": false,
                   "event": {"topic": "test.later"}}),
        )
        .unwrap();
    assert_eq!(
        (&r["holds"], &r["fired"], &r["active"]),
        (&json!(true), &json!(false), &json!(true))
    );
    assert_eq!(topics_of(&d.settle(), "test."), Vec::<String>::new());
    ns.ip("link set dev mva down");
    assert_eq!(topics_of(&d.settle(), "test."), Vec::<String>::new());
    ns.ip("link set dev mva up");
    assert_eq!(topics_of(&d.settle(), "test."), ["test.later"]);
}

#[test]
fn added_and_removed_rules_by_name() {
    let ns = Netns::new();
    let d = Daemon::start_monitor(&ns);
    for c in ["added", "removed", "down"] {
        let r = d
            .request(
                "monitor.rule.add",
                json!({"interface": "mvz", "condition": c, "persistent": true,
                       "fire_if_holds": false, "event": {"topic": format!("test.{c}")}}),
            )
            .unwrap();
        // "removed" holds for a name no link has; the others do not.
        assert_eq!(r["holds"], c == "removed", "{c}");
    }
    veth(&ns, "mvz", "mvy", false);
    // A new link is down: "added" and "down" become true together.
    assert_eq!(topics_of(&d.settle(), "test."), ["test.added", "test.down"]);
    ns.ip("link del dev mvz");
    assert_eq!(topics_of(&d.settle(), "test."), ["test.removed"]);
    veth(&ns, "mvy", "mvz", false); // the name again, on a new index
    assert_eq!(topics_of(&d.settle(), "test."), ["test.added", "test.down"]);
}

#[test]
fn bad_rules_get_a_cancelled_reply_naming_the_problem() {
    let ns = Netns::new();
    let d = Daemon::start_monitor(&ns);
    let cases: [(&str, &[u8], &str); 7] = [
        (
            "monitor.rule.add",
            br#"{"interface":"eth0","condition":"sideways","event":{"topic":"t"}}"#,
            "invalid monitor rule: unknown condition \"sideways\": expected one of up, down, added, removed, carrier-up, carrier-down",
        ),
        (
            "monitor.rule.add",
            b"{not json",
            "invalid monitor rule: the payload is not JSON",
        ),
        (
            "monitor.rule.add",
            br#"{"interface":"eth0","condition":"up"}"#,
            "invalid monitor rule: event is missing",
        ),
        (
            "monitor.rule.add",
            br#"{"interface":"eth0","condition":"up","event":{"topic":"t","dst":"plugin:"}}"#,
            "invalid monitor rule: event.dst: invalid address \"plugin:\"",
        ),
        (
            "monitor.rule.add",
            br#"{"interface":-3,"condition":"up","event":{"topic":"t"}}"#,
            "invalid monitor rule: interface -3 is not a valid interface index",
        ),
        (
            "monitor.rule.remove",
            br#"{"rule":1}"#,
            "invalid monitor.rule.remove payload (expected {\"id\": N})",
        ),
        (
            "monitor.frobnicate",
            b"{}",
            "the monitor does not answer \"monitor.frobnicate\"",
        ),
    ];
    for (topic, body, expected) in cases {
        let e = d
            .request_raw(topic, Address::role("monitor"), body.to_vec())
            .unwrap_err();
        assert!(
            e.message().starts_with(expected),
            "{topic} {}: got {:?}",
            String::from_utf8_lossy(body),
            e.message()
        );
        let kind = if topic == "monitor.frobnicate" {
            ErrorKind::Unsupported
        } else {
            ErrorKind::InvalidInput
        };
        assert_eq!(e.kind(), kind, "{e}");
    }
    // Nothing was registered, and the monitor still works.
    assert_eq!(rule_ids(&d), []);
}

/// Registers a persistent "mva up" rule owned by the `ruler` fixture plugin,
/// whose follow-up comes to this client.
fn ruler_rule(d: &Daemon) -> u64 {
    let r = d
        .request_raw(
            "ruler.register",
            Address::plugin("ruler"),
            serde_json::to_vec(
                &json!({"interface": "mva", "condition": "up", "persistent": true,
                   "event": {"topic": "test.ruler", "dst": format!("client:{CLIENT}")}}),
            )
            .unwrap(),
        )
        .unwrap();
    r["id"].as_u64().unwrap()
}

#[test]
fn rules_of_a_failed_plugin_are_dropped() {
    let ns = Netns::new();
    veth(&ns, "mva", "mvb", false);
    let a = artifacts();
    let d = Daemon::start(&ns, &[&a.monitor, &a.ruler], "");
    let id = ruler_rule(&d);
    assert_eq!(rule_ids(&d), [(id, "plugin:ruler".to_string())]);

    // The fixture panics in a handler: the SDK contains it, the daemon marks
    // the plugin failed and broadcasts plugin.failed; the monitor drops its rules.
    d.send("ruler.panic", Address::plugin("ruler"), json!({}));
    // The monitor may publish monitor.rule.dropped before the bus has
    // handed plugin.failed to this client: look for it among the earlier events too.
    let (before, failed) = d.wait_for("plugin.failed", Duration::from_secs(5), |e| {
        e.topic == "plugin.failed"
    });
    let p = payload(&failed);
    assert_eq!(p["plugin"], "ruler");
    assert!(
        p["reason"]
            .as_str()
            .unwrap()
            .contains("ruler was told to panic"),
        "{p}"
    );
    let dropped = match before
        .into_iter()
        .find(|e| e.topic == "monitor.rule.dropped")
    {
        Some(e) => e,
        None => {
            d.wait_for("monitor.rule.dropped", Duration::from_secs(5), |e| {
                e.topic == "monitor.rule.dropped"
            })
            .1
        }
    };
    let p = payload(&dropped);
    assert_eq!(
        (&p["owner"], &p["ids"], &p["reason"]),
        (
            &json!("plugin:ruler"),
            &json!([id]),
            &json!("plugin.failed")
        )
    );
    assert_eq!(rule_ids(&d), []);

    ns.ip("link set dev mva up");
    let ev = d.settle();
    assert!(summaries(&ev).contains(&"link.admin-up mva".to_string()));
    assert_eq!(topics_of(&ev, "test."), Vec::<String>::new());
}

#[test]
fn rules_of_a_stopped_plugin_are_dropped() {
    let ns = Netns::new();
    veth(&ns, "mva", "mvb", false);
    let a = artifacts();
    let d = Daemon::start(&ns, &[&a.monitor, &a.ruler], "");
    let ruler_id = ruler_rule(&d);
    let own = d
        .request(
            "monitor.rule.add",
            json!({"interface": "mva", "condition": "up", "event": {"topic": "test.mine"}}),
        )
        .unwrap()["id"]
        .as_u64()
        .unwrap();

    // Only the daemon may say a plugin is gone: a client saying so is ignored.
    d.send("plugin.stopped", Address::All, json!({"plugin": "ruler"}));
    assert_eq!(rule_ids(&d).len(), 2);

    // What the daemon broadcasts when a plugin's Shutdown returned.
    d.send_as_daemon("plugin.stopped", json!({"plugin": "ruler"}));
    let (_, dropped) = d.wait_for("monitor.rule.dropped", Duration::from_secs(5), |e| {
        e.topic == "monitor.rule.dropped"
    });
    assert_eq!(payload(&dropped)["ids"], json!([ruler_id]));
    assert_eq!(rule_ids(&d), [(own, format!("client:{CLIENT}"))]);

    // And the daemon does broadcast it, in reverse Init order, at shutdown.
    let mut d = d;
    d.pending_events();
    let errors = d.shutdown();
    assert!(errors.is_empty(), "{errors:?}");
    let stopped: Vec<Value> = d
        .pending_events()
        .iter()
        .filter(|e| e.topic == "plugin.stopped")
        .map(payload)
        .collect();
    assert_eq!(
        stopped,
        [json!({"plugin": "ruler"}), json!({"plugin": "monitor"})]
    );
}
