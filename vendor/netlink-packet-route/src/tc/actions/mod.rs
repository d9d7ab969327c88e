// SPDX-License-Identifier: MIT

pub use nat_flag::TcNatFlags;

pub use self::{
    action::{
        TcAction, TcActionAttribute, TcActionGeneric, TcActionGenericBuffer,
        TcActionOption, TcActionType, Tcf, TcfBuffer,
    },
    header::{TcActionMessageBuffer, TcActionMessageHeader},
    message::{
        TcActionMessage, TcActionMessageAttribute, TcActionMessageFlags,
        TcActionMessageFlagsWithSelector,
    },
    mirror::{
        TcActionMirror, TcActionMirrorOption, TcMirror, TcMirrorActionType,
        TcMirrorBuffer,
    },
    nat::{TcActionNat, TcActionNatOption, TcNat, TcNatBuffer},
    tunnel_key::{TcActionTunnelKey, TcActionTunnelKeyOption, TcTunnelKey},
};

mod action;
mod header;
mod message;
mod mirror;
mod nat;
mod nat_flag;
mod tunnel_key;

#[cfg(test)]
pub mod tests;
