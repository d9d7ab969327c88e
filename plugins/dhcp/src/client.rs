//! The DHCPv4 client of one interface, as a task: waits for carrier,
//! acquires a lease (asking for the saved one first), has the kernel role
//! apply it, renews at T1 and rebinds at T2 (mozim), removes the address
//! when the lease expires or is refused (DHCPNAK, also to a renewal or a
//! rebinding: `nak.rs`), and starts over when the carrier comes back after
//! a loss.

use std::{collections::HashMap, sync::Arc, sync::Mutex, time::Duration};

use mozim::{DhcpV4Client, DhcpV4Config, DhcpV4State};
use nipart_plugin_api::{
    Context, Message, Result,
    state::{DhcpLeaseInfo, DhcpLeaseLost, IpChange},
};
use tokio::{
    sync::{mpsc, oneshot},
    time::Instant,
};

use crate::{
    auto::AutoSettings,
    direct,
    invalid::{self, InvalidPackets},
    lease::{Lease, LeaseStore, unix_now},
    nak::{Asking, Nak, NakWatch},
};

/// What the plugin tells a client.
#[derive(Debug)]
pub enum Command {
    /// The carrier came up (`true`) or went down.
    Carrier(bool),
    /// The interface's `auto-*` keys changed: the lease's routes are
    /// placed again.
    Settings(AutoSettings),
    /// Stop; with `release`, send DHCPRELEASE first. The address is removed
    /// either way; `done` is answered when all that is over.
    Stop {
        release: bool,
        done: oneshot::Sender<()>,
    },
}

/// Timeouts and pauses of a client.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// How long the kernel role may take to apply a lease.
    pub kernel_timeout: Duration,
    /// The pause before starting over after an error.
    pub retry_interval: Duration,
    /// At most one summary of ignored invalid packets per this interval.
    pub invalid_report: Duration,
    /// Upper bound of the random delay before DHCPv6's first Solicit.
    pub solicit_max_delay: Duration,
}

/// The leases applied now, by interface (what `dhcp.leases` reports).
pub type Applied = Arc<Mutex<HashMap<String, Lease>>>;

/// How a DHCP session (carrier up until stop or carrier loss) ended.
pub enum End {
    Stop {
        release: bool,
        done: oneshot::Sender<()>,
    },
    CarrierLost,
    /// The plugin dropped its handle: stop without a word.
    Gone,
}

pub struct Client {
    interface: String,
    ctx: Context,
    store: LeaseStore,
    applied: Applied,
    timing: Timing,
    settings: AutoSettings,
    rx: mpsc::UnboundedReceiver<Command>,
    carrier: bool,
    /// The lease the kernel has now.
    current: Option<Lease>,
    /// The invalid packets mozim ignored, and when they were last reported.
    invalid: Arc<InvalidPackets>,
    last_report: Instant,
}

impl Client {
    pub fn new(
        interface: String,
        ctx: Context,
        store: LeaseStore,
        applied: Applied,
        timing: Timing,
        settings: AutoSettings,
        rx: mpsc::UnboundedReceiver<Command>,
    ) -> Client {
        Client {
            ctx,
            store,
            applied,
            timing,
            settings,
            rx,
            carrier: false,
            current: None,
            invalid: InvalidPackets::new(&interface),
            last_report: Instant::now(),
            interface,
        }
    }

    /// Runs until stopped.
    pub async fn run(self) {
        let counter = self.invalid.clone();
        invalid::scope(counter, run_sessions(self)).await;
    }

    /// The server refused to extend the lease: drop it and forget it.
    async fn refused(&mut self, nak: Nak) {
        tracing::warn!(
            "{}: DHCPNAK from {} for {}: lease dropped",
            self.interface,
            nak.server,
            nak.address
        );
        self.drop_lease("nak").await;
        self.store.forget(&self.interface);
    }

    /// Logs how many invalid packets mozim ignored since the last report.
    fn report_invalid(&mut self) {
        let n = self.invalid.take();
        if n > 0 {
            tracing::warn!(
                "{}: ignored {n} invalid DHCP packet{} in the last {} s",
                self.interface,
                if n == 1 { "" } else { "s" },
                self.last_report.elapsed().as_secs().max(1)
            );
        }
        self.last_report = Instant::now();
    }

    /// Waits `d`, unless a command ends the session first; new `auto-*`
    /// settings place the lease's routes again meanwhile.
    async fn pause(&mut self, d: Duration) -> Option<End> {
        let deadline = Instant::now() + d;
        loop {
            match pause_until(&mut self.rx, &mut self.carrier, deadline).await {
                Paused::Elapsed => return None,
                Paused::Ended(end) => return Some(end),
                Paused::Settings(s) => self.resettle(s).await,
            }
        }
    }

    /// A lease was acquired or renewed: apply, save, report.
    async fn bound(&mut self, lease: &mozim::DhcpV4Lease) {
        let now = unix_now();
        let lease = match Lease::from_mozim(&self.interface, lease, now) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!("{}: ignoring the lease: {e}", self.interface);
                return;
            }
        };
        let renewed = self
            .current
            .as_ref()
            .is_some_and(|c| c.address == lease.address);
        let change = lease.apply_change(self.current.as_ref(), now, &self.settings);
        if let Err(e) = self.kernel(&change).await {
            tracing::error!(
                "{}: applying the lease {}: {e}",
                self.interface,
                lease.cidr()
            );
            return;
        }
        tracing::info!(
            "{}: {} {} from {} for {} s (renewal in {} s, rebinding in {} s)",
            self.interface,
            if renewed { "renewed" } else { "acquired" },
            lease.cidr(),
            lease.server_id,
            lease.lease_time,
            lease.renewal_time,
            lease.rebinding_time
        );
        if let Err(e) = self.store.save(&lease) {
            tracing::warn!("{}: {e}", self.interface);
        }
        lock(&self.applied).insert(self.interface.clone(), lease.clone());
        if let Err(e) = self.ctx.announce(&lease.info()) {
            tracing::debug!(
                "{}: {} not published: {e}",
                self.interface,
                DhcpLeaseInfo::TOPIC
            );
        }
        self.current = Some(lease);
    }

    /// Takes new `auto-*` settings: the applied lease's routes are placed
    /// as they say (those they no longer want removed).
    async fn resettle(&mut self, settings: AutoSettings) {
        let old = std::mem::replace(&mut self.settings, settings);
        let Some(lease) = &self.current else {
            return;
        };
        let (before, after) = (lease.routes(&old), lease.routes(&settings));
        if before == after {
            return;
        }
        let change = IpChange {
            interface: self.interface.clone(),
            remove_routes: before.into_iter().filter(|r| !after.contains(r)).collect(),
            add_routes: after,
            ..IpChange::default()
        };
        match self.kernel(&change).await {
            Ok(()) => tracing::info!(
                "{}: the lease's routes placed as the new settings say",
                self.interface
            ),
            Err(e) => tracing::error!(
                "{}: placing the lease's routes as the new settings say: {e}",
                self.interface
            ),
        }
    }

    /// Has role `kernel` apply `change`. Removals fall back to doing it
    /// here when the kernel plugin is gone: at daemon shutdown it stops
    /// before this plugin (reverse name order), and a released address
    /// must not stay.
    async fn kernel(&self, change: &IpChange) -> Result<()> {
        kernel(&self.ctx, change, self.timing.kernel_timeout).await
    }
}

/// What the life of a client task ([`run_sessions`]) needs of its
/// family's client: DHCPv4's [`Client`], DHCPv6's `v6::Client6`.
pub(crate) trait Family {
    /// `DHCPv4` or `DHCPv6`, for the log.
    const NAME: &'static str;
    fn interface(&self) -> &str;
    /// The client's commands, and whether the carrier is up.
    fn commands(&mut self) -> (&mut mpsc::UnboundedReceiver<Command>, &mut bool);
    /// New `auto-*` settings came while the carrier was down.
    fn take_settings(&mut self, settings: AutoSettings);
    /// One session, from carrier up to stop or carrier loss.
    async fn session(&mut self) -> End;
    /// Removes the applied lease (the saved lease stays: it is what the
    /// next session asks for first).
    async fn drop_lease(&mut self, reason: &str);
}

/// The life of a client task: waits for the carrier, runs a session, drops
/// the lease when it ends (released or not, as the stop said), until
/// stopped.
pub(crate) async fn run_sessions<F: Family>(mut client: F) {
    loop {
        loop {
            let (rx, carrier) = client.commands();
            if *carrier {
                break;
            }
            match rx.recv().await {
                None => return,
                Some(Command::Carrier(up)) => *carrier = up,
                Some(Command::Settings(s)) => client.take_settings(s),
                Some(Command::Stop { done, .. }) => {
                    let _ = done.send(());
                    return;
                }
            }
        }
        tracing::info!("{}: carrier up, starting {}", client.interface(), F::NAME);
        match client.session().await {
            End::CarrierLost => {
                tracing::info!("{}: carrier lost", client.interface());
                client.drop_lease("carrier-lost").await;
            }
            End::Stop { release, done } => {
                // The session released the lease already when asked to.
                client
                    .drop_lease(if release { "released" } else { "stopped" })
                    .await;
                let _ = done.send(());
                return;
            }
            End::Gone => return,
        }
    }
}

impl Family for Client {
    const NAME: &'static str = "DHCPv4";

    fn interface(&self) -> &str {
        &self.interface
    }

    fn commands(&mut self) -> (&mut mpsc::UnboundedReceiver<Command>, &mut bool) {
        (&mut self.rx, &mut self.carrier)
    }

    fn take_settings(&mut self, settings: AutoSettings) {
        self.settings = settings;
    }

    async fn session(&mut self) -> End {
        let mut cli = loop {
            let mut config = DhcpV4Config::new(&self.interface);
            config.use_mac_as_client_id();
            // 0: mozim retries forever; expiry and errors are ours to handle.
            config.set_timeout_sec(0);
            let saved = self.store.load(&self.interface);
            if let Some(l) = &saved {
                tracing::info!(
                    "{}: asking for the saved lease {} first",
                    self.interface,
                    l.cidr()
                );
            }
            match DhcpV4Client::init(config, saved.map(|l| l.to_mozim())).await {
                Ok(c) => break c,
                Err(e) => {
                    tracing::warn!(
                        "{}: can't start DHCPv4: {e}; retrying in {:?}",
                        self.interface,
                        self.timing.retry_interval
                    );
                    if let Some(end) = self.pause(self.timing.retry_interval).await {
                        return end;
                    }
                }
            }
        };
        // mozim goes from rebinding back to INIT when the lease ran out.
        let mut rebinding = false;
        // mozim is requesting an offer (SELECTING).
        let mut selecting = false;
        // Watches for a DHCPNAK while a lease is bound or an offer
        // requested (`nak.rs`).
        let mut watch: Option<NakWatch> = None;
        let mut watch_failed = false;
        loop {
            let expiry = self
                .current
                .as_ref()
                .map(|l| Instant::now() + l.remaining(unix_now()));
            let asking = match &self.current {
                Some(l) => Some(Asking::Lease {
                    address: l.address,
                    server: l.server_id,
                    any_server: rebinding,
                }),
                None if selecting => Some(Asking::Offer),
                None => None,
            };
            if asking.is_none() {
                watch = None;
                watch_failed = false;
            } else if watch.is_none() && !watch_failed {
                match NakWatch::open(&self.interface) {
                    Ok(w) => watch = Some(w),
                    Err(e) => {
                        watch_failed = true;
                        tracing::warn!(
                            "{}: can't watch for DHCPNAK ({e}); a refused renewal is noticed at expiry only",
                            self.interface
                        );
                    }
                }
            }
            let report_at = self.last_report + self.timing.invalid_report;
            tokio::select! {
                cmd = self.rx.recv() => match cmd {
                    None => return End::Gone,
                    Some(Command::Carrier(true)) => {}
                    Some(Command::Settings(s)) => self.resettle(s).await,
                    Some(Command::Carrier(false)) => {
                        self.carrier = false;
                        return End::CarrierLost;
                    }
                    Some(Command::Stop { release, done }) => {
                        if release && let Some(l) = &self.current {
                            match cli.release(&l.to_mozim()).await {
                                Ok(()) => tracing::info!(
                                    "{}: released the lease {}",
                                    self.interface,
                                    l.cidr()
                                ),
                                Err(e) => tracing::warn!(
                                    "{}: releasing the lease {}: {e}",
                                    self.interface,
                                    l.cidr()
                                ),
                            }
                        }
                        return End::Stop { release, done };
                    }
                },
                nak = next_nak(&mut watch, asking), if watch.is_some() && asking.is_some() => match nak {
                    Ok(nak) => {
                        watch = None;
                        if asking == Some(Asking::Offer) {
                            tracing::warn!(
                                "{}: DHCPNAK from {} for the offered {}: starting over",
                                self.interface,
                                nak.server,
                                nak.address
                            );
                        } else {
                            self.refused(nak).await;
                        }
                        // Start over with DISCOVER: INIT-REBOOT would ask
                        // for the refused address again.
                        cli.clean_up();
                        rebinding = false;
                        selecting = false;
                    }
                    Err(e) => {
                        watch = None;
                        watch_failed = true;
                        tracing::warn!(
                            "{}: stopped watching for DHCPNAK: {e}",
                            self.interface
                        );
                    }
                },
                _ = tokio::time::sleep_until(report_at) => self.report_invalid(),
                _ = sleep_until(expiry), if expiry.is_some() => {
                    // mozim's rebinding gives up at expiry too; this is the
                    // plugin's own deadline, whatever mozim is doing.
                    tracing::warn!("{}: the lease expired", self.interface);
                    self.drop_lease("expired").await;
                    cli.clean_up();
                    selecting = false;
                }
                state = cli.run() => match state {
                    Ok(DhcpV4State::Done(lease)) => {
                        rebinding = false;
                        selecting = false;
                        self.bound(&lease).await;
                    }
                    Ok(DhcpV4State::InitReboot) => {
                        selecting = false;
                        if let Some(l) = &self.current {
                            let reason = if rebinding || l.remaining(unix_now()).is_zero() {
                                "expired"
                            } else {
                                "refused"
                            };
                            tracing::warn!(
                                "{}: lease {} {reason}; starting over",
                                self.interface,
                                l.cidr()
                            );
                            self.drop_lease(reason).await;
                        }
                    }
                    Ok(other) => {
                        rebinding = other == DhcpV4State::Rebinding;
                        selecting = other == DhcpV4State::Selecting;
                        tracing::info!("{}: DHCPv4 {other}", self.interface);
                    }
                    Err(e) => {
                        tracing::warn!(
                            "{}: DHCPv4: {e}; starting over in {:?}",
                            self.interface,
                            self.timing.retry_interval
                        );
                        cli.clean_up();
                        selecting = false;
                        if let Some(end) = self.pause(self.timing.retry_interval).await {
                            return end;
                        }
                    }
                },
            }
        }
    }

    async fn drop_lease(&mut self, reason: &str) {
        let Some(lease) = self.current.take() else {
            return;
        };
        lock(&self.applied).remove(&self.interface);
        if let Err(e) = self.kernel(&lease.remove_change(&self.settings)).await {
            tracing::error!(
                "{}: removing the address {}: {e}",
                self.interface,
                lease.cidr()
            );
        } else {
            tracing::info!("{}: removed {} ({reason})", self.interface, lease.cidr());
        }
        let lost = DhcpLeaseLost {
            interface: self.interface.clone(),
            address: lease.cidr(),
            reason: reason.to_string(),
        };
        if let Err(e) = self.ctx.announce(&lost) {
            tracing::debug!(
                "{}: {} not published: {e}",
                self.interface,
                DhcpLeaseLost::TOPIC
            );
        }
    }
}

/// Has role `kernel` apply `change` within `timeout`; removals are done
/// here when it can't (see [`Client::kernel`]).
pub async fn kernel(ctx: &Context, change: &IpChange, timeout: Duration) -> Result<()> {
    match ctx.ask_within(change, timeout).await {
        Ok(_applied) => Ok(()),
        Err(e) if change.add_addresses.is_empty() && change.add_routes.is_empty() => {
            tracing::debug!(
                "{}: the kernel role did not apply the removal ({e}); removing directly",
                change.interface
            );
            direct::remove(change).await
        }
        Err(e) => Err(e),
    }
}

/// How [`pause_until`] ended.
pub enum Paused {
    /// The deadline came.
    Elapsed,
    /// A command ended the session.
    Ended(End),
    /// New DHCPv4 `auto-*` settings came (the wait is not over).
    Settings(AutoSettings),
}

/// Waits until `deadline` for a command from `rx` that ends the session
/// or brings new settings (a carrier loss clears `carrier`): the pause of
/// both clients.
pub async fn pause_until(
    rx: &mut mpsc::UnboundedReceiver<Command>,
    carrier: &mut bool,
    deadline: Instant,
) -> Paused {
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => return Paused::Elapsed,
            cmd = rx.recv() => match cmd {
                None => return Paused::Ended(End::Gone),
                Some(Command::Carrier(true)) => {}
                Some(Command::Settings(s)) => return Paused::Settings(s),
                Some(Command::Carrier(false)) => {
                    *carrier = false;
                    return Paused::Ended(End::CarrierLost);
                }
                Some(Command::Stop { release, done }) => {
                    return Paused::Ended(End::Stop { release, done });
                }
            },
        }
    }
}

/// The next DHCPNAK `watch` sees to what the client is `asking`.
async fn next_nak(watch: &mut Option<NakWatch>, asking: Option<Asking>) -> std::io::Result<Nak> {
    match (watch, asking) {
        (Some(w), Some(asking)) => w.next(asking).await,
        _ => std::future::pending().await,
    }
}

pub async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
