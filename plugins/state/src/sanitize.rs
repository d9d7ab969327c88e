//! Checks a desired state against the current one and fills in what the
//! apply needs, in named passes run in this order by [`sanitize`]:
//!
//! 1. [`Sanitizing::new`]: drops `state: ignore` interfaces (with a note)
//!    and records where each interface was given, for error paths;
//! 2. [`Sanitizing::complete_interfaces`]: reduces absent interfaces to
//!    their name, drops shown lease information, checks new values, fills
//!    in the type, `state: up` and `enabled`, and checks veths (adding the
//!    peer of a new one);
//! 3. [`Sanitizing::collect_bridge_ports`]: which controller (bridge,
//!    bond, VRF) each listed port goes to, checked;
//! 4. [`Sanitizing::check_controllers`]: every interface's `controller`
//!    agrees with the controllers;
//! 5. [`Sanitizing::attach_unmentioned_ports`]: ports listed but not
//!    otherwise given are attached and brought up (as nmstate does: a port
//!    that is down leaves the bridge without carrier);
//! 6. [`Sanitizing::check_routes`]: the next-hop interface of each route
//!    exists after the apply;
//! 7. [`Sanitizing::check_base_ifaces`]: the base interface of a VLAN,
//!    MAC-VLAN, MAC-VTAP or VXLAN exists after the apply.
//!
//! Each error names the path of what is wrong (`interfaces[1].veth.peer`).

use std::collections::{HashMap, HashSet};

use nipart_plugin_api::state::{
    Interface, InterfaceState, InterfaceType, NetworkState, StateError, VethConfig,
};

type R<T> = Result<T, StateError>;

fn idx_path(i: usize) -> String {
    format!("interfaces[{i}]")
}

/// Checks `desired` against `current` and fills in what the apply needs:
/// types of existing interfaces, `state: up` when not given, the peer of a
/// new veth, the `controller` of every bridge port. Returns the state and
/// notes for the log.
pub fn sanitize(desired: NetworkState, current: &NetworkState) -> R<(NetworkState, Vec<String>)> {
    let mut s = Sanitizing::new(desired, current);
    s.complete_interfaces()?;
    s.collect_bridge_ports()?;
    s.check_controllers()?;
    s.attach_unmentioned_ports();
    s.check_routes()?;
    s.check_base_ifaces()?;
    Ok(s.finish())
}

/// A desired state between passes.
struct Sanitizing<'a> {
    desired: NetworkState,
    current: &'a NetworkState,
    notes: Vec<String>,
    /// Where each interface was given (its index), for error paths.
    pos: HashMap<String, usize>,
    /// Interfaces the state marks absent.
    absent: HashSet<String>,
    /// Interfaces the state creates (given, not absent, not existing).
    created: HashSet<String>,
    /// Interfaces added by the passes (veth peers, bridge ports).
    extra: Vec<Interface>,
    /// Peers created with their veth.
    implicit: HashSet<String>,
    /// The bridge of each listed port.
    port_of: HashMap<String, String>,
    /// Each bridge of the state with its listed ports.
    bridges: Vec<(String, Vec<String>)>,
}

impl<'a> Sanitizing<'a> {
    fn new(mut desired: NetworkState, current: &'a NetworkState) -> Self {
        let mut notes = Vec::new();
        desired.routes.running = None;
        let mut pos: HashMap<String, usize> = HashMap::new();
        let mut kept = Vec::new();
        for (i, iface) in std::mem::take(&mut desired.interfaces)
            .into_iter()
            .enumerate()
        {
            if iface.state == Some(InterfaceState::Ignore) {
                notes.push(format!("{} is ignored (state: ignore)", iface.name));
                continue;
            }
            pos.insert(iface.name.clone(), i);
            kept.push(iface);
        }
        desired.interfaces = kept;
        let absent = desired
            .interfaces
            .iter()
            .filter(|i| i.is_absent())
            .map(|i| i.name.clone())
            .collect();
        let created = desired
            .interfaces
            .iter()
            .filter(|i| !i.is_absent() && current.interface(&i.name).is_none())
            .map(|i| i.name.clone())
            .collect();
        Self {
            desired,
            current,
            notes,
            pos,
            absent,
            created,
            extra: Vec::new(),
            implicit: HashSet::new(),
            port_of: HashMap::new(),
            bridges: Vec::new(),
        }
    }

    /// The error path of interface `name`: where it was given, or its name
    /// when a pass added it.
    fn path_of(&self, name: &str) -> String {
        self.pos
            .get(name)
            .map_or_else(|| name.to_string(), |i| idx_path(*i))
    }

    /// Will this interface exist after the apply (peers created with their
    /// veth included once [`Self::complete_interfaces`] has run)?
    fn exists_after(&self, name: &str) -> bool {
        (!self.absent.contains(name)
            && (self.current.interface(name).is_some() || self.created.contains(name)))
            || self.implicit.contains(name)
    }

    /// Pass 2: each given interface on its own.
    fn complete_interfaces(&mut self) -> R<()> {
        let mut ifaces = std::mem::take(&mut self.desired.interfaces);
        for iface in &mut ifaces {
            self.complete_interface(iface)?;
        }
        self.desired.interfaces = ifaces;
        self.implicit = self.extra.iter().map(|e| e.name.clone()).collect();
        Ok(())
    }

    fn complete_interface(&mut self, iface: &mut Interface) -> R<()> {
        let p = idx_path(self.pos[&iface.name]);
        let cur = self.current.interface(&iface.name);
        if iface.is_absent() {
            // Only the name matters.
            *iface = Interface {
                name: iface.name.clone(),
                state: Some(InterfaceState::Absent),
                ..Interface::default()
            };
            if cur.is_none() {
                self.notes.push(format!("{} is already absent", iface.name));
            }
            return Ok(());
        }
        for ip in [&mut iface.ipv4, &mut iface.ipv6].into_iter().flatten() {
            // Lease information that `Show` reported, not something to apply.
            ip.dhcp_lease = None;
            ip.dhcp6_lease = None;
        }
        // Neighbours and counters are what `Show` reported.
        if let Some(l) = &mut iface.lldp {
            l.neighbors = None;
            l.counters = None;
            if l.enabled.is_none() && l.transmit.is_none() {
                iface.lldp = None;
            }
        }
        // IPv6 link-local addresses are the kernel's, as in nmstate: listed
        // ones are accepted and left to it.
        if let Some(list) = iface.ipv6.as_mut().and_then(|ip| ip.address.as_mut()) {
            let before = list.len();
            list.retain(|a| !nipart_plugin_api::state::is_link_local(&a.ip));
            if list.len() != before {
                self.notes.push(format!(
                    "{}: IPv6 link-local addresses in the list are left to the kernel",
                    iface.name
                ));
            }
        }
        crate::settable::check_new_values(iface, cur, &p)?;
        if cur.is_none() {
            check_dhcp_target(iface, &p)?;
        }
        let t = interface_type(iface, cur, &p)?;
        iface.iface_type = Some(t);
        if iface.state.is_none() {
            iface.state = Some(InterfaceState::Up);
        }
        for ip in [&mut iface.ipv4, &mut iface.ipv6].into_iter().flatten() {
            if ip.enabled.is_none() && ip.address.is_some() {
                ip.enabled = Some(true);
            }
        }
        if t == InterfaceType::Veth {
            self.check_veth(iface, cur, &p)?;
        }
        crate::stacked::check_fixed_properties(iface, cur, &p)?;
        Ok(())
    }

    /// A veth's peer: a new veth needs one that does not exist (it is
    /// created with it, and brought up as nmstate does); an existing
    /// veth's peer can't change.
    fn check_veth(&mut self, iface: &Interface, cur: Option<&Interface>, p: &str) -> R<()> {
        let cur_peer = cur.and_then(|c| c.veth.as_ref()).map(|v| v.peer.clone());
        match (&iface.veth, &cur_peer) {
            (None, None) if cur.is_none() => {
                return Err(StateError::new(
                    format!("{p}.veth.peer"),
                    format!(
                        "interface {:?} is a new veth, which needs a peer",
                        iface.name
                    ),
                ));
            }
            (Some(v), Some(c)) if &v.peer != c && c.parse::<u32>().is_err() => {
                return Err(StateError::new(
                    format!("{p}.veth.peer"),
                    format!(
                        "veth {:?} has peer {c:?}; make it absent first to change its peer to {:?}",
                        iface.name, v.peer
                    ),
                ));
            }
            _ => {}
        }
        let Some(v) = &iface.veth else { return Ok(()) };
        if cur.is_some() {
            return Ok(());
        }
        if self.absent.contains(&v.peer) {
            return Err(StateError::new(
                format!("{p}.veth.peer"),
                format!("peer {:?} is marked absent", v.peer),
            ));
        }
        if let Some(other) = self.current.interface(&v.peer) {
            return Err(StateError::new(
                format!("{p}.veth.peer"),
                format!(
                    "{:?} already exists (a {} interface), so it can't be the peer of the new veth {:?}",
                    v.peer,
                    other.iface_type.map_or("unknown", |t| t.as_str()),
                    iface.name
                ),
            ));
        }
        if !self.pos.contains_key(&v.peer) && !self.extra.iter().any(|e| e.name == v.peer) {
            // nmstate brings the peer up too.
            self.extra.push(Interface {
                name: v.peer.clone(),
                iface_type: Some(InterfaceType::Veth),
                state: Some(InterfaceState::Up),
                veth: Some(VethConfig {
                    peer: iface.name.clone(),
                }),
                ..Interface::default()
            });
        }
        Ok(())
    }

    /// Pass 3: a port exists after the apply, is not its own bridge, and
    /// is listed by one bridge only.
    fn collect_bridge_ports(&mut self) -> R<()> {
        self.bridges = self
            .desired
            .interfaces
            .iter()
            .filter_map(|b| {
                let ports = b.ports()?;
                Some((
                    b.name.clone(),
                    ports.iter().map(|p| p.to_string()).collect(),
                ))
            })
            .collect();
        for (bridge, ports) in &self.bridges {
            let p = idx_path(self.pos[bridge]);
            let ctrl = self.desired.interface(bridge);
            let kind = ctrl
                .and_then(|c| c.iface_type)
                .map_or("controller", controller_word);
            let list = if ctrl.is_some_and(|c| c.bridge.is_some()) {
                "bridge.port"
            } else if ctrl.is_some_and(|c| c.link_aggregation.is_some()) {
                "link-aggregation.port"
            } else {
                "vrf.port"
            };
            for (j, port) in ports.iter().enumerate() {
                let pp = if list == "bridge.port" {
                    format!("{p}.{list}[{j}].name")
                } else {
                    format!("{p}.{list}[{j}]")
                };
                if port == bridge {
                    return Err(StateError::new(
                        pp,
                        format!("{kind} {bridge:?} can't be its own port"),
                    ));
                }
                if !self.exists_after(port) {
                    return Err(StateError::new(
                        pp,
                        format!(
                            "interface {port:?} does not exist and is not created by this state"
                        ),
                    ));
                }
                if let Some(other) = self.port_of.insert(port.clone(), bridge.clone()) {
                    let other_kind = self
                        .desired
                        .interface(&other)
                        .and_then(|c| c.iface_type)
                        .map_or("controller", controller_word);
                    return Err(StateError::new(
                        pp,
                        format!(
                            "{port:?} is already a port of {other_kind} {other:?} in this state"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Pass 4: a port gets its bridge as `controller`; a `controller`
    /// given must be that bridge, or a linux-bridge that exists after the
    /// apply and that no bridge of this state contradicts.
    fn check_controllers(&mut self) -> R<()> {
        let desired_types: HashMap<String, InterfaceType> = self
            .desired
            .interfaces
            .iter()
            .filter_map(|i| Some((i.name.clone(), i.iface_type?)))
            .collect();
        let mut ifaces = std::mem::take(&mut self.desired.interfaces);
        let mut extra = std::mem::take(&mut self.extra);
        for iface in ifaces.iter_mut().chain(extra.iter_mut()) {
            if iface.is_absent() {
                continue;
            }
            self.check_controller(iface, &desired_types)?;
        }
        self.desired.interfaces = ifaces;
        self.extra = extra;
        Ok(())
    }

    fn check_controller(
        &self,
        iface: &mut Interface,
        desired_types: &HashMap<String, InterfaceType>,
    ) -> R<()> {
        let want = self.port_of.get(&iface.name);
        match (&iface.controller, want) {
            (Some(c), Some(b)) if c != b => {
                let kind = desired_types
                    .get(b.as_str())
                    .copied()
                    .map_or("controller", controller_word);
                return Err(StateError::new(
                    format!("{}.controller", self.path_of(&iface.name)),
                    format!(
                        "{c:?} disagrees with {kind} {b:?}, which lists {:?} as a port",
                        iface.name
                    ),
                ));
            }
            (_, Some(b)) => iface.controller = Some(b.clone()),
            (Some(c), None) if !c.is_empty() => {
                let p = self.path_of(&iface.name);
                let ctype = desired_types
                    .get(c.as_str())
                    .copied()
                    .or_else(|| self.current.interface(c).and_then(|x| x.iface_type));
                if self.bridges.iter().any(|(b, _)| b == c) {
                    return Err(StateError::new(
                        format!("{p}.controller"),
                        format!(
                            "{} {c:?} does not list {:?} among its ports",
                            ctype.map_or("controller", controller_word),
                            iface.name
                        ),
                    ));
                }
                // The message names bridges, the usual controllers; bonds
                // and VRFs are accepted too.
                if !self.exists_after(c) || !ctype.is_some_and(InterfaceType::is_controller) {
                    return Err(StateError::new(
                        format!("{p}.controller"),
                        format!(
                            "{c:?} is not a linux-bridge that exists or is created by this state"
                        ),
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Pass 5: existing ports not otherwise mentioned are attached and
    /// brought up; a port the state gives has its own `state` (`up` when
    /// not given, pass 2).
    fn attach_unmentioned_ports(&mut self) {
        for (port, bridge) in &self.port_of {
            if self.pos.contains_key(port) || self.implicit.contains(port) {
                continue;
            }
            let cur = self.current.interface(port);
            self.extra.push(Interface {
                name: port.clone(),
                iface_type: cur.and_then(|c| c.iface_type),
                state: Some(InterfaceState::Up),
                controller: Some(bridge.clone()),
                ..Interface::default()
            });
        }
    }

    /// Pass 6: a route's next-hop interface exists after the apply, and no
    /// two routes (wanted, or wanted and kept) share destination, table
    /// and metric with different next hops: the kernel keeps one route per
    /// destination, table and metric, and would refuse the second.
    fn check_routes(&self) -> R<()> {
        let Some(routes) = &self.desired.routes.config else {
            return Ok(());
        };
        let statics = self.current.routes.config.as_deref().unwrap_or(&[]);
        let removed = nipart_plugin_api::state::routes_to_remove(routes, statics);
        for (k, r) in routes.iter().enumerate().filter(|(_, r)| !r.is_absent()) {
            let earlier = routes[..k]
                .iter()
                .enumerate()
                .filter(|(_, o)| !o.is_absent())
                .find(|(_, o)| clashes(r, o));
            if let Some((j, o)) = earlier {
                return Err(StateError::new(
                    format!("routes.config[{k}]"),
                    format!(
                        "{r} and routes.config[{j}] ({o}) have the same destination, table and metric with different next hops; the kernel keeps one route per destination, table and metric: give them different metrics"
                    ),
                ));
            }
            if let Some(c) = statics.iter().find(|c| {
                clashes(r, c)
                    && !removed.contains(c)
                    && !routes.iter().any(|w| !w.is_absent() && w.matches(c))
            }) {
                return Err(StateError::new(
                    format!("routes.config[{k}]"),
                    format!(
                        "{r} has the destination, table and metric of the existing route {c} with a different next hop; the kernel keeps one route per destination, table and metric: remove that one in the same state (state: absent) or give this one another metric"
                    ),
                ));
            }
        }
        for (k, r) in routes.iter().enumerate() {
            if r.is_absent() {
                continue;
            }
            // The kernel keeps no weight on a route of one next hop.
            if r.weight.is_some()
                && !routes
                    .iter()
                    .enumerate()
                    .any(|(j, o)| j != k && !o.is_absent() && o.weight.is_some() && o.same_place(r))
                && !statics
                    .iter()
                    .any(|c| c.weight.is_some() && c.same_place(r) && !removed.contains(&c))
            {
                return Err(StateError::new(
                    format!("routes.config[{k}].weight"),
                    format!(
                        "{r} is the only next hop of its destination, table and metric; a weight is for the next hops of a multipath route: give two or more routes with the same destination, table and metric, each with a weight"
                    ),
                ));
            }
            if let Some(i) = &r.next_hop_interface
                && !self.exists_after(i)
            {
                return Err(StateError::new(
                    format!("routes.config[{k}].next-hop-interface"),
                    if self.absent.contains(i) {
                        format!("interface {i:?} is marked absent in this state")
                    } else {
                        format!("interface {i:?} does not exist and is not created by this state")
                    },
                ));
            }
        }
        Ok(())
    }

    /// Pass 7: the base interface of a stacked interface (VLAN, MAC-VLAN,
    /// MAC-VTAP, VXLAN) that this state creates or moves exists after the
    /// apply.
    fn check_base_ifaces(&self) -> R<()> {
        for iface in &self.desired.interfaces {
            if iface.is_absent() {
                continue;
            }
            let Some(base) = iface.base_iface() else {
                continue;
            };
            if !self.exists_after(base) {
                let section = iface.iface_type.map_or("vlan", |t| t.as_str());
                return Err(StateError::new(
                    format!("{}.{section}.base-iface", self.path_of(&iface.name)),
                    if self.absent.contains(base) {
                        format!("interface {base:?} is marked absent in this state")
                    } else {
                        format!(
                            "interface {base:?} does not exist and is not created by this state"
                        )
                    },
                ));
            }
        }
        Ok(())
    }

    /// The sanitized state (the added interfaces after the given ones, by
    /// name) and the notes.
    fn finish(mut self) -> (NetworkState, Vec<String>) {
        self.extra.sort_by(|a, b| a.name.cmp(&b.name));
        self.desired.interfaces.extend(self.extra);
        (self.desired, self.notes)
    }
}

/// The type of `iface` (at `p`): given, or the existing interface's, or
/// implied by its veth or bridge section; it can't change, and a new
/// interface must be of a type nipart creates.
fn interface_type(iface: &Interface, cur: Option<&Interface>, p: &str) -> R<InterfaceType> {
    let cur_type = cur.and_then(|c| c.iface_type);
    let t = match (iface.iface_type, cur_type) {
        // nmstate takes `type: ethernet` for a veth, existing or new (with
        // its `veth` section).
        (Some(InterfaceType::Ethernet), Some(InterfaceType::Veth)) => InterfaceType::Veth,
        (Some(InterfaceType::Ethernet), None) if iface.veth.is_some() => InterfaceType::Veth,
        (Some(t), Some(c)) if t != c && c != InterfaceType::Unknown => {
            return Err(StateError::new(
                format!("{p}.type"),
                format!(
                    "{:?} is a {c} interface, not {t}; make it absent first to change its type",
                    iface.name
                ),
            ));
        }
        (Some(t), _) => t,
        (None, Some(c)) => c,
        (None, None) if InterfaceType::of_section(iface).is_some() => {
            InterfaceType::of_section(iface).unwrap_or(InterfaceType::Unknown)
        }
        (None, None) => {
            return Err(StateError::new(
                format!("{p}.type"),
                format!(
                    "interface {:?} does not exist, so its type is needed to create it",
                    iface.name
                ),
            ));
        }
    };
    if cur.is_none() && !t.can_create() {
        return Err(StateError::new(
            format!("{p}.type"),
            format!(
                "interface {:?} does not exist and nipart can't create a {t} interface",
                iface.name
            ),
        ));
    }
    Ok(t)
}

/// DHCP (or autoconf) on `iface`, which does not exist, needs this state to
/// create it: say so at the `dhcp` key rather than with a less direct
/// complaint about its type.
fn check_dhcp_target(iface: &Interface, p: &str) -> R<()> {
    let key = [("ipv4", &iface.ipv4), ("ipv6", &iface.ipv6)]
        .into_iter()
        .find_map(|(family, ip)| {
            let ip = ip.as_ref()?;
            if ip.dhcp == Some(true) {
                Some(format!("{family}.dhcp"))
            } else if ip.autoconf == Some(true) {
                Some(format!("{family}.autoconf"))
            } else {
                None
            }
        });
    let Some(key) = key else { return Ok(()) };
    let created = iface
        .iface_type
        .or_else(|| InterfaceType::of_section(iface))
        .is_some_and(InterfaceType::can_create);
    if created {
        return Ok(());
    }
    Err(StateError::new(
        format!("{p}.{key}"),
        format!(
            "interface {:?} does not exist and is not created by this state, so DHCP can't run on it",
            iface.name
        ),
    ))
}

/// How a controller of type `t` is named in messages.
fn controller_word(t: InterfaceType) -> &'static str {
    match t {
        InterfaceType::LinuxBridge => "bridge",
        t => t.as_str(),
    }
}

/// Whether two routes would take the same place in the kernel (same
/// destination, table and metric, the metric the kernel gives when none is
/// given) with different next hops.
fn clashes(a: &nipart_plugin_api::state::Route, b: &nipart_plugin_api::state::Route) -> bool {
    a.same_place(b)
        // Two weighted routes are next hops of one multipath route.
        && !(a.weight.is_some() && b.weight.is_some())
        && (a.next_hop_address != b.next_hop_address
            || (a.next_hop_interface.is_some()
                && b.next_hop_interface.is_some()
                && a.next_hop_interface != b.next_hop_interface))
}
