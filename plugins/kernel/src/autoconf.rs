//! IPv6 autoconfiguration (SLAAC) of an interface, both ways: the kernel
//! does it, as its per-interface sysctls and the link's IPv6 token say.
//!
//! - `autoconf`: `accept_ra` (2: also when forwarding) and `autoconf`;
//! - `auto-gateway` / `auto-routes`: `accept_ra_defrtr` (the default route
//!   of an advertisement) and `accept_ra_rt_info_max_plen` (its route
//!   information options: 128 takes all, 0 none);
//! - `auto-route-metric`: `ra_defrtr_metric`;
//! - `auto-route-table-id` other than main: both route sysctls 0, the
//!   kernel plugin places the routes itself (`ra_routes`), and
//!   `ra_defrtr_metric` is left alone;
//! - `addr-gen-mode`: `addr_gen_mode` (0 EUI-64; stable-privacy is 2 when
//!   the interface has a `stable_secret`, else 3: a secret the kernel draws
//!   for the interface, stable while it exists);
//! - `token`: `IFLA_INET6_TOKEN` by netlink (there is no sysctl; the
//!   kernel takes it only while the interface accepts advertisements).
//!
//! Everything is read and written in the calling thread's network
//! namespace.

use std::net::Ipv6Addr;

use nipart_plugin_api::{
    Result,
    state::{AddrGenMode, Interface, IpConfig},
};
use rtnetlink::{
    LinkUnspec,
    packet_route::link::{AfSpecInet6, AfSpecUnspec, LinkAttribute},
};

use crate::{
    error::{from_io, from_netlink},
    inet6_conf::{DevConf, Inet6Settings},
    netlink::Connection,
};

fn path(name: &str, key: &str) -> String {
    format!("/proc/sys/net/ipv6/conf/{name}/{key}")
}

pub(crate) fn read(name: &str, key: &str) -> Option<i64> {
    std::fs::read_to_string(path(name, key))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Writes `value` to the sysctl `key` of `name` unless it holds it.
pub(crate) fn write(name: &str, key: &str, value: i64) -> Result<()> {
    if read(name, key) == Some(value) {
        return Ok(());
    }
    let p = path(name, key);
    std::fs::write(&p, value.to_string())
        .map_err(|e| from_io(&format!("{name}: writing {value} to {p}"), e))
}

/// Fills in the autoconf keys of `v6`, an interface's `ipv6`, from its
/// `settings` and `token` (the link dump's, `None` when all zero). With
/// IPv6 disabled there is no autoconf, whatever the sysctls say.
pub(crate) fn query(token: Option<Ipv6Addr>, v6: &mut IpConfig, settings: &Inet6Settings) {
    if v6.enabled != Some(true) {
        v6.autoconf = Some(false);
        return;
    }
    let read = |key| settings.get(key);
    let on = read(DevConf::AcceptRa).is_some_and(|v| v > 0) && read(DevConf::Autoconf) == Some(1);
    v6.autoconf = Some(on);
    v6.addr_gen_mode = match read(DevConf::AddrGenMode) {
        Some(0) => Some(AddrGenMode::Eui64),
        Some(2 | 3) => Some(AddrGenMode::StablePrivacy),
        _ => None,
    };
    v6.token = token.filter(|t| !t.is_unspecified());
    if on {
        let defrtr = read(DevConf::AcceptRaDefrtr) == Some(1);
        v6.auto_gateway = Some(defrtr);
        v6.auto_routes =
            Some(defrtr || read(DevConf::AcceptRaRtInfoMaxPlen).is_some_and(|p| p > 0));
        v6.auto_route_metric = read(DevConf::RaDefrtrMetric).and_then(|m| u32::try_from(m).ok());
    }
}

/// Writes the kernel's sysctls for the routes of advertisements of `name`
/// as `v6` says: the keys it gives; with `restore`, the `default`
/// interface's values (the kernel's own for a new interface) for the
/// route sysctls of the keys it does not give.
pub(crate) fn write_route_sysctls(name: &str, v6: &IpConfig, restore: bool) -> Result<()> {
    let default = |key| if restore { read("default", key) } else { None };
    let routes = v6.auto_routes.unwrap_or(true);
    let defrtr = if v6.auto_routes.is_some() || v6.auto_gateway.is_some() {
        Some(i64::from(routes && v6.auto_gateway.unwrap_or(true)))
    } else {
        default("accept_ra_defrtr")
    };
    let rt_info = match v6.auto_routes {
        Some(r) => Some(if r { 128 } else { 0 }),
        None => default("accept_ra_rt_info_max_plen"),
    };
    for (key, value) in [
        ("accept_ra_defrtr", defrtr),
        ("accept_ra_rt_info_max_plen", rt_info),
        ("ra_defrtr_metric", v6.auto_route_metric.map(i64::from)),
    ] {
        if let Some(v) = value {
            write(name, key, v)?;
        }
    }
    Ok(())
}

/// Applies the autoconf keys of `want`'s `ipv6` (an interface that
/// exists); `table_bound`: the kernel plugin places its advertisements'
/// routes in a table other than main.
pub(crate) async fn apply(want: &Interface, table_bound: bool) -> Result<()> {
    let Some(v6) = &want.ipv6 else { return Ok(()) };
    let name = want.name.as_str();
    if let Some(mode) = v6.addr_gen_mode {
        let value = match mode {
            AddrGenMode::Eui64 => 0,
            AddrGenMode::StablePrivacy => {
                let secret = std::fs::read_to_string(path(name, "stable_secret"));
                // Unset, the file can't be read (EIO).
                if secret.is_ok() { 2 } else { 3 }
            }
        };
        write(name, "addr_gen_mode", value)?;
    }
    if let Some(on) = v6.autoconf {
        // An interface that accepts advertisements already (the kernel's
        // 1, or 2) is left as it is.
        if !on || read(name, "accept_ra") == Some(0) {
            write(name, "accept_ra", if on { 2 } else { 0 })?;
        }
        write(name, "autoconf", i64::from(on))?;
    }
    if table_bound {
        // The kernel places no route of advertisements: the kernel plugin
        // does, in another table (`ra_routes`).
        write(name, "accept_ra_defrtr", 0)?;
        write(name, "accept_ra_rt_info_max_plen", 0)?;
    } else {
        write_route_sysctls(name, v6, false)?;
    }
    if let Some(token) = v6.token {
        set_token(name, token).await?;
    }
    Ok(())
}

async fn set_token(name: &str, token: Ipv6Addr) -> Result<()> {
    let handle = Connection::open()?;
    let m = LinkUnspec::new_with_name(name)
        .append_extra_attribute(LinkAttribute::AfSpecUnspec(vec![AfSpecUnspec::Inet6(
            vec![AfSpecInet6::Token(token)],
        )]))
        .build();
    let sent = handle.link().change(m).execute().await;
    sent.map_err(|e| from_netlink(&format!("{name}: setting the IPv6 token {token}"), e))
}
