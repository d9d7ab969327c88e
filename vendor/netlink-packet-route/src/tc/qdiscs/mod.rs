// SPDX-License-Identifier: MIT

mod fq_codel;
mod ingress;

pub use self::{
    fq_codel::{
        TcFqCodelClStats, TcFqCodelClStatsBuffer, TcFqCodelQdStats,
        TcFqCodelQdStatsBuffer, TcFqCodelXstats, TcQdiscFqCodel,
        TcQdiscFqCodelOption,
    },
    ingress::{TcQdiscIngress, TcQdiscIngressOption},
};
