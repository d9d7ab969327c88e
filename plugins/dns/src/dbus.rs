//! A system service on D-Bus (systemd-resolved, systemd-hostnamed): found
//! by asking the bus whether its name has an owner (or, for a service
//! started on demand, whether the bus can start it), then its methods
//! called and properties read on one object and interface, each
//! connection and call bounded by [`CALL_TIMEOUT`].

use std::{future::Future, time::Duration};

use zbus::{Connection, zvariant::OwnedValue};

/// The longest a connection or a call may take.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// `f` within [`CALL_TIMEOUT`]; the error says `what` failed and why.
async fn bounded<T>(what: &str, f: impl Future<Output = zbus::Result<T>>) -> Result<T, String> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!(
            "{what}: no answer within {} s",
            CALL_TIMEOUT.as_secs()
        )),
    }
}

/// A connection to the bus at `address` (the system bus when `None`).
pub async fn connect(address: Option<&str>) -> Result<Connection, String> {
    let conn = async {
        match address {
            Some(a) => zbus::connection::Builder::address(a)?.build().await,
            None => Connection::system().await,
        }
    };
    let bus = address.unwrap_or("the system bus");
    bounded(&format!("connecting to {bus}"), conn).await
}

/// Where a service answers: its bus name, object and interface.
pub struct ServiceName {
    pub name: &'static str,
    pub path: &'static str,
    pub interface: &'static str,
    /// Whether the service is used when the bus can start it (hostnamed
    /// exits when idle and is started by its first call), not only when
    /// it runs (resolved: a resolved the administrator disabled is not
    /// started by nipart).
    pub activatable: bool,
}

/// A connection to a bus on which a service owns its name.
pub struct Service {
    conn: Connection,
    at: &'static ServiceName,
}

impl Service {
    /// `at` on the bus at `address` (the system bus when `None`), or
    /// `None` (why, logged) when the bus can't be reached or nobody owns
    /// the name (and, when `at` is activatable, the bus can't start it).
    pub async fn find(address: Option<&str>, at: &'static ServiceName) -> Option<Service> {
        let bus = address.unwrap_or("the system bus");
        let conn = match connect(address).await {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!("{} not used: {e}", at.name);
                return None;
            }
        };
        let mut owned = bounded(
            "NameHasOwner",
            conn.call_method(
                Some("org.freedesktop.DBus"),
                "/org/freedesktop/DBus",
                Some("org.freedesktop.DBus"),
                "NameHasOwner",
                &(at.name,),
            ),
        )
        .await
        .and_then(|m| {
            m.body()
                .deserialize::<bool>()
                .map_err(|e| format!("NameHasOwner's answer: {e}"))
        });
        if at.activatable && owned == Ok(false) {
            owned = bounded(
                "ListActivatableNames",
                conn.call_method(
                    Some("org.freedesktop.DBus"),
                    "/org/freedesktop/DBus",
                    Some("org.freedesktop.DBus"),
                    "ListActivatableNames",
                    &(),
                ),
            )
            .await
            .and_then(|m| {
                m.body()
                    .deserialize::<Vec<String>>()
                    .map_err(|e| format!("ListActivatableNames' answer: {e}"))
            })
            .map(|names| names.iter().any(|n| n == at.name));
        }
        match owned {
            Ok(true) => Some(Service { conn, at }),
            Ok(false) => {
                tracing::debug!("{} is not on {bus}", at.name);
                None
            }
            Err(e) => {
                tracing::debug!("{} not used: {e}", at.name);
                None
            }
        }
    }

    /// Calls `method`; the error says which.
    pub async fn call<B>(&self, method: &str, body: &B) -> Result<(), String>
    where
        B: serde::Serialize + zbus::zvariant::DynamicType,
    {
        bounded(
            method,
            self.conn.call_method(
                Some(self.at.name),
                self.at.path,
                Some(self.at.interface),
                method,
                body,
            ),
        )
        .await
        .map(drop)
    }

    /// Reads property `name`.
    pub async fn property<T>(&self, name: &str) -> Result<T, String>
    where
        T: TryFrom<OwnedValue>,
        T::Error: std::fmt::Display,
    {
        let reply = bounded(
            name,
            self.conn.call_method(
                Some(self.at.name),
                self.at.path,
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &(self.at.interface, name),
            ),
        )
        .await?;
        let value: OwnedValue = reply
            .body()
            .deserialize()
            .map_err(|e| format!("the {name} property: {e}"))?;
        T::try_from(value).map_err(|e| format!("the {name} property: {e}"))
    }
}
