//! The `ovs` plugin: Open vSwitch bridges, ports, bonds, VLANs and
//! internal interfaces through OVSDB, built on the typed protocol only
//! (nothing in the daemon knows about OVS).
//!
//! Role `ovs`. See `docs/plugins/ovs.md`.
//! - `network.apply` ([`ApplyPart`], the part the state plugin routes to
//!   role `ovs`): one OVSDB transaction (`apply.rs`), then a wait until
//!   ovs-vswitchd has given every new interface its `ofport` (OVSDB's
//!   monitor) and, for an internal interface, the kernel has its link
//!   (learnt from the monitor plugin's rules, `ovs.link-appeared`), so
//!   that the kernel's part after ours finds the interfaces it puts
//!   addresses on. The wait runs on a task of its own and answers the
//!   request when done: the handler stays free for the follow-ups;
//!   The top-level `ovs-db` and `ovn` are the `Open_vSwitch` row's columns
//!   (`apply::root_row`), in the same transaction;
//! - `ovs.query` ([`OvsQuery`]) → the OVS part of the state (`db.rs`),
//!   which the commander merges into every query (show, checkpoint,
//!   verification);
//! - announces `ovs.db-connection` when the connection to `ovsdb-server`
//!   is made or lost (`ovsdb.rs` reconnects with backoff).
//!
//! Without `ovsdb-server` the plugin starts all the same, says where it
//! looked, and fails the OVS parts of applies with that message.

mod apply;
mod db;
mod ovsdb;

use std::{collections::HashSet, path::PathBuf, sync::Arc, time::Duration};

use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Plugin, Result, Role,
    protocol::{
        daemon::ConfigType,
        monitor::{Condition, FollowUp, RuleAdd, RuleInterface, RuleRemove},
        ovs::{OvsLinkAppeared, OvsQuery, OvsdbConnection},
    },
    state::{ApplyPart, OvsDatapath, PartApplied},
};
use serde::Deserialize;
use tokio::sync::watch;

use ovsdb::{Client, Connection, OvsdbError};

nipart_plugin_api::incoming! {
    /// What the ovs plugin handles.
    enum Incoming {
        ApplyPart(ApplyPart),
        Query(OvsQuery),
        LinkAppeared(OvsLinkAppeared),
    }
}

/// `[plugin.ovs]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// `ovsdb-server`'s socket.
    socket: PathBuf,
    /// How long an OVSDB call may take.
    timeout_ms: u64,
    /// How long ovs-vswitchd may take to add the interfaces of an apply.
    ready_timeout_ms: u64,
    /// The datapath of a bridge created without `bridge.options.datapath`:
    /// `system` (the kernel's openvswitch module) or `netdev` (userspace).
    datapath: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            socket: PathBuf::from("/run/openvswitch/db.sock"),
            timeout_ms: 5_000,
            ready_timeout_ms: 10_000,
            datapath: "system".into(),
        }
    }
}

impl Config {
    fn check(self) -> Result<(Config, OvsDatapath)> {
        let bad = |m: String| Err(Error::invalid_input(format!("[plugin.ovs] {m}")));
        if !(100..=600_000).contains(&self.timeout_ms) {
            return bad(format!(
                "timeout_ms = {} is out of range 100..=600000",
                self.timeout_ms
            ));
        }
        if !(100..=600_000).contains(&self.ready_timeout_ms) {
            return bad(format!(
                "ready_timeout_ms = {} is out of range 100..=600000",
                self.ready_timeout_ms
            ));
        }
        if !self.socket.is_absolute() {
            return bad(format!(
                "socket = {:?} is not an absolute path",
                self.socket
            ));
        }
        let Some(dp) = OvsDatapath::ALL
            .iter()
            .copied()
            .find(|d| d.as_str() == self.datapath)
        else {
            return bad(format!(
                "datapath = {:?} is not one of: system, netdev",
                self.datapath
            ));
        };
        Ok((self, dp))
    }

    fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

struct Ovs {
    config: Config,
    datapath: OvsDatapath,
    client: Option<Arc<Client>>,
    /// The internal interfaces whose kernel link the monitor plugin said
    /// appeared (our rules' follow-ups), until a waiter takes them.
    appeared: watch::Sender<HashSet<String>>,
}

/// What waits for ovs-vswitchd after a transaction, on a task of its own:
/// the handler must stay free meanwhile, since the monitor's follow-ups
/// come through it.
struct Waiter {
    client: Arc<Client>,
    ready_timeout: Duration,
    timeout: Duration,
    appeared: watch::Sender<HashSet<String>>,
}

fn ovsdb_error(e: OvsdbError) -> Error {
    let kind = match &e {
        OvsdbError::NotConnected(_) | OvsdbError::Lost(_) => ErrorKind::Failed,
        OvsdbError::Timeout(_) => ErrorKind::Timeout,
        OvsdbError::Refused(_) => ErrorKind::Failed,
    };
    Error::new(kind, e.to_string())
}

impl Plugin for Ovs {
    const NAME: &'static str = "ovs";
    const DESCRIPTION: &'static str = "Open vSwitch bridges, ports, bonds and VLANs through OVSDB";
    const ROLES: &'static [&'static str] = &[Role::OVS.as_str()];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("socket", ConfigType::String),
        ("timeout_ms", ConfigType::Integer),
        ("ready_timeout_ms", ConfigType::Integer),
        ("datapath", ConfigType::String),
    ];

    fn new() -> Result<Self> {
        Ok(Ovs {
            config: Config::default(),
            datapath: OvsDatapath::System,
            client: None,
            appeared: watch::Sender::new(HashSet::new()),
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        let (config, datapath) = ctx.config::<Config>()?.check()?;
        let socket = config.socket.display().to_string();
        let reporter = ctx.clone();
        let client = Client::start(&config.socket, move |c| {
            let (connected, detail) = match c {
                Connection::Connected => {
                    tracing::info!("connected to ovsdb-server at {socket}");
                    (true, String::new())
                }
                Connection::Lost(why) => {
                    tracing::warn!("lost ovsdb-server at {socket}: {why}; connecting again");
                    (false, why)
                }
            };
            let notice = OvsdbConnection {
                connected,
                socket: socket.clone(),
                detail,
            };
            if let Err(e) = reporter.announce(&notice) {
                tracing::debug!("the OVSDB connection notice was not sent: {e}");
            }
        });
        // A moment for the first connection, so that a missing server is
        // said at start; the plugin runs on either way.
        if !client.connected_within(Duration::from_secs(1)).await {
            let e = client
                .call("echo", serde_json::json!([]), config.timeout())
                .await
                .err()
                .map_or_else(String::new, |e| e.to_string());
            tracing::warn!(
                "ovsdb-server is not reachable at {} ({e}); OVS parts of an apply fail until it is (set [plugin.ovs] socket if it listens elsewhere)",
                config.socket.display()
            );
        }
        self.client = Some(Arc::new(client));
        self.config = config;
        self.datapath = datapath;
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        match Incoming::decode(&event)? {
            Some(Incoming::ApplyPart(part)) if event.request => self.apply(ctx, event, &part).await,
            Some(Incoming::LinkAppeared(l)) => {
                self.appeared.send_modify(|s| {
                    s.insert(l.name);
                });
                Ok(())
            }
            Some(Incoming::Query(q)) if event.request => {
                let mut state = self.snapshot().await?.to_state();
                if let Some(name) = &q.interface {
                    state.interfaces.retain(|i| &i.name == name);
                    // One interface's state has no host-wide sections.
                    state.ovs_db = None;
                    state.ovn = None;
                }
                ctx.answer::<OvsQuery>(&event, &state)
            }
            _ => Ok(()),
        }
    }

    async fn shutdown(&mut self, _ctx: &Context) -> Result<()> {
        self.client = None;
        Ok(())
    }
}

impl Ovs {
    fn client(&self) -> Result<&Arc<Client>> {
        self.client
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::Failed, "the ovs plugin is not started"))
    }

    async fn snapshot(&self) -> Result<db::Snapshot> {
        let results = self
            .client()?
            .transact(db::select_ops(), self.config.timeout())
            .await
            .map_err(ovsdb_error)?;
        Ok(db::Snapshot::from_results(&results))
    }

    /// Applies the OVS part of a plan (`request`) in one transaction and
    /// answers once ovs-vswitchd has added what it made
    /// ([`Waiter::wait_ready`], on a task of its own). The monitor
    /// plugin's rules for the kernel links of new internal interfaces are
    /// registered before the transaction, so none appears unseen.
    async fn apply(&self, ctx: &Context, request: Event, part: &ApplyPart) -> Result<()> {
        let client = self.client()?;
        let snapshot = self.snapshot().await?;
        let mut tx = apply::transaction(&part.state, &snapshot, self.datapath);
        apply::root_row(&part.state, &snapshot, &mut tx)
            .map_err(|e| Error::new(ErrorKind::Failed, e))?;
        if tx.ops.is_empty() {
            return ctx.answer::<ApplyPart>(&request, &PartApplied::default());
        }
        let waiter = Waiter {
            client: client.clone(),
            ready_timeout: Duration::from_millis(self.config.ready_timeout_ms),
            timeout: self.config.timeout(),
            appeared: self.appeared.clone(),
        };
        let mut links = Vec::new();
        for (name, _) in tx.wait_for.iter().filter(|(_, internal)| *internal) {
            links.push((name.clone(), waiter.watch_link(ctx, name).await));
        }
        tracing::debug!(
            "OVSDB transaction: {}",
            serde_json::Value::Array(tx.ops.clone())
        );
        if let Err(e) = client.transact(tx.ops, self.config.timeout()).await {
            waiter.unwatch(ctx, &links).await;
            return Err(Error::new(
                ovsdb_error(e.clone()).kind(),
                format!("{e}; nothing was changed in OVSDB"),
            ));
        }
        let ctx = ctx.clone();
        let (changes, ports) = (tx.changes, tx.wait_for);
        tokio::spawn(async move {
            let outcome = waiter.wait_ready(&ctx, &ports, &links).await;
            if outcome.is_err() {
                waiter.unwatch(&ctx, &links).await;
            }
            let sent = match outcome {
                Ok(()) => ctx.answer::<ApplyPart>(&request, &PartApplied { changes }),
                Err(e) => ctx.reply_error(&request, &e),
            };
            if let Err(e) = sent {
                tracing::warn!("the answer to {} was not sent: {e}", request.topic);
            }
        });
        Ok(())
    }
}

/// How the kernel link of a new internal interface is learnt.
#[derive(Debug, Clone, Copy)]
enum LinkWatch {
    /// The monitor plugin has it already (a link of that name existed).
    Seen,
    /// Monitor rule `id` tells `ovs.link-appeared` when it appears.
    Rule(u64),
    /// No monitor plugin (or it refused the rule): the kernel is asked
    /// once ovs-vswitchd gave the interface its `ofport`.
    Kernel,
}

impl Waiter {
    /// Registers a one-shot rule with the monitor plugin: "link `name`
    /// added → tell plugin:ovs" ([`OvsLinkAppeared`]).
    async fn watch_link(&self, ctx: &Context, name: &str) -> LinkWatch {
        self.appeared.send_modify(|s| {
            s.remove(name);
        });
        let notice = OvsLinkAppeared {
            name: name.to_string(),
        };
        let me = Address::plugin(ctx.name()).to_string();
        let event = match FollowUp::notice(me, &notice) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("the follow-up of a rule for {name}: {e}");
                return LinkWatch::Kernel;
            }
        };
        let rule = RuleAdd {
            interface: RuleInterface::Name(name.to_string()),
            condition: Condition::Added,
            event,
            persistent: false,
            fire_if_holds: false,
        };
        match ctx.ask_within(&rule, self.timeout).await {
            Ok(added) if added.holds => {
                // It did not fire (`fire_if_holds: false`): it would at
                // the link's next appearance.
                self.remove_rule(ctx, added.id).await;
                LinkWatch::Seen
            }
            Ok(added) => LinkWatch::Rule(added.id),
            Err(e) => {
                if e.kind() != ErrorKind::NoRoleHolder {
                    tracing::warn!("the monitor plugin did not take a rule for {name}: {e}");
                }
                LinkWatch::Kernel
            }
        }
    }

    /// Removes the rules of `links` that may not have fired.
    async fn unwatch(&self, ctx: &Context, links: &[(String, LinkWatch)]) {
        for (_, w) in links {
            if let LinkWatch::Rule(id) = w {
                self.remove_rule(ctx, *id).await;
            }
        }
    }

    /// Removes monitor rule `id` (ours); a failure is only logged: the
    /// rule is one-shot and its follow-up harmless.
    async fn remove_rule(&self, ctx: &Context, id: u64) {
        if let Err(e) = ctx.ask_within(&RuleRemove { id }, self.timeout).await {
            tracing::debug!("removing monitor rule {id}: {e}");
        }
    }

    /// Waits until ovs-vswitchd reports an `ofport` for each of `names`
    /// (pushed by OVSDB's monitor, not polled) and, for internal
    /// interfaces, the kernel has their link ([`Waiter::kernel_link`]).
    async fn wait_ready(
        &self,
        ctx: &Context,
        names: &[(String, bool)],
        links: &[(String, LinkWatch)],
    ) -> Result<()> {
        let limit = self.ready_timeout;
        for (name, _) in names {
            let outcome = self
                .client
                .wait_for(limit, |table| {
                    let row = table.get(name)?;
                    match row.ofport {
                        Some(p) if p > 0 => Some(Ok(())),
                        Some(_) => {
                            Some(Err(row.error.clone().unwrap_or_else(|| "no ofport".into())))
                        }
                        None => None,
                    }
                })
                .await;
            match outcome {
                Some(Ok(())) => {}
                Some(Err(why)) => {
                    return Err(Error::new(
                        ErrorKind::Failed,
                        format!("ovs-vswitchd could not add interface {name}: {why}"),
                    ));
                }
                None => {
                    return Err(Error::new(
                        ErrorKind::Timeout,
                        format!(
                            "ovs-vswitchd did not add interface {name} within {} ms (is it running?)",
                            limit.as_millis()
                        ),
                    ));
                }
            }
        }
        for (name, watch) in links {
            self.kernel_link(ctx, name, *watch).await?;
        }
        Ok(())
    }

    /// Waits for the kernel link of internal interface `name` as `watch`
    /// says: the monitor's follow-up (which may have come already), then
    /// the kernel asked once more, as a follow-up's content is whoever
    /// registered the rule.
    async fn kernel_link(&self, ctx: &Context, name: &str, watch: LinkWatch) -> Result<()> {
        let id = match watch {
            LinkWatch::Seen => {
                tracing::debug!("the monitor plugin had the kernel link of {name} already");
                return Ok(());
            }
            LinkWatch::Kernel => return self.kernel_has(name),
            LinkWatch::Rule(id) => id,
        };
        let mut seen = self.appeared.subscribe();
        let came = tokio::time::timeout(self.ready_timeout, seen.wait_for(|s| s.contains(name)))
            .await
            .is_ok_and(|r| r.is_ok());
        self.appeared.send_modify(|s| {
            s.remove(name);
        });
        if !came {
            // A one-shot rule that did not fire is still registered.
            self.remove_rule(ctx, id).await;
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "ovs-vswitchd gave {name} a port, but the kernel showed no link {name} within {} ms",
                    self.ready_timeout.as_millis()
                ),
            ));
        }
        tracing::debug!("the monitor plugin saw the kernel link of {name} appear");
        self.kernel_has(name)
    }

    fn kernel_has(&self, name: &str) -> Result<()> {
        if kernel_has_link(name) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Failed,
                format!("ovs-vswitchd gave {name} a port, but the kernel has no link {name}"),
            ))
        }
    }
}

/// Whether the kernel (of this network namespace) has a link `name`.
fn kernel_has_link(name: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(name) else {
        return false;
    };
    // SAFETY: `c` is a NUL-terminated string that outlives the call;
    // if_nametoindex only reads it.
    unsafe { libc::if_nametoindex(c.as_ptr()) != 0 }
}

nipart_plugin_api::register_plugin!(Ovs);
nipart_plugin_api::export_plugins!();
