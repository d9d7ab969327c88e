//! The neighbours heard on one interface, keyed by their MSAP identifier
//! (chassis ID and port ID): a frame adds a neighbour, refreshes it, or
//! replaces what it sent before; TTL 0 removes it at once; one whose TTL
//! ran out is removed by [`Table::expire`]. Bounded: at most `max`
//! neighbours, a new one beyond that is dropped and counted.

use std::time::{Duration, Instant};

use nipart_plugin_api::state::{LldpCounters, LldpNeighbor};

use crate::tlv::Lldpdu;

/// What a frame changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added(LldpNeighbor),
    Changed(LldpNeighbor),
    /// A shutdown LLDPDU (TTL 0) of a neighbour we knew.
    Shutdown(LldpNeighbor),
    /// The same TLVs again: only the expiry moved.
    Refreshed,
    /// Nothing: a shutdown of one we did not know, or a new neighbour
    /// beyond the bound.
    Ignored,
}

struct Entry {
    msap: Vec<u8>,
    tlvs: LldpNeighbor,
    expires: Instant,
}

pub struct Table {
    entries: Vec<Entry>,
    max: usize,
}

impl Table {
    pub fn new(max: usize) -> Table {
        Table {
            entries: Vec::new(),
            max,
        }
    }

    /// Takes a decoded frame received at `now`.
    pub fn receive(&mut self, pdu: Lldpdu, now: Instant, counters: &mut LldpCounters) -> Change {
        let pos = self.entries.iter().position(|e| e.msap == pdu.msap);
        if pdu.ttl == 0 {
            return match pos {
                Some(i) => Change::Shutdown(self.entries.remove(i).tlvs),
                None => Change::Ignored,
            };
        }
        let expires = now + Duration::from_secs(u64::from(pdu.ttl));
        match pos {
            Some(i) => {
                let e = &mut self.entries[i];
                e.expires = expires;
                if e.tlvs == pdu.tlvs {
                    Change::Refreshed
                } else {
                    e.tlvs = pdu.tlvs;
                    Change::Changed(e.tlvs.clone())
                }
            }
            None if self.entries.len() >= self.max => {
                counters.too_many_neighbors += 1;
                Change::Ignored
            }
            None => {
                let tlvs = pdu.tlvs;
                self.entries.push(Entry {
                    msap: pdu.msap,
                    tlvs: tlvs.clone(),
                    expires,
                });
                Change::Added(tlvs)
            }
        }
    }

    /// Removes the neighbours whose TTL ran out by `now`; them.
    pub fn expire(&mut self, now: Instant) -> Vec<LldpNeighbor> {
        let mut gone = Vec::new();
        self.entries.retain_mut(|e| {
            if e.expires <= now {
                gone.push(std::mem::take(&mut e.tlvs));
                false
            } else {
                true
            }
        });
        gone
    }

    /// When the next neighbour expires.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.entries.iter().map(|e| e.expires).min()
    }

    /// Every neighbour, in the order they were first heard.
    pub fn neighbors(&self) -> Vec<LldpNeighbor> {
        self.entries.iter().map(|e| e.tlvs.clone()).collect()
    }

    /// Empties the table; what it held.
    pub fn clear(&mut self) -> Vec<LldpNeighbor> {
        self.entries.drain(..).map(|e| e.tlvs).collect()
    }
}

#[cfg(test)]
mod tests {
    use nipart_plugin_api::state::LldpTlv;

    use super::*;

    fn pdu(chassis: &str, ttl: u16, name: &str) -> Lldpdu {
        Lldpdu {
            ttl,
            msap: chassis.as_bytes().to_vec(),
            tlvs: vec![LldpTlv::Ttl(ttl), LldpTlv::SystemName(name.into())],
        }
    }

    #[test]
    fn frames_add_refresh_change_and_shut_down_a_neighbour() {
        let mut t = Table::new(2);
        let mut c = LldpCounters::default();
        let now = Instant::now();
        assert!(matches!(
            t.receive(pdu("a", 4, "sw"), now, &mut c),
            Change::Added(_)
        ));
        assert_eq!(t.receive(pdu("a", 4, "sw"), now, &mut c), Change::Refreshed);
        assert!(
            matches!(t.receive(pdu("a", 4, "sw2"), now, &mut c), Change::Changed(n) if n[1] == LldpTlv::SystemName("sw2".into()))
        );
        assert_eq!(t.neighbors().len(), 1);
        assert!(matches!(
            t.receive(pdu("a", 0, "sw2"), now, &mut c),
            Change::Shutdown(_)
        ));
        assert!(t.neighbors().is_empty());
        assert_eq!(t.receive(pdu("a", 0, "sw2"), now, &mut c), Change::Ignored);
    }

    #[test]
    fn neighbours_expire_after_their_ttl_and_the_table_is_bounded() {
        let mut t = Table::new(2);
        let mut c = LldpCounters::default();
        let now = Instant::now();
        t.receive(pdu("a", 4, "a"), now, &mut c);
        t.receive(pdu("b", 10, "b"), now, &mut c);
        assert_eq!(t.receive(pdu("c", 10, "c"), now, &mut c), Change::Ignored);
        assert_eq!(c.too_many_neighbors, 1);
        assert_eq!(t.next_expiry(), Some(now + Duration::from_secs(4)));
        assert!(t.expire(now + Duration::from_secs(3)).is_empty());
        let gone = t.expire(now + Duration::from_secs(4));
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0][1], LldpTlv::SystemName("a".into()));
        assert_eq!(t.neighbors().len(), 1);
    }
}
