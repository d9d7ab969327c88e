//! Where the running test was built, and building what it runs: a test
//! must not run a stale `.so` or `nipartd`, and `cargo test` of one package
//! does not build another package's cdylib or binary.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Mutex, OnceLock},
};

use crate::repo_root;

/// The directory of the running test binary: `<target>/<profile>/deps`.
fn exe_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .expect("the test binary's directory")
        .to_path_buf()
}

/// `<target>/<profile>` (or `<target>/<triple>/<profile>`) of this build.
pub fn profile_dir() -> PathBuf {
    let deps = exe_dir();
    match deps.file_name() {
        // Test binaries live in `deps/`, examples (the benchmarks) in
        // `examples/`.
        Some(n) if n == "deps" || n == "examples" => deps
            .parent()
            .expect("the profile directory above deps/ or examples/")
            .to_path_buf(),
        _ => deps,
    }
}

/// The cargo target directory holding the running test binary: the first
/// directory above it that cargo marked with `CACHEDIR.TAG`.
pub fn target_dir() -> PathBuf {
    let profile = profile_dir();
    // `<target>/<profile>` or `<target>/<triple>/<profile>`: look no higher,
    // since a target directory may itself sit inside another one.
    profile
        .ancestors()
        .skip(1)
        .take(2)
        .find(|d| d.join("CACHEDIR.TAG").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| {
            profile
                .parent()
                .expect("the target directory above the profile directory")
                .to_path_buf()
        })
}

/// The cargo running this test (`$CARGO`), without `CARGO_TARGET_DIR`:
/// every caller names its target directory.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // The target directory is always given explicitly.
    cmd.env_remove("CARGO_TARGET_DIR");
    cmd
}

/// Runs a cargo command to completion, panicking with its output on failure.
pub fn run_cargo(mut cmd: Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running cargo to build {what}: {e}"));
    if !out.status.success() {
        panic!(
            "building {what} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Builds targets of the main workspace (`args` such as
/// `["-p", "nipart-plugin-monitor", "--lib"]`) with this test binary's cargo,
/// profile and target directory, and returns the profile directory they
/// land in. `cargo test` of one package does not build another package's
/// cdylib or binary, and a test must not run stale ones: every caller
/// builds what it loads (a no-op when it is fresh). Inside the test VM
/// nothing is built: the host built the workspace before the boot
/// ([`crate::vm`]).
pub fn build_in_workspace(args: &[&str]) -> PathBuf {
    let profile_dir = profile_dir();
    if crate::vm::inside() {
        return profile_dir;
    }
    let mut cmd = cargo();
    cmd.arg("build")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(repo_root().join("Cargo.toml"))
        .args(args)
        .arg("--target-dir")
        .arg(target_dir());
    with_this_profile(&mut cmd, &profile_dir);
    run_cargo(cmd, &args.join(" "));
    profile_dir
}

/// [`build_in_workspace`] once per process for the same `args` (later
/// calls return at once): for what many tests of one binary load.
pub fn build_once_in_workspace(args: &[&str]) -> PathBuf {
    static BUILT: Mutex<Vec<Vec<String>>> = Mutex::new(Vec::new());
    let key: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    // Held while building: a second caller waits for the first one's build.
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.contains(&key) {
        build_in_workspace(args);
        built.push(key);
    }
    profile_dir()
}

/// The `state-fault` fixture of the loader tests' fixtures workspace (role
/// `fault`: fails its part with `fail = true`, or runs its `sabotage`
/// command after each apply, so that verification fails), built once per
/// process into `<target>/loader-fixtures`; the library's path.
pub fn fault_fixture() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let target = target_dir().join("loader-fixtures");
            let mut cmd = cargo();
            cmd.args(["build", "--quiet", "--manifest-path"])
                .arg(repo_root().join("loader-tests/fixtures/Cargo.toml"))
                .args(["-p", "nipart-fixture-state-fault", "--target-dir"])
                .arg(&target);
            run_cargo(cmd, "the state-fault fixture");
            target.join("debug/libnipart_fixture_state_fault.so")
        })
        .clone()
}

/// The `nipc` binary of this build, rebuilt once per process so that it
/// matches the sources.
pub fn nipc_binary() -> PathBuf {
    let bin = build_once_in_workspace(&["-p", "nipc", "--bin", "nipc"]).join("nipc");
    assert!(bin.is_file(), "{} was not built", bin.display());
    bin
}

/// Runs `nipc --socket SOCKET ARGS` on a thread of its own, so that a test
/// can look at the network while the call (an apply being verified) goes
/// on; the thread gives its output.
pub fn nipc_on_thread(
    socket: &Path,
    args: &[&str],
) -> std::thread::JoinHandle<std::process::Output> {
    let mut cmd = Command::new(nipc_binary());
    cmd.arg("--socket").arg(socket).args(args);
    std::thread::spawn(move || cmd.output().expect("running nipc"))
}

/// Adds to a `cargo build` the profile (and target triple) of this build,
/// read from its profile directory.
fn with_this_profile(cmd: &mut Command, profile_dir: &Path) {
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.arg("--profile").arg(other);
        }
    }
    // A cross build (`<target>/<triple>/<profile>`) needs the triple.
    if let Some(triple_dir) = profile_dir.parent()
        && triple_dir != target_dir()
        && let Some(triple) = triple_dir.file_name()
    {
        cmd.arg("--target").arg(triple);
    }
}

/// The `nipartd` binary of this build, rebuilt once per process so that it
/// matches the sources.
pub fn nipartd_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let bin = build_in_workspace(&["-p", "nipartd", "--bin", "nipartd"]).join("nipartd");
            assert!(bin.is_file(), "{} was not built", bin.display());
            bin
        })
        .clone()
}

/// The cdylib of the crate whose tests are running, built first:
/// `own_cdylib(env!("CARGO_MANIFEST_DIR"), env!("CARGO_PKG_NAME"))` in a
/// plugin crate's integration tests, in or out of the nipart tree. `cargo
/// test` does not build a crate's cdylib for its tests; this builds it with
/// this test's profile into `<target>/testkit-cdylib` (not the running
/// build's own target directory, which cargo may still hold locked).
pub fn own_cdylib(manifest_dir: &str, crate_name: &str) -> PathBuf {
    let profile_dir = profile_dir();
    let out = target_dir().join("testkit-cdylib");
    let mut cmd = cargo();
    cmd.args(["build", "--quiet", "--lib", "--manifest-path"])
        .arg(Path::new(manifest_dir).join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&out);
    with_this_profile(&mut cmd, &profile_dir);
    run_cargo(cmd, crate_name);
    let profile = profile_dir
        .strip_prefix(target_dir())
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| PathBuf::from("debug"));
    let path = out
        .join(profile)
        .join(format!("lib{}.so", crate_name.replace('-', "_")));
    assert!(
        path.is_file(),
        "{} was not built: is `crate-type = [\"cdylib\"]` in the manifest of {crate_name}?",
        path.display()
    );
    path
}
