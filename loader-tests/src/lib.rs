//! Support for the loader tests: the fixture plugins, built on demand, and
//! the log files of the scripted ones. Everything else (sandboxes, `nipartd`
//! as a child, the bus client, namespaces, callers) is the test kit's
//! (`nipart-testkit`), re-exported here.
//!
//! # Fixtures
//!
//! The fixture plugins are real `.so` files, built by the tests themselves
//! (once per test process, whatever the number of threads) into
//! `<target dir>/loader-fixtures`, where `<target dir>` is the one holding
//! the running test binary. They come from several cargo workspaces:
//!
//! * `loader-tests/fixtures/`: plugins made with the SDK ([`Fixture::Good`],
//!   the scripted [`Fixture::Alpha`], [`Fixture::Zulu`] and [`Fixture::Pair`],
//!   [`Fixture::BadCtor`], [`Fixture::Future`] of a later protocol
//!   version), a plain cdylib ([`Fixture::NotPlugin`]) and a
//!   library whose root module constructor panics ([`Fixture::RootPanic`]);
//! * `loader-tests/foreign/<name>/`, one workspace each, for what can't share
//!   a dependency graph with the SDK: an interface with another ABI major
//!   ([`Fixture::OtherMajor`]), one whose layout differs ([`Fixture::Layout`])
//!   and a `panic = "abort"` build ([`Fixture::PanicAbort`]).
//!
//! The scripted plugins follow their `[plugin.NAME]` configuration section
//! (see `loader-tests/fixtures/common`): fail, panic or hang in Init or
//! Shutdown, panic on a topic, record what happens to a log file, answer
//! `test.echo` and relay `test.relay` to another plugin.
//!
//! # Isolation
//!
//! Each test makes a [`Sandbox`]: a temporary directory holding a `plugins/`
//! directory with copies of just the fixtures it needs, plus its log files,
//! configuration and API socket. Sandboxes, and [`Daemon`] children, are
//! cleaned up on drop, also when a test fails.
//!

pub use nipart_testkit::*;

use std::{
    fs,
    path::{Path, PathBuf},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

// ---------------------------------------------------------------------------
// Fixture builds

/// Where the fixture workspaces build (one shared target directory, so the
/// foreign workspaces reuse what they can).
pub fn fixtures_target_dir() -> PathBuf {
    target_dir().join("loader-fixtures")
}

/// A cargo workspace holding fixtures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workspace {
    Fixtures,
    Layout,
    OtherMajor,
    PanicAbort,
}

impl Workspace {
    const ALL: [Workspace; 4] = [
        Workspace::Fixtures,
        Workspace::Layout,
        Workspace::OtherMajor,
        Workspace::PanicAbort,
    ];

    fn manifest(self) -> PathBuf {
        let dir = repo_root().join("loader-tests");
        match self {
            Workspace::Fixtures => dir.join("fixtures/Cargo.toml"),
            Workspace::Layout => dir.join("foreign/layout/Cargo.toml"),
            Workspace::OtherMajor => dir.join("foreign/other-major/Cargo.toml"),
            Workspace::PanicAbort => dir.join("foreign/panic-abort/Cargo.toml"),
        }
    }

    /// The packages of the workspace the loader tests use (others may add
    /// fixtures of their own to `fixtures/`; a broken one must not fail these
    /// tests).
    fn packages(self) -> &'static [&'static str] {
        match self {
            Workspace::Fixtures => &[
                "nipart-fixture-good",
                "nipart-fixture-alpha",
                "nipart-fixture-zulu",
                "nipart-fixture-pair",
                "nipart-fixture-bad-ctor",
                "nipart-fixture-not-plugin",
                "nipart-fixture-root-panic",
                "nipart-fixture-misfits",
                "nipart-fixture-empty",
                "nipart-fixture-evil",
                "nipart-fixture-future",
            ],
            Workspace::Layout | Workspace::OtherMajor | Workspace::PanicAbort => &[],
        }
    }

    /// Builds the workspace once per process.
    fn ensure_built(self) {
        static BUILT: [OnceLock<()>; 4] = [const { OnceLock::new() }; 4];
        let idx = Workspace::ALL
            .iter()
            .position(|w| *w == self)
            .expect("a listed workspace");
        BUILT[idx].get_or_init(|| {
            let manifest = self.manifest();
            let mut cmd = cargo();
            cmd.arg("build")
                .arg("--quiet")
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(fixtures_target_dir());
            for p in self.packages() {
                cmd.arg("-p").arg(p);
            }
            run_cargo(cmd, &manifest.display().to_string());
        });
    }
}

/// A fixture plugin library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixture {
    /// Plugin `good` (role `echo`): answers every request with `"pong"`.
    Good,
    /// The scripted plugin `alpha`.
    Alpha,
    /// The scripted plugin `zulu`.
    Zulu,
    /// Two scripted plugins in one library: `pair-a` and `pair-b`.
    Pair,
    /// `ctor-panic` (its `Plugin::new` panics) and `ctor-error` (its
    /// `Plugin::new` returns an error).
    BadCtor,
    /// A plain cdylib exporting a C function and no root module.
    NotPlugin,
    /// Exports the v1 root module type, but its constructor panics.
    RootPanic,
    /// Descriptors the loader refuses: `twice` registered twice, `Bad Name`,
    /// `bad-role` (role `Kernel!`), `bad-topic` (pattern `link.**.up`).
    Misfits,
    /// Exports the root module but registers no plugin.
    Empty,
    /// Built against a plugin ABI 2.0.0.
    OtherMajor,
    /// Claims to be `nipart-plugin-abi` 1.0.0 but its root module's fields differ.
    Layout,
    /// Plugin `panic-abort`, built with `panic = "abort"`.
    PanicAbort,
    /// No plugin: a library whose constructor leaves the marker file
    /// [`evil_marker`] when it is loaded, the proof that it ran.
    Evil,
    /// Plugin `future`: claims the protocol version after this daemon's in
    /// its hello at Init.
    Future,
}

/// The marker [`Fixture::Evil`]'s constructor leaves when a library loads
/// it in this process.
pub fn evil_marker() -> PathBuf {
    std::env::temp_dir().join(format!("nipart-fixture-evil-{}", std::process::id()))
}

impl PluginLibrary for Fixture {
    fn library_path(&self) -> PathBuf {
        self.path()
    }
    fn file_name(&self) -> String {
        Fixture::file_name(*self).to_string()
    }
}

impl Fixture {
    fn workspace(self) -> Workspace {
        match self {
            Fixture::OtherMajor => Workspace::OtherMajor,
            Fixture::Layout => Workspace::Layout,
            Fixture::PanicAbort => Workspace::PanicAbort,
            _ => Workspace::Fixtures,
        }
    }

    /// The library's file name, as cargo builds it.
    pub fn file_name(self) -> &'static str {
        match self {
            Fixture::Good => "libnipart_fixture_good.so",
            Fixture::Alpha => "libnipart_fixture_alpha.so",
            Fixture::Zulu => "libnipart_fixture_zulu.so",
            Fixture::Pair => "libnipart_fixture_pair.so",
            Fixture::BadCtor => "libnipart_fixture_bad_ctor.so",
            Fixture::NotPlugin => "libnipart_fixture_not_plugin.so",
            Fixture::RootPanic => "libnipart_fixture_root_panic.so",
            Fixture::Misfits => "libnipart_fixture_misfits.so",
            Fixture::Empty => "libnipart_fixture_empty.so",
            Fixture::OtherMajor => "libnipart_fixture_other_major.so",
            Fixture::Layout => "libnipart_fixture_layout.so",
            Fixture::PanicAbort => "libnipart_fixture_panic_abort.so",
            Fixture::Evil => "libnipart_fixture_evil.so",
            Fixture::Future => "libnipart_fixture_future.so",
        }
    }

    /// The built library (built first if this process has not yet).
    pub fn path(self) -> PathBuf {
        self.workspace().ensure_built();
        let path = fixtures_target_dir().join("debug").join(self.file_name());
        assert!(path.is_file(), "{} was not built", path.display());
        path
    }
}

/// A `[plugin.NAME]` section for a scripted plugin with a `log` file and
/// more `key = value` lines.
pub fn scripted_section(name: &str, log: &Path, more: &[&str]) -> String {
    let mut s = format!("[plugin.{name}]\nlog = {}\n", toml_str(log));
    for line in more {
        s.push_str(line);
        s.push('\n');
    }
    s
}

// ---------------------------------------------------------------------------
// Fixture logs

/// The lines of a scripted plugin's log file (none if it does not exist).
pub fn log_lines(path: &Path) -> Vec<String> {
    match fs::read_to_string(path) {
        Ok(text) => text.lines().map(str::to_string).collect(),
        Err(_) => Vec::new(),
    }
}

/// Waits until the log holds `line`; returns all lines at that point.
pub fn wait_for_log_line(path: &Path, line: &str) -> Vec<String> {
    let give_up = Instant::now() + PATIENCE;
    loop {
        let lines = log_lines(path);
        if lines.iter().any(|l| l == line) {
            return lines;
        }
        if Instant::now() > give_up {
            panic!(
                "{} never got the line {line:?}; it holds {lines:#?}",
                path.display()
            );
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until each of `plugins` logged `started NAME` (it handled the
/// daemon's start broadcast).
pub fn wait_for_started(path: &Path, plugins: &[&str]) {
    for name in plugins {
        wait_for_log_line(path, &format!("started {name}"));
    }
}

/// The examples of the plugin guide (`docs/plugin-sdk.md`), compiled as doc
/// tests here rather than in the SDK, whose published crate has no `docs/`.
#[cfg(doctest)]
#[doc = include_str!("../../docs/plugin-sdk.md")]
pub struct PluginGuideDoctests;
