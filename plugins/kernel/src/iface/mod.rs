//! One module per interface type, each behind [`InterfaceKind`]: what a
//! query reports of the type's own properties, and what nispor's conf sets
//! to create or change one (as nispor lays out `query/` and `conf/`).
//! Links in general (state, MTU, MAC, controller, addresses) are the
//! callers' part (`query.rs`, `apply.rs`, `ip.rs`).
//!
//! Adding a type: a module here implementing [`InterfaceKind`], and one
//! line in [`KINDS`]. A nispor type no module claims is reported as
//! `unknown`: its common properties can be changed, but it can't be created.

mod bridge;
mod ethernet;
mod loopback;
mod veth;

use std::collections::HashSet;

use nipart_plugin_api::{
    Error, Result,
    state::{Interface, InterfaceType, NetworkState},
};
use nispor::{Iface, IfaceConf, IfaceType, NetState};

/// The types the plugin knows, one per module.
const KINDS: &[&dyn InterfaceKind] = &[
    &ethernet::Ethernet,
    &veth::Veth,
    &bridge::LinuxBridge,
    &loopback::Loopback,
];

/// One interface type: its names in the schema and in nispor, and the
/// conversion of its own properties each way.
pub(crate) trait InterfaceKind: Sync {
    /// The schema's name of the type.
    fn schema_type(&self) -> InterfaceType;

    /// nispor's name of the type.
    fn nispor_type(&self) -> IfaceType;

    /// Whether interfaces of this type take ports: those are created or
    /// changed before the other interfaces, so their ports can attach.
    fn is_controller(&self) -> bool {
        false
    }

    /// Fills `iface` (its common properties already set) with the type's
    /// own properties from nispor's `np` (`all`: the whole state, for
    /// properties kept on other interfaces, such as ports).
    fn query(&self, _np: &Iface, _all: &NetState, _iface: &mut Interface) {}

    /// Sets the type's own part of `conf` (its common part already set) to
    /// make `want` of `cur` (`None`: `want` is created).
    ///
    /// The default sets nothing, and refuses to create: a type nipart
    /// doesn't create (the kernel or a driver does).
    fn conf(&self, want: &Interface, cur: Option<&Interface>, _conf: &mut IfaceConf) -> Result<()> {
        refuse_create(want, cur, Some(self.schema_type()))
    }

    /// The complete list of ports `controller` wants, if it has this
    /// type's port list (ports not in it are detached).
    fn ports<'a>(&self, _controller: &'a Interface) -> Option<HashSet<&'a str>> {
        None
    }

    /// Sets the options `controller`, if it has this type's port list,
    /// holds for the port `conf` is for.
    fn port_conf(&self, _controller: &Interface, _conf: &mut IfaceConf) {}
}

/// The module for nispor's type `t`, if one claims it.
pub(crate) fn by_nispor_type(t: &IfaceType) -> Option<&'static dyn InterfaceKind> {
    KINDS.iter().copied().find(|k| k.nispor_type() == *t)
}

/// The module for the schema's type `t`, if one claims it.
pub(crate) fn by_schema_type(t: InterfaceType) -> Option<&'static dyn InterfaceKind> {
    KINDS.iter().copied().find(|k| k.schema_type() == t)
}

/// Whether `iface` is created or changed in the first pass (see
/// [`InterfaceKind::is_controller`]).
pub(crate) fn is_controller(iface: &Interface) -> bool {
    iface
        .iface_type
        .and_then(by_schema_type)
        .is_some_and(|k| k.is_controller())
}

/// The type's own part of `conf` for `want` (type from `want`, else from
/// `cur`), and the options its controller in `desired` holds for it.
pub(crate) fn conf(
    want: &Interface,
    cur: Option<&Interface>,
    desired: &NetworkState,
    conf: &mut IfaceConf,
) -> Result<()> {
    let t = want.iface_type.or(cur.and_then(|c| c.iface_type));
    match t.and_then(by_schema_type) {
        Some(kind) => kind.conf(want, cur, conf)?,
        None => refuse_create(want, cur, t)?,
    }
    if let Some(controller) = want
        .controller
        .as_deref()
        .and_then(|c| desired.interface(c))
    {
        for kind in KINDS {
            kind.port_conf(controller, conf);
        }
    }
    Ok(())
}

/// The ports `controller` wants (see [`InterfaceKind::ports`]), if it has
/// a port list.
pub(crate) fn ports(controller: &Interface) -> Option<HashSet<&str>> {
    KINDS.iter().find_map(|k| k.ports(controller))
}

/// An error if `want` is to be created (`cur` is `None`): for types the
/// plugin can't create.
fn refuse_create(
    want: &Interface,
    cur: Option<&Interface>,
    t: Option<InterfaceType>,
) -> Result<()> {
    if cur.is_some() {
        return Ok(());
    }
    Err(Error::invalid_input(format!(
        "{}: interface does not exist and the kernel plugin can't create one of type {}",
        want.name,
        t.map_or("(none)", |t| t.as_str())
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_has_one_module_both_ways() {
        for kind in KINDS {
            let t = kind.schema_type();
            assert_eq!(by_schema_type(t).map(|k| k.schema_type()), Some(t));
            let back = by_nispor_type(&kind.nispor_type()).map(|k| k.schema_type());
            assert_eq!(back, Some(t));
        }
        assert_eq!(
            KINDS.len(),
            InterfaceType::ALL.len() - 1,
            "every schema type but `unknown` has a module"
        );
        assert!(
            by_nispor_type(&IfaceType::Vxlan).is_none(),
            "reported as unknown"
        );
    }

    #[test]
    fn creating_a_type_nipart_does_not_create_is_refused() {
        let want = Interface {
            name: "eth9".into(),
            iface_type: Some(InterfaceType::Ethernet),
            ..Default::default()
        };
        let mut c = IfaceConf::default();
        let e = conf(&want, None, &NetworkState::default(), &mut c).unwrap_err();
        assert_eq!(e.kind(), nipart_plugin_api::ErrorKind::InvalidInput);
        assert!(
            e.message().contains("can't create one of type ethernet"),
            "{e}"
        );
        // Changing one that exists is fine.
        conf(&want, Some(&want), &NetworkState::default(), &mut c).unwrap();
    }
}
