//! One API connection: reader, executor and writer (see the module docs of
//! [`crate::api`]).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use nipart_plugin_abi::FfiEvent;
use nipart_plugin_api::{Error, ErrorKind, Result as ApiResult};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{
        UnixStream,
        unix::{OwnedReadHalf, OwnedWriteHalf},
    },
    sync::{AcquireError, OwnedSemaphorePermit, Semaphore, mpsc, watch},
};

use super::{ConnSlot, Shared, auth::Peer, methods, wire};
use crate::bus::{EventBus, MemberId, MemberState, Sink};

/// Something the reader hands to the executor, in arrival order.
pub(crate) enum Item {
    Call(wire::Call),
    /// A frame that is no valid call: answered with `InvalidMessage`.
    Invalid(String),
    /// A last error reply, after which the connection closes.
    Fatal(Vec<u8>),
}

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

#[derive(Default)]
struct ReadState {
    /// The executor is answering a call (possibly a long stream).
    busy: AtomicBool,
    /// Calls read whose handling has not finished.
    in_flight: AtomicUsize,
}

/// The bus side of a connection, joined on first use (Monitor or a
/// Network call) and left when the connection ends.
pub(crate) struct BusLink {
    bus: Arc<EventBus>,
    pub(crate) id: MemberId,
    pub(crate) events: mpsc::Receiver<FfiEvent>,
}

impl Drop for BusLink {
    fn drop(&mut self) {
        self.bus.leave(&self.id);
    }
}

struct ClientSink {
    tx: mpsc::Sender<FfiEvent>,
    capacity: usize,
}

impl Sink for ClientSink {
    fn deliver(&self, event: FfiEvent) -> ApiResult<u32> {
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

pub(crate) async fn serve(
    stream: UnixStream,
    peer: Peer,
    conn_id: u64,
    shared: Arc<Shared>,
    slot: ConnSlot,
    mut stop: watch::Receiver<bool>,
) {
    let who = format!(
        "API client {conn_id} (uid {}, pid {})",
        peer.uid,
        peer.pid_text()
    );
    tracing::debug!("{who} connected");
    let (rd, wr) = stream.into_split();
    let (out_tx, out_rx) = mpsc::channel(shared.cfg.load().write_queue);
    let (call_tx, call_rx) = mpsc::unbounded_channel();
    let (closed_tx, closed_rx) = watch::channel(false);
    let state = ReadState::default();
    let admin = slot.admin;
    let ctx = ConnCtx {
        shared: shared.clone(),
        peer,
        conn_id,
        admin: slot.admin,
        uid_calls: slot.uid_calls.clone(),
        closed: closed_rx,
        link: None,
    };

    let _slot = slot;
    let reader = read_loop(rd, call_tx, closed_tx, &state, &shared);
    let write_timeout_ms = shared.cfg.load().write_timeout_ms;
    let patience = Duration::from_millis(write_timeout_ms);
    let executor = exec_loop(
        call_rx,
        Out {
            tx: out_tx,
            patience,
        },
        ctx,
        &state,
    );
    // Reading and executing end on their own; only a cut-off ends the
    // connection without flushing what the writer still holds.
    let front = async {
        let (end, exec) = tokio::join!(reader, executor);
        if let Some(end) = end {
            tracing::info!("{who}: {end}");
        }
        if exec.is_err() {
            let message = format_args!(
                "{who} cut off: it did not read its replies for {write_timeout_ms} ms"
            );
            shared.warn(admin, message);
            return;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = front => {}
        end = write_loop(wr, out_rx, patience) => {
            if let Some(end) = end {
                tracing::info!("{who}: {end}");
            }
        }
        _ = stop.wait_for(|s| *s) => {}
    }
    tracing::debug!("{who} disconnected");
}

/// Reads frames until EOF or a limit; returns why it stopped when that is
/// worth logging.
async fn read_loop(
    mut rd: OwnedReadHalf,
    calls: mpsc::UnboundedSender<Item>,
    closed: watch::Sender<bool>,
    state: &ReadState,
    shared: &Shared,
) -> Option<String> {
    // A snapshot: a reload applies to connections opened after it.
    let cfg = shared.cfg.load_full();
    let mut decoder = wire::FrameDecoder::new(cfg.max_message_size);
    let mut buf = vec![0u8; 64 * 1024];
    let idle = cfg.idle_timeout();
    // One timer for the idle check, re-armed only when it fires (not on
    // every read: timer operations would dominate a Ping's cost).
    let mut last_read = tokio::time::Instant::now();
    let timer = tokio::time::sleep(idle);
    tokio::pin!(timer);
    // When the message being received must be complete: armed when a read
    // leaves part of a message buffered, disarmed when none is left.
    let message_timeout = cfg.message_timeout();
    let mut message_due: Option<tokio::time::Instant> = None;
    let message_timer = tokio::time::sleep(message_timeout);
    tokio::pin!(message_timer);
    let end = 'read: loop {
        let read = tokio::select! {
            biased;
            r = rd.read(&mut buf) => r,
            _ = &mut message_timer, if message_due.is_some() => {
                let _ = calls.send(Item::Fatal(wire::error(
                    "io.nipart.Daemon.InvalidMessage",
                    serde_json::json!({ "reason": format!(
                        "message not complete within {} ms",
                        cfg.message_timeout_ms
                    ) }),
                )));
                break Some(format!(
                    "closed: a message was not complete within {} ms ({} bytes received)",
                    cfg.message_timeout_ms,
                    decoder.buffered()
                ));
            }
            _ = &mut timer => {
                let now = tokio::time::Instant::now();
                let busy = state.busy.load(Ordering::Acquire)
                    || state.in_flight.load(Ordering::Acquire) > 0;
                if busy {
                    timer.as_mut().reset(now + idle);
                    continue;
                }
                if now < last_read + idle {
                    timer.as_mut().reset(last_read + idle);
                    continue;
                }
                break Some(format!(
                    "closed after {} ms without a call",
                    cfg.idle_timeout_ms
                ));
            }
        };
        let n = match read {
            Ok(0) => break None,
            Ok(n) => n,
            Err(e) => break Some(format!("read error: {e}")),
        };
        last_read = tokio::time::Instant::now();
        decoder.push(&buf[..n]);
        let mut completed = false;
        loop {
            match decoder.next_frame() {
                Ok(None) => break,
                Ok(Some(frame)) => {
                    completed = true;
                    let item = match wire::parse_call(frame) {
                        Ok(call) => Item::Call(call),
                        Err(reason) => Item::Invalid(reason),
                    };
                    if state.in_flight.fetch_add(1, Ordering::AcqRel) >= cfg.max_requests_in_flight
                    {
                        let _ = calls.send(Item::Fatal(wire::error(
                            "io.nipart.Daemon.TooManyRequests",
                            serde_json::json!({ "limit": cfg.max_requests_in_flight }),
                        )));
                        break 'read Some(format!(
                            "closed: more than {} calls in flight",
                            cfg.max_requests_in_flight
                        ));
                    }
                    if calls.send(item).is_err() {
                        break 'read None;
                    }
                }
                Err(e) => {
                    let _ = calls.send(Item::Fatal(wire::error(
                        "io.nipart.Daemon.InvalidMessage",
                        serde_json::json!({ "reason": e.to_string() }),
                    )));
                    break 'read Some(format!("closed: {e}"));
                }
            }
        }
        // The bytes left over began a message in this read if a message
        // was completed in it, else they continue the one already timed.
        if decoder.buffered() == 0 {
            message_due = None;
        } else if completed || message_due.is_none() {
            let due = last_read + message_timeout;
            message_due = Some(due);
            message_timer.as_mut().reset(due);
        }
    };
    let _ = closed.send(true);
    end
}

async fn exec_loop(
    mut calls: mpsc::UnboundedReceiver<Item>,
    out: Out,
    mut ctx: ConnCtx,
    state: &ReadState,
) -> Result<(), CutOff> {
    while let Some(item) = calls.recv().await {
        state.busy.store(true, Ordering::Release);
        match item {
            Item::Call(call) => methods::handle(call, &mut ctx, &out).await?,
            Item::Invalid(reason) => {
                out.send(wire::error(
                    "io.nipart.Daemon.InvalidMessage",
                    serde_json::json!({ "reason": reason }),
                ))
                .await?
            }
            Item::Fatal(msg) => {
                out.send(msg).await?;
                return Ok(());
            }
        }
        state.in_flight.fetch_sub(1, Ordering::AcqRel);
        state.busy.store(false, Ordering::Release);
    }
    Ok(())
}

/// Writes queued messages, batching what is ready; ends when the queue is
/// closed and drained, or on a write error or a write that stalls.
async fn write_loop(
    mut wr: OwnedWriteHalf,
    mut rx: mpsc::Receiver<Vec<u8>>,
    stall: Duration,
) -> Option<String> {
    let mut batch: Vec<u8> = Vec::with_capacity(4096);
    while let Some(first) = rx.recv().await {
        batch.clear();
        batch.extend_from_slice(&first);
        while batch.len() < 64 * 1024 {
            match rx.try_recv() {
                Ok(m) => batch.extend_from_slice(&m),
                Err(_) => break,
            }
        }
        // Most writes complete at once: try without arming a timer.
        let done = match wr.try_write(&batch) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return None,
            Err(e) => return Some(format!("write error: {e}")),
        };
        if done == batch.len() {
            continue;
        }
        match tokio::time::timeout(stall, wr.write_all(&batch[done..])).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return None,
            Ok(Err(e)) => return Some(format!("write error: {e}")),
            Err(_) => {
                return Some(format!(
                    "cut off: a write stalled for {} ms (the client does not read)",
                    stall.as_millis()
                ));
            }
        }
    }
    let _ = wr.shutdown().await;
    None
}
