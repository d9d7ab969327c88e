//! A well-behaved plugin, except that its library is built with
//! `panic = "abort"` (see Cargo.toml).

use nipart_plugin_api::{Context, Event, Plugin, Result};

pub struct PanicAbort;

impl Plugin for PanicAbort {
    const NAME: &'static str = "panic-abort";

    fn new() -> Result<Self> {
        Ok(PanicAbort)
    }

    async fn handle_event(&mut self, _ctx: &Context, _event: Event) -> Result<()> {
        Ok(())
    }
}

nipart_plugin_api::register_plugin!(PanicAbort);
nipart_plugin_api::export_plugins!();
