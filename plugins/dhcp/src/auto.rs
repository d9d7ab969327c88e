//! What a client does with its lease besides the address: the `auto-*`
//! keys of the interface's desired `ipv4` (nmstate's names). Routes:
//! `auto-routes: false` installs none, `auto-gateway: false` no default
//! route (option 3, or a `0.0.0.0/0` of option 121), `auto-route-metric`
//! and `auto-route-table-id` place the rest. `auto-hostname` is reported
//! only: role `hostname` (the dns plugin) sets the name.

use nipart_plugin_api::{
    Error, Result,
    state::{DhcpSettings, IpConfig, IpRoute, MAIN_TABLE},
};

/// The kernel's `local` table: its own local and broadcast routes, looked
/// up before every other (rule 0). A lease's route there would take
/// precedence over the host's whole routing, and `show` leaves the table
/// out, so it is refused. Every other table (1 to 2^32-1, `default` 253
/// too) takes them.
const LOCAL_TABLE: u32 = 255;

/// The `auto-*` keys a client runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AutoSettings {
    pub gateway: bool,
    pub routes: bool,
    pub metric: Option<u32>,
    /// 0: main.
    pub table: u32,
    pub hostname: bool,
}

impl Default for AutoSettings {
    fn default() -> Self {
        AutoSettings {
            gateway: true,
            routes: true,
            metric: None,
            table: 0,
            hostname: false,
        }
    }
}

impl AutoSettings {
    /// The settings of `interface`'s desired `ipv4`; what it leaves out
    /// stays as in `d` (the running client's, else the defaults), as in
    /// nmstate a key not given keeps its value. The `local` table is
    /// refused.
    pub fn of(interface: &str, ip: Option<&IpConfig>, d: AutoSettings) -> Result<AutoSettings> {
        let Some(ip) = ip else { return Ok(d) };
        let table = ip.auto_route_table_id.unwrap_or(d.table);
        if table == LOCAL_TABLE {
            return Err(Error::invalid_input(format!(
                "{interface}: ipv4.auto-route-table-id {table}: that is the kernel's local table (its own local and broadcast routes, looked up before every other); give another table (0 for main)"
            )));
        }
        Ok(AutoSettings {
            gateway: ip.auto_gateway.unwrap_or(d.gateway),
            routes: ip.auto_routes.unwrap_or(d.routes),
            metric: ip.auto_route_metric.or(d.metric),
            table,
            hostname: ip.auto_hostname.unwrap_or(d.hostname),
        })
    }

    /// The routes to install of those a lease gives.
    pub fn select(&self, routes: Vec<IpRoute>) -> Vec<IpRoute> {
        if !self.routes {
            return Vec::new();
        }
        let table = (self.table != 0 && self.table != MAIN_TABLE).then_some(self.table);
        routes
            .into_iter()
            .filter(|r| self.gateway || !is_default(r))
            .map(|r| IpRoute {
                metric: self.metric,
                table,
                ..r
            })
            .collect()
    }

    /// What `Show` reports for `interface`.
    pub fn report(&self, interface: &str) -> DhcpSettings {
        DhcpSettings {
            interface: interface.to_string(),
            auto_gateway: self.gateway,
            auto_routes: self.routes,
            auto_route_metric: self.metric,
            auto_route_table_id: self.table,
            auto_hostname: self.hostname,
        }
    }
}

fn is_default(r: &IpRoute) -> bool {
    r.destination == "0.0.0.0/0"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(dst: &str) -> IpRoute {
        IpRoute {
            destination: dst.into(),
            gateway: Some("192.0.2.1".parse().unwrap()),
            metric: None,
            table: None,
        }
    }

    #[test]
    fn settings_pick_and_place_the_routes() {
        let lease = vec![route("0.0.0.0/0"), route("198.51.100.0/24")];
        let all = AutoSettings::default().select(lease.clone());
        assert_eq!(all, lease);
        let ip = IpConfig {
            auto_gateway: Some(false),
            auto_route_metric: Some(150),
            auto_route_table_id: Some(200),
            ..IpConfig::default()
        };
        let s = AutoSettings::of("e1", Some(&ip), AutoSettings::default()).unwrap();
        let picked = s.select(lease.clone());
        assert_eq!(picked.len(), 1);
        assert_eq!(picked[0].destination, "198.51.100.0/24");
        assert_eq!((picked[0].metric, picked[0].table), (Some(150), Some(200)));
        let none = IpConfig {
            auto_routes: Some(false),
            ..IpConfig::default()
        };
        assert!(
            AutoSettings::of("e1", Some(&none), AutoSettings::default())
                .unwrap()
                .select(lease.clone())
                .is_empty()
        );
        // Main, by number: no table given to the kernel.
        let main = IpConfig {
            auto_route_table_id: Some(254),
            ..IpConfig::default()
        };
        assert_eq!(
            AutoSettings::of("e1", Some(&main), AutoSettings::default())
                .unwrap()
                .select(lease)[0]
                .table,
            None
        );
        // What a later state leaves out stays.
        let later = AutoSettings::of("e1", Some(&none), s).unwrap();
        assert_eq!(
            (later.routes, later.gateway, later.metric),
            (false, false, Some(150))
        );
        // Any table but local.
        let big = IpConfig {
            auto_route_table_id: Some(u32::MAX),
            ..IpConfig::default()
        };
        let s = AutoSettings::of("e1", Some(&big), AutoSettings::default()).unwrap();
        assert_eq!(s.select(vec![route("0.0.0.0/0")])[0].table, Some(u32::MAX));
        let local = IpConfig {
            auto_route_table_id: Some(255),
            ..IpConfig::default()
        };
        let e = AutoSettings::of("e1", Some(&local), AutoSettings::default()).unwrap_err();
        assert!(
            e.to_string()
                .contains("e1: ipv4.auto-route-table-id 255: that is the kernel's local table"),
            "{e}"
        );
    }
}
