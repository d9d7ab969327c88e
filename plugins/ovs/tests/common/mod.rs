//! OVS test bed: a network namespace with its own `ovsdb-server` and
//! `ovs-vswitchd` (userspace datapath: internal ports are tap devices),
//! private run, database and log directories and a database made with
//! `ovsdb-tool create` from the package's schema; the real `nipartd` in
//! that namespace with the kernel, state, commander and ovs plugins;
//! `nipc` drives it, `ovs-vsctl` checks OVSDB. Dropping [`Ovs`] kills both
//! OVS daemons and removes the directories (the namespace goes with its
//! `Netns`), also when a test fails.
//!
//! Needs root and Debian's `openvswitch-switch`.

#![allow(dead_code)] // each test file uses a part of it

use std::{
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::OnceLock,
    thread,
    time::{Duration, Instant},
};

pub use nipart_testkit::Netns;
use nipart_testkit::{DaemonBuilder, DaemonProcess};
use serde_json::Value;

pub const PATIENCE: Duration = Duration::from_secs(20);

/// The package's OVSDB schema.
const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

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

/// `ovsdb-server` and `ovs-vswitchd` of one test, in its namespace.
pub struct Ovs {
    pub ns: String,
    pub dir: tempfile::TempDir,
    db: Option<Child>,
    vswitchd: Option<Child>,
}

impl Ovs {
    /// Creates the database and starts both daemons in `ns`; returns once
    /// ovs-vswitchd has connected to the database.
    pub fn start(ns: &Netns) -> Ovs {
        nipart_testkit::require_all(&["ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl"]);
        let dir = tempfile::Builder::new()
            .prefix("nipart-ovs-test-")
            .tempdir()
            .expect("a temporary directory");
        let out = Command::new(nipart_testkit::require("ovsdb-tool"))
            .arg("create")
            .arg(dir.path().join("conf.db"))
            .arg(SCHEMA)
            .output()
            .expect("running ovsdb-tool");
        assert!(
            out.status.success(),
            "ovsdb-tool create: {}",
            text(&out.stderr)
        );
        let mut ovs = Ovs {
            ns: ns.name.clone(),
            dir,
            db: None,
            vswitchd: None,
        };
        ovs.start_db();
        ovs.vsctl(&["--no-wait", "init"]);
        let d = ovs.dir.path();
        let vswitchd = ovs
            .command("ovs-vswitchd")
            .arg(format!("unix:{}", ovs.socket().display()))
            .arg(format!(
                "--pidfile={}",
                d.join("ovs-vswitchd.pid").display()
            ))
            .arg(format!(
                "--unixctl={}",
                d.join("ovs-vswitchd.ctl").display()
            ))
            .arg(format!(
                "--log-file={}",
                d.join("ovs-vswitchd.log").display()
            ))
            .arg("--disable-system")
            .spawn()
            .expect("starting ovs-vswitchd");
        ovs.vswitchd = Some(vswitchd);
        // ovs-vsctl without --no-wait returns once ovs-vswitchd has
        // applied the change (cur_cfg reached next_cfg).
        ovs.vsctl(&["set", "Open_vSwitch", ".", "external_ids:nipart-test=ready"]);
        ovs
    }

    /// A command in the namespace with the private directories, in a
    /// process group of its own, its output to the log directory.
    fn command(&self, program: &str) -> Command {
        let d = self.dir.path();
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns])
            .arg(nipart_testkit::require(program))
            .env("OVS_RUNDIR", d)
            .env("OVS_DBDIR", d)
            .env("OVS_LOGDIR", d)
            .env("OVS_SYSCONFDIR", d)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        c
    }

    /// `ovsdb-server`'s socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("db.sock")
    }

    /// Starts `ovsdb-server` (again) on the same database.
    pub fn start_db(&mut self) {
        let d = self.dir.path();
        let child = self
            .command("ovsdb-server")
            .arg(d.join("conf.db"))
            .arg(format!("--remote=punix:{}", self.socket().display()))
            .arg(format!(
                "--pidfile={}",
                d.join("ovsdb-server.pid").display()
            ))
            .arg(format!(
                "--unixctl={}",
                d.join("ovsdb-server.ctl").display()
            ))
            .arg(format!(
                "--log-file={}",
                d.join("ovsdb-server.log").display()
            ))
            .spawn()
            .expect("starting ovsdb-server");
        self.db = Some(child);
        wait_for(PATIENCE, "ovsdb-server's socket", || {
            self.try_vsctl(&["--no-wait", "show"]).ok()
        });
    }

    /// Kills `ovsdb-server` (SIGKILL): no goodbye to its clients.
    pub fn kill_db(&mut self) {
        if let Some(c) = self.db.take() {
            kill_group(c);
        }
        let _ = std::fs::remove_file(self.socket());
    }

    /// `ovs-vsctl ARGS…` on this database, which must succeed.
    pub fn vsctl(&self, args: &[&str]) -> String {
        self.try_vsctl(args)
            .unwrap_or_else(|e| panic!("{e}\novs-vswitchd's log:\n{}", self.log("ovs-vswitchd")))
    }

    pub fn try_vsctl(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(nipart_testkit::require("ovs-vsctl"))
            .arg(format!("--db=unix:{}", self.socket().display()))
            .arg("--timeout=10")
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(text(&out.stdout))
        } else {
            Err(format!("ovs-vsctl {args:?}: {}", text(&out.stderr)))
        }
    }

    /// What OVSDB holds, without row UUIDs: `ovs-vsctl show`, and every
    /// interface with its type, options and external ids.
    pub fn content(&self) -> String {
        let mut interfaces: Vec<String> = self
            .vsctl(&[
                "--format=csv",
                "--data=bare",
                "--no-headings",
                "--columns=name,type,options,external_ids,mtu_request",
                "list",
                "Interface",
            ])
            .lines()
            .map(str::to_string)
            .collect();
        interfaces.sort();
        format!("{}\n{}", self.vsctl(&["show"]), interfaces.join("\n"))
    }

    /// The ports of `bridge`, sorted.
    pub fn ports(&self, bridge: &str) -> Vec<String> {
        self.vsctl(&["list-ports", bridge])
            .lines()
            .map(str::to_string)
            .collect()
    }

    pub fn log(&self, daemon: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{daemon}.log"))).unwrap_or_default()
    }
}

fn kill_group(mut c: Child) {
    if let Ok(pgid) = libc::pid_t::try_from(c.id()) {
        // SAFETY: kill has no memory-safety preconditions; the group is the
        // daemon's own (process_group(0)) and its leader is not reaped yet.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
    let _ = c.wait();
}

impl Drop for Ovs {
    fn drop(&mut self) {
        if let Some(c) = self.vswitchd.take() {
            kill_group(c);
        }
        if let Some(c) = self.db.take() {
            kill_group(c);
        }
    }
}

/// The real daemon in `ns` with the kernel, state, commander and ovs
/// plugins, its ovs plugin on `socket` (userspace datapath by default).
pub fn daemon(ns: &Netns, socket: &Path) -> DaemonProcess {
    DaemonBuilder::new()
        .workspace_plugins(&[
            "nipart-plugin-kernel",
            "nipart-plugin-state",
            "nipart-plugin-commander",
            "nipart-plugin-ovs",
        ])
        .config(&format!(
            "log_level = \"debug\"\n[plugin.ovs]\nsocket = {:?}\ndatapath = \"netdev\"\nready_timeout_ms = 5000\n[plugin.commander]\nverify_retries = 3\nverify_interval_ms = 300\n",
            socket.display().to_string()
        ))
        .require(&["kernel", "state", "commander", "ovs"])
        .netns(ns)
        .spawn()
}

/// A namespace with OVS and the daemon.
pub struct Bed {
    pub d: DaemonProcess,
    pub ovs: Ovs,
    pub ns: Netns,
}

impl Bed {
    pub fn new() -> Bed {
        let ns = Netns::new();
        ns.ip("link set lo up");
        let ovs = Ovs::start(&ns);
        let d = daemon(&ns, &ovs.socket());
        Bed { d, ovs, ns }
    }

    pub fn nipc(&self, args: &[&str]) -> Output {
        nipc(&self.d, args)
    }

    /// Applies `yaml`; the output, which must say it succeeded.
    pub fn apply_ok(&self, yaml: &str) -> Value {
        let out = self.apply(yaml);
        assert!(
            out.status.success(),
            "apply failed: {}\n{}\ndaemon log:\n{}\novs-vswitchd:\n{}",
            text(&out.stdout),
            text(&out.stderr),
            self.d.log(),
            self.ovs.log("ovs-vswitchd")
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    pub fn apply(&self, yaml: &str) -> Output {
        let file = self.ovs.dir.path().join("state.yml");
        std::fs::write(&file, yaml).expect("writing state.yml");
        self.nipc(&["-o", "json", "apply", file.to_str().expect("a UTF-8 path")])
    }

    /// `nipc -o json show [IFACE]`.
    pub fn show(&self, iface: Option<&str>) -> Value {
        let mut args = vec!["-o", "json", "show"];
        args.extend(iface);
        let out = self.nipc(&args);
        assert!(
            out.status.success(),
            "show: {}\n{}",
            text(&out.stderr),
            self.d.log()
        );
        serde_json::from_slice(&out.stdout).expect("show prints JSON")
    }

    /// The interface `name` as `show` gives it.
    pub fn show_iface(&self, name: &str) -> Value {
        let all = self.show(None);
        all["interfaces"]
            .as_array()
            .and_then(|l| l.iter().find(|i| i["name"] == name))
            .cloned()
            .unwrap_or(Value::Null)
    }
}

pub fn nipc(d: &DaemonProcess, args: &[&str]) -> Output {
    Command::new(nipc_binary())
        .arg("--socket")
        .arg(d.socket())
        .args(args)
        .output()
        .expect("running nipc")
}

/// The nmstate-format file `tests/states/NAME`.
pub fn state_file(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/states")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
