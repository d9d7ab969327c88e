//! A lease as the plugin keeps it: what it applies, what `Show` reports,
//! and what it saves so that a restarted daemon asks for the same address
//! first (RFC 2131 INIT-REBOOT).

use std::{
    fs,
    net::{IpAddr, Ipv4Addr},
    path::{Path, PathBuf},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use mozim::DhcpV4Lease;
use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{
        DhcpLeaseInfo, DynamicAddress, IpChange, IpRoute, MAX_SEARCH_DOMAINS, check_hostname,
        check_search_domain,
    },
};

use crate::auto::AutoSettings;
use serde::{Deserialize, Serialize};

/// One option 121 route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClasslessRoute {
    pub destination: Ipv4Addr,
    pub prefix_length: u8,
    pub router: Ipv4Addr,
}

/// A DHCPv4 lease (the file format of `<lease_dir>/<interface>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub interface: String,
    pub address: Ipv4Addr,
    pub prefix_length: u8,
    pub server_id: Ipv4Addr,
    /// Seconds, as the server gave them.
    pub lease_time: u32,
    pub renewal_time: u32,
    pub rebinding_time: u32,
    /// Seconds since the Unix epoch when the server's ACK arrived.
    pub acquired: u64,
    #[serde(default)]
    pub dns_servers: Vec<Ipv4Addr>,
    /// Option 3 (the first router).
    #[serde(default)]
    pub gateway: Option<Ipv4Addr>,
    /// Option 121.
    #[serde(default)]
    pub classless_routes: Vec<ClasslessRoute>,
    /// Option 15.
    #[serde(default)]
    pub domain_name: Option<String>,
    /// Option 119.
    #[serde(default)]
    pub domain_search: Vec<String>,
    /// Option 12.
    #[serde(default)]
    pub hostname: Option<String>,
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Lease {
    /// The lease mozim acquired on `interface`, acquired `now` (Unix seconds).
    pub fn from_mozim(interface: &str, l: &DhcpV4Lease, now: u64) -> Result<Lease> {
        let mask = u32::from(l.subnet_mask);
        // A netmask is ones then zeros; anything else is a bad offer.
        if mask.leading_ones() + mask.trailing_zeros() != 32 {
            return Err(Error::invalid_input(format!(
                "the lease for {} on {interface} has a non-contiguous subnet mask {}",
                l.yiaddr, l.subnet_mask
            )));
        }
        let prefix_length = u8::try_from(mask.leading_ones()).unwrap_or(32);
        Ok(Lease {
            interface: interface.to_string(),
            address: l.yiaddr,
            prefix_length,
            server_id: l.srv_id,
            lease_time: l.lease_time_sec,
            renewal_time: l.t1_sec,
            rebinding_time: l.t2_sec,
            acquired: now,
            dns_servers: l.dns_srvs.clone().unwrap_or_default(),
            gateway: l.gateways.as_ref().and_then(|g| g.first().copied()),
            classless_routes: l
                .classless_routes
                .as_ref()
                .map(|routes| {
                    routes
                        .iter()
                        .map(|r| ClasslessRoute {
                            destination: r.destination,
                            prefix_length: r.prefix_length,
                            router: r.router,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            domain_name: l
                .domain_name
                .as_deref()
                .and_then(|d| domain(interface, "domain name (option 15)", d)),
            domain_search: l
                .domain_search
                .iter()
                .flatten()
                .take(MAX_SEARCH_DOMAINS)
                .filter_map(|d| domain(interface, "search domain (option 119)", d))
                .collect(),
            hostname: l.host_name.as_deref().and_then(|h| {
                check_hostname(h, "option 12")
                    .map_err(|e| tracing::warn!("{interface}: ignoring the lease's host name: {e}"))
                    .ok()
                    .map(|()| h.to_string())
            }),
        })
    }

    /// The search domains the lease gives: option 119, else option 15.
    pub fn search(&self) -> Vec<String> {
        if self.domain_search.is_empty() {
            self.domain_name.iter().cloned().collect()
        } else {
            self.domain_search.clone()
        }
    }

    /// The lease as mozim takes it to start in INIT-REBOOT (asking for the
    /// same address first).
    pub fn to_mozim(&self) -> DhcpV4Lease {
        let mut l = DhcpV4Lease::default();
        l.yiaddr = self.address;
        l.srv_id = self.server_id;
        // Where a release goes when the address is gone already (mozim then
        // sends it from a raw socket to `siaddr`).
        l.siaddr = self.server_id;
        l.subnet_mask = Ipv4Addr::from(prefix_mask(self.prefix_length));
        l.lease_time_sec = self.lease_time;
        l.t1_sec = self.renewal_time;
        l.t2_sec = self.rebinding_time;
        l
    }

    /// Unix seconds when the lease ends.
    pub fn expires(&self) -> u64 {
        self.acquired.saturating_add(u64::from(self.lease_time))
    }

    /// Time left until the lease ends (zero once it has).
    pub fn remaining(&self, now: u64) -> Duration {
        Duration::from_secs(self.expires().saturating_sub(now))
    }

    /// `192.0.2.10/24`.
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.address, self.prefix_length)
    }

    /// The routes the lease asks for: option 121 when present (RFC 3442:
    /// it replaces option 3), else a default route via the router.
    pub fn lease_routes(&self) -> Vec<IpRoute> {
        if !self.classless_routes.is_empty() {
            return self
                .classless_routes
                .iter()
                .map(|r| IpRoute {
                    destination: format!("{}/{}", r.destination, r.prefix_length),
                    // A 0.0.0.0 router means "on link".
                    gateway: (!r.router.is_unspecified()).then_some(IpAddr::V4(r.router)),
                    metric: None,
                    table: None,
                })
                .collect();
        }
        self.gateway
            .map(|g| IpRoute {
                destination: "0.0.0.0/0".to_string(),
                gateway: Some(IpAddr::V4(g)),
                metric: None,
                table: None,
            })
            .into_iter()
            .collect()
    }

    /// The routes installed for this lease with `settings`.
    pub fn routes(&self, settings: &AutoSettings) -> Vec<IpRoute> {
        settings.select(self.lease_routes())
    }

    fn dynamic_address(&self, valid: Option<u32>) -> DynamicAddress {
        DynamicAddress {
            ip: IpAddr::V4(self.address),
            prefix_length: self.prefix_length,
            valid_lifetime: valid,
            preferred_lifetime: valid,
        }
    }

    /// What the kernel applies for this lease at `now`: the address with
    /// the time left as its lifetime (so the kernel drops it at expiry even
    /// without us), and the routes. `previous` is the lease this one
    /// replaces: what it had and this one has not is removed. The routes
    /// are placed as `settings` say.
    pub fn apply_change(
        &self,
        previous: Option<&Lease>,
        now: u64,
        settings: &AutoSettings,
    ) -> IpChange {
        let left = u32::try_from(self.remaining(now).as_secs()).unwrap_or(u32::MAX);
        let routes = self.routes(settings);
        let mut change = IpChange {
            interface: self.interface.clone(),
            add_addresses: vec![self.dynamic_address(Some(left.max(1)))],
            add_routes: routes.clone(),
            ..IpChange::default()
        };
        if let Some(p) = previous {
            if p.address != self.address || p.prefix_length != self.prefix_length {
                change.remove_addresses.push(p.dynamic_address(None));
            }
            change.remove_routes = p
                .routes(settings)
                .into_iter()
                .filter(|r| !routes.contains(r))
                .collect();
        }
        change
    }

    /// What the kernel removes when the lease is gone (its routes as
    /// `settings` placed them).
    pub fn remove_change(&self, settings: &AutoSettings) -> IpChange {
        IpChange {
            interface: self.interface.clone(),
            remove_addresses: vec![self.dynamic_address(None)],
            remove_routes: self.routes(settings),
            ..IpChange::default()
        }
    }

    /// What `Show` reports.
    /// What `Show` reports: what the lease gave (the `auto-*` keys say
    /// which routes are installed).
    pub fn info(&self) -> DhcpLeaseInfo {
        let routes = self.lease_routes();
        DhcpLeaseInfo {
            interface: self.interface.clone(),
            address: self.cidr(),
            server_id: self.server_id,
            lease_time: self.lease_time,
            renewal_time: self.renewal_time,
            rebinding_time: self.rebinding_time,
            acquired: rfc3339(self.acquired),
            expires: rfc3339(self.expires()),
            dns_servers: self.dns_servers.clone(),
            gateway: if self.classless_routes.is_empty() {
                self.gateway
            } else {
                None
            },
            routes: if self.classless_routes.is_empty() {
                Vec::new()
            } else {
                routes
                    .iter()
                    .map(|r| match r.gateway {
                        Some(g) => format!("{} via {g}", r.destination),
                        None => r.destination.clone(),
                    })
                    .collect()
            },
            domain_name: self.domain_name.clone(),
            search: self.search(),
            hostname: self.hostname.clone(),
        }
    }
}

/// `name` (a domain of the lease's `what`) if it is a domain name; else
/// `None`, said in the log (a server's word is not trusted).
fn domain(interface: &str, what: &str, name: &str) -> Option<String> {
    let name = name.trim_end_matches('.');
    match check_search_domain(name, what) {
        Ok(()) => Some(name.to_string()),
        Err(e) => {
            tracing::warn!("{interface}: ignoring the lease's {what}: {e}");
            None
        }
    }
}

fn prefix_mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len.min(32)))
    }
}

/// Unix seconds as RFC 3339 UTC: `2026-11-28T21:03:00Z`.
pub fn rfc3339(secs: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// The largest lease file read: a lease is a few hundred bytes.
pub const LEASE_MAX_BYTES: u64 = 64 << 10;

/// The directory of saved leases, one JSON file per interface. A lease is
/// read only if it is safe to believe (`nipart_plugin_api::file::
/// read_trusted`: a regular file, not a link, at most [`LEASE_MAX_BYTES`],
/// owned by root or the daemon's user and not writable by others, in
/// directories likewise); otherwise it is ignored with the reason in the
/// log, as a damaged one is.
#[derive(Debug, Clone)]
pub struct LeaseStore<L = Lease> {
    dir: PathBuf,
    kind: std::marker::PhantomData<fn() -> L>,
}

/// A lease the store keeps: it names its interface.
pub trait Saved: Serialize + serde::de::DeserializeOwned {
    fn interface(&self) -> &str;
}

impl Saved for Lease {
    fn interface(&self) -> &str {
        &self.interface
    }
}

impl<L: Saved> LeaseStore<L> {
    /// The store in `dir`, created (mode 0700) with the first lease saved:
    /// a plugin that never gets a lease writes nothing.
    pub fn new(dir: &Path) -> LeaseStore<L> {
        LeaseStore {
            dir: dir.to_path_buf(),
            kind: std::marker::PhantomData,
        }
    }

    pub fn path(&self, interface: &str) -> PathBuf {
        self.dir.join(format!("{interface}.json"))
    }

    /// The saved lease of `interface`; `None` when there is none or it
    /// can't be read (said in the log: a bad file must not stop DHCP).
    pub fn load(&self, interface: &str) -> Option<L> {
        let path = self.path(interface);
        let text = match nipart_plugin_api::file::read_trusted(&path, LEASE_MAX_BYTES) {
            Ok(Some(t)) => t,
            Ok(None) => return None,
            Err(refusal) => {
                tracing::warn!("ignoring the saved lease {refusal}");
                return None;
            }
        };
        match serde_json::from_slice::<L>(&text) {
            Ok(l) if l.interface() == interface => Some(l),
            Ok(l) => {
                tracing::warn!(
                    "ignoring the saved lease {}: it is for {:?}",
                    path.display(),
                    l.interface()
                );
                None
            }
            Err(e) => {
                tracing::warn!("ignoring the saved lease {}: {e}", path.display());
                None
            }
        }
    }

    /// Forgets the saved lease of `interface` (the server refused it: the
    /// next start must not ask for it again). Said in the log when the
    /// file can't be removed.
    pub fn forget(&self, interface: &str) {
        let path = self.path(interface);
        // Durably: after a crash the refused lease must not come back.
        if let Err(e) = nipart_plugin_api::file::remove(&path) {
            tracing::warn!("can't remove the refused lease {}: {e}", path.display());
        }
    }

    /// Saves `lease` crash-safely: a temporary file, fsync, rename over the
    /// old one, fsync of the directory. A crash leaves the old or the new
    /// lease, never a torn one.
    pub fn save(&self, lease: &L) -> Result<()> {
        let path = self.path(lease.interface());
        let text = serde_json::to_vec_pretty(lease)
            .map_err(|e| Error::other(format!("encoding the lease: {e}")))?;
        let write = || -> std::io::Result<()> {
            use std::os::unix::fs::DirBuilderExt;
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)?;
            nipart_plugin_api::file::replace(&path, &text, 0o600)
        };
        write().map_err(|e| io_error(&format!("saving the lease {}", path.display()), e))
    }
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    let kind = match e.kind() {
        std::io::ErrorKind::PermissionDenied => ErrorKind::PermissionDenied,
        _ => ErrorKind::Other,
    };
    Error::new(kind, format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease() -> Lease {
        Lease {
            interface: "veth1".into(),
            address: Ipv4Addr::new(192, 0, 2, 10),
            prefix_length: 24,
            server_id: Ipv4Addr::new(192, 0, 2, 1),
            lease_time: 120,
            renewal_time: 60,
            rebinding_time: 105,
            acquired: 1_000,
            dns_servers: vec![Ipv4Addr::new(192, 0, 2, 53)],
            gateway: Some(Ipv4Addr::new(192, 0, 2, 1)),
            classless_routes: Vec::new(),
            domain_name: None,
            domain_search: Vec::new(),
            hostname: None,
        }
    }

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_899_780), "2026-11-28T21:03:00Z");
    }

    #[test]
    fn classless_routes_replace_the_router_option() {
        let mut l = lease();
        assert_eq!(
            l.lease_routes(),
            vec![IpRoute {
                destination: "0.0.0.0/0".into(),
                gateway: Some("192.0.2.1".parse().unwrap()),
                metric: None,
                table: None,
            }]
        );
        l.classless_routes = vec![
            ClasslessRoute {
                destination: Ipv4Addr::new(198, 51, 100, 0),
                prefix_length: 24,
                router: Ipv4Addr::new(192, 0, 2, 254),
            },
            ClasslessRoute {
                destination: Ipv4Addr::new(203, 0, 113, 0),
                prefix_length: 24,
                router: Ipv4Addr::UNSPECIFIED,
            },
        ];
        let routes = l.lease_routes();
        assert_eq!(routes.len(), 2);
        assert_eq!(routes[0].destination, "198.51.100.0/24");
        assert_eq!(routes[1].gateway, None, "router 0.0.0.0 is on-link");
        let info = l.info();
        assert_eq!(info.gateway, None);
        assert_eq!(
            info.routes,
            ["198.51.100.0/24 via 192.0.2.254", "203.0.113.0/24"]
        );
    }

    #[test]
    fn a_new_address_replaces_the_old_one() {
        let old = lease();
        let mut new = lease();
        new.address = Ipv4Addr::new(192, 0, 2, 11);
        new.acquired = 1_100;
        let c = new.apply_change(Some(&old), 1_110, &AutoSettings::default());
        assert_eq!(c.add_addresses[0].valid_lifetime, Some(110));
        assert_eq!(c.remove_addresses.len(), 1);
        assert_eq!(c.remove_addresses[0].ip, IpAddr::V4(old.address));
        assert!(c.remove_routes.is_empty(), "same gateway: route kept");
        // A renewal of the same lease removes nothing.
        let c = old.apply_change(Some(&old), 1_000, &AutoSettings::default());
        assert!(c.remove_addresses.is_empty() && c.remove_routes.is_empty());
    }

    #[test]
    fn mozim_round_trip_and_bad_masks() {
        let l = lease();
        let m = l.to_mozim();
        assert_eq!(m.subnet_mask, Ipv4Addr::new(255, 255, 255, 0));
        let back = Lease::from_mozim("veth1", &m, 1_000).unwrap();
        assert_eq!(back.address, l.address);
        assert_eq!(back.prefix_length, 24);
        let mut bad = m.clone();
        bad.subnet_mask = Ipv4Addr::new(255, 0, 255, 0);
        let e = Lease::from_mozim("veth1", &bad, 0).unwrap_err();
        assert!(e.to_string().contains("non-contiguous"), "{e}");
    }

    #[test]
    fn store_saves_loads_and_ignores_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = LeaseStore::new(&dir.path().join("leases"));
        assert_eq!(store.load("veth1"), None);
        store.save(&lease()).unwrap();
        assert_eq!(store.load("veth1"), Some(lease()));
        let names: Vec<_> = fs::read_dir(dir.path().join("leases"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["veth1.json"], "no temporary file left behind");
        fs::write(store.path("veth1"), "{not json").unwrap();
        assert_eq!(store.load("veth1"), None);
        store.forget("veth1");
        assert!(!store.path("veth1").exists());
        store.forget("veth1");
    }

    #[test]
    fn hostile_lease_files_are_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = LeaseStore::new(&dir.path().join("leases"));
        store.save(&lease()).unwrap();
        assert_eq!(store.load("veth1"), Some(lease()));
        // A link to /dev/zero costs nothing: refused before reading.
        fs::remove_file(store.path("veth1")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", store.path("veth1")).unwrap();
        assert_eq!(store.load("veth1"), None);
        fs::remove_file(store.path("veth1")).unwrap();
        // Over the limit, even if it parses.
        let mut big = serde_json::to_vec(&lease()).unwrap();
        big.resize(usize::try_from(LEASE_MAX_BYTES).unwrap() + 1, b' ');
        fs::write(store.path("veth1"), &big).unwrap();
        fs::set_permissions(store.path("veth1"), fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(store.load("veth1"), None);
        // Writable by others: anyone could have put an address in it.
        fs::write(store.path("veth1"), serde_json::to_vec(&lease()).unwrap()).unwrap();
        fs::set_permissions(store.path("veth1"), fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(store.load("veth1"), None);
        fs::set_permissions(store.path("veth1"), fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(store.load("veth1"), Some(lease()));
    }
}
