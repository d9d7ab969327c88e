//! `Apply` as a value with one method per step: [`Apply::run`] takes its
//! turn, then plans (validates), checkpoints, applies, verifies, and makes
//! the result final (saved, or awaiting `Commit`); a step that fails goes
//! to [`Apply::roll_back`] (the one rollback path, [`crate::rollback`]),
//! the only way out of an apply that changed something.
//!
//! The in-progress mark (`conf.checkpoint.in-progress`) is set before the
//! first change and cleared once the apply is final or rolled back, so
//! that a daemon killed in between rolls back at its next start.

use std::{sync::Arc, time::Instant};

use nipart_plugin_api::{
    Context, Error, ErrorKind, Event, Result,
    protocol::workflow::NetworkApplied,
    state::{
        ApplyRequest, ApplyResult, ApplyStep, CreatedBy, Difference, NetworkState, Plan, PlanPart,
        PlanRequest, VerifyReport, differences,
    },
};

use crate::{
    checkpoint,
    history::summary,
    options::{ApplyMode, Finish, Persistence, WhenBusy},
    rollback::{Cause, Undoing, roll_back},
    workflow::{Pending, Shared, progress},
};

/// Whether `part`'s effect is out of what a comparison with the query
/// sees (the query is the kernel's and OVS's, with the host-wide parts of
/// [`crate::system`]; whether a DHCP client or an LLDP agent runs, or
/// DHCP's name servers are used, is not compared even where the query
/// shows it), so that an apply with it is made even when the comparison
/// finds nothing to change. Not an optional part: those only go with
/// a change the query shows (an interface set down or absent).
fn unseen_by_query(part: &PlanPart) -> bool {
    !crate::system::seen_by_query(part) && !part.optional
}

/// One `Apply` call.
pub struct Apply<'a> {
    shared: &'a Arc<Shared>,
    ctx: &'a Context,
    event: &'a Event,
    mode: ApplyMode,
}

/// What the apply is about: the state before it and the plan.
struct Planned {
    before: NetworkState,
    plan: Plan,
}

/// Planned, and checkpoint `id` taken and marked in progress.
struct Checkpointed {
    id: String,
    before: NetworkState,
    plan: Plan,
}

impl<'a> Apply<'a> {
    /// An apply with `request`'s options; refused when they make no sense
    /// together.
    pub fn new(
        shared: &'a Arc<Shared>,
        ctx: &'a Context,
        event: &'a Event,
        request: &ApplyRequest,
    ) -> Result<Self> {
        Ok(Self {
            shared,
            ctx,
            event,
            mode: ApplyMode::try_from(&request.options)?,
        })
    }

    /// Runs every step; the result is also published as `network.applied`.
    pub async fn run(self, request: ApplyRequest) -> Result<ApplyResult> {
        let _turn = match self.shared.try_turn() {
            Some(g) => g,
            None if self.mode.when_busy == WhenBusy::Refuse => {
                return Err(Error::new(
                    ErrorKind::Busy,
                    "another apply is in progress (no_wait was asked)",
                ));
            }
            None => {
                self.progress(ApplyStep::Queued, "waiting for the apply in progress");
                self.shared.turn().await
            }
        };
        self.shared.refuse_if_stopping("apply")?;
        if let Some(p) = self.shared.pending().as_ref() {
            return Err(Error::new(
                ErrorKind::Busy,
                format!("checkpoint {} awaits Commit or Rollback", p.id),
            ));
        }
        let t = Instant::now();
        let planned = self.plan(request.state).await?;
        self.took("query and plan", t);
        // What an apply would change: nothing means no checkpoint, no
        // change and nothing to roll back (a checkpoint slot is not spent
        // on it), but the desired state is still saved.
        let to_change = differences(&planned.plan.verify, &planned.before);
        if self.mode.dry_run {
            return Ok(self.nothing_applied(planned, to_change));
        }
        let unseen = planned.plan.parts.iter().any(unseen_by_query);
        if to_change.is_empty() && !unseen && self.mode.finish == Finish::Now {
            if self.mode.persistence == Persistence::Save {
                self.shared
                    .history
                    .save(self.ctx, &planned.plan.desired, false)
                    .await?;
            }
            return Ok(self.nothing_applied(planned, Vec::new()));
        }
        let t = Instant::now();
        let taken = self.checkpoint(planned).await?;
        self.took("checkpoint", t);
        let t = Instant::now();
        let changes = match self.apply(&taken).await {
            Ok(c) => c,
            Err(e) => return Err(self.roll_back(&taken, e.kind(), e.to_string()).await),
        };
        self.took("apply", t);
        let t = Instant::now();
        let attempts = match self.verify(&taken).await {
            Ok(n) => n,
            Err(cause) => return Err(self.roll_back(&taken, ErrorKind::Failed, cause).await),
        };
        self.took("verify", t);
        let t = Instant::now();
        if let Err(e) = self.make_final(&taken).await {
            return Err(self.roll_back(&taken, e.kind(), e.to_string()).await);
        }
        self.took("save", t);
        Ok(self.done(taken, changes, attempts))
    }

    fn progress(&self, step: ApplyStep, message: impl Into<String>) {
        progress(self.ctx, self.event, step, message);
    }

    /// Logs (debug) how long step `what` took since `start`: where an
    /// apply's time goes, for operators and the benchmarks.
    fn took(&self, what: &str, start: Instant) {
        tracing::debug!(
            "apply {}: {what} took {:.1} ms",
            self.event.id,
            start.elapsed().as_secs_f64() * 1000.0
        );
    }

    /// Queries the current state and asks role `state` to validate the
    /// desired one and plan it.
    async fn plan(&self, desired: serde_json::Value) -> Result<Planned> {
        self.progress(ApplyStep::Query, "querying the current state");
        let t = Instant::now();
        let before = self.shared.query(self.ctx, None).await?;
        self.took("query", t);
        self.progress(ApplyStep::Validate, "validating the desired state");
        let request = PlanRequest {
            desired,
            current: before.clone(),
        };
        let plan = self
            .ctx
            .ask_within(&request, self.shared.query_timeout())
            .await?;
        for n in &plan.notes {
            tracing::info!("apply {}: {n}", self.event.id);
        }
        Ok(Planned { before, plan })
    }

    /// Takes the checkpoint and marks it in progress: from here on, a
    /// daemon killed rolls back to it at its next start. An error means
    /// nothing was changed.
    async fn checkpoint(&self, p: Planned) -> Result<Checkpointed> {
        let created_by = CreatedBy {
            action: "apply".into(),
            request: Some(self.event.id.to_string()),
            summary: summary("apply", &p.plan.desired, self.event),
            desired: Some(p.plan.desired.clone()),
        };
        let history = &self.shared.history;
        let id = history.take(self.ctx, created_by, &p.before).await?;
        self.progress(ApplyStep::Checkpoint, format!("checkpoint {id} taken"));
        history
            .mark_in_progress(self.ctx, Some(&id))
            .await
            .map_err(|e| Error::new(e.kind(), format!("{e}; nothing was changed")))?;
        Ok(Checkpointed {
            id,
            before: p.before,
            plan: p.plan,
        })
    }

    /// Sends each part of the plan to its role.
    async fn apply(&self, c: &Checkpointed) -> Result<Vec<String>> {
        self.shared
            .apply_parts(self.ctx, Some(self.event), &c.plan, &c.id, false)
            .await
    }

    /// The verification attempts made (0 with `no_verify`), or why it
    /// failed.
    async fn verify(&self, c: &Checkpointed) -> std::result::Result<u32, String> {
        if !self.mode.verify {
            return Ok(0);
        }
        self.progress(ApplyStep::Verify, "verifying");
        let report = match self
            .shared
            .verify(self.ctx, Some(self.event), &c.plan.verify)
            .await
        {
            Ok(Ok(n)) => return Ok(n),
            Ok(Err(report)) => report,
            Err(e) => VerifyReport {
                differences: vec![Difference {
                    item: "verification".into(),
                    property: "query".into(),
                    desired: "an answer".into(),
                    current: e.to_string(),
                }],
            },
        };
        Err(format!(
            "verification failed after {} attempts: {}",
            self.shared.config.verify_retries,
            report.summary()
        ))
    }

    /// Saves the desired state (unless `memory_only`), or with `no_commit`
    /// marks the checkpoint pending on disk (so that a restart before
    /// `Commit` rolls it back); then clears the in-progress mark. A state
    /// that can't be saved (or marked) is rolled back by the caller:
    /// nothing is left half done.
    async fn make_final(&self, c: &Checkpointed) -> Result<()> {
        let history = &self.shared.history;
        match (self.mode.finish, self.mode.persistence) {
            (Finish::OnCommit { .. }, _) => history.mark_pending(self.ctx, Some(&c.id)).await?,
            (Finish::Now, Persistence::Save) => {
                history.save(self.ctx, &c.plan.desired, false).await?;
            }
            (Finish::Now, Persistence::MemoryOnly) => {}
        }
        history.mark_in_progress(self.ctx, None).await
    }

    /// A failed apply's end, through the one rollback path: back to the
    /// checkpoint, the in-progress mark cleared, the error saying so
    /// (`{cause}; rolled back to checkpoint cp-N`) and published as
    /// `network.applied`.
    async fn roll_back(&self, c: &Checkpointed, kind: ErrorKind, error: String) -> Error {
        let cause = Cause::FailedApply {
            event: self.event,
            error,
        };
        match roll_back(
            self.shared,
            self.ctx,
            &c.id,
            &c.before,
            cause,
            Undoing::Apply,
        )
        .await
        {
            Ok(done) => Error::new(kind, done.message),
            // Only a `Rollback` call fails to start.
            Err(e) => e,
        }
    }

    /// The reply to a dry run (`would` is what an apply would change) or to
    /// an apply that had nothing to change: no checkpoint; only a real
    /// apply is announced.
    fn nothing_applied(&self, p: Planned, would: Vec<Difference>) -> ApplyResult {
        let dry = self.mode.dry_run;
        self.progress(
            ApplyStep::Done,
            if dry {
                "planned (dry run: nothing changed)"
            } else {
                "nothing to change"
            },
        );
        let result = ApplyResult {
            checkpoint: String::new(),
            pending: false,
            verified: !dry,
            attempts: 0,
            changes: would.iter().map(ToString::to_string).collect(),
            desired: p.plan.desired,
            dry_run: dry,
        };
        if !dry && let Err(e) = self.ctx.announce(&NetworkApplied::Applied(result.clone())) {
            tracing::debug!("the apply was not announced: {e}");
        }
        result
    }

    /// The reply; with `no_commit`, the checkpoint is kept pending with
    /// its timer.
    fn done(self, c: Checkpointed, changes: Vec<String>, attempts: u32) -> ApplyResult {
        let pending = match self.mode.finish {
            Finish::OnCommit { timeout } => {
                let timer = checkpoint::expire_after(self.shared, self.ctx, &c.id, timeout);
                *self.shared.pending() = Some(Pending {
                    id: c.id.clone(),
                    state: c.before,
                    desired: c.plan.desired.clone(),
                    persistence: self.mode.persistence,
                    deadline: Instant::now() + timeout,
                    timer,
                });
                true
            }
            Finish::Now => false,
        };
        self.progress(ApplyStep::Done, "applied");
        let result = ApplyResult {
            checkpoint: c.id,
            pending,
            verified: self.mode.verify,
            attempts,
            changes,
            desired: c.plan.desired,
            dry_run: false,
        };
        if let Err(e) = self.ctx.announce(&NetworkApplied::Applied(result.clone())) {
            tracing::debug!("the apply was not announced: {e}");
        }
        result
    }
}
