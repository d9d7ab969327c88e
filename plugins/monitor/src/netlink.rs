//! rtnetlink sockets: the multicast listener and the dump socket, and the
//! parsing of link, address and route messages.
//!
//! Parsing reads only what the monitor needs (header fields, `IFLA_IFNAME`,
//! `IFLA_MTU`, `IFLA_LINKINFO`/`IFLA_INFO_KIND`, `IFA_LOCAL`/`IFA_ADDRESS`,
//! `IFA_LABEL`, `RTA_DST`/`RTA_GATEWAY`/`RTA_OIF`/`RTA_PRIORITY`/`RTA_TABLE`)
//! by walking the attributes with `netlink-packet-core`, so that attributes a
//! newer kernel adds can never make a message unreadable (a message the
//! monitor can't read would be a change it misses).

use std::{
    io,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    os::fd::{AsRawFd, RawFd},
    time::Duration,
};

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NLMSG_OVERRUN,
    NetlinkBuffer, NetlinkHeader, NetlinkMessage, NetlinkPayload, NlasIterator,
};
use netlink_packet_route::{
    AddressFamily, RouteNetlinkMessage, address::AddressMessage, link::LinkMessage,
};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

use crate::state::{AddrKey, LinkState, NetState, RouteKey};

const RTNLGRP_LINK: u32 = 1;
const RTNLGRP_IPV4_IFADDR: u32 = 5;
const RTNLGRP_IPV4_ROUTE: u32 = 7;
const RTNLGRP_IPV6_IFADDR: u32 = 9;
const RTNLGRP_IPV6_ROUTE: u32 = 11;

const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_TABLE: u16 = 15;
/// The table of the kernel's own routes to local and broadcast addresses.
const RT_TABLE_LOCAL: u32 = 255;
const RTN_UNICAST: u8 = 1;
/// A clone in the route cache (IPv6, exceptions), not a configured route.
const RTM_F_CLONED: u32 = 0x200;
const IFLA_LINKINFO: u16 = 18;
const IFLA_INFO_KIND: u16 = 1;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_LABEL: u16 = 3;

const AF_INET: u8 = libc::AF_INET as u8;
const AF_INET6: u8 = libc::AF_INET6 as u8;
const AF_BRIDGE: u8 = libc::AF_BRIDGE as u8;

/// Size of the buffer one datagram is read into. A notification is one
/// message; a longer one is reported truncated and treated as an overrun.
pub const RECV_BUFFER: usize = 64 * 1024;

/// One parsed message of interest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    NewLink(LinkState),
    DelLink(u32),
    NewAddress(AddrKey, Option<String>),
    DelAddress(AddrKey),
    NewRoute(RouteKey),
    DelRoute(RouteKey),
}

fn os_error(what: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// Sets `SO_RCVBUFFORCE` (root may exceed `net.core.rmem_max`), falling back
/// to `SO_RCVBUF`. The kernel doubles the value and enforces a minimum.
fn set_receive_buffer(fd: RawFd, bytes: usize) -> io::Result<()> {
    let value = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    for option in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
        // SAFETY: fd is an open socket; value lives across the call.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                option,
                (&value as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc == 0 {
            return Ok(());
        }
    }
    Err(os_error(
        "setting the netlink receive buffer",
        io::Error::last_os_error(),
    ))
}

/// The effective receive buffer (as the kernel reports it: doubled).
pub fn receive_buffer(fd: RawFd) -> io::Result<usize> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: fd is an open socket; value and len outlive the call.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(usize::try_from(value).unwrap_or(0))
}

/// Opens the non-blocking multicast socket for link and address changes in
/// the calling thread's network namespace.
pub fn open_listener(receive_buffer_bytes: usize) -> io::Result<Socket> {
    let mut socket =
        Socket::new(NETLINK_ROUTE).map_err(|e| os_error("opening a netlink socket", e))?;
    socket
        .bind(&SocketAddr::new(0, 0))
        .map_err(|e| os_error("binding the netlink socket", e))?;
    set_receive_buffer(socket.as_raw_fd(), receive_buffer_bytes)?;
    for group in [
        RTNLGRP_LINK,
        RTNLGRP_IPV4_IFADDR,
        RTNLGRP_IPV6_IFADDR,
        RTNLGRP_IPV4_ROUTE,
        RTNLGRP_IPV6_ROUTE,
    ] {
        socket
            .add_membership(group)
            .map_err(|e| os_error(&format!("joining rtnetlink group {group}"), e))?;
    }
    socket
        .set_non_blocking(true)
        .map_err(|e| os_error("making the netlink socket non-blocking", e))?;
    Ok(socket)
}

/// What one non-blocking read gave.
pub enum Received {
    /// A datagram of this many bytes is in the buffer.
    Data(usize),
    /// Nothing to read now.
    Empty,
    /// The kernel dropped notifications (`ENOBUFS`), or a datagram was
    /// larger than the buffer: the state must be read again.
    Overrun,
}

/// Reads one datagram without blocking.
pub fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<Received> {
    // SAFETY: buf is valid for writes of buf.len() bytes.
    let n = unsafe {
        libc::recv(
            fd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT | libc::MSG_TRUNC,
        )
    };
    if n < 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::EAGAIN) => Ok(Received::Empty),
            Some(libc::ENOBUFS) => Ok(Received::Overrun),
            Some(libc::EINTR) => Ok(Received::Empty),
            _ => Err(os_error("reading the netlink socket", e)),
        };
    }
    let n = n as usize; // n >= 0 here
    if n > buf.len() {
        return Ok(Received::Overrun);
    }
    Ok(Received::Data(n))
}

/// Discards whatever is queued on the socket (after an overrun, those
/// messages predate the dump about to be taken). Returns how many datagrams
/// were dropped.
pub fn drain(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    loop {
        match recv(fd, buf)? {
            Received::Data(_) | Received::Overrun => n += 1,
            Received::Empty => return Ok(n),
        }
    }
}

/// Walks the netlink messages of one datagram.
pub fn for_each_message(
    data: &[u8],
    mut f: impl FnMut(&NetlinkBuffer<&[u8]>) -> io::Result<()>,
) -> io::Result<()> {
    let mut offset = 0;
    while offset < data.len() {
        let rest = &data[offset..];
        let msg = NetlinkBuffer::new_checked(rest).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("malformed netlink message: {e}"),
            )
        })?;
        let len = msg.length() as usize;
        f(&msg)?;
        offset += (len + 3) & !3;
    }
    Ok(())
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

fn c_string(value: &[u8]) -> String {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    String::from_utf8_lossy(&value[..end]).into_owned()
}

fn parse_ip(family: u8, value: &[u8]) -> Option<IpAddr> {
    match (family, value.len()) {
        (AF_INET, 4) => Some(IpAddr::V4(Ipv4Addr::new(
            value[0], value[1], value[2], value[3],
        ))),
        (AF_INET6, 16) => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(value);
            Some(IpAddr::V6(Ipv6Addr::from(octets)))
        }
        _ => None,
    }
}

/// Parses the payload of `RTM_NEWLINK`/`RTM_DELLINK`. `None` for messages
/// that are not about a link as such (the bridge's `AF_BRIDGE` port
/// notifications share the message types).
pub fn parse_link(payload: &[u8]) -> io::Result<Option<LinkState>> {
    if payload.len() < 16 {
        return Err(invalid("short ifinfomsg"));
    }
    if payload[0] == AF_BRIDGE {
        return Ok(None);
    }
    let index = u32::from_ne_bytes([payload[4], payload[5], payload[6], payload[7]]);
    let flags = u32::from_ne_bytes([payload[8], payload[9], payload[10], payload[11]]);
    let mut link = LinkState {
        index,
        name: String::new(),
        up: flags & libc::IFF_UP as u32 != 0,
        carrier: flags & libc::IFF_LOWER_UP as u32 != 0,
        kind: None,
        mtu: None,
    };
    for nla in NlasIterator::new(&payload[16..]) {
        let nla = nla.map_err(|e| invalid(&format!("malformed link attribute: {e}")))?;
        match nla.kind() {
            IFLA_IFNAME => link.name = c_string(nla.value()),
            IFLA_MTU => link.mtu = u32_of(nla.value()),
            IFLA_LINKINFO => {
                for info in NlasIterator::new(nla.value()).flatten() {
                    if info.kind() == IFLA_INFO_KIND {
                        link.kind = Some(c_string(info.value()));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Some(link))
}

/// Parses the payload of `RTM_NEWADDR`/`RTM_DELADDR`: the address and its
/// label. `None` for families other than IPv4 and IPv6.
pub fn parse_address(payload: &[u8]) -> io::Result<Option<(AddrKey, Option<String>)>> {
    if payload.len() < 8 {
        return Err(invalid("short ifaddrmsg"));
    }
    let family = payload[0];
    if family != AF_INET && family != AF_INET6 {
        return Ok(None);
    }
    let prefix_len = payload[1];
    let index = u32::from_ne_bytes([payload[4], payload[5], payload[6], payload[7]]);
    let (mut local, mut address, mut label) = (None, None, None);
    for nla in NlasIterator::new(&payload[8..]) {
        let nla = nla.map_err(|e| invalid(&format!("malformed address attribute: {e}")))?;
        match nla.kind() {
            IFA_LOCAL => local = parse_ip(family, nla.value()),
            IFA_ADDRESS => address = parse_ip(family, nla.value()),
            IFA_LABEL => label = Some(c_string(nla.value())),
            _ => {}
        }
    }
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on
    // point-to-point links and the same address otherwise.
    match local.or(address) {
        Some(address) => Ok(Some((
            AddrKey {
                index,
                address,
                prefix_len,
            },
            label,
        ))),
        None => Err(invalid("address message without an address")),
    }
}

fn u32_of(value: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(value.get(..4)?.try_into().ok()?))
}

/// Parses the payload of `RTM_NEWROUTE`/`RTM_DELROUTE`. `None` for what is
/// not a configured unicast route: other families, the `local` table, other
/// route types (local, broadcast, multicast, unreachable, …), cache clones.
pub fn parse_route(payload: &[u8]) -> io::Result<Option<RouteKey>> {
    if payload.len() < 12 {
        return Err(invalid("short rtmsg"));
    }
    let (family, dst_len, table, kind) = (payload[0], payload[1], payload[4], payload[7]);
    let flags = u32::from_ne_bytes([payload[8], payload[9], payload[10], payload[11]]);
    if (family != AF_INET && family != AF_INET6) || kind != RTN_UNICAST || flags & RTM_F_CLONED != 0
    {
        return Ok(None);
    }
    let mut route = RouteKey {
        destination: None,
        prefix_len: dst_len,
        gateway: None,
        index: 0,
        table: u32::from(table),
        metric: None,
        ipv6: family == AF_INET6,
    };
    for nla in NlasIterator::new(&payload[12..]) {
        let nla = nla.map_err(|e| invalid(&format!("malformed route attribute: {e}")))?;
        match nla.kind() {
            RTA_DST => route.destination = parse_ip(family, nla.value()),
            RTA_GATEWAY => route.gateway = parse_ip(family, nla.value()),
            RTA_OIF => route.index = u32_of(nla.value()).unwrap_or(0),
            RTA_PRIORITY => route.metric = u32_of(nla.value()),
            // The table's full number (the header has only its low byte).
            RTA_TABLE => route.table = u32_of(nla.value()).unwrap_or(route.table),
            _ => {}
        }
    }
    Ok((route.table != RT_TABLE_LOCAL).then_some(route))
}

/// Parses one netlink message into a [`Message`], if it is one of interest.
pub fn parse_message(msg: &NetlinkBuffer<&[u8]>) -> io::Result<Option<Message>> {
    let payload = msg.payload();
    Ok(match msg.message_type() {
        libc::RTM_NEWLINK => parse_link(payload)?.map(Message::NewLink),
        libc::RTM_DELLINK => parse_link(payload)?.map(|l| Message::DelLink(l.index)),
        libc::RTM_NEWADDR => parse_address(payload)?.map(|(a, l)| Message::NewAddress(a, l)),
        libc::RTM_DELADDR => parse_address(payload)?.map(|(a, _)| Message::DelAddress(a)),
        libc::RTM_NEWROUTE => parse_route(payload)?.map(Message::NewRoute),
        libc::RTM_DELROUTE => parse_route(payload)?.map(Message::DelRoute),
        _ => None,
    })
}

/// A blocking socket for dumps, opened once in the monitor's namespace.
pub struct Dumper {
    socket: Socket,
    seq: u32,
    buf: Vec<u8>,
    /// How many times a dump the kernel marked inconsistent is retried.
    retries: u32,
}

enum DumpKind {
    Links,
    Addresses,
}

impl Dumper {
    pub fn open() -> io::Result<Self> {
        let mut socket =
            Socket::new(NETLINK_ROUTE).map_err(|e| os_error("opening a netlink socket", e))?;
        socket
            .bind(&SocketAddr::new(0, 0))
            .map_err(|e| os_error("binding the netlink socket", e))?;
        // A dump never waits long; a kernel that does not answer is an error.
        let timeout = libc::timeval {
            tv_sec: 5,
            tv_usec: 0,
        };
        // SAFETY: the socket is open; timeout lives across the call.
        let rc = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&timeout as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(os_error(
                "setting the dump socket timeout",
                io::Error::last_os_error(),
            ));
        }
        Ok(Self {
            socket,
            seq: 0,
            buf: vec![0; RECV_BUFFER],
            retries: 10,
        })
    }

    /// Reads every link and address of the namespace.
    pub fn dump(&mut self) -> io::Result<NetState> {
        for _ in 0..self.retries {
            let mut state = NetState::default();
            let consistent = self.dump_one(DumpKind::Links, &mut state)?
                && self.dump_one(DumpKind::Addresses, &mut state)?;
            if consistent {
                return Ok(state);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Err(io::Error::other(format!(
            "the kernel reported {} dumps in a row as interrupted by concurrent changes",
            self.retries
        )))
    }

    /// Sends one dump request and reads its answer into `state`; false if
    /// the kernel flagged it inconsistent (`NLM_F_DUMP_INTR`).
    fn dump_one(&mut self, kind: DumpKind, state: &mut NetState) -> io::Result<bool> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let payload = match kind {
            DumpKind::Links => RouteNetlinkMessage::GetLink(LinkMessage::default()),
            DumpKind::Addresses => {
                let mut m = AddressMessage::default();
                m.header.family = AddressFamily::Unspec;
                RouteNetlinkMessage::GetAddress(m)
            }
        };
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        header.sequence_number = seq;
        let mut request = NetlinkMessage::new(header, NetlinkPayload::from(payload));
        request.finalize();
        let mut bytes = vec![0; request.buffer_len()];
        request.serialize(&mut bytes);
        self.socket
            .send(&bytes, 0)
            .map_err(|e| os_error("sending a dump request", e))?;

        let mut consistent = true;
        let fd = self.socket.as_raw_fd();
        loop {
            // SAFETY: buf is valid for writes of its length.
            let n = unsafe {
                libc::recv(
                    fd,
                    self.buf.as_mut_ptr().cast(),
                    self.buf.len(),
                    libc::MSG_TRUNC,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                return Err(os_error("reading a dump", e));
            }
            let n = n as usize;
            if n > self.buf.len() {
                return Err(invalid("a dump datagram was larger than the buffer"));
            }
            let mut done = false;
            for_each_message(&self.buf[..n], |msg| {
                if msg.sequence_number() != seq {
                    return Ok(()); // a late answer to an abandoned request
                }
                if msg.flags() & NLM_F_DUMP_INTR != 0 {
                    consistent = false;
                }
                match msg.message_type() {
                    NLMSG_DONE => done = true,
                    NLMSG_ERROR => {
                        let p = msg.payload();
                        let code = if p.len() >= 4 {
                            i32::from_ne_bytes([p[0], p[1], p[2], p[3]])
                        } else {
                            -libc::EIO
                        };
                        if code != 0 {
                            return Err(os_error(
                                "the kernel refused the dump",
                                io::Error::from_raw_os_error(-code),
                            ));
                        }
                        done = true;
                    }
                    NLMSG_OVERRUN => return Err(invalid("netlink overrun during a dump")),
                    _ => match parse_message(msg)? {
                        Some(Message::NewLink(link)) => {
                            state.links.insert(link.index, link);
                        }
                        Some(Message::NewAddress(addr, _)) => {
                            state.addresses.insert(addr);
                        }
                        _ => {}
                    },
                }
                Ok(())
            })?;
            if done {
                return Ok(consistent);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use netlink_packet_route::{
        address::AddressAttribute,
        link::{LinkAttribute, LinkFlags, LinkInfo},
    };

    use super::*;

    fn emit(msg: RouteNetlinkMessage) -> Vec<u8> {
        let mut m = NetlinkMessage::new(NetlinkHeader::default(), NetlinkPayload::from(msg));
        m.finalize();
        let mut bytes = vec![0; m.buffer_len()];
        m.serialize(&mut bytes);
        bytes
    }

    fn parse_one(bytes: &[u8]) -> Option<Message> {
        let mut out = None;
        for_each_message(bytes, |m| {
            out = parse_message(m)?;
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn addresses_prefer_the_local_address() {
        let mut m = AddressMessage::default();
        m.header.family = AddressFamily::Inet;
        m.header.prefix_len = 24;
        m.header.index = 7;
        m.attributes = vec![
            AddressAttribute::Address("10.0.0.2".parse().unwrap()), // the peer
            AddressAttribute::Local("10.0.0.1".parse().unwrap()),
            AddressAttribute::Label("eth7".into()),
        ];
        let key = AddrKey {
            index: 7,
            address: "10.0.0.1".parse().unwrap(),
            prefix_len: 24,
        };
        assert_eq!(
            parse_one(&emit(RouteNetlinkMessage::NewAddress(m.clone()))),
            Some(Message::NewAddress(key, Some("eth7".into())))
        );
        assert_eq!(
            parse_one(&emit(RouteNetlinkMessage::DelAddress(m))),
            Some(Message::DelAddress(key))
        );

        let mut m = AddressMessage::default();
        m.header.family = AddressFamily::Inet6;
        m.header.prefix_len = 64;
        m.header.index = 3;
        m.attributes = vec![AddressAttribute::Address("2001:db8::5".parse().unwrap())];
        let Some(Message::NewAddress(a, None)) =
            parse_one(&emit(RouteNetlinkMessage::NewAddress(m)))
        else {
            panic!("not parsed");
        };
        assert_eq!(a.cidr(), "2001:db8::5/64");
        assert_eq!(
            a.family(),
            nipart_plugin_api::protocol::monitor::IpFamily::Ipv6
        );
    }

    #[test]
    fn links_and_bridge_port_messages() {
        let mut m = LinkMessage::default();
        m.header.index = 9;
        m.header.flags = LinkFlags::Up | LinkFlags::LowerUp | LinkFlags::Broadcast;
        m.attributes = vec![
            LinkAttribute::Mtu(1500),
            LinkAttribute::IfName("br0".into()),
            LinkAttribute::LinkInfo(vec![LinkInfo::Kind(
                netlink_packet_route::link::InfoKind::Bridge,
            )]),
        ];
        let link = LinkState {
            index: 9,
            name: "br0".into(),
            up: true,
            carrier: true,
            kind: Some("bridge".into()),
            mtu: Some(1500),
        };
        assert_eq!(
            parse_one(&emit(RouteNetlinkMessage::NewLink(m.clone()))),
            Some(Message::NewLink(link))
        );
        assert_eq!(
            parse_one(&emit(RouteNetlinkMessage::DelLink(m.clone()))),
            Some(Message::DelLink(9))
        );
        // The bridge's per-port notifications are not link changes.
        m.header.interface_family = AddressFamily::Bridge;
        assert_eq!(parse_one(&emit(RouteNetlinkMessage::DelLink(m))), None);
    }

    #[test]
    fn unicast_routes_outside_the_local_table_are_read() {
        use netlink_packet_route::route::{RouteAttribute, RouteHeader, RouteMessage, RouteType};
        let mut m = RouteMessage::default();
        m.header.address_family = AddressFamily::Inet;
        m.header.destination_prefix_length = 24;
        m.header.table = RouteHeader::RT_TABLE_MAIN;
        m.header.kind = RouteType::Unicast;
        m.attributes = vec![
            RouteAttribute::Destination("198.51.100.0".parse::<IpAddr>().unwrap().into()),
            RouteAttribute::Gateway("192.0.2.1".parse::<IpAddr>().unwrap().into()),
            RouteAttribute::Oif(7),
            RouteAttribute::Priority(100),
            RouteAttribute::Table(1000),
        ];
        let Some(Message::NewRoute(r)) = parse_one(&emit(RouteNetlinkMessage::NewRoute(m.clone())))
        else {
            panic!("not parsed");
        };
        assert_eq!(r.destination_cidr(), "198.51.100.0/24");
        assert_eq!(r.gateway, Some("192.0.2.1".parse().unwrap()));
        assert_eq!((r.index, r.table, r.metric), (7, 1000, Some(100)));
        assert!(matches!(
            parse_one(&emit(RouteNetlinkMessage::DelRoute(m.clone()))),
            Some(Message::DelRoute(d)) if d == r
        ));

        // A default route has no destination attribute.
        let mut default = m.clone();
        default.header.destination_prefix_length = 0;
        default.attributes.remove(0);
        let Some(Message::NewRoute(d)) = parse_one(&emit(RouteNetlinkMessage::NewRoute(default)))
        else {
            panic!("not parsed");
        };
        assert_eq!(d.destination_cidr(), "0.0.0.0/0");

        // The kernel's own routes (local table, local/broadcast types) are
        // not announced.
        let mut local = m.clone();
        local.attributes.pop();
        local.header.table = 255;
        assert_eq!(parse_one(&emit(RouteNetlinkMessage::NewRoute(local))), None);
        let mut broadcast = m;
        broadcast.header.kind = RouteType::Broadcast;
        assert_eq!(
            parse_one(&emit(RouteNetlinkMessage::NewRoute(broadcast))),
            None
        );
    }

    /// The minimal parser agrees with netlink-packet-route's full one on a
    /// real dump of this machine's links and addresses.
    #[test]
    fn agrees_with_netlink_packet_route_on_a_real_dump() {
        let mut dumper = Dumper::open().unwrap();
        let state = dumper.dump().unwrap();
        assert!(!state.links.is_empty());

        // The same dump again, parsed by netlink-packet-route.
        let mut socket = Socket::new(NETLINK_ROUTE).unwrap();
        socket.bind(&SocketAddr::new(0, 0)).unwrap();
        let mut full = NetState::default();
        for req in [
            RouteNetlinkMessage::GetLink(LinkMessage::default()),
            RouteNetlinkMessage::GetAddress(AddressMessage::default()),
        ] {
            let mut header = NetlinkHeader::default();
            header.flags = NLM_F_REQUEST | NLM_F_DUMP;
            let mut m = NetlinkMessage::new(header, NetlinkPayload::from(req));
            m.finalize();
            let mut bytes = vec![0; m.buffer_len()];
            m.serialize(&mut bytes);
            socket.send(&bytes, 0).unwrap();
            let mut done = false;
            while !done {
                let (data, _) = socket.recv_from_full().unwrap();
                let mut offset = 0;
                while offset < data.len() {
                    let len = NetlinkBuffer::new_checked(&data[offset..])
                        .unwrap()
                        .length() as usize;
                    let bytes = &data[offset..offset + len];
                    offset += (len + 3) & !3;
                    let msg = NetlinkMessage::<RouteNetlinkMessage>::deserialize(bytes).unwrap();
                    match msg.payload {
                        NetlinkPayload::Done(_) => done = true,
                        NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(l)) => {
                            let mut s = LinkState {
                                index: l.header.index,
                                name: String::new(),
                                up: l.header.flags.contains(LinkFlags::Up),
                                carrier: l.header.flags.contains(LinkFlags::LowerUp),
                                kind: None,
                                mtu: None,
                            };
                            for a in l.attributes {
                                match a {
                                    LinkAttribute::IfName(n) => s.name = n,
                                    LinkAttribute::Mtu(m) => s.mtu = Some(m),
                                    LinkAttribute::LinkInfo(infos) => {
                                        for i in infos {
                                            if let LinkInfo::Kind(k) = i {
                                                s.kind = Some(k.to_string());
                                            }
                                        }
                                    }
                                    _ => {}
                                }
                            }
                            full.links.insert(s.index, s);
                        }
                        NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewAddress(a)) => {
                            let mut local = None;
                            let mut address = None;
                            for attr in a.attributes {
                                match attr {
                                    AddressAttribute::Local(ip) => local = Some(ip),
                                    AddressAttribute::Address(ip) => address = Some(ip),
                                    _ => {}
                                }
                            }
                            if let Some(ip) = local.or(address) {
                                full.addresses.insert(AddrKey {
                                    index: a.header.index,
                                    address: ip,
                                    prefix_len: a.header.prefix_len,
                                });
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        assert_eq!(state, full);
    }
}
