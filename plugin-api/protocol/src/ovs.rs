//! Open vSwitch: what the commander asks the plugin holding role `ovs`
//! (its view of OVSDB, merged into every query), and what the plugin
//! announces about its connection to `ovsdb-server`. The parts of a plan
//! it applies are ordinary `network.apply` requests (`ApplyPart`) sent to
//! role `ovs`.
//!
//! | topic | from → to | request | reply |
//! | --- | --- | --- | --- |
//! | `ovs.query` | commander → `ovs` | [`OvsQuery`] | [`NetworkState`] |
//! | `ovs.db-connection` | ovs → subscribers (notice) | [`OvsdbConnection`] | |
//! | `ovs.link-appeared` | monitor → ovs (a rule's follow-up) | [`OvsLinkAppeared`] | |

use serde::{Deserialize, Serialize};

use crate::{Role, notice, request, state::NetworkState};

/// What OVSDB holds, in the network-state schema: every `ovs-bridge` with
/// its ports, every `ovs-interface`, and each system interface attached
/// to a bridge (its `controller`, its `ovs-db`). With `interface`, only
/// that one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
}

request!(OvsQuery, "ovs.query", Role::OVS, NetworkState);

/// The plugin's connection to `ovsdb-server` was made or lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvsdbConnection {
    /// Whether it is connected now.
    pub connected: bool,
    /// The socket it connects to.
    pub socket: String,
    /// Why it was lost, or `""`.
    #[serde(default)]
    pub detail: String,
}

notice!(OvsdbConnection, "ovs.db-connection");

/// The follow-up of the rule the ovs plugin gives the monitor plugin
/// (condition `added`) while it waits for the kernel link of an internal
/// interface ovs-vswitchd is making: that link appeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvsLinkAppeared {
    pub name: String,
}

notice!(OvsLinkAppeared, "ovs.link-appeared");
