//! The fleet with real servers: a `nats-server` cluster of three, hosts
//! running the real `nipartd` with the fleet plugin, each in its own
//! namespace, and `nipc fleet` (see `common`). Needs root, `nats-server`.

mod common;

use common::*;

/// Every host is seen; a group apply in waves of two succeeds on all
/// (the veth exists on each host afterwards); `show` of a host and of a
/// group answers.
#[test]
fn a_group_applies_in_waves_on_every_host() {
    let bed = Bed::with_hosts(4, "web");
    let file = bed.write("veth.yml", VETH_STATE);
    let out = bed.fleet(&[
        "apply",
        "--hosts",
        "web",
        "--wave",
        "2",
        "--deadline",
        "60",
        &file,
    ]);
    let rows = table(&out);
    assert!(
        out.status.success(),
        "{}\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr),
        bed.logs()
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("wave 1: h1, h2") && stderr.contains("wave 2: h3, h4"),
        "{stderr}"
    );
    for h in &bed.hosts {
        assert_eq!(result_of(&rows, &h.name), "applied", "{rows:?}");
        assert!(has_link(&h.ns, "fl0"), "{} has no fl0", h.name);
    }
    // Each host applied once.
    for h in &bed.hosts {
        assert_eq!(
            h.daemon.log().matches("apply requested over NATS").count(),
            1,
            "{}",
            h.name
        );
    }
    // Read: one host, then the group.
    let out = bed.fleet(&["show", "h2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("# host: h2") && shown.contains("fl0"),
        "{shown}"
    );
    let out = bed.fleet(&["show", "--deadline", "3", "web"]);
    let shown = text(&out.stdout);
    for i in 1..=4 {
        assert!(shown.contains(&format!("# host: h{i}")), "{shown}");
    }
    // The heartbeat carries the last apply.
    let out = bed.fleet(&["hosts"]);
    assert!(
        text(&out.stdout).contains("api ok"),
        "{}",
        text(&out.stdout)
    );
    // --no-commit, then commit: every host confirms its checkpoint.
    let file = bed.write("veth2.yml", &VETH_STATE.replace("fl0", "fl1"));
    let out = bed.fleet(&[
        "apply",
        "--hosts",
        "web",
        "--no-commit",
        "--timeout",
        "120",
        &file,
    ]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = bed.fleet(&["commit", "--hosts", "web"]);
    let rows = table(&out);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    for h in &bed.hosts {
        assert_eq!(result_of(&rows, &h.name), "committed", "{rows:?}");
        assert!(has_link(&h.ns, "fl1"));
    }
    // Nothing awaits commit any more: a second commit is refused by each.
    let out = bed.fleet(&["commit", "--hosts", "h1"]);
    assert_eq!(
        result_of(&table(&out), "h1"),
        "refused",
        "{}",
        text(&out.stdout)
    );
}

/// A state impossible on one host (its veth's peer name is taken there)
/// fails on that host, which rolls back; with --stop-on-failure the next
/// wave is not attempted, and the table says so.
#[test]
fn stop_on_failure_stops_after_the_failing_wave() {
    let bed = Bed::with_hosts(4, "db");
    bed.host("h2").ns.ip("link add fl0p type bridge");
    let file = bed.write("veth.yml", VETH_STATE);
    let out = bed.fleet(&[
        "apply",
        "--hosts",
        "db",
        "--wave",
        "2",
        "--stop-on-failure",
        "--deadline",
        "60",
        &file,
    ]);
    assert!(!out.status.success());
    let rows = table(&out);
    assert_eq!(
        result_of(&rows, "h1"),
        "applied",
        "{}\n{}",
        text(&out.stdout),
        bed.logs()
    );
    assert!(
        ["rolled back", "refused"].contains(&result_of(&rows, "h2").as_str()),
        "{rows:?}"
    );
    assert_eq!(result_of(&rows, "h3"), "not attempted", "{rows:?}");
    assert_eq!(result_of(&rows, "h4"), "not attempted", "{rows:?}");
    assert!(has_link(&bed.host("h1").ns, "fl0"));
    assert!(
        !has_link(&bed.host("h2").ns, "fl0"),
        "h2 kept part of the apply"
    );
    assert!(!has_link(&bed.host("h3").ns, "fl0"), "h3 was applied");
}

/// A server of the three killed while a wave runs: the hosts and the
/// client fail over to the others, every host applies, once.
#[test]
fn a_server_killed_during_a_wave_fails_over_and_applies_once() {
    let mut bed = Bed::with_hosts(4, "web");
    let file = bed.write("veth.yml", VETH_STATE);
    let mut cmd = bed.fleet_command(
        "admin",
        &bed.urls(),
        false,
        &[
            "--listen",
            "1.5",
            "apply",
            "--hosts",
            "web",
            "--wave",
            "1",
            "--deadline",
            "60",
            &file,
        ],
    );
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("nipc");
    // Once the first wave has begun, the first server goes.
    wait_for(PATIENCE, "the first apply", || {
        bed.hosts
            .iter()
            .any(|h| h.daemon.log().contains("apply requested over NATS"))
            .then_some(())
    });
    bed.servers[0].kill();
    let out = child.wait_with_output().expect("nipc");
    let rows = table(&out);
    assert!(
        out.status.success(),
        "{}\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr),
        bed.logs()
    );
    for h in &bed.hosts {
        assert_eq!(result_of(&rows, &h.name), "applied", "{rows:?}");
        assert_eq!(
            h.daemon.log().matches("apply requested over NATS").count(),
            1,
            "{} applied more than once",
            h.name
        );
    }
}

/// A host whose link is down does not answer: unreachable, never counted
/// as applied; once its link is back it is heard again.
#[test]
fn a_host_cut_off_is_unreachable_then_seen_again() {
    let bed = Bed::with_hosts(3, "web");
    let port = bed.host("h3").port.clone();
    bed.bridge.ip(&format!("link set {port} down"));
    wait_for(PATIENCE, "h3 no longer heard", || {
        (!bed.hosts_seen().iter().any(|h| h == "h3")).then_some(())
    });
    let file = bed.write("veth.yml", VETH_STATE);
    let out = bed.fleet(&["apply", "--hosts", "h1,h2,h3", "--deadline", "4", &file]);
    let rows = table(&out);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(result_of(&rows, "h1"), "applied", "{rows:?}");
    assert_eq!(result_of(&rows, "h2"), "applied", "{rows:?}");
    assert_eq!(result_of(&rows, "h3"), "unreachable", "{rows:?}");
    bed.bridge.ip(&format!("link set {port} up"));
    bed.wait_seen(&["h3"]);
}

/// The server decides who may do what: the monitoring user reads but its
/// apply is refused by the server; a wrong password is refused; a host
/// with wrong credentials never connects (`fleet.status` says so).
#[test]
fn permissions_and_credentials_are_the_servers() {
    let mut bed = Bed::new(false);
    bed.add_host("h1", &["web"], None);
    bed.add_host(
        "h2",
        &["web"],
        Some(r#"auth = { method = "user-password", user = "host", password = "wrong" }"#),
    );
    bed.wait_seen(&["h1"]);
    // Monitoring: hosts and show work, apply does not.
    let out = bed.fleet_as("monitor", &["hosts"]);
    assert!(text(&out.stdout).contains("h1"), "{}", text(&out.stderr));
    let out = bed.fleet_as("monitor", &["show", "h1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = bed.write("veth.yml", VETH_STATE);
    let out = bed.fleet_as(
        "monitor",
        &["apply", "--hosts", "h1", "--deadline", "3", &file],
    );
    let stdout = text(&out.stdout);
    assert!(!out.status.success());
    assert_eq!(result_of(&table(&out), "h1"), "unreachable", "{stdout}");
    assert!(
        stdout.to_lowercase().contains("permissions violation"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        !has_link(&bed.host("h1").ns, "fl0"),
        "the monitoring user applied"
    );
    // A wrong password.
    let out = bed.fleet_as("nobody", &["hosts"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("refused the credentials"),
        "{}",
        text(&out.stderr)
    );
    // h2's plugin never connects, and is never heard; `fleet.status`
    // (the plugin's typed status on the bus) says how each is connected.
    assert!(!bed.hosts_seen().iter().any(|h| h == "h2"));
    let status = |h: &str| {
        let out = std::process::Command::new(nipc_binary())
            .arg("--socket")
            .arg(bed.host(h).daemon.socket())
            .args(["-o", "json", "call", "fleet.status", "{}"])
            .output()
            .expect("nipc call");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["connection"]["state"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(status("h1"), "connected");
    assert_ne!(status("h2"), "connected");
    // The same in `nipc plugins`: the plugin's status line.
    let plugins = |h: &str| {
        let out = std::process::Command::new(nipc_binary())
            .arg("--socket")
            .arg(bed.host(h).daemon.socket())
            .arg("plugins")
            .output()
            .expect("nipc plugins");
        text(&out.stdout)
    };
    assert!(
        plugins("h1").contains("fleet: connected as h1, to n"),
        "{}",
        plugins("h1")
    );
    assert!(
        !plugins("h2").contains("fleet: connected"),
        "{}",
        plugins("h2")
    );
}

/// TLS with a CA the test makes: hosts and client verify the servers.
#[test]
fn tls_with_a_ca_of_the_tests() {
    nipart_testkit::require("openssl");
    let mut bed = Bed::new(true);
    bed.add_host("h1", &["web"], None);
    bed.add_host("h2", &["web"], None);
    bed.wait_seen(&["h1", "h2"]);
    let out = bed.fleet(&["show", "h1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Without the CA the client refuses the servers.
    let mut cmd = bed.fleet_command(
        "admin",
        &bed.urls()[..1],
        false,
        &["--listen", "0.5", "hosts"],
    );
    let out = cmd.output().expect("nipc");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

/// A host that authenticates with an NKey (its seed in a file; the servers
/// know the public key) joins the fleet and answers.
#[test]
fn a_host_authenticates_with_an_nkey() {
    let key = nkeys::KeyPair::new_user();
    let seed = key.seed().expect("a seed");
    let mut bed = Bed::with_users(false, &format!("{{ nkey: {} }}", key.public_key()));
    let seed_file = bed.write("host.nk", &seed);
    let auth = format!("auth = {{ method = \"nkey\", seed_file = {seed_file:?} }}");
    bed.add_host("h1", &["web"], Some(&auth));
    bed.wait_seen(&["h1"]);
    let out = bed.fleet(&["show", "h1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("# host: h1"));
}
