//! Parsing of the Open vSwitch sections (see [`crate::state::OvsBridgeConfig`]).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Obj, R, StateError, boolean, iface_name, int, join, keyword, list, port_vlan};
use crate::state::{
    MAX_OVN_MAPPINGS, MAX_OVS_DB_ENTRIES, MAX_OVS_DB_TEXT, MAX_OVS_PORTS, OVN_BRIDGE_MAPPINGS, Ovn,
    OvnBridgeMapping, OvnMappingState, OvsBond, OvsBondMode, OvsBondPort, OvsBridgeConfig,
    OvsBridgeOptions, OvsBridgePort, OvsDatapath, OvsDb, OvsDbGlobal, OvsDbMap, OvsFailMode,
    OvsPatch,
};

/// `bridge` of an `ovs-bridge`.
pub(super) fn bridge(v: &Value, path: &str) -> R<OvsBridgeConfig> {
    let mut o = Obj::new(path, v)?;
    let options = o.opt("options", |v, p| {
        let mut o = Obj::new(p, v)?;
        let out = OvsBridgeOptions {
            stp: o.opt("stp", stp)?,
            rstp: o.opt("rstp", boolean)?,
            mcast_snooping_enable: o.opt("mcast-snooping-enable", boolean)?,
            fail_mode: o.opt("fail-mode", |v, p| {
                keyword(v, p, OvsFailMode::ALL, OvsFailMode::as_str)
            })?,
            datapath: o.opt("datapath", |v, p| {
                keyword(v, p, OvsDatapath::ALL, OvsDatapath::as_str)
            })?,
        };
        o.finish()?;
        Ok(out)
    })?;
    let port = o.opt("port", |v, p| {
        let items = list(v, p)?;
        if items.len() > MAX_OVS_PORTS {
            return Err(StateError::new(
                p,
                format!("{} ports are more than {MAX_OVS_PORTS}", items.len()),
            ));
        }
        let mut out: Vec<OvsBridgePort> = Vec::with_capacity(items.len());
        let mut seen: Vec<(String, String)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let pp = format!("{p}[{i}]");
            let mut o = Obj::new(&pp, item)?;
            let port = OvsBridgePort {
                name: o.req("name", iface_name)?,
                vlan: o.opt("vlan", port_vlan)?,
                link_aggregation: o.opt("link-aggregation", bond)?,
            };
            o.finish()?;
            let mut names = vec![(port.name.clone(), join(&pp, "name"))];
            for (j, m) in port
                .link_aggregation
                .iter()
                .flat_map(|b| b.port.iter().flatten())
                .enumerate()
            {
                names.push((
                    m.name.clone(),
                    format!("{pp}.link-aggregation.port[{j}].name"),
                ));
            }
            for (name, at) in names {
                if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
                    return Err(StateError::new(
                        at,
                        format!("{name:?} is already given as {first}"),
                    ));
                }
                seen.push((name, join(&pp, "name")));
            }
            out.push(port);
        }
        Ok(out)
    })?;
    o.finish()?;
    Ok(OvsBridgeConfig { options, port })
}

/// `stp`: nmstate writes `stp: true` or `stp: {enabled: true}`.
fn stp(v: &Value, path: &str) -> R<bool> {
    if v.is_object() {
        let mut o = Obj::new(path, v)?;
        let enabled = o.req("enabled", boolean)?;
        o.finish()?;
        return Ok(enabled);
    }
    boolean(v, path)
}

fn bond(v: &Value, path: &str) -> R<OvsBond> {
    let mut o = Obj::new(path, v)?;
    let delay = |v: &Value, p: &str| int(v, p, 0, u64::from(u32::MAX)).map(|x| x as u32);
    let out = OvsBond {
        mode: o.opt("mode", |v, p| {
            keyword(v, p, OvsBondMode::ALL, OvsBondMode::as_str)
        })?,
        port: o.opt("port", |v, p| {
            let items = list(v, p)?;
            if items.len() > MAX_OVS_PORTS {
                return Err(StateError::new(
                    p,
                    format!("{} ports are more than {MAX_OVS_PORTS}", items.len()),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let pp = format!("{p}[{i}]");
                let mut m = Obj::new(&pp, item)?;
                out.push(OvsBondPort {
                    name: m.req("name", iface_name)?,
                });
                m.finish()?;
            }
            Ok(out)
        })?,
        bond_updelay: o.opt("bond-updelay", delay)?,
        bond_downdelay: o.opt("bond-downdelay", delay)?,
    };
    o.finish()?;
    if let Some(p) = &out.port
        && p.len() < 2
    {
        return Err(StateError::new(
            join(path, "port"),
            format!(
                "an OVS bond needs at least two interfaces, {} given",
                p.len()
            ),
        ));
    }
    Ok(out)
}

/// `patch` of an `ovs-interface`.
pub(super) fn patch(v: &Value, path: &str) -> R<OvsPatch> {
    let mut o = Obj::new(path, v)?;
    let peer = o.req("peer", iface_name)?;
    o.finish()?;
    Ok(OvsPatch { peer })
}

/// `ovs-db`.
pub(super) fn ovs_db(v: &Value, path: &str) -> R<OvsDb> {
    let mut o = Obj::new(path, v)?;
    let out = OvsDb {
        external_ids: o.opt("external_ids", text_map)?,
        other_config: o.opt("other_config", text_map)?,
    };
    o.finish()?;
    Ok(out)
}

/// A map of short texts; numbers and booleans are taken as their text, as
/// nmstate does.
fn text_map(v: &Value, path: &str) -> R<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (k, v) in nullable_text_map(v, path)? {
        let Some(v) = v else {
            return Err(StateError::new(
                join(path, &k),
                "expected a text, a number or a boolean",
            ));
        };
        out.insert(k, v);
    }
    Ok(out)
}

/// As [`text_map`], where `null` (remove the key) is also a value.
fn nullable_text_map(v: &Value, path: &str) -> R<OvsDbMap> {
    let Value::Object(map) = v else {
        return Err(StateError::new(path, "expected a mapping of texts"));
    };
    if map.len() > MAX_OVS_DB_ENTRIES {
        return Err(StateError::new(
            path,
            format!("{} entries are more than {MAX_OVS_DB_ENTRIES}", map.len()),
        ));
    }
    let mut out = BTreeMap::new();
    for (k, v) in map {
        let p = join(path, k);
        let text = match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            _ => return Err(StateError::new(p, "expected a text, a number or a boolean")),
        };
        if k.is_empty()
            || k.len() > MAX_OVS_DB_TEXT
            || text.as_ref().is_some_and(|t| t.len() > MAX_OVS_DB_TEXT)
        {
            return Err(StateError::new(
                p,
                format!(
                    "keys and values are 1..={MAX_OVS_DB_TEXT} bytes (the key at most, the value may be empty)"
                ),
            ));
        }
        out.insert(k.clone(), text);
    }
    Ok(out)
}

/// Top-level `ovs-db` (the `Open_vSwitch` row's columns).
pub(super) fn ovs_db_global(v: &Value, path: &str) -> R<OvsDbGlobal> {
    let mut o = Obj::new(path, v)?;
    let out = OvsDbGlobal {
        external_ids: o.opt("external_ids", nullable_text_map)?,
        other_config: o.opt("other_config", nullable_text_map)?,
    };
    o.finish()?;
    if out
        .external_ids
        .as_ref()
        .is_some_and(|m| m.contains_key(OVN_BRIDGE_MAPPINGS))
    {
        return Err(StateError::new(
            join(&join(path, "external_ids"), OVN_BRIDGE_MAPPINGS),
            "is kept for OVN's bridge mappings: give them in the top-level `ovn` section (ovn: {bridge-mappings: [{localnet, bridge}]})",
        ));
    }
    Ok(out)
}

/// Top-level `ovn`.
pub(super) fn ovn(v: &Value, path: &str) -> R<Ovn> {
    let mut o = Obj::new(path, v)?;
    let bridge_mappings = o.opt("bridge-mappings", |v, p| {
        let items = list(v, p)?;
        if items.len() > MAX_OVN_MAPPINGS {
            return Err(StateError::new(
                p,
                format!("{} mappings are more than {MAX_OVN_MAPPINGS}", items.len()),
            ));
        }
        let mut out: Vec<OvnBridgeMapping> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let pp = format!("{p}[{i}]");
            let mut m = Obj::new(&pp, item)?;
            let localnet = m.req("localnet", localnet)?;
            let bridge = m.opt("bridge", iface_name)?;
            let state = m
                .opt("state", |v, p| {
                    keyword(v, p, OvnMappingState::ALL, OvnMappingState::as_str)
                })?
                .filter(|s| *s == OvnMappingState::Absent);
            m.finish()?;
            if state.is_none() && bridge.is_none() {
                return Err(StateError::new(
                    join(&pp, "bridge"),
                    format!("is required: the mapping of localnet {localnet:?} needs its bridge (or state: absent)"),
                ));
            }
            if let Some(j) = out.iter().position(|m| m.localnet == localnet) {
                return Err(StateError::new(
                    join(&pp, "localnet"),
                    format!("{localnet:?} is already given in {p}[{j}]"),
                ));
            }
            out.push(OvnBridgeMapping {
                localnet,
                bridge,
                state,
            });
        }
        Ok(out)
    })?;
    o.finish()?;
    Ok(Ovn { bridge_mappings })
}

/// An OVN localnet name: a text that fits `LOCALNET:BRIDGE,…`.
fn localnet(v: &Value, path: &str) -> R<String> {
    let Value::String(s) = v else {
        return Err(StateError::new(path, "expected a text"));
    };
    if s.is_empty() || s.len() > MAX_OVS_DB_TEXT || s.contains([':', ',']) {
        return Err(StateError::new(
            path,
            format!("{s:?} is not a localnet name: 1..={MAX_OVS_DB_TEXT} bytes without ':' or ','"),
        ));
    }
    Ok(s.clone())
}
