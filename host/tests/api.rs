//! The public API over a real socket against a real `nipartd` (a child
//! process) with a real plugin: every method, streams, the commander
//! exchange, start-up and shutdown of the socket.

mod api_daemon;
mod support;

use std::{os::unix::net::UnixStream, time::Duration};

use api_daemon::{daemon, with_commander};
use nipart_client::{
    ApplyOptions, ApplyProgress, ApplyRequest, ApplyStep, CheckpointResult, Client, Error,
    PluginCall,
};
use nipart_testkit::callers::{Creds, NOBODY, connect_as};
use serde_json::{Value, json};
use support::{assert_ping, error_name, raw_call};

const BIN: &str = env!("CARGO_BIN_EXE_nipartd");

fn remote(e: Error) -> (String, Value) {
    match e {
        Error::Remote(r) => (r.error, r.parameters),
        other => panic!("expected a varlink error, got {other}"),
    }
}

/// An apply of `state` with the default options.
fn state(state: Value) -> ApplyRequest {
    ApplyRequest {
        state,
        options: ApplyOptions::default(),
    }
}

/// The caller of the last network call, as the fixture commander was told.
async fn last_caller(c: &mut Client) -> Value {
    let call = PluginCall {
        topic: "api-commander.last-caller".into(),
        plugin: Some("api-commander".into()),
        role: None,
        payload: Value::Null,
    };
    c.call_plugin(&call).await.unwrap()["caller"].take()
}

#[tokio::test]
async fn ping_info_plugins_and_introspection() {
    let d = with_commander().spawn();
    let mut c = Client::connect(d.socket()).await.unwrap();
    c.ping().await.unwrap();

    let info = c.info().await.unwrap();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.abi_version, "1.0.0");
    assert_eq!(
        info.plugin_dir,
        d.sandbox().plugin_dir().display().to_string()
    );
    assert_eq!(info.socket, d.socket().display().to_string());
    assert_eq!((info.plugins, info.rejected), (1, 0));
    assert!(info.uptime_seconds >= 0.0 && info.uptime_seconds < 60.0);
    assert_eq!(info.pid, d.pid());

    let p = c.plugins().await.unwrap();
    assert_eq!(p.plugins.len(), 1);
    let cmd = &p.plugins[0];
    assert_eq!(cmd.name, "api-commander");
    assert_eq!(cmd.roles, ["commander"]);
    assert_eq!(cmd.state, "running");
    assert_eq!(cmd.last_error, None);
    assert!(cmd.file.ends_with("libnipart_fixture_api_commander.so"));
    // The start broadcast reached it.
    assert_eq!(cmd.delivered, 1);
    assert_eq!(cmd.dropped, 0);
    assert!(p.rejected.is_empty());

    let gi = c
        .call("org.varlink.service.GetInfo", json!({}))
        .await
        .unwrap();
    assert_eq!(gi["vendor"], "nipart");
    assert_eq!(gi["product"], "nipartd");
    assert_eq!(
        gi["interfaces"],
        json!([
            "org.varlink.service",
            "io.nipart.Daemon",
            "io.nipart.Network",
            "io.nipart.Events"
        ])
    );
    for iface in [
        "org.varlink.service",
        "io.nipart.Daemon",
        "io.nipart.Network",
        "io.nipart.Events",
    ] {
        let idl = c.interface_description(iface).await.unwrap();
        assert!(idl.contains(&format!("\ninterface {iface}\n")), "{idl}");
    }
    let (name, params) = remote(c.interface_description("io.nipart.Nope").await.unwrap_err());
    assert_eq!(name, "org.varlink.service.InterfaceNotFound");
    assert_eq!(params["interface"], "io.nipart.Nope");

    // A oneway call gets no reply: the next reply is the Ping's.
    c.call_oneway("io.nipart.Daemon.Info", json!({}))
        .await
        .unwrap();
    c.ping().await.unwrap();
}

#[tokio::test]
async fn network_calls_without_commander_say_so() {
    let d = daemon().spawn();
    let mut c = Client::connect(d.socket()).await.unwrap();
    for (method, params) in [
        ("Show", json!({})),
        ("Apply", json!({"state": {"interfaces": []}})),
        ("Commit", json!({})),
        ("Rollback", json!({"checkpoint": "x"})),
        ("ListCheckpoints", json!({})),
    ] {
        let e = c
            .call(&format!("io.nipart.Network.{method}"), params)
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the daemon can't do this yet: no plugin provides role commander (no network plugin is installed)"
        );
        let (name, p) = remote(e);
        assert_eq!(name, "io.nipart.Network.NoCommander", "{method}");
        assert_eq!(
            p,
            json!({"role": "commander", "message": "no plugin provides role commander"})
        );
    }
    c.ping().await.unwrap();
}

#[tokio::test]
async fn network_calls_through_a_commander_plugin() {
    let d = with_commander().spawn();
    let mut c = Client::connect(d.socket()).await.unwrap();

    // The typed reply, and the caller as the commander was told it.
    let shown = c.show(Some("wlan0")).await.unwrap();
    assert_eq!(shown.interfaces.len(), 1);
    assert_eq!(shown.interfaces[0].name, "wlan0");
    let caller = last_caller(&mut c).await;
    assert_eq!(caller["admin"], true);
    assert_eq!(caller["uid"], 0);
    assert_eq!(caller["pid"], std::process::id());
    // Root is admin and sees secrets (at the raw API: the schema has no
    // secret yet, and the typed client refuses a key it does not know).
    let raw = c
        .call("io.nipart.Network.Show", json!({"interface": "secret0"}))
        .await
        .unwrap();
    assert_eq!(
        raw["result"]["interfaces"][0]["wifi"]["password"],
        "hunter2"
    );
    let e = c.show(Some("secret0")).await.unwrap_err();
    assert!(e.to_string().contains("interfaces[0].wifi"), "{e}");
    // A caller who is not an admin gets nmstate's marker instead, and the
    // commander is told who asked.
    let (mut s, _) = connect_as(&d.socket(), &Creds::nobody());
    let raw = raw_call(
        &mut s,
        r#"{"method":"io.nipart.Network.Show","parameters":{"interface":"secret0"}}"#,
    )
    .unwrap();
    let wifi = &raw["parameters"]["result"]["interfaces"][0]["wifi"];
    assert_eq!(wifi["password"], "<_password_hid_by_nmstate>");
    assert_eq!(wifi["ssid"], "lab");
    let caller = last_caller(&mut c).await;
    assert_eq!(caller["admin"], false);
    assert_eq!(caller["uid"], NOBODY);

    // Apply with progress: two Ongoing events in order, then the result.
    let mut progress = Vec::new();
    let mut on_progress = |p: ApplyProgress| progress.push(p.step);
    let request = ApplyRequest {
        state: json!({"interfaces": [{"name": "br0", "type": "linux-bridge"}]}),
        options: ApplyOptions {
            no_commit: true,
            commit_timeout: Some(30),
            ..Default::default()
        },
    };
    let result = c.apply(&request, Some(&mut on_progress)).await.unwrap();
    assert_eq!(progress, [ApplyStep::Validate, ApplyStep::Apply]);
    assert_eq!(result.desired.interfaces[0].name, "br0");
    assert!(result.pending);
    // The options as the daemon decoded them, and `more`, reached it.
    assert_eq!(
        result.changes,
        [
            r#"options {"no_commit":true,"commit_timeout":30}"#,
            "more true"
        ]
    );

    // Without `more`, progress is not sent and the reply is single.
    let r = c
        .call(
            "io.nipart.Network.Apply",
            json!({"state": {"interfaces": []}}),
        )
        .await
        .unwrap();
    assert_eq!(r["result"]["changes"][1], "more false");
    assert_eq!(r.get("progress"), None);

    assert_eq!(
        c.commit(Some("cp-7")).await.unwrap(),
        CheckpointResult {
            checkpoint: "cp-7".into(),
            done: "committed".into()
        }
    );
    assert_eq!(
        c.rollback(None).await.unwrap(),
        CheckpointResult {
            checkpoint: "cp-1".into(),
            done: "rolled-back".into()
        }
    );
    let list = c.list_checkpoints().await.unwrap();
    assert_eq!(list.checkpoints.len(), 1);
    assert_eq!(list.checkpoints[0].id, "cp-1");
    assert_eq!(list.checkpoints[0].timeout, Some(60));

    // A refusal of the commander comes back as Failed with its kind.
    let e = c
        .apply(&state(json!({"fail": true})), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the fixture refuses this state (invalid-input)"
    );
    assert_eq!(remote(e).0, "io.nipart.Network.Failed");

    // A commander that answers too late: Timeout, and it is told the call
    // was abandoned.
    let mut watcher = Client::connect(d.socket()).await.unwrap();
    let mut events = watcher.monitor(&["test.abandoned"]).await.unwrap();
    c.set_call_timeout(Some(Duration::from_millis(300)));
    let e = c
        .apply(&state(json!({"sleep_ms": 1500})), None)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "no answer to io.nipart.Network.Apply within 300 ms"
    );
    let ev = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .expect("abandon notice")
        .unwrap()
        .unwrap();
    assert_eq!(ev.topic, "test.abandoned");
    assert_eq!(ev.src, "plugin:api-commander");
    // The late Done of the abandoned call does not leak into the next one.
    c.set_call_timeout(None);
    tokio::time::sleep(Duration::from_millis(1400)).await;
    let r = c.list_checkpoints().await.unwrap();
    assert_eq!(r.checkpoints[0].id, "cp-1");

    // timeout_ms out of range is an invalid parameter.
    let e = c
        .call("io.nipart.Network.Show", json!({"timeout_ms": 0}))
        .await
        .unwrap_err();
    assert_eq!(
        remote(e),
        (
            "org.varlink.service.InvalidParameter".into(),
            json!({"parameter": "timeout_ms"})
        )
    );

    // The plugin's counters moved.
    let p = c.plugins().await.unwrap();
    assert!(p.plugins[0].delivered >= 9, "{:?}", p.plugins[0]);
}

#[tokio::test]
async fn monitor_receives_bus_events_in_order() {
    let d = with_commander().spawn();
    let mut watcher = Client::connect(d.socket()).await.unwrap();
    let mut other = Client::connect(d.socket()).await.unwrap();
    let mut events = watcher.monitor(&["test.*"]).await.unwrap();
    assert_eq!(events.subscribed, ["test.*"]);
    let mut unrelated = other.monitor(&["link.*"]).await.unwrap();

    let mut c = Client::connect(d.socket()).await.unwrap();
    if let Err(e) = c.apply(&state(json!({"emit": 500})), None).await {
        panic!("{e}\n{}", d.log());
    }
    for seq in 0..500u64 {
        let ev = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("event in time")
            .unwrap()
            .expect("stream open");
        assert_eq!(ev.topic, "test.tick");
        assert_eq!(ev.payload, Some(json!({"seq": seq})));
        assert_eq!(ev.src, "plugin:api-commander");
        assert_eq!(ev.dst, "none");
        assert_eq!(ev.state, "done");
    }
    // The other pattern saw nothing.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), unrelated.next())
            .await
            .is_err()
    );

    // Monitor needs `more`; patterns are checked.
    let e = c
        .call("io.nipart.Events.Monitor", json!({"patterns": ["a.*"]}))
        .await
        .unwrap_err();
    assert_eq!(remote(e).0, "org.varlink.service.ExpectedMore");
    let mut bad = Client::connect(d.socket()).await.unwrap();
    let e = bad.monitor(&["link.**.up"]).await.err().unwrap();
    let (name, p) = remote(e);
    assert_eq!(name, "io.nipart.Events.InvalidPattern");
    assert_eq!(p["pattern"], "link.**.up");
}

#[tokio::test]
async fn set_log_level_reaches_the_daemon_and_its_plugins() {
    let d = with_commander().spawn();
    let mut c = Client::connect(d.socket()).await.unwrap();
    c.show(None).await.unwrap();
    assert!(!d.log().contains("fixture got"), "{}", d.log());

    let r = c.set_log_level("debug").await.unwrap();
    assert_eq!(r.level, "debug");
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    c.show(None).await.unwrap();
    // The daemon's own debug lines (a new connection) and the plugin's.
    Client::connect(d.socket())
        .await
        .unwrap()
        .ping()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = d.log();
    assert!(log.contains("fixture got api.network.show"), "{log}");
    assert!(log.contains("connected"), "{log}");

    let e = c.set_log_level("loud").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid log level \"loud\": use error, warn, info, debug or trace"
    );
    c.set_log_level("warn").await.unwrap();
}

/// `nipartd --config CONFIG`: the binary under test, as the test kit runs
/// a child.
fn nipartd(config: &std::path::Path) -> nipart_testkit::Daemon {
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg("--config").arg(config);
    nipart_testkit::Daemon::start_command(cmd)
}

#[test]
fn stale_socket_is_replaced_live_one_refused_and_sigterm_cleans_up() {
    let mut first = daemon().spawn();
    let config = first.sandbox().path("nipartd.toml");

    // A second daemon on the same socket refuses to start.
    let (status, text) = nipartd(&config).wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(
        text.contains(&format!(
            "another nipartd is already running on {}",
            first.socket().display()
        )),
        "{text}"
    );
    assert_ping(&first.socket(), "a second daemon was refused");

    // A crash leaves the socket file: the next daemon replaces it.
    first.kill();
    assert!(first.socket().exists());
    let mut third = nipartd(&config);
    third.wait_ready();
    assert!(third.stderr().contains("replacing the stale socket"));

    // SIGTERM with a client streaming: the stream ends, the socket goes.
    let mut s = UnixStream::connect(first.socket()).unwrap();
    let r = raw_call(
        &mut s,
        r#"{"method":"io.nipart.Events.Monitor","more":true}"#,
    )
    .unwrap();
    assert_eq!(r["continues"], true);
    let (status, text) = third.terminate(Duration::from_secs(20));
    assert!(status.success(), "{status}: {text}");
    assert!(support::closed_within(&mut s, Duration::from_secs(5)));
    assert!(!first.socket().exists(), "socket file left behind");
    let api = text.find("API stopped").expect("API stopped logged");
    let stopped = text.find("nipartd stopped").expect("stopped logged");
    assert!(api < stopped, "{text}");
}

#[test]
fn a_path_that_is_not_a_socket_is_left_alone() {
    let d = daemon().build();
    let socket = d.socket();
    std::fs::write(&socket, "precious").unwrap();
    let sandbox = d.sandbox();
    let mut child = nipart_testkit::Daemon::start(sandbox, "");
    let (status, text) = child.wait_exit(Duration::from_secs(20));
    assert!(!status.success());
    assert!(text.contains("exists and is not a socket"), "{text}");
    assert_eq!(std::fs::read_to_string(&socket).unwrap(), "precious");
    assert_eq!(error_name(&json!({})), "");
}
