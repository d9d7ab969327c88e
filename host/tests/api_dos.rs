//! Denial of service by callers who are not admins, against a real
//! `nipartd` (child process) with the test commander: the requests of
//! clients who left are not worked on, slow senders are cut off, admins
//! keep connection slots of their own, and what such callers send is not
//! echoed whole into replies or the log. Needs root (connections are made
//! as `nobody` by a child process).

mod api_daemon;
mod support;

use std::{
    io::Write,
    os::unix::net::UnixStream,
    time::{Duration, Instant},
};

use api_daemon::with_commander;
use nipart_testkit::callers::{Creds, connect_as};
use serde_json::{Value, json};
use support::{assert_ping, closed_within, error_name, raw_call, read_message};

/// Sends a call without waiting for its reply.
fn send(s: &mut UnixStream, msg: &Value) {
    let mut bytes = serde_json::to_vec(msg).unwrap();
    bytes.push(0);
    s.write_all(&bytes).unwrap();
}

fn apply(state: Value) -> Value {
    json!({"method": "io.nipart.Network.Apply", "parameters": {"state": state, "timeout_ms": 30000}})
}

/// A root connection monitoring `pattern`, its subscription confirmed.
fn monitor(socket: &std::path::Path, pattern: &str) -> UnixStream {
    let mut s = UnixStream::connect(socket).unwrap();
    send(
        &mut s,
        &json!({"method": "io.nipart.Events.Monitor", "parameters": {"patterns": [pattern]}, "more": true}),
    );
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let v = read_message(&mut s).unwrap();
    assert_eq!(v["parameters"]["subscribed"], json!([pattern]), "{v}");
    s
}

/// The bus events of `topic` a Monitor stream has sent within `limit`.
fn events_within(s: &mut UnixStream, limit: Duration) -> Vec<Value> {
    let until = Instant::now() + limit;
    let mut out = Vec::new();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return out;
        }
        s.set_read_timeout(Some(left)).unwrap();
        match read_message(s) {
            Ok(v) => out.push(v["parameters"]["event"].clone()),
            Err(_) => return out,
        }
    }
}

#[test]
fn a_request_cancelled_while_queued_never_reaches_its_handler() {
    let d = with_commander().spawn();
    // Everything the fixture publishes, in order.
    let mut monitor = monitor(&d.socket(), "test.**");

    // The fixture handles one event at a time: this apply holds it 1.5 s.
    let mut busy = UnixStream::connect(d.socket()).unwrap();
    send(&mut busy, &apply(json!({"sleep_ms": 1500})));
    std::thread::sleep(Duration::from_millis(200));
    // Queued behind it: an apply that would publish five ticks; its client
    // leaves before the fixture gets to it.
    let mut gone = UnixStream::connect(d.socket()).unwrap();
    send(&mut gone, &apply(json!({"emit": 5})));
    std::thread::sleep(Duration::from_millis(200));
    drop(gone);

    busy.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let v = read_message(&mut busy).unwrap();
    assert!(v["parameters"]["result"].is_object(), "{v}");
    // A later apply publishes one tick: the first the monitor sees.
    let mut later = UnixStream::connect(d.socket()).unwrap();
    let v = raw_call(
        &mut later,
        &apply(json!({"emit": 1, "mark": "later"})).to_string(),
    )
    .unwrap();
    assert!(v["parameters"]["result"].is_object(), "{v}");

    let events = events_within(&mut monitor, Duration::from_secs(1));
    let topics: Vec<(&str, &Value)> = events
        .iter()
        .map(|e| (e["topic"].as_str().unwrap_or(""), &e["payload"]))
        .collect();
    // Neither the cancelled apply's ticks nor its `test.abandoned` notice
    // (the fixture publishes one for a Cancelled event it handles).
    assert_eq!(
        topics,
        [("test.tick", &json!({"seq": 0}))],
        "the cancelled request ran: {events:?}"
    );
    assert_ping(&d.socket(), "a cancelled request");
}

#[test]
fn a_message_must_arrive_whole_within_the_deadline() {
    let d = with_commander().api("message_timeout_ms = 2000").spawn();
    // One byte per second, as nobody.
    let (mut s, _) = connect_as(&d.socket(), &Creds::nobody());
    let started = Instant::now();
    let msg = br#"{"method":"io.nipart.Daemon.Ping"}"#;
    let mut reply = None;
    for b in msg {
        if s.write_all(&[*b]).is_err() {
            break;
        }
        s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        match read_message(&mut s) {
            Ok(v) => {
                reply = Some(v);
                break;
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    let v = reply.expect("an error reply before the connection closed");
    assert_eq!(error_name(&v), "io.nipart.Daemon.InvalidMessage", "{v}");
    assert_eq!(
        v["parameters"]["reason"],
        "message not complete within 2000 ms"
    );
    assert!(closed_within(&mut s, Duration::from_secs(5)));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "closed only after {took:?}");
    // The warning is written as the connection closes: wait for it.
    nipart_testkit::wait_for(
        Duration::from_secs(10),
        "the log line of the incomplete message",
        || {
            d.log()
                .contains("a message was not complete within 2000 ms")
                .then_some(())
        },
    );

    // Messages sent in pieces that arrive in time, and many messages in
    // one write, are fine.
    let (mut s, _) = connect_as(&d.socket(), &Creds::nobody());
    s.write_all(br#"{"method":"io.nipart."#).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    s.write_all(b"Daemon.Ping\"}\0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(read_message(&mut s).unwrap(), json!({"parameters": {}}));
    let mut many = Vec::new();
    for _ in 0..50 {
        many.extend_from_slice(b"{\"method\":\"io.nipart.Daemon.Ping\"}\0");
    }
    s.write_all(&many).unwrap();
    for _ in 0..50 {
        assert_eq!(read_message(&mut s).unwrap(), json!({"parameters": {}}));
    }
    assert_ping(&d.socket(), "a slow sender");
}

#[test]
fn admins_keep_connection_slots_that_others_cannot_take() {
    let d = with_commander()
        .api("max_connections = 8")
        .api("admin_reserved_connections = 3")
        .spawn();
    let ping = r#"{"method":"io.nipart.Daemon.Ping"}"#;
    // nobody gets 8 - 3 connections, then is refused.
    let mut held = Vec::new();
    for _ in 0..5 {
        let (mut s, _) = connect_as(&d.socket(), &Creds::nobody());
        assert_eq!(raw_call(&mut s, ping).unwrap(), json!({"parameters": {}}));
        held.push(s);
    }
    let (mut s, _) = connect_as(&d.socket(), &Creds::nobody());
    assert_eq!(
        read_message(&mut s).unwrap(),
        json!({"error": "io.nipart.Daemon.TooManyConnections", "parameters": {"scope": "unprivileged", "limit": 5}})
    );
    // root still gets the three reserved slots; then everyone is refused.
    let mut admins = support::hold(&d.socket(), 3);
    let mut s = UnixStream::connect(d.socket()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(
        read_message(&mut s).unwrap(),
        json!({"error": "io.nipart.Daemon.TooManyConnections", "parameters": {"scope": "total", "limit": 8}})
    );
    // A slot given back by nobody can be taken by nobody again.
    held.pop();
    admins.pop();
    std::thread::sleep(Duration::from_millis(200));
    let (mut s, _) = connect_as(&d.socket(), &Creds::nobody());
    assert_eq!(raw_call(&mut s, ping).unwrap(), json!({"parameters": {}}));
    assert_ping(&d.socket(), "the admins' reserve");
}

#[test]
fn a_flood_of_huge_names_by_nobody_is_not_echoed_or_logged_whole() {
    let d = with_commander().spawn();
    let name = "n".repeat(1_000_000);
    let show = json!({"method": "io.nipart.Network.Show", "parameters": {"interface": name}});
    let method = json!({"method": format!("io.nipart.Network.{name}")});
    let iface = json!({"method": format!("io.nipart.{name}.Ping")});
    let key =
        json!({"method": "io.nipart.Network.ListCheckpoints", "parameters": {name.clone(): 1}});
    let apply = json!({"method": "io.nipart.Network.Apply", "parameters": {"state": {"interfaces": [{"name": name}]}}});
    let pattern = json!({"method": "io.nipart.Events.Monitor", "parameters": {"patterns": [name]}, "more": true});
    let cases: [(&Value, &str); 6] = [
        (&show, "org.varlink.service.InvalidParameter"),
        (&method, "io.nipart.Daemon.InvalidMessage"),
        (&iface, "io.nipart.Daemon.InvalidMessage"),
        (&key, "org.varlink.service.InvalidParameter"),
        (&apply, "io.nipart.Network.PermissionDenied"),
        (&pattern, "io.nipart.Events.InvalidPattern"),
    ];
    let mut conns: Vec<UnixStream> = (0..4)
        .map(|_| connect_as(&d.socket(), &Creds::nobody()).0)
        .collect();
    let mut reply_bytes = 0;
    let started = std::time::Instant::now();
    for i in 0..200 {
        let (call, expected) = cases[i % cases.len()];
        let s = &mut conns[i % 4];
        let v = raw_call(s, &call.to_string()).unwrap();
        assert_eq!(error_name(&v), expected, "{v:.300}");
        let text = v.to_string();
        assert!(text.len() < 1024, "a reply of {} bytes", text.len());
        reply_bytes += text.len();
    }
    assert!(reply_bytes < 200 * 1024);
    assert_ping(&d.socket(), "huge names");
    let log = d.log();
    assert!(log.len() < 1 << 20, "{} bytes of log", log.len());
    assert!(!log.contains(&"n".repeat(100)), "a name was logged whole");
    // The 33 denied applies warned once per 10 s interval (and the rest
    // were counted): one line, plus one for each interval the loop spanned
    // on a slow machine.
    let intervals = started.elapsed().as_secs() as usize / 10 + 1;
    let denied = log.lines().filter(|l| l.contains("denied to uid")).count();
    assert!(
        (1..=intervals + 1).contains(&denied) && denied < 33,
        "{denied} warnings of denied calls in {intervals} intervals:\n{log}"
    );
}

#[test]
fn network_calls_of_non_admins_wait_for_a_permit_of_their_uid_and_of_all() {
    let d = with_commander()
        .api("max_unprivileged_calls_per_uid = 1")
        .api("max_unprivileged_calls = 2")
        .spawn();
    // Every Show request that reaches the bus.
    let mut monitor = monitor(&d.socket(), "api.network.show");

    // Root's apply holds the fixture (it handles one event at a time), so
    // the Show calls below stay in flight.
    let mut busy = UnixStream::connect(d.socket()).unwrap();
    send(&mut busy, &apply(json!({"sleep_ms": 2500})));
    std::thread::sleep(Duration::from_millis(200));
    let user = |uid| Creds {
        uid,
        gid: uid,
        groups: vec![uid],
    };
    let show = |timeout_ms: u64| json!({"method": "io.nipart.Network.Show", "parameters": {"interface": "eth0", "timeout_ms": timeout_ms}});
    // nobody's first call takes its uid's only permit; its second waits.
    let (mut first, _) = connect_as(&d.socket(), &user(65534));
    send(&mut first, &show(20_000));
    std::thread::sleep(Duration::from_millis(100));
    let (mut second, _) = connect_as(&d.socket(), &user(65534));
    send(&mut second, &show(1000));
    // Another uid takes the second (last) permit of all; a third uid waits.
    let (mut other, _) = connect_as(&d.socket(), &user(65533));
    send(&mut other, &show(20_000));
    std::thread::sleep(Duration::from_millis(100));
    let (mut third, _) = connect_as(&d.socket(), &user(65532));
    send(&mut third, &show(1000));
    // Root needs no permit.
    let mut root = UnixStream::connect(d.socket()).unwrap();
    send(&mut root, &show(20_000));

    for s in [&mut second, &mut third] {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let v = read_message(s).unwrap();
        assert_eq!(error_name(&v), "io.nipart.Network.Timeout", "{v}");
    }
    // Only three requests reached the bus while the fixture was busy.
    let requests: Vec<Value> = events_within(&mut monitor, Duration::from_millis(300))
        .into_iter()
        .filter(|e| e["request"] == true)
        .collect();
    assert_eq!(requests.len(), 3, "{requests:?}");
    let callers: Vec<u64> = {
        let mut v: Vec<u64> = requests
            .iter()
            .filter_map(|e| e["payload"]["caller"]["uid"].as_u64())
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(callers, [0, 65533, 65534]);
    // Those in flight are answered once the fixture is free.
    for s in [&mut first, &mut other, &mut root] {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let v = read_message(s).unwrap();
        assert!(v["parameters"]["result"].is_object(), "{v}");
    }
    // The permits are back: nobody's next call goes through.
    let v = raw_call(&mut second, &show(5000).to_string()).unwrap();
    assert!(v["parameters"]["result"].is_object(), "{v}");
}

#[test]
fn an_abandoned_call_keeps_its_permit_until_its_work_is_gone() {
    let d = with_commander()
        .api("max_unprivileged_calls_per_uid = 1")
        .spawn();
    let mut monitor = monitor(&d.socket(), "api.network.show");
    let mut busy = UnixStream::connect(d.socket()).unwrap();
    send(&mut busy, &apply(json!({"sleep_ms": 2500})));
    std::thread::sleep(Duration::from_millis(200));
    let show = |timeout_ms: u64| json!({"method": "io.nipart.Network.Show", "parameters": {"interface": "eth0", "timeout_ms": timeout_ms}});
    // nobody's call waits at the busy fixture; its client leaves.
    let (mut gone, _) = connect_as(&d.socket(), &Creds::nobody());
    send(&mut gone, &show(20_000));
    std::thread::sleep(Duration::from_millis(200));
    drop(gone);
    std::thread::sleep(Duration::from_millis(200));
    // Its work is still queued at the fixture: the permit is not free yet.
    let (mut next, _) = connect_as(&d.socket(), &Creds::nobody());
    let v = raw_call(&mut next, &show(800).to_string()).unwrap();
    assert_eq!(error_name(&v), "io.nipart.Network.Timeout", "{v}");
    let requests = events_within(&mut monitor, Duration::from_millis(300))
        .into_iter()
        .filter(|e| e["request"] == true)
        .count();
    assert_eq!(requests, 1, "the waiting call reached the bus");
    // Once the fixture dropped the abandoned request, the permit is back.
    busy.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    read_message(&mut busy).unwrap();
    let v = raw_call(&mut next, &show(10_000).to_string()).unwrap();
    assert!(v["parameters"]["result"].is_object(), "{v}");
}
