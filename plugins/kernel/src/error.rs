//! Errors from nispor and the system, as SDK errors with a kind the caller
//! can act on: a missing interface stays `NotFound`, a permission problem
//! `PermissionDenied`, an invalid argument `InvalidInput`. Every error the
//! plugin gets from nispor goes through [`from_nispor`], from the system
//! through [`from_io`] or [`from_netlink`].

use nipart_plugin_api::{Error, ErrorKind};
use nispor::{ErrorKind as NisporKind, NisporError};

/// The SDK's kind for nispor's kind (`NetlinkError`, `Bug` and kinds a
/// later nispor adds are `Other`).
fn kind_of(kind: &NisporKind) -> ErrorKind {
    match kind {
        NisporKind::IfaceNotFound => ErrorKind::NotFound,
        NisporKind::InvalidArgument => ErrorKind::InvalidInput,
        NisporKind::PermissionDeny => ErrorKind::PermissionDenied,
        _ => ErrorKind::Other,
    }
}

/// `e`, with its kind kept, after `what` (what the plugin was doing).
pub(crate) fn from_nispor(what: &str, e: NisporError) -> Error {
    Error::new(kind_of(&e.kind), format!("{what}: {e}"))
}

/// The SDK's kind for a system error number.
fn kind_of_errno(errno: i32) -> ErrorKind {
    match errno {
        libc::ENOENT | libc::ENODEV => ErrorKind::NotFound,
        libc::EPERM | libc::EACCES => ErrorKind::PermissionDenied,
        libc::EINVAL => ErrorKind::InvalidInput,
        _ => ErrorKind::Other,
    }
}

/// An I/O error (a sysctl file, a socket), with its kind kept.
pub(crate) fn from_io(what: &str, e: std::io::Error) -> Error {
    let kind = e.raw_os_error().map_or(ErrorKind::Other, kind_of_errno);
    Error::new(kind, format!("{what}: {e}"))
}

/// An error of a netlink request made without nispor (see
/// `crate::address`), with the kernel's error number kept as a kind.
pub(crate) fn from_netlink(what: &str, e: rtnetlink::Error) -> Error {
    let kind = match &e {
        rtnetlink::Error::NetlinkError(m) => kind_of_errno(-m.raw_code()),
        _ => ErrorKind::Other,
    };
    Error::new(kind, format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nispor(kind: NisporKind) -> NisporError {
        NisporError::new(kind, "the kernel said no".into())
    }

    #[test]
    fn nispor_kinds_survive() {
        for (theirs, ours) in [
            (NisporKind::IfaceNotFound, ErrorKind::NotFound),
            (NisporKind::InvalidArgument, ErrorKind::InvalidInput),
            (NisporKind::PermissionDeny, ErrorKind::PermissionDenied),
            (NisporKind::NetlinkError, ErrorKind::Other),
            (NisporKind::Bug, ErrorKind::Other),
        ] {
            let e = from_nispor("applying interfaces eth1", nispor(theirs.clone()));
            assert_eq!(e.kind(), ours, "{theirs:?}");
            assert_eq!(e.message(), "applying interfaces eth1: the kernel said no");
        }
    }

    #[test]
    fn system_error_numbers_survive() {
        for (errno, ours) in [
            (libc::ENOENT, ErrorKind::NotFound),
            (libc::ENODEV, ErrorKind::NotFound),
            (libc::EPERM, ErrorKind::PermissionDenied),
            (libc::EACCES, ErrorKind::PermissionDenied),
            (libc::EINVAL, ErrorKind::InvalidInput),
            (libc::EBUSY, ErrorKind::Other),
        ] {
            let e = from_io("writing x", std::io::Error::from_raw_os_error(errno));
            assert_eq!(e.kind(), ours, "errno {errno}");
            assert!(e.message().starts_with("writing x: "), "{e}");
        }
        let e = from_io("x", std::io::Error::other("no number"));
        assert_eq!(e.kind(), ErrorKind::Other);
    }
}
