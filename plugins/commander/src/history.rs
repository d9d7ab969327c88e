//! Checkpoints and the saved state, through the `conf` plugin when one
//! holds role `conf`; without it, checkpoints live only in memory (the one
//! a `no_commit` apply keeps) and nothing is saved.

use std::{sync::atomic::Ordering, time::Duration};

use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Result,
    state::{
        CheckpointGet, CheckpointHistory, CheckpointPending, CheckpointRecord, CheckpointSave,
        CheckpointSummary, CreatedBy, NetworkState, StateSave, StateSaved, topics,
    },
};
use serde::de::DeserializeOwned;

use crate::workflow::Shared;

/// A request to `role:conf`; `Ok(None)` when no plugin holds the role.
async fn ask_conf<T: DeserializeOwned>(
    shared: &Shared,
    ctx: &Context,
    topic: &str,
    payload: &impl serde::Serialize,
) -> Result<Option<T>> {
    let ev = Event::new(topic, Address::role("conf")).with_json(payload)?;
    let timeout = Duration::from_millis(shared.config.query_timeout_ms);
    match ctx.request(ev, timeout).await {
        Ok(reply) => reply.json().map(Some),
        // The bus's answer when nobody holds the role (docs/events.md).
        Err(e) if e.kind() == ErrorKind::NoRoleHolder => Ok(None),
        Err(e) => Err(e),
    }
}

/// Takes a checkpoint of `running`: on disk through `conf`, or a new
/// in-memory id. An error means nothing may change.
pub async fn take(
    shared: &Shared,
    ctx: &Context,
    created_by: CreatedBy,
    running: &NetworkState,
) -> Result<String> {
    let req = CheckpointSave {
        created_by,
        running: running.clone(),
    };
    match ask_conf::<CheckpointSummary>(shared, ctx, topics::CONF_CHECKPOINT_SAVE, &req).await {
        Ok(Some(s)) => Ok(s.id),
        Ok(None) => Ok(format!(
            "cp-{}",
            shared.next_checkpoint.fetch_add(1, Ordering::Relaxed)
        )),
        Err(e) => Err(Error::new(
            e.kind(),
            format!("taking the checkpoint failed, nothing was changed: {e}"),
        )),
    }
}

/// Saves `desired` (merged in, or replacing the saved state); `Ok(None)`
/// without `conf`.
pub async fn save(
    shared: &Shared,
    ctx: &Context,
    desired: &NetworkState,
    replace: bool,
) -> Result<Option<StateSaved>> {
    let req = StateSave {
        desired: desired.clone(),
        replace,
    };
    ask_conf(shared, ctx, topics::CONF_STATE_SAVE, &req)
        .await
        .map_err(|e| Error::new(e.kind(), format!("saving the desired state: {e}")))
}

/// Marks checkpoint `id` as awaiting `Commit` on disk (`None` clears the
/// mark), so that a daemon stopped before `Commit` rolls it back at start.
/// A no-op without `conf`.
pub async fn mark_pending(shared: &Shared, ctx: &Context, id: Option<&str>) -> Result<()> {
    let req = CheckpointPending {
        id: id.map(str::to_string),
    };
    ask_conf::<serde_json::Value>(shared, ctx, topics::CONF_CHECKPOINT_PENDING, &req)
        .await
        .map(|_| ())
        .map_err(|e| Error::new(e.kind(), format!("marking the pending checkpoint: {e}")))
}

/// Marks checkpoint `id` on disk as the one of the apply about to change
/// the network (`None` clears the mark), so that a daemon killed before
/// the apply is verified and saved, or rolled back, rolls it back at
/// start. A no-op without `conf`.
pub async fn mark_in_progress(shared: &Shared, ctx: &Context, id: Option<&str>) -> Result<()> {
    let req = CheckpointPending {
        id: id.map(str::to_string),
    };
    ask_conf::<serde_json::Value>(shared, ctx, topics::CONF_CHECKPOINT_IN_PROGRESS, &req)
        .await
        .map(|_| ())
        .map_err(|e| Error::new(e.kind(), format!("marking the apply in progress: {e}")))
}

/// The checkpoint `id` (the newest when `None`) of the history; `Ok(None)`
/// without `conf`.
pub async fn get(
    shared: &Shared,
    ctx: &Context,
    id: Option<&str>,
) -> Result<Option<CheckpointRecord>> {
    let req = CheckpointGet {
        id: id.map(str::to_string),
    };
    ask_conf(shared, ctx, topics::CONF_CHECKPOINT_GET, &req).await
}

/// The history, oldest first; `Ok(None)` without `conf`.
pub async fn list(shared: &Shared, ctx: &Context) -> Result<Option<CheckpointHistory>> {
    ask_conf(
        shared,
        ctx,
        topics::CONF_CHECKPOINT_LIST,
        &serde_json::json!({}),
    )
    .await
}

/// `apply of veth1, veth1-ep (from plugin:conf)`.
pub fn summary(action: &str, desired: &NetworkState, event: &Event) -> String {
    let names: Vec<&str> = desired.interfaces.iter().map(|i| i.name.as_str()).collect();
    let mut s = action.to_string();
    match names.len() {
        0 => {}
        1..=4 => s.push_str(&format!(" of {}", names.join(", "))),
        n => s.push_str(&format!(
            " of {}, … ({n} interfaces)",
            names[..3].join(", ")
        )),
    }
    if desired.routes.config.is_some() {
        s.push_str(if names.is_empty() {
            " of routes"
        } else {
            " and routes"
        });
    }
    if !matches!(event.src, Address::Client(_)) {
        s.push_str(&format!(" (from {})", event.src));
    }
    s
}
