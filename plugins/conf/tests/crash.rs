//! Crash safety: `kill -9` of the daemon at random moments while applies
//! that persist run back to back. After every kill, every file the conf
//! plugin keeps parses and holds either the state before the apply in
//! flight or the one after it, never a mix or a truncation; the next start
//! removes what the killed writer left and applies the saved state.

mod common;

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    sync::mpsc,
    thread,
    time::Duration,
};

use common::{Node, Rng, nipc_binary};
use nipart_plugin_api::state::{CheckpointRecord, NetworkState};

const APPLIES: u32 = 100;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// A temporary file of the SDK's writer (`nipart_plugin_api::file`).
fn is_leftover(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(nipart_plugin_api::file::is_leftover)
}

/// The saved state with `ck0`'s MTU set to `mtu` (none: as first saved).
fn expected(base: &NetworkState, mtu: Option<u32>) -> NetworkState {
    let mut s = base.clone();
    if let Some(m) = mtu {
        s.interface_mut("ck0").unwrap().mtu = Some(m);
    }
    s
}

#[test]
fn kill_9_during_persisting_applies_never_leaves_a_partial_or_mixed_file() {
    let (mut rng, seed) = Rng::from_env("NIPART_CRASH_SEED");
    println!("NIPART_CRASH_SEED={seed}");

    let mut n = Node::with_conf(
        "[plugin.commander]\nverify_interval_ms = 20\n",
        // Pruning happens under the kills too.
        "max_checkpoints = 5",
    );
    let (etc, var) = n.sandbox().conf_dirs();
    let cps = var.join("checkpoints");
    n.start();
    n.apply(
        "interfaces: [{name: ck0, type: veth, veth: {peer: ck0-ep}, ipv4: {enabled: true, address: [{ip: 192.0.2.20, prefix-length: 24}]}}]",
        &[],
    );
    let base = n.saved();

    let socket = n.sandbox().path("nipart.sock");
    let mut saved_mtu: Option<u32> = None; // what the last acknowledged apply saved
    let mut sent = 0u32;
    let (mut kills, mut torn_writes) = (0u32, 0u32);
    while sent < APPLIES {
        // Applies back to back from another thread, each one's MTU reported
        // when nipc confirms it; the first failure (the daemon is gone)
        // ends the round.
        let (tx, rx) = mpsc::channel::<(u32, bool)>();
        let first = 1300 + sent;
        let budget = APPLIES - sent;
        let (sock, dir) = (socket.clone(), n.sandbox().path("."));
        let applier = thread::spawn(move || {
            for k in 0..budget {
                let mtu = first + k;
                let file = dir.join(format!("mtu-{mtu}.yml"));
                fs::write(&file, format!("interfaces: [{{name: ck0, mtu: {mtu}}}]\n")).unwrap();
                let _ = tx.send((mtu, false)); // in flight
                let ok = Command::new(nipc_binary())
                    .arg("--socket")
                    .arg(&sock)
                    .arg("apply")
                    .arg(&file)
                    .output()
                    .map(|o| o.status.success())
                    .unwrap_or(false);
                let _ = tx.send((mtu, ok));
                if !ok {
                    break;
                }
            }
        });
        thread::sleep(Duration::from_micros(rng.next() % 150_000));
        n.kill();
        kills += 1;
        applier.join().unwrap();

        let mut in_flight = None;
        for (mtu, ok) in rx.try_iter() {
            if ok {
                saved_mtu = Some(mtu);
                in_flight = None;
            } else {
                in_flight = Some(mtu);
            }
            sent = sent.max(mtu - 1300 + 1);
        }

        // The saved state: the whole old one or the whole new one.
        let allowed: Vec<NetworkState> = [Some(saved_mtu), in_flight.map(Some)]
            .into_iter()
            .flatten()
            .map(|m| expected(&base, m))
            .collect();
        for f in files(&etc) {
            if is_leftover(&f) {
                torn_writes += 1;
                continue;
            }
            assert_eq!(f, n.state_file(), "unexpected file");
            let text = fs::read_to_string(&f).unwrap();
            let state = NetworkState::from_yaml(&text).unwrap_or_else(|e| {
                panic!(
                    "seed {seed}: after kill {kills}, {}: {e}\n{text}",
                    f.display()
                )
            });
            assert!(
                allowed.contains(&state),
                "seed {seed}: after kill {kills} (saved MTU {saved_mtu:?}, in flight {in_flight:?}), {} holds\n{text}",
                f.display()
            );
        }
        // Every checkpoint: absent or whole.
        for f in files(&cps) {
            if is_leftover(&f) {
                torn_writes += 1;
                continue;
            }
            assert_ne!(f.file_name().unwrap(), "pending", "no apply awaits Commit");
            let text = fs::read_to_string(&f).unwrap();
            let r: CheckpointRecord = serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!(
                    "seed {seed}: after kill {kills}, {}: {e}\n{text}",
                    f.display()
                )
            });
            assert_eq!(
                f.file_name().unwrap().to_str().unwrap(),
                format!("{}.json", r.id)
            );
        }

        // The next start cleans up and applies what was saved.
        let now_saved = n.saved().interface("ck0").unwrap().mtu;
        let err = n.start();
        assert!(err.contains("is applied"), "seed {seed}:\n{err}");
        assert!(
            files(&etc)
                .iter()
                .chain(&files(&cps))
                .all(|f| !is_leftover(f)),
            "leftovers after the restart"
        );
        let mtu = n.ns.link("ck0").unwrap()["mtu"].as_u64().map(|m| m as u32);
        assert_eq!(mtu, Some(now_saved.unwrap_or(1500)));
        saved_mtu = now_saved;
    }
    println!("{sent} applies, {kills} kills, {torn_writes} interrupted writes seen");
}
