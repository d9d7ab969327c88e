//! Checkpoints and the saved state, through the `conf` plugin when one
//! holds role `conf`; without it, checkpoints live only in memory (the one
//! a `no_commit` apply keeps) and nothing is saved.
//!
//! This module knows nothing of the workflow: it gets a [`History`] (the
//! timeout of a request to `conf` and the in-memory id counter).

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Request, Result,
    protocol::conf::{CheckpointInProgress, CheckpointListRequest},
    state::{
        CheckpointGet, CheckpointHistory, CheckpointPending, CheckpointRecord, CheckpointSave,
        CreatedBy, NetworkState, StateSave, StateSaved,
    },
};

/// The commander's side of role `conf`.
pub struct History {
    /// How long `conf` may take to answer.
    timeout: Duration,
    /// In-memory checkpoint ids, used without the `conf` plugin.
    next_checkpoint: AtomicU64,
}

/// Whether `e` is the bus's answer when no plugin holds the role asked
/// (its own kind, docs/events.md).
fn no_role_holder(e: &Error) -> bool {
    e.kind() == ErrorKind::NoRoleHolder
}

impl History {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            next_checkpoint: AtomicU64::new(1),
        }
    }

    /// `request` to `role:conf`; `Ok(None)` when no plugin holds the role.
    async fn ask<R: Request>(&self, ctx: &Context, request: &R) -> Result<Option<R::Reply>> {
        match ctx.ask_within(request, self.timeout).await {
            Ok(reply) => Ok(Some(reply)),
            Err(e) if no_role_holder(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Takes a checkpoint of `running`: on disk through `conf`, or a new
    /// in-memory id. An error means nothing may change.
    pub async fn take(
        &self,
        ctx: &Context,
        created_by: CreatedBy,
        running: &NetworkState,
    ) -> Result<String> {
        let req = CheckpointSave {
            created_by,
            running: running.clone(),
        };
        match self.ask(ctx, &req).await {
            Ok(Some(s)) => Ok(s.id),
            Ok(None) => Ok(format!(
                "cp-{}",
                self.next_checkpoint.fetch_add(1, Ordering::Relaxed)
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
        &self,
        ctx: &Context,
        desired: &NetworkState,
        replace: bool,
    ) -> Result<Option<StateSaved>> {
        let req = StateSave {
            desired: desired.clone(),
            replace,
        };
        self.ask(ctx, &req)
            .await
            .map_err(|e| Error::new(e.kind(), format!("saving the desired state: {e}")))
    }

    /// Marks checkpoint `id` as awaiting `Commit` on disk (`None` clears
    /// the mark), so that a daemon stopped before `Commit` rolls it back at
    /// start. A no-op without `conf`.
    pub async fn mark_pending(&self, ctx: &Context, id: Option<&str>) -> Result<()> {
        let req = CheckpointPending {
            id: id.map(str::to_string),
        };
        self.mark(ctx, &req, "marking the pending checkpoint").await
    }

    /// Marks checkpoint `id` on disk as the one of the apply about to
    /// change the network (`None` clears the mark), so that a daemon killed
    /// before the apply is verified and saved, or rolled back, rolls it
    /// back at start. A no-op without `conf`.
    pub async fn mark_in_progress(&self, ctx: &Context, id: Option<&str>) -> Result<()> {
        let req = CheckpointInProgress {
            id: id.map(str::to_string),
        };
        self.mark(ctx, &req, "marking the apply in progress").await
    }

    /// A mark on disk (`request`); an error says `what` failed.
    async fn mark<R: Request>(&self, ctx: &Context, request: &R, what: &str) -> Result<()> {
        self.ask(ctx, request)
            .await
            .map(|_| ())
            .map_err(|e| Error::new(e.kind(), format!("{what}: {e}")))
    }

    /// The checkpoint `id` (the newest when `None`) of the history;
    /// `Ok(None)` without `conf`.
    pub async fn get(&self, ctx: &Context, id: Option<&str>) -> Result<Option<CheckpointRecord>> {
        let req = CheckpointGet {
            id: id.map(str::to_string),
        };
        self.ask(ctx, &req).await
    }

    /// The history, oldest first; `Ok(None)` without `conf`.
    pub async fn list(&self, ctx: &Context) -> Result<Option<CheckpointHistory>> {
        self.ask(ctx, &CheckpointListRequest {}).await
    }
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
    let mut said = !names.is_empty();
    for (given, what) in [
        (desired.routes.config.is_some(), "routes"),
        (desired.route_rules.config.is_some(), "routing rules"),
        (desired.ovs_db.is_some(), "ovs-db"),
        (desired.ovn.is_some(), "ovn"),
    ] {
        if given {
            s.push_str(if said { " and " } else { " of " });
            s.push_str(what);
            said = true;
        }
    }
    if !matches!(event.src, Address::Client(_)) {
        s.push_str(&format!(" (from {})", event.src));
    }
    s
}
