//! The packages `packaging/build` makes (one build for every test here).
//!
//! Debian: their split and control fields, lintian's verdict, and the
//! packages installed into a fresh root with dpkg, the installed unit
//! verified by systemd-analyze, the installed daemon started (in a network
//! namespace of its own) and asked by the installed `nipc` for its plugins,
//! then everything purged.
//!
//! RPM (rpmbuild from Debian's `rpm` package): the same split, the daemon
//! providing `nipart-abi(1)`, each plugin package requiring it.
//!
//! Needs root (dpkg into a root, network namespaces) and dpkg-dev, lintian,
//! rpm, systemd (systemd-analyze, systemd-tmpfiles), man-db (the verify
//! looks the unit's man pages up) and procps (`/bin/kill`, the unit's
//! reload command); `.ci/run` installs them.

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use nipart_packaging_tests::{
    CORE_PLUGINS, DHCP_PACKAGE, FreshRoot, OPTIONAL_PLUGINS, OVS_PACKAGE, deb_field, deb_paths,
    mode, output_text, packages,
};
use nipart_testkit::{Daemon, Netns, Sandbox, run, toml_str};
use serde_json::Value;

fn plugin_file(name: &str) -> String {
    format!("/usr/lib/nipart/plugins/libnipart_plugin_{name}.so")
}

#[test]
fn the_daemon_package_provides_the_plugin_abi_and_ships_the_daemon_and_core_plugins() {
    let p = packages();
    let nipart = p.deb("nipart");
    assert_eq!(deb_field(&nipart, "Package"), "nipart");
    assert_eq!(deb_field(&nipart, "Version"), format!("{}-1", p.version));
    assert_eq!(deb_field(&nipart, "Provides"), "nipart-abi-1");
    let depends = deb_field(&nipart, "Depends");
    assert!(
        depends.contains("libc6 (>="),
        "Depends from dpkg-shlibdeps: {depends}"
    );

    let paths = deb_paths(&nipart);
    let mut expected: Vec<String> = [
        "/usr/sbin/nipartd",
        "/usr/bin/nipc",
        "/usr/lib/nipart/nipartd.toml",
        "/usr/lib/nipart/conf.d/",
        "/etc/nipart/conf.d/",
        "/usr/lib/systemd/system/nipartd.service",
        "/usr/lib/tmpfiles.d/nipart.conf",
        "/usr/share/man/man1/nipc.1.gz",
        "/usr/share/man/man8/nipartd.8.gz",
        "/usr/share/man/man5/nipartd.toml.5.gz",
        "/usr/share/bash-completion/completions/nipc",
        "/usr/share/zsh/vendor-completions/_nipc",
        "/usr/share/fish/vendor_completions.d/nipc.fish",
        "/usr/share/doc/nipart/copyright",
        "/usr/share/doc/nipart/changelog.Debian.gz",
    ]
    .map(String::from)
    .to_vec();
    expected.extend(CORE_PLUGINS.iter().map(|n| plugin_file(n)));
    for path in &expected {
        assert!(
            paths.contains(path),
            "nipart lacks {path}; it has {paths:#?}"
        );
    }
    let plugins: Vec<&String> = paths
        .iter()
        .filter(|p| p.starts_with("/usr/lib/nipart/plugins/") && p.ends_with(".so"))
        .collect();
    assert_eq!(
        plugins.len(),
        CORE_PLUGINS.len(),
        "only the core plugins are in nipart: {plugins:?}"
    );
}

#[test]
fn each_optional_plugin_has_a_package_depending_on_the_plugin_abi() {
    let p = packages();
    for (plugin, package) in OPTIONAL_PLUGINS {
        let deb = p.deb(package);
        let depends = deb_field(&deb, "Depends");
        assert!(
            depends.split(", ").any(|d| d == "nipart-abi-1"),
            "{package} Depends: {depends}"
        );
        let files: Vec<String> = deb_paths(&deb)
            .into_iter()
            .filter(|p| !p.ends_with('/'))
            .collect();
        assert_eq!(
            files,
            [
                plugin_file(plugin),
                format!("/usr/share/doc/{package}/changelog.Debian.gz"),
                format!("/usr/share/doc/{package}/copyright"),
                format!("/usr/share/lintian/overrides/{package}"),
            ]
        );
    }
}

#[test]
fn lintian_reports_no_errors() {
    let debs = packages().all(".deb");
    assert!(debs.len() >= 2, "no packages: {debs:?}");
    nipart_testkit::require("lintian");
    let out = Command::new("lintian")
        .args(["--fail-on", "error", "--no-tag-display-limit"])
        .args(&debs)
        .output()
        .expect("running lintian (apt-get install lintian)");
    let text = output_text(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("E: ")).collect();
    assert!(
        out.status.success() && errors.is_empty(),
        "lintian ({}) found errors:\n{text}",
        out.status
    );
}

/// The installed unit, with ExecStart pointing into the root, passes
/// `systemd-analyze verify`; its man pages (Documentation=) are looked up
/// in the root, so they must be installed.
fn verify_unit(root: &FreshRoot, scratch: &Path) {
    let unit = std::fs::read_to_string(root.join("/usr/lib/systemd/system/nipartd.service"))
        .expect("the installed unit");
    let nipartd = root.join("/usr/sbin/nipartd");
    let exec_lines: Vec<&str> = unit
        .lines()
        .filter(|l| l.starts_with("ExecStart="))
        .collect();
    assert_eq!(exec_lines, ["ExecStart=/usr/sbin/nipartd"]);
    let copy = scratch.join("nipartd.service");
    std::fs::write(
        &copy,
        unit.replace(
            "ExecStart=/usr/sbin/nipartd",
            &format!("ExecStart={}", nipartd.display()),
        ),
    )
    .expect("writing the unit's copy");
    nipart_testkit::require("systemd-analyze");
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&copy)
        .env("MANPATH", root.join("/usr/share/man"))
        .env("SYSTEMD_LOG_LEVEL", "notice")
        .output()
        .expect("running systemd-analyze (apt-get install systemd)");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "systemd-analyze verify {} ({}):\n{}",
        copy.display(),
        out.status,
        output_text(&out)
    );
}

/// `nipc -o json plugins` of the installed nipc: (name, state) pairs.
fn plugin_states(root: &FreshRoot, socket: &Path) -> Vec<(String, String)> {
    let text = run(Command::new(root.join("/usr/bin/nipc"))
        .arg("--socket")
        .arg(socket)
        .args(["-o", "json", "plugins"]));
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    v["plugins"]
        .as_array()
        .unwrap_or_else(|| panic!("no plugins in {v}"))
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The Debian packages on a fresh root: refused without the ABI provider,
/// installed together, the unit verified, the daemon run, then purged.
#[test]
fn installed_packages_run_the_daemon_that_nipc_lists_the_plugins_of_then_purge_cleanly() {
    let p = packages();
    let nipart = p.deb("nipart");
    let dhcp = p.deb(DHCP_PACKAGE);
    let libraries: Vec<String> = [&nipart, &dhcp]
        .iter()
        .flat_map(|d| {
            deb_field(d, "Depends")
                .split(", ")
                .map(|dep| dep.split_whitespace().next().unwrap_or("").to_string())
                .collect::<Vec<_>>()
        })
        .filter(|name| name != "nipart-abi-1")
        .collect();
    let libraries: Vec<&str> = libraries.iter().map(String::as_str).collect();
    let root = FreshRoot::new(&libraries);

    // A plugin package alone: nothing provides the plugin ABI it needs.
    let out = root.dpkg(&[&"-i", &dhcp]);
    assert!(
        !out.status.success()
            && output_text(&out).contains("depends on nipart-abi-1")
            && output_text(&out).contains("Package nipart-abi-1 is not installed"),
        "dpkg -i {DHCP_PACKAGE} alone ({}):\n{}",
        out.status,
        output_text(&out)
    );
    assert_ne!(root.status(DHCP_PACKAGE), "install ok installed");

    // With the daemon package, which provides it.
    let out = root.dpkg(&[&"-i", &nipart, &dhcp]);
    assert!(
        out.status.success(),
        "dpkg -i nipart {DHCP_PACKAGE}:\n{}",
        output_text(&out)
    );
    for pkg in ["nipart", DHCP_PACKAGE] {
        assert_eq!(root.status(pkg), "install ok installed", "{pkg}");
    }
    // postinst ran systemd-tmpfiles inside the root.
    assert_eq!(mode(&root.join("/var/lib/nipart")), 0o700);
    assert_eq!(mode(&root.join("/etc/nipart/conf.d")), 0o755);

    // The installed vendor configuration is valid and names the core plugins.
    let vendor = nipartd::DaemonConfig::from_file(&root.join("/usr/lib/nipart/nipartd.toml"))
        .unwrap_or_else(|e| panic!("the vendor configuration: {e}"));
    assert_eq!(vendor.plugin_dir, Path::new("/usr/lib/nipart/plugins"));
    assert_eq!(vendor.required_plugins, CORE_PLUGINS);
    assert_eq!(vendor.api.socket, Path::new("/run/nipart/nipart.sock"));

    let scratch = Sandbox::new();
    verify_unit(&root, scratch.root());

    // The installed daemon, in a namespace of its own, reading its
    // configuration from the root (the vendor defaults and an administrator's
    // drop-in) and loading the installed plugins. The API socket is in the
    // sandbox, everything else it writes in the root.
    let drop_in = root.join("/etc/nipart/conf.d/90-test.toml");
    std::fs::write(
        &drop_in,
        format!(
            "[api]\nsocket = {}\n\
             [plugin.conf]\nconfig_dir = {}\nstate_dir = {}\n\
             [plugin.dhcp]\nlease_dir = {}\n",
            toml_str(&scratch.path("nipart.sock")),
            toml_str(&root.join("/etc/nipart")),
            toml_str(&root.join("/var/lib/nipart")),
            toml_str(&root.join("/var/lib/nipart/dhcp")),
        ),
    )
    .expect("writing the drop-in");
    let nipartd = root.join("/usr/sbin/nipartd");
    let check = Command::new(&nipartd)
        .arg("--config-root")
        .arg(root.path())
        .arg("--check-config")
        .output()
        .expect("running nipartd --check-config");
    let text = output_text(&check);
    assert!(
        check.status.success()
            && text.contains(
                &root
                    .join("/usr/lib/nipart/nipartd.toml")
                    .display()
                    .to_string()
            )
            && text.contains(&drop_in.display().to_string()),
        "nipartd --check-config ({}):\n{text}",
        check.status
    );
    let ns = Netns::new();
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", &ns.name])
        .arg(&nipartd)
        .arg("--config-root")
        .arg(root.path())
        .arg("--plugin-dir")
        .arg(root.join("/usr/lib/nipart/plugins"));
    let mut daemon = Daemon::start_command(cmd);
    let stderr = daemon.wait_ready();
    assert!(
        stderr.contains(&format!("{} plugins running", CORE_PLUGINS.len() + 1)),
        "{stderr}"
    );
    let socket = scratch.path("nipart.sock");
    let mut expected: Vec<(String, String)> = CORE_PLUGINS
        .iter()
        .chain(&["dhcp"])
        .map(|n| (n.to_string(), "running".to_string()))
        .collect();
    expected.sort();
    // The start event reaches the plugins right after ready; give them a
    // moment to settle into running.
    let give_up = Instant::now() + Duration::from_secs(20);
    let mut states = plugin_states(&root, &socket);
    while states != expected && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(50));
        states = plugin_states(&root, &socket);
    }
    assert_eq!(states, expected, "stderr:\n{}", daemon.stderr());
    let (status, stderr) = daemon.terminate(Duration::from_secs(20));
    assert!(status.success(), "nipartd exited {status}:\n{stderr}");

    // Purge: the files and the state go; the administrator's configuration
    // stays.
    let out = root.dpkg(&[&"--purge", &DHCP_PACKAGE, &"nipart"]);
    assert!(out.status.success(), "dpkg --purge:\n{}", output_text(&out));
    for gone in ["/usr/sbin/nipartd", "/usr/lib/nipart", "/var/lib/nipart"] {
        assert!(
            !root.join(gone).exists(),
            "{gone} is still there after the purge"
        );
    }
    assert!(drop_in.is_file(), "the administrator's drop-in was removed");
}

// ---------------------------------------------------------------------------
// RPM

fn rpm_query(rpm: &Path, what: &str) -> Vec<String> {
    nipart_testkit::require("rpm");
    run(Command::new("rpm").arg("-qp").arg(what).arg(rpm))
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_daemon_rpm_provides_the_plugin_abi_and_ships_the_daemon_and_core_plugins() {
    let p = packages();
    let rpm = p.rpm("nipart");
    let provides = rpm_query(&rpm, "--provides");
    assert!(
        provides.iter().any(|p| p == "nipart-abi(1)"),
        "{provides:?}"
    );
    assert!(
        !provides.iter().any(|p| p.starts_with("libnipart_plugin")),
        "plugins are not libraries to link against: {provides:?}"
    );
    let files = rpm_query(&rpm, "--list");
    let mut expected: Vec<String> = [
        "/usr/sbin/nipartd",
        "/usr/bin/nipc",
        "/usr/lib/nipart/nipartd.toml",
        "/usr/lib/systemd/system/nipartd.service",
        "/usr/lib/tmpfiles.d/nipart.conf",
        "/usr/share/man/man1/nipc.1.gz",
        "/usr/share/zsh/site-functions/_nipc",
        "/etc/nipart/conf.d",
    ]
    .map(String::from)
    .to_vec();
    expected.extend(
        CORE_PLUGINS
            .iter()
            .map(|n| format!("/usr/lib/nipart/plugins/libnipart_plugin_{n}.so")),
    );
    for f in &expected {
        assert!(files.contains(f), "the nipart RPM lacks {f}: {files:#?}");
    }
    let plugins = files
        .iter()
        .filter(|f| f.starts_with("/usr/lib/nipart/plugins/") && f.ends_with(".so"))
        .count();
    assert_eq!(plugins, CORE_PLUGINS.len(), "{files:#?}");
}

/// The ovs plugin is of no use without Open vSwitch, which it does not
/// need to be installed (it says where it looked for ovsdb-server).
#[test]
fn the_ovs_package_recommends_open_vswitch() {
    let p = packages();
    assert_eq!(
        deb_field(&p.deb(OVS_PACKAGE), "Recommends"),
        "openvswitch-switch"
    );
    assert!(
        rpm_query(&p.rpm(OVS_PACKAGE), "--recommends")
            .iter()
            .any(|r| r == "openvswitch"),
        "the RPM recommends openvswitch"
    );
}

#[test]
fn each_optional_plugin_rpm_requires_the_plugin_abi() {
    for (plugin, package) in OPTIONAL_PLUGINS {
        let rpm = packages().rpm(package);
        let requires = rpm_query(&rpm, "--requires");
        assert!(
            requires.iter().any(|r| r == "nipart-abi(1)"),
            "{package}: {requires:?}"
        );
        assert_eq!(
            rpm_query(&rpm, "--list"),
            [
                format!("/usr/lib/nipart/plugins/libnipart_plugin_{plugin}.so"),
                format!("/usr/share/doc/{package}/copyright"),
            ]
        );
    }
}
