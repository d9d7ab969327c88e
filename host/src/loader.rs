//! Discovers plugin libraries in a directory and loads the good ones.
//!
//! Every file goes through three gates, and every refusal is reported (all
//! of them, one line each with the path, the reason and the fix) while the
//! good files load:
//!
//! 1. discovery: `*.so` files directly in the directory, sorted by name.
//!    A symbolic link is resolved once (to its real path) and its target is
//!    what the gates check and what is loaded; then each file is opened once
//!    (`O_NOFOLLOW`, so nothing on the resolved path is followed again) and
//!    deduplicated by the identity of the opened file (device and inode, so
//!    a second name for a file already seen is skipped);
//! 2. the permission gate (like NetworkManager's), on the opened descriptor
//!    (`fstat`), never on the path: the file must be a regular file owned by
//!    root or by the daemon's own uid, not group- or other-writable, without
//!    the setuid or setgid bit; the plugin directory and the directory of
//!    every target, and each directory above them up to `/`, must be owned
//!    by root or the daemon's uid and not writable by group or others (a
//!    sticky directory above, such as `/tmp`, may be: see
//!    [`nipart_plugin_api::file`], whose check this is);
//! 3. the ABI gate: an ELF file exporting the nipart root module, with the
//!    same ABI major version and a compatible layout, built to unwind on
//!    panic, whose plugins have valid descriptors, unique names and
//!    constructors that succeed.
//!
//! The library loaded is the very file checked: it is opened through
//! `/proc/self/fd/N` of the descriptor the gates checked, so swapping the
//! file between the check and the load changes nothing. That descriptor is
//! kept open for the life of the process: the dynamic loader knows the
//! library by that name, and a later `/proc/self/fd/N` naming another file
//! must not be mistaken for it.
//!
//! A loaded library is never unloaded (Rust libraries can't be dlclose'd
//! safely): abi_stable leaks the handle on purpose.

use std::{
    collections::{HashMap, HashSet},
    fmt, fs,
    os::{
        fd::{AsRawFd, IntoRawFd},
        unix::fs::{FileExt, MetadataExt},
    },
    path::{Path, PathBuf},
};

use abi_stable::{
    library::{LibraryError, RootModuleError, lib_header_from_path},
    std_types::RStr,
};
use nipart_plugin_abi::{PANIC_ABORT, PluginBox, PluginModuleRef, error_kind};
use nipart_plugin_api::{
    TopicPattern,
    file::{self, Refusal},
};

/// Why a file (or the directory) was refused, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub path: PathBuf,
    /// The plugin concerned, when the library itself was fine.
    pub plugin: Option<String>,
    pub reason: String,
    pub fix: String,
}

impl From<Refusal> for Rejection {
    fn from(r: Refusal) -> Self {
        Rejection {
            path: r.path,
            plugin: None,
            reason: r.reason,
            fix: r.fix,
        }
    }
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
    /// The keys of its `[plugin.NAME]` section, when it declared them.
    pub config_keys:
        Option<std::collections::BTreeMap<String, nipart_plugin_api::protocol::daemon::ConfigType>>,
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
            trusted_uid: file::trusted_uid(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Discovers, gates and loads every plugin library in the directory.
    pub fn load(&self) -> LoadReport {
        let mut report = LoadReport::default();
        let (real_dir, paths) = match self.discover() {
            Ok(found) => found,
            Err(r) => {
                report.rejected.push(r);
                return report;
            }
        };
        let mut checked_dirs = HashSet::from([real_dir]);
        let mut seen: HashMap<(u64, u64), PathBuf> = HashMap::new();
        let mut owner_of: HashMap<String, PathBuf> = HashMap::new();
        for path in paths {
            let (library, meta) = match self.open_candidate(&path, &mut checked_dirs) {
                Ok(opened) => opened,
                Err(r) => {
                    report.rejected.push(r);
                    continue;
                }
            };
            if let Some(first) = seen.get(&(meta.dev(), meta.ino())) {
                tracing::info!(
                    "skipping {}: same file as {}",
                    path.display(),
                    first.display()
                );
                continue;
            }
            seen.insert((meta.dev(), meta.ino()), path.clone());
            if let Err(r) = self.check_permissions(&path, &meta) {
                report.rejected.push(r);
                continue;
            }
            if let Err(r) = check_elf(&path, &library) {
                report.rejected.push(r);
                continue;
            }
            match load_library(&path, library) {
                Ok((module, sdk_version)) => {
                    self.create_plugins(&path, module, &sdk_version, &mut owner_of, &mut report)
                }
                Err(r) => report.rejected.push(r),
            }
        }
        report.plugins.sort_by(|a, b| a.name.cmp(&b.name));
        report
    }

    /// The plugin directory's real path (checked up to `/`) and its `*.so`
    /// entries, sorted by name.
    fn discover(&self) -> Result<(PathBuf, Vec<PathBuf>), Rejection> {
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
        let real_dir = file::check_directory(dir, self.trusted_uid)?;
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
        Ok((real_dir, paths))
    }

    /// Resolves `path` once, checks the target's directories (those not
    /// checked yet) and opens the target without following anything
    /// again: the descriptor and what `fstat` says of it.
    fn open_candidate(
        &self,
        path: &Path,
        checked_dirs: &mut HashSet<PathBuf>,
    ) -> Result<(fs::File, fs::Metadata), Rejection> {
        let unreadable = |e: std::io::Error| {
            reject(
                path,
                format!("cannot be read: {e}"),
                "remove the file or the broken link",
            )
        };
        let target = fs::canonicalize(path).map_err(unreadable)?;
        if let Some(parent) = target.parent()
            && !checked_dirs.contains(parent)
        {
            file::check_directory(parent, self.trusted_uid)
                .map_err(|r| reject(path, format!("{}: {}", r.path.display(), r.reason), r.fix))?;
            checked_dirs.insert(parent.to_path_buf());
        }
        let library = file::open_no_follow(&target).map_err(unreadable)?;
        let meta = library.metadata().map_err(unreadable)?;
        Ok((library, meta))
    }

    /// The permission gate, on what `fstat` said of the opened file.
    fn check_permissions(&self, path: &Path, meta: &fs::Metadata) -> Result<(), Rejection> {
        if !meta.is_file() {
            return Err(reject(
                path,
                "not a regular file",
                "remove it from the plugin directory",
            ));
        }
        file::check_owner_and_mode(path, meta, "file", self.trusted_uid)?;
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
                    // An older SDK wrote `{}`; anything unreadable declares nothing.
                    config_keys: serde_json::from_str::<
                        nipart_plugin_api::protocol::daemon::PluginMetadata,
                    >(d.metadata.as_str())
                    .ok()
                    .and_then(|m| m.config_keys),
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

fn check_elf(path: &Path, library: &fs::File) -> Result<(), Rejection> {
    let mut magic = [0u8; 4];
    match library.read_exact_at(&mut magic, 0) {
        Ok(()) if magic == *b"\x7fELF" => Ok(()),
        Ok(()) | Err(_) => Err(reject(
            path,
            "not an ELF shared library",
            "remove it from the plugin directory",
        )),
    }
}

/// Opens the library (the file `library` is open on, through
/// `/proc/self/fd/N`) and passes its root module through abi_stable's
/// version and layout checks.
fn load_library(path: &Path, library: fs::File) -> Result<(PluginModuleRef, String), Rejection> {
    let fd = library.as_raw_fd();
    let by_fd = PathBuf::from(format!("/proc/self/fd/{fd}"));
    // Kept open for good, whatever the outcome: the dynamic loader may
    // keep the library under this name, which must never name another
    // file (see the module docs).
    let _ = library.into_raw_fd();
    let header = lib_header_from_path(&by_fd).map_err(|e| match e {
        LibraryError::GetSymbolError { .. } => reject(
            path,
            "not a nipart plugin: it does not export the plugin root module",
            "build it with nipart-plugin-api and call nipart_plugin_api::export_plugins!(), or remove it",
        ),
        LibraryError::OpenError { err, .. } => reject(
            path,
            format!(
                "cannot be loaded: {}",
                err.to_string()
                    .replace(&by_fd.display().to_string(), &path.display().to_string())
            ),
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
