//! `hostname: {running, config}`, in nmstate's shape (role `hostname`):
//! `running` is the host name in effect (the kernel's, of the daemon's UTS
//! namespace), `config` the one kept for the next boot (`/etc/hostname`).
//!
//! In a desired state `config` alone sets both (a static host name that
//! is not in effect until a reboot would be a surprise); `running` alone
//! changes only the running one. `config: ""` removes the static host
//! name. Queries report `config` only when one is kept.

use serde::Serialize;
use serde_json::Value;

use super::parse::{Obj, quote, string};
use super::{Difference, StateError};

type R<T> = Result<T, StateError>;

/// The longest host name (`HOST_NAME_MAX` on Linux).
pub const MAX_HOSTNAME: usize = 64;

/// `hostname`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HostnameState {
    /// The host name in effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running: Option<String>,
    /// The static host name (`""`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

impl HostnameState {
    /// What an apply of `self` makes true: `config` alone sets the running
    /// name too.
    pub fn completed(&self) -> HostnameState {
        let mut out = self.clone();
        if out.running.is_none()
            && let Some(c) = out.config.as_ref().filter(|c| !c.is_empty())
        {
            out.running = Some(c.clone());
        }
        out
    }
}

/// The request role `hostname` answers with the running and static host
/// names ([`HostnameState`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct HostnameQuery {}

/// Checks a host name: 1 to 64 characters, labels of letters, digits and
/// `-` (not first or last) separated by dots.
pub fn check_hostname(s: &str, path: &str) -> R<()> {
    let bad = |why: &str| Err(StateError::new(path, format!("{} {why}", quote(s))));
    if s.is_empty() {
        return Err(StateError::new(path, "a host name can't be empty"));
    }
    if s.len() > MAX_HOSTNAME {
        return bad(&format!(
            "is longer than a host name can be ({MAX_HOSTNAME} characters)"
        ));
    }
    for label in s.split('.') {
        if label.is_empty() {
            return bad("is not a host name: it has an empty label");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return bad("is not a host name: a label starts or ends with '-'");
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return bad(&format!("is not a host name: {c:?} is not allowed"));
        }
    }
    Ok(())
}

/// Parses `hostname` at `path`.
pub(super) fn hostname(v: &Value, path: &str) -> R<HostnameState> {
    let mut o = Obj::new(path, v)?;
    let running = o.opt("running", |v, p| {
        let s = string(v, p)?;
        check_hostname(&s, p).map(|()| s)
    })?;
    let config = o.opt("config", |v, p| {
        let s = string(v, p)?;
        if !s.is_empty() {
            check_hostname(&s, p)?;
        }
        Ok(s)
    })?;
    o.finish()?;
    Ok(HostnameState { running, config })
}

impl<'de> serde::Deserialize<'de> for HostnameState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        hostname(&v, "hostname").map_err(serde::de::Error::custom)
    }
}

/// What differs between a desired `hostname` and the current one
/// (`config: ""` and no static name are the same).
pub fn hostname_differences(want: &HostnameState, have: Option<&HostnameState>) -> Vec<Difference> {
    let want = want.completed();
    let none = String::new();
    let mut out = Vec::new();
    let have_running = have.and_then(|h| h.running.as_ref()).unwrap_or(&none);
    let have_config = have.and_then(|h| h.config.as_ref()).unwrap_or(&none);
    for (key, w, h) in [
        ("running", &want.running, have_running),
        ("config", &want.config, have_config),
    ] {
        if let Some(w) = w
            && w != h
        {
            let show = |s: &str| {
                if s.is_empty() {
                    "(none)".to_string()
                } else {
                    s.to_string()
                }
            };
            out.push(Difference {
                item: "hostname".into(),
                property: key.into(),
                desired: show(w),
                current: show(h),
            });
        }
    }
    out
}

/// Merges a desired `hostname` into the saved one (see
/// [`merge`](super::merge)): what it gives replaces what is saved.
pub(super) fn merge_hostname(saved: &mut Option<Box<HostnameState>>, desired: &HostnameState) {
    let s = saved.get_or_insert_with(Box::default);
    let d = desired.completed();
    if d.running.is_some() {
        s.running = d.running;
    }
    if d.config.is_some() {
        s.config = d.config;
    }
}

#[cfg(test)]
mod tests {
    use crate::state::NetworkState;

    #[test]
    fn hostnames_are_checked_with_their_path() {
        let e = |y: &str| NetworkState::from_yaml(y).unwrap_err().to_string();
        assert_eq!(
            e("hostname: {running: \"my host\"}"),
            "hostname.running: \"my host\" is not a host name: ' ' is not allowed"
        );
        assert!(
            e(&format!("hostname: {{config: {}}}", "a".repeat(65)))
                .starts_with("hostname.config: ")
        );
        assert_eq!(
            e("hostname: {config: -a}"),
            "hostname.config: \"-a\" is not a host name: a label starts or ends with '-'"
        );
        let s = NetworkState::from_yaml("hostname: {config: h1.example}").unwrap();
        let h = s.hostname.unwrap().completed();
        assert_eq!(h.running.as_deref(), Some("h1.example"));
        let cleared = NetworkState::from_yaml("hostname: {config: \"\"}").unwrap();
        assert_eq!(cleared.hostname.unwrap().completed().running, None);
    }
}
