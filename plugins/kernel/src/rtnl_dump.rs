//! One rtnetlink dump (`NLM_F_DUMP`) read from its bytes, for the query's
//! reads that need only a few attributes of each message: the links
//! ([`crate::link_dump`]) and the addresses ([`crate::ip`]). The route
//! crate's parser decodes every attribute of every message (and, in 0.33,
//! formatted each one for an error message it did not need), which with
//! hundreds of links was most of a `show`.
//!
//! Bounded: each message's and attribute's length is checked against what
//! was received, and a dump that does not end after [`MAX_READS`] reads is
//! an error.

use rtnetlink::sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

const NLMSG_HDR: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
/// The most reads for one dump (each holds many messages).
const MAX_READS: usize = 100_000;
/// The read buffer: the kernel's dump datagrams are at most 32 KiB but for
/// a single larger message (a link with many SR-IOV VFs).
const READ_BUFFER: usize = 256 * 1024;

/// Dumps `request` (`RTM_GET*`) with `header` (its family header:
/// `ifinfomsg`, `ifaddrmsg`, ...) in the calling thread's network
/// namespace; `each` gets every reply message's type and body (the family
/// header then the attributes).
pub(crate) fn dump(
    request: u16,
    header: &[u8],
    mut each: impl FnMut(u16, &[u8]),
) -> std::io::Result<()> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let seq: u32 = 1;
    let len = NLMSG_HDR + header.len();
    let mut message = Vec::with_capacity(len);
    message.extend_from_slice(&(len as u32).to_ne_bytes());
    message.extend_from_slice(&request.to_ne_bytes());
    let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
    message.extend_from_slice(&flags.to_ne_bytes());
    message.extend_from_slice(&seq.to_ne_bytes());
    message.extend_from_slice(&0u32.to_ne_bytes());
    message.extend_from_slice(header);
    socket.send(&message, 0)?;

    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    // One buffer for every read, one read per datagram: no peek for its
    // size, no new allocation each time; and a buffer this large lets the
    // kernel fill up to 32 KiB per read (it sizes a dump's datagrams by
    // the largest read it has seen).
    let mut buf: Vec<u8> = Vec::with_capacity(READ_BUFFER);
    for _ in 0..MAX_READS {
        buf.clear();
        let len = socket.recv(&mut buf, libc::MSG_TRUNC)?;
        if len > buf.len() {
            return Err(bad("a datagram larger than the read buffer (256 KiB)"));
        }
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
                NLMSG_DONE => return Ok(()),
                NLMSG_ERROR => {
                    let code = body
                        .get(..4)
                        .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                    return Err(std::io::Error::from_raw_os_error(-code));
                }
                _ => each(kind, body),
            }
        }
    }
    Err(bad("the dump did not end"))
}

/// The (type, value) of each attribute (`rtattr`) in `buf`; stops at one
/// that does not fit.
pub(crate) fn attributes(mut buf: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
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

pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at + 2)?;
    Some(u16::from_ne_bytes([s[0], s[1]]))
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

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
