//! Every link of the namespace from one `RTM_GETLINK` dump, read from its
//! bytes ([`crate::rtnl_dump`]): what a query reports of every link (name,
//! type, state, MTU, MAC address, controller, a veth's peer) and its IPv6
//! settings and token (`IFLA_AF_SPEC` → `AF_INET6`, in the same message).
//!
//! nispor parsed every attribute of every link with the route crate (the
//! statistics, every address family's block) and with hundreds of links
//! that was most of a `show`. nispor is now asked for links only when one
//! has a type whose own properties it reads (a bridge, a bond, a VLAN, ...:
//! [`crate::iface`] says which); links of the other types are reported
//! from this dump alone.
//!
//! Invariants: the rules are nispor's, so that a link shows the same
//! whichever reads it (tested against nispor): the type is the
//! `IFLA_INFO_KIND` unless the link layer is loopback, else the link
//! layer's; a MAC address is every byte of `IFLA_ADDRESS` in lower-case
//! hexadecimal joined by `:`; a controller or veth peer whose index is not
//! in the dump (another namespace) is shown by its index. The dump asks
//! the kernel to leave out the statistics (`RTEXT_FILTER_SKIP_STATS`).

use std::{collections::HashMap, fmt::Write as _, net::Ipv6Addr};

use nipart_plugin_api::Result;

use crate::{
    error::from_io,
    inet6_conf::Inet6Conf,
    rtnl_dump::{self, attributes, u32_at},
};

const IFINFOMSG: usize = 16;
const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINK: u16 = 5;
const IFLA_MASTER: u16 = 10;
const IFLA_LINKINFO: u16 = 18;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_AF_SPEC: u16 = 26;
const IFLA_EXT_MASK: u16 = 29;
const IFLA_LINK_NETNSID: u16 = 37;
const IFLA_INET6_CONF: u16 = 2;
const IFLA_INET6_TOKEN: u16 = 7;
const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;
const ARPHRD_LOOPBACK: u16 = 772;
const IFF_UP: u32 = 0x1;
const IFF_PROMISC: u32 = 0x100;

/// One link as the dump gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Link {
    pub index: u32,
    pub name: String,
    /// `IFLA_INFO_KIND` (`veth`, `bridge`, ...); `None` for a link made
    /// by a driver (ethernet) or the kernel (loopback).
    pub kind: Option<String>,
    /// `ifi_type` (`ARPHRD_*`).
    pub link_layer: u16,
    /// `ifi_flags` (`IFF_*`).
    pub flags: u32,
    /// `IFLA_MTU`; 0 when not given (as nispor).
    pub mtu: u32,
    /// Lower-case, `:`-joined; `None` without `IFLA_ADDRESS` (or empty).
    pub mac_address: Option<String>,
    /// `IFLA_MASTER`.
    pub controller: Option<u32>,
    /// `IFLA_LINK` (a veth's peer, a VLAN's base link).
    pub link: Option<u32>,
    /// Whether `IFLA_LINK` is in another namespace (`IFLA_LINK_NETNSID`).
    pub link_elsewhere: bool,
    /// `IFLA_INET6_CONF`; `None` when the link has no IPv6.
    pub inet6: Option<Inet6Conf>,
    /// `IFLA_INET6_TOKEN` unless all zero.
    pub token: Option<Ipv6Addr>,
}

impl Link {
    pub(crate) fn is_up(&self) -> bool {
        self.flags & IFF_UP != 0
    }

    pub(crate) fn is_promiscuous(&self) -> bool {
        self.flags & IFF_PROMISC != 0
    }

    pub(crate) fn is_loopback(&self) -> bool {
        self.link_layer == ARPHRD_LOOPBACK
    }
}

/// The links of one dump, sorted by name.
#[derive(Debug, Default)]
pub(crate) struct LinkDump {
    links: Vec<Link>,
    names: HashMap<u32, usize>,
}

impl LinkDump {
    /// Dumps the links of the calling thread's network namespace.
    pub(crate) fn read() -> Result<LinkDump> {
        // ifinfomsg (family AF_UNSPEC, the rest zero), then IFLA_EXT_MASK.
        let mut request = vec![0u8; IFINFOMSG];
        request.extend_from_slice(&8u16.to_ne_bytes());
        request.extend_from_slice(&IFLA_EXT_MASK.to_ne_bytes());
        request.extend_from_slice(&RTEXT_FILTER_SKIP_STATS.to_ne_bytes());
        let mut links = Vec::new();
        rtnl_dump::dump(RTM_GETLINK, &request, |kind, body| {
            if kind == RTM_NEWLINK
                && let Some(link) = parse(body)
            {
                links.push(link);
            }
        })
        .map_err(|e| from_io("dumping the links", e))?;
        Ok(LinkDump::new(links))
    }

    fn new(mut links: Vec<Link>) -> LinkDump {
        links.sort_by(|a, b| a.name.cmp(&b.name));
        let names = links
            .iter()
            .enumerate()
            .map(|(i, l)| (l.index, i))
            .collect();
        LinkDump { links, names }
    }

    /// Every link, sorted by name.
    pub(crate) fn links(&self) -> &[Link] {
        &self.links
    }

    /// The link with index `index`.
    pub(crate) fn by_index(&self, index: u32) -> Option<&Link> {
        self.names.get(&index).map(|i| &self.links[*i])
    }

    /// The name of the link with index `index` in this namespace, else the
    /// index itself (nispor's rule for a controller or peer elsewhere).
    pub(crate) fn name_of(&self, index: u32) -> String {
        self.by_index(index)
            .map_or_else(|| index.to_string(), |l| l.name.clone())
    }

    /// Name → index, as nispor names routes' interfaces.
    pub(crate) fn name_to_index(&self) -> HashMap<String, u32> {
        self.links
            .iter()
            .map(|l| (l.name.clone(), l.index))
            .collect()
    }
}

/// One `RTM_NEWLINK` message's body; `None` without a name.
fn parse(body: &[u8]) -> Option<Link> {
    if body.len() < IFINFOMSG {
        return None;
    }
    let mut link = Link {
        link_layer: rtnl_dump::u16_at(body, 2)?,
        index: u32_at(body, 4)?,
        flags: u32_at(body, 8)?,
        ..Link::default()
    };
    for (kind, value) in attributes(&body[IFINFOMSG..]) {
        match kind {
            IFLA_IFNAME => link.name = c_string(value)?,
            IFLA_ADDRESS => link.mac_address = (!value.is_empty()).then(|| mac(value)),
            IFLA_MTU => link.mtu = u32_at(value, 0)?,
            IFLA_LINK => link.link = u32_at(value, 0),
            IFLA_MASTER => link.controller = u32_at(value, 0),
            IFLA_LINK_NETNSID => link.link_elsewhere = true,
            IFLA_LINKINFO => {
                link.kind = attributes(value)
                    .find(|(k, _)| *k == IFLA_INFO_KIND)
                    .and_then(|(_, v)| c_string(v));
            }
            IFLA_AF_SPEC => {
                let inet6 = attributes(value).find(|(k, _)| i32::from(*k) == libc::AF_INET6);
                for (k, v) in inet6.map(|(_, v)| attributes(v)).into_iter().flatten() {
                    match k {
                        IFLA_INET6_CONF => link.inet6 = Some(Inet6Conf::from_bytes(v)),
                        IFLA_INET6_TOKEN => {
                            link.token = <[u8; 16]>::try_from(v)
                                .ok()
                                .map(Ipv6Addr::from)
                                .filter(|t| !t.is_unspecified());
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    (!link.name.is_empty()).then_some(link)
}

/// A NUL-terminated (or not) string attribute.
fn c_string(value: &[u8]) -> Option<String> {
    let end = value.iter().position(|b| *b == 0).unwrap_or(value.len());
    std::str::from_utf8(&value[..end]).ok().map(str::to_string)
}

/// nispor's format of a link-layer address: every byte, `:`-joined.
fn mac(value: &[u8]) -> String {
    let mut s = String::with_capacity(value.len() * 3);
    for (i, b) in value.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_layer_address_is_every_byte_lower_case() {
        assert_eq!(mac(&[0x02, 0xab, 0, 0, 0, 0x0f]), "02:ab:00:00:00:0f");
        assert_eq!(mac(&[10, 0, 0, 1]), "0a:00:00:01");
        assert_eq!(mac(&[]), "");
    }

    #[test]
    fn a_message_without_a_name_or_cut_short_is_skipped() {
        assert_eq!(parse(&[0u8; 8]), None);
        assert_eq!(parse(&[0u8; IFINFOMSG]), None);
        let mut body = vec![0u8; IFINFOMSG];
        body[4..8].copy_from_slice(&7u32.to_ne_bytes());
        body.extend_from_slice(&8u16.to_ne_bytes());
        body.extend_from_slice(&IFLA_IFNAME.to_ne_bytes());
        body.extend_from_slice(b"lo\0\0");
        let link = parse(&body).expect("a link named lo");
        assert_eq!((link.index, link.name.as_str(), link.mtu), (7, "lo", 0));
    }

    /// Every link shows what nispor read of it, in a namespace with a
    /// veth pair, a veth whose peer is in another namespace, a bridge with
    /// a port, a tap, a MAC-VLAN, a link down with another MTU, one
    /// promiscuous, one with an IPv6 token and one without IPv6.
    #[test]
    fn the_link_dump_agrees_with_nispor() {
        let ns = nipart_testkit::Netns::new();
        let other = nipart_testkit::Netns::new();
        ns.ip_batch(&format!(
            "link set lo up\nlink add d0 type veth peer name d1\nlink set d0 up\nlink set d1 up\n\
             link add x0 type veth peer name x1 netns {}\n\
             link add br0 type bridge\nlink set d1 master br0\nlink set br0 up\n\
             tuntap add t0 mode tap\nlink add m0 link d0 type macvlan mode bridge\n\
             link set x0 mtu 1400\nlink set m0 promisc on\ntoken set ::1a/64 dev d0\n",
            other.name
        ));
        ns.exec("sysctl -qw net.ipv6.conf.t0.disable_ipv6=1");
        let compared = ns.run_inside(compare_with_nispor);
        assert_eq!(compared, 7, "links compared");
    }

    fn compare_with_nispor() -> usize {
        let mut filter = nispor::NetStateFilter::minimum();
        filter.iface = Some(nispor::NetStateIfaceFilter::minimum());
        let np = nispor::NetState::retrieve_with_filter(&filter).expect("nispor");
        let dump = LinkDump::read().expect("the link dump");
        assert_eq!(dump.links().len(), np.ifaces.len());
        for link in dump.links() {
            let i = &np.ifaces[&link.name];
            let name = &link.name;
            assert_eq!(
                crate::iface::by_link(link).0,
                crate::iface::by_nispor_type(&i.iface_type).0,
                "{name}"
            );
            assert_eq!(link.index, i.index, "{name}");
            assert_eq!(
                link.is_up(),
                i.flags.contains(&nispor::IfaceFlag::Up),
                "{name}"
            );
            assert_eq!(
                link.is_promiscuous(),
                i.flags.contains(&nispor::IfaceFlag::Promisc),
                "{name}"
            );
            assert_eq!(i64::from(link.mtu), i.mtu, "{name}");
            assert_eq!(
                link.mac_address.as_deref().unwrap_or(""),
                i.mac_address,
                "{name}"
            );
            assert_eq!(
                link.controller.map(|c| dump.name_of(c)),
                i.controller,
                "{name}"
            );
            let peer = link.link.map(|p| {
                if link.link_elsewhere {
                    p.to_string()
                } else {
                    dump.name_of(p)
                }
            });
            if link.kind.as_deref() == Some("veth") {
                assert_eq!(peer, i.veth.as_ref().map(|v| v.peer.clone()), "{name}");
            }
            assert_eq!(
                link.token.map(|t| t.to_string()),
                i.ipv6.as_ref().and_then(|v| v.token.clone()),
                "{name}"
            );
            let disabled = crate::autoconf::read(name, "disable_ipv6");
            assert_eq!(
                link.inet6
                    .as_ref()
                    .and_then(|c| c.get(crate::inet6_conf::DevConf::DisableIpv6)),
                disabled,
                "{name}"
            );
        }
        let by_name = |n: &str| dump.links().iter().find(|l| l.name == n).expect(n);
        assert!(by_name("x0").link_elsewhere);
        assert_eq!(by_name("x0").mtu, 1400);
        assert!(
            by_name("t0").inet6.is_some(),
            "disabled, IPv6 is still there"
        );
        assert_eq!(
            by_name("d0").token,
            Some("::1a".parse().expect("an address"))
        );
        dump.links().len()
    }
}
