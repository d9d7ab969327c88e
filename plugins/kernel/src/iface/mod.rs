//! One module per interface type, each behind [`InterfaceKind`]: what a
//! query reports of the type's own properties, and what nispor's conf sets
//! to create or change one (as nispor lays out `query/` and `conf/`).
//! Links in general (state, MTU, MAC, controller, addresses) are the
//! callers' part (`query.rs`, `apply.rs`, `ip.rs`).
//!
//! Adding a type: a module here implementing [`InterfaceKind`], and one
//! entry in [`KINDS`] (a type with no properties of its own, such as
//! ethernet, needs only the entry, with [`CommonOnly`]). A nispor type no
//! entry names is reported as `unknown`: its common properties can be
//! changed, but it can't be created.

mod bond;
mod bridge;
mod dummy;
mod mac_vlan;
mod veth;
mod vlan;
mod vrf;
mod vxlan;

pub(crate) use bridge::apply_port_vlans;

use std::collections::HashSet;

use nipart_plugin_api::{
    Error, Result,
    state::{Interface, InterfaceType, NetworkState},
};
use nispor::{Iface, IfaceConf, IfaceType, NetState};

use crate::link_dump::{Link, LinkDump};

/// A type the plugin knows: its names in the schema, in nispor and in the
/// kernel (`IFLA_INFO_KIND`; `None` for the types the link layer says:
/// ethernet, loopback), and its module.
struct Registered {
    schema: InterfaceType,
    nispor: IfaceType,
    link_kind: Option<&'static str>,
    kind: &'static dyn InterfaceKind,
}

/// The types the plugin knows, one line each.
const KINDS: &[Registered] = &[
    Registered {
        schema: InterfaceType::Ethernet,
        nispor: IfaceType::Ethernet,
        link_kind: None,
        kind: &CommonOnly,
    },
    Registered {
        schema: InterfaceType::Loopback,
        nispor: IfaceType::Loopback,
        link_kind: None,
        kind: &CommonOnly,
    },
    Registered {
        schema: InterfaceType::Veth,
        nispor: IfaceType::Veth,
        link_kind: Some("veth"),
        kind: &veth::Veth,
    },
    Registered {
        schema: InterfaceType::LinuxBridge,
        nispor: IfaceType::Bridge,
        link_kind: Some("bridge"),
        kind: &bridge::LinuxBridge,
    },
    Registered {
        schema: InterfaceType::Dummy,
        nispor: IfaceType::Dummy,
        link_kind: Some("dummy"),
        kind: &dummy::Dummy,
    },
    Registered {
        schema: InterfaceType::Bond,
        nispor: IfaceType::Bond,
        link_kind: Some("bond"),
        kind: &bond::Bond,
    },
    Registered {
        schema: InterfaceType::Vlan,
        nispor: IfaceType::Vlan,
        link_kind: Some("vlan"),
        kind: &vlan::Vlan,
    },
    Registered {
        schema: InterfaceType::Vrf,
        nispor: IfaceType::Vrf,
        link_kind: Some("vrf"),
        kind: &vrf::Vrf,
    },
    Registered {
        schema: InterfaceType::MacVlan,
        nispor: IfaceType::MacVlan,
        link_kind: Some("macvlan"),
        kind: &mac_vlan::MacVlan { vtap: false },
    },
    Registered {
        schema: InterfaceType::MacVtap,
        nispor: IfaceType::MacVtap,
        link_kind: Some("macvtap"),
        kind: &mac_vlan::MacVlan { vtap: true },
    },
    Registered {
        schema: InterfaceType::Vxlan,
        nispor: IfaceType::Vxlan,
        link_kind: Some("vxlan"),
        kind: &vxlan::Vxlan,
    },
];

/// What a query reads one link's own properties from.
pub(crate) struct Queried<'a> {
    /// The link in the link dump.
    pub link: &'a Link,
    /// The whole dump (for the names of other links).
    pub links: &'a LinkDump,
    /// nispor's view of the link and the whole state (for properties kept
    /// on other interfaces, such as ports): given when the type
    /// [reads nispor](InterfaceKind::reads_nispor) and nispor had the link
    /// (one created between the two reads is missing).
    pub nispor: Option<(&'a Iface, &'a NetState)>,
}

/// A netlink request the plugin sends itself, for what nispor's conf
/// can't say (see [`InterfaceKind::link_request`]).
pub(crate) enum LinkRequest {
    /// Create the link (`RTM_NEWLINK` with `NLM_F_CREATE`).
    Add(rtnetlink::packet_route::link::LinkMessage),
    /// Change the existing link.
    Change(rtnetlink::packet_route::link::LinkMessage),
}

/// The conversion of one interface type's own properties each way. Every
/// method has a default for a type with none: it is reported and changed
/// through the common properties only, and never created (the kernel or a
/// driver makes it).
pub(crate) trait InterfaceKind: Sync {
    /// Whether nipart creates interfaces of this type (keep in step with
    /// [`InterfaceType::can_create`], which the `state` plugin plans with).
    fn creates(&self) -> bool {
        false
    }

    /// Whether interfaces of this type take ports: those are created or
    /// changed before the other interfaces, so their ports can attach.
    fn is_controller(&self) -> bool {
        false
    }

    /// Whether [`Self::query`] needs nispor's view of the link: the type
    /// has properties of its own that the link dump does not read. A
    /// query asks nispor for the links only when a link's type says so.
    fn reads_nispor(&self) -> bool {
        false
    }

    /// Fills `iface` (its common properties already set) with the type's
    /// own properties, from `q`.
    fn query(&self, _q: &Queried, _iface: &mut Interface) {}

    /// Sets the type's own part of `conf` (its common part already set) to
    /// make `want` of `cur` (`None`: `want` is created, and
    /// [`Self::creates`] said yes).
    fn conf(
        &self,
        _want: &Interface,
        _cur: Option<&Interface>,
        _conf: &mut IfaceConf,
    ) -> Result<()> {
        Ok(())
    }

    /// The complete list of ports `controller` wants, if it has this
    /// type's port list (ports not in it are detached).
    fn ports<'a>(&self, _controller: &'a Interface) -> Option<HashSet<&'a str>> {
        None
    }

    /// Sets the options `controller`, if it has this type's port list,
    /// holds for the port `conf` is for.
    fn port_conf(&self, _controller: &Interface, _conf: &mut IfaceConf) {}

    /// Whether changing the controller `cur` into `want` is refused by the
    /// kernel while it has ports (a bond's mode): its ports are then
    /// detached first and attached again after the change.
    fn change_needs_no_ports(&self, _want: &Interface, _cur: &Interface) -> bool {
        false
    }

    /// A netlink request that creates `want` (`cur` is `None`) or changes
    /// the type's properties nispor's conf has no field for; it is sent
    /// before nispor's conf of the same interface.
    fn link_request(
        &self,
        _want: &Interface,
        _cur: Option<&Interface>,
    ) -> Result<Option<LinkRequest>> {
        Ok(None)
    }
}

/// A type with no properties of its own (ethernet, loopback).
struct CommonOnly;

impl InterfaceKind for CommonOnly {}

/// The schema's type for nispor's `t` (`unknown` when none is registered),
/// and its module.
pub(crate) fn by_nispor_type(t: &IfaceType) -> (InterfaceType, Option<&'static dyn InterfaceKind>) {
    KINDS
        .iter()
        .find(|r| r.nispor == *t)
        .map_or((InterfaceType::Unknown, None), |r| (r.schema, Some(r.kind)))
}

/// The schema's type of `link` (`unknown` when none is registered), and
/// its module. nispor's rule: the kernel's kind, unless the link layer is
/// loopback; without a kind, the link layer's (ethernet for
/// `ARPHRD_ETHER`).
pub(crate) fn by_link(link: &Link) -> (InterfaceType, Option<&'static dyn InterfaceKind>) {
    let nispor = if link.is_loopback() {
        Some(IfaceType::Loopback)
    } else if let Some(kind) = &link.kind {
        return KINDS
            .iter()
            .find(|r| r.link_kind == Some(kind.as_str()))
            .map_or((InterfaceType::Unknown, None), |r| (r.schema, Some(r.kind)));
    } else if link.link_layer == ARPHRD_ETHER {
        Some(IfaceType::Ethernet)
    } else {
        None
    };
    nispor.map_or((InterfaceType::Unknown, None), |t| by_nispor_type(&t))
}

const ARPHRD_ETHER: u16 = 1;

/// The module for the schema's type `t`, if one is registered.
fn by_schema_type(t: InterfaceType) -> Option<&'static dyn InterfaceKind> {
    KINDS.iter().find(|r| r.schema == t).map(|r| r.kind)
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
    let kind = t.and_then(by_schema_type);
    if cur.is_none() && !kind.is_some_and(|k| k.creates()) {
        return Err(Error::invalid_input(format!(
            "{}: interface does not exist and the kernel plugin can't create one of type {}",
            want.name,
            t.map_or("(none)", |t| t.as_str())
        )));
    }
    if let Some(kind) = kind {
        kind.conf(want, cur, conf)?;
    }
    if let Some(controller) = want
        .controller
        .as_deref()
        .and_then(|c| desired.interface(c))
    {
        port_conf(controller, conf);
    }
    Ok(())
}

/// The options `controller` holds for its port `conf` is for (see
/// [`InterfaceKind::port_conf`]).
pub(crate) fn port_conf(controller: &Interface, conf: &mut IfaceConf) {
    for r in KINDS {
        r.kind.port_conf(controller, conf);
    }
}

/// Whether the change of `cur` into `want` needs `cur`'s ports detached
/// during it (see [`InterfaceKind::change_needs_no_ports`]).
pub(crate) fn change_needs_no_ports(want: &Interface, cur: &Interface) -> bool {
    cur.iface_type
        .and_then(by_schema_type)
        .is_some_and(|k| k.change_needs_no_ports(want, cur))
}

/// The netlink request of `want`'s type, if it needs one (see
/// [`InterfaceKind::link_request`]).
pub(crate) fn link_request(
    want: &Interface,
    cur: Option<&Interface>,
) -> Result<Option<LinkRequest>> {
    match want
        .iface_type
        .or(cur.and_then(|c| c.iface_type))
        .and_then(by_schema_type)
    {
        Some(k) => k.link_request(want, cur),
        None => Ok(None),
    }
}

/// The one request creating the link `conf` describes, when one request
/// can carry all of it (a VLAN with its common properties, see
/// [`vlan::creation`]): sent instead of nispor's conf.
pub(crate) fn creation(conf: &IfaceConf) -> Result<Option<LinkRequest>> {
    match conf.iface_type {
        Some(IfaceType::Vlan) => vlan::creation(conf),
        _ => Ok(None),
    }
}

/// The deepest chain of base interfaces an apply follows (a VLAN on a
/// VLAN on a bond is 3); deeper (or circular) chains are cut here.
const MAX_STACK: u8 = 8;

/// When `iface` is created or changed: controllers first (0), then plain
/// interfaces (1), then each interface after its base interface (a VLAN
/// on a veth 2, on that VLAN 3, …), following bases through `state` (the
/// desired state, then `current` for interfaces it does not name).
/// Deletions go in the reverse order.
pub(crate) fn rank(iface: &Interface, state: &NetworkState, current: &NetworkState) -> u8 {
    let mut depth = 0;
    let mut at = iface;
    loop {
        if depth >= MAX_STACK {
            return MAX_STACK;
        }
        let Some(base) = at.base_iface().or_else(|| {
            // A deletion names only the interface: its base is current's.
            current.interface(&at.name).and_then(|c| c.base_iface())
        }) else {
            break;
        };
        let Some(next) = state.interface(base).or_else(|| current.interface(base)) else {
            break;
        };
        depth += 1;
        at = next;
    }
    if depth == 0 && is_controller(iface) {
        0
    } else {
        depth + 1
    }
}

/// The ports `controller` wants (see [`InterfaceKind::ports`]), if it has
/// a port list.
pub(crate) fn ports(controller: &Interface) -> Option<HashSet<&str>> {
    KINDS.iter().find_map(|r| r.kind.ports(controller))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_is_registered_once_both_ways() {
        for r in KINDS {
            assert_eq!(by_nispor_type(&r.nispor).0, r.schema);
            assert!(by_schema_type(r.schema).is_some());
            assert_eq!(
                KINDS.iter().filter(|x| x.schema == r.schema).count(),
                1,
                "{:?} registered twice",
                r.schema
            );
        }
        assert_eq!(
            KINDS.len(),
            InterfaceType::ALL.len() - 1,
            "every schema type but `unknown` is registered"
        );
        assert_eq!(by_nispor_type(&IfaceType::IpVlan).0, InterfaceType::Unknown);
    }

    /// The `state` plugin plans creations with `can_create`; the kernel
    /// plugin must create exactly those.
    #[test]
    fn creates_what_the_schema_says_it_can() {
        for r in KINDS {
            assert_eq!(r.kind.creates(), r.schema.can_create(), "{:?}", r.schema);
        }
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
