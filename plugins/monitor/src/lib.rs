//! The `monitor` plugin: watches rtnetlink link, address and route
//! notifications in the daemon's network namespace and publishes an event
//! for every actual change (routes: for every notification, as routes are
//! not tracked); fires the follow-up events of rules other plugins register.
//!
//! See `docs/plugins/monitor.md` for the topics, payloads and rules.

mod netlink;
mod rules;
mod state;

use std::{
    os::fd::AsRawFd,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use netlink_sys::Socket;
use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Message as _, Plugin, PluginGone, Result, Role,
    protocol::{
        daemon::{ConfigType, PluginFailed, PluginStopped, ReportFailure},
        monitor::{
            AddressAdded, AddressChanged, AddressRemoved, LinkAdded, LinkAdminDown, LinkAdminUp,
            LinkCarrierDown, LinkCarrierUp, LinkChanged, LinkMtuChanged, LinkRemoved, LinkRenamed,
            LinksRequest, Resync, RouteAdded, RouteChanged, RouteRemoved, RuleAdd, RuleDropped,
            RuleListRequest, RuleRemove, RuleRemoved,
        },
    },
};
use serde::{Deserialize, Serialize};
use tokio::{io::unix::AsyncFd, task::JoinHandle};

use crate::{
    netlink::{Dumper, Message, Received},
    rules::{FollowUp, RuleSpec, Rules},
    state::{AddrKey, Change, LinkState, NetState, RouteKey},
};

/// `[plugin.monitor]` of the daemon's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Receive buffer of the notification socket, in bytes (the kernel
    /// doubles it). Set with `SO_RCVBUFFORCE`, so root may exceed
    /// `net.core.rmem_max`.
    receive_buffer_bytes: usize,
    /// How many rules may be registered at once.
    max_rules: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            receive_buffer_bytes: 4 << 20,
            max_rules: 4096,
        }
    }
}

impl Config {
    fn validate(&self) -> Result<()> {
        if self.receive_buffer_bytes == 0 || self.receive_buffer_bytes > 1 << 30 {
            return Err(Error::invalid_input(format!(
                "[plugin.monitor] receive_buffer_bytes: {} is out of range 1..=1073741824",
                self.receive_buffer_bytes
            )));
        }
        if self.max_rules == 0 {
            return Err(Error::invalid_input(
                "[plugin.monitor] max_rules: must be at least 1",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Serialize)]
struct LinkView<'a> {
    #[serde(flatten)]
    link: &'a LinkState,
    addresses: Vec<String>,
}

/// The reply to `monitor.rule.list` as the monitor writes it (the
/// protocol's `RuleList`; `rule_list_and_links_read_as_the_protocol_types`
/// keeps the two the same).
#[derive(Debug, Serialize)]
struct RuleListView<'a> {
    rules: &'a [rules::Rule],
}

/// The reply to `monitor.links` as the monitor writes it (the protocol's
/// `Links`).
#[derive(Debug, Serialize)]
struct LinksView<'a> {
    links: Vec<LinkView<'a>>,
}

/// What the netlink task and the event handlers share.
struct Core {
    ctx: Context,
    state: NetState,
    rules: Rules,
    seq: u64,
}

impl Core {
    fn publish_change(&mut self, change: &Change) {
        self.seq += 1;
        let seq = self.seq;
        let link = |link: &LinkState, old_name: Option<&str>| LinkChanged {
            seq,
            name: link.name.clone(),
            index: link.index,
            up: link.up,
            carrier: link.carrier,
            kind: link.kind.clone(),
            old_name: old_name.map(str::to_string),
            mtu: link.mtu,
            old_mtu: None,
        };
        let addr = |a: &AddrKey, name: &str| AddressChanged {
            seq,
            name: name.to_string(),
            index: a.index,
            family: a.family(),
            address: a.address.to_string(),
            prefix_len: a.prefix_len,
        };
        let ctx = &self.ctx;
        let result = match change {
            Change::LinkAdded(l) => ctx.announce(&LinkAdded(link(l, None))),
            Change::LinkRemoved(l) => ctx.announce(&LinkRemoved(link(l, None))),
            Change::AdminUp(l) => ctx.announce(&LinkAdminUp(link(l, None))),
            Change::AdminDown(l) => ctx.announce(&LinkAdminDown(link(l, None))),
            Change::CarrierUp(l) => ctx.announce(&LinkCarrierUp(link(l, None))),
            Change::CarrierDown(l) => ctx.announce(&LinkCarrierDown(link(l, None))),
            Change::LinkRenamed { link: l, old_name } => {
                ctx.announce(&LinkRenamed(link(l, Some(old_name))))
            }
            Change::MtuChanged { link: l, old_mtu } => ctx.announce(&LinkMtuChanged(LinkChanged {
                old_mtu: Some(*old_mtu),
                ..link(l, None)
            })),
            Change::AddressAdded(a, name) => ctx.announce(&AddressAdded(addr(a, name))),
            Change::AddressRemoved(a, name) => ctx.announce(&AddressRemoved(addr(a, name))),
        };
        if let Err(e) = result {
            tracing::warn!("publishing {}: {e}", change.topic());
        }
    }

    /// Publishes a route notification as it came (routes are not tracked).
    fn publish_route(&mut self, route: &RouteKey, added: bool) {
        self.seq += 1;
        let r = RouteChanged {
            seq: self.seq,
            family: route.family(),
            destination: route.destination_cidr(),
            gateway: route.gateway.map(|g| g.to_string()),
            interface: self.state.name_of(route.index),
            index: route.index,
            table: route.table,
            metric: route.metric,
        };
        let result = if added {
            self.ctx.announce(&RouteAdded(r))
        } else {
            self.ctx.announce(&RouteRemoved(r))
        };
        if let Err(e) = result {
            tracing::warn!("publishing a route notice: {e}");
        }
    }

    fn publish_follow_up(&self, rule: u64, f: &FollowUp) {
        match f.event().and_then(|ev| self.ctx.publish(ev)) {
            Ok(()) => tracing::debug!("rule {rule} fired: {} to {}", f.topic, f.dst),
            Err(e) => tracing::warn!(
                "rule {rule} fired but its event {} to {} was not accepted: {e}",
                f.topic,
                f.dst
            ),
        }
    }

    /// Applies one notification: publishes the changes, then fires rules.
    fn apply(&mut self, msg: Message) {
        // Rule conditions are about links: only a link message can change
        // them, and only for the rules naming that link.
        let before = match &msg {
            Message::NewLink(link) => {
                let old = self.state.links.get(&link.index).map(|l| l.name.as_str());
                let names = [link.name.as_str(), old.unwrap_or_default()];
                self.rules
                    .snapshot_for_link(&self.state, link.index, &names)
            }
            Message::DelLink(index) => {
                let old = self.state.links.get(index).map(|l| l.name.as_str());
                self.rules
                    .snapshot_for_link(&self.state, *index, &[old.unwrap_or_default()])
            }
            Message::NewAddress(..) | Message::DelAddress(_) => Vec::new(),
            Message::NewRoute(route) => return self.publish_route(route, true),
            Message::DelRoute(route) => return self.publish_route(route, false),
        };
        let mut changes = Vec::new();
        match msg {
            Message::NewLink(link) => self.state.link_seen(link, &mut changes),
            Message::DelLink(index) => self.state.link_gone(index, &mut changes),
            Message::NewAddress(a, label) => {
                self.state.address_seen(a, label.as_deref(), &mut changes)
            }
            Message::DelAddress(a) => self.state.address_gone(a, &mut changes),
            Message::NewRoute(_) | Message::DelRoute(_) => {}
        }
        if changes.is_empty() {
            return;
        }
        for c in &changes {
            self.publish_change(c);
        }
        for (id, f) in self.rules.fired(&before, &self.state) {
            self.publish_follow_up(id, &f);
        }
    }

    /// Replaces the state with a fresh dump and publishes the difference.
    fn resync(&mut self, fresh: NetState, reason: &str, discarded: usize) {
        let before = self.rules.snapshot(&self.state);
        let changes = self.state.replace_with(fresh);
        for c in &changes {
            self.publish_change(c);
        }
        for (id, f) in self.rules.fired(&before, &self.state) {
            self.publish_follow_up(id, &f);
        }
        self.seq += 1;
        let notice = Resync {
            seq: self.seq,
            reason: reason.to_string(),
            discarded,
            changes: changes.len(),
        };
        tracing::warn!(
            "re-read the link and address state ({reason}): {} changes published, {discarded} queued notifications discarded",
            changes.len()
        );
        if let Err(e) = self.ctx.announce(&notice) {
            tracing::warn!("publishing {}: {e}", Resync::TOPIC);
        }
    }

    fn links_view(&self) -> LinksView<'_> {
        let links: Vec<LinkView<'_>> = self
            .state
            .links
            .values()
            .map(|link| LinkView {
                link,
                addresses: self
                    .state
                    .addresses_of(link.index)
                    .map(AddrKey::cidr)
                    .collect(),
            })
            .collect();
        LinksView { links }
    }
}

fn lock(core: &Mutex<Core>) -> MutexGuard<'_, Core> {
    core.lock().unwrap_or_else(|e| e.into_inner())
}

/// The plugin.
pub struct Monitor {
    core: Option<Arc<Mutex<Core>>>,
    task: Option<JoinHandle<()>>,
}

impl Monitor {
    fn core(&self) -> Result<&Arc<Mutex<Core>>> {
        self.core
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::Failed, "the monitor is not initialized"))
    }

    fn require_request(event: &Event) -> Result<()> {
        if event.request {
            Ok(())
        } else {
            Err(Error::invalid_input(format!(
                "{} must be sent as a request (it is answered)",
                event.topic
            )))
        }
    }

    fn rule_add(&self, ctx: &Context, event: &Event) -> Result<()> {
        Self::require_request(event)?;
        let spec = RuleSpec::parse(&event.payload)?;
        let owner = event.src.to_string();
        let mut core = lock(self.core()?);
        let core = &mut *core;
        let (added, now) = core.rules.add(owner.clone(), spec, &core.state)?;
        if let Err(e) = ctx.answer::<RuleAdd>(event, &added) {
            // Nobody will know the id: don't keep a rule no one can remove.
            let _ = core.rules.remove(added.id, &owner);
            return Err(e);
        }
        tracing::debug!("rule {} added by {owner}", added.id);
        if let Some(f) = now {
            core.publish_follow_up(added.id, &f);
        }
        Ok(())
    }

    fn rule_remove(&self, ctx: &Context, event: &Event) -> Result<()> {
        Self::require_request(event)?;
        let req: RuleRemove = serde_json::from_slice(&event.payload).map_err(|e| {
            Error::invalid_input(format!(
                "invalid {} payload (expected {{\"id\": N}}): {e}",
                RuleRemove::TOPIC
            ))
        })?;
        let rule = lock(self.core()?)
            .rules
            .remove(req.id, &event.src.to_string())?;
        ctx.answer::<RuleRemove>(
            event,
            &RuleRemoved {
                id: rule.id,
                removed: true,
            },
        )
    }

    fn plugin_gone(&self, ctx: &Context, event: &Event) -> Result<()> {
        if event.src != Address::Daemon {
            tracing::warn!(
                "ignoring {} from {}: only the daemon reports plugins gone",
                event.topic,
                event.src
            );
            return Ok(());
        }
        let gone: PluginGone = match (
            event.decode::<PluginStopped>(),
            event.decode::<PluginFailed>(),
        ) {
            (Some(stopped), _) => stopped?.0,
            (_, Some(failed)) => failed?.0,
            (None, None) => return Ok(()),
        };
        let owner = Address::plugin(gone.plugin).to_string();
        let ids = lock(self.core()?).rules.drop_owner(&owner);
        if !ids.is_empty() {
            tracing::info!(
                "dropped the {} rules of {owner} ({})",
                ids.len(),
                event.topic
            );
            ctx.announce(&RuleDropped {
                owner,
                ids,
                reason: event.topic.to_string(),
                detail: gone.reason,
            })?;
        }
        Ok(())
    }
}

/// The watcher can't go on: the monitor would publish nothing more, so it
/// reports itself failed (the daemon isolates it and tells the others).
fn give_up(core: &Mutex<Core>, why: &str) {
    tracing::error!("{why}; the monitor stops");
    let ctx = lock(core).ctx.clone();
    let failure = ReportFailure {
        reason: why.to_string(),
    };
    if let Err(e) = ctx.call(&failure) {
        tracing::error!("reporting the failure to the daemon: {e}");
    }
}

/// Reads notifications until the task is aborted.
async fn watch(core: Arc<Mutex<Core>>, socket: Socket, mut dumper: Dumper) {
    // SAFETY: the socket owns its descriptor, which stays open and is not
    // replaced while the AsyncFd owns the socket.
    let fd = match unsafe { AsyncFd::register(socket) } {
        Ok(fd) => fd,
        Err(e) => {
            give_up(
                &core,
                &format!("registering the netlink socket with the runtime: {e}"),
            );
            return;
        }
    };
    let raw = fd.get_ref().as_raw_fd();
    let mut buf = vec![0u8; netlink::RECV_BUFFER];
    let mut messages = Vec::new();
    loop {
        let mut guard = match fd.readable().await {
            Ok(g) => g,
            Err(e) => {
                give_up(&core, &format!("waiting on the netlink socket: {e}"));
                return;
            }
        };
        for _ in 0..64 {
            let reason = match netlink::recv(raw, &mut buf) {
                Ok(Received::Empty) => {
                    guard.clear_ready();
                    break;
                }
                Ok(Received::Data(n)) => {
                    messages.clear();
                    let parsed = netlink::for_each_message(&buf[..n], |msg| {
                        if let Some(m) = netlink::parse_message(msg)? {
                            messages.push(m);
                        }
                        Ok(())
                    });
                    match parsed {
                        Ok(()) => {
                            let mut core = lock(&core);
                            for m in messages.drain(..) {
                                core.apply(m);
                            }
                            continue;
                        }
                        Err(e) => {
                            tracing::warn!("unreadable netlink notification: {e}");
                            "unreadable notification"
                        }
                    }
                }
                Ok(Received::Overrun) => "overrun",
                Err(e) => {
                    tracing::warn!("{e}");
                    "read error"
                }
            };
            resync(&core, raw, &mut buf, &mut dumper, reason).await;
        }
        tokio::task::yield_now().await;
    }
}

/// Discards what is queued, re-reads everything and publishes the
/// difference; retries until a dump succeeds.
async fn resync(
    core: &Mutex<Core>,
    raw: std::os::fd::RawFd,
    buf: &mut [u8],
    dumper: &mut Dumper,
    reason: &str,
) {
    let mut discarded = 0;
    let mut delay = Duration::from_millis(50);
    loop {
        match netlink::drain(raw, buf) {
            Ok(n) => discarded += n,
            Err(e) => tracing::warn!("draining the netlink socket: {e}"),
        }
        match dumper.dump() {
            Ok(fresh) => {
                lock(core).resync(fresh, reason, discarded);
                return;
            }
            Err(e) => {
                tracing::error!(
                    "re-reading the link state after {reason} failed: {e}; retrying in {delay:?}"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        }
    }
}

impl Plugin for Monitor {
    const NAME: &'static str = "monitor";
    const DESCRIPTION: &'static str =
        "publishes link, address and route changes (rtnetlink) and fires registered rules";
    const ROLES: &'static [&'static str] = &[Role::MONITOR.as_str()];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("receive_buffer_bytes", ConfigType::Integer),
        ("max_rules", ConfigType::Integer),
    ];

    fn new() -> Result<Self> {
        Ok(Monitor {
            core: None,
            task: None,
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        let config: Config = ctx.config()?;
        config.validate()?;
        let io_err =
            |what: &str, e: std::io::Error| Error::new(ErrorKind::Failed, format!("{what}: {e}"));
        // Subscribe first, then dump: a change between the two shows up as a
        // notification, and one already in the dump is no change.
        let socket = netlink::open_listener(config.receive_buffer_bytes)
            .map_err(|e| io_err("opening the rtnetlink listener", e))?;
        let mut dumper = Dumper::open().map_err(|e| io_err("opening the dump socket", e))?;
        let state = dumper
            .dump()
            .map_err(|e| io_err("reading the links and addresses", e))?;
        tracing::info!(
            "watching {} links and {} addresses (receive buffer {} bytes)",
            state.links.len(),
            state.addresses.len(),
            netlink::receive_buffer(socket.as_raw_fd()).unwrap_or(0)
        );
        let core = Arc::new(Mutex::new(Core {
            ctx: ctx.clone(),
            state,
            rules: Rules::new(config.max_rules),
            seq: 0,
        }));
        self.task = Some(tokio::spawn(watch(core.clone(), socket, dumper)));
        self.core = Some(core);
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        match event.topic.as_str() {
            // Parsed by the monitor's own validating parser (its messages
            // name the field), not by serde: the protocol's `RuleAdd` is
            // what senders build.
            RuleAdd::TOPIC => self.rule_add(ctx, &event),
            RuleRemove::TOPIC => self.rule_remove(ctx, &event),
            RuleListRequest::TOPIC => {
                Self::require_request(&event)?;
                let rules = lock(self.core()?).rules.list();
                ctx.reply(&event, &RuleListView { rules: &rules })
            }
            LinksRequest::TOPIC => {
                Self::require_request(&event)?;
                let core = lock(self.core()?);
                ctx.reply(&event, &core.links_view())
            }
            PluginStopped::TOPIC | PluginFailed::TOPIC => self.plugin_gone(ctx, &event),
            _ if event.request => Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "the monitor does not answer {:?} (it answers {}, {}, {}, {})",
                    event.topic,
                    RuleAdd::TOPIC,
                    RuleRemove::TOPIC,
                    RuleListRequest::TOPIC,
                    LinksRequest::TOPIC
                ),
            )),
            _ => Ok(()),
        }
    }

    async fn shutdown(&mut self, _ctx: &Context) -> Result<()> {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use nipart_plugin_api::protocol::monitor::Links;

    use super::*;

    /// The monitor writes its replies with its own structures; they read
    /// as the protocol's types that askers decode.
    #[test]
    fn links_read_as_the_protocol_type() {
        let link = LinkState {
            index: 3,
            name: "veth1".into(),
            up: true,
            carrier: false,
            kind: Some("veth".into()),
            mtu: Some(1500),
        };
        let view = LinksView {
            links: vec![LinkView {
                link: &link,
                addresses: vec!["192.0.2.1/24".into()],
            }],
        };
        let links: Links = serde_json::from_value(serde_json::to_value(&view).unwrap()).unwrap();
        assert_eq!(links.links[0].name, "veth1");
        assert_eq!(links.links[0].kind.as_deref(), Some("veth"));
        assert_eq!(links.links[0].addresses, ["192.0.2.1/24"]);
    }
}

nipart_plugin_api::register_plugin!(Monitor);
nipart_plugin_api::export_plugins!();

#[cfg(test)]
mod config_keys_tests {
    use nipart_plugin_api::Plugin;

    /// `CONFIG_KEYS` names keys the configuration type reads, with their types.
    #[test]
    fn the_declared_keys_are_the_configurations() {
        let sample = nipart_plugin_api::config_keys_sample(<super::Monitor as Plugin>::CONFIG_KEYS);
        if let Err(e) = serde_json::from_value::<super::Config>(sample) {
            panic!("CONFIG_KEYS and the configuration type differ: {e}");
        }
    }
}
