//! The daemon's one FFI edge: where the daemon calls a plugin
//! ([`PluginInstance`]: init, deliver, call, shutdown) and where a plugin
//! calls the daemon (the frozen `Daemon` trait, implemented for
//! [`DaemonHandle`]). Everything inside the daemon (the bus, the lifecycle,
//! the API) uses the safe types: [`Event`], [`Address`](nipart_plugin_api::Address),
//! [`Error`], `&str`, `Vec<u8>`.
//!
//! Invariants:
//! - an envelope a plugin publishes is converted with [`Event::from_ffi`]
//!   before it reaches the bus: an unknown state or address kind, or a
//!   client address that is not a number, is an error to the publisher and
//!   routes nothing;
//! - an event delivered to a plugin is converted with [`Event::into_ffi`],
//!   which moves its buffers (topic, names, payload) rather than copying
//!   them, so that an event crosses from plugin to plugin without a copy;
//! - the library that loaded a plugin (the [`crate::loader`]) hands over a
//!   `PluginBox`; nothing but this module calls into it.

use std::sync::Arc;

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RResult, RSlice, RStr, RString, RVec},
};
use nipart_plugin_abi::{Daemon, Daemon_TO, FfiError, FfiEvent, PluginBox};
use nipart_plugin_api::{Error, Event, Result};

use crate::{bus::Sink, handle::DaemonHandle};

/// A loaded plugin's entry points, with plain types. Cheap to clone; the
/// calls are synchronous FFI: run them where blocking is allowed.
#[derive(Clone)]
pub struct PluginInstance(Arc<PluginBox>);

impl PluginInstance {
    pub(crate) fn new(plugin: PluginBox) -> Self {
        Self(Arc::new(plugin))
    }

    /// Init: hands the plugin its daemon handle and its settings (JSON).
    pub(crate) fn init(&self, handle: DaemonHandle, settings: &str) -> Result<()> {
        let daemon = Daemon_TO::from_value(handle, TD_Opaque);
        self.0
            .init(daemon, RStr::from_str(settings))
            .into_result()
            .map_err(Error::from)
    }

    /// Shutdown, to be finished by `deadline_unix_ms`.
    pub(crate) fn shutdown(&self, deadline_unix_ms: u64) -> Result<()> {
        self.0
            .shutdown(deadline_unix_ms)
            .into_result()
            .map_err(Error::from)
    }

    /// The generic `call(method, input)`.
    pub fn call(&self, method: &str, input: &[u8]) -> Result<Vec<u8>> {
        self.0
            .call(RStr::from_str(method), RSlice::from_slice(input))
            .into_result()
            .map(RVec::into_vec)
            .map_err(Error::from)
    }

    /// Its seat's sink on the bus.
    pub(crate) fn sink(&self) -> PluginSink {
        PluginSink(self.clone())
    }
}

/// Hands bus events to a plugin through its FFI `deliver`.
pub(crate) struct PluginSink(PluginInstance);

impl Sink for PluginSink {
    fn deliver(&self, event: Event) -> Result<u32> {
        self.0
            .0
            .deliver(event.into_ffi())
            .into_result()
            .map_err(Error::from)
    }

    /// Asks the SDK (`nipart.queue_depth`, which reads its queue's length
    /// without waiting for the plugin's thread).
    fn queue_depth(&self) -> Option<u32> {
        let answer = self.0.call("nipart.queue_depth", &[]).ok()?;
        std::str::from_utf8(&answer).ok()?.parse().ok()
    }
}

fn to_ffi<T>(r: Result<T>) -> RResult<T, FfiError> {
    r.map_err(FfiError::from).into()
}

/// What a plugin calls: each method converts and hands over to the safe
/// one of the same name in [`crate::handle`].
impl Daemon for DaemonHandle {
    fn publish(&self, event: FfiEvent) -> RResult<(), FfiError> {
        to_ffi(match Event::from_ffi(event) {
            Ok(event) => self.publish(&mut Some(event)),
            Err(e) => Err(e),
        })
    }

    fn subscribe(&self, pattern: RStr<'_>) -> RResult<(), FfiError> {
        to_ffi(self.subscribe(pattern.as_str()))
    }

    fn unsubscribe(&self, pattern: RStr<'_>) -> RResult<(), FfiError> {
        to_ffi(self.unsubscribe(pattern.as_str()))
    }

    fn log(&self, level: u8, target: RStr<'_>, message: RStr<'_>) {
        self.log(level, target.as_str(), message.as_str())
    }

    fn config(&self) -> RString {
        self.config().into()
    }

    fn call(&self, method: RStr<'_>, input: RSlice<'_, u8>) -> RResult<RVec<u8>, FfiError> {
        to_ffi(self.call(method.as_str(), input.as_slice()).map(RVec::from))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use arc_swap::ArcSwap;
    use nipart_plugin_api::{Address, ErrorKind, EventState};

    use super::*;
    use crate::bus::{EventBus, MemberId, MemberState};

    /// Keeps what the bus delivers.
    struct Keep(Arc<Mutex<Vec<Event>>>);

    impl Sink for Keep {
        fn deliver(&self, event: Event) -> Result<u32> {
            self.0.lock().unwrap().push(event);
            Ok(0)
        }
    }

    /// The handle plugin `name` gets, on `bus`.
    fn handle(bus: &Arc<EventBus>, name: &str) -> DaemonHandle {
        let id = MemberId::Plugin(name.into());
        let member = bus
            .join(id.clone(), Vec::new(), Box::new(Keep(Default::default())))
            .unwrap();
        member.set_state(MemberState::Running);
        DaemonHandle {
            name: name.into(),
            id,
            member,
            bus: bus.clone(),
            section: Arc::new(ArcSwap::from_pointee(Default::default())),
            protocol: Default::default(),
        }
    }

    #[test]
    fn an_envelope_crosses_into_the_bus_whole_or_not_at_all() {
        let bus = Arc::new(EventBus::new());
        let got = Arc::new(Mutex::new(Vec::new()));
        let b = bus
            .join(
                MemberId::Plugin("b".into()),
                Vec::new(),
                Box::new(Keep(got.clone())),
            )
            .unwrap();
        b.set_state(MemberState::Running);
        let a = handle(&bus, "a");

        let mut sent = Event::new("t.x", Address::plugin("b"))
            .with_json(&[1, 2])
            .unwrap()
            .with_deadline(std::time::Duration::from_secs(5));
        sent.src = Address::plugin("forged");
        let ffi = sent.clone().into_ffi();
        assert!(Daemon::publish(&a, ffi).is_ok());
        let got_one = got.lock().unwrap().pop().unwrap();
        // Every field crosses; the source is the publisher's.
        assert_eq!(got_one.src, Address::plugin("a"));
        assert_eq!(
            (got_one.id, got_one.ref_id, got_one.state, got_one.request),
            (sent.id, sent.ref_id, sent.state, sent.request)
        );
        assert_eq!(
            (&got_one.dst, &got_one.topic, &got_one.payload),
            (&sent.dst, &sent.topic, &sent.payload)
        );
        assert!(got_one.deadline.is_some());

        // An unknown state or address kind is refused at the edge.
        let mut bad_state = Event::new("t.x", Address::plugin("b")).into_ffi();
        bad_state.state = 9;
        let mut bad_kind = Event::new("t.x", Address::plugin("b")).into_ffi();
        bad_kind.dst.kind = 42;
        for ffi in [bad_state, bad_kind] {
            let e = Error::from(Daemon::publish(&a, ffi).into_result().unwrap_err());
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        }
        assert!(got.lock().unwrap().is_empty(), "nothing was routed");
        assert_eq!(got_one.state, EventState::Todo);
    }
}
