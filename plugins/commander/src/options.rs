//! The options of an apply as what they mean. The wire keeps the public
//! API's booleans (`ApplyOptions`); [`ApplyMode`] is derived from them, and
//! a combination that makes no sense is refused with the option named.

use std::time::Duration;

use nipart_plugin_api::{Error, Result, state::ApplyOptions};

/// `Commit` waits this long when `commit_timeout` is not given.
const DEFAULT_COMMIT_TIMEOUT: Duration = Duration::from_secs(60);

/// What an apply does when another is in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenBusy {
    /// Wait for it (in the order the applies came).
    Queue,
    /// Fail with `busy` (`no_wait`).
    Refuse,
}

/// Whether the desired state is saved (applied again at boot) once the
/// apply is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    Save,
    /// `memory_only`.
    MemoryOnly,
}

/// When the apply is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Once verified.
    Now,
    /// On `Commit` within `timeout`; rolled back otherwise (`no_commit`).
    OnCommit { timeout: Duration },
}

/// One apply's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyMode {
    /// `false` with `no_verify`.
    pub verify: bool,
    pub when_busy: WhenBusy,
    pub persistence: Persistence,
    pub finish: Finish,
    /// Validate and plan only (`dry_run`).
    pub dry_run: bool,
}

impl TryFrom<&ApplyOptions> for ApplyMode {
    type Error = Error;

    fn try_from(o: &ApplyOptions) -> Result<Self> {
        if o.commit_timeout == Some(0) {
            return Err(Error::invalid_input(
                "options.commit_timeout: 0 would roll back at once: give at least 1 second",
            ));
        }
        if o.dry_run && o.no_commit {
            return Err(Error::invalid_input(
                "options.dry_run changes nothing, so there is nothing to commit: \
                 leave out options.no_commit",
            ));
        }
        let finish = match (o.no_commit, o.commit_timeout) {
            (true, timeout) => Finish::OnCommit {
                timeout: timeout.map_or(DEFAULT_COMMIT_TIMEOUT, Duration::from_secs),
            },
            (false, None) => Finish::Now,
            (false, Some(_)) => {
                return Err(Error::invalid_input(
                    "options.commit_timeout is how long a no_commit apply waits for Commit: \
                     it needs options.no_commit",
                ));
            }
        };
        Ok(Self {
            verify: !o.no_verify,
            when_busy: if o.no_wait {
                WhenBusy::Refuse
            } else {
                WhenBusy::Queue
            },
            persistence: if o.memory_only {
                Persistence::MemoryOnly
            } else {
                Persistence::Save
            },
            finish,
            dry_run: o.dry_run,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_booleans_become_a_mode() {
        let o = ApplyOptions {
            no_commit: true,
            memory_only: true,
            commit_timeout: Some(5),
            ..ApplyOptions::default()
        };
        let m = ApplyMode::try_from(&o).unwrap();
        assert_eq!(
            m.finish,
            Finish::OnCommit {
                timeout: Duration::from_secs(5)
            }
        );
        assert_eq!(m.persistence, Persistence::MemoryOnly);
        assert!(m.verify);
        assert_eq!(m.when_busy, WhenBusy::Queue);
        let d = ApplyMode::try_from(&ApplyOptions::default()).unwrap();
        assert_eq!(d.finish, Finish::Now);
    }

    #[test]
    fn a_commit_timeout_without_no_commit_is_refused_by_name() {
        let o = ApplyOptions {
            commit_timeout: Some(5),
            ..ApplyOptions::default()
        };
        let e = ApplyMode::try_from(&o).unwrap_err();
        assert!(e.message().contains("commit_timeout"), "{e}");
        assert!(e.message().contains("no_commit"), "{e}");
    }

    #[test]
    fn a_zero_commit_timeout_is_refused() {
        let o = ApplyOptions {
            no_commit: true,
            commit_timeout: Some(0),
            ..ApplyOptions::default()
        };
        let e = ApplyMode::try_from(&o).unwrap_err();
        assert!(e.message().contains("at least 1 second"), "{e}");
    }
}
