//! The fixture of the start-up benchmark: a plugin that does nothing. The
//! benchmark loads 100 copies of its library, patching the fixed-length
//! name `bench-startup-000` in each copy to `bench-startup-001` ... `-099`.

use nipart_plugin_api::{Context, Event, Plugin, Result};

struct Idle;

impl Plugin for Idle {
    /// Keep this exact length: the benchmark patches the last three digits.
    const NAME: &'static str = "bench-startup-000";
    const DESCRIPTION: &'static str = "nipart start-up benchmark fixture";

    fn new() -> Result<Self> {
        Ok(Idle)
    }

    async fn handle_event(&mut self, _ctx: &Context, _event: Event) -> Result<()> {
        Ok(())
    }
}

nipart_plugin_api::register_plugin!(Idle);
nipart_plugin_api::export_plugins!();
