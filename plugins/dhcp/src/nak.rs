//! Noticing a DHCPNAK to a selecting request, a renewal or a rebinding.
//!
//! mozim acts on DHCPNAK only in INIT-REBOOT: in the other states it waits
//! for a DHCPACK and drops anything else, so a refused address would stay
//! until the lease ends (renewing, rebinding), or the client would ask for
//! a refused offer forever (selecting). While a lease is bound or an offer
//! is being requested, the client therefore keeps a passive packet socket
//! (`AF_PACKET`, `SOCK_DGRAM`, all protocols) on the interface. It gets a
//! copy of each DHCP packet and takes none away from mozim's own sockets:
//!
//! - our outgoing DHCPREQUEST gives the transaction id (`xid`) and
//!   `chaddr` a reply must carry: for the lease (`ciaddr` = the leased
//!   address) when bound, for an offer (`ciaddr` 0, options 50 and 54)
//!   when selecting;
//! - an incoming DHCPNAK with that `xid` and `chaddr` is the refusal when
//!   it comes from the server asked: the lease's (any server while
//!   rebinding: that request is broadcast) or the offer's.
//!
//! A kernel filter (classic BPF) passes only unfragmented UDP to port 67
//! or 68; everything is parsed again here, bounds-checked.

use std::{
    ffi::CString,
    io, mem,
    net::Ipv4Addr,
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
};

use tokio::io::unix::AsyncFd;

const CLIENT_PORT: u16 = 68;
const SERVER_PORT: u16 = 67;
const BOOTREQUEST: u8 = 1;
const BOOTREPLY: u8 = 2;
const DHCPREQUEST: u8 = 3;
const DHCPNAK: u8 = 6;
/// `sll_pkttype` of a packet this host sends.
const PACKET_OUTGOING: u8 = 4;
/// BOOTP fixed header (236 bytes) and the options' magic cookie.
const BOOTP_LEN: usize = 236;
const MAGIC: [u8; 4] = [99, 130, 83, 99];

/// A DHCPNAK answering our request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nak {
    pub server: Ipv4Addr,
    /// The address refused.
    pub address: Ipv4Addr,
}

/// Which requests of ours a DHCPNAK may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asking {
    /// Renewing (or, with `any_server`, rebinding) the lease of `address`
    /// from `server`.
    Lease {
        address: Ipv4Addr,
        server: Ipv4Addr,
        any_server: bool,
    },
    /// Requesting an offer (SELECTING).
    Offer,
}

/// Our last DHCPREQUEST, as seen going out.
#[derive(Debug, Clone, Copy)]
struct Request {
    xid: u32,
    chaddr: [u8; 16],
    /// The address asked for.
    address: Ipv4Addr,
    /// The server asked (a selecting request names it).
    server: Option<Ipv4Addr>,
    selecting: bool,
}

/// The index of the interface named `interface`.
pub(crate) fn interface_index(interface: &str) -> io::Result<u32> {
    let name = CString::new(interface)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL in the name"))?;
    // SAFETY: the name is a NUL-terminated string that outlives the call;
    // if_nametoindex only reads it.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if index == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(index)
}

/// The watch on one interface while a lease is bound or an offer requested.
pub struct NakWatch {
    fd: AsyncFd<OwnedFd>,
    request: Option<Request>,
}

impl NakWatch {
    /// Opens the packet socket on `interface`.
    pub fn open(interface: &str) -> io::Result<NakWatch> {
        let index = interface_index(interface)?;
        // Protocol 0: nothing is queued until the filter is on and the
        // socket is bound below.
        // SAFETY: plain FFI calls with valid arguments.
        let raw = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        attach_filter(&fd)?;
        // SAFETY: an all-zero sockaddr_ll is valid.
        let mut sll: libc::sockaddr_ll = unsafe { mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        // ETH_P_ALL also delivers our own outgoing packets.
        sll.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
        sll.sll_ifindex = i32::try_from(index)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "interface index"))?;
        // SAFETY: `sll` is a sockaddr_ll of the size given.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&raw const sll).cast(),
                mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` is open, owned by the AsyncFd from here on, and
        // refers to the same socket for its whole life.
        let fd = unsafe { AsyncFd::register(fd) }.map_err(io::Error::from)?;
        Ok(NakWatch { fd, request: None })
    }

    /// Waits for a DHCPNAK to what we are `asking`. Cancel-safe: a packet
    /// is read and looked at in one go.
    pub async fn next(&mut self, asking: Asking) -> io::Result<Nak> {
        let mut buf = [0u8; 2048];
        loop {
            let mut guard = self.fd.readable().await?;
            let got = guard.try_io(|fd| recv(fd.get_ref(), &mut buf));
            let (len, pkttype) = match got {
                Ok(r) => r?,
                Err(_would_block) => continue,
            };
            let Some(packet) = buf.get(..len) else {
                continue;
            };
            let Some(m) = Message::parse(packet) else {
                continue;
            };
            if pkttype == PACKET_OUTGOING {
                if let Some(r) = m.our_request(asking) {
                    self.request = Some(r);
                }
                continue;
            }
            let Some(r) = self.request else {
                continue;
            };
            let from_the_server_asked = |from: Ipv4Addr| match asking {
                Asking::Lease {
                    server, any_server, ..
                } => !r.selecting && (any_server || from == server),
                Asking::Offer => r.selecting && r.server == Some(from),
            };
            if m.dst_port == CLIENT_PORT
                && m.op == BOOTREPLY
                && m.message_type == Some(DHCPNAK)
                && m.xid == r.xid
                && m.chaddr == r.chaddr
                && let Some(from) = m.server_id
                && from_the_server_asked(from)
            {
                return Ok(Nak {
                    server: from,
                    address: r.address,
                });
            }
        }
    }
}

/// `recvfrom`: the length and the packet type (`sll_pkttype`).
fn recv(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<(usize, u8)> {
    // SAFETY: an all-zero sockaddr_ll is valid.
    let mut from: libc::sockaddr_ll = unsafe { mem::zeroed() };
    let mut from_len = mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
    // SAFETY: `buf` and `from` are valid for the lengths given.
    let n = unsafe {
        libc::recvfrom(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            0,
            (&raw mut from).cast(),
            &mut from_len,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((n.unsigned_abs(), from.sll_pkttype))
}

// Classic BPF opcodes (linux/filter.h): class | size | mode.
const BPF_LD: u16 = 0x00;
const BPF_LDX: u16 = 0x01;
const BPF_ALU: u16 = 0x04;
const BPF_JMP: u16 = 0x05;
const BPF_RET: u16 = 0x06;
const BPF_H: u16 = 0x08;
const BPF_B: u16 = 0x10;
const BPF_ABS: u16 = 0x20;
const BPF_IND: u16 = 0x40;
const BPF_MSH: u16 = 0xa0;
const BPF_JEQ: u16 = 0x10;
const BPF_JSET: u16 = 0x40;
const BPF_AND: u16 = 0x50;
const LD_B_ABS: u16 = BPF_LD | BPF_B | BPF_ABS;
const LD_H_ABS: u16 = BPF_LD | BPF_H | BPF_ABS;
const LD_H_IND: u16 = BPF_LD | BPF_H | BPF_IND;
const LDX_B_MSH: u16 = BPF_LDX | BPF_B | BPF_MSH;
const ALU_AND_K: u16 = BPF_ALU | BPF_AND;
const JEQ_K: u16 = BPF_JMP | BPF_JEQ;
const JSET_K: u16 = BPF_JMP | BPF_JSET;
const RET_K: u16 = BPF_RET;

/// Unfragmented IPv4 UDP to port 68 or 67; offsets from the IP header
/// (`SOCK_DGRAM` strips the link layer).
const FILTER: [(u16, u8, u8, u32); 13] = [
    (LD_B_ABS, 0, 0, 0),        // 0: A = version/IHL
    (ALU_AND_K, 0, 0, 0xf0),    // 1: A = version
    (JEQ_K, 0, 8, 0x40),        // 2: IPv4, else drop
    (LD_B_ABS, 0, 0, 9),        // 3: A = protocol
    (JEQ_K, 0, 6, 17),          // 4: UDP, else drop
    (LD_H_ABS, 0, 0, 6),        // 5: A = flags and fragment offset
    (JSET_K, 4, 0, 0x3fff),     // 6: a fragment: drop
    (LDX_B_MSH, 0, 0, 0),       // 7: X = IP header length
    (LD_H_IND, 0, 0, 2),        // 8: A = UDP destination port
    (JEQ_K, 2, 0, 68),          // 9: to the client: accept
    (JEQ_K, 1, 0, 67),          // 10: to a server: accept
    (RET_K, 0, 0, 0),           // 11: drop
    (RET_K, 0, 0, 0xffff_ffff), // 12: accept
];

fn attach_filter(fd: &OwnedFd) -> io::Result<()> {
    let code: Vec<libc::sock_filter> = FILTER
        .iter()
        .map(|&(code, jt, jf, k)| libc::sock_filter { code, jt, jf, k })
        .collect();
    let prog = libc::sock_fprog {
        len: FILTER.len() as u16,
        filter: code.as_ptr().cast_mut(),
    };
    // SAFETY: `prog` points to `code`, alive for the call; the kernel
    // copies the program.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            (&raw const prog).cast(),
            mem::size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// What matters here of a BOOTP/DHCP message in an IPv4 UDP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Message {
    dst_port: u16,
    op: u8,
    xid: u32,
    ciaddr: Ipv4Addr,
    chaddr: [u8; 16],
    /// Option 53.
    message_type: Option<u8>,
    /// Option 54.
    server_id: Option<Ipv4Addr>,
    /// Option 50.
    requested: Option<Ipv4Addr>,
}

impl Message {
    /// `None` for anything that is not a well-formed one.
    fn parse(ip: &[u8]) -> Option<Message> {
        let first = *ip.first()?;
        if first >> 4 != 4 || *ip.get(9)? != 17 {
            return None;
        }
        let ihl = usize::from(first & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([*ip.get(2)?, *ip.get(3)?]));
        if ihl < 20 || total > ip.len() {
            return None;
        }
        let udp = ip.get(ihl..total)?;
        let dst_port = u16::from_be_bytes([*udp.get(2)?, *udp.get(3)?]);
        let udp_len = usize::from(u16::from_be_bytes([*udp.get(4)?, *udp.get(5)?]));
        if dst_port != CLIENT_PORT && dst_port != SERVER_PORT {
            return None;
        }
        let bootp = udp.get(8..udp_len)?;
        if bootp.len() < BOOTP_LEN + MAGIC.len() || bootp.get(BOOTP_LEN..BOOTP_LEN + 4)? != MAGIC {
            return None;
        }
        let quad = |at: usize| -> Option<[u8; 4]> { bootp.get(at..at + 4)?.try_into().ok() };
        let mut m = Message {
            dst_port,
            op: bootp[0],
            xid: u32::from_be_bytes(quad(4)?),
            ciaddr: Ipv4Addr::from(quad(12)?),
            chaddr: bootp.get(28..44)?.try_into().ok()?,
            message_type: None,
            server_id: None,
            requested: None,
        };
        let mut options = bootp.get(BOOTP_LEN + 4..)?;
        while let Some((&code, rest)) = options.split_first() {
            match code {
                0 => options = rest,
                255 => break,
                _ => {
                    let (&len, rest) = rest.split_first()?;
                    let data = rest.get(..usize::from(len))?;
                    match (code, data) {
                        (53, &[t]) => m.message_type = Some(t),
                        (54, &[a, b, c, d]) => m.server_id = Some(Ipv4Addr::new(a, b, c, d)),
                        (50, &[a, b, c, d]) => m.requested = Some(Ipv4Addr::new(a, b, c, d)),
                        _ => {}
                    }
                    options = rest.get(usize::from(len)..)?;
                }
            }
        }
        Some(m)
    }

    /// This outgoing message as the request a NAK to `asking` answers:
    /// the renewal or rebinding of the lease, or the request of an offer.
    fn our_request(&self, asking: Asking) -> Option<Request> {
        if self.dst_port != SERVER_PORT
            || self.op != BOOTREQUEST
            || self.message_type != Some(DHCPREQUEST)
        {
            return None;
        }
        let request = |address, server, selecting| Request {
            xid: self.xid,
            chaddr: self.chaddr,
            address,
            server,
            selecting,
        };
        match asking {
            Asking::Lease { address, .. } if self.ciaddr == address => {
                Some(request(address, None, false))
            }
            Asking::Offer if self.ciaddr.is_unspecified() => {
                Some(request(self.requested?, Some(self.server_id?), true))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];

    /// An IPv4/UDP packet carrying a DHCP message.
    fn packet(dst_port: u16, op: u8, xid: u32, ciaddr: [u8; 4], options: &[u8]) -> Vec<u8> {
        let mut bootp = vec![0u8; BOOTP_LEN];
        bootp[0] = op;
        bootp[1] = 1;
        bootp[2] = 6;
        bootp[4..8].copy_from_slice(&xid.to_be_bytes());
        bootp[12..16].copy_from_slice(&ciaddr);
        bootp[28..34].copy_from_slice(&MAC);
        bootp.extend_from_slice(&MAGIC);
        bootp.extend_from_slice(options);
        let udp_len = 8 + bootp.len();
        let mut udp = Vec::new();
        udp.extend_from_slice(&(if dst_port == 68 { 67u16 } else { 68u16 }).to_be_bytes());
        udp.extend_from_slice(&dst_port.to_be_bytes());
        udp.extend_from_slice(&(udp_len as u16).to_be_bytes());
        udp.extend_from_slice(&[0, 0]);
        udp.extend_from_slice(&bootp);
        let mut ip = vec![
            0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 10, 9, 0, 1, 10, 9, 0, 77,
        ];
        let total = (ip.len() + udp.len()) as u16;
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&udp);
        ip
    }

    #[test]
    fn parses_a_nak_and_a_renewal_request() {
        let nak = packet(68, 2, 7, [0; 4], &[0, 53, 1, 6, 54, 4, 10, 9, 0, 1, 255]);
        let m = Message::parse(&nak).unwrap();
        assert_eq!(m.op, BOOTREPLY);
        assert_eq!(m.xid, 7);
        assert_eq!(m.message_type, Some(DHCPNAK));
        assert_eq!(m.server_id, Some(Ipv4Addr::new(10, 9, 0, 1)));
        assert_eq!(&m.chaddr[..6], &MAC);

        let lease = |a| Asking::Lease {
            address: Ipv4Addr::new(10, 9, 0, a),
            server: Ipv4Addr::new(10, 9, 0, 1),
            any_server: false,
        };
        let renew = packet(67, 1, 7, [10, 9, 0, 77], &[53, 1, 3, 255]);
        let m = Message::parse(&renew).unwrap();
        assert!(m.our_request(lease(77)).is_some());
        assert!(m.our_request(lease(78)).is_none());
        assert!(m.our_request(Asking::Offer).is_none());

        let select = packet(
            67,
            1,
            7,
            [0; 4],
            &[53, 1, 3, 50, 4, 10, 9, 0, 99, 54, 4, 10, 9, 0, 1, 255],
        );
        let r = Message::parse(&select)
            .unwrap()
            .our_request(Asking::Offer)
            .unwrap();
        assert_eq!(r.address, Ipv4Addr::new(10, 9, 0, 99));
        assert_eq!(r.server, Some(Ipv4Addr::new(10, 9, 0, 1)));
        assert!(r.selecting);
    }

    #[test]
    fn rejects_truncated_and_malformed_packets() {
        let good = packet(68, 2, 7, [0; 4], &[53, 1, 6, 255]);
        // Every truncation is refused or parsed within bounds, never a panic.
        for n in 0..good.len() {
            let _ = Message::parse(&good[..n]);
        }
        // An option running past the end.
        assert_eq!(
            Message::parse(&packet(68, 2, 7, [0; 4], &[53, 1, 6, 54, 200, 1])),
            None
        );
        // No magic cookie.
        let mut bad = good.clone();
        bad[20 + 8 + BOOTP_LEN] = 0;
        assert_eq!(Message::parse(&bad), None);
        // Not port 67 or 68.
        assert_eq!(Message::parse(&packet(53, 2, 7, [0; 4], &[255])), None);
        // Not IPv4.
        let mut v6 = good;
        v6[0] = 0x65;
        assert_eq!(Message::parse(&v6), None);
    }
}
