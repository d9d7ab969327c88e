//! The lifecycle and the bus with real `.so` plugins, in this process:
//! `Lifecycle::start`, a test client on the bus, `shutdown`. (Cases that
//! leave a thread stuck or end a process are in `daemon.rs`.)

use std::{
    fs,
    time::{Duration, Instant},
};

use nipart_loader_tests::{
    BusClient, Fixture, PATIENCE, Sandbox, log_lines, scripted_section, wait_for_log_line,
    wait_for_started,
};
use nipart_plugin_api::{Address, ErrorKind, Event, EventState};
use nipartd::{Lifecycle, MemberState, MemberStats};
use serde_json::json;

fn stats(lc: &Lifecycle, name: &str) -> MemberStats {
    lc.plugins()
        .into_iter()
        .find(|(info, _)| info.name == name)
        .unwrap_or_else(|| panic!("no plugin {name}"))
        .1
        .stats()
}

fn states(lc: &Lifecycle) -> Vec<(String, MemberState)> {
    lc.plugins()
        .into_iter()
        .map(|(info, m)| (info.name, m.state()))
        .collect()
}

/// The Init, start and Shutdown lines of a fixture log (without the events
/// the plugins also record, such as the daemon's `plugin.stopped` notices).
fn lifecycle_lines(log: &std::path::Path) -> Vec<String> {
    log_lines(log)
        .into_iter()
        .filter(|l| {
            l.starts_with("init ") || l.starts_with("started ") || l.starts_with("shutdown ")
        })
        .collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Waits until `name`'s state is `state`.
fn wait_for_state(lc: &Lifecycle, name: &str, state: MemberState) {
    let give_up = Instant::now() + PATIENCE;
    while stats(lc, name).state != state {
        assert!(Instant::now() < give_up, "{name} never became {state}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// pair-a asks pair-b through the bus and reports the answer: the good
/// plugins still exchange events.
fn assert_pair_exchanges(client: &BusClient) {
    let reply = client.request(
        "test.relay",
        Address::plugin("pair-a"),
        &json!({"to": "pair-b"}),
    );
    assert_eq!(reply.state, EventState::Done);
    assert_eq!(reply.src, Address::plugin("pair-a"));
    assert_eq!(
        reply.json::<serde_json::Value>().unwrap(),
        json!({"from": "pair-a", "relayed": {"from": "pair-b", "echo": {"asked_by": "pair-a"}}})
    );
}

#[test]
fn good_plugin_inits_answers_and_stops() {
    let sb = Sandbox::new();
    sb.add(Fixture::Good);
    let lc = Lifecycle::start(sb.config("")).unwrap();
    assert!(lc.rejected().is_empty());
    assert_eq!(states(&lc), [("good".to_string(), MemberState::Running)]);
    let client = BusClient::join(lc.bus(), 1);
    let reply = client.request("test.ping", Address::plugin("good"), &json!(null));
    assert_eq!(reply.state, EventState::Done);
    assert_eq!(reply.src, Address::plugin("good"));
    assert_eq!(reply.dst, client.address());
    assert_eq!(reply.json::<String>().unwrap(), "pong");
    // By role too.
    let reply = client.request("test.ping", Address::role("echo"), &json!(null));
    assert_eq!(reply.json::<String>().unwrap(), "pong");
    let s = stats(&lc, "good");
    // daemon.started and the two requests.
    assert_eq!((s.delivered, s.dropped, s.last_error), (3, 0, None));

    let (_, member) = lc.plugins().remove(0);
    assert_eq!(lc.shutdown(), Vec::<String>::new());
    assert_eq!(member.state(), MemberState::Stopped);
}

#[test]
fn init_in_name_order_start_broadcast_after_all_then_shutdown_in_reverse() {
    let sb = Sandbox::new();
    // File names sort the other way round from plugin names.
    sb.add_as(Fixture::Zulu, "liba.so");
    sb.add_as(Fixture::Pair, "libm.so");
    sb.add_as(Fixture::Alpha, "libz.so");
    let log = sb.path("order.log");
    let config: String = ["alpha", "pair-a", "pair-b", "zulu"]
        .iter()
        .map(|n| scripted_section(n, &log, &[]))
        .collect();
    let lc = Lifecycle::start(sb.config(&config)).unwrap();
    let names: Vec<_> = lc.plugins().into_iter().map(|(i, _)| i.name).collect();
    assert_eq!(names, ["alpha", "pair-a", "pair-b", "zulu"]);
    wait_for_started(&log, &["alpha", "pair-a", "pair-b", "zulu"]);
    let lines = lifecycle_lines(&log);
    assert_eq!(
        lines[..4],
        strings(&["init alpha", "init pair-a", "init pair-b", "init zulu"])
    );
    // Every Init returned before the start broadcast; the plugins take it
    // on their own threads, in any order.
    let mut started = lines[4..].to_vec();
    started.sort();
    assert_eq!(
        started,
        strings(&[
            "started alpha",
            "started pair-a",
            "started pair-b",
            "started zulu"
        ])
    );

    assert_eq!(lc.shutdown(), Vec::<String>::new());
    assert_eq!(
        lifecycle_lines(&log)[8..],
        strings(&[
            "shutdown zulu",
            "shutdown pair-b",
            "shutdown pair-a",
            "shutdown alpha"
        ])
    );
}

/// alpha's Init goes wrong as `mode` says; it must be isolated while
/// pair-a, pair-b and zulu (initialized after it) run and exchange events.
fn failed_init_is_isolated(mode: &str, expected_error: &str) {
    let sb = Sandbox::new();
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Pair);
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let config = format!(
        "{}{}{}{}",
        scripted_section("alpha", &log, &[&format!("init = \"{mode}\"")]),
        scripted_section("pair-a", &log, &[]),
        scripted_section("pair-b", &log, &[]),
        scripted_section("zulu", &log, &[]),
    );
    let lc = Lifecycle::start(sb.config(&config)).unwrap();
    assert_eq!(
        states(&lc),
        [
            ("alpha".to_string(), MemberState::Failed),
            ("pair-a".to_string(), MemberState::Running),
            ("pair-b".to_string(), MemberState::Running),
            ("zulu".to_string(), MemberState::Running),
        ]
    );
    assert_eq!(
        stats(&lc, "alpha").last_error.as_deref(),
        Some(expected_error)
    );
    wait_for_started(&log, &["pair-a", "pair-b", "zulu"]);

    let client = BusClient::join(lc.bus(), 7);
    assert_pair_exchanges(&client);
    // Nothing reaches alpha: a request to it is refused at once...
    let err = client
        .send_request("test.echo", Address::plugin("alpha"), &json!(1))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (ErrorKind::Failed, "plugin alpha is failed")
    );
    // ...and so is a plugin's request to it, which comes back as the error.
    let reply = client.request(
        "test.relay",
        Address::plugin("pair-a"),
        &json!({"to": "alpha"}),
    );
    assert_eq!(reply.state, EventState::Cancelled);
    let e: nipart_plugin_api::Error = reply.json().unwrap();
    assert_eq!(e.message(), "plugin alpha is failed");
    // A broadcast skips it.
    client
        .publish(Event::new("test.note", Address::All))
        .unwrap();
    for n in ["pair-a", "pair-b", "zulu"] {
        wait_for_log_line(&log, &format!("event {n} test.note"));
    }
    let s = stats(&lc, "alpha");
    assert_eq!((s.delivered, s.dropped), (0, 0));

    assert_eq!(lc.shutdown(), Vec::<String>::new());
    let alpha_lines: Vec<_> = log_lines(&log)
        .into_iter()
        .filter(|l| l.split(' ').nth(1) == Some("alpha"))
        .collect();
    // Only its Init ran: no event, no Shutdown of the plugin's code.
    assert_eq!(alpha_lines, ["init alpha"]);
    assert!(log_lines(&log).contains(&"shutdown zulu".to_string()));
}

#[test]
fn init_error_isolates_the_plugin() {
    failed_init_is_isolated("error", "Init failed: alpha refuses to init (scripted)");
}

#[test]
fn init_panic_isolates_the_plugin() {
    failed_init_is_isolated(
        "panic",
        "Init failed: Plugin::init panicked: alpha panicked in init (scripted)",
    );
}

#[test]
fn event_handler_panic_isolates_the_plugin() {
    let sb = Sandbox::new();
    sb.add(Fixture::Pair);
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let config = format!(
        "{}{}{}",
        scripted_section("pair-a", &log, &[]),
        scripted_section("pair-b", &log, &[]),
        scripted_section("zulu", &log, &["panic_on = \"test.boom\""]),
    );
    let lc = Lifecycle::start(sb.config(&config)).unwrap();
    wait_for_started(&log, &["pair-a", "pair-b", "zulu"]);
    let client = BusClient::join(lc.bus(), 3);

    // zulu works until it panics...
    let reply = client.request("test.echo", Address::plugin("zulu"), &json!("hi"));
    assert_eq!(
        reply.json::<serde_json::Value>().unwrap(),
        json!({"from": "zulu", "echo": "hi"})
    );
    // ...the requester of the fatal event gets the contained panic back...
    let reply = client.request("test.boom", Address::plugin("zulu"), &json!(null));
    assert_eq!(reply.state, EventState::Cancelled);
    let expected =
        "Plugin::handle_event on test.boom panicked: zulu panicked on test.boom (scripted)";
    let e: nipart_plugin_api::Error = reply.json().unwrap();
    assert_eq!((e.kind(), e.message()), (ErrorKind::Panicked, expected));
    // ...and zulu is failed and isolated, the daemon runs on.
    wait_for_state(&lc, "zulu", MemberState::Failed);
    assert_eq!(stats(&lc, "zulu").last_error.as_deref(), Some(expected));
    let delivered = stats(&lc, "zulu").delivered;
    let err = client
        .send_request("test.echo", Address::plugin("zulu"), &json!(1))
        .unwrap_err();
    assert_eq!(err.message(), "plugin zulu is failed");
    client
        .publish(Event::new("test.note", Address::All))
        .unwrap();
    wait_for_log_line(&log, "event pair-a test.note");
    wait_for_log_line(&log, "event pair-b test.note");
    assert_eq!(stats(&lc, "zulu").delivered, delivered);
    assert_pair_exchanges(&client);
    assert_eq!(
        states(&lc)[..2],
        [
            ("pair-a".to_string(), MemberState::Running),
            ("pair-b".to_string(), MemberState::Running),
        ]
    );

    assert_eq!(lc.shutdown(), Vec::<String>::new());
    let lines = log_lines(&log);
    assert!(
        !lines.iter().any(|l| l.starts_with("event zulu")),
        "{lines:?}"
    );
    assert!(!lines.contains(&"shutdown zulu".to_string()), "{lines:?}");
    assert!(lines.contains(&"shutdown pair-a".to_string()), "{lines:?}");
}

#[test]
fn required_plugin_failing_init_aborts_start_after_reverse_shutdown() {
    let sb = Sandbox::new();
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Pair);
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let config = format!(
        "required_plugins = [\"pair-b\"]\n{}{}{}{}",
        scripted_section("alpha", &log, &[]),
        scripted_section("pair-a", &log, &[]),
        scripted_section("pair-b", &log, &["init = \"error\""]),
        scripted_section("zulu", &log, &[]),
    );
    let err = match Lifecycle::start(sb.config(&config)) {
        Ok(_) => panic!("start-up went on without its required plugin"),
        Err(e) => e,
    };
    assert_eq!(
        err.to_string(),
        "required plugin \"pair-b\" failed: Init failed: pair-b refuses to init (scripted)"
    );
    assert_eq!(err.shutdown_errors, Vec::<String>::new());
    // Already initialized plugins were shut down in reverse; zulu never
    // started, and the failed one gets no Shutdown; no start broadcast.
    assert_eq!(
        lifecycle_lines(&log),
        [
            "init alpha",
            "init pair-a",
            "init pair-b",
            "shutdown pair-a",
            "shutdown alpha"
        ]
    );
}

#[test]
fn required_plugin_missing_or_refused_aborts_start() {
    let sb = Sandbox::new();
    sb.add(Fixture::Good);
    let bad = sb.add(Fixture::BadCtor);
    let err = match Lifecycle::start(sb.config("required_plugins = [\"kernel\"]")) {
        Ok(_) => panic!("started without a required plugin"),
        Err(e) => e,
    };
    assert_eq!(
        err.to_string(),
        format!(
            "required plugin \"kernel\" was not loaded: no file in {} provides it",
            sb.plugin_dir().display()
        )
    );
    let err = match Lifecycle::start(sb.config("required_plugins = [\"good\", \"ctor-error\"]")) {
        Ok(_) => panic!("started without a required plugin"),
        Err(e) => e,
    };
    assert_eq!(
        err.to_string(),
        format!(
            "required plugin \"ctor-error\" was not loaded: {}: plugin \"ctor-error\": \
             Plugin::new failed: no fixture device on purpose; fix: see the plugin's documentation",
            bad.display()
        )
    );
}

#[test]
fn full_queue_drops_are_counted_and_the_subscriber_told() {
    let sb = Sandbox::new();
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let gate = sb.path("gate");
    let config = format!(
        "queue_capacity = 4\n{}",
        scripted_section(
            "zulu",
            &log,
            &[&format!("gate = {}", nipart_loader_tests::toml_str(&gate))]
        ),
    );
    let lc = Lifecycle::start(sb.config(&config)).unwrap();
    wait_for_log_line(&log, "started zulu");
    let client = BusClient::join(lc.bus(), 9);
    let to_zulu = |topic: &str| Event::new(topic, Address::plugin("zulu"));

    // zulu's thread blocks on the gate: its queue of 4 fills up.
    client.publish(to_zulu("test.block")).unwrap();
    wait_for_log_line(&log, "blocked zulu");
    for _ in 0..10 {
        // Publishing never blocks, and a plain event that does not fit is
        // no error to its sender.
        client.publish(to_zulu("test.flood")).unwrap();
    }
    // A request that does not fit is.
    let err = client
        .send_request("test.echo", Address::plugin("zulu"), &json!(0))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.message()),
        (
            ErrorKind::QueueFull,
            "the queue of plugin zulu is full (4 events)"
        )
    );
    let s = stats(&lc, "zulu");
    // daemon.started, test.block and 4 floods in; 6 floods and the request out.
    assert_eq!((s.delivered, s.dropped, s.queue_depth), (6, 7, 4));

    fs::write(&gate, "").unwrap();
    // Let it drain its queue, so that the notice and the next event fit.
    let give_up = Instant::now() + PATIENCE;
    while log_lines(&log)
        .iter()
        .filter(|l| *l == "event zulu test.flood")
        .count()
        < 4
    {
        assert!(Instant::now() < give_up, "zulu did not drain its queue");
        std::thread::sleep(Duration::from_millis(5));
    }
    client.publish(to_zulu("test.after")).unwrap();
    wait_for_log_line(&log, "event zulu test.after");
    client.publish(to_zulu("test.again")).unwrap();
    let lines = wait_for_log_line(&log, "event zulu test.again");
    assert_eq!(
        lines,
        [
            "init zulu",
            "started zulu",
            "blocked zulu",
            "unblocked zulu",
            "event zulu test.flood",
            "event zulu test.flood",
            "event zulu test.flood",
            "event zulu test.flood",
            // Told once, before the next event it receives.
            "missed zulu 7",
            "event zulu test.after",
            "event zulu test.again",
        ]
    );
    let s = stats(&lc, "zulu");
    assert_eq!(
        (s.delivered, s.dropped, s.state),
        (8, 7, MemberState::Running)
    );
    assert_eq!(lc.shutdown(), Vec::<String>::new());
}

#[test]
fn shutdown_deadlines_per_plugin_and_overall() {
    let sb = Sandbox::new();
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Pair);
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let config = format!(
        "shutdown_timeout_ms = 300\nshutdown_total_timeout_ms = 450\n{}{}{}{}",
        scripted_section("alpha", &log, &[]),
        scripted_section("pair-a", &log, &[]),
        scripted_section("pair-b", &log, &["shutdown = \"hang\""]),
        scripted_section("zulu", &log, &["shutdown = \"hang\""]),
    );
    let lc = Lifecycle::start(sb.config(&config)).unwrap();
    wait_for_started(&log, &["alpha", "pair-a", "pair-b", "zulu"]);
    let members = lc.plugins();
    let t0 = Instant::now();
    let errors = lc.shutdown();
    let took = t0.elapsed();
    assert_eq!(
        errors,
        [
            "plugin zulu: Shutdown did not return by its deadline (shutdown_timeout_ms 300, shutdown_total_timeout_ms 450)",
            "plugin pair-b: Shutdown did not return by its deadline (shutdown_timeout_ms 300, shutdown_total_timeout_ms 450)",
            "plugin pair-a: Shutdown skipped: the overall shutdown deadline of 450ms has passed",
            "plugin alpha: Shutdown skipped: the overall shutdown deadline of 450ms has passed",
        ]
    );
    // zulu had its 300 ms, pair-b what was left of the 450 ms.
    assert!(took >= Duration::from_millis(450), "{took:?}");
    assert!(took < Duration::from_millis(2000), "{took:?}");
    let lines = lifecycle_lines(&log);
    assert_eq!(
        lines[lines.len() - 2..],
        strings(&["shutdown zulu", "shutdown pair-b"])
    );
    let states: Vec<_> = members
        .iter()
        .map(|(i, m)| (i.name.as_str(), m.state(), m.last_error()))
        .collect();
    let timed_out = Some(
        "Shutdown did not return by its deadline (shutdown_timeout_ms 300, shutdown_total_timeout_ms 450)"
            .to_string(),
    );
    let skipped = Some("Shutdown skipped: the overall shutdown deadline had passed".to_string());
    assert_eq!(
        states,
        [
            ("alpha", MemberState::Failed, skipped.clone()),
            ("pair-a", MemberState::Failed, skipped),
            ("pair-b", MemberState::Failed, timed_out.clone()),
            ("zulu", MemberState::Failed, timed_out),
        ]
    );
}

/// `nipc plugins` shows the queue depth now: once a plugin has taken every
/// event, it is 0 (not the depth sampled when the last one was delivered).
#[test]
fn an_idle_plugin_shows_an_empty_queue() {
    let sb = Sandbox::new();
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let gate = sb.path("gate");
    let config = scripted_section(
        "zulu",
        &log,
        &[&format!("gate = {}", nipart_loader_tests::toml_str(&gate))],
    );
    let lc = Lifecycle::start(sb.config(&config)).unwrap();
    wait_for_log_line(&log, "started zulu");
    let client = BusClient::join(lc.bus(), 9);
    let to_zulu = |topic: &str| Event::new(topic, Address::plugin("zulu"));

    // Three events wait behind a blocked handler: the depth is 3 now.
    client.publish(to_zulu("test.block")).unwrap();
    wait_for_log_line(&log, "blocked zulu");
    for _ in 0..3 {
        client.publish(to_zulu("test.flood")).unwrap();
    }
    assert_eq!(stats(&lc, "zulu").queue_depth, 3);

    fs::write(&gate, "").unwrap();
    let give_up = Instant::now() + PATIENCE;
    while log_lines(&log)
        .iter()
        .filter(|l| *l == "event zulu test.flood")
        .count()
        < 3
    {
        assert!(Instant::now() < give_up, "zulu did not drain its queue");
        std::thread::sleep(Duration::from_millis(5));
    }
    // The last event was logged by its handler: nothing waits any more.
    assert_eq!(stats(&lc, "zulu").queue_depth, 0);
    assert_eq!(lc.shutdown(), Vec::<String>::new());
}

/// A plugin that awaits a reply while the daemon stops it gets the reply:
/// zulu (stopped first) asks alpha (still running) from its Shutdown.
#[test]
fn a_reply_reaches_a_plugin_being_stopped() {
    let sb = Sandbox::new();
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let config = format!(
        "{}{}",
        scripted_section("alpha", &log, &[]),
        scripted_section("zulu", &log, &["ask_at_shutdown = \"alpha\""]),
    );
    let lc = Lifecycle::start(sb.config(&config)).unwrap();
    wait_for_log_line(&log, "started zulu");
    let started = Instant::now();
    assert_eq!(lc.shutdown(), Vec::<String>::new());
    let lines = log_lines(&log);
    let at = |line: &str| lines.iter().position(|l| l == line);
    assert!(
        at("shutdown-answered zulu \"alpha\"").is_some(),
        "zulu's request got no reply: {lines:?}"
    );
    assert!(at("shutdown zulu") < at("shutdown alpha"));
    // The answer came at once, not at the request's 5 s timeout.
    assert!(started.elapsed() < Duration::from_secs(4));
}

/// A bad value in `[plugin.NAME]` is reported where the operator wrote it
/// (the file, line and column of the TOML), not at its place in the JSON
/// the plugin reads.
#[test]
fn a_bad_plugin_setting_names_its_file_line_and_column() {
    let sb = Sandbox::new();
    sb.add(Fixture::Alpha);
    let file = sb.path("nipartd.toml");
    // `init` takes ok, error, panic or hang: line 4, column 8 is the bad value.
    let toml = sb.config_toml(&format!(
        "[plugin.alpha]\nlog = {}\ninit = \"sideways\"\n",
        nipart_loader_tests::toml_str(&sb.path("log"))
    ));
    fs::write(&file, &toml).unwrap();
    let line = toml
        .lines()
        .position(|l| l == "init = \"sideways\"")
        .unwrap()
        + 1;
    let config = nipartd::DaemonConfig::from_file(&file).unwrap();
    let lc = Lifecycle::start(config).unwrap();
    let s = stats(&lc, "alpha");
    assert_eq!(s.state, MemberState::Failed);
    let error = s.last_error.unwrap_or_default();
    assert!(
        error.contains(&format!(
            "configuration of plugin alpha: {}:{line}:8: plugin.alpha.init: unknown variant `sideways`",
            file.display()
        )),
        "{error}"
    );
    assert!(!error.contains("column"), "{error}");
    lc.shutdown();
}
