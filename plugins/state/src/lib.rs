//! The `state` plugin: validates and sanitizes desired states, merges them
//! with the current state (nmstate's partial-state meaning), works out what
//! each plugin applies and what to verify, and compares states.
//!
//! Role `state`. Requests (see `docs/plugins/state.md`):
//! - `state.plan` ([`PlanRequest`]) → [`Plan`](nipart_plugin_api::state::Plan)
//! - `state.revert-plan` ([`RevertRequest`]) → [`Plan`](nipart_plugin_api::state::Plan)
//! - `state.verify` ([`VerifyRequest`]) → [`VerifyReport`]
//!
//! Modules: `plan` (the plan of a desired state and of a revert, what to
//! verify), `sanitize` (the named passes that check and complete a desired
//! state), `settable` (values a state may newly set), `ovs_parts` (what
//! of a state goes to role `ovs` and what to the kernel, before and after).

mod ovs_parts;
mod plan;
mod sanitize;
mod settable;
mod stacked;

use nipart_plugin_api::{
    Context, Event, EventState, Plugin, Result, Role,
    state::{PlanRequest, RevertRequest, VerifyReport, VerifyRequest, differences},
};

nipart_plugin_api::incoming! {
    /// What the state plugin answers.
    enum Call {
        Plan(PlanRequest),
        RevertPlan(RevertRequest),
        Verify(VerifyRequest),
    }
}

struct State;

impl Plugin for State {
    const NAME: &'static str = "state";
    const DESCRIPTION: &'static str = "validates desired network state and plans its apply";
    const ROLES: &'static [&'static str] = &[Role::STATE.as_str()];
    const READS_NO_CONFIG: bool = true;

    fn new() -> Result<Self> {
        Ok(State)
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        if event.state != EventState::Todo || !event.request {
            return Ok(());
        }
        match Call::decode(&event)? {
            Some(Call::Plan(req)) => {
                let plan = plan::plan(&req.desired, &req.current)?;
                ctx.answer::<PlanRequest>(&event, &plan)
            }
            Some(Call::RevertPlan(req)) => ctx
                .answer::<RevertRequest>(&event, &plan::revert_plan(&req.checkpoint, &req.current)),
            Some(Call::Verify(req)) => {
                let report = VerifyReport {
                    differences: differences(&req.desired, &req.current),
                };
                ctx.answer::<VerifyRequest>(&event, &report)
            }
            None => Err(nipart_plugin_api::Error::new(
                nipart_plugin_api::ErrorKind::Unsupported,
                format!("the state plugin does not handle {:?}", event.topic),
            )),
        }
    }
}

nipart_plugin_api::register_plugin!(State);
nipart_plugin_api::export_plugins!();
