//! The `commander` plugin: turns the API's `io.nipart.Network` calls into
//! the workflow between plugins — validate → query → checkpoint → apply →
//! verify (with retries) → on failure roll back to the checkpoint and
//! report what differed → save (through the `conf` plugin, if any) → reply.
//!
//! Role `commander`. See `docs/plugins/commander.md` for the exchange and
//! the configuration (`[plugin.commander]`).

mod history;
mod leases;
mod workflow;

use std::sync::Arc;

use nipart_plugin_api::{
    Context, Event, EventState, Plugin, Result, state::topics, topics as topics_daemon,
};

use workflow::{Config, Shared};

struct Commander {
    shared: Option<Arc<Shared>>,
}

impl Plugin for Commander {
    const NAME: &'static str = "commander";
    const DESCRIPTION: &'static str =
        "drives apply → verify → rollback of network state between plugins";
    const ROLES: &'static [&'static str] = &["commander"];

    fn new() -> Result<Self> {
        Ok(Commander { shared: None })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        let config: Config = ctx.config()?;
        config.check()?;
        self.shared = Some(Arc::new(Shared::new(config)));
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
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
        if event.state != EventState::Todo || !event.request {
            return Ok(());
        }
        if event.topic == topics_daemon::DAEMON_STOPPING {
            // SIGTERM: the apply in progress ends as usual (its client gets
            // the reply, it is saved or rolled back), new ones are refused;
            // the daemon waits for this reply before it stops anything.
            let ctx = ctx.clone();
            tokio::spawn(async move {
                shared.drain().await;
                tracing::info!("no apply in progress: ready to stop");
                if let Err(e) = ctx.reply(&event, &serde_json::json!({})) {
                    tracing::warn!("replying to {}: {e}", event.topic);
                }
            });
            return Ok(());
        }
        match event.topic.as_str() {
            topics::SHOW
            | topics::APPLY
            | topics::COMMIT
            | topics::ROLLBACK
            | topics::LIST_CHECKPOINTS => {
                // Each call runs as a task, so that a show, or a second apply
                // that must not wait, is answered while an apply runs.
                let ctx = ctx.clone();
                // A query or a listing is worth nothing once its caller is
                // gone: its asks stop when the API cancels the call. An
                // apply, a commit or a rollback goes on to a consistent end.
                let read_only = matches!(
                    event.topic.as_str(),
                    topics::SHOW | topics::LIST_CHECKPOINTS
                );
                tokio::spawn(async move {
                    let work = workflow::handle(&shared, &ctx, &event);
                    let result = if read_only {
                        ctx.on_behalf_of(&event, work).await
                    } else {
                        work.await
                    };
                    let sent = match result {
                        Ok(payload) => {
                            ctx.publish(event.reply(EventState::Done).with_json(&payload)?)
                        }
                        Err(e) => ctx.reply_error(&event, &e),
                    };
                    if let Err(e) = &sent {
                        tracing::warn!("replying to {}: {e}", event.topic);
                    }
                    if matches!(
                        event.topic.as_str(),
                        topics::APPLY | topics::COMMIT | topics::ROLLBACK
                    ) {
                        give_back_memory().await;
                    }
                    sent
                });
                Ok(())
            }
            _ => Ok(()),
        }
    }
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

nipart_plugin_api::register_plugin!(Commander);
nipart_plugin_api::export_plugins!();
