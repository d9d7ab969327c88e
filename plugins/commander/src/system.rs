//! The host-wide parts of every query (`Show`, checkpoints, verification,
//! rollback): `dns-resolver` from role `dns` and `hostname` from role
//! `hostname`. Without a plugin holding a role, its part is left out (and
//! a state that sets it fails to apply, naming the role); a holder that
//! fails to answer fails the query, since a checkpoint without its part
//! could not be rolled back to.

use nipart_plugin_api::{
    Context, Error, ErrorKind, Request, Result, Role,
    state::{DnsQuery, HostnameQuery, NetworkState},
};

/// Whether a part of role `role` is applied by a plugin whose effect the
/// query shows (the kernel's, and the host-wide parts merged here).
pub fn seen_by_query(role: &str) -> bool {
    [Role::KERNEL, Role::DNS, Role::HOSTNAME]
        .iter()
        .any(|r| r.as_str() == role)
}

/// Asks `request`'s role; `None` when no plugin holds it.
async fn ask_if_held<R: Request>(
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

/// Adds the answers of roles `dns` and `hostname` to `state`.
pub async fn merge(
    ctx: &Context,
    state: &mut NetworkState,
    timeout: std::time::Duration,
) -> Result<()> {
    state.dns_resolver = ask_if_held(ctx, &DnsQuery {}, timeout).await?.map(Box::new);
    state.hostname = ask_if_held(ctx, &HostnameQuery {}, timeout)
        .await?
        .map(Box::new);
    Ok(())
}
