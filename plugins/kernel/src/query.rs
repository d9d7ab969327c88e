//! The kernel's state, read with nispor, in the shared schema.

use std::net::IpAddr;

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{
        BridgeConfig, BridgeOptions, BridgePort, Interface, InterfaceState, InterfaceType,
        IpAddress, IpConfig, NetworkState, Route, Routes, StpOptions, VethConfig,
        canonical_network, is_link_local,
    },
};
use nispor::{
    AddressFamily, BridgeStpState, Iface, IfaceFlag, IfaceType, NetState, NetStateFilter,
    NetStateIfaceFilter, NetStateRouteFilter, RouteProtocol, RouteType,
};

/// The local routing table: never reported.
const LOCAL_TABLE: u32 = 255;

pub(crate) fn nispor_error(what: &str, e: nispor::NisporError) -> Error {
    Error::new(ErrorKind::Other, format!("{what}: {e}"))
}

/// Queries the kernel: every interface (or only `only`) and the routes.
pub async fn query(only: Option<&str>) -> Result<NetworkState> {
    let mut filter = NetStateFilter::minimum();
    let mut iface_filter = NetStateIfaceFilter::minimum();
    iface_filter.include_ip_address = true;
    filter.iface = Some(iface_filter);
    filter.route = Some(NetStateRouteFilter::default());
    let np = NetState::retrieve_with_filter_async(&filter)
        .await
        .map_err(|e| nispor_error("querying the kernel with nispor", e))?;
    let mut state = convert(&np);
    if let Some(name) = only {
        if state.interface(name).is_none() {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("no interface named {name:?}"),
            ));
        }
        state.interfaces.retain(|i| i.name == name);
        for list in [&mut state.routes.config, &mut state.routes.running]
            .into_iter()
            .flatten()
        {
            list.retain(|r| r.next_hop_interface.as_deref() == Some(name));
        }
    }
    Ok(state)
}

/// Converts nispor's state into the schema (sorted).
pub fn convert(np: &NetState) -> NetworkState {
    let mut interfaces: Vec<Interface> = np.ifaces.values().map(|i| interface(i, np)).collect();
    interfaces.sort_by(|a, b| a.name.cmp(&b.name));
    let mut running: Vec<Route> = Vec::new();
    let mut config: Vec<Route> = Vec::new();
    for r in &np.routes {
        if r.route_type != RouteType::Unicast || r.table == LOCAL_TABLE {
            continue;
        }
        let v6 = r.address_family == AddressFamily::Ipv6;
        let dst = r.dst.clone().unwrap_or_else(|| {
            if v6 {
                "::/0".into()
            } else {
                "0.0.0.0/0".into()
            }
        });
        let Some((net, len)) = canonical_network(&dst) else {
            continue;
        };
        if is_link_local(&net) {
            continue; // fe80::/64 of every IPv6 interface
        }
        let route = Route {
            state: None,
            destination: Some(format!("{net}/{len}")),
            next_hop_interface: r.oif.clone(),
            next_hop_address: r
                .gateway
                .as_deref()
                .or(r.via.as_deref())
                .and_then(|g| g.parse::<IpAddr>().ok()),
            metric: Some(r.metric.unwrap_or(0)),
            table_id: Some(r.table),
        };
        if matches!(r.protocol, RouteProtocol::Static | RouteProtocol::Boot) {
            config.push(route.clone());
        }
        running.push(route);
    }
    config.sort();
    running.sort();
    NetworkState {
        interfaces,
        routes: Routes {
            config: Some(config),
            running: Some(running),
        },
    }
}

fn iface_type(t: &IfaceType) -> InterfaceType {
    match t {
        IfaceType::Veth => InterfaceType::Veth,
        IfaceType::Bridge => InterfaceType::LinuxBridge,
        IfaceType::Loopback => InterfaceType::Loopback,
        IfaceType::Ethernet => InterfaceType::Ethernet,
        _ => InterfaceType::Unknown,
    }
}

/// Whether IPv6 is enabled on `name`: `/proc/sys/net/ipv6/conf/NAME/disable_ipv6`
/// (read in the calling thread's network namespace).
fn ipv6_enabled(name: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/sys/net/ipv6/conf/{name}/disable_ipv6")) {
        Ok(s) => s.trim() == "0",
        Err(_) => false, // no IPv6 on this interface (or in the kernel)
    }
}

fn interface(i: &Iface, np: &NetState) -> Interface {
    let mut v4: Vec<IpAddress> = i
        .ipv4
        .as_ref()
        .map(|x| {
            x.addresses
                .iter()
                .filter_map(|a| {
                    Some(IpAddress {
                        ip: a.address.parse().ok()?,
                        prefix_length: a.prefix_len,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    v4.sort();
    let mut v6: Vec<IpAddress> = i
        .ipv6
        .as_ref()
        .map(|x| {
            x.addresses
                .iter()
                .filter_map(|a| {
                    Some(IpAddress {
                        ip: a.address.parse().ok()?,
                        prefix_length: a.prefix_len,
                    })
                })
                .filter(|a| !is_link_local(&a.ip))
                .collect()
        })
        .unwrap_or_default();
    v6.sort();
    let t = iface_type(&i.iface_type);
    let bridge = (t == InterfaceType::LinuxBridge).then(|| bridge(i, np));
    Interface {
        name: i.name.clone(),
        iface_type: Some(t),
        state: Some(if i.flags.contains(&IfaceFlag::Up) {
            InterfaceState::Up
        } else {
            InterfaceState::Down
        }),
        mtu: u32::try_from(i.mtu).ok(),
        mac_address: (!i.mac_address.is_empty()).then(|| i.mac_address.to_uppercase()),
        controller: i.controller.clone(),
        ipv4: Some(IpConfig {
            enabled: Some(!v4.is_empty()),
            dhcp: Some(false),
            autoconf: None,
            address: Some(v4),
            dhcp_lease: None,
        }),
        ipv6: Some(IpConfig {
            enabled: Some(ipv6_enabled(&i.name)),
            dhcp: Some(false),
            autoconf: Some(false),
            address: Some(v6),
            dhcp_lease: None,
        }),
        veth: i.veth.as_ref().map(|v| VethConfig {
            peer: v.peer.clone(),
        }),
        bridge,
    }
}

fn bridge(i: &Iface, np: &NetState) -> BridgeConfig {
    let info = i.bridge.as_ref();
    let stp = info.map(|b| StpOptions {
        enabled: b.stp_state.as_ref().map(|s| *s != BridgeStpState::Disabled),
        forward_delay: b.forward_delay.map(centis_to_secs),
        hello_time: b.hello_time.map(centis_to_secs),
        max_age: b.max_age.map(centis_to_secs),
        priority: b.priority,
    });
    let mut ports: Vec<BridgePort> = info
        .map(|b| b.ports.clone())
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let pi = np.ifaces.get(p).and_then(|x| x.bridge_port.as_ref());
            BridgePort {
                name: p.clone(),
                stp_hairpin_mode: pi.map(|x| x.hairpin_mode),
                stp_path_cost: pi.map(|x| x.stp_path_cost),
                stp_priority: pi.map(|x| x.stp_priority),
            }
        })
        .collect();
    ports.sort_by(|a, b| a.name.cmp(&b.name));
    BridgeConfig {
        options: Some(BridgeOptions { stp }),
        port: Some(ports),
    }
}

/// The kernel keeps bridge timers in hundredths of a second.
fn centis_to_secs(c: u32) -> u8 {
    u8::try_from((c + 50) / 100).unwrap_or(u8::MAX)
}
