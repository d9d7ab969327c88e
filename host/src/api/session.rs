//! What one call's handler gets from its connection: the caller's
//! context ([`ConnCtx`]: peer, admin decided at accept, permits, bus
//! membership, the closed signal) and the reply queue ([`Out`]). Both
//! `conn` (which owns the connection's tasks) and `methods` (which answers
//! calls) depend on this module, and neither on the other's internals:
//! `conn` → `methods` → `session`.

use std::{sync::Arc, time::Duration};

use nipart_plugin_api::{Error, ErrorKind, Event, Result as ApiResult};
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore, mpsc, watch};

use super::{Shared, auth::Peer};
use crate::bus::{EventBus, MemberId, MemberState, Sink};

/// The client let its reply queue fill up (or the writer is gone).
#[derive(Debug)]
pub(crate) struct CutOff;

/// The executor's side of the reply queue.
pub(crate) struct Out {
    tx: mpsc::Sender<Vec<u8>>,
    /// How long the queue may stay full before the client is cut off.
    patience: Duration,
}

impl Out {
    pub(crate) fn new(tx: mpsc::Sender<Vec<u8>>, patience: Duration) -> Self {
        Self { tx, patience }
    }

    /// Queues an encoded message; waits for room at most `patience`.
    pub(crate) async fn send(&self, msg: Vec<u8>) -> Result<(), CutOff> {
        match self.tx.try_send(msg) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(msg)) => {
                match tokio::time::timeout(self.patience, self.tx.send(msg)).await {
                    Ok(Ok(())) => Ok(()),
                    _ => Err(CutOff),
                }
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(CutOff),
        }
    }
}

/// The bus side of a connection, joined on first use (Monitor or a
/// Network call) and left when the connection ends.
pub(crate) struct BusLink {
    bus: Arc<EventBus>,
    pub(crate) id: MemberId,
    pub(crate) events: mpsc::Receiver<Event>,
}

impl Drop for BusLink {
    fn drop(&mut self) {
        self.bus.leave(&self.id);
    }
}

struct ClientSink {
    tx: mpsc::Sender<Event>,
    capacity: usize,
}

impl Sink for ClientSink {
    fn deliver(&self, event: Event) -> ApiResult<u32> {
        match self.tx.try_send(event) {
            Ok(()) => Ok((self.capacity - self.tx.capacity()) as u32),
            Err(mpsc::error::TrySendError::Full(_)) => Err(Error::new(
                ErrorKind::QueueFull,
                format!("the API client's queue is full ({} events)", self.capacity),
            )),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(Error::new(
                ErrorKind::ShuttingDown,
                "the API client is gone".to_string(),
            )),
        }
    }
}

/// Per-connection context of the executor.
pub(crate) struct ConnCtx {
    pub(crate) shared: Arc<Shared>,
    pub(crate) peer: Peer,
    pub(crate) conn_id: u64,
    /// Decided at accept, for the life of the connection.
    admin: bool,
    /// The uid's permits for Network calls (see [`Self::call_permits`]).
    uid_calls: Arc<Semaphore>,
    pub(crate) closed: watch::Receiver<bool>,
    link: Option<BusLink>,
}

impl ConnCtx {
    pub(crate) fn new(
        shared: Arc<Shared>,
        peer: Peer,
        conn_id: u64,
        admin: bool,
        uid_calls: Arc<Semaphore>,
        closed: watch::Receiver<bool>,
    ) -> Self {
        Self {
            shared,
            peer,
            conn_id,
            admin,
            uid_calls,
            closed,
            link: None,
        }
    }

    /// Whether the peer may call mutating methods (decided at accept).
    pub(crate) fn is_admin(&self) -> bool {
        self.admin
    }

    /// For a caller who is not an admin: waits for a permit of its uid,
    /// then one of all such callers (FIFO, so connections take turns).
    /// `None` for an admin, who needs none.
    pub(crate) async fn call_permits(
        &self,
    ) -> Result<Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)>, AcquireError> {
        if self.admin {
            return Ok(None);
        }
        let uid = self.uid_calls.clone().acquire_owned().await?;
        let all = self.shared.unprivileged_calls.load_full();
        let all = all.acquire_owned().await?;
        Ok(Some((uid, all)))
    }

    /// Logs a warning this connection caused; rate-limited when the peer is
    /// not an admin.
    pub(crate) fn warn(&self, message: std::fmt::Arguments<'_>) {
        self.shared.warn(self.admin, message);
    }

    /// The connection's bus membership, joining on first use.
    pub(crate) fn bus_link(&mut self) -> ApiResult<&mut BusLink> {
        if self.link.is_none() {
            let capacity = self.shared.cfg.load().event_queue;
            let (tx, rx) = mpsc::channel(capacity);
            let id = MemberId::Client(self.conn_id);
            let bus = self.shared.view.bus.clone();
            let member = bus.join(
                id.clone(),
                Vec::new(),
                Box::new(ClientSink { tx, capacity }),
            )?;
            member.set_state(MemberState::Running);
            self.link = Some(BusLink {
                bus,
                id,
                events: rx,
            });
        }
        self.link
            .as_mut()
            .ok_or_else(|| Error::other("bus link missing"))
    }

    /// Resolves once the client's reading side has ended (EOF, error, limit).
    pub(crate) async fn wait_closed(closed: &mut watch::Receiver<bool>) {
        while !*closed.borrow_and_update() {
            if closed.changed().await.is_err() {
                return;
            }
        }
    }
}
