//! `Commit`, `Rollback` and `ListCheckpoints`, and the end of a `no_commit`
//! apply not committed in time. A rollback, whatever its cause, reverts
//! through [`Shared::revert_to`] and is announced by
//! [`RollbackCause::announce`].

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Result,
    state::{ApplyKind, CheckpointInfo, CheckpointList, CheckpointResult, CreatedBy, NetworkState},
};

use crate::{
    options::Persistence,
    workflow::{RollbackCause, Shared, rolled_back_text},
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
    if pending_matching(shared, wanted.as_deref(), "roll back to", ErrorKind::Busy)?.is_some() {
        let Some(p) = shared.pending().take() else {
            return Err(Error::other("the pending checkpoint went away"));
        };
        p.timer.abort();
        // The uncommitted apply was never saved: the saved state stays.
        let r = restore(shared, ctx, event, &p.id, &p.state, None).await;
        if let Err(e) = shared.history.mark_pending(ctx, None).await {
            tracing::warn!("{e}");
        }
        return r;
    }
    // Without an id, only the pending apply is undone (as nmstatectl
    // does): rolling back the last committed apply needs its id.
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
    let wanted = Some(wanted);
    match shared.history.get(ctx, wanted.as_deref()).await? {
        Some(record) => {
            let saved = record.saved.unwrap_or_default();
            restore(shared, ctx, event, &record.id, &record.running, Some(saved)).await
        }
        None => Err(Error::new(
            ErrorKind::NotFound,
            match wanted {
                Some(w) => format!(
                    "no checkpoint {w:?} (without the conf plugin only a checkpoint awaiting Commit can be rolled back to)"
                ),
                None => "no checkpoint awaits Commit or Rollback".to_string(),
            },
        )),
    }
}

/// Brings the network back to checkpoint `id` (its `running` state), as an
/// apply does: a new checkpoint first (so that the rollback can be undone),
/// then revert, and on failure back to that new checkpoint. `saved`, when
/// given, replaces the saved desired state afterwards.
async fn restore(
    shared: &Shared,
    ctx: &Context,
    event: &Event,
    id: &str,
    running: &NetworkState,
    saved: Option<NetworkState>,
) -> Result<CheckpointResult> {
    let history = &shared.history;
    let before = shared.query(ctx, None).await?;
    let mut summary = format!("rollback to {id}");
    if !matches!(event.src, Address::Client(_)) {
        summary.push_str(&format!(" (from {})", event.src));
    }
    let created_by = CreatedBy {
        action: "rollback".into(),
        request: Some(event.id.to_string()),
        summary,
        desired: None,
    };
    let new_id = history.take(ctx, created_by, &before).await?;
    // A rollback a client asked for is an apply too: marked in progress, so
    // that a daemon killed in the middle goes back to `new_id` at start.
    // Not the rollbacks conf asks for at start: the mark they undo must
    // stay until they are done.
    let marked = matches!(event.src, Address::Client(_));
    if marked {
        history
            .mark_in_progress(ctx, Some(&new_id))
            .await
            .map_err(|e| Error::new(e.kind(), format!("{e}; nothing was changed")))?;
    }
    let outcome = match shared.revert_to(ctx, None, id, running).await {
        Ok(()) => match &saved {
            Some(s) => history
                .save(ctx, s, true)
                .await
                .map(|_| shared.status.saved_is(s.clone()))
                .map_err(|e| e.to_string()),
            None => Ok(()),
        },
        Err(e) => Err(e),
    };
    let outcome = match outcome {
        Ok(()) if marked => history
            .mark_in_progress(ctx, None)
            .await
            .map_err(|e| e.to_string()),
        other => other,
    };
    match outcome {
        Ok(()) => {
            let message =
                format!("rolled back to checkpoint {id} (checkpoint {new_id} taken before)");
            tracing::info!("{message}");
            RollbackCause::Request.announce(ctx, id, true, message);
            Ok(CheckpointResult {
                checkpoint: id.to_string(),
                done: "rolled-back".into(),
            })
        }
        Err(e) => {
            let back = shared.revert_to(ctx, None, &new_id, &before).await;
            if marked && let Err(e) = history.mark_in_progress(ctx, None).await {
                tracing::warn!("{e}");
            }
            let message = format!(
                "rolling back to checkpoint {id}: {e}; {}",
                rolled_back_text(&new_id, &back)
            );
            tracing::warn!("{message}");
            RollbackCause::Request.announce(ctx, id, false, message.clone());
            Err(Error::new(ErrorKind::Failed, message))
        }
    }
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
        let rb = shared.revert_to(&ctx, None, &p.id, &p.state).await;
        if let Err(e) = shared.history.mark_pending(&ctx, None).await {
            tracing::warn!("{e}");
        }
        let message = format!(
            "checkpoint {} was not committed within {} s: {}",
            p.id,
            timeout.as_secs(),
            rolled_back_text(&p.id, &rb)
        );
        tracing::warn!("{message}");
        shared
            .status
            .ended(ApplyKind::Rollback, rb.is_ok(), message.clone());
        RollbackCause::CommitTimeout.announce(&ctx, &p.id, rb.is_ok(), message);
    })
}
