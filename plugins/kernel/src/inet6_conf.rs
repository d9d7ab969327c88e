//! Every interface's IPv6 settings as the link dump gives them
//! (`IFLA_INET6_CONF` in each link's `IFLA_AF_SPEC`: the array of its
//! `DEVCONF_*` values, [`crate::link_dump`]), so that a query does not open
//! seven sysctl files per interface under `/proc/sys/net/ipv6/conf/` (with
//! 400 interfaces those opens were a third of a `show`).
//!
//! A link without the block has no IPv6 (no `inet6_dev`); a value past the
//! end of an older kernel's array is `None`, and the sysctl is read then.

use crate::link_dump::Link;

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

/// The IPv6 settings a query reads of one interface.
pub(crate) struct Inet6Settings<'a> {
    name: &'a str,
    conf: Option<&'a Inet6Conf>,
}

impl<'a> Inet6Settings<'a> {
    /// Of `link`, from its block in the link dump.
    pub(crate) fn of(link: &'a Link) -> Inet6Settings<'a> {
        Inet6Settings {
            name: &link.name,
            conf: link.inet6.as_ref(),
        }
    }

    /// `key`; `None` when the interface has no IPv6.
    pub(crate) fn get(&self, key: DevConf) -> Option<i64> {
        let conf = self.conf?;
        conf.get(key)
            .or_else(|| crate::autoconf::read(self.name, key.sysctl()))
    }
}

/// One interface's `DEVCONF_*` values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Inet6Conf(Vec<i32>);

impl Inet6Conf {
    /// From `IFLA_INET6_CONF`'s value (native-endian `i32`s).
    pub(crate) fn from_bytes(value: &[u8]) -> Inet6Conf {
        Inet6Conf(
            value
                .chunks_exact(4)
                .map(|c| i32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }

    pub(crate) fn get(&self, key: DevConf) -> Option<i64> {
        self.0.get(key as usize).map(|v| i64::from(*v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dump_agrees_with_the_sysctls() {
        let links = crate::link_dump::LinkDump::read().expect("the link dump");
        let lo = links.links().iter().find(|l| l.name == "lo").expect("lo");
        let lo = lo.inet6.as_ref().expect("lo has IPv6 here");
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
