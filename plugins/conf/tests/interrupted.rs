//! An apply is a transaction the daemon always finishes or undoes (issue 11,
//! item 9), with the real `nipartd`, its plugins and `nipc`:
//!
//! - SIGKILL at a random moment of a large apply (the seed printed;
//!   `NIPART_KILL_SEED` repeats a run): after the restart the network is
//!   the state before the apply or the state after it, never a part, and
//!   the log says which (rolled back to the checkpoint, or nothing to do);
//! - SIGTERM during an apply waits for it: the client gets its answer, the
//!   result is saved, then the daemon stops;
//! - a client that gives up (timeout) is told the apply may still run, and
//!   the apply ends as usual, its outcome on `nipc monitor`.

mod common;

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

use common::{FAST, Node, Rng, nipc_binary, text};

/// Veth pairs in the large apply.
const PAIRS: usize = 200;
/// Kills, each at a random moment of an apply.
const KILLS: usize = 4;

fn pairs(prefix: &str, n: usize, absent: bool) -> String {
    let mut s = String::from("interfaces:\n");
    for i in 0..n {
        if absent {
            s.push_str(&format!("  - {{name: {prefix}{i}, state: absent}}\n"));
        } else {
            s.push_str(&format!(
                "  - {{name: {prefix}{i}, type: veth, mtu: 1400, veth: {{peer: {prefix}{i}p}}}}\n"
            ));
        }
    }
    s
}

/// The names of the links in the namespace that start with `prefix`.
fn links(node: &Node, prefix: &str) -> BTreeSet<String> {
    node.ns
        .ip_json("link show")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["ifname"].as_str())
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

fn all_links(prefix: &str, n: usize) -> BTreeSet<String> {
    (0..n)
        .flat_map(|i| [format!("{prefix}{i}"), format!("{prefix}{i}p")])
        .collect()
}

/// `nipc apply FILE` on a thread of its own; its exit status comes on the
/// channel.
fn apply_in_background(node: &Node, yaml: &str, extra: &[&str]) -> mpsc::Receiver<(bool, String)> {
    let file = node.sandbox().path(&format!("bg-{}.yml", yaml.len()));
    std::fs::write(&file, yaml).unwrap();
    let file = file.display().to_string();
    let mut args = extra.to_vec();
    args.extend(["apply", &file]);
    nipc_in_background(node, &args)
}

/// `nipc ARGS` on a thread of its own; its exit status and output come on
/// the channel.
fn nipc_in_background(node: &Node, args: &[&str]) -> mpsc::Receiver<(bool, String)> {
    let mut cmd = Command::new(nipc_binary());
    cmd.arg("--socket").arg(node.sandbox().path("nipart.sock"));
    cmd.args(args);
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let out = cmd.output().expect("running nipc");
        let _ = tx.send((
            out.status.success(),
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
        ));
    });
    rx
}

#[test]
fn sigkill_during_a_large_apply_leaves_the_state_before_or_after_and_says_which() {
    let (mut rng, seed) = Rng::from_env("NIPART_KILL_SEED");
    println!("NIPART_KILL_SEED={seed}");
    let mut n = Node::new(FAST);
    n.start();
    let none = BTreeSet::new();
    let full = all_links("kt", PAIRS);

    // One apply each way without a kill: how long one takes.
    let t = Instant::now();
    n.apply(&pairs("kt", PAIRS, false), &[]);
    let create = t.elapsed();
    assert_eq!(links(&n, "kt"), full);
    let t = Instant::now();
    n.apply(&pairs("kt", PAIRS, true), &[]);
    let delete = t.elapsed();
    assert_eq!(links(&n, "kt"), none);
    println!("an apply of {PAIRS} pairs: create {create:?}, delete {delete:?}");

    let mut outcomes = Vec::new();
    for round in 0..KILLS {
        let before = links(&n, "kt");
        let creating = before.is_empty();
        let (after, took) = if creating {
            (full.clone(), create)
        } else {
            (none.clone(), delete)
        };
        let yaml = pairs("kt", PAIRS, !creating);
        let done = apply_in_background(&n, &yaml, &[]);
        let ms = rng.next() % (took.as_millis() as u64 * 6 / 5 + 1);
        thread::sleep(Duration::from_millis(ms));
        n.kill();
        let (answered, said) = done
            .recv_timeout(Duration::from_secs(60))
            .expect("nipc ends when the daemon is gone");
        if !answered && said.contains("progress: ") {
            // It was connected and the apply had begun.
            assert!(said.contains("the apply may still be running"), "{said}");
        }
        let killed_with = links(&n, "kt").len();

        let log = n.start();
        let now = links(&n, "kt");
        let said_rolled_back = log.contains("the network is as before the interrupted apply");
        let said_kept = log.contains("interrupted after it was verified and saved: it is kept");
        let said_nothing = log
            .contains("no apply was interrupted (no apply-in-progress mark): nothing to roll back");
        let what = format!(
            "seed {seed}, round {round}: {} killed after {ms} ms with {killed_with} kt links; after the restart {} links\nlog:\n{log}",
            if creating { "create" } else { "delete" },
            now.len()
        );
        assert!(
            now == before || now == after,
            "neither before nor after: {what}"
        );
        assert_eq!(
            [said_rolled_back, said_kept, said_nothing]
                .iter()
                .filter(|b| **b)
                .count(),
            1,
            "the log must say one thing: {what}"
        );
        if said_rolled_back {
            assert_eq!(now, before, "{what}");
            let line = log
                .lines()
                .find(|l| l.contains("was interrupted before it was verified and saved"))
                .unwrap_or_else(|| panic!("no reason given: {what}"));
            assert!(line.contains("rolling back to cp-"), "{line}");
        }
        if said_kept {
            assert_eq!(now, after, "{what}");
        }
        // The saved state agrees with the network.
        let saved_has = n
            .saved()
            .interfaces
            .iter()
            .any(|i| i.name == "kt0" && !i.is_absent());
        assert_eq!(
            saved_has,
            now.contains("kt0"),
            "saved state vs network: {what}"
        );
        assert!(
            !n.sandbox().conf_dirs().1.join("apply-in-progress").exists(),
            "the mark is cleared after the restart: {what}"
        );
        println!(
            "round {round}: {} killed after {ms} ms with {killed_with} kt links: {}",
            if creating { "create" } else { "delete" },
            if said_rolled_back {
                "rolled back"
            } else if said_kept {
                "kept"
            } else {
                "nothing to do"
            }
        );
        outcomes.push(if said_rolled_back {
            "rolled back"
        } else if now == before {
            "before (nothing to do)"
        } else {
            "after"
        });
    }
    println!("seed {seed}: {outcomes:?}");
}

#[test]
fn sigkill_during_a_requested_rollback_leaves_the_state_before_or_after_it() {
    let (mut rng, seed) = Rng::from_env("NIPART_KILL_SEED");
    println!("NIPART_KILL_SEED={seed}");
    let mut n = Node::new(FAST);
    n.start();
    let full = all_links("rb", PAIRS);
    for round in 0..2 {
        // The pairs, then a rollback to the checkpoint taken before them.
        let r = n.apply(&pairs("rb", PAIRS, false), &[]);
        assert_eq!(links(&n, "rb"), full);
        let cp = r["checkpoint"].as_str().unwrap().to_string();
        let done = nipc_in_background(&n, &["rollback", &cp]);
        let ms = rng.next() % 4000;
        thread::sleep(Duration::from_millis(ms));
        n.kill();
        let _ = done.recv_timeout(Duration::from_secs(60));
        let killed_with = links(&n, "rb").len();
        let log = n.start();
        let now = links(&n, "rb");
        let what = format!(
            "seed {seed}, round {round}: rollback to {cp} killed after {ms} ms with {killed_with} links; {} after the restart\nlog:\n{log}",
            now.len()
        );
        println!(
            "round {round}: rollback killed after {ms} ms with {killed_with} links, {} after the restart",
            now.len()
        );
        assert!(
            now.is_empty() || now == full,
            "neither before nor after: {what}"
        );
        if log.contains("the network is as before the interrupted apply") {
            assert_eq!(now, full, "{what}");
        }
        if killed_with > 0 && killed_with < full.len() {
            // Killed in the middle: undone, and said so.
            assert!(
                log.contains("rolling back to cp-")
                    && log.contains("the network is as before the interrupted apply"),
                "{what}"
            );
        }
        let saved_has = n.saved().interfaces.iter().any(|i| i.name == "rb0");
        assert_eq!(saved_has, !now.is_empty(), "saved state vs network: {what}");
        if now == full {
            // Back to none for the next round.
            n.apply(&pairs("rb", PAIRS, true), &[]);
        }
    }
}

#[test]
fn sigterm_during_an_apply_waits_for_it_answers_and_saves_it() {
    let mut n = Node::new(FAST);
    n.start();
    let done = apply_in_background(&n, &pairs("tm", 100, false), &[]);
    // The apply has begun changing the network: its mark is on disk.
    let mark = n.sandbox().conf_dirs().1.join("apply-in-progress");
    let give_up = Instant::now() + Duration::from_secs(60);
    while !mark.exists() {
        assert!(
            Instant::now() < give_up,
            "the apply never started:\n{}",
            n.stderr()
        );
        thread::sleep(Duration::from_millis(2));
    }
    let mut d = n.daemon.take().unwrap();
    d.signal(libc::SIGTERM);
    let (status, log) = d.wait_exit(Duration::from_secs(40));
    assert!(status.success(), "nipartd exited with {status}:\n{log}");
    let (ok, out) = done.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(ok, "the client did not get its answer: {out}\nlog:\n{log}");
    // nipc's summary line (docs/nipc.md): verified.
    assert!(out.contains(", checkpoint cp-1, verified\n"), "{out}");
    // Finished, saved, then stopped.
    assert_eq!(links(&n, "tm"), all_links("tm", 100));
    assert_eq!(
        n.saved()
            .interfaces
            .iter()
            .filter(|i| i.name.starts_with("tm"))
            .count(),
        200
    );
    assert!(!mark.exists(), "the mark was cleared");
    let ready = log
        .find("no apply in progress: ready to stop")
        .unwrap_or_else(|| panic!("the commander did not drain:\n{log}"));
    let stopping = log
        .find("shutting down")
        .unwrap_or_else(|| panic!("no shutdown:\n{log}"));
    assert!(
        ready < stopping,
        "the plugins stopped before the apply ended:\n{log}"
    );
    assert!(!log.contains("did not end within"), "{log}");

    // The next start has nothing to undo.
    let log = n.start();
    assert!(log.contains("no apply was interrupted"), "{log}");
    assert_eq!(links(&n, "tm"), all_links("tm", 100));
}

#[test]
fn a_client_that_times_out_is_told_and_the_apply_ends_as_usual() {
    let mut n = Node::new(FAST);
    n.start();
    let mut monitor = Command::new(nipc_binary())
        .arg("--socket")
        .arg(n.sandbox().path("nipart.sock"))
        .args(["monitor", "network.*"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The subscription is in place once nipc says "monitoring".
    let mut said = String::new();
    BufReader::new(monitor.stderr.take().unwrap())
        .read_line(&mut said)
        .unwrap();
    assert!(said.starts_with("monitoring network.*"), "{said}");
    let lines = BufReader::new(monitor.stdout.take().unwrap());
    let (tx, events) = mpsc::channel();
    thread::spawn(move || {
        for l in lines.lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });

    let done = apply_in_background(&n, &pairs("to", 300, false), &["--call-timeout", "1"]);
    let (ok, out) = done.recv_timeout(Duration::from_secs(60)).unwrap();
    let give_up = Instant::now() + Duration::from_secs(60);
    let outcome = loop {
        let left = give_up.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(l) if l.starts_with("network.applied") => break l,
            Ok(_) => {}
            Err(_) => panic!("nipc monitor showed no network.applied:\n{}", n.stderr()),
        }
    };
    let _ = monitor.kill();
    let _ = monitor.wait();
    if ok {
        // The machine was quick enough: nothing to say.
        eprintln!("the apply answered within 1 s; the timeout path was not taken");
        return;
    }
    assert!(out.contains("the apply may still be running"), "{out}");
    assert!(out.contains("nipc monitor"), "{out}");
    assert!(
        outcome.contains("verified") && !outcome.contains("error"),
        "{outcome}"
    );
    // It went on, was verified and saved.
    assert_eq!(links(&n, "to"), all_links("to", 300));
    assert_eq!(
        n.saved()
            .interfaces
            .iter()
            .filter(|i| i.name.starts_with("to"))
            .count(),
        600
    );
}
