//! The raw ICMPv6 socket of one interface that receives its router
//! advertisements (`ICMP6_FILTER` passes type 134 only, `SO_BINDTODEVICE`
//! keeps other interfaces' out) and sends router solicitations. Opened in
//! the calling thread's network namespace.

use std::{
    ffi::CString,
    io, mem,
    net::Ipv6Addr,
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
};

use tokio::io::unix::AsyncFd;

use super::advert::ROUTER_ADVERTISEMENT;

/// ICMPv6 type of a router solicitation.
const ROUTER_SOLICITATION: u8 = 133;
/// `ICMP6_FILTER` (netinet/icmp6.h; not in the libc crate).
const ICMP6_FILTER: libc::c_int = 1;
/// Neighbour discovery messages are sent with, and accepted only with,
/// this hop limit (RFC 4861 6.1.2): it proves they come from the link.
const ND_HOP_LIMIT: libc::c_int = 255;

/// A message received: its source and the ICMPv6 message's length (more
/// than the buffer when it was cut).
pub(crate) struct Received {
    pub from: Ipv6Addr,
    pub len: usize,
    pub truncated: bool,
}

pub(crate) struct RaSocket {
    fd: AsyncFd<OwnedFd>,
    index: u32,
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what.to_string())
}

fn setsockopt<T>(fd: &OwnedFd, level: libc::c_int, name: libc::c_int, value: &T) -> io::Result<()> {
    // SAFETY: `value` is a valid `T` of the size given, read by the kernel
    // during the call only.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl RaSocket {
    /// Opens the socket on `interface`.
    pub(crate) fn open(interface: &str) -> io::Result<RaSocket> {
        let name = CString::new(interface).map_err(|_| invalid("a NUL in the name"))?;
        // SAFETY: plain FFI call; the name is a NUL-terminated string that
        // outlives the call.
        let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if index == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: plain FFI call with constant arguments.
        let raw = unsafe {
            libc::socket(
                libc::AF_INET6,
                libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                libc::IPPROTO_ICMPV6,
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // struct icmp6_filter: a bit set per type, a set bit blocks it.
        let mut filter = [u32::MAX; 8];
        let t = usize::from(ROUTER_ADVERTISEMENT);
        filter[t >> 5] &= !(1u32 << (t & 31));
        setsockopt(&fd, libc::IPPROTO_ICMPV6, ICMP6_FILTER, &filter)?;
        let bytes = name.as_bytes_with_nul();
        // SAFETY: `bytes` is valid for its length during the call.
        let rc = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_BINDTODEVICE,
                bytes.as_ptr().cast(),
                bytes.len() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        let on: libc::c_int = 1;
        setsockopt(&fd, libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT, &on)?;
        setsockopt(
            &fd,
            libc::IPPROTO_IPV6,
            libc::IPV6_MULTICAST_HOPS,
            &ND_HOP_LIMIT,
        )?;
        setsockopt(
            &fd,
            libc::IPPROTO_IPV6,
            libc::IPV6_UNICAST_HOPS,
            &ND_HOP_LIMIT,
        )?;
        let if_index = index as libc::c_int;
        setsockopt(&fd, libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_IF, &if_index)?;
        // Our own solicitations must not come back.
        let off: libc::c_int = 0;
        setsockopt(&fd, libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_LOOP, &off)?;
        // SAFETY: `fd` is open, owned by the AsyncFd from here on, and
        // refers to the same socket for its whole life.
        let fd = unsafe { AsyncFd::register(fd) }?;
        Ok(RaSocket { fd, index })
    }

    /// Sends a router solicitation to all routers of the link, so that
    /// they answer at once instead of at their next periodic
    /// advertisement. The kernel fills in the checksum.
    pub(crate) fn solicit(&self) -> io::Result<()> {
        let msg = [ROUTER_SOLICITATION, 0, 0, 0, 0, 0, 0, 0];
        // SAFETY: an all-zero sockaddr_in6 is valid.
        let mut to: libc::sockaddr_in6 = unsafe { mem::zeroed() };
        to.sin6_family = libc::AF_INET6 as libc::sa_family_t;
        to.sin6_addr.s6_addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2).octets();
        to.sin6_scope_id = self.index;
        // SAFETY: `msg` and `to` are valid for the lengths given.
        let n = unsafe {
            libc::sendto(
                self.fd.get_ref().as_raw_fd(),
                msg.as_ptr().cast(),
                msg.len(),
                0,
                (&raw const to).cast(),
                mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Waits for the next router advertisement from the link (hop limit
    /// 255; others are skipped) into `buf`. Cancel-safe: a message is read
    /// in one go.
    pub(crate) async fn recv(&self, buf: &mut [u8]) -> io::Result<Received> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|fd| recv(fd.get_ref(), buf)) {
                Ok(Ok((r, Some(ND_HOP_LIMIT)))) => return Ok(r),
                Ok(Ok((r, hops))) => {
                    tracing::debug!(
                        "router advertisement from {} with hop limit {hops:?}, not 255: not from the link, ignored",
                        r.from
                    );
                }
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
    }
}

/// `recvmsg`: the message, its source, whether it was cut, and the hop
/// limit it arrived with (`IPV6_HOPLIMIT`).
fn recv(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<(Received, Option<libc::c_int>)> {
    // SAFETY: all-zero sockaddr_in6 and msghdr are valid.
    let mut from: libc::sockaddr_in6 = unsafe { mem::zeroed() };
    // u64s: aligned as cmsghdr needs.
    let mut control = [0u64; 16];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { mem::zeroed() };
    msg.msg_name = (&raw mut from).cast();
    msg.msg_namelen = mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t;
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = mem::size_of_val(&control);
    // SAFETY: every pointer in `msg` is valid for the length given with
    // it, for the duration of the call.
    let n = unsafe { libc::recvmsg(fd.as_raw_fd(), &raw mut msg, libc::MSG_TRUNC) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut hops = None;
    // SAFETY: `msg` was filled by recvmsg; the CMSG macros stay within
    // `msg_controllen` bytes of `control`, and a header of level/type
    // IPV6_HOPLIMIT carries one int (read unaligned to be safe).
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&raw const msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::IPPROTO_IPV6 && (*c).cmsg_type == libc::IPV6_HOPLIMIT {
                hops = Some(std::ptr::read_unaligned(
                    libc::CMSG_DATA(c).cast::<libc::c_int>(),
                ));
            }
            c = libc::CMSG_NXTHDR(&raw const msg, c);
        }
    }
    let len = usize::try_from(n).map_err(|_| invalid("message length"))?;
    Ok((
        Received {
            from: Ipv6Addr::from(from.sin6_addr.s6_addr),
            len,
            truncated: msg.msg_flags & libc::MSG_TRUNC != 0 || len > buf.len(),
        },
        hops,
    ))
}
