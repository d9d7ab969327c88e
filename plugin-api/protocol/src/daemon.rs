//! What the daemon itself says to plugins, and what the SDK and the daemon
//! say to each other through the ABI's generic calls.
//!
//! | topic | from → to | payload / request | reply |
//! | --- | --- | --- | --- |
//! | `daemon.started` | daemon → every plugin (notice), once every Init returned | [`DaemonStarted`] | |
//! | `daemon.stopping` | daemon → `commander`, on SIGTERM/SIGINT before anything stops | [`DaemonStopping`] | [`Empty`], once the apply in progress ended |
//! | `bus.missed` | daemon → one member, before its next event after drops | [`BusMissed`] | |
//! | `plugin.stopped` | daemon → every plugin (notice) | [`PluginStopped`] | |
//! | `plugin.failed` | daemon → every plugin (notice) | [`PluginFailed`] | |
//! | `config.changed` | daemon → one plugin, after a reload changed its section | [`ConfigChanged`] | |
//! | `daemon.ping` | daemon → daemon (health check) | [`DaemonPing`] | |
//!
//! The generic calls (`call(method, bytes)` on the daemon handle and on a
//! plugin; the frozen ABI's way to grow) are [`DaemonCall`]s: their method
//! name and their input and output bytes are typed here.

use serde::{Deserialize, Serialize};

use crate::{Empty, Hello, Role, notice, notice_newtype, request};

/// The plugins running when `daemon.started` was sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonStarted {
    #[serde(default)]
    pub plugins: Vec<String>,
}
notice!(DaemonStarted, "daemon.started");

/// The daemon is stopping: from then on the commander refuses new
/// applies, and it replies once the apply in progress, if any, has ended
/// (verified and saved, or rolled back). The daemon waits for the reply
/// until `shutdown_total_timeout_ms`, with the API still up so that the
/// apply's client gets its answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonStopping {}
request!(DaemonStopping, "daemon.stopping", Role::COMMANDER, Empty);

/// Events dropped because the member's queue was full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusMissed {
    /// How many events were dropped since the last notice.
    pub missed: u64,
}
notice!(BusMissed, "bus.missed");

/// A plugin that stopped taking events, so that others can drop what they
/// hold for it (the monitor drops its rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginGone {
    /// The plugin's name.
    pub plugin: String,
    /// Why it failed (absent for a clean stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

notice_newtype!(
    /// A plugin's Shutdown returned.
    PluginStopped(PluginGone) = "plugin.stopped"
);
notice_newtype!(
    /// A plugin failed (Init or Shutdown failed, panicked or timed out, or
    /// a handler panicked) and was isolated; [`PluginGone::reason`] says why.
    PluginFailed(PluginGone) = "plugin.failed"
);

/// A plugin's new configuration section (`{}` when it was removed), sent
/// to it alone after a reload changed it. From then on the SDK's
/// `Context::config` returns the new section too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConfigChanged(pub serde_json::Map<String, serde_json::Value>);
notice!(ConfigChanged, "config.changed");

/// What the daemon hands a plugin at Init (the ABI's JSON `settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InitSettings {
    /// The capacity of the plugin's event queue.
    pub queue_capacity: usize,
    /// The daemon's log level (`error` … `trace`).
    pub log_level: String,
}

impl Default for InitSettings {
    fn default() -> Self {
        Self {
            queue_capacity: 1024,
            log_level: "info".into(),
        }
    }
}

/// A generic call (`call(method, bytes)`) between the SDK and the daemon,
/// with its input and output encodings. The encodings are those of the
/// first daemon (plain UTF-8 text), which plugins built then still use.
pub trait DaemonCall: Sized {
    const METHOD: &'static str;
    type Output;
    fn encode(&self) -> Vec<u8>;
    /// `None` for input this call does not accept.
    fn decode(input: &[u8]) -> Option<Self>;
    fn encode_output(output: &Self::Output) -> Vec<u8>;
    fn decode_output(bytes: &[u8]) -> Option<Self::Output>;
}

/// Plugin → daemon: the plugin's own state in a line for people (`nipc
/// plugins`), e.g. `connected to n1`; `None` clears it. The daemon keeps
/// the first [`PLUGIN_STATUS_MAX`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetStatus {
    pub status: Option<String>,
}

/// The longest status the daemon keeps.
pub const PLUGIN_STATUS_MAX: usize = 256;

impl DaemonCall for SetStatus {
    const METHOD: &'static str = "nipart.set_status";
    type Output = ();
    fn encode(&self) -> Vec<u8> {
        self.status
            .as_deref()
            .unwrap_or_default()
            .as_bytes()
            .to_vec()
    }
    fn decode(input: &[u8]) -> Option<Self> {
        let text = String::from_utf8_lossy(input).into_owned();
        Some(Self {
            status: (!text.is_empty()).then_some(text),
        })
    }
    fn encode_output(_: &()) -> Vec<u8> {
        Vec::new()
    }
    fn decode_output(_: &[u8]) -> Option<()> {
        Some(())
    }
}

/// SDK → daemon: the SDK contained a panic in a handler; the daemon
/// isolates the plugin. Input: the reason as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFailure {
    pub reason: String,
}

impl DaemonCall for ReportFailure {
    const METHOD: &'static str = "nipart.plugin_failed";
    type Output = ();
    fn encode(&self) -> Vec<u8> {
        self.reason.as_bytes().to_vec()
    }
    fn decode(input: &[u8]) -> Option<Self> {
        Some(Self {
            reason: String::from_utf8_lossy(input).into_owned(),
        })
    }
    fn encode_output(_: &()) -> Vec<u8> {
        Vec::new()
    }
    fn decode_output(_: &[u8]) -> Option<()> {
        Some(())
    }
}

/// SDK → daemon: the daemon's version (text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaemonVersion;

impl DaemonCall for DaemonVersion {
    const METHOD: &'static str = "nipart.daemon_version";
    type Output = String;
    fn encode(&self) -> Vec<u8> {
        Vec::new()
    }
    fn decode(_: &[u8]) -> Option<Self> {
        Some(Self)
    }
    fn encode_output(v: &String) -> Vec<u8> {
        v.as_bytes().to_vec()
    }
    fn decode_output(bytes: &[u8]) -> Option<String> {
        String::from_utf8(bytes.to_vec()).ok()
    }
}

/// Daemon → plugin (the SDK): the daemon's log level changed. Input: the
/// level as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetLogLevel {
    pub level: String,
}

impl DaemonCall for SetLogLevel {
    const METHOD: &'static str = "nipart.set_log_level";
    type Output = ();
    fn encode(&self) -> Vec<u8> {
        self.level.as_bytes().to_vec()
    }
    fn decode(input: &[u8]) -> Option<Self> {
        std::str::from_utf8(input).ok().map(|l| Self {
            level: l.to_string(),
        })
    }
    fn encode_output(_: &()) -> Vec<u8> {
        Vec::new()
    }
    fn decode_output(_: &[u8]) -> Option<()> {
        Some(())
    }
}

/// Daemon → plugin (the SDK): how many events wait in the plugin's queue
/// now. Output: the number in decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueDepth;

impl DaemonCall for QueueDepth {
    const METHOD: &'static str = "nipart.queue_depth";
    type Output = usize;
    fn encode(&self) -> Vec<u8> {
        Vec::new()
    }
    fn decode(_: &[u8]) -> Option<Self> {
        Some(Self)
    }
    fn encode_output(n: &usize) -> Vec<u8> {
        n.to_string().into_bytes()
    }
    fn decode_output(bytes: &[u8]) -> Option<usize> {
        std::str::from_utf8(bytes).ok()?.trim().parse().ok()
    }
}

/// Either way: each side's [`Hello`] (JSON in, JSON out), sent by the SDK
/// at Init. The daemon speaks every protocol version up to its own (the
/// compatibility rule keeps old payloads decodable): it refuses a plugin of
/// a newer version with an `unsupported` error saying how to fix it
/// ([`hello_fix`]). A daemon older than this call answers `unsupported`
/// too: it speaks protocol version 1 without features.
impl DaemonCall for Hello {
    const METHOD: &'static str = "nipart.hello";
    type Output = Hello;
    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
    fn decode(input: &[u8]) -> Option<Self> {
        serde_json::from_slice(input).ok()
    }
    fn encode_output(h: &Hello) -> Vec<u8> {
        h.encode()
    }
    fn decode_output(bytes: &[u8]) -> Option<Hello> {
        Self::decode(bytes)
    }
}

/// How to fix a plugin that speaks protocol version `plugin_version`, which
/// the daemon does not: the second half of the refusal (the daemon's, or
/// the SDK's when an older daemon's hello names an older version).
pub fn hello_fix(plugin_version: u32) -> String {
    format!(
        "run a nipartd release that speaks protocol version {plugin_version}, or rebuild the \
         plugin against the nipart-plugin-api release that matches this daemon"
    )
}

/// The feature a daemon that answers [`Hello`] lists: it knows the hello.
pub const FEATURE_HELLO: &str = "hello";

/// The daemon's health check: a notice it sends itself through the bus
/// (daemon to daemon) and counts on arrival.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonPing {}
notice!(DaemonPing, "daemon.ping");

/// The TOML type of a key of a plugin's `[plugin.NAME]` section, as the
/// plugin declares it (`Plugin::CONFIG_KEYS`), so that `nipartd
/// --check-config` reports unknown keys and values of another type
/// without starting the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigType {
    Boolean,
    Integer,
    String,
    /// A list (of any values).
    Array,
    /// A table (of any keys).
    Table,
}

/// What the SDK puts in a plugin's descriptor metadata (JSON) besides
/// the frozen descriptor fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginMetadata {
    /// The keys of its `[plugin.NAME]` section with their types; absent
    /// when the plugin did not declare them (nothing is checked then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_keys: Option<std::collections::BTreeMap<String, ConfigType>>,
}
