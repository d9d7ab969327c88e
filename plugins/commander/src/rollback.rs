//! The one rollback path: [`roll_back`] brings the network back to a
//! checkpoint, ends what the change being undone left on disk, and says
//! what it did. The automatic rollback of a failed apply, the commit
//! timeout and `Rollback` calls all go through it; none of them reverts,
//! clears a mark or announces on its own.
//!
//! Which marks a rollback ends follows from what it undoes ([`Undoing`]),
//! and they are ended whether the revert worked or not (the change has
//! ended either way; what happened is in the announcement):
//!
//! | undoing | marks ended | announced as |
//! | --- | --- | --- |
//! | a failed apply | its in-progress mark | `network.applied` (failed) |
//! | the apply awaiting `Commit` | its pending mark (and its commit timer) | `network.rolled-back` |
//! | a checkpoint of the history | none | `network.rolled-back` |
//!
//! A rollback a client asks for is itself a change: it takes a checkpoint
//! first (so that it can be undone), marks that one in progress while it
//! runs, and goes back to it if the rollback fails.

use std::time::Duration;

use nipart_plugin_api::{
    Address, Context, Error, Event, Result,
    protocol::workflow::{ApplyFailed, NetworkApplied},
    state::{CreatedBy, NetworkState, RolledBack},
};

use crate::workflow::{Pending, Shared};

/// Why the network goes back to a checkpoint.
pub enum Cause<'a> {
    /// A step of apply `event` failed: `error` says which.
    FailedApply { event: &'a Event, error: String },
    /// The pending apply was not committed within `after`.
    CommitTimeout { after: Duration },
    /// A `Rollback` call; `saved`, when given, replaces the saved desired
    /// state once the network is back.
    Request {
        event: &'a Event,
        saved: Option<NetworkState>,
    },
}

impl Cause<'_> {
    /// `cause` of `network.rolled-back` (a failed apply says so in
    /// `network.applied` instead).
    fn notice_cause(&self) -> Option<&'static str> {
        match self {
            Self::FailedApply { .. } => None,
            Self::CommitTimeout { .. } => Some("commit-timeout"),
            Self::Request { .. } => Some("request"),
        }
    }
}

/// What the rollback undoes, which says the marks it ends.
pub enum Undoing {
    /// The apply in progress (its in-progress mark).
    Apply,
    /// The apply awaiting `Commit`, taken out of [`Shared::pending`]: its
    /// pending mark, and its commit timer unless that timer is what rolls
    /// it back.
    Pending(Box<Pending>),
    /// Nothing on disk: a checkpoint of the history.
    Checkpoint,
}

/// How it ended: whether the network is back at the checkpoint, and the
/// message that was logged and announced.
pub struct RolledBackTo {
    pub ok: bool,
    pub message: String,
}

/// The one rollback path (see the module documentation): back to
/// checkpoint `to` (`running`, its state). `Err` only for a `Rollback` call
/// that could not start (nothing was changed).
pub async fn roll_back(
    shared: &Shared,
    ctx: &Context,
    to: &str,
    running: &NetworkState,
    cause: Cause<'_>,
    undoing: Undoing,
) -> Result<RolledBackTo> {
    if let (Undoing::Pending(p), Cause::Request { .. }) = (&undoing, &cause) {
        // A call, not the timer itself: the timer must not fire later.
        p.timer.abort();
    }
    let outcome = match &cause {
        Cause::Request { event, saved } => {
            undoable(shared, ctx, event, to, running, saved.as_ref()).await
        }
        _ => {
            // A failed apply reports the rollback as progress of the apply.
            let event = match &cause {
                Cause::FailedApply { event, .. } => Some(*event),
                _ => None,
            };
            let r = shared.revert_to(ctx, event, to, running).await;
            let text = rolled_back_text(to, &r);
            r.map(|()| text.clone()).map_err(|_| Failure::Ended(text))
        }
    };
    // Rolled back or not, the change has ended: the daemon says what it did.
    let ended = match undoing {
        Undoing::Apply => shared.history.mark_in_progress(ctx, None).await,
        Undoing::Pending(_) => shared.history.mark_pending(ctx, None).await,
        Undoing::Checkpoint => Ok(()),
    };
    if let Err(e) = ended {
        tracing::warn!("{e}");
    }
    let outcome = match outcome {
        Ok(m) => Ok(m),
        // A `Rollback` call that could not start.
        Err(Failure::NotStarted(e)) => return Err(e),
        Err(Failure::Ended(m)) => Err(m),
    };
    Ok(announce(ctx, to, &cause, outcome))
}

/// Why a rollback did not bring the network back.
enum Failure {
    /// Nothing was changed.
    NotStarted(Error),
    /// It ran and failed; the message says how far it got.
    Ended(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self::Ended(message)
    }
}

/// A rollback a client (or `conf`, at start) asked for: a new checkpoint
/// first, the revert, the saved state replaced; on failure back to the new
/// checkpoint. Its message on success and on failure.
async fn undoable(
    shared: &Shared,
    ctx: &Context,
    event: &Event,
    to: &str,
    running: &NetworkState,
    saved: Option<&NetworkState>,
) -> std::result::Result<String, Failure> {
    let history = &shared.history;
    let before = shared.query(ctx, None).await.map_err(Failure::NotStarted)?;
    let mut summary = format!("rollback to {to}");
    if !matches!(event.src, Address::Client(_)) {
        summary.push_str(&format!(" (from {})", event.src));
    }
    let created_by = CreatedBy {
        action: "rollback".into(),
        request: Some(event.id.to_string()),
        summary,
        desired: None,
    };
    let new_id = history
        .take(ctx, created_by, &before)
        .await
        .map_err(Failure::NotStarted)?;
    // A rollback a client asked for is an apply too: marked in progress, so
    // that a daemon killed in the middle goes back to `new_id` at start.
    // Not the rollbacks conf asks for at start: the mark they undo must
    // stay until they are done.
    let marked = matches!(event.src, Address::Client(_));
    if marked {
        history
            .mark_in_progress(ctx, Some(&new_id))
            .await
            .map_err(|e| {
                Failure::NotStarted(Error::new(e.kind(), format!("{e}; nothing was changed")))
            })?;
    }
    let mut outcome = shared.revert_to(ctx, None, to, running).await;
    if let (Ok(()), Some(s)) = (&outcome, saved) {
        outcome = history
            .save(ctx, s, true)
            .await
            .map(|_| shared.status.saved_is(s.clone()))
            .map_err(|e| e.to_string());
    }
    if outcome.is_ok() && marked {
        outcome = history
            .mark_in_progress(ctx, None)
            .await
            .map_err(|e| e.to_string());
    }
    match outcome {
        Ok(()) => Ok(format!(
            "rolled back to checkpoint {to} (checkpoint {new_id} taken before)"
        )),
        Err(e) => {
            let back = shared.revert_to(ctx, None, &new_id, &before).await;
            if marked && let Err(e) = history.mark_in_progress(ctx, None).await {
                tracing::warn!("{e}");
            }
            Err(format!(
                "rolling back to checkpoint {to}: {e}; {}",
                rolled_back_text(&new_id, &back)
            )
            .into())
        }
    }
}

/// Logs the outcome and announces it: the one place `network.rolled-back`
/// and a failed apply's `network.applied` are built.
fn announce(
    ctx: &Context,
    to: &str,
    cause: &Cause<'_>,
    outcome: std::result::Result<String, String>,
) -> RolledBackTo {
    let ok = outcome.is_ok();
    let (Ok(text) | Err(text)) = outcome;
    let message = match cause {
        Cause::FailedApply { error, .. } => format!("{error}; {text}"),
        Cause::CommitTimeout { after } => format!(
            "checkpoint {to} was not committed within {} s: {text}",
            after.as_secs()
        ),
        Cause::Request { .. } => text,
    };
    match cause {
        // The caller gets the error; the apply's reply carries it.
        Cause::FailedApply { .. } => {}
        Cause::Request { .. } if ok => tracing::info!("{message}"),
        _ => tracing::warn!("{message}"),
    }
    let announced = match cause.notice_cause() {
        None => ctx.announce(&NetworkApplied::Failed(ApplyFailed {
            error: message.clone(),
            rolled_back: ok,
        })),
        Some(c) => ctx.announce(&RolledBack {
            checkpoint: to.to_string(),
            cause: c.to_string(),
            ok,
            message: message.clone(),
        }),
    };
    if let Err(e) = announced {
        tracing::debug!("the rollback was not announced: {e}");
    }
    RolledBackTo { ok, message }
}

/// `rolled back to checkpoint cp-3`, or why not.
fn rolled_back_text(id: &str, r: &std::result::Result<(), String>) -> String {
    match r {
        Ok(()) => format!("rolled back to checkpoint {id}"),
        Err(e) => format!("the rollback to checkpoint {id} failed: {e}"),
    }
}
