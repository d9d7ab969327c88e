//! The `fleet` plugin: this host as a member of a fleet over NATS, built
//! on the SDK's public API and the typed protocol only (nothing in the
//! daemon knows about it). See `docs/plugins/fleet.md`.
//!
//! - one NATS connection (`connection.rs`) to the configured servers,
//!   reconnecting with backoff; its state is announced on the bus
//!   (`fleet.connection`) and answered to `fleet.status`;
//! - the bus notices matching `events` go out on
//!   `nipart.<host>.event.<topic>` (their payload as it is);
//! - a heartbeat on `nipart.<host>.heartbeat` every interval;
//! - requests on `nipart.<host>.read.*` (and, with `permissions = "admin"`,
//!   `nipart.<host>.admin.*`), and on the same subjects of each of our
//!   groups, are served by asking `role:commander` the API's own calls
//!   (`serve.rs`).
//!
//! Every NATS task runs on the plugin's own runtime (its thread), spawned
//! at Init and aborted at Shutdown.

mod config;
mod connection;
mod serve;

use std::sync::{Arc, Mutex};

use nipart_plugin_api::{
    Context, Event, Plugin, Result, Role, TopicPattern,
    protocol::{
        Message,
        daemon::{ConfigChanged, ConfigType, DaemonStarted},
        fleet::{FleetStatusRequest, subject},
    },
};

use config::Config;
use connection::Link;

nipart_plugin_api::incoming! {
    /// What the fleet plugin handles itself (the rest are notices to forward).
    enum Incoming {
        Status(FleetStatusRequest),
        Started(DaemonStarted),
        ConfigChanged(ConfigChanged),
    }
}

/// What the tasks share with the handler.
#[derive(Default)]
pub(crate) struct Shared {
    /// The plugins `daemon.started` named.
    pub plugins: Mutex<Vec<String>>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Fleet {
    config: Config,
    shared: Arc<Shared>,
    link: Option<Link>,
    forward: Vec<TopicPattern>,
}

impl Plugin for Fleet {
    const NAME: &'static str = "fleet";
    const DESCRIPTION: &'static str =
        "this host in a fleet over NATS: events, heartbeat, read and admin requests";
    const ROLES: &'static [&'static str] = &[Role::FLEET.as_str()];
    const SUBSCRIPTIONS: &'static [&'static str] = &[DaemonStarted::TOPIC];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = config::KEYS;

    fn new() -> Result<Self> {
        Ok(Fleet {
            config: Config::default(),
            shared: Arc::default(),
            link: None,
            forward: Vec::new(),
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        self.config = ctx.config::<Config>()?.check(config::hostname())?;
        self.forward = self
            .config
            .events
            .iter()
            .map(|e| TopicPattern::parse(e))
            .collect::<Result<_>>()?;
        for e in &self.config.events {
            ctx.subscribe(e)?;
        }
        self.link = Some(Link::start(ctx, &self.config, self.shared.clone()).await?);
        tracing::info!(
            host = self.config.host(),
            servers = ?self.config.servers,
            "fleet member starting"
        );
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        match Incoming::decode(&event)? {
            Some(Incoming::Status(_)) if event.request => {
                let status = match &self.link {
                    Some(link) => link.status(&self.config),
                    None => {
                        return Err(nipart_plugin_api::Error::new(
                            nipart_plugin_api::ErrorKind::Unsupported,
                            "fleet: not started",
                        ));
                    }
                };
                ctx.answer::<FleetStatusRequest>(&event, &status)
            }
            Some(Incoming::Started(s)) => {
                *lock(&self.shared.plugins) = s.plugins;
                Ok(())
            }
            Some(Incoming::ConfigChanged(_)) => {
                tracing::warn!("[plugin.fleet] changed: restart nipartd to reconnect with it");
                Ok(())
            }
            _ if !event.request && self.forward.iter().any(|p| p.matches(&event.topic)) => {
                if let Some(link) = &self.link {
                    link.publish(
                        subject::event(self.config.host(), &event.topic),
                        event.payload.to_vec(),
                    );
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    async fn shutdown(&mut self, _ctx: &Context) -> Result<()> {
        if let Some(link) = self.link.take() {
            link.stop().await;
        }
        Ok(())
    }
}

nipart_plugin_api::register_plugin!(Fleet);
nipart_plugin_api::export_plugins!();
