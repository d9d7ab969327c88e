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
//! each apply) follow the configured ones in resolv.conf, and their search
//! domains (options 119, else 15) the configured search domains, unless
//! the interface's `auto-dns` is false (which the part of role `dns`
//! carries). A lease's host name (option 12) becomes the running host name
//! when the interface's `ipv4.auto-hostname` is true (carried likewise).
//! See `docs/plugins/dns.md`.

mod hostname;
mod resolv;

use std::{
    collections::{BTreeMap, BTreeSet},
    net::Ipv4Addr,
    path::PathBuf,
    time::Duration,
};

use nipart_plugin_api::{
    Context, Error, Event, EventState, Message, Plugin, Result, Role,
    protocol::daemon::ConfigType,
    state::{
        ApplyPart, DhcpLeaseInfo, DhcpLeaseLost, DhcpLeaseQuery, DnsConfig, DnsQuery,
        HostnameQuery, HostnameState, PartApplied,
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
#[derive(Default)]
struct Resolver {
    /// The last `dns-resolver.config` applied (complete): what the file
    /// says besides the leases' servers.
    configured: Option<DnsConfig>,
    /// Interfaces whose leases' name servers are not used.
    auto_dns_off: BTreeSet<String>,
    /// What each interface's lease gave.
    learned: BTreeMap<String, Learned>,
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
        let search = c.search.get_or_insert_with(Vec::new);
        let mut chars: usize = search.iter().map(|s| s.len() + 1).sum();
        let mut left_out = Vec::new();
        for (iface, learned) in &self.learned {
            if self.auto_dns_off.contains(iface) {
                continue;
            }
            for d in &learned.search {
                if search.contains(d) {
                    continue;
                }
                if search.len() < resolv::MAX_SEARCH && chars + d.len() < resolv::MAX_SEARCH_CHARS {
                    chars += d.len() + 1;
                    search.push(d.clone());
                } else {
                    left_out.push(d.clone());
                }
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
        for (iface, learned) in &self.learned {
            if self.auto_dns_off.contains(iface) {
                continue;
            }
            for s in learned.servers.iter().map(ToString::to_string) {
                if servers.contains(&s) {
                    continue;
                }
                if servers.len() < resolv::MAXNS {
                    servers.push(s);
                } else {
                    left_out.push(s);
                }
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

    fn uses_learned(&self) -> bool {
        self.learned.iter().any(|(i, l)| {
            (!l.servers.is_empty() || !l.search.is_empty()) && !self.auto_dns_off.contains(i)
        })
    }
}

struct Dns {
    config: Config,
    resolver: Resolver,
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
            let mut next = Resolver {
                configured: self.resolver.configured.clone(),
                auto_dns_off: self.resolver.auto_dns_off.clone(),
                learned: self.resolver.learned.clone(),
                wrote: self.resolver.wrote,
            };
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
                let flags =
                    [&iface.ipv4, &iface.ipv6].map(|ip| ip.as_ref().and_then(|c| c.auto_dns));
                if flags.contains(&Some(false)) {
                    next.auto_dns_off.insert(iface.name.clone());
                } else if flags.contains(&Some(true)) {
                    next.auto_dns_off.remove(&iface.name);
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
            if let Some(leases) = self.leases(ctx).await {
                next.learned = leases;
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
            changes.extend(self.lease_hostname(&iface, &name)?);
        }
        Ok(changes)
    }

    /// Makes `name`, the host name of `iface`'s lease, the running one.
    fn lease_hostname(&self, iface: &str, name: &str) -> Result<Vec<String>> {
        let want = HostnameState {
            running: Some(name.to_string()),
            config: None,
        };
        let changes = hostname::apply(&self.config.hostname_file, &want)?;
        Ok(changes
            .into_iter()
            .map(|c| format!("{c} (DHCP on {iface})"))
            .collect())
    }

    /// What the dhcp plugin's leases give, by interface (`None` without a
    /// dhcp plugin or an answer).
    async fn leases(&self, ctx: &Context) -> Option<BTreeMap<String, Learned>> {
        match ctx
            .ask_within(&DhcpLeaseQuery { interface: None }, LEASES_TIMEOUT)
            .await
        {
            Ok(list) => Some(
                list.leases
                    .into_iter()
                    .map(|l| (l.interface.clone(), Learned::from(l)))
                    .collect(),
            ),
            Err(e) => {
                tracing::debug!("no DHCP leases to take name servers from: {e}");
                None
            }
        }
    }

    /// A lease came, was renewed or was lost: the file says its name
    /// servers and search domains (or no longer), when nipart manages it;
    /// its host name is set when the interface says so.
    fn lease_changed(&mut self, interface: &str, learned: Option<Learned>) {
        let before = self.resolver.learned.get(interface).cloned();
        if before == learned {
            return;
        }
        if let Some(name) = learned.as_ref().and_then(|l| l.hostname.as_deref())
            && self.auto_hostname.contains(interface)
            && before.as_ref().and_then(|b| b.hostname.as_deref()) != Some(name)
        {
            match self.lease_hostname(interface, name) {
                Ok(changes) => changes.iter().for_each(|c| tracing::info!("{c}")),
                Err(e) => tracing::warn!("the host name of {interface}'s lease: {e}"),
            }
        }
        match learned {
            Some(l) => self.resolver.learned.insert(interface.to_string(), l),
            None => self.resolver.learned.remove(interface),
        };
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
    const SUBSCRIPTIONS: &'static [&'static str] = &[DhcpLeaseInfo::TOPIC, DhcpLeaseLost::TOPIC];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("resolv_conf", ConfigType::String),
        ("hostname_file", ConfigType::String),
    ];

    fn new() -> Result<Self> {
        Ok(Dns {
            config: Config::default(),
            resolver: Resolver::default(),
            auto_hostname: BTreeSet::new(),
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
                    self.lease_changed(&l.interface.clone(), Some(Learned::from(l)))
                }
                Ok(Some(Incoming::LeaseLost(l))) => self.lease_changed(&l.interface, None),
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
