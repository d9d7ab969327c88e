//! A vendor's `conf`: the built-in role the commander asks for its
//! checkpoints and the saved desired state, served from memory (nothing
//! survives a restart). Every request is a type of
//! `nipart_plugin_api::protocol::conf` / `nipart_plugin_api::state`,
//! decoded by `incoming!` and answered with `ctx.answer::<R>`: no topic
//! string, no JSON value.

use nipart_plugin_api::{
    Context, Empty, Error, ErrorKind, Event, Plugin, Result,
    protocol::conf::{CheckpointInProgress, CheckpointListRequest},
    state::{
        CheckpointGet, CheckpointHistory, CheckpointPending, CheckpointRecord, CheckpointSave,
        CheckpointSummary, NetworkState, StateSave, StateSaved,
    },
};

nipart_plugin_api::incoming! {
    /// The requests of role `conf` (docs/protocol.md).
    enum Incoming {
        Save(CheckpointSave),
        Get(CheckpointGet),
        List(CheckpointListRequest),
        Pending(CheckpointPending),
        InProgress(CheckpointInProgress),
        StateSave(StateSave),
    }
}

struct VendorConf {
    /// Oldest first.
    checkpoints: Vec<CheckpointRecord>,
    next: u64,
    saved: Option<NetworkState>,
    pending: Option<String>,
    in_progress: Option<String>,
}

fn summary(r: &CheckpointRecord) -> CheckpointSummary {
    CheckpointSummary {
        id: r.id.clone(),
        time: r.time.clone(),
        created_by: r.created_by.summary.clone(),
    }
}

impl Plugin for VendorConf {
    const NAME: &'static str = "vendor-conf";
    const DESCRIPTION: &'static str = "serves role conf from memory";
    /// The built-in role: the commander's requests to `role:conf` come here.
    const ROLES: &'static [&'static str] = &["conf"];
    const SUBSCRIPTIONS: &'static [&'static str] = &[];

    fn new() -> Result<Self> {
        Ok(VendorConf {
            checkpoints: Vec::new(),
            next: 1,
            saved: None,
            pending: None,
            in_progress: None,
        })
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        if !event.request {
            return Ok(());
        }
        match Incoming::decode(&event)? {
            Some(Incoming::Save(save)) => {
                let record = CheckpointRecord {
                    id: format!("vendor-{}", self.next),
                    time: "1970-01-01T00:00:00Z".to_string(),
                    created_by: save.created_by,
                    running: save.running,
                    saved: self.saved.clone(),
                };
                self.next += 1;
                tracing::info!(id = %record.id, "checkpoint taken");
                let reply = summary(&record);
                self.checkpoints.push(record);
                ctx.answer::<CheckpointSave>(&event, &reply)
            }
            Some(Incoming::Get(get)) => {
                let found = match &get.id {
                    Some(id) => self.checkpoints.iter().find(|r| &r.id == id),
                    None => self.checkpoints.last(),
                };
                match found {
                    Some(record) => ctx.answer::<CheckpointGet>(&event, record),
                    None => Err(Error::new(
                        ErrorKind::NotFound,
                        format!("no checkpoint {}", get.id.as_deref().unwrap_or("at all")),
                    )),
                }
            }
            Some(Incoming::List(_)) => {
                let history = CheckpointHistory {
                    checkpoints: self.checkpoints.iter().map(summary).collect(),
                };
                ctx.answer::<CheckpointListRequest>(&event, &history)
            }
            Some(Incoming::Pending(p)) => {
                self.pending = p.id;
                ctx.answer::<CheckpointPending>(&event, &Empty {})
            }
            Some(Incoming::InProgress(p)) => {
                self.in_progress = p.id;
                ctx.answer::<CheckpointInProgress>(&event, &Empty {})
            }
            Some(Incoming::StateSave(save)) => {
                // Replace only (a real conf merges unless `replace`).
                let interfaces = save.desired.interfaces.len();
                self.saved = Some(save.desired);
                ctx.answer::<StateSave>(
                    &event,
                    &StateSaved {
                        path: "memory:".to_string(),
                        interfaces,
                    },
                )
            }
            None => Ok(()),
        }
    }
}

nipart_plugin_api::register_plugin!(VendorConf);
nipart_plugin_api::export_plugins!();
