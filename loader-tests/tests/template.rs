//! The vendor plugin template (`plugin-api/template/`), used as its README
//! tells a vendor to: copied out of the nipart tree, renamed, built on its
//! own (its own workspace and target directory, offline, against the SDK of
//! this checkout), and its `.so` dropped into a daemon's plugin directory,
//! where it is loaded, answers its request, counts the link events it
//! subscribed to, logs through the daemon and follows a configuration
//! reload.

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
    time::{Duration, Instant},
};

use nipart_loader_tests::{BusClient, Daemon, PATIENCE, Sandbox, repo_root, run, target_dir};
use nipart_plugin_api::{
    Address, ErrorKind, Event, EventState, Message,
    protocol::monitor::{LinkCarrierUp, LinkChanged},
};
use nipartd::{Lifecycle, MemberState};
use serde_json::{Value, json};

/// The vendor's names for the copy.
const CRATE: &str = "nipart-plugin-acme";
const NAME: &str = "acme";
const LIBRARY: &str = "libnipart_plugin_acme.so";

/// Replaces `from` (which must occur) by `to` in `file`.
fn edit(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(
        text.contains(from),
        "{} no longer holds {from:?}: the template and this test disagree",
        file.display()
    );
    fs::write(file, text.replace(from, to)).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
}

/// Copies a directory tree (the template has no links or special files).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("a directory entry");
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&path, &dest);
            }
        } else {
            fs::copy(&path, &dest).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

/// The renamed copy of the template, built once per process; the path of
/// its `.so`.
fn vendor_plugin() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let work = tempfile::Builder::new()
            .prefix("nipart-vendor-")
            .tempdir()
            .expect("a temporary directory");
        let project = work.path().join(CRATE);
        copy_tree(&repo_root().join("plugin-api/template"), &project);

        // Rename, as the README says: the crate, the plugin, its topic.
        let manifest = project.join("Cargo.toml");
        let lib = project.join("src/lib.rs");
        edit(
            &manifest,
            "name = \"nipart-plugin-example\"",
            &format!("name = \"{CRATE}\""),
        );
        edit(
            &lib,
            "const NAME: &str = \"example\";",
            &format!("const NAME: &str = \"{NAME}\";"),
        );
        edit(
            &lib,
            "const HELLO: &str = \"example.hello\";",
            &format!("const HELLO: &str = \"{NAME}.hello\";"),
        );
        // Out of the tree the SDK comes from crates.io, or from a checkout
        // named by path: this one (the test runs offline).
        let sdk = repo_root().join("plugin-api");
        edit(
            &manifest,
            "nipart-plugin-api = { path = \"..\" }",
            &format!(
                "nipart-plugin-api = {{ path = {:?} }}",
                sdk.display().to_string()
            ),
        );
        edit(
            &manifest,
            "nipart-plugin-abi = { path = \"../abi\" }",
            &format!(
                "nipart-plugin-abi = {{ path = {:?} }}",
                sdk.join("abi").display().to_string()
            ),
        );
        edit(
            &manifest,
            "nipart-protocol = { path = \"../protocol\" }",
            &format!(
                "nipart-protocol = {{ path = {:?} }}",
                sdk.join("protocol").display().to_string()
            ),
        );
        // Its test loads the renamed plugin through the test kit of this
        // checkout (a vendor points the path at theirs, or uses git).
        edit(
            &manifest,
            "nipart-testkit = { path = \"../../host/testkit\" }",
            &format!(
                "nipart-testkit = {{ path = {:?} }}",
                repo_root().join("host/testkit").display().to_string()
            ),
        );
        let test = project.join("tests/plugin.rs");
        edit(
            &test,
            "const NAME: &str = \"example\";",
            &format!("const NAME: &str = \"{NAME}\";"),
        );
        edit(
            &test,
            "const HELLO: &str = \"example.hello\";",
            &format!("const HELLO: &str = \"{NAME}.hello\";"),
        );
        // The workspace's lock file: the same dependency versions, all of
        // them already in cargo's cache.
        fs::copy(repo_root().join("Cargo.lock"), project.join("Cargo.lock"))
            .expect("copying Cargo.lock");

        // Its own target directory (kept between runs, so a rerun only
        // rebuilds the plugin itself).
        let own_target = target_dir().join("plugin-template");
        run(
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .args(["build", "--quiet", "--offline"])
                .current_dir(&project)
                .env("CARGO_TARGET_DIR", &own_target),
        );
        let built = own_target.join("debug").join(LIBRARY);
        assert!(built.is_file(), "{} was not built", built.display());
        // Keep a copy: the project directory goes away with `work`.
        let kept = own_target.join(LIBRARY);
        fs::copy(&built, &kept).expect("keeping the built plugin");
        kept
    })
}

/// Installs the vendor's `.so` into the sandbox's plugin directory as a
/// package would (mode 0644).
fn install(sb: &Sandbox) {
    let dest = sb.plugin_dir().join(LIBRARY);
    fs::copy(vendor_plugin(), &dest).expect("installing the plugin");
    fs::set_permissions(&dest, fs::Permissions::from_mode(0o644)).expect("chmod");
}

#[test]
fn the_template_copied_renamed_and_built_out_of_tree_loads_and_answers_its_request() {
    let sb = Sandbox::new();
    install(&sb);
    let lc = Lifecycle::start(sb.config("[plugin.acme]\ngreeting = \"Bonjour\"\n"))
        .unwrap_or_else(|e| panic!("daemon start: {e}"));
    let plugins: Vec<(String, String, MemberState)> = lc
        .plugins()
        .into_iter()
        .map(|(info, m)| (info.name, info.version, m.state()))
        .collect();
    assert_eq!(
        plugins,
        [(NAME.to_string(), "0.1.0".to_string(), MemberState::Running)]
    );

    let client = BusClient::join(lc.bus(), 1);
    // A link event, as the monitor publishes it (its own type): the
    // subscription counts it.
    let carrier_up = LinkCarrierUp(LinkChanged {
        seq: 1,
        name: "eth0".into(),
        index: 2,
        up: true,
        carrier: true,
        kind: None,
        old_name: None,
        mtu: None,
        old_mtu: None,
    });
    client
        .publish(
            Event::new(LinkCarrierUp::TOPIC, Address::None)
                .with_state(EventState::Done)
                .with_json(&carrier_up)
                .expect("a JSON payload"),
        )
        .expect("publishing link.carrier-up");

    let topic = format!("{NAME}.hello");
    let give_up = Instant::now() + PATIENCE;
    let reply = loop {
        let reply = client.request(&topic, Address::plugin(NAME), &json!({ "name": "vendor" }));
        assert_eq!(reply.state, EventState::Done, "{reply:?}");
        let v: Value = reply.json().expect("a JSON reply");
        // The link event and the request come from one client, in order;
        // still, the reply is only checked once the count caught up.
        if v["links_seen"] == 1 || Instant::now() > give_up {
            break v;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(
        reply,
        json!({ "text": "Bonjour, vendor!", "plugin": NAME, "links_seen": 1 })
    );

    // A malformed request: a Cancelled reply that says what was expected.
    let reply = client.request(&topic, Address::role(NAME), &json!({ "nom": "vendor" }));
    assert_eq!(reply.state, EventState::Cancelled, "{reply:?}");
    let error: nipart_plugin_api::Error = reply.json().expect("the error of a Cancelled reply");
    assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
    assert!(
        error.message().contains("expected {\"name\": \"...\"}"),
        "{error}"
    );

    let problems = lc.shutdown();
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn the_template_plugin_logs_through_nipartd_and_follows_a_reload() {
    let sb = Sandbox::new();
    install(&sb);
    let mut daemon = Daemon::start(&sb, "[plugin.acme]\ngreeting = \"Bonjour\"\n");
    let stderr = daemon.wait_ready();
    assert!(
        stderr.contains(&format!("plugin {NAME} 0.1.0 started")),
        "{stderr}"
    );
    // Its tracing record, tagged with its name, in the daemon's log.
    let ready = daemon.wait_for_stderr("greeting=Bonjour");
    let line = ready
        .lines()
        .find(|l| l.contains("greeting=Bonjour"))
        .expect("the line just waited for");
    assert!(
        line.contains(NAME) && line.contains("ready"),
        "the plugin's log line: {line}"
    );

    // SIGHUP with a new greeting: config.changed reaches the plugin.
    fs::write(
        sb.path("nipartd.toml"),
        sb.config_toml("[plugin.acme]\ngreeting = \"Hola\"\n"),
    )
    .expect("rewriting the configuration");
    daemon.signal(libc::SIGHUP);
    let stderr = daemon.wait_for_stderr("greeting=Hola");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("configuration changed") && l.contains("greeting=Hola")),
        "{stderr}"
    );
    let (status, stderr) = daemon.terminate(Duration::from_secs(10));
    assert!(status.success(), "{status}: {stderr}");
    assert!(stderr.contains("links_seen=0"), "{stderr}");
}
