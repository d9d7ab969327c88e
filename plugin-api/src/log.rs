//! Forwards `tracing` records made inside a plugin to the daemon's log.
//!
//! Each `.so` has its own copy of tracing's dispatcher, so a plugin's records
//! would go nowhere by default. The SDK installs this subscriber as the
//! default on the plugin's thread; the daemon re-emits each record tagged
//! with the plugin's name.

use std::fmt::Write as _;

use abi_stable::std_types::RStr;
use nipart_plugin_abi::log_level;
use tracing::{Level, Subscriber, field::Field};
use tracing_subscriber::{
    Layer, Registry, filter::LevelFilter, layer::SubscriberExt, reload, util::SubscriberInitExt,
};

use crate::Context;

pub(crate) type LevelHandle = reload::Handle<LevelFilter, Registry>;

struct ForwardLayer {
    ctx: Context,
}

#[derive(Default)]
struct Text(String);

impl tracing::field::Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            self.0.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}

impl<S: Subscriber> Layer<S> for ForwardLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let meta = event.metadata();
        let level = match *meta.level() {
            Level::ERROR => log_level::ERROR,
            Level::WARN => log_level::WARN,
            Level::INFO => log_level::INFO,
            Level::DEBUG => log_level::DEBUG,
            Level::TRACE => log_level::TRACE,
        };
        let mut text = Text::default();
        event.record(&mut text);
        self.ctx.daemon().log(
            level,
            RStr::from_str(meta.target()),
            RStr::from_str(&text.0),
        );
    }
}

/// Parses `error|warn|info|debug|trace|off`.
pub(crate) fn parse_level(s: &str) -> Option<LevelFilter> {
    s.parse().ok()
}

/// Installs the forwarding subscriber as this thread's default. Returns the
/// guard (keep it alive for the thread's life) and the level handle.
pub(crate) fn install(
    ctx: &Context,
    level: LevelFilter,
) -> (tracing::dispatcher::DefaultGuard, LevelHandle) {
    let (filter, handle) = reload::Layer::new(level);
    let guard = tracing_subscriber::registry()
        .with(filter)
        .with(ForwardLayer { ctx: ctx.clone() })
        .set_default();
    (guard, handle)
}
