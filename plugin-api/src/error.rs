//! The one error type of the SDK, with a kind that survives the FFI boundary.

use std::fmt;

use nipart_plugin_abi::{FfiError, error_kind};

/// What went wrong, in a form that crosses the plugin boundary unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Anything not covered by another kind.
    Other,
    /// The caller sent something malformed.
    InvalidInput,
    /// The named plugin, role or item does not exist.
    NotFound,
    /// The receiver's queue was full.
    QueueFull,
    /// A deadline passed.
    Timeout,
    /// Code panicked; the panic was contained.
    Panicked,
    /// The method or feature is not provided.
    Unsupported,
    /// The plugin has failed and is isolated.
    Failed,
    /// The caller lacks the privilege.
    PermissionDenied,
    /// Someone else holds the resource.
    Busy,
    /// The daemon or plugin is shutting down.
    ShuttingDown,
    /// No plugin holds the role an event was addressed to (e.g. no `conf`
    /// plugin is installed): distinct from [`ErrorKind::NotFound`] so that
    /// a caller can treat an optional role as absent without reading text.
    /// A daemon older than this kind reports it as `NotFound`; a plugin built
    /// with an older SDK sees `Other`.
    NoRoleHolder,
}

/// `FfiError::kind` values the SDK adds after the frozen ones
/// (`nipart_plugin_abi::error_kind`, 0–10). The ABI carries the kind as a
/// `u32` and maps values it does not know to `OTHER`, so new kinds take the
/// next integers here without changing the frozen crate; they are never
/// reused or renumbered.
mod sdk_error_kind {
    pub const NO_ROLE_HOLDER: u32 = 11;
}

impl ErrorKind {
    pub(crate) fn to_code(self) -> u32 {
        match self {
            ErrorKind::Other => error_kind::OTHER,
            ErrorKind::InvalidInput => error_kind::INVALID_INPUT,
            ErrorKind::NotFound => error_kind::NOT_FOUND,
            ErrorKind::QueueFull => error_kind::QUEUE_FULL,
            ErrorKind::Timeout => error_kind::TIMEOUT,
            ErrorKind::Panicked => error_kind::PANICKED,
            ErrorKind::Unsupported => error_kind::UNSUPPORTED,
            ErrorKind::Failed => error_kind::FAILED,
            ErrorKind::PermissionDenied => error_kind::PERMISSION_DENIED,
            ErrorKind::Busy => error_kind::BUSY,
            ErrorKind::ShuttingDown => error_kind::SHUTTING_DOWN,
            ErrorKind::NoRoleHolder => sdk_error_kind::NO_ROLE_HOLDER,
        }
    }

    pub(crate) fn from_code(code: u32) -> Self {
        match code {
            error_kind::INVALID_INPUT => ErrorKind::InvalidInput,
            error_kind::NOT_FOUND => ErrorKind::NotFound,
            error_kind::QUEUE_FULL => ErrorKind::QueueFull,
            error_kind::TIMEOUT => ErrorKind::Timeout,
            error_kind::PANICKED => ErrorKind::Panicked,
            error_kind::UNSUPPORTED => ErrorKind::Unsupported,
            error_kind::FAILED => ErrorKind::Failed,
            error_kind::PERMISSION_DENIED => ErrorKind::PermissionDenied,
            error_kind::BUSY => ErrorKind::Busy,
            error_kind::SHUTTING_DOWN => ErrorKind::ShuttingDown,
            sdk_error_kind::NO_ROLE_HOLDER => ErrorKind::NoRoleHolder,
            _ => ErrorKind::Other,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ErrorKind::Other => "error",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::NotFound => "not found",
            ErrorKind::QueueFull => "queue full",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Panicked => "panicked",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Failed => "failed",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::Busy => "busy",
            ErrorKind::ShuttingDown => "shutting down",
            ErrorKind::NoRoleHolder => "no role holder",
        };
        f.write_str(s)
    }
}

/// An error with a kind and a message for people.
///
/// ```
/// use nipart_plugin_api::{Error, ErrorKind};
/// let e = Error::new(ErrorKind::NotFound, "no plugin named foo");
/// assert_eq!(e.kind(), ErrorKind::NotFound);
/// assert_eq!(e.to_string(), "no plugin named foo");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

    /// Shorthand for [`ErrorKind::InvalidInput`].
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput, message)
    }

    /// Shorthand for [`ErrorKind::Other`].
    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, message)
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// Turns a caught panic payload into an error.
    pub(crate) fn from_panic(context: &str, payload: &(dyn std::any::Any + Send)) -> Self {
        Self::new(
            ErrorKind::Panicked,
            format!("{context} panicked: {}", panic_message(payload)),
        )
    }
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

#[doc(hidden)] // the FFI's form, for the SDK and the host
impl From<FfiError> for Error {
    fn from(e: FfiError) -> Self {
        Self::new(ErrorKind::from_code(e.kind), e.message.into_string())
    }
}

#[doc(hidden)] // the FFI's form, for the SDK and the host
impl From<Error> for FfiError {
    fn from(e: Error) -> Self {
        FfiError {
            kind: e.kind.to_code(),
            message: e.message.into(),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Self::invalid_input(format!("JSON: {e}"))
    }
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<crate::state::StateError> for Error {
    fn from(e: crate::state::StateError) -> Self {
        Error::invalid_input(e.to_string())
    }
}
