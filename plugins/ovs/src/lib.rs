//! The `ovs` plugin: Open vSwitch bridges, ports, bonds, VLANs and
//! internal interfaces through OVSDB, built on the typed protocol only
//! (nothing in the daemon knows about OVS).
//!
//! Role `ovs`. See `docs/plugins/ovs.md`.
//! - `network.apply` ([`ApplyPart`], the part the state plugin routes to
//!   role `ovs`): one OVSDB transaction (`apply.rs`), then a wait until
//!   ovs-vswitchd has given every new interface its `ofport` (and, for an
//!   internal interface, the kernel shows its link), so that the kernel's
//!   part after ours finds the interfaces it puts addresses on;
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

use std::{path::PathBuf, time::Duration};

use nipart_plugin_api::{
    Context, Error, ErrorKind, Event, Plugin, Result, Role,
    protocol::{
        daemon::ConfigType,
        ovs::{OvsQuery, OvsdbConnection},
    },
    state::{ApplyPart, NetworkState, OvsDatapath, PartApplied},
};
use serde::Deserialize;

use ovsdb::{Client, Connection, OvsdbError};

nipart_plugin_api::incoming! {
    /// What the ovs plugin handles.
    enum Incoming {
        ApplyPart(ApplyPart),
        Query(OvsQuery),
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
    client: Option<Client>,
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
        self.client = Some(client);
        self.config = config;
        self.datapath = datapath;
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        match Incoming::decode(&event)? {
            Some(Incoming::ApplyPart(part)) if event.request => {
                let changes = self.apply(&part.state).await?;
                ctx.answer::<ApplyPart>(&event, &PartApplied { changes })
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
    fn client(&self) -> Result<&Client> {
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

    /// Applies the OVS part of a plan: one transaction, then waits for
    /// ovs-vswitchd to add what it created.
    async fn apply(&self, part: &NetworkState) -> Result<Vec<String>> {
        let client = self.client()?;
        let snapshot = self.snapshot().await?;
        let mut tx = apply::transaction(part, &snapshot, self.datapath);
        apply::root_row(part, &snapshot, &mut tx).map_err(|e| Error::new(ErrorKind::Failed, e))?;
        if tx.ops.is_empty() {
            return Ok(Vec::new());
        }
        tracing::debug!(
            "OVSDB transaction: {}",
            serde_json::Value::Array(tx.ops.clone())
        );
        client
            .transact(tx.ops, self.config.timeout())
            .await
            .map_err(|e| {
                Error::new(
                    ovsdb_error(e.clone()).kind(),
                    format!("{e}; nothing was changed in OVSDB"),
                )
            })?;
        self.wait_ready(client, &tx.wait_for).await?;
        Ok(tx.changes)
    }

    /// Waits until ovs-vswitchd reports an `ofport` for each of `names`
    /// (pushed by the monitor, not polled) and, for internal interfaces,
    /// the kernel has their link.
    async fn wait_ready(&self, client: &Client, names: &[(String, bool)]) -> Result<()> {
        let limit = Duration::from_millis(self.config.ready_timeout_ms);
        for (name, internal) in names {
            let outcome = client
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
            if *internal && !kernel_has_link(name) {
                return Err(Error::new(
                    ErrorKind::Failed,
                    format!("ovs-vswitchd gave {name} a port, but the kernel has no link {name}"),
                ));
            }
        }
        Ok(())
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
