//! Adding and removing single addresses by netlink; removing exactly.
//!
//! nispor deletes an address with `IFA_ADDRESS` alone; for IPv4 the kernel
//! then takes the first address *in the same subnet* with that prefix
//! length (usually the primary one, which takes its secondaries with it),
//! so removing `192.0.2.11/24` next to `192.0.2.10/24` removed both. Here
//! the request also names `IFA_LOCAL`, which the kernel matches exactly.

use std::{ffi::CString, net::IpAddr};

use nipart_plugin_api::{Error, ErrorKind, Result, state::IpAddress};

use crate::{
    error::from_netlink,
    netlink::{Connection, done_if},
};
use rtnetlink::packet_route::{
    AddressFamily,
    address::{AddressAttribute, AddressMessage},
};

/// The index of interface `name` in this thread's network namespace.
pub(crate) fn index_of(name: &str) -> Result<u32> {
    let c = CString::new(name)
        .map_err(|_| Error::invalid_input(format!("interface name {name:?} contains NUL")))?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call;
    // if_nametoindex only reads it.
    let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if index == 0 {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("{name}: no such interface"),
        ));
    }
    Ok(index)
}

/// Adds (replacing: an address already there gets the request's
/// properties) the addresses of each `(interface, addresses)` of `list`,
/// permanent, on one netlink socket; stops at the first the kernel refuses,
/// with its reason.
pub async fn add(list: Vec<(String, Vec<IpAddress>)>) -> Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    let handle = Connection::open()?;
    for (iface, addresses) in &list {
        let index = index_of(iface)?;
        for a in addresses {
            handle
                .address()
                .add(index, a.ip, a.prefix_length)
                .replace()
                .execute()
                .await
                .map_err(|e| from_netlink(&format!("adding address {a} to {iface}"), e))?;
        }
    }
    Ok(())
}

/// Removes each of `addresses` from interface `iface`; an address that is
/// gone already is not an error.
pub async fn remove(iface: &str, addresses: &[IpAddress]) -> Result<()> {
    if addresses.is_empty() {
        return Ok(());
    }
    let index = index_of(iface)?;
    let handle = Connection::open()?;
    for a in addresses {
        let mut msg = AddressMessage::default();
        msg.header.index = index;
        msg.header.prefix_len = a.prefix_length;
        msg.header.family = match a.ip {
            IpAddr::V4(_) => AddressFamily::Inet,
            IpAddr::V6(_) => AddressFamily::Inet6,
        };
        msg.attributes.push(AddressAttribute::Local(a.ip));
        msg.attributes.push(AddressAttribute::Address(a.ip));
        let sent = handle.address().del(msg).execute().await;
        done_if(libc::EADDRNOTAVAIL, sent)
            .map_err(|e| from_netlink(&format!("removing address {a} from {iface}"), e))?;
    }
    Ok(())
}
