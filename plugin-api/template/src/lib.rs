//! An example nipart plugin, to copy and rename (see README.md).
//!
//! - answers the request `example.hello` ([`Hello`], `{"name": "..."}`)
//!   with a [`Greeting`] made of its configured `greeting`;
//! - counts the carrier changes the monitor publishes
//!   ([`LinkCarrierUp`], [`LinkCarrierDown`]: typed notices from
//!   `nipart_plugin_api::protocol`, so their fields are the monitor's);
//! - reads its `[plugin.example]` section at Init, and again when the daemon
//!   reloads its configuration ([`ConfigChanged`], on SIGHUP);
//! - logs with `tracing`: the records appear in the daemon's log, tagged
//!   with the plugin's name.

use nipart_plugin_api::{
    Context, Error, Event, Message, Plugin, Request, Result, Role,
    protocol::{
        daemon::ConfigChanged,
        monitor::{LinkCarrierDown, LinkCarrierUp},
    },
};
use serde::{Deserialize, Serialize};

/// The plugin's name: unique among the plugins a daemon loads, and the name
/// of its configuration section `[plugin.example]`.
const NAME: &str = "example";

/// The topic of the request this plugin answers.
const HELLO: &str = "example.hello";

/// `[plugin.example]` in the daemon's configuration. Every key is optional;
/// an unknown key is an error, so that a typo does not go unnoticed.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// The first word of every greeting.
    greeting: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            greeting: "Hello".to_string(),
        }
    }
}

/// The request this plugin answers: its topic, its role and its reply
/// type, so that another plugin asks with `ctx.ask(&Hello { .. })` and
/// gets a [`Greeting`] back. (Publish these types in a crate of their own
/// if other plugins are to use them.)
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hello {
    /// Who to greet.
    pub name: String,
}

impl Message for Hello {
    const TOPIC: &'static str = HELLO;
}

impl Request for Hello {
    const ROLE: Role = Role::new(NAME);
    type Reply = Greeting;
}

/// The reply to [`Hello`].
#[derive(Debug, Serialize, Deserialize)]
pub struct Greeting {
    /// `"<greeting>, <name>!"`.
    pub text: String,
    /// The plugin that answered.
    pub plugin: String,
    /// How many carrier changes it has seen since it started.
    pub links_seen: u64,
}

nipart_plugin_api::incoming! {
    /// What this plugin handles: one variant per request or notice type.
    enum Incoming {
        Hello(Hello),
        ConfigChanged(ConfigChanged),
        CarrierUp(LinkCarrierUp),
        CarrierDown(LinkCarrierDown),
    }
}

/// The plugin's state: one value, owned by the plugin's own thread.
struct Example {
    config: Config,
    links_seen: u64,
}

impl Plugin for Example {
    const NAME: &'static str = NAME;
    const DESCRIPTION: &'static str = "answers example.hello, counts link events";
    /// Events addressed to `role:example` reach this plugin.
    const ROLES: &'static [&'static str] = &[NAME];
    /// The monitor's carrier changes.
    const SUBSCRIPTIONS: &'static [&'static str] = &[LinkCarrierUp::TOPIC, LinkCarrierDown::TOPIC];

    fn new() -> Result<Self> {
        // Runs when the daemon loads the library: no I/O, no threads here.
        Ok(Example {
            config: Config::default(),
            links_seen: 0,
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        // A bad section fails Init with a message naming the plugin and
        // the key; the daemon reports it and isolates this plugin.
        self.config = ctx.config()?;
        tracing::info!(greeting = %self.config.greeting, "ready");
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        // An Err returned here reaches the requester as a Cancelled reply
        // carrying it: the message says what was wrong.
        let incoming = Incoming::decode(&event).map_err(|e| {
            if event.topic == HELLO {
                Error::invalid_input(format!("{HELLO}: expected {{\"name\": \"...\"}}: {e}"))
            } else {
                e
            }
        })?;
        match incoming {
            Some(Incoming::Hello(hello)) if event.request => {
                let text = format!("{}, {}!", self.config.greeting, hello.name);
                tracing::debug!(%text, "answering");
                ctx.answer::<Hello>(
                    &event,
                    &Greeting {
                        text,
                        plugin: NAME.to_string(),
                        links_seen: self.links_seen,
                    },
                )
            }
            Some(Incoming::ConfigChanged(_)) => {
                // Keep the running configuration if the new one is invalid.
                match ctx.config::<Config>() {
                    Ok(config) => {
                        tracing::info!(greeting = %config.greeting, "configuration changed");
                        self.config = config;
                    }
                    Err(e) => tracing::warn!("new configuration ignored: {e}"),
                }
                Ok(())
            }
            Some(Incoming::CarrierUp(link)) => {
                tracing::debug!(link = %link.name, "carrier up");
                self.links_seen += 1;
                Ok(())
            }
            Some(Incoming::CarrierDown(link)) => {
                tracing::debug!(link = %link.name, "carrier down");
                self.links_seen += 1;
                Ok(())
            }
            // daemon.started, plugin.stopped, ...: nothing to do.
            _ => Ok(()),
        }
    }

    async fn shutdown(&mut self, _ctx: &Context) -> Result<()> {
        tracing::info!(links_seen = self.links_seen, "stopping");
        Ok(())
    }
}

nipart_plugin_api::register_plugin!(Example);
// Once per library: exports every plugin registered in it.
nipart_plugin_api::export_plugins!();
