//! Our own LLDPDUs: this host's chassis ID (from `/etc/machine-id`, else
//! the interface's MAC address), the interface's name as port ID, the
//! host name, a description, station-only capabilities and the
//! interface's addresses as management addresses. Every string is cut to
//! what its TLV holds, the addresses to [`MAX_MANAGEMENT`], so the frame
//! always fits [`MAX_LLDPDU`].

use std::{io::Read, net::IpAddr};

use nipart_plugin_api::state::tlv_type;

use crate::tlv::{ETHERTYPE, MAX_LLDPDU, NEAREST_BRIDGE};

/// At most this many management addresses are announced.
pub const MAX_MANAGEMENT: usize = 8;

/// Chassis ID subtypes we send.
const CHASSIS_MAC: u8 = 4;
const CHASSIS_LOCAL: u8 = 7;
/// Port ID subtype "interface name".
const PORT_IFNAME: u8 = 5;
/// Capability bit "station only".
const STATION_ONLY: u16 = 1 << 7;

/// What we announce on one interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// Chassis ID subtype and value.
    pub chassis: (u8, Vec<u8>),
    pub interface: String,
    pub ifindex: u32,
    pub ttl: u16,
    pub system_name: String,
    pub system_description: String,
    pub addresses: Vec<IpAddr>,
}

impl Announcement {
    /// This host's chassis ID: the machine ID (locally assigned), or the
    /// interface's MAC address when there is none.
    pub fn chassis(mac: [u8; 6]) -> (u8, Vec<u8>) {
        match machine_id() {
            Some(id) => (CHASSIS_LOCAL, id.into_bytes()),
            None => (CHASSIS_MAC, mac.to_vec()),
        }
    }

    /// The whole Ethernet frame, from `src`.
    pub fn frame(&self, src: [u8; 6]) -> Vec<u8> {
        let mut f = header(src);
        self.mandatory(&mut f, self.ttl);
        tlv(
            &mut f,
            tlv_type::PORT_DESCRIPTION,
            &[self.interface.as_bytes()],
        );
        tlv(
            &mut f,
            tlv_type::SYSTEM_NAME,
            &[cut(&self.system_name, 255)],
        );
        tlv(
            &mut f,
            tlv_type::SYSTEM_DESCRIPTION,
            &[cut(&self.system_description, 255)],
        );
        let caps = STATION_ONLY.to_be_bytes();
        tlv(&mut f, tlv_type::SYSTEM_CAPABILITIES, &[&caps, &caps]);
        for a in self.addresses.iter().take(MAX_MANAGEMENT) {
            let (family, bytes): (u8, Vec<u8>) = match a {
                IpAddr::V4(v4) => (1, v4.octets().to_vec()),
                IpAddr::V6(v6) => (2, v6.octets().to_vec()),
            };
            let alen = [(bytes.len() + 1) as u8, family];
            // Interface numbering: ifIndex (2); no OID.
            let mut tail = [2u8, 0, 0, 0, 0, 0];
            tail[1..5].copy_from_slice(&self.ifindex.to_be_bytes());
            tlv(
                &mut f,
                tlv_type::MANAGEMENT_ADDRESS,
                &[&alen, &bytes, &tail],
            );
        }
        end(&mut f);
        f
    }

    /// The shutdown LLDPDU: chassis ID, port ID, TTL 0.
    pub fn shutdown_frame(&self, src: [u8; 6]) -> Vec<u8> {
        let mut f = header(src);
        self.mandatory(&mut f, 0);
        end(&mut f);
        f
    }

    fn mandatory(&self, f: &mut Vec<u8>, ttl: u16) {
        let (subtype, id) = &self.chassis;
        tlv(f, tlv_type::CHASSIS_ID, &[&[*subtype], cut_bytes(id, 255)]);
        tlv(
            f,
            tlv_type::PORT_ID,
            &[&[PORT_IFNAME], cut(&self.interface, 255)],
        );
        tlv(f, tlv_type::TTL, &[&ttl.to_be_bytes()]);
    }
}

fn header(src: [u8; 6]) -> Vec<u8> {
    let mut f = Vec::with_capacity(256);
    f.extend_from_slice(&NEAREST_BRIDGE);
    f.extend_from_slice(&src);
    f.extend_from_slice(&ETHERTYPE.to_be_bytes());
    f
}

fn end(f: &mut Vec<u8>) {
    f.extend_from_slice(&[0, 0]);
    debug_assert!(f.len() <= 14 + MAX_LLDPDU);
}

/// Appends a TLV made of `parts`; each part is bounded by its caller, the
/// whole by 511 (the length field's 9 bits).
fn tlv(f: &mut Vec<u8>, t: u8, parts: &[&[u8]]) {
    let len: usize = parts.iter().map(|p| p.len()).sum::<usize>().min(511);
    let header = (u16::from(t) << 9) | len as u16;
    f.extend_from_slice(&header.to_be_bytes());
    let mut left = len;
    for p in parts {
        let n = p.len().min(left);
        f.extend_from_slice(&p[..n]);
        left -= n;
    }
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn cut(s: &str, max: usize) -> &[u8] {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s.as_bytes()[..end]
}

fn cut_bytes(b: &[u8], max: usize) -> &[u8] {
    &b[..b.len().min(max)]
}

/// `/etc/machine-id`, if it holds one (32 hex digits).
fn machine_id() -> Option<String> {
    let mut buf = String::new();
    std::fs::File::open("/etc/machine-id")
        .ok()?
        .take(64)
        .read_to_string(&mut buf)
        .ok()?;
    let id = buf.trim();
    (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_string())
}

/// The host name (`gethostname`), or `None`.
pub fn host_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is valid for its length; gethostname writes at most
    // that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).into_owned();
    (!name.is_empty()).then_some(name)
}

/// `nipart <version> on <kernel name> <release> <machine>`.
pub fn system_description() -> String {
    // SAFETY: an all-zero utsname is valid; uname fills it.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a utsname.
    let kernel = if unsafe { libc::uname(&mut u) } == 0 {
        let field = |f: &[libc::c_char]| {
            let b: Vec<u8> = f
                .iter()
                .take_while(|c| **c != 0)
                .map(|c| *c as u8)
                .collect();
            String::from_utf8_lossy(&b).into_owned()
        };
        format!(
            " on {} {} {}",
            field(&u.sysname),
            field(&u.release),
            field(&u.machine)
        )
    } else {
        String::new()
    };
    format!("nipart {}{kernel}", env!("CARGO_PKG_VERSION"))
}

/// The addresses of `interface` worth announcing: global IPv4 and IPv6
/// (not link-local), at most [`MAX_MANAGEMENT`].
pub fn interface_addresses(interface: &str) -> Vec<IpAddr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list we free below.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return out;
    }
    let mut cur = head;
    while !cur.is_null() && out.len() < MAX_MANAGEMENT {
        // SAFETY: `cur` is a node of the list getifaddrs returned, alive
        // until freeifaddrs.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        if ifa.ifa_name.is_null() || ifa.ifa_addr.is_null() {
            continue;
        }
        // SAFETY: a NUL-terminated name from getifaddrs.
        let name = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) };
        if name.to_bytes() != interface.as_bytes() {
            continue;
        }
        // SAFETY: `ifa_addr` is non-null and its family says which
        // sockaddr it is.
        let family = i32::from(unsafe { (*ifa.ifa_addr).sa_family });
        if family == libc::AF_INET {
            // SAFETY: an AF_INET address is a sockaddr_in.
            let sin = unsafe { &*ifa.ifa_addr.cast::<libc::sockaddr_in>() };
            out.push(IpAddr::from(
                u32::from_be(sin.sin_addr.s_addr).to_be_bytes(),
            ));
        } else if family == libc::AF_INET6 {
            // SAFETY: an AF_INET6 address is a sockaddr_in6.
            let sin6 = unsafe { &*ifa.ifa_addr.cast::<libc::sockaddr_in6>() };
            let ip = std::net::Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            if ip.segments()[0] & 0xffc0 != 0xfe80 {
                out.push(IpAddr::V6(ip));
            }
        }
    }
    // SAFETY: `head` came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(head) };
    out
}

#[cfg(test)]
mod tests {
    use nipart_plugin_api::state::{LldpManagementAddress, LldpTlv};

    use super::*;
    use crate::tlv::decode_frame;

    fn ours() -> Announcement {
        Announcement {
            chassis: (CHASSIS_LOCAL, b"0123456789abcdef0123456789abcdef".to_vec()),
            interface: "eth1".into(),
            ifindex: 7,
            ttl: 120,
            system_name: "host1".into(),
            system_description: "nipart 0.1.0 on Linux".into(),
            addresses: vec!["192.0.2.2".parse().unwrap(), "2001:db8::2".parse().unwrap()],
        }
    }

    #[test]
    fn our_lldpdu_decodes_into_what_we_announce() {
        let src = [2, 0, 0, 0, 0, 9];
        let pdu = decode_frame(&ours().frame(src)).unwrap();
        let station = vec!["Station Only".to_string()];
        let mgmt = |address: &str, subtype: &str| LldpManagementAddress {
            address: address.into(),
            address_subtype: subtype.into(),
            interface_number: 7,
            interface_number_subtype: 2,
        };
        assert_eq!(
            pdu.tlvs,
            [
                LldpTlv::ChassisId {
                    id: "0123456789abcdef0123456789abcdef".into(),
                    subtype: 7
                },
                LldpTlv::PortId {
                    id: "eth1".into(),
                    subtype: 5
                },
                LldpTlv::Ttl(120),
                LldpTlv::PortDescription("eth1".into()),
                LldpTlv::SystemName("host1".into()),
                LldpTlv::SystemDescription("nipart 0.1.0 on Linux".into()),
                LldpTlv::SystemCapabilities {
                    supported: station.clone(),
                    enabled: station
                },
                LldpTlv::ManagementAddresses(vec![
                    mgmt("192.0.2.2", "IPv4"),
                    mgmt("2001:db8::2", "IPv6")
                ]),
            ]
        );
        let bye = decode_frame(&ours().shutdown_frame(src)).unwrap();
        assert_eq!(bye.ttl, 0);
        assert_eq!(bye.msap, pdu.msap);
    }

    #[test]
    fn long_names_and_many_addresses_still_make_a_valid_frame() {
        let mut a = ours();
        a.system_name = "é".repeat(300);
        a.system_description = "d".repeat(1000);
        a.addresses = (0..40)
            .map(|i| IpAddr::from([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i]))
            .collect();
        let f = a.frame([2, 0, 0, 0, 0, 9]);
        assert!(f.len() <= 14 + MAX_LLDPDU, "{} bytes", f.len());
        let pdu = decode_frame(&f).unwrap();
        let name = pdu.tlvs.iter().find_map(|t| match t {
            LldpTlv::SystemName(s) => Some(s.clone()),
            _ => None,
        });
        // Cut at a character boundary within 255 bytes.
        assert_eq!(name, Some("é".repeat(127)));
        let addresses = pdu.tlvs.iter().find_map(|t| match t {
            LldpTlv::ManagementAddresses(l) => Some(l.len()),
            _ => None,
        });
        assert_eq!(addresses, Some(MAX_MANAGEMENT));
    }
}
