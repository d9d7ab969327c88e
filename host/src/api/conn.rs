//! One API connection: reader, executor and writer (see the module docs of
//! [`crate::api`]).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{
        UnixStream,
        unix::{OwnedReadHalf, OwnedWriteHalf},
    },
    sync::{mpsc, watch},
};

use super::{
    ConnSlot, Shared,
    auth::Peer,
    methods,
    session::{ConnCtx, CutOff, Out},
    wire,
};

/// Something the reader hands to the executor, in arrival order.
pub(crate) enum Item {
    Call(wire::Call),
    /// A frame that is no valid call: answered with `InvalidMessage`.
    Invalid(String),
    /// A last error reply, after which the connection closes.
    Fatal(Vec<u8>),
}

#[derive(Default)]
struct ReadState {
    /// The executor is answering a call (possibly a long stream).
    busy: AtomicBool,
    /// Calls read whose handling has not finished.
    in_flight: AtomicUsize,
}

/// How long a connection may finish the calls in flight and write their
/// replies once the API stops (the API's stop waits for connections 2 s).
const STOP_GRACE: Duration = Duration::from_millis(500);

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
    let ctx = ConnCtx::new(
        shared.clone(),
        peer,
        conn_id,
        slot.admin,
        slot.uid_calls.clone(),
        closed_rx,
    );

    let _slot = slot;
    let reader = read_loop(rd, call_tx, closed_tx, &state, &shared);
    let write_timeout_ms = shared.cfg.load().write_timeout_ms;
    let patience = Duration::from_millis(write_timeout_ms);
    let executor = exec_loop(call_rx, Out::new(out_tx, patience), ctx, &state);
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
    let mut front = std::pin::pin!(front);
    let mut writer = std::pin::pin!(write_loop(wr, out_rx, patience));
    let stopped = tokio::select! {
        _ = &mut front => false,
        end = &mut writer => {
            if let Some(end) = end {
                tracing::info!("{who}: {end}");
            }
            false
        }
        _ = stop.wait_for(|s| *s) => true,
    };
    if stopped {
        // A call the daemon finished before it stopped (the apply it
        // drained) still answers its caller: calls in flight may end and
        // their replies be written, for a short while.
        let settle = async {
            while state.in_flight.load(Ordering::Acquire) > 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        tokio::select! {
            _ = &mut front => {}
            _ = &mut writer => {}
            _ = tokio::time::timeout(STOP_GRACE, settle) => {}
        }
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
