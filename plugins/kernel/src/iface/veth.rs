//! veth pairs: `veth.peer` is reported, and needed to create one (the
//! kernel creates both ends; deleting one deletes the other).

use nipart_plugin_api::{
    Error, Result,
    state::{Interface, VethConfig},
};
use nispor::{IfaceConf, IfaceType, VethConf};

use super::{InterfaceKind, Queried};

pub(crate) struct Veth;

impl InterfaceKind for Veth {
    fn creates(&self) -> bool {
        true
    }

    fn query(&self, q: &Queried, iface: &mut Interface) {
        // nispor's rule: a peer in another namespace by its index.
        iface.veth = q.link.link.map(|peer| VethConfig {
            peer: if q.link.link_elsewhere {
                peer.to_string()
            } else {
                q.links.name_of(peer)
            },
        });
    }

    fn conf(&self, want: &Interface, cur: Option<&Interface>, conf: &mut IfaceConf) -> Result<()> {
        conf.iface_type = Some(IfaceType::Veth);
        if cur.is_none() {
            let peer = want.veth.as_ref().map(|v| v.peer.clone()).ok_or_else(|| {
                Error::invalid_input(format!(
                    "{}: a new veth interface needs veth.peer",
                    want.name
                ))
            })?;
            let mut v = VethConf::default();
            v.peer = peer;
            conf.veth = Some(v);
        }
        Ok(())
    }
}
