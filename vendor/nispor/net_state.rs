// SPDX-License-Identifier: Apache-2.0

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tokio::runtime;

use super::query::{
    get_ifaces, get_mptcp, get_route_rules, get_routes, merge_mptcp_info,
};
use crate::{
    Iface, Mptcp, NetStateFilter, NetStateIfaceFilter, NisporError, Route,
    RouteRule,
};

#[derive(Serialize, Deserialize, Debug, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub struct NetState {
    pub ifaces: HashMap<String, Iface>,
    pub routes: Vec<Route>,
    pub rules: Vec<RouteRule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mptcp: Option<Mptcp>,
}

impl NetState {
    pub fn retrieve() -> Result<NetState, NisporError> {
        Self::retrieve_with_filter(&NetStateFilter::default())
    }

    // TODO: autoconvert NetState to NetConf and provide apply() here

    pub fn retrieve_with_filter(
        filter: &NetStateFilter,
    ) -> Result<NetState, NisporError> {
        let rt = runtime::Builder::new_current_thread().enable_io().build()?;
        rt.block_on(Self::retrieve_with_filter_async(filter))
    }

    /// nipart's patch: the routes (with `route`) and the rules (with
    /// `rules`) alone, their interfaces named from the caller's
    /// `ifname_to_index` instead of a link dump of nispor's own (the
    /// caller has read the links already). `ifaces` is empty.
    pub async fn retrieve_routes_async(
        ifname_to_index: &HashMap<String, u32>,
        route: Option<&crate::NetStateRouteFilter>,
        rules: bool,
    ) -> Result<NetState, NisporError> {
        let routes = match route {
            Some(filter) => get_routes(ifname_to_index, Some(filter)).await?,
            None => Vec::new(),
        };
        let rules = if rules {
            get_route_rules().await?
        } else {
            Vec::new()
        };
        Ok(NetState {
            ifaces: HashMap::new(),
            routes,
            rules,
            mptcp: None,
        })
    }

    pub async fn retrieve_with_filter_async(
        filter: &NetStateFilter,
    ) -> Result<NetState, NisporError> {
        let mut ifaces = if filter.iface.is_none() {
            get_ifaces(Some(&NetStateIfaceFilter::minimum())).await?
        } else {
            get_ifaces(filter.iface.as_ref()).await?
        };

        let mut ifname_to_index = HashMap::new();
        for iface in ifaces.values() {
            ifname_to_index.insert(iface.name.clone(), iface.index);
        }

        let routes = if filter.route.is_some() {
            get_routes(&ifname_to_index, filter.route.as_ref()).await?
        } else {
            Vec::new()
        };

        let rules = if filter.route_rule.is_some() {
            get_route_rules().await?
        } else {
            Vec::new()
        };

        let mptcp =
            if filter.iface.as_ref().map(|f| f.include_mptcp) == Some(true) {
                match get_mptcp().await {
                    Ok(mut mptcp) => {
                        merge_mptcp_info(&mut ifaces, &mut mptcp);
                        Some(mptcp)
                    }
                    Err(e) => {
                        // The MPTCP address querying need net_admin permission
                        // we should ignore the failure of that.
                        log::info!("Failed to query MPTCP: {e}");
                        None
                    }
                }
            } else {
                None
            };
        if filter.iface.is_none() {
            ifaces = HashMap::new();
        }
        Ok(NetState {
            ifaces,
            routes,
            rules,
            mptcp,
        })
    }
}
