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

use rtnetlink::sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

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

const NLMSG_HDR: usize = 16;
const IFINFOMSG: usize = 16;
const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const IFLA_IFNAME: u16 = 3;
const IFLA_PROTINFO: u16 = 12;
const IFLA_INET6_CONF: u16 = 2;
/// The most messages read for one dump (each holds many links).
const MAX_READS: usize = 100_000;

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
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let seq: u32 = 1;
    let mut request = Vec::with_capacity(NLMSG_HDR + IFINFOMSG);
    request.extend_from_slice(&((NLMSG_HDR + IFINFOMSG) as u32).to_ne_bytes());
    request.extend_from_slice(&RTM_GETLINK.to_ne_bytes());
    let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
    request.extend_from_slice(&flags.to_ne_bytes());
    request.extend_from_slice(&seq.to_ne_bytes());
    request.extend_from_slice(&0u32.to_ne_bytes());
    // ifinfomsg: family AF_INET6, the rest zero.
    request.push(libc::AF_INET6 as u8);
    request.resize(NLMSG_HDR + IFINFOMSG, 0);
    socket.send(&request, 0)?;

    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let mut out = HashMap::new();
    for _ in 0..MAX_READS {
        let (buf, _) = socket.recv_from_full()?;
        let mut rest = buf.as_slice();
        while rest.len() >= NLMSG_HDR {
            let len = u32_at(rest, 0).ok_or_else(|| bad("short header"))? as usize;
            if len < NLMSG_HDR || len > rest.len() {
                return Err(bad("a message length out of bounds"));
            }
            let kind = u16_at(rest, 4).ok_or_else(|| bad("short header"))?;
            let msg_seq = u32_at(rest, 8).ok_or_else(|| bad("short header"))?;
            let body = &rest[NLMSG_HDR..len];
            rest = &rest[align(len).min(rest.len())..];
            if msg_seq != seq {
                continue;
            }
            match kind {
                NLMSG_DONE => return Ok(out),
                NLMSG_ERROR => {
                    let code = body
                        .get(..4)
                        .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                    return Err(std::io::Error::from_raw_os_error(-code));
                }
                RTM_NEWLINK if body.len() >= IFINFOMSG => {
                    if let Some((name, conf)) = link(&body[IFINFOMSG..]) {
                        out.insert(name, conf);
                    }
                }
                _ => {}
            }
        }
    }
    Err(bad("the dump did not end"))
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

/// The (type, value) of each attribute (`rtattr`) in `buf`; stops at one
/// that does not fit.
fn attributes(mut buf: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let len = usize::from(u16_at(buf, 0)?);
        let kind = u16_at(buf, 2)? & 0x3fff; // without NLA_F_NESTED / NET_BYTEORDER
        if len < 4 || len > buf.len() {
            return None;
        }
        let value = &buf[4..len];
        buf = &buf[align(len).min(buf.len())..];
        Some((kind, value))
    })
}

fn align(len: usize) -> usize {
    (len + 3) & !3
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at + 2)?;
    Some(u16::from_ne_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
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

    #[test]
    fn truncated_attributes_end_the_walk() {
        // A 8-byte attribute claiming 12 bytes.
        let buf = [
            12u16.to_ne_bytes(),
            3u16.to_ne_bytes(),
            [b'l', b'o'],
            [0, 0],
        ]
        .concat();
        assert_eq!(attributes(&buf).count(), 0);
        let ok = [8u16.to_ne_bytes(), 3u16.to_ne_bytes(), [b'l', b'o'], [0, 0]].concat();
        assert_eq!(attributes(&ok).collect::<Vec<_>>(), [(3, &b"lo\0\0"[..])]);
    }
}
