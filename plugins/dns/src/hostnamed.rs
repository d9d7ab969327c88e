//! The host names through systemd-hostnamed's D-Bus API
//! (`org.freedesktop.hostname1`, see org.freedesktop.hostname1(5)), used
//! where the bus runs it or can start it (it exits when idle):
//! `SetStaticHostname` for `config` (hostnamed writes its `/etc/hostname`
//! and sets the running name from it), `SetHostname` for `running` (the
//! transient name, which hostnamed uses only while there is no static
//! one); both read back from its `Hostname` and `StaticHostname`
//! properties, so that a daemon in a UTS namespace of its own
//! (`ProtectHostname=yes`) shows the machine's names.
//!
//! Invariant: nothing is set when it already is as desired; a running
//! name hostnamed does not take is an error naming why.

use nipart_plugin_api::{Error, ErrorKind, Result, state::HostnameState};

use crate::dbus::{Service, ServiceName};

static HOSTNAME1: ServiceName = ServiceName {
    name: "org.freedesktop.hostname1",
    path: "/org/freedesktop/hostname1",
    interface: "org.freedesktop.hostname1",
    activatable: true,
};

/// hostnamed, on the bus or startable by it.
pub struct Hostnamed(Service);

fn failed(key: &str, what: String) -> Error {
    Error::new(
        ErrorKind::Failed,
        format!("{key} (systemd-hostnamed): {what}"),
    )
}

impl Hostnamed {
    /// hostnamed on the bus at `address` (the system bus when `None`), or
    /// `None` when the bus can't be reached or neither runs nor can start
    /// it (then the plugin sets the names itself).
    pub async fn find(address: Option<&str>) -> Option<Hostnamed> {
        Service::find(address, &HOSTNAME1).await.map(Hostnamed)
    }

    async fn name(&self, property: &str) -> Result<String> {
        self.0
            .property(property)
            .await
            .map_err(|e| failed("hostname", e))
    }

    /// The running and static host names (the static one when set).
    pub async fn query(&self) -> Result<HostnameState> {
        let running = self.name("Hostname").await?;
        let config = self.name("StaticHostname").await?;
        Ok(HostnameState {
            running: Some(running),
            config: Some(config).filter(|c| !c.is_empty()),
        })
    }

    /// Makes the host names what `want` says (complete: `config` alone has
    /// set `running` too in the plan). The changes made.
    pub async fn apply(&self, want: &HostnameState) -> Result<Vec<String>> {
        let mut changes = Vec::new();
        let static_name = self.name("StaticHostname").await?;
        if let Some(name) = &want.config
            && *name != static_name
        {
            self.0
                .call("SetStaticHostname", &(name.as_str(), false))
                .await
                .map_err(|e| failed("hostname.config", e))?;
            changes.push(match name.as_str() {
                "" => "systemd-hostnamed: static host name removed".to_string(),
                n => format!("systemd-hostnamed: static host name set to {n}"),
            });
        }
        if let Some(name) = &want.running
            && self.name("Hostname").await? != *name
        {
            self.0
                .call("SetHostname", &(name.as_str(), false))
                .await
                .map_err(|e| failed("hostname.running", e))?;
            let now = self.name("Hostname").await?;
            if now != *name {
                let static_name = self.name("StaticHostname").await?;
                return Err(failed(
                    "hostname.running",
                    format!(
                        "{name:?} not taken: hostnamed keeps the static host name \
                         {static_name:?} running (it uses another one only while there is no \
                         static name); set hostname.config instead, or clear it with config: \"\""
                    ),
                ));
            }
            changes.push(format!(
                "systemd-hostnamed: running host name set to {name}"
            ));
        }
        Ok(changes)
    }
}
