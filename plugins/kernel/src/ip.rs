//! The addresses of an interface and its `disable_ipv6` sysctl, both ways:
//! what a query reports, and the addresses to add and to remove (by
//! [`crate::address`]) for a desired `ipv4`/`ipv6`.

use nipart_plugin_api::{
    Result,
    state::{Interface, IpAddress, IpConfig, is_link_local},
};
use nispor::Iface;

use crate::{
    error::from_io,
    inet6_conf::{DevConf, Inet6Settings},
};

/// The addresses of `np` in the schema, IPv4 then IPv6 (sorted; IPv6
/// link-local left out: every IPv6 interface has one), with its IPv6
/// settings from `settings`.
pub(crate) fn query(np: &Iface, settings: &Inet6Settings) -> (IpConfig, IpConfig) {
    let v4 = addresses(
        np.ipv4
            .iter()
            .flat_map(|x| &x.addresses)
            .map(|a| (a.address.as_str(), a.prefix_len)),
    );
    let mut v6 = addresses(
        np.ipv6
            .iter()
            .flat_map(|x| &x.addresses)
            .map(|a| (a.address.as_str(), a.prefix_len)),
    );
    v6.retain(|a| !is_link_local(&a.ip));
    let mut v6 = IpConfig {
        // No IPv6 on this interface (or in the kernel): disabled.
        enabled: Some(settings.get(&np.name, DevConf::DisableIpv6) == Some(0)),
        dhcp: Some(false),
        address: Some(v6),
        ..IpConfig::default()
    };
    crate::autoconf::query(
        &np.name,
        np.ipv6.as_ref().and_then(|i| i.token.as_deref()),
        &mut v6,
        settings,
    );
    (
        IpConfig {
            enabled: Some(!v4.is_empty()),
            dhcp: Some(false),
            address: Some(v4),
            ..IpConfig::default()
        },
        v6,
    )
}

/// nispor's (address, prefix length) pairs, sorted (unparsable ones left out).
fn addresses<'a>(pairs: impl Iterator<Item = (&'a str, u8)>) -> Vec<IpAddress> {
    let mut v: Vec<IpAddress> = pairs
        .filter_map(|(ip, prefix_length)| {
            Some(IpAddress {
                ip: ip.parse().ok()?,
                prefix_length,
            })
        })
        .collect();
    v.sort();
    v
}

fn disable_ipv6_path(name: &str) -> String {
    format!("/proc/sys/net/ipv6/conf/{name}/disable_ipv6")
}

/// What changes the addresses of one family: the addresses to add (the
/// missing ones, or all wanted ones after a removal: removing an IPv4
/// primary address takes its secondaries with it, and the add is a
/// replace, harmless for one that stayed), and the addresses to remove
/// (see [`crate::address`]).
pub(crate) fn conf(
    want: &IpConfig,
    have: Option<&IpConfig>,
) -> Option<(Vec<IpAddress>, Vec<IpAddress>)> {
    let have_addrs = have.and_then(|h| h.address.as_deref()).unwrap_or(&[]);
    let want_addrs: &[_] = match (want.enabled, want.address.as_deref()) {
        (Some(false), _) => &[],
        (_, Some(a)) => a,
        (_, None) => return None,
    };
    let removals: Vec<IpAddress> = have_addrs
        .iter()
        .filter(|a| !is_link_local(&a.ip) && !want_addrs.contains(a))
        .copied()
        .collect();
    let additions = want_addrs
        .iter()
        .filter(|a| !removals.is_empty() || !have_addrs.contains(a))
        .copied()
        .collect();
    Some((additions, removals))
}

/// `ipv6.enabled`: the interface's `disable_ipv6` sysctl, in this thread's
/// network namespace. Only written for an interface that exists (a new
/// one is set by [`after_create`]).
pub(crate) fn set_ipv6_enabled(want: &Interface) -> Result<()> {
    let Some(enabled) = want.ipv6.as_ref().and_then(|v| v.enabled) else {
        return Ok(());
    };
    let path = disable_ipv6_path(&want.name);
    let value = if enabled { "0" } else { "1" };
    match std::fs::read_to_string(&path) {
        Ok(cur) if cur.trim() == value => Ok(()),
        Err(_) => Ok(()),
        Ok(_) => std::fs::write(&path, value).map_err(|e| {
            from_io(
                &format!("{}: setting ipv6.enabled: writing {path}", want.name),
                e,
            )
        }),
    }
}

/// After interfaces were created: the sysctls that need the interface.
pub(crate) fn after_create(desired: &[Interface]) -> Result<()> {
    for want in desired {
        if !want.is_absent() {
            set_ipv6_enabled(want)?;
        }
    }
    Ok(())
}
