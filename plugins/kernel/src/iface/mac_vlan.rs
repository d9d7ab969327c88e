//! MAC-VLAN and MAC-VTAP interfaces: `base-iface` (set when the link is
//! created), `mode` and `promiscuous`. nispor reads them but has no conf
//! for them, so the plugin creates and changes them by netlink itself
//! ([`InterfaceKind::link_request`]); the common properties then go
//! through nispor as for any link.

use nipart_plugin_api::{
    Result,
    state::{Interface, MacVlanConfig, MacVlanMode},
};
use nispor::MacVlanFlag;
use rtnetlink::{
    LinkMacVlan, LinkMacVtap, LinkMessageBuilder,
    packet_route::link::{self, InfoMacVlan, InfoMacVtap, MacVlanFlags},
};

use super::{InterfaceKind, LinkRequest, Queried};
use crate::address::index_of;

/// `vtap`: a MAC-VTAP (the same driver with a tap device per link).
pub(crate) struct MacVlan {
    pub vtap: bool,
}

fn mode_from_np(name: &str) -> Option<MacVlanMode> {
    MacVlanMode::ALL
        .iter()
        .copied()
        .find(|m| m.as_str() == name)
}

fn mode_to_nl(m: MacVlanMode) -> link::MacVlanMode {
    match m {
        MacVlanMode::Vepa => link::MacVlanMode::Vepa,
        MacVlanMode::Bridge => link::MacVlanMode::Bridge,
        MacVlanMode::Private => link::MacVlanMode::Private,
        MacVlanMode::Passthru => link::MacVlanMode::Passthrough,
        MacVlanMode::Source => link::MacVlanMode::Source,
    }
}

impl MacVlan {
    fn section<'a>(&self, i: &'a Interface) -> Option<&'a MacVlanConfig> {
        if self.vtap {
            i.mac_vtap.as_ref()
        } else {
            i.mac_vlan.as_ref()
        }
    }

    /// The netlink message setting `mode` and `promiscuous` of `w` on the
    /// link `name` (`base`: the base interface's index, to create it).
    fn message(&self, name: &str, base: Option<u32>, w: &MacVlanConfig) -> link::LinkMessage {
        let flags = w.promiscuous.map(|p| {
            if p {
                MacVlanFlags::empty()
            } else {
                MacVlanFlags::NoPromisc
            }
        });
        if self.vtap {
            let mut b = LinkMessageBuilder::<LinkMacVtap>::new(name);
            if let Some(i) = base {
                b = b.link(i);
            }
            if let Some(m) = w.mode {
                b = b.mode(mode_to_nl(m));
            }
            if let Some(f) = flags {
                b = b.append_info_data(InfoMacVtap::Flags(f));
            }
            b.build()
        } else {
            let mut b = LinkMessageBuilder::<LinkMacVlan>::new(name);
            if let Some(i) = base {
                b = b.link(i);
            }
            if let Some(m) = w.mode {
                b = b.mode(mode_to_nl(m));
            }
            if let Some(f) = flags {
                b = b.append_info_data(InfoMacVlan::Flags(f));
            }
            b.build()
        }
    }
}

impl InterfaceKind for MacVlan {
    fn creates(&self) -> bool {
        true
    }

    fn reads_nispor(&self) -> bool {
        true
    }

    fn query(&self, q: &Queried, iface: &mut Interface) {
        let Some((np, _)) = q.nispor else {
            return;
        };
        let info = if self.vtap {
            np.mac_vtap.as_ref().map(|v| {
                (
                    v.base_iface.clone(),
                    serde_json::to_value(&v.mode),
                    &v.flags,
                )
            })
        } else {
            np.mac_vlan.as_ref().map(|v| {
                (
                    v.base_iface.clone(),
                    serde_json::to_value(&v.mode),
                    &v.flags,
                )
            })
        };
        let section = info.map(|(base, mode, flags)| MacVlanConfig {
            base_iface: (!base.is_empty()).then_some(base),
            mode: mode.ok().and_then(|m| m.as_str().and_then(mode_from_np)),
            promiscuous: Some(!flags.contains(&MacVlanFlag::NoPromisc)),
        });
        if self.vtap {
            iface.mac_vtap = section;
        } else {
            iface.mac_vlan = section;
        }
    }

    fn link_request(
        &self,
        want: &Interface,
        cur: Option<&Interface>,
    ) -> Result<Option<LinkRequest>> {
        let Some(w) = self.section(want) else {
            return Ok(None);
        };
        match cur {
            None => {
                let base = w.base_iface.as_deref().map(index_of).transpose()?;
                let mut w = w.clone();
                // The kernel's default mode is vepa; say so, so the
                // message is complete.
                w.mode = Some(w.mode.unwrap_or(MacVlanMode::Vepa));
                Ok(Some(LinkRequest::Add(self.message(&want.name, base, &w))))
            }
            Some(c) => {
                let h = self.section(c);
                let changed = (w.mode.is_some() && w.mode != h.and_then(|h| h.mode))
                    || (w.promiscuous.is_some() && w.promiscuous != h.and_then(|h| h.promiscuous));
                if !changed {
                    return Ok(None);
                }
                let w = MacVlanConfig {
                    base_iface: None,
                    ..w.clone()
                };
                Ok(Some(LinkRequest::Change(
                    self.message(&want.name, None, &w),
                )))
            }
        }
    }
}
