//! Open vSwitch for a test or a benchmark: `ovsdb-server` and
//! `ovs-vswitchd` in a network namespace, with private run, database and
//! log directories and a database made with `ovsdb-tool create` from the
//! package's schema. [`Ovs::start`] gives the userspace datapath
//! (`--disable-system`: the machines' kernel has no `openvswitch` module,
//! internal ports are tap devices); [`Ovs::start_with`]
//! [`Datapath::Kernel`] the kernel's (the `openvswitch` module loaded
//! first; internal ports are the module's own links), for a test that says
//! `full_kernel!("openvswitch")`. Dropping [`Ovs`] kills both daemons (each
//! in a process group of its own) and removes the directories, also when a
//! test fails.
//!
//! Needs root and Debian's `openvswitch-switch`.

use std::{
    os::unix::process::CommandExt,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use crate::Netns;

/// The package's OVSDB schema.
pub const SCHEMA: &str = "/usr/share/openvswitch/vswitch.ovsschema";

const PATIENCE: Duration = Duration::from_secs(20);

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The datapaths ovs-vswitchd may serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datapath {
    /// `netdev` only (`--disable-system`): no kernel module needed.
    Userspace,
    /// `system` (the kernel's `openvswitch` module) as well as `netdev`.
    Kernel,
}

/// `ovsdb-server` and `ovs-vswitchd` of one test, in its namespace.
pub struct Ovs {
    pub ns: String,
    pub dir: tempfile::TempDir,
    db: Option<Child>,
    vswitchd: Option<Child>,
}

impl Ovs {
    /// Creates the database and starts both daemons in `ns` for the
    /// userspace datapath; returns once ovs-vswitchd has connected to the
    /// database.
    pub fn start(ns: &Netns) -> Ovs {
        Ovs::start_with(ns, Datapath::Userspace)
    }

    /// [`Ovs::start`] for `datapath`. For [`Datapath::Kernel`] the
    /// `openvswitch` module is loaded first (`modprobe`; in the test VM it
    /// loads from the unpacked kernel tree).
    pub fn start_with(ns: &Netns, datapath: Datapath) -> Ovs {
        crate::require_all(&["ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl"]);
        if datapath == Datapath::Kernel {
            let out = Command::new(crate::require("modprobe"))
                .arg("openvswitch")
                .output()
                .expect("running modprobe");
            assert!(
                out.status.success(),
                "modprobe openvswitch: {}",
                text(&out.stderr)
            );
        }
        let dir = tempfile::Builder::new()
            .prefix("nipart-ovs-test-")
            .tempdir()
            .expect("a temporary directory");
        let out = Command::new(crate::require("ovsdb-tool"))
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
        let mut vswitchd = ovs.command("ovs-vswitchd");
        vswitchd
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
            ));
        if datapath == Datapath::Userspace {
            vswitchd.arg("--disable-system");
        }
        ovs.vswitchd = Some(vswitchd.spawn().expect("starting ovs-vswitchd"));
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
            .arg(crate::require(program))
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
        crate::wait_for(PATIENCE, "ovsdb-server's socket", || {
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
        let out = Command::new(crate::require("ovs-vsctl"))
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

    /// `ovs-appctl ARGS…` to this test's ovs-vswitchd, which must succeed
    /// (e.g. `dpif/show`: the datapaths and their ports).
    pub fn appctl(&self, args: &[&str]) -> String {
        let out = Command::new(crate::require("ovs-appctl"))
            .arg(format!(
                "--target={}",
                self.dir.path().join("ovs-vswitchd.ctl").display()
            ))
            .arg("--timeout=10")
            .args(args)
            .output()
            .expect("running ovs-appctl");
        assert!(
            out.status.success(),
            "ovs-appctl {args:?}: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
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
