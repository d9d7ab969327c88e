//! The public API's `io.nipart.Network` calls as the API server forwards
//! them to `role:commander`: an [`ApiCall`] carrying the call's
//! parameters. The parameter and reply types live in [`crate::state`].
//!
//! | topic | request | progress | reply |
//! | --- | --- | --- | --- |
//! | `api.network.show` | [`ApiCall`]`<`[`ShowRequest`]`>` | | [`NetworkState`] |
//! | `api.network.apply` | [`ApiCall`]`<`[`ApplyRequest`]`>` | [`ApplyProgress`] | [`ApplyResult`] |
//! | `api.network.commit` | [`ApiCall`]`<`[`Commit`]`>` | [`ApplyProgress`] | [`CheckpointResult`] |
//! | `api.network.rollback` | [`ApiCall`]`<`[`Rollback`]`>` | [`ApplyProgress`] | [`CheckpointResult`] |
//! | `api.network.list-checkpoints` | [`ApiCall`]`<`[`ListCheckpoints`]`>` | | [`CheckpointList`] |

use serde::{Deserialize, Serialize};

use crate::{
    Role, Streams, request,
    state::{
        ApiCall, ApplyProgress, ApplyRequest, CheckpointList, CheckpointRequest, CheckpointResult,
        NetworkState, ShowRequest, topics,
    },
};

/// Parameters of `Commit`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Commit(pub CheckpointRequest);

/// Parameters of `Rollback`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rollback(pub CheckpointRequest);

/// Parameters of `ListCheckpoints`: none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListCheckpoints {}

request!(
    ApiCall<ShowRequest>,
    topics::SHOW,
    Role::COMMANDER,
    NetworkState
);
request!(
    ApiCall<ApplyRequest>,
    topics::APPLY,
    Role::COMMANDER,
    ApplyResult
);
request!(
    ApiCall<Commit>,
    topics::COMMIT,
    Role::COMMANDER,
    CheckpointResult
);
request!(
    ApiCall<Rollback>,
    topics::ROLLBACK,
    Role::COMMANDER,
    CheckpointResult
);
request!(
    ApiCall<ListCheckpoints>,
    topics::LIST_CHECKPOINTS,
    Role::COMMANDER,
    CheckpointList
);

impl Streams for ApiCall<ApplyRequest> {
    type Progress = ApplyProgress;
}
impl Streams for ApiCall<Commit> {
    type Progress = ApplyProgress;
}
impl Streams for ApiCall<Rollback> {
    type Progress = ApplyProgress;
}

use crate::state::ApplyResult;

impl<P> ApiCall<P> {
    /// A call with `parameters` made by the daemon or a plugin (no client:
    /// no caller, no progress wanted).
    pub fn new(method: impl Into<String>, parameters: P) -> Self {
        Self {
            method: method.into(),
            parameters,
            more: false,
            caller: None,
        }
    }
}
