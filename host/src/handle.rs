//! The daemon handle each plugin receives at Init: the FFI `Daemon` a
//! plugin calls into (publish, subscribe, log, its configuration section,
//! and the `call` methods `nipart.plugin_failed`, `nipart.daemon_version`,
//! `nipart.hello`, `nipart.config_position`).
//!
//! Invariants: everything a plugin publishes goes out as its own member
//! (the bus stamps the source); a log record is bounded
//! ([`LOG_RECORD_MAX`]); nothing here blocks on another plugin.

use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;

use abi_stable::std_types::{RResult, RSlice, RStr, RString, RVec};
use nipart_plugin_abi::{Daemon, FfiError, FfiEvent, log_level};
use nipart_plugin_api::{
    Error, ErrorKind,
    protocol::{
        Hello, PROTOCOL_VERSION,
        daemon::{DaemonCall, DaemonVersion, FEATURE_HELLO, ReportFailure, hello_fix},
    },
};

use crate::{
    api::redact::cut,
    bus::{EventBus, Member, MemberId},
    config::section::SectionJson,
};

/// The most bytes of one log record's message a plugin may write; the rest
/// is replaced by its length.
pub const LOG_RECORD_MAX: usize = 4096;

/// The most bytes of a log record's target.
const LOG_TARGET_MAX: usize = 128;

/// One plugin's view of the daemon: everything it publishes or logs is
/// stamped with its name.
pub struct DaemonHandle {
    pub(crate) name: String,
    pub(crate) id: MemberId,
    /// Its seat on the bus, so that publishing looks nothing up by name.
    pub(crate) member: Arc<Member>,
    pub(crate) bus: Arc<EventBus>,
    /// The plugin's `[plugin.NAME]` section as JSON; replaced when a reload
    /// changes it, so that `Context::config` returns the new section.
    pub(crate) section: Arc<ArcSwap<SectionJson>>,
    /// The protocol version agreed in the plugin's hello at Init (unset if
    /// it sent none), for `Plugins`.
    pub(crate) protocol: Arc<OnceLock<u32>>,
}

fn to_ffi<T>(r: Result<T, Error>) -> RResult<T, FfiError> {
    r.map_err(FfiError::from).into()
}

impl DaemonHandle {
    /// The plugin's hello: the daemon speaks every protocol version up to
    /// its own, so it takes the plugin's version as the agreed one, or
    /// refuses a newer one saying how to fix it. Answers with its own hello.
    fn hello(&self, input: &[u8]) -> Result<Vec<u8>, Error> {
        let theirs = Hello::decode(input).ok_or_else(|| {
            Error::invalid_input(format!("plugin {}: its hello is malformed", self.name))
        })?;
        if theirs.protocol_version > PROTOCOL_VERSION {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "this daemon speaks nipart protocol versions up to {PROTOCOL_VERSION}; {}",
                    hello_fix(theirs.protocol_version)
                ),
            ));
        }
        let _ = self.protocol.set(theirs.protocol_version);
        tracing::debug!(
            "plugin {}: protocol version {} agreed",
            self.name,
            theirs.protocol_version
        );
        Ok(Hello::encode_output(&Hello::new(&[FEATURE_HELLO])))
    }
}

impl Daemon for DaemonHandle {
    fn publish(&self, event: FfiEvent) -> RResult<(), FfiError> {
        to_ffi(self.bus.publish_as(&self.member, event))
    }

    fn subscribe(&self, pattern: RStr<'_>) -> RResult<(), FfiError> {
        to_ffi(self.bus.subscribe(&self.id, pattern.as_str()))
    }

    fn unsubscribe(&self, pattern: RStr<'_>) -> RResult<(), FfiError> {
        to_ffi(self.bus.unsubscribe(&self.id, pattern.as_str()))
    }

    fn log(&self, level: u8, target: RStr<'_>, message: RStr<'_>) {
        // A plugin may log a value a caller sent it: one record is bounded.
        let target = cut(target.as_str(), LOG_TARGET_MAX);
        let message = cut(message.as_str(), LOG_RECORD_MAX);
        let plugin = &self.name;
        match level {
            log_level::ERROR => {
                tracing::error!(target: "plugin", plugin = %plugin, target = %target, "{message}")
            }
            log_level::WARN => {
                tracing::warn!(target: "plugin", plugin = %plugin, target = %target, "{message}")
            }
            log_level::INFO => {
                tracing::info!(target: "plugin", plugin = %plugin, target = %target, "{message}")
            }
            log_level::DEBUG => {
                tracing::debug!(target: "plugin", plugin = %plugin, target = %target, "{message}")
            }
            _ => tracing::trace!(target: "plugin", plugin = %plugin, target = %target, "{message}"),
        }
    }

    fn config(&self) -> RString {
        self.section.load().json.as_str().into()
    }

    fn call(&self, method: RStr<'_>, input: RSlice<'_, u8>) -> RResult<RVec<u8>, FfiError> {
        match method.as_str() {
            // The SDK reports a panic it contained in an event handler.
            ReportFailure::METHOD => {
                let reason = ReportFailure::decode(input.as_slice())
                    .map(|r| r.reason)
                    .unwrap_or_default();
                tracing::error!(
                    plugin = %self.name,
                    "plugin failed and is isolated: {reason}"
                );
                if let Some(m) = self.bus.member(&self.id) {
                    m.fail(reason.clone());
                }
                crate::bus::announce_gone(&self.bus, &self.name, Some(&reason));
                RResult::ROk(RVec::new())
            }
            DaemonVersion::METHOD => RResult::ROk(RVec::from(DaemonVersion::encode_output(
                &env!("CARGO_PKG_VERSION").to_string(),
            ))),
            Hello::METHOD => to_ffi(self.hello(input.as_slice()).map(RVec::from)),
            // The SDK met an error at a byte offset of the section's JSON:
            // where the operator wrote that value.
            "nipart.config_position" => {
                let offset = std::str::from_utf8(input.as_slice())
                    .ok()
                    .and_then(|t| t.parse::<usize>().ok());
                match offset.and_then(|o| self.section.load().locate(o)) {
                    Some(at) => RResult::ROk(RVec::from(at.into_bytes())),
                    None => to_ffi(Err(Error::new(
                        ErrorKind::NotFound,
                        "no value of the section at that offset",
                    ))),
                }
            }
            other => to_ffi(Err(Error::new(
                ErrorKind::Unsupported,
                format!("the daemon does not provide method {other:?}"),
            ))),
        }
    }
}
