//! The `dhcp` plugin: a DHCPv4 client (mozim) for every interface whose
//! desired state has `ipv4.dhcp: true`, and a DHCPv6 client (IA_NA) for
//! every one with `ipv6.dhcp: true`.
//!
//! Role `dhcp`. See `docs/plugins/dhcp.md`.
//! - `network.apply` ([`ApplyPart`]): starts a client per interface (the
//!   reply does not wait for a lease) and registers monitor rules that
//!   tell it when the carrier comes and goes;
//! - `dhcp.leases` ([`DhcpLeaseQuery`]) → [`DhcpLeaseList`]: the leases
//!   applied now (the commander merges them into `Show`);
//! - `network.applied`: a desired state that turns DHCP off (`dhcp: false`)
//!   or deletes the interface stops its client, releasing the lease (after
//!   the apply was verified: a failed apply leaves it running);
//! - a rollback is a part like an apply's (`rollback: true`, planned by
//!   role `state` from the checkpoint, whose query lists the clients that
//!   ran and their `auto-*` keys): it starts the clients the checkpoint
//!   had, gives them its settings (complete: a key left out is its
//!   default), and stops at once those it turns off or whose interface it
//!   deletes. The plugin keeps no history of its own;
//! - `config.changed`: new settings apply to clients started afterwards;
//! - Shutdown releases every lease and removes its address.
//!
//! Each client runs as a task (`client.rs`, `v6.rs`); leases are saved
//! under `lease_dir` (`lease.rs`; DHCPv6 ones under `lease_dir/v6`,
//! `lease6.rs`) so that a restarted daemon asks for the same address first.

mod auto;
mod client;
mod direct;
mod invalid;
mod lease;
mod lease6;
mod nak;
mod v6;

use std::{collections::HashMap, path::PathBuf, time::Duration};

use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Message, Plugin, Result, Role,
    protocol::{
        daemon::{ConfigChanged, ConfigType},
        dhcp::{CarrierChange, CarrierDown, CarrierUp},
        monitor::{Condition, FollowUp, RuleAdd, RuleInterface, RuleRemove},
        workflow::NetworkApplied,
    },
    state::{ApplyPart, ApplyResult, DhcpLeaseList, DhcpLeaseQuery, PartApplied},
};
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};

use auto::AutoSettings;
use client::{Applied, Client, Command, Timing, lock};
use lease::LeaseStore;
use lease6::Lease6;
use v6::{Applied6, Client6};

/// Which of the plugin's clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    V4,
    V6,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::V4 => "DHCPv4",
            Family::V6 => "DHCPv6",
        }
    }
}

nipart_plugin_api::incoming! {
    /// What the dhcp plugin handles.
    enum Incoming {
        ApplyPart(ApplyPart),
        Leases(DhcpLeaseQuery),
        /// Follow-ups of our monitor rules.
        CarrierUp(CarrierUp),
        CarrierDown(CarrierDown),
        ConfigChanged(ConfigChanged),
        Applied(NetworkApplied),
    }
}

/// `[plugin.dhcp]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Where leases are saved, one `<interface>.json` each.
    lease_dir: PathBuf,
    /// How long the kernel role may take to apply a lease.
    kernel_timeout_ms: u64,
    /// How long the monitor may take to register a rule.
    monitor_timeout_ms: u64,
    /// Pause before a client starts over after an error.
    retry_interval_ms: u64,
    /// How long shutdown waits for the clients to release their leases.
    release_timeout_ms: u64,
    /// At most one line per this interval reports the invalid packets a
    /// client ignored (after a warning for its first one).
    invalid_report_ms: u64,
    /// Upper bound of the random delay before a DHCPv6 client's first
    /// Solicit (RFC 8415 SOL_MAX_DELAY); 0: at once.
    solicit_max_delay_ms: u64,
}

/// RFC 8415's SOL_MAX_DELAY: the most `solicit_max_delay_ms` may be.
const SOL_MAX_DELAY_MS: u64 = 1_000;

impl Default for Config {
    fn default() -> Self {
        Config {
            lease_dir: PathBuf::from("/var/lib/nipart/dhcp"),
            kernel_timeout_ms: 10_000,
            monitor_timeout_ms: 5_000,
            retry_interval_ms: 5_000,
            release_timeout_ms: 3_000,
            invalid_report_ms: 60_000,
            // At once, as systemd-networkd and NetworkManager do: a
            // client that just made its link-local address has waited a
            // random 0-1 s already (RFC 4862 5.4.2, before duplicate
            // address detection), which is what spreads hosts booting
            // together. docs/plugins/dhcp.md has the trade-off.
            solicit_max_delay_ms: 0,
        }
    }
}

impl Config {
    /// Values serde can't check: out of range is an error naming the key.
    fn validate(&self) -> Result<()> {
        if self.solicit_max_delay_ms > SOL_MAX_DELAY_MS {
            return Err(Error::invalid_input(format!(
                "[plugin.dhcp] solicit_max_delay_ms: {} is out of range 0..={SOL_MAX_DELAY_MS} (RFC 8415 SOL_MAX_DELAY is 1 s)",
                self.solicit_max_delay_ms
            )));
        }
        Ok(())
    }
}

/// A running client.
struct Running {
    tx: mpsc::UnboundedSender<Command>,
    task: tokio::task::JoinHandle<()>,
    /// The monitor rules following its carrier.
    rules: Vec<u64>,
    /// Its `auto-*` keys.
    settings: AutoSettings,
}

struct Dhcp {
    config: Config,
    store: Option<LeaseStore>,
    store6: Option<LeaseStore<Lease6>>,
    clients: HashMap<String, Running>,
    clients6: HashMap<String, Running>,
    applied: Applied,
    applied6: Applied6,
}

impl Plugin for Dhcp {
    const NAME: &'static str = "dhcp";
    const DESCRIPTION: &'static str =
        "DHCPv4 and DHCPv6 (IA_NA) client (mozim); leases are applied by role kernel";
    const ROLES: &'static [&'static str] = &[Role::DHCP.as_str()];
    const SUBSCRIPTIONS: &'static [&'static str] = &[NetworkApplied::TOPIC];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("lease_dir", ConfigType::String),
        ("kernel_timeout_ms", ConfigType::Integer),
        ("monitor_timeout_ms", ConfigType::Integer),
        ("retry_interval_ms", ConfigType::Integer),
        ("release_timeout_ms", ConfigType::Integer),
        ("invalid_report_ms", ConfigType::Integer),
        ("solicit_max_delay_ms", ConfigType::Integer),
    ];

    fn new() -> Result<Self> {
        Ok(Dhcp {
            config: Config::default(),
            store: None,
            store6: None,
            clients: HashMap::new(),
            clients6: HashMap::new(),
            applied: Applied::default(),
            applied6: Applied6::default(),
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        self.config = ctx.config()?;
        self.config.validate()?;
        self.store = Some(LeaseStore::new(&self.config.lease_dir));
        self.store6 = Some(LeaseStore::new(&self.config.lease_dir.join("v6")));
        // mozim logs with the `log` crate: forward it to tracing, which the
        // SDK forwards to the daemon (this library has its own `log` static).
        if log::set_logger(&LOG_BRIDGE).is_ok() {
            log::set_max_level(log::LevelFilter::Debug);
        }
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        match Incoming::decode(&event)? {
            Some(Incoming::ApplyPart(part)) if event.request => {
                let changes = self.apply(ctx, &part).await?;
                ctx.answer::<ApplyPart>(&event, &PartApplied { changes })
            }
            Some(Incoming::Leases(q)) if event.request => {
                let mut leases: Vec<_> = lock(&self.applied)
                    .values()
                    .filter(|l| q.interface.as_ref().is_none_or(|i| *i == l.interface))
                    .map(|l| l.info())
                    .collect();
                leases.sort_by(|a, b| a.interface.cmp(&b.interface));
                let mut configured: Vec<String> = self
                    .clients
                    .keys()
                    .filter(|i| q.interface.as_ref().is_none_or(|q| q == *i))
                    .cloned()
                    .collect();
                configured.sort();
                let settings = configured
                    .iter()
                    .filter_map(|i| self.clients.get(i).map(|c| c.settings.report(i)))
                    .collect();
                let mut leases6: Vec<_> = lock(&self.applied6)
                    .values()
                    .filter(|l| q.interface.as_ref().is_none_or(|i| *i == l.interface))
                    .map(|l| l.info())
                    .collect();
                leases6.sort_by(|a, b| a.interface.cmp(&b.interface));
                let mut configured6: Vec<String> = self
                    .clients6
                    .keys()
                    .filter(|i| q.interface.as_ref().is_none_or(|q| q == *i))
                    .cloned()
                    .collect();
                configured6.sort();
                ctx.answer::<DhcpLeaseQuery>(
                    &event,
                    &DhcpLeaseList {
                        leases,
                        configured,
                        settings,
                        leases6,
                        configured6,
                    },
                )
            }
            Some(Incoming::CarrierUp(c)) if matches!(event.src, Address::Plugin(_)) => {
                self.carrier(&c.interface, true);
                Ok(())
            }
            Some(Incoming::CarrierDown(c)) if matches!(event.src, Address::Plugin(_)) => {
                self.carrier(&c.interface, false);
                Ok(())
            }
            Some(Incoming::ConfigChanged(_)) if event.src == Address::Daemon => {
                // New timings and lease directory apply to clients started
                // from now on.
                match ctx
                    .config::<Config>()
                    .and_then(|c| c.validate().map(|()| c))
                {
                    Ok(c) => {
                        self.store = Some(LeaseStore::new(&c.lease_dir));
                        self.store6 = Some(LeaseStore::new(&c.lease_dir.join("v6")));
                        self.config = c;
                    }
                    Err(e) => tracing::warn!("keeping the previous [plugin.dhcp]: {e}"),
                }
                Ok(())
            }
            Some(Incoming::Applied(NetworkApplied::Applied(result))) => {
                self.turned_off(ctx, &result).await;
                Ok(())
            }
            _ if event.request && event.ref_id.is_none() => Err(Error::new(
                ErrorKind::Unsupported,
                format!("the dhcp plugin does not handle {:?}", event.topic),
            )),
            _ => Ok(()),
        }
    }

    async fn shutdown(&mut self, _ctx: &Context) -> Result<()> {
        // All clients release at once, within one `release_timeout_ms`: the
        // daemon gives Shutdown a deadline. The monitor has stopped already
        // and dropped our rules.
        let timeout = Duration::from_millis(self.config.release_timeout_ms);
        let mut waiting = Vec::new();
        for (name, running) in self.clients.drain().chain(self.clients6.drain()) {
            let (done, rx) = oneshot::channel();
            if running
                .tx
                .send(Command::Stop {
                    release: true,
                    done,
                })
                .is_ok()
            {
                waiting.push((name, rx, running.task));
            }
        }
        let deadline = tokio::time::Instant::now() + timeout;
        for (name, rx, task) in waiting {
            if tokio::time::timeout_at(deadline, rx).await.is_err() {
                tracing::warn!("{name}: the DHCP client did not release within {timeout:?}");
            }
            task.abort();
        }
        Ok(())
    }
}

impl Dhcp {
    /// Tells the client of `interface`, if any, that its carrier changed.
    fn carrier(&self, interface: &str, up: bool) {
        for clients in [&self.clients, &self.clients6] {
            if let Some(c) = clients.get(interface) {
                let _ = c.tx.send(Command::Carrier(up));
            }
        }
    }

    fn clients(&mut self, family: Family) -> &mut HashMap<String, Running> {
        match family {
            Family::V4 => &mut self.clients,
            Family::V6 => &mut self.clients6,
        }
    }

    fn timing(&self) -> Timing {
        Timing {
            kernel_timeout: Duration::from_millis(self.config.kernel_timeout_ms),
            retry_interval: Duration::from_millis(self.config.retry_interval_ms),
            invalid_report: Duration::from_millis(self.config.invalid_report_ms.max(1)),
            solicit_max_delay: Duration::from_millis(self.config.solicit_max_delay_ms),
        }
    }

    /// Starts a client for every interface and family of the part that
    /// asks for DHCP, and stops those it turns off; a rollback's part also
    /// stops those of the interfaces it deletes.
    async fn apply(&mut self, ctx: &Context, part: &ApplyPart) -> Result<Vec<String>> {
        // Every interface's DHCPv4 settings are checked before any client
        // starts. A rollback gives a checkpoint's settings whole (a query
        // leaves out a metric not set and `auto-hostname: false`): what it
        // leaves out is the default, not the running client's.
        let settings = part
            .state
            .interfaces
            .iter()
            .map(|i| {
                let now = self.clients.get(&i.name).map(|c| c.settings);
                let whole = part.rollback && i.ipv4.as_ref().is_some_and(|c| c.dhcp == Some(true));
                let base = if whole { None } else { now };
                AutoSettings::of(&i.name, i.ipv4.as_ref(), base.unwrap_or_default())
            })
            .collect::<Result<Vec<_>>>()?;
        let mut changes = Vec::new();
        for (iface, settings) in part.state.interfaces.iter().zip(settings) {
            if iface.is_absent() {
                // Only a rollback sends these: the interface is gone.
                for family in [Family::V4, Family::V6] {
                    if self.clients(family).contains_key(&iface.name) {
                        self.stop(ctx, &iface.name, family, false).await;
                        changes.push(format!("stop {} on {}", family.name(), iface.name));
                    }
                }
                continue;
            }
            // DHCPv4's `dhcp` not given (only `auto-*` keys): the client, if
            // any, keeps running with the new settings.
            let dhcp4 = iface.ipv4.as_ref().and_then(|v4| v4.dhcp);
            if let Some(running) = self.clients.get_mut(&iface.name)
                && dhcp4 != Some(false)
                && running.settings != settings
            {
                running.settings = settings;
                let _ = running.tx.send(Command::Settings(settings));
                if part.rollback {
                    tracing::info!(
                        "{}: DHCPv4 settings back as before: checkpoint {} was restored",
                        iface.name,
                        part.checkpoint
                    );
                }
                changes.push(format!("update the DHCPv4 settings of {}", iface.name));
            }
            for (family, ip) in [(Family::V4, &iface.ipv4), (Family::V6, &iface.ipv6)] {
                let dhcp = ip.as_ref().and_then(|c| c.dhcp);
                let wants = dhcp == Some(true);
                // DHCPv4 stops only when the state says so; DHCPv6 also
                // when its `ipv6` does not ask for it.
                let stops = match family {
                    Family::V4 => dhcp == Some(false),
                    Family::V6 => !wants,
                };
                let running = self.clients(family).contains_key(&iface.name);
                if wants && !running {
                    self.start(ctx, &iface.name, family, settings).await?;
                    changes.push(format!("start {} on {}", family.name(), iface.name));
                } else if stops && running {
                    if part.rollback {
                        tracing::info!(
                            "{}: stopping {}: checkpoint {} was restored",
                            iface.name,
                            family.name(),
                            part.checkpoint
                        );
                    }
                    self.stop(ctx, &iface.name, family, true).await;
                    changes.push(format!("stop {} on {}", family.name(), iface.name));
                }
            }
        }
        Ok(changes)
    }

    /// Starts a client of `family` on `name`; `settings` are DHCPv4's
    /// `auto-*` keys (unused by DHCPv6).
    async fn start(
        &mut self,
        ctx: &Context,
        name: &str,
        family: Family,
        settings: AutoSettings,
    ) -> Result<()> {
        let not_ready = || Error::other("the dhcp plugin was not initialized");
        let (tx, rx) = mpsc::unbounded_channel();
        let task = match family {
            Family::V4 => tokio::spawn(
                Client::new(
                    name.to_string(),
                    ctx.clone(),
                    self.store.clone().ok_or_else(not_ready)?,
                    self.applied.clone(),
                    self.timing(),
                    settings,
                    rx,
                )
                .run(),
            ),
            Family::V6 => tokio::spawn(
                Client6::new(
                    name.to_string(),
                    ctx.clone(),
                    self.store6.clone().ok_or_else(not_ready)?,
                    self.applied6.clone(),
                    self.timing(),
                    rx,
                )
                .run(),
            ),
        };
        // The client exists before the rules: a rule that holds already
        // fires right after its reply.
        self.clients(family).insert(
            name.to_string(),
            Running {
                tx,
                task,
                rules: Vec::new(),
                settings,
            },
        );
        let mut rules = Vec::new();
        let change = CarrierChange {
            interface: name.to_string(),
        };
        let me = Address::plugin(ctx.name()).to_string();
        let timeout = Duration::from_millis(self.config.monitor_timeout_ms);
        for (condition, event, fire_if_holds) in [
            (
                Condition::CarrierUp,
                FollowUp::notice(&me, &CarrierUp(change.clone())),
                true,
            ),
            (
                Condition::CarrierDown,
                FollowUp::notice(&me, &CarrierDown(change.clone())),
                false,
            ),
        ] {
            let added = match event {
                Ok(event) => {
                    let rule = RuleAdd {
                        interface: RuleInterface::Name(name.to_string()),
                        condition,
                        event,
                        persistent: true,
                        fire_if_holds,
                    };
                    ctx.ask_within(&rule, timeout).await.map(|a| a.id)
                }
                Err(e) => Err(Error::from(e)),
            };
            match added {
                Ok(id) => rules.push(id),
                Err(e) => {
                    if let Some(r) = self.clients(family).get_mut(name) {
                        r.rules = rules;
                    }
                    self.stop(ctx, name, family, false).await;
                    return Err(Error::new(
                        e.kind(),
                        format!(
                            "{name}: DHCP needs the monitor plugin (role monitor) to follow the carrier: {e}"
                        ),
                    ));
                }
            }
        }
        if let Some(r) = self.clients(family).get_mut(name) {
            r.rules = rules;
        }
        tracing::info!("{name}: {} client started", family.name());
        Ok(())
    }

    /// Stops the client of `name` (releasing its lease if `release`) and
    /// drops its monitor rules.
    async fn stop(&mut self, ctx: &Context, name: &str, family: Family, release: bool) {
        let Some(running) = self.clients(family).remove(name) else {
            return;
        };
        let (done_tx, done_rx) = oneshot::channel();
        let timeout = Duration::from_millis(self.config.release_timeout_ms);
        if running
            .tx
            .send(Command::Stop {
                release,
                done: done_tx,
            })
            .is_ok()
            && tokio::time::timeout(timeout, done_rx).await.is_err()
        {
            tracing::warn!("{name}: the DHCP client did not stop within {timeout:?}");
        }
        running.task.abort();
        for id in running.rules {
            // At shutdown the monitor is gone, and drops our rules itself.
            let timeout = Duration::from_millis(self.config.monitor_timeout_ms);
            if let Err(e) = ctx.ask_within(&RuleRemove { id }, timeout).await {
                tracing::debug!("{name}: removing monitor rule {id}: {e}");
            }
        }
        tracing::info!("{name}: {} client stopped", family.name());
    }

    /// After a successful apply: stop the clients of interfaces whose
    /// desired state turned DHCP off or deleted them.
    async fn turned_off(&mut self, ctx: &Context, result: &ApplyResult) {
        let mut stop: Vec<(String, Family, bool)> = Vec::new();
        for i in &result.desired.interfaces {
            for (family, ip) in [(Family::V4, &i.ipv4), (Family::V6, &i.ipv6)] {
                if !self.clients(family).contains_key(&i.name) {
                    continue;
                }
                if i.is_absent() {
                    stop.push((i.name.clone(), family, false));
                } else if ip.as_ref().is_some_and(|c| c.dhcp == Some(false)) {
                    stop.push((i.name.clone(), family, true));
                }
            }
        }
        for (name, family, release) in stop {
            self.stop(ctx, &name, family, release).await;
        }
    }
}

/// Forwards `log` records (mozim's) to `tracing`.
struct LogBridge;

static LOG_BRIDGE: LogBridge = LogBridge;

impl log::Log for LogBridge {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, r: &log::Record<'_>) {
        let target = r.target();
        let msg = r.args();
        match r.level() {
            log::Level::Error => tracing::error!("{target}: {msg}"),
            log::Level::Warn => tracing::warn!("{target}: {msg}"),
            // mozim reports every packet it ignores at info: a peer sending
            // garbage must not flood the daemon's log at its default level.
            // The client counts them instead (`invalid.rs`): a warning for
            // the first, then a periodic summary.
            log::Level::Info => {
                let line = msg.to_string();
                invalid::note(&line);
                tracing::debug!("{target}: {line}");
            }
            log::Level::Debug => tracing::debug!("{target}: {msg}"),
            log::Level::Trace => tracing::trace!("{target}: {msg}"),
        }
    }

    fn flush(&self) {}
}

nipart_plugin_api::register_plugin!(Dhcp);
nipart_plugin_api::export_plugins!();

#[cfg(test)]
mod config_keys_tests {
    use nipart_plugin_api::Plugin;

    /// `CONFIG_KEYS` names keys the configuration type reads, with their types.
    #[test]
    fn the_declared_keys_are_the_configurations() {
        let sample = nipart_plugin_api::config_keys_sample(<super::Dhcp as Plugin>::CONFIG_KEYS);
        if let Err(e) = serde_json::from_value::<super::Config>(sample) {
            panic!("CONFIG_KEYS and the configuration type differ: {e}");
        }
    }
}
