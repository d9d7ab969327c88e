//! The command examples of the docs, run against a daemon (issue 18).
//!
//! Every fenced block of README.md, docs/*.md and docs/plugins/*.md that
//! shows a `nipc` or `nipartd` command carries a marker on the line before
//! its fence: `<!-- example: run -->`, `<!-- example: run setup=NAME -->`
//! or `<!-- example: not run: REASON -->`. A run block is a console
//! session: each `$ ` (or `# nipc`, `# nipartd`) line a command, the lines
//! up to the next one what it prints (stdout and stderr together). Each
//! command runs with `bash` in a directory of the session's own, with this
//! build's `nipc` and `nipartd` first on `PATH`, `NIPART_SOCKET` the
//! session's daemon and `NIPART_CONFIG_ROOT` its configuration root; the
//! setup NAME says what the session starts from ([`setup`]).
//! docs/testing.md describes the markers, the setups and the placeholders
//! ([`mask`]) for the docs' writers.

use std::{
    io::Read,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use nipart_testkit::{
    DaemonBuilder, DaemonProcess, Netns, PATIENCE,
    callers::{Creds, run_as},
};

use super::{NIPC, PLUGINS, netns, ok, write};

/// What a block's marker says.
#[derive(Debug, Clone, PartialEq)]
enum Marker {
    Run { setup: String },
    NotRun { reason: String },
}

/// A fenced block of a page.
#[derive(Debug)]
struct Block {
    /// `FILE:LINE` of its opening fence.
    place: String,
    marker: Option<Result<Marker, String>>,
    lines: Vec<String>,
}

/// The pages with examples, relative to the repository's root.
fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![root.join("README.md")];
    for dir in ["docs", "docs/plugins"] {
        let mut md: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        md.sort();
        files.extend(md);
    }
    files
}

fn parse_marker(line: &str) -> Option<Result<Marker, String>> {
    let inner = line
        .trim()
        .strip_prefix("<!-- example:")?
        .strip_suffix("-->")?
        .trim();
    Some(if inner == "run" {
        Ok(Marker::Run {
            setup: "plain".into(),
        })
    } else if let Some(setup) = inner.strip_prefix("run setup=") {
        Ok(Marker::Run {
            setup: setup.trim().into(),
        })
    } else if let Some(reason) = inner.strip_prefix("not run:")
        && !reason.trim().is_empty()
    {
        Ok(Marker::NotRun {
            reason: reason.trim().into(),
        })
    } else {
        Err(format!(
            "unknown marker {line:?}: `run`, `run setup=NAME` or `not run: REASON`"
        ))
    })
}

/// The fenced blocks of `page`, each with the marker on the line before
/// its fence, if any.
fn blocks(page: &Path, name: &str) -> Vec<Block> {
    let text = std::fs::read_to_string(page).unwrap();
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    let mut before = "";
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            match open.take() {
                Some(b) => out.push(b),
                None => {
                    open = Some(Block {
                        place: format!("{name}:{}", i + 1),
                        marker: parse_marker(before),
                        lines: Vec::new(),
                    })
                }
            }
        } else if let Some(b) = &mut open {
            b.lines.push(line.to_string());
        }
        before = line;
    }
    out
}

/// The line as a command, without its prompt: `$ `, or `# ` (root's)
/// before `nipc` or `nipartd` (other lines starting `# ` are output, such
/// as the comments `nipartd --check-config` prints).
fn command_of(line: &str) -> Option<&str> {
    line.strip_prefix("$ ").or_else(|| {
        line.strip_prefix("# ")
            .filter(|c| ["nipc ", "nipartd "].iter().any(|p| c.starts_with(p)))
    })
}

/// Whether `line` (not indented, with or without a prompt) runs `nipc`
/// or `nipartd`: as its first word, after a pipe, `&&`, `||` or `;`, or
/// after `sudo`, `env`, `exec` or `unshare` and their options.
fn runs_ours(line: &str) -> bool {
    if line.starts_with([' ', '\t']) {
        return false; // a diagram or code, not a command line
    }
    let line = command_of(line).unwrap_or(line);
    let mut at_start = true;
    for word in line.split_whitespace() {
        if at_start {
            if ["sudo", "env", "exec", "unshare"].contains(&word) || word.starts_with('-') {
                continue;
            }
            let base = word.rsplit('/').next().unwrap_or(word);
            if base == "nipc" || base == "nipartd" {
                return true;
            }
        }
        at_start = ["|", "&&", "||", ";"].contains(&word);
    }
    false
}

/// A session an example block runs in: its directory, the environment of
/// its commands, and what it keeps alive (dropped in this order: the
/// daemon, then its namespace).
struct Session {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    /// Replaced in what commands print: the session's own paths by the
    /// ones the docs show.
    replace: Vec<(String, String)>,
    /// For a command that runs until interrupted (`nipc monitor`): what
    /// happens while it runs; it is interrupted (SIGINT) afterwards.
    during: Option<Box<During>>,
    /// Who runs the commands (root when `None`).
    creds: Option<Creds>,
    /// Whether a command's lines are compared in any order: `nipc
    /// monitor` prints what several plugins tell, each as it comes (a
    /// link's change from the monitor plugin may come after the
    /// commander's notice of the apply that made it).
    in_any_order: bool,
    daemon: Option<DaemonProcess>,
    ns: Option<Netns>,
}

/// What a running command printed so far.
type Output = Arc<Mutex<String>>;

/// What happens while a command that runs until interrupted runs; it
/// returns where in the output what is compared begins (the lines printed
/// while waiting for the command to listen are left out).
type During = dyn Fn(&Session, &Output) -> usize;

impl Session {
    fn new() -> Self {
        Session {
            dir: tempfile::tempdir().unwrap(),
            env: Vec::new(),
            replace: Vec::new(),
            during: None,
            creds: None,
            in_any_order: false,
            daemon: None,
            ns: None,
        }
    }

    fn ns(&self) -> &Netns {
        self.ns.as_ref().expect("a session with a namespace")
    }

    fn socket(&self) -> PathBuf {
        self.daemon
            .as_ref()
            .expect("a session with a daemon")
            .socket()
    }

    /// Uses `daemon` (started or not) in namespace `ns`.
    fn with_daemon(mut self, ns: Netns, mut daemon: DaemonProcess) -> Self {
        if daemon.running().is_none() {
            daemon.start();
        }
        let socket = daemon.socket().display().to_string();
        self.env.push(("NIPART_SOCKET".into(), socket.clone()));
        self.replace
            .push((socket, "/run/nipart/nipart.sock".into()));
        let plugins = daemon.sandbox().plugin_dir().display().to_string();
        self.replace
            .push((plugins, "/usr/lib/nipart/plugins".into()));
        self.daemon = Some(daemon);
        self.ns = Some(ns);
        self
    }

    /// A file in the session's directory.
    fn file(&self, name: &str, content: &str) -> String {
        write(self.dir.path(), name, content)
    }

    /// `nipc ARGS` against the session's daemon, asserting success.
    fn nipc(&self, args: &[&str]) -> String {
        ok(&super::nipc(&self.socket(), args))
    }

    /// A configuration root (`NIPART_CONFIG_ROOT`) with these files, shown
    /// as `/` in what `nipartd` prints.
    fn config_root(mut self, files: &[(&str, &str)]) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let root = self.dir.path().join("root");
        for dir in ["usr/lib/nipart/conf.d", "etc/nipart/conf.d"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for (name, content) in files {
            std::fs::write(root.join(name), content).unwrap();
        }
        // The daemon refuses files and directories others may write.
        for d in [
            "",
            "usr",
            "usr/lib",
            "usr/lib/nipart",
            "usr/lib/nipart/conf.d",
            "etc",
        ] {
            std::fs::set_permissions(root.join(d), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        for d in ["etc/nipart", "etc/nipart/conf.d"] {
            std::fs::set_permissions(root.join(d), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let root = root.display().to_string();
        self.env.push(("NIPART_CONFIG_ROOT".into(), root.clone()));
        self.replace.push((root, String::new()));
        self
    }

    /// Runs `cmd` as the docs show it; what it printed, masked.
    /// Each command runs in a shell of its own, with `$?` the exit status
    /// of the one before (`prev`).
    fn run(&self, cmd: &str, prev: &mut i32) -> Vec<String> {
        let bin = Path::new(NIPC).parent().unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        let mut bash = Command::new("bash");
        if let Some(creds) = &self.creds {
            run_as(&mut bash, creds);
        }
        let mut child = bash
            .arg("-c")
            .arg(format!("exec 2>&1\n(exit {prev})\n{cmd}"))
            .current_dir(self.dir.path())
            .env("PATH", path)
            .env_remove("NIPART_SOCKET")
            .env_remove("NIPART_CONFIG_ROOT")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let out: Output = Arc::default();
        let reader = {
            let out = out.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stdout.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    out.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            })
        };
        let group = -(child.id() as i32);
        let mut start = 0;
        if let Some(during) = &self.during {
            start = during(self, &out);
            // SAFETY: kill(2) on the process group the child leads.
            unsafe { libc::kill(group, libc::SIGINT) };
        }
        let give_up = Instant::now() + PATIENCE;
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > give_up {
                // SAFETY: as above.
                unsafe { libc::kill(group, libc::SIGKILL) };
                let _ = child.wait();
                panic!(
                    "`{cmd}` did not end within {PATIENCE:?}: {}",
                    out.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        reader.join().unwrap();
        *prev = child.wait().unwrap().code().unwrap_or(128);
        let mut got = out.lock().unwrap()[start..].to_string();
        for (from, to) in &self.replace {
            got = got.replace(from.as_str(), to);
        }
        got.lines().map(mask).collect()
    }
}

/// Whether `out` has `what` after byte `from` within `limit`.
fn printed(out: &Output, from: usize, what: &str, limit: Duration) -> bool {
    let give_up = Instant::now() + limit;
    while !out.lock().unwrap()[from..].contains(what) {
        if Instant::now() > give_up {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

/// An action of a session's script.
enum Act<'a> {
    /// `ip ARGS` in the session's namespace.
    Ip(&'a str),
    /// `nipc ARGS` against the session's daemon.
    Nipc(Vec<&'a str>),
}

/// What happens while `nipc monitor` runs in setup `monitor`; where the
/// compared output begins.
fn monitor_script(s: &Session, out: &Output, mtu: &str) -> usize {
    let ns = s.ns();
    // Until the monitor listens, a probe mo0 is added and removed again;
    // what it printed of that is not compared.
    let give_up = Instant::now() + PATIENCE;
    loop {
        let at = out.lock().unwrap().len();
        ns.ip("link add mo0 type veth peer name mo0-ep");
        let seen = printed(out, at, " link mo0 (veth) added", Duration::from_secs(1));
        let at = out.lock().unwrap().len();
        ns.ip("link del mo0");
        if seen {
            assert!(printed(out, at, " link mo0 (veth) removed", PATIENCE));
            break;
        }
        assert!(Instant::now() < give_up, "the monitor never listened");
    }
    std::thread::sleep(Duration::from_secs(1));
    let start = out.lock().unwrap().len();
    let steps = [
        (
            Act::Ip("link add mo1 type veth peer name mo1-ep"),
            " link mo1 (veth) added",
        ),
        (
            Act::Ip("addr add 192.0.2.9/24 dev mo1"),
            " address 192.0.2.9/24 added on mo1",
        ),
        (Act::Nipc(vec!["-q", "apply", mtu]), " applied: "),
        (
            Act::Ip("link set mo1 mtu 1280"),
            " link mo1 mtu 1280 (was 1300)",
        ),
        // The kernel tells a carrier change a moment later.
        (Act::Ip("link set mo1-ep up"), " link mo1 (veth) carrier up"),
        (
            Act::Ip("route add 198.51.100.0/24 via 192.0.2.1 dev mo1 metric 100"),
            " route 198.51.100.0/24 via 192.0.2.1 dev mo1 metric 100 added",
        ),
        (
            Act::Ip("route add 203.0.113.0/24 dev mo1 table 100"),
            " route 203.0.113.0/24 dev mo1 table 100 added",
        ),
        (
            Act::Nipc(vec!["-q", "rollback", "cp-1"]),
            " rollback to cp-1 ",
        ),
    ];
    for (act, what) in steps {
        let at = out.lock().unwrap().len();
        match act {
            Act::Ip(args) => drop(ns.ip(args)),
            Act::Nipc(args) => drop(s.nipc(&args)),
        }
        assert!(
            printed(out, at, what, PATIENCE),
            "no {what:?} in:\n{}",
            out.lock().unwrap()
        );
        // What else this step prints comes within a moment.
        std::thread::sleep(Duration::from_millis(300));
    }
    start
}

/// The session a block's `setup=NAME` names.
fn setup(name: &str) -> Result<Session, String> {
    let plain = |extra: &[&str]| {
        let ns = netns();
        let all: Vec<&str> = PLUGINS.iter().chain(extra).copied().collect();
        let d = DaemonBuilder::new()
            .workspace_plugins(&all)
            .netns(&ns)
            .require(&["kernel", "state", "commander", "conf"])
            .build();
        (ns, d)
    };
    Ok(match name {
        // The daemon with the kernel, state, commander and conf plugins in
        // a namespace with `lo` only; `state.yml` a veth pair v0, v1.
        "plain" => {
            let (ns, d) = plain(&[]);
            let s = Session::new().with_daemon(ns, d);
            s.file(
                "state.yml",
                "interfaces:\n  - name: v0\n    type: veth\n    veth: {peer: v1}\n",
            );
            s
        }
        // cp-1 an apply of v0 and its peer, cp-2 a pending apply of v0.
        "checkpoints" => {
            let (ns, d) = plain(&[]);
            let s = Session::new().with_daemon(ns, d);
            let pair = s.file(
                "v.yml",
                "interfaces:\n  - name: v0\n    type: veth\n    veth: {peer: v1}\n",
            );
            s.nipc(&["-q", "apply", &pair]);
            let mtu = s.file("mtu.yml", "interfaces:\n  - name: v0\n    mtu: 1400\n");
            s.nipc(&["-q", "apply", "--no-commit", &mtu]);
            s
        }
        // A veth st0 (up) and a saved state giving it an MTU the kernel
        // refuses: the boot apply failed and was rolled back.
        "boot-failed" => {
            let (ns, mut d) = plain(&[]);
            ns.ip_batch("link add st0 type veth peer name st0-ep\nlink set st0 up");
            let (etc, _) = d.sandbox().conf_dirs();
            std::fs::create_dir_all(&etc).unwrap();
            std::fs::write(
                etc.join("state.yml"),
                "interfaces:\n  - name: st0\n    mtu: 70000000\n",
            )
            .unwrap();
            d.start();
            let s = Session::new().with_daemon(ns, d);
            let give_up = Instant::now() + PATIENCE;
            while !s.nipc(&["status"]).starts_with("last boot ") {
                assert!(Instant::now() < give_up, "no boot apply");
                std::thread::sleep(Duration::from_millis(100));
            }
            s
        }
        // With the monitor plugin; while the command runs: veth mo1 added
        // with `ip`, an address added with `ip`, an apply of MTU 1300 with
        // `nipc`, MTU 1280 set with `ip`, two routes added with `ip`, a
        // rollback to cp-1 with `nipc` (docs/nipc.md says so too).
        "monitor" => {
            let (ns, d) = plain(&["nipart-plugin-monitor"]);
            let mut s = Session::new().with_daemon(ns, d);
            let mtu = s.file("mo.yml", "interfaces:\n  - name: mo1\n    mtu: 1300\n");
            s.in_any_order = true;
            s.during = Some(Box::new(move |s: &Session, out: &Output| {
                monitor_script(s, out, &mtu)
            }));
            s
        }
        // The README's demo: the core plugins, the monitor among them.
        "demo" => {
            let (ns, d) = plain(&["nipart-plugin-monitor"]);
            Session::new().with_daemon(ns, d)
        }
        // `plain`, its socket open to others; the commands run as
        // `nobody`.
        "unprivileged" => {
            use std::os::unix::fs::PermissionsExt;
            let ns = netns();
            let d = DaemonBuilder::new()
                .workspace_plugins(&PLUGINS)
                .netns(&ns)
                .open_to_others()
                .build();
            let mut s = Session::new().with_daemon(ns, d);
            s.file(
                "state.yml",
                "interfaces:\n  - name: v0\n    type: veth\n    veth: {peer: v1}\n",
            );
            std::fs::set_permissions(s.dir.path(), std::fs::Permissions::from_mode(0o755))
                .unwrap();
            s.creds = Some(Creds::nobody());
            s
        }
        // No daemon: `NIPART_SOCKET` names a socket nobody listens on.
        "no-daemon" => {
            let mut s = Session::new();
            let socket = s.dir.path().join("nipart.sock").display().to_string();
            s.env.push(("NIPART_SOCKET".into(), socket.clone()));
            s.replace.push((socket, "/run/nipart/nipart.sock".into()));
            s
        }
        // A configuration root whose nipartd.toml is a FIFO and whose
        // conf.d/50-x.toml others may write.
        "refused-files" => {
            use std::os::unix::fs::PermissionsExt;
            let s = Session::new().config_root(&[(
                "etc/nipart/conf.d/50-x.toml",
                "log_level = \"info\"\n",
            )]);
            let root = s.dir.path().join("root/etc/nipart");
            std::fs::set_permissions(
                root.join("conf.d/50-x.toml"),
                std::fs::Permissions::from_mode(0o666),
            )
            .unwrap();
            let fifo = std::ffi::CString::new(root.join("nipartd.toml").display().to_string())
                .unwrap();
            // SAFETY: mkfifo(3) with a NUL-terminated path that lives
            // through the call.
            assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
            s
        }
        // A configuration root whose conf.d/20-x.toml gives a text where
        // a number is wanted.
        "bad-config" => Session::new().config_root(&[(
            "etc/nipart/conf.d/20-x.toml",
            "# site settings\n[api]\nidle_timeout_ms = \"soon\"\n",
        )]),
        // A configuration root: the vendor file and a site file with a
        // log level and a misspelt key.
        "site-config" => Session::new().config_root(&[
            (
                "usr/lib/nipart/nipartd.toml",
                "plugin_dir = \"/usr/lib/nipart/plugins\"\n[api]\nsocket = \"/run/nipart/nipart.sock\"\n",
            ),
            (
                "etc/nipart/conf.d/10-site.toml",
                "log_level = \"debug\"\n[api]\nmax_conections = 300\n",
            ),
        ]),
        other => return Err(format!("no setup {other:?}")),
    })
}

/// The commands of a run block, each with the lines it shows.
fn examples(block: &Block) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in &block.lines {
        match (command_of(line), out.last_mut()) {
            (Some(cmd), _) => out.push((cmd.to_string(), Vec::new())),
            (None, Some((_, shown))) => shown.push(line.clone()),
            (None, None) => return Err(format!("{line:?} comes before any `$ ` command")),
        }
    }
    if out.is_empty() {
        return Err("a run block without a `$ ` command".into());
    }
    Ok(out)
}

/// Whether `got` is what `want` shows: `…` alone on a line stands for any
/// number of lines, `…` in a line for any text.
fn lines_match(want: &[String], got: &[String]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((w, rest)) if w.trim() == "…" => {
            (0..=got.len()).any(|skip| lines_match(rest, &got[skip..]))
        }
        Some((w, rest)) => got
            .split_first()
            .is_some_and(|(g, grest)| line_matches(w, g) && lines_match(rest, grest)),
    }
}

fn line_matches(want: &str, got: &str) -> bool {
    let parts: Vec<&str> = want.split('…').collect();
    if parts.len() == 1 {
        return want == got;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !got.starts_with(first) || !got[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &got[first.len()..got.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

/// `line` with what varies from run to run as a placeholder, in the docs
/// and in what commands print alike: RFC 3339 times as `TIME`, clock
/// times (`06:01:12`) as `CLOCK`, durations (`4s`, `5.2s`, `3m`, `2m05s`,
/// `1h02m`, `1d01h`) as `DURATION`, a number before `s`, `ms` or `µs` and
/// after `pid` as `N`, MAC addresses as `MAC`, versions (`0.1.0`) as
/// `VERSION`. Spaces after the indentation count as one: a column widens
/// with its values.
fn mask(line: &str) -> String {
    let body = line.trim_start_matches(' ');
    let indent = &line[..line.len() - body.len()];
    let words: Vec<&str> = body.split_whitespace().collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let core = w.trim_matches(|c: char| "()[]{},;\"'".contains(c));
        let next = words
            .get(i + 1)
            .map(|n| n.trim_matches(|c: char| ",;)".contains(c)));
        let prev = i
            .checked_sub(1)
            .map(|p| words[p].trim_matches(|c: char| "\"':".contains(c)));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let placeholder = if is_time(core) {
            Some("TIME")
        } else if is_clock(core) {
            Some("CLOCK")
        } else if is_mac(core) {
            Some("MAC")
        } else if core.split('.').count() == 3 && core.split('.').all(digits) {
            Some("VERSION")
        } else if is_duration(core) {
            Some("DURATION")
        } else if (digits(core) || core == "N")
            && (next.is_some_and(|n| ["s", "ms", "µs"].contains(&n)) || prev == Some("pid"))
        {
            Some("N")
        } else {
            None
        };
        out.push(match placeholder {
            Some(p) if !core.is_empty() => w.replacen(core, p, 1),
            _ => w.to_string(),
        });
    }
    format!("{indent}{}", out.join(" "))
}

fn is_time(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 20 && b[4] == b'-' && b[10] == b'T' && w.ends_with('Z')
}

fn is_clock(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
}

fn is_mac(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, c)| {
            if i % 3 == 2 {
                *c == b':'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// `4s`, `5.2s`, `12ms`, `30µs`, `3m`, `2h`, `1d`, `2m05s`, `1h02m`, `1d01h`.
fn is_duration(w: &str) -> bool {
    let num_end = w
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(w.len());
    if num_end == 0
        || !w[..num_end]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit())
    {
        return false;
    }
    let unit = &w[num_end..];
    if ["s", "ms", "µs", "m", "h", "d"].contains(&unit) {
        return true;
    }
    let mut u = unit.chars();
    matches!(
        (u.next(), u.next(), u.next(), u.next(), u.next()),
        (Some('m'), Some(a), Some(b), Some('s'), None)
            | (Some('h'), Some(a), Some(b), Some('m'), None)
            | (Some('d'), Some(a), Some(b), Some('h'), None)
            if a.is_ascii_digit() && b.is_ascii_digit()
    )
}

/// Every block of the docs that shows a `nipc` or `nipartd` command is
/// run (and what it prints compared with what the page shows) or marked
/// not run with a reason; a block neither run nor marked fails.
#[test]
fn every_command_example_of_the_docs_holds() {
    let mut failures = Vec::new();
    let (mut run, mut not_run, mut commands) = (0, 0, 0);
    for page in pages() {
        let name = page
            .display()
            .to_string()
            .split("/../../")
            .last()
            .unwrap()
            .to_string();
        for block in blocks(&page, &name) {
            let marker = match block.marker.clone() {
                None if block.lines.iter().any(|l| runs_ours(l)) => {
                    failures.push(format!(
                        "{}: a block with a nipc or nipartd command and no marker: \
                         `<!-- example: run [setup=NAME] -->` or `<!-- example: not run: REASON -->` \
                         on the line before its fence (docs/testing.md)",
                        block.place
                    ));
                    continue;
                }
                None => continue,
                Some(Err(e)) => {
                    failures.push(format!("{}: {e}", block.place));
                    continue;
                }
                Some(Ok(m)) => m,
            };
            let setup_name = match marker {
                Marker::NotRun { .. } => {
                    not_run += 1;
                    continue;
                }
                Marker::Run { setup } => setup,
            };
            let checks = match examples(&block) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{}: {e}", block.place));
                    continue;
                }
            };
            let session = match setup(&setup_name) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{}: {e}", block.place));
                    continue;
                }
            };
            run += 1;
            let mut status = 0;
            for (cmd, shown) in checks {
                commands += 1;
                let mut got = session.run(&cmd, &mut status);
                let mut want: Vec<String> = shown.iter().map(|l| mask(l)).collect();
                if session.in_any_order {
                    got.sort();
                    want.sort();
                }
                if !lines_match(&want, &got) {
                    failures.push(format!(
                        "{} (setup {setup_name}): `$ {cmd}` prints\n{}\nwhere the page shows (masked)\n{}",
                        block.place,
                        got.join("\n"),
                        want.join("\n")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!("{run} example blocks run ({commands} commands), {not_run} marked not run");
    // Today's counts: examples turned into "not run" are noticed.
    assert!(
        run >= 10 && commands >= 22,
        "{run} blocks, {commands} commands"
    );
}

#[test]
fn placeholders_mask_what_varies() {
    assert_eq!(
        mask(
            "cp-1  2026-11-28T20:30:05Z  apply of v0 (pending: rolled back in 52 s unless committed)"
        ),
        "cp-1 TIME apply of v0 (pending: rolled back in N s unless committed)"
    );
    assert_eq!(
        mask("06:01:12 link mo1 mtu 1280"),
        "CLOCK link mo1 mtu 1280"
    );
    assert_eq!(
        mask("last boot      FAILED    4s ago  role"),
        mask("last boot      FAILED   12s ago  role"),
    );
    assert_eq!(
        mask("last boot FAILED    3m ago"),
        "last boot FAILED DURATION ago"
    );
    assert_eq!(mask("    - ip: 192.0.2.1"), "    - ip: 192.0.2.1");
    assert_eq!(mask("pong (123 µs)"), "pong (N µs)");
    assert_eq!(mask("  \"pid\": 4242,"), "  \"pid\": N,");
    assert_eq!(mask("mac-address: 4E:48:E7:75:8D:4D"), "mac-address: MAC");
    assert_eq!(mask("acme  0.1.0  running"), "acme VERSION running");
    assert_eq!(mask("ip: 192.0.2.10"), "ip: 192.0.2.10");
    assert_eq!(mask("uptime 2m05s, 1h02m"), "uptime DURATION, DURATION");
    assert!(lines_match(
        &["a".into(), "…".into(), "d …x".into()],
        &["a".into(), "b".into(), "c".into(), "d 1 x".into()]
    ));
    assert!(!lines_match(&["a".into()], &["a".into(), "b".into()]));
    assert!(runs_ours("$ nipc show"));
    assert!(runs_ours("printf 'x' | nipc apply -"));
    assert!(runs_ours("unshare --net nipartd --plugin-dir /tmp/p"));
    assert!(!runs_ours("INFO nipartd: nipartd ready"));
    assert!(!runs_ours("            nipartd (host)"));
    assert!(!runs_ours("nipc() { ./target/release/nipc \"$@\"; }"));
}
