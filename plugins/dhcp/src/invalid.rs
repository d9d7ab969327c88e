//! Counting the invalid packets mozim ignores, per client.
//!
//! mozim reports each packet it can't parse (`Ignoring invalid DHCP
//! package: …`) through the `log` crate, without saying on which
//! interface. Its code runs inside the client's task, so the log bridge
//! finds the client's counter in a task-local. The first invalid packet of
//! a client is a warning; after that the client logs one summary line per
//! `invalid_report_ms` at most, so a hostile peer can't flood the log.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

tokio::task_local! {
    static COUNTER: Arc<InvalidPackets>;
}

/// The prefix of mozim's line for a packet it ignores.
const MOZIM_INVALID: &str = "Ignoring invalid DHCP package";

/// The invalid packets of one client.
#[derive(Debug)]
pub struct InvalidPackets {
    interface: String,
    count: AtomicU64,
    warned: AtomicBool,
}

impl InvalidPackets {
    pub fn new(interface: &str) -> Arc<InvalidPackets> {
        Arc::new(InvalidPackets {
            interface: interface.to_string(),
            count: AtomicU64::new(0),
            warned: AtomicBool::new(false),
        })
    }

    fn record(&self, line: &str) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if !self.warned.swap(true, Ordering::Relaxed) {
            // mozim's messages may span lines: one line in the log.
            let detail = line
                .strip_prefix(MOZIM_INVALID)
                .map_or(line, |d| d.trim_start_matches(':'))
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            tracing::warn!(
                "{}: ignored an invalid DHCP packet ({detail}); further ones are counted and reported periodically",
                self.interface
            );
        }
    }

    /// The count since the last call.
    pub fn take(&self) -> u64 {
        self.count.swap(0, Ordering::Relaxed)
    }
}

/// Runs `fut` (a client) with `counter` as the one mozim's reports count in.
pub async fn scope<F: Future>(counter: Arc<InvalidPackets>, fut: F) -> F::Output {
    COUNTER.scope(counter, fut).await
}

/// Called by the log bridge for each of mozim's info lines: counts it when
/// it reports an invalid packet. Whether it did.
pub fn note(line: &str) -> bool {
    line.starts_with(MOZIM_INVALID) && COUNTER.try_with(|c| c.record(line)).is_ok()
}
