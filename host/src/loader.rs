//! Discovers plugin libraries in a directory and loads the good ones.
//!
//! Every file goes through three gates, and every refusal is reported (all
//! of them, one line each with the path, the reason and the fix) while the
//! good files load:
//!
//! 1. discovery: `*.so` files directly in the directory, sorted by name,
//!    deduplicated by file identity (device and inode, so a symlink to a file
//!    already seen is skipped);
//! 2. the permission gate (like NetworkManager's): the directory and each
//!    file must be owned by root or by the daemon's own uid, must not be
//!    group- or other-writable, and the file must be a regular file without
//!    the setuid or setgid bit;
//! 3. the ABI gate: an ELF file exporting the nipart root module, with the
//!    same ABI major version and a compatible layout, built to unwind on
//!    panic, whose plugins have valid descriptors, unique names and
//!    constructors that succeed.
//!
//! A loaded library is never unloaded (Rust libraries can't be dlclose'd
//! safely): abi_stable leaks the handle on purpose.

use std::{
    collections::{HashMap, HashSet},
    fmt, fs,
    io::Read,
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
};

use abi_stable::{
    library::{LibraryError, RootModuleError, lib_header_from_path},
    std_types::RStr,
};
use nipart_plugin_abi::{PANIC_ABORT, PluginBox, PluginModuleRef, error_kind};
use nipart_plugin_api::TopicPattern;

/// Why a file (or the directory) was refused, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub path: PathBuf,
    /// The plugin concerned, when the library itself was fine.
    pub plugin: Option<String>,
    pub reason: String,
    pub fix: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path.display())?;
        if let Some(p) = &self.plugin {
            write!(f, "plugin {p:?}: ")?;
        }
        write!(f, "{}; fix: {}", self.reason, self.fix)
    }
}

/// A plugin instance ready for Init.
pub struct LoadedPlugin {
    pub path: PathBuf,
    pub name: String,
    pub version: String,
    pub description: String,
    pub roles: Vec<String>,
    pub subscriptions: Vec<String>,
    pub sdk_version: String,
    pub instance: PluginBox,
}

impl fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedPlugin")
            .field("path", &self.path)
            .field("name", &self.name)
            .field("version", &self.version)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// What a load produced: the plugins, sorted by name, and the refusals.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub plugins: Vec<LoadedPlugin>,
    pub rejected: Vec<Rejection>,
}

/// Loads plugin libraries from one directory.
pub struct PluginLoader {
    dir: PathBuf,
    /// Besides root, the owner a plugin file may have (the daemon's uid).
    trusted_uid: u32,
}

fn reject(path: &Path, reason: impl Into<String>, fix: impl Into<String>) -> Rejection {
    Rejection {
        path: path.to_path_buf(),
        plugin: None,
        reason: reason.into(),
        fix: fix.into(),
    }
}

impl PluginLoader {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            // SAFETY: geteuid has no preconditions and cannot fail.
            trusted_uid: unsafe { libc::geteuid() },
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Discovers, gates and loads every plugin library in the directory.
    pub fn load(&self) -> LoadReport {
        let mut report = LoadReport::default();
        let files = match self.discover() {
            Ok(files) => files,
            Err(r) => {
                report.rejected.push(r);
                return report;
            }
        };
        let mut owner_of: HashMap<String, PathBuf> = HashMap::new();
        for path in files {
            if let Err(r) = self.check_permissions(&path) {
                report.rejected.push(r);
                continue;
            }
            if let Err(r) = check_elf(&path) {
                report.rejected.push(r);
                continue;
            }
            match load_library(&path) {
                Ok((module, sdk_version)) => {
                    self.create_plugins(&path, module, &sdk_version, &mut owner_of, &mut report)
                }
                Err(r) => report.rejected.push(r),
            }
        }
        report.plugins.sort_by(|a, b| a.name.cmp(&b.name));
        report
    }

    /// The `*.so` files of the directory, sorted by name, one per file identity.
    fn discover(&self) -> Result<Vec<PathBuf>, Rejection> {
        let dir = &self.dir;
        let meta = fs::metadata(dir).map_err(|e| {
            reject(
                dir,
                format!("the plugin directory cannot be read: {e}"),
                "create it or point plugin_dir (or --plugin-dir) at the directory holding the plugins",
            )
        })?;
        if !meta.is_dir() {
            return Err(reject(
                dir,
                "the plugin directory is not a directory",
                "point plugin_dir (or --plugin-dir) at a directory",
            ));
        }
        self.check_owner_and_mode(dir, &meta, "directory")?;
        let entries = fs::read_dir(dir).map_err(|e| {
            reject(
                dir,
                format!("the plugin directory cannot be listed: {e}"),
                "give the daemon read access to it",
            )
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "so"))
            .collect();
        paths.sort();
        let mut seen: HashMap<(u64, u64), PathBuf> = HashMap::new();
        let mut unique = Vec::with_capacity(paths.len());
        for path in paths {
            // A dangling link or unreadable file is kept here and refused by
            // the permission gate with its reason.
            if let Ok(m) = fs::metadata(&path) {
                if let Some(first) = seen.get(&(m.dev(), m.ino())) {
                    tracing::info!(
                        "skipping {}: same file as {}",
                        path.display(),
                        first.display()
                    );
                    continue;
                }
                seen.insert((m.dev(), m.ino()), path.clone());
            }
            unique.push(path);
        }
        Ok(unique)
    }

    fn check_owner_and_mode(
        &self,
        path: &Path,
        meta: &fs::Metadata,
        what: &str,
    ) -> Result<(), Rejection> {
        let uid = meta.uid();
        if uid != 0 && uid != self.trusted_uid {
            let allowed = if self.trusted_uid == 0 {
                "root".to_string()
            } else {
                format!("root or the daemon's uid {}", self.trusted_uid)
            };
            return Err(reject(
                path,
                format!("the {what} is owned by uid {uid}, not by {allowed}"),
                format!("chown root {}", path.display()),
            ));
        }
        let mode = meta.mode();
        if mode & 0o022 != 0 {
            return Err(reject(
                path,
                format!(
                    "the {what} is group- or other-writable (mode {:o})",
                    mode & 0o7777
                ),
                format!("chmod go-w {}", path.display()),
            ));
        }
        Ok(())
    }

    fn check_permissions(&self, path: &Path) -> Result<(), Rejection> {
        let meta = fs::metadata(path).map_err(|e| {
            reject(
                path,
                format!("cannot be read: {e}"),
                "remove the file or the broken link",
            )
        })?;
        if !meta.is_file() {
            return Err(reject(
                path,
                "not a regular file",
                "remove it from the plugin directory",
            ));
        }
        self.check_owner_and_mode(path, &meta, "file")?;
        if meta.mode() & 0o6000 != 0 {
            return Err(reject(
                path,
                format!(
                    "the file is setuid or setgid (mode {:o})",
                    meta.mode() & 0o7777
                ),
                format!("chmod ug-s {}", path.display()),
            ));
        }
        Ok(())
    }

    fn create_plugins(
        &self,
        path: &Path,
        module: PluginModuleRef,
        sdk_version: &str,
        owner_of: &mut HashMap<String, PathBuf>,
        report: &mut LoadReport,
    ) {
        let descriptors = (module.plugins())();
        if descriptors.is_empty() {
            report.rejected.push(reject(
                path,
                "the library registers no plugin",
                "register one with nipart_plugin_api::register_plugin!",
            ));
            return;
        }
        let mut in_this_file = HashSet::new();
        for d in descriptors.iter() {
            let name = d.name.to_string();
            let plugin_reject = |reason: String, fix: &str| Rejection {
                path: path.to_path_buf(),
                plugin: Some(name.clone()),
                reason,
                fix: fix.to_string(),
            };
            if !valid_name(&name) {
                report.rejected.push(plugin_reject(
                    "invalid plugin name: use 1 to 64 characters of a-z, 0-9, '_' or '-'".into(),
                    "rename the plugin (Plugin::NAME)",
                ));
                continue;
            }
            if let Some(first) = owner_of.get(&name) {
                let reason = if in_this_file.contains(&name) {
                    "registered twice in this library".to_string()
                } else {
                    format!("the name is already taken by {}", first.display())
                };
                report.rejected.push(plugin_reject(
                    reason,
                    "remove one of the two, or rename one plugin",
                ));
                continue;
            }
            if let Some(bad) = d.roles.iter().find(|r| !valid_name(r.as_str())) {
                report.rejected.push(plugin_reject(
                    format!("invalid role {:?}", bad.as_str()),
                    "use 1 to 64 characters of a-z, 0-9, '_' or '-' (Plugin::ROLES)",
                ));
                continue;
            }
            if let Some(err) = d
                .subscriptions
                .iter()
                .find_map(|s| TopicPattern::parse(s.as_str()).err())
            {
                report.rejected.push(plugin_reject(
                    err.to_string(),
                    "fix the pattern in Plugin::SUBSCRIPTIONS",
                ));
                continue;
            }
            owner_of.insert(name.clone(), path.to_path_buf());
            in_this_file.insert(name.clone());
            match (module.create())(RStr::from_str(&name)).into_result() {
                Ok(instance) => report.plugins.push(LoadedPlugin {
                    path: path.to_path_buf(),
                    name,
                    version: d.version.to_string(),
                    description: d.description.to_string(),
                    roles: d.roles.iter().map(|r| r.to_string()).collect(),
                    subscriptions: d.subscriptions.iter().map(|s| s.to_string()).collect(),
                    sdk_version: sdk_version.to_string(),
                    instance,
                }),
                Err(e) if e.kind == error_kind::PANICKED => report.rejected.push(plugin_reject(
                    e.message.to_string(),
                    "fix the plugin's Plugin::new (the panic was contained)",
                )),
                Err(e) => report.rejected.push(plugin_reject(
                    format!("Plugin::new failed: {}", e.message),
                    "see the plugin's documentation",
                )),
            }
        }
    }
}

/// Plugin and role names: 1 to 64 of `a-z 0-9 _ -`.
pub fn valid_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn check_elf(path: &Path) -> Result<(), Rejection> {
    let mut magic = [0u8; 4];
    let read = fs::File::open(path).and_then(|mut f| f.read_exact(&mut magic));
    match read {
        Ok(()) if magic == *b"\x7fELF" => Ok(()),
        Ok(()) | Err(_) => Err(reject(
            path,
            "not an ELF shared library",
            "remove it from the plugin directory",
        )),
    }
}

/// Opens the library and passes its root module through abi_stable's
/// version and layout checks.
fn load_library(path: &Path) -> Result<(PluginModuleRef, String), Rejection> {
    let header = lib_header_from_path(path).map_err(|e| match e {
        LibraryError::GetSymbolError { .. } => reject(
            path,
            "not a nipart plugin: it does not export the plugin root module",
            "build it with nipart-plugin-api and call nipart_plugin_api::export_plugins!(), or remove it",
        ),
        LibraryError::OpenError { err, .. } => reject(
            path,
            format!("cannot be loaded: {err}"),
            "check that it was built for this system and that its dependencies are installed",
        ),
        other => abi_rejection(path, other),
    })?;
    let module = header
        .init_root_module::<PluginModuleRef>()
        .map_err(|e| abi_rejection(path, e))?;
    if module.panic_strategy() == PANIC_ABORT {
        return Err(reject(
            path,
            "built with panic = \"abort\": a panic in it would end the daemon",
            "build it with the default panic = \"unwind\" (remove panic = \"abort\" from its Cargo profile)",
        ));
    }
    Ok((module, module.sdk_version().to_string()))
}

fn abi_rejection(path: &Path, e: LibraryError) -> Rejection {
    match e {
        LibraryError::IncompatibleVersionNumber {
            expected_version,
            actual_version,
            ..
        } => reject(
            path,
            format!(
                "built for plugin ABI {actual_version}, this daemon implements ABI {expected_version} (the major versions must match)"
            ),
            format!(
                "rebuild the plugin against a nipart-plugin-api for ABI {}.x",
                expected_version.major
            ),
        ),
        LibraryError::AbiInstability(details) => {
            // abi_stable's report is hundreds of lines: keep its tail for
            // whoever debugs, and one line for the operator.
            let text = details.to_string();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(12)..].join("\n");
            tracing::debug!("layout mismatch in {}:\n{tail}", path.display());
            reject(
                path,
                format!(
                    "its plugin ABI layout differs from this daemon's: {} (abi_stable's report is logged at debug level)",
                    layout_error_kinds(&text)
                ),
                "rebuild the plugin against the nipart-plugin-api release that matches this daemon",
            )
        }
        LibraryError::RootModule { err, .. } => {
            let reason = match err {
                RootModuleError::Unwound => "its root module constructor panicked".to_string(),
                other => format!("its root module failed to initialize: {other}"),
            };
            reject(path, reason, "fix or rebuild the plugin library")
        }
        LibraryError::InvalidAbiHeader(h) => reject(
            path,
            format!("built with an incompatible abi_stable ({h:?})"),
            "rebuild the plugin against the nipart-plugin-api release that matches this daemon",
        ),
        other => reject(
            path,
            format!(
                "rejected by the ABI check: {}",
                first_line(&other.to_string())
            ),
            "rebuild the plugin against the nipart-plugin-api release that matches this daemon",
        ),
    }
}

/// The first non-blank line (abi_stable's messages start with a newline).
fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// The distinct kinds of mismatch in abi_stable's layout report (its
/// `Error:` lines, e.g. "too many fields"), in order, comma-separated.
fn layout_error_kinds(report: &str) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    for line in report.lines() {
        if let Some(kind) = line.trim().strip_prefix("Error:") {
            let kind = kind.trim();
            if !kind.is_empty() && !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    if kinds.is_empty() {
        "no detail given".to_string()
    } else {
        kinds.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_of_abi_stable_reports() {
        let report = "\nCompared <this>:\n  ...\nError:too many fields\nExpected:\n    5\n\
                      Error:mismatched type\n  Error:too many fields\n";
        assert_eq!(
            layout_error_kinds(report),
            "too many fields, mismatched type"
        );
        assert_eq!(layout_error_kinds("nothing useful"), "no detail given");
        assert_eq!(
            first_line("\n\n  'nipart_plugin' library version mismatch:\nuser:1.0.0"),
            "'nipart_plugin' library version mismatch:"
        );
    }
}
