// SPDX-License-Identifier: MIT

mod action;
mod attribute;
mod flags;
mod header;
mod message;
mod port_range;
#[cfg(test)]
mod tests;
mod uid_range;

pub use self::{
    action::RuleAction,
    attribute::RuleAttribute,
    flags::RuleFlags,
    header::{RuleHeader, RuleMessageBuffer},
    message::RuleMessage,
    port_range::RulePortRange,
    uid_range::RuleUidRange,
};
