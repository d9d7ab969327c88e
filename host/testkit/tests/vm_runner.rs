//! The test VM itself (`nipart_testkit::vm`, `host/testkit/vm/nipart-vm`):
//! a command's output and exit status come back; the kernel inside is the
//! VM's, loads modules on demand and runs namespaces and veth; a test that
//! fails inside fails with its output, one that passes passes, both in one
//! boot. Every test here boots the VM whatever the machine's kernel.

use std::process::Command;

use nipart_testkit::vm;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_command_runs_inside_with_its_output_and_exit_status_back() {
    nipart_testkit::require_all(&["qemu-system-x86_64", "depmod", "busybox", "xz"]);
    let script = "echo out-line; echo err-line >&2; echo kernel $(uname -r); \
                  test \"$NIPART_CHECK\" = kept && echo env-kept; \
                  ip link add vr-d0 type dummy && echo dummy-made; \
                  ip netns add vr-ns && ip link add vr-a type veth peer vr-b netns vr-ns \
                  && ip netns exec vr-ns ip -o link show vr-b >/dev/null && echo veth-made; \
                  exit 7";
    let out = Command::new(vm::runner())
        .env("NIPART_VM_DIR", nipart_testkit::target_dir().join("vm"))
        .env("NIPART_CHECK", "kept")
        .args(["run", "--console", "/dev/null", "--", "sh", "-c", script])
        .output()
        .expect("running nipart-vm");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(7), "{stdout}{}", text(&out.stderr));
    for line in [
        "out-line",
        "err-line",
        "env-kept",
        "dummy-made",
        "veth-made",
    ] {
        assert!(stdout.lines().any(|l| l == line), "no {line} in:\n{stdout}");
    }
    let host_kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").expect("osrelease");
    let guest_kernel = stdout
        .lines()
        .find_map(|l| l.strip_prefix("kernel "))
        .expect("the kernel line");
    assert!(guest_kernel.ends_with("-amd64"), "{guest_kernel}");
    if !host_kernel.trim().ends_with("-amd64") {
        assert_ne!(guest_kernel, host_kernel.trim());
    }
}

#[test]
#[ignore = "run inside the VM by a_failure_inside_comes_back_with_its_output"]
fn fails_on_purpose_inside() {
    assert!(vm::inside(), "this runs only inside the VM");
    println!("said inside");
    panic!("failing on purpose");
}

#[test]
#[ignore = "run inside the VM by a_failure_inside_comes_back_with_its_output"]
fn passes_on_purpose_inside() {
    assert!(vm::inside(), "this runs only inside the VM");
    println!("passed inside");
}

#[test]
fn a_failure_inside_comes_back_with_its_output() {
    let exe = std::env::current_exe().expect("the test binary");
    let args = vm::guest_args(["on_purpose_inside", "--ignored"].map(String::from));
    let run = vm::boot_test_binary(&exe, &args).expect("the VM ran");
    assert_eq!(run.status, Some(101), "{}", run.output);
    let failed = &run.tests["fails_on_purpose_inside"];
    assert!(!failed.passed, "{}", run.output);
    assert!(failed.output.contains("said inside"), "{failed:?}");
    assert!(failed.output.contains("failing on purpose"), "{failed:?}");
    let passed = &run.tests["passes_on_purpose_inside"];
    assert!(passed.passed, "{}", run.output);
    assert_eq!(passed.output, "passed inside\n");
}
