//! The `AF_PACKET` socket of one interface: bound to the interface and to
//! LLDP's ethertype (so the kernel hands us nothing else), joined to the
//! nearest-bridge group address; it receives LLDP frames and sends ours.

use std::{
    ffi::CString,
    io, mem,
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
};

use tokio::io::unix::AsyncFd;

use crate::tlv::{ETHERTYPE, NEAREST_BRIDGE};

/// Frames we sent ourselves come back with this packet type.
const PACKET_OUTGOING: u8 = 4;

pub struct LldpSocket {
    fd: AsyncFd<OwnedFd>,
    index: i32,
    /// The interface's MAC address (our frames' source).
    pub mac: [u8; 6],
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what.to_string())
}

impl LldpSocket {
    /// Opens the socket on `interface`.
    pub fn open(interface: &str) -> io::Result<LldpSocket> {
        let name = CString::new(interface).map_err(|_| invalid("a NUL in the name"))?;
        // SAFETY: plain FFI call; the name is a NUL-terminated string that
        // outlives the call.
        let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if index == 0 {
            return Err(io::Error::last_os_error());
        }
        let index = i32::try_from(index).map_err(|_| invalid("interface index"))?;
        // Protocol 0: nothing is queued until the socket is bound below to
        // the interface and LLDP's ethertype.
        // SAFETY: plain FFI call with constant arguments.
        let raw = unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
            )
        };
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `raw` is a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let mut sll = sockaddr(index);
        sll.sll_protocol = ETHERTYPE.to_be();
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
        // The group address is link-local multicast: without joining it a
        // NIC may filter it out.
        // SAFETY: an all-zero packet_mreq is valid.
        let mut mreq: libc::packet_mreq = unsafe { mem::zeroed() };
        mreq.mr_ifindex = index;
        mreq.mr_type = libc::PACKET_MR_MULTICAST as u16;
        mreq.mr_alen = 6;
        mreq.mr_address[..6].copy_from_slice(&NEAREST_BRIDGE);
        // SAFETY: `mreq` is a packet_mreq of the size given.
        let rc = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_PACKET,
                libc::PACKET_ADD_MEMBERSHIP,
                (&raw const mreq).cast(),
                mem::size_of::<libc::packet_mreq>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        let mac = hardware_address(&fd, interface)?;
        // SAFETY: `fd` is open, owned by the AsyncFd from here on, and
        // refers to the same socket for its whole life.
        let fd = unsafe { AsyncFd::register(fd) }?;
        Ok(LldpSocket { fd, index, mac })
    }

    /// Waits for the next frame from another host into `buf`; the frame's
    /// whole length (more than `buf` holds when it was cut). Cancel-safe: a
    /// frame is read in one go.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|fd| recv(fd.get_ref(), buf)) {
                Ok(Ok((_, pkttype))) if pkttype == PACKET_OUTGOING => continue,
                Ok(Ok((len, _))) => return Ok(len),
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
    }

    /// Sends `frame` (a whole Ethernet frame) out of the interface.
    pub fn send(&self, frame: &[u8]) -> io::Result<()> {
        let mut sll = sockaddr(self.index);
        sll.sll_protocol = ETHERTYPE.to_be();
        sll.sll_halen = 6;
        sll.sll_addr[..6].copy_from_slice(&NEAREST_BRIDGE);
        // SAFETY: `frame` and `sll` are valid for the lengths given.
        let n = unsafe {
            libc::sendto(
                self.fd.get_ref().as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                0,
                (&raw const sll).cast(),
                mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

fn sockaddr(index: i32) -> libc::sockaddr_ll {
    // SAFETY: an all-zero sockaddr_ll is valid.
    let mut sll: libc::sockaddr_ll = unsafe { mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_ifindex = index;
    sll
}

/// `recvfrom` with `MSG_TRUNC`: the frame's real length and its packet
/// type.
fn recv(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<(usize, u8)> {
    let mut from = sockaddr(0);
    let mut from_len = mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
    // SAFETY: `buf` and `from` are valid for the lengths given.
    let n = unsafe {
        libc::recvfrom(
            fd.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_TRUNC,
            (&raw mut from).cast(),
            &mut from_len,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((n.unsigned_abs(), from.sll_pkttype))
}

/// The interface's MAC address (`SIOCGIFHWADDR`).
fn hardware_address(fd: &OwnedFd, interface: &str) -> io::Result<[u8; 6]> {
    // SAFETY: an all-zero ifreq is valid.
    let mut req: libc::ifreq = unsafe { mem::zeroed() };
    let name = interface.as_bytes();
    if name.len() >= req.ifr_name.len() {
        return Err(invalid("interface name too long"));
    }
    for (d, s) in req.ifr_name.iter_mut().zip(name) {
        *d = *s as libc::c_char;
    }
    // SAFETY: `req` is an ifreq with a NUL-terminated name; the kernel
    // writes the address into it.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCGIFHWADDR, &raw mut req) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: SIOCGIFHWADDR filled the `ifru_hwaddr` member of the union.
    let data = unsafe { req.ifr_ifru.ifru_hwaddr.sa_data };
    let mut mac = [0u8; 6];
    for (d, s) in mac.iter_mut().zip(data.iter()) {
        *d = *s as u8;
    }
    Ok(mac)
}
