//! `nipc` against a real daemon (the `nipartd` library in-process, with the
//! API server on its own runtime and the test commander plugin), including
//! authorization: the binary is run as `nobody` for the denial cases.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::{
    io::{BufRead, BufReader, Write},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::Duration,
};

use nipartd::{
    DaemonConfig, Lifecycle,
    api::{ApiServer, BoundApi, DaemonView},
};
use serde_json::{Value, json};
use support::Setup;

const NIPC: &str = env!("CARGO_BIN_EXE_nipc");
const NOBODY: u32 = 65534;

/// A daemon in this process; stopped in order on drop.
struct InProcess {
    api: Option<ApiServer>,
    lifecycle: Option<Lifecycle>,
    socket: PathBuf,
    dir: tempfile::TempDir,
}

impl InProcess {
    fn start(setup: &Setup) -> Self {
        let dir = support::open_tempdir();
        let (socket, _, config_file) = setup.prepare(dir.path());
        let config = DaemonConfig::from_file(&config_file).unwrap();
        let bound = BoundApi::bind(&config.api).unwrap();
        let lifecycle = Lifecycle::start(config).unwrap();
        let api = bound
            .serve(DaemonView::from_lifecycle(&lifecycle, None))
            .unwrap();
        InProcess {
            api: Some(api),
            lifecycle: Some(lifecycle),
            socket,
            dir,
        }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(a) = self.api.take() {
            a.stop();
        }
        if let Some(l) = self.lifecycle.take() {
            l.shutdown();
        }
    }
}

/// Runs nipc with `args`, optionally as another user with groups.
fn nipc_as(socket: &Path, args: &[&str], user: Option<(u32, u32, Vec<u32>)>) -> Output {
    let mut cmd = Command::new(NIPC);
    cmd.arg("--socket")
        .arg(socket)
        .args(args)
        .env_remove("NIPART_SOCKET");
    if let Some((uid, gid, groups)) = user {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setgroups(groups.len(), groups.as_ptr()) != 0
                    || libc::setgid(gid) != 0
                    || libc::setuid(uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    cmd.output().expect("run nipc")
}

fn nipc(socket: &Path, args: &[&str]) -> Output {
    nipc_as(socket, args, None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

#[test]
fn every_command_in_every_format() {
    let d = InProcess::start(&Setup::with_commander());
    let s = &d.socket;

    assert!(ok(&nipc(s, &["ping"])).starts_with("pong ("));
    let v: Value = serde_json::from_str(&ok(&nipc(s, &["ping", "-o", "json"]))).unwrap();
    assert_eq!(v["pong"], true);

    let text = ok(&nipc(s, &["info"]));
    assert!(text.contains("plugin ABI:   1.0.0"), "{text}");
    assert!(
        text.contains(&format!("socket:       {}", s.display())),
        "{text}"
    );
    let v: Value = serde_json::from_str(&ok(&nipc(s, &["info", "-o", "json"]))).unwrap();
    assert_eq!(v["abi_version"], "1.0.0");
    assert_eq!(v["pid"], std::process::id());
    let y = ok(&nipc(s, &["-o", "yaml", "info"]));
    assert!(y.contains("abi_version: 1.0.0"), "{y}");

    let text = ok(&nipc(s, &["plugins"]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{text}");
    assert!(
        lines[1].starts_with("api-commander")
            && lines[1].contains("running")
            && lines[1].contains("commander"),
        "{text}"
    );
    let v: Value = serde_json::from_str(&ok(&nipc(s, &["plugins", "-o", "json"]))).unwrap();
    assert_eq!(v["plugins"][0]["name"], "api-commander");

    let y = ok(&nipc(s, &["show", "eth3"]));
    assert_eq!(y, "interfaces:\n- name: eth3\n");

    let file = d.dir.path().join("state.yml");
    std::fs::write(&file, "interfaces:\n- name: br0\n  type: linux-bridge\n").unwrap();
    let o = nipc(
        s,
        &[
            "apply",
            file.to_str().unwrap(),
            "--no-commit",
            "--timeout",
            "30",
            "-o",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["desired"]["interfaces"][0]["name"], "br0");
    assert_eq!(
        v["changes"][0],
        r#"options {"no_commit":true,"commit_timeout":30}"#
    );
    assert_eq!(stderr(&o), "validate: validating\napply: applying\n");

    // From standard input.
    let mut child = Command::new(NIPC)
        .args(["--socket", s.to_str().unwrap(), "apply", "-", "-o", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"interfaces\": [{\"name\": \"veth9\"}]}")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(v["desired"]["interfaces"][0]["name"], "veth9");

    assert_eq!(
        ok(&nipc(s, &["commit", "cp-3"])),
        "checkpoint: cp-3\ndone: committed\n"
    );
    assert_eq!(
        ok(&nipc(s, &["rollback"])),
        "checkpoint: cp-1\ndone: rolled-back\n"
    );
    let v: Value = serde_json::from_str(&ok(&nipc(s, &["checkpoints", "-o", "json"]))).unwrap();
    assert_eq!(v["checkpoints"][0]["id"], "cp-1");

    assert_eq!(
        ok(&nipc(s, &["log-level", "info"])),
        "log level set to info\n"
    );

    // A failing apply: the exit code of its kind (invalid input: 7) and
    // the commander's words.
    std::fs::write(&file, "fail: true\n").unwrap();
    let o = nipc(s, &["apply", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(7));
    assert_eq!(
        stderr(&o),
        "nipc: the fixture refuses this state (invalid-input)\n"
    );
}

#[test]
fn monitor_streams_lines() {
    let d = InProcess::start(&Setup::with_commander());
    let s = d.socket.to_str().unwrap();
    let mut mon = Command::new(NIPC)
        .args(["--socket", s, "monitor", "test.tick", "-o", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = mon.stdout.take().unwrap();
    // Wait until the subscription exists: emit until the first line shows.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut got = Vec::new();
    for _ in 0..50 {
        let file = d.dir.path().join("emit.yml");
        std::fs::write(&file, "emit: 3\n").unwrap();
        ok(&nipc(&d.socket, &["apply", file.to_str().unwrap()]));
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            got.push(l);
            break;
        }
    }
    while got.len() < 3 {
        got.push(rx.recv_timeout(Duration::from_secs(5)).unwrap());
    }
    let seqs: Vec<u64> = got
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["topic"], "test.tick");
            v["payload"]["seq"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(seqs, [0, 1, 2]);
    let _ = mon.kill();
    let _ = mon.wait();
}

#[test]
fn unprivileged_users_query_but_may_not_change() {
    let d = InProcess::start(&Setup::with_commander());
    let s = &d.socket;
    let nobody = || Some((NOBODY, NOBODY, vec![NOBODY]));

    for args in [&["ping"][..], &["info"], &["plugins"], &["checkpoints"]] {
        ok(&nipc_as(s, args, nobody()));
    }
    // Show works (secrets hidden: host/tests/api.rs), and the commander
    // is told who asked.
    let v: Value =
        serde_json::from_str(&ok(&nipc_as(s, &["show", "-o", "json"], nobody()))).unwrap();
    assert_eq!(v["interfaces"][0]["name"], "eth0");
    let v: Value = serde_json::from_str(&ok(&nipc(
        s,
        &["call", "api-commander.last-caller", "-o", "json"],
    )))
    .unwrap();
    assert_eq!(v["caller"]["admin"], false);
    assert_eq!(v["caller"]["uid"], NOBODY);

    let file = d.dir.path().join("state.yml");
    std::fs::write(&file, "interfaces: []\n").unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    for (args, method) in [
        (
            vec!["apply", file.to_str().unwrap()],
            "io.nipart.Network.Apply",
        ),
        (vec!["commit"], "io.nipart.Network.Commit"),
        (vec!["rollback", "cp-1"], "io.nipart.Network.Rollback"),
        (vec!["log-level", "debug"], "io.nipart.Daemon.SetLogLevel"),
    ] {
        let o = nipc_as(s, &args, nobody());
        assert_eq!(o.status.code(), Some(4), "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!("nipc: permission denied: {method} needs root\n")
        );
    }
}

#[test]
fn the_admin_group_grants_changes() {
    // `users` (gid 100) is the admin group: a member by supplementary
    // group may change things; by primary group too; others may not.
    let d = InProcess::start(&Setup::with_commander().api("admin_group = \"users\""));
    let s = &d.socket;
    let o = nipc_as(
        s,
        &["log-level", "info"],
        Some((NOBODY, NOBODY, vec![NOBODY, 100])),
    );
    assert_eq!(ok(&o), "log level set to info\n");
    let o = nipc_as(s, &["commit"], Some((NOBODY, 100, vec![100])));
    ok(&o);
    let o = nipc_as(
        s,
        &["log-level", "info"],
        Some((NOBODY, NOBODY, vec![NOBODY])),
    );
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(
        stderr(&o),
        "nipc: permission denied: io.nipart.Daemon.SetLogLevel needs root or membership of group users\n"
    );
}

#[test]
fn errors_and_exit_codes() {
    let dir = support::open_tempdir();
    let missing = dir.path().join("none.sock");
    let o = nipc(&missing, &["ping"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        stderr(&o),
        format!(
            "nipc: cannot connect to the nipart daemon at {}: No such file or directory (os error 2) (is nipartd running? --socket chooses another path)\n",
            missing.display()
        )
    );

    let d = InProcess::start(&Setup::default());
    let o = nipc(&d.socket, &["show"]);
    assert_eq!(o.status.code(), Some(6));
    assert_eq!(
        stderr(&o),
        "nipc: the daemon can't do this yet: no plugin provides role commander (no network plugin is installed)\n"
    );
    let o = nipc(&d.socket, &["apply", "/nonexistent.yml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("nipc: cannot read /nonexistent.yml: "),
        "{}",
        stderr(&o)
    );
    // An endless input is cut at the daemon's ceiling for a message.
    let o = nipc(&d.socket, &["apply", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "nipc: cannot read /dev/zero: longer than 16777216 bytes\n"
    );
    let bad = d.dir.path().join("bad.yml");
    std::fs::write(&bad, "- a\n- b\n").unwrap();
    let o = nipc(&d.socket, &["apply", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("must hold a mapping"), "{}", stderr(&o));
    let o = nipc(&d.socket, &["log-level", "loud"]);
    assert_eq!(o.status.code(), Some(2));
    let o = nipc(&d.socket, &["monitor", "Bad.Pattern"]);
    assert_eq!(o.status.code(), Some(7));
    assert!(
        stderr(&o).starts_with("nipc: invalid topic pattern \"Bad.Pattern\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn completions_and_man_page_come_from_the_definitions() {
    let dir = support::open_tempdir();
    let s = dir.path().join("unused.sock");
    let bash = ok(&nipc(&s, &["completions", "bash"]));
    assert!(bash.contains("_nipc()"), "{bash}");
    for sub in ["apply", "checkpoints", "log-level", "monitor", "rollback"] {
        assert!(bash.contains(sub), "{sub}");
    }
    let zsh = ok(&nipc(&s, &["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef nipc"), "{zsh}");
    let man = ok(&nipc(&s, &["man"]));
    assert!(man.contains(".TH nipc"), "{man}");
    assert!(man.contains("log\\-level"), "{man}");
    let help = ok(&nipc(&s, &["--help"]));
    assert!(help.contains("4  permission denied"), "{help}");
}

#[test]
fn call_reaches_a_plugins_own_topic_for_admins_only() {
    let d = InProcess::start(&Setup::with_commander());
    let s = &d.socket;
    // The destination is the plugin the topic names.
    let v: Value = serde_json::from_str(&ok(&nipc(
        s,
        &[
            "call",
            "api-commander.echo",
            r#"{"name": "vendor"}"#,
            "-o",
            "json",
        ],
    )))
    .unwrap();
    assert_eq!(v, json!({"echo": {"name": "vendor"}}));
    // Or the holders of a role.
    let v: Value = serde_json::from_str(&ok(&nipc(
        s,
        &[
            "call",
            "api-commander.echo",
            "[1]",
            "--role",
            "commander",
            "-o",
            "json",
        ],
    )))
    .unwrap();
    assert_eq!(v, json!({"echo": [1]}));

    // A built-in request that changes state is refused, even for root.
    let o = nipc(
        s,
        &["call", "api.network.apply", "{}", "--role", "commander"],
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("changes state"), "{}", stderr(&o));

    // Nobody may not call at all.
    let o = nipc_as(
        s,
        &["call", "api-commander.echo"],
        Some((NOBODY, NOBODY, vec![NOBODY])),
    );
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "nipc: permission denied: io.nipart.Daemon.Call needs root\n"
    );

    // A payload that is not JSON is a usage error, before any call.
    let o = nipc(s, &["call", "api-commander.echo", "{nope"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not JSON"), "{}", stderr(&o));
}
