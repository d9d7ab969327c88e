//! Persistence: what the commander asks `role:conf` (checkpoints on disk,
//! the saved desired state) and what the `conf` plugin announces. The
//! payload types live in [`crate::state`].
//!
//! | topic | from → to | request | reply |
//! | --- | --- | --- | --- |
//! | `conf.checkpoint.save` | commander → `conf` | [`CheckpointSave`] | [`CheckpointSummary`] |
//! | `conf.checkpoint.get` | commander → `conf` | [`CheckpointGet`] | [`CheckpointRecord`] (or `not-found`) |
//! | `conf.checkpoint.list` | commander → `conf` | [`CheckpointListRequest`] | [`CheckpointHistory`] |
//! | `conf.checkpoint.pending` | commander → `conf` | [`CheckpointPending`] | [`Empty`] |
//! | `conf.checkpoint.in-progress` | commander → `conf` | [`CheckpointInProgress`] | [`Empty`] |
//! | `conf.state.save` | commander → `conf` | [`StateSave`] | [`StateSaved`] |
//! | `conf.load-failed` | conf → everyone (notice) | [`LoadFailed`] | |
//! | `conf.boot-applied` | conf → everyone (notice) | [`BootApplied`] | |
//! | `conf.link-appeared`, `conf.link-gone` | monitor → the conf plugin (a rule's follow-up) | [`LinkAppeared`], [`LinkGone`] | |
//! | `conf.waiting` | any → `conf` | [`WaitingRequest`] | [`Waiting`] |
//! | `conf.state.get` | any → `conf` | [`SavedStateRequest`] | [`SavedStateReply`] |

use serde::{Deserialize, Serialize};

use crate::{
    Empty, Role, notice, notice_newtype, request,
    state::{
        BootApplied, CheckpointGet, CheckpointHistory, CheckpointPending, CheckpointRecord,
        CheckpointSave, CheckpointSummary, LoadFailed, NetworkState, StateSave, StateSaved, topics,
    },
};

/// Payload of `conf.checkpoint.list`: `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointListRequest {}

/// Payload of `conf.checkpoint.in-progress`: the checkpoint of the apply
/// about to change the network, or `None` once it was verified and saved,
/// or rolled back. At start, conf rolls back to a checkpoint still marked
/// in progress, unless the apply had been saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointInProgress {
    pub id: Option<String>,
}

request!(
    CheckpointSave,
    topics::CONF_CHECKPOINT_SAVE,
    Role::CONF,
    CheckpointSummary
);
request!(
    CheckpointGet,
    topics::CONF_CHECKPOINT_GET,
    Role::CONF,
    CheckpointRecord
);
request!(
    CheckpointListRequest,
    topics::CONF_CHECKPOINT_LIST,
    Role::CONF,
    CheckpointHistory
);
request!(
    CheckpointPending,
    topics::CONF_CHECKPOINT_PENDING,
    Role::CONF,
    Empty
);
request!(
    CheckpointInProgress,
    topics::CONF_CHECKPOINT_IN_PROGRESS,
    Role::CONF,
    Empty
);
request!(StateSave, topics::CONF_STATE_SAVE, Role::CONF, StateSaved);
notice!(LoadFailed, topics::CONF_LOAD_FAILED);
notice!(BootApplied, topics::CONF_BOOT_APPLIED);

/// A saved interface nipart can't create (an `ethernet`, a veth saved
/// without its peer): the payload of the conf plugin's monitor rules, which
/// apply its part of the saved state when its link appears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkWatch {
    pub interface: String,
}

notice_newtype!(
    /// The link of a saved interface appeared: conf applies its part of
    /// the saved state.
    LinkAppeared(LinkWatch) = "conf.link-appeared"
);
notice_newtype!(
    /// The link of a saved interface went away: it waits again.
    LinkGone(LinkWatch) = "conf.link-gone"
);

/// Payload of `conf.waiting`: `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingRequest {}

/// The reply to `conf.waiting`: the saved interfaces whose link does not
/// exist now, whose part of the saved state is applied when it appears.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// Sorted by name.
    pub interfaces: Vec<String>,
}

request!(WaitingRequest, "conf.waiting", Role::CONF, Waiting);

/// Payload of `conf.state.get`: `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedStateRequest {}

/// The reply to `conf.state.get`: the saved desired state as an apply of
/// it would apply it now (as at start: without the saved interfaces whose
/// link is missing, nor the routes through them), so that `nipc diff`
/// compares what such an apply would change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedStateReply {
    /// The file the saved state is read from.
    pub path: String,
    /// `None` when nothing is saved (no file).
    pub state: Option<NetworkState>,
    /// The saved interfaces left out, waiting for their link; sorted.
    #[serde(default)]
    pub waiting: Vec<String>,
}

request!(
    SavedStateRequest,
    "conf.state.get",
    Role::CONF,
    SavedStateReply
);
