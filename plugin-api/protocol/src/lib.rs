//! The typed contract between nipart's plugins, its daemon and its
//! clients: every request a role answers, with its topic, its destination
//! role and its reply type; every notice, with its topic and payload.
//! Type definitions only: serde, no I/O, no FFI, so that the SDK
//! (`nipart-plugin-api`, which re-exports this crate as
//! `nipart_plugin_api::protocol`), the daemon and the client library use
//! the very same types.
//!
//! Topic and role names are written in this crate only. A plugin asks with
//! `ctx.ask(&request)`, announces with `ctx.announce(&notice)`, and decodes
//! what it receives into these types (see the SDK's `incoming!`).
//!
//! ```
//! use nipart_protocol::{Message, Request, Role, monitor::LinkCarrierUp, state::QueryRequest};
//!
//! assert_eq!(QueryRequest::TOPIC, "network.query");
//! assert_eq!(QueryRequest::ROLE, Role::KERNEL);
//! assert_eq!(LinkCarrierUp::TOPIC, "link.carrier-up");
//! ```
//!
//! # Compatibility rule (for vendors)
//!
//! A plugin built against an older version of this crate keeps working
//! with a newer daemon and newer plugins, because a topic's payload only
//! grows compatibly:
//!
//! - a field may be **added** to a payload or a reply only as optional,
//!   with a default (`#[serde(default)]`), so that an older payload, which
//!   lacks it, still decodes (the test `old_payloads_decode_into_new_types`
//!   checks this for every payload that grew);
//! - a field is never removed, renamed, or given another type or meaning;
//! - a change of meaning is a **new topic** (`…-v2`), answered beside the
//!   old one for as long as plugins use it;
//! - readers ignore fields they do not know (no `deny_unknown_fields` on a
//!   payload between plugins; the public API's parameters, which a person
//!   writes, refuse unknown fields and name them);
//! - [`PROTOCOL_VERSION`] grows with each release that adds topics or
//!   fields; [`Hello`] lists the optional features a side has, so a plugin
//!   can tell whether the daemon offers one before using it.

use serde::{Serialize, de::DeserializeOwned};

pub mod api;
pub mod conf;
pub mod daemon;
pub mod dhcp;
pub mod dns;
pub mod fleet;
pub mod lldp;
pub mod monitor;
pub mod ovs;
pub mod state;
pub mod workflow;

#[cfg(test)]
mod tests;

/// The version of this protocol: the minor number grows with each release
/// that adds topics, fields or features (see the compatibility rule).
pub const PROTOCOL_VERSION: u32 = 1;

/// What each side says about itself once, at Init: the SDK sends its
/// `Hello` to the daemon (the daemon call [`daemon::HELLO`]) and gets the
/// daemon's back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the side that sends it.
    pub protocol_version: u32,
    /// Optional features it offers (e.g. [`daemon::FEATURE_HELLO`]).
    #[serde(default)]
    pub features: Vec<String>,
}

impl Hello {
    /// This build's hello, with `features`.
    pub fn new(features: &[&str]) -> Self {
        Self {
            protocol_version: PROTOCOL_VERSION,
            features: features.iter().map(|f| f.to_string()).collect(),
        }
    }

    /// Whether the other side offers `feature`.
    pub fn has(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }
}

/// A role a plugin holds: requests to a role go to every plugin holding
/// it. The built-in roles are constants; a vendor's role is
/// [`Role::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Role(&'static str);

impl Role {
    /// The apply workflow (`plugins/commander`): the public API's calls.
    pub const COMMANDER: Role = Role("commander");
    /// Persistence: the saved desired state and the checkpoint history.
    pub const CONF: Role = Role("conf");
    /// Query and apply with the kernel.
    pub const KERNEL: Role = Role("kernel");
    /// Validate, plan and verify states.
    pub const STATE: Role = Role("state");
    /// Link and address events, rules.
    pub const MONITOR: Role = Role("monitor");
    /// The DHCPv4 client.
    pub const DHCP: Role = Role("dhcp");
    /// LLDP neighbours and announcements.
    pub const LLDP: Role = Role("lldp");
    /// The resolver's configuration (`dns-resolver`).
    pub const DNS: Role = Role("dns");
    /// The host name (`hostname`).
    pub const HOSTNAME: Role = Role("hostname");
    /// Open vSwitch bridges, ports and interfaces, through OVSDB.
    pub const OVS: Role = Role("ovs");
    /// The host in a fleet over NATS (an optional plugin).
    pub const FLEET: Role = Role("fleet");

    /// A role of a vendor's.
    pub const fn new(name: &'static str) -> Self {
        Role(name)
    }

    /// The name, as plugins declare it in `Plugin::ROLES`.
    pub const fn as_str(&self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A payload bound to its topic: a [`Request`] or a [`Notice`].
pub trait Message: Serialize + DeserializeOwned {
    const TOPIC: &'static str;
}

impl From<Role> for String {
    fn from(r: Role) -> String {
        r.0.to_string()
    }
}

/// A request: sent to every plugin holding [`Request::ROLE`], answered with
/// one [`Request::Reply`] (or an error).
pub trait Request: Message {
    /// Where it goes (a caller may send it to another role holding the
    /// same contract, e.g. a part of a plan to the role that owns it).
    const ROLE: Role;
    type Reply: Serialize + DeserializeOwned;
}

/// A request that streams progress (`Ongoing` events) before its reply.
pub trait Streams: Request {
    type Progress: Serialize + DeserializeOwned;
}

/// A notice: published to whoever subscribes to its topic (or sent to one
/// member), never answered.
pub trait Notice: Message {}

/// An empty payload or reply: `{}` (extra fields are ignored).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Empty {}

/// Declares that `$ty` is a request on `$topic` to `$role` answered with
/// `$reply`.
macro_rules! request {
    ($ty:ty, $topic:expr, $role:expr, $reply:ty) => {
        impl $crate::Message for $ty {
            const TOPIC: &'static str = $topic;
        }
        impl $crate::Request for $ty {
            const ROLE: $crate::Role = $role;
            type Reply = $reply;
        }
    };
}

/// Declares that `$ty` is a notice on `$topic`.
macro_rules! notice {
    ($ty:ty, $topic:expr) => {
        impl $crate::Message for $ty {
            const TOPIC: &'static str = $topic;
        }
        impl $crate::Notice for $ty {}
    };
}

/// Notice types that carry one shared payload type under several topics
/// (`link.added`, `link.removed`, …): a transparent newtype each, that
/// derefs to the payload.
macro_rules! notice_newtype {
    ($(#[$m:meta])* $name:ident($payload:ty) = $topic:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $payload);

        impl std::ops::Deref for $name {
            type Target = $payload;
            fn deref(&self) -> &$payload {
                &self.0
            }
        }

        notice!($name, $topic);
    };
}

pub(crate) use {notice, notice_newtype, request};
