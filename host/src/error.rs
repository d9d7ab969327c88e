//! The daemon's one error type: a kind a caller can match on, and a message
//! for people.
//!
//! Invariants: `Display` is the message alone (the kind is for code, the
//! message already says what and where); the message names the file, key,
//! plugin or variable at fault. Errors that cross to a plugin or to an API
//! client are the SDK's [`nipart_plugin_api::Error`] instead (a kind that
//! survives the FFI); [`Error::from`] keeps the message of one.

use std::fmt;

/// What went wrong, for code that reacts to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A configuration file, option or value is unusable.
    Config,
    /// Reading or writing a file or socket failed.
    Io,
    /// A plugin library could not be loaded or started.
    Load,
    /// No plugin holds the role an event was addressed to.
    NoRole,
    /// The bus refused or could not route an event.
    Bus,
    /// The environment systemd gave (`NOTIFY_SOCKET`, `WATCHDOG_*`) is unusable.
    Environment,
    /// The daemon is not healthy (watchdog check).
    Unhealthy,
}

/// An error of the daemon. See the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Compares the message, so that a test can state the exact text.
impl PartialEq<&str> for Error {
    fn eq(&self, other: &&str) -> bool {
        self.message == *other
    }
}

impl From<nipart_plugin_api::Error> for Error {
    fn from(e: nipart_plugin_api::Error) -> Self {
        let kind = match e.kind() {
            nipart_plugin_api::ErrorKind::NoRoleHolder => ErrorKind::NoRole,
            _ => ErrorKind::Bus,
        };
        Self::new(kind, e.message())
    }
}

/// The daemon's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
