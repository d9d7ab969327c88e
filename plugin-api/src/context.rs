//! What a plugin's handlers use to talk to the daemon.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use abi_stable::std_types::{RSlice, RStr};
use nipart_plugin_abi::{DaemonBox, FfiEvent};
use serde::{Serialize, de::DeserializeOwned};
use tokio::sync::oneshot;

use crate::{Address, Error, ErrorKind, Event, EventState, Result};

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
}

impl Context {
    pub(crate) fn new(name: &str, daemon: DaemonBox, pending: Pending) -> Self {
        Self {
            inner: Arc::new(Inner {
                name: name.to_string(),
                daemon,
                pending,
            }),
        }
    }

    /// This plugin's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Routes an event. Never blocks. An error means the event was not
    /// accepted: an invalid topic, a request nobody can take, or this plugin
    /// being isolated.
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
        let (tx, rx) = oneshot::channel();
        lock_pending(&self.inner.pending).insert(id.0, tx);
        if let Err(e) = self.publish(event) {
            lock_pending(&self.inner.pending).remove(&id.0);
            return Err(e);
        }
        let reply = match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => Event::from_ffi(reply)?,
            Ok(Err(_)) => {
                return Err(Error::new(
                    ErrorKind::ShuttingDown,
                    format!("request {what} abandoned: plugin is shutting down"),
                ));
            }
            Err(_) => {
                lock_pending(&self.inner.pending).remove(&id.0);
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
    pub fn config<T: DeserializeOwned>(&self) -> Result<T> {
        let raw = self.inner.daemon.config();
        serde_json::from_str(raw.as_str()).map_err(|e| {
            Error::invalid_input(format!("configuration of plugin {}: {e}", self.inner.name))
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

    pub(crate) fn daemon(&self) -> &DaemonBox {
        &self.inner.daemon
    }
}
