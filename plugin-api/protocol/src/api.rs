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
//! | `api.network.status` | [`ApiCall`]`<`[`StatusRequest`]`>` | | [`NetworkStatus`] |

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::{
    Request, Role, Streams, request,
    state::{
        ApiCall, ApplyProgress, ApplyRequest, CheckpointList, CheckpointRequest, CheckpointResult,
        NetworkState, NetworkStatus, ShowRequest, StatusRequest, topics,
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

request!(
    ApiCall<StatusRequest>,
    topics::STATUS,
    Role::COMMANDER,
    NetworkStatus
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

/// The parameters of one `io.nipart.Network` method: the API server
/// decodes a call straight into this type (unknown fields refused) and
/// forwards it as an [`ApiCall`] to the role that answers it.
pub trait NetworkMethod: Serialize + DeserializeOwned {
    /// The varlink method's name (`Apply`).
    const METHOD: &'static str;
    /// It changes the network: only admins may call it.
    const MUTATING: bool;

    /// What the type can't say: `Err` names the parameter that is invalid.
    fn check(&self) -> Result<(), &'static str> {
        Ok(())
    }
}

/// The longest interface name the kernel accepts (`IFNAMSIZ` - 1).
pub const IFNAME_MAX: usize = 15;

impl NetworkMethod for ShowRequest {
    const METHOD: &'static str = "Show";
    const MUTATING: bool = false;

    fn check(&self) -> Result<(), &'static str> {
        match &self.interface {
            Some(name) if name.len() > IFNAME_MAX => Err("interface"),
            _ => Ok(()),
        }
    }
}
impl NetworkMethod for ApplyRequest {
    const METHOD: &'static str = "Apply";
    const MUTATING: bool = true;

    /// The desired state is a document (its content is checked by the
    /// `state` role, which names the path of what is wrong).
    fn check(&self) -> Result<(), &'static str> {
        if self.state.is_object() {
            Ok(())
        } else {
            Err("state")
        }
    }
}
impl NetworkMethod for Commit {
    const METHOD: &'static str = "Commit";
    const MUTATING: bool = true;
}
impl NetworkMethod for Rollback {
    const METHOD: &'static str = "Rollback";
    const MUTATING: bool = true;
}
impl NetworkMethod for ListCheckpoints {
    const METHOD: &'static str = "ListCheckpoints";
    const MUTATING: bool = false;
}
impl NetworkMethod for StatusRequest {
    const METHOD: &'static str = "Status";
    const MUTATING: bool = false;
}

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

/// Parameters of the API's generic call `io.nipart.Daemon.Call` (admins
/// only): a request on a plugin's own topic, sent to one plugin or to the
/// holders of a role, whose reply comes back as it is. Not a request on
/// the bus itself: the API server forwards `payload` under `topic`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginCall {
    /// The request's topic (the plugin's own, e.g. `example.hello`).
    pub topic: String,
    /// The plugin to send it to; exactly one of `plugin` and `role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// The role whose holders get it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The request's payload, any JSON (`null` when not given).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub payload: serde_json::Value,
}

/// The longest topic, plugin or role name a [`PluginCall`] may give.
pub const PLUGIN_CALL_NAME_MAX: usize = 255;

impl PluginCall {
    /// What the type can't say: `Err` names the parameter that is invalid.
    pub fn check(&self) -> Result<(), &'static str> {
        if self.topic.is_empty() || self.topic.len() > PLUGIN_CALL_NAME_MAX {
            return Err("topic");
        }
        match (&self.plugin, &self.role) {
            (Some(n), None) if !n.is_empty() && n.len() <= PLUGIN_CALL_NAME_MAX => Ok(()),
            (None, Some(n)) if !n.is_empty() && n.len() <= PLUGIN_CALL_NAME_MAX => Ok(()),
            (_, Some(_)) => Err("role"),
            _ => Err("plugin"),
        }
    }

    /// Why the call is refused whatever the destination, if it is: its
    /// topic is a request of a built-in role that changes state.
    pub fn refusal(&self) -> Option<&'static BuiltinRequest> {
        builtin_request(&self.topic).filter(|r| r.changes_state)
    }
}

/// A request one of the built-in roles answers, as the API's generic call
/// (`io.nipart.Daemon.Call`) sees it: requests that change state are
/// refused there, since they belong to the workflow (its checks,
/// checkpoint and rollback), reached through `io.nipart.Network`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinRequest {
    pub topic: &'static str,
    pub role: Role,
    /// It changes the network, the saved state or a plugin's state.
    pub changes_state: bool,
}

const fn reads<R: Request>() -> BuiltinRequest {
    BuiltinRequest {
        topic: R::TOPIC,
        role: R::ROLE,
        changes_state: false,
    }
}

const fn changes<R: Request>() -> BuiltinRequest {
    BuiltinRequest {
        topic: R::TOPIC,
        role: R::ROLE,
        changes_state: true,
    }
}

/// Every request of the built-in roles, listed by type (a new request
/// type of this crate is added here; the test `builtin_requests_are_listed`
/// checks that the list has no topic twice).
pub const BUILTIN_REQUESTS: &[BuiltinRequest] = {
    use crate::{conf::CheckpointListRequest, daemon::DaemonStopping, monitor, state};
    &[
        reads::<ApiCall<ShowRequest>>(),
        changes::<ApiCall<ApplyRequest>>(),
        changes::<ApiCall<Commit>>(),
        changes::<ApiCall<Rollback>>(),
        reads::<ApiCall<ListCheckpoints>>(),
        reads::<ApiCall<StatusRequest>>(),
        reads::<state::QueryRequest>(),
        changes::<state::ApplyPart>(),
        reads::<state::PlanRequest>(),
        reads::<state::RevertRequest>(),
        reads::<state::VerifyRequest>(),
        changes::<state::CheckpointSave>(),
        reads::<state::CheckpointGet>(),
        reads::<CheckpointListRequest>(),
        reads::<crate::conf::WaitingRequest>(),
        reads::<crate::conf::SavedStateRequest>(),
        changes::<state::CheckpointPending>(),
        changes::<crate::conf::CheckpointInProgress>(),
        changes::<state::StateSave>(),
        changes::<DaemonStopping>(),
        changes::<state::IpChange>(),
        reads::<state::DhcpLeaseQuery>(),
        changes::<monitor::RuleAdd>(),
        changes::<monitor::RuleRemove>(),
        reads::<monitor::RuleListRequest>(),
        reads::<monitor::LinksRequest>(),
    ]
};

/// The built-in request on `topic`, if there is one.
pub fn builtin_request(topic: &str) -> Option<&'static BuiltinRequest> {
    BUILTIN_REQUESTS.iter().find(|r| r.topic == topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_requests_are_listed() {
        let mut topics: Vec<_> = BUILTIN_REQUESTS.iter().map(|r| r.topic).collect();
        topics.sort();
        let n = topics.len();
        topics.dedup();
        assert_eq!(topics.len(), n, "a topic is listed twice");
        let apply = builtin_request(<ApiCall<ApplyRequest> as crate::Message>::TOPIC).unwrap();
        assert!(apply.changes_state);
        assert_eq!(apply.role, Role::COMMANDER);
        assert!(!builtin_request("monitor.links").unwrap().changes_state);
        assert!(builtin_request("vendor.hello").is_none());
    }
}
