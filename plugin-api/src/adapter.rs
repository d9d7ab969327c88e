//! The FFI side of one plugin: implements the frozen `Plugin` trait object on
//! top of the author's [`Plugin`](crate::Plugin), running it on a thread of
//! its own with its own single-threaded tokio runtime.
//!
//! Every entry point here catches panics: a panic must never cross the FFI
//! boundary (abi_stable would abort the whole daemon).
//!
//! A request is not worked on when nobody waits for its answer: a
//! `Cancelled` event referring to a request this plugin received (the API
//! sends one when its client disconnects or times out; [`Context::request`]
//! sends one when the work it was done for is cancelled) is recorded as it
//! is delivered, before it is queued, so that the request, if still in the
//! queue, is dropped when its turn comes, without running its handler (it
//! is answered with a `Timeout` error, for a requester still waiting for
//! the end); the `Cancelled` event that caused it is dropped too. A reply
//! to a request of ours that we stopped waiting for (timed out, cancelled)
//! is dropped rather than queued. A request whose deadline has passed before its turn is answered with a
//! `Timeout` error instead of being handled. So a queue filled by callers
//! who left empties at the cost of a lookup per event, and the requests
//! behind them (a checkpoint save of the daemon's own workflow) are
//! handled at once.

use std::{
    collections::{HashMap, HashSet},
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{Arc, Mutex, OnceLock, mpsc as std_mpsc},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RResult, RSlice, RStr, RVec},
};
use futures_util::FutureExt;
use nipart_plugin_abi::{
    DaemonBox, FfiError, FfiEvent, Plugin as FfiPlugin, Plugin_TO, PluginBox, event_state,
};
use tokio::sync::mpsc;

use nipart_protocol::daemon::{DaemonCall, QueueDepth, ReportFailure, SetLogLevel};

use crate::{
    Context, Error, ErrorKind, Event, Plugin, Result,
    context::{Cancellations, Pending, lock_pending},
    inbox::{Inbox, Receiver, Refused},
    log::{self, LevelHandle},
};

/// Settings the host passes to `init` as JSON. Unknown keys are ignored, so
/// the host may add more without breaking older plugins.
type Settings = nipart_protocol::daemon::InitSettings;

enum Control {
    Shutdown {
        deadline: Instant,
        done: std_mpsc::Sender<Result<()>>,
    },
}

struct Link {
    events: Arc<Inbox<FfiEvent>>,
    control: mpsc::UnboundedSender<Control>,
    pending: Pending,
    cancellations: Arc<Cancellations>,
    level: Arc<OnceLock<LevelHandle>>,
}

pub(crate) struct Adapter<P: Plugin> {
    plugin: Mutex<Option<P>>,
    link: OnceLock<Link>,
}

/// Builds the plugin and wraps it for the FFI. Called by the registry, which
/// catches panics.
pub(crate) fn create<P: Plugin>() -> Result<PluginBox> {
    let plugin = P::new()?;
    let adapter = Adapter {
        plugin: Mutex::new(Some(plugin)),
        link: OnceLock::new(),
    };
    Ok(Plugin_TO::from_value(adapter, TD_Opaque))
}

/// Runs `f`, turning a panic into an error so it never crosses the boundary.
pub(crate) fn guard<T>(what: &str, f: impl FnOnce() -> Result<T>) -> RResult<T, FfiError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => RResult::ROk(v),
        Ok(Err(e)) => RResult::RErr(e.into()),
        Err(payload) => RResult::RErr(Error::from_panic(what, payload.as_ref()).into()),
    }
}

fn instant_from_unix_ms(ms: u64) -> Option<Instant> {
    if ms == 0 {
        return None;
    }
    let target = UNIX_EPOCH + Duration::from_millis(ms);
    let left = target
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    Some(Instant::now() + left)
}

impl<P: Plugin> Adapter<P> {
    fn link(&self) -> Result<&Link> {
        self.link.get().ok_or_else(|| {
            Error::new(
                ErrorKind::Failed,
                format!("plugin {} is not initialized", P::NAME),
            )
        })
    }

    fn do_init(&self, daemon: DaemonBox, settings: &str) -> Result<()> {
        let settings: Settings = serde_json::from_str(settings).map_err(|e| {
            Error::invalid_input(format!("init settings for plugin {}: {e}", P::NAME))
        })?;
        let plugin = self
            .plugin
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Failed,
                    format!("plugin {} was already initialized", P::NAME),
                )
            })?;
        let level = log::parse_level(&settings.log_level).ok_or_else(|| {
            Error::invalid_input(format!("invalid log level {:?}", settings.log_level))
        })?;
        let capacity = settings.queue_capacity.max(1);
        let events = Arc::new(Inbox::new(capacity));
        let (control_tx, control_rx) = mpsc::unbounded_channel();
        let pending: Pending = Arc::new(Mutex::new(HashMap::new()));
        let level_handle = Arc::new(OnceLock::new());
        let cancellations = Arc::new(Cancellations::default());
        let ctx = Context::new(P::NAME, daemon, pending.clone(), cancellations.clone());
        // Before anything runs: a daemon that does not speak the plugin's
        // protocol refuses it here, with the fix.
        ctx.hello(P::NAME, P::PROTOCOL_VERSION)?;
        let _ = self.link.set(Link {
            events: events.clone(),
            control: control_tx,
            pending,
            cancellations: cancellations.clone(),
            level: level_handle.clone(),
        });

        let (init_tx, init_rx) = std_mpsc::channel();
        let worker = Worker {
            plugin,
            ctx,
            events: Receiver::new(events),
            control: control_rx,
            cancellations,
            dropped: HashSet::new(),
            topic: String::new(),
            request: None,
        };
        std::thread::Builder::new()
            .name(format!("plugin-{}", P::NAME))
            .spawn(move || worker.run(level, level_handle, init_tx))
            .map_err(|e| Error::other(format!("spawning the thread of plugin {}: {e}", P::NAME)))?;

        // The host enforces Init's deadline; it can't cancel this call anyway.
        match init_rx.recv() {
            Ok(result) => result,
            Err(_) => Err(Error::new(
                ErrorKind::Failed,
                "the plugin's thread ended during Plugin::init",
            )),
        }
    }

    /// Where `event` goes: to the waiter of the request it answers, to
    /// nowhere (a late reply), or to the queue. Decided on a reference: the
    /// caller then moves the envelope once, from its argument to its place
    /// (every move of it by value is a copy of some 200 bytes, and a slot
    /// taken on the way costs one more, a cost per event the bus benchmark
    /// shows).
    #[inline(always)]
    fn route_delivery(&self, event: &FfiEvent) -> Result<Delivery<'_>> {
        let link = self.link()?;
        // A reply to one of our own requests completes it directly.
        if let abi_stable::std_types::ROption::RSome(ref_id) = event.ref_id
            && (event.state == event_state::DONE || event.state == event_state::CANCELLED)
        {
            let waiter = lock_pending(&link.pending).remove(&ref_id);
            if let Some(tx) = waiter {
                return Ok(Delivery::Reply(link, tx));
            }
            // A late reply to a request of ours that we stopped waiting for.
            if link.cancellations.was_given_up(&ref_id) {
                return Ok(Delivery::Drop(link));
            }
            // Not a reply we wait for: the requester of a request we
            // received gave it up. Recorded before the event is queued
            // (behind the request, if that is still queued).
            if event.state == event_state::CANCELLED {
                link.cancellations.cancel(ref_id);
            }
        }
        Ok(Delivery::Queue(link))
    }

    /// Queues `event` (moved straight into the queue).
    #[inline(always)]
    fn queue(link: &Link, event: FfiEvent) -> Result<u32> {
        match link.events.push(event) {
            Ok(depth) => Ok(depth as u32),
            Err(Refused::Full(_)) => Err(Error::new(
                ErrorKind::QueueFull,
                format!(
                    "the queue of plugin {} is full ({} events)",
                    P::NAME,
                    link.events.capacity()
                ),
            )),
            Err(Refused::Closed(_)) => Err(Error::new(
                ErrorKind::ShuttingDown,
                format!("plugin {} no longer takes events", P::NAME),
            )),
        }
    }

    fn do_shutdown(&self, deadline_unix_ms: u64) -> Result<()> {
        let Some(link) = self.link.get() else {
            return Ok(()); // never initialized: nothing runs
        };
        let deadline = instant_from_unix_ms(deadline_unix_ms)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        let (done_tx, done_rx) = std_mpsc::channel();
        if link
            .control
            .send(Control::Shutdown {
                deadline,
                done: done_tx,
            })
            .is_err()
        {
            return Ok(()); // the worker has already ended
        }
        match done_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(result) => result,
            Err(std_mpsc::RecvTimeoutError::Timeout) => Err(Error::new(
                ErrorKind::Timeout,
                "Plugin::shutdown did not finish by its deadline",
            )),
            Err(std_mpsc::RecvTimeoutError::Disconnected) => Ok(()),
        }
    }

    fn do_call(&self, method: &str, input: &[u8]) -> Result<Vec<u8>> {
        match method {
            SetLogLevel::METHOD => {
                let set = SetLogLevel::decode(input)
                    .ok_or_else(|| Error::invalid_input("log level is not UTF-8"))?;
                let text = set.level.as_str();
                let level = log::parse_level(text)
                    .ok_or_else(|| Error::invalid_input(format!("invalid log level {text:?}")))?;
                if let Some(handle) = self.link()?.level.get() {
                    handle
                        .reload(level)
                        .map_err(|e| Error::other(format!("reloading the log level: {e}")))?;
                }
                Ok(Vec::new())
            }
            QueueDepth::METHOD => Ok(QueueDepth::encode_output(&(depth(self.link()?) as usize))),
            _ => Err(Error::new(
                ErrorKind::Unsupported,
                format!("plugin {} does not provide method {method:?}", P::NAME),
            )),
        }
    }
}

/// Where [`Adapter::deliver`] sends an event.
enum Delivery<'a> {
    /// The reply a request of ours waits for.
    Reply(&'a Link, tokio::sync::oneshot::Sender<FfiEvent>),
    /// A late reply to a request we stopped waiting for.
    Drop(&'a Link),
    Queue(&'a Link),
}

fn depth(link: &Link) -> u32 {
    link.events.depth() as u32
}

impl<P: Plugin> FfiPlugin for Adapter<P> {
    fn init(&self, daemon: DaemonBox, settings: RStr<'_>) -> RResult<(), FfiError> {
        guard("the SDK's init", || self.do_init(daemon, settings.as_str()))
    }

    fn deliver(&self, event: FfiEvent) -> RResult<u32, FfiError> {
        // The guarded closure borrows the envelope rather than owning a
        // copy; the moves after it (a queue push, a oneshot send) do not
        // panic.
        match guard("the SDK's deliver", || self.route_delivery(&event)) {
            RResult::ROk(Delivery::Queue(link)) => {
                Self::queue(link, event).map_err(FfiError::from).into()
            }
            RResult::ROk(Delivery::Reply(link, tx)) => {
                let _ = tx.send(event);
                RResult::ROk(depth(link))
            }
            RResult::ROk(Delivery::Drop(link)) => RResult::ROk(depth(link)),
            RResult::RErr(e) => RResult::RErr(e),
        }
    }

    fn shutdown(&self, deadline_unix_ms: u64) -> RResult<(), FfiError> {
        guard("the SDK's shutdown", || self.do_shutdown(deadline_unix_ms))
    }

    fn call(&self, method: RStr<'_>, input: RSlice<'_, u8>) -> RResult<RVec<u8>, FfiError> {
        guard("the SDK's call", || {
            self.do_call(method.as_str(), input.as_slice())
                .map(RVec::from)
        })
    }
}

impl<P: Plugin> Worker<P> {
    /// Whether `event` is not to be handled: a request its requester has
    /// cancelled (or the `Cancelled` event of one so dropped), or a request
    /// whose deadline has passed (answered with a `Timeout` error).
    fn skip(&mut self, event: &Event) -> bool {
        if event.request {
            if self.cancellations.contains(&event.id.0) {
                tracing::debug!(
                    "dropping request {} ({}): its requester cancelled it before it ran",
                    event.id,
                    event.topic
                );
                if self.dropped.len() >= DROPPED_REMEMBERED {
                    self.dropped.clear();
                }
                self.dropped.insert(event.id.0);
                // The requester may still be there to learn that its
                // request ended (the API holds a caller's permits until
                // then); one that gave it up drops this reply.
                let error = Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{} was cancelled by its requester before plugin {} ran it",
                        event.topic,
                        P::NAME
                    ),
                );
                let _ = self.ctx.reply_error(event, &error);
                return true;
            }
            if event.is_expired() {
                tracing::debug!(
                    "dropping request {} ({}): its deadline passed before it ran",
                    event.id,
                    event.topic
                );
                let error = Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{} reached plugin {} after its deadline; not handled",
                        event.topic,
                        P::NAME
                    ),
                );
                let _ = self.ctx.reply_error(event, &error);
                return true;
            }
            return false;
        }
        match event.ref_id {
            Some(r) if event.state == crate::EventState::Cancelled => self.dropped.remove(&r.0),
            _ => false,
        }
    }
}

/// The plugin's own thread: owns the plugin value and its runtime.
struct Worker<P: Plugin> {
    plugin: P,
    ctx: Context,
    events: Receiver<FfiEvent>,
    control: mpsc::UnboundedReceiver<Control>,
    cancellations: Arc<Cancellations>,
    /// Requests dropped as cancelled, whose `Cancelled` event is still to
    /// come through the queue (and is dropped too).
    dropped: HashSet<[u8; 16]>,
    /// The topic of the event being handled, and its header if it is a
    /// request (see [`Worker::handle`]).
    topic: String,
    /// Boxed: this field is read for every event, and an `Event` is large.
    request: Option<Box<Event>>,
}

/// Most ids kept in [`Worker::dropped`]; cleared beyond (a `Cancelled`
/// event that found no room in the queue never comes).
const DROPPED_REMEMBERED: usize = 4096;

impl<P: Plugin> Worker<P> {
    fn run(
        self,
        level: tracing_subscriber::filter::LevelFilter,
        level_slot: Arc<OnceLock<LevelHandle>>,
        init_done: std_mpsc::Sender<Result<()>>,
    ) {
        let (_log_guard, handle) = log::install(&self.ctx, level);
        let _ = level_slot.set(handle);
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = init_done.send(Err(Error::other(format!(
                    "building the runtime of plugin {}: {e}",
                    P::NAME
                ))));
                return;
            }
        };
        // Panics in the plugin's code are caught below; this outer guard
        // only keeps the thread from unwinding into the runtime.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(self.serve(init_done));
        }));
    }

    async fn serve(mut self, init_done: std_mpsc::Sender<Result<()>>) {
        let ctx = self.ctx.clone();
        let init = AssertUnwindSafe(self.plugin.init(&ctx))
            .catch_unwind()
            .await;
        let init = match init {
            Ok(r) => r,
            Err(p) => Err(Error::from_panic("Plugin::init", p.as_ref())),
        };
        let ok = init.is_ok();
        let _ = init_done.send(init);
        if !ok {
            return;
        }
        let mut failed = false;
        loop {
            tokio::select! {
                biased;
                control = self.control.recv() => match control {
                    Some(Control::Shutdown { deadline, done }) => {
                        let result = if failed {
                            Ok(())
                        } else {
                            self.shutdown(deadline).await
                        };
                        let _ = done.send(result);
                        return;
                    }
                    None => return,
                },
                event = self.events.recv(), if !failed => {
                    failed = !self.handle(event).await;
                    self.drain(&mut failed).await;
                }
            }
        }
    }

    /// Handles events already queued, up to a batch, without a round through
    /// the `select!` for each (which re-registers a waker on the control
    /// channel every time). A control message still comes first, and every
    /// event spends the task's cooperative budget as `recv` would.
    async fn drain(&mut self, failed: &mut bool) {
        for _ in 0..64 {
            if *failed || !self.control.is_empty() {
                return;
            }
            match self.events.pop() {
                Some(event) => *failed = !self.handle(event).await,
                None => return,
            }
            tokio::task::coop::consume_budget().await;
        }
    }

    async fn shutdown(&mut self, deadline: Instant) -> Result<()> {
        let ctx = self.ctx.clone();
        let fut = AssertUnwindSafe(self.plugin.shutdown(&ctx)).catch_unwind();
        match tokio::time::timeout_at(deadline.into(), fut).await {
            Ok(Ok(r)) => r,
            Ok(Err(p)) => Err(Error::from_panic("Plugin::shutdown", p.as_ref())),
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                "Plugin::shutdown did not finish by its deadline",
            )),
        }
    }

    /// Handles one event; returns false if the handler panicked (the plugin
    /// is then failed and takes no more events).
    async fn handle(&mut self, event: FfiEvent) -> bool {
        // No copy: the event reads the buffers the publisher made.
        let event = match Event::from_ffi(event) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("dropping a malformed event: {e}");
                return true;
            }
        };
        if self.skip(&event) {
            return true;
        }
        // What the outcome needs once the event is the handler's is kept
        // in the worker, not in this future: every future is copied as it
        // is built, and a profile put those copies first on this thread.
        if event.request {
            self.request = Some(Box::new(event.clone_header()));
        }
        // The topic, in a buffer kept from event to event (no allocation).
        self.topic.clear();
        self.topic.push_str(&event.topic);
        let outcome = AssertUnwindSafe(self.plugin.handle_event(&self.ctx, event))
            .catch_unwind()
            .await;
        self.settle(outcome)
    }

    /// Reports the handler's outcome on the event [`Worker::handle`] gave
    /// it, answering a request with the handler's error; false if it
    /// panicked (the plugin is then failed and takes no more events).
    fn settle(&mut self, outcome: std::thread::Result<Result<()>>) -> bool {
        let (ctx, topic, request) = (&self.ctx, &self.topic, self.request.take());
        match outcome {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                // An expected not-found (a show of a name that is not
                // there) goes back to the caller, who reports it: logged
                // here only at debug, so it is not a warning twice.
                if request.is_some() && e.kind() == ErrorKind::NotFound {
                    tracing::debug!("answered {topic} with: {e}");
                } else {
                    tracing::warn!("handling {topic} failed: {e}");
                }
                if let Some(req) = request {
                    let _ = ctx.reply_error(&req, &e);
                }
                true
            }
            Err(p) => {
                let e = Error::from_panic(&format!("Plugin::handle_event on {topic}"), p.as_ref());
                tracing::error!("{e}; the plugin stops taking events");
                if let Some(req) = request {
                    let _ = ctx.reply_error(&req, &e);
                }
                let _ = ctx.call(&ReportFailure {
                    reason: e.message().to_string(),
                });
                false
            }
        }
    }
}
