//! The bus benchmark.
//!
//! **nipart**: the daemon runs in this process (`nipartd`'s library,
//! `Lifecycle::start`, the real loader) with two `.so` plugins,
//! `bench-sender` and `bench-receiver`. The harness joins the bus as client
//! 1, resets the receiver and asks the sender (a request) to run; the sender
//! publishes `count` events to the receiver, each a freshly serialized JSON
//! [`LinkEvent`], at most `window` of them in flight (the receiver publishes
//! an ack every `ack_every` events and the sender waits for credit), either
//! as fast as it can or paced at `rate` events/s. The receiver decodes each
//! event and records its latency: `CLOCK_MONOTONIC` after decoding minus the
//! `sent_ns` the sender stamped before serializing. At the end the sender
//! asks the receiver for its report and answers the harness with both.
//!
//! **baseline**: the same two sides as two threads, each with a current-thread
//! tokio runtime like a plugin's, joined by a bounded `tokio::sync::mpsc`
//! channel of `window` serialized payloads (`Vec<u8>`): the sender
//! serializes, the receiver deserializes, same payload, same pacing, same
//! clock.
//!
//! Throughput = events received / (last receive − first send). CPU per
//! event = the CPU time of the sending (or receiving) thread over the run
//! (`CLOCK_THREAD_CPUTIME_ID`), divided by the events: on the nipart side
//! the sending thread is the sender plugin's, and the bus routes on it, so
//! its figure holds the SDK's publish, the daemon's routing and the
//! receiver SDK's `deliver`; the receiving thread's holds the SDK's queue
//! and dispatch. These two ratios against the channel, measured in the same
//! run, are the stable figures on a shared machine; throughput and tail
//! latency swing with the load.
//!
//! To see where the time goes (hardware counters are not available in
//! every VM, so the software clock):
//!
//! ```sh
//! perf record -e cpu-clock -F 20000 -o bus.data -- \
//!     target/release/nipart-bench --only bus --runs 1 --events 1000000 --paced-events 100
//! perf script -i bus.data -F comm,sym,dso | sort | uniq -c | sort -rn | grep plugin-bench-se
//! ```
//!
//! (`perf report --comm` leaves libc's symbols out here; counting
//! `perf script`'s lines per thread name keeps them: `plugin-bench-se` and
//! `plugin-bench-re` are the two plugins' threads, `baseline-*` the
//! channel's.)

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::Path,
    sync::{Arc, mpsc},
    thread,
    time::{Duration, Instant},
};

use nipart_plugin_api::{Address, Event, EventState};
use nipart_testkit::bus::ChannelSink;
use nipartd::{DaemonConfig, EventBus, Lifecycle, MemberId, MemberState, bus::MemberStats};
use serde::Serialize;

use crate::{
    build,
    proto::{self, Latency, LinkEvent, Reset, RunParams, RunReport},
};

/// One measurement.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub events_per_s: f64,
    pub latency: Latency,
    /// CPU time per event of the sending and the receiving thread.
    pub sender_cpu_ns: f64,
    pub receiver_cpu_ns: f64,
}

/// What one mode (max rate or paced) is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub count: u64,
    /// Events/s; 0 = as fast as flow control allows.
    pub rate: u64,
    pub window: u32,
    pub ack_every: u32,
}

/// The daemon in this process with the two bench plugins, and the harness's
/// place on its bus.
pub struct Daemon {
    lifecycle: Lifecycle,
    replies: mpsc::Receiver<Event>,
    me: MemberId,
    next_run: u64,
    _dir: tempfile::TempDir,
}

/// Links `lib` into the daemon's plugin directory (a link, not a copy, so
/// that profilers find the library's symbols after the directory is gone).
fn install(from: &Path, dir: &Path, lib: &str) -> Result<(), String> {
    let (src, dst) = (from.join(lib), dir.join(lib));
    let src = fs::canonicalize(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    // The daemon's permission gate refuses group- or other-writable files.
    fs::set_permissions(&src, fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("chmod 755 {}: {e}", src.display()))?;
    std::os::unix::fs::symlink(&src, &dst)
        .map_err(|e| format!("linking {} to {}: {e}", dst.display(), src.display()))
}

impl Daemon {
    /// Starts the daemon on a fresh directory holding copies of the sender
    /// and receiver libraries found in `plugins`.
    pub fn start(plugins: &Path, queue_capacity: usize) -> Result<Self, String> {
        let dir = tempfile::Builder::new()
            .prefix("nipart-bench-bus-")
            .tempdir()
            .map_err(|e| format!("creating a temporary plugin directory: {e}"))?;
        install(plugins, dir.path(), build::SENDER_LIB)?;
        install(plugins, dir.path(), build::RECEIVER_LIB)?;
        let config = DaemonConfig {
            plugin_dir: dir.path().to_path_buf(),
            required_plugins: vec![proto::SENDER.to_string(), proto::RECEIVER.to_string()],
            queue_capacity,
            log_level: "warn".to_string(),
            ..DaemonConfig::default()
        };
        let lifecycle = Lifecycle::start(config)
            .map_err(|e| format!("the daemon did not start the bench plugins: {e}"))?;
        for (info, member) in lifecycle.plugins() {
            if member.state() != MemberState::Running {
                return Err(format!(
                    "plugin {} is {}: {}",
                    info.name,
                    member.state(),
                    member.last_error().unwrap_or_default()
                ));
            }
        }
        let (tx, replies) = mpsc::channel();
        let me = MemberId::Client(1);
        let member = lifecycle
            .bus()
            .join(me.clone(), Vec::new(), Box::new(ChannelSink::new(tx)))
            .map_err(|e| format!("joining the bus: {e}"))?;
        member.set_state(MemberState::Running);
        Ok(Self {
            lifecycle,
            replies,
            me,
            next_run: 1,
            _dir: dir,
        })
    }

    fn bus(&self) -> &Arc<EventBus> {
        self.lifecycle.bus()
    }

    /// Sends a request to plugin `dst` and waits for its `Done` reply.
    fn request<T: Serialize>(
        &self,
        dst: &str,
        topic: &str,
        payload: &T,
        timeout: Duration,
    ) -> Result<Event, String> {
        let mut event = Event::new(topic, Address::plugin(dst))
            .with_json(payload)
            .map_err(|e| format!("encoding {topic}: {e}"))?;
        event.request = true;
        let id = event.id;
        self.bus()
            .publish_from(&self.me, event)
            .map_err(|e| format!("sending {topic} to {dst}: {e}"))?;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = self.replies.recv_timeout(left).map_err(|_| {
                format!(
                    "no reply from {dst} to {topic} within {}s",
                    timeout.as_secs()
                )
            })?;
            if reply.ref_id != Some(id) {
                continue;
            }
            match reply.state {
                EventState::Done => return Ok(reply),
                EventState::Cancelled => {
                    let why = reply
                        .json::<nipart_plugin_api::Error>()
                        .map_or_else(|_| "no reason given".to_string(), |e| e.to_string());
                    return Err(format!("{dst} refused {topic}: {why}"));
                }
                EventState::Ongoing | EventState::Todo => continue,
            }
        }
    }

    /// One run between the two plugins.
    pub fn run(&mut self, load: Load) -> Result<Sample, String> {
        let run = self.next_run;
        self.next_run += 1;
        let timeout = Duration::from_secs(30);
        self.request(
            proto::RECEIVER,
            proto::TOPIC_RESET,
            &Reset {
                run,
                count: load.count,
                ack_every: load.ack_every,
            },
            timeout,
        )?;
        // The run itself may last count/rate seconds.
        let budget = timeout + Duration::from_secs(load.count / load.rate.max(1));
        let reply = self.request(
            proto::SENDER,
            proto::TOPIC_RUN,
            &RunParams {
                run,
                count: load.count,
                rate: load.rate,
                window: load.window,
            },
            budget,
        )?;
        let report: RunReport = reply
            .json()
            .map_err(|e| format!("the sender's report: {e}"))?;
        let r = &report.receiver;
        if report.publish_errors > 0 || r.received != load.count || r.unexpected > 0 {
            return Err(format!(
                "run {run}: sent {}, {} refused by publish, received {}, {} out of order",
                report.sent, report.publish_errors, r.received, r.unexpected
            ));
        }
        let mut s = sample(r.received, report.first_send_ns, r.last_ns, r.latency);
        s.sender_cpu_ns = report.cpu_ns as f64 / report.sent.max(1) as f64;
        s.receiver_cpu_ns = r.cpu_ns as f64 / r.received.max(1) as f64;
        Ok(s)
    }

    /// Counters of the two plugins.
    pub fn stats(&self) -> Vec<MemberStats> {
        self.bus()
            .stats()
            .into_iter()
            .filter(|s| matches!(s.id, MemberId::Plugin(_)))
            .collect()
    }

    pub fn shutdown(self) -> Vec<String> {
        self.lifecycle.shutdown()
    }
}

fn sample(received: u64, first_send_ns: u64, last_recv_ns: u64, latency: Latency) -> Sample {
    let elapsed = last_recv_ns.saturating_sub(first_send_ns).max(1) as f64 / 1e9;
    Sample {
        events_per_s: received as f64 / elapsed,
        latency,
        sender_cpu_ns: 0.0,
        receiver_cpu_ns: 0.0,
    }
}

fn current_thread_runtime() -> Result<tokio::runtime::Runtime, String> {
    // The same runtime a plugin gets from the SDK.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("building a tokio runtime: {e}"))
}

/// One baseline run: the same payload over an in-process tokio channel.
pub fn baseline(load: Load) -> Result<Sample, String> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(load.window.max(1) as usize);
    let count = load.count;
    let receiver = thread::Builder::new()
        .name("baseline-receiver".into())
        .spawn(move || -> Result<(u64, u64, Latency, u64), String> {
            let rt = current_thread_runtime()?;
            let cpu_at_start = proto::thread_cpu_ns();
            rt.block_on(async move {
                let mut latencies = Vec::with_capacity(count as usize);
                let mut last = 0;
                while let Some(bytes) = rx.recv().await {
                    let event: LinkEvent = serde_json::from_slice(&bytes)
                        .map_err(|e| format!("baseline payload: {e}"))?;
                    let now = proto::now_ns();
                    last = now;
                    latencies.push(now.saturating_sub(event.sent_ns));
                }
                let cpu = proto::thread_cpu_ns() - cpu_at_start;
                Ok((
                    latencies.len() as u64,
                    last,
                    Latency::of(&mut latencies),
                    cpu,
                ))
            })
        })
        .map_err(|e| format!("spawning the baseline receiver: {e}"))?;
    let sender = thread::Builder::new()
        .name("baseline-sender".into())
        .spawn(move || -> Result<(u64, u64), String> {
            let rt = current_thread_runtime()?;
            rt.block_on(async move {
                let cpu_at_start = proto::thread_cpu_ns();
                let interval_ns = match load.rate {
                    0 => 0,
                    r => 1_000_000_000 / r,
                };
                let mut payload = LinkEvent::new();
                let start = proto::now_ns();
                for seq in 0..count {
                    if interval_ns > 0 {
                        proto::pace_until(start + seq * interval_ns).await;
                    }
                    payload.seq = seq;
                    payload.sent_ns = proto::now_ns();
                    let bytes = serde_json::to_vec(&payload)
                        .map_err(|e| format!("baseline payload: {e}"))?;
                    tx.send(bytes)
                        .await
                        .map_err(|_| "the baseline receiver ended early".to_string())?;
                }
                Ok((start, proto::thread_cpu_ns() - cpu_at_start))
            })
        })
        .map_err(|e| format!("spawning the baseline sender: {e}"))?;
    let (start, sender_cpu) = sender
        .join()
        .map_err(|_| "the baseline sender panicked".to_string())??;
    let (received, last, latency, receiver_cpu) = receiver
        .join()
        .map_err(|_| "the baseline receiver panicked".to_string())??;
    if received != count {
        return Err(format!(
            "baseline: sent {count} events, received {received}"
        ));
    }
    let mut s = sample(received, start, last, latency);
    s.sender_cpu_ns = sender_cpu as f64 / count.max(1) as f64;
    s.receiver_cpu_ns = receiver_cpu as f64 / received.max(1) as f64;
    Ok(s)
}

/// The JSON form of a typical payload, to show what is measured.
pub fn example_payload() -> String {
    let payload = LinkEvent {
        seq: 123_456,
        sent_ns: proto::now_ns(),
        ..LinkEvent::new()
    };
    serde_json::to_string(&payload).unwrap_or_default()
}
