//! The `conf` plugin: persistence.
//!
//! - Keeps the checkpoint history on disk (`<state_dir>/checkpoints/`,
//!   one file each, bounded) for the commander: `conf.checkpoint.save`,
//!   `.get`, `.list`.
//! - Saves the desired state the commander hands it after a successful
//!   apply (`conf.state.save`) into `<config_dir>/state.yml`.
//! - Marks the checkpoint of an apply awaiting `Commit`
//!   (`conf.checkpoint.pending`), and of an apply changing the network
//!   (`conf.checkpoint.in-progress`, `<state_dir>/apply-in-progress`).
//! - At daemon start (`daemon.started`) asks the commander to roll back an
//!   apply the daemon did not finish (marked in progress and not saved: it
//!   was killed), and one still marked pending, then to apply the saved
//!   state, through the normal workflow: the boot path.
//! - Saved interfaces nipart can't create (an `ethernet`, a veth saved
//!   without its peer) are left out of the boot apply while their link is
//!   missing, and watched with monitor rules: when the link appears (and
//!   each time it comes back) their part of the saved state is applied
//!   through the same workflow (`waiting`); what is stacked on a missing
//!   one (a VLAN, MAC-VLAN or VXLAN on it) waits with it and goes with its
//!   part; after each save, those the
//!   saved state gained are watched too, and those it lost no longer.
//!   `conf.waiting` lists those waiting now.
//!
//! Every file is replaced crash safely and read only if it is safe to
//! believe: a regular file within `max_file_bytes`, owned by root and not
//! writable by others, in directories likewise (see
//! [`nipart_plugin_api::file`]). The checkpoint list is kept in memory
//! (`store`). Role `conf`; see
//! `docs/plugins/conf.md` for the files, the keys of `[plugin.conf]` and
//! the failure modes.

mod saved;
mod store;
mod waiting;

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use nipart_plugin_api::{
    Address, Context, Empty, Error, ErrorKind, Event, Plugin, Result, Role,
    protocol::{
        api::Rollback,
        conf::{
            CheckpointInProgress, CheckpointListRequest, LinkAppeared, LinkGone, LinkWatch,
            SavedStateReply, SavedStateRequest, Waiting, WaitingRequest,
        },
        daemon::DaemonStarted,
        monitor::{Condition, FollowUp, RuleAdd, RuleAdded, RuleInterface, RuleRemove},
    },
    state::{
        ApiCall, ApplyOptions, ApplyRequest, BootApplied, CheckpointGet, CheckpointHistory,
        CheckpointPending, CheckpointRequest, CheckpointSave, CheckpointSummary, LoadFailed,
        NetworkState, StateSave,
    },
};
use serde::Deserialize;
use tokio::sync::mpsc;

use nipart_plugin_api::protocol::daemon::{ConfigChanged, ConfigType};
use saved::SavedState;
use store::Store;

/// `[plugin.conf]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Where the saved desired state lives (`state.yml`).
    config_dir: PathBuf,
    /// Where the checkpoint history lives (`checkpoints/`).
    state_dir: PathBuf,
    /// Checkpoints kept; the oldest beyond are removed.
    max_checkpoints: usize,
    /// Apply the saved state when the daemon has started.
    apply_at_start: bool,
    /// How long the boot apply may take before conf stops waiting for it.
    boot_timeout_ms: u64,
    /// The largest `state.yml` or checkpoint file read, in bytes; a larger
    /// one is refused (`nipart_plugin_api::file::read_trusted`).
    max_file_bytes: u64,
    /// How long the monitor may take to register a rule.
    monitor_timeout_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            config_dir: PathBuf::from("/etc/nipart"),
            state_dir: PathBuf::from("/var/lib/nipart"),
            max_checkpoints: 20,
            apply_at_start: true,
            boot_timeout_ms: 600_000,
            max_file_bytes: nipart_plugin_api::file::DEFAULT_MAX_BYTES,
            monitor_timeout_ms: 5_000,
        }
    }
}

struct Conf {
    config: Config,
    saved: Option<SavedState>,
    store: Option<Store>,
    missing: Missing,
    /// To the boot task, once it runs.
    link_events: Option<mpsc::UnboundedSender<LinkEvent>>,
}

/// The saved interfaces nipart can't create whose link is missing now
/// (written by the boot task only, read by `conf.waiting`).
#[derive(Clone, Default)]
struct Missing(Arc<Mutex<BTreeSet<String>>>);

impl Missing {
    fn lock(&self) -> MutexGuard<'_, BTreeSet<String>> {
        // A panic while holding it leaves a set, still whole.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A follow-up of conf's monitor rules, queued for the boot task, which
/// handles them in order once the boot apply is done (so that a part is
/// never applied before the boot apply, which leaves its port out of
/// bridges).
#[derive(Debug)]
enum LinkEvent {
    Appeared(String),
    Gone(String),
    /// The saved state changed: watch the links of the interfaces it added.
    Saved,
}

impl Plugin for Conf {
    const NAME: &'static str = "conf";
    const DESCRIPTION: &'static str =
        "saves the desired state, keeps checkpoints on disk, applies the saved state at start";
    const ROLES: &'static [&'static str] = &[Role::CONF.as_str()];
    const CONFIG_KEYS: &'static [(&'static str, ConfigType)] = &[
        ("config_dir", ConfigType::String),
        ("state_dir", ConfigType::String),
        ("max_checkpoints", ConfigType::Integer),
        ("apply_at_start", ConfigType::Boolean),
        ("boot_timeout_ms", ConfigType::Integer),
        ("max_file_bytes", ConfigType::Integer),
        ("monitor_timeout_ms", ConfigType::Integer),
    ];

    fn new() -> Result<Self> {
        Ok(Conf {
            config: Config::default(),
            saved: None,
            store: None,
            missing: Missing::default(),
            link_events: None,
        })
    }

    async fn init(&mut self, ctx: &Context) -> Result<()> {
        let config: Config = ctx.config()?;
        if config.max_checkpoints == 0 {
            return Err(Error::invalid_input(
                "[plugin.conf] max_checkpoints must be at least 1",
            ));
        }
        if config.max_file_bytes == 0 {
            return Err(Error::invalid_input(
                "[plugin.conf] max_file_bytes must be at least 1",
            ));
        }
        let saved = SavedState::open_with_limit(&config.config_dir, config.max_file_bytes)?;
        let store = Store::open_with_limit(
            &config.state_dir.join("checkpoints"),
            config.max_checkpoints,
            config.max_file_bytes,
        )?;
        tracing::info!(
            "saved state {}, checkpoints in {}",
            saved.path().display(),
            store.dir().display()
        );
        self.saved = Some(saved);
        self.store = Some(store);
        self.config = config;
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        let (Some(saved), Some(store)) = (&self.saved, &mut self.store) else {
            return Ok(());
        };
        if let Some(Ok(p)) = event.progress_of::<ApiCall<ApplyRequest>>() {
            // Progress of the boot apply, or of a part applied later.
            tracing::info!("boot apply: {:?}: {}", p.step, p.message);
            return Ok(());
        }
        let request = match Incoming::decode(&event)? {
            Some(Incoming::Started(_)) => {
                if self.config.apply_at_start {
                    let (tx, rx) = mpsc::unbounded_channel();
                    self.link_events = Some(tx);
                    boot(ctx, saved, store, &self.config, &self.missing, rx);
                }
                return Ok(());
            }
            Some(Incoming::ConfigChanged(section)) => {
                reconfigure(&mut self.config, store, section);
                return Ok(());
            }
            Some(Incoming::Appeared(LinkAppeared(w))) => {
                queue(&self.link_events, LinkEvent::Appeared(w.interface));
                return Ok(());
            }
            Some(Incoming::Gone(LinkGone(w))) => {
                queue(&self.link_events, LinkEvent::Gone(w.interface));
                return Ok(());
            }
            Some(request) if event.request => request,
            _ if event.request && event.ref_id.is_none() => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("the conf plugin does not handle {:?}", event.topic),
                ));
            }
            _ => return Ok(()),
        };
        match request {
            Incoming::Started(_)
            | Incoming::ConfigChanged(_)
            | Incoming::Appeared(_)
            | Incoming::Gone(_) => Ok(()),
            Incoming::Waiting(_) => ctx.answer::<WaitingRequest>(
                &event,
                &Waiting {
                    interfaces: self.missing.lock().iter().cloned().collect(),
                },
            ),
            Incoming::GetState(_) => {
                // What an apply of the saved state would apply now: as at
                // start, without the interfaces still waiting for their link.
                let waiting = self.missing.lock().clone();
                let state = saved.load()?.map(|s| waiting::without(&s, &waiting));
                ctx.answer::<SavedStateRequest>(
                    &event,
                    &SavedStateReply {
                        path: saved.path().display().to_string(),
                        state,
                        waiting: waiting.into_iter().collect(),
                    },
                )
            }
            Incoming::Save(req) => {
                // The saved state goes with the checkpoint, so that going
                // back to it restores what boot applies too.
                let now_saved = saved.load().unwrap_or_else(|e| {
                    tracing::warn!("{e}");
                    None
                });
                let r = store.save(req.created_by, req.running, now_saved)?;
                tracing::info!("checkpoint {} taken: {}", r.id, r.created_by.summary);
                ctx.answer::<CheckpointSave>(
                    &event,
                    &CheckpointSummary {
                        id: r.id,
                        time: r.time,
                        created_by: r.created_by.summary,
                    },
                )
            }
            Incoming::Get(req) => {
                ctx.answer::<CheckpointGet>(&event, &store.get(req.id.as_deref())?)
            }
            Incoming::List(_) => ctx.answer::<CheckpointListRequest>(
                &event,
                &CheckpointHistory {
                    checkpoints: store.list()?,
                },
            ),
            Incoming::Pending(req) => {
                store.set_pending(req.id.as_deref())?;
                ctx.answer::<CheckpointPending>(&event, &Empty {})
            }
            Incoming::InProgress(req) => {
                store.set_in_progress(req.id.as_deref())?;
                ctx.answer::<CheckpointInProgress>(&event, &Empty {})
            }
            Incoming::SaveState(req) => {
                let r = saved.save(&req.desired, req.replace)?;
                queue(&self.link_events, LinkEvent::Saved);
                tracing::info!(
                    "saved the desired state to {} ({} interfaces)",
                    r.path,
                    r.interfaces
                );
                ctx.answer::<StateSave>(&event, &r)
            }
        }
    }
}

/// Hands a follow-up of our rules to the boot task (rules exist only once
/// it runs).
fn queue(link_events: &Option<mpsc::UnboundedSender<LinkEvent>>, event: LinkEvent) {
    let Some(tx) = link_events else {
        tracing::debug!("{event:?} ignored: no boot task");
        return;
    };
    if let Err(e) = tx.send(event) {
        tracing::debug!("{:?} ignored: the boot task ended", e.0);
    }
}

nipart_plugin_api::incoming! {
    /// What the conf plugin handles.
    enum Incoming {
        Started(DaemonStarted),
        Save(CheckpointSave),
        Get(CheckpointGet),
        List(CheckpointListRequest),
        Pending(CheckpointPending),
        InProgress(CheckpointInProgress),
        SaveState(StateSave),
        ConfigChanged(ConfigChanged),
        Waiting(WaitingRequest),
        GetState(SavedStateRequest),
        /// Follow-ups of our monitor rules.
        Appeared(LinkAppeared),
        Gone(LinkGone),
    }
}

/// A reload changed `[plugin.conf]`: `max_checkpoints` takes effect at
/// once (the history is trimmed to it at the next checkpoint); the other
/// keys only matter at start, and the log line says which changed. A
/// section that is not valid changes nothing.
fn reconfigure(config: &mut Config, store: &mut Store, section: ConfigChanged) {
    let new: Config = match serde_json::from_value(serde_json::Value::Object(section.0)) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("[plugin.conf] not reloaded: {e}; the previous values stay");
            return;
        }
    };
    if new.max_checkpoints == 0 {
        tracing::warn!("[plugin.conf] not reloaded: max_checkpoints must be at least 1");
        return;
    }
    let mut now = Vec::new();
    if new.max_checkpoints != config.max_checkpoints {
        store.set_max(new.max_checkpoints);
        now.push(format!("max_checkpoints is now {}", new.max_checkpoints));
    }
    let mut later = Vec::new();
    if new.config_dir != config.config_dir {
        later.push("config_dir");
    }
    if new.state_dir != config.state_dir {
        later.push("state_dir");
    }
    if new.apply_at_start != config.apply_at_start {
        later.push("apply_at_start");
    }
    if new.boot_timeout_ms != config.boot_timeout_ms {
        later.push("boot_timeout_ms");
    }
    if new.max_file_bytes != config.max_file_bytes {
        later.push("max_file_bytes");
    }
    if new.monitor_timeout_ms != config.monitor_timeout_ms {
        later.push("monitor_timeout_ms");
    }
    if !later.is_empty() {
        now.push(format!(
            "{} changed; the new value takes effect at the next start",
            later.join(", ")
        ));
    }
    if !now.is_empty() {
        tracing::info!("[plugin.conf] reloaded: {}", now.join("; "));
    }
    // Keep the values in force: those of the start for what needs one.
    config.max_checkpoints = new.max_checkpoints;
}

/// Starts the boot path on a task of its own (the commander asks this
/// plugin for checkpoints while it works): first, if the daemon stopped
/// in the middle of an apply, or while an apply awaited `Commit`, roll back
/// to its checkpoint; then have the commander apply the saved state.
fn boot(
    ctx: &Context,
    saved: &SavedState,
    store: &Store,
    config: &Config,
    missing: &Missing,
    mut link_events: mpsc::UnboundedReceiver<LinkEvent>,
) {
    let pending = store.pending().unwrap_or_else(|e| {
        tracing::warn!("{e}");
        None
    });
    let marked = store.in_progress().ok().flatten();
    let interrupted = interrupted_apply(saved, store);
    let marker = store.pending_path();
    let in_progress = store.in_progress_path();
    let (ctx, saved) = (ctx.clone(), saved.clone());
    let timeout = Duration::from_millis(config.boot_timeout_ms);
    let monitor_timeout = Duration::from_millis(config.monitor_timeout_ms);
    let missing = missing.clone();
    tokio::spawn(async move {
        let rolled_back = match &interrupted {
            Some(id) => roll_back_interrupted(&ctx, id, timeout).await,
            None => true,
        };
        // Kept when the rollback failed, so that the next start tries
        // again; cleared only if it is still ours (an apply a client sent
        // meanwhile marks its own).
        let still_ours = match store::read_in_progress(&in_progress) {
            Ok(now) => now == marked,
            Err(_) => true,
        };
        if rolled_back
            && still_ours
            && let Err(e) = store::clear_pending(&in_progress)
        {
            tracing::warn!("{e}");
        }
        if let Some(id) = pending {
            if interrupted.as_ref() != Some(&id) {
                roll_back_pending(&ctx, &id, timeout).await;
            }
            if let Err(e) = store::clear_pending(&marker) {
                tracing::warn!("{e}");
            }
        }
        let mut watched = apply_saved(&ctx, &saved, timeout, &missing, monitor_timeout).await;
        while let Some(event) = link_events.recv().await {
            match event {
                LinkEvent::Saved => match saved.load() {
                    Ok(state) => {
                        let state = state.unwrap_or_default();
                        watch(&ctx, &state, &missing, &mut watched, monitor_timeout).await;
                    }
                    Err(e) => tracing::warn!("{e}; the links watched stay as they were"),
                },
                LinkEvent::Appeared(name) if watched.contains_key(&name) => {
                    missing.lock().remove(&name);
                    apply_part(&ctx, &saved, &name, &missing, timeout).await;
                }
                LinkEvent::Gone(name) if watched.contains_key(&name) => {
                    missing.lock().insert(name.clone());
                    tracing::warn!(
                        "{name}: its link went away: its part of the saved state will be applied again when it comes back"
                    );
                }
                _ => {}
            }
        }
    });
}

/// The checkpoint to roll back to because the daemon stopped during the
/// apply that took it: the apply-in-progress mark names it, and the saved
/// state is still the one the checkpoint recorded (an apply is saved only
/// once verified, so a saved state that changed since means the apply got
/// that far, and is kept). Logs what it finds, either way.
fn interrupted_apply(saved: &SavedState, store: &Store) -> Option<String> {
    let id = match store.in_progress() {
        Ok(Some(id)) => id,
        Ok(None) => {
            tracing::info!(
                "no apply was interrupted (no apply-in-progress mark): nothing to roll back"
            );
            return None;
        }
        Err(e) => {
            tracing::error!("{e}; no rollback at start");
            return None;
        }
    };
    let record = match store.get(Some(&id)) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(
                "the apply of checkpoint {id} was interrupted, but the checkpoint can't be read, so it can't be rolled back: {e}"
            );
            return None;
        }
    };
    let now_saved = saved.load().unwrap_or_else(|e| {
        tracing::warn!("{e}");
        None
    });
    if now_saved != record.saved {
        tracing::warn!(
            "the apply of checkpoint {id} ({}) was interrupted after it was verified and saved: it is kept, nothing to roll back",
            record.created_by.summary
        );
        return None;
    }
    tracing::warn!(
        "the apply of checkpoint {id} ({}) was interrupted before it was verified and saved (the daemon was killed or stopped by its deadline): rolling back to {id}",
        record.created_by.summary
    );
    Some(id)
}

/// Whether the rollback worked; logs the outcome.
async fn roll_back_interrupted(ctx: &Context, id: &str, timeout: Duration) -> bool {
    match ask_rollback(ctx, id, timeout).await {
        Ok(()) => {
            tracing::warn!(
                "rolled back to checkpoint {id}: the network is as before the interrupted apply"
            );
            true
        }
        Err(e) => {
            tracing::error!(
                "rolling back the interrupted apply to checkpoint {id} failed (the next start tries again): {e}"
            );
            false
        }
    }
}

/// Asks the commander to roll back to checkpoint `id`.
async fn ask_rollback(ctx: &Context, id: &str, timeout: Duration) -> Result<()> {
    let call = ApiCall::new(
        "boot",
        Rollback(CheckpointRequest {
            checkpoint: Some(id.to_string()),
        }),
    );
    ctx.ask_within(&call, timeout).await.map(|_| ())
}

async fn roll_back_pending(ctx: &Context, id: &str, timeout: Duration) {
    tracing::warn!("checkpoint {id} awaited Commit when the daemon stopped: rolling back to it");
    match ask_rollback(ctx, id, timeout).await {
        Ok(()) => tracing::warn!("rolled back to checkpoint {id}, which was never committed"),
        Err(e) => tracing::error!("rolling back to the uncommitted checkpoint {id} failed: {e}"),
    }
}

/// Reads the saved state and has the commander apply what can be
/// applied now: all of it but the saved interfaces nipart can't create
/// whose link is missing (and the routes through them). Returns the
/// interfaces whose link the monitor now watches.
async fn apply_saved(
    ctx: &Context,
    saved: &SavedState,
    timeout: Duration,
    missing: &Missing,
    monitor_timeout: Duration,
) -> Watched {
    let path = saved.path().display().to_string();
    let state = match saved.load() {
        Ok(Some(s)) if s.is_empty() => {
            tracing::info!("{path} is empty: nothing to apply at start");
            return Watched::new();
        }
        Ok(Some(s)) => s,
        Ok(None) => {
            tracing::info!("no saved state at {path}: nothing to apply at start");
            return Watched::new();
        }
        Err(e) => {
            // The network is left as it is, and the file as it was.
            tracing::error!("{e}; nothing of it was applied");
            let _ = ctx.announce(&LoadFailed {
                path,
                error: e.to_string(),
            });
            return Watched::new();
        }
    };
    let mut watched = Watched::new();
    watch(ctx, &state, missing, &mut watched, monitor_timeout).await;
    let absent = missing.lock().clone();
    let now = waiting::without(&state, &absent);
    let waiting_note = if absent.is_empty() {
        String::new()
    } else {
        let names = absent.iter().cloned().collect::<Vec<_>>().join(", ");
        tracing::warn!(
            "waiting for the link of {names}: not there at start, and nipart does not create it; its part of the saved state {path} will be applied when it appears"
        );
        let on = waiting::stacked(&state, &absent);
        if on.is_empty() {
            format!(" (but for {names}, waiting for its link)")
        } else {
            let on = on.into_iter().collect::<Vec<_>>().join(", ");
            tracing::warn!(
                "{on}: stacked on an interface waiting for its link: applied when that appears"
            );
            format!(" (but for {names}, waiting for its link, and {on}, stacked on it)")
        }
    };
    if now.is_empty() {
        tracing::info!("nothing to apply at start{waiting_note}");
        return watched;
    }
    tracing::info!(
        "applying the saved state {path} ({} interfaces){waiting_note}",
        now.interfaces.len()
    );
    let report = match apply(ctx, &now, timeout).await {
        Ok(()) => {
            tracing::info!("the saved state {path} is applied{waiting_note}");
            BootApplied {
                path,
                ok: true,
                error: None,
            }
        }
        Err(e) => {
            tracing::error!("applying the saved state {path} failed: {e}");
            BootApplied {
                path,
                ok: false,
                error: Some(e.to_string()),
            }
        }
    };
    let _ = ctx.announce(&report);
    watched
}

/// Has the commander apply `state`, which is saved already, through the
/// normal workflow (validate, checkpoint, apply, verify, rollback).
async fn apply(ctx: &Context, state: &NetworkState, timeout: Duration) -> Result<()> {
    let call = ApiCall {
        method: "boot".into(),
        parameters: ApplyRequest {
            state: state.to_value(),
            // It is the saved state already.
            options: ApplyOptions {
                memory_only: true,
                ..ApplyOptions::default()
            },
        },
        more: true,
        caller: None,
    };
    ctx.ask_within(&call, timeout).await.map(|_| ())
}

/// The links conf watches: by interface name, the ids of its two rules.
type Watched = BTreeMap<String, [u64; 2]>;

/// Registers monitor rules on the link of each saved interface nipart
/// can't create not watched yet: one when it goes away, one when it
/// appears (persistent: each time). Marks those missing now in `missing`
/// (the rule's answer says whether its link exists, at the same instant as
/// the rule starts watching: nothing falls between). Stops watching those
/// no longer saved. Without a monitor nothing is watched (and the boot
/// apply is the saved state whole, as before).
async fn watch(
    ctx: &Context,
    state: &NetworkState,
    missing: &Missing,
    watched: &mut Watched,
    timeout: Duration,
) {
    let me = Address::plugin(ctx.name()).to_string();
    let now: BTreeSet<String> = waiting::watched(state).into_iter().collect();
    let dropped: Vec<String> = watched
        .keys()
        .filter(|name| !now.contains(*name))
        .cloned()
        .collect();
    for name in dropped {
        missing.lock().remove(&name);
        for id in watched.remove(&name).into_iter().flatten() {
            if let Err(e) = ctx.ask_within(&RuleRemove { id }, timeout).await {
                tracing::debug!("{name}: removing monitor rule {id}: {e}");
            }
        }
        tracing::info!("{name}: no longer in the saved state: its link is not watched any more");
    }
    let new: Vec<String> = now
        .into_iter()
        .filter(|name| !watched.contains_key(name))
        .collect();
    for (i, name) in new.iter().enumerate() {
        let link = LinkWatch {
            interface: name.clone(),
        };
        let gone = FollowUp::notice(&me, &LinkGone(link.clone()));
        let appeared = FollowUp::notice(&me, &LinkAppeared(link));
        // First the removal: a link that goes away right after the
        // second rule's answer is then seen by the first.
        let rules = async {
            let gone = rule(ctx, name, Condition::Removed, gone?, timeout).await?;
            let appeared = rule(ctx, name, Condition::Added, appeared?, timeout).await?;
            Ok::<_, Error>((gone, appeared))
        };
        match rules.await {
            Ok((gone, appeared)) => {
                if !appeared.holds {
                    missing.lock().insert(name.clone());
                }
                watched.insert(name.clone(), [gone.id, appeared.id]);
            }
            Err(e) => {
                tracing::warn!(
                    "the links of {} are not watched, so their part of the saved state is not applied when they appear (it needs the monitor plugin, role monitor): {e}",
                    new[i..].join(", ")
                );
                return;
            }
        }
    }
}

/// Registers a persistent rule on the link `name` that fires on the next
/// change to `condition`.
async fn rule(
    ctx: &Context,
    name: &str,
    condition: Condition,
    event: FollowUp,
    timeout: Duration,
) -> Result<RuleAdded> {
    let rule = RuleAdd {
        interface: RuleInterface::Name(name.to_string()),
        condition,
        event,
        persistent: true,
        fire_if_holds: false,
    };
    ctx.ask_within(&rule, timeout).await
}

/// The link of `name` appeared: reads the saved state again (an apply may
/// have changed it since the start) and has the commander apply its part.
async fn apply_part(
    ctx: &Context,
    saved: &SavedState,
    name: &str,
    missing: &Missing,
    timeout: Duration,
) {
    let path = saved.path().display().to_string();
    let state = match saved.load() {
        Ok(Some(s)) => s,
        Ok(None) => NetworkState::default(),
        Err(e) => {
            tracing::error!("{name}: its link appeared, but {e}; nothing of it was applied");
            return;
        }
    };
    let absent = missing.lock().clone();
    let Some(part) = waiting::part(&state, name, &absent) else {
        tracing::info!(
            "{name}: its link appeared; it is no longer in the saved state {path}: nothing to apply"
        );
        return;
    };
    tracing::info!("{name}: its link appeared: applying its part of the saved state {path}");
    match apply(ctx, &part, timeout).await {
        Ok(()) => tracing::info!("{name}: its part of the saved state {path} is applied"),
        Err(e) => {
            tracing::error!("{name}: applying its part of the saved state {path} failed: {e}")
        }
    }
}

nipart_plugin_api::register_plugin!(Conf);
nipart_plugin_api::export_plugins!();

#[cfg(test)]
mod config_keys_tests {
    use nipart_plugin_api::Plugin;

    /// `CONFIG_KEYS` names keys the configuration type reads, with their types.
    #[test]
    fn the_declared_keys_are_the_configurations() {
        let sample = nipart_plugin_api::config_keys_sample(<super::Conf as Plugin>::CONFIG_KEYS);
        if let Err(e) = serde_json::from_value::<super::Config>(sample) {
            panic!("CONFIG_KEYS and the configuration type differ: {e}");
        }
    }
}
