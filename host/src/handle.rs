//! The daemon handle each plugin receives at Init: what a plugin calls
//! into (publish, subscribe, log, its configuration section, and the `call`
//! methods `nipart.plugin_failed`, `nipart.daemon_version`, `nipart.hello`,
//! `nipart.config_position`, `nipart.set_status` (the plugin's own status
//! line, at most 256 bytes)), in safe types; [`crate::ffi`] exposes it to
//! the plugin as the FFI `Daemon`.
//!
//! Invariants: everything a plugin publishes goes out as its own member
//! (the bus stamps the source); a log record is bounded
//! ([`LOG_RECORD_MAX`]); nothing here blocks on another plugin.

use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;

use nipart_plugin_abi::log_level;
use nipart_plugin_api::{
    Error, ErrorKind, Event, Result,
    protocol::{
        Hello, PROTOCOL_VERSION,
        daemon::{
            DaemonCall, DaemonVersion, FEATURE_HELLO, PLUGIN_STATUS_MAX, ReportFailure, SetStatus,
            hello_fix,
        },
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

impl DaemonHandle {
    /// The plugin's hello: the daemon speaks every protocol version up to
    /// its own, so it takes the plugin's version as the agreed one, or
    /// refuses a newer one saying how to fix it. Answers with its own hello.
    fn hello(&self, input: &[u8]) -> Result<Vec<u8>> {
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

    /// Publishes the event in `slot` as this plugin's member (the bus
    /// stamps the source, and takes the event; see
    /// [`EventBus::publish_as`]).
    #[inline]
    pub(crate) fn publish(&self, slot: &mut Option<Event>) -> Result<()> {
        self.bus.publish_as(&self.member, slot)
    }

    pub(crate) fn subscribe(&self, pattern: &str) -> Result<()> {
        self.bus.subscribe(&self.id, pattern)
    }

    pub(crate) fn unsubscribe(&self, pattern: &str) -> Result<()> {
        self.bus.unsubscribe(&self.id, pattern)
    }

    /// Writes one record of the plugin's log at `level` (a
    /// `nipart_plugin_abi::log_level`).
    pub(crate) fn log(&self, level: u8, target: &str, message: &str) {
        // A plugin may log a value a caller sent it: one record is bounded.
        let target = cut(target, LOG_TARGET_MAX);
        let message = cut(message, LOG_RECORD_MAX);
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

    /// The plugin's configuration section as JSON.
    pub(crate) fn config(&self) -> String {
        self.section.load().json.clone()
    }

    /// The generic `call(method, input)` a plugin makes to the daemon.
    pub(crate) fn call(&self, method: &str, input: &[u8]) -> Result<Vec<u8>> {
        match method {
            // The plugin's own state, for `nipc plugins`.
            SetStatus::METHOD => {
                let status = SetStatus::decode(input)
                    .and_then(|s| s.status)
                    .map(|s| cut(&s, PLUGIN_STATUS_MAX).to_string());
                if let Some(m) = self.bus.member(&self.id) {
                    m.set_status(status);
                }
                Ok(Vec::new())
            }
            // The SDK reports a panic it contained in an event handler.
            ReportFailure::METHOD => {
                let reason = ReportFailure::decode(input)
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
                Ok(Vec::new())
            }
            DaemonVersion::METHOD => Ok(DaemonVersion::encode_output(
                &env!("CARGO_PKG_VERSION").to_string(),
            )),
            Hello::METHOD => self.hello(input),
            // The SDK met an error at a byte offset of the section's JSON:
            // where the operator wrote that value.
            "nipart.config_position" => {
                let offset = std::str::from_utf8(input)
                    .ok()
                    .and_then(|t| t.parse::<usize>().ok());
                match offset.and_then(|o| self.section.load().locate(o)) {
                    Some(at) => Ok(at.into_bytes()),
                    None => Err(Error::new(
                        ErrorKind::NotFound,
                        "no value of the section at that offset",
                    )),
                }
            }
            other => Err(Error::new(
                ErrorKind::Unsupported,
                format!("the daemon does not provide method {other:?}"),
            )),
        }
    }
}
