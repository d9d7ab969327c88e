// SPDX-License-Identifier: MIT

mod af_spec;
mod attribute;
mod bond;
mod bridge;
mod header;
mod message;
mod offload;
mod xstats;

#[cfg(test)]
mod tests;

pub use self::{
    af_spec::{AfSpecStat, AfSpecStats, MplsLinkStats},
    attribute::StatsAttribute,
    bond::{Bond3adStats, BondXstat},
    bridge::{
        BridgeMcastStats, BridgeMcastStatsBuffer, BridgeStpXstats,
        BridgeStpXstatsBuffer, BridgeVlanXstats, BridgeVlanXstatsBuffer,
        BridgeXstat,
    },
    header::{StatsFilterMask, StatsHeader, StatsMessageBuffer},
    message::StatsMessage,
    offload::{HwStats64, HwStats64Buffer, HwStatsInfo, OffloadXstat},
    xstats::LinkXstatGroup,
};
