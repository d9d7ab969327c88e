//! What a plugin's handlers use to talk to the daemon.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use abi_stable::std_types::{RSlice, RStr};
use nipart_plugin_abi::{DaemonBox, FfiEvent};
use nipart_protocol::daemon::DaemonCall;
use serde::{Serialize, de::DeserializeOwned};
use tokio::sync::{Notify, oneshot};

use crate::{Address, Error, ErrorKind, Event, EventId, EventState, Notice, Request, Result};

/// How long [`Context::ask`] waits for a reply.
pub const DEFAULT_ASK_TIMEOUT: Duration = Duration::from_secs(30);

/// How many cancelled request ids are remembered (the oldest are
/// forgotten first): far more than requests a plugin has queued or running.
const CANCELLED_REMEMBERED: usize = 4096;

/// Requests received that their requester has cancelled (a `Cancelled`
/// event whose `ref_id` is the request's id, e.g. the API's notice that
/// the client is gone). Filled by the FFI adapter as such an event is
/// delivered (before it is queued), so that the request, if still queued,
/// is dropped before its handler runs, and work done on its behalf
/// ([`Context::on_behalf_of`]) stops.
///
/// It also remembers the requests this plugin sent and stopped waiting for
/// (timed out, or cancelled on behalf of another), so that a late reply to
/// one is dropped rather than handed to the plugin's handler.
#[derive(Default)]
pub(crate) struct Cancellations {
    ids: Mutex<RecentIds>,
    given_up: Mutex<RecentIds>,
    changed: Notify,
}

/// A set of ids bounded to [`CANCELLED_REMEMBERED`], oldest forgotten
/// first.
#[derive(Default)]
struct RecentIds {
    set: HashSet<[u8; 16]>,
    order: VecDeque<[u8; 16]>,
}

impl RecentIds {
    fn insert(&mut self, id: [u8; 16]) {
        if self.set.insert(id) {
            self.order.push_back(id);
        }
        while self.order.len() > CANCELLED_REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }
}

/// A panic while holding one of these locks cannot leave a set
/// inconsistent beyond an id remembered twice in `order`.
fn lock_ids(m: &Mutex<RecentIds>) -> std::sync::MutexGuard<'_, RecentIds> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Cancellations {
    fn lock(&self) -> std::sync::MutexGuard<'_, RecentIds> {
        lock_ids(&self.ids)
    }

    pub(crate) fn cancel(&self, id: [u8; 16]) {
        self.lock().insert(id);
        self.changed.notify_waiters();
    }

    pub(crate) fn contains(&self, id: &[u8; 16]) -> bool {
        self.lock().set.contains(id)
    }

    /// Records that this plugin stopped waiting for the reply to its
    /// request `id`.
    fn give_up(&self, id: [u8; 16]) {
        lock_ids(&self.given_up).insert(id);
    }

    /// Whether `id` is a request of ours whose reply nobody waits for.
    pub(crate) fn was_given_up(&self, id: &[u8; 16]) -> bool {
        lock_ids(&self.given_up).set.contains(id)
    }

    /// Resolves once `id` is cancelled.
    async fn wait(&self, id: &[u8; 16]) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the check: a cancel in between wakes it.
            changed.as_mut().enable();
            if self.contains(id) {
                return;
            }
            changed.await;
        }
    }
}

tokio::task_local! {
    /// The request the running task works for ([`Context::on_behalf_of`]).
    static ON_BEHALF_OF: EventId;
}

/// Requests awaiting a reply, by request id. Shared with the FFI adapter,
/// which completes them directly from `deliver` so that a handler awaiting a
/// reply never waits behind its own event queue.
pub(crate) type Pending = Arc<Mutex<HashMap<[u8; 16], oneshot::Sender<FfiEvent>>>>;

pub(crate) fn lock_pending(
    p: &Pending,
) -> std::sync::MutexGuard<'_, HashMap<[u8; 16], oneshot::Sender<FfiEvent>>> {
    // A panic while holding this lock cannot leave the map inconsistent.
    p.lock().unwrap_or_else(|e| e.into_inner())
}

/// A plugin's handle on the daemon. Cheap to clone; `Send + Sync`, so it can
/// move into tasks the plugin spawns.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    daemon: DaemonBox,
    pending: Pending,
    cancellations: Arc<Cancellations>,
}

impl Context {
    pub(crate) fn new(
        name: &str,
        daemon: DaemonBox,
        pending: Pending,
        cancellations: Arc<Cancellations>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                name: name.to_string(),
                daemon,
                pending,
                cancellations,
            }),
        }
    }

    /// Whether the requester of `request` (an event this plugin received)
    /// has cancelled it, e.g. because the API client that made the call
    /// went away or timed out.
    pub fn is_cancelled(&self, request: &Event) -> bool {
        self.inner.cancellations.contains(&request.id.0)
    }

    /// Runs `work` on behalf of `request`, a request this plugin received:
    /// once the requester cancels it, every [`Context::request`] made by
    /// `work` (on this task) fails at once with a `Timeout` error saying
    /// so, without being sent, and one waiting for its reply is given up
    /// and cancelled at its destination (which drops it if it has not run
    /// yet). For work nobody needs once its caller is gone (a query, a
    /// listing); not for work that must reach a consistent end whoever
    /// waits (an apply and its rollback).
    pub fn on_behalf_of<F: Future>(
        &self,
        request: &Event,
        work: F,
    ) -> impl Future<Output = F::Output> + use<F> {
        ON_BEHALF_OF.scope(request.id, work)
    }

    fn cancelled_error(what: &str, sent: bool) -> Error {
        let done = if sent { "given up" } else { "not sent" };
        Error::new(
            ErrorKind::Timeout,
            format!("request {what} {done}: the call it serves was cancelled by its caller"),
        )
    }

    /// This plugin's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Routes an event. Never blocks. An error means the event was not
    /// accepted: an invalid topic, a request nobody can take, or this plugin
    /// being isolated.
    #[inline]
    pub fn publish(&self, event: Event) -> Result<()> {
        self.inner
            .daemon
            .publish(event.into_ffi())
            .into_result()
            .map_err(Error::from)
    }

    /// Publishes a notification (state `Done`, no destination) carrying the
    /// JSON form of `payload`, to whoever subscribes to `topic`.
    pub fn notify<T: Serialize + ?Sized>(&self, topic: &str, payload: &T) -> Result<()> {
        self.publish(
            Event::new(topic, Address::None)
                .with_state(EventState::Done)
                .with_json(payload)?,
        )
    }

    /// Sends `event` as a request and waits for its `Done` reply, at most
    /// `timeout`. A `Cancelled` reply comes back as the error it carries.
    /// Progress (`Ongoing`) events go to `handle_event` as usual.
    pub async fn request(&self, mut event: Event, timeout: Duration) -> Result<Event> {
        event.request = true;
        if event.deadline.is_none() {
            event = event.with_deadline(timeout);
        }
        let id = event.id;
        let what = format!("{} to {}", event.topic, event.dst);
        let parent = ON_BEHALF_OF.try_with(|p| *p).ok();
        let cancellations = &self.inner.cancellations;
        if parent.is_some_and(|p| cancellations.contains(&p.0)) {
            return Err(Self::cancelled_error(&what, false));
        }
        let (topic, dst) = (event.topic.clone(), event.dst.clone());
        let (tx, rx) = oneshot::channel();
        lock_pending(&self.inner.pending).insert(id.0, tx);
        if let Err(e) = self.publish(event) {
            lock_pending(&self.inner.pending).remove(&id.0);
            return Err(e);
        }
        let parent_cancelled = async {
            match parent {
                Some(p) => cancellations.wait(&p.0).await,
                None => std::future::pending().await,
            }
        };
        let reply = tokio::select! {
            r = tokio::time::timeout(timeout, rx) => r,
            () = parent_cancelled => {
                lock_pending(&self.inner.pending).remove(&id.0);
                cancellations.give_up(id.0);
                // Tell the destination, so that it drops the request if it
                // has not run it yet.
                let mut cancel = Event::new(topic, dst).with_state(EventState::Cancelled);
                cancel.ref_id = Some(id);
                let error = Self::cancelled_error(&what, true);
                if let Ok(cancel) = cancel.with_json(&error) {
                    let _ = self.publish(cancel);
                }
                return Err(error);
            }
        };
        let reply = match reply {
            Ok(Ok(reply)) => Event::from_ffi(reply)?,
            Ok(Err(_)) => {
                return Err(Error::new(
                    ErrorKind::ShuttingDown,
                    format!("request {what} abandoned: plugin is shutting down"),
                ));
            }
            Err(_) => {
                lock_pending(&self.inner.pending).remove(&id.0);
                cancellations.give_up(id.0);
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("no reply to request {what} within {timeout:?}"),
                ));
            }
        };
        if reply.state == EventState::Cancelled {
            return Err(reply.json::<Error>().unwrap_or_else(|_| {
                Error::other(format!("request {what} was cancelled by {}", reply.src))
            }));
        }
        Ok(reply)
    }

    /// Asks `request`'s role and waits for its typed reply, at most
    /// [`DEFAULT_ASK_TIMEOUT`]. As [`Context::request`]: the call is given
    /// up when the request this task works for is cancelled
    /// ([`Context::on_behalf_of`]).
    pub async fn ask<R: Request>(&self, request: &R) -> Result<R::Reply> {
        self.ask_within(request, DEFAULT_ASK_TIMEOUT).await
    }

    /// [`Context::ask`] waiting at most `timeout`.
    pub async fn ask_within<R: Request>(&self, request: &R, timeout: Duration) -> Result<R::Reply> {
        self.ask_at(Address::role(R::ROLE), request, timeout).await
    }

    /// [`Context::ask`] sent to `dst` rather than to `R::ROLE` (e.g. a part
    /// of a plan to the role that owns it).
    pub async fn ask_at<R: Request>(
        &self,
        dst: Address,
        request: &R,
        timeout: Duration,
    ) -> Result<R::Reply> {
        let event = Event::new(R::TOPIC, dst).with_json(request)?;
        self.request(event, timeout).await?.json()
    }

    /// Publishes `notice` to whoever subscribes to its topic.
    pub fn announce<N: Notice>(&self, notice: &N) -> Result<()> {
        self.notify(N::TOPIC, notice)
    }

    /// Answers `request`, a received `R`, with its typed reply.
    pub fn answer<R: Request>(&self, request: &Event, reply: &R::Reply) -> Result<()> {
        if request.topic != R::TOPIC {
            return Err(Error::invalid_input(format!(
                "answering {} with the reply of {}",
                request.topic,
                R::TOPIC
            )));
        }
        self.reply(request, reply)
    }

    /// Answers `request` with `Done` and the JSON form of `payload`.
    pub fn reply<T: Serialize + ?Sized>(&self, request: &Event, payload: &T) -> Result<()> {
        self.publish(request.reply(EventState::Done).with_json(payload)?)
    }

    /// Answers `request` with `Cancelled` and `error`; the requester's
    /// [`Context::request`] returns that error.
    pub fn reply_error(&self, request: &Event, error: &Error) -> Result<()> {
        self.publish(request.reply(EventState::Cancelled).with_json(error)?)
    }

    /// Reports progress on `request` (state `Ongoing`).
    pub fn progress<T: Serialize + ?Sized>(&self, request: &Event, payload: &T) -> Result<()> {
        self.publish(request.reply(EventState::Ongoing).with_json(payload)?)
    }

    /// Adds a topic subscription (see [`crate::TopicPattern`] for the grammar).
    pub fn subscribe(&self, pattern: &str) -> Result<()> {
        self.inner
            .daemon
            .subscribe(RStr::from_str(pattern))
            .into_result()
            .map_err(Error::from)
    }

    /// Removes a topic subscription.
    pub fn unsubscribe(&self, pattern: &str) -> Result<()> {
        self.inner
            .daemon
            .unsubscribe(RStr::from_str(pattern))
            .into_result()
            .map_err(Error::from)
    }

    /// This plugin's configuration section (`[plugin.NAME]`), decoded.
    ///
    /// An error names where the operator wrote the bad value
    /// (`FILE:LINE:COLUMN: plugin.NAME.KEY: reason`), not its place in the
    /// JSON form the plugin reads.
    pub fn config<T: DeserializeOwned>(&self) -> Result<T> {
        let raw = self.inner.daemon.config();
        serde_json::from_str(raw.as_str()).map_err(|e| {
            let name = &self.inner.name;
            // The section is one line of compact JSON: the column is the
            // offset (1-based) at which the error was met.
            let offset = e.column().saturating_sub(1).to_string();
            let message = e.to_string();
            let reason = without_json_position(&message);
            match self.call_daemon("nipart.config_position", offset.as_bytes()) {
                Ok(at) => Error::invalid_input(format!(
                    "configuration of plugin {name}: {}: {reason}",
                    String::from_utf8_lossy(&at)
                )),
                // A daemon without positions: the reason as serde_json gave it.
                Err(_) => Error::invalid_input(format!("configuration of plugin {name}: {e}")),
            }
        })
    }

    /// The generic escape hatch to daemon features newer than this SDK.
    pub fn call_daemon(&self, method: &str, input: &[u8]) -> Result<Vec<u8>> {
        self.inner
            .daemon
            .call(RStr::from_str(method), RSlice::from_slice(input))
            .into_result()
            .map(|v| v.into_vec())
            .map_err(Error::from)
    }

    /// A typed daemon call ([`crate::protocol::daemon::DaemonCall`]).
    pub fn call<C: DaemonCall>(&self, call: &C) -> Result<C::Output> {
        let out = self.call_daemon(C::METHOD, &call.encode())?;
        C::decode_output(&out).ok_or_else(|| {
            Error::invalid_input(format!("the daemon's answer to {} is malformed", C::METHOD))
        })
    }

    /// The daemon's [`Hello`](crate::protocol::Hello): its protocol version
    /// and features. A daemon older than the hello speaks version 1
    /// without features.
    pub fn daemon_hello(&self) -> crate::protocol::Hello {
        let ours = crate::protocol::Hello::new(&[]);
        self.call(&ours).unwrap_or(crate::protocol::Hello {
            protocol_version: 1,
            features: Vec::new(),
        })
    }

    /// The hello at Init: tells the daemon the protocol version `ours` of
    /// plugin `name` and returns the version both speak. An error when the
    /// daemon does not speak `ours` (the daemon's refusal, or its hello
    /// naming an older version), saying how to fix it.
    pub(crate) fn hello(&self, name: &str, ours: u32) -> Result<u32> {
        use crate::protocol::Hello;
        let refused = |why: String| {
            Error::new(
                ErrorKind::Unsupported,
                format!("plugin {name} speaks nipart protocol version {ours}: {why}"),
            )
        };
        let hello = Hello {
            protocol_version: ours,
            features: Vec::new(),
        };
        match self.call(&hello) {
            Ok(theirs) if theirs.protocol_version >= ours => Ok(ours),
            Ok(theirs) => Err(refused(format!(
                "this daemon speaks version {} only; {}",
                theirs.protocol_version,
                crate::protocol::daemon::hello_fix(ours)
            ))),
            // A daemon older than the hello speaks version 1.
            Err(e) if e.kind() == ErrorKind::Unsupported && ours <= 1 => Ok(ours),
            Err(e) => Err(refused(e.message().to_string())),
        }
    }

    pub(crate) fn daemon(&self) -> &DaemonBox {
        &self.inner.daemon
    }
}

/// serde_json's message without its trailing ` at line L column C`.
fn without_json_position(message: &str) -> &str {
    match message.rsplit_once(" at line ") {
        Some((reason, tail))
            if tail
                .split_once(" column ")
                .is_some_and(|(l, c)| l.parse::<u64>().is_ok() && c.parse::<u64>().is_ok()) =>
        {
            reason
        }
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancellations_are_remembered_up_to_a_bound_oldest_forgotten_first() {
        let c = Cancellations::default();
        c.cancel([1; 16]);
        assert!(c.contains(&[1; 16]));
        assert!(!c.contains(&[2; 16]));
        for i in 0..CANCELLED_REMEMBERED as u32 {
            let mut id = [0u8; 16];
            id[..4].copy_from_slice(&i.to_le_bytes());
            id[15] = 9;
            c.cancel(id);
        }
        assert!(!c.contains(&[1; 16]), "the oldest is forgotten");
        assert_eq!(c.lock().set.len(), CANCELLED_REMEMBERED);
        assert_eq!(c.lock().order.len(), CANCELLED_REMEMBERED);
    }

    #[test]
    fn waiting_for_a_cancellation_wakes_when_it_comes() {
        let c = Arc::new(Cancellations::default());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let waiter = {
                let c = c.clone();
                tokio::spawn(async move { c.wait(&[7; 16]).await })
            };
            tokio::task::yield_now().await;
            c.cancel([8; 16]); // another id: still waiting
            tokio::task::yield_now().await;
            assert!(!waiter.is_finished());
            let c2 = c.clone();
            std::thread::spawn(move || c2.cancel([7; 16]))
                .join()
                .unwrap();
            tokio::time::timeout(Duration::from_secs(5), waiter)
                .await
                .expect("woken")
                .unwrap();
            // Already cancelled: returns at once.
            c.wait(&[7; 16]).await;
        });
    }
}
