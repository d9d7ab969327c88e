//! Order statistics the benchmark programs (this directory's examples)
//! share.

use std::time::Duration;

/// The `p`-th percentile (0 to 100) of `sorted`, nearest rank; zero when
/// empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
