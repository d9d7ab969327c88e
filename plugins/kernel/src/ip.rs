//! The addresses of an interface and its `disable_ipv6` sysctl, both ways:
//! what a query reports (the addresses from one `RTM_GETADDR` dump,
//! [`AddressDump`]), and the addresses to add and to remove (by
//! [`crate::address`]) for a desired `ipv4`/`ipv6`.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
};

use nipart_plugin_api::{
    Result,
    state::{Interface, IpAddress, IpConfig, is_link_local},
};

use crate::{
    error::from_io,
    inet6_conf::{DevConf, Inet6Settings},
    link_dump::Link,
    rtnl_dump::{self, attributes},
};

/// The addresses of `link` in the schema, IPv4 then IPv6 (sorted; IPv6
/// link-local left out: every IPv6 interface has one), from `dump`, with
/// its IPv6 settings from the link dump.
pub(crate) fn query(link: &Link, dump: &AddressDump) -> (IpConfig, IpConfig) {
    let settings = Inet6Settings::of(link);
    let (v4, mut v6) = dump.of(link.index);
    v6.retain(|a| !is_link_local(&a.ip));
    let mut v6 = IpConfig {
        // No IPv6 on this interface (or in the kernel): disabled.
        enabled: Some(settings.get(DevConf::DisableIpv6) == Some(0)),
        dhcp: Some(false),
        address: Some(v6),
        ..IpConfig::default()
    };
    crate::autoconf::query(link.token, &mut v6, &settings);
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

const RTM_NEWADDR: u16 = 20;
const RTM_GETADDR: u16 = 22;
const IFADDRMSG: usize = 8;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;

/// Every interface's addresses by index, IPv4 and IPv6, from one
/// `RTM_GETADDR` dump (in the calling thread's network namespace). Read
/// here rather than by nispor, whose address query also opens each
/// interface's `forwarding` sysctl, which the schema does not report
/// (with 400 interfaces, a tenth of a `show`). Which address is an
/// interface's is nispor's rule: IPv4 `IFA_LOCAL` (`IFA_ADDRESS` is the
/// peer); IPv6 `IFA_ADDRESS`, or `IFA_LOCAL` as a /128 when both are
/// given (a point-to-point address with its peer).
#[derive(Debug, Default)]
pub(crate) struct AddressDump(HashMap<u32, (Vec<IpAddress>, Vec<IpAddress>)>);

impl AddressDump {
    pub(crate) fn read() -> Result<AddressDump> {
        let mut all: HashMap<u32, (Vec<IpAddress>, Vec<IpAddress>)> = HashMap::new();
        rtnl_dump::dump(RTM_GETADDR, &[0u8; IFADDRMSG], |kind, body| {
            if kind != RTM_NEWADDR || body.len() < IFADDRMSG {
                return;
            }
            let (family, prefix_length) = (body[0], body[1]);
            let index = u32::from_ne_bytes([body[4], body[5], body[6], body[7]]);
            let (mut address, mut local) = (None, None);
            for (kind, value) in attributes(&body[IFADDRMSG..]) {
                match kind {
                    IFA_ADDRESS => address = ip(family, value),
                    IFA_LOCAL => local = ip(family, value),
                    _ => {}
                }
            }
            let entry = all.entry(index).or_default();
            match (family, local, address) {
                (f, Some(ip), _) if i32::from(f) == libc::AF_INET => {
                    entry.0.push(IpAddress { ip, prefix_length })
                }
                (f, Some(ip), _) if i32::from(f) == libc::AF_INET6 => entry.1.push(IpAddress {
                    ip,
                    prefix_length: 128,
                }),
                (f, None, Some(ip)) if i32::from(f) == libc::AF_INET6 => {
                    entry.1.push(IpAddress { ip, prefix_length })
                }
                _ => {}
            }
        })
        .map_err(|e| from_io("dumping the addresses", e))?;
        for (v4, v6) in all.values_mut() {
            v4.sort();
            v6.sort();
        }
        Ok(AddressDump(all))
    }

    /// The IPv4 and IPv6 addresses of the interface with index `index`.
    fn of(&self, index: u32) -> (Vec<IpAddress>, Vec<IpAddress>) {
        self.0.get(&index).cloned().unwrap_or_default()
    }
}

/// An address attribute's value of family `family`.
fn ip(family: u8, value: &[u8]) -> Option<IpAddr> {
    match i32::from(family) {
        libc::AF_INET => <[u8; 4]>::try_from(value)
            .ok()
            .map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        libc::AF_INET6 => <[u8; 16]>::try_from(value)
            .ok()
            .map(|b| IpAddr::V6(Ipv6Addr::from(b))),
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The dump reports what nispor's address query reported, interface by
    /// interface, in a namespace with point-to-point addresses (a peer:
    /// `IFA_LOCAL` and `IFA_ADDRESS` differ) of both families beside plain
    /// ones.
    #[test]
    fn the_address_dump_agrees_with_nispor() {
        let ns = nipart_testkit::Netns::new();
        ns.ip_batch(
            "link set lo up\nlink add d0 type veth peer name d1\nlink set d0 up\nlink set d1 up\n\
             addr add 192.0.2.1/24 dev d0\naddr add 10.9.0.1 peer 10.9.0.2/32 dev d0\n\
             addr add 2001:db8::1/64 dev d0 nodad\n\
             addr add 2001:db8:1::1 peer 2001:db8:1::2/128 dev d0 nodad\n",
        );
        let compared = ns.run_inside(compare_with_nispor);
        // lo's two, d0's four, d0's IPv6 link-local.
        assert!(compared >= 6, "only {compared} addresses compared");
    }

    fn compare_with_nispor() -> usize {
        let mut filter = nispor::NetStateFilter::minimum();
        let mut iface = nispor::NetStateIfaceFilter::minimum();
        iface.include_ip_address = true;
        filter.iface = Some(iface);
        let np = nispor::NetState::retrieve_with_filter(&filter).expect("nispor");
        let dump = AddressDump::read().expect("the address dump");
        let pairs = |p: Vec<(&str, u8)>| {
            let mut v: Vec<IpAddress> = p
                .into_iter()
                .filter_map(|(ip, prefix_length)| {
                    Some(IpAddress {
                        ip: ip.parse().ok()?,
                        prefix_length,
                    })
                })
                .collect();
            v.sort();
            v
        };
        let mut compared = 0;
        for i in np.ifaces.values() {
            let v4 = pairs(
                i.ipv4
                    .iter()
                    .flat_map(|x| &x.addresses)
                    .map(|a| (a.address.as_str(), a.prefix_len))
                    .collect(),
            );
            let v6 = pairs(
                i.ipv6
                    .iter()
                    .flat_map(|x| &x.addresses)
                    .map(|a| (a.address.as_str(), a.prefix_len))
                    .collect(),
            );
            compared += v4.len() + v6.len();
            assert_eq!(dump.of(i.index), (v4, v6), "{}", i.name);
        }
        compared
    }
}
