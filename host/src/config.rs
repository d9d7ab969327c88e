//! The daemon's configuration: what it holds ([`DaemonConfig`]), where it
//! comes from ([`sources`]: vendor defaults, admin files and `conf.d/`
//! drop-ins merged key by key) and how it is shown ([`render`]).
//!
//! `docs/operations.md` describes the files and their order for operators;
//! `nipartd.toml(5)` lists every key.

pub mod render;
pub mod section;
pub mod sources;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};

pub use sources::{
    ConfigSource, LoadedConfig, Origin, Override, PluginPositions, Position, Problem, Severity,
};

/// Where plugins are looked for unless configured otherwise.
pub const DEFAULT_PLUGIN_DIR: &str = "/usr/lib/nipart/plugins";

/// Everything `nipartd` can be told. Every key is optional.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct DaemonConfig {
    /// The directory plugins are loaded from.
    pub plugin_dir: PathBuf,
    /// Plugins whose absence or failed Init aborts start-up. Any other
    /// plugin that fails is isolated and the daemon runs on.
    pub required_plugins: Vec<String>,
    /// How long one plugin's Init may take, in milliseconds.
    pub init_timeout_ms: u64,
    /// How long one plugin's Shutdown may take, in milliseconds.
    pub shutdown_timeout_ms: u64,
    /// How long the whole ordered shutdown may take, in milliseconds.
    pub shutdown_total_timeout_ms: u64,
    /// Capacity of each plugin's event queue.
    pub queue_capacity: usize,
    /// `error`, `warn`, `info`, `debug` or `trace`.
    pub log_level: String,
    /// `[api]`: the public API socket, its admin group and its limits.
    pub api: crate::api::ApiConfig,
    /// `[plugin.NAME]` sections, handed to each plugin as JSON.
    pub plugin: BTreeMap<String, toml::Table>,
    /// Where the keys of the `[plugin.NAME]` sections were written (files
    /// only), for the plugins' configuration errors.
    #[serde(skip)]
    pub plugin_positions: PluginPositions,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            plugin_dir: PathBuf::from(DEFAULT_PLUGIN_DIR),
            required_plugins: Vec::new(),
            init_timeout_ms: 5_000,
            shutdown_timeout_ms: 5_000,
            shutdown_total_timeout_ms: 15_000,
            queue_capacity: 1024,
            log_level: "info".to_string(),
            api: crate::api::ApiConfig::default(),
            plugin: BTreeMap::new(),
            plugin_positions: PluginPositions::default(),
        }
    }
}

/// A value that parses but is not acceptable: its key (dotted path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    pub key: String,
    pub reason: String,
}

impl InvalidValue {
    pub fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

/// The keys whose new value only takes effect when the daemon restarts; a
/// reload (SIGHUP) keeps the running value and warns.
pub const RESTART_KEYS: [&str; 3] = [
    "plugin_dir",
    "queue_capacity",
    crate::api::config::SOCKET_KEY,
];

/// The log levels `log_level` accepts.
pub const LOG_LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

impl DaemonConfig {
    /// Reads and checks one TOML file on its own (no layering). Unknown
    /// keys are errors here; errors name the file, the key and the line.
    pub fn from_file(path: &Path) -> crate::error::Result<Self> {
        LoadedConfig::load(&ConfigSource::File(path.to_path_buf()), &[]).into_strict()
    }

    /// Parses and checks a configuration text (unknown keys are errors), for
    /// daemons started in-process.
    pub fn from_toml(text: &str) -> crate::error::Result<Self> {
        LoadedConfig::from_text(text, Origin::Text).into_strict()
    }

    /// Every unacceptable value, in key order.
    pub fn invalid_values(&self) -> Vec<InvalidValue> {
        let mut out = Vec::new();
        if !LOG_LEVELS.contains(&self.log_level.as_str()) {
            out.push(InvalidValue::new(
                "log_level",
                format!(
                    "{:?} is not one of error, warn, info, debug, trace",
                    self.log_level
                ),
            ));
        }
        if self.queue_capacity == 0 || self.queue_capacity > 1 << 20 {
            out.push(InvalidValue::new(
                "queue_capacity",
                format!("{} is out of range 1..=1048576", self.queue_capacity),
            ));
        }
        for (key, v) in [
            ("init_timeout_ms", self.init_timeout_ms),
            ("shutdown_timeout_ms", self.shutdown_timeout_ms),
            ("shutdown_total_timeout_ms", self.shutdown_total_timeout_ms),
        ] {
            if v == 0 {
                out.push(InvalidValue::new(key, "must be at least 1"));
            }
        }
        if self.plugin_dir.as_os_str().is_empty() {
            out.push(InvalidValue::new("plugin_dir", "must not be empty"));
        }
        for name in &self.required_plugins {
            if name.is_empty() {
                out.push(InvalidValue::new(
                    "required_plugins",
                    "a plugin name must not be empty",
                ));
            }
        }
        self.api.invalid_values(&mut out);
        out
    }

    /// The first unacceptable value as `key: reason`.
    pub fn validate(&self) -> crate::error::Result<()> {
        match self.invalid_values().into_iter().next() {
            Some(e) => Err(Error::new(ErrorKind::Config, e.to_string())),
            None => Ok(()),
        }
    }

    pub fn init_timeout(&self) -> Duration {
        Duration::from_millis(self.init_timeout_ms)
    }

    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_millis(self.shutdown_timeout_ms)
    }

    pub fn shutdown_total_timeout(&self) -> Duration {
        Duration::from_millis(self.shutdown_total_timeout_ms)
    }

    /// The `[plugin.NAME]` section as a JSON object (`{}` when absent).
    pub fn plugin_section_json(&self, name: &str) -> String {
        self.plugin_section(name).json
    }

    /// The `[plugin.NAME]` section as JSON, with where its values were
    /// written.
    pub fn plugin_section(&self, name: &str) -> section::SectionJson {
        section::SectionJson::new(name, self.plugin.get(name), &self.plugin_positions)
    }

    /// The [`RESTART_KEYS`] whose value differs in `new`.
    pub fn restart_keys_changed(&self, new: &DaemonConfig) -> Vec<&'static str> {
        RESTART_KEYS
            .into_iter()
            .filter(|key| match *key {
                "plugin_dir" => self.plugin_dir != new.plugin_dir,
                "queue_capacity" => self.queue_capacity != new.queue_capacity,
                _ => self.api.socket != new.api.socket,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let c = DaemonConfig::from_toml(
            "plugin_dir = \"/tmp/p\"\nrequired_plugins = [\"kernel\"]\n[plugin.dhcp]\ntimeout = 3\n",
        )
        .unwrap();
        assert_eq!(c.plugin_dir, PathBuf::from("/tmp/p"));
        assert_eq!(c.plugin_section_json("dhcp"), r#"{"timeout":3}"#);
        assert_eq!(c.plugin_section_json("kernel"), "{}");

        let e = DaemonConfig::from_toml("plugin_dri = \"/x\"\n").unwrap_err();
        assert_eq!(e, "unknown key plugin_dri");
        let e = DaemonConfig::from_toml("log_level = \"loud\"\n").unwrap_err();
        assert_eq!(
            e,
            "log_level: \"loud\" is not one of error, warn, info, debug, trace"
        );
        let e = DaemonConfig::from_toml("queue_capacity = \"many\"\n").unwrap_err();
        assert_eq!(
            e,
            "line 1: queue_capacity: invalid type: string \"many\", expected usize"
        );
    }

    #[test]
    fn restart_keys_are_detected() {
        let a = DaemonConfig::default();
        let mut b = a.clone();
        b.log_level = "debug".into();
        assert!(a.restart_keys_changed(&b).is_empty());
        b.queue_capacity = 7;
        b.api.socket = "/tmp/other.sock".into();
        assert_eq!(a.restart_keys_changed(&b), ["queue_capacity", "api.socket"]);
    }
}
