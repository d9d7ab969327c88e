//! `Status`: what the commander remembers for an operator since it
//! started — the last apply of each kind with its outcome, and the saved
//! desired state as it last saw it (the boot apply's, merged with each
//! saved apply, replaced by a rollback), to tell how the running state
//! differs from it.

use std::{
    collections::BTreeMap,
    sync::Mutex,
    time::{SystemTime, UNIX_EPOCH},
};

use nipart_plugin_api::{
    Context, Result,
    state::{
        ApplyKind, ApplyResult, DhcpLeaseInfo, DhcpLeaseLost, LastApply, NetworkState,
        NetworkStatus, differences, merge,
    },
};

use crate::{checkpoint, workflow::Shared};

/// The commander's memory for `Status`.
#[derive(Default)]
pub struct Record {
    last: Mutex<BTreeMap<ApplyKind, LastApply>>,
    saved: Mutex<Option<NetworkState>>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Record {
    /// How an apply of `kind` ended.
    pub fn ended(&self, kind: ApplyKind, ok: bool, message: String) {
        let entry = LastApply {
            kind,
            unix_time: now(),
            ok,
            message,
        };
        lock(&self.last).insert(kind, entry);
    }

    /// How an `Apply` ended: its changes and checkpoint, or its error.
    pub fn applied(&self, kind: ApplyKind, result: &Result<ApplyResult>) {
        let (ok, message) = match result {
            Ok(r) if r.dry_run => return, // it changed nothing: no apply to report
            Ok(r) if r.pending => (true, format!("{} (pending)", r.summary())),
            Ok(r) => (true, r.summary()),
            Err(e) => (false, e.message().to_string()),
        };
        self.ended(kind, ok, message);
    }

    /// A lease applied or lost, as the dhcp plugin announced it.
    pub fn lease(&self, info: &DhcpLeaseInfo) {
        self.ended(
            ApplyKind::Dhcp,
            true,
            format!(
                "{}: lease {} from {} for {} s",
                info.interface, info.address, info.server_id, info.lease_time
            ),
        );
    }

    pub fn lease_lost(&self, lost: &DhcpLeaseLost) {
        self.ended(
            ApplyKind::Dhcp,
            true,
            format!(
                "{}: lease {} lost ({})",
                lost.interface, lost.address, lost.reason
            ),
        );
    }

    /// The saved state is `state` (the boot apply's, or what a rollback
    /// restored).
    pub fn saved_is(&self, state: NetworkState) {
        *lock(&self.saved) = Some(state);
    }

    /// `desired` was merged into the saved state (as `conf` merges it).
    pub fn saved_with(&self, desired: &NetworkState) {
        let mut saved = lock(&self.saved);
        merge(saved.get_or_insert_with(NetworkState::default), desired);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The reply to `Status`.
pub async fn status(shared: &Shared, ctx: &Context) -> Result<NetworkStatus> {
    let last = lock(&shared.status.last).values().cloned().collect();
    let pending = checkpoint::list(shared, ctx)
        .await?
        .checkpoints
        .into_iter()
        .find(|c| c.pending);
    let busy = shared.try_turn().is_none();
    let saved = lock(&shared.status.saved).clone();
    let drift = match saved {
        Some(saved) => {
            let current = shared.query(ctx, None).await?;
            Some(
                differences(&saved, &current)
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            )
        }
        None => None,
    };
    Ok(NetworkStatus {
        last,
        pending,
        busy,
        drift,
    })
}
