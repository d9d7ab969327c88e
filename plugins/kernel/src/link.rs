//! Link requests the plugin sends by netlink itself, for what nispor's
//! conf has no field for: creating and changing MAC-VLAN and MAC-VTAP
//! links, and promiscuous mode (`accept-all-mac-addresses`).

use nipart_plugin_api::Result;
use rtnetlink::{LinkUnspec, packet_route::link::LinkMessage};

use crate::{error::from_netlink, iface::LinkRequest, netlink::Connection};

/// The request setting promiscuous mode on `name`.
pub(crate) fn promiscuous(name: &str, on: bool) -> LinkRequest {
    LinkRequest::Change(LinkUnspec::new_with_name(name).promiscuous(on).build())
}

/// Sends `requests` in order, each `(interface, request)`; stops at the
/// first the kernel refuses, with the kernel's reason.
pub(crate) async fn send(requests: Vec<(String, LinkRequest)>) -> Result<()> {
    if requests.is_empty() {
        return Ok(());
    }
    let handle = Connection::open()?;
    for (name, r) in requests {
        let (what, sent) = match r {
            LinkRequest::Add(m) => ("creating", add(&handle, m).await),
            LinkRequest::Change(m) => ("changing", handle.link().change(m).execute().await),
        };
        sent.map_err(|e| from_netlink(&format!("{what} interface {name}"), e))?;
    }
    Ok(())
}

async fn add(
    handle: &rtnetlink::Handle,
    m: LinkMessage,
) -> std::result::Result<(), rtnetlink::Error> {
    handle.link().add(m).execute().await
}
