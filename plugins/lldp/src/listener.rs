//! The LLDP agent of one interface, as a task: receives frames on its
//! socket, keeps the neighbour table (`table.rs`), announces each change
//! on the bus, expires neighbours at their TTL, counts malformed frames,
//! and, when asked to, sends our own LLDPDU at an interval and a shutdown
//! LLDPDU when it stops or is held (its interface about to go down: no
//! announcement until released).

use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use nipart_plugin_api::{
    Context,
    protocol::lldp::{LldpNeighborAdded, LldpNeighborChanged},
    state::{
        LldpCounters, LldpInterfaceReport, LldpNeighbor, LldpNeighborGone, LldpNeighborInfo,
        LldpRemoveReason,
    },
};
use tokio::{
    sync::{mpsc, oneshot},
    time::Instant,
};

use crate::{
    announce::{self, Announcement},
    socket::LldpSocket,
    table::{Change, Table},
    tlv::{self, MAX_LLDPDU},
};

/// How often an agent checks that its interface still exists.
const LIVENESS: Duration = Duration::from_secs(1);

/// What the plugin tells an agent.
#[derive(Debug)]
pub enum Command {
    /// Start (`Some`, with its interval) or stop announcing this host.
    Transmit(Option<Duration>),
    /// Stop (sending a shutdown LLDPDU if announcing); `done` when over.
    Stop(oneshot::Sender<()>),
    /// The interface is about to go down: send the shutdown LLDPDU now
    /// (if announcing) and announce nothing until [`Command::Release`];
    /// `done` once sent.
    Hold(oneshot::Sender<()>),
    /// Announce again (at once) after a [`Command::Hold`].
    Release,
}

/// What `lldp.neighbors` reports for the interface, kept up to date by the
/// agent.
pub type View = Arc<Mutex<LldpInterfaceReport>>;

pub fn lock(v: &View) -> MutexGuard<'_, LldpInterfaceReport> {
    // A panic elsewhere while holding the lock leaves a consistent value:
    // every update is a single assignment.
    v.lock().unwrap_or_else(|p| p.into_inner())
}

/// Settings of an agent.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub max_neighbors: usize,
    /// Our TTL is the interval times this.
    pub tx_hold: u16,
}

pub struct Agent {
    interface: String,
    /// The interface's index when the agent started: another index (or
    /// none) under its name means it was deleted.
    ifindex: Option<u32>,
    ctx: Context,
    socket: LldpSocket,
    table: Table,
    view: View,
    settings: Settings,
    rx: mpsc::UnboundedReceiver<Command>,
    transmit: Option<Duration>,
    /// Announcements are held: the interface is being set down.
    held: bool,
    /// The last malformed frame reported in the log, to keep it quiet.
    last_report: Option<Instant>,
}

impl Agent {
    /// Opens the socket on `interface`; the agent runs with [`Agent::run`].
    pub fn open(
        interface: &str,
        ctx: Context,
        settings: Settings,
        rx: mpsc::UnboundedReceiver<Command>,
    ) -> std::io::Result<(Agent, View)> {
        let socket = LldpSocket::open(interface)?;
        let view = Arc::new(Mutex::new(LldpInterfaceReport {
            interface: interface.to_string(),
            transmit: false,
            neighbors: Vec::new(),
            counters: LldpCounters::default(),
        }));
        Ok((
            Agent {
                interface: interface.to_string(),
                ifindex: nix_ifindex(interface),
                ctx,
                socket,
                table: Table::new(settings.max_neighbors),
                view: view.clone(),
                settings,
                rx,
                transmit: None,
                held: false,
                last_report: None,
            },
            view,
        ))
    }

    pub async fn run(mut self) {
        // Room for a jumbo frame, so that an oversized one is seen whole
        // (MSG_TRUNC gives its length anyway).
        let mut buf = vec![0u8; 9216];
        let mut next_tx = Instant::now();
        // A packet socket is not woken when its interface is deleted: look.
        let mut liveness = tokio::time::interval(LIVENESS);
        loop {
            let expiry = self.table.next_expiry().map(Instant::from_std);
            tokio::select! {
                cmd = self.rx.recv() => match cmd {
                    None => return,
                    Some(Command::Transmit(interval)) => {
                        if interval.is_none() && self.transmit.is_some() && !self.held {
                            self.send_shutdown();
                        }
                        self.transmit = interval;
                        lock(&self.view).transmit = interval.is_some();
                        next_tx = Instant::now();
                    }
                    Some(Command::Hold(done)) => {
                        if self.transmit.is_some() && !self.held {
                            self.send_shutdown();
                        }
                        self.held = true;
                        let _ = done.send(());
                    }
                    Some(Command::Release) => {
                        self.held = false;
                        next_tx = Instant::now();
                    }
                    Some(Command::Stop(done)) => {
                        if self.transmit.is_some() && !self.held {
                            self.send_shutdown();
                        }
                        for n in self.table.clear() {
                            self.removed(n, LldpRemoveReason::Stopped);
                        }
                        let _ = done.send(());
                        return;
                    }
                },
                got = self.socket.recv(&mut buf) => match got {
                    Ok(len) => {
                        let frame = &buf[..len.min(buf.len())];
                        self.frame(frame, len);
                    }
                    Err(e) => {
                        // The interface went down (ENETDOWN): wait rather
                        // than spin. Gone: its neighbours go too.
                        tracing::debug!("{}: receiving LLDP: {e}", self.interface);
                        if self.is_gone() {
                            return self.end_gone();
                        }
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                },
                _ = liveness.tick() => {
                    if self.is_gone() {
                        return self.end_gone();
                    }
                },
                _ = sleep_until(expiry), if expiry.is_some() => {
                    let gone = self.table.expire(std::time::Instant::now());
                    lock(&self.view).counters.neighbors_expired += gone.len() as u64;
                    for n in gone {
                        self.removed(n, LldpRemoveReason::Expired);
                    }
                    self.publish_view();
                },
                _ = tokio::time::sleep_until(next_tx), if self.transmit.is_some() && !self.held => {
                    let interval = self.transmit.unwrap_or(Duration::from_secs(30));
                    self.send_announcement(interval);
                    next_tx = Instant::now() + interval;
                },
            }
        }
    }

    /// Whether the interface was deleted (or another took its name).
    fn is_gone(&self) -> bool {
        nix_ifindex(&self.interface) != self.ifindex
    }

    /// The interface went away (nothing can be sent on it any more): its
    /// neighbours go, the agent ends.
    fn end_gone(&mut self) {
        tracing::info!("{}: the interface is gone; LLDP stopped", self.interface);
        for n in self.table.clear() {
            self.removed(n, LldpRemoveReason::Stopped);
        }
    }

    /// Takes one received frame of `len` bytes.
    fn frame(&mut self, frame: &[u8], len: usize) {
        lock(&self.view).counters.frames_received += 1;
        let decoded = if len > frame.len() || len > MAX_LLDPDU + 18 {
            Err(tlv::Malformed {
                kind: nipart_plugin_api::state::LldpErrorKind::Oversized,
                message: format!("a frame of {len} bytes"),
            })
        } else {
            tlv::decode_frame(frame)
        };
        let pdu = match decoded {
            Ok(p) => p,
            Err(e) => {
                lock(&self.view).counters.count_malformed(e.kind);
                // One line per minute at most: a peer sending garbage must
                // not flood the log; the counters have the rest.
                let now = Instant::now();
                if self
                    .last_report
                    .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(60))
                {
                    self.last_report = Some(now);
                    tracing::warn!("{}: dropped a malformed LLDP frame: {e}", self.interface);
                } else {
                    tracing::debug!("{}: dropped a malformed LLDP frame: {e}", self.interface);
                }
                return;
            }
        };
        let change = {
            let mut view = lock(&self.view);
            self.table
                .receive(pdu, std::time::Instant::now(), &mut view.counters)
        };
        match change {
            Change::Added(n) => {
                tracing::info!("{}: new LLDP neighbour {}", self.interface, describe(&n));
                self.publish_view();
                self.announce_added(n);
            }
            Change::Changed(n) => {
                tracing::info!(
                    "{}: LLDP neighbour {} changed",
                    self.interface,
                    describe(&n)
                );
                self.publish_view();
                let info = LldpNeighborInfo {
                    interface: self.interface.clone(),
                    neighbor: n,
                };
                if let Err(e) = self.ctx.announce(&LldpNeighborChanged(info)) {
                    tracing::debug!("{}: announcing a changed neighbour: {e}", self.interface);
                }
            }
            Change::Shutdown(n) => {
                self.publish_view();
                self.removed(n, LldpRemoveReason::Shutdown);
            }
            Change::Refreshed | Change::Ignored => {}
        }
    }

    fn announce_added(&self, n: LldpNeighbor) {
        let info = LldpNeighborInfo {
            interface: self.interface.clone(),
            neighbor: n,
        };
        if let Err(e) = self.ctx.announce(&LldpNeighborAdded(info)) {
            tracing::debug!("{}: announcing a new neighbour: {e}", self.interface);
        }
    }

    fn removed(&self, n: LldpNeighbor, reason: LldpRemoveReason) {
        tracing::info!(
            "{}: LLDP neighbour {} removed ({reason:?})",
            self.interface,
            describe(&n)
        );
        self.publish_view();
        let gone = LldpNeighborGone {
            interface: self.interface.clone(),
            neighbor: n,
            reason,
        };
        if let Err(e) = self.ctx.announce(&gone) {
            tracing::debug!("{}: announcing a removed neighbour: {e}", self.interface);
        }
    }

    /// Copies the table into the view `lldp.neighbors` answers from.
    fn publish_view(&self) {
        let neighbors = self.table.neighbors();
        lock(&self.view).neighbors = neighbors;
    }

    fn announcement(&self, interval: Duration) -> Option<Announcement> {
        let ifindex = nix_ifindex(&self.interface)?;
        let ttl = u16::try_from(
            interval
                .as_secs()
                .max(1)
                .saturating_mul(u64::from(self.settings.tx_hold)),
        )
        .unwrap_or(u16::MAX);
        Some(Announcement {
            chassis: Announcement::chassis(self.socket.mac),
            interface: self.interface.clone(),
            ifindex,
            ttl,
            system_name: announce::host_name().unwrap_or_else(|| "localhost".to_string()),
            system_description: announce::system_description(),
            addresses: announce::interface_addresses(&self.interface),
        })
    }

    fn send_announcement(&self, interval: Duration) {
        let Some(a) = self.announcement(interval) else {
            return;
        };
        if let Err(e) = self.socket.send(&a.frame(self.socket.mac)) {
            tracing::debug!("{}: sending our LLDPDU: {e}", self.interface);
        }
    }

    fn send_shutdown(&self) {
        let Some(a) = self.announcement(Duration::from_secs(1)) else {
            return;
        };
        match self.socket.send(&a.shutdown_frame(self.socket.mac)) {
            Ok(()) => tracing::info!("{}: sent the shutdown LLDPDU", self.interface),
            Err(e) => tracing::debug!("{}: sending the shutdown LLDPDU: {e}", self.interface),
        }
    }
}

/// A neighbour in a log line: its system name, or chassis and port IDs.
fn describe(n: &[nipart_plugin_api::state::LldpTlv]) -> String {
    use nipart_plugin_api::state::LldpTlv;
    let name = n.iter().find_map(|t| match t {
        LldpTlv::SystemName(s) => Some(s.as_str()),
        _ => None,
    });
    let chassis = LldpTlv::chassis_id(n).unwrap_or("?");
    let port = LldpTlv::port_id(n).unwrap_or("?");
    match name {
        Some(s) => format!("{s:?} (chassis {chassis}, port {port})"),
        None => format!("chassis {chassis}, port {port}"),
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The interface's index, if it exists.
fn nix_ifindex(interface: &str) -> Option<u32> {
    let name = std::ffi::CString::new(interface).ok()?;
    // SAFETY: plain FFI call; the name is NUL-terminated and outlives it.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    (index != 0).then_some(index)
}
