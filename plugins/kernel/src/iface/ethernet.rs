//! Ethernet: created by drivers, never by nipart; only common properties.

use nipart_plugin_api::state::InterfaceType;
use nispor::IfaceType;

use super::InterfaceKind;

pub(crate) struct Ethernet;

impl InterfaceKind for Ethernet {
    fn schema_type(&self) -> InterfaceType {
        InterfaceType::Ethernet
    }

    fn nispor_type(&self) -> IfaceType {
        IfaceType::Ethernet
    }
}
