//! The `dns` plugin: the host-wide part of a network state that is not
//! kernel netlink work. It holds two roles:
//!
//! - role `dns`: `dns-resolver`, written to `resolv.conf` (`resolv.rs`);
//!   `dns.query` ([`DnsQuery`]) → [`DnsResolver`] (what the file says and
//!   what the resolver takes of it);
//! - role `hostname`: `hostname`, the running name (`sethostname`) and the
//!   static one (`/etc/hostname`) (`hostname.rs`); `hostname.query`
//!   ([`HostnameQuery`]) → [`HostnameState`].
//!
//! Their parts of a plan come as `network.apply` ([`ApplyPart`]); a
//! rollback is an apply of the checkpoint's values, which the commander's
//! queries (and so its checkpoints) hold. The name servers of the dhcp
//! plugin's leases (`dhcp.lease`, `dhcp.lease-lost`, and `dhcp.leases` at
//! each apply) follow the configured ones in resolv.conf, unless the
//! interface's `auto-dns` is false (which the part of role `dns` carries);
//! so do the name servers and search domains of its DHCPv6 leases
//! (`dhcp6.lease`, `dhcp6.lease-lost`), unless `ipv6.auto-dns` is false.
//! See `docs/plugins/dns.md`.

mod hostname;
mod resolv;

use std::{
    collections::{BTreeMap, BTreeSet},
    net::{Ipv4Addr, Ipv6Addr},
    path::PathBuf,
    time::Duration,
};

use nipart_plugin_api::{
    Context, Error, Event, EventState, Message, Plugin, Result, Role,
    protocol::{daemon::ConfigType, dhcp::Dhcp6LeaseLost},
    state::{
        ApplyPart, Dhcp6LeaseInfo, DhcpLeaseInfo, DhcpLeaseLost, DhcpLeaseQuery, DnsConfig,
        DnsQuery, HostnameQuery, PartApplied,
    },
};
use serde::Deserialize;

nipart_plugin_api::incoming! {
    /// What the dns plugin answers or follows.
    enum Incoming {
        ApplyPart(ApplyPart),
        Dns(DnsQuery),
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            resolv_conf: PathBuf::from("/etc/resolv.conf"),
            hostname_file: PathBuf::from("/etc/hostname"),
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
        Ok(self)
    }
}

/// What the resolver is made of: the config applied, and the name servers
/// of each interface's DHCP lease, used unless its `auto-dns` is false.
#[derive(Default)]
struct Resolver {
    /// The last `dns-resolver.config` applied (complete): what the file
    /// says besides the leases' servers.
    configured: Option<DnsConfig>,
    /// Interfaces whose leases' name servers are not used.
    auto_dns_off: BTreeSet<String>,
    /// The name servers of each interface's lease.
    learned: BTreeMap<String, Vec<Ipv4Addr>>,
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
    /// servers DHCP gave (each once) while the resolver takes more.
    fn effective(&self) -> DnsConfig {
        let mut c = self
            .configured
            .clone()
            .unwrap_or_else(|| DnsConfig::default().completed(None));
        let servers = c.server.get_or_insert_with(Vec::new);
        let mut left_out = Vec::new();
        // DHCPv4's, then DHCPv6's.
        let v4 = self
            .learned
            .iter()
            .filter(|(iface, _)| !self.auto_dns_off.contains(*iface))
            .flat_map(|(_, list)| list.iter().map(ToString::to_string));
        let v6 = self
            .learned6
            .iter()
            .filter(|(iface, _)| !self.auto_dns6_off.contains(*iface))
            .flat_map(|(_, l)| l.servers.iter().map(ToString::to_string));
        for s in v4.chain(v6) {
            if servers.contains(&s) {
                continue;
            }
            if servers.len() < resolv::MAXNS {
                servers.push(s);
            } else {
                left_out.push(s);
            }
        }
        let mut search = c.search.clone().unwrap_or_default();
        for (iface, l) in &self.learned6 {
            if self.auto_dns6_off.contains(iface) {
                continue;
            }
            for d in &l.domains {
                let chars: usize = search.iter().map(|s| s.len() + 1).sum();
                if search.contains(d) {
                    continue;
                }
                // A server's word is checked as a state's is: a name
                // that is not a domain never reaches the file.
                if nipart_plugin_api::state::check_search_domain(d, "").is_err() {
                    tracing::warn!("{iface}: ignoring the DHCPv6 search domain {d:?}");
                } else if search.len() < resolv::MAX_SEARCH
                    && chars + d.len() < resolv::MAX_SEARCH_CHARS
                {
                    search.push(d.clone());
                } else {
                    left_out.push(d.clone());
                }
            }
        }
        if c.search.as_ref().map_or(0, Vec::len) < search.len() {
            c.search = Some(search);
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

    /// The servers the leases added to the configured ones (in the file
    /// when nipart wrote it).
    fn added(&self) -> Vec<String> {
        if !self.wrote {
            return Vec::new();
        }
        let configured = self
            .configured
            .as_ref()
            .and_then(|c| c.server.as_deref())
            .unwrap_or(&[]);
        self.effective()
            .server
            .unwrap_or_default()
            .into_iter()
            .filter(|s| !configured.contains(s))
            .collect()
    }

    /// Whether there is anything for nipart to write.
    fn manages(&self) -> bool {
        self.wrote || self.configured.is_some() || self.uses_learned()
    }

    fn uses_learned(&self) -> bool {
        self.learned
            .iter()
            .any(|(i, s)| !s.is_empty() && !self.auto_dns_off.contains(i))
            || self.learned6.iter().any(|(i, l)| {
                let empty = l.servers.is_empty() && l.domains.is_empty();
                !empty && !self.auto_dns6_off.contains(i)
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
}

impl Dns {
    /// Applies a part: the resolver (with `auto-dns` of its interfaces)
    /// and the host names. On error nothing of the resolver is kept.
    async fn apply(&mut self, ctx: &Context, part: &ApplyPart) -> Result<Vec<String>> {
        let mut changes = Vec::new();
        let state = &part.state;
        if state.dns_resolver.is_some() || !state.interfaces.is_empty() {
            let mut next = Resolver {
                configured: self.resolver.configured.clone(),
                auto_dns_off: self.resolver.auto_dns_off.clone(),
                learned: self.resolver.learned.clone(),
                auto_dns6_off: self.resolver.auto_dns6_off.clone(),
                learned6: self.resolver.learned6.clone(),
                wrote: self.resolver.wrote,
            };
            for iface in &state.interfaces {
                let flags =
                    [&iface.ipv4, &iface.ipv6].map(|ip| ip.as_ref().and_then(|c| c.auto_dns));
                if flags.contains(&Some(false)) {
                    next.auto_dns_off.insert(iface.name.clone());
                } else if flags.contains(&Some(true)) {
                    next.auto_dns_off.remove(&iface.name);
                }
                match flags[1] {
                    Some(false) => next.auto_dns6_off.insert(iface.name.clone()),
                    Some(true) => next.auto_dns6_off.remove(&iface.name),
                    None => false,
                };
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
                changes.extend(resolv::write(
                    &self.config.resolv_conf,
                    &next.effective(),
                    take_over,
                )?);
                next.wrote = true;
            }
            self.resolver = next;
        }
        if let Some(h) = &state.hostname {
            changes.extend(hostname::apply(&self.config.hostname_file, h)?);
        }
        Ok(changes)
    }

    /// The name servers of the dhcp plugin's leases, by interface, and
    /// what its DHCPv6 leases give (`None` without a dhcp plugin or an
    /// answer).
    #[allow(clippy::type_complexity)]
    async fn leases(
        &self,
        ctx: &Context,
    ) -> Option<(BTreeMap<String, Vec<Ipv4Addr>>, BTreeMap<String, Learned6>)> {
        match ctx
            .ask_within(&DhcpLeaseQuery { interface: None }, LEASES_TIMEOUT)
            .await
        {
            Ok(list) => Some((
                list.leases
                    .into_iter()
                    .map(|l| (l.interface, l.dns_servers))
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
    /// servers (or no longer), when nipart manages it.
    fn lease_changed(&mut self, interface: &str, servers: Option<Vec<Ipv4Addr>>) {
        let before = self.resolver.learned.get(interface).cloned();
        if before == servers {
            return;
        }
        match servers {
            Some(s) => self.resolver.learned.insert(interface.to_string(), s),
            None => self.resolver.learned.remove(interface),
        };
        self.rewrite(interface);
    }

    /// A DHCPv6 lease came, was renewed or was lost.
    fn lease6_changed(&mut self, interface: &str, learned: Option<Learned6>) {
        if self.resolver.learned6.get(interface) == learned.as_ref() {
            return;
        }
        match learned {
            Some(l) => self.resolver.learned6.insert(interface.to_string(), l),
            None => self.resolver.learned6.remove(interface),
        };
        self.rewrite(interface);
    }

    /// Writes the file again after a lease of `interface` changed, when
    /// nipart manages it.
    fn rewrite(&mut self, interface: &str) {
        if !self.resolver.manages() {
            return;
        }
        match resolv::write(&self.config.resolv_conf, &self.resolver.effective(), false) {
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
    ];

    fn new() -> Result<Self> {
        Ok(Dns {
            config: Config::default(),
            resolver: Resolver::default(),
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        self.config = ctx.config::<Config>()?.check()?;
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        if !event.request {
            // Notices: the dhcp plugin's leases.
            match Incoming::decode(&event) {
                Ok(Some(Incoming::Lease(l))) => {
                    self.lease_changed(&l.interface, Some(l.dns_servers))
                }
                Ok(Some(Incoming::LeaseLost(l))) => self.lease_changed(&l.interface, None),
                Ok(Some(Incoming::Lease6(l))) => {
                    self.lease6_changed(&l.interface.clone(), Some(Learned6::from(l)))
                }
                Ok(Some(Incoming::Lease6Lost(l))) => self.lease6_changed(&l.0.interface, None),
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
            Some(Incoming::Dns(_)) => ctx.answer::<DnsQuery>(
                &event,
                &resolv::query(&self.config.resolv_conf, &self.resolver.added())?,
            ),
            Some(Incoming::Hostname(_)) => {
                ctx.answer::<HostnameQuery>(&event, &hostname::query(&self.config.hostname_file)?)
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
