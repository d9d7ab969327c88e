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
    state::{DnsAutoQuery, DnsQuery, HostnameQuery, IpConfig, NetworkState, PlanPart},
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

/// Adds the answers of roles `dns` and `hostname` to `state`, and role
/// `dns`'s use of the leases to its interfaces ([`merge_auto`]).
pub async fn merge(
    ctx: &Context,
    state: &mut NetworkState,
    timeout: std::time::Duration,
) -> Result<()> {
    state.dns_resolver = ask_if_held(ctx, &DnsQuery {}, timeout).await?.map(Box::new);
    if state.dns_resolver.is_some() {
        merge_auto(ctx, state, timeout).await?;
    }
    state.hostname = ask_if_held(ctx, &HostnameQuery {}, timeout)
        .await?
        .map(Box::new);
    Ok(())
}

/// Puts role `dns`'s `auto-dns` and `auto-hostname` (where they are not
/// the defaults) under the interfaces of `state` that it names.
pub async fn merge_auto(
    ctx: &Context,
    state: &mut NetworkState,
    timeout: std::time::Duration,
) -> Result<()> {
    let Some(list) = ask_if_held(ctx, &DnsAutoQuery {}, timeout).await? else {
        return Ok(());
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
    Ok(())
}
