// SPDX-License-Identifier: Apache-2.0

mod iface;
mod net_state;
mod route;
mod route_rule;

pub(crate) use self::route::{
    apply_kernel_route_filter, should_drop_by_filter,
};
pub use self::{
    iface::NetStateIfaceFilter, net_state::NetStateFilter,
    route::NetStateRouteFilter, route_rule::NetStateRouteRuleFilter,
};
