//! What every call that changes the network shares: the state of the
//! commander (one apply, commit or rollback at a time; the checkpoint
//! awaiting `Commit`; the stopping flag) and the steps they are made of —
//! query, apply the parts of a plan, verify, and revert to a checkpoint
//! (the step [`crate::rollback`] builds the one rollback path on).
//!
//! Imports [`crate::history`], which imports nothing of the workflow.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Result,
    state::{
        ApplyPart, ApplyProgress, ApplyStep, DhcpLeaseList, NetworkState, Plan, QueryRequest,
        RevertRequest, VerifyReport, VerifyRequest,
    },
};
use tokio::sync::{Mutex as AsyncMutex, MutexGuard};

use crate::{config::Config, history::History, options::Persistence};

/// A checkpoint awaiting `Commit` (an apply made with `no_commit`).
pub struct Pending {
    pub id: String,
    /// The running state at the checkpoint.
    pub state: NetworkState,
    /// What the apply made true, saved on `Commit` unless `memory_only`.
    pub desired: NetworkState,
    pub persistence: Persistence,
    pub deadline: Instant,
    pub timer: tokio::task::JoinHandle<()>,
}

pub struct Shared {
    pub config: Config,
    pub history: History,
    /// Held by an apply, a commit and a rollback: they run one at a time,
    /// in the order they came (tokio's mutex is fair).
    apply_lock: AsyncMutex<()>,
    pending: Mutex<Option<Pending>>,
    /// Set by `daemon.stopping`: calls that would change the network are
    /// refused from then on.
    stopping: AtomicBool,
    /// What `Status` reports.
    pub status: crate::status::Record,
}

impl Shared {
    pub fn new(config: Config) -> Self {
        Self {
            history: History::new(Duration::from_millis(config.query_timeout_ms)),
            config,
            apply_lock: AsyncMutex::new(()),
            pending: Mutex::new(None),
            stopping: AtomicBool::new(false),
            status: crate::status::Record::default(),
        }
    }

    pub fn query_timeout(&self) -> Duration {
        Duration::from_millis(self.config.query_timeout_ms)
    }

    /// The turn of a call that changes the network: waits for the one in
    /// progress.
    pub async fn turn(&self) -> MutexGuard<'_, ()> {
        self.apply_lock.lock().await
    }

    /// The turn, if nothing is in progress.
    pub fn try_turn(&self) -> Option<MutexGuard<'_, ()>> {
        self.apply_lock.try_lock().ok()
    }

    pub fn refuse_if_stopping(&self, what: &str) -> Result<()> {
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

    pub fn pending(&self) -> std::sync::MutexGuard<'_, Option<Pending>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current state, from role `kernel`, with role `ovs`'s part
    /// merged in ([`crate::ovs`]) and the DHCP clients that run
    /// ([`crate::leases`]), the three asked at once, and role `dns`'s
    /// `auto-dns`/`auto-hostname`; a whole query (no `interface`) also
    /// holds the parts of roles `dns` and `hostname` ([`crate::system`]).
    pub async fn query(&self, ctx: &Context, interface: Option<String>) -> Result<NetworkState> {
        Ok(self.query_with_leases(ctx, interface).await?.0)
    }

    /// What `Show` reports: [`Self::query`] with the DHCP leases.
    pub async fn show(&self, ctx: &Context, interface: Option<String>) -> Result<NetworkState> {
        let (mut state, leases) = self.query_with_leases(ctx, interface).await?;
        if let Some(list) = leases {
            crate::leases::merge_leases(&mut state, list);
        }
        Ok(state)
    }

    /// [`Self::query`], and role `dhcp`'s answer it merged.
    async fn query_with_leases(
        &self,
        ctx: &Context,
        interface: Option<String>,
    ) -> Result<(NetworkState, Option<DhcpLeaseList>)> {
        let whole = interface.is_none();
        let request = QueryRequest {
            interface: interface.clone(),
        };
        let kernel = ctx.ask_within(&request, self.query_timeout());
        let ovs = crate::ovs::ask(ctx, interface.as_deref(), self.query_timeout());
        let leases = crate::leases::ask(ctx, interface.as_deref(), self.query_timeout());
        let host = crate::system::ask(ctx, whole, self.query_timeout());
        let (kernel, ovs, leases, host) = tokio::join!(kernel, ovs, leases, host);
        let kernel =
            kernel.map_err(|e| Error::new(e.kind(), format!("querying the current state: {e}")));
        let mut state = match kernel {
            Ok(s) => s,
            // An OVS bridge has no kernel link: ask OVS before saying so.
            Err(e) if interface.is_some() => {
                let mut s = NetworkState::default();
                crate::ovs::merge(&mut s, ovs);
                return if s.interfaces.is_empty() {
                    Err(e)
                } else {
                    Ok((s, None))
                };
            }
            Err(e) => return Err(e),
        };
        crate::ovs::merge(&mut state, ovs);
        let context = |e: Error| Error::new(e.kind(), format!("querying the current state: {e}"));
        let leases = leases.map_err(context)?;
        if let Some(list) = &leases {
            crate::leases::merge_clients(&mut state, list);
        }
        crate::system::merge(&mut state, host.map_err(context)?);
        Ok((state, leases))
    }

    /// Sends every part of `plan` (and the extra roles) to be applied; the
    /// changes made, or the first error.
    pub async fn apply_parts(
        &self,
        ctx: &Context,
        event: Option<&Event>,
        plan: &Plan,
        checkpoint: &str,
        rollback: bool,
    ) -> Result<Vec<String>> {
        let timeout = Duration::from_millis(self.config.apply_timeout_ms);
        let mut parts: Vec<(String, NetworkState, bool)> = plan
            .parts
            .iter()
            .map(|p| (p.role.clone(), p.state.clone(), p.optional))
            .collect();
        for r in &self.config.extra_roles {
            parts.push((r.clone(), plan.desired.clone(), false));
        }
        let step = if rollback {
            ApplyStep::Rollback
        } else {
            ApplyStep::Apply
        };
        let mut changes = Vec::new();
        for (role, state, optional) in parts {
            if let Some(ev) = event {
                progress(ctx, ev, step, format!("applying to role {role}"));
            }
            let part = ApplyPart {
                state,
                checkpoint: checkpoint.to_string(),
                rollback,
            };
            let t = Instant::now();
            let done = match ctx
                .ask_at(Address::role(role.as_str()), &part, timeout)
                .await
            {
                Ok(done) => {
                    tracing::debug!(
                        "role {role} applied its part in {:.1} ms",
                        t.elapsed().as_secs_f64() * 1000.0
                    );
                    done
                }
                Err(e) if optional && e.kind() == ErrorKind::NoRoleHolder => {
                    tracing::debug!("optional part for role {role} skipped: {e}");
                    continue;
                }
                Err(e) => {
                    return Err(Error::new(
                        e.kind(),
                        format!("role {role} failed to apply: {e}"),
                    ));
                }
            };
            changes.extend(done.changes.into_iter().map(|c| format!("{role}: {c}")));
        }
        Ok(changes)
    }

    /// Verifies `desired` against fresh queries; the number of attempts
    /// made, or the differences of the last one.
    pub async fn verify(
        &self,
        ctx: &Context,
        event: Option<&Event>,
        desired: &NetworkState,
    ) -> Result<std::result::Result<u32, VerifyReport>> {
        let n = self.config.verify_retries;
        let mut last = VerifyReport::default();
        for attempt in 1..=n {
            let t = Instant::now();
            let current = self.query(ctx, None).await?;
            let queried = t.elapsed();
            let request = VerifyRequest {
                desired: desired.clone(),
                current,
            };
            let report = ctx.ask_within(&request, self.query_timeout()).await?;
            tracing::debug!(
                "verification {attempt}: query {:.1} ms, comparison {:.1} ms",
                queried.as_secs_f64() * 1000.0,
                (t.elapsed() - queried).as_secs_f64() * 1000.0
            );
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
                tokio::time::sleep(Duration::from_millis(self.config.verify_interval_ms)).await;
            }
        }
        Ok(Err(last))
    }

    /// Brings the network back to checkpoint `id` (`running`, its state):
    /// plans the revert, applies it and verifies it. `Err` says why it did
    /// not fully work. Only [`crate::rollback::roll_back`] calls it.
    pub async fn revert_to(
        &self,
        ctx: &Context,
        event: Option<&Event>,
        id: &str,
        running: &NetworkState,
    ) -> std::result::Result<(), String> {
        if let Some(ev) = event {
            progress(
                ctx,
                ev,
                ApplyStep::Rollback,
                format!("rolling back to checkpoint {id}"),
            );
        }
        let current = self.query(ctx, None).await.map_err(|e| e.to_string())?;
        let request = RevertRequest {
            checkpoint: running.clone(),
            current,
        };
        let plan = ctx
            .ask_within(&request, self.query_timeout())
            .await
            .map_err(|e| format!("planning the rollback: {e}"))?;
        let changes = self
            .apply_parts(ctx, event, &plan, id, true)
            .await
            .map_err(|e| e.to_string())?;
        for c in changes {
            tracing::info!("rollback to {id}: {c}");
        }
        match self.verify(ctx, None, &plan.verify).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(report)) => Err(format!("the state still differs: {}", report.summary())),
            Err(e) => Err(format!("verifying the rollback: {e}")),
        }
    }
}

/// Reports progress on `event` (an `Ongoing` reply) and in the debug log.
pub fn progress(ctx: &Context, event: &Event, step: ApplyStep, message: impl Into<String>) {
    let message = message.into();
    tracing::debug!("apply {}: {step:?}: {message}", event.id);
    if let Err(e) = ctx.progress(event, &ApplyProgress { step, message }) {
        tracing::debug!("progress of {} not delivered: {e}", event.id);
    }
}
