//! The daemon's configuration (one TOML file for now; layering with
//! `conf.d/` comes with the system-daemon work).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use serde::Deserialize;

/// Where plugins are looked for unless configured otherwise.
pub const DEFAULT_PLUGIN_DIR: &str = "/usr/lib/nipart/plugins";

/// Everything `nipartd` can be told. Every key is optional.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
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
    /// `[plugin.NAME]` sections, handed to each plugin as JSON.
    pub plugin: BTreeMap<String, toml::Table>,
    /// `[api]`: the public API socket, its admin group and its limits.
    pub api: crate::api::ApiConfig,
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
            plugin: BTreeMap::new(),
            api: crate::api::ApiConfig::default(),
        }
    }
}

impl DaemonConfig {
    /// Reads and checks a TOML file. Errors name the file, and for bad
    /// values the key and line.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot be read: {e}", path.display()))?;
        Self::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        let config: Self = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), String> {
        if !matches!(
            self.log_level.as_str(),
            "error" | "warn" | "info" | "debug" | "trace"
        ) {
            return Err(format!(
                "log_level: {:?} is not one of error, warn, info, debug, trace",
                self.log_level
            ));
        }
        if self.queue_capacity == 0 || self.queue_capacity > 1 << 20 {
            return Err(format!(
                "queue_capacity: {} is out of range 1..=1048576",
                self.queue_capacity
            ));
        }
        for (key, v) in [
            ("init_timeout_ms", self.init_timeout_ms),
            ("shutdown_timeout_ms", self.shutdown_timeout_ms),
            ("shutdown_total_timeout_ms", self.shutdown_total_timeout_ms),
        ] {
            if v == 0 {
                return Err(format!("{key}: must be at least 1"));
            }
        }
        self.api.validate()?;
        Ok(())
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
        self.plugin
            .get(name)
            .and_then(|t| serde_json::to_string(t).ok())
            .unwrap_or_else(|| "{}".to_string())
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
        assert!(e.contains("unknown field `plugin_dri`"), "{e}");
        let e = DaemonConfig::from_toml("log_level = \"loud\"\n").unwrap_err();
        assert_eq!(
            e,
            "log_level: \"loud\" is not one of error, warn, info, debug, trace"
        );
        let e = DaemonConfig::from_toml("queue_capacity = \"many\"\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }
}
