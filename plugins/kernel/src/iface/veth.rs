//! veth pairs: `veth.peer` is reported, and needed to create one (the
//! kernel creates both ends; deleting one deletes the other).

use nipart_plugin_api::{
    Error, Result,
    state::{Interface, VethConfig},
};
use nispor::{Iface, IfaceConf, IfaceType, NetState, VethConf};

use super::InterfaceKind;

pub(crate) struct Veth;

impl InterfaceKind for Veth {
    fn creates(&self) -> bool {
        true
    }

    fn query(&self, np: &Iface, _all: &NetState, iface: &mut Interface) {
        iface.veth = np.veth.as_ref().map(|v| VethConfig {
            peer: v.peer.clone(),
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
