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
//! use nipart_plugin_api::{
//!     Context, Event, Message, Plugin, Request, Result, Role,
//!     protocol::monitor::{LinkCarrierDown, LinkCarrierUp},
//!     state::QueryRequest,
//! };
//!
//! /// The request this plugin answers: topic, role and reply type in one.
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Greet { name: String }
//! impl Message for Greet { const TOPIC: &'static str = "greeter.greet"; }
//! impl Request for Greet { const ROLE: Role = Role::new("greeter"); type Reply = String; }
//!
//! nipart_plugin_api::incoming! {
//!     enum Incoming {
//!         Greet(Greet),
//!         Up(LinkCarrierUp),     // the monitor's notices, with its fields
//!         Down(LinkCarrierDown),
//!     }
//! }
//!
//! /// Answers `greeter.greet` and counts carrier changes.
//! struct Greeter { seen: u64 }
//!
//! impl Plugin for Greeter {
//!     const NAME: &'static str = "greeter";
//!     const DESCRIPTION: &'static str = "says hello";
//!     const ROLES: &'static [&'static str] = &[Greet::ROLE.as_str()];
//!     const SUBSCRIPTIONS: &'static [&'static str] = &[LinkCarrierUp::TOPIC, LinkCarrierDown::TOPIC];
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
//!         match Incoming::decode(&event)? {
//!             Some(Incoming::Greet(g)) => ctx.answer::<Greet>(&event, &format!("hello {}", g.name)),
//!             Some(Incoming::Up(LinkCarrierUp(link)) | Incoming::Down(LinkCarrierDown(link))) => {
//!                 tracing::debug!("carrier of {} is {}", link.name, link.carrier);
//!                 self.seen += 1;
//!                 Ok(())
//!             }
//!             None => Ok(()),
//!         }
//!     }
//! }
//!
//! nipart_plugin_api::register_plugin!(Greeter);
//! nipart_plugin_api::export_plugins!();
//!
//! // Another plugin asks it, or a built-in role, with typed requests:
//! async fn ask(ctx: &Context) -> Result<(String, Option<u32>)> {
//!     let greeting = ctx.ask(&Greet { name: "vendor".into() }).await?;
//!     let state = ctx.ask(&QueryRequest { interface: Some("eth0".into()) }).await?;
//!     Ok((greeting, state.interfaces.first().and_then(|i| i.mtu)))
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
mod inbox;
mod log;
mod plugin;
mod registry;
pub mod topic;

/// The typed contract: every request, reply and notice with its topic and
/// role (the crate `nipart-protocol`).
pub use nipart_protocol as protocol;
/// The network-state schema and the workflow's payloads
/// ([`protocol::state`]).
pub use nipart_protocol::state;

pub use context::{Context, DEFAULT_ASK_TIMEOUT};
pub use error::{Error, ErrorKind, Result, panic_message};
pub use event::{Address, Event, EventId, EventState, Payload, Text};
pub use nipart_protocol::{Empty, Message, Notice, Request, Role, Streams};
pub use plugin::{Plugin, config_keys_sample};
pub use registry::{PluginRegistration, registered};
pub use topic::{TopicPattern, validate_topic};

/// The README's example, compiled as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Topics the daemon itself publishes (the topics of the types in
/// [`protocol::daemon`], kept for code written before them).
pub mod topics {
    use crate::protocol::{Message, daemon};

    /// [`daemon::DaemonStarted`].
    pub const DAEMON_STARTED: &str = daemon::DaemonStarted::TOPIC;
    /// [`daemon::DaemonStopping`].
    pub const DAEMON_STOPPING: &str = daemon::DaemonStopping::TOPIC;
    /// [`daemon::BusMissed`].
    pub const BUS_MISSED: &str = daemon::BusMissed::TOPIC;
    /// [`daemon::PluginStopped`].
    pub const PLUGIN_STOPPED: &str = daemon::PluginStopped::TOPIC;
    /// [`daemon::PluginFailed`].
    pub const PLUGIN_FAILED: &str = daemon::PluginFailed::TOPIC;
    /// [`daemon::ConfigChanged`].
    pub const CONFIG_CHANGED: &str = daemon::ConfigChanged::TOPIC;
}

pub use nipart_protocol::daemon::{BusMissed, PluginGone};

/// Declares the events a plugin handles as an enum, one variant per
/// [`Request`] or [`Notice`] type, with `decode(&Event) ->
/// Result<Option<Self>>` (`None`: none of them; `Err`: the topic is known
/// but its payload is not valid) and `TOPICS`, their topics (for
/// `Plugin::SUBSCRIPTIONS`).
///
/// ```
/// use nipart_plugin_api::{Event, Address, EventState, Message, protocol::monitor::{LinkCarrierUp, LinkCarrierDown}};
///
/// nipart_plugin_api::incoming! {
///     enum Incoming {
///         Up(LinkCarrierUp),
///         Down(LinkCarrierDown),
///     }
/// }
///
/// let ev = Event::new(LinkCarrierUp::TOPIC, Address::None)
///     .with_state(EventState::Done)
///     .with_json(&serde_json::json!({"seq": 1, "name": "eth0", "index": 2, "up": true, "carrier": true}))
///     .unwrap();
/// match Incoming::decode(&ev).unwrap() {
///     Some(Incoming::Up(link)) => assert_eq!(link.name, "eth0"),
///     _ => panic!("not decoded"),
/// }
/// assert_eq!(Incoming::TOPICS, ["link.carrier-up", "link.carrier-down"]);
/// ```
#[macro_export]
macro_rules! incoming {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident($ty:ty)),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant($ty)),*
        }

        impl $name {
            /// The topics of the variants, in order.
            #[allow(dead_code)]
            pub const TOPICS: &'static [&'static str] =
                &[$(<$ty as $crate::Message>::TOPIC),*];

            /// The event as one of the variants, if it is one.
            #[allow(dead_code)]
            pub fn decode(event: &$crate::Event) -> $crate::Result<::core::option::Option<Self>> {
                $(
                    if let ::core::option::Option::Some(v) = event.decode::<$ty>() {
                        return v.map(|v| ::core::option::Option::Some(Self::$variant(v)));
                    }
                )*
                ::core::result::Result::Ok(::core::option::Option::None)
            }
        }
    };
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
