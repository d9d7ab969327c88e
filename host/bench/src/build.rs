//! Builds what the benchmark runs: its plugins (their own cargo workspace,
//! `host/bench/plugins`, into `<target>/bench-plugins`) and the `nipartd`
//! binary (into `<target>/release`).

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::Command,
};

/// `host/bench`, where this crate's sources are.
fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's cargo workspace.
pub fn workspace_dir() -> PathBuf {
    bench_dir().join("../..")
}

pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The target directory this benchmark was built into: its executable lives
/// in `<target>/<profile>/`.
pub fn target_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot locate the benchmark's own executable: {e}"))?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "cannot derive the cargo target directory from {}",
                exe.display()
            )
        })
}

fn run_cargo(what: &str, mut cmd: Command) -> Result<(), String> {
    eprintln!("nipart-bench: building {what} ...");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo to build {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "building {what} failed ({status}); see cargo's messages above"
        ))
    }
}

/// Builds the benchmark plugins in release mode; returns the directory
/// holding their `.so` files.
pub fn plugins(target: &Path) -> Result<PathBuf, String> {
    let out = target.join("bench-plugins");
    let mut cmd = Command::new(cargo());
    cmd.args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(bench_dir().join("plugins/Cargo.toml"))
        .arg("--target-dir")
        .arg(&out)
        .env_remove("CARGO_TARGET_DIR");
    run_cargo("the benchmark plugins (host/bench/plugins)", cmd)?;
    let release = out.join("release");
    for lib in [SENDER_LIB, RECEIVER_LIB, STARTUP_LIB] {
        let path = release.join(lib);
        if !path.is_file() {
            return Err(format!("cargo succeeded but {} is missing", path.display()));
        }
    }
    Ok(release)
}

pub const SENDER_LIB: &str = "libnipart_bench_sender.so";
pub const RECEIVER_LIB: &str = "libnipart_bench_receiver.so";
pub const STARTUP_LIB: &str = "libnipart_bench_startup.so";

/// Builds the `nipartd` binary in release mode into the same target
/// directory; returns its path.
pub fn daemon(target: &Path) -> Result<PathBuf, String> {
    binary(target, "nipartd", "nipartd")
}

/// Builds the `nipc` binary in release mode into the same target
/// directory; returns its path.
pub fn nipc(target: &Path) -> Result<PathBuf, String> {
    binary(target, "nipc", "nipc")
}

fn binary(target: &Path, package: &str, bin: &str) -> Result<PathBuf, String> {
    let mut cmd = Command::new(cargo());
    cmd.args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(workspace_dir().join("Cargo.toml"))
        .args(["-p", package, "--bin", bin])
        .env("CARGO_TARGET_DIR", target);
    run_cargo(&format!("the {bin} binary"), cmd)?;
    let path = target.join("release").join(bin);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("cargo succeeded but {} is missing", path.display()))
    }
}

/// Builds and runs another crate's benchmark example in release mode, in the
/// same target directory, its output going straight to ours.
pub fn run_example(target: &Path, package: &str, example: &str) -> Result<(), String> {
    let what = format!("{package}'s {example}");
    eprintln!("nipart-bench: running {what} ...");
    let status = Command::new(cargo())
        .args(["run", "--release", "--quiet", "--manifest-path"])
        .arg(workspace_dir().join("Cargo.toml"))
        .args(["-p", package, "--example", example])
        .env("CARGO_TARGET_DIR", target)
        .status()
        .map_err(|e| format!("cannot run cargo for {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status}); see its messages above"))
    }
}
