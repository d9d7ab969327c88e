//! An example nipart plugin, to copy and rename (see README.md).
//!
//! - answers the request `example.hello` (payload `{"name": "..."}`) with a
//!   greeting made of its configured `greeting`;
//! - counts the link events the monitor publishes (`link.*`);
//! - reads its `[plugin.example]` section at Init, and again when the daemon
//!   reloads its configuration (`config.changed`, on SIGHUP);
//! - logs with `tracing`: the records appear in the daemon's log, tagged
//!   with the plugin's name.

use nipart_plugin_api::{Context, Error, Event, Plugin, Result, topics};
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

/// The payload of an `example.hello` request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Hello {
    /// Who to greet.
    name: String,
}

/// The reply to `example.hello`.
#[derive(Debug, Serialize)]
struct Greeting {
    /// `"<greeting>, <name>!"`.
    text: String,
    /// The plugin that answered.
    plugin: &'static str,
    /// How many link events it has seen since it started.
    links_seen: u64,
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
    /// The monitor's link events (`link.up`, `link.down`, ...).
    const SUBSCRIPTIONS: &'static [&'static str] = &["link.*"];

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
        match event.topic.as_str() {
            HELLO if event.request => {
                // An Err returned here reaches the requester as a Cancelled
                // reply carrying it: the message says what was wrong.
                let hello: Hello = event.json().map_err(|e| {
                    Error::invalid_input(format!("{HELLO}: expected {{\"name\": \"...\"}}: {e}"))
                })?;
                let text = format!("{}, {}!", self.config.greeting, hello.name);
                tracing::debug!(%text, "answering");
                ctx.reply(
                    &event,
                    &Greeting {
                        text,
                        plugin: NAME,
                        links_seen: self.links_seen,
                    },
                )
            }
            topics::CONFIG_CHANGED => {
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
            topic if topic.starts_with("link.") => {
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
