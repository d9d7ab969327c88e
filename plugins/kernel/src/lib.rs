//! The `kernel` plugin: queries the kernel's network state with nispor into
//! the shared schema, and applies the kernel's part of a desired state.
//!
//! Role `kernel`. Requests (see `docs/plugins/kernel.md`):
//! - `network.query` ([`QueryRequest`]) → [`NetworkState`](nipart_plugin_api::state::NetworkState)
//! - `network.apply` ([`ApplyPart`]) → [`PartApplied`]
//! - `kernel.ip.change` ([`IpChange`]) → [`PartApplied`]: single addresses
//!   (with lifetimes) and routes, as the `dhcp` plugin applies a lease
//!
//! Everything runs on the plugin's own thread, so in the network namespace
//! of the thread that started the daemon.
//!
//! Layout (as nispor's): one entry point each way (`query`, `apply`), the
//! common parts of a link there, addresses in `ip`, routes in `route`,
//! routing rules in `route_rule` (read by nispor, written by netlink), and
//! each interface type's own properties in a module of `iface`, behind one
//! trait and registered in one table (see `docs/plugins/kernel.md`, "Adding
//! an interface type"). nispor's and the system's errors keep their kind
//! through `error`. The one state the plugin keeps is `ra_routes`: the
//! listeners that place the routes of router advertisements in a table
//! other than main (stopped at shutdown, their routes left to expire).

mod address;
mod apply;
mod autoconf;
mod error;
mod iface;
mod inet6_conf;
mod ip;
mod ip_change;
mod link;
mod link_dump;
mod netlink;
mod query;
mod ra_routes;
mod route;
mod route_rule;
mod rtnl_dump;

use nipart_plugin_api::{
    Context, Error, ErrorKind, Event, Plugin, Result, Role,
    state::{ApplyPart, IpChange, PartApplied, QueryRequest},
};

nipart_plugin_api::incoming! {
    /// The requests role `kernel` answers.
    enum Incoming {
        Query(QueryRequest),
        Apply(ApplyPart),
        IpChange(IpChange),
    }
}

struct Kernel {
    /// The interfaces whose router advertisement routes go in a table
    /// other than main: placed by this plugin.
    ra: ra_routes::RaRoutes,
}

impl Plugin for Kernel {
    const NAME: &'static str = "kernel";
    const DESCRIPTION: &'static str = "queries and applies kernel network state (nispor)";
    const ROLES: &'static [&'static str] = &[Role::KERNEL.as_str()];
    const READS_NO_CONFIG: bool = true;

    fn new() -> Result<Self> {
        Ok(Kernel {
            ra: ra_routes::RaRoutes::default(),
        })
    }

    /// The listeners stop; the routes they placed stay until they expire
    /// or a daemon takes them again (see `ra_routes`).
    async fn shutdown(&mut self, _ctx: &Context) -> Result<()> {
        self.ra.stop();
        Ok(())
    }

    async fn handle_event(&mut self, ctx: &Context, event: Event) -> Result<()> {
        if !event.request || event.ref_id.is_some() {
            return Ok(());
        }
        match Incoming::decode(&event)? {
            Some(Incoming::Query(req)) => match query::query(req.interface.as_deref()).await {
                Ok(mut state) => {
                    self.ra.show(&mut state);
                    ctx.answer::<QueryRequest>(&event, &state)
                }
                // Expected (`show` of a name that isn't there): the caller
                // reports it; answered here so that it is not logged as a
                // failure of this plugin too.
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    tracing::debug!("{}: {e}", event.topic);
                    ctx.reply_error(&event, &e)
                }
                Err(e) => Err(e),
            },
            Some(Incoming::Apply(part)) => {
                let mut changes = apply::apply(&part.state, &self.ra, part.rollback).await?;
                changes.extend(self.ra.sync(&part.state, part.rollback).await?);
                for c in &changes {
                    tracing::info!("{}{c}", if part.rollback { "rollback: " } else { "" });
                }
                ctx.answer::<ApplyPart>(&event, &PartApplied { changes })
            }
            Some(Incoming::IpChange(change)) => {
                let changes = ip_change::apply(&change).await?;
                for c in &changes {
                    tracing::info!("{c}");
                }
                ctx.answer::<IpChange>(&event, &PartApplied { changes })
            }
            None => Err(Error::new(
                ErrorKind::Unsupported,
                format!("the kernel plugin does not handle {:?}", event.topic),
            )),
        }
    }
}

nipart_plugin_api::register_plugin!(Kernel);
nipart_plugin_api::export_plugins!();
