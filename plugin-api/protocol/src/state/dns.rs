//! `dns-resolver: {config: {server, search, options}, running: …}`, in
//! nmstate's shape: the name servers, search domains and resolver options
//! of the host (role `dns`), and the query role `dns` answers
//! ([`DnsQuery`]).
//!
//! In a desired state, `config` gives what the resolver should use; a key
//! it leaves out keeps its current value, and `config: {}` clears all three
//! (as nmstate). `running` is what is in effect, shown by queries and
//! ignored in a desired state. `take-over: true` (nipart's own key) lets the
//! apply replace a `resolv.conf` that another manager links to.
//!
//! Every value is checked here, with its path; the limits of a particular
//! resolver (glibc takes 3 servers) are checked by the plugin that writes
//! for it.

use std::net::IpAddr;

use serde::Serialize;
use serde_json::Value;

use super::parse::{Obj, boolean, check_interface_name, join, list, quote, string};
use super::{Difference, StateError};

type R<T> = Result<T, StateError>;

/// The most name servers a state may list (a resolver takes fewer: the
/// plugin that writes for it says how many).
pub const MAX_DNS_SERVERS: usize = 16;
/// The most search domains a state may list.
pub const MAX_SEARCH_DOMAINS: usize = 32;
/// The longest domain name (RFC 1035: 253 characters in text form).
pub const MAX_DOMAIN_NAME: usize = 253;
/// The most resolver options a state may list.
pub const MAX_DNS_OPTIONS: usize = 24;

/// `dns-resolver`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct DnsResolver {
    /// What the resolver is configured with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<DnsConfig>,
    /// What is in effect (queries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running: Option<DnsConfig>,
    /// nipart's own: replace a `resolv.conf` that is a symbolic link
    /// (another manager's file, such as systemd-resolved's stub) with
    /// nipart's own file. Without it such an apply fails and says why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub take_over: Option<bool>,
}

/// `dns-resolver.config` and `dns-resolver.running`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DnsConfig {
    /// Name servers, in order: IP addresses, an IPv6 one maybe with
    /// `%interface`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<Vec<String>>,
    /// Search domains, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<Vec<String>>,
    /// Resolver options (`rotate`, `ndots:2`, …; see resolv.conf(5)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

impl DnsConfig {
    /// Whether it gives none of the three keys (`config: {}`, which
    /// clears them all).
    pub fn is_unset(&self) -> bool {
        self.server.is_none() && self.search.is_none() && self.options.is_none()
    }

    /// The config an apply makes true: `self`'s keys, the others from
    /// `current` (`config: {}` clears all three). Every key is given.
    pub fn completed(&self, current: Option<&DnsConfig>) -> DnsConfig {
        let clear = self.is_unset();
        let pick =
            |want: &Option<Vec<String>>, have: Option<&Option<Vec<String>>>| match (want, clear) {
                (Some(w), _) => w.clone(),
                (None, true) => Vec::new(),
                (None, false) => have.and_then(Clone::clone).unwrap_or_default(),
            };
        DnsConfig {
            server: Some(pick(&self.server, current.map(|c| &c.server))),
            search: Some(pick(&self.search, current.map(|c| &c.search))),
            options: Some(pick(&self.options, current.map(|c| &c.options))),
        }
    }
}

/// The request role `dns` answers with what the resolver uses
/// ([`DnsResolver`], `config` and `running`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DnsQuery {}

/// The request role `dns` answers with what it does with each interface's
/// DHCP leases ([`DnsAutoList`]): the commander puts it into every query
/// (`ipv4.auto-dns`, `ipv6.auto-dns`, `ipv4.auto-hostname`), so that a
/// checkpoint knows it and a rollback restores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DnsAutoQuery {}

/// The interfaces whose leases role `dns` uses otherwise than by default
/// (`auto-dns: false` for a family, or `auto-hostname: true`), sorted by
/// name; an interface left out has the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DnsAutoList {
    #[serde(default)]
    pub interfaces: Vec<DnsAuto>,
}

/// One interface of a [`DnsAutoList`], with nmstate's meanings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DnsAuto {
    pub interface: String,
    /// `ipv4.auto-dns`: whether its DHCPv4 lease's name servers and search
    /// domains are used.
    pub auto_dns4: bool,
    /// `ipv6.auto-dns`: the same for its DHCPv6 lease.
    pub auto_dns6: bool,
    /// `ipv4.auto-hostname`: whether its DHCPv4 lease's host name is the
    /// running one.
    pub auto_hostname: bool,
}

/// Checks a name server: an IP address; an IPv6 one may name its interface
/// (`fe80::1%eth0`). Returns it in canonical form.
pub fn check_dns_server(s: &str, path: &str) -> R<String> {
    let (ip, scope) = match s.split_once('%') {
        Some((ip, scope)) => (ip, Some(scope)),
        None => (s, None),
    };
    let Ok(addr) = ip.parse::<IpAddr>() else {
        return Err(StateError::new(
            path,
            format!("{} is not an IP address", quote(s)),
        ));
    };
    match (addr, scope) {
        (_, None) => Ok(addr.to_string()),
        (IpAddr::V6(_), Some(scope)) => {
            check_interface_name(scope, path)?;
            Ok(format!("{addr}%{scope}"))
        }
        (IpAddr::V4(_), Some(_)) => Err(StateError::new(
            path,
            format!(
                "{}: only an IPv6 address can name an interface (%)",
                quote(s)
            ),
        )),
    }
}

/// Checks a search domain: 1 to 253 characters, labels of 1 to 63 letters,
/// digits, `-` or `_` separated by dots (a final dot allowed).
pub fn check_search_domain(s: &str, path: &str) -> R<()> {
    let bad = |why: &str| Err(StateError::new(path, format!("{} {why}", quote(s))));
    if s.is_empty() {
        return Err(StateError::new(path, "a search domain can't be empty"));
    }
    if s.len() > MAX_DOMAIN_NAME {
        return bad(&format!(
            "is longer than a domain name can be ({MAX_DOMAIN_NAME} characters)"
        ));
    }
    if s.chars().any(char::is_whitespace) {
        return bad("is not a domain name: it holds white space");
    }
    let body = s.strip_suffix('.').unwrap_or(s);
    for label in body.split('.') {
        if label.is_empty() {
            return bad("is not a domain name: it has an empty label");
        }
        if label.len() > 63 {
            return bad("is not a domain name: a label is longer than 63 characters");
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return bad(&format!("is not a domain name: {c:?} is not allowed"));
        }
    }
    Ok(())
}

/// resolv.conf(5)'s options: those without a value, and those with one
/// (`name:N`, N in the range).
const FLAG_OPTIONS: &[&str] = &[
    "debug",
    "rotate",
    "no-check-names",
    "inet6",
    "ip6-bytestring",
    "ip6-dotint",
    "no-ip6-dotint",
    "edns0",
    "single-request",
    "single-request-reopen",
    "no-tld-query",
    "use-vc",
    "no-reload",
    "trust-ad",
    "no-aaaa",
];
const VALUE_OPTIONS: &[(&str, u32, u32)] =
    &[("ndots", 0, 15), ("timeout", 1, 30), ("attempts", 1, 5)];

/// Checks a resolver option against resolv.conf(5)'s list.
pub fn check_dns_option(s: &str, path: &str) -> R<()> {
    if FLAG_OPTIONS.contains(&s) {
        return Ok(());
    }
    if let Some((name, value)) = s.split_once(':')
        && let Some((_, lo, hi)) = VALUE_OPTIONS.iter().find(|(n, ..)| *n == name)
    {
        return match value.parse::<u32>() {
            Ok(v) if (*lo..=*hi).contains(&v) && !value.starts_with('+') => Ok(()),
            _ => Err(StateError::new(
                path,
                format!("{}: the value of {name} must be in {lo}..={hi}", quote(s)),
            )),
        };
    }
    let mut known: Vec<String> = FLAG_OPTIONS.iter().map(|s| s.to_string()).collect();
    known.extend(VALUE_OPTIONS.iter().map(|(n, ..)| format!("{n}:N")));
    Err(StateError::new(
        path,
        format!(
            "{} is not a resolver option; expected one of: {}",
            quote(s),
            known.join(", ")
        ),
    ))
}

/// A list of strings at `path`, at most `max`, each checked by `check`
/// (which may rewrite it into canonical form); no entry twice.
fn checked_list(
    v: &Value,
    path: &str,
    max: usize,
    what: &str,
    check: impl Fn(&str, &str) -> R<String>,
) -> R<Vec<String>> {
    let items = list(v, path)?;
    if items.len() > max {
        return Err(StateError::new(
            path,
            format!("{} {what} given; at most {max} are allowed", items.len()),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let s = check(&string(item, &p)?, &p)?;
        if let Some(j) = out.iter().position(|o| *o == s) {
            return Err(StateError::new(
                p,
                format!("{} is already given as {path}[{j}]", quote(&s)),
            ));
        }
        out.push(s);
    }
    Ok(out)
}

fn dns_config(v: &Value, path: &str) -> R<DnsConfig> {
    let mut o = Obj::new(path, v)?;
    let server = o.opt("server", |v, p| {
        checked_list(v, p, MAX_DNS_SERVERS, "servers", check_dns_server)
    })?;
    let search = o.opt("search", |v, p| {
        checked_list(v, p, MAX_SEARCH_DOMAINS, "search domains", |s, p| {
            check_search_domain(s, p).map(|()| s.to_string())
        })
    })?;
    let options = o.opt("options", |v, p| {
        checked_list(v, p, MAX_DNS_OPTIONS, "options", |s, p| {
            check_dns_option(s, p).map(|()| s.to_string())
        })
    })?;
    o.finish()?;
    Ok(DnsConfig {
        server,
        search,
        options,
    })
}

/// Parses `dns-resolver` at `path`.
pub(super) fn dns_resolver(v: &Value, path: &str) -> R<DnsResolver> {
    let mut o = Obj::new(path, v)?;
    // `config: null` is nmstate's way to say `{}` too.
    let config = match o.opt("config", dns_config)? {
        None if matches!(v.get("config"), Some(Value::Null)) => Some(DnsConfig::default()),
        c => c,
    };
    let running = o.opt("running", dns_config)?;
    let take_over = o.opt("take-over", boolean)?;
    o.finish()?;
    Ok(DnsResolver {
        config,
        running,
        take_over,
    })
}

impl<'de> serde::Deserialize<'de> for DnsResolver {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        dns_resolver(&v, "dns-resolver").map_err(serde::de::Error::custom)
    }
}

fn shown(v: &Option<Vec<String>>) -> String {
    format!("[{}]", v.as_deref().unwrap_or(&[]).join(", "))
}

/// What differs between a desired `dns-resolver` and the current one: each
/// key the desired config gives (all three for `config: {}`), in order.
pub fn dns_differences(want: &DnsResolver, have: Option<&DnsResolver>) -> Vec<Difference> {
    let Some(config) = &want.config else {
        return Vec::new();
    };
    let have_config = have.and_then(|h| h.config.as_ref());
    let want = config.completed(have_config);
    let have = have_config.cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (key, w, h) in [
        ("server", &want.server, &have.server),
        ("search", &want.search, &have.search),
        ("options", &want.options, &have.options),
    ] {
        if w.as_deref().unwrap_or(&[]) != h.as_deref().unwrap_or(&[]) {
            out.push(Difference {
                item: "dns-resolver".into(),
                property: join("config", key),
                desired: shown(w),
                current: shown(h),
            });
        }
    }
    out
}

/// Merges a desired `dns-resolver` into the saved one (see
/// [`merge`](super::merge)): the keys its config gives replace the saved
/// ones (`config: {}` clears them); `running` is never saved.
pub(super) fn merge_dns(saved: &mut Option<Box<DnsResolver>>, desired: &DnsResolver) {
    let s = saved.get_or_insert_with(Box::default);
    if let Some(c) = &desired.config {
        s.config = Some(c.completed(s.config.as_ref()));
    }
    if desired.take_over.is_some() {
        s.take_over = desired.take_over;
    }
    s.running = None;
}

#[cfg(test)]
mod tests {
    use crate::state::NetworkState;

    fn err(yaml: &str) -> String {
        match NetworkState::from_yaml(yaml) {
            Ok(s) => panic!("expected an error, parsed {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn nmstate_dns_resolver_parses_and_prints_back() {
        let yaml = "dns-resolver:\n  config:\n    server:\n    - 2001:4860:4860::8888\n    - 8.8.8.8\n    - fe80::1%eth1\n    search:\n    - example.com\n    - example.org\n    options:\n    - rotate\n    - ndots:3\n";
        let s = NetworkState::from_yaml(yaml).unwrap();
        let c = s.dns_resolver.as_ref().unwrap().config.as_ref().unwrap();
        assert_eq!(
            c.server.as_deref().unwrap(),
            ["2001:4860:4860::8888", "8.8.8.8", "fe80::1%eth1"]
        );
        assert_eq!(s.to_yaml(), yaml);
        let cleared = NetworkState::from_yaml("dns-resolver:\n  config: {}\n").unwrap();
        let c = cleared.dns_resolver.unwrap().config.unwrap();
        assert!(c.is_unset());
        assert_eq!(c.completed(None).server, Some(vec![]));
    }

    #[test]
    fn bad_dns_values_are_refused_with_their_path() {
        assert_eq!(
            err("dns-resolver: {config: {server: [192.0.2.1, 8.8.8]}}"),
            "dns-resolver.config.server[1]: \"8.8.8\" is not an IP address"
        );
        assert_eq!(
            err("dns-resolver: {config: {search: [example.com, \"bad domain.com\"]}}"),
            "dns-resolver.config.search[1]: \"bad domain.com\" is not a domain name: it holds white space"
        );
        assert_eq!(
            err("dns-resolver: {config: {server: [192.0.2.1%eth0]}}"),
            "dns-resolver.config.server[0]: \"192.0.2.1%eth0\": only an IPv6 address can name an interface (%)"
        );
        assert!(
            err("dns-resolver: {config: {options: [rotate, colour]}}")
                .starts_with("dns-resolver.config.options[1]: \"colour\" is not a resolver option")
        );
        assert_eq!(
            err("dns-resolver: {config: {options: [\"ndots:99\"]}}"),
            "dns-resolver.config.options[0]: \"ndots:99\": the value of ndots must be in 0..=15"
        );
        assert_eq!(
            err("dns-resolver: {config: {server: [192.0.2.1, 192.0.2.1]}}"),
            "dns-resolver.config.server[1]: \"192.0.2.1\" is already given as dns-resolver.config.server[0]"
        );
        let many: Vec<String> = (1..=17).map(|i| format!("192.0.2.{i}")).collect();
        assert_eq!(
            err(&format!(
                "dns-resolver: {{config: {{server: [{}]}}}}",
                many.join(", ")
            )),
            "dns-resolver.config.server: 17 servers given; at most 16 are allowed"
        );
        let long = format!("{}.example", "a".repeat(250));
        assert!(
            err(&format!("dns-resolver: {{config: {{search: [{long}]}}}}"))
                .contains("is longer than a domain name can be")
        );
        assert!(
            err("dns-resolver: {config: {nameserver: [192.0.2.1]}}")
                .starts_with("dns-resolver.config.nameserver: unknown key")
        );
    }

    #[test]
    fn differences_name_the_key() {
        let want = NetworkState::from_yaml("dns-resolver: {config: {server: [192.0.2.1]}}")
            .unwrap()
            .dns_resolver
            .unwrap();
        let have = NetworkState::from_yaml(
            "dns-resolver: {config: {server: [192.0.2.9], search: [a.example]}}",
        )
        .unwrap()
        .dns_resolver
        .unwrap();
        let d = super::dns_differences(&want, Some(&have));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].to_string(),
            "dns-resolver: config.server desired [192.0.2.1], current [192.0.2.9]"
        );
    }
}
