//! Every interface's IPv6 settings in one netlink dump (`RTM_GETLINK` of
//! family `AF_INET6`: per link its name and `IFLA_PROTINFO` with
//! `IFLA_INET6_CONF`, the array of its `DEVCONF_*` values), so that a
//! query does not open seven sysctl files per interface under
//! `/proc/sys/net/ipv6/conf/` (with 400 interfaces those opens were a third
//! of a `show`).
//!
//! The reply is parsed here, from its bytes: the route crate's parser of
//! `IFLA_PROTINFO` formats the whole attribute for each nested one it
//! reads. A link missing from the dump has no IPv6 (no `inet6_dev`); a
//! value past the end of an older kernel's array is `None`, and the
//! caller reads the sysctl then. When the dump fails, [`dump`] gives
//! `None` and the caller reads the sysctls as before.

use std::collections::HashMap;

use crate::rtnl_dump::{self, attributes};

/// Indices into `IFLA_INET6_CONF` (`enum` in `linux/ipv6.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DevConf {
    AcceptRa = 3,
    Autoconf = 5,
    AcceptRaDefrtr = 17,
    AcceptRaRtInfoMaxPlen = 21,
    DisableIpv6 = 26,
    AddrGenMode = 47,
    RaDefrtrMetric = 52,
}

impl DevConf {
    /// The key's sysctl under `/proc/sys/net/ipv6/conf/NAME/`.
    pub(crate) fn sysctl(self) -> &'static str {
        match self {
            DevConf::AcceptRa => "accept_ra",
            DevConf::Autoconf => "autoconf",
            DevConf::AcceptRaDefrtr => "accept_ra_defrtr",
            DevConf::AcceptRaRtInfoMaxPlen => "accept_ra_rt_info_max_plen",
            DevConf::DisableIpv6 => "disable_ipv6",
            DevConf::AddrGenMode => "addr_gen_mode",
            DevConf::RaDefrtrMetric => "ra_defrtr_metric",
        }
    }
}

/// The IPv6 settings a query reads: from one [`dump`], or from each
/// interface's sysctls when the dump failed.
pub(crate) struct Inet6Settings {
    dump: Option<HashMap<String, Inet6Conf>>,
}

impl Inet6Settings {
    /// Dumps them (in the calling thread's network namespace).
    pub(crate) fn read() -> Inet6Settings {
        Inet6Settings { dump: dump() }
    }

    /// `key` of interface `name`; `None` when it has no IPv6.
    pub(crate) fn get(&self, name: &str, key: DevConf) -> Option<i64> {
        if let Some(all) = &self.dump {
            let conf = all.get(name)?;
            if let Some(v) = conf.get(key) {
                return Some(v);
            }
        }
        crate::autoconf::read(name, key.sysctl())
    }
}

/// One interface's `DEVCONF_*` values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Inet6Conf(Vec<i32>);

impl Inet6Conf {
    pub(crate) fn get(&self, key: DevConf) -> Option<i64> {
        self.0.get(key as usize).map(|v| i64::from(*v))
    }
}

const IFINFOMSG: usize = 16;
const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const IFLA_IFNAME: u16 = 3;
const IFLA_PROTINFO: u16 = 12;
const IFLA_INET6_CONF: u16 = 2;

/// The IPv6 settings of every interface (of the calling thread's network
/// namespace) that has IPv6, by name; `None` when the dump failed.
pub(crate) fn dump() -> Option<HashMap<String, Inet6Conf>> {
    match try_dump() {
        Ok(m) => Some(m),
        Err(e) => {
            tracing::debug!("the AF_INET6 link dump failed ({e}); reading the sysctls");
            None
        }
    }
}

fn try_dump() -> std::io::Result<HashMap<String, Inet6Conf>> {
    // ifinfomsg: family AF_INET6, the rest zero.
    let mut header = [0u8; IFINFOMSG];
    header[0] = libc::AF_INET6 as u8;
    let mut out = HashMap::new();
    rtnl_dump::dump(RTM_GETLINK, &header, |kind, body| {
        if kind == RTM_NEWLINK
            && body.len() >= IFINFOMSG
            && let Some((name, conf)) = link(&body[IFINFOMSG..])
        {
            out.insert(name, conf);
        }
    })?;
    Ok(out)
}

/// The name and `IFLA_INET6_CONF` of one link's attributes.
fn link(attrs: &[u8]) -> Option<(String, Inet6Conf)> {
    let (mut name, mut conf) = (None, None);
    for (kind, value) in attributes(attrs) {
        match kind {
            IFLA_IFNAME => {
                let end = value.iter().position(|b| *b == 0).unwrap_or(value.len());
                name = std::str::from_utf8(&value[..end]).ok().map(str::to_string);
            }
            IFLA_PROTINFO => {
                conf = attributes(value)
                    .find(|(k, _)| *k == IFLA_INET6_CONF)
                    .map(|(_, v)| {
                        Inet6Conf(
                            v.chunks_exact(4)
                                .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
                                .collect(),
                        )
                    });
            }
            _ => {}
        }
    }
    Some((name?, conf?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dump_agrees_with_the_sysctls() {
        let all = dump().expect("the AF_INET6 link dump");
        let lo = all.get("lo").expect("lo has IPv6 here");
        let mut compared = 0;
        for key in [
            DevConf::AcceptRa,
            DevConf::Autoconf,
            DevConf::AcceptRaDefrtr,
            DevConf::AcceptRaRtInfoMaxPlen,
            DevConf::DisableIpv6,
            DevConf::AddrGenMode,
            DevConf::RaDefrtrMetric,
        ] {
            if let Some(v) = crate::autoconf::read("lo", key.sysctl()) {
                assert_eq!(lo.get(key), Some(v), "{}", key.sysctl());
                compared += 1;
            }
        }
        assert!(compared >= 5, "only {compared} sysctls of lo were read");
    }
}
