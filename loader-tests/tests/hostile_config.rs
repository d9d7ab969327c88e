//! Configuration files made hostile, with the real daemon: a FIFO (which
//! used to block the main thread, so that SIGTERM was ignored), a link to
//! `/dev/zero`, an oversized file and a world-writable drop-in, at start
//! and on SIGHUP. Each is refused with its reason, the daemon stays
//! responsive to SIGTERM, and its memory stays small.

use std::{
    ffi::CString, fs, os::unix::fs::PermissionsExt, path::Path, process::Command, time::Duration,
};

use nipart_loader_tests::{Daemon, Fixture, Sandbox, nipartd_binary, resident_kib};

const STOP_LIMIT: Duration = Duration::from_secs(10);

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: c is a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

#[test]
fn a_fifo_as_the_configuration_file_is_refused_at_start() {
    let sb = Sandbox::new();
    let config = sb.path("nipartd.toml");
    mkfifo(&config);
    let mut cmd = Command::new(nipartd_binary());
    cmd.arg("--config").arg(&config);
    let mut daemon = Daemon::start_command(cmd);
    let (status, stderr) = daemon.wait_exit(STOP_LIMIT);
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "nipartd: invalid configuration: {}: not a regular file (it is a FIFO); \
             fix: replace it with a regular file",
            config.display()
        )),
        "{stderr}"
    );
}

#[test]
fn hostile_files_on_sighup_are_refused_and_sigterm_still_works() {
    let sb = Sandbox::new();
    sb.add(Fixture::Good);
    let mut daemon = Daemon::start(&sb, "");
    daemon.wait_ready();
    let config = sb.path("nipartd.toml");
    let good_text = fs::read_to_string(&config).unwrap();
    let refused = |daemon: &mut Daemon, line: &str| {
        daemon.signal(libc::SIGHUP);
        daemon.wait_for_stderr(&format!("configuration reload refused: {line}"));
        daemon.wait_for_stderr("still running with the previous configuration");
    };

    // A FIFO: nothing writes to it, the reader must not wait.
    fs::remove_file(&config).unwrap();
    mkfifo(&config);
    refused(
        &mut daemon,
        &format!(
            "{}: not a regular file (it is a FIFO); fix: replace it with a regular file",
            config.display()
        ),
    );

    // A link to /dev/zero: refused before a byte is read.
    fs::remove_file(&config).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &config).unwrap();
    refused(
        &mut daemon,
        &format!(
            "{}: is a symbolic link, which is not followed here; \
             fix: replace the link with the file itself",
            config.display()
        ),
    );

    // Over the limit (1 MiB).
    fs::remove_file(&config).unwrap();
    let mut big = good_text.clone();
    while big.len() <= 1 << 20 {
        big.push_str("# padding padding padding padding padding padding padding\n");
    }
    fs::write(&config, &big).unwrap();
    refused(
        &mut daemon,
        &format!(
            "{}: {} bytes is over the limit of 1048576 bytes; \
             fix: a configuration file may be at most 1048576 bytes",
            config.display(),
            big.len()
        ),
    );

    // Writable by anyone: anyone could have set the plugin directory.
    fs::write(&config, &good_text).unwrap();
    fs::set_permissions(&config, fs::Permissions::from_mode(0o666)).unwrap();
    refused(
        &mut daemon,
        &format!(
            "{0}: the file is group- or other-writable (mode 666); fix: chmod go-w {0}",
            config.display()
        ),
    );

    let rss = resident_kib(daemon.pid());
    assert!(rss < 256 * 1024, "resident memory {rss} KiB");
    // Back to a sound file: the reload goes through again.
    fs::set_permissions(&config, fs::Permissions::from_mode(0o644)).unwrap();
    daemon.signal(libc::SIGHUP);
    daemon.wait_for_stderr("configuration reloaded from 1 files");
    // Back to a FIFO, then SIGTERM: the daemon stops in time.
    fs::remove_file(&config).unwrap();
    mkfifo(&config);
    daemon.signal(libc::SIGHUP);
    let (status, stderr) = daemon.terminate(STOP_LIMIT);
    assert!(status.success(), "{status}; stderr:\n{stderr}");
}
