//! The apply workflow between built-in roles: the commander asks
//! `role:kernel` to query and apply, `role:state` to plan and verify, and
//! tells everyone how an apply ended. The payload types live in
//! [`crate::state`] (they are the network-state schema's); this module binds
//! them to their topics and roles.
//!
//! | topic | from → to | request | reply |
//! | --- | --- | --- | --- |
//! | `network.query` | commander → `kernel` | [`QueryRequest`] | [`NetworkState`] |
//! | `network.apply` | commander → each role owning a part | [`ApplyPart`] | [`PartApplied`] |
//! | `state.plan` | commander → `state` | [`PlanRequest`] | [`Plan`] |
//! | `state.revert-plan` | commander → `state` | [`RevertRequest`] | [`Plan`] |
//! | `state.verify` | commander → `state` | [`VerifyRequest`] | [`VerifyReport`] |
//! | `network.applied` | commander → everyone (notice) | [`NetworkApplied`] | |
//! | `network.rolled-back` | commander → everyone (notice) | [`RolledBack`] | |

use serde::{Deserialize, Serialize};

use crate::{
    Role, notice, request,
    state::{
        ApplyPart, ApplyResult, NetworkState, PartApplied, Plan, PlanRequest, QueryRequest,
        RevertRequest, RolledBack, VerifyReport, VerifyRequest, topics,
    },
};

request!(QueryRequest, topics::QUERY, Role::KERNEL, NetworkState);
// Sent to the role named by each part of the plan (`PlanPart::role`).
request!(ApplyPart, topics::APPLY_PART, Role::KERNEL, PartApplied);
request!(PlanRequest, topics::PLAN, Role::STATE, Plan);
request!(RevertRequest, topics::REVERT_PLAN, Role::STATE, Plan);
request!(VerifyRequest, topics::VERIFY, Role::STATE, VerifyReport);

/// How an apply ended: the payload of `network.applied`, one type for
/// both outcomes. On the wire, `Applied` is an [`ApplyResult`] and
/// `Failed` is `{"error": …, "rolled_back": bool}` (the shapes before this
/// type existed, so that older subscribers keep decoding them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NetworkApplied {
    /// The apply succeeded (and was verified unless `no_verify`).
    Applied(ApplyResult),
    /// The apply failed.
    Failed(ApplyFailed),
}
notice!(NetworkApplied, topics::APPLIED);

/// An apply that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyFailed {
    /// The commander's error, for people.
    pub error: String,
    /// Whether the checkpoint was restored.
    pub rolled_back: bool,
}

notice!(RolledBack, topics::ROLLED_BACK);
