//! The in-process harness for plugin tests: a seat on a daemon's bus
//! ([`BusClient`]) that publishes events and requests as a client of the
//! API does and receives what is addressed or broadcast to it, replies
//! included. Its [`ChannelSink`] is the one channel [`Sink`] of the
//! project: a test or benchmark needs no sink of its own, unless it must
//! act on the bus's delivering thread itself (the bus's unit tests, whose
//! crate the kit depends on; the monitor benchmark's timestamps).

use std::{
    collections::VecDeque,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
        mpsc,
    },
    time::{Duration, Instant},
};

use nipart_plugin_api::{Address, Error, Event, EventId, EventState};
use nipartd::{EventBus, MemberId, MemberState, bus::Sink};
use serde_json::Value;

use crate::PATIENCE;

/// A bus member's sink that hands each event, as the bus delivers it, to
/// a channel: the [`BusClient`]'s, or a benchmark's that reads the FFI
/// events itself. Its queue is the channel's (unbounded: depth 0).
pub struct ChannelSink(mpsc::Sender<Event>);

impl ChannelSink {
    pub fn new(tx: mpsc::Sender<Event>) -> Self {
        Self(tx)
    }
}

impl Sink for ChannelSink {
    fn deliver(&self, event: Event) -> nipart_plugin_api::Result<u32> {
        self.0.send(event).map(|()| 0).map_err(|_| {
            Error::new(
                nipart_plugin_api::ErrorKind::ShuttingDown,
                "the receiving end of the channel is gone",
            )
        })
    }
}

/// The final answer to a request and the progress events (`Ongoing`) that
/// came before it.
#[derive(Debug)]
pub struct Outcome {
    pub progress: Vec<Event>,
    pub reply: Event,
}

impl Outcome {
    /// The reply's JSON payload (`null` if empty) when it is `Done`, or the
    /// error of a `Cancelled` reply.
    pub fn result(&self) -> Result<Value, Error> {
        reply_result(&self.reply)
    }
}

/// The JSON payload of a `Done` reply (`null` if empty), or the error a
/// `Cancelled` one carries.
pub fn reply_result(reply: &Event) -> Result<Value, Error> {
    match reply.state {
        EventState::Done => Ok(serde_json::from_slice(&reply.payload).unwrap_or(Value::Null)),
        _ => Err(reply
            .json::<Error>()
            .unwrap_or_else(|e| panic!("a Cancelled reply without an error ({e}): {reply:?}"))),
    }
}

fn is_final_reply(event: &Event) -> bool {
    event.ref_id.is_some() && matches!(event.state, EventState::Done | EventState::Cancelled)
}

/// A test's seat on a daemon's bus: `MemberId::Client(id)` with an
/// unbounded queue; leaves the bus on drop.
///
/// Events that arrive while the test waits for a particular reply are kept,
/// in order, for the next [`Self::recv`] or [`Self::recv_event`].
pub struct BusClient {
    bus: Arc<EventBus>,
    id: MemberId,
    rx: Mutex<mpsc::Receiver<Event>>,
    kept: Mutex<VecDeque<Event>>,
}

/// Client ids handed out by [`BusClient::join_next`]; high enough not to
/// meet the small ids tests choose themselves.
static NEXT_ID: AtomicU64 = AtomicU64::new(1 << 32);

impl BusClient {
    /// Joins `bus` as client `id`, receiving events from now on.
    pub fn join(bus: &Arc<EventBus>, id: u64) -> Self {
        let (tx, rx) = mpsc::channel();
        let member_id = MemberId::Client(id);
        let member = bus
            .join(
                member_id.clone(),
                Vec::new(),
                Box::new(ChannelSink::new(tx)),
            )
            .unwrap_or_else(|e| panic!("joining the bus as client {id}: {e}"));
        member.set_state(MemberState::Running);
        Self {
            bus: bus.clone(),
            id: member_id,
            rx: Mutex::new(rx),
            kept: Mutex::new(VecDeque::new()),
        }
    }

    /// Joins `bus` as a client with an id of its own.
    pub fn join_next(bus: &Arc<EventBus>) -> Self {
        Self::join(bus, NEXT_ID.fetch_add(1, Ordering::Relaxed))
    }

    /// The bus it sits on.
    pub fn bus(&self) -> &Arc<EventBus> {
        &self.bus
    }

    /// Its member id on the bus.
    pub fn member_id(&self) -> &MemberId {
        &self.id
    }

    /// This client's address, as plugins see it.
    pub fn address(&self) -> Address {
        match self.id {
            MemberId::Client(id) => Address::Client(id),
            _ => unreachable!("a test client is a client"),
        }
    }

    /// Subscribes to broadcasts matching each of `patterns` (e.g. `link.*`).
    pub fn subscribe(&self, patterns: &[&str]) {
        for p in patterns {
            self.bus
                .subscribe(&self.id, p)
                .unwrap_or_else(|e| panic!("subscribing to {p}: {e}"));
        }
    }

    /// Publishes `event` as this client.
    pub fn publish(&self, event: Event) -> nipart_plugin_api::Result<()> {
        self.bus.publish_from(&self.id, event)
    }

    /// Publishes a notice with a JSON payload; panics if the bus refuses it.
    pub fn notify(&self, topic: &str, dst: Address, payload: &Value) {
        let event = Event::new(topic, dst)
            .with_json(payload)
            .unwrap_or_else(|e| panic!("{topic}'s payload: {e}"));
        self.publish(event)
            .unwrap_or_else(|e| panic!("publishing {topic}: {e}"));
    }

    /// Sends a request with a raw payload (which need not be JSON) and an
    /// optional deadline; returns its id, or the error the bus gave.
    pub fn send_request_bytes(
        &self,
        topic: &str,
        dst: Address,
        payload: Vec<u8>,
        deadline: Option<Duration>,
    ) -> nipart_plugin_api::Result<EventId> {
        let mut event = Event::new(topic, dst);
        if let Some(after) = deadline {
            event = event.with_deadline(after);
        }
        event.payload = payload.into();
        event.request = true;
        let id = event.id;
        self.publish(event)?;
        Ok(id)
    }

    /// Sends a request with a JSON payload and a deadline of [`PATIENCE`];
    /// returns its id, or the error the bus gave.
    pub fn send_request(
        &self,
        topic: &str,
        dst: Address,
        payload: &Value,
    ) -> nipart_plugin_api::Result<EventId> {
        let bytes = serde_json::to_vec(payload).map_err(|e| Error::invalid_input(e.to_string()))?;
        self.send_request_bytes(topic, dst, bytes, Some(PATIENCE))
    }

    fn next(&self, timeout: Duration) -> Option<Event> {
        let rx = self.rx.lock().unwrap_or_else(|e| e.into_inner());
        rx.recv_timeout(timeout).ok()
    }

    fn keep(&self, event: Event) {
        self.kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(event);
    }

    /// The next event (kept or new) within `timeout`, replies included.
    pub fn recv(&self, timeout: Duration) -> Option<Event> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        kept.or_else(|| self.next(timeout))
    }

    /// The next event that is not the final reply to a request, within
    /// `timeout`; replies met on the way are kept for [`Self::reply_to`].
    pub fn recv_event(&self, timeout: Duration) -> Option<Event> {
        {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = kept.iter().position(|e| !is_final_reply(e)) {
                return kept.remove(i);
            }
        }
        let give_up = Instant::now() + timeout;
        loop {
            let event = self.next(give_up.saturating_duration_since(Instant::now()))?;
            if !is_final_reply(&event) {
                return Some(event);
            }
            self.keep(event);
        }
    }

    /// Non-reply events until none came for `quiet` (at most `max` in all).
    pub fn events_until_quiet(&self, quiet: Duration, max: Duration) -> Vec<Event> {
        let end = Instant::now() + max;
        let mut out = Vec::new();
        while Instant::now() < end {
            match self.recv_event(quiet.min(end.saturating_duration_since(Instant::now()))) {
                Some(e) => out.push(e),
                None => break,
            }
        }
        out
    }

    /// The non-reply events already received, without waiting.
    pub fn pending_events(&self) -> Vec<Event> {
        let mut out = Vec::new();
        while let Some(e) = self.recv_event(Duration::ZERO) {
            out.push(e);
        }
        out
    }

    /// Waits at most `timeout` for the final reply (`Done` or `Cancelled`)
    /// to request `id`, collecting its progress; other events are kept.
    pub fn wait(&self, id: EventId, timeout: Duration) -> Outcome {
        let mut progress = Vec::new();
        let mine = |e: &Event| e.ref_id == Some(id);
        // What arrived while the test waited for something else.
        let earlier: Vec<Event> = {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            let (mine, others): (VecDeque<Event>, VecDeque<Event>) =
                kept.drain(..).partition(|e| mine(e));
            *kept = others;
            mine.into()
        };
        let give_up = Instant::now() + timeout;
        let mut earlier = earlier.into_iter();
        loop {
            let event = match earlier.next() {
                Some(e) => e,
                None => self
                    .next(give_up.saturating_duration_since(Instant::now()))
                    .unwrap_or_else(|| panic!("no reply to request {id} within {timeout:?}")),
            };
            if !mine(&event) {
                self.keep(event);
                continue;
            }
            match event.state {
                EventState::Ongoing => progress.push(event),
                EventState::Done | EventState::Cancelled => {
                    return Outcome {
                        progress,
                        reply: event,
                    };
                }
                EventState::Todo => {}
            }
        }
    }

    /// Waits (at most [`PATIENCE`]) for the final reply to request `id`.
    pub fn reply_to(&self, id: EventId) -> Event {
        self.wait(id, PATIENCE).reply
    }

    /// Sends a request and waits for its reply.
    pub fn request(&self, topic: &str, dst: Address, payload: &Value) -> Event {
        let id = self
            .send_request(topic, dst, payload)
            .unwrap_or_else(|e| panic!("sending {topic}: {e}"));
        self.reply_to(id)
    }

    /// Sends a request and returns the reply's JSON payload, or the error
    /// of a `Cancelled` reply.
    pub fn ask(&self, topic: &str, dst: Address, payload: &Value) -> Result<Value, Error> {
        reply_result(&self.request(topic, dst, payload))
    }

    /// Sends a request without a deadline (as the API server does) and
    /// collects its progress and reply within `timeout`.
    pub fn call(&self, topic: &str, dst: Address, payload: &Value, timeout: Duration) -> Outcome {
        let bytes = serde_json::to_vec(payload).unwrap_or_else(|e| panic!("{topic}: {e}"));
        let id = self
            .send_request_bytes(topic, dst, bytes, None)
            .unwrap_or_else(|e| panic!("sending {topic}: {e}"));
        self.wait(id, timeout)
    }
}

impl Drop for BusClient {
    fn drop(&mut self) {
        self.bus.leave(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A reply awaited while other events arrive: the reply is returned,
    /// the others are kept, in order, for the next `recv_event`.
    #[test]
    fn events_met_while_waiting_for_a_reply_are_kept_in_order() {
        let bus = Arc::new(EventBus::new());
        let asker = BusClient::join(&bus, 1);
        let answerer = BusClient::join(&bus, 2);
        let id = asker
            .send_request("test.ask", answerer.address(), &json!({"n": 1}))
            .unwrap();
        let request = answerer.recv_event(PATIENCE).expect("the request");
        assert!(request.request && request.id == id, "{request:?}");
        for n in [1, 2] {
            answerer.notify("test.note", asker.address(), &json!({ "n": n }));
        }
        answerer
            .publish(
                request
                    .reply(EventState::Done)
                    .with_json(&json!({"answer": 42}))
                    .unwrap(),
            )
            .unwrap();

        let reply = asker.reply_to(id);
        assert_eq!(reply_result(&reply).unwrap(), json!({"answer": 42}));
        let kept: Vec<Value> = asker
            .pending_events()
            .iter()
            .map(|e| e.json().unwrap())
            .collect();
        assert_eq!(kept, [json!({"n": 1}), json!({"n": 2})]);
    }
}
