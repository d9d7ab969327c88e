//! Loopback (`lo`): one per network namespace, made by the kernel; only
//! common properties.

use nipart_plugin_api::state::InterfaceType;
use nispor::IfaceType;

use super::InterfaceKind;

pub(crate) struct Loopback;

impl InterfaceKind for Loopback {
    fn schema_type(&self) -> InterfaceType {
        InterfaceType::Loopback
    }

    fn nispor_type(&self) -> IfaceType {
        IfaceType::Loopback
    }
}
