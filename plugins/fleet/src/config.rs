//! `[plugin.fleet]`: read, bounded and checked before anything connects.

use std::{path::PathBuf, time::Duration};

use nipart_plugin_api::{
    Error, Message, Result, TopicPattern,
    protocol::{daemon::ConfigType, fleet::valid_name, workflow::NetworkApplied},
    state::RolledBack,
};
use serde::Deserialize;

/// The keys, for `nipartd --check-config`.
pub const KEYS: &[(&str, ConfigType)] = &[
    ("servers", ConfigType::Array),
    ("host", ConfigType::String),
    ("groups", ConfigType::Array),
    ("permissions", ConfigType::String),
    ("auth", ConfigType::Table),
    ("tls_ca", ConfigType::String),
    ("events", ConfigType::Array),
    ("heartbeat_interval_ms", ConfigType::Integer),
    ("request_timeout_ms", ConfigType::Integer),
];

pub const MAX_SERVERS: usize = 16;
pub const MAX_GROUPS: usize = 32;
pub const MAX_EVENTS: usize = 64;
const MAX_URL: usize = 256;
const MAX_TEXT: usize = 4096;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `nats://host:port` or `tls://host:port`, tried in turn.
    pub servers: Vec<String>,
    /// Our name in subjects; the hostname (up to its first dot) if not given.
    pub host: Option<String>,
    pub groups: Vec<String>,
    /// What the server lets our credentials do: we serve the admin
    /// subjects only with `admin`.
    pub permissions: Permissions,
    pub auth: Option<Auth>,
    /// A CA file: the server's certificate must chain to it (TLS required).
    pub tls_ca: Option<PathBuf>,
    /// Bus notices published on `nipart.<host>.event.<topic>`.
    pub events: Vec<String>,
    pub heartbeat_interval_ms: u64,
    /// How long an admin request may take on this host (an apply with its
    /// verification).
    pub request_timeout_ms: u64,
}

/// The rights the NATS server gives this connection's user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permissions {
    /// The read subjects only.
    #[default]
    Read,
    /// The read and admin subjects.
    Admin,
}

/// How we authenticate to the servers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Auth {
    UserPassword {
        user: String,
        password: String,
    },
    /// A `.creds` file (a JWT and an NKey seed, as `nsc` writes them).
    Credentials {
        file: PathBuf,
    },
    /// A file holding an NKey seed (`SU…`).
    Nkey {
        seed_file: PathBuf,
    },
}

impl Default for Config {
    fn default() -> Self {
        Config {
            servers: vec!["nats://127.0.0.1:4222".into()],
            host: None,
            groups: Vec::new(),
            permissions: Permissions::Read,
            auth: None,
            tls_ca: None,
            events: vec![
                NetworkApplied::TOPIC.into(),
                RolledBack::TOPIC.into(),
                "link.**".into(),
                "dhcp.**".into(),
            ],
            heartbeat_interval_ms: 5_000,
            request_timeout_ms: 120_000,
        }
    }
}

fn bad<T>(m: String) -> Result<T> {
    Err(Error::invalid_input(format!("[plugin.fleet] {m}")))
}

impl Config {
    /// Checks every bound; `hostname` is the machine's, for `host`'s default.
    pub fn check(mut self, hostname: Option<String>) -> Result<Config> {
        if self.servers.is_empty() || self.servers.len() > MAX_SERVERS {
            return bad(format!(
                "servers: {} given, 1 to {MAX_SERVERS} expected",
                self.servers.len()
            ));
        }
        for s in &self.servers {
            let scheme_ok = ["nats://", "tls://"].iter().any(|p| s.starts_with(p));
            if !scheme_ok || s.len() > MAX_URL {
                return bad(format!(
                    "servers: {s:?} is not a nats:// or tls:// URL of at most {MAX_URL} bytes"
                ));
            }
        }
        let host = match self
            .host
            .take()
            .or_else(|| hostname.map(|h| h.split('.').next().unwrap_or_default().to_string()))
        {
            Some(h) => h,
            None => return bad("host: not given and the hostname is unknown".into()),
        };
        // `group` would read as the group subjects' second token.
        if !valid_name(&host) || host == "group" {
            return bad(format!(
                "host = {host:?}: 1 to 64 of A-Z a-z 0-9 _ - expected, not \"group\" (it is a subject token)"
            ));
        }
        self.host = Some(host);
        if self.groups.len() > MAX_GROUPS {
            return bad(format!("groups: more than {MAX_GROUPS}"));
        }
        if let Some(g) = self.groups.iter().find(|g| !valid_name(g) || *g == "group") {
            return bad(format!(
                "groups: {g:?}: 1 to 64 of A-Z a-z 0-9 _ - expected"
            ));
        }
        if self.events.len() > MAX_EVENTS {
            return bad(format!("events: more than {MAX_EVENTS} patterns"));
        }
        for e in &self.events {
            if let Err(err) = TopicPattern::parse(e) {
                return bad(format!("events: {e:?}: {err}"));
            }
        }
        if !(100..=3_600_000).contains(&self.heartbeat_interval_ms) {
            return bad(format!(
                "heartbeat_interval_ms = {} is out of range 100..=3600000",
                self.heartbeat_interval_ms
            ));
        }
        if !(1_000..=3_600_000).contains(&self.request_timeout_ms) {
            return bad(format!(
                "request_timeout_ms = {} is out of range 1000..=3600000",
                self.request_timeout_ms
            ));
        }
        match &self.auth {
            Some(Auth::UserPassword { user, password })
                if user.is_empty() || user.len() > MAX_TEXT || password.len() > MAX_TEXT =>
            {
                return bad("auth: user must be 1 to 4096 bytes, password at most 4096".into());
            }
            _ => {}
        }
        Ok(self)
    }

    /// Our name (set by [`Config::check`]).
    pub fn host(&self) -> &str {
        self.host.as_deref().unwrap_or_default()
    }

    pub fn heartbeat_interval(&self) -> Duration {
        Duration::from_millis(self.heartbeat_interval_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}

/// The machine's hostname (of our UTS namespace).
pub fn hostname() -> Option<String> {
    let h = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let h = h.trim();
    (!h.is_empty()).then(|| h.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_json: serde_json::Value) -> Result<Config> {
        serde_json::from_value::<Config>(toml_json)
            .map_err(|e| Error::invalid_input(e.to_string()))?
            .check(Some("web-1.example.com".into()))
    }

    #[test]
    fn declared_keys_match_the_type() {
        serde_json::from_value::<Config>(nipart_plugin_api::config_keys_sample(KEYS)).unwrap_err();
        // The sample's enums hold no variant (`auth` lacks a method,
        // `permissions` is no level): only those fail.
        let mut sample = nipart_plugin_api::config_keys_sample(KEYS);
        sample["auth"] = serde_json::json!({"method": "nkey", "seed_file": "/x"});
        sample["permissions"] = serde_json::json!("admin");
        serde_json::from_value::<Config>(sample).unwrap();
    }

    #[test]
    fn defaults_take_the_short_hostname() {
        let c = parse(serde_json::json!({})).unwrap();
        assert_eq!(c.host(), "web-1");
        assert_eq!(c.permissions, Permissions::Read);
    }

    #[test]
    fn auth_is_one_method() {
        let c = parse(serde_json::json!({"auth": {"method": "user-password", "user": "ops", "password": "x"}})).unwrap();
        assert!(matches!(c.auth, Some(Auth::UserPassword { .. })));
        let e = serde_json::from_value::<Config>(
            serde_json::json!({"auth": {"method": "user-password", "user": "ops", "password": "x", "file": "/y"}}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("file"), "{e}");
        serde_json::from_value::<Config>(serde_json::json!({"auth": {"method": "token"}}))
            .unwrap_err();
    }

    #[test]
    fn bounds_are_named() {
        let e = parse(serde_json::json!({"host": "a.b"})).unwrap_err();
        assert!(e.to_string().contains("host"), "{e}");
        let e = parse(serde_json::json!({"servers": ["http://x"]})).unwrap_err();
        assert!(e.to_string().contains("servers"), "{e}");
        let e = parse(serde_json::json!({"groups": ["we b"]})).unwrap_err();
        assert!(e.to_string().contains("groups"), "{e}");
        let e = parse(serde_json::json!({"heartbeat_interval_ms": 1})).unwrap_err();
        assert!(e.to_string().contains("heartbeat_interval_ms"), "{e}");
        let e = parse(serde_json::json!({"events": ["a..b"]})).unwrap_err();
        assert!(e.to_string().contains("events"), "{e}");
    }
}
