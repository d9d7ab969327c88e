//! What the bus benchmark's plugins and its harness say to each other.
//!
//! One source file, included with `#[path]` by `bench-sender`,
//! `bench-receiver` and the harness (`nipart-bench`), so that the nipart run
//! and the in-process baseline carry exactly the same payload type.

#![allow(dead_code)] // each includer uses a part of it

use serde::{Deserialize, Serialize};

pub const SENDER: &str = "bench-sender";
pub const RECEIVER: &str = "bench-receiver";

/// Harness → sender (request): run one measurement ([`RunParams`]); the
/// reply is a [`RunReport`].
pub const TOPIC_RUN: &str = "bench.run";
/// Harness → receiver (request): forget the last run, expect a new one
/// ([`Reset`]); the reply is empty.
pub const TOPIC_RESET: &str = "bench.reset";
/// Sender → receiver: one measured event ([`LinkEvent`]).
pub const TOPIC_DATA: &str = "bench.data";
/// Receiver → sender: flow-control credit ([`Ack`]).
pub const TOPIC_ACK: &str = "bench.ack";
/// Sender → receiver (request): the run is over; the reply is a [`ReceiverReport`].
pub const TOPIC_REPORT: &str = "bench.report";

/// The measured payload: a small typed event, serialized to JSON by the
/// sender and decoded by the receiver, e.g.
/// `{"seq":42,"sent_ns":123456789,"iface":"eth0","up":true}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkEvent {
    pub seq: u64,
    /// `now_ns()` just before the sender serialized it.
    pub sent_ns: u64,
    pub iface: String,
    pub up: bool,
}

impl LinkEvent {
    pub fn new() -> Self {
        Self {
            seq: 0,
            sent_ns: 0,
            iface: "eth0".to_string(),
            up: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunParams {
    pub run: u64,
    pub count: u64,
    /// Events per second; 0 = as fast as flow control allows.
    pub rate: u64,
    /// At most this many events in flight (sent, not yet acknowledged).
    pub window: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reset {
    pub run: u64,
    pub count: u64,
    /// The receiver acknowledges every `ack_every` events.
    pub ack_every: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ack {
    pub run: u64,
    pub n: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReceiverReport {
    pub run: u64,
    pub received: u64,
    /// Events received out of order or from another run.
    pub unexpected: u64,
    pub first_ns: u64,
    pub last_ns: u64,
    /// CPU time of the receiver's thread from the reset to the report.
    pub cpu_ns: u64,
    pub latency: Latency,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunReport {
    pub sent: u64,
    pub first_send_ns: u64,
    pub last_send_ns: u64,
    /// Events `publish` refused.
    pub publish_errors: u64,
    /// CPU time of the sender's thread during the run.
    pub cpu_ns: u64,
    pub receiver: ReceiverReport,
}

/// Latency from `sent_ns` to the receiver having decoded the event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
}

impl Latency {
    /// Nearest-rank percentiles; sorts `samples`.
    pub fn of(samples: &mut [u64]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        samples.sort_unstable();
        let rank = |p: f64| {
            let r = (p * samples.len() as f64).ceil() as usize;
            samples[r.clamp(1, samples.len()) - 1]
        };
        Self {
            p50_ns: rank(0.50),
            p99_ns: rank(0.99),
            max_ns: samples[samples.len() - 1],
        }
    }
}

/// `CLOCK_MONOTONIC` in nanoseconds: one clock every thread and every `.so`
/// of the process reads alike.
pub fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// CPU time consumed by the calling thread, in nanoseconds.
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: as in `now_ns`.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Waits until `now_ns() >= target`, then yields once to the runtime (so a
/// paced sender still takes its acks). tokio's timers have millisecond
/// resolution, too coarse to pace 10,000 events/s, and a thread sleep
/// overshoots by the kernel's timer slack (about 50 µs): a wait of more than
/// 200 µs sleeps for all but the last 100 µs, the rest is spun. At 10,000
/// events/s (100 µs apart) the sender therefore spins, in the nipart run and
/// in the baseline alike.
pub async fn pace_until(target: u64) {
    loop {
        let now = now_ns();
        if now >= target {
            break;
        }
        let left = target - now;
        if left > 200_000 {
            std::thread::sleep(std::time::Duration::from_nanos(left - 100_000));
        } else {
            std::hint::spin_loop();
        }
    }
    tokio::task::yield_now().await;
}
