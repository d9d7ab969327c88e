//! LLDP test bed: a host namespace running the real `nipartd` (kernel,
//! state, commander and lldp plugins) and a peer namespace running `lldpd`
//! at the other end of a veth pair (`lldp0` here, `sw0` there); `nipc`
//! drives the daemon. Everything is removed on drop (namespaces, lldpd,
//! the daemon, files), also when a test fails.
//!
//! Needs root, `lldpd`/`lldpcli` and `python3` (the crafted frames).

#![allow(dead_code)] // each test file uses a part of it

use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::{Arc, Mutex, OnceLock},
    thread,
    time::{Duration, Instant},
};

pub use nipart_testkit::Netns;
use nipart_testkit::{DaemonBuilder, DaemonProcess};
use serde_json::Value;

/// Our interface and the peer's.
pub const HOST_IF: &str = "lldp0";
pub const PEER_IF: &str = "sw0";
/// The peer's addresses (lldpd's management addresses).
pub const PEER_V4: &str = "192.0.2.1";
pub const PEER_V6: &str = "2001:db8::1";

pub const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `f` every 50 ms until it gives `Some`, at most `limit`.
pub fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let give_up = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < give_up, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `nipc`, built once per process.
pub fn nipc_binary() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| nipart_testkit::build_in_workspace(&["-p", "nipc", "--bins"]).join("nipc"))
}

/// Two namespaces and a veth pair, both ends up; the peer's end has
/// [`PEER_V4`]/24 and [`PEER_V6`]/64.
pub struct Bed {
    pub host: Netns,
    pub peer: Netns,
    pub dir: tempfile::TempDir,
}

impl Bed {
    pub fn new() -> Bed {
        nipart_testkit::require_all(&["lldpd", "lldpcli"]);
        let host = Netns::new();
        let peer = Netns::new();
        host.ip("link set lo up");
        peer.ip("link set lo up");
        host.ip(&format!(
            "link add {HOST_IF} type veth peer name {PEER_IF} netns {}",
            peer.name
        ));
        peer.ip(&format!("addr add {PEER_V4}/24 dev {PEER_IF}"));
        peer.ip(&format!("addr add {PEER_V6}/64 dev {PEER_IF} nodad"));
        peer.ip(&format!("link set {PEER_IF} up"));
        host.ip(&format!("link set {HOST_IF} up"));
        let dir = tempfile::Builder::new()
            .prefix("nipart-lldp-test-")
            .tempdir()
            .expect("a temporary directory");
        Bed { host, peer, dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The peer interface's MAC address, as nmstate shows it (upper case).
    pub fn peer_mac(&self, iface: &str) -> String {
        let l = self.peer.link(iface).expect("the peer's interface");
        l["address"].as_str().expect("a MAC address").to_uppercase()
    }

    pub fn peer_ifindex(&self, iface: &str) -> u64 {
        let l = self.peer.link(iface).expect("the peer's interface");
        l["ifindex"].as_u64().expect("an ifindex")
    }

    /// Sends `frames` (whole Ethernet frames, hex) out of the peer's
    /// `iface` with a raw socket.
    pub fn send_raw(&self, iface: &str, frames: &[String]) {
        let list: Vec<String> = frames.iter().map(|f| format!("{f:?}")).collect();
        let script = format!(
            "import socket\ns = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n\
             s.bind(({iface:?}, 0))\nfor f in [{}]:\n    s.send(bytes.fromhex(f))\n",
            list.join(", ")
        );
        let out = Command::new("ip")
            .args(["netns", "exec", &self.peer.name])
            .arg(nipart_testkit::require("python3"))
            .args(["-c", &script])
            .output()
            .expect("running python3");
        assert!(
            out.status.success(),
            "sending frames: {}",
            text(&out.stderr)
        );
    }
}

/// An `lldpd` in a namespace, with its own control socket; the whole
/// process group (lldpd forks a privilege-separated child) is killed on
/// drop.
pub struct Lldpd {
    child: Child,
    ns: String,
    pub socket: PathBuf,
    log: PathBuf,
}

impl Lldpd {
    /// Starts lldpd on `iface` of `ns` (no configuration file), then runs
    /// each of `config` with lldpcli (e.g. `configure lldp tx-interval 1`).
    pub fn start(ns: &Netns, iface: &str, dir: &Path, name: &str, config: &[&str]) -> Lldpd {
        let socket = dir.join(format!("{name}.socket"));
        let log = dir.join(format!("{name}.log"));
        let child = Command::new("ip")
            .args(["netns", "exec", &ns.name])
            .arg(nipart_testkit::require("lldpd"))
            .args(["-d", "-O", "/dev/null", "-I", iface, "-u"])
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("creating lldpd's log"))
            .process_group(0)
            .spawn()
            .expect("starting lldpd");
        let l = Lldpd {
            child,
            ns: ns.name.clone(),
            socket,
            log,
        };
        wait_for(PATIENCE, "lldpd's control socket", || {
            l.try_cli(&["show", "configuration"]).ok()
        });
        for c in config {
            let args: Vec<String> = shell_words(c);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            l.cli(&args);
        }
        l
    }

    fn try_cli(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns])
            .arg(nipart_testkit::require("lldpcli"))
            .arg("-u")
            .arg(&self.socket)
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() && !text(&out.stderr).contains("Error") {
            Ok(text(&out.stdout))
        } else {
            Err(format!(
                "lldpcli {args:?}: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            ))
        }
    }

    /// `lldpcli -u SOCKET ARGS…`, which must succeed.
    pub fn cli(&self, args: &[&str]) -> String {
        self.try_cli(args)
            .unwrap_or_else(|e| panic!("{e}\nlldpd's log:\n{}", self.log_text()))
    }

    /// `lldpcli show neighbors -f json`.
    pub fn neighbors(&self) -> Value {
        serde_json::from_str(&self.cli(&["show", "neighbors", "-f", "json"]))
            .expect("lldpcli prints JSON")
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn signal_group(&self, signal: libc::c_int) {
        let pgid = libc::pid_t::try_from(self.child.id()).expect("a pid fits pid_t");
        // SAFETY: kill has no memory-safety preconditions; the group is
        // lldpd's own (process_group(0)) and its leader is not reaped.
        unsafe { libc::kill(-pgid, signal) };
    }

    /// SIGKILL to every lldpd process: no shutdown LLDPDU.
    pub fn kill9(&mut self) {
        self.signal_group(libc::SIGKILL);
        let _ = self.child.wait();
    }

    /// SIGTERM: lldpd sends its shutdown LLDPDU and exits.
    pub fn terminate(&mut self) {
        self.signal_group(libc::SIGTERM);
        let _ = self.child.wait();
    }
}

impl Drop for Lldpd {
    fn drop(&mut self) {
        self.signal_group(libc::SIGKILL);
        let _ = self.child.wait();
    }
}

/// Splits `s` at spaces, keeping "double-quoted words" whole.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The real daemon in the host namespace with the kernel, state, commander
/// and lldp plugins; `lldp_config` is added to its `[plugin.lldp]`.
pub fn daemon(bed: &Bed, lldp_config: &str) -> DaemonProcess {
    DaemonBuilder::new()
        .workspace_plugins(&[
            "nipart-plugin-kernel",
            "nipart-plugin-state",
            "nipart-plugin-commander",
            "nipart-plugin-lldp",
        ])
        .config(&format!(
            "log_level = \"debug\"\n[plugin.lldp]\n{lldp_config}"
        ))
        .require(&["kernel", "state", "commander", "lldp"])
        .netns(&bed.host)
        .spawn()
}

pub fn nipc(d: &DaemonProcess, args: &[&str]) -> Output {
    Command::new(nipc_binary())
        .arg("--socket")
        .arg(d.socket())
        .args(args)
        .output()
        .expect("running nipc")
}

/// Applies a YAML state that must succeed.
pub fn apply_ok(d: &DaemonProcess, bed: &Bed, yaml: &str) {
    let file = bed.path("state.yml");
    std::fs::write(&file, yaml).expect("writing state.yml");
    let out = nipc(d, &["apply", file.to_str().expect("a UTF-8 path")]);
    assert!(
        out.status.success(),
        "apply failed: {}\n{}\ndaemon log:\n{}",
        text(&out.stdout),
        text(&out.stderr),
        d.log()
    );
}

/// Turns LLDP on (and, with `transmit`, our announcements) on `iface`.
pub fn enable(d: &DaemonProcess, bed: &Bed, iface: &str, transmit: bool) {
    apply_ok(
        d,
        bed,
        &format!(
            "interfaces:\n  - name: {iface}\n    lldp:\n      enabled: true\n      transmit: {transmit}\n"
        ),
    );
}

/// lldpd on the peer's end sending every second, configured with `extra`
/// then named `hostname`; the daemon listening on [`HOST_IF`]; once the
/// neighbour named `hostname` is listed.
pub fn heard(bed: &Bed, hostname: &str, extra: &[&str]) -> (Lldpd, DaemonProcess) {
    let name = format!("configure system hostname {hostname}");
    let mut config = vec!["configure lldp tx-interval 1"];
    config.extend_from_slice(extra);
    config.push(&name);
    let lldpd = Lldpd::start(&bed.peer, PEER_IF, bed.dir.path(), "lldpd", &config);
    let d = daemon(bed, "");
    enable(&d, bed, HOST_IF, false);
    wait_for(PATIENCE, &format!("the neighbour {hostname}"), || {
        neighbors(&d, HOST_IF)
            .iter()
            .any(|n| system_name(n).as_deref() == Some(hostname))
            .then_some(())
    });
    (lldpd, d)
}

/// `nipc -o json show IFACE`: the interface's JSON.
pub fn show(d: &DaemonProcess, iface: &str) -> Value {
    let out = nipc(d, &["-o", "json", "show", iface]);
    assert!(out.status.success(), "show: {}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("show prints JSON");
    v["interfaces"][0].clone()
}

/// The neighbours `show` lists under the interface's `lldp.neighbors`.
pub fn neighbors(d: &DaemonProcess, iface: &str) -> Vec<Value> {
    show(d, iface)["lldp"]["neighbors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The value of `key` in the TLV of `tlv_type` (and `subtype`, for type
/// 127) of a neighbour.
pub fn field<'a>(n: &'a Value, tlv_type: u64, subtype: Option<u64>, key: &str) -> &'a Value {
    n.as_array()
        .and_then(|tlvs| {
            tlvs.iter()
                .find(|t| t["type"] == tlv_type && subtype.is_none_or(|s| t["subtype"] == s))
        })
        .map_or(&Value::Null, |t| &t[key])
}

/// The system name of a neighbour.
pub fn system_name(n: &Value) -> Option<String> {
    field(n, 5, None, "system-name")
        .as_str()
        .map(str::to_string)
}

/// `nipc monitor PATTERN` in the background; its lines collected.
pub struct Monitor {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Monitor {
    pub fn start(d: &DaemonProcess, pattern: &str) -> Monitor {
        let mut child = Command::new(nipc_binary())
            .arg("--socket")
            .arg(d.socket())
            .args(["-o", "json", "monitor", pattern])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("running nipc monitor");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("a piped stdout");
        let sink = lines.clone();
        thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            }
        });
        // The subscription is made once the call is accepted; a moment
        // for it before the test goes on.
        thread::sleep(Duration::from_millis(300));
        Monitor { child, lines }
    }

    /// Waits for an event on `topic` whose line contains `needle`; it.
    pub fn wait(&self, topic: &str, needle: &str) -> Value {
        wait_for(
            PATIENCE,
            &format!("{topic} with {needle:?} on nipc monitor"),
            || {
                let lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
                lines
                    .iter()
                    .filter(|l| l.contains(needle))
                    .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                    .find(|v| v["topic"] == topic)
            },
        )
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
