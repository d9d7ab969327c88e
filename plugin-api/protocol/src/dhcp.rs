//! DHCP: what the `dhcp` plugin asks `role:kernel` (a lease's addresses and
//! routes), what it answers, and what it announces. The payload types live
//! in [`crate::state`].
//!
//! | topic | from → to | request | reply |
//! | --- | --- | --- | --- |
//! | `kernel.ip.change` | any plugin → `kernel` | [`IpChange`] | [`PartApplied`] |
//! | `dhcp.leases` | commander → `dhcp` | [`DhcpLeaseQuery`] | [`DhcpLeaseList`] |
//! | `dhcp.lease` | dhcp → subscribers (notice) | [`DhcpLeaseInfo`] | |
//! | `dhcp.lease-lost` | dhcp → subscribers (notice) | [`DhcpLeaseLost`] | |
//! | `dhcp6.lease` | dhcp → subscribers (notice) | [`Dhcp6LeaseInfo`] | |
//! | `dhcp6.lease-lost` | dhcp → subscribers (notice) | [`Dhcp6LeaseLost`] | |
//! | `dhcp.carrier-up`, `dhcp.carrier-down` | monitor → the dhcp plugin (a rule's follow-up) | [`CarrierUp`], [`CarrierDown`] | |

use serde::{Deserialize, Serialize};

use crate::{
    Role, notice, notice_newtype, request,
    state::{
        Dhcp6LeaseInfo, DhcpLeaseInfo, DhcpLeaseList, DhcpLeaseLost, DhcpLeaseQuery, IpChange,
        PartApplied, dhcp_topics,
    },
};

request!(IpChange, dhcp_topics::IP_CHANGE, Role::KERNEL, PartApplied);
request!(
    DhcpLeaseQuery,
    dhcp_topics::LEASES,
    Role::DHCP,
    DhcpLeaseList
);
notice!(DhcpLeaseInfo, dhcp_topics::LEASE);
notice!(DhcpLeaseLost, dhcp_topics::LEASE_LOST);
notice!(Dhcp6LeaseInfo, dhcp_topics::LEASE6);
notice_newtype!(
    /// A DHCPv6 lease's address was removed (a notice of its own, so that
    /// the loss of one family's lease does not read as the other's).
    Dhcp6LeaseLost(DhcpLeaseLost) = "dhcp6.lease-lost"
);

/// Which interface's carrier changed (the payload of the dhcp plugin's
/// monitor rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierChange {
    pub interface: String,
}

notice_newtype!(
    /// The carrier of an interface with a DHCP client came up.
    CarrierUp(CarrierChange) = "dhcp.carrier-up"
);
notice_newtype!(
    /// The carrier of an interface with a DHCP client went down.
    CarrierDown(CarrierChange) = "dhcp.carrier-down"
);
