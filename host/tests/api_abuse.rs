//! Abnormal input and load against a real `nipartd`: every case is
//! followed by a Ping on a fresh connection that must succeed.

mod api_daemon;
mod support;

use std::{
    io::Write,
    os::unix::net::UnixStream,
    time::{Duration, Instant},
};

use api_daemon::{DaemonBuilder, daemon, with_commander};
use nipart_client::{ApplyOptions, ApplyRequest, Client};
use serde_json::json;
use support::{assert_ping, closed_within, error_name, raw_call, read_message};

fn small_limits() -> DaemonBuilder<'static> {
    with_commander()
        .api("max_message_size = 65536")
        .api("idle_timeout_ms = 600")
        .api("max_requests_in_flight = 16")
        .api("write_queue = 8")
        .api("write_timeout_ms = 1000")
        .api("event_queue = 64")
}

/// A deterministic byte soup.
fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn malformed_messages_get_errors_or_a_closed_connection() {
    let d = small_limits().spawn();

    // Random bytes with terminators: each piece is answered with
    // InvalidMessage, or the connection is closed; never a crash.
    for seed in 1..20u64 {
        let mut s = UnixStream::connect(d.socket()).unwrap();
        let mut bytes = random_bytes(4096, seed);
        bytes.push(0);
        let _ = s.write_all(&bytes);
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        match read_message(&mut s) {
            Ok(v) => assert_eq!(error_name(&v), "io.nipart.Daemon.InvalidMessage", "{v}"),
            Err(e) => assert!(
                e.kind() == std::io::ErrorKind::UnexpectedEof
                    || e.kind() == std::io::ErrorKind::ConnectionReset,
                "{e}"
            ),
        }
        drop(s);
        assert_ping(&d.socket(), &format!("random bytes (seed {seed})"));
    }

    // Over the size limit with no terminator: an error, then closed.
    let mut s = UnixStream::connect(d.socket()).unwrap();
    let big = vec![b'x'; 200 * 1024];
    let _ = s.write_all(&big);
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let v = read_message(&mut s).unwrap();
    assert_eq!(error_name(&v), "io.nipart.Daemon.InvalidMessage");
    assert_eq!(
        v["parameters"]["reason"],
        "message larger than the limit of 65536 bytes"
    );
    assert!(closed_within(&mut s, Duration::from_secs(5)));
    assert_ping(&d.socket(), "an oversized message");

    // Invalid JSON: an error, and the connection stays usable.
    let mut s = UnixStream::connect(d.socket()).unwrap();
    let v = raw_call(&mut s, "{\"method\": \"io.nipart.Daemon.Ping\"").unwrap();
    assert_eq!(error_name(&v), "io.nipart.Daemon.InvalidMessage");
    assert!(
        v["parameters"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("not valid JSON"),
        "{v}"
    );
    for bad in [
        "[]",
        "{}",
        "{\"method\": 5}",
        "{\"method\": \"Ping\"}",
        "{\"method\": \"io.nipart.Daemon.Ping\", \"parameters\": 1}",
        "\"just a string\"",
    ] {
        let v = raw_call(&mut s, bad).unwrap();
        assert_eq!(
            error_name(&v),
            "io.nipart.Daemon.InvalidMessage",
            "{bad}: {v}"
        );
    }
    let v = raw_call(&mut s, r#"{"method":"io.nipart.Daemon.Ping"}"#).unwrap();
    assert_eq!(v, json!({"parameters": {}}));
    drop(s);
    assert_ping(&d.socket(), "invalid JSON");

    // Unknown interface and method; upgrade is refused.
    let mut s = UnixStream::connect(d.socket()).unwrap();
    let v = raw_call(&mut s, r#"{"method":"com.example.Nope.Ping"}"#).unwrap();
    assert_eq!(
        v,
        json!({"error": "org.varlink.service.InterfaceNotFound", "parameters": {"interface": "com.example.Nope"}})
    );
    let v = raw_call(&mut s, r#"{"method":"io.nipart.Daemon.Pong"}"#).unwrap();
    assert_eq!(
        v,
        json!({"error": "org.varlink.service.MethodNotFound", "parameters": {"method": "io.nipart.Daemon.Pong"}})
    );
    let v = raw_call(
        &mut s,
        r#"{"method":"io.nipart.Daemon.Ping","upgrade":true}"#,
    )
    .unwrap();
    assert_eq!(error_name(&v), "org.varlink.service.InvalidParameter");
    drop(s);
    assert_ping(&d.socket(), "unknown interface and method");

    // Wrong parameter types and unknown parameters.
    let mut s = UnixStream::connect(d.socket()).unwrap();
    for (call, parameter) in [
        (
            r#"{"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":5}}"#,
            "interface",
        ),
        (
            r#"{"method":"org.varlink.service.GetInterfaceDescription"}"#,
            "interface",
        ),
        (
            r#"{"method":"io.nipart.Daemon.SetLogLevel","parameters":{"level":["debug"]}}"#,
            "level",
        ),
        (
            r#"{"method":"io.nipart.Daemon.Ping","parameters":{"extra":true}}"#,
            "extra",
        ),
        (
            r#"{"method":"io.nipart.Events.Monitor","more":true,"parameters":{"patterns":"link.*"}}"#,
            "patterns",
        ),
        (
            r#"{"method":"io.nipart.Events.Monitor","more":true,"parameters":{"patterns":[1]}}"#,
            "patterns",
        ),
        (
            r#"{"method":"io.nipart.Network.Apply","parameters":{"state":"eth0"}}"#,
            "state",
        ),
        (
            r#"{"method":"io.nipart.Network.Apply","parameters":{}}"#,
            "state",
        ),
        (
            r#"{"method":"io.nipart.Network.Apply","parameters":{"state":{},"options":{"no_verify":"yes"}}}"#,
            "options.no_verify",
        ),
        (
            r#"{"method":"io.nipart.Network.Show","parameters":{"interface":["a"]}}"#,
            "interface",
        ),
        (
            r#"{"method":"io.nipart.Network.Show","parameters":{"timeout_ms":-5}}"#,
            "timeout_ms",
        ),
        (
            r#"{"method":"io.nipart.Network.Commit","parameters":{"checkpoint":7}}"#,
            "checkpoint",
        ),
    ] {
        let v = raw_call(&mut s, call).unwrap();
        assert_eq!(
            v,
            json!({"error": "org.varlink.service.InvalidParameter", "parameters": {"parameter": parameter}}),
            "{call}"
        );
    }
    drop(s);
    assert_ping(&d.socket(), "wrong parameter types");

    // Too many calls ahead of their replies: the allowed ones are
    // answered, then TooManyRequests and the connection closes.
    let mut s = UnixStream::connect(d.socket()).unwrap();
    let mut burst = Vec::new();
    for _ in 0..40 {
        burst.extend_from_slice(b"{\"method\":\"io.nipart.Daemon.Ping\"}\0");
    }
    s.write_all(&burst).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut pings = 0;
    loop {
        let v = read_message(&mut s).unwrap();
        if error_name(&v).is_empty() {
            pings += 1;
            continue;
        }
        assert_eq!(
            v,
            json!({"error": "io.nipart.Daemon.TooManyRequests", "parameters": {"limit": 16}})
        );
        break;
    }
    assert_eq!(pings, 16);
    assert!(closed_within(&mut s, Duration::from_secs(5)));
    assert_ping(&d.socket(), "too many calls in flight");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_idle_connections_and_disconnects() {
    let d = small_limits().spawn();

    // A client that disconnects in the middle of a stream.
    {
        let mut c = Client::connect(d.socket()).await.unwrap();
        let _events = c.monitor(&["test.*"]).await.unwrap();
    }
    // ... and in the middle of a Network call.
    {
        let mut s = UnixStream::connect(d.socket()).unwrap();
        s.write_all(b"{\"method\":\"io.nipart.Network.Apply\",\"more\":true,\"parameters\":{\"state\":{\"sleep_ms\":300}}}\0")
            .unwrap();
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let _ = read_message(&mut s);
    }
    assert_ping(&d.socket(), "clients that left mid-stream");
    // The bus no longer routes to them: an Apply emitting events still works.
    let mut c = Client::connect(d.socket()).await.unwrap();
    c.apply(&emit(100), None).await.unwrap();

    // An idle connection is closed after idle_timeout_ms (600 ms)...
    let mut idle = UnixStream::connect(d.socket()).unwrap();
    let t = Instant::now();
    assert!(closed_within(&mut idle, Duration::from_secs(5)));
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(500) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_ping(&d.socket(), "an idle connection");
    // ... but a connection with a stream running is not idle.
    let mut watcher = Client::connect(d.socket()).await.unwrap();
    let mut events = watcher.monitor(&["test.tick"]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // (`c` itself sat idle meanwhile and was closed: that is the rule.)
    assert!(matches!(c.ping().await, Err(nipart_client::Error::Closed)));
    let mut c = Client::connect(d.socket()).await.unwrap();
    c.apply(&emit(1), None).await.unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(ev.payload, Some(json!({"seq": 0})));
}

#[test]
fn a_client_that_never_reads_is_cut_off_without_slowing_others() {
    let d = small_limits().spawn();

    // A Monitor client that reads nothing while the bus floods it.
    let mut lazy = UnixStream::connect(d.socket()).unwrap();
    let v = raw_call(
        &mut lazy,
        r#"{"method":"io.nipart.Events.Monitor","more":true,"parameters":{"patterns":["test.*"]}}"#,
    )
    .unwrap();
    assert_eq!(v["parameters"]["subscribed"], json!(["test.*"]));

    // A client pipelining Pings without ever reading a reply.
    let mut deaf = UnixStream::connect(d.socket()).unwrap();
    deaf.set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();

    let mut worst = Duration::ZERO;
    let mut c = UnixStream::connect(d.socket()).unwrap();
    let started = Instant::now();
    let mut deaf_cut = false;
    let mut rounds = 0;
    while started.elapsed() < Duration::from_secs(8) {
        rounds += 1;
        // Flood the lazy monitor: 2000 events a round.
        let v = raw_call(
            &mut c,
            r#"{"method":"io.nipart.Network.Apply","parameters":{"state":{"emit":2000}}}"#,
        )
        .unwrap();
        assert_eq!(error_name(&v), "", "{v}");
        if !deaf_cut {
            let ping = b"{\"method\":\"io.nipart.Daemon.Ping\"}\0".repeat(8);
            if deaf.write_all(&ping).is_err() {
                deaf_cut = true;
            }
        }
        let t = Instant::now();
        assert_ping(&d.socket(), "a flood to a client that does not read");
        worst = worst.max(t.elapsed());
        if rounds > 3 && deaf_cut && d.log().matches("cut off").count() >= 1 {
            break;
        }
    }
    assert!(worst < Duration::from_millis(500), "a Ping took {worst:?}");
    let log = d.log();
    assert!(
        log.contains("cut off: it did not read its replies")
            || log.contains("cut off: a write stalled"),
        "{log}"
    );
    assert!(
        closed_within(&mut lazy, Duration::from_secs(10)),
        "monitor not cut off"
    );
    // The deaf one: TooManyRequests could not even be delivered; it goes.
    assert!(
        closed_within(&mut deaf, Duration::from_secs(10)),
        "deaf client not cut off"
    );
    assert_ping(&d.socket(), "clients that never read");
}

#[test]
fn thousand_connect_disconnect_cycles() {
    let d = daemon().spawn();
    for i in 0..1000 {
        let mut s = UnixStream::connect(d.socket()).unwrap();
        match i % 3 {
            0 => {}
            1 => {
                let v = raw_call(&mut s, r#"{"method":"io.nipart.Daemon.Ping"}"#).unwrap();
                assert_eq!(v, json!({"parameters": {}}));
            }
            _ => {
                let _ = s.write_all(b"{\"method\":\"io.nipart.Daemon.Info\"");
            }
        }
    }
    assert_ping(&d.socket(), "1000 connect/disconnect cycles");
    // Every slot was given back: a full set of per-uid connections fits.
    let conns = support::hold(&d.socket(), 64);
    let mut last = UnixStream::connect(d.socket()).unwrap();
    last.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let v = read_message(&mut last).unwrap();
    assert_eq!(
        v,
        json!({"error": "io.nipart.Daemon.TooManyConnections", "parameters": {"scope": "uid", "limit": 64}})
    );
    drop(conns);
    std::thread::sleep(Duration::from_millis(200));
    assert_ping(&d.socket(), "the per-uid limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_concurrent_clients() {
    let d = daemon()
        .api("max_connections = 400")
        .api("max_connections_per_uid = 400")
        .spawn();
    let mut clients = Vec::new();
    for _ in 0..300 {
        clients.push(Client::connect(d.socket()).await.unwrap());
    }
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|mut c| {
            tokio::spawn(async move {
                for _ in 0..10 {
                    c.ping().await?;
                }
                c.info().await.map(|i| i.version)
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), env!("CARGO_PKG_VERSION"));
    }
    // Over the total limit: the connection gets TooManyConnections.
    let d2 = daemon().api("max_connections = 5").spawn();
    let held = support::hold(&d2.socket(), 5);
    let mut c = Client::connect(d2.socket()).await.unwrap();
    let e = c.ping().await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the daemon has too many connections (total limit 5); try again later"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_ping(&d2.socket(), "the total limit");
    assert_ping(&d.socket(), "300 concurrent clients");
}

/// An apply that makes the fixture commander publish `n` events.
fn emit(n: u64) -> ApplyRequest {
    ApplyRequest {
        state: json!({ "emit": n }),
        options: ApplyOptions::default(),
    }
}
