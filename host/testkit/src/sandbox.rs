//! A private directory per test: its plugin directory, configuration,
//! logs and API socket, removed on drop.

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
};

/// A plugin library a [`Sandbox`] can install: a built `.so` by its path,
/// or a fixture of a test crate that builds it on demand.
pub trait PluginLibrary {
    /// The built library (built first if need be).
    fn library_path(&self) -> PathBuf;
    /// Its file name in the plugin directory.
    fn file_name(&self) -> String {
        let path = self.library_path();
        match Path::file_name(&path) {
            Some(name) => name.to_string_lossy().into_owned(),
            None => panic!("{} has no file name", path.display()),
        }
    }
}

impl PluginLibrary for &Path {
    fn library_path(&self) -> PathBuf {
        self.to_path_buf()
    }
}

impl PluginLibrary for PathBuf {
    fn library_path(&self) -> PathBuf {
        self.clone()
    }
}

impl PluginLibrary for &PathBuf {
    fn library_path(&self) -> PathBuf {
        (*self).clone()
    }
}

/// A private temporary directory for one test, removed on drop: a
/// `plugins/` directory (owned by us, mode 0755) and room for logs,
/// configuration and the API socket.
pub struct Sandbox {
    root: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("nipart-test-")
            .tempdir()
            .expect("a temporary directory");
        let plugins = root.path().join("plugins");
        fs::create_dir(&plugins).expect("creating plugins/");
        fs::set_permissions(&plugins, fs::Permissions::from_mode(0o755)).expect("chmod plugins/");
        Self { root }
    }

    /// Lets other users traverse the sandbox (mode 0755), so that callers
    /// who are not root reach the API socket in it.
    pub fn open_to_others(&self) {
        fs::set_permissions(self.root(), fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", self.root().display()));
    }

    /// The temporary directory itself.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The plugin directory.
    pub fn plugin_dir(&self) -> PathBuf {
        self.root().join("plugins")
    }

    /// A path in the sandbox (outside the plugin directory).
    pub fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// Copies `library` into the plugin directory under its own file name
    /// (mode 0755); returns the copy's path.
    pub fn add(&self, library: impl PluginLibrary) -> PathBuf {
        let name = library.file_name();
        self.add_as(library, &name)
    }

    /// Copies `library` into the plugin directory as `file_name` (mode 0755).
    pub fn add_as(&self, library: impl PluginLibrary, file_name: &str) -> PathBuf {
        let dest = self.plugin_dir().join(file_name);
        let from = library.library_path();
        fs::copy(&from, &dest)
            .unwrap_or_else(|e| panic!("copying {} to {}: {e}", from.display(), dest.display()));
        fs::set_permissions(&dest, fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", dest.display()));
        dest
    }

    /// Writes a file of text into the plugin directory (mode 0644).
    pub fn add_text(&self, file_name: &str, text: &str) -> PathBuf {
        let dest = self.plugin_dir().join(file_name);
        fs::write(&dest, text).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
        fs::set_permissions(&dest, fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", dest.display()));
        dest
    }

    /// A daemon configuration (TOML) loading from this sandbox's plugin
    /// directory, its API socket inside the sandbox, followed by `extra`.
    ///
    /// Unless `extra` has its own `[plugin.conf]`, the `conf` plugin (if a
    /// test loads it) keeps its files in the sandbox ([`Self::conf_dirs`]),
    /// never in the host's `/etc/nipart` and `/var/lib/nipart`.
    pub fn config_toml(&self, extra: &str) -> String {
        let mut toml = format!("plugin_dir = {}\n{extra}\n", toml_str(&self.plugin_dir()));
        // Unless `extra` has its own `[api]` (which names the socket).
        if !extra.contains("[api]") {
            toml.push_str(&format!(
                "[api]\nsocket = {}\n",
                toml_str(&self.path("nipart.sock"))
            ));
        }
        if !extra.contains("[plugin.conf]") {
            let (config_dir, state_dir) = self.conf_dirs();
            toml.push_str(&format!(
                "[plugin.conf]\nconfig_dir = {}\nstate_dir = {}\n",
                toml_str(&config_dir),
                toml_str(&state_dir),
            ));
        }
        toml
    }

    /// The `conf` plugin's `config_dir` (the saved state) and `state_dir`
    /// (the checkpoints) in this sandbox: `etc/` and `var/`.
    pub fn conf_dirs(&self) -> (PathBuf, PathBuf) {
        (self.path("etc"), self.path("var"))
    }

    /// [`Self::config_toml`] parsed, for an in-process daemon.
    pub fn config(&self, extra: &str) -> nipartd::DaemonConfig {
        nipartd::DaemonConfig::from_toml(&self.config_toml(extra))
            .unwrap_or_else(|e| panic!("invalid test configuration: {e}"))
    }
}

/// The resident memory (`VmRSS`) of process `pid`, in KiB.
pub fn resident_kib(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("reading /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmRSS in /proc/{pid}/status:\n{status}"))
}

/// A path as a TOML string literal.
pub fn toml_str(path: &Path) -> String {
    serde_json::to_string(&path.display().to_string()).expect("a string serializes")
}
