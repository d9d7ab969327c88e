//! The network-state schema shared by every plugin: nmstate's YAML/JSON
//! format for the parts nipart supports, and the payloads of the
//! validate → query → checkpoint → apply → verify → rollback workflow.
//!
//! ```
//! use nipart_protocol::state::NetworkState;
//!
//! let state = NetworkState::from_yaml(r#"
//! interfaces:
//!   - name: veth1
//!     type: veth
//!     mtu: 9000
//!     veth:
//!       peer: veth1-ep
//!     ipv4:
//!       enabled: true
//!       address:
//!         - ip: 192.0.2.1
//!           prefix-length: 24
//! "#).unwrap();
//! assert_eq!(state.interfaces[0].mtu, Some(9000));
//!
//! let err = NetworkState::from_yaml(r#"
//! interfaces:
//!   - name: veth1
//!     ipv4:
//!       address:
//!         - ip: 192.0.2.1
//!           prefix-length: 33
//! "#).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "interfaces[0].ipv4.address[0].prefix-length: 33 is out of range 0..=32"
//! );
//! ```
//!
//! See `docs/state-schema.md` in the repository for every key.

mod api;
mod autoconf;
mod conf;
mod dhcp;
mod dhcp6;
mod diff;
mod dns;
mod hostname;
mod kinds;
mod lldp;
mod merge;
mod ovs;
mod ovs_global;
mod parse;
mod route_rule;
mod schema;
mod text;

pub use api::*;
pub use autoconf::{AddrGenMode, ra_in_main};
pub use conf::*;
pub use dhcp::*;
pub use dhcp6::Dhcp6LeaseInfo;
pub use diff::{
    differences, interface_differences, is_link_local, routes_kept_through, routes_missing,
    routes_to_remove,
};
pub use dns::*;
pub use hostname::*;
pub use lldp::*;
pub use merge::merge;
pub use ovs::*;
pub use ovs_global::*;
pub use parse::{
    Family, LOOPBACK, MAX_INTERFACE_NAME, QUOTE_MAX, StateError, canonical_mac, canonical_network,
    check_interface_address, check_interface_name, check_unicast_mac, quote,
};
pub use route_rule::{
    DEFAULT_RULES, RouteRule, RouteRuleAction, RouteRules, RuleFamily, rules_missing,
    rules_to_remove,
};
pub use schema::*;
pub use text::{MAX_NESTING, json_value, yaml_value};

#[cfg(test)]
mod tests;
