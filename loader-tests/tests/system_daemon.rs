//! `nipartd` as a system daemon, seen from outside: the systemd
//! notification protocol (against a datagram socket the test binds, since
//! these machines do not boot systemd), the watchdog, SIGHUP reloads with
//! `config.changed`, logging to journald with the native protocol, and the
//! layered configuration with `--check-config`.

use std::{
    fs,
    os::unix::{fs::MetadataExt, net::UnixDatagram},
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use nipart_loader_tests::{
    Daemon, Fixture, PATIENCE, Sandbox, log_lines, nipartd_binary, scripted_section, toml_str,
    wait_for_log_line, wait_for_started,
};

const STOP_LIMIT: Duration = Duration::from_secs(10);

/// A datagram socket standing in for systemd's notification socket or the
/// journal; remembers every message received.
struct Listener {
    socket: UnixDatagram,
    got: Vec<String>,
}

impl Listener {
    fn bind(path: &Path) -> Self {
        let socket = UnixDatagram::bind(path).expect("binding the test's datagram socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("a read timeout");
        Self {
            socket,
            got: Vec::new(),
        }
    }

    /// Receives until a message at index `from` or later satisfies
    /// `pred`; returns its index in [`Self::got`].
    fn wait_for(&mut self, from: usize, what: &str, pred: impl Fn(&str) -> bool) -> usize {
        if let Some(i) = self.got.iter().skip(from).position(|m| pred(m)) {
            return from + i;
        }
        let give_up = Instant::now() + PATIENCE;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if let Ok(n) = self.socket.recv(&mut buf) {
                self.got
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
                let last = self.got.len() - 1;
                if pred(&self.got[last]) {
                    return last;
                }
            }
            assert!(
                Instant::now() < give_up,
                "no message {what} arrived; got {:#?}",
                self.got
            );
        }
    }

    /// Everything that arrives within `d`.
    fn drain_for(&mut self, d: Duration) -> Vec<String> {
        let until = Instant::now() + d;
        let from = self.got.len();
        let mut buf = vec![0u8; 64 * 1024];
        while Instant::now() < until {
            if let Ok(n) = self.socket.recv(&mut buf) {
                self.got
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        }
        self.got[from..].to_vec()
    }
}

/// The `KEY=value` assignments of one notification.
fn assignments(message: &str) -> Vec<&str> {
    message.lines().collect()
}

fn has(message: &str, assignment: &str) -> bool {
    assignments(message).contains(&assignment)
}

#[test]
fn notify_status_while_starting_ready_after_every_init_then_watchdog_reload_and_stopping() {
    let sb = Sandbox::new();
    let log = sb.path("log");
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Zulu);
    let mut notify = Listener::bind(&sb.path("notify.sock"));
    let config = scripted_section("alpha", &log, &[])
        // The last Init is slow: READY=1 must wait for it.
        + &scripted_section("zulu", &log, &["init_delay_ms = 300"]);
    let notify_path = sb.path("notify.sock");
    let mut daemon = Daemon::start_with(&sb, &config, |cmd| {
        cmd.env("NOTIFY_SOCKET", &notify_path)
            .env("WATCHDOG_USEC", "400000");
    });

    let loading = notify.wait_for(0, "STATUS=loading", |m| {
        m.starts_with("STATUS=loading plugins from ")
    });
    let alpha = notify.wait_for(0, "starting alpha", |m| {
        m == "STATUS=starting plugin alpha (1/2)"
    });
    let zulu = notify.wait_for(0, "starting zulu", |m| {
        m == "STATUS=starting plugin zulu (2/2)"
    });
    let ready = notify.wait_for(0, "READY=1", |m| has(m, "READY=1"));
    // Zulu's Init had returned (after its delay) when READY=1 was sent.
    assert!(
        log_lines(&log).contains(&"init-done zulu".to_string()),
        "READY=1 before zulu's Init returned: {:?}",
        log_lines(&log)
    );
    assert!(
        loading < alpha && alpha < zulu && zulu < ready,
        "{:#?}",
        notify.got
    );
    assert!(
        has(&notify.got[ready], "STATUS=running, 2 plugins"),
        "{:?}",
        notify.got[ready]
    );
    // The watchdog is fed every 200 ms (half of WATCHDOG_USEC).
    let first = notify.wait_for(0, "WATCHDOG=1", |m| m == "WATCHDOG=1");
    assert!(first > ready);
    let fed = notify
        .drain_for(Duration::from_millis(1000))
        .iter()
        .filter(|m| *m == "WATCHDOG=1")
        .count();
    assert!(fed >= 2, "the watchdog was fed {fed} times in 1 s");

    // SIGHUP: RELOADING=1 (with the monotonic clock), then READY=1 again.
    let before = notify.got.len();
    daemon.signal(libc::SIGHUP);
    let reloading = notify.wait_for(before, "RELOADING=1", |m| has(m, "RELOADING=1"));
    assert!(
        assignments(&notify.got[reloading]).iter().any(|a| a
            .strip_prefix("MONOTONIC_USEC=")
            .is_some_and(|v| v.parse::<u64>().is_ok())),
        "{:?}",
        notify.got[reloading]
    );
    notify.wait_for(reloading, "READY=1 after the reload", |m| has(m, "READY=1"));

    let before = notify.got.len();
    let (status, stderr) = daemon.terminate(STOP_LIMIT);
    assert!(status.success(), "{status}; stderr:\n{stderr}");
    let stopping = notify.wait_for(before, "STOPPING=1", |m| has(m, "STOPPING=1"));
    assert!(
        has(
            &notify.got[stopping],
            "STATUS=stopping: shutting down the plugins"
        ),
        "{:?}",
        notify.got[stopping]
    );
    // Then each Shutdown, in reverse order.
    let zulu = notify.wait_for(stopping, "stopping zulu", |m| {
        m == "STATUS=stopping: stopping plugin zulu"
    });
    notify.wait_for(zulu, "stopping alpha", |m| {
        m == "STATUS=stopping: stopping plugin alpha"
    });
}

#[test]
fn the_watchdog_is_not_fed_once_a_required_plugin_failed() {
    let sb = Sandbox::new();
    let log = sb.path("log");
    sb.add(Fixture::Alpha);
    let notify_path = sb.path("notify.sock");
    let mut notify = Listener::bind(&notify_path);
    // Alpha panics on config.changed: a reload that changes its section
    // makes it fail while the daemon runs.
    let section = |label: &str| {
        scripted_section(
            "alpha",
            &log,
            &[
                "panic_on = \"config.changed\"",
                &format!("label = {label:?}"),
            ],
        )
    };
    let extra = format!("required_plugins = [\"alpha\"]\n{}", section("one"));
    let mut daemon = Daemon::start_with(&sb, &extra, |cmd| {
        cmd.env("NOTIFY_SOCKET", &notify_path)
            .env("WATCHDOG_USEC", "200000");
    });
    daemon.wait_ready();
    notify.wait_for(0, "WATCHDOG=1", |m| m == "WATCHDOG=1");

    fs::write(
        sb.path("nipartd.toml"),
        sb.config_toml(&format!(
            "required_plugins = [\"alpha\"]\n{}",
            section("two")
        )),
    )
    .unwrap();
    daemon.signal(libc::SIGHUP);
    let stderr =
        daemon.wait_for_stderr("not feeding the watchdog: required plugin alpha is failed");
    assert!(
        stderr.contains("alpha panicked on config.changed"),
        "{stderr}"
    );
    notify.wait_for(0, "STATUS=unhealthy", |m| {
        m.starts_with("STATUS=unhealthy, watchdog not fed: required plugin alpha is failed")
    });
    let later = notify.drain_for(Duration::from_millis(1000));
    assert!(
        !later.iter().any(|m| m == "WATCHDOG=1"),
        "the watchdog was fed after the required plugin failed: {later:#?}"
    );
    let (status, _) = daemon.terminate(STOP_LIMIT);
    assert!(status.success());
}

#[test]
fn sighup_hands_changed_sections_to_their_plugins_and_refuses_an_invalid_edit_whole() {
    let sb = Sandbox::new();
    let log = sb.path("log");
    sb.add(Fixture::Alpha);
    sb.add(Fixture::Zulu);
    let write = |alpha_label: &str, more: &str| {
        let extra = format!(
            "{more}\n{}{}",
            scripted_section("alpha", &log, &[&format!("label = {alpha_label:?}")]),
            scripted_section("zulu", &log, &[])
        );
        fs::write(sb.path("nipartd.toml"), sb.config_toml(&extra)).unwrap();
    };
    let mut daemon = Daemon::start(
        &sb,
        &(scripted_section("alpha", &log, &["label = \"one\""])
            + &scripted_section("zulu", &log, &[])),
    );
    daemon.wait_ready();
    wait_for_started(&log, &["alpha", "zulu"]);

    // A valid edit: alpha's section and a key that needs a restart.
    write("two", "queue_capacity = 512");
    daemon.signal(libc::SIGHUP);
    let log_json = serde_json::to_string(&log.display().to_string()).unwrap();
    let two = format!(r#"{{"label":"two","log":{log_json}}}"#);
    wait_for_log_line(&log, &format!("config alpha {two}"));
    // Context::config returns the new section from then on.
    let lines = wait_for_log_line(&log, &format!("context alpha {two}"));
    assert!(
        !lines.iter().any(|l| l.starts_with("config zulu")),
        "zulu's section did not change: {lines:#?}"
    );
    let stderr =
        daemon.wait_for_stderr("configuration reloaded from 1 files; config.changed sent to alpha");
    assert!(
        stderr.contains(
            "configuration: queue_capacity changed; the new value takes effect at the next start"
        ),
        "{stderr}"
    );

    // An invalid edit: nothing of it is applied, the error names the file
    // and the key, the daemon runs on.
    write("three", "queue_capacity = 0");
    daemon.signal(libc::SIGHUP);
    let config = sb.path("nipartd.toml");
    let stderr = daemon.wait_for_stderr(&format!(
        "configuration reload refused: {}: queue_capacity: 0 is out of range 1..=1048576",
        config.display()
    ));
    assert!(
        stderr.contains("still running with the previous configuration"),
        "{stderr}"
    );
    // A later valid edit shows that alpha never saw "three".
    write("four", "");
    daemon.signal(libc::SIGHUP);
    let four = format!(r#"{{"label":"four","log":{log_json}}}"#);
    let lines = wait_for_log_line(&log, &format!("config alpha {four}"));
    assert!(
        !lines.iter().any(|l| l.contains("three")),
        "part of the invalid edit was applied: {lines:#?}"
    );
    let (status, stderr) = daemon.terminate(STOP_LIMIT);
    assert!(status.success(), "{status}; stderr:\n{stderr}");
}

#[test]
fn under_systemd_records_go_to_the_journal_with_the_plugin_name() {
    let sb = Sandbox::new();
    sb.add(Fixture::Good);
    let journal_path = sb.path("journal.sock");
    let mut journal = Listener::bind(&journal_path);
    // systemd connects stderr to the journal and names that stream in
    // JOURNAL_STREAM; a file stands in for the stream here.
    let stderr_path = sb.path("stderr");
    let stderr_file = fs::File::create(&stderr_path).unwrap();
    let meta = stderr_file.metadata().unwrap();
    let stream = format!("{}:{}", meta.dev(), meta.ino());
    let mut daemon = Daemon::start_with(&sb, "", |cmd| {
        cmd.env("JOURNAL_STREAM", &stream)
            .env("NIPART_JOURNAL_SOCKET", &journal_path)
            .stderr(Stdio::from(stderr_file));
    });
    let plugin = journal.wait_for(0, "the plugin's record", |m| {
        m.contains("MESSAGE=good init as good\n")
    });
    let fields = assignments(&journal.got[plugin]);
    for f in [
        "NIPART_PLUGIN=good",
        "PRIORITY=6",
        "SYSLOG_IDENTIFIER=nipartd",
    ] {
        assert!(fields.contains(&f), "{f} missing in {fields:#?}");
    }
    let own = journal.wait_for(0, "the ready record", |m| {
        m.contains("MESSAGE=nipartd ready in")
    });
    let fields = assignments(&journal.got[own]);
    assert!(fields.contains(&"TARGET=nipartd"), "{fields:#?}");
    assert!(
        fields.iter().any(|f| f.starts_with("CODE_FILE=")),
        "{fields:#?}"
    );
    assert!(
        !fields.iter().any(|f| f.starts_with("NIPART_PLUGIN=")),
        "{fields:#?}"
    );
    let (status, _) = daemon.terminate(STOP_LIMIT);
    assert!(status.success());
    assert_eq!(
        fs::read_to_string(&stderr_path).unwrap(),
        "",
        "everything went to the journal"
    );

    // A JOURNAL_STREAM that is not stderr (a child's inherited variable):
    // stderr as usual.
    let mut daemon = Daemon::start_with(&sb, "", |cmd| {
        cmd.env("JOURNAL_STREAM", "1:1")
            .env("NIPART_JOURNAL_SOCKET", &journal_path);
    });
    let stderr = daemon.wait_ready();
    assert!(stderr.contains("good init as good"), "{stderr}");
    let (status, _) = daemon.terminate(STOP_LIMIT);
    assert!(status.success());
}

/// `nipartd ARGS` to completion: (exit code, stdout, stderr).
fn nipartd(args: &[&str], env: &[(&str, &Path)]) -> (i32, String, String) {
    let mut cmd = Command::new(nipartd_binary());
    cmd.args(args).env_remove("NIPART_CONFIG_ROOT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("running nipartd");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_config_shows_the_layers_merged_with_each_keys_file_and_the_problems() {
    let sb = Sandbox::new();
    let root = sb.path("root");
    let put = |rel: &str, text: &str| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    };
    let vendor = put(
        "usr/lib/nipart/nipartd.toml",
        "init_timeout_ms = 7000\nlog_level = \"warn\"\n[plugin.dhcp]\ntimeout = 3\n",
    );
    let drop_in = put(
        "etc/nipart/conf.d/10-site.toml",
        &format!(
            "log_level = \"debug\"\nplugin_dir = {}\n[api]\nsocket = {}\nmax_conections = 3\n[plugin.dhcp]\nretries = 2\n",
            toml_str(&sb.plugin_dir()),
            toml_str(&sb.path("nipart.sock"))
        ),
    );
    let root_s = root.display().to_string();
    let (code, out, err) = nipartd(&["--check-config", "--config-root", &root_s], &[]);
    assert_eq!(code, 0, "{out}{err}");
    for want in [
        format!("#   {}\n#   {}\n", vendor.display(), drop_in.display()),
        format!("\ninit_timeout_ms = 7000  # {}\n", vendor.display()),
        format!("\nlog_level = \"debug\"  # {}\n", drop_in.display()),
        "\nqueue_capacity = 1024\n".to_string(),
        format!("\ntimeout = 3  # {}\n", vendor.display()),
        format!("\nretries = 2  # {}\n", drop_in.display()),
        format!(
            "# warning: {}: unknown key api.max_conections (ignored)\n",
            drop_in.display()
        ),
        // No dhcp plugin in the plugin directory: its section is unused.
        format!(
            "# warning: {}: plugin.dhcp: no plugin dhcp in {}: the section is not used\n",
            drop_in.display(),
            sb.plugin_dir().display()
        ),
    ] {
        assert!(out.contains(&want), "{want:?} missing in:\n{out}");
    }
    // The same through the environment, with an option on top.
    let (code, out, _) = nipartd(
        &["--check-config", "--log-level", "error"],
        &[("NIPART_CONFIG_ROOT", &root)],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("\nlog_level = \"error\"  # command line (--log-level)\n"),
        "{out}"
    );

    // An invalid value: exit 2, the error names the file and the key, and
    // the daemon refuses to start with the same words.
    let bad = put(
        "etc/nipart/conf.d/20-bad.toml",
        "[api]\nmax_connections = 0\n",
    );
    let (code, out, _) = nipartd(&["--check-config", "--config-root", &root_s], &[]);
    assert_eq!(code, 2, "{out}");
    let error = format!(
        "{}: api.max_connections: 0 is out of range 1..=65536",
        bad.display()
    );
    assert!(out.contains(&format!("# error: {error}\n")), "{out}");
    let (code, _, err) = nipartd(&["--config-root", &root_s], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("nipartd: invalid configuration: {error}\n")),
        "{err}"
    );

    // Several type errors in one file: every one is reported, with its
    // line (issue 18: it used to stop at the first).
    let typed = put(
        "etc/nipart/conf.d/30-typed.toml",
        "log_level = 5\n[api]\nidle_timeout_ms = \"soon\"\n",
    );
    let (code, out, _) = nipartd(&["--check-config", "--config-root", &root_s], &[]);
    assert_eq!(code, 2, "{out}");
    for want in [
        format!(
            "# error: {}: line 1: log_level: invalid type: integer `5`, expected a string\n",
            typed.display()
        ),
        format!(
            "# error: {}: line 3: api.idle_timeout_ms: invalid type: string \"soon\", expected u64\n",
            typed.display()
        ),
    ] {
        assert!(out.contains(&want), "{want:?} missing in:\n{out}");
    }
}
