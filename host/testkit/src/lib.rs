//! nipart's test kit: what the tests of every crate share, and what a
//! vendor's plugin tests use out of the nipart tree (a path or git
//! dependency on this crate; see `docs/plugin-sdk.md`, "Testing").
//!
//! * [`DaemonBuilder`]: one way to run a daemon for a test, with the
//!   plugins, configuration sections and network namespace it needs;
//!   [`DaemonBuilder::spawn`] runs the real `nipartd` binary
//!   ([`DaemonProcess`]: socket, log, signals, stopped and started again
//!   over the same files), [`DaemonBuilder::start`]
//!   runs the daemon's lifecycle in the test's process
//!   ([`InProcessDaemon`]), whose bus a [`BusClient`] joins to publish
//!   events and requests and receive replies: the in-process harness for
//!   plugin tests. Both stop and clean up on drop.
//! * [`Daemon`] and [`Sandbox`], the parts the builder uses, for tests that
//!   need a particular command line or a daemon restarted over the same
//!   files.
//! * [`Netns`]: a uniquely named network namespace removed on drop, `ip`
//!   helpers, and [`Netns::run_inside`].
//! * [`callers`]: callers who are not admins (other credentials, floods).
//! * [`RouterAdvertiser`]: dnsmasq sending IPv6 router advertisements.
//! * Where the test was built ([`profile_dir`], [`target_dir`]) and
//!   building what it runs ([`build_in_workspace`], [`nipartd_binary`],
//!   [`own_cdylib`]).
//! * [`vm`]: tests that need a full kernel (modules this machine's kernel
//!   lacks) say so with [`full_kernel!`] and run in a VM booting Debian's
//!   stock kernel where they must.
//! * The external programs a test needs: a test that needs a program calls
//!   [`require`] (or [`python_with`]) first, so that on a machine without it
//!   the test fails at once with the program's name and the command that
//!   installs it, rather than with a timeout or an opaque `ENOENT` later.
//!   `bash .ci/test` (the README's test command) installs everything listed
//!   in [`PROGRAMS`] and the Python packages in a virtual environment of the
//!   project's (`.venv`).

pub mod bus;
pub mod callers;
pub mod daemon;
pub mod dhcp_server;
pub mod harness;
pub mod netns;
pub mod ovs;
pub mod ra;
pub mod sandbox;
pub mod vm;
pub mod workspace;

pub use bus::{BusClient, Outcome, reply_result};
pub use daemon::{Daemon, lines_after};
pub use dhcp_server::DhcpServer;
pub use harness::{DaemonBuilder, DaemonProcess, InProcessDaemon};
pub use netns::{Netns, run, try_run};
pub use ra::{Radvd, RouterAdvertiser};
pub use sandbox::{PluginLibrary, Sandbox, resident_kib, toml_str};
pub use workspace::{
    build_in_workspace, build_once_in_workspace, cargo, fault_fixture, nipartd_binary, nipc_binary,
    nipc_on_thread, own_cdylib, profile_dir, run_cargo, target_dir,
};

/// How long the helpers wait for something that should happen promptly.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(20);

use std::{
    env,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Command,
};

/// Every external program the tests run, with the Debian package that
/// provides it. `.ci/test` installs these packages; keep the two in step
/// (a test of this crate checks that the script names each package).
pub const PROGRAMS: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("dnsmasq", "dnsmasq-base"),
    ("radvd", "radvd"),
    ("udhcpc", "udhcpc"),
    // The DHCPv6 benchmark's reference client (host/bench/examples/dhcp6_bench.rs).
    ("dhcpcd", "dhcpcd-base"),
    ("groff", "groff-base"),
    ("dpkg-deb", "dpkg"),
    // The dns plugin's systemd-resolved tests (resolved itself is
    // unpacked from its package with apt-get download and dpkg -x).
    ("dpkg", "dpkg"),
    ("apt-get", "apt"),
    ("dbus-daemon", "dbus-daemon"),
    ("busctl", "systemd"),
    ("dpkg-shlibdeps", "dpkg-dev"),
    ("strip", "binutils"),
    ("rpmbuild", "rpm"),
    ("rpm", "rpm"),
    ("lintian", "lintian"),
    ("systemd-analyze", "systemd"),
    ("systemd-tmpfiles", "systemd"),
    ("man", "man-db"),
    ("kill", "procps"),
    ("unshare", "util-linux"),
    ("nsenter", "util-linux"),
    ("mount", "mount"),
    ("python3", "python3"),
    // The test VM (vm::, host/testkit/vm/nipart-vm).
    ("qemu-system-x86_64", "qemu-system-x86"),
    ("depmod", "kmod"),
    ("busybox", "busybox-static"),
    ("xz", "xz-utils"),
    ("lldpd", "lldpd"),
    ("lldpcli", "lldpd"),
    // The ovs plugin's tests (ovsdb-tool and ovs-vsctl come with it).
    ("ovsdb-server", "openvswitch-switch"),
    ("ovs-vswitchd", "openvswitch-switch"),
    ("ovsdb-tool", "openvswitch-switch"),
    ("ovs-vsctl", "openvswitch-switch"),
    ("ovs-appctl", "openvswitch-switch"),
    // The kernel datapath's module (Ovs::start_with(.., Datapath::Kernel)).
    ("modprobe", "kmod"),
    // The fleet's tests (plugins/fleet/tests).
    ("nats-server", "nats-server"),
    ("openssl", "openssl"),
    ("ss", "iproute2"),
];

/// The Debian package that provides `program`, if the tests know it.
pub fn package_of(program: &str) -> Option<&'static str> {
    PROGRAMS
        .iter()
        .find(|(p, _)| *p == program)
        .map(|(_, pkg)| *pkg)
}

/// `program`'s path on `PATH` (or the path itself when it names a file).
pub fn find_program(program: &str) -> Option<PathBuf> {
    let is_exe = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        return is_exe(&p).then_some(p);
    }
    let path = env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| is_exe(p))
}

/// The message for a missing program: its name and how to install it.
pub fn missing_message(program: &str) -> String {
    let install = match package_of(program) {
        Some(pkg) => format!("apt-get install -y {pkg}"),
        None => format!("install `{program}`"),
    };
    format!(
        "this test needs `{program}`, which is not installed: {install} \
         (or run `bash .ci/test`, which installs everything the tests need)"
    )
}

/// The path of `program`; panics at once, naming it and its install
/// command, when it is not installed.
#[track_caller]
pub fn require(program: &str) -> PathBuf {
    find_program(program).unwrap_or_else(|| panic!("{}", missing_message(program)))
}

/// Polls `f` every 50 ms until it gives `Some`, at most `limit`; panics
/// naming `what` when it never does.
#[track_caller]
pub fn wait_for<T>(limit: std::time::Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let give_up = std::time::Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < give_up,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Requires every program of `programs`.
#[track_caller]
pub fn require_all(programs: &[&str]) {
    let missing: Vec<String> = programs
        .iter()
        .filter(|p| find_program(p).is_none())
        .map(|p| missing_message(p))
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The repository root (this crate sits in `host/testkit`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The project's Python: `$NIPART_TEST_PYTHON` if set, else the virtual
/// environment `.ci/test` makes (`<repo>/.venv`), else `python3`.
pub fn python() -> PathBuf {
    if let Some(p) = env::var_os("NIPART_TEST_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/python3");
    if venv.exists() {
        return venv;
    }
    require("python3")
}

/// The project's Python ([`python`]) after checking that it can import
/// every module of `modules` (PyPI packages); panics at once naming the
/// missing ones and how to get them.
#[track_caller]
pub fn python_with(modules: &[&str]) -> PathBuf {
    let python = python();
    let imports = modules.join(", ");
    let out = Command::new(&python)
        .args(["-c", &format!("import {imports}")])
        .output();
    match out {
        Ok(o) if o.status.success() => python,
        Ok(o) => panic!(
            "this test needs the Python package(s) {imports} for {}: run `bash .ci/test` \
             (it makes the virtual environment .venv with them), or set NIPART_TEST_PYTHON \
             to a Python that has them\n{}",
            python.display(),
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!(
            "this test needs Python ({}: {e}): {}",
            python.display(),
            missing_message("python3")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_is_named_with_its_install_command() {
        assert!(find_program("nipart-no-such-program").is_none());
        let msg = std::panic::catch_unwind(|| require("nipart-no-such-program"))
            .err()
            .and_then(|e| e.downcast_ref::<String>().cloned())
            .expect("require panics for a missing program");
        assert!(msg.contains("`nipart-no-such-program`"), "{msg}");
        assert!(msg.contains("bash .ci/test"), "{msg}");
        assert_eq!(
            missing_message("dnsmasq"),
            "this test needs `dnsmasq`, which is not installed: apt-get install -y dnsmasq-base \
             (or run `bash .ci/test`, which installs everything the tests need)"
        );
    }

    #[test]
    fn a_present_program_is_found() {
        let sh = find_program("sh").expect("sh is on every machine");
        assert!(sh.is_absolute());
        assert_eq!(find_program(sh.to_str().unwrap()), Some(sh));
    }

    #[test]
    fn the_test_script_installs_every_package() {
        let script = std::fs::read_to_string(repo_root().join(".ci/test")).unwrap();
        let words: Vec<&str> = script.split_whitespace().collect();
        for (program, package) in PROGRAMS {
            assert!(
                words.contains(package),
                "`.ci/test` does not install {package} (for {program})"
            );
        }
    }
}
