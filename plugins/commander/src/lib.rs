//! The `commander` plugin: turns the API's `io.nipart.Network` calls into
//! the workflow between plugins — validate → query → checkpoint → apply →
//! verify (with retries) → on failure roll back to the checkpoint and
//! report what differed → save (through the `conf` plugin, if any) → reply.
//!
//! Role `commander`. See `docs/plugins/commander.md` for the exchange and
//! the configuration (`[plugin.commander]`).
//!
//! Modules: [`apply`] (the `Apply` call, one method per step),
//! [`checkpoint`] (`Commit`, `Rollback`, `ListCheckpoints`, the commit
//! timer), [`workflow`] (the commander's state and the steps the calls
//! share), [`rollback`] (the one rollback path: revert, the marks it ends,
//! `network.rolled-back`),
//! [`history`] (requests to role `conf`), [`options`] (`ApplyOptions` as
//! an `ApplyMode`), [`leases`] (DHCP clients in every query, leases in `Show`), [`neighbors`]
//! (LLDP neighbours in `Show`), [`ovs`] (role `ovs`'s part merged into
//! every query), [`status`] (what `Status` reports: the last
//! apply of each kind, the saved state), [`system`] (the parts of roles
//! `dns` and `hostname` in every query), [`config`].

mod apply;
mod checkpoint;
mod config;
mod history;
mod leases;
mod neighbors;
mod options;
mod ovs;
mod rollback;
mod status;
mod system;
mod workflow;

use std::{future::Future, sync::Arc};

use nipart_plugin_api::{
    Context, Event, EventState, Message, Plugin, Request, Result, Role,
    protocol::{
        Empty,
        api::{Commit, ListCheckpoints, Rollback},
        daemon::{ConfigType, DaemonStopping},
    },
    state::{
        ApiCall, ApplyKind, ApplyRequest, DhcpLeaseInfo, DhcpLeaseLost, NetworkState, ShowRequest,
        StatusRequest,
    },
};

use config::Config;
use workflow::Shared;

nipart_plugin_api::incoming! {
    /// What the commander answers.
    enum Call {
        Stopping(DaemonStopping),
        Show(ApiCall<ShowRequest>),
        Apply(ApiCall<ApplyRequest>),
        Commit(ApiCall<Commit>),
        Rollback(ApiCall<Rollback>),
        ListCheckpoints(ApiCall<ListCheckpoints>),
        Status(ApiCall<StatusRequest>),
        /// For `Status`: the dhcp plugin's leases.
        Lease(DhcpLeaseInfo),
        LeaseLost(DhcpLeaseLost),
    }
}

/// The method name the `conf` plugin gives its apply of the saved state.
const BOOT_METHOD: &str = "boot";

struct Commander {
    shared: Option<Arc<Shared>>,
}

/// What a call does, for how it is run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    /// A query or a listing: worth nothing once its caller is gone, its
    /// asks stop when the API cancels the call.
    Read,
    /// An apply, a commit or a rollback: goes on to a consistent end, then
    /// gives the memory it freed back.
    Change,
    /// `daemon.stopping`.
    Drain,
}

/// Answers `event`, an `R`, with what `work` returns, from a task of its
/// own, so that a show, or a second apply that must not wait, is answered
/// while an apply runs.
fn answer_in_task<R, F>(ctx: &Context, event: Event, kind: CallKind, work: F)
where
    R: Request + 'static,
    R::Reply: Send,
    F: Future<Output = Result<R::Reply>> + Send + 'static,
{
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let result = if kind == CallKind::Read {
            ctx.on_behalf_of(&event, work).await
        } else {
            work.await
        };
        let sent = match result {
            Ok(reply) => ctx.answer::<R>(&event, &reply),
            Err(e) => ctx.reply_error(&event, &e),
        };
        if let Err(e) = &sent {
            tracing::warn!("replying to {}: {e}", event.topic);
        }
        if kind == CallKind::Change {
            give_back_memory().await;
        }
    });
}

/// Returns the memory a change freed to the system. Plugins exchange and
/// copy whole states during an apply (a query of 10,000 interfaces is tens
/// of MB in several threads); glibc keeps what they free inside its arenas
/// unless it is at the top of one, so without this the daemon stays at its
/// peak. One process-wide `malloc_trim` covers every plugin's thread.
async fn give_back_memory() {
    // The other plugins drop their copies of the states right after their
    // replies, a moment after ours; the monitor and its subscribers work
    // through the link events of the change for a while longer.
    for wait_ms in [200, 2000] {
        tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
        #[cfg(target_env = "gnu")]
        // SAFETY: malloc_trim only returns free pages of the allocator's
        // own heaps; it takes the arenas' locks and may run on any thread.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

impl Plugin for Commander {
    const NAME: &'static str = "commander";
    const DESCRIPTION: &'static str =
        "drives apply → verify → rollback of network state between plugins";
    const ROLES: &'static [&'static str] = &[Role::COMMANDER.as_str()];
    const SUBSCRIPTIONS: &'static [&'static str] = &[DhcpLeaseInfo::TOPIC, DhcpLeaseLost::TOPIC];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("verify_retries", ConfigType::Integer),
        ("verify_interval_ms", ConfigType::Integer),
        ("query_timeout_ms", ConfigType::Integer),
        ("apply_timeout_ms", ConfigType::Integer),
        ("extra_roles", ConfigType::Array),
    ];

    fn new() -> Result<Self> {
        Ok(Commander { shared: None })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        let config: Config = ctx.config()?;
        config.check()?;
        self.shared = Some(Arc::new(Shared::new(config)));
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, mut event: Event) -> Result<()> {
        let Some(shared) = self.shared.clone() else {
            return Ok(());
        };
        if event.state == EventState::Cancelled {
            // The API gave up on a call (timeout or client gone). The apply
            // goes on to a consistent end (applied and verified, or rolled
            // back); its reply will find nobody.
            tracing::info!("the caller of {} abandoned it", event.topic);
            return Ok(());
        }
        if event.state != EventState::Todo && !event.request {
            // A notice (`Done`, not a request): only the leases are ours.
            match Call::decode(&event) {
                Ok(Some(Call::Lease(info))) => shared.status.lease(&info),
                Ok(Some(Call::LeaseLost(lost))) => shared.status.lease_lost(&lost),
                _ => {}
            }
            return Ok(());
        }
        if event.state != EventState::Todo || !event.request {
            return Ok(());
        }
        if event.payload.is_empty() {
            // A call without a payload is one without parameters.
            event.payload = serde_json::to_vec(&ApiCall::new("", Empty {}))?.into();
        }
        let Some(call) = Call::decode(&event)? else {
            return Ok(());
        };
        let c = ctx.clone();
        match call {
            Call::Stopping(_) => {
                // SIGTERM: the apply in progress ends as usual (its client
                // gets the reply, it is saved or rolled back), new ones are
                // refused; the daemon waits for this reply before it stops
                // anything.
                answer_in_task::<DaemonStopping, _>(ctx, event, CallKind::Drain, async move {
                    shared.drain().await;
                    tracing::info!("no apply in progress: ready to stop");
                    Ok(Empty {})
                });
            }
            Call::Show(call) => {
                answer_in_task::<ApiCall<ShowRequest>, _>(ctx, event, CallKind::Read, async move {
                    let interface = call.parameters.interface;
                    let mut state = shared.show(&c, interface.clone()).await?;
                    neighbors::merge(&c, &mut state, interface.as_deref()).await;
                    Ok(state)
                });
            }
            Call::Apply(call) => {
                let ev = event.clone();
                answer_in_task::<ApiCall<ApplyRequest>, _>(
                    ctx,
                    event,
                    CallKind::Change,
                    async move {
                        let boot = call.method == BOOT_METHOD;
                        let options = call.parameters.options.clone();
                        if boot {
                            // What conf applies at start is the saved state.
                            if let Ok(saved) = NetworkState::from_value(&call.parameters.state) {
                                shared.status.saved_is(saved);
                            }
                        }
                        let result = match apply::Apply::new(&shared, &c, &ev, &call.parameters) {
                            Ok(a) => a.run(call.parameters).await,
                            Err(e) => Err(e),
                        };
                        let kind = if boot {
                            ApplyKind::Boot
                        } else {
                            ApplyKind::Api
                        };
                        shared.status.applied(kind, &result);
                        if let Ok(r) = &result
                            && !boot
                            && !options.memory_only
                            && !options.no_commit
                            && !options.dry_run
                        {
                            shared.status.saved_with(&r.desired);
                        }
                        result
                    },
                );
            }
            Call::Commit(call) => {
                answer_in_task::<ApiCall<Commit>, _>(ctx, event, CallKind::Change, async move {
                    checkpoint::commit(&shared, &c, call.parameters.0.checkpoint).await
                });
            }
            Call::Rollback(call) => {
                let ev = event.clone();
                answer_in_task::<ApiCall<Rollback>, _>(ctx, event, CallKind::Change, async move {
                    let result =
                        checkpoint::rollback(&shared, &c, &ev, call.parameters.0.checkpoint).await;
                    let (ok, message) = match &result {
                        Ok(r) => (true, format!("rolled back to checkpoint {}", r.checkpoint)),
                        Err(e) => (false, e.message().to_string()),
                    };
                    shared.status.ended(ApplyKind::Rollback, ok, message);
                    result
                });
            }
            Call::ListCheckpoints(_) => {
                answer_in_task::<ApiCall<ListCheckpoints>, _>(
                    ctx,
                    event,
                    CallKind::Read,
                    async move { checkpoint::list(&shared, &c).await },
                );
            }
            Call::Status(_) => {
                answer_in_task::<ApiCall<StatusRequest>, _>(
                    ctx,
                    event,
                    CallKind::Read,
                    async move { status::status(&shared, &c).await },
                );
            }
            Call::Lease(_) | Call::LeaseLost(_) => {}
        }
        Ok(())
    }
}

nipart_plugin_api::register_plugin!(Commander);
nipart_plugin_api::export_plugins!();

#[cfg(test)]
mod config_keys_tests {
    use nipart_plugin_api::Plugin;

    /// `CONFIG_KEYS` names keys the configuration type reads, with their types.
    #[test]
    fn the_declared_keys_are_the_configurations() {
        let sample =
            nipart_plugin_api::config_keys_sample(<super::Commander as Plugin>::CONFIG_KEYS);
        if let Err(e) = serde_json::from_value::<super::config::Config>(sample) {
            panic!("CONFIG_KEYS and the configuration type differ: {e}");
        }
    }
}
