//! The SDK for writing nipart plugins.
//!
//! A plugin is a type implementing [`Plugin`], registered with
//! [`register_plugin!`] in a `cdylib` crate that calls [`export_plugins!`]
//! once. The daemon `nipartd` loads the resulting `.so` from its plugin
//! directory, checks its ABI, and runs it on a thread of its own. Nothing in
//! a plugin's code touches `extern`, abi_stable or FFI types: this crate
//! wraps the frozen v1 contract (`nipart-plugin-abi`).
//!
//! ```
//! use std::time::Duration;
//! use nipart_plugin_api::{Address, Context, Event, Plugin, Result};
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Greeting { text: String }
//!
//! /// Answers `greet` requests and counts link events.
//! struct Greeter { seen: u64 }
//!
//! impl Plugin for Greeter {
//!     const NAME: &'static str = "greeter";
//!     const DESCRIPTION: &'static str = "says hello";
//!     const ROLES: &'static [&'static str] = &["greeter"];
//!     const SUBSCRIPTIONS: &'static [&'static str] = &["link.*"];
//!
//!     fn new() -> Result<Self> {
//!         Ok(Greeter { seen: 0 })
//!     }
//!
//!     async fn init(&mut self, ctx: &Context) -> Result<()> {
//!         tracing::info!("{} ready", ctx.name()); // reaches the daemon's log
//!         Ok(())
//!     }
//!
//!     async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
//!         match event.topic.as_str() {
//!             "greet" => ctx.reply(&event, &Greeting { text: "hello".into() }),
//!             _ => {
//!                 self.seen += 1;
//!                 Ok(())
//!             }
//!         }
//!     }
//! }
//!
//! nipart_plugin_api::register_plugin!(Greeter);
//! nipart_plugin_api::export_plugins!();
//!
//! // Another plugin would ask it like this:
//! async fn ask(ctx: &Context) -> Result<String> {
//!     let reply = ctx
//!         .request(Event::new("greet", Address::role("greeter")), Duration::from_secs(1))
//!         .await?;
//!     Ok(reply.json::<Greeting>()?.text)
//! }
//! # fn main() {
//! #     let names: Vec<_> = nipart_plugin_api::registered().iter().map(|r| r.name()).collect();
//! #     assert_eq!(names, ["greeter"]);
//! # }
//! ```
//!
//! See `docs/plugin-sdk.md` in the nipart repository for the walk from an
//! empty crate to a plugin loaded in a running daemon, and
//! `plugin-api/template/` there for a complete plugin to copy and rename.

mod adapter;
mod context;
mod error;
mod event;
pub mod file;
mod log;
mod plugin;
mod registry;
pub mod state;
pub mod topic;

pub use context::Context;
pub use error::{Error, ErrorKind, Result, panic_message};
pub use event::{Address, Event, EventId, EventState};
pub use plugin::Plugin;
pub use registry::{PluginRegistration, registered};
pub use topic::{TopicPattern, validate_topic};

/// The README's example, compiled as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Topics the daemon itself publishes.
pub mod topics {
    /// Broadcast to every plugin once every Init has returned.
    pub const DAEMON_STARTED: &str = "daemon.started";
    /// A request from the daemon to `role:commander` on SIGTERM or SIGINT,
    /// before anything stops: from then on the commander refuses new
    /// applies, and it replies (`{}`) once the apply in progress, if any,
    /// has ended (verified and saved, or rolled back). The daemon waits for
    /// the reply until `shutdown_total_timeout_ms`, with the API still up so
    /// that the apply's client gets its answer.
    pub const DAEMON_STOPPING: &str = "daemon.stopping";
    /// Sent to a subscriber before the next event it receives after some
    /// were dropped because its queue was full; payload [`BusMissed`](super::BusMissed).
    pub const BUS_MISSED: &str = "bus.missed";
    /// Broadcast to every plugin when a plugin's Shutdown returned;
    /// payload [`PluginGone`](super::PluginGone).
    pub const PLUGIN_STOPPED: &str = "plugin.stopped";
    /// Broadcast to every plugin when a plugin failed (Init or Shutdown
    /// failed, panicked or timed out, or a handler panicked) and was
    /// isolated; payload [`PluginGone`](super::PluginGone) with the reason.
    pub const PLUGIN_FAILED: &str = "plugin.failed";
    /// Sent to one plugin (unicast) after a configuration reload (SIGHUP)
    /// changed its `[plugin.NAME]` section; the payload is the new section
    /// as a JSON object (`{}` when it was removed). From then on
    /// [`Context::config`](super::Context::config) returns the new section
    /// too.
    pub const CONFIG_CHANGED: &str = "config.changed";
}

/// Payload of [`topics::BUS_MISSED`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BusMissed {
    /// How many events were dropped since the last notice.
    pub missed: u64,
}

/// Payload of [`topics::PLUGIN_STOPPED`] and [`topics::PLUGIN_FAILED`]: a
/// plugin that stopped taking events, so that others can drop what they
/// hold for it (the monitor drops its rules).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PluginGone {
    /// The plugin's name.
    pub plugin: String,
    /// Why it failed (absent for a clean stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The version of this SDK crate.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The frozen ABI version plugins built with this SDK implement.
pub const ABI_VERSION: &str = nipart_plugin_abi::ABI_VERSION;

#[doc(hidden)]
pub mod __private {
    pub use abi_stable::library::{
        __call_root_module_loader as call_root_module_loader, CheckTypeLayout, LibHeader,
        RootModuleResult,
    };
    pub use inventory;
    pub use nipart_plugin_abi::{PANIC_ABORT, PANIC_UNWIND, PluginModuleRef};

    pub use crate::registry::root_module;
}
