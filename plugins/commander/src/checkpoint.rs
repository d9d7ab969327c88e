//! `Commit`, `Rollback` and `ListCheckpoints`, and the end of a `no_commit`
//! apply not committed in time. Both rollbacks go through the one rollback
//! path, [`crate::rollback::roll_back`].

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use nipart_plugin_api::{
    Context, Error, ErrorKind, Event, Result,
    state::{ApplyKind, CheckpointInfo, CheckpointList, CheckpointResult, NetworkState},
};

use crate::{
    options::Persistence,
    rollback::{Cause, Undoing, roll_back},
    workflow::Shared,
};

/// `ListCheckpoints`: the history on disk (with `conf`), marking the
/// pending one; without `conf`, the pending one alone.
pub async fn list(shared: &Shared, ctx: &Context) -> Result<CheckpointList> {
    let now = Instant::now();
    let pending = shared.pending().as_ref().map(|p| {
        (
            p.id.clone(),
            p.deadline.saturating_duration_since(now).as_secs(),
        )
    });
    let timeout_of = |id: &str| pending.as_ref().filter(|p| p.0 == id).map(|p| p.1);
    let checkpoints = match shared.history.list(ctx).await? {
        Some(h) => h
            .checkpoints
            .into_iter()
            .map(|c| CheckpointInfo {
                timeout: timeout_of(&c.id),
                pending: timeout_of(&c.id).is_some(),
                id: c.id,
                time: Some(c.time),
                created_by: Some(c.created_by),
            })
            .collect(),
        None => pending
            .iter()
            .map(|(id, left)| CheckpointInfo {
                id: id.clone(),
                time: None,
                created_by: None,
                pending: true,
                timeout: Some(*left),
            })
            .collect(),
    };
    Ok(CheckpointList { checkpoints })
}

/// The checkpoint awaiting `Commit`, if any, unless `wanted` names
/// another: that is an error of kind `mismatch_kind`.
fn pending_matching(
    shared: &Shared,
    wanted: Option<&str>,
    what: &str,
    mismatch_kind: ErrorKind,
) -> Result<Option<(String, NetworkState, Persistence)>> {
    let pending = shared
        .pending()
        .as_ref()
        .map(|p| (p.id.clone(), p.desired.clone(), p.persistence));
    match (&pending, wanted) {
        (Some((id, _, _)), Some(w)) if id != w => Err(Error::new(
            mismatch_kind,
            format!("can't {what} checkpoint {w:?}: checkpoint {id} awaits Commit or Rollback"),
        )),
        _ => Ok(pending),
    }
}

/// `Commit`: saves what the pending apply made true (unless
/// `memory_only`) and lets its checkpoint go.
pub async fn commit(
    shared: &Arc<Shared>,
    ctx: &Context,
    wanted: Option<String>,
) -> Result<CheckpointResult> {
    let _turn = shared.turn().await;
    shared.refuse_if_stopping("commit")?;
    let Some((id, desired, persistence)) =
        pending_matching(shared, wanted.as_deref(), "commit", ErrorKind::NotFound)?
    else {
        return Err(Error::new(
            ErrorKind::NotFound,
            match wanted {
                Some(w) => format!("no checkpoint {w:?} awaits Commit"),
                None => "no checkpoint awaits Commit".to_string(),
            },
        ));
    };
    // Saved before the checkpoint is let go: if saving fails, the apply
    // stays pending (and is rolled back in time) rather than running
    // unsaved.
    if persistence == Persistence::Save {
        shared.history.save(ctx, &desired, false).await?;
        shared.status.saved_with(&desired);
    }
    shared.history.mark_pending(ctx, None).await?;
    if let Some(p) = shared.pending().take() {
        p.timer.abort();
    }
    tracing::info!("checkpoint {id} committed");
    Ok(CheckpointResult {
        checkpoint: id,
        done: "committed".into(),
    })
}

/// `Rollback`: to the checkpoint awaiting `Commit`, or (with `conf`) to
/// checkpoint `wanted` of the history; without `wanted` and nothing
/// pending, an error listing the ids.
pub async fn rollback(
    shared: &Arc<Shared>,
    ctx: &Context,
    event: &Event,
    wanted: Option<String>,
) -> Result<CheckpointResult> {
    let _turn = shared.turn().await;
    shared.refuse_if_stopping("rollback")?;
    let (id, running, saved, undoing) = if pending_matching(
        shared,
        wanted.as_deref(),
        "roll back to",
        ErrorKind::Busy,
    )?
    .is_some()
    {
        let Some(p) = shared.pending().take() else {
            return Err(Error::other("the pending checkpoint went away"));
        };
        // The uncommitted apply was never saved: the saved state stays.
        (
            p.id.clone(),
            p.state.clone(),
            None,
            Undoing::Pending(Box::new(p)),
        )
    } else {
        // Without an id, only the pending apply is undone (as nmstatectl
        // does): rolling back a committed apply needs its id.
        let Some(wanted) = wanted else {
            let ids: Vec<String> = list(shared, ctx)
                .await
                .map(|l| l.checkpoints.into_iter().map(|c| c.id).collect())
                .unwrap_or_default();
            return Err(Error::new(
                ErrorKind::NotFound,
                if ids.is_empty() {
                    "nothing awaits Commit or Rollback, and there are no checkpoints".to_string()
                } else {
                    format!(
                        "nothing awaits Commit or Rollback: name the checkpoint to roll back to (the checkpoints are {})",
                        ids.join(", ")
                    )
                },
            ));
        };
        match shared.history.get(ctx, Some(&wanted)).await? {
            Some(record) => (
                record.id,
                record.running,
                Some(record.saved.unwrap_or_default()),
                Undoing::Checkpoint,
            ),
            None => {
                return Err(Error::new(
                    ErrorKind::NotFound,
                    format!(
                        "no checkpoint {wanted:?} (without the conf plugin only a checkpoint awaiting Commit can be rolled back to)"
                    ),
                ));
            }
        }
    };
    let cause = Cause::Request { event, saved };
    let done = roll_back(shared, ctx, &id, &running, cause, undoing).await?;
    if !done.ok {
        return Err(Error::new(ErrorKind::Failed, done.message));
    }
    Ok(CheckpointResult {
        checkpoint: id,
        done: "rolled-back".into(),
    })
}

/// The timer of a `no_commit` apply: after `timeout`, unless committed or
/// rolled back by then, the network goes back to checkpoint `id`.
pub fn expire_after(
    shared: &Arc<Shared>,
    ctx: &Context,
    id: &str,
    timeout: Duration,
) -> tokio::task::JoinHandle<()> {
    let shared = shared.clone();
    let ctx = ctx.clone();
    let id = id.to_string();
    tokio::spawn(async move {
        tokio::time::sleep(timeout).await;
        let _turn = shared.turn().await;
        let taken = {
            let mut p = shared.pending();
            match p.as_ref() {
                Some(x) if x.id == id => p.take(),
                _ => None,
            }
        };
        let Some(p) = taken else { return };
        let (id, state) = (p.id.clone(), p.state.clone());
        let cause = Cause::CommitTimeout { after: timeout };
        // Only a `Rollback` call fails to start.
        if let Ok(done) = roll_back(
            &shared,
            &ctx,
            &id,
            &state,
            cause,
            Undoing::Pending(Box::new(p)),
        )
        .await
        {
            shared
                .status
                .ended(ApplyKind::Rollback, done.ok, done.message);
        }
    })
}
