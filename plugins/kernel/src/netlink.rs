//! The plumbing of the plugin's own rtnetlink requests (what nispor's conf
//! has no field for): one connection per batch of requests, closed when
//! the batch is done however it ends, and the kernel's refusals a caller
//! takes as done ("gone already is not an error").

use std::ops::Deref;

use nipart_plugin_api::Result;
use rtnetlink::Handle;
use tokio::task::JoinHandle;

use crate::error::from_io;

/// An rtnetlink connection: its requests go through [`Handle`] (deref);
/// the task serving it ends when this is dropped, so that no early
/// return leaves a socket open.
pub(crate) struct Connection {
    handle: Handle,
    task: JoinHandle<()>,
}

impl Connection {
    /// Opens a netlink socket (in the calling thread's network namespace)
    /// and serves it on a task of the current runtime.
    pub(crate) fn open() -> Result<Connection> {
        let (conn, handle, _) =
            rtnetlink::new_connection().map_err(|e| from_io("opening a netlink socket", e))?;
        Ok(Connection {
            handle,
            task: tokio::spawn(conn),
        })
    }
}

impl Deref for Connection {
    type Target = Handle;

    fn deref(&self) -> &Handle {
        &self.handle
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `sent`, with the kernel's refusal `errno` taken as done: a route to
/// remove that is gone already (`ESRCH`), a rule (`ENOENT`), an address
/// (`EADDRNOTAVAIL`), or one to add that is there already (`EEXIST`).
pub(crate) fn done_if(
    errno: i32,
    sent: std::result::Result<(), rtnetlink::Error>,
) -> std::result::Result<(), rtnetlink::Error> {
    match sent {
        Err(rtnetlink::Error::NetlinkError(ref e)) if e.raw_code() == -errno => Ok(()),
        other => other,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rtnetlink::packet_route::{
        AddressFamily,
        route::{RouteAttribute, RouteMessage},
    };

    /// Runs `f` on a runtime of its own in a new network namespace.
    pub(crate) fn in_netns<T: Send + 'static>(
        f: impl AsyncFnOnce(&nipart_testkit::Netns) -> T + Send + 'static,
    ) -> T {
        let ns = std::sync::Arc::new(nipart_testkit::Netns::new());
        let inside = ns.clone();
        ns.run_inside(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(f(&inside))
        })
    }

    /// A removal of a route that is not there: the kernel's `ESRCH`, taken
    /// as done only when asked.
    #[test]
    fn a_refusal_is_done_only_for_its_number() {
        in_netns(async |_| {
            let conn = Connection::open().expect("a netlink socket");
            let mut m = RouteMessage::default();
            m.header.address_family = AddressFamily::Inet6;
            m.header.destination_prefix_length = 128;
            m.attributes.push(RouteAttribute::Destination(
                std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 9).into(),
            ));
            let sent = conn.route().del(m.clone()).execute().await;
            let Err(rtnetlink::Error::NetlinkError(ref e)) = sent else {
                panic!("removing a route that is not there: {sent:?}");
            };
            assert_eq!(e.raw_code(), -libc::ESRCH, "{e}");
            assert!(done_if(libc::ENOENT, sent).is_err(), "another number");
            let sent = conn.route().del(m).execute().await;
            assert!(done_if(libc::ESRCH, sent).is_ok());
        });
    }
}
