//! The `dns` plugin: the host-wide part of a network state that is not
//! kernel netlink work. It holds two roles:
//!
//! - role `dns`: `dns-resolver`, given to systemd-resolved through D-Bus
//!   when it owns its name on the bus (`resolved.rs`), else written to
//!   `resolv.conf` (`resolv.rs`); the choice is made at each apply and
//!   query. `dns.query` ([`DnsQuery`]) → [`DnsResolver`] (what the file,
//!   or resolved, says and what the resolver takes of it); `dns.auto`
//!   ([`DnsAutoQuery`]) → [`DnsAutoList`] (the interfaces' `auto-dns` and
//!   `auto-hostname` that are not the defaults, for queries and so
//!   checkpoints);
//! - role `hostname`: `hostname`, the running name and the static one,
//!   through systemd-hostnamed where the bus runs or can start it
//!   (`hostnamed.rs`), else `sethostname` and `/etc/hostname`
//!   (`hostname.rs`); `hostname.query` ([`HostnameQuery`]) →
//!   [`HostnameState`].
//!
//! Their parts of a plan come as `network.apply` ([`ApplyPart`]); a
//! rollback is an apply of the checkpoint's values, which the commander's
//! queries (and so its checkpoints) hold. The name servers of the dhcp
//! plugin's leases (`dhcp.lease`, `dhcp.lease-lost`, and `dhcp.leases` at
//! each apply) follow the configured ones in resolv.conf, and their search
//! domains (options 119, else 15) the configured search domains, unless
//! the interface's `ipv4.auto-dns` is false (which the part of role `dns`
//! carries; each family's flag governs its own family's leases only). A lease's host name (option 12) becomes the running host name
//! when the interface's `ipv4.auto-hostname` is true (carried likewise).
//! So do the name servers and search domains of its DHCPv6 leases
//! (`dhcp6.lease`, `dhcp6.lease-lost`), unless `ipv6.auto-dns` is false.
//! See `docs/plugins/dns.md`.

mod dbus;
mod hostname;
mod hostnamed;
mod resolv;
mod resolved;

use std::{
    collections::{BTreeMap, BTreeSet},
    net::{Ipv4Addr, Ipv6Addr},
    path::PathBuf,
    time::Duration,
};

use nipart_plugin_api::{
    Context, Error, ErrorKind, Event, EventState, Message, Plugin, Result, Role,
    protocol::{daemon::ConfigType, dhcp::Dhcp6LeaseLost},
    state::{
        ApplyPart, Dhcp6LeaseInfo, DhcpLeaseInfo, DhcpLeaseLost, DhcpLeaseQuery, DnsAuto,
        DnsAutoList, DnsAutoQuery, DnsConfig, DnsQuery, DnsResolver, HostnameQuery, HostnameState,
        PartApplied,
    },
};
use serde::Deserialize;

nipart_plugin_api::incoming! {
    /// What the dns plugin answers or follows.
    enum Incoming {
        ApplyPart(ApplyPart),
        Dns(DnsQuery),
        DnsAuto(DnsAutoQuery),
        Hostname(HostnameQuery),
        Lease(DhcpLeaseInfo),
        LeaseLost(DhcpLeaseLost),
        Lease6(Dhcp6LeaseInfo),
        Lease6Lost(Dhcp6LeaseLost),
    }
}

/// How long the dhcp plugin may take to list its leases.
const LEASES_TIMEOUT: Duration = Duration::from_secs(2);

/// `[plugin.dns]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// The resolver's file.
    resolv_conf: PathBuf,
    /// The static host name's file.
    hostname_file: PathBuf,
    /// The D-Bus address on which systemd-resolved is looked for (the
    /// system bus when not given).
    dbus_address: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            resolv_conf: PathBuf::from("/etc/resolv.conf"),
            hostname_file: PathBuf::from("/etc/hostname"),
            dbus_address: None,
        }
    }
}

impl Config {
    fn check(self) -> Result<Config> {
        for (key, path) in [
            ("resolv_conf", &self.resolv_conf),
            ("hostname_file", &self.hostname_file),
        ] {
            if !path.is_absolute() || path.file_name().is_none() {
                return Err(Error::invalid_input(format!(
                    "[plugin.dns] {key} = {:?} is not an absolute path to a file",
                    path.display().to_string()
                )));
            }
        }
        if let Some(a) = &self.dbus_address
            && let Err(e) = zbus::Address::try_from(a.as_str())
        {
            return Err(Error::invalid_input(format!(
                "[plugin.dns] dbus_address = {a:?} is not a D-Bus address: {e}"
            )));
        }
        Ok(self)
    }
}

/// What a DHCP lease gives the resolver and the host name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Learned {
    servers: Vec<Ipv4Addr>,
    search: Vec<String>,
    hostname: Option<String>,
}

impl From<DhcpLeaseInfo> for Learned {
    fn from(l: DhcpLeaseInfo) -> Learned {
        Learned {
            servers: l.dns_servers,
            search: l.search,
            hostname: l.hostname,
        }
    }
}

/// What the resolver is made of: the config applied, and the name servers
/// and search domains of each interface's DHCP lease, used unless its
/// `auto-dns` is false.
#[derive(Default, Clone)]
struct Resolver {
    /// The last `dns-resolver.config` applied (complete): what the file
    /// says besides the leases' servers.
    configured: Option<DnsConfig>,
    /// Interfaces whose DHCPv4 leases' name servers and search domains
    /// are not used (`ipv4.auto-dns: false`).
    auto_dns_off: BTreeSet<String>,
    /// What each interface's lease gave.
    learned: BTreeMap<String, Learned>,
    /// Interfaces whose DHCPv6 leases' name servers and domains are not
    /// used (`ipv6.auto-dns: false`).
    auto_dns6_off: BTreeSet<String>,
    /// What each interface's DHCPv6 lease gives.
    learned6: BTreeMap<String, Learned6>,
    /// Whether nipart wrote the file (then a lease that comes or goes
    /// rewrites it even without a configured resolver).
    wrote: bool,
}

impl Resolver {
    /// The config to write: the configured one (whole), then the name
    /// servers and search domains DHCP gave (each once) while the resolver
    /// takes more.
    fn effective(&self) -> DnsConfig {
        let mut c = self
            .configured
            .clone()
            .unwrap_or_else(|| DnsConfig::default().completed(None));
        let (learned_servers, learned_search) = self.learned_lists();
        let search = c.search.get_or_insert_with(Vec::new);
        let mut chars: usize = search.iter().map(|s| s.len() + 1).sum();
        let mut left_out = Vec::new();
        for d in learned_search {
            if search.contains(&d) {
                continue;
            }
            if search.len() < resolv::MAX_SEARCH && chars + d.len() < resolv::MAX_SEARCH_CHARS {
                chars += d.len() + 1;
                search.push(d);
            } else {
                left_out.push(d);
            }
        }
        if !left_out.is_empty() {
            tracing::info!(
                "DHCP's search domains beyond the resolver's limits left out: {}",
                left_out.join(", ")
            );
        }
        let servers = c.server.get_or_insert_with(Vec::new);
        let mut left_out = Vec::new();
        for s in learned_servers {
            if servers.contains(&s) {
                continue;
            }
            if servers.len() < resolv::MAXNS {
                servers.push(s);
            } else {
                left_out.push(s);
            }
        }
        if !left_out.is_empty() {
            tracing::info!(
                "DHCP's name servers beyond the resolver's {} left out: {}",
                resolv::MAXNS,
                left_out.join(", ")
            );
        }
        c
    }

    /// The servers and search domains the leases added to the configured
    /// ones (in the file when nipart wrote it).
    fn added(&self) -> resolv::Added {
        if !self.wrote {
            return resolv::Added::default();
        }
        let configured = self.configured.clone().unwrap_or_default();
        let effective = self.effective();
        let new = |all: Option<Vec<String>>, had: Option<Vec<String>>| -> Vec<String> {
            let had = had.unwrap_or_default();
            all.unwrap_or_default()
                .into_iter()
                .filter(|s| !had.contains(s))
                .collect()
        };
        resolv::Added {
            servers: new(effective.server, configured.server),
            search: new(effective.search, configured.search),
        }
    }

    /// Whether there is anything for nipart to write.
    fn manages(&self) -> bool {
        self.wrote || self.configured.is_some() || self.uses_learned()
    }

    /// The name servers and search domains the leases give (each once),
    /// without those of interfaces whose `auto-dns` is false.
    fn learned_lists(&self) -> (Vec<String>, Vec<String>) {
        let (mut servers, mut search): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for (iface, learned) in &self.learned {
            if self.auto_dns_off.contains(iface) {
                continue;
            }
            for s in learned.servers.iter().map(ToString::to_string) {
                if !servers.contains(&s) {
                    servers.push(s);
                }
            }
            for d in &learned.search {
                if !search.contains(d) {
                    search.push(d.clone());
                }
            }
        }
        // DHCPv4's, then DHCPv6's.
        for (iface, learned) in &self.learned6 {
            if self.auto_dns6_off.contains(iface) {
                continue;
            }
            for s in learned.servers.iter().map(ToString::to_string) {
                if !servers.contains(&s) {
                    servers.push(s);
                }
            }
            for d in &learned.domains {
                // A server's word is checked as a state's is: a name
                // that is not a domain never reaches the resolver.
                if nipart_plugin_api::state::check_search_domain(d, "").is_err() {
                    tracing::warn!("{iface}: ignoring the DHCPv6 search domain {d:?}");
                } else if !search.contains(d) {
                    search.push(d.clone());
                }
            }
        }
        (servers, search)
    }

    /// What systemd-resolved is told, by link: the configured servers and
    /// search domains on each link with a default route (resolved has no
    /// global list on the bus), then each lease's servers on its own link.
    fn per_link(
        &self,
        default_links: &BTreeMap<String, i32>,
    ) -> Result<BTreeMap<String, resolved::LinkDns>> {
        let configured = self.configured.clone().unwrap_or_default();
        let servers = configured.server.unwrap_or_default();
        let search = configured.search.unwrap_or_default();
        let mut links = BTreeMap::new();
        if (!servers.is_empty() || !search.is_empty()) && default_links.is_empty() {
            return Err(Error::new(
                ErrorKind::Failed,
                "dns-resolver.config: systemd-resolved takes name servers and search domains \
                 per link, and no link has a default route to carry them; nothing was changed",
            ));
        }
        for name in default_links.keys() {
            links.insert(
                name.clone(),
                resolved::LinkDns {
                    servers: servers.clone(),
                    search: search.clone(),
                },
            );
        }
        for (iface, learned) in &self.learned {
            if self.auto_dns_off.contains(iface) {
                continue;
            }
            let link: &mut resolved::LinkDns = links.entry(iface.clone()).or_default();
            for s in learned.servers.iter().map(ToString::to_string) {
                if !link.servers.contains(&s) {
                    link.servers.push(s);
                }
            }
            for d in &learned.search {
                if !link.search.contains(d) {
                    link.search.push(d.clone());
                }
            }
        }
        for (iface, learned) in &self.learned6 {
            if self.auto_dns6_off.contains(iface) {
                continue;
            }
            let link: &mut resolved::LinkDns = links.entry(iface.clone()).or_default();
            for s in learned.servers.iter().map(ToString::to_string) {
                if !link.servers.contains(&s) {
                    link.servers.push(s);
                }
            }
            for d in &learned.domains {
                if nipart_plugin_api::state::check_search_domain(d, "").is_ok()
                    && !link.search.contains(d)
                {
                    link.search.push(d.clone());
                }
            }
        }
        Ok(links)
    }

    fn uses_learned(&self) -> bool {
        self.learned.iter().any(|(i, l)| {
            (!l.servers.is_empty() || !l.search.is_empty()) && !self.auto_dns_off.contains(i)
        }) || self.learned6.iter().any(|(i, l)| {
            (!l.servers.is_empty() || !l.domains.is_empty()) && !self.auto_dns6_off.contains(i)
        })
    }
}

/// The name servers and search domains of a DHCPv6 lease.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Learned6 {
    servers: Vec<Ipv6Addr>,
    domains: Vec<String>,
}

impl From<Dhcp6LeaseInfo> for Learned6 {
    fn from(l: Dhcp6LeaseInfo) -> Learned6 {
        Learned6 {
            servers: l.dns_servers,
            domains: l.domains,
        }
    }
}

struct Dns {
    config: Config,
    resolver: Resolver,
    /// The links nipart gave systemd-resolved something for (name →
    /// index), reverted when they no longer carry anything.
    resolved_links: BTreeMap<String, i32>,
    /// What those links were given, set again when resolved restarts
    /// (`resolved::follow`).
    resolved_given: resolved::Given,
    /// Interfaces whose lease's host name is the running host name
    /// (`ipv4.auto-hostname: true`).
    auto_hostname: BTreeSet<String>,
}

impl Dns {
    /// Applies a part: the resolver (with `auto-dns` of its interfaces)
    /// and the host names. On error nothing of the resolver is kept.
    async fn apply(&mut self, ctx: &Context, part: &ApplyPart) -> Result<Vec<String>> {
        let mut changes = Vec::new();
        let state = &part.state;
        if state.dns_resolver.is_some() || !state.interfaces.is_empty() {
            let mut next = self.resolver.clone();
            for iface in &state.interfaces {
                match iface.ipv4.as_ref().and_then(|c| c.auto_hostname) {
                    Some(true) => {
                        self.auto_hostname.insert(iface.name.clone());
                    }
                    Some(false) => {
                        self.auto_hostname.remove(&iface.name);
                    }
                    None => {}
                }
                // Each family's flag governs its own family's lease only.
                for (ip, off) in [
                    (&iface.ipv4, &mut next.auto_dns_off),
                    (&iface.ipv6, &mut next.auto_dns6_off),
                ] {
                    match ip.as_ref().and_then(|c| c.auto_dns) {
                        Some(false) => off.insert(iface.name.clone()),
                        Some(true) => off.remove(&iface.name),
                        None => false,
                    };
                }
            }
            let mut take_over = false;
            if let Some(d) = &state.dns_resolver {
                if let Some(c) = &d.config {
                    // A rollback writes back what the file held, even
                    // what glibc ignores (a fourth server).
                    if !part.rollback {
                        resolv::check_limits(c, &self.config.resolv_conf)?;
                    }
                    next.configured = Some(c.clone());
                }
                take_over = d.take_over == Some(true);
            }
            if let Some((leases, leases6)) = self.leases(ctx).await {
                next.learned = leases;
                next.learned6 = leases6;
            }
            if next.manages() {
                changes.extend(self.configure(&next, take_over, part.rollback).await?);
                next.wrote = true;
            }
            self.resolver = next;
        }
        if let Some(h) = &state.hostname {
            changes.extend(self.apply_hostname(h).await?);
        }
        // A lease's host name, for an interface that now says to use it.
        let from_lease = state
            .interfaces
            .iter()
            .filter(|i| self.auto_hostname.contains(&i.name))
            .find_map(|i| {
                let l = self.resolver.learned.get(&i.name)?;
                Some((i.name.clone(), l.hostname.clone()?))
            });
        if let Some((iface, name)) = from_lease {
            changes.extend(self.lease_hostname(&iface, &name).await?);
        }
        Ok(changes)
    }

    /// The interfaces whose leases are used otherwise than by default
    /// (what a query shows, and a checkpoint keeps).
    fn auto(&self) -> DnsAutoList {
        let r = &self.resolver;
        let names: BTreeSet<&String> = r
            .auto_dns_off
            .iter()
            .chain(&r.auto_dns6_off)
            .chain(&self.auto_hostname)
            .collect();
        DnsAutoList {
            interfaces: names
                .into_iter()
                .map(|i| DnsAuto {
                    interface: i.clone(),
                    auto_dns4: !r.auto_dns_off.contains(i),
                    auto_dns6: !r.auto_dns6_off.contains(i),
                    auto_hostname: self.auto_hostname.contains(i),
                })
                .collect(),
        }
    }

    /// Sets the host names: through systemd-hostnamed when it runs (or
    /// the bus starts it), else with sethostname and the static file.
    async fn apply_hostname(&self, want: &HostnameState) -> Result<Vec<String>> {
        match hostnamed::Hostnamed::find(self.config.dbus_address.as_deref()).await {
            Some(bus) => bus.apply(want).await,
            None => hostname::apply(&self.config.hostname_file, want),
        }
    }

    /// Makes the resolver use `next`: through systemd-resolved when it
    /// runs, else in resolv.conf (`take_over` replacing another manager's
    /// link). The changes made.
    async fn configure(
        &mut self,
        next: &Resolver,
        take_over: bool,
        rollback: bool,
    ) -> Result<Vec<String>> {
        let Some(bus) = resolved::Resolved::find(self.config.dbus_address.as_deref()).await else {
            let changes = resolv::write(&self.config.resolv_conf, &next.effective(), take_over)?;
            // resolv.conf holds it now: a resolved that appears later is
            // given it at the next apply, not what it had before.
            self.resolved_given.lock().await.clear();
            return Ok(changes);
        };
        let options = next
            .configured
            .as_ref()
            .and_then(|c| c.options.as_deref())
            .unwrap_or(&[]);
        if !options.is_empty() && !rollback {
            return Err(Error::invalid_input(format!(
                "dns-resolver.config.options: [{}] given, but systemd-resolved (which runs here) \
                 has no resolver options; nothing was changed",
                options.join(", ")
            )));
        }
        let plan = next.per_link(&resolved::default_route_links()?)?;
        let mut changes = Vec::new();
        let mut now = BTreeMap::new();
        let mut given = BTreeMap::new();
        // Held until the links are set: a restart of resolved seen
        // meanwhile gives them these settings, not older ones.
        let given_lock = self.resolved_given.clone();
        let mut last_given = given_lock.lock().await;
        for (name, dns) in &plan {
            // A lease's interface that is gone has nothing to configure.
            let Some(index) = resolved::ifindex(name) else {
                continue;
            };
            if dns.servers.is_empty() && dns.search.is_empty() {
                // Without a resolver state, a link nipart did not set is
                // left as it is (another program may have set it).
                if next.configured.is_none() && !self.resolved_links.contains_key(name) {
                    continue;
                }
                bus.revert_link(name, index).await?;
                changes.push(format!("systemd-resolved: link {name} reverted"));
                continue;
            }
            bus.set_link(name, index, dns).await?;
            now.insert(name.clone(), index);
            given.insert(name.clone(), dns.clone());
            changes.push(format!(
                "systemd-resolved: link {name}: servers [{}], search [{}]",
                dns.servers.join(", "),
                dns.search.join(", ")
            ));
        }
        for (name, index) in &self.resolved_links {
            if plan.contains_key(name) || resolved::ifindex(name) != Some(*index) {
                continue;
            }
            bus.revert_link(name, *index).await?;
            changes.push(format!("systemd-resolved: link {name} reverted"));
        }
        self.resolved_links = now;
        *last_given = given;
        Ok(changes)
    }

    /// What the resolver uses: resolved's settings when it runs, else the
    /// file's.
    async fn query(&self) -> Result<DnsResolver> {
        match resolved::Resolved::find(self.config.dbus_address.as_deref()).await {
            Some(bus) => {
                let (servers, search) = self.resolver.learned_lists();
                bus.query(&servers, &search).await
            }
            None => resolv::query(&self.config.resolv_conf, &self.resolver.added()),
        }
    }

    /// Makes `name`, the host name of `iface`'s lease, the running one.
    async fn lease_hostname(&self, iface: &str, name: &str) -> Result<Vec<String>> {
        let want = HostnameState {
            running: Some(name.to_string()),
            config: None,
        };
        let changes = self.apply_hostname(&want).await?;
        Ok(changes
            .into_iter()
            .map(|c| format!("{c} (DHCP on {iface})"))
            .collect())
    }

    /// What the dhcp plugin's leases give, by interface (`None` without a
    /// dhcp plugin or an answer).
    #[allow(clippy::type_complexity)]
    async fn leases(
        &self,
        ctx: &Context,
    ) -> Option<(BTreeMap<String, Learned>, BTreeMap<String, Learned6>)> {
        match ctx
            .ask_within(&DhcpLeaseQuery { interface: None }, LEASES_TIMEOUT)
            .await
        {
            Ok(list) => Some((
                list.leases
                    .into_iter()
                    .map(|l| (l.interface.clone(), Learned::from(l)))
                    .collect(),
                list.leases6
                    .into_iter()
                    .map(|l| (l.interface.clone(), Learned6::from(l)))
                    .collect(),
            )),
            Err(e) => {
                tracing::debug!("no DHCP leases to take name servers from: {e}");
                None
            }
        }
    }

    /// A lease came, was renewed or was lost: the file says its name
    /// servers and search domains (or no longer), when nipart manages it;
    /// its host name is set when the interface says so.
    async fn lease_changed(&mut self, interface: &str, learned: Option<Learned>) {
        let before = self.resolver.learned.get(interface).cloned();
        if before == learned {
            return;
        }
        if let Some(name) = learned.as_ref().and_then(|l| l.hostname.as_deref())
            && self.auto_hostname.contains(interface)
            && before.as_ref().and_then(|b| b.hostname.as_deref()) != Some(name)
        {
            match self.lease_hostname(interface, name).await {
                Ok(changes) => changes.iter().for_each(|c| tracing::info!("{c}")),
                Err(e) => tracing::warn!("the host name of {interface}'s lease: {e}"),
            }
        }
        match learned {
            Some(l) => self.resolver.learned.insert(interface.to_string(), l),
            None => self.resolver.learned.remove(interface),
        };
        self.rewrite(interface).await;
    }

    /// A DHCPv6 lease came, was renewed or was lost.
    async fn lease6_changed(&mut self, interface: &str, learned: Option<Learned6>) {
        if self.resolver.learned6.get(interface) == learned.as_ref() {
            return;
        }
        match learned {
            Some(l) => self.resolver.learned6.insert(interface.to_string(), l),
            None => self.resolver.learned6.remove(interface),
        };
        self.rewrite(interface).await;
    }

    /// Gives the resolver its servers again after a lease of `interface`
    /// changed, when nipart manages it.
    async fn rewrite(&mut self, interface: &str) {
        if !self.resolver.manages() {
            return;
        }
        let resolver = self.resolver.clone();
        match self.configure(&resolver, false, false).await {
            Ok(changes) => {
                self.resolver.wrote = true;
                for c in changes {
                    tracing::info!("DHCP on {interface}: {c}");
                }
            }
            Err(e) => tracing::warn!("the name servers of {interface}'s lease: {e}"),
        }
    }
}

impl Plugin for Dns {
    const NAME: &'static str = "dns";
    const DESCRIPTION: &'static str =
        "the resolver's configuration (resolv.conf) and the host name";
    const ROLES: &'static [&'static str] = &[Role::DNS.as_str(), Role::HOSTNAME.as_str()];
    const SUBSCRIPTIONS: &'static [&'static str] = &[
        DhcpLeaseInfo::TOPIC,
        DhcpLeaseLost::TOPIC,
        Dhcp6LeaseInfo::TOPIC,
        Dhcp6LeaseLost::TOPIC,
    ];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("resolv_conf", ConfigType::String),
        ("hostname_file", ConfigType::String),
        ("dbus_address", ConfigType::String),
    ];

    fn new() -> Result<Self> {
        Ok(Dns {
            config: Config::default(),
            resolver: Resolver::default(),
            resolved_links: BTreeMap::new(),
            resolved_given: resolved::Given::default(),
            auto_hostname: BTreeSet::new(),
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        self.config = ctx.config::<Config>()?.check()?;
        tokio::spawn(resolved::follow(
            self.config.dbus_address.clone(),
            self.resolved_given.clone(),
        ));
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        if !event.request {
            // Notices: the dhcp plugin's leases.
            match Incoming::decode(&event) {
                Ok(Some(Incoming::Lease(l))) => {
                    self.lease_changed(&l.interface.clone(), Some(Learned::from(l)))
                        .await
                }
                Ok(Some(Incoming::LeaseLost(l))) => self.lease_changed(&l.interface, None).await,
                Ok(Some(Incoming::Lease6(l))) => {
                    self.lease6_changed(&l.interface.clone(), Some(Learned6::from(l)))
                        .await
                }
                Ok(Some(Incoming::Lease6Lost(l))) => {
                    self.lease6_changed(&l.0.interface, None).await
                }
                _ => {}
            }
            return Ok(());
        }
        if event.state != EventState::Todo {
            return Ok(());
        }
        match Incoming::decode(&event)? {
            Some(Incoming::ApplyPart(part)) => {
                let changes = self.apply(ctx, &part).await?;
                for c in &changes {
                    tracing::info!("{c}");
                }
                ctx.answer::<ApplyPart>(&event, &PartApplied { changes })
            }
            Some(Incoming::Dns(_)) => ctx.answer::<DnsQuery>(&event, &self.query().await?),
            Some(Incoming::DnsAuto(_)) => ctx.answer::<DnsAutoQuery>(&event, &self.auto()),
            Some(Incoming::Hostname(_)) => {
                let names =
                    match hostnamed::Hostnamed::find(self.config.dbus_address.as_deref()).await {
                        Some(bus) => bus.query().await?,
                        None => hostname::query(&self.config.hostname_file)?,
                    };
                ctx.answer::<HostnameQuery>(&event, &names)
            }
            _ => Ok(()),
        }
    }
}

nipart_plugin_api::register_plugin!(Dns);
nipart_plugin_api::export_plugins!();

#[cfg(test)]
mod config_keys_tests {
    use nipart_plugin_api::Plugin;

    /// `CONFIG_KEYS` names keys the configuration type reads, with their types.
    #[test]
    fn the_declared_keys_are_the_configurations() {
        let sample = nipart_plugin_api::config_keys_sample(<super::Dns as Plugin>::CONFIG_KEYS);
        if let Err(e) = serde_json::from_value::<super::Config>(sample) {
            panic!("CONFIG_KEYS and the configuration type differ: {e}");
        }
    }
}

#[cfg(test)]
mod resolved_mapping_tests {
    use std::collections::BTreeMap;

    use super::*;

    fn config(servers: &[&str], search: &[&str]) -> DnsConfig {
        DnsConfig {
            server: Some(servers.iter().map(ToString::to_string).collect()),
            search: Some(search.iter().map(ToString::to_string).collect()),
            options: Some(Vec::new()),
        }
    }

    /// The config on every default-route link; a lease's servers on its
    /// own link, after the config's when that link has the default route;
    /// none from an interface whose auto-dns is false.
    #[test]
    fn config_on_default_route_links_leases_on_their_own() {
        let mut r = Resolver {
            configured: Some(config(&["192.0.2.53"], &["example.com"])),
            ..Resolver::default()
        };
        for (iface, server) in [("eth0", 0), ("eth1", 1), ("eth2", 2)] {
            r.learned.insert(
                iface.into(),
                Learned {
                    servers: vec![Ipv4Addr::new(10, server, 0, 53)],
                    ..Learned::default()
                },
            );
        }
        r.auto_dns_off.insert("eth2".into());
        let defaults = BTreeMap::from([("eth0".to_string(), 2), ("eth3".to_string(), 5)]);
        let plan = r.per_link(&defaults).unwrap();
        let servers = |n: &str| plan[n].servers.clone();
        assert_eq!(servers("eth0"), ["192.0.2.53", "10.0.0.53"]);
        assert_eq!(servers("eth1"), ["10.1.0.53"]);
        assert_eq!(servers("eth3"), ["192.0.2.53"]);
        assert!(!plan.contains_key("eth2"));
        assert_eq!(plan["eth3"].search, ["example.com"]);
        assert!(plan["eth1"].search.is_empty());
    }

    #[test]
    fn servers_without_a_default_route_link_are_refused() {
        let r = Resolver {
            configured: Some(config(&["192.0.2.53"], &[])),
            ..Resolver::default()
        };
        let e = r.per_link(&BTreeMap::new()).unwrap_err();
        assert!(
            e.to_string()
                .contains("no link has a default route to carry them; nothing was changed"),
            "{e}"
        );
        // Clearing needs no link.
        let r = Resolver {
            configured: Some(config(&[], &[])),
            ..Resolver::default()
        };
        assert!(r.per_link(&BTreeMap::new()).unwrap().is_empty());
    }

    #[test]
    fn a_bad_dbus_address_is_refused_at_start() {
        let c = Config {
            dbus_address: Some("no-such-transport:x=1".into()),
            ..Config::default()
        };
        let e = c.check().unwrap_err();
        assert!(
            e.to_string().contains(
                "[plugin.dns] dbus_address = \"no-such-transport:x=1\" is not a D-Bus address"
            ),
            "{e}"
        );
        let c = Config {
            dbus_address: Some("unix:path=/run/x/bus".into()),
            ..Config::default()
        };
        assert!(c.check().is_ok());
    }
}

#[cfg(test)]
mod resolver_tests {
    use super::*;

    fn learned(search: &[&str]) -> Learned {
        Learned {
            servers: vec![Ipv4Addr::new(192, 0, 2, 53)],
            search: search.iter().map(|s| s.to_string()).collect(),
            hostname: None,
        }
    }

    /// The leases' search domains follow the configured ones, each once,
    /// within the resolver's limits, and are said to be added.
    #[test]
    fn lease_search_domains_follow_the_configured_ones() {
        let mut r = Resolver {
            configured: Some(DnsConfig {
                search: Some(vec!["example.com".into()]),
                ..DnsConfig::default()
            }),
            wrote: true,
            ..Resolver::default()
        };
        r.learned.insert(
            "e1".into(),
            learned(&["example.com", "a.example", "b.example", "c.example"]),
        );
        r.learned.insert(
            "e2".into(),
            learned(&["d.example", "e.example", "f.example"]),
        );
        let search = r.effective().search.unwrap();
        assert_eq!(
            search,
            [
                "example.com",
                "a.example",
                "b.example",
                "c.example",
                "d.example",
                "e.example"
            ],
            "six at most"
        );
        assert_eq!(r.added().search[0], "a.example");
        assert_eq!(r.added().servers, ["192.0.2.53"]);
        r.auto_dns_off.insert("e1".into());
        assert_eq!(
            r.effective().search.unwrap(),
            ["example.com", "d.example", "e.example", "f.example"]
        );
    }
}
