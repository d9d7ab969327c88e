//! Tests that need a full kernel: kernel modules this machine's kernel may
//! lack (`bonding`, `8021q`, `dummy`, `vrf`, ...). A test says so in one
//! place, its first line:
//!
//! ```ignore
//! #[test]
//! fn a_vlan_on_a_bond() {
//!     nipart_testkit::full_kernel!("bonding", "8021q", "dummy");
//!     // ... the test, which runs on a kernel that has these modules
//! }
//! ```
//!
//! * On a machine whose kernel has the modules (loaded, built in, or
//!   loadable), and inside the VM, the test runs where it is.
//! * Otherwise the test binary runs itself inside a VM booting Debian's stock
//!   kernel (`host/testkit/vm/nipart-vm`, see `docs/testing.md`), with the
//!   same arguments `cargo test` gave it: ONE boot per test binary runs every
//!   selected test, one at a time. Each host-side test then reports its own
//!   result from that run: its output (libtest's captured output inside)
//!   is printed in the test, and it fails when it failed inside, with the
//!   guest's output and the end of the kernel's console.
//! * `NIPART_VM=always` boots the VM even where the kernel has the modules
//!   (to check the runner); `NIPART_VM=never` runs the tests here whatever
//!   the kernel (they then fail where the kernel lacks a module).
//!
//! Invariants: inside the VM `NIPART_VM_GUEST=1` is set, and nothing is
//! built there (cargo would be slow under emulation and the host's tree is
//! read-only): before the boot, the host builds the workspace's binaries
//! and libraries (`cargo build --workspace --bins --lib`, a no-op when
//! fresh), and [`crate::build_in_workspace`] in the guest only returns the
//! profile directory. Because the whole binary runs inside, keep the tests
//! that need a full kernel in test files of their own: other tests of the
//! same file run inside too (their results there are ignored).

use std::{
    collections::BTreeMap,
    env, fs,
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

/// Set (to `1`) in the environment of everything run inside the VM.
pub const GUEST_ENV: &str = "NIPART_VM_GUEST";

/// `always`, `never` or unset (automatic); see the module documentation.
pub const MODE_ENV: &str = "NIPART_VM";

/// Whether this process runs inside the test VM.
pub fn inside() -> bool {
    env::var_os(GUEST_ENV).is_some_and(|v| v == "1")
}

/// The runner script (it sits beside this crate's sources).
pub fn runner() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vm/nipart-vm")
}

/// Whether the running kernel has `module`: loaded or built in
/// (`/sys/module/NAME`), or loadable (listed in `modules.dep`). A name
/// `CONFIG_…` is an option of a module that is there (such as
/// `CONFIG_BRIDGE_VLAN_FILTERING`), set in the kernel's configuration
/// (`/proc/config.gz`).
pub fn kernel_has(module: &str) -> bool {
    if module.starts_with("CONFIG_") {
        return kernel_config_has(module);
    }
    let name = module.replace('-', "_");
    if Path::new("/sys/module").join(&name).exists() {
        return true;
    }
    let Ok(release) = fs::read_to_string("/proc/sys/kernel/osrelease") else {
        return false;
    };
    let dir = Path::new("/lib/modules").join(release.trim());
    ["modules.dep", "modules.builtin"].iter().any(|list| {
        fs::read_to_string(dir.join(list)).is_ok_and(|text| {
            text.lines().any(|line| {
                let path = line.split(':').next().unwrap_or("");
                let file = path.rsplit('/').next().unwrap_or("");
                let stem = file.split(".ko").next().unwrap_or("");
                stem.replace('-', "_") == name
            })
        })
    })
}

/// Whether the kernel's configuration sets `option` (`y` or `m`); false
/// when the kernel does not publish it.
fn kernel_config_has(option: &str) -> bool {
    let Ok(out) = Command::new("zcat").arg("/proc/config.gz").output() else {
        return false;
    };
    String::from_utf8_lossy(&out.stdout).lines().any(|l| {
        l.strip_prefix(option)
            .and_then(|v| v.strip_prefix('='))
            .is_some_and(|v| v == "y" || v == "m")
    })
}

/// The result of one test in the VM run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestTest {
    pub passed: bool,
    /// Its captured output (libtest's `---- NAME stdout ----` section).
    pub output: String,
}

/// What one boot running a test binary gave back.
#[derive(Debug, Clone)]
pub struct GuestRun {
    /// The test binary's exit status inside (None: the VM failed).
    pub status: Option<i32>,
    /// Everything the test binary printed inside.
    pub output: String,
    /// The end of the kernel's console.
    pub console_tail: String,
    pub tests: BTreeMap<String, GuestTest>,
}

/// The libtest name of the test whose function path (`std::any::type_name`
/// of a function inside it) is `path`: the path without the crate's name
/// and the inner function's.
#[doc(hidden)]
pub fn test_name_of(path: &str) -> &str {
    let path = path.strip_suffix("::f").unwrap_or(path);
    path.split_once("::").map_or(path, |(_, rest)| rest)
}

/// Says that the test around it needs a full kernel with these modules;
/// see the module documentation. Returns from the test when it ran in the
/// VM instead (having failed if it failed there).
#[macro_export]
macro_rules! full_kernel {
    ($($module:expr),* $(,)?) => {{
        fn f() {}
        fn path_of<T>(_: T) -> &'static str {
            ::std::any::type_name::<T>()
        }
        let name = $crate::vm::test_name_of(path_of(f));
        if !$crate::vm::runs_here(name, &[$($module),*]) {
            return;
        }
    }};
}

/// Whether the test `name` needing `modules` runs in this process; when
/// not, it has run in the VM, and this reported its result (panicking if
/// it failed there).
#[track_caller]
pub fn runs_here(name: &str, modules: &[&str]) -> bool {
    if inside() {
        return true;
    }
    match env::var(MODE_ENV).as_deref() {
        Ok("never") => return true,
        Ok("always") => {}
        _ => {
            if modules.iter().all(|m| kernel_has(m)) {
                return true;
            }
        }
    }
    let run = shared_run();
    let run = match run {
        Ok(run) => run,
        Err(e) => panic!("{name}: the test VM failed: {e}"),
    };
    match run.tests.get(name) {
        Some(t) if t.passed => {
            print!("{}", t.output);
            false
        }
        Some(t) => panic!(
            "{name} failed inside the VM:\n{}\n---- the test binary's output inside ----\n{}\n\
             ---- the end of the kernel's console ----\n{}",
            t.output, run.output, run.console_tail
        ),
        None => panic!(
            "{name}: no result from the VM run (exit status {:?})\n---- the test binary's output \
             inside ----\n{}\n---- the end of the kernel's console ----\n{}",
            run.status, run.output, run.console_tail
        ),
    }
}

/// The one boot of this test binary (made by the first test that needs it).
fn shared_run() -> &'static Result<GuestRun, String> {
    static RUN: OnceLock<Result<GuestRun, String>> = OnceLock::new();
    RUN.get_or_init(|| {
        let exe = env::current_exe().map_err(|e| format!("the test binary's path: {e}"))?;
        let args = guest_args(env::args().skip(1));
        boot_test_binary(&exe, &args)
    })
}

/// The arguments of the guest's run: `cargo test`'s filters and flags,
/// without those that change the output's form, one test at a time, with
/// every test's captured output shown (so that each host-side test can
/// print its own).
pub fn guest_args(host: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut host = host.into_iter();
    while let Some(arg) = host.next() {
        match arg.as_str() {
            "--nocapture" | "--show-output" | "-q" | "--quiet" => {}
            "--test-threads" | "--format" | "--color" | "-Z" | "--logfile" => {
                host.next();
            }
            a if a.starts_with("--test-threads=")
                || a.starts_with("--format=")
                || a.starts_with("--color=")
                || a.starts_with("--logfile=") => {}
            _ => out.push(arg),
        }
    }
    out.extend(
        ["--test-threads=1", "--show-output", "--color=never"]
            .iter()
            .map(|s| s.to_string()),
    );
    out
}

/// Boots the VM once to run `exe args` inside (after building what the
/// guest cannot build) and parses libtest's report.
pub fn boot_test_binary(exe: &Path, args: &[String]) -> Result<GuestRun, String> {
    crate::build_in_workspace(&["--workspace", "--bins", "--lib"]);
    let run = boot_binary(exe, args, None, None)?;
    Ok(GuestRun {
        tests: parse_libtest(&run.output),
        ..run
    })
}

/// Boots the VM once to run `exe args` inside (nothing is built: the
/// caller builds what `exe` loads first) and gives back its status and
/// output; `timeout` and `memory_mb`: the runner's (default 900 s and
/// 512 MB; `/tmp` inside is a tmpfs of half the memory). An error when the VM
/// itself failed. For programs that are not test binaries (a benchmark
/// whose rows need a full kernel), hence no `tests`.
pub fn boot_binary(
    exe: &Path,
    args: &[String],
    timeout: Option<std::time::Duration>,
    memory_mb: Option<u32>,
) -> Result<GuestRun, String> {
    crate::require_all(&["qemu-system-x86_64", "depmod", "busybox", "xz"]);
    let console = tempfile::NamedTempFile::new().map_err(|e| format!("a console file: {e}"))?;
    let mut cmd = Command::new(runner());
    cmd.env("NIPART_VM_DIR", crate::target_dir().join("vm"))
        .env(GUEST_ENV, "1")
        .arg("run")
        .arg("--console")
        .arg(console.path());
    if let Some(t) = timeout {
        cmd.arg("--timeout").arg(t.as_secs().max(1).to_string());
    }
    if let Some(m) = memory_mb {
        cmd.arg("--memory").arg(m.to_string());
    }
    let out = cmd
        .arg("--")
        .arg(exe)
        .args(args)
        .output()
        .map_err(|e| format!("running {}: {e}", runner().display()))?;
    let console_text = fs::read_to_string(console.path()).unwrap_or_default();
    let lines: Vec<&str> = console_text.lines().collect();
    let console_tail = lines[lines.len().saturating_sub(60)..].join("\n");
    let output = String::from_utf8_lossy(&out.stdout).into_owned();
    let status = out.status.code().filter(|c| *c != 125);
    if status.is_none() {
        return Err(format!(
            "{}\n---- output ----\n{output}\n---- the end of the kernel's console ----\n{console_tail}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(GuestRun {
        status,
        tests: BTreeMap::new(),
        output,
        console_tail,
    })
}

/// Each test's result and captured output from libtest's human report of a
/// run with `--test-threads=1 --show-output`: `test NAME ... ok` lines, the
/// `---- NAME stdout ----` sections, and the `failures:` list of names.
pub fn parse_libtest(report: &str) -> BTreeMap<String, GuestTest> {
    let mut tests = BTreeMap::new();
    let (mut passed, mut failed, mut unclear) = (Vec::new(), Vec::new(), Vec::new());
    let lines: Vec<&str> = report.lines().collect();
    let mut section: Option<(String, String)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, result)) = rest.split_once(" ... ")
        {
            // A child process writing to the inherited stdout may separate
            // the name from the result; the `failures:` list decides then.
            match result.trim_end() {
                "ok" => passed.push(name.to_string()),
                r if r == "FAILED" || r.starts_with("ignored") => {}
                _ => unclear.push(name.to_string()),
            }
            tests.entry(name.to_string()).or_insert(GuestTest {
                passed: false,
                output: String::new(),
            });
        } else if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            if let Some((n, text)) = section.take() {
                set_output(&mut tests, n, text);
            }
            section = Some((name.to_string(), String::new()));
            i += 1;
            continue;
        } else if line == "failures:" || line == "successes:" {
            if let Some((n, text)) = section.take() {
                set_output(&mut tests, n, text);
            }
            // The list of names follows its heading at once (the sections'
            // heading is followed by a blank line).
            let mut j = i + 1;
            while j < lines.len()
                && let Some(name) = lines[j].strip_prefix("    ")
                && !name.contains(' ')
                && !name.is_empty()
            {
                if line == "failures:" {
                    failed.push(name.to_string());
                }
                j += 1;
            }
            i = j.max(i + 1);
            continue;
        }
        if let Some((_, text)) = section.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
        i += 1;
    }
    if let Some((n, text)) = section.take() {
        set_output(&mut tests, n, text);
    }
    // A result separated from its name passed if the run ended well or the
    // test is not in the failures' list of a run that reached its summary.
    let summary = report.lines().any(|l| l.starts_with("test result: "));
    for name in unclear {
        if summary && !failed.contains(&name) {
            passed.push(name);
        }
    }
    for name in passed {
        if let Some(t) = tests.get_mut(&name) {
            t.passed = true;
        }
    }
    tests
}

fn set_output(tests: &mut BTreeMap<String, GuestTest>, name: String, text: String) {
    let text = text.trim_end_matches('\n').to_string() + "\n";
    tests
        .entry(name)
        .or_insert_with(|| GuestTest {
            passed: false,
            output: String::new(),
        })
        .output = text;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_name_is_the_path_without_the_crate() {
        assert_eq!(test_name_of("full_kernel::bond_vlan::f"), "bond_vlan");
        assert_eq!(
            test_name_of("nipart_testkit::vm::tests::x::f"),
            "vm::tests::x"
        );
    }

    #[test]
    fn the_guest_runs_one_test_at_a_time_with_the_same_filters() {
        let host = [
            "bond",
            "--exact",
            "--nocapture",
            "--test-threads",
            "4",
            "--color=always",
        ];
        assert_eq!(
            guest_args(host.iter().map(|s| s.to_string())),
            [
                "bond",
                "--exact",
                "--test-threads=1",
                "--show-output",
                "--color=never"
            ]
        );
    }

    #[test]
    fn a_libtest_report_gives_each_result_and_output() {
        let report = "\nrunning 3 tests\ntest a ... ok\ntest b ... child says hi\nFAILED\n\
                      test c ... ignored, why\n\nsuccesses:\n\n---- a stdout ----\nfrom a\n    indented\n\n\
                      successes:\n    a\n\nfailures:\n\n---- b stdout ----\nfrom b\n\nthread 'b' panicked\n\n\
                      failures:\n    b\n\ntest result: FAILED. 1 passed; 1 failed; 1 ignored\n";
        let tests = parse_libtest(report);
        assert!(tests["a"].passed);
        assert_eq!(tests["a"].output, "from a\n    indented\n");
        assert!(!tests["b"].passed);
        assert!(
            tests["b"].output.contains("thread 'b' panicked"),
            "{tests:?}"
        );
        assert!(!tests["c"].passed, "an ignored test did not pass");
    }
}
