//! The host-wide parts of every query (`Show`, checkpoints, verification,
//! rollback): `dns-resolver` from role `dns` and `hostname` from role
//! `hostname`; and what role `dns` does with each interface's DHCP leases
//! (`ipv4.auto-dns`, `ipv6.auto-dns`, `ipv4.auto-hostname`, where they are
//! not the defaults), so that a checkpoint holds them. Without a plugin holding a role, its part is left out (and
//! a state that sets it fails to apply, naming the role); a holder that
//! fails to answer fails the query, since a checkpoint without its part
//! could not be rolled back to.

use nipart_plugin_api::{
    Context, Error, ErrorKind, Request, Result, Role,
    state::{
        DnsAutoList, DnsAutoQuery, DnsQuery, DnsResolver, HostnameQuery, HostnameState, IpConfig,
        NetworkState, PlanPart,
    },
};

/// Whether comparing with the query shows what `part` changes: the
/// kernel's part, role `ovs`'s (merged into every query by
/// [`crate::ovs`]), and the host-wide parts merged here, but not the
/// interfaces' `auto-dns` a part of role `dns` carries (shown, never
/// compared).
pub fn seen_by_query(part: &PlanPart) -> bool {
    let role = part.role.as_str();
    role == Role::KERNEL.as_str()
        || role == Role::OVS.as_str()
        || role == Role::HOSTNAME.as_str()
        || (role == Role::DNS.as_str() && part.state.interfaces.is_empty())
}

/// Asks `request`'s role; `None` when no plugin holds it.
pub async fn ask_if_held<R: Request>(
    ctx: &Context,
    request: &R,
    timeout: std::time::Duration,
) -> Result<Option<R::Reply>> {
    match ctx.ask_within(request, timeout).await {
        Ok(reply) => Ok(Some(reply)),
        Err(e) if e.kind() == ErrorKind::NoRoleHolder => Ok(None),
        Err(e) => Err(Error::new(
            e.kind(),
            format!("role {} did not answer its query: {e}", R::ROLE),
        )),
    }
}

/// The answers of roles `dns` and `hostname` for one query.
pub struct HostParts {
    dns: Option<DnsResolver>,
    hostname: Option<HostnameState>,
    auto: Option<DnsAutoList>,
}

/// Asks roles `dns` and `hostname` at once (with `whole`, for their
/// host-wide parts; always, for role `dns`'s use of the leases), so that a
/// query waits for the slowest role, not for each in turn.
pub async fn ask(ctx: &Context, whole: bool, timeout: std::time::Duration) -> Result<HostParts> {
    let dns = async {
        if whole {
            ask_if_held(ctx, &DnsQuery {}, timeout).await
        } else {
            Ok(None)
        }
    };
    let hostname = async {
        if whole {
            ask_if_held(ctx, &HostnameQuery {}, timeout).await
        } else {
            Ok(None)
        }
    };
    let auto = ask_if_held(ctx, &DnsAutoQuery {}, timeout);
    let (dns, hostname, auto) = tokio::join!(dns, hostname, auto);
    Ok(HostParts {
        dns: dns?,
        hostname: hostname?,
        auto: auto?,
    })
}

/// Adds `parts` to `state`: the host-wide parts, and role `dns`'s
/// `auto-dns` and `auto-hostname` (where they are not the defaults) under
/// the interfaces of `state` that it names.
pub fn merge(state: &mut NetworkState, parts: HostParts) {
    if let Some(dns) = parts.dns {
        state.dns_resolver = Some(Box::new(dns));
    }
    if let Some(hostname) = parts.hostname {
        state.hostname = Some(Box::new(hostname));
    }
    let Some(list) = parts.auto else {
        return;
    };
    for a in list.interfaces {
        let Some(iface) = state.interface_mut(&a.interface) else {
            continue;
        };
        if !a.auto_dns4 || a.auto_hostname {
            let v4 = iface.ipv4.get_or_insert_with(IpConfig::default);
            if !a.auto_dns4 {
                v4.auto_dns = Some(false);
            }
            if a.auto_hostname {
                v4.auto_hostname = Some(true);
            }
        }
        if !a.auto_dns6 {
            iface.ipv6.get_or_insert_with(IpConfig::default).auto_dns = Some(false);
        }
    }
}
