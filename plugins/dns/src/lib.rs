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
//! queries (and so its checkpoints) hold. See `docs/plugins/dns.md`.

mod hostname;
mod resolv;

use std::path::PathBuf;

use nipart_plugin_api::{
    Context, Error, Event, EventState, Plugin, Result, Role,
    protocol::daemon::ConfigType,
    state::{ApplyPart, DnsQuery, HostnameQuery, PartApplied},
};
use serde::Deserialize;

nipart_plugin_api::incoming! {
    /// What the dns plugin answers.
    enum Incoming {
        ApplyPart(ApplyPart),
        Dns(DnsQuery),
        Hostname(HostnameQuery),
    }
}

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

struct Dns {
    config: Config,
}

impl Dns {
    fn apply(&self, part: &ApplyPart) -> Result<Vec<String>> {
        let mut changes = Vec::new();
        if let Some(d) = &part.state.dns_resolver {
            changes.extend(resolv::apply(&self.config.resolv_conf, d)?);
        }
        if let Some(h) = &part.state.hostname {
            changes.extend(hostname::apply(&self.config.hostname_file, h)?);
        }
        Ok(changes)
    }
}

impl Plugin for Dns {
    const NAME: &'static str = "dns";
    const DESCRIPTION: &'static str =
        "the resolver's configuration (resolv.conf) and the host name";
    const ROLES: &'static [&'static str] = &[Role::DNS.as_str(), Role::HOSTNAME.as_str()];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("resolv_conf", ConfigType::String),
        ("hostname_file", ConfigType::String),
    ];

    fn new() -> Result<Self> {
        Ok(Dns {
            config: Config::default(),
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        self.config = ctx.config::<Config>()?.check()?;
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        if event.state != EventState::Todo || !event.request {
            return Ok(());
        }
        match Incoming::decode(&event)? {
            Some(Incoming::ApplyPart(part)) => {
                let changes = self.apply(&part)?;
                for c in &changes {
                    tracing::info!("{c}");
                }
                ctx.answer::<ApplyPart>(&event, &PartApplied { changes })
            }
            Some(Incoming::Dns(_)) => {
                ctx.answer::<DnsQuery>(&event, &resolv::query(&self.config.resolv_conf)?)
            }
            Some(Incoming::Hostname(_)) => {
                ctx.answer::<HostnameQuery>(&event, &hostname::query(&self.config.hostname_file)?)
            }
            None => Ok(()),
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
