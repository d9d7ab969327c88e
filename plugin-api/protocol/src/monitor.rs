//! The `monitor` role: link and address notices, with exactly the fields
//! the monitor publishes, and the rules other plugins register ("when the
//! carrier of eth0 comes up, send me this event").
//!
//! | topic | from → to | payload / request | reply |
//! | --- | --- | --- | --- |
//! | `link.added`, `link.removed`, `link.renamed`, `link.admin-up`, `link.admin-down`, `link.carrier-up`, `link.carrier-down` | monitor → subscribers (notice) | [`LinkChanged`] in [`LinkAdded`], [`LinkRemoved`], [`LinkRenamed`], [`LinkAdminUp`], [`LinkAdminDown`], [`LinkCarrierUp`], [`LinkCarrierDown`] | |
//! | `link.mtu-changed` | monitor → subscribers (notice) | [`LinkChanged`] (with `mtu`, `old_mtu`) in [`LinkMtuChanged`] | |
//! | `address.added`, `address.removed` | monitor → subscribers (notice) | [`AddressChanged`] in [`AddressAdded`], [`AddressRemoved`] | |
//! | `route.added`, `route.removed` | monitor → subscribers (notice) | [`RouteChanged`] in [`RouteAdded`], [`RouteRemoved`] | |
//! | `monitor.resync` | monitor → subscribers (notice) | [`Resync`] | |
//! | `monitor.rule.dropped` | monitor → subscribers (notice) | [`RuleDropped`] | |
//! | `monitor.rule.add` | any → `monitor` | [`RuleAdd`] | [`RuleAdded`] |
//! | `monitor.rule.remove` | the rule's owner → `monitor` | [`RuleRemove`] | [`RuleRemoved`] |
//! | `monitor.rule.list` | any → `monitor` | [`RuleListRequest`] | [`RuleList`] |
//! | `monitor.links` | any → `monitor` | [`LinksRequest`] | [`Links`] |

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Notice, Role, notice, notice_newtype, request};

/// Every link notice, as a subscription pattern.
pub const LINK_NOTICES: &str = "link.*";
/// Every address notice, as a subscription pattern.
pub const ADDRESS_NOTICES: &str = "address.*";
/// Every route notice, as a subscription pattern.
pub const ROUTE_NOTICES: &str = "route.*";

/// A link as a `link.*` notice describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkChanged {
    /// The monitor's sequence number, increasing across all its notices.
    pub seq: u64,
    /// The interface name.
    pub name: String,
    /// The interface index.
    pub index: u32,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// Carrier (`IFF_LOWER_UP`).
    pub carrier: bool,
    /// The link kind (`veth`, `bridge`, …), if the kernel gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The previous name (`link.renamed` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_name: Option<String>,
    /// The MTU (`IFLA_MTU`), when the kernel gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// The previous MTU (`link.mtu-changed` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_mtu: Option<u32>,
}

notice_newtype!(
    /// A link appeared.
    LinkAdded(LinkChanged) = "link.added"
);
notice_newtype!(
    /// A link went away.
    LinkRemoved(LinkChanged) = "link.removed"
);
notice_newtype!(
    /// A link was renamed ([`LinkChanged::old_name`] is set).
    LinkRenamed(LinkChanged) = "link.renamed"
);
notice_newtype!(
    /// A link was set administratively up.
    LinkAdminUp(LinkChanged) = "link.admin-up"
);
notice_newtype!(
    /// A link was set administratively down.
    LinkAdminDown(LinkChanged) = "link.admin-down"
);
notice_newtype!(
    /// A link's carrier came up.
    LinkCarrierUp(LinkChanged) = "link.carrier-up"
);
notice_newtype!(
    /// A link's carrier went down.
    LinkCarrierDown(LinkChanged) = "link.carrier-down"
);
notice_newtype!(
    /// A link's MTU changed ([`LinkChanged::mtu`] and
    /// [`LinkChanged::old_mtu`] are set), by nipart or by another tool.
    LinkMtuChanged(LinkChanged) = "link.mtu-changed"
);

/// An IP family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IpFamily {
    Ipv4,
    Ipv6,
}

/// An address as an `address.*` notice describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressChanged {
    pub seq: u64,
    /// The name of its link at the time (empty if unknown).
    pub name: String,
    pub index: u32,
    pub family: IpFamily,
    /// The address alone: `192.0.2.1`.
    pub address: String,
    pub prefix_len: u8,
}

notice_newtype!(
    /// An address was added.
    AddressAdded(AddressChanged) = "address.added"
);
notice_newtype!(
    /// An address was removed.
    AddressRemoved(AddressChanged) = "address.removed"
);

/// A route as a `route.*` notice describes it: a unicast route of a
/// table other than `local` (the kernel's own routes to local and
/// broadcast addresses, and cached clones, are not announced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteChanged {
    pub seq: u64,
    pub family: IpFamily,
    /// `192.0.2.0/24`, `0.0.0.0/0` for a default route.
    pub destination: String,
    /// The next hop's address, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// The name of the next hop's link at the time (empty if unknown or
    /// none).
    #[serde(default)]
    pub interface: String,
    /// The next hop's link index (0 if none).
    #[serde(default)]
    pub index: u32,
    /// The routing table (254 is `main`).
    pub table: u32,
    /// The metric (`RTA_PRIORITY`), if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}

notice_newtype!(
    /// A route was added (or replaced), by nipart or by another tool.
    RouteAdded(RouteChanged) = "route.added"
);
notice_newtype!(
    /// A route was removed.
    RouteRemoved(RouteChanged) = "route.removed"
);

/// The monitor re-read the whole state (its socket overran); the changes
/// found were published before this notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resync {
    pub seq: u64,
    pub reason: String,
    /// Datagrams that were queued and discarded before the re-read.
    pub discarded: usize,
    /// Change notices published from the difference.
    pub changes: usize,
}
notice!(Resync, "monitor.resync");

/// The rules of a plugin that stopped or failed were dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDropped {
    /// `plugin:NAME`.
    pub owner: String,
    pub ids: Vec<u64>,
    /// The topic that told the monitor (`plugin.stopped`, `plugin.failed`).
    pub reason: String,
    /// Why the plugin failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
notice!(RuleDropped, "monitor.rule.dropped");

/// Which interface a rule watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleInterface {
    /// Whatever link has this name now.
    Name(String),
    /// The link with this index.
    Index(u32),
}

/// What a rule waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// Administratively up.
    Up,
    /// Administratively down (the link exists).
    Down,
    /// The link exists.
    Added,
    /// No such link.
    Removed,
    /// Carrier present.
    CarrierUp,
    /// No carrier (the link exists).
    CarrierDown,
}

/// The state of the event a rule publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowUpState {
    /// A request or command (the default).
    Todo,
    /// A notice.
    Done,
}

/// The event a rule publishes when it fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub topic: String,
    /// `plugin:NAME`, `role:NAME`, `client:ID`, `all` or `none` (the
    /// default: topic subscribers only).
    #[serde(default = "none")]
    pub dst: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<FollowUpState>,
    /// Opaque to the monitor: whatever the destination expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
}

fn none() -> String {
    "none".into()
}

impl FollowUp {
    /// `notice` sent to `dst` (e.g. `plugin:NAME`) when the rule fires.
    pub fn notice<N: Notice>(dst: impl Into<String>, notice: &N) -> serde_json::Result<Self> {
        Ok(Self {
            topic: N::TOPIC.to_string(),
            dst: dst.into(),
            state: Some(FollowUpState::Done),
            payload: Some(serde_json::to_value(notice)?),
        })
    }
}

/// Payload of `monitor.rule.add`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleAdd {
    pub interface: RuleInterface,
    pub condition: Condition,
    pub event: FollowUp,
    /// Fire every time the condition becomes true (default: once).
    #[serde(default)]
    pub persistent: bool,
    /// Fire at once if the condition already holds (default: true).
    #[serde(default = "yes")]
    pub fire_if_holds: bool,
}

fn yes() -> bool {
    true
}

/// The reply to `monitor.rule.add`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleAdded {
    pub id: u64,
    /// The condition held at registration.
    pub holds: bool,
    /// The rule fired at registration.
    pub fired: bool,
    /// The rule stays registered (false for a one-shot rule that fired).
    pub active: bool,
}

/// Payload of `monitor.rule.remove`: a rule the sender registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRemove {
    pub id: u64,
}

/// The reply to `monitor.rule.remove`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRemoved {
    pub id: u64,
    pub removed: bool,
}

/// Payload of `monitor.rule.list`: `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleListRequest {}

/// A registered rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: u64,
    /// Who registered it (`plugin:NAME`, `client:ID`).
    pub owner: String,
    pub interface: RuleInterface,
    pub condition: Condition,
    pub persistent: bool,
    pub event: FollowUp,
    /// How many times it fired.
    pub fired: u64,
}

/// The reply to `monitor.rule.list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleList {
    pub rules: Vec<RuleInfo>,
}

/// Payload of `monitor.links`: `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinksRequest {}

/// A link and its addresses, as the monitor sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub index: u32,
    pub name: String,
    pub up: bool,
    pub carrier: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `192.0.2.1/24`, …
    pub addresses: Vec<String>,
}

/// The reply to `monitor.links`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    pub links: Vec<LinkView>,
}

request!(RuleAdd, "monitor.rule.add", Role::MONITOR, RuleAdded);
request!(
    RuleRemove,
    "monitor.rule.remove",
    Role::MONITOR,
    RuleRemoved
);
request!(
    RuleListRequest,
    "monitor.rule.list",
    Role::MONITOR,
    RuleList
);
request!(LinksRequest, "monitor.links", Role::MONITOR, Links);
