//! systemd-resolved through its D-Bus API (`org.freedesktop.resolve1`,
//! see org.freedesktop.resolve1(5)): found on the bus at each apply and
//! query, configured per link (`SetLinkDNS`, `SetLinkDomains`,
//! `SetLinkDefaultRoute`, `RevertLink`), read back from the Manager's
//! `DNS` and `Domains` properties, and given its links' settings again
//! when it restarts ([`follow`]). Its files are never edited.
//!
//! Invariants: resolved has no global server list on the bus (the global
//! one is resolved.conf's), so `dns-resolver.config` goes on the links
//! that have a default route ([`default_route_links`]), as nmstate puts
//! it on interfaces; every D-Bus call is bounded (`dbus.rs`); a link
//! that no longer carries anything of nipart's is reverted.

use std::{collections::BTreeMap, net::IpAddr};

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{DnsConfig, DnsResolver},
};

use crate::dbus::{Service, ServiceName};

/// Where resolved answers.
static RESOLVE1: ServiceName = ServiceName {
    name: "org.freedesktop.resolve1",
    path: "/org/freedesktop/resolve1",
    interface: "org.freedesktop.resolve1.Manager",
    activatable: false,
};
/// The largest routing table files read (`/proc/net/route`, `ipv6_route`).
const MAX_ROUTE_TABLE: u64 = 4 * 1024 * 1024;

/// What resolved is told for one link.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LinkDns {
    pub servers: Vec<String>,
    pub search: Vec<String>,
}

/// What nipart last gave resolved, by link: given again when resolved
/// appears on the bus again (its link settings are runtime state, lost
/// when it restarts). Locked for the whole of an apply's or a restart's
/// calls, so that one never overwrites the other's newer settings.
pub type Given = std::sync::Arc<tokio::sync::Mutex<BTreeMap<String, LinkDns>>>;

/// Follows resolved's name on the bus at `address`: each time it gets a
/// new owner (resolved restarted), the links in `given` are set again.
/// Ends when the bus can't be reached or closes.
pub async fn follow(address: Option<String>, given: Given) {
    use futures_util::StreamExt;
    let address = address.as_deref();
    let bus = address.unwrap_or("the system bus");
    let conn = match crate::dbus::connect(address).await {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("systemd-resolved's restarts not followed: {e}");
            return;
        }
    };
    let owners = async {
        zbus::fdo::DBusProxy::new(&conn)
            .await?
            .receive_name_owner_changed_with_args(&[(0, RESOLVE1.name)])
            .await
    };
    let mut owners = match owners.await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("systemd-resolved's restarts not followed on {bus}: {e}");
            return;
        }
    };
    while let Some(signal) = owners.next().await {
        let Ok(args) = signal.args() else { continue };
        if args.new_owner().is_none() {
            continue;
        }
        let plan = given.lock().await;
        if plan.is_empty() {
            continue;
        }
        let Some(r) = Resolved::find(address).await else {
            continue;
        };
        for (name, dns) in plan.iter() {
            let Some(index) = ifindex(name) else { continue };
            match r.set_link(name, index, dns).await {
                Ok(()) => tracing::info!(
                    "systemd-resolved is back on {bus}: link {name} given servers [{}], search [{}] again",
                    dns.servers.join(", "),
                    dns.search.join(", ")
                ),
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }
    tracing::debug!("{bus} closed: systemd-resolved's restarts no longer followed");
}

/// resolved, owning its name on the bus.
pub struct Resolved(Service);

fn failed(what: String) -> Error {
    Error::new(
        ErrorKind::Failed,
        format!("dns-resolver (systemd-resolved): {what}"),
    )
}

impl Resolved {
    /// resolved on the bus at `address` (the system bus when `None`), or
    /// `None` when the bus can't be reached or nobody owns resolved's
    /// name (then resolv.conf is the resolver's configuration).
    pub async fn find(address: Option<&str>) -> Option<Resolved> {
        Service::find(address, &RESOLVE1).await.map(Resolved)
    }

    /// Calls `method` of resolved's Manager about link `name`.
    async fn call<B>(&self, name: &str, method: &str, body: &B) -> Result<()>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        self.0
            .call(method, body)
            .await
            .map_err(|e| failed(format!("link {name}: {e}")))
    }

    async fn property<T>(&self, name: &str) -> Result<T>
    where
        T: TryFrom<zbus::zvariant::OwnedValue>,
        T::Error: std::fmt::Display,
    {
        self.0.property(name).await.map_err(failed)
    }

    /// Makes link `ifindex` (`name`) use `dns`: its servers, its search
    /// domains, and the link as a route for every name (a search list
    /// alone would not send other queries there).
    pub async fn set_link(&self, name: &str, ifindex: i32, dns: &LinkDns) -> Result<()> {
        let mut servers = Vec::with_capacity(dns.servers.len());
        for s in &dns.servers {
            // `fe80::1%eth0`: the scope is the link itself.
            let ip = s.split('%').next().unwrap_or(s);
            let addr: IpAddr = ip
                .parse()
                .map_err(|_| failed(format!("{s:?} is not an IP address")))?;
            servers.push(match addr {
                IpAddr::V4(a) => (libc::AF_INET, a.octets().to_vec()),
                IpAddr::V6(a) => (libc::AF_INET6, a.octets().to_vec()),
            });
        }
        let domains: Vec<(&str, bool)> = dns.search.iter().map(|d| (d.as_str(), false)).collect();
        self.call(name, "SetLinkDNS", &(ifindex, servers)).await?;
        self.call(name, "SetLinkDomains", &(ifindex, domains))
            .await?;
        self.call(
            name,
            "SetLinkDefaultRoute",
            &(ifindex, !dns.servers.is_empty()),
        )
        .await
    }

    /// Drops what was set on link `ifindex` (`name`).
    pub async fn revert_link(&self, name: &str, ifindex: i32) -> Result<()> {
        self.call(name, "RevertLink", &(ifindex,)).await
    }

    /// What resolved uses: `running` is every server and search domain
    /// (resolved.conf's and the links'), `config` the links' (what
    /// nipart sets), without the servers and search domains DHCP leases
    /// gave (`learned_servers`, `learned_search`). resolved has no
    /// resolver options: both show none.
    pub async fn query(
        &self,
        learned_servers: &[String],
        learned_search: &[String],
    ) -> Result<DnsResolver> {
        let servers: Vec<(i32, i32, Vec<u8>)> = self.property("DNS").await?;
        let domains: Vec<(i32, String, bool)> = self.property("Domains").await?;
        let mut running = DnsConfig::default().completed(None);
        let mut config = DnsConfig::default().completed(None);
        for (ifindex, family, bytes) in servers {
            let Some(addr) = address(family, &bytes) else {
                continue;
            };
            push_once(&mut running.server, addr.clone());
            if ifindex != 0 && !learned_servers.contains(&addr) {
                push_once(&mut config.server, addr);
            }
        }
        for (ifindex, domain, routing_only) in domains {
            if routing_only {
                continue;
            }
            push_once(&mut running.search, domain.clone());
            if ifindex != 0 && !learned_search.contains(&domain) {
                push_once(&mut config.search, domain);
            }
        }
        Ok(DnsResolver {
            config: Some(config),
            running: Some(running),
            take_over: None,
        })
    }
}

fn push_once(list: &mut Option<Vec<String>>, item: String) {
    let list = list.get_or_insert_with(Vec::new);
    if !list.contains(&item) {
        list.push(item);
    }
}

fn address(family: i32, bytes: &[u8]) -> Option<String> {
    match family {
        libc::AF_INET => <[u8; 4]>::try_from(bytes)
            .ok()
            .map(|b| IpAddr::from(b).to_string()),
        libc::AF_INET6 => <[u8; 16]>::try_from(bytes)
            .ok()
            .map(|b| IpAddr::from(b).to_string()),
        _ => None,
    }
}

/// The links (name → index) with a default route in the main table, IPv4
/// (`/proc/net/route`) or IPv6 (`/proc/net/ipv6_route`), in the daemon's
/// network namespace; never `lo` (its IPv6 table holds unreachable
/// defaults).
pub fn default_route_links() -> Result<BTreeMap<String, i32>> {
    let names = default_route_names(
        &read_table("/proc/net/route")?,
        &read_table("/proc/net/ipv6_route")?,
    );
    Ok(names
        .into_iter()
        .filter_map(|n| ifindex(&n).map(|i| (n, i)))
        .collect())
}

/// The interfaces with a default route in the text of `/proc/net/route`
/// and `/proc/net/ipv6_route`, each once, without `lo`.
fn default_route_names(v4: &str, v6: &str) -> Vec<String> {
    /// `ipv6_route`'s flag of unreachable and prohibit routes.
    const RTF_REJECT: u32 = 0x0200;
    let mut names: Vec<String> = Vec::new();
    for line in v4.lines().skip(1) {
        // Iface Destination Gateway Flags RefCnt Use Metric Mask …
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 7 && f[1] == "00000000" && f[7] == "00000000" {
            names.push(f[0].to_string());
        }
    }
    for line in v6.lines() {
        // dest plen src splen next-hop metric refcnt use flags iface
        let f: Vec<&str> = line.split_whitespace().collect();
        let reject = f
            .get(8)
            .and_then(|x| u32::from_str_radix(x, 16).ok())
            .is_some_and(|x| x & RTF_REJECT != 0);
        if f.len() == 10 && f[0].bytes().all(|b| b == b'0') && f[1] == "00" && !reject {
            names.push(f[9].to_string());
        }
    }
    let mut unique: Vec<String> = Vec::new();
    for n in names {
        if n != "lo" && !unique.contains(&n) {
            unique.push(n);
        }
    }
    unique
}

fn read_table(path: &str) -> Result<String> {
    use std::io::Read;
    let mut text = String::new();
    match std::fs::File::open(path) {
        Ok(f) => f
            .take(MAX_ROUTE_TABLE)
            .read_to_string(&mut text)
            .map(drop)
            .map_err(|e| failed(format!("reading {path}: {e}")))?,
        // No IPv6 in this kernel: no IPv6 default route.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(failed(format!("reading {path}: {e}"))),
    }
    Ok(text)
}

/// The index of link `name` (`None` when it is gone).
pub fn ifindex(name: &str) -> Option<i32> {
    let c = std::ffi::CString::new(name).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string for the whole call.
    let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
    i32::try_from(index).ok().filter(|i| *i > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a namespace with an IPv4 default route on a0 and an IPv6 one
    /// on a1 shows (lo's unreachable defaults included).
    #[test]
    fn default_routes_of_both_families_without_lo() {
        let v4 = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                  a0\t00000000\t020200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
                  a0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        let z = "00000000000000000000000000000000";
        let v6 = format!(
            "20010db8000000000000000000000000 40 {z} 00 {z} 00000100 00000001 00000000 00000001 a1\n\
             {z} 00 {z} 00 20010db8000000000000000000000002 00000400 00000001 00000000 00000003 a1\n\
             {z} 00 {z} 00 {z} ffffffff 00000001 00000000 00200200 lo\n\
             {z} 00 {z} 00 {z} 00000400 00000001 00000000 00000201 b0\n"
        );
        assert_eq!(default_route_names(v4, &v6), ["a0", "a1"]);
        assert!(default_route_names("", "").is_empty());
    }

    #[test]
    fn addresses_of_both_families_and_nothing_else() {
        assert_eq!(
            address(libc::AF_INET, &[192, 0, 2, 53]).as_deref(),
            Some("192.0.2.53")
        );
        let mut v6 = [0u8; 16];
        v6[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        v6[15] = 0x53;
        assert_eq!(
            address(libc::AF_INET6, &v6).as_deref(),
            Some("2001:db8::53")
        );
        assert_eq!(address(libc::AF_INET, &[1, 2, 3]), None);
        assert_eq!(address(7, &[1, 2, 3, 4]), None);
    }
}
