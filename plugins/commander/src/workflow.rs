//! The workflow of each call.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Result,
    state::{
        ApiCall, ApplyPart, ApplyProgress, ApplyRequest, ApplyResult, ApplyStep, CheckpointInfo,
        CheckpointList, CheckpointRequest, CheckpointResult, CreatedBy, NetworkState, PartApplied,
        Plan, PlanRequest, QueryRequest, RevertRequest, RolledBack, ShowRequest, VerifyReport,
        VerifyRequest, topics,
    },
};
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::Value;
use tokio::sync::Mutex as AsyncMutex;

use crate::history;

/// `[plugin.commander]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Verification attempts before giving up (at least 1).
    pub verify_retries: u32,
    /// Pause between verification attempts.
    pub verify_interval_ms: u64,
    /// How long one plugin may take to answer a query, plan or verify.
    pub query_timeout_ms: u64,
    /// How long one plugin may take to apply its part.
    pub apply_timeout_ms: u64,
    /// Roles that receive every desired state to apply after the plan's
    /// own parts (e.g. a plugin that owns state the `state` plugin does
    /// not know of yet).
    pub extra_roles: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            verify_retries: 5,
            verify_interval_ms: 1000,
            query_timeout_ms: 30_000,
            apply_timeout_ms: 300_000,
            extra_roles: Vec::new(),
        }
    }
}

impl Config {
    pub fn check(&self) -> Result<()> {
        if self.verify_retries == 0 {
            return Err(Error::invalid_input(
                "[plugin.commander] verify_retries must be at least 1",
            ));
        }
        Ok(())
    }
}

/// A checkpoint awaiting `Commit` (an apply made with `no_commit`).
struct Pending {
    id: String,
    state: NetworkState,
    /// What the apply made true, saved on `Commit` unless `memory_only`.
    desired: NetworkState,
    memory_only: bool,
    deadline: Instant,
    timer: tokio::task::JoinHandle<()>,
}

pub struct Shared {
    pub(crate) config: Config,
    /// Held by an apply, a commit and a rollback: they run one at a time,
    /// in the order they came (tokio's mutex is fair).
    apply_lock: AsyncMutex<()>,
    pending: Mutex<Option<Pending>>,
    /// In-memory checkpoint ids, used without the `conf` plugin.
    pub(crate) next_checkpoint: AtomicU64,
    /// Set by `daemon.stopping`: calls that would change the network are
    /// refused from then on.
    stopping: AtomicBool,
}

impl Shared {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            apply_lock: AsyncMutex::new(()),
            pending: Mutex::new(None),
            next_checkpoint: AtomicU64::new(1),
            stopping: AtomicBool::new(false),
        }
    }

    fn refuse_if_stopping(&self, what: &str) -> Result<()> {
        if self.stopping.load(Ordering::Acquire) {
            return Err(Error::new(
                ErrorKind::ShuttingDown,
                format!("the daemon is stopping: the {what} was not started"),
            ));
        }
        Ok(())
    }

    /// `daemon.stopping`: refuses what would change the network from now
    /// on, and returns once the apply, commit or rollback in progress (and
    /// those already waiting, which are refused) has ended.
    pub async fn drain(&self) {
        self.stopping.store(true, Ordering::Release);
        let _g = self.apply_lock.lock().await;
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Option<Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn decode<P: DeserializeOwned + Default>(event: &Event) -> Result<ApiCall<P>> {
    if event.payload.is_empty() {
        return Ok(ApiCall {
            method: String::new(),
            parameters: P::default(),
            more: false,
            caller: None,
        });
    }
    event.json()
}

/// Answers one call; the payload of the `Done` reply.
pub async fn handle(shared: &Arc<Shared>, ctx: &Context, event: &Event) -> Result<Value> {
    let v = match event.topic.as_str() {
        topics::SHOW => {
            let call: ApiCall<ShowRequest> = decode(event)?;
            let interface = call.parameters.interface;
            let mut state = query(shared, ctx, interface.clone()).await?;
            crate::leases::merge(ctx, &mut state, interface.as_deref()).await;
            serde_json::to_value(state)?
        }
        topics::APPLY => {
            let call: ApiCall<ApplyRequest> = event.json()?;
            serde_json::to_value(apply(shared, ctx, event, call.parameters).await?)?
        }
        topics::COMMIT | topics::ROLLBACK => {
            let call: ApiCall<CheckpointRequest> = decode(event)?;
            let commit = event.topic == topics::COMMIT;
            serde_json::to_value(
                finish_checkpoint(shared, ctx, event, call.parameters.checkpoint, commit).await?,
            )?
        }
        _ => serde_json::to_value(list_checkpoints(shared, ctx).await?)?,
    };
    Ok(v)
}

async fn ask<T: DeserializeOwned>(
    ctx: &Context,
    topic: &str,
    role: &str,
    payload: &impl serde::Serialize,
    timeout: Duration,
) -> Result<T> {
    let ev = Event::new(topic, Address::role(role)).with_json(payload)?;
    ctx.request(ev, timeout).await?.json()
}

async fn query(shared: &Shared, ctx: &Context, interface: Option<String>) -> Result<NetworkState> {
    ask(
        ctx,
        topics::QUERY,
        "kernel",
        &QueryRequest { interface },
        Duration::from_millis(shared.config.query_timeout_ms),
    )
    .await
    .map_err(|e| Error::new(e.kind(), format!("querying the current state: {e}")))
}

fn progress(ctx: &Context, event: &Event, step: ApplyStep, message: impl Into<String>) {
    let message = message.into();
    tracing::debug!("apply {}: {step:?}: {message}", event.id);
    if let Err(e) = ctx.progress(event, &ApplyProgress { step, message }) {
        tracing::debug!("progress of {} not delivered: {e}", event.id);
    }
}

/// Sends every part of `plan` (and the extra roles) to be applied; the
/// changes made, or the first error.
async fn apply_parts(
    shared: &Shared,
    ctx: &Context,
    event: Option<&Event>,
    plan: &Plan,
    checkpoint: &str,
    rollback: bool,
) -> Result<Vec<String>> {
    let timeout = Duration::from_millis(shared.config.apply_timeout_ms);
    let mut parts: Vec<(String, NetworkState)> = plan
        .parts
        .iter()
        .map(|p| (p.role.clone(), p.state.clone()))
        .collect();
    for r in &shared.config.extra_roles {
        parts.push((r.clone(), plan.desired.clone()));
    }
    let mut changes = Vec::new();
    for (role, state) in parts {
        if let Some(ev) = event {
            progress(
                ctx,
                ev,
                if rollback {
                    ApplyStep::Rollback
                } else {
                    ApplyStep::Apply
                },
                format!("applying to role {role}"),
            );
        }
        let part = ApplyPart {
            state,
            checkpoint: checkpoint.to_string(),
            rollback,
        };
        let done: PartApplied = ask(ctx, topics::APPLY_PART, &role, &part, timeout)
            .await
            .map_err(|e| Error::new(e.kind(), format!("role {role} failed to apply: {e}")))?;
        changes.extend(done.changes.into_iter().map(|c| format!("{role}: {c}")));
    }
    Ok(changes)
}

/// Verifies `desired` against fresh queries; the number of attempts made,
/// or the differences of the last one.
async fn verify(
    shared: &Shared,
    ctx: &Context,
    event: Option<&Event>,
    desired: &NetworkState,
) -> Result<std::result::Result<u32, VerifyReport>> {
    let n = shared.config.verify_retries;
    let timeout = Duration::from_millis(shared.config.query_timeout_ms);
    let mut last = VerifyReport::default();
    for attempt in 1..=n {
        let current = query(shared, ctx, None).await?;
        let report: VerifyReport = ask(
            ctx,
            topics::VERIFY,
            "state",
            &VerifyRequest {
                desired: desired.clone(),
                current,
            },
            timeout,
        )
        .await?;
        if report.is_ok() {
            return Ok(Ok(attempt));
        }
        if let Some(ev) = event {
            progress(
                ctx,
                ev,
                ApplyStep::Verify,
                format!("verification {attempt} of {n}: {}", report.summary()),
            );
        }
        last = report;
        if attempt < n {
            tokio::time::sleep(Duration::from_millis(shared.config.verify_interval_ms)).await;
        }
    }
    Ok(Err(last))
}

/// Brings the kernel back to `checkpoint`: `Ok` with a note, or `Err` with
/// why it did not fully work.
async fn roll_back(
    shared: &Shared,
    ctx: &Context,
    event: Option<&Event>,
    id: &str,
    checkpoint: &NetworkState,
) -> std::result::Result<(), String> {
    let timeout = Duration::from_millis(shared.config.query_timeout_ms);
    if let Some(ev) = event {
        progress(
            ctx,
            ev,
            ApplyStep::Rollback,
            format!("rolling back to checkpoint {id}"),
        );
    }
    let current = query(shared, ctx, None).await.map_err(|e| e.to_string())?;
    let plan: Plan = ask(
        ctx,
        topics::REVERT_PLAN,
        "state",
        &RevertRequest {
            checkpoint: checkpoint.clone(),
            current,
        },
        timeout,
    )
    .await
    .map_err(|e| format!("planning the rollback: {e}"))?;
    let changes = apply_parts(shared, ctx, event, &plan, id, true)
        .await
        .map_err(|e| e.to_string())?;
    for c in changes {
        tracing::info!("rollback to {id}: {c}");
    }
    match verify(shared, ctx, None, &plan.verify).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(report)) => Err(format!("the state still differs: {}", report.summary())),
        Err(e) => Err(format!("verifying the rollback: {e}")),
    }
}

fn rolled_back_text(id: &str, r: &std::result::Result<(), String>) -> String {
    match r {
        Ok(()) => format!("rolled back to checkpoint {id}"),
        Err(e) => format!("the rollback to checkpoint {id} failed: {e}"),
    }
}

/// A failed apply's end: rolls back to checkpoint `id`, says so in the
/// error (`{cause}; rolled back to checkpoint cp-N`), and publishes it as
/// `network.applied`.
async fn abort_apply(
    shared: &Shared,
    ctx: &Context,
    event: &Event,
    id: &str,
    before: &NetworkState,
    kind: ErrorKind,
    cause: String,
) -> Error {
    let rb = roll_back(shared, ctx, Some(event), id, before).await;
    // Rolled back or not, the apply has ended: the daemon said what it did.
    if let Err(e) = history::mark_in_progress(shared, ctx, None).await {
        tracing::warn!("{e}");
    }
    let err = Error::new(kind, format!("{cause}; {}", rolled_back_text(id, &rb)));
    let _ = ctx.notify(
        topics::APPLIED,
        &serde_json::json!({ "error": err.message(), "rolled_back": rb.is_ok() }),
    );
    err
}

async fn apply(
    shared: &Arc<Shared>,
    ctx: &Context,
    event: &Event,
    req: ApplyRequest,
) -> Result<ApplyResult> {
    let opts = req.options.clone();
    let _guard = match shared.apply_lock.try_lock() {
        Ok(g) => g,
        Err(_) if opts.no_wait => {
            return Err(Error::new(
                ErrorKind::Busy,
                "another apply is in progress (no_wait was asked)",
            ));
        }
        Err(_) => {
            progress(
                ctx,
                event,
                ApplyStep::Queued,
                "waiting for the apply in progress",
            );
            shared.apply_lock.lock().await
        }
    };
    shared.refuse_if_stopping("apply")?;
    if let Some(p) = shared.pending().as_ref() {
        return Err(Error::new(
            ErrorKind::Busy,
            format!("checkpoint {} awaits Commit or Rollback", p.id),
        ));
    }
    let qt = Duration::from_millis(shared.config.query_timeout_ms);

    progress(ctx, event, ApplyStep::Query, "querying the current state");
    let before = query(shared, ctx, None).await?;

    progress(
        ctx,
        event,
        ApplyStep::Validate,
        "validating the desired state",
    );
    let plan: Plan = ask(
        ctx,
        topics::PLAN,
        "state",
        &PlanRequest {
            desired: req.state,
            current: before.clone(),
        },
        qt,
    )
    .await?;
    for n in &plan.notes {
        tracing::info!("apply {}: {n}", event.id);
    }

    let created_by = CreatedBy {
        action: "apply".into(),
        request: Some(event.id.to_string()),
        summary: history::summary("apply", &plan.desired, event),
        desired: Some(plan.desired.clone()),
    };
    let id = history::take(shared, ctx, created_by, &before).await?;
    progress(
        ctx,
        event,
        ApplyStep::Checkpoint,
        format!("checkpoint {id} taken"),
    );
    // Before the first change: a daemon killed from here on rolls back to
    // the checkpoint at its next start.
    history::mark_in_progress(shared, ctx, Some(&id))
        .await
        .map_err(|e| Error::new(e.kind(), format!("{e}; nothing was changed")))?;

    let changes = match apply_parts(shared, ctx, Some(event), &plan, &id, false).await {
        Ok(c) => c,
        Err(e) => {
            return Err(
                abort_apply(shared, ctx, event, &id, &before, e.kind(), e.to_string()).await,
            );
        }
    };

    let mut attempts = 0;
    if !opts.no_verify {
        progress(ctx, event, ApplyStep::Verify, "verifying");
        let outcome = match verify(shared, ctx, Some(event), &plan.verify).await {
            Ok(o) => o,
            Err(e) => Err(VerifyReport {
                differences: vec![nipart_plugin_api::state::Difference {
                    item: "verification".into(),
                    property: "query".into(),
                    desired: "an answer".into(),
                    current: e.to_string(),
                }],
            }),
        };
        match outcome {
            Ok(n) => attempts = n,
            Err(report) => {
                let cause = format!(
                    "verification failed after {} attempts: {}",
                    shared.config.verify_retries,
                    report.summary()
                );
                return Err(abort_apply(
                    shared,
                    ctx,
                    event,
                    &id,
                    &before,
                    ErrorKind::Failed,
                    cause,
                )
                .await);
            }
        }
    }

    // Saved now unless memory-only; with no_commit, on Commit (and marked
    // pending on disk, so that a restart before Commit rolls it back). A
    // state that can't be saved (or marked) is rolled back: nothing is left
    // half done.
    let persisted = if opts.no_commit {
        history::mark_pending(shared, ctx, Some(&id)).await
    } else if !opts.memory_only {
        history::save(shared, ctx, &plan.desired, false)
            .await
            .map(|_| ())
    } else {
        Ok(())
    };
    // The apply is done (or awaits Commit, under the pending mark).
    let persisted = match persisted {
        Ok(()) => history::mark_in_progress(shared, ctx, None).await,
        Err(e) => Err(e),
    };
    if let Err(e) = persisted {
        return Err(abort_apply(shared, ctx, event, &id, &before, e.kind(), e.to_string()).await);
    }

    let pending = opts.no_commit;
    if pending {
        let secs = opts.commit_timeout.unwrap_or(60);
        let timer = {
            let shared = shared.clone();
            let ctx = ctx.clone();
            let id = id.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                let _g = shared.apply_lock.lock().await;
                let taken = {
                    let mut p = shared.pending();
                    match p.as_ref() {
                        Some(x) if x.id == id => p.take(),
                        _ => None,
                    }
                };
                if let Some(p) = taken {
                    let rb = roll_back(&shared, &ctx, None, &p.id, &p.state).await;
                    if let Err(e) = history::mark_pending(&shared, &ctx, None).await {
                        tracing::warn!("{e}");
                    }
                    let message = format!(
                        "checkpoint {} was not committed within {secs} s: {}",
                        p.id,
                        rolled_back_text(&p.id, &rb)
                    );
                    tracing::warn!("{message}");
                    let _ = ctx.notify(
                        topics::ROLLED_BACK,
                        &RolledBack {
                            checkpoint: p.id.clone(),
                            cause: "commit-timeout".into(),
                            ok: rb.is_ok(),
                            message,
                        },
                    );
                }
            })
        };
        *shared.pending() = Some(Pending {
            id: id.clone(),
            state: before,
            desired: plan.desired.clone(),
            memory_only: opts.memory_only,
            deadline: Instant::now() + Duration::from_secs(secs),
            timer,
        });
    }
    progress(ctx, event, ApplyStep::Done, "applied");
    let result = ApplyResult {
        checkpoint: id,
        pending,
        verified: !opts.no_verify,
        attempts,
        changes,
        desired: plan.desired,
    };
    let _ = ctx.notify(topics::APPLIED, &result);
    Ok(result)
}

/// `ListCheckpoints`: the history on disk (with `conf`), marking the
/// pending one; without `conf`, the pending one alone.
async fn list_checkpoints(shared: &Arc<Shared>, ctx: &Context) -> Result<CheckpointList> {
    let now = Instant::now();
    let pending = shared.pending().as_ref().map(|p| {
        (
            p.id.clone(),
            p.deadline.saturating_duration_since(now).as_secs(),
        )
    });
    let timeout_of = |id: &str| pending.as_ref().filter(|p| p.0 == id).map(|p| p.1);
    let checkpoints = match history::list(shared, ctx).await? {
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

/// `Commit` and `Rollback`.
async fn finish_checkpoint(
    shared: &Arc<Shared>,
    ctx: &Context,
    event: &Event,
    wanted: Option<String>,
    commit: bool,
) -> Result<CheckpointResult> {
    let _g = shared.apply_lock.lock().await;
    shared.refuse_if_stopping(if commit { "commit" } else { "rollback" })?;
    let pending = shared
        .pending()
        .as_ref()
        .map(|p| (p.id.clone(), p.desired.clone(), p.memory_only));
    match (pending, &wanted) {
        (Some((id, _, _)), Some(w)) if &id != w => {
            let what = if commit { "commit" } else { "roll back to" };
            Err(Error::new(
                if commit {
                    ErrorKind::NotFound
                } else {
                    ErrorKind::Busy
                },
                format!("can't {what} checkpoint {w:?}: checkpoint {id} awaits Commit or Rollback"),
            ))
        }
        (Some((id, desired, memory_only)), _) if commit => {
            // Saved before the checkpoint is let go: if saving fails, the
            // apply stays pending (and is rolled back in time) rather than
            // running unsaved.
            if !memory_only {
                history::save(shared, ctx, &desired, false).await?;
            }
            history::mark_pending(shared, ctx, None).await?;
            if let Some(p) = shared.pending().take() {
                p.timer.abort();
            }
            tracing::info!("checkpoint {id} committed");
            Ok(CheckpointResult {
                checkpoint: id,
                done: "committed".into(),
            })
        }
        (Some(_), _) => {
            let Some(p) = shared.pending().take() else {
                return Err(Error::other("the pending checkpoint went away"));
            };
            p.timer.abort();
            // The uncommitted apply was never saved: the saved state stays.
            let r = restore(shared, ctx, event, &p.id, &p.state, None).await;
            if let Err(e) = history::mark_pending(shared, ctx, None).await {
                tracing::warn!("{e}");
            }
            r
        }
        (None, _) if commit => Err(Error::new(
            ErrorKind::NotFound,
            match wanted {
                Some(w) => format!("no checkpoint {w:?} awaits Commit"),
                None => "no checkpoint awaits Commit".to_string(),
            },
        )),
        (None, _) => match history::get(shared, ctx, wanted.as_deref()).await? {
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
        },
    }
}

/// Brings the network back to checkpoint `id` (its `running` state), as an
/// apply does: a new checkpoint first (so that the rollback can be undone),
/// then revert, apply, verify, and on failure back to that new checkpoint.
/// `saved`, when given, replaces the saved desired state afterwards.
async fn restore(
    shared: &Arc<Shared>,
    ctx: &Context,
    event: &Event,
    id: &str,
    running: &NetworkState,
    saved: Option<NetworkState>,
) -> Result<CheckpointResult> {
    let before = query(shared, ctx, None).await?;
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
    let new_id = history::take(shared, ctx, created_by, &before).await?;
    // A rollback a client asked for is an apply too: marked in progress, so
    // that a daemon killed in the middle goes back to `new_id` at start.
    // Not the rollbacks conf asks for at start: the mark they undo must
    // stay until they are done.
    let marked = matches!(event.src, Address::Client(_));
    if marked {
        history::mark_in_progress(shared, ctx, Some(&new_id))
            .await
            .map_err(|e| Error::new(e.kind(), format!("{e}; nothing was changed")))?;
    }
    let outcome = match roll_back(shared, ctx, None, id, running).await {
        Ok(()) => match &saved {
            Some(s) => history::save(shared, ctx, s, true)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            None => Ok(()),
        },
        Err(e) => Err(e),
    };
    let outcome = match outcome {
        Ok(()) if marked => history::mark_in_progress(shared, ctx, None)
            .await
            .map_err(|e| e.to_string()),
        other => other,
    };
    match outcome {
        Ok(()) => {
            let message =
                format!("rolled back to checkpoint {id} (checkpoint {new_id} taken before)");
            tracing::info!("{message}");
            let _ = ctx.notify(
                topics::ROLLED_BACK,
                &RolledBack {
                    checkpoint: id.to_string(),
                    cause: "request".into(),
                    ok: true,
                    message,
                },
            );
            Ok(CheckpointResult {
                checkpoint: id.to_string(),
                done: "rolled-back".into(),
            })
        }
        Err(e) => {
            let back = roll_back(shared, ctx, None, &new_id, &before).await;
            if marked && let Err(e) = history::mark_in_progress(shared, ctx, None).await {
                tracing::warn!("{e}");
            }
            let message = format!(
                "rolling back to checkpoint {id}: {e}; {}",
                rolled_back_text(&new_id, &back)
            );
            tracing::warn!("{message}");
            let _ = ctx.notify(
                topics::ROLLED_BACK,
                &RolledBack {
                    checkpoint: id.to_string(),
                    cause: "request".into(),
                    ok: false,
                    message: message.clone(),
                },
            );
            Err(Error::new(ErrorKind::Failed, message))
        }
    }
}
