//! The `[api]` section of the daemon's configuration.

use std::{path::PathBuf, time::Duration};

use serde::{Deserialize, Serialize};

use crate::config::InvalidValue;

/// Where the API socket is unless configured otherwise.
pub const DEFAULT_SOCKET: &str = "/run/nipart/nipart.sock";

/// The configuration key of the socket's path (a key, not a topic).
pub const SOCKET_KEY: &str = "api.socket";

/// The hard ceiling of `max_message_size` (16 MiB).
pub const MESSAGE_SIZE_CEILING: usize = 16 << 20;

/// The ceiling of `max_unprivileged_calls` and its per-uid sibling: far
/// below the smallest sensible plugin queue (the daemon's `queue_capacity`,
/// default 1024), see the module docs of `crate::api`.
pub const MAX_UNPRIVILEGED_CALLS: usize = 256;

/// The public API: socket, who may change things, and the limits that keep
/// one client from hurting the others. Every key is optional.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct ApiConfig {
    /// Path of the UNIX socket.
    pub socket: PathBuf,
    /// Members of this group (primary or supplementary) may call the methods
    /// that change state, besides root. Unset: only root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_group: Option<String>,
    /// Largest message accepted, in bytes (default 1 MiB, at most 16 MiB).
    pub max_message_size: usize,
    /// Connections open at once, all users together.
    pub max_connections: usize,
    /// Connections open at once by one uid.
    pub max_connections_per_uid: usize,
    /// Of `max_connections`, the slots only admins may take (at most half
    /// of them): callers who are not admins get the rest.
    pub admin_reserved_connections: usize,
    /// `io.nipart.Network` calls of one uid that is not an admin running at
    /// once (all its connections together); more wait their turn.
    pub max_unprivileged_calls_per_uid: usize,
    /// `io.nipart.Network` calls of all callers who are not admins running
    /// at once; more wait their turn. Kept far below the plugins' queue
    /// capacity, so that their traffic can never fill a plugin's queue.
    pub max_unprivileged_calls: usize,
    /// A message must arrive whole within this long from its first byte,
    /// or the connection is closed (a client sending one byte a second).
    pub message_timeout_ms: u64,
    /// Calls a client may send ahead of their replies on one connection.
    pub max_requests_in_flight: usize,
    /// A connection with no call running that sends nothing for this long is
    /// closed; also the longest a single write to a client may take.
    pub idle_timeout_ms: u64,
    /// Replies and stream items queued for one client.
    pub write_queue: usize,
    /// A client whose queue stays full, or a write to which stalls, this
    /// long (it stopped reading) is cut off.
    pub write_timeout_ms: u64,
    /// Bus events queued for one client's Monitor or Network call.
    pub event_queue: usize,
    /// Default timeout of `io.nipart.Network` calls.
    pub call_timeout_ms: u64,
    /// Largest `timeout_ms` a caller may ask for.
    pub max_call_timeout_ms: u64,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            socket: PathBuf::from(DEFAULT_SOCKET),
            admin_group: None,
            max_message_size: 1 << 20,
            max_connections: 256,
            max_connections_per_uid: 64,
            admin_reserved_connections: 16,
            max_unprivileged_calls_per_uid: 4,
            max_unprivileged_calls: 32,
            message_timeout_ms: 5_000,
            max_requests_in_flight: 64,
            idle_timeout_ms: 300_000,
            write_queue: 256,
            write_timeout_ms: 10_000,
            event_queue: 1024,
            call_timeout_ms: 60_000,
            max_call_timeout_ms: 3_600_000,
        }
    }
}

impl ApiConfig {
    /// The first unacceptable value as `key: reason`.
    pub fn validate(&self) -> Result<(), String> {
        let mut out = Vec::new();
        self.invalid_values(&mut out);
        match out.into_iter().next() {
            Some(e) => Err(e.to_string()),
            None => Ok(()),
        }
    }

    /// Appends every unacceptable value (keys prefixed `api.`) to `out`.
    pub fn invalid_values(&self, out: &mut Vec<InvalidValue>) {
        if self.socket.as_os_str().is_empty() || !self.socket.is_absolute() {
            out.push(InvalidValue::new(
                SOCKET_KEY,
                format!("{:?} must be an absolute path", self.socket),
            ));
        } else if self.socket.as_os_str().len() > 107 {
            out.push(InvalidValue::new(
                SOCKET_KEY,
                format!(
                    "{} is longer than the 107 bytes a UNIX socket path may have",
                    self.socket.display()
                ),
            ));
        }
        if let Some(g) = &self.admin_group
            && g.is_empty()
        {
            out.push(InvalidValue::new(
                "api.admin_group",
                "must not be empty (leave it out for root only)",
            ));
        }
        if self.max_message_size < 1024 || self.max_message_size > MESSAGE_SIZE_CEILING {
            out.push(InvalidValue::new(
                "api.max_message_size",
                format!(
                    "{} is out of range 1024..={MESSAGE_SIZE_CEILING}",
                    self.max_message_size
                ),
            ));
        }
        for (key, v, max) in [
            ("api.max_connections", self.max_connections, 65_536),
            (
                "api.max_connections_per_uid",
                self.max_connections_per_uid,
                65_536,
            ),
            (
                "api.max_requests_in_flight",
                self.max_requests_in_flight,
                65_536,
            ),
            (
                "api.max_unprivileged_calls_per_uid",
                self.max_unprivileged_calls_per_uid,
                MAX_UNPRIVILEGED_CALLS,
            ),
            (
                "api.max_unprivileged_calls",
                self.max_unprivileged_calls,
                MAX_UNPRIVILEGED_CALLS,
            ),
            ("api.write_queue", self.write_queue, 1 << 20),
            ("api.event_queue", self.event_queue, 1 << 20),
        ] {
            if v == 0 || v > max {
                out.push(InvalidValue::new(
                    key,
                    format!("{v} is out of range 1..={max}"),
                ));
            }
        }
        for (key, v) in [
            ("api.idle_timeout_ms", self.idle_timeout_ms),
            ("api.write_timeout_ms", self.write_timeout_ms),
            ("api.call_timeout_ms", self.call_timeout_ms),
            ("api.max_call_timeout_ms", self.max_call_timeout_ms),
            ("api.message_timeout_ms", self.message_timeout_ms),
        ] {
            if v == 0 {
                out.push(InvalidValue::new(key, "must be at least 1"));
            }
        }
        if self.admin_reserved_connections > 65_536 {
            out.push(InvalidValue::new(
                "api.admin_reserved_connections",
                format!(
                    "{} is out of range 0..=65536",
                    self.admin_reserved_connections
                ),
            ));
        }
        if self.call_timeout_ms > self.max_call_timeout_ms {
            out.push(InvalidValue::new(
                "api.call_timeout_ms",
                format!(
                    "{} is above api.max_call_timeout_ms ({})",
                    self.call_timeout_ms, self.max_call_timeout_ms
                ),
            ));
        }
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_ms)
    }

    pub fn message_timeout(&self) -> Duration {
        Duration::from_millis(self.message_timeout_ms)
    }

    /// Connection slots callers who are not admins may take together: all
    /// but the admins' reserve, which is at most half of them (so that a
    /// small `max_connections` with the default reserve still serves
    /// everyone).
    pub fn unprivileged_connections(&self) -> usize {
        self.max_connections
            - self
                .admin_reserved_connections
                .min(self.max_connections / 2)
    }
}

#[cfg(test)]
mod tests {
    use crate::DaemonConfig;

    #[test]
    fn api_section_parses_and_is_checked() {
        let c = DaemonConfig::from_toml(
            "[api]\nsocket = \"/tmp/x.sock\"\nadmin_group = \"netadmin\"\nmax_connections = 3\n",
        )
        .unwrap();
        assert_eq!(c.api.socket.to_str(), Some("/tmp/x.sock"));
        assert_eq!(c.api.admin_group.as_deref(), Some("netadmin"));
        assert_eq!(c.api.max_connections, 3);
        assert_eq!(c.api.max_message_size, 1 << 20);

        let e = DaemonConfig::from_toml("[api]\nmax_message_size = 20000000\n").unwrap_err();
        assert_eq!(
            e,
            "api.max_message_size: 20000000 is out of range 1024..=16777216"
        );
        let e = DaemonConfig::from_toml("[api]\nsocket = \"rel.sock\"\n").unwrap_err();
        assert_eq!(e, "api.socket: \"rel.sock\" must be an absolute path");
        let e = DaemonConfig::from_toml("[api]\nsockt = \"/x\"\n").unwrap_err();
        assert_eq!(e, "unknown key api.sockt");
        let e = DaemonConfig::from_toml("[api]\nmax_connections_per_uid = 0\n").unwrap_err();
        assert_eq!(
            e,
            "api.max_connections_per_uid: 0 is out of range 1..=65536"
        );
        let c = DaemonConfig::from_toml("[api]\nmax_connections = 8\n").unwrap();
        assert_eq!(c.api.unprivileged_connections(), 4);
        let e = DaemonConfig::from_toml("[api]\nadmin_reserved_connections = 70000\n").unwrap_err();
        assert_eq!(
            e,
            "api.admin_reserved_connections: 70000 is out of range 0..=65536"
        );
        let e = DaemonConfig::from_toml("[api]\nmax_unprivileged_calls = 1000\n").unwrap_err();
        assert_eq!(
            e,
            "api.max_unprivileged_calls: 1000 is out of range 1..=256"
        );
        let e = DaemonConfig::from_toml("[api]\nmessage_timeout_ms = 0\n").unwrap_err();
        assert_eq!(e, "api.message_timeout_ms: must be at least 1");
        let c = DaemonConfig::from_toml("[api]\nmessage_timeout_ms = 200\n").unwrap();
        assert_eq!(c.api.message_timeout_ms, 200);
        assert_eq!(c.api.unprivileged_connections(), 240);
    }
}
