//! DNS and the host name: what the commander asks the roles `dns` and
//! `hostname` for (their part of every query: `Show`, checkpoints,
//! verification). Their parts of a plan go to them as `network.apply`
//! ([`crate::state::ApplyPart`]). The payload types live in
//! [`crate::state`].
//!
//! | topic | from → to | request | reply |
//! | --- | --- | --- | --- |
//! | `dns.query` | commander → `dns` | [`DnsQuery`] | [`DnsResolver`] |
//! | `dns.auto` | commander → `dns` | [`DnsAutoQuery`] | [`DnsAutoList`] |
//! | `hostname.query` | commander → `hostname` | [`HostnameQuery`] | [`HostnameState`] |

use crate::{
    Role, request,
    state::{DnsAutoList, DnsAutoQuery, DnsQuery, DnsResolver, HostnameQuery, HostnameState},
};

/// Topic of [`DnsQuery`].
pub const DNS_QUERY: &str = "dns.query";
/// Topic of [`DnsAutoQuery`].
pub const DNS_AUTO: &str = "dns.auto";
/// Topic of [`HostnameQuery`].
pub const HOSTNAME_QUERY: &str = "hostname.query";

request!(DnsQuery, DNS_QUERY, Role::DNS, DnsResolver);
request!(DnsAutoQuery, DNS_AUTO, Role::DNS, DnsAutoList);
request!(HostnameQuery, HOSTNAME_QUERY, Role::HOSTNAME, HostnameState);
