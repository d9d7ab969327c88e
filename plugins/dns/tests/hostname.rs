//! `hostname` through the real daemon, in a UTS namespace of the test's
//! own (the machine's host name is never touched): the running name set,
//! the static one written to the host name file, both shown, `config: ""`
//! removing the file, a failed verification rolled back, and the saved
//! names set again at the next start.

mod common;

use common::*;
use serde_json::json;

#[test]
fn set_shown_and_removed_in_a_uts_namespace_of_the_tests_own() {
    let machine = machine_hostname();
    let bed = Bed::new();
    let d = bed.daemon(&Extras::default());
    assert_eq!(
        show(&d)["hostname"],
        json!({"running": machine}),
        "no static name yet"
    );

    // `config` alone sets the running name too.
    apply_ok(&d, &bed, "hostname:\n  config: nipart-h1.example\n");
    assert_eq!(read(&bed.hostname_file), "nipart-h1.example\n");
    assert_eq!(
        show(&d)["hostname"],
        json!({"running": "nipart-h1.example", "config": "nipart-h1.example"})
    );
    assert_eq!(
        machine_hostname(),
        machine,
        "the machine's name is untouched"
    );

    // `running` alone leaves the static name.
    apply_ok(&d, &bed, "hostname:\n  running: nipart-h2\n");
    assert_eq!(
        show(&d)["hostname"],
        json!({"running": "nipart-h2", "config": "nipart-h1.example"})
    );
    let out = apply_ok(&d, &bed, "hostname:\n  running: nipart-h2\n");
    assert!(out.contains("nothing to change"), "{out}");

    apply_ok(&d, &bed, "hostname:\n  config: \"\"\n");
    assert!(!bed.hostname_file.exists(), "the static name is removed");
    assert_eq!(show(&d)["hostname"], json!({"running": "nipart-h2"}));

    refuses_a_bad_host_name(&d, &bed, &machine);
}

#[test]
fn a_failed_verification_rolls_the_host_name_back() {
    let bed = Bed::new();
    std::fs::write(&bed.hostname_file, "nipart-before\n").unwrap();
    // After every apply, someone else sets the running name (in the
    // daemon's UTS namespace: the fixture runs it from the daemon).
    let d = bed.daemon(&Extras {
        sabotage: Some("hostname nipart-sabotage".into()),
        ..Extras::default()
    });
    let before = show(&d)["hostname"].clone();
    let e = apply_err(&d, &bed, "hostname:\n  config: nipart-after\n");
    assert!(
        e.contains("hostname: running desired nipart-after, current nipart-sabotage"),
        "{e}"
    );
    assert!(e.contains("rolled back to checkpoint"), "{e}");
    assert_eq!(read(&bed.hostname_file), "nipart-before\n");
    assert_eq!(show(&d)["hostname"], before);
}

#[test]
fn saved_names_are_set_again_at_the_next_start() {
    let bed = Bed::new();
    let mut d = bed.daemon(&Extras {
        conf: true,
        ..Extras::default()
    });
    apply_ok(&d, &bed, "hostname:\n  config: nipart-saved\n");
    d.stop(nipart_testkit::PATIENCE);
    std::fs::remove_file(&bed.hostname_file).unwrap();
    // A new UTS namespace: it starts with the machine's name.
    d.start();
    let deadline = std::time::Instant::now() + nipart_testkit::PATIENCE;
    loop {
        let shown = show(&d)["hostname"].clone();
        if shown == json!({"running": "nipart-saved", "config": "nipart-saved"}) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the saved host name was not set at start: {shown}\n{}",
            d.log()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(read(&bed.hostname_file), "nipart-saved\n");
}
