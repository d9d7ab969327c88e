//! The trait a plugin author implements.

use crate::{Context, Event, Result};

/// A nipart plugin.
///
/// The SDK runs each plugin on a thread of its own with its own
/// single-threaded tokio runtime: the handlers below are called one at a
/// time, in the order events arrive, and may `.await` freely. Panics in any
/// of them are caught: the plugin is then reported failed and isolated by the
/// daemon, while the rest of the daemon keeps running.
///
/// Register the type with [`register_plugin!`](crate::register_plugin) and
/// export the library's registry once with
/// [`export_plugins!`](crate::export_plugins). See the crate docs for a
/// complete example.
#[allow(async_fn_in_trait)] // plugins run on a current-thread runtime: no Send bound needed
pub trait Plugin: Sized + Send + 'static {
    /// Unique among every plugin the daemon loads, e.g. `"kernel"`.
    const NAME: &'static str;
    /// One line for `nipc plugins`.
    const DESCRIPTION: &'static str = "";
    /// Roles served: events addressed to `role:NAME` reach every holder.
    const ROLES: &'static [&'static str] = &[];
    /// Topic patterns subscribed to from the start (see [`crate::TopicPattern`]).
    const SUBSCRIPTIONS: &'static [&'static str] = &[];
    /// The protocol version the plugin speaks, sent in its
    /// [`Hello`](crate::protocol::Hello) at Init: this SDK's
    /// [`PROTOCOL_VERSION`](crate::protocol::PROTOCOL_VERSION). Not to be
    /// set by a plugin; a test fixture claims a future version with it.
    #[doc(hidden)]
    const PROTOCOL_VERSION: u32 = crate::protocol::PROTOCOL_VERSION;
    /// The keys of `[plugin.NAME]` the plugin reads, with their TOML type:
    /// `nipartd --check-config` then reports any other key, and a value of
    /// another type, without starting the plugin. Empty: not declared,
    /// nothing is checked (unless [`Plugin::READS_NO_CONFIG`]).
    const CONFIG_KEYS: &'static [(&'static str, crate::protocol::daemon::ConfigType)] = &[];
    /// The plugin reads no key of `[plugin.NAME]`: `nipartd --check-config`
    /// reports every key of its section (an empty [`Plugin::CONFIG_KEYS`]
    /// alone means "not declared").
    const READS_NO_CONFIG: bool = false;

    /// Builds the plugin. Called once when the daemon loads the library,
    /// before Init; keep it cheap and free of side effects.
    fn new() -> Result<Self>;

    /// Called once, in the daemon's sorted plugin order, before any event.
    /// Events published to the plugin meanwhile wait in its queue.
    async fn init(&mut self, _ctx: &Context) -> Result<()> {
        Ok(())
    }

    /// Called for each event delivered to the plugin: addressed to it, to one
    /// of its roles or to everyone, or matching one of its subscriptions.
    /// Replies to the plugin's own requests go to the awaiting
    /// [`Context::request`] instead. An `Err` returned for a request is sent
    /// back to the requester as a `Cancelled` reply.
    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()>;

    /// Called once at daemon shutdown, in reverse plugin order. The daemon
    /// waits for it until the plugin's shutdown deadline.
    async fn shutdown(&mut self, _ctx: &Context) -> Result<()> {
        Ok(())
    }
}

/// A `[plugin.NAME]` section (as JSON) with every key of `keys` set to a
/// value of its type: for a plugin's test that deserializes it into its
/// configuration type, which checks [`Plugin::CONFIG_KEYS`] against the
/// type (with `deny_unknown_fields`, a declared key the type lacks fails).
pub fn config_keys_sample(
    keys: &[(&str, crate::protocol::daemon::ConfigType)],
) -> serde_json::Value {
    use crate::protocol::daemon::ConfigType;
    let map = keys
        .iter()
        .map(|(k, t)| {
            let v = match t {
                ConfigType::Boolean => serde_json::Value::Bool(true),
                ConfigType::Integer => serde_json::Value::from(1),
                ConfigType::String => serde_json::Value::from("x"),
                ConfigType::Array => serde_json::Value::Array(Vec::new()),
                ConfigType::Table => serde_json::Value::Object(serde_json::Map::new()),
            };
            (k.to_string(), v)
        })
        .collect();
    serde_json::Value::Object(map)
}
