//! `nipc monitor`: by default what an operator cares about, one line each
//! (links, MTUs, addresses, routes, applies, rollbacks, DHCP leases, plugin failures,
//! the boot apply), decoded from the protocol's notice types; with `--all`
//! or patterns, the bus events as they are. When the daemon goes away the
//! monitor says so and reconnects once it is back.

use std::{io::Write, path::Path, time::Duration};

use nipart_client::{BusEvent, Client, Error};
use nipart_plugin_api::{
    Message,
    protocol::{
        daemon::{PluginFailed, PluginGone},
        monitor::{
            AddressAdded, AddressChanged, AddressRemoved, LinkAdded, LinkAdminDown, LinkAdminUp,
            LinkCarrierDown, LinkCarrierUp, LinkChanged, LinkMtuChanged, LinkRemoved, LinkRenamed,
            RouteAdded, RouteChanged, RouteRemoved,
        },
        workflow::NetworkApplied,
    },
    state::{BootApplied, DhcpLeaseInfo, DhcpLeaseLost, LoadFailed, RolledBack},
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Failure, Format, one_line, yaml};

/// The topics of the operator's view.
pub const OPERATOR_TOPICS: &[&str] = &[
    LinkAdded::TOPIC,
    LinkRemoved::TOPIC,
    LinkRenamed::TOPIC,
    LinkAdminUp::TOPIC,
    LinkAdminDown::TOPIC,
    LinkCarrierUp::TOPIC,
    LinkCarrierDown::TOPIC,
    LinkMtuChanged::TOPIC,
    AddressAdded::TOPIC,
    AddressRemoved::TOPIC,
    RouteAdded::TOPIC,
    RouteRemoved::TOPIC,
    NetworkApplied::TOPIC,
    RolledBack::TOPIC,
    DhcpLeaseInfo::TOPIC,
    DhcpLeaseLost::TOPIC,
    PluginFailed::TOPIC,
    BootApplied::TOPIC,
    LoadFailed::TOPIC,
];

/// How long to wait between attempts to reach a daemon that went away.
const RECONNECT_EVERY: Duration = Duration::from_millis(500);

/// Watches until interrupted (or stdout closes); reconnects when the
/// daemon goes away. An error the daemon answers (a bad pattern) ends it.
pub async fn run(
    socket: &Path,
    patterns: &[String],
    operator: bool,
    fmt: Format,
) -> Result<(), Failure> {
    let mut first = true;
    loop {
        let mut client = match Client::connect(socket).await {
            Ok(c) => c,
            Err(e) if first => return Err(e.into()),
            Err(_) => {
                tokio::time::sleep(RECONNECT_EVERY).await;
                continue;
            }
        };
        let mut m = match client.monitor(patterns).await {
            Ok(m) => m,
            Err(e @ Error::Remote(_)) => return Err(e.into()),
            Err(e) if first => return Err(e.into()),
            Err(_) => {
                tokio::time::sleep(RECONNECT_EVERY).await;
                continue;
            }
        };
        if fmt == Format::Text {
            if first {
                if !operator {
                    eprintln!("monitoring {}", m.subscribed.join(" "));
                }
            } else {
                eprintln!("nipc: reconnected to the daemon");
            }
        }
        first = false;
        loop {
            let ev = match m.next().await {
                Ok(Some(ev)) => ev,
                Ok(None) | Err(Error::Closed | Error::Io(_)) => break,
                Err(e) => return Err(e.into()),
            };
            let line = match fmt {
                Format::Json => serde_json::to_string(&ev).unwrap_or_default() + "\n",
                Format::Yaml => format!("---\n{}", yaml(&ev)),
                Format::Text if operator => match operator_line(&ev) {
                    Some(l) => format!("{} {l}\n", clock()),
                    None => continue,
                },
                Format::Text => raw_line(&ev),
            };
            let mut out = std::io::stdout().lock();
            if out
                .write_all(line.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return Ok(()); // the reader went away (e.g. `| head`)
            }
        }
        if fmt == Format::Text {
            eprintln!("nipc: the daemon went away; reconnecting when it is back");
        }
    }
}

/// `TOPIC STATE SRC -> DST PAYLOAD`.
fn raw_line(ev: &BusEvent) -> String {
    let payload = match (&ev.payload, &ev.payload_base64) {
        (Some(p), _) => one_line(p),
        (None, Some(b)) => format!("base64:{b}"),
        (None, None) => String::new(),
    };
    format!(
        "{} {} {} -> {} {}\n",
        ev.topic, ev.state, ev.src, ev.dst, payload
    )
}

/// `HH:MM:SS` (UTC) now: the notices carry no time of their own.
fn clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let day = secs % 86400;
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}

fn decode<T: DeserializeOwned>(ev: &BusEvent) -> Option<T> {
    serde_json::from_value(ev.payload.clone().unwrap_or(Value::Null)).ok()
}

/// `route 198.51.100.0/24 via 192.0.2.1 dev mo1 metric 100 added`, with
/// the table when it is not `main`.
fn route(ev: &BusEvent, what: &str) -> Option<String> {
    /// The `main` routing table.
    const MAIN: u32 = 254;
    let r = decode::<RouteChanged>(ev)?;
    let mut s = format!("route {}", r.destination);
    if let Some(g) = &r.gateway {
        s.push_str(&format!(" via {g}"));
    }
    if !r.interface.is_empty() {
        s.push_str(&format!(" dev {}", r.interface));
    }
    if let Some(m) = r.metric {
        s.push_str(&format!(" metric {m}"));
    }
    if r.table != MAIN {
        s.push_str(&format!(" table {}", r.table));
    }
    s.push(' ');
    s.push_str(what);
    Some(s)
}

/// One line for people, or `None` for an event of no interest.
pub fn operator_line(ev: &BusEvent) -> Option<String> {
    let t = ev.topic.as_str();
    let link = |what: &str| {
        decode::<LinkChanged>(ev).map(|l| {
            let kind = l.kind.map(|k| format!(" ({k})")).unwrap_or_default();
            format!("link {}{kind} {what}", l.name)
        })
    };
    let addr = |what: &str| {
        decode::<AddressChanged>(ev)
            .map(|a| format!("address {}/{} {what} {}", a.address, a.prefix_len, a.name))
    };
    Some(match t {
        _ if t == LinkAdded::TOPIC => link("added")?,
        _ if t == LinkRemoved::TOPIC => link("removed")?,
        _ if t == LinkRenamed::TOPIC => {
            let l = decode::<LinkChanged>(ev)?;
            format!(
                "link {} renamed to {}",
                l.old_name.unwrap_or_default(),
                l.name
            )
        }
        _ if t == LinkAdminUp::TOPIC => link("up")?,
        _ if t == LinkAdminDown::TOPIC => link("down")?,
        _ if t == LinkCarrierUp::TOPIC => link("carrier up")?,
        _ if t == LinkCarrierDown::TOPIC => link("carrier down")?,
        _ if t == AddressAdded::TOPIC => addr("added on")?,
        _ if t == AddressRemoved::TOPIC => addr("removed from")?,
        _ if t == LinkMtuChanged::TOPIC => {
            let l = decode::<LinkChanged>(ev)?;
            let old = l.old_mtu.map(|m| format!(" (was {m})")).unwrap_or_default();
            format!("link {} mtu {}{old}", l.name, l.mtu?)
        }
        _ if t == RouteAdded::TOPIC => route(ev, "added")?,
        _ if t == RouteRemoved::TOPIC => route(ev, "removed")?,
        _ if t == NetworkApplied::TOPIC => match decode::<NetworkApplied>(ev)? {
            NetworkApplied::Applied(r) => {
                let mut s = format!("applied: {}", r.summary());
                if !r.changes.is_empty() {
                    s.push_str(&format!(": {}", r.changes.join("; ")));
                }
                s
            }
            NetworkApplied::Failed(f) => format!("apply FAILED: {}", f.error),
        },
        _ if t == RolledBack::TOPIC => {
            let r = decode::<RolledBack>(ev)?;
            format!(
                "rollback to {} ({}){}: {}",
                r.checkpoint,
                r.cause,
                if r.ok { "" } else { " FAILED" },
                r.message
            )
        }
        _ if t == DhcpLeaseInfo::TOPIC => {
            let l = decode::<DhcpLeaseInfo>(ev)?;
            format!(
                "dhcp {}: lease {} from {} for {} s",
                l.interface, l.address, l.server_id, l.lease_time
            )
        }
        _ if t == DhcpLeaseLost::TOPIC => {
            let l = decode::<DhcpLeaseLost>(ev)?;
            format!(
                "dhcp {}: lease {} lost ({})",
                l.interface, l.address, l.reason
            )
        }
        _ if t == PluginFailed::TOPIC => {
            let p = decode::<PluginGone>(ev)?;
            format!(
                "plugin {} FAILED: {}",
                p.plugin,
                p.reason.unwrap_or_default()
            )
        }
        _ if t == BootApplied::TOPIC => {
            let b = decode::<BootApplied>(ev)?;
            match b.error {
                None if b.ok => format!("boot apply of {}: ok", b.path),
                e => format!("boot apply of {} FAILED: {}", b.path, e.unwrap_or_default()),
            }
        }
        _ if t == LoadFailed::TOPIC => {
            let l = decode::<LoadFailed>(ev)?;
            format!("saved state {} not applied: {}", l.path, l.error)
        }
        _ => return None,
    })
}
