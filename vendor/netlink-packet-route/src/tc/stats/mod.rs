// SPDX-License-Identifier: MIT

mod basic;
mod compat;
mod queue;
mod stats2;
mod xstats;

pub use self::{
    basic::{TcStatsBasic, TcStatsBasicBuffer},
    compat::{TcStats, TcStatsBuffer},
    queue::{TcStatsQueue, TcStatsQueueBuffer},
    stats2::TcStats2,
    xstats::TcXstats,
};
