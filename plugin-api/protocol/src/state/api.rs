//! The payloads of the network-state workflow: what the API server sends to
//! the commander, and what the commander, the `state` plugin and the
//! plugins that apply a part (the `kernel` plugin) send each other.
//! See `docs/state-schema.md` and `docs/plugins/commander.md`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::NetworkState;

/// Topics of the workflow.
pub mod topics {
    /// API → `role:commander`: [`ApiCall`](crate::state::ApiCall)`<`[`ShowRequest`](crate::state::ShowRequest)`>`; reply: a
    /// [`NetworkState`](crate::state::NetworkState).
    pub const SHOW: &str = "api.network.show";
    /// API → `role:commander`: [`ApiCall`](crate::state::ApiCall)`<`[`ApplyRequest`](crate::state::ApplyRequest)`>`; progress
    /// (`Ongoing`): [`ApplyProgress`](crate::state::ApplyProgress); reply:
    /// [`ApplyResult`](crate::state::ApplyResult).
    pub const APPLY: &str = "api.network.apply";
    /// API → `role:commander`: [`ApiCall`](crate::state::ApiCall)`<`[`CheckpointRequest`](crate::state::CheckpointRequest)`>`; reply:
    /// [`CheckpointResult`](crate::state::CheckpointResult).
    pub const COMMIT: &str = "api.network.commit";
    /// As [`COMMIT`]; rolls the checkpoint back.
    pub const ROLLBACK: &str = "api.network.rollback";
    /// API → `role:commander`: [`ApiCall`](crate::state::ApiCall)`<{}>`; reply:
    /// [`CheckpointList`](crate::state::CheckpointList).
    pub const LIST_CHECKPOINTS: &str = "api.network.list-checkpoints";
    /// API → `role:commander`: [`ApiCall`](crate::state::ApiCall)`<`[`StatusRequest`](crate::state::StatusRequest)`>`;
    /// reply: [`NetworkStatus`](crate::state::NetworkStatus).
    pub const STATUS: &str = "api.network.status";

    /// commander → `role:kernel`: [`QueryRequest`](crate::state::QueryRequest);
    /// reply: [`NetworkState`](crate::state::NetworkState).
    pub const QUERY: &str = "network.query";
    /// commander → each role owning a part: [`ApplyPart`](crate::state::ApplyPart);
    /// reply: [`PartApplied`](crate::state::PartApplied).
    pub const APPLY_PART: &str = "network.apply";
    /// commander → `role:state`: [`PlanRequest`](crate::state::PlanRequest); reply:
    /// [`Plan`](crate::state::Plan). A state that is not valid is a `Cancelled`
    /// reply whose message names the path.
    pub const PLAN: &str = "state.plan";
    /// commander → `role:state`: [`RevertRequest`](crate::state::RevertRequest);
    /// reply: [`Plan`](crate::state::Plan) that brings `current` back to `checkpoint`.
    pub const REVERT_PLAN: &str = "state.revert-plan";
    /// commander → `role:state`: [`VerifyRequest`](crate::state::VerifyRequest);
    /// reply: [`VerifyReport`](crate::state::VerifyReport).
    pub const VERIFY: &str = "state.verify";
    /// commander → everyone (notification) when an apply ended:
    /// [`NetworkApplied`](crate::workflow::NetworkApplied), an
    /// [`ApplyResult`](crate::state::ApplyResult) on success or an
    /// [`ApplyFailed`](crate::workflow::ApplyFailed).
    pub const APPLIED: &str = "network.applied";
    /// commander → everyone (notification) when a checkpoint was restored
    /// (`Rollback`, or a `no_commit` apply not committed in time):
    /// [`RolledBack`](crate::state::RolledBack).
    pub const ROLLED_BACK: &str = "network.rolled-back";

    /// commander → `role:conf`: [`CheckpointSave`](crate::state::CheckpointSave);
    /// reply: [`CheckpointSummary`](crate::state::CheckpointSummary) with the new id.
    pub const CONF_CHECKPOINT_SAVE: &str = "conf.checkpoint.save";
    /// commander → `role:conf`: [`CheckpointGet`](crate::state::CheckpointGet);
    /// reply: [`CheckpointRecord`](crate::state::CheckpointRecord), or `not-found`
    /// naming the ids that exist.
    pub const CONF_CHECKPOINT_GET: &str = "conf.checkpoint.get";
    /// commander → `role:conf`: `{}`; reply:
    /// [`CheckpointHistory`](crate::state::CheckpointHistory), oldest first.
    pub const CONF_CHECKPOINT_LIST: &str = "conf.checkpoint.list";
    /// commander → `role:conf`: [`StateSave`](crate::state::StateSave); reply:
    /// [`StateSaved`](crate::state::StateSaved).
    pub const CONF_STATE_SAVE: &str = "conf.state.save";
    /// commander → `role:conf`: [`CheckpointPending`](crate::state::CheckpointPending)
    /// (the checkpoint awaiting `Commit`, or none); reply: `{}`. At start,
    /// conf rolls back to a checkpoint still marked pending.
    pub const CONF_CHECKPOINT_PENDING: &str = "conf.checkpoint.pending";
    /// commander → `role:conf`: [`CheckpointPending`](crate::state::CheckpointPending)
    /// (the checkpoint of the apply about to change the network, or none
    /// when it was verified and saved, or rolled back); reply: `{}`. At
    /// start, conf rolls back to a checkpoint still marked in progress,
    /// unless the apply had been saved.
    pub const CONF_CHECKPOINT_IN_PROGRESS: &str = "conf.checkpoint.in-progress";
    /// conf → everyone (notification): the saved desired state could not be
    /// read or parsed at start; nothing of it was applied:
    /// [`LoadFailed`](crate::state::LoadFailed).
    pub const CONF_LOAD_FAILED: &str = "conf.load-failed";
    /// conf → everyone (notification): the boot apply of the saved desired
    /// state ended: [`BootApplied`](crate::state::BootApplied).
    pub const CONF_BOOT_APPLIED: &str = "conf.boot-applied";
}

/// What the API server sends for every `io.nipart.Network` call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiCall<P> {
    /// `io.nipart.Network.Apply`, …
    #[serde(default)]
    pub method: String,
    pub parameters: P,
    /// The client wants progress replies.
    #[serde(default)]
    pub more: bool,
    #[serde(default)]
    pub caller: Option<Caller>,
}

/// Who made an API call.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Caller {
    pub uid: u32,
    pub gid: u32,
    #[serde(default)]
    pub pid: Option<i32>,
    #[serde(default)]
    pub admin: bool,
}

/// Parameters of `Show`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShowRequest {
    /// Only this interface (and the routes through it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
}

/// Parameters of `Apply`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// The desired state (nmstate schema), checked by the `state` plugin so
    /// that errors name their path.
    pub state: Value,
    #[serde(default)]
    pub options: ApplyOptions,
}

/// Options of `Apply`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyOptions {
    /// Skip verification (a failure of the apply itself is still rolled back).
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_verify: bool,
    /// Do not save the desired state (with the `conf` plugin, an apply
    /// that succeeds is saved and applied again at boot).
    #[serde(default, skip_serializing_if = "is_false")]
    pub memory_only: bool,
    /// Keep the checkpoint: roll back unless `Commit` comes within
    /// `commit_timeout` seconds.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_commit: bool,
    /// Seconds; 60 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_timeout: Option<u64>,
    /// Fail with a `busy` error instead of waiting for an apply in progress.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_wait: bool,
    /// Validate and plan only: nothing is changed, saved or checkpointed;
    /// the result's `changes` are what an apply would change (one
    /// difference between the desired and the current state each).
    #[serde(default, skip_serializing_if = "is_false")]
    pub dry_run: bool,
}

/// Options left out are their defaults: an `ApplyOptions` carries only
/// what its caller set.
fn is_false(b: &bool) -> bool {
    !*b
}

/// One step of an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApplyStep {
    /// Waiting for an apply in progress.
    Queued,
    Validate,
    Query,
    Checkpoint,
    Apply,
    Verify,
    Rollback,
    Done,
}

/// Progress of an apply (`Ongoing` events following the request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyProgress {
    pub step: ApplyStep,
    /// For people: `applying to role kernel`, `verification 2 of 5: …`.
    pub message: String,
}

/// The reply to a successful apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyResult {
    /// The checkpoint taken before the apply; with `no_commit` it awaits
    /// `Commit` or `Rollback`. Without the `conf` plugin it is gone
    /// otherwise; with it, it stays in the history. Empty when none was
    /// taken: a dry run, or an apply that had nothing to change.
    pub checkpoint: String,
    /// Whether the checkpoint awaits `Commit`.
    pub pending: bool,
    /// Whether the state was verified (false with `no_verify`).
    pub verified: bool,
    /// Verification attempts made.
    pub attempts: u32,
    /// What each plugin changed, in order (with `dry_run`: what an apply
    /// would change).
    pub changes: Vec<String>,
    /// The desired state after sanitizing.
    pub desired: NetworkState,
    /// It was a dry run: nothing was changed; `changes` are what an apply
    /// would change.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dry_run: bool,
}

impl ApplyResult {
    /// For people: `3 changes, checkpoint cp-4`, `nothing to change`.
    pub fn summary(&self) -> String {
        let mut s = match self.changes.len() {
            0 => "nothing to change".to_string(),
            1 => "1 change".to_string(),
            n => format!("{n} changes"),
        };
        if !self.checkpoint.is_empty() {
            s.push_str(&format!(", checkpoint {}", self.checkpoint));
        }
        s
    }
}

/// Parameters of `Commit` and `Rollback`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRequest {
    /// The last checkpoint when not given.
    #[serde(default)]
    pub checkpoint: Option<String>,
}

/// The reply to `Commit` and `Rollback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointResult {
    pub checkpoint: String,
    /// `committed` or `rolled-back`.
    pub done: String,
}

/// A checkpoint: one awaiting `Commit`, or (with the `conf` plugin) one of
/// the history kept on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointInfo {
    pub id: String,
    /// When it was taken (RFC 3339, UTC); only for checkpoints on disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// What took it, for people: `apply of veth1`, `rollback to cp-3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Whether it awaits `Commit` or `Rollback`.
    #[serde(default)]
    pub pending: bool,
    /// Seconds left before the automatic rollback (pending ones only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// The reply to `ListCheckpoints`: the history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointList {
    pub checkpoints: Vec<CheckpointInfo>,
}

/// Parameters of `Status`: none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {}

/// What started an apply, as `Status` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApplyKind {
    /// The saved state, applied at start (by the `conf` plugin).
    Boot,
    /// `Apply` through the API.
    Api,
    /// `Rollback` through the API, or a `no_commit` apply not committed in
    /// time.
    Rollback,
    /// A DHCP lease acquired, renewed or lost.
    Dhcp,
}

/// How the last apply of one kind ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastApply {
    pub kind: ApplyKind,
    /// When it ended, seconds since the Unix epoch.
    pub unix_time: u64,
    pub ok: bool,
    /// For people: what it did, or why it failed.
    pub message: String,
}

/// The reply to `Status`: what an operator checks first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkStatus {
    /// The last apply of each kind since the daemon started, in the order
    /// of [`ApplyKind`]; kinds that did not happen are left out.
    pub last: Vec<LastApply>,
    /// The checkpoint awaiting `Commit`.
    #[serde(default)]
    pub pending: Option<CheckpointInfo>,
    /// An apply, commit or rollback is running now.
    #[serde(default)]
    pub busy: bool,
    /// How the running state differs from the saved desired state, one
    /// difference each (empty: as saved); `None` when the commander has not
    /// seen the saved state since it started (no boot apply and no saved
    /// apply yet).
    #[serde(default)]
    pub drift: Option<Vec<String>>,
}

/// Payload of [`topics::QUERY`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QueryRequest {
    /// Only this interface (and its routes).
    #[serde(default)]
    pub interface: Option<String>,
}

/// Payload of [`topics::APPLY_PART`]: the part of a sanitized desired state
/// a plugin must make true.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApplyPart {
    pub state: NetworkState,
    /// The checkpoint this apply belongs to.
    pub checkpoint: String,
    /// This apply restores the checkpoint.
    #[serde(default)]
    pub rollback: bool,
}

/// The reply to [`topics::APPLY_PART`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartApplied {
    /// What was changed, one line each: `created veth veth1`.
    pub changes: Vec<String>,
}

/// Payload of [`topics::PLAN`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanRequest {
    /// The desired state as given (checked by the `state` plugin).
    pub desired: Value,
    /// The current state (a full query).
    pub current: NetworkState,
}

/// Payload of [`topics::REVERT_PLAN`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevertRequest {
    /// The state to go back to (a full query taken before the apply).
    pub checkpoint: NetworkState,
    /// The state now (a full query).
    pub current: NetworkState,
}

/// What to apply, by whom, and what to verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The desired state, validated and sanitized.
    pub desired: NetworkState,
    /// In order: the role to send [`topics::APPLY_PART`] to, and its part.
    pub parts: Vec<PlanPart>,
    /// What a query must show afterwards (see [`topics::VERIFY`]).
    pub verify: NetworkState,
    /// Notes for people (e.g. an interface that already is as desired).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One part of a [`Plan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPart {
    pub role: String,
    pub state: NetworkState,
    /// Skipped when no plugin holds the role (a part a daemon without
    /// that plugin does not need); otherwise that is an error.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// Payload of [`topics::VERIFY`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyRequest {
    /// A plan's `verify` state.
    pub desired: NetworkState,
    /// A full query.
    pub current: NetworkState,
}

/// One property that is not as desired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// `veth1`, or `routes` for a route.
    pub item: String,
    /// `mtu`, `ipv4.address`, `route 198.51.100.0/24 dev veth1`.
    pub property: String,
    pub desired: String,
    pub current: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} desired {}, current {}",
            self.item, self.property, self.desired, self.current
        )
    }
}

/// The reply to [`topics::VERIFY`]: empty when the state is as desired.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub differences: Vec<Difference>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.differences.is_empty()
    }

    /// `veth1: mtu desired 9000, current 1500; …`
    pub fn summary(&self) -> String {
        self.differences
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}
