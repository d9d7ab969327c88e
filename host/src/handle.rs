//! The daemon handle each plugin receives at Init.

use std::sync::Arc;

use arc_swap::ArcSwap;

use abi_stable::std_types::{RResult, RSlice, RStr, RString, RVec};
use nipart_plugin_abi::{Daemon, FfiError, FfiEvent, log_level};
use nipart_plugin_api::{
    Error, ErrorKind,
    protocol::{
        Hello,
        daemon::{DaemonCall, DaemonVersion, FEATURE_HELLO, ReportFailure},
    },
};

use crate::{
    api::redact::cut,
    bus::{EventBus, MemberId},
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
    pub(crate) bus: Arc<EventBus>,
    /// The plugin's `[plugin.NAME]` section as JSON; replaced when a reload
    /// changes it, so that `Context::config` returns the new section.
    pub(crate) config_json: Arc<ArcSwap<String>>,
}

fn to_ffi<T>(r: Result<T, Error>) -> RResult<T, FfiError> {
    r.map_err(FfiError::from).into()
}

impl Daemon for DaemonHandle {
    fn publish(&self, event: FfiEvent) -> RResult<(), FfiError> {
        to_ffi(self.bus.publish_from(&self.id, event))
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
        self.config_json.load().as_str().into()
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
                crate::lifecycle::announce_gone(&self.bus, &self.name, Some(&reason));
                RResult::ROk(RVec::new())
            }
            DaemonVersion::METHOD => RResult::ROk(RVec::from(DaemonVersion::encode_output(
                &env!("CARGO_PKG_VERSION").to_string(),
            ))),
            // The plugin's hello is informative only: whatever it says, the
            // daemon answers with its own.
            Hello::METHOD => RResult::ROk(RVec::from(Hello::encode_output(&Hello::new(&[
                FEATURE_HELLO,
            ])))),
            other => to_ffi(Err(Error::new(
                ErrorKind::Unsupported,
                format!("the daemon does not provide method {other:?}"),
            ))),
        }
    }
}
