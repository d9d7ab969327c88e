//! The fleet with real servers: a `nats-server` cluster of three, hosts
//! running the real `nipartd` with the fleet plugin, each in its own
//! namespace, and `nipc fleet` (see `common`). Needs root, `nats-server`.

mod common;

use common::*;

/// How many applies each host of the bed was asked over NATS so far.
fn applies(bed: &Bed) -> Vec<usize> {
    bed.hosts
        .iter()
        .map(|h| h.daemon.log().matches("apply requested over NATS").count())
        .collect()
}

/// The veth pair `flN`/`flNp`.
fn veth(n: usize) -> String {
    VETH_STATE.replace("fl0", &format!("fl{n}"))
}

/// Ten hosts, each its own `nipartd` in its own namespace, in group
/// `web`, behind a cluster of three servers: the cases below run one
/// after the other on this one bed (each with its own interface names;
/// the server killed last), each a failure of its own when it fails.
#[test]
fn ten_hosts_in_a_fleet() {
    let t = std::time::Instant::now();
    let mut bed = Bed::with_hosts(10, "web");
    eprintln!("{:?}: the bed", t.elapsed());
    every_host_is_seen(&bed);
    a_group_applies_in_waves_of_three_on_every_host(&bed);
    eprintln!("{:?}: waves of three", t.elapsed());
    stop_on_failure_stops_after_the_failing_wave(&bed);
    eprintln!("{:?}: stop on failure", t.elapsed());
    a_host_cut_off_is_unreachable_then_seen_again(&bed);
    eprintln!("{:?}: cut off", t.elapsed());
    a_server_killed_during_a_wave_fails_over_and_applies_once(&mut bed);
    eprintln!("{:?}: server killed", t.elapsed());
}

fn every_host_is_seen(bed: &Bed) {
    let seen = bed.hosts_seen();
    for h in &bed.hosts {
        assert!(seen.contains(&h.name), "{} not heard: {seen:?}", h.name);
    }
    assert_eq!(seen.len(), 10, "{seen:?}");
}

/// A group apply in waves of three succeeds on all (the veth exists on
/// each host afterwards, each applied once); `show` of a host and of the
/// group answers; `--no-commit` then `commit` confirms every host.
fn a_group_applies_in_waves_of_three_on_every_host(bed: &Bed) {
    let before = applies(bed);
    let file = bed.write("veth0.yml", &veth(0));
    let out = bed.fleet(&[
        "apply",
        "--hosts",
        "web",
        "--wave",
        "3",
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
    for wave in [
        "wave 1: h01, h02, h03",
        "wave 2: h04, h05, h06",
        "wave 3: h07, h08, h09",
        "wave 4: h10",
    ] {
        assert!(stderr.contains(wave), "no {wave:?} in {stderr}");
    }
    for h in &bed.hosts {
        assert_eq!(result_of(&rows, &h.name), "applied", "{rows:?}");
        assert!(has_link(&h.ns, "fl0"), "{} has no fl0", h.name);
    }
    // Each host applied once.
    for ((h, b), a) in bed.hosts.iter().zip(before).zip(applies(bed)) {
        assert_eq!(a - b, 1, "{}", h.name);
    }
    // Read: one host, then the group.
    let out = bed.fleet(&["show", "h02"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("# host: h02") && shown.contains("fl0"),
        "{shown}"
    );
    let out = bed.fleet(&["show", "--deadline", "10", "web"]);
    let shown = text(&out.stdout);
    for h in &bed.hosts {
        assert!(shown.contains(&format!("# host: {}", h.name)), "{shown}");
    }
    // The heartbeat carries the last apply.
    let out = bed.fleet(&["hosts"]);
    assert!(
        text(&out.stdout).contains("api ok"),
        "{}",
        text(&out.stdout)
    );
    // --no-commit, then commit: every host confirms its checkpoint.
    let file = bed.write("veth1.yml", &veth(1));
    let out = bed.fleet(&[
        "apply",
        "--hosts",
        "web",
        "--no-commit",
        "--timeout",
        "120",
        "--deadline",
        "60",
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
    let out = bed.fleet(&["commit", "--hosts", "h01"]);
    assert_eq!(
        result_of(&table(&out), "h01"),
        "refused",
        "{}",
        text(&out.stdout)
    );
}

/// A state impossible on one host (its veth's peer name is taken there)
/// fails on that host, which rolls back; with --stop-on-failure the waves
/// after its wave are not attempted, and the table says which hosts
/// applied.
fn stop_on_failure_stops_after_the_failing_wave(bed: &Bed) {
    bed.host("h05").ns.ip("link add fl2p type bridge");
    let file = bed.write("veth2.yml", &veth(2));
    let out = bed.fleet(&[
        "apply",
        "--hosts",
        "web",
        "--wave",
        "3",
        "--stop-on-failure",
        "--deadline",
        "60",
        &file,
    ]);
    assert!(!out.status.success());
    let rows = table(&out);
    for applied in ["h01", "h02", "h03", "h04", "h06"] {
        assert_eq!(
            result_of(&rows, applied),
            "applied",
            "{}\n{}",
            text(&out.stdout),
            bed.logs()
        );
        assert!(has_link(&bed.host(applied).ns, "fl2"), "{applied}");
    }
    assert!(
        ["rolled back", "refused"].contains(&result_of(&rows, "h05").as_str()),
        "{rows:?}"
    );
    assert!(
        !has_link(&bed.host("h05").ns, "fl2"),
        "h05 kept part of the apply"
    );
    for later in ["h07", "h08", "h09", "h10"] {
        assert_eq!(result_of(&rows, later), "not attempted", "{rows:?}");
        assert!(!has_link(&bed.host(later).ns, "fl2"), "{later} was applied");
    }
    assert!(
        text(&out.stderr).contains("stopping after wave 2"),
        "{}",
        text(&out.stderr)
    );
}

/// A host whose link is down does not answer: unreachable, never counted
/// as applied; once its link is back it is heard again.
fn a_host_cut_off_is_unreachable_then_seen_again(bed: &Bed) {
    let port = bed.host("h10").port.clone();
    bed.bridge.ip(&format!("link set {port} down"));
    wait_for(PATIENCE, "h10 no longer heard", || {
        (!bed.hosts_seen().iter().any(|h| h == "h10")).then_some(())
    });
    let file = bed.write("veth3.yml", &veth(3));
    let out = bed.fleet(&["apply", "--hosts", "h08,h09,h10", "--deadline", "8", &file]);
    let rows = table(&out);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(result_of(&rows, "h08"), "applied", "{rows:?}");
    assert_eq!(result_of(&rows, "h09"), "applied", "{rows:?}");
    assert_eq!(result_of(&rows, "h10"), "unreachable", "{rows:?}");
    bed.bridge.ip(&format!("link set {port} up"));
    bed.wait_seen(&["h10"]);
    // The request held while h10 was cut off (in the server, or in the
    // TCP connection's retransmissions) is not done when it arrives late:
    // h10 was reported unreachable, so it must be left as it was.
    std::thread::sleep(std::time::Duration::from_secs(2));
    // Whether it came late, or was lost with the connection (both happen).
    eprintln!(
        "h10 got the request late and left it: {}",
        bed.host("h10")
            .daemon
            .log()
            .contains("after its sender's deadline: not done")
    );
    assert!(
        !has_link(&bed.host("h10").ns, "fl3"),
        "h10 applied after its deadline:\n{}",
        bed.host("h10").daemon.log()
    );
}

/// A server of the three killed while a wave runs: the hosts and the
/// client fail over to the others, every host applies, once.
fn a_server_killed_during_a_wave_fails_over_and_applies_once(bed: &mut Bed) {
    let before = applies(bed);
    let file = bed.write("veth4.yml", &veth(4));
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
            "3",
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
    let first: usize = before.iter().sum();
    wait_for(PATIENCE, "the first apply", || {
        (applies(bed).iter().sum::<usize>() > first).then_some(())
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
    for ((h, b), a) in bed.hosts.iter().zip(before).zip(applies(bed)) {
        assert_eq!(result_of(&rows, &h.name), "applied", "{rows:?}");
        assert!(has_link(&h.ns, "fl4"), "{} has no fl4", h.name);
        assert_eq!(
            a - b,
            1,
            "{} applied more than once:\n{}",
            h.name,
            h.daemon.log()
        );
    }
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
    monitor_reads_but_may_not_apply(&bed, "h1");
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
    assert_eq!(bed.connection_state("h1"), "connected");
    bed.wait_state("h2", "refused");
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

/// Operator mode: the servers trust an operator the test makes and know
/// its account (JWTs signed with NKeys, as `nsc` makes them). A host and
/// `nipc fleet` log in with `.creds` files; an expired user and a user of
/// an account the servers do not know are refused, and a file that is no
/// credentials file is named in the error.
#[test]
fn a_host_logs_in_with_a_credentials_file() {
    let op = jwt::Operator::new();
    let mut bed = Bed::with_server_auth(false, &op.server_config());
    let good = bed.write("host.creds", &op.user_creds("host", None));
    let expired = bed.write(
        "expired.creds",
        &op.user_creds("old", Some(jwt::an_hour_ago())),
    );
    let admin = bed.write("admin.creds", &op.user_creds("admin", None));
    bed.admin_login = vec!["--creds".into(), admin];
    let with = |file: &str| format!("auth = {{ method = \"credentials\", file = {file:?} }}");
    bed.add_host("h1", &["web"], Some(&with(&good)));
    bed.add_host("h2", &["web"], Some(&with(&expired)));
    bed.wait_seen(&["h1"]);
    let out = bed.fleet(&["show", "h1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("# host: h1"));
    // The expired host is refused by the server, says so, and is never
    // heard.
    assert_eq!(bed.connection_state("h1"), "connected");
    bed.wait_state("h2", "refused");
    assert!(!bed.hosts_seen().iter().any(|h| h == "h2"));
    // The client: expired, then of an unknown account, then no creds.
    let stranger = bed.write(
        "stranger.creds",
        &jwt::creds(&nkeys::KeyPair::new_account(), "stranger", None),
    );
    for file in [&expired, &stranger] {
        let out = bed
            .login_command(
                &["--creds", file],
                &bed.urls(),
                false,
                &["--listen", "0.5", "hosts"],
            )
            .output()
            .expect("nipc");
        assert_eq!(out.status.code(), Some(4), "{file}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("refused the credentials"),
            "{}",
            text(&out.stderr)
        );
    }
    let junk = bed.write("junk.creds", "not a credentials file\n");
    let out = bed
        .login_command(&["--creds", &junk], &bed.urls(), false, &["hosts"])
        .output()
        .expect("nipc");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&format!("--creds {junk}")),
        "{}",
        text(&out.stderr)
    );
}

/// The marker before the fenced block of `docs/plugins/fleet.md` that
/// holds the `nats-server` configuration this test runs.
const DOCS_CONFIG_MARKER: &str = "<!-- nats-server config: run by plugins/fleet/tests/fleet.rs";

/// The `authorization` block of the `nats-server` configuration that
/// `docs/plugins/fleet.md` shows (the fenced block after
/// [`DOCS_CONFIG_MARKER`]), each `password: "…"` made the user's name and
/// `pw` (as [`Bed::fleet_as`] logs in).
fn docs_authorization() -> String {
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/plugins/fleet.md");
    let text = std::fs::read_to_string(&page).expect("docs/plugins/fleet.md");
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(DOCS_CONFIG_MARKER))
        .skip(1);
    assert!(
        lines.next().is_some_and(|l| l.starts_with("```")),
        "no fenced block after the marker {DOCS_CONFIG_MARKER:?} in {}",
        page.display()
    );
    let block: Vec<&str> = lines.take_while(|l| !l.starts_with("```")).collect();
    // From `authorization {` to its closing brace.
    let mut depth = 0usize;
    let mut out = Vec::new();
    for line in block
        .iter()
        .skip_while(|l| !l.starts_with("authorization {"))
    {
        let code = line.split('#').next().unwrap_or_default();
        depth += code.matches('{').count();
        depth = depth.saturating_sub(code.matches('}').count());
        let line = match line.split_once("user: ") {
            Some((_, rest)) if line.contains(r#"password: "…""#) => {
                let user = rest.split(',').next().unwrap_or_default().trim();
                line.replace(r#"password: "…""#, &format!("password: \"{user}pw\""))
            }
            _ => line.to_string(),
        };
        out.push(line);
        if depth == 0 {
            break;
        }
    }
    assert!(
        out.len() > 2 && depth == 0,
        "no whole `authorization {{ … }}` in the block:\n{}",
        block.join("\n")
    );
    out.join("\n")
}

/// The `nats-server` configuration of `docs/plugins/fleet.md` on a real
/// cluster: its host user `web1` joins and serves; its operator `ops`
/// reads and applies; its monitoring user reads, and its apply is refused
/// by the server (nothing changes on the host).
#[test]
fn the_docs_nats_server_configuration_holds() {
    let auth = docs_authorization();
    let mut bed = Bed::with_server_auth(false, &auth);
    bed.admin_login = ["--user", "ops", "--password", "opspw"]
        .map(String::from)
        .to_vec();
    bed.add_host(
        "web1",
        &["web"],
        Some(r#"auth = { method = "user-password", user = "web1", password = "web1pw" }"#),
    );
    bed.wait_seen(&["web1"]);
    // The operator: show and apply.
    let out = bed.fleet(&["show", "web1"]);
    assert!(out.status.success(), "{}\n{auth}", text(&out.stderr));
    let file = bed.write("veth.yml", VETH_STATE);
    let out = bed.fleet(&["apply", "--hosts", "web1", "--deadline", "60", &file]);
    assert!(
        out.status.success(),
        "{}\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr),
        bed.logs()
    );
    assert_eq!(result_of(&table(&out), "web1"), "applied");
    assert!(has_link(&bed.host("web1").ns, "fl0"));
    // Monitoring: hosts and show, but no apply.
    monitor_reads_but_may_not_apply(&bed, "web1");
}

/// The monitoring user (`monitor`) hears `host` and reads its state, but
/// the server refuses its apply: the host is reported unreachable with the
/// server's error, and nothing changes on it.
fn monitor_reads_but_may_not_apply(bed: &Bed, host: &str) {
    let out = bed.fleet_as("monitor", &["hosts"]);
    assert!(text(&out.stdout).contains(host), "{}", text(&out.stderr));
    let out = bed.fleet_as("monitor", &["show", host]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = bed.write("monitor.yml", &VETH_STATE.replace("fl0", "flm"));
    let out = bed.fleet_as(
        "monitor",
        &["apply", "--hosts", host, "--deadline", "3", &file],
    );
    let stdout = text(&out.stdout);
    assert!(!out.status.success());
    assert_eq!(result_of(&table(&out), host), "unreachable", "{stdout}");
    assert!(
        stdout.to_lowercase().contains("permissions violation"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        !has_link(&bed.host(host).ns, "flm"),
        "the monitoring user applied"
    );
}
