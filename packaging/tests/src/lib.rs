//! Support for the packaging tests: the packages built by the one command
//! `packaging/build`, and a fresh root to install Debian packages into.
//!
//! # The packages
//!
//! [`packages`] runs `bash packaging/build` once per test process, with this
//! test binary's cargo, profile and target directory (so `cargo test` reuses
//! the debug build it already has, and `cargo test --release` packages the
//! release build), into `<target dir>/packaging-test/`. The packages are
//! the same as a release build's but for the optimisation of the code in
//! them: the same staging, stripping, control files, scripts and spec.
//!
//! # A fresh root
//!
//! [`FreshRoot`] is an empty temporary directory with a dpkg database of
//! its own, in which `dpkg --root` installs packages (maintainer scripts
//! run without chroot, with `DPKG_ROOT` set, as dpkg does for bootstrapping
//! a system). The database starts with the host's entries for the
//! libraries the packages depend on: the installed programs run on the
//! host's libraries, so those are what satisfies the dependency.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
};

use nipart_testkit::{profile_dir, repo_root, run, target_dir};

/// The plugins the `nipart` package ships (the rest of `plugins/` get a
/// package each). Also the vendor configuration's `required_plugins`.
pub const CORE_PLUGINS: [&str; 5] = ["commander", "conf", "kernel", "monitor", "state"];

/// An optional plugin, packaged on its own.
pub const DHCP_PACKAGE: &str = "nipart-plugin-dhcp";

/// Every optional plugin: (plugin name, package).
pub const OPTIONAL_PLUGINS: [(&str, &str); 5] = [
    ("dhcp", DHCP_PACKAGE),
    ("dns", "nipart-plugin-dns"),
    ("fleet", "nipart-plugin-fleet"),
    ("lldp", "nipart-plugin-lldp"),
    ("ovs", OVS_PACKAGE),
];

/// The ovs plugin's package, which recommends Open vSwitch.
pub const OVS_PACKAGE: &str = "nipart-plugin-ovs";

/// The files `packaging/build` made.
pub struct Packages {
    /// The output directory.
    pub dir: PathBuf,
    /// The version of the packages (the crates' version; Debian adds `-1`).
    pub version: String,
}

impl Packages {
    /// The `.deb` of package `name`.
    pub fn deb(&self, name: &str) -> PathBuf {
        self.find(&format!("{name}_{}-1_", self.version), ".deb")
    }

    /// The `.rpm` of package `name`.
    pub fn rpm(&self, name: &str) -> PathBuf {
        self.find(&format!("{name}-{}-1.", self.version), ".rpm")
    }

    /// Every file with `suffix`, sorted.
    pub fn all(&self, suffix: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(&self.dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", self.dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(suffix))
            .collect();
        files.sort();
        files
    }

    fn find(&self, prefix: &str, suffix: &str) -> PathBuf {
        let found: Vec<PathBuf> = self
            .all(suffix)
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix))
            })
            .collect();
        match found.as_slice() {
            [one] => one.clone(),
            _ => panic!(
                "expected one {prefix}*{suffix} in {}, found {found:?}",
                self.dir.display()
            ),
        }
    }
}

/// The version of the `nipartd` crate.
fn nipartd_version() -> String {
    let manifest = repo_root().join("host/Cargo.toml");
    let text = fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("reading {}: {e}", manifest.display()));
    text.lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no version in {}", manifest.display()))
        .to_string()
}

/// The packages, built once per test process by `packaging/build`.
pub fn packages() -> &'static Packages {
    static BUILT: OnceLock<Packages> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = target_dir().join("packaging-test");
        let profile = match profile_dir().file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev".to_string(),
            Some(other) => other.to_string(),
        };
        nipart_testkit::require_all(&[
            "dpkg-deb",
            "dpkg-shlibdeps",
            "strip",
            "rpmbuild",
            "python3",
        ]);
        let out = Command::new("bash")
            .arg(repo_root().join("packaging/build"))
            .arg("--profile")
            .arg(&profile)
            .arg("--out")
            .arg(&dir)
            .env("CARGO_TARGET_DIR", target_dir())
            .output()
            .unwrap_or_else(|e| panic!("running packaging/build: {e}"));
        assert!(
            out.status.success(),
            "packaging/build failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Packages {
            dir,
            version: nipartd_version(),
        }
    })
}

/// A field of a `.deb`'s control file (empty if absent).
pub fn deb_field(deb: &Path, field: &str) -> String {
    run(Command::new("dpkg-deb").arg("-f").arg(deb).arg(field))
        .trim()
        .to_string()
}

/// The paths a `.deb` installs, without the leading `.`, directories with
/// a trailing `/`.
pub fn deb_paths(deb: &Path) -> Vec<String> {
    run(Command::new("dpkg-deb").arg("-c").arg(deb))
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .map(|p| p.trim_start_matches('.').to_string())
        .collect()
}

/// An empty root directory with a dpkg database of its own; removed on
/// drop.
pub struct FreshRoot {
    dir: tempfile::TempDir,
}

impl FreshRoot {
    /// A root whose dpkg database holds the host's entries for `libraries`
    /// (packages the ones under test depend on), and nothing else.
    pub fn new(libraries: &[&str]) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("nipart-packaging-root-")
            .tempdir()
            .expect("a temporary directory");
        let admin = dir.path().join("var/lib/dpkg");
        for sub in ["info", "updates"] {
            fs::create_dir_all(admin.join(sub)).expect("creating the dpkg database");
        }
        fs::write(admin.join("available"), "").expect("writing dpkg's available");
        let status = run(Command::new("dpkg-query").arg("-s").args(libraries));
        fs::write(admin.join("status"), status).expect("writing dpkg's status");
        // Their file lists: empty, since none of their files is in this root.
        let names = run(Command::new("dpkg-query")
            .args(["-W", "-f", "${binary:Package}\\n"])
            .args(libraries));
        for name in names.lines() {
            fs::write(admin.join("info").join(format!("{name}.list")), "")
                .expect("writing a file list");
        }
        Self { dir }
    }

    /// The root directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` (an absolute path on the installed system) inside the root.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel.trim_start_matches('/'))
    }

    /// `dpkg --root ROOT ARGS…` with maintainer scripts run outside a chroot
    /// (with `DPKG_ROOT`); its output, whatever the exit status.
    pub fn dpkg(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
        let mut cmd = Command::new("dpkg");
        cmd.arg(format!("--root={}", self.path().display()))
            .arg("--force-script-chrootless")
            .arg("--log=/dev/null");
        for a in args {
            cmd.arg(a);
        }
        cmd.output()
            .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
    }

    /// `dpkg-query --admindir … -W -f '${Status}'` of `package`.
    pub fn status(&self, package: &str) -> String {
        let out = Command::new("dpkg-query")
            .arg(format!(
                "--admindir={}",
                self.join("/var/lib/dpkg").display()
            ))
            .args(["-W", "-f", "${Status}", package])
            .output()
            .unwrap_or_else(|e| panic!("running dpkg-query: {e}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// The mode bits (permissions) of `path`.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// The output of a command as text (stdout then stderr), for messages.
pub fn output_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
