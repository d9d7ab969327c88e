//! The frozen v1 FFI contract between `nipartd` and its plugins.
//!
//! Plugin authors do not use this crate: `nipart-plugin-api` wraps it in a
//! safe layer. It exists on its own so that its version (which abi_stable
//! records in every type layout it checks) is the ABI version, independent of
//! the SDK's releases.
//!
//! # Rules for this crate
//!
//! * Nothing here changes and nothing is appended: abi_stable rejects a plugin
//!   built against an *older* interface once a field or a trait method is
//!   added. Growth goes through the `call(method, bytes)` escape hatches, the
//!   JSON `settings`/`metadata` strings and the event payloads.
//! * Enumerations cross as integers (`u8`/`u32`) so new values can be added
//!   without a layout change; the safe layer maps unknown values to errors.
//! * No `u128` (its alignment changed in Rust 1.77): ids are `[u8; 16]`.
//! * A v2 contract gets its own root module type; the host keeps loading v1.

// `sabi_trait` expands to impls inside a const block.
#![allow(non_local_definitions)]

use abi_stable::{
    StableAbi, declare_root_module_statics,
    library::RootModule,
    sabi_trait,
    sabi_types::VersionStrings,
    std_types::{RBox, ROption, RResult, RSlice, RStr, RString, RVec},
};

/// The ABI version a plugin is built against. The major number is what the
/// loader compares; the root module's version strings carry this value, not
/// any crate version.
pub const ABI_VERSION: &str = "1.0.0";

/// The name of the symbol every plugin `.so` exports (abi_stable's root module
/// loader). The SDK's export macro emits it; a test checks that it matches
/// abi_stable's own constant.
pub const ROOT_MODULE_SYMBOL: &str = "_1as_0lib_1header_0root_bmodule_bloader";

/// `PluginModule::panic_strategy` when the library unwinds on panic.
pub const PANIC_UNWIND: u8 = 0;
/// `PluginModule::panic_strategy` when the library was built with
/// `panic = "abort"`: the host refuses it, since a panic could not be contained.
pub const PANIC_ABORT: u8 = 1;

/// The root module a plugin library exports: its registry of plugins.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModuleRef)))]
#[sabi(missing_field(panic))]
pub struct PluginModule {
    /// `PANIC_UNWIND` or `PANIC_ABORT`.
    pub panic_strategy: u8,
    /// The version of `nipart-plugin-api` the library was built with (for logs).
    pub sdk_version: RStr<'static>,
    /// Every plugin registered in this library, sorted by name.
    pub plugins: extern "C" fn() -> RVec<PluginDescriptor>,
    /// Constructs the plugin registered under `name`. Never unwinds: a panic
    /// in the constructor comes back as an error of kind `PANICKED`.
    pub create: extern "C" fn(name: RStr<'_>) -> RResult<PluginBox, FfiError>,
    /// Library-level escape hatch for later needs; unknown methods answer
    /// an error of kind `UNSUPPORTED`.
    #[sabi(last_prefix_field)]
    pub call: extern "C" fn(method: RStr<'_>, input: RSlice<'_, u8>) -> RResult<RVec<u8>, FfiError>,
}

impl RootModule for PluginModuleRef {
    declare_root_module_statics! {PluginModuleRef}
    const BASE_NAME: &'static str = "nipart_plugin";
    const NAME: &'static str = "nipart_plugin";
    // The ABI version, deliberately not the crate version (see the crate docs).
    const VERSION_STRINGS: VersionStrings = VersionStrings::new(ABI_VERSION);
}

/// Static facts about one registered plugin.
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct PluginDescriptor {
    /// Unique across all loaded libraries.
    pub name: RString,
    pub version: RString,
    pub description: RString,
    /// Roles this plugin serves (events addressed to a role reach it).
    pub roles: RVec<RString>,
    /// Topic patterns it subscribes to from the start.
    pub subscriptions: RVec<RString>,
    /// A JSON object with further facts; `{}` when there are none.
    pub metadata: RString,
}

/// An error crossing the boundary.
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct FfiError {
    /// One of the `error_kind` constants; unknown values mean "other".
    pub kind: u32,
    pub message: RString,
}

/// The values of `FfiError::kind`.
pub mod error_kind {
    pub const OTHER: u32 = 0;
    pub const INVALID_INPUT: u32 = 1;
    pub const NOT_FOUND: u32 = 2;
    pub const QUEUE_FULL: u32 = 3;
    pub const TIMEOUT: u32 = 4;
    pub const PANICKED: u32 = 5;
    pub const UNSUPPORTED: u32 = 6;
    pub const FAILED: u32 = 7;
    pub const PERMISSION_DENIED: u32 = 8;
    pub const BUSY: u32 = 9;
    pub const SHUTTING_DOWN: u32 = 10;
}

/// A source or destination of an event.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct FfiAddress {
    /// One of the `address_kind` constants.
    pub kind: u8,
    /// The plugin or role name, or the client id in decimal; empty otherwise.
    pub name: RString,
}

/// The values of `FfiAddress::kind`.
pub mod address_kind {
    /// Nobody in particular: only topic subscribers receive the event.
    pub const NONE: u8 = 0;
    pub const DAEMON: u8 = 1;
    pub const PLUGIN: u8 = 2;
    pub const ROLE: u8 = 3;
    pub const CLIENT: u8 = 4;
    pub const ALL: u8 = 5;
}

/// The values of `FfiEvent::state`.
pub mod event_state {
    pub const TODO: u8 = 0;
    pub const ONGOING: u8 = 1;
    pub const CANCELLED: u8 = 2;
    pub const DONE: u8 = 3;
}

/// Bits of `FfiEvent::flags`.
pub mod event_flags {
    /// The sender awaits a reply (an event with `ref_id` = this id and state
    /// `DONE` or `CANCELLED`). Such an event is never dropped silently: if it
    /// can't be delivered to its destination, `publish` returns an error.
    pub const REQUEST: u32 = 1;
}

/// The event envelope.
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct FfiEvent {
    /// A UUID v7 (time-ordered), as bytes.
    pub id: [u8; 16],
    /// The event this one answers or follows.
    pub ref_id: ROption<[u8; 16]>,
    /// One of the `event_state` constants.
    pub state: u8,
    /// `event_flags` bits; unknown bits are ignored.
    pub flags: u32,
    pub src: FfiAddress,
    pub dst: FfiAddress,
    /// Dot-separated, e.g. `link.up`.
    pub topic: RString,
    /// Milliseconds since the Unix epoch after which the event is stale; 0 = none.
    pub deadline_unix_ms: u64,
    /// Serialized typed data (JSON in SDK v1).
    pub payload: RVec<u8>,
}

/// Log levels for `Daemon::log`.
pub mod log_level {
    pub const ERROR: u8 = 1;
    pub const WARN: u8 = 2;
    pub const INFO: u8 = 3;
    pub const DEBUG: u8 = 4;
    pub const TRACE: u8 = 5;
}

/// The handle the daemon gives each plugin at init. One per plugin: the
/// daemon stamps the plugin's name on what it publishes and logs.
#[sabi_trait]
pub trait Daemon: Send + Sync {
    /// Routes an event. Never blocks. Errors for a request that can't be
    /// delivered, for a malformed event, or when the plugin is isolated.
    fn publish(&self, event: FfiEvent) -> RResult<(), FfiError>;
    /// Adds a topic pattern subscription.
    fn subscribe(&self, pattern: RStr<'_>) -> RResult<(), FfiError>;
    /// Removes a topic pattern subscription.
    fn unsubscribe(&self, pattern: RStr<'_>) -> RResult<(), FfiError>;
    /// Emits a log record tagged with the plugin's name.
    fn log(&self, level: u8, target: RStr<'_>, message: RStr<'_>);
    /// The plugin's configuration section, as a JSON object.
    fn config(&self) -> RString;
    /// Escape hatch for later needs; unknown methods answer `UNSUPPORTED`.
    #[sabi(last_prefix_field)]
    fn call(&self, method: RStr<'_>, input: RSlice<'_, u8>) -> RResult<RVec<u8>, FfiError>;
}

/// The daemon handle as it crosses the boundary.
pub type DaemonBox = Daemon_TO<'static, RBox<()>>;

/// One plugin instance, as the host sees it. Every method returns promptly
/// except `init` and `shutdown`, which the host calls on a thread of its own
/// with a deadline.
#[sabi_trait]
pub trait Plugin: Send + Sync {
    /// Starts the plugin. `settings` is a JSON object from the host (e.g. the
    /// queue capacity); unknown keys are ignored.
    fn init(&self, daemon: DaemonBox, settings: RStr<'_>) -> RResult<(), FfiError>;
    /// Hands over one event. Never blocks: when the plugin's queue is full it
    /// returns `QUEUE_FULL`. On success returns the queue depth.
    fn deliver(&self, event: FfiEvent) -> RResult<u32, FfiError>;
    /// Stops the plugin, returning by `deadline_unix_ms` at the latest.
    fn shutdown(&self, deadline_unix_ms: u64) -> RResult<(), FfiError>;
    /// Escape hatch for later needs; unknown methods answer `UNSUPPORTED`.
    #[sabi(last_prefix_field)]
    fn call(&self, method: RStr<'_>, input: RSlice<'_, u8>) -> RResult<RVec<u8>, FfiError>;
}

/// A plugin instance as it crosses the boundary.
pub type PluginBox = Plugin_TO<'static, RBox<()>>;

#[cfg(test)]
mod tests {
    #[test]
    fn root_module_symbol_matches_abi_stable() {
        assert_eq!(
            super::ROOT_MODULE_SYMBOL,
            abi_stable::library::ROOT_MODULE_LOADER_NAME
        );
    }
}
