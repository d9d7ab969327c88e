//! Values a desired state may set on an interface: a MAC address must be
//! unicast, an address a host address (see
//! [`check_unicast_mac`] and [`check_interface_address`]). A value the
//! interface already has is let through, so that a state shown by `Show`
//! (where `lo` has the MAC address `00:00:00:00:00:00`) applies again.

use nipart_plugin_api::state::{
    Interface, IpAddress, IpConfig, StateError, check_interface_address, check_unicast_mac,
};

/// Checks what `desired` (at `path`) would newly set, against `current`,
/// the same interface as it is now (`None` if it is to be created).
pub fn check_new_values(
    desired: &Interface,
    current: Option<&Interface>,
    path: &str,
) -> Result<(), StateError> {
    if let Some(mac) = &desired.mac_address
        && current.and_then(|c| c.mac_address.as_ref()) != Some(mac)
    {
        check_unicast_mac(mac, &format!("{path}.mac-address"))?;
    }
    // The addresses of a section, none when it is not given.
    let addresses = |ip: Option<&IpConfig>| -> Vec<IpAddress> {
        ip.and_then(|c| c.address.clone()).unwrap_or_default()
    };
    let sections = [
        (
            "ipv4",
            desired.ipv4.as_ref(),
            current.and_then(|c| c.ipv4.as_ref()),
        ),
        (
            "ipv6",
            desired.ipv6.as_ref(),
            current.and_then(|c| c.ipv6.as_ref()),
        ),
    ];
    for (key, want, have) in sections {
        let had = addresses(have);
        for (j, a) in addresses(want).iter().enumerate() {
            if !had.contains(a) {
                check_interface_address(a, &format!("{path}.{key}.address[{j}]"))?;
            }
        }
    }
    Ok(())
}
