//! Dummy interfaces: no properties of their own; created by nipart.

use nipart_plugin_api::{Result, state::Interface};
use nispor::{IfaceConf, IfaceType};

use super::InterfaceKind;

pub(crate) struct Dummy;

impl InterfaceKind for Dummy {
    fn creates(&self) -> bool {
        true
    }

    fn conf(&self, _want: &Interface, cur: Option<&Interface>, conf: &mut IfaceConf) -> Result<()> {
        // nispor creates a dummy only for a new one; an existing one is
        // changed through the common link properties.
        if cur.is_none() {
            conf.iface_type = Some(IfaceType::Dummy);
        }
        Ok(())
    }
}
