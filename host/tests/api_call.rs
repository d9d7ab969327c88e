//! `io.nipart.Daemon.Call`: an admin sends a request on a plugin's own
//! topic (the api-commander fixture's `api-commander.echo`) and gets its
//! reply; the built-in roles' requests that change state are refused for
//! everybody; nobody may call it at all; parameters are checked by their
//! type; the reply is bounded by the message size limit.

mod api_daemon;
mod support;

use api_daemon::with_commander;
use nipart_client::{Client, Error, PluginCall};
use nipart_testkit::callers::{Creds, connect_as};
use serde_json::{Value, json};
use support::{error_name, raw_call};

fn remote(e: Error) -> (String, Value) {
    match e {
        Error::Remote(r) => (r.error, r.parameters),
        other => panic!("expected a varlink error, got {other}"),
    }
}

fn echo_call(payload: Value) -> PluginCall {
    PluginCall {
        topic: "api-commander.echo".into(),
        plugin: Some("api-commander".into()),
        role: None,
        payload,
    }
}

#[tokio::test]
async fn an_admin_calls_a_plugins_own_topic_and_built_in_changes_are_refused() {
    let d = with_commander().api("max_message_size = 65536").spawn();
    let mut c = Client::connect(d.socket()).await.unwrap();

    // The plugin answers its own request, by name and by role.
    let reply = c
        .call_plugin(&echo_call(json!({"name": "vendor"})))
        .await
        .unwrap();
    assert_eq!(reply, json!({"echo": {"name": "vendor"}}));
    let by_role = PluginCall {
        plugin: None,
        role: Some("commander".into()),
        ..echo_call(json!([1, 2]))
    };
    assert_eq!(
        c.call_plugin(&by_role).await.unwrap(),
        json!({"echo": [1, 2]})
    );

    // Requests of the built-in roles that change state are refused, before
    // anything is sent (the commander fixture would answer them).
    for topic in [
        "api.network.apply",
        "network.apply",
        "conf.state.save",
        "monitor.rule.add",
    ] {
        let call = PluginCall {
            topic: topic.into(),
            ..echo_call(json!({}))
        };
        let (name, p) = remote(c.call_plugin(&call).await.unwrap_err());
        assert_eq!(name, "io.nipart.Daemon.CallRefused", "{topic}");
        assert_eq!(p["topic"], topic);
        assert!(
            p["reason"].as_str().unwrap().contains("changes state"),
            "{p}"
        );
    }

    // Nobody holds the destination.
    let nowhere = PluginCall {
        plugin: Some("no-such-plugin".into()),
        ..echo_call(json!({}))
    };
    let (name, p) = remote(c.call_plugin(&nowhere).await.unwrap_err());
    assert_eq!(name, "io.nipart.Daemon.NoReceiver");
    assert_eq!(p["destination"], "plugin:no-such-plugin");

    // A reply over the message size limit is refused, not relayed.
    let (name, p) = remote(
        c.call_plugin(&echo_call(json!({"big": 100_000})))
            .await
            .unwrap_err(),
    );
    assert_eq!(name, "io.nipart.Daemon.Failed");
    assert!(p["message"].as_str().unwrap().contains("65536"), "{p}");

    // Parameters decode into the type: unknown ones are named, and a
    // destination is required.
    for (parameters, parameter) in [
        (
            json!({"topic": "api-commander.echo", "plugin": "x", "bogus": 1}),
            "bogus",
        ),
        (json!({"topic": "api-commander.echo"}), "plugin"),
        (json!({"plugin": "api-commander"}), "topic"),
        (json!({"topic": 5, "plugin": "api-commander"}), "topic"),
    ] {
        let (name, p) = remote(
            c.call("io.nipart.Daemon.Call", parameters.clone())
                .await
                .unwrap_err(),
        );
        assert_eq!(name, "org.varlink.service.InvalidParameter", "{parameters}");
        assert_eq!(p, json!({"parameter": parameter}), "{parameters}");
    }
    c.ping().await.unwrap();
}

#[test]
fn nobody_may_not_call_a_plugin() {
    let d = with_commander().spawn();
    let (mut s, _) = connect_as(&d.socket(), &Creds::nobody());
    let call = json!({
        "method": "io.nipart.Daemon.Call",
        "parameters": {"topic": "api-commander.echo", "plugin": "api-commander"},
    });
    let v = raw_call(&mut s, &call.to_string()).unwrap();
    assert_eq!(error_name(&v), "io.nipart.Daemon.PermissionDenied", "{v}");
    assert_eq!(v["parameters"]["method"], "io.nipart.Daemon.Call");
}
