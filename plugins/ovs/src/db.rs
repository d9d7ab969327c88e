//! One read of OVSDB's `Bridge`, `Port`, `Interface` and `Open_vSwitch`
//! tables (a single `transact` of four `select`s, so they agree), and that
//! snapshot in the network-state schema (what `ovs.query` answers).

use std::collections::{BTreeMap, HashMap};

use nipart_plugin_api::state::{
    BadMappings, BridgePortVlan, BridgePortVlanMode, BridgeTrunkTag, Interface, InterfaceState,
    InterfaceType, NetworkState, OVN_BRIDGE_MAPPINGS, Ovn, OvsBond, OvsBondMode, OvsBondPort,
    OvsBridgeConfig, OvsBridgeOptions, OvsBridgePort, OvsDatapath, OvsDb, OvsDbGlobal, OvsFailMode,
    OvsPatch,
};
use serde_json::{Value, json};

use crate::ovsdb::{map_pairs, set_atoms, uuid_of};

#[derive(Debug, Clone, Default)]
pub struct BridgeRow {
    pub uuid: String,
    pub name: String,
    pub ports: Vec<String>,
    pub stp: bool,
    pub rstp: bool,
    pub mcast_snooping: bool,
    pub fail_mode: Option<String>,
    pub datapath_type: String,
    pub external_ids: BTreeMap<String, String>,
    pub other_config: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct PortRow {
    pub uuid: String,
    pub name: String,
    pub interfaces: Vec<String>,
    pub tag: Option<u16>,
    pub trunks: Vec<u16>,
    pub vlan_mode: Option<String>,
    pub bond_mode: Option<String>,
    pub bond_updelay: u32,
    pub bond_downdelay: u32,
}

#[derive(Debug, Clone, Default)]
pub struct InterfaceRow {
    pub uuid: String,
    pub name: String,
    /// `""` (a system interface), `internal`, `patch`, …
    pub kind: String,
    pub peer: Option<String>,
    /// The MTU ovs-vswitchd reports, and the one asked for.
    pub mtu: Option<u32>,
    pub mtu_request: Option<u32>,
    pub external_ids: BTreeMap<String, String>,
    pub other_config: BTreeMap<String, String>,
}

/// The one row of the `Open_vSwitch` table: the host's settings.
#[derive(Debug, Clone, Default)]
pub struct RootRow {
    pub uuid: String,
    pub external_ids: BTreeMap<String, String>,
    pub other_config: BTreeMap<String, String>,
}

/// The tables at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub bridges: Vec<BridgeRow>,
    pub ports: HashMap<String, PortRow>,
    pub interfaces: HashMap<String, InterfaceRow>,
    /// `None` before `ovs-vsctl init` (or its equivalent) made it.
    pub root: Option<RootRow>,
}

/// The operations that read a [`Snapshot`].
pub fn select_ops() -> Vec<Value> {
    let select = |table: &str, columns: &[&str]| json!({"op": "select", "table": table, "where": [], "columns": columns});
    vec![
        select(
            "Bridge",
            &[
                "_uuid",
                "name",
                "ports",
                "stp_enable",
                "rstp_enable",
                "mcast_snooping_enable",
                "fail_mode",
                "datapath_type",
                "external_ids",
                "other_config",
            ],
        ),
        select(
            "Port",
            &[
                "_uuid",
                "name",
                "interfaces",
                "tag",
                "trunks",
                "vlan_mode",
                "bond_mode",
                "bond_updelay",
                "bond_downdelay",
            ],
        ),
        select(
            "Interface",
            &[
                "_uuid",
                "name",
                "type",
                "options",
                "mtu",
                "mtu_request",
                "external_ids",
                "other_config",
            ],
        ),
        select("Open_vSwitch", &["_uuid", "external_ids", "other_config"]),
    ]
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn uuids(v: &Value) -> Vec<String> {
    set_atoms(v)
        .iter()
        .filter_map(|a| uuid_of(a).map(str::to_string))
        .collect()
}

fn opt_text(v: &Value) -> Option<String> {
    set_atoms(v)
        .first()
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn opt_int(v: &Value) -> Option<i64> {
    set_atoms(v).first().and_then(Value::as_i64)
}

fn rows(v: &Value) -> &[Value] {
    v.get("rows")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

impl Snapshot {
    /// The snapshot from the results of [`select_ops`].
    pub fn from_results(results: &Value) -> Snapshot {
        let empty = Value::Null;
        let r = |i: usize| results.get(i).unwrap_or(&empty);
        let bridges = rows(r(0))
            .iter()
            .map(|b| BridgeRow {
                uuid: uuid_of(&b["_uuid"]).unwrap_or_default().to_string(),
                name: text(&b["name"]),
                ports: uuids(&b["ports"]),
                stp: b["stp_enable"].as_bool().unwrap_or(false),
                rstp: b["rstp_enable"].as_bool().unwrap_or(false),
                mcast_snooping: b["mcast_snooping_enable"].as_bool().unwrap_or(false),
                fail_mode: opt_text(&b["fail_mode"]),
                datapath_type: text(&b["datapath_type"]),
                external_ids: map_pairs(&b["external_ids"]).into_iter().collect(),
                other_config: map_pairs(&b["other_config"]).into_iter().collect(),
            })
            .collect();
        let ports = rows(r(1))
            .iter()
            .map(|p| {
                let uuid = uuid_of(&p["_uuid"]).unwrap_or_default().to_string();
                let row = PortRow {
                    uuid: uuid.clone(),
                    name: text(&p["name"]),
                    interfaces: uuids(&p["interfaces"]),
                    tag: opt_int(&p["tag"]).and_then(|t| u16::try_from(t).ok()),
                    trunks: set_atoms(&p["trunks"])
                        .iter()
                        .filter_map(|t| t.as_i64().and_then(|t| u16::try_from(t).ok()))
                        .collect(),
                    vlan_mode: opt_text(&p["vlan_mode"]),
                    bond_mode: opt_text(&p["bond_mode"]),
                    bond_updelay: opt_int(&p["bond_updelay"])
                        .and_then(|d| u32::try_from(d).ok())
                        .unwrap_or(0),
                    bond_downdelay: opt_int(&p["bond_downdelay"])
                        .and_then(|d| u32::try_from(d).ok())
                        .unwrap_or(0),
                };
                (uuid, row)
            })
            .collect();
        let interfaces = rows(r(2))
            .iter()
            .map(|i| {
                let uuid = uuid_of(&i["_uuid"]).unwrap_or_default().to_string();
                let options: HashMap<String, String> =
                    map_pairs(&i["options"]).into_iter().collect();
                let row = InterfaceRow {
                    uuid: uuid.clone(),
                    name: text(&i["name"]),
                    kind: text(&i["type"]),
                    peer: options.get("peer").cloned(),
                    mtu: opt_int(&i["mtu"]).and_then(|m| u32::try_from(m).ok()),
                    mtu_request: opt_int(&i["mtu_request"]).and_then(|m| u32::try_from(m).ok()),
                    external_ids: map_pairs(&i["external_ids"]).into_iter().collect(),
                    other_config: map_pairs(&i["other_config"]).into_iter().collect(),
                };
                (uuid, row)
            })
            .collect();
        let root = rows(r(3)).first().map(|o| RootRow {
            uuid: uuid_of(&o["_uuid"]).unwrap_or_default().to_string(),
            external_ids: map_pairs(&o["external_ids"]).into_iter().collect(),
            other_config: map_pairs(&o["other_config"]).into_iter().collect(),
        });
        Snapshot {
            bridges,
            ports,
            interfaces,
            root,
        }
    }

    pub fn bridge(&self, name: &str) -> Option<&BridgeRow> {
        self.bridges.iter().find(|b| b.name == name)
    }

    pub fn port_named(&self, name: &str) -> Option<&PortRow> {
        self.ports.values().find(|p| p.name == name)
    }

    pub fn interface_named(&self, name: &str) -> Option<&InterfaceRow> {
        self.interfaces.values().find(|i| i.name == name)
    }

    /// The names of the interfaces of port `p`.
    pub fn port_interfaces(&self, p: &PortRow) -> Vec<String> {
        let mut names: Vec<String> = p
            .interfaces
            .iter()
            .filter_map(|u| self.interfaces.get(u).map(|i| i.name.clone()))
            .collect();
        names.sort();
        names
    }

    /// The snapshot in the network-state schema.
    pub fn to_state(&self) -> NetworkState {
        let mut out = NetworkState::default();
        for b in &self.bridges {
            let mut ports = Vec::new();
            for p in b.ports.iter().filter_map(|u| self.ports.get(u)) {
                let members = self.port_interfaces(p);
                let link_aggregation = (members.len() > 1).then(|| OvsBond {
                    mode: p
                        .bond_mode
                        .as_deref()
                        .and_then(|m| OvsBondMode::ALL.iter().copied().find(|x| x.as_str() == m)),
                    port: Some(
                        members
                            .iter()
                            .map(|n| OvsBondPort { name: n.clone() })
                            .collect(),
                    ),
                    bond_updelay: Some(p.bond_updelay),
                    bond_downdelay: Some(p.bond_downdelay),
                });
                ports.push(OvsBridgePort {
                    name: p.name.clone(),
                    vlan: port_vlan(p),
                    link_aggregation,
                });
                for m in p.interfaces.iter().filter_map(|u| self.interfaces.get(u)) {
                    out.interfaces.push(interface_entry(m, &b.name));
                }
            }
            out.interfaces.push(Interface {
                name: b.name.clone(),
                iface_type: Some(InterfaceType::OvsBridge),
                state: Some(InterfaceState::Up),
                ovs_bridge: Some(OvsBridgeConfig {
                    options: Some(OvsBridgeOptions {
                        stp: Some(b.stp),
                        rstp: Some(b.rstp),
                        mcast_snooping_enable: Some(b.mcast_snooping),
                        fail_mode: b.fail_mode.as_deref().and_then(|m| {
                            OvsFailMode::ALL.iter().copied().find(|x| x.as_str() == m)
                        }),
                        datapath: Some(if b.datapath_type == "netdev" {
                            OvsDatapath::Netdev
                        } else {
                            OvsDatapath::System
                        }),
                    }),
                    port: Some(ports),
                }),
                ovs_db: ovs_db(&b.external_ids, &b.other_config),
                ..Interface::default()
            });
        }
        if let Some(root) = &self.root {
            let (ovs_db, ovn) = root.to_state();
            out.ovs_db = Some(Box::new(ovs_db));
            out.ovn = ovn.map(Box::new);
            // Another tool may have written more than a state may hold;
            // the whole answer would then be refused by its reader.
            if let Err(e) = NetworkState::from_value(&json!({"ovs-db": out.ovs_db, "ovn": out.ovn}))
            {
                tracing::warn!(
                    "the Open_vSwitch row is not shown (nor checkpointed, nor rolled back): {e}"
                );
                out.ovs_db = None;
                out.ovn = None;
            }
        }
        out.sort();
        out
    }
}

impl RootRow {
    /// The OVN mappings held in `external_ids`, when they read well.
    pub fn ovn(&self) -> Option<Result<Ovn, BadMappings>> {
        self.external_ids
            .get(OVN_BRIDGE_MAPPINGS)
            .map(|v| Ovn::from_external_id(v))
    }

    /// The row as nmstate shows it: `ovs-db` with both columns, and the
    /// OVN mappings in `ovn` rather than as an external id (a value that
    /// does not read as mappings stays an external id).
    fn to_state(&self) -> (OvsDbGlobal, Option<Ovn>) {
        let mut external_ids = self.external_ids.clone();
        let ovn = match self.ovn() {
            Some(Ok(o)) => {
                external_ids.remove(OVN_BRIDGE_MAPPINGS);
                o.bridge_mappings.is_some().then_some(o)
            }
            Some(Err(e)) => {
                tracing::warn!("{e}: shown as an external id");
                None
            }
            None => None,
        };
        (
            OvsDbGlobal::from_columns(&external_ids, &self.other_config),
            ovn,
        )
    }
}

fn ovs_db(
    external_ids: &BTreeMap<String, String>,
    other_config: &BTreeMap<String, String>,
) -> Option<OvsDb> {
    let some = |m: &BTreeMap<String, String>| (!m.is_empty()).then(|| m.clone());
    (!external_ids.is_empty() || !other_config.is_empty()).then(|| OvsDb {
        external_ids: some(external_ids),
        other_config: some(other_config),
    })
}

/// Interface `i` of bridge `bridge`: an `ovs-interface` (internal or
/// patch), or a system interface with its `controller`.
fn interface_entry(i: &InterfaceRow, bridge: &str) -> Interface {
    let ovs_own = matches!(i.kind.as_str(), "internal" | "patch");
    Interface {
        name: i.name.clone(),
        iface_type: ovs_own.then_some(InterfaceType::OvsInterface),
        // A patch port has no kernel link to say so.
        state: (i.kind == "patch").then_some(InterfaceState::Up),
        controller: Some(bridge.to_string()),
        patch: i
            .peer
            .clone()
            .filter(|_| i.kind == "patch")
            .map(|peer| OvsPatch { peer }),
        ovs_db: ovs_db(&i.external_ids, &i.other_config),
        ..Interface::default()
    }
}

/// A port's VLAN settings as nmstate shows them: none, an access port with
/// its tag, or a trunk with its tags (consecutive ones as a range) and
/// native VLAN.
fn port_vlan(p: &PortRow) -> Option<BridgePortVlan> {
    let trunk = p.vlan_mode.as_deref() == Some("trunk")
        || (!p.trunks.is_empty() && p.vlan_mode.as_deref() != Some("access"));
    if trunk {
        let mut ids = p.trunks.clone();
        ids.sort_unstable();
        let mut tags = Vec::new();
        let mut i = 0;
        while i < ids.len() {
            let mut j = i;
            while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
                j += 1;
            }
            tags.push(if i == j {
                BridgeTrunkTag::Id(ids[i])
            } else {
                BridgeTrunkTag::IdRange {
                    min: ids[i],
                    max: ids[j],
                }
            });
            i = j + 1;
        }
        let native = matches!(
            p.vlan_mode.as_deref(),
            Some("native-untagged" | "native-tagged")
        );
        return Some(BridgePortVlan {
            enable_native: native.then_some(true),
            mode: Some(BridgePortVlanMode::Trunk),
            tag: p.tag.filter(|_| native),
            trunk_tags: Some(tags),
        });
    }
    p.tag.map(|tag| BridgePortVlan {
        enable_native: None,
        mode: Some(BridgePortVlanMode::Access),
        tag: Some(tag),
        trunk_tags: None,
    })
}
