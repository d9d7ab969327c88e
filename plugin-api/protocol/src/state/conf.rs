//! The payloads between the commander and the `conf` plugin (persistence:
//! the saved desired state and the checkpoint history on disk), and the
//! notifications about restoring a checkpoint. See `docs/plugins/conf.md`.

use serde::{Deserialize, Serialize};

use super::NetworkState;

/// What took a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedBy {
    /// `apply`, `rollback` or `boot`.
    pub action: String,
    /// The id of the request that took it (an event id), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// For people: `apply of veth1, br0`, `rollback to cp-3`.
    pub summary: String,
    /// The desired state being applied (sanitized), for an apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<NetworkState>,
}

/// Payload of `conf.checkpoint.save`: the running state before a change.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckpointSave {
    pub created_by: CreatedBy,
    /// A full query.
    pub running: NetworkState,
}

/// Payload of `conf.checkpoint.get`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckpointGet {
    /// The newest checkpoint when not given.
    #[serde(default)]
    pub id: Option<String>,
}

/// One checkpoint as the `conf` plugin stores it (one file each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRecord {
    /// `cp-N`, N increasing across restarts.
    pub id: String,
    /// When it was taken (RFC 3339, UTC).
    pub time: String,
    pub created_by: CreatedBy,
    /// The running state when it was taken (a full query).
    pub running: NetworkState,
    /// The saved desired state at that moment (`None`: nothing was saved),
    /// so that restoring the checkpoint restores what boot applies too.
    #[serde(default)]
    pub saved: Option<NetworkState>,
}

/// A checkpoint without its states: the reply to `conf.checkpoint.save`
/// and an entry of [`CheckpointHistory`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointSummary {
    pub id: String,
    pub time: String,
    /// [`CreatedBy::summary`].
    pub created_by: String,
}

/// The reply to `conf.checkpoint.list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointHistory {
    /// Oldest first.
    pub checkpoints: Vec<CheckpointSummary>,
}

/// Payload of `conf.checkpoint.pending`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointPending {
    /// The checkpoint of the apply awaiting `Commit`; `None` when it was
    /// committed or rolled back.
    pub id: Option<String>,
}

/// Payload of `conf.state.save`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateSave {
    /// A sanitized desired state.
    pub desired: NetworkState,
    /// Replace the saved state with `desired` instead of merging it in
    /// (interfaces by name, `absent` ones removed; routes likewise).
    #[serde(default)]
    pub replace: bool,
}

/// The reply to `conf.state.save`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateSaved {
    /// The file written.
    pub path: String,
    /// The interfaces it now holds.
    pub interfaces: usize,
}

/// Payload of `conf.load-failed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadFailed {
    pub path: String,
    /// `<path>:<line>:<column>: <what>` or `<path>: <schema path>: <what>`.
    pub error: String,
}

/// Payload of `conf.boot-applied`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootApplied {
    pub path: String,
    /// The apply succeeded (verified).
    pub ok: bool,
    /// The commander's error otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Payload of `network.rolled-back`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolledBack {
    /// The checkpoint restored.
    pub checkpoint: String,
    /// `commit-timeout` (a `no_commit` apply not committed in time) or
    /// `request` (a `Rollback` call).
    pub cause: String,
    /// Whether the state is back as it was (verified).
    pub ok: bool,
    /// For people: `checkpoint cp-3 was not committed within 5 s: rolled
    /// back to checkpoint cp-3`.
    pub message: String,
}
