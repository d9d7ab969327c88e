//! The `lldp` plugin: an LLDP agent (IEEE 802.1AB) for every interface
//! whose desired state has `lldp: {enabled: true}`, built on the typed
//! protocol only (nothing in the daemon knows about LLDP).
//!
//! Role `lldp`. See `docs/plugins/lldp.md`.
//! - `network.apply` ([`ApplyPart`], the part the state plugin routes to
//!   role `lldp`): `enabled: true` starts an agent on the interface,
//!   `enabled: false` stops it; `transmit: true|false` starts or stops
//!   announcing this host there. The plan sends us, before the kernel's
//!   part, the interfaces going `down` (we send the shutdown LLDPDU and
//!   hold announcements until the apply ends) or `absent` (we stop the
//!   agent, with its shutdown LLDPDU);
//! - `lldp.neighbors` ([`LldpQuery`]) → [`LldpReport`]: the neighbours and
//!   counters of every interface listened on (the commander merges them
//!   into `Show` under `lldp`);
//! - `network.applied` (failed) and `network.rolled-back`: the agents an
//!   undone apply started stop again;
//! - `config.changed`: new settings apply to agents started afterwards;
//! - Shutdown stops every agent (a shutdown LLDPDU where we announce).
//!
//! Each agent is a task (`listener.rs`) with its own `AF_PACKET` socket
//! (`socket.rs`); frames are decoded by `tlv.rs` (no I/O), neighbours kept
//! by `table.rs`, our own frames made by `announce.rs`.

mod announce;
mod listener;
mod socket;
mod table;
mod tlv;

use std::{collections::HashMap, time::Duration};

use nipart_plugin_api::{
    Address, Context, Error, ErrorKind, Event, Plugin, Result, Role,
    protocol::{
        Message,
        daemon::{ConfigChanged, ConfigType},
        workflow::NetworkApplied,
    },
    state::{ApplyPart, InterfaceState, LldpQuery, LldpReport, PartApplied, RolledBack},
};
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};

use listener::{Agent, Command, Settings, View, lock};

nipart_plugin_api::incoming! {
    /// What the lldp plugin handles.
    enum Incoming {
        ApplyPart(ApplyPart),
        Neighbors(LldpQuery),
        ConfigChanged(ConfigChanged),
        Applied(NetworkApplied),
        RolledBack(RolledBack),
    }
}

/// `[plugin.lldp]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// How often we announce this host where `lldp.transmit` is true.
    tx_interval_ms: u64,
    /// Our TTL: the interval (in whole seconds, at least 1) times this.
    tx_hold: u16,
    /// The most neighbours kept per interface.
    max_neighbors: usize,
    /// How long stopping an agent may take.
    stop_timeout_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tx_interval_ms: 30_000,
            tx_hold: 4,
            max_neighbors: 64,
            stop_timeout_ms: 2_000,
        }
    }
}

impl Config {
    fn check(self) -> Result<Config> {
        let bad = |m: String| Err(Error::invalid_input(format!("[plugin.lldp] {m}")));
        if !(100..=3_600_000).contains(&self.tx_interval_ms) {
            return bad(format!(
                "tx_interval_ms = {} is out of range 100..=3600000",
                self.tx_interval_ms
            ));
        }
        if !(1..=100).contains(&self.tx_hold) {
            return bad(format!(
                "tx_hold = {} is out of range 1..=100",
                self.tx_hold
            ));
        }
        if !(1..=1024).contains(&self.max_neighbors) {
            return bad(format!(
                "max_neighbors = {} is out of range 1..=1024",
                self.max_neighbors
            ));
        }
        if !(100..=60_000).contains(&self.stop_timeout_ms) {
            return bad(format!(
                "stop_timeout_ms = {} is out of range 100..=60000",
                self.stop_timeout_ms
            ));
        }
        Ok(self)
    }

    fn settings(&self) -> Settings {
        Settings {
            max_neighbors: self.max_neighbors,
            tx_hold: self.tx_hold,
        }
    }

    fn interval(&self) -> Duration {
        Duration::from_millis(self.tx_interval_ms)
    }
}

/// A running agent.
struct Running {
    tx: mpsc::UnboundedSender<Command>,
    task: tokio::task::JoinHandle<()>,
    view: View,
    transmit: bool,
}

struct Lldp {
    config: Config,
    agents: HashMap<String, Running>,
    /// The agents started by each apply, oldest first, as (checkpoint,
    /// interface): an apply that fails, or a rollback to its checkpoint,
    /// stops them again.
    started: Vec<(String, String)>,
    /// The checkpoint of the last apply that sent us a part, until the
    /// commander says how that apply ended.
    unconfirmed: Option<String>,
    /// The agents held (shutdown LLDPDU sent) because an apply sets their
    /// interface down; released when that apply (or a rollback) ends.
    held: Vec<String>,
}

impl Plugin for Lldp {
    const NAME: &'static str = "lldp";
    const DESCRIPTION: &'static str =
        "LLDP agent: neighbours in nmstate's format, optional announcements";
    const ROLES: &'static [&'static str] = &[Role::LLDP.as_str()];
    const SUBSCRIPTIONS: &'static [&'static str] = &[NetworkApplied::TOPIC, RolledBack::TOPIC];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("tx_interval_ms", ConfigType::Integer),
        ("tx_hold", ConfigType::Integer),
        ("max_neighbors", ConfigType::Integer),
        ("stop_timeout_ms", ConfigType::Integer),
    ];

    fn new() -> Result<Self> {
        Ok(Lldp {
            config: Config::default(),
            agents: HashMap::new(),
            started: Vec::new(),
            unconfirmed: None,
            held: Vec::new(),
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        self.config = ctx.config::<Config>()?.check()?;
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        match Incoming::decode(&event)? {
            Some(Incoming::ApplyPart(part)) if event.request => {
                let changes = self.apply(ctx, &part).await?;
                ctx.answer::<ApplyPart>(&event, &PartApplied { changes })
            }
            Some(Incoming::Neighbors(q)) if event.request => {
                self.agents.retain(|name, r| {
                    let alive = !r.task.is_finished();
                    if !alive {
                        tracing::debug!("{name}: the LLDP agent has ended");
                    }
                    alive
                });
                let mut interfaces: Vec<_> = self
                    .agents
                    .iter()
                    .filter(|(name, _)| q.interface.as_ref().is_none_or(|i| i == *name))
                    .map(|(_, r)| lock(&r.view).clone())
                    .collect();
                interfaces.sort_by(|a, b| a.interface.cmp(&b.interface));
                ctx.answer::<LldpQuery>(&event, &LldpReport { interfaces })
            }
            Some(Incoming::ConfigChanged(_)) if event.src == Address::Daemon => {
                match ctx.config::<Config>().and_then(Config::check) {
                    Ok(c) => self.config = c,
                    Err(e) => tracing::warn!("keeping the previous [plugin.lldp]: {e}"),
                }
                Ok(())
            }
            Some(Incoming::Applied(NetworkApplied::Applied(_))) => {
                self.unconfirmed = None;
                self.release();
                Ok(())
            }
            Some(Incoming::Applied(NetworkApplied::Failed(_))) => {
                if let Some(cp) = self.unconfirmed.take() {
                    self.undo_since(&cp).await;
                }
                self.release();
                Ok(())
            }
            Some(Incoming::RolledBack(rb)) => {
                self.undo_since(&rb.checkpoint).await;
                self.release();
                Ok(())
            }
            _ if event.request && event.ref_id.is_none() => Err(Error::new(
                ErrorKind::Unsupported,
                format!("the lldp plugin does not handle {:?}", event.topic),
            )),
            _ => Ok(()),
        }
    }

    async fn shutdown(&mut self, _ctx: &Context) -> Result<()> {
        let names: Vec<String> = self.agents.keys().cloned().collect();
        let deadline = tokio::time::Instant::now() + self.stop_timeout();
        let mut waiting = Vec::new();
        for name in names {
            if let Some(r) = self.agents.remove(&name) {
                let (done, rx) = oneshot::channel();
                if r.tx.send(Command::Stop(done)).is_ok() {
                    waiting.push((name, rx, r.task));
                }
            }
        }
        for (name, rx, task) in waiting {
            if tokio::time::timeout_at(deadline, rx).await.is_err() {
                tracing::warn!("{name}: the LLDP agent did not stop in time");
            }
            task.abort();
        }
        Ok(())
    }
}

impl Lldp {
    fn stop_timeout(&self) -> Duration {
        Duration::from_millis(self.config.stop_timeout_ms)
    }

    /// Starts, stops or changes the agents of the part's interfaces.
    async fn apply(&mut self, ctx: &Context, part: &ApplyPart) -> Result<Vec<String>> {
        if !part.rollback {
            self.unconfirmed = Some(part.checkpoint.clone());
        }
        let mut changes = Vec::new();
        for iface in &part.state.interfaces {
            // The part the plan sends before the kernel's: the interface
            // goes away or down next, so say goodbye while we can.
            match iface.state {
                Some(InterfaceState::Absent) => {
                    if self.agents.contains_key(&iface.name) {
                        self.stop(&iface.name).await;
                        changes.push(format!("stop LLDP on {} before removing it", iface.name));
                    }
                    continue;
                }
                Some(InterfaceState::Down) if self.hold(&iface.name).await => {
                    changes.push(format!(
                        "send the shutdown LLDPDU on {} before setting it down",
                        iface.name
                    ));
                }
                _ => {}
            }
            let Some(l) = &iface.lldp else {
                continue;
            };
            let name = &iface.name;
            let running = self.agents.get(name).is_some_and(|r| !r.task.is_finished());
            let wants = match l.enabled {
                Some(e) => e,
                // `transmit: true` alone turns listening on too.
                None => running || l.transmit == Some(true),
            };
            if !wants {
                if running {
                    self.stop(name).await;
                    changes.push(format!("stop LLDP on {name}"));
                }
                continue;
            }
            if !running {
                self.start(ctx, name)?;
                self.started.push((part.checkpoint.clone(), name.clone()));
                changes.push(format!("start LLDP on {name}"));
            }
            if let Some(t) = l.transmit
                && let Some(r) = self.agents.get_mut(name)
                && r.transmit != t
            {
                let interval = t.then(|| self.config.interval());
                let _ = r.tx.send(Command::Transmit(interval));
                r.transmit = t;
                changes.push(format!(
                    "{} announcing this host with LLDP on {name}",
                    if t { "start" } else { "stop" }
                ));
            }
        }
        Ok(changes)
    }

    fn start(&mut self, ctx: &Context, name: &str) -> Result<()> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (agent, view) =
            Agent::open(name, ctx.clone(), self.config.settings(), rx).map_err(|e| {
                Error::new(
                    ErrorKind::Other,
                    format!("{name}: can't listen for LLDP frames: {e}"),
                )
            })?;
        let task = tokio::spawn(agent.run());
        self.agents.insert(
            name.to_string(),
            Running {
                tx,
                task,
                view,
                transmit: false,
            },
        );
        tracing::info!("{name}: listening for LLDP");
        Ok(())
    }

    async fn stop(&mut self, name: &str) {
        self.started.retain(|(_, i)| i != name);
        self.held.retain(|i| i != name);
        let Some(r) = self.agents.remove(name) else {
            return;
        };
        let (done, rx) = oneshot::channel();
        if r.tx.send(Command::Stop(done)).is_ok()
            && tokio::time::timeout(self.stop_timeout(), rx).await.is_err()
        {
            tracing::warn!("{name}: the LLDP agent did not stop in time");
        }
        r.task.abort();
        tracing::info!("{name}: LLDP stopped");
    }

    /// Makes the agent of `name`, if it announces, send its shutdown
    /// LLDPDU and announce nothing more until [`Lldp::release`]; whether
    /// it did.
    async fn hold(&mut self, name: &str) -> bool {
        let Some(r) = self.agents.get(name) else {
            return false;
        };
        if !r.transmit || r.task.is_finished() || self.held.iter().any(|h| h == name) {
            return false;
        }
        let (done, rx) = oneshot::channel();
        if r.tx.send(Command::Hold(done)).is_err() {
            return false;
        }
        if tokio::time::timeout(self.stop_timeout(), rx).await.is_err() {
            tracing::warn!("{name}: the LLDP agent did not send its shutdown LLDPDU in time");
        }
        self.held.push(name.to_string());
        true
    }

    /// Lets the held agents announce again: the apply that set their
    /// interfaces down has ended (while down, sending fails quietly; once
    /// up again, the neighbours hear us again).
    fn release(&mut self) {
        for name in std::mem::take(&mut self.held) {
            if let Some(r) = self.agents.get(&name) {
                let _ = r.tx.send(Command::Release);
            }
        }
    }

    /// Stops the agents started by the apply of `checkpoint` and by every
    /// later one.
    async fn undo_since(&mut self, checkpoint: &str) {
        let Some(first) = self.started.iter().position(|(cp, _)| cp == checkpoint) else {
            return;
        };
        let undo: Vec<String> = self.started.drain(first..).map(|(_, i)| i).collect();
        for name in undo {
            tracing::info!("{name}: stopping LLDP: checkpoint {checkpoint} was restored");
            self.stop(&name).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `CONFIG_KEYS` names keys the configuration type reads, with their types.
    #[test]
    fn the_declared_keys_are_the_configurations() {
        let sample = nipart_plugin_api::config_keys_sample(<Lldp as Plugin>::CONFIG_KEYS);
        if let Err(e) = serde_json::from_value::<Config>(sample) {
            panic!("CONFIG_KEYS and the configuration type differ: {e}");
        }
    }

    fn checked(toml: serde_json::Value) -> std::result::Result<Config, String> {
        serde_json::from_value::<Config>(toml)
            .map_err(|e| e.to_string())?
            .check()
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_configuration_is_bounded_and_unknown_keys_are_refused() {
        let c = checked(serde_json::json!({})).unwrap();
        assert_eq!(
            (c.tx_interval_ms, c.tx_hold, c.max_neighbors),
            (30_000, 4, 64)
        );
        let e = checked(serde_json::json!({"tx_interval_ms": 5})).unwrap_err();
        assert!(
            e.contains("[plugin.lldp] tx_interval_ms = 5 is out of range 100..=3600000"),
            "{e}"
        );
        let e = checked(serde_json::json!({"max_neighbors": 0})).unwrap_err();
        assert!(
            e.contains("max_neighbors = 0 is out of range 1..=1024"),
            "{e}"
        );
        let e = checked(serde_json::json!({"tx_hold": 101})).unwrap_err();
        assert!(e.contains("tx_hold = 101"), "{e}");
        let e = checked(serde_json::json!({"interval": 1})).unwrap_err();
        assert!(e.contains("unknown field `interval`"), "{e}");
    }
}

nipart_plugin_api::register_plugin!(Lldp);
nipart_plugin_api::export_plugins!();
