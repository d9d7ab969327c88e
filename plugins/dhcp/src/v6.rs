//! The DHCPv6 client of one interface (IA_NA, mozim), as a task: waits for
//! carrier, asks the server to renew the saved lease first (falling back to
//! Solicit when it does not confirm it; the first Solicit waits a random
//! time below `solicit_max_delay_ms`, none by default), has the kernel role
//! apply the address with the lease's lifetimes, renews at T1 and rebinds
//! at T2 (mozim), removes the address when the valid lifetime runs out, and
//! releases it when stopped with `release`.
//!
//! The commands are the DHCPv4 client's ([`Command`]); so are the task's
//! life ([`client::run_sessions`]), the pauses and the kernel requests
//! (`client.rs`).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use mozim::{DhcpV6Client, DhcpV6Config, DhcpV6Mode, DhcpV6State};
use nipart_plugin_api::protocol::dhcp::Dhcp6LeaseLost;
use nipart_plugin_api::{
    Context, Message, Result,
    state::{Dhcp6LeaseInfo, DhcpLeaseLost, IpChange},
};
use tokio::{sync::mpsc, time::Instant};

use crate::{
    auto::AutoSettings,
    client::{self, Command, End, Family, Paused, Timing, lock, sleep_until},
    lease::{LeaseStore, unix_now},
    lease6::Lease6,
};

/// The DHCPv6 leases applied now, by interface.
pub type Applied6 = Arc<Mutex<HashMap<String, Lease6>>>;

/// How long a server has to confirm the saved lease before the client
/// solicits a new one.
const CONFIRM_WAIT: Duration = Duration::from_secs(3);
/// After this long without a lease the log says so (the client goes on
/// asking: a server may come later).
const NO_ANSWER_WARNING: Duration = Duration::from_secs(10);
/// How often the client looks for a usable link-local address.
const LINK_LOCAL_POLL: Duration = Duration::from_millis(10);
/// The first pause after an error (the link-local address may still be
/// tentative right after the link came up); it doubles up to the
/// configured retry interval.
const FIRST_RETRY: Duration = Duration::from_millis(100);

pub struct Client6 {
    interface: String,
    ctx: Context,
    store: LeaseStore<Lease6>,
    applied: Applied6,
    timing: Timing,
    rx: mpsc::UnboundedReceiver<Command>,
    carrier: bool,
    /// The lease the kernel has now.
    current: Option<Lease6>,
}

impl Client6 {
    pub fn new(
        interface: String,
        ctx: Context,
        store: LeaseStore<Lease6>,
        applied: Applied6,
        timing: Timing,
        rx: mpsc::UnboundedReceiver<Command>,
    ) -> Client6 {
        Client6 {
            interface,
            ctx,
            store,
            applied,
            timing,
            rx,
            carrier: false,
            current: None,
        }
    }

    /// Runs until stopped.
    pub async fn run(self) {
        client::run_sessions(self).await;
    }

    async fn pause(&mut self, d: Duration) -> Option<End> {
        let deadline = Instant::now() + d;
        loop {
            match client::pause_until(&mut self.rx, &mut self.carrier, deadline).await {
                Paused::Elapsed => return None,
                Paused::Ended(end) => return Some(end),
                // DHCPv4's `auto-*` keys: none for DHCPv6.
                Paused::Settings(_) => {}
            }
        }
    }

    /// Waits until the interface has a link-local address that is no
    /// longer tentative (DHCPv6 is sent from it: mozim can't bind before,
    /// and would wait a retransmission timeout), polling every
    /// [`LINK_LOCAL_POLL`].
    async fn wait_for_link_local(&mut self) -> Option<End> {
        let mut said = false;
        while !link_local_ready(&self.interface) {
            if !said {
                tracing::debug!(
                    "{}: waiting for a link-local address (duplicate address detection)",
                    self.interface
                );
                said = true;
            }
            if let Some(end) = self.pause(LINK_LOCAL_POLL).await {
                return Some(end);
            }
        }
        None
    }

    /// The client mozim runs; with `lease`, renewing it first.
    async fn start_client(
        &mut self,
        lease: Option<&Lease6>,
    ) -> std::result::Result<DhcpV6Client, End> {
        let mut retry = FIRST_RETRY;
        loop {
            if let Some(end) = self.wait_for_link_local().await {
                return Err(end);
            }
            let mut config = DhcpV6Config::new(&self.interface, DhcpV6Mode::NonTemporaryAddresses);
            // 0: mozim retries forever; expiry and errors are ours to handle.
            config.set_timeout_sec(0);
            // mozim's own default is a random 0-1 s (vendor/mozim).
            config.set_solicit_max_delay(self.timing.solicit_max_delay);
            match DhcpV6Client::init(config, None).await {
                Ok(mut cli) => {
                    // mozim 0.3.4's `init` with a lease starts renewing
                    // without its timers; `done` sets them, and renewal
                    // starts at T1 (one second).
                    if let Some(l) = lease
                        && let Some(m) = l.to_mozim(unix_now())
                        && let Err(e) = cli.done(m)
                    {
                        tracing::warn!(
                            "{}: can't renew the saved lease {}: {e}",
                            self.interface,
                            l.cidr()
                        );
                        cli.clean_up();
                    }
                    return Ok(cli);
                }
                Err(e) => {
                    tracing::debug!(
                        "{}: can't start DHCPv6 yet: {e}; retrying in {retry:?}",
                        self.interface
                    );
                    if let Some(end) = self.pause(retry).await {
                        return Err(end);
                    }
                    retry = (retry * 2).min(self.timing.retry_interval);
                }
            }
        }
    }

    /// Applies the saved lease at once if it is still valid and was not
    /// released: the address is used while the server confirms it (RFC
    /// 8415 18.2.3 lets a client go on using its leases while it
    /// confirms them). `true` if it was applied.
    async fn reuse_saved(&mut self) -> bool {
        let now = unix_now();
        let Some(saved) = self
            .store
            .load(&self.interface)
            .filter(|l| !l.released && l.to_mozim(now).is_some())
        else {
            return false;
        };
        tracing::info!(
            "{}: using the saved lease {} while the server confirms it",
            self.interface,
            saved.cidr()
        );
        if let Err(e) = self.kernel(&saved.apply_change(None, now)).await {
            tracing::warn!(
                "{}: applying the saved lease {}: {e}",
                self.interface,
                saved.cidr()
            );
            return false;
        }
        self.publish(saved);
        true
    }

    /// A lease was acquired or renewed: apply, save, report.
    async fn bound(&mut self, lease: &mozim::DhcpV6Lease) {
        let now = unix_now();
        let lease = match Lease6::from_mozim(&self.interface, lease, now) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!("{}: ignoring the DHCPv6 lease: {e}", self.interface);
                return;
            }
        };
        let renewed = self
            .current
            .as_ref()
            .is_some_and(|c| c.address == lease.address);
        let change = lease.apply_change(self.current.as_ref(), now);
        if let Err(e) = self.kernel(&change).await {
            tracing::error!(
                "{}: applying the DHCPv6 lease {}: {e}",
                self.interface,
                lease.cidr()
            );
            return;
        }
        tracing::info!(
            "{}: {} {} from DUID {} (preferred {} s, valid {} s, renewal in {} s, rebinding in {} s)",
            self.interface,
            if renewed { "renewed" } else { "acquired" },
            lease.cidr(),
            lease.info().server_duid,
            lease.preferred_lifetime,
            lease.valid_lifetime,
            lease.renewal_time,
            lease.rebinding_time
        );
        if let Err(e) = self.store.save(&lease) {
            tracing::warn!("{}: {e}", self.interface);
        }
        self.publish(lease);
    }

    /// `lease` is the one applied now: reported by `dhcp.leases` and
    /// announced.
    fn publish(&mut self, lease: Lease6) {
        lock(&self.applied).insert(self.interface.clone(), lease.clone());
        if let Err(e) = self.ctx.announce(&lease.info()) {
            tracing::debug!(
                "{}: {} not published: {e}",
                self.interface,
                Dhcp6LeaseInfo::TOPIC
            );
        }
        self.current = Some(lease);
    }

    async fn kernel(&self, change: &IpChange) -> Result<()> {
        client::kernel(&self.ctx, change, self.timing.kernel_timeout).await
    }
}

impl Family for Client6 {
    const NAME: &'static str = "DHCPv6";

    fn interface(&self) -> &str {
        &self.interface
    }

    fn commands(&mut self) -> (&mut mpsc::UnboundedReceiver<Command>, &mut bool) {
        (&mut self.rx, &mut self.carrier)
    }

    /// DHCPv4's `auto-*` keys: none for DHCPv6.
    fn take_settings(&mut self, _settings: AutoSettings) {}

    async fn session(&mut self) -> End {
        let began = Instant::now();
        let restoring = self.reuse_saved().await;
        let renew = if restoring {
            self.current.clone()
        } else {
            None
        };
        let mut cli = match self.start_client(renew.as_ref()).await {
            Ok(c) => c,
            Err(end) => return end,
        };
        // Until then the server may confirm the saved lease.
        let mut confirm_by = restoring.then(|| Instant::now() + CONFIRM_WAIT);
        let mut warn_at = Some(began + NO_ANSWER_WARNING);
        let mut retry = FIRST_RETRY;
        loop {
            let expiry = self
                .current
                .as_ref()
                .map(|l| Instant::now() + l.remaining(unix_now()));
            tokio::select! {
                cmd = self.rx.recv() => match cmd {
                    None => return End::Gone,
                    Some(Command::Carrier(true) | Command::Settings(_)) => {}
                    Some(Command::Carrier(false)) => {
                        self.carrier = false;
                        return End::CarrierLost;
                    }
                    Some(Command::Stop { release, done }) => {
                        if release && let Some(l) = &self.current {
                            // Kept (the next start may get the same
                            // address), never used again unconfirmed.
                            let released = Lease6 {
                                released: true,
                                ..l.clone()
                            };
                            if let Err(e) = self.store.save(&released) {
                                tracing::warn!("{}: {e}", self.interface);
                            }
                            match cli.release(&l.to_mozim_release()).await {
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
                _ = sleep_until(confirm_by) => {
                    confirm_by = None;
                    tracing::info!(
                        "{}: the saved DHCPv6 lease was not confirmed within {CONFIRM_WAIT:?}; soliciting",
                        self.interface
                    );
                    self.drop_lease("unconfirmed").await;
                    cli.clean_up();
                }
                _ = sleep_until(warn_at) => {
                    warn_at = None;
                    if self.current.is_none() {
                        tracing::warn!(
                            "{}: no DHCPv6 lease within {NO_ANSWER_WARNING:?} (no server answered); still asking",
                            self.interface
                        );
                    }
                }
                _ = sleep_until(expiry) => {
                    tracing::warn!("{}: the DHCPv6 lease expired", self.interface);
                    self.drop_lease("expired").await;
                    cli.clean_up();
                }
                state = cli.run() => match state {
                    Ok(DhcpV6State::Done(lease)) => {
                        confirm_by = None;
                        retry = FIRST_RETRY;
                        self.bound(&lease).await;
                    }
                    Ok(other) => {
                        tracing::debug!("{}: DHCPv6 {other}", self.interface);
                    }
                    Err(e) => {
                        tracing::warn!(
                            "{}: DHCPv6: {e}; starting over in {retry:?}",
                            self.interface
                        );
                        cli.clean_up();
                        confirm_by = None;
                        if let Some(end) = self.pause(retry).await {
                            return end;
                        }
                        retry = (retry * 2).min(self.timing.retry_interval);
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
        if let Err(e) = self.kernel(&lease.remove_change()).await {
            tracing::error!(
                "{}: removing the address {}: {e}",
                self.interface,
                lease.cidr()
            );
        } else {
            tracing::info!("{}: removed {} ({reason})", self.interface, lease.cidr());
        }
        let lost = Dhcp6LeaseLost(DhcpLeaseLost {
            interface: self.interface.clone(),
            address: lease.cidr(),
            reason: reason.to_string(),
        });
        if let Err(e) = self.ctx.announce(&lost) {
            tracing::debug!(
                "{}: {} not published: {e}",
                self.interface,
                Dhcp6LeaseLost::TOPIC
            );
        }
    }
}

/// Whether `interface` has a link-local IPv6 address that is neither
/// tentative nor failed duplicate address detection, in the calling
/// thread's network namespace (`/proc/thread-self/net/if_inet6`: address,
/// index, prefix length, scope, flags, name).
fn link_local_ready(interface: &str) -> bool {
    const TENTATIVE: u32 = 0x40;
    const DAD_FAILED: u32 = 0x08;
    const SCOPE_LINK: u32 = 0x20;
    let Ok(text) = std::fs::read_to_string("/proc/thread-self/net/if_inet6") else {
        // Without the file (no IPv6), mozim says what is wrong.
        return true;
    };
    text.lines().any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let hex = |i: usize| f.get(i).and_then(|v| u32::from_str_radix(v, 16).ok());
        f.len() == 6
            && f[5] == interface
            && hex(3) == Some(SCOPE_LINK)
            && hex(4).is_some_and(|flags| flags & (TENTATIVE | DAD_FAILED) == 0)
    })
}
