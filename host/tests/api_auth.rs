//! Authorization is decided from the credentials a connection was made
//! with, never from what its PID shows later: the PID-reuse attack, played
//! in a PID namespace of its own, is refused. Needs root (`unshare`,
//! `ns_last_pid`, connections made as `nobody`).

mod api_daemon;
mod support;

use std::{
    os::unix::net::UnixStream,
    process::{Child, Command},
    time::Duration,
};

use api_daemon::daemon;
use nipart_testkit::callers::{Creds, NOBODY, connect_as, run_as};
use serde_json::{Value, json};
use support::{error_name, raw_call};

/// Set for the part of the test that runs inside the PID namespace.
const INSIDE: &str = "NIPART_TEST_PID_NAMESPACE";

/// The admin group of the test: an existing group `nobody` is not in.
const ADMIN_GROUP: &str = "adm";

fn set_log_level(s: &mut UnixStream) -> Value {
    raw_call(
        s,
        r#"{"method":"io.nipart.Daemon.SetLogLevel","parameters":{"level":"info"}}"#,
    )
    .unwrap()
}

fn apply(s: &mut UnixStream) -> Value {
    raw_call(
        s,
        r#"{"method":"io.nipart.Network.Apply","parameters":{"state":{}}}"#,
    )
    .unwrap()
}

/// A process killed and reaped on drop.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_reused_pid_does_not_lend_its_groups_to_an_old_connection() {
    // The daemon and every process of the attack run in a new PID
    // namespace, where `ns_last_pid` chooses the next PID: this test binary
    // again, running only `inside_the_pid_namespace`. The namespace and
    // everything in it end with that process.
    let exe = std::env::current_exe().unwrap();
    let out = Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc"])
        .arg(exe)
        .args(["--exact", "inside_the_pid_namespace", "--nocapture"])
        .env(INSIDE, "1")
        .output()
        .expect("running unshare (util-linux)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("1 passed"),
        "the inner test did not run:\n{text}"
    );
}

/// The attack; does nothing unless run by the test above.
#[test]
fn inside_the_pid_namespace() {
    if std::env::var_os(INSIDE).is_none() {
        return;
    }
    assert_eq!(std::process::id(), 1, "not in a PID namespace of our own");
    let admin_gid = nipartd::api::auth::group_gid(ADMIN_GROUP).unwrap();
    let d = daemon()
        .api(&format!("admin_group = {ADMIN_GROUP:?}"))
        .spawn();
    let member = Creds {
        uid: NOBODY,
        gid: NOBODY,
        groups: vec![admin_gid],
    };

    // A genuine supplementary member of the admin group is an admin (so
    // the refusal below is the credentials' doing, not a broken check).
    let (mut s, _) = connect_as(&d.socket(), &member);
    let v = set_log_level(&mut s);
    assert_eq!(v["parameters"]["level"], "info", "{v}");
    let v = apply(&mut s);
    assert_eq!(error_name(&v), "io.nipart.Network.NoCommander", "{v}");

    // nobody connects and its process exits (and is reaped); the
    // connection lives on (here, in this process).
    let (mut old, pid) = connect_as(&d.socket(), &Creds::nobody());
    assert_eq!(
        error_name(&set_log_level(&mut old)),
        "io.nipart.Daemon.PermissionDenied"
    );
    let (mut old2, pid2) = connect_as(&d.socket(), &Creds::nobody());

    // A process of an admin-group member is given that very PID.
    let mut reused = None;
    for _ in 0..50 {
        std::fs::write("/proc/sys/kernel/ns_last_pid", (pid2 - 1).to_string())
            .expect("writing ns_last_pid");
        let mut cmd = Command::new("sleep");
        cmd.arg("60");
        run_as(&mut cmd, &member);
        let child = Reaped(cmd.spawn().expect("spawn sleep"));
        if child.0.id() == pid2 {
            reused = Some(child);
            break;
        }
    }
    let _holder = reused.expect("no process got the reused PID in 50 tries");
    // What /proc now says of the PID that connected: an admin's groups.
    std::thread::sleep(Duration::from_millis(100));
    let status = std::fs::read_to_string(format!("/proc/{pid2}/status")).unwrap();
    let groups = status
        .lines()
        .find_map(|l| l.strip_prefix("Groups:"))
        .unwrap_or("");
    assert!(
        groups
            .split_whitespace()
            .any(|g| g == admin_gid.to_string()),
        "PID {pid2} is not the admin's process: {status}"
    );

    // The old connections (one that called before, one that did not) are
    // still nobody's.
    for (s, pid) in [(&mut old2, pid2), (&mut old, pid)] {
        let v = apply(s);
        assert_eq!(
            error_name(&v),
            "io.nipart.Network.PermissionDenied",
            "PID {pid}: {v}"
        );
        let v = set_log_level(s);
        assert_eq!(
            v,
            json!({"error": "io.nipart.Daemon.PermissionDenied", "parameters": {"method": "io.nipart.Daemon.SetLogLevel", "privilege": "root or membership of group adm"}})
        );
    }
}
