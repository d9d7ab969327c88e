//! LLDP: what the commander asks the `lldp` plugin for `Show`, and the
//! notices the plugin publishes when a neighbour comes, changes or goes.
//! The payload types live in [`crate::state`].
//!
//! | topic | from → to | request | reply |
//! | --- | --- | --- | --- |
//! | `lldp.neighbors` | commander → `lldp` | [`LldpQuery`] | [`LldpReport`] |
//! | `lldp.neighbor-added` | lldp → subscribers (notice) | [`LldpNeighborAdded`] | |
//! | `lldp.neighbor-changed` | lldp → subscribers (notice) | [`LldpNeighborChanged`] | |
//! | `lldp.neighbor-removed` | lldp → subscribers (notice) | [`LldpNeighborGone`] | |

use crate::{
    Role, notice, notice_newtype, request,
    state::{LldpNeighborGone, LldpQuery, LldpReport, lldp_topics},
};

request!(LldpQuery, lldp_topics::NEIGHBORS, Role::LLDP, LldpReport);
notice!(LldpNeighborGone, lldp_topics::NEIGHBOR_REMOVED);

notice_newtype!(
    /// A neighbour was heard for the first time on an interface.
    LldpNeighborAdded(crate::state::LldpNeighborInfo) = lldp_topics::NEIGHBOR_ADDED
);
notice_newtype!(
    /// A neighbour sent other TLVs than before; the new ones replace them.
    LldpNeighborChanged(crate::state::LldpNeighborInfo) = lldp_topics::NEIGHBOR_CHANGED
);
