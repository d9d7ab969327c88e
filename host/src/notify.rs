//! The systemd notification protocol (`sd_notify(3)`), without libsystemd:
//! newline-separated `KEY=value` assignments in one datagram to the UNIX
//! socket named by `NOTIFY_SOCKET` (a path, or `@name` for the abstract
//! namespace). Without `NOTIFY_SOCKET` every call is a no-op, so the daemon
//! behaves the same outside systemd.
//!
//! The watchdog (`WatchdogSec=` in the unit) is announced by `WATCHDOG_USEC`
//! (and `WATCHDOG_PID`, which must be ours when set); the daemon sends
//! `WATCHDOG=1` every half interval while it is healthy (see
//! `Lifecycle::health`).

use std::{
    os::unix::net::{SocketAddr, UnixDatagram},
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use crate::error::{Error, ErrorKind};

/// The notification socket, if the service manager gave one.
pub struct Notifier {
    target: Option<(UnixDatagram, SocketAddr)>,
    /// A failed send is logged once, not at every watchdog period.
    warned: AtomicBool,
}

/// The environment variables of the protocol. The daemon removes them from
/// its environment at start (before any thread exists), so that processes
/// its plugins start do not talk to systemd on its behalf.
pub const ENV_VARS: [&str; 3] = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"];

/// What the environment says, read once at start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyEnv {
    pub socket: Option<String>,
    pub watchdog_usec: Option<String>,
    pub watchdog_pid: Option<String>,
}

impl NotifyEnv {
    pub fn from_env() -> Self {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Self {
            socket: get("NOTIFY_SOCKET"),
            watchdog_usec: get("WATCHDOG_USEC"),
            watchdog_pid: get("WATCHDOG_PID"),
        }
    }

    /// How often to send `WATCHDOG=1` (half the interval), if the watchdog
    /// is enabled for this process; or why the variables are ignored.
    pub fn watchdog_period(&self) -> crate::error::Result<Option<Duration>> {
        let Some(usec) = &self.watchdog_usec else {
            return Ok(None);
        };
        if let Some(pid) = &self.watchdog_pid {
            match pid.parse::<u32>() {
                Ok(p) if p == std::process::id() => {}
                Ok(_) => return Ok(None), // meant for another process
                Err(_) => {
                    return Err(env_error(format!(
                        "WATCHDOG_PID={pid:?} is not a process id"
                    )));
                }
            }
        }
        match usec.parse::<u64>() {
            Ok(0) | Err(_) => Err(env_error(format!(
                "WATCHDOG_USEC={usec:?} is not a positive number of microseconds"
            ))),
            Ok(us) => Ok(Some(Duration::from_micros(us / 2))),
        }
    }
}

impl Notifier {
    /// A notifier that sends nothing.
    pub fn disabled() -> Self {
        Self {
            target: None,
            warned: AtomicBool::new(false),
        }
    }

    /// Opens the socket named by `env.socket`; an unusable value is
    /// reported and leaves the notifier disabled.
    pub fn new(env: &NotifyEnv) -> crate::error::Result<Self> {
        let Some(name) = &env.socket else {
            return Ok(Self::disabled());
        };
        let addr = socket_addr(name)?;
        let socket = UnixDatagram::unbound().map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("NOTIFY_SOCKET: cannot create a datagram socket: {e}"),
            )
        })?;
        Ok(Self {
            target: Some((socket, addr)),
            warned: AtomicBool::new(false),
        })
    }

    pub fn is_enabled(&self) -> bool {
        self.target.is_some()
    }

    /// Sends `KEY=value` lines (e.g. `"READY=1\nSTATUS=running"`). A failed
    /// send is logged, never fatal: the service manager decides what a
    /// missing notification means.
    pub fn send(&self, state: &str) {
        let Some((socket, addr)) = &self.target else {
            return;
        };
        match socket.send_to_addr(state.as_bytes(), addr) {
            Ok(_) => self.warned.store(false, Ordering::Relaxed),
            Err(e) => {
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!("sending {state:?} to NOTIFY_SOCKET: {e}");
                }
            }
        }
    }

    /// `STATUS=text` (one line: newlines would start a new assignment).
    pub fn status(&self, text: &str) {
        self.send(&format!("STATUS={}", text.replace('\n', " ")));
    }
}

/// An unusable variable of systemd's environment.
fn env_error(message: String) -> Error {
    Error::new(ErrorKind::Environment, message)
}

fn socket_addr(name: &str) -> crate::error::Result<SocketAddr> {
    if let Some(abstract_name) = name.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        SocketAddr::from_abstract_name(abstract_name.as_bytes())
            .map_err(|e| env_error(format!("NOTIFY_SOCKET={name:?}: {e}")))
    } else if name.starts_with('/') {
        SocketAddr::from_pathname(name)
            .map_err(|e| env_error(format!("NOTIFY_SOCKET={name:?}: {e}")))
    } else {
        Err(env_error(format!(
            "NOTIFY_SOCKET={name:?} is neither an absolute path nor an abstract name (@…)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchdog_period_is_half_the_interval_and_only_for_us() {
        let mut env = NotifyEnv {
            watchdog_usec: Some("3000000".into()),
            ..NotifyEnv::default()
        };
        assert_eq!(env.watchdog_period(), Ok(Some(Duration::from_millis(1500))));
        env.watchdog_pid = Some(std::process::id().to_string());
        assert_eq!(env.watchdog_period(), Ok(Some(Duration::from_millis(1500))));
        env.watchdog_pid = Some((std::process::id() + 1).to_string());
        assert_eq!(env.watchdog_period(), Ok(None));
        env.watchdog_pid = None;
        env.watchdog_usec = Some("soon".into());
        assert!(
            env.watchdog_period()
                .unwrap_err()
                .message()
                .contains("WATCHDOG_USEC")
        );
    }

    #[test]
    fn sends_to_a_path_and_to_an_abstract_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        let n = Notifier::new(&NotifyEnv {
            socket: Some(path.display().to_string()),
            ..NotifyEnv::default()
        })
        .unwrap();
        n.status("a\nb");
        let mut buf = [0u8; 64];
        let len = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"STATUS=a b");

        use std::os::linux::net::SocketAddrExt;
        let name = format!("nipart-notify-test-{}", std::process::id());
        let rx = UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(&name).unwrap()).unwrap();
        let n = Notifier::new(&NotifyEnv {
            socket: Some(format!("@{name}")),
            ..NotifyEnv::default()
        })
        .unwrap();
        n.send("READY=1");
        let len = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"READY=1");

        assert!(
            Notifier::new(&NotifyEnv {
                socket: Some("relative".into()),
                ..NotifyEnv::default()
            })
            .is_err()
        );
    }
}
