//! The fleet over NATS (`plugins/fleet`, `nipc fleet`): the plugin's own
//! bus exchanges, and what travels on NATS subjects. The payloads of the
//! read and admin subjects are the local API's own types
//! ([`ShowRequest`](crate::state::ShowRequest) →
//! [`NetworkState`](crate::state::NetworkState),
//! [`ApplyRequest`](crate::state::ApplyRequest) →
//! [`ApplyResult`](crate::state::ApplyResult), …), each reply wrapped in a
//! [`FleetReply`] that names the host that answered.
//!
//! | topic | from → to | request | reply |
//! | --- | --- | --- | --- |
//! | `fleet.status` | anyone → `fleet` | [`FleetStatusRequest`] | [`FleetStatus`] |
//! | `fleet.connection` | fleet → subscribers (notice) | [`FleetConnection`] | |
//!
//! NATS subjects (see [`subject`]): `nipart.<host>.event.<topic>`
//! (notices), `nipart.<host>.heartbeat` ([`Heartbeat`]),
//! `nipart.<host>.read.<method>` ([`ReadMethod`]),
//! `nipart.<host>.admin.<method>` ([`AdminMethod`]) and the group subjects
//! `nipart.group.<group>.read.<method>` / `….admin.<method>`.

use serde::{Deserialize, Serialize};

use crate::{Role, notice, request, state::LastApply};

/// The bus topics of the fleet plugin.
pub mod topics {
    /// anyone → `role:fleet`: the connection's state.
    pub const STATUS: &str = "fleet.status";
    /// fleet → subscribers: the connection to NATS changed.
    pub const CONNECTION: &str = "fleet.connection";
}

/// The longest host or group name in a subject.
pub const NAME_MAX: usize = 64;

/// Whether `name` can be one token of a subject: 1 to [`NAME_MAX`] of
/// `A-Z a-z 0-9 _ -` (no `.`, `*`, `>` or space, which NATS gives meaning).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= NAME_MAX
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The connection to the NATS servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionState {
    /// Not connected yet, or trying again after a failure.
    Connecting,
    Connected,
    /// Lost; the client reconnects with backoff.
    Disconnected,
    /// A server refused our credentials or TLS; retried with backoff.
    Refused,
}

impl ConnectionState {
    pub fn as_str(&self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Disconnected => "disconnected",
            ConnectionState::Refused => "refused",
        }
    }
}

/// The connection changed: the notice `fleet.connection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetConnection {
    pub host: String,
    pub state: ConnectionState,
    /// The server we are connected to (`Connected`), for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// For people: why it is not connected.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}
notice!(FleetConnection, topics::CONNECTION);

/// Asks the fleet plugin how it is connected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetStatusRequest {}

/// The reply to [`FleetStatusRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetStatus {
    pub connection: FleetConnection,
    pub groups: Vec<String>,
    /// Requests served since start, and how many of them failed.
    pub served: u64,
    pub failed: u64,
}
request!(FleetStatusRequest, topics::STATUS, Role::FLEET, FleetStatus);

/// What a host publishes on `nipart.<host>.heartbeat` every interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub host: String,
    /// The daemon's version.
    pub version: String,
    /// The plugins running (from `daemon.started`).
    #[serde(default)]
    pub plugins: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// The last apply, whatever started it.
    #[serde(default)]
    pub last_apply: Option<LastApply>,
    /// When the next heartbeat is due, in milliseconds: a host silent for
    /// three intervals is taken for gone.
    pub interval_ms: u64,
    /// Whether this host serves the admin subjects.
    #[serde(default)]
    pub admin: bool,
}

/// What a host answers on a read or admin subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetReply<T> {
    pub host: String,
    #[serde(flatten)]
    pub outcome: FleetOutcome<T>,
}

/// The reply's result or the error (`{"ok": …}` or `{"error": …}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FleetOutcome<T> {
    Ok(T),
    Error(FleetError),
}

/// Why a host did not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetError {
    pub kind: FleetErrorKind,
    /// For people: what was wrong, and where.
    pub message: String,
}

/// The kind of a [`FleetError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FleetErrorKind {
    /// The request's payload or the state it carries is wrong.
    InvalidInput,
    NotFound,
    Timeout,
    /// Another apply runs.
    Busy,
    Unsupported,
    /// The apply failed (and was rolled back unless said otherwise).
    Failed,
}

/// The methods of `nipart.<host>.read.<method>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMethod {
    /// [`ShowRequest`](crate::state::ShowRequest) →
    /// [`NetworkState`](crate::state::NetworkState).
    Show,
    /// `{}` → [`Heartbeat`] (the plugins and the last apply).
    Plugins,
    /// `{}` → [`CheckpointList`](crate::state::CheckpointList).
    Checkpoints,
}

impl ReadMethod {
    pub const ALL: [ReadMethod; 3] = [
        ReadMethod::Show,
        ReadMethod::Plugins,
        ReadMethod::Checkpoints,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ReadMethod::Show => "show",
            ReadMethod::Plugins => "plugins",
            ReadMethod::Checkpoints => "checkpoints",
        }
    }
}

/// The methods of `nipart.<host>.admin.<method>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminMethod {
    /// [`ApplyRequest`](crate::state::ApplyRequest) →
    /// [`ApplyResult`](crate::state::ApplyResult).
    Apply,
    /// [`CheckpointRequest`](crate::state::CheckpointRequest) →
    /// [`CheckpointResult`](crate::state::CheckpointResult).
    Commit,
    /// As `Commit`.
    Rollback,
}

impl AdminMethod {
    pub const ALL: [AdminMethod; 3] = [
        AdminMethod::Apply,
        AdminMethod::Commit,
        AdminMethod::Rollback,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            AdminMethod::Apply => "apply",
            AdminMethod::Commit => "commit",
            AdminMethod::Rollback => "rollback",
        }
    }
}

/// NATS subjects. Names are checked with [`valid_name`] by whoever builds
/// them from input.
pub mod subject {
    use super::{AdminMethod, ReadMethod};

    /// The prefix of every subject.
    pub const ROOT: &str = "nipart";
    /// Every host's heartbeat.
    pub const ALL_HEARTBEATS: &str = "nipart.*.heartbeat";

    pub fn event(host: &str, topic: &str) -> String {
        format!("{ROOT}.{host}.event.{topic}")
    }
    pub fn heartbeat(host: &str) -> String {
        format!("{ROOT}.{host}.heartbeat")
    }
    pub fn read(host: &str, m: ReadMethod) -> String {
        format!("{ROOT}.{host}.read.{}", m.as_str())
    }
    pub fn admin(host: &str, m: AdminMethod) -> String {
        format!("{ROOT}.{host}.admin.{}", m.as_str())
    }
    pub fn group_read(group: &str, m: ReadMethod) -> String {
        format!("{ROOT}.group.{group}.read.{}", m.as_str())
    }
    pub fn group_admin(group: &str, m: AdminMethod) -> String {
        format!("{ROOT}.group.{group}.admin.{}", m.as_str())
    }
}

/// The NATS header that names an admin request: a host that receives the
/// same id twice (a client sending again after a server failed) answers
/// the second with the first's reply, never applies twice.
pub const REQUEST_ID_HEADER: &str = "Nipart-Request-Id";
/// The longest request id kept.
pub const REQUEST_ID_MAX: usize = 64;
/// The NATS header that says when the sender of an admin request stops
/// waiting (unix time in milliseconds): a host that receives the request
/// later (held in a server or a socket while the host was cut off) does
/// not do it, since its sender has reported the host unreachable.
pub const DEADLINE_HEADER: &str = "Nipart-Deadline";
