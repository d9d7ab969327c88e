//! The parts of an ICMPv6 router advertisement (RFC 4861 4.2) that place
//! routes: the router lifetime, on-link prefixes (prefix information
//! options with the L flag, 4.6.2) and route information options (RFC
//! 4191 2.3). No I/O; bounded: at most [`MAX_KEPT`] prefixes and routes
//! are kept from one advertisement, the rest counted in `dropped`.

use std::{fmt, net::Ipv6Addr};

/// ICMPv6 type of a router advertisement.
pub(crate) const ROUTER_ADVERTISEMENT: u8 = 134;
/// At most this many on-link prefixes and routes (together) are taken
/// from one advertisement, and kept per interface.
pub(crate) const MAX_KEPT: usize = 64;

/// The fixed part of an advertisement: type, code, checksum, hop limit,
/// flags, router lifetime, reachable time, retransmission timer.
const HEADER_LEN: usize = 16;
const OPT_PREFIX_INFORMATION: u8 = 3;
const OPT_ROUTE_INFORMATION: u8 = 24;
/// The L (on-link) flag of a prefix information option.
const FLAG_ON_LINK: u8 = 0x80;

/// A prefix with its lifetime in seconds (`u32::MAX`: infinite; 0: gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prefix {
    pub prefix: Ipv6Addr,
    pub len: u8,
    pub lifetime: u32,
}

/// What an advertisement says about routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Advertisement {
    /// Seconds the router is a default router for (0: it is not).
    pub router_lifetime: u16,
    /// Prefixes with the L flag (on the link).
    pub on_link: Vec<Prefix>,
    /// Route information options: reachable through the router.
    pub routes: Vec<Prefix>,
    /// Prefixes and routes left out beyond [`MAX_KEPT`].
    pub dropped: usize,
}

/// Why bytes are not a router advertisement; the whole message is
/// ignored then (RFC 4861 6.1.2: options of length 0, or running past the
/// end, invalidate it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadAdvertisement {
    Short(usize),
    NotAdvertisement { kind: u8, code: u8 },
    ZeroLengthOption { at: usize },
    OptionOverruns { at: usize, len: usize, left: usize },
}

impl fmt::Display for BadAdvertisement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Short(n) => write!(f, "{n} bytes, shorter than an advertisement's {HEADER_LEN}"),
            Self::NotAdvertisement { kind, code } => {
                write!(
                    f,
                    "ICMPv6 type {kind} code {code}, not a router advertisement (134, 0)"
                )
            }
            Self::ZeroLengthOption { at } => write!(f, "option at byte {at} has length 0"),
            Self::OptionOverruns { at, len, left } => write!(
                f,
                "option at byte {at} is {len} bytes, only {left} are left"
            ),
        }
    }
}

/// Parses the ICMPv6 message `b` (from its type byte on).
pub(crate) fn parse(b: &[u8]) -> Result<Advertisement, BadAdvertisement> {
    if b.len() < HEADER_LEN {
        return Err(BadAdvertisement::Short(b.len()));
    }
    if b[0] != ROUTER_ADVERTISEMENT || b[1] != 0 {
        return Err(BadAdvertisement::NotAdvertisement {
            kind: b[0],
            code: b[1],
        });
    }
    let mut ad = Advertisement {
        router_lifetime: u16::from_be_bytes([b[6], b[7]]),
        on_link: Vec::new(),
        routes: Vec::new(),
        dropped: 0,
    };
    let mut at = HEADER_LEN;
    while at < b.len() {
        let left = b.len() - at;
        if left < 2 {
            return Err(BadAdvertisement::OptionOverruns { at, len: 2, left });
        }
        let len = usize::from(b[at + 1]) * 8;
        if len == 0 {
            return Err(BadAdvertisement::ZeroLengthOption { at });
        }
        if len > left {
            return Err(BadAdvertisement::OptionOverruns { at, len, left });
        }
        let opt = &b[at..at + len];
        let taken = match opt[0] {
            OPT_PREFIX_INFORMATION => on_link_prefix(opt).map(|p| (true, p)),
            OPT_ROUTE_INFORMATION => route_information(opt).map(|p| (false, p)),
            _ => None,
        };
        if let Some((on_link, p)) = taken {
            if ad.on_link.len() + ad.routes.len() >= MAX_KEPT {
                ad.dropped += 1;
            } else if on_link {
                ad.on_link.push(p);
            } else {
                ad.routes.push(p);
            }
        }
        at += len;
    }
    Ok(ad)
}

/// A prefix information option's prefix when it is on the link (L set);
/// a malformed option or a link-local prefix is ignored (RFC 4861 6.3.4).
fn on_link_prefix(opt: &[u8]) -> Option<Prefix> {
    if opt.len() != 32 || opt[3] & FLAG_ON_LINK == 0 {
        return None;
    }
    let prefix = prefix_of(&opt[16..32], opt[2])?;
    if prefix.segments()[0] & 0xffc0 == 0xfe80 {
        return None;
    }
    Some(Prefix {
        prefix,
        len: opt[2],
        lifetime: u32::from_be_bytes([opt[4], opt[5], opt[6], opt[7]]),
    })
}

/// A route information option's route; one whose length does not fit its
/// prefix length is ignored (RFC 4191 2.3).
fn route_information(opt: &[u8]) -> Option<Prefix> {
    let len = opt[2];
    let fits = match opt.len() {
        8 => len == 0,
        16 => len <= 64,
        24 => len <= 128,
        _ => false,
    };
    if !fits {
        return None;
    }
    Some(Prefix {
        prefix: prefix_of(&opt[8..], len)?,
        len,
        lifetime: u32::from_be_bytes([opt[4], opt[5], opt[6], opt[7]]),
    })
}

/// The first `len` bits of `bytes` (up to 16) as an address, the rest 0.
fn prefix_of(bytes: &[u8], len: u8) -> Option<Ipv6Addr> {
    if len > 128 {
        return None;
    }
    let mut full = [0u8; 16];
    let n = bytes.len().min(16);
    full[..n].copy_from_slice(&bytes[..n]);
    let bits = u128::from_be_bytes(full);
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    Some(Ipv6Addr::from(bits & mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(lifetime: u16) -> Vec<u8> {
        let mut b = vec![134, 0, 0, 0, 64, 0];
        b.extend(lifetime.to_be_bytes());
        b.extend([0; 8]);
        b
    }

    fn pio(prefix: &str, len: u8, flags: u8, valid: u32) -> Vec<u8> {
        let mut o = vec![3, 4, len, flags];
        o.extend(valid.to_be_bytes());
        o.extend(valid.to_be_bytes());
        o.extend([0; 4]);
        o.extend(prefix.parse::<Ipv6Addr>().unwrap().octets());
        o
    }

    fn rio(prefix: &str, len: u8, units: u8, lifetime: u32) -> Vec<u8> {
        let mut o = vec![24, units, len, 0];
        o.extend(lifetime.to_be_bytes());
        let p = prefix.parse::<Ipv6Addr>().unwrap().octets();
        o.extend(&p[..(usize::from(units) - 1) * 8]);
        o
    }

    fn p(prefix: &str, len: u8, lifetime: u32) -> Prefix {
        Prefix {
            prefix: prefix.parse().unwrap(),
            len,
            lifetime,
        }
    }

    #[test]
    fn takes_lifetime_on_link_prefixes_and_routes() {
        let mut b = header(1800);
        // Source link-layer address: skipped.
        b.extend([1, 1, 2, 0, 0, 0, 0, 1]);
        b.extend(pio("2001:db8:1::", 64, 0xc0, 3600));
        // Autonomous only (no L): not a route.
        b.extend(pio("2001:db8:2::", 64, 0x40, 3600));
        // Link-local: ignored.
        b.extend(pio("fe80::", 64, 0xc0, 3600));
        b.extend(rio("2001:db8:100::", 48, 2, 600));
        b.extend(rio("2001:db8:200:1::5", 128, 3, u32::MAX));
        b.extend(rio("::", 0, 1, 0));
        // Host bits beyond the length are cleared.
        b.extend(rio("2001:db8:300:ffff::", 40, 2, 10));
        let ad = parse(&b).unwrap();
        assert_eq!(ad.router_lifetime, 1800);
        assert_eq!(ad.on_link, [p("2001:db8:1::", 64, 3600)]);
        assert_eq!(
            ad.routes,
            [
                p("2001:db8:100::", 48, 600),
                p("2001:db8:200:1::5", 128, u32::MAX),
                p("::", 0, 0),
                p("2001:db8:300::", 40, 10),
            ]
        );
        assert_eq!(ad.dropped, 0);
    }

    #[test]
    fn route_information_that_does_not_fit_its_length_is_ignored() {
        let mut b = header(0);
        // A /64 needs 2 units at least, a /65 3.
        b.extend(rio("2001:db8::", 65, 2, 600));
        b.extend(rio("2001:db8::", 1, 1, 600));
        let mut four = rio("2001:db8::", 64, 3, 600);
        four[1] = 4;
        four.extend([0; 8]);
        b.extend(four);
        // Prefix information of the wrong length.
        let mut short = pio("2001:db8:1::", 64, 0xc0, 3600);
        short[1] = 3;
        short.truncate(24);
        b.extend(short);
        let ad = parse(&b).unwrap();
        assert!(ad.routes.is_empty() && ad.on_link.is_empty(), "{ad:?}");
    }

    #[test]
    fn truncated_and_malformed_messages_are_refused() {
        assert_eq!(parse(&header(5)[..15]), Err(BadAdvertisement::Short(15)));
        let mut rs = header(5);
        rs[0] = 133;
        assert_eq!(
            parse(&rs),
            Err(BadAdvertisement::NotAdvertisement { kind: 133, code: 0 })
        );
        let mut zero = header(5);
        zero.extend([1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            parse(&zero),
            Err(BadAdvertisement::ZeroLengthOption { at: 16 })
        );
        // A prefix option cut after 20 of its 32 bytes.
        let mut cut = header(5);
        cut.extend(&pio("2001:db8:1::", 64, 0xc0, 3600)[..20]);
        assert_eq!(
            parse(&cut),
            Err(BadAdvertisement::OptionOverruns {
                at: 16,
                len: 32,
                left: 20
            })
        );
        let mut one = header(5);
        one.push(3);
        assert_eq!(
            parse(&one),
            Err(BadAdvertisement::OptionOverruns {
                at: 16,
                len: 2,
                left: 1
            })
        );
        // An option claiming 255 units (2040 bytes) in a short message.
        let mut big = header(5);
        big.extend([24, 255, 0, 0, 0, 0, 0, 0]);
        assert!(matches!(
            parse(&big),
            Err(BadAdvertisement::OptionOverruns { len: 2040, .. })
        ));
    }

    #[test]
    fn keeps_at_most_max_kept_and_counts_the_rest() {
        let mut b = header(60);
        for i in 0..100u16 {
            b.extend(rio(&format!("2001:db8:{i:x}::"), 48, 2, 60));
        }
        b.extend(pio("2001:db8:ffff::", 64, 0xc0, 60));
        let ad = parse(&b).unwrap();
        assert_eq!(ad.routes.len(), MAX_KEPT);
        assert!(ad.on_link.is_empty());
        assert_eq!(ad.dropped, 100 - MAX_KEPT + 1);
        // An oversized but well-formed option (the largest length) is
        // skipped whole.
        let mut huge = header(60);
        huge.extend([200, 255]);
        huge.extend(vec![0; 2040 - 2]);
        huge.extend(pio("2001:db8:1::", 64, 0xc0, 60));
        assert_eq!(parse(&huge).unwrap().on_link.len(), 1);
    }
}
