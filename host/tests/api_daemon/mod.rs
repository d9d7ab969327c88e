//! The API tests' daemon: the real `nipartd`, started by the test kit's
//! [`DaemonBuilder`] in a sandbox that callers who are not root can reach,
//! with the fixture plugin `api-commander` when a test needs role
//! `commander` (built by [`crate::support::fixture`]).
#![allow(dead_code)]

pub use nipart_testkit::DaemonBuilder;

/// A daemon with no plugins, its socket reachable by every caller.
pub fn daemon() -> DaemonBuilder<'static> {
    DaemonBuilder::new().open_to_others()
}

/// [`daemon`] with the fixture `api-commander` (role `commander`).
pub fn with_commander() -> DaemonBuilder<'static> {
    daemon().plugin(crate::support::fixture("api-commander"))
}
