//! The `state` plugin: validates and sanitizes desired states, merges them
//! with the current state (nmstate's partial-state meaning), works out what
//! each plugin applies and what to verify, and compares states.
//!
//! Role `state`. Requests (see `docs/plugins/state.md`):
//! - `state.plan` ([`PlanRequest`]) → [`Plan`](nipart_plugin_api::state::Plan)
//! - `state.revert-plan` ([`RevertRequest`]) → [`Plan`](nipart_plugin_api::state::Plan)
//! - `state.verify` ([`VerifyRequest`]) → [`VerifyReport`]

mod plan;
mod settable;

use nipart_plugin_api::{
    Context, Error, ErrorKind, Event, EventState, Plugin, Result,
    state::{PlanRequest, RevertRequest, VerifyReport, VerifyRequest, differences, topics},
};

struct State;

impl Plugin for State {
    const NAME: &'static str = "state";
    const DESCRIPTION: &'static str = "validates desired network state and plans its apply";
    const ROLES: &'static [&'static str] = &["state"];

    fn new() -> Result<Self> {
        Ok(State)
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        if event.state != EventState::Todo || !event.request {
            return Ok(());
        }
        match event.topic.as_str() {
            topics::PLAN => {
                let req: PlanRequest = event.json()?;
                let plan = plan::plan(&req.desired, &req.current)?;
                ctx.reply(&event, &plan)
            }
            topics::REVERT_PLAN => {
                let req: RevertRequest = event.json()?;
                ctx.reply(&event, &plan::revert_plan(&req.checkpoint, &req.current))
            }
            topics::VERIFY => {
                let req: VerifyRequest = event.json()?;
                let report = VerifyReport {
                    differences: differences(&req.desired, &req.current),
                };
                ctx.reply(&event, &report)
            }
            other => Err(Error::new(
                ErrorKind::Unsupported,
                format!("the state plugin does not handle {other:?}"),
            )),
        }
    }
}

nipart_plugin_api::register_plugin!(State);
nipart_plugin_api::export_plugins!();
