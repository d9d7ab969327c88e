//! Where the configuration comes from and how the layers merge.
//!
//! The daemon reads, in this order, the vendor defaults
//! `/usr/lib/nipart/nipartd.toml` and `/usr/lib/nipart/conf.d/*.toml`, then
//! the administrator's `/etc/nipart/nipartd.toml` and
//! `/etc/nipart/conf.d/*.toml` (each `conf.d/` in file-name order). Missing
//! files are fine. Tables merge key by key and a later value replaces an
//! earlier one (arrays are values: they are replaced, not appended), so a
//! drop-in only says what it changes. Command-line options are a last layer.
//!
//! Every file is checked on its own before it is merged, so that an error
//! names the file that holds the bad value: unknown keys are warnings (or
//! errors in strict mode), values of the wrong type and TOML syntax errors
//! are errors with file, line and key. Values that parse but are not
//! acceptable are found on the merged result and reported against the file
//! the value came from ([`LoadedConfig::origins`]).

use std::{
    collections::BTreeMap,
    fmt,
    path::{Path, PathBuf},
};

use nipart_plugin_api::file;

use super::DaemonConfig;

/// The vendor's directory (defaults shipped with the package).
pub const VENDOR_DIR: &str = "usr/lib/nipart";
/// The administrator's directory.
pub const ADMIN_DIR: &str = "etc/nipart";
/// The main file's name in either directory.
pub const MAIN_FILE: &str = "nipartd.toml";
/// The drop-in directory's name in either directory.
pub const DROP_IN_DIR: &str = "conf.d";
/// The largest configuration file read, in bytes (1 MiB). Not a key: the
/// files it limits are what would set it.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Which files make up the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// The system layering under this root (`/` normally; a temporary
    /// directory in tests): vendor files, then admin files.
    System(PathBuf),
    /// This one file instead of the system locations (`--config FILE`).
    File(PathBuf),
}

impl ConfigSource {
    /// The system layering under `/`.
    pub fn system() -> Self {
        ConfigSource::System(PathBuf::from("/"))
    }

    /// The files to read, in order, and problems met while listing them.
    pub fn files(&self) -> (Vec<PathBuf>, Vec<Problem>) {
        match self {
            ConfigSource::File(path) => (vec![path.clone()], Vec::new()),
            ConfigSource::System(root) => {
                let mut files = Vec::new();
                let mut problems = Vec::new();
                for dir in [VENDOR_DIR, ADMIN_DIR] {
                    let dir = root.join(dir);
                    let main = dir.join(MAIN_FILE);
                    // Whatever is there (a link, a FIFO) is listed, to be
                    // refused with its reason rather than skipped.
                    if main.symlink_metadata().is_ok() {
                        files.push(main);
                    }
                    match drop_ins(&dir.join(DROP_IN_DIR)) {
                        Ok(mut d) => files.append(&mut d),
                        Err(p) => problems.push(p),
                    }
                }
                (files, problems)
            }
        }
    }
}

/// The `*.toml` entries of a `conf.d/` directory (whatever their kind:
/// the reader refuses what is not a regular file) in file-name order (none
/// if it does not exist).
fn drop_ins(dir: &Path) -> Result<Vec<PathBuf>, Problem> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Problem::error(
                Origin::File(dir.to_path_buf()),
                format!("the directory cannot be read: {e}"),
            ));
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "toml")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The text of one configuration file, read checked (see the module
/// docs); the error is the problem's message (`reason; fix: ...`).
fn read_file(path: &Path) -> crate::error::Result<String> {
    let message = match file::read_trusted(path, MAX_FILE_BYTES) {
        Ok(Some(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => return Ok(text),
            Err(e) => format!(
                "not UTF-8 text (byte {}); fix: save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        },
        Ok(None) => format!(
            "cannot be read: {}",
            std::io::Error::from_raw_os_error(libc::ENOENT)
        ),
        Err(r) if r.kind == file::RefusalKind::TooLarge => format!(
            "{}; fix: a configuration file may be at most {MAX_FILE_BYTES} bytes",
            r.reason
        ),
        Err(r) if r.path != path => {
            format!("{}: {}; fix: {}", r.path.display(), r.reason, r.fix)
        }
        Err(r) => format!("{}; fix: {}", r.reason, r.fix),
    };
    Err(crate::Error::new(crate::ErrorKind::Io, message))
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    /// A command-line option such as `--log-level`.
    CommandLine(&'static str),
    /// A text given to [`DaemonConfig::from_toml`].
    Text,
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::CommandLine(flag) => write!(f, "command line ({flag})"),
            Origin::Text => f.write_str("<text>"),
            Origin::Default => f.write_str("built-in default"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The configuration is used; something in it is ignored.
    Warning,
    /// The configuration can't be used.
    Error,
}

/// One thing wrong with the configuration, as
/// `FILE: [line N: ][KEY: ]message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub origin: Origin,
    pub line: Option<usize>,
    /// The key's dotted path (`api.max_connections`), when one is at fault.
    pub key: Option<String>,
    pub message: String,
}

impl Problem {
    fn error(origin: Origin, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            origin,
            line: None,
            key: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.origin != Origin::Text {
            write!(f, "{}: ", self.origin)?;
        }
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A value set on the command line, applied over every file.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Dotted key path, e.g. `api.socket`.
    pub key: &'static str,
    pub value: toml::Value,
    /// The option, e.g. `--socket`.
    pub flag: &'static str,
}

/// The merged configuration and everything learnt while building it.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    /// The merged tables, as written (before defaults).
    pub merged: toml::Table,
    /// For every dotted key path set by a file or an option, where its
    /// value came from. Keys not in here have their default.
    pub origins: BTreeMap<String, Origin>,
    /// The merged configuration with defaults filled in; `None` when the
    /// files could not be merged into one (type errors, syntax errors).
    /// It may still hold values [`DaemonConfig::invalid_values`] refuses:
    /// see [`Self::problems`].
    pub config: Option<DaemonConfig>,
    pub problems: Vec<Problem>,
}

impl LoadedConfig {
    /// Reads the source's files and the overrides (unknown keys are
    /// warnings).
    pub fn load(source: &ConfigSource, overrides: &[Override]) -> Self {
        let (files, problems) = source.files();
        let mut b = Builder::new(false);
        b.problems = problems;
        for file in &files {
            match read_file(file) {
                Ok(text) => b.layer(&text, Origin::File(file.clone())),
                Err(e) => b
                    .problems
                    .push(Problem::error(Origin::File(file.clone()), e.message())),
            }
        }
        for o in overrides {
            b.set(o.key, o.value.clone(), Origin::CommandLine(o.flag));
        }
        b.finish(files)
    }

    /// Parses one text (unknown keys are errors).
    pub fn from_text(text: &str, origin: Origin) -> Self {
        let mut b = Builder::new(true);
        b.layer(text, origin);
        b.finish(Vec::new())
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }

    /// The configuration and its warnings, or every error.
    pub fn into_result(self) -> Result<(DaemonConfig, Vec<Problem>), Vec<Problem>> {
        match self.config {
            Some(c) if self.errors().next().is_none() => Ok((c, self.problems)),
            _ => Err(self
                .problems
                .into_iter()
                .filter(|p| p.severity == Severity::Error)
                .collect()),
        }
    }

    /// The configuration if nothing at all is wrong with it; otherwise
    /// every problem, one per line.
    pub(crate) fn into_strict(self) -> crate::error::Result<DaemonConfig> {
        match self.config {
            Some(c) if self.problems.is_empty() => Ok(c),
            _ => Err(crate::Error::new(
                crate::ErrorKind::Config,
                self.problems
                    .iter()
                    .map(Problem::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )),
        }
    }

    /// Where the value of `key` came from.
    pub fn origin(&self, key: &str) -> &Origin {
        self.origins.get(key).unwrap_or(&Origin::Default)
    }
}

/// Merges layers one at a time.
struct Builder {
    strict: bool,
    merged: toml::Table,
    origins: BTreeMap<String, Origin>,
    /// Where each key under `plugin.` was written, last layer first.
    positions: BTreeMap<String, Position>,
    problems: Vec<Problem>,
}

impl Builder {
    fn new(strict: bool) -> Self {
        Self {
            strict,
            merged: toml::Table::new(),
            origins: BTreeMap::new(),
            positions: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    /// Checks one file's text on its own, then merges it. A file with an
    /// error is not merged.
    fn layer(&mut self, text: &str, origin: Origin) {
        let table: toml::Table = match toml::from_str(text) {
            Ok(t) => t,
            Err(e) => {
                self.problems.push(Problem {
                    severity: Severity::Error,
                    line: line_of(text, &e),
                    origin,
                    key: None,
                    message: one_line(e.message()),
                });
                return;
            }
        };
        let mut unknown = Vec::new();
        let checked: Result<DaemonConfig, _> = serde_path_to_error::deserialize(
            serde_ignored::Deserializer::new(toml::Deserializer::new(text), &mut |path| {
                unknown.push(path.to_string())
            }),
        );
        if let Err(e) = checked {
            let key = e.path().to_string();
            let inner = e.into_inner();
            self.problems.push(Problem {
                severity: Severity::Error,
                line: line_of(text, &inner),
                origin: origin.clone(),
                key: (key != ".").then_some(key.clone()),
                message: one_line(inner.message()),
            });
            // Every other problem of the file too, not only the first:
            // without each key that failed, again, until none fails.
            self.problems
                .extend(other_type_errors(text, &table, &key, &origin));
            return;
        }
        for key in unknown {
            self.problems.push(if self.strict {
                Problem::error(origin.clone(), format!("unknown key {key}"))
            } else {
                Problem {
                    severity: Severity::Warning,
                    ..Problem::error(origin.clone(), format!("unknown key {key} (ignored)"))
                }
            });
        }
        if let Origin::File(file) = &origin {
            record_plugin_positions(text, file, &mut self.positions);
        }
        merge(&mut self.merged, table, "", &origin, &mut self.origins);
    }

    /// Sets one dotted key over everything merged so far.
    fn set(&mut self, key: &str, value: toml::Value, origin: Origin) {
        let mut parts: Vec<&str> = key.split('.').collect();
        let Some(last) = parts.pop() else {
            return;
        };
        let mut table = &mut self.merged;
        for part in parts {
            let entry = table
                .entry(part.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            let toml::Value::Table(t) = entry else {
                return;
            };
            table = t;
        }
        table.insert(last.to_string(), value);
        self.origins.insert(key.to_string(), origin);
    }

    fn finish(mut self, files: Vec<PathBuf>) -> LoadedConfig {
        let config = if self.problems.iter().any(|p| p.severity == Severity::Error) {
            None
        } else {
            match toml::Value::Table(self.merged.clone()).try_into::<DaemonConfig>() {
                Ok(mut c) => {
                    c.plugin_positions = PluginPositions(std::mem::take(&mut self.positions));
                    Some(c)
                }
                Err(e) => {
                    let origin = files.last().cloned().map_or(Origin::Default, Origin::File);
                    self.problems.push(Problem::error(
                        origin,
                        format!(
                            "the merged configuration is invalid: {}",
                            one_line(e.message())
                        ),
                    ));
                    None
                }
            }
        };
        if let Some(c) = &config {
            for invalid in c.invalid_values() {
                let origin = self
                    .origins
                    .get(&invalid.key)
                    .cloned()
                    .unwrap_or(Origin::Default);
                self.problems.push(Problem {
                    severity: Severity::Error,
                    origin,
                    line: None,
                    key: Some(invalid.key),
                    message: invalid.reason,
                });
            }
        }
        LoadedConfig {
            files,
            merged: self.merged,
            origins: self.origins,
            config,
            problems: self.problems,
        }
    }
}

/// The most type errors reported for one file after its first.
const MAX_TYPE_ERRORS: usize = 64;

/// The type errors of `table` (the file `text`) after the first one, at
/// `first`: each failing key is left out and the rest checked again.
fn other_type_errors(
    text: &str,
    table: &toml::Table,
    first: &str,
    origin: &Origin,
) -> Vec<Problem> {
    let mut rest = table.clone();
    let mut out = Vec::new();
    let mut failed = first.to_string();
    for _ in 0..MAX_TYPE_ERRORS {
        if !remove_path(&mut rest, &failed) {
            break;
        }
        let checked: Result<DaemonConfig, _> =
            serde_path_to_error::deserialize(toml::Value::Table(rest.clone()));
        let Err(e) = checked else { break };
        failed = e.path().to_string();
        out.push(Problem {
            severity: Severity::Error,
            line: line_of_key(text, &failed),
            origin: origin.clone(),
            key: (failed != ".").then(|| failed.clone()),
            message: one_line(e.into_inner().message()),
        });
    }
    out.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    out
}

/// Removes the key at the dotted `path` (an index in its last part,
/// `required_plugins[1]`, removes the whole list); whether it was there.
fn remove_path(table: &mut toml::Table, path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else {
        return false;
    };
    let last = last.split('[').next().unwrap_or(last);
    let mut t = table;
    for part in parts {
        let part = part.split('[').next().unwrap_or(part);
        match t.get_mut(part) {
            Some(toml::Value::Table(inner)) => t = inner,
            _ => return false,
        }
    }
    t.remove(last).is_some()
}

/// The 1-based line where `path`'s key is written in `text` (`[api]` then
/// `idle_timeout_ms = …`), when it is written once so.
fn line_of_key(text: &str, path: &str) -> Option<usize> {
    let path = path.split('[').next().unwrap_or(path);
    let (section, key) = path.rsplit_once('.').unwrap_or(("", path));
    let mut current = String::new();
    let mut found = None;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            current = h.trim().to_string();
        } else if current == section
            && l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        {
            if found.is_some() {
                return None;
            }
            found = Some(i + 1);
        }
    }
    found
}

/// A TOML error message on one line (it may span several).
fn one_line(message: &str) -> String {
    message.trim().lines().collect::<Vec<_>>().join("; ")
}

/// The 1-based line of a TOML error's span.
fn line_of(text: &str, e: &toml::de::Error) -> Option<usize> {
    let span = e.span()?;
    let upto = text.get(..span.start)?;
    Some(upto.matches('\n').count() + 1)
}

/// Where a key of a `[plugin.NAME]` section was written: a plugin's
/// configuration error names it (`FILE:LINE:COLUMN`), since the plugin only
/// sees the section as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// The [`Position`] of every key under `plugin.` in the files, by dotted
/// path (`plugin.dhcp.servers[0].port`; a section's own path is where its
/// header is). Not configuration: never serialized, and two configurations
/// that differ only in where their keys were written are equal.
#[derive(Debug, Clone, Default)]
pub struct PluginPositions(pub BTreeMap<String, Position>);

impl PartialEq for PluginPositions {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl PluginPositions {
    /// Where `path` (a path inside plugin `name`'s section, as
    /// `serde_path_to_error` writes it; `.` for the section) was written:
    /// the key itself, else its nearest enclosing table or array.
    pub fn find(&self, name: &str, path: &str) -> Option<&Position> {
        let mut key = format!("plugin.{name}");
        if path != "." && !path.is_empty() {
            if !path.starts_with('[') {
                key.push('.');
            }
            key.push_str(path);
        }
        loop {
            if let Some(p) = self.0.get(&key) {
                return Some(p);
            }
            let cut = key.rfind(['.', '['])?;
            key.truncate(cut);
        }
    }
}

/// Records the positions of the keys under `plugin.` in one file's text.
pub(crate) fn record_plugin_positions(
    text: &str,
    file: &Path,
    out: &mut BTreeMap<String, Position>,
) {
    let Ok(doc) = toml_edit::ImDocument::parse(text) else {
        return; // the caller has reported the syntax error
    };
    let Some(plugin) = doc.get("plugin") else {
        return;
    };
    let at = |offset: usize| {
        let before = text.get(..offset).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            file: file.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    };
    walk_item(plugin, "plugin".to_string(), &at, out);
}

fn walk_item(
    item: &toml_edit::Item,
    path: String,
    at: &dyn Fn(usize) -> Position,
    out: &mut BTreeMap<String, Position>,
) {
    match item {
        toml_edit::Item::Table(t) => {
            if let Some(span) = t.span() {
                out.insert(path.clone(), at(span.start));
            }
            for (key, value) in t.iter() {
                walk_item(value, format!("{path}.{key}"), at, out);
            }
        }
        toml_edit::Item::ArrayOfTables(a) => {
            for (i, t) in a.iter().enumerate() {
                let p = format!("{path}[{i}]");
                if let Some(span) = t.span() {
                    out.insert(p.clone(), at(span.start));
                }
                for (key, value) in t.iter() {
                    walk_item(value, format!("{p}.{key}"), at, out);
                }
            }
        }
        toml_edit::Item::Value(v) => walk_value(v, path, at, out),
        toml_edit::Item::None => {}
    }
}

fn walk_value(
    value: &toml_edit::Value,
    path: String,
    at: &dyn Fn(usize) -> Position,
    out: &mut BTreeMap<String, Position>,
) {
    if let Some(span) = value.span() {
        out.insert(path.clone(), at(span.start));
    }
    match value {
        toml_edit::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                walk_value(v, format!("{path}[{i}]"), at, out);
            }
        }
        toml_edit::Value::InlineTable(t) => {
            for (key, v) in t.iter() {
                walk_value(v, format!("{path}.{key}"), at, out);
            }
        }
        _ => {}
    }
}

/// Merges `from` into `into` key by key; records where each value came from.
fn merge(
    into: &mut toml::Table,
    from: toml::Table,
    prefix: &str,
    origin: &Origin,
    origins: &mut BTreeMap<String, Origin>,
) {
    for (key, value) in from {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (into.get_mut(&key), value) {
            (Some(toml::Value::Table(old)), toml::Value::Table(new)) => {
                merge(old, new, &path, origin, origins);
            }
            (_, value) => {
                // What was below the replaced value came from elsewhere.
                let below = format!("{path}.");
                origins.retain(|k, _| !k.starts_with(&below));
                record(&path, &value, origin, origins);
                into.insert(key, value);
            }
        }
    }
}

fn record(
    path: &str,
    value: &toml::Value,
    origin: &Origin,
    origins: &mut BTreeMap<String, Origin>,
) {
    origins.insert(path.to_string(), origin.clone());
    if let toml::Value::Table(t) = value {
        for (k, v) in t {
            record(&format!("{path}.{k}"), v, origin, origins);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A system layout under a temporary root.
    fn root_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = root.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        root
    }

    #[test]
    fn layers_merge_key_by_key_in_order() {
        let root = root_with(&[
            (
                "usr/lib/nipart/nipartd.toml",
                "log_level = \"warn\"\nrequired_plugins = [\"kernel\"]\n[api]\nmax_connections = 10\n[plugin.dhcp]\ntimeout = 3\nretries = 2\n",
            ),
            ("usr/lib/nipart/conf.d/50-b.toml", "init_timeout_ms = 50\n"),
            (
                "usr/lib/nipart/conf.d/10-a.toml",
                "init_timeout_ms = 10\nshutdown_timeout_ms = 10\n",
            ),
            ("usr/lib/nipart/conf.d/notes.txt", "not toml at all ["),
            (
                "etc/nipart/nipartd.toml",
                "[plugin.dhcp]\ntimeout = 9\n[api]\nmax_connections_per_uid = 5\n",
            ),
            (
                "etc/nipart/conf.d/20-x.toml",
                "required_plugins = [\"state\"]\n",
            ),
        ]);
        let r = root.path();
        let loaded = LoadedConfig::load(
            &ConfigSource::System(r.to_path_buf()),
            &[Override {
                key: "log_level",
                value: toml::Value::String("debug".into()),
                flag: "--log-level",
            }],
        );
        assert_eq!(loaded.problems, []);
        assert_eq!(
            loaded.files,
            [
                r.join("usr/lib/nipart/nipartd.toml"),
                r.join("usr/lib/nipart/conf.d/10-a.toml"),
                r.join("usr/lib/nipart/conf.d/50-b.toml"),
                r.join("etc/nipart/nipartd.toml"),
                r.join("etc/nipart/conf.d/20-x.toml"),
            ]
        );
        let c = loaded.config.clone().unwrap();
        assert_eq!(c.log_level, "debug");
        assert_eq!(c.init_timeout_ms, 50);
        assert_eq!(c.shutdown_timeout_ms, 10);
        assert_eq!(c.required_plugins, ["state"]); // arrays are replaced
        assert_eq!(c.api.max_connections, 10);
        assert_eq!(c.api.max_connections_per_uid, 5);
        assert_eq!(
            c.plugin_section_json("dhcp"),
            r#"{"retries":2,"timeout":9}"#
        );
        assert_eq!(
            loaded.origin("plugin.dhcp.timeout"),
            &Origin::File(r.join("etc/nipart/nipartd.toml"))
        );
        assert_eq!(
            loaded.origin("plugin.dhcp.retries"),
            &Origin::File(r.join("usr/lib/nipart/nipartd.toml"))
        );
        assert_eq!(
            loaded.origin("log_level"),
            &Origin::CommandLine("--log-level")
        );
        assert_eq!(loaded.origin("queue_capacity"), &Origin::Default);
    }

    #[test]
    fn missing_files_are_fine() {
        let root = tempfile::tempdir().unwrap();
        let loaded = LoadedConfig::load(&ConfigSource::System(root.path().to_path_buf()), &[]);
        assert!(loaded.files.is_empty());
        assert_eq!(loaded.problems, []);
        assert_eq!(loaded.config, Some(DaemonConfig::default()));
    }

    #[test]
    fn problems_name_file_line_and_key() {
        let root = root_with(&[
            ("usr/lib/nipart/nipartd.toml", "queue_capacity = 0\n"),
            (
                "etc/nipart/conf.d/10-x.toml",
                "log_level = \"info\"\n[api]\nmax_conections = 3\n[plugin.x]\nanything = 1\n",
            ),
            (
                "etc/nipart/conf.d/20-y.toml",
                "\n[api]\nidle_timeout_ms = \"soon\"\n",
            ),
            ("etc/nipart/conf.d/30-z.toml", "plugin_dir = \n"),
        ]);
        let r = root.path();
        let loaded = LoadedConfig::load(&ConfigSource::System(r.to_path_buf()), &[]);
        let shown: Vec<(Severity, String)> = loaded
            .problems
            .iter()
            .map(|p| (p.severity, p.to_string()))
            .collect();
        let x = r.join("etc/nipart/conf.d/10-x.toml").display().to_string();
        let y = r.join("etc/nipart/conf.d/20-y.toml").display().to_string();
        let z = r.join("etc/nipart/conf.d/30-z.toml").display().to_string();
        assert_eq!(
            shown,
            [
                (
                    Severity::Warning,
                    format!("{x}: unknown key api.max_conections (ignored)")
                ),
                (
                    Severity::Error,
                    format!(
                        "{y}: line 3: api.idle_timeout_ms: invalid type: string \"soon\", expected u64"
                    )
                ),
                (
                    Severity::Error,
                    format!("{z}: line 1: invalid string; expected `\"`, `'`")
                ),
            ]
        );
        // Without the bad files, the value error is reported against the
        // file that set it.
        std::fs::remove_file(r.join("etc/nipart/conf.d/20-y.toml")).unwrap();
        std::fs::remove_file(r.join("etc/nipart/conf.d/30-z.toml")).unwrap();
        let loaded = LoadedConfig::load(&ConfigSource::System(r.to_path_buf()), &[]);
        let errors: Vec<String> = loaded.errors().map(Problem::to_string).collect();
        assert_eq!(
            errors,
            [format!(
                "{}: queue_capacity: 0 is out of range 1..=1048576",
                r.join("usr/lib/nipart/nipartd.toml").display()
            )]
        );
        assert!(loaded.into_result().is_err());
    }

    #[test]
    fn every_type_error_of_a_file_is_reported() {
        let loaded = LoadedConfig::from_text(
            "log_level = 5\nqueue_capacity = \"many\"\n[api]\nidle_timeout_ms = \"soon\"\nmax_connections = true\n",
            Origin::Text,
        );
        let errors: Vec<String> = loaded.errors().map(Problem::to_string).collect();
        assert_eq!(
            errors,
            [
                "line 1: log_level: invalid type: integer `5`, expected a string",
                "line 2: queue_capacity: invalid type: string \"many\", expected usize",
                "line 4: api.idle_timeout_ms: invalid type: string \"soon\", expected u64",
                "line 5: api.max_connections: invalid type: boolean `true`, expected usize",
            ]
        );
    }

    #[test]
    fn hostile_files_are_refused_with_reason_and_fix() {
        use std::os::unix::fs::PermissionsExt;
        let root = root_with(&[
            ("etc/nipart/conf.d/10-big.toml", ""),
            ("etc/nipart/conf.d/20-open.toml", "log_level = \"debug\"\n"),
            (
                "usr/lib/nipart/conf.d/10-fine.toml",
                "init_timeout_ms = 7\n",
            ),
        ]);
        let r = root.path();
        let main = r.join("etc/nipart/nipartd.toml");
        let c = std::ffi::CString::new(main.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let big = r.join("etc/nipart/conf.d/10-big.toml");
        std::fs::write(&big, vec![b'#'; (MAX_FILE_BYTES + 1) as usize]).unwrap();
        let open = r.join("etc/nipart/conf.d/20-open.toml");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
        let link = r.join("etc/nipart/conf.d/30-link.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let dir = r.join("etc/nipart/conf.d/40-dir.toml");
        std::fs::create_dir(&dir).unwrap();

        let loaded = LoadedConfig::load(&ConfigSource::System(r.to_path_buf()), &[]);
        let errors: Vec<String> = loaded.errors().map(Problem::to_string).collect();
        assert_eq!(
            errors,
            [
                format!(
                    "{}: not a regular file (it is a FIFO); fix: replace it with a regular file",
                    main.display()
                ),
                format!(
                    "{}: 1048577 bytes is over the limit of 1048576 bytes; \
                     fix: a configuration file may be at most 1048576 bytes",
                    big.display()
                ),
                format!(
                    "{0}: the file is group- or other-writable (mode 666); fix: chmod go-w {0}",
                    open.display()
                ),
                format!(
                    "{}: is a symbolic link, which is not followed here; \
                     fix: replace the link with the file itself",
                    link.display()
                ),
                format!(
                    "{}: not a regular file (it is a directory); fix: replace it with a regular file",
                    dir.display()
                ),
            ]
        );
        assert!(loaded.into_result().is_err());
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        let loaded = LoadedConfig::load(
            &ConfigSource::File(PathBuf::from("/nonexistent/nipartd.toml")),
            &[],
        );
        let errors: Vec<String> = loaded.errors().map(Problem::to_string).collect();
        assert_eq!(
            errors,
            ["/nonexistent/nipartd.toml: cannot be read: No such file or directory (os error 2)"]
        );
    }
}
