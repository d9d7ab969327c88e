//! `nipartd`: the nipart daemon, a host for dynamically loaded plugins.
//!
//! The map (see `docs/architecture.md` for the long form):
//! [`loader`] finds and checks plugin libraries, [`lifecycle`] runs Init and
//! Shutdown in order with deadlines, [`bus`] routes events between the
//! plugins, and [`handle`] is what each plugin holds of the daemon;
//! [`ffi`] is the one place where the daemon and a plugin call each other
//! through the frozen ABI.
//! [`error`] is the daemon's one error type (a kind and a message).
//! [`config`] reads and layers the configuration files, [`notify`] and
//! [`journal`] speak systemd's notification and journal protocols, and
//! [`signals`] takes SIGTERM, SIGINT and SIGHUP on the main thread.

pub mod api;
pub mod bus;
pub mod config;
pub mod error;
pub mod ffi;
pub mod handle;
pub mod journal;
pub mod lifecycle;
pub mod loader;
pub mod notify;
pub mod signals;

pub use bus::{EventBus, MemberId, MemberState, MemberStats};
pub use config::DaemonConfig;
pub use error::{Error, ErrorKind};
pub use lifecycle::{Lifecycle, PluginCall, PluginInfo, ReloadReport, StartError};
pub use loader::{LoadReport, LoadedPlugin, PluginLoader, Rejection};

/// The version of the daemon.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
