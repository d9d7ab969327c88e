//! OVS test bed: a network namespace with its own `ovsdb-server` and
//! `ovs-vswitchd` (the test kit's `Ovs`: userspace datapath, private
//! directories, killed on drop); the real `nipartd` in that namespace with
//! the kernel, state, commander and ovs plugins; `nipc` drives it,
//! `ovs-vsctl` checks OVSDB.
//!
//! Needs root and Debian's `openvswitch-switch`.

#![allow(dead_code)] // each test file uses a part of it

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
    time::Duration,
};

use nipart_testkit::{DaemonBuilder, DaemonProcess};
#[allow(unused_imports)] // not every test file waits
pub use nipart_testkit::{
    Netns,
    ovs::{Datapath, Ovs},
    wait_for,
};
use serde_json::Value;

pub const PATIENCE: Duration = Duration::from_secs(20);

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `nipc`, built once per process.
pub fn nipc_binary() -> &'static Path {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| nipart_testkit::build_in_workspace(&["-p", "nipc", "--bins"]).join("nipc"))
}

/// The real daemon in `ns` with the kernel, state, commander and ovs
/// plugins, its ovs plugin on `socket` (userspace datapath by default).
pub fn daemon(ns: &Netns, socket: &Path) -> DaemonProcess {
    builder(ns, socket, &[]).spawn()
}

/// [`daemon`] with `datapath` (`[plugin.ovs] datapath`: `netdev` or
/// `system`) for a bridge created without `bridge.options.datapath`, and
/// ovs-vswitchd given `ready_ms` to add an interface.
pub fn daemon_with_datapath(
    ns: &Netns,
    socket: &Path,
    datapath: &str,
    ready_ms: u64,
) -> DaemonProcess {
    builder_with_datapath(ns, socket, &[], datapath, ready_ms).spawn()
}

/// As [`daemon`], not started, with the plugins `more` too.
pub fn builder<'a>(ns: &'a Netns, socket: &Path, more: &[&str]) -> DaemonBuilder<'a> {
    builder_with_datapath(ns, socket, more, "netdev", 5000)
}

/// As [`daemon_with_datapath`], not started, with the plugins `more` too.
pub fn builder_with_datapath<'a>(
    ns: &'a Netns,
    socket: &Path,
    more: &[&str],
    datapath: &str,
    ready_ms: u64,
) -> DaemonBuilder<'a> {
    let mut plugins = vec![
        "nipart-plugin-kernel",
        "nipart-plugin-state",
        "nipart-plugin-commander",
        "nipart-plugin-ovs",
    ];
    plugins.extend_from_slice(more);
    DaemonBuilder::new()
        .workspace_plugins(&plugins)
        .config(&format!(
            "log_level = \"debug\"\n[plugin.ovs]\nsocket = {:?}\ndatapath = {datapath:?}\nready_timeout_ms = {ready_ms}\n[plugin.commander]\nverify_retries = 3\nverify_interval_ms = 300\n",
            socket.display().to_string()
        ))
        .require(&["kernel", "state", "commander", "ovs"])
        .netns(ns)
}

/// A namespace with OVS and the daemon.
pub struct Bed {
    pub d: DaemonProcess,
    pub ovs: Ovs,
    pub ns: Netns,
}

impl Bed {
    pub fn new() -> Bed {
        Self::with(&[])
    }

    /// As [`Bed::new`], with the plugins `more` too.
    pub fn with(more: &[&str]) -> Bed {
        let ns = Netns::new();
        ns.ip("link set lo up");
        let ovs = Ovs::start(&ns);
        let d = builder(&ns, &ovs.socket(), more).spawn();
        Bed { d, ovs, ns }
    }

    /// OVS with the kernel datapath (`full_kernel!("openvswitch")`), the
    /// daemon's default datapath `system`; generous waits for ovs-vswitchd
    /// (the test VM emulates its CPU).
    pub fn kernel_datapath() -> Bed {
        let ns = Netns::new();
        ns.ip("link set lo up");
        let ovs = Ovs::start_with(&ns, Datapath::Kernel);
        let d = daemon_with_datapath(&ns, &ovs.socket(), "system", 60_000);
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
