//! Persistence end to end: the saved state and its boot apply, memory-only
//! applies, confirm-or-revert, rollback by id, and a saved file edited
//! into invalid YAML.

mod common;

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::mpsc,
    thread,
    time::Duration,
};

use common::{FAST, Node, nipc_binary};
use nipart_plugin_api::state::NetworkState;

const PAIR: &str = "
interfaces:
  - name: cb0
    type: veth
    state: up
    veth: {peer: cb0-ep}
    ipv4:
      enabled: true
      address: [{ip: 192.0.2.10, prefix-length: 24}]
";

#[test]
fn the_saved_state_is_applied_again_at_start() {
    let mut n = Node::new(FAST);
    let err = n.start();
    assert!(err.contains("no saved state at"), "{err}");
    let r = n.apply(PAIR, &[]);
    assert_eq!(r["pending"], false);

    let saved = n.saved();
    let cb0 = saved.interface("cb0").expect("cb0 is saved");
    assert_eq!(
        cb0.ipv4.as_ref().and_then(|i| i.address.clone()).unwrap()[0].to_string(),
        "192.0.2.10/24"
    );
    assert!(saved.interface("cb0-ep").is_some(), "{saved}");
    // One checkpoint, on disk, saying what took it.
    let cps = n.checkpoints();
    assert_eq!(cps.len(), 1, "{cps:?}");
    assert_eq!(cps[0]["id"], r["checkpoint"]);
    assert_eq!(cps[0]["created_by"], "apply of cb0, cb0-ep");
    assert_eq!(cps[0]["pending"], false);
    assert!(n.checkpoint_dir().join("cp-1.json").is_file());

    n.stop();
    n.ns.ip("addr del 192.0.2.10/24 dev cb0");
    assert!(n.ns.addresses("cb0").is_empty());

    let err = n.start();
    assert!(err.contains("is applied"), "{err}");
    assert_eq!(n.ns.addresses("cb0"), ["192.0.2.10/24"]);
    // The boot apply took a checkpoint of its own, and ids went on.
    let cps = n.checkpoints();
    assert_eq!(cps.len(), 2, "{cps:?}");
    assert_eq!(cps[1]["id"], "cp-2");
    assert_eq!(
        cps[1]["created_by"],
        "apply of cb0, cb0-ep (from plugin:conf)"
    );

    // As after a reboot: the interfaces themselves are gone.
    n.stop();
    n.ns.ip("link del cb0");
    let err = n.start();
    assert!(err.contains("is applied"), "{err}");
    assert_eq!(n.ns.addresses("cb0"), ["192.0.2.10/24"]);
    assert!(n.ns.link("cb0-ep").is_some());
}

#[test]
fn memory_only_applies_are_not_saved() {
    let mut n = Node::new(FAST);
    n.start();
    n.apply(PAIR, &[]);
    let before = std::fs::read(n.state_file()).unwrap();
    n.apply(
        "interfaces: [{name: cb0, mtu: 1400}, {name: cm0, type: veth, veth: {peer: cm0-ep}}]",
        &["--memory-only"],
    );
    assert_eq!(n.ns.link("cb0").unwrap()["mtu"], 1400);
    assert!(n.ns.link("cm0").is_some());
    assert_eq!(std::fs::read(n.state_file()).unwrap(), before);

    // A later apply that is saved merges into what was saved, not into
    // what the memory-only one did.
    n.apply("interfaces: [{name: cb0, mtu: 1500}]", &[]);
    let saved = n.saved();
    assert_eq!(saved.interface("cb0").unwrap().mtu, Some(1500));
    assert!(saved.interface("cm0").is_none(), "{saved}");
}

/// `nipc monitor PATTERN` in the background: its lines as they come.
fn monitor(n: &Node, pattern: &str) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = Command::new(nipc_binary())
        .arg("--socket")
        .arg(n.sandbox().path("nipart.sock"))
        .args(["monitor", pattern])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nipc monitor");
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Subscribed once it says so on stderr.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert!(first.starts_with("monitoring"), "{first}");
    (child, rx)
}

struct Reap(std::process::Child);
impl Drop for Reap {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn confirm_or_revert_keeps_a_committed_apply_and_reverts_an_uncommitted_one() {
    let mut n = Node::new(FAST);
    n.start();
    n.apply(PAIR, &[]);

    // Committed: the state stays, and is saved on commit.
    let r = n.apply(
        "interfaces: [{name: cb0, mtu: 1400}]",
        &["--no-commit", "--timeout", "60"],
    );
    assert_eq!(r["pending"], true);
    let pending = r["checkpoint"].as_str().unwrap().to_string();
    assert_eq!(
        n.saved().interface("cb0").unwrap().mtu,
        None,
        "saved before commit"
    );
    let cps = n.checkpoints();
    let last = cps.last().unwrap();
    assert_eq!(last["id"], pending.as_str());
    assert_eq!(last["pending"], true);
    assert!(last["timeout"].as_u64().unwrap() <= 60, "{last}");

    // Only one pending apply: the error names it.
    let err = n.nipc_err(
        9,
        &["apply", n.sandbox().path("desired.yml").to_str().unwrap()],
    );
    assert!(
        err.contains(&format!("checkpoint {pending} awaits Commit or Rollback")),
        "{err}"
    );
    n.nipc_ok(&["commit"]);
    assert_eq!(n.ns.link("cb0").unwrap()["mtu"], 1400);
    assert_eq!(n.saved().interface("cb0").unwrap().mtu, Some(1400));
    assert_eq!(n.checkpoints().last().unwrap()["pending"], false);
    let err = n.nipc_err(8, &["commit"]);
    assert!(err.contains("no checkpoint awaits Commit"), "{err}");

    // Not committed: rolled back by itself after the timeout, said so in
    // the log and on the monitor; the query is the one before the apply.
    let before = n.show();
    let saved_before = std::fs::read(n.state_file()).unwrap();
    let (child, lines) = monitor(&n, "network.rolled-back");
    let _reap = Reap(child);
    let r = n.apply(
        "
interfaces:
  - {name: cb0, mtu: 1300, ipv4: {enabled: true, address: [{ip: 198.51.100.1, prefix-length: 24}]}}
  - {name: cr0, type: veth, veth: {peer: cr0-ep}}
",
        &["--no-commit", "--timeout", "2"],
    );
    let pending = r["checkpoint"].as_str().unwrap().to_string();
    assert_eq!(n.ns.link("cb0").unwrap()["mtu"], 1300);
    let line = lines
        .recv_timeout(Duration::from_secs(30))
        .expect("a network.rolled-back event");
    assert!(
        line.starts_with("network.rolled-back done plugin:commander"),
        "{line}"
    );
    assert!(
        line.contains(&format!("\"checkpoint\":\"{pending}\"")),
        "{line}"
    );
    assert!(line.contains("\"cause\":\"commit-timeout\""), "{line}");
    assert!(line.contains("\"ok\":true"), "{line}");
    let log = n.stderr();
    assert!(
        log.lines().any(|l| l.contains("WARN")
            && l.contains(&format!(
                "checkpoint {pending} was not committed within 2 s"
            ))),
        "{log}"
    );
    assert_eq!(n.show(), before);
    assert!(n.ns.link("cr0").is_none());
    assert_eq!(std::fs::read(n.state_file()).unwrap(), saved_before);
}

#[test]
fn an_apply_still_uncommitted_when_the_daemon_dies_is_rolled_back_at_start() {
    let mut n = Node::new(FAST);
    n.start();
    n.apply(PAIR, &[]);
    let before = n.show();
    let saved = std::fs::read(n.state_file()).unwrap();
    let r = n.apply(
        "interfaces: [{name: cb0, mtu: 1400}, {name: cu0, type: veth, veth: {peer: cu0-ep}}]",
        &["--no-commit", "--timeout", "600"],
    );
    let pending = r["checkpoint"].as_str().unwrap().to_string();
    assert!(n.ns.link("cu0").is_some());
    assert_eq!(
        std::fs::read_to_string(n.checkpoint_dir().join("pending")).unwrap(),
        format!("{pending}\n")
    );
    n.kill();

    let err = n.start();
    assert!(
        err.contains(&format!(
            "checkpoint {pending} awaited Commit when the daemon stopped: rolling back to it"
        )),
        "{err}"
    );
    assert!(err.contains("is applied"), "{err}");
    assert!(n.ns.link("cu0").is_none(), "the uncommitted veth is gone");
    assert_eq!(n.show(), before);
    assert_eq!(std::fs::read(n.state_file()).unwrap(), saved);
    assert!(!n.checkpoint_dir().join("pending").exists());

    // A committed one is not: the mark goes with the Commit.
    n.apply("interfaces: [{name: cb0, mtu: 1450}]", &["--no-commit"]);
    n.nipc_ok(&["commit"]);
    assert!(!n.checkpoint_dir().join("pending").exists());
    n.kill();
    n.start();
    assert_eq!(n.ns.link("cb0").unwrap()["mtu"], 1450);
}

#[test]
fn rollback_to_an_older_checkpoint_by_id() {
    let mut n = Node::new(FAST);
    n.start();
    let a = n.apply(PAIR, &[]);
    let b = n.apply("interfaces: [{name: cb0, mtu: 1400}]", &[]);
    let after_b = n.show();
    let saved_after_b = n.saved();
    let c = n.apply(
        "interfaces: [{name: cb0, mtu: 1500, ipv4: {enabled: true, address: []}}]",
        &[],
    );
    let after_c = n.show();
    assert_eq!(
        [&a, &b, &c].map(|r| r["checkpoint"].as_str().unwrap().to_string()),
        ["cp-1", "cp-2", "cp-3"]
    );
    assert!(n.ns.addresses("cb0").is_empty());

    // cp-3 was taken before c: going back to it undoes c, in the kernel and
    // in the saved state.
    let out = n.nipc_ok(&["-o", "json", "rollback", "cp-3"]);
    assert!(out.contains("rolled-back"), "{out}");
    assert_eq!(n.show(), after_b);
    assert_eq!(n.ns.addresses("cb0"), ["192.0.2.10/24"]);
    assert_eq!(n.saved(), saved_after_b);
    let cps = n.checkpoints();
    let ids: Vec<&str> = cps.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["cp-1", "cp-2", "cp-3", "cp-4"]);
    assert_eq!(cps[3]["created_by"], "rollback to cp-3");

    // An id that does not exist is a clear error naming those that do.
    let err = n.nipc_err(8, &["rollback", "cp-99"]);
    assert!(
        err.contains("no checkpoint \"cp-99\" (the checkpoints are cp-1, cp-2, cp-3, cp-4)"),
        "{err}"
    );
    assert_eq!(n.show(), after_b);

    // The rollback itself can be undone: the last checkpoint is the state
    // before it (named: without an id, only a pending apply is undone).
    n.nipc_ok(&["rollback", "cp-4"]);
    assert_eq!(n.show(), after_c);
    assert!(n.ns.addresses("cb0").is_empty());
}

#[test]
fn a_saved_state_that_is_not_valid_yaml_is_reported_and_nothing_is_applied() {
    let mut n = Node::new(FAST);
    // A network made by hand, which the saved state would change.
    n.ns.ip("link add cy0 type veth peer name cy0-ep");
    n.ns.ip("addr add 203.0.113.5/24 dev cy0");
    n.ns.ip("link set cy0 up");
    let links = n.ns.ip_json("-d link show");
    let addrs = n.ns.ip_json("addr show");
    let file = n.state_file();
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let bad = "interfaces:\n  - name: cy0\n    mtu: 1400\n    ipv4: {enabled: true, address: [\n";
    std::fs::write(&file, bad).unwrap();

    let err = n.start();
    let line = err
        .lines()
        .find(|l| l.contains(&format!("{}:", file.display())))
        .unwrap_or_else(|| panic!("no line names {}:\n{err}", file.display()));
    assert!(line.contains("ERROR"), "{line}");
    assert!(
        line.contains(&format!("{}:5:1: ", file.display())),
        "file:line:column expected: {line}"
    );
    assert!(line.contains("nothing of it was applied"), "{line}");
    // Still running, the network and the file untouched.
    n.nipc_ok(&["ping"]);
    assert_eq!(n.ns.ip_json("-d link show"), links);
    assert_eq!(n.ns.ip_json("addr show"), addrs);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), bad);

    // Valid YAML with a value the schema refuses: the path in the file.
    n.stop();
    std::fs::write(&file, "interfaces:\n  - name: cy0\n    mtu: 12\n").unwrap();
    let err = n.start();
    assert!(
        err.contains(&format!(
            "{}: interfaces[0].mtu: 12 is out of range 68..=4294967295; nothing of it was applied",
            file.display()
        )),
        "{err}"
    );
    assert_eq!(n.ns.ip_json("-d link show"), links);
}

#[test]
fn checkpoints_are_listed_oldest_first_with_their_time() {
    let mut n = Node::new(FAST);
    n.start();
    assert!(n.checkpoints().is_empty());
    for mtu in [1400, 1410, 1420] {
        n.apply(&format!("{PAIR}    mtu: {mtu}\n"), &[]);
    }
    let cps = n.checkpoints();
    let ids: Vec<&str> = cps.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["cp-1", "cp-2", "cp-3"]);
    for c in &cps {
        let t = c["time"].as_str().unwrap();
        assert!(t.len() == 20 && t.ends_with('Z'), "{t}");
    }
    let text = n.nipc_ok(&["checkpoints"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("cp-1  20"), "{text}");
    assert!(lines[0].ends_with("  apply of cb0, cb0-ep"), "{text}");
    assert!(lines[2].ends_with("  apply of cb0"), "{text}");
    let shown: NetworkState = n.show();
    assert_eq!(shown.interface("cb0").unwrap().mtu, Some(1420));
}

#[test]
fn an_apply_whose_state_can_not_be_saved_is_rolled_back() {
    let mut n = Node::new(FAST);
    n.start();
    let before = n.show();
    // A non-empty directory where state.yml goes: the rename over it fails.
    std::fs::create_dir_all(n.state_file().join("in-the-way")).unwrap();
    let out = n.try_apply(PAIR, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = common::text(&out.stderr);
    assert!(
        err.contains(&format!(
            "saving the desired state: cannot write {}: ",
            n.state_file().display()
        )) && err.contains("; rolled back to checkpoint cp-1"),
        "{err}"
    );
    assert!(n.ns.link("cb0").is_none(), "nothing half applied");
    assert_eq!(n.show(), before);
    // A memory-only apply needs no save.
    n.apply(PAIR, &["--memory-only"]);
    assert!(n.ns.link("cb0").is_some());
}
