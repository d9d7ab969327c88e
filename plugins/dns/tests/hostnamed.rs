//! `hostname` through a real systemd-hostnamed started on demand by a
//! private bus (`common/hostnamed.rs`), in a UTS namespace and an `/etc`
//! overlay of the test's own: the static name set (hostnamed writes
//! `/etc/hostname`, the plugin's own file stays unwritten), the running
//! name shown from hostnamed, a running name hostnamed won't take refused
//! with the reason, `config: ""` removing the static name, a failed
//! verification rolled back, and the saved names set again at the next
//! start.

mod common;

use common::{hostnamed::Hostnamed, *};
use serde_json::json;

fn daemon(bed: &Bed, h: &Hostnamed, extras: Extras) -> nipart_testkit::DaemonProcess {
    bed.daemon(&Extras {
        dbus_address: Some(h.address()),
        uts_of: Some(h.holder()),
        ..extras
    })
}

#[test]
fn set_shown_and_removed_through_hostnamed() {
    let machine = machine_hostname();
    let bed = Bed::new();
    let h = Hostnamed::start(&bed);
    let d = daemon(&bed, &h, Extras::default());
    assert_eq!(
        show(&d)["hostname"],
        json!({"running": Hostnamed::FIRST_NAME}),
        "no static name yet\n{}",
        h.log()
    );

    // `config` alone: hostnamed writes /etc/hostname and sets the
    // running name from it.
    apply_ok(&d, &bed, "hostname:\n  config: nipart-h1.example\n");
    assert_eq!(h.etc_hostname(), "nipart-h1.example\n");
    assert_eq!(h.running(), "nipart-h1.example");
    assert!(
        !bed.hostname_file.exists(),
        "the plugin's own file is not used"
    );
    assert_eq!(
        show(&d)["hostname"],
        json!({"running": "nipart-h1.example", "config": "nipart-h1.example"})
    );
    let out = apply_ok(&d, &bed, "hostname:\n  config: nipart-h1.example\n");
    assert!(out.contains("nothing to change"), "{out}");

    // hostnamed keeps a static name running: another is refused, saying so.
    let e = apply_err(&d, &bed, "hostname:\n  running: nipart-h2\n");
    assert!(
        e.contains(
            "hostname.running (systemd-hostnamed): \"nipart-h2\" not taken: hostnamed keeps the static host name \"nipart-h1.example\" running"
        ),
        "{e}"
    );
    assert_eq!(h.running(), "nipart-h1.example");

    // Without a static name, the running one is hostnamed's transient one.
    apply_ok(
        &d,
        &bed,
        "hostname:\n  config: \"\"\n  running: nipart-h2\n",
    );
    assert_eq!(h.etc_hostname(), "", "the static name is removed");
    assert_eq!(h.running(), "nipart-h2");
    assert_eq!(show(&d)["hostname"], json!({"running": "nipart-h2"}));

    refuses_a_bad_host_name(&d, &bed, &machine);
}

#[test]
fn a_failed_verification_rolls_hostnamed_back() {
    let bed = Bed::new();
    let h = Hostnamed::start(&bed);
    h.set_static("nipart-before");
    // After every apply, someone else sets the running name (in the
    // daemon's UTS namespace, the holder's: the fixture runs it from the
    // daemon).
    let d = daemon(
        &bed,
        &h,
        Extras {
            sabotage: Some("hostname nipart-sabotage".into()),
            ..Extras::default()
        },
    );
    let before = show(&d)["hostname"].clone();
    assert_eq!(
        before,
        json!({"running": "nipart-before", "config": "nipart-before"})
    );
    let e = apply_err(&d, &bed, "hostname:\n  config: nipart-after\n");
    assert!(
        e.contains("hostname: running desired nipart-after, current nipart-sabotage"),
        "{e}"
    );
    assert!(e.contains("rolled back to checkpoint"), "{e}");
    assert_eq!(h.etc_hostname(), "nipart-before\n");
    assert_eq!(h.running(), "nipart-before");
}

#[test]
fn saved_names_are_set_again_at_the_next_start() {
    let bed = Bed::new();
    let h = Hostnamed::start(&bed);
    let mut d = daemon(
        &bed,
        &h,
        Extras {
            conf: true,
            ..Extras::default()
        },
    );
    apply_ok(&d, &bed, "hostname:\n  config: nipart-saved\n");
    d.stop(nipart_testkit::PATIENCE);
    h.set_static("nipart-other");
    assert_eq!(h.running(), "nipart-other");
    d.start();
    wait_for("the saved host name set again at start", || {
        (h.etc_hostname() == "nipart-saved\n" && h.running() == "nipart-saved").then_some(())
    });
    assert_eq!(
        show(&d)["hostname"],
        json!({"running": "nipart-saved", "config": "nipart-saved"})
    );
}
