//! The real `nipartd` binary as a child process, for what can only be seen
//! from outside or can only end a process: its output (one line per
//! rejected file), its exit status, the ordered shutdown on SIGTERM and
//! SIGINT, an Init that never returns, a Shutdown that hangs.

use std::time::{Duration, Instant};

use nipart_loader_tests::{
    Daemon, Fixture, Sandbox, lines_after, log_lines, scripted_section, wait_for_log_line,
    wait_for_started,
};

/// The plugins' Init, start and Shutdown lines from a fixture log.
fn lifecycle_lines(log: &std::path::Path) -> Vec<String> {
    log_lines(log)
        .into_iter()
        .filter(|l| {
            l.starts_with("init ") || l.starts_with("started ") || l.starts_with("shutdown ")
        })
        .collect()
}

/// The names in the daemon's `plugin NAME stopped` lines, in order.
fn stopped(stderr: &str) -> Vec<String> {
    lines_after(stderr, ": plugin ")
        .into_iter()
        .filter_map(|l| l.strip_suffix(" stopped").map(str::to_string))
        .collect()
}

const STOP_LIMIT: Duration = Duration::from_secs(10);

#[test]
fn daemon_reports_each_rejected_file_runs_the_good_ones_and_stops_in_reverse_on_sigterm() {
    let sb = Sandbox::new();
    let log = sb.path("log");
    for f in [
        Fixture::Good,
        Fixture::Alpha,
        Fixture::Pair,
        Fixture::Zulu,
        Fixture::BadCtor,
        Fixture::NotPlugin,
        Fixture::RootPanic,
        Fixture::OtherMajor,
        Fixture::Layout,
        Fixture::PanicAbort,
    ] {
        sb.add(f);
    }
    let text = sb.add_text("libtext.so", "not a library\n");
    let copy = sb.add_as(Fixture::Good, "libzz-good-copy.so");
    let gw = sb.add_as(Fixture::Zulu, "libgw.so");
    std::fs::set_permissions(&gw, std::os::unix::fs::PermissionsExt::from_mode(0o775)).unwrap();
    let config: String = ["alpha", "pair-a", "pair-b", "zulu"]
        .iter()
        .map(|n| scripted_section(n, &log, &[]))
        .collect();

    let mut daemon = Daemon::start(&sb, &config);
    let stderr = daemon.wait_ready();
    let dir = sb.plugin_dir();
    let p = |f: Fixture| dir.join(f.file_name()).display().to_string();
    let rebuild =
        "fix: rebuild the plugin against the nipart-plugin-api release that matches this daemon";
    assert_eq!(
        lines_after(&stderr, ": rejected "),
        [
            format!(
                "{0}: the file is group- or other-writable (mode 775); fix: chmod go-w {0}",
                gw.display()
            ),
            format!(
                "{}: plugin \"ctor-error\": Plugin::new failed: no fixture device on purpose; \
                 fix: see the plugin's documentation",
                p(Fixture::BadCtor)
            ),
            format!(
                "{}: plugin \"ctor-panic\": Plugin::new panicked: ctor-panic panicked in new \
                 on purpose; fix: fix the plugin's Plugin::new (the panic was contained)",
                p(Fixture::BadCtor)
            ),
            format!(
                "{}: its plugin ABI layout differs from this daemon's: incompatible type size, \
                 prefix-types have a different prefix, too many fields, unexpected field, \
                 mismatched type (abi_stable's report is logged at debug level); {rebuild}",
                p(Fixture::Layout)
            ),
            format!(
                "{}: not a nipart plugin: it does not export the plugin root module; \
                 fix: build it with nipart-plugin-api and call \
                 nipart_plugin_api::export_plugins!(), or remove it",
                p(Fixture::NotPlugin)
            ),
            format!(
                "{}: built for plugin ABI 2.0.0, this daemon implements ABI 1.0.0 \
                 (the major versions must match); \
                 fix: rebuild the plugin against a nipart-plugin-api for ABI 1.x",
                p(Fixture::OtherMajor)
            ),
            format!(
                "{}: built with panic = \"abort\": a panic in it would end the daemon; \
                 fix: build it with the default panic = \"unwind\" \
                 (remove panic = \"abort\" from its Cargo profile)",
                p(Fixture::PanicAbort)
            ),
            format!(
                "{}: its root module constructor panicked; fix: fix or rebuild the plugin library",
                p(Fixture::RootPanic)
            ),
            format!(
                "{}: not an ELF shared library; fix: remove it from the plugin directory",
                text.display()
            ),
            format!(
                "{}: plugin \"good\": the name is already taken by {}; \
                 fix: remove one of the two, or rename one plugin",
                copy.display(),
                p(Fixture::Good)
            ),
        ]
    );
    assert!(
        stderr.contains("5 plugins running, 0 failed, 9 files rejected"),
        "{stderr}"
    );
    // Tracing inside a plugin reaches the daemon's log, tagged with its name.
    assert!(
        stderr.contains("plugin: good init as good plugin=good"),
        "{stderr}"
    );
    wait_for_started(&log, &["alpha", "pair-a", "pair-b", "zulu"]);

    let (status, stderr) = daemon.terminate(STOP_LIMIT);
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    assert_eq!(
        stopped(&stderr),
        ["zulu", "pair-b", "pair-a", "good", "alpha"]
    );
    assert!(stderr.contains("nipartd stopped\n"), "{stderr}");
    assert_eq!(
        lifecycle_lines(&log)[8..],
        [
            "shutdown zulu",
            "shutdown pair-b",
            "shutdown pair-a",
            "shutdown alpha"
        ]
    );
}

#[test]
fn init_that_hangs_is_cut_at_its_deadline_and_sigint_stops_the_rest() {
    let sb = Sandbox::new();
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let config = format!(
        "init_timeout_ms = 500\n{}{}",
        scripted_section("alpha", &log, &["init = \"hang\""]),
        scripted_section("zulu", &log, &[]),
    );
    let t0 = Instant::now();
    let mut daemon = Daemon::start(&sb, &config);
    let stderr = daemon.wait_ready();
    assert!(t0.elapsed() >= Duration::from_millis(500));
    assert!(
        stderr.contains("plugin alpha failed and is isolated: Init did not return within 500ms (init_timeout_ms)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 plugins running, 1 failed, 0 files rejected"),
        "{stderr}"
    );
    wait_for_log_line(&log, "started zulu");

    daemon.signal(libc::SIGINT);
    let (status, stderr) = daemon.wait_exit(STOP_LIMIT);
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    // alpha's Init never returned: it gets no Shutdown.
    assert_eq!(stopped(&stderr), ["zulu"]);
    assert_eq!(
        lifecycle_lines(&log),
        ["init alpha", "init zulu", "started zulu", "shutdown zulu"]
    );
}

#[test]
fn required_plugin_whose_init_hangs_aborts_start_up_with_failure_status() {
    let sb = Sandbox::new();
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Pair);
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let config = format!(
        "init_timeout_ms = 500\nrequired_plugins = [\"pair-b\"]\n{}{}{}{}",
        scripted_section("alpha", &log, &[]),
        scripted_section("pair-a", &log, &[]),
        scripted_section("pair-b", &log, &["init = \"hang\""]),
        scripted_section("zulu", &log, &[]),
    );
    let mut daemon = Daemon::start(&sb, &config);
    let (status, stderr) = daemon.wait_exit(STOP_LIMIT);
    assert_eq!(status.code(), Some(1), "stderr:\n{stderr}");
    assert!(
        stderr.contains(
            "start-up aborted: required plugin \"pair-b\" failed: Init did not return within 500ms (init_timeout_ms)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("nipartd ready"), "{stderr}");
    // The plugins initialized before it were shut down in reverse; zulu
    // was never started, and nothing got the start broadcast.
    assert_eq!(stopped(&stderr), ["pair-a", "alpha"]);
    assert_eq!(
        lifecycle_lines(&log),
        [
            "init alpha",
            "init pair-a",
            "init pair-b",
            "shutdown pair-a",
            "shutdown alpha"
        ]
    );
    // The API socket it had bound is gone.
    assert!(!sb.path("nipart.sock").exists());
}

#[test]
fn shutdown_that_hangs_is_cut_at_its_deadline_on_sigterm() {
    let sb = Sandbox::new();
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Pair);
    sb.add(Fixture::Zulu);
    let log = sb.path("log");
    let config = format!(
        "shutdown_timeout_ms = 500\n{}{}{}{}",
        scripted_section("alpha", &log, &[]),
        scripted_section("pair-a", &log, &["shutdown = \"hang\""]),
        scripted_section("pair-b", &log, &[]),
        scripted_section("zulu", &log, &[]),
    );
    let mut daemon = Daemon::start(&sb, &config);
    daemon.wait_ready();
    wait_for_started(&log, &["alpha", "pair-a", "pair-b", "zulu"]);
    let t0 = Instant::now();
    let (status, stderr) = daemon.terminate(STOP_LIMIT);
    let took = t0.elapsed();
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    assert!(took >= Duration::from_millis(500), "{took:?}");
    assert!(
        stderr.contains(
            "plugin pair-a: Shutdown did not return by its deadline (shutdown_timeout_ms"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("nipartd stopped with 1 shutdown errors"),
        "{stderr}"
    );
    // The ones after it in the reverse order still got theirs.
    assert_eq!(stopped(&stderr), ["zulu", "pair-b", "alpha"]);
    assert_eq!(
        lifecycle_lines(&log)[8..],
        [
            "shutdown zulu",
            "shutdown pair-b",
            "shutdown pair-a",
            "shutdown alpha"
        ]
    );
}
