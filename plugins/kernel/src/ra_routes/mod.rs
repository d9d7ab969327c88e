//! Routes of router advertisements in a table other than main: for an
//! interface with `ipv6.autoconf: true` and `auto-route-table-id` N (not
//! 0/254), the kernel keeps doing SLAAC addresses but installs no route of
//! advertisements (`accept_ra_defrtr` and `accept_ra_rt_info_max_plen` 0,
//! written by [`crate::autoconf`]), and this module listens for the
//! advertisements itself (one raw ICMPv6 socket and task per interface,
//! [`socket`]) and puts their routes in table N, `proto ra`, with the
//! interface's `auto-route-metric` (the kernel's 1024 by default):
//!
//! - the default route via the router's link-local address (unless
//!   `auto-gateway: false`), expiring with the router lifetime (0 removes
//!   it);
//! - route information options (RFC 4191) via the router, and on-link
//!   prefixes (prefix information with the L flag) on the link, each with
//!   its lifetime (unless `auto-routes: false`).
//!
//! Each advertisement refreshes them. Bounded: an advertisement is read up
//! to [`MAX_LEN`] bytes (a longer one is dropped), and at most
//! [`advert::MAX_KEPT`] routes are kept per interface (more are logged
//! and dropped).
//!
//! The routes this module added are recognised by what the kernel never
//! does: `proto ra` in a table other than main. Leaving the table (main
//! again, `autoconf: false`, IPv6 disabled, the interface absent, or a
//! rollback to such a state) stops the listener, removes them, and gives
//! back the kernel's route sysctls (the `default` interface's values) for
//! the keys the state does not set, and solicits the routers so that the
//! kernel takes its routes at once. At daemon shutdown the listeners stop
//! and the routes and sysctls stay: the routes expire with their
//! lifetimes unless a daemon refreshes them (the conf plugin applies the
//! saved state at start), as the kernel keeps SLAAC addresses; removing
//! them would cut the host's routing for a restart.

mod advert;
mod socket;

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr},
    time::{Duration, Instant},
};

use futures_util::TryStreamExt;
use nipart_plugin_api::{
    ErrorKind, Result,
    state::{Interface, MAIN_TABLE, NetworkState, Route, ra_in_main},
};
use rtnetlink::{
    Handle,
    packet_route::{
        AddressFamily,
        route::{RouteAddress, RouteAttribute, RouteMessage, RouteProtocol},
    },
};
use tokio::task::JoinHandle;

use crate::{
    address::index_of,
    autoconf,
    error::{from_io, from_netlink},
    netlink::{Connection, done_if},
    route::{self, Origin, Request},
};
use advert::{Advertisement, MAX_KEPT, Prefix};
use socket::RaSocket;

/// The kernel's metric for the routes of advertisements (`ra_defrtr_metric`'s
/// default, `IP6_RT_PRIO_USER`).
const DEFAULT_METRIC: u32 = 1024;
/// The largest advertisement read: more than a 1500-byte link carries;
/// longer ones are dropped.
const MAX_LEN: usize = 4096;
/// Router solicitations sent when a listener starts (RFC 4861 10:
/// `MAX_RTR_SOLICITATIONS`), this far apart, until an advertisement comes.
const SOLICITATIONS: u32 = 3;
const SOLICITATION_INTERVAL: Duration = Duration::from_secs(4);
/// Lifetime meaning "forever" (no expiry).
const INFINITE: u32 = u32::MAX;

/// How an interface's advertisement routes are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub table: u32,
    pub metric: u32,
    pub gateway: bool,
    pub routes: bool,
}

struct Listener {
    settings: Settings,
    task: JoinHandle<()>,
}

/// The interfaces whose advertisement routes this plugin places, by name.
#[derive(Default)]
pub(crate) struct RaRoutes {
    listeners: HashMap<String, Listener>,
}

/// Where an interface's advertisement routes go after an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Not said: as they are.
    Unchanged,
    /// The kernel's (main), or none.
    Kernel,
    Table(Settings),
}

impl RaRoutes {
    /// The settings of `name`'s listener while it runs (one whose socket
    /// failed has ended, logging why: it places nothing, a query does not
    /// show it, and the next apply that asks for the table starts another).
    fn settings(&self, name: &str) -> Option<Settings> {
        self.listeners
            .get(name)
            .filter(|l| !l.task.is_finished())
            .map(|l| l.settings)
    }

    /// Where the routes of `i` (an interface of a desired state; with
    /// `rollback`, of a checkpoint) go. A key not given keeps its value
    /// (as nmstate), but in a rollback: a checkpoint is a query, which
    /// shows `auto-route-table-id` only for a table other than main.
    fn target(&self, i: &Interface, rollback: bool) -> Target {
        if i.is_absent() {
            return Target::Kernel;
        }
        let Some(v6) = &i.ipv6 else {
            return Target::Unchanged;
        };
        if v6.enabled == Some(false) || v6.autoconf == Some(false) {
            return Target::Kernel;
        }
        let current = self.settings(&i.name);
        let table = match (v6.auto_route_table_id, current) {
            (Some(t), _) => t,
            (None, _) if rollback && v6.autoconf.is_some() => return Target::Kernel,
            (None, Some(c)) => c.table,
            (None, None) => return Target::Unchanged,
        };
        if ra_in_main(table) {
            return Target::Kernel;
        }
        let base = current.unwrap_or(Settings {
            table,
            metric: DEFAULT_METRIC,
            gateway: true,
            routes: true,
        });
        Target::Table(Settings {
            table,
            metric: v6.auto_route_metric.unwrap_or(base.metric),
            gateway: v6.auto_gateway.unwrap_or(base.gateway),
            routes: v6.auto_routes.unwrap_or(base.routes),
        })
    }

    /// Whether, after applying `i` (see [`target`](Self::target)), this
    /// plugin places its advertisement routes: the kernel must not.
    pub(crate) fn table_bound(&self, i: &Interface, rollback: bool) -> bool {
        match self.target(i, rollback) {
            Target::Table(_) => true,
            Target::Kernel => false,
            Target::Unchanged => self.settings(&i.name).is_some(),
        }
    }

    /// Shows the keys of the interfaces with a listener in `state` (a
    /// query): the kernel's sysctls say no routes there, the listener
    /// places them.
    pub(crate) fn show(&self, state: &mut NetworkState) {
        for i in &mut state.interfaces {
            let Some(s) = self.settings(&i.name) else {
                continue;
            };
            if let Some(v6) = i.ipv6.as_mut().filter(|v6| v6.autoconf == Some(true)) {
                v6.auto_route_table_id = Some(s.table);
                v6.auto_route_metric = Some(s.metric);
                v6.auto_gateway = Some(s.gateway);
                v6.auto_routes = Some(s.routes);
            }
        }
    }

    /// Starts, changes or stops the listeners as `desired` (applied to
    /// the kernel just before: the interfaces exist and their sysctls are
    /// set) says; what changed.
    pub(crate) async fn sync(
        &mut self,
        desired: &NetworkState,
        rollback: bool,
    ) -> Result<Vec<String>> {
        let mut changes = Vec::new();
        for i in &desired.interfaces {
            let want = match self.target(i, rollback) {
                Target::Unchanged => continue,
                Target::Kernel => None,
                Target::Table(s) => Some(s),
            };
            let name = i.name.as_str();
            // An ended listener is cleaned up like a running one.
            let live = self.settings(name);
            if live == want && (live.is_some() || !self.listeners.contains_key(name)) {
                continue;
            }
            if let Some(old) = self.listeners.remove(name) {
                old.task.abort();
                if !i.is_absent() {
                    remove_routes(name, old.settings.table).await?;
                }
                changes.push(format!(
                    "{name}: router advertisement routes no longer placed in table {}",
                    old.settings.table
                ));
                if want.is_none() && !i.is_absent() {
                    let v6 = i.ipv6.clone().unwrap_or_default();
                    autoconf::write_route_sysctls(name, &v6, true)?;
                    // While it takes advertisements, the kernel places
                    // routes again from the next one: asked for now, not
                    // at the routers' next period.
                    let kernel_takes = v6.autoconf != Some(false) && v6.enabled != Some(false);
                    if kernel_takes && let Err(e) = RaSocket::open(name).and_then(|s| s.solicit()) {
                        tracing::debug!("{name}: sending a router solicitation: {e}");
                    }
                }
            }
            if let Some(s) = want {
                // What the kernel installed before its sysctls were
                // turned off goes: the routes are table N's now.
                remove_routes(name, MAIN_TABLE).await?;
                let socket = RaSocket::open(name).map_err(|e| {
                    from_io(
                        &format!("{name}: opening the ICMPv6 socket for router advertisements"),
                        e,
                    )
                })?;
                let index = index_of(name)?;
                let task = tokio::spawn(listen(name.to_string(), index, s, socket));
                self.listeners
                    .insert(name.to_string(), Listener { settings: s, task });
                changes.push(format!(
                    "{name}: router advertisement routes placed in table {} (metric {})",
                    s.table, s.metric
                ));
            }
        }
        Ok(changes)
    }

    /// Stops every listener; their routes stay (see the module's docs).
    pub(crate) fn stop(&mut self) {
        for (_, l) in self.listeners.drain() {
            l.task.abort();
        }
    }
}

/// One interface's listener: solicits, then places the routes of each
/// advertisement until aborted (or the interface goes).
async fn listen(name: String, index: u32, settings: Settings, socket: RaSocket) {
    let mut placed = Placed::default();
    let mut buf = vec![0u8; MAX_LEN];
    let mut solicited = 0;
    let mut heard = false;
    loop {
        if !heard && solicited < SOLICITATIONS {
            solicited += 1;
            if let Err(e) = socket.solicit() {
                // No link-local address yet (DAD), or the link is down:
                // the routers' periodic advertisements come anyway.
                tracing::debug!("{name}: sending a router solicitation: {e}");
            }
        }
        let got = if !heard && solicited < SOLICITATIONS {
            match tokio::time::timeout(SOLICITATION_INTERVAL, socket.recv(&mut buf)).await {
                Ok(r) => r,
                Err(_) => continue,
            }
        } else {
            socket.recv(&mut buf).await
        };
        let r = match got {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(
                    "{name}: receiving router advertisements failed, no longer placing their routes: {e}"
                );
                return;
            }
        };
        if r.truncated {
            tracing::warn!(
                "{name}: router advertisement from {} of {} bytes dropped (more than {MAX_LEN})",
                r.from,
                r.len
            );
            continue;
        }
        // RFC 4861 6.1.2: a router speaks from its link-local address.
        if r.from.segments()[0] & 0xffc0 != 0xfe80 {
            tracing::debug!(
                "{name}: advertisement from {}, not link-local: ignored",
                r.from
            );
            continue;
        }
        let ad = match advert::parse(&buf[..r.len]) {
            Ok(ad) => ad,
            Err(e) => {
                tracing::warn!("{name}: router advertisement from {} ignored: {e}", r.from);
                continue;
            }
        };
        heard = true;
        if ad.dropped > 0 {
            tracing::warn!(
                "{name}: router advertisement from {}: {} routes beyond {MAX_KEPT} dropped",
                r.from,
                ad.dropped
            );
        }
        if let Err(e) = placed.apply(&name, index, settings, r.from, &ad).await {
            tracing::warn!(
                "{name}: placing the routes of the advertisement from {}: {e}",
                r.from
            );
        }
    }
}

/// One route of an advertisement: destination, length, router (none: on
/// the link).
type Key = (Ipv6Addr, u8, Option<Ipv6Addr>);

/// The routes a listener placed, with when they expire (`None`: never),
/// to bound how many it keeps.
#[derive(Default)]
struct Placed(HashMap<Key, Option<Instant>>);

impl Placed {
    /// Places (or removes, lifetime 0) the routes `ad` from `router` gives,
    /// as `s` says.
    async fn apply(
        &mut self,
        name: &str,
        index: u32,
        s: Settings,
        router: Ipv6Addr,
        ad: &Advertisement,
    ) -> Result<()> {
        let mut wanted: Vec<(Key, u32)> = Vec::new();
        if s.routes && s.gateway {
            wanted.push((
                (Ipv6Addr::UNSPECIFIED, 0, Some(router)),
                ad.router_lifetime.into(),
            ));
        }
        if s.routes {
            for p in &ad.routes {
                // A default route in route information is still a
                // default route.
                if p.len > 0 || s.gateway {
                    wanted.push(((p.prefix, p.len, Some(router)), p.lifetime));
                }
            }
            wanted.extend(ad.on_link.iter().map(
                |&Prefix {
                     prefix,
                     len,
                     lifetime,
                 }| ((prefix, len, None), lifetime),
            ));
        }
        let now = Instant::now();
        self.0.retain(|_, until| until.is_none_or(|t| t > now));
        let handle = Connection::open()?;
        let mut result = Ok(());
        for (key, lifetime) in wanted {
            let r = route(name, s.table, s.metric, key);
            let sent = if lifetime == 0 {
                self.0.remove(&key);
                del(&handle, index, &r).await
            } else if !self.0.contains_key(&key) && self.0.len() >= MAX_KEPT {
                tracing::warn!(
                    "{name}: {}/{} from {router} dropped: {MAX_KEPT} routes of advertisements are kept already",
                    key.0,
                    key.1
                );
                Ok(())
            } else {
                let until =
                    (lifetime != INFINITE).then(|| now + Duration::from_secs(lifetime.into()));
                self.0.insert(key, until);
                add(&handle, index, &r, lifetime).await
            };
            if let Err(e) = sent {
                result = Err(e);
            }
        }
        result
    }
}

/// The route `key` through interface `name` in `table`, with `metric`.
fn route(name: &str, table: u32, metric: u32, (dst, len, via): Key) -> Route {
    Route {
        destination: Some(format!("{dst}/{len}")),
        next_hop_interface: Some(name.to_string()),
        next_hop_address: via.map(IpAddr::V6),
        metric: Some(metric),
        table_id: Some(table),
        ..Route::default()
    }
}

/// Adds `r` (through interface `index`) expiring in `lifetime` seconds;
/// one there already (an earlier advertisement's) is replaced, so its
/// expiry is refreshed.
async fn add(handle: &Handle, index: u32, r: &Route, lifetime: u32) -> Result<()> {
    let expires = (lifetime != INFINITE).then_some(lifetime);
    let m = route::message(r, Some(index), Request::Add { expires }, Origin::Ra)?;
    // Remove first rather than replace: an IPv6 replace takes any route of
    // the same place and metric, another router's default route too.
    del(handle, index, r).await?;
    handle
        .route()
        .add(m)
        .execute()
        .await
        .map_err(|e| from_netlink(&format!("adding route {r}"), e))
}

/// Removes `r` (through interface `index`; gone already is not an error).
async fn del(handle: &Handle, index: u32, r: &Route) -> Result<()> {
    let m = route::message(r, Some(index), Request::Remove, Origin::Ra)?;
    done_if(libc::ESRCH, handle.route().del(m).execute().await)
        .map_err(|e| from_netlink(&format!("removing route {r}"), e))
}

/// Removes the routes of advertisements (`proto ra`) through `name` in
/// `table` (an interface that is gone took them with it).
async fn remove_routes(name: &str, table: u32) -> Result<()> {
    let index = match index_of(name) {
        Ok(i) => i,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let handle = Connection::open()?;
    let mut dump = RouteMessage::default();
    dump.header.address_family = AddressFamily::Inet6;
    let ours: Vec<RouteMessage> = handle
        .route()
        .get(dump)
        .execute()
        .try_filter(|m| {
            let t = m
                .attributes
                .iter()
                .find_map(|a| match a {
                    RouteAttribute::Table(t) => Some(*t),
                    _ => None,
                })
                .unwrap_or(m.header.table.into());
            let oif = m.attributes.contains(&RouteAttribute::Oif(index));
            std::future::ready(m.header.protocol == RouteProtocol::Ra && t == table && oif)
        })
        .try_collect()
        .await
        .map_err(|e| from_netlink(&format!("{name}: reading IPv6 routes"), e))?;
    for m in &ours {
        // Named as this module adds them (not with the dump's expiry or
        // cache info attributes, which a deletion may not carry).
        let (key, metric) = key_of(m);
        del(&handle, index, &route(name, table, metric, key)).await?;
    }
    Ok(())
}

/// The route of advertisements `m` (a dump's, through one interface) as
/// this module names it, and its metric.
fn key_of(m: &RouteMessage) -> (Key, u32) {
    let (mut dst, mut via, mut metric) = (Ipv6Addr::UNSPECIFIED, None, 0);
    for a in &m.attributes {
        match a {
            RouteAttribute::Destination(RouteAddress::Inet6(d)) => dst = *d,
            RouteAttribute::Gateway(RouteAddress::Inet6(g)) => via = Some(*g),
            RouteAttribute::Priority(p) => metric = *p,
            _ => {}
        }
    }
    ((dst, m.header.destination_prefix_length, via), metric)
}
