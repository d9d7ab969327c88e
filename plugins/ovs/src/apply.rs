//! The OVS part of a plan as one OVSDB transaction: from the part (the
//! state plugin's routing: OVS bridges and interfaces, and the system
//! interfaces that join or leave a bridge) and a [`Snapshot`] read just
//! before, the operations that make OVSDB hold it. `wait` operations guard
//! what the snapshot showed (a bridge we create does not exist; a bridge we
//! change still has the ports we read), so that a change made by someone
//! else in between fails the transaction instead of being overwritten.
//!
//! Ports and interfaces are not root tables in the schema: a port no
//! bridge lists any more is removed by `ovsdb-server` with its
//! interfaces, so removing a port is leaving it out of its bridge's list.

use std::collections::{BTreeMap, BTreeSet};

use nipart_plugin_api::state::{
    BridgePortVlan, BridgePortVlanMode, BridgeTrunkTag, Interface, InterfaceType, NetworkState,
    OVN_BRIDGE_MAPPINGS, OvsBond, OvsDatapath, OvsDb, OvsFailMode,
};
use serde_json::{Value, json};

use crate::{
    db::Snapshot,
    ovsdb::{map, set},
};

/// One port of a bridge as it will be.
#[derive(Debug, Clone)]
struct PortSpec {
    name: String,
    /// Its interfaces (one, or the members of a bond).
    interfaces: Vec<String>,
    vlan: Option<BridgePortVlan>,
    bond: Option<OvsBond>,
}

impl PortSpec {
    fn single(name: &str) -> PortSpec {
        PortSpec {
            name: name.to_string(),
            interfaces: vec![name.to_string()],
            vlan: None,
            bond: None,
        }
    }
}

/// What the transaction does.
#[derive(Debug, Default)]
pub struct Transaction {
    pub ops: Vec<Value>,
    pub changes: Vec<String>,
    /// Interfaces ovs-vswitchd must add (ofport) before the part is done,
    /// with whether the kernel must show a link of that name (internal).
    pub wait_for: Vec<(String, bool)>,
}

/// The transaction that applies `part` to `db`; bridges created without
/// `bridge.options.datapath` get `datapath`.
pub fn transaction(part: &NetworkState, db: &Snapshot, datapath: OvsDatapath) -> Transaction {
    let mut tx = Transaction::default();
    let ovs_bridges: BTreeSet<&str> = db
        .bridges
        .iter()
        .map(|b| b.name.as_str())
        .chain(
            part.interfaces
                .iter()
                .filter(|i| i.iface_type == Some(InterfaceType::OvsBridge) && !i.is_absent())
                .map(|i| i.name.as_str()),
        )
        .collect();
    // Every bridge's ports as they are now; `touched` are those to write.
    let mut lists: BTreeMap<String, Vec<PortSpec>> = db
        .bridges
        .iter()
        .map(|b| {
            let ports = b
                .ports
                .iter()
                .filter_map(|u| db.ports.get(u))
                .map(|p| PortSpec {
                    name: p.name.clone(),
                    interfaces: db.port_interfaces(p),
                    vlan: None,
                    bond: None,
                })
                .collect();
            (b.name.clone(), ports)
        })
        .collect();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut deleted: Vec<String> = Vec::new();
    let mut desired_bridges: Vec<&Interface> = Vec::new();

    for i in &part.interfaces {
        if i.iface_type == Some(InterfaceType::OvsBridge)
            || (i.is_absent() && db.bridge(&i.name).is_some())
        {
            if i.is_absent() {
                if db.bridge(&i.name).is_some() {
                    deleted.push(i.name.clone());
                    lists.remove(&i.name);
                }
                continue;
            }
            desired_bridges.push(i);
            touched.insert(i.name.clone());
            let given = i.ovs_bridge.as_ref().and_then(|b| b.port.as_ref());
            let entry = lists.entry(i.name.clone()).or_default();
            if let Some(ports) = given {
                *entry = ports
                    .iter()
                    .map(|p| PortSpec {
                        name: p.name.clone(),
                        interfaces: match p.link_aggregation.as_ref().and_then(|b| b.port.as_ref())
                        {
                            Some(m) => m.iter().map(|m| m.name.clone()).collect(),
                            None => vec![p.name.clone()],
                        },
                        vlan: p.vlan.clone(),
                        bond: p.link_aggregation.clone(),
                    })
                    .collect();
            }
        }
    }
    // Interfaces that join a bridge, leave one, or go away.
    for i in &part.interfaces {
        // Without `controller` (and not absent) it stays where it is.
        if i.iface_type == Some(InterfaceType::OvsBridge)
            || deleted.contains(&i.name)
            || (i.controller.is_none() && !i.is_absent())
        {
            continue;
        }
        let joins = i
            .controller
            .as_deref()
            .filter(|c| !i.is_absent() && ovs_bridges.contains(c));
        for (bridge, ports) in lists.iter_mut() {
            if joins == Some(bridge.as_str()) {
                continue;
            }
            let before = ports.len();
            ports.retain(|p| p.name != i.name);
            if ports.len() != before {
                touched.insert(bridge.clone());
            }
        }
        if let Some(c) = joins {
            let ports = lists.entry(c.to_string()).or_default();
            if !ports
                .iter()
                .any(|p| p.name == i.name || p.interfaces.contains(&i.name))
            {
                ports.push(PortSpec::single(&i.name));
                touched.insert(c.to_string());
            }
        }
    }

    for name in &deleted {
        if let Some(b) = db.bridge(name) {
            tx.ops.push(json!({"op": "delete", "table": "Bridge",
                "where": [["_uuid", "==", ["uuid", b.uuid]]]}));
            tx.ops
                .push(json!({"op": "mutate", "table": "Open_vSwitch", "where": [],
                "mutations": [["bridges", "delete", set(vec![json!(["uuid", b.uuid])])]]}));
            tx.changes
                .push(format!("bridge {name} removed with its ports"));
        }
    }

    // The interfaces the part gives (type, patch peer, MTU, ovs-db).
    let given: BTreeMap<&str, &Interface> = part
        .interfaces
        .iter()
        .filter(|i| !i.is_absent())
        .map(|i| (i.name.as_str(), i))
        .collect();
    let mut next = 0usize;
    let mut named = |prefix: &str| {
        next += 1;
        format!("{prefix}{next}")
    };
    for bridge in &touched {
        let Some(ports) = lists.get(bridge) else {
            continue;
        };
        let existing = db.bridge(bridge);
        let mut refs = Vec::new();
        for spec in ports {
            let row = db.port_named(&spec.name).filter(|p| {
                let mut want = spec.interfaces.clone();
                want.sort();
                db.port_interfaces(p) == want && existing.is_some_and(|b| b.ports.contains(&p.uuid))
            });
            let mut columns = port_columns(spec);
            match row {
                Some(p) => {
                    refs.push(json!(["uuid", p.uuid]));
                    if columns.as_object().is_some_and(|c| !c.is_empty()) {
                        tx.ops.push(json!({"op": "update", "table": "Port",
                            "where": [["_uuid", "==", ["uuid", p.uuid]]], "row": columns}));
                    }
                }
                None => {
                    let mut iface_refs = Vec::new();
                    for name in &spec.interfaces {
                        match db.interface_named(name) {
                            Some(row) => iface_refs.push(json!(["uuid", row.uuid])),
                            None => {
                                let id = named("iface");
                                let mut row = json!({"name": name});
                                let kind = interface_kind(given.get(name.as_str()).copied());
                                row["type"] = json!(kind);
                                tx.wait_for.push((name.clone(), kind == "internal"));
                                tx.ops.push(json!({"op": "insert", "table": "Interface",
                                    "row": row, "uuid-name": id}));
                                iface_refs.push(json!(["named-uuid", id]));
                            }
                        }
                    }
                    let id = named("port");
                    columns["name"] = json!(spec.name);
                    columns["interfaces"] = set(iface_refs);
                    tx.ops.push(
                        json!({"op": "insert", "table": "Port", "row": columns, "uuid-name": id}),
                    );
                    refs.push(json!(["named-uuid", id]));
                    tx.changes.push(format!("port {} on {bridge}", spec.name));
                }
            }
        }
        let want = desired_bridges.iter().find(|i| &i.name == bridge);
        let mut row = bridge_columns(want.copied());
        row["ports"] = set(refs);
        match existing {
            Some(b) => {
                let read: Vec<Value> = b.ports.iter().map(|u| json!(["uuid", u])).collect();
                tx.ops.insert(
                    0,
                    json!({"op": "wait", "table": "Bridge", "timeout": 0,
                    "where": [["_uuid", "==", ["uuid", b.uuid]]], "columns": ["ports"],
                    "until": "==", "rows": [{"ports": set(read)}]}),
                );
                tx.ops.push(json!({"op": "update", "table": "Bridge",
                    "where": [["_uuid", "==", ["uuid", b.uuid]]], "row": row}));
                tx.changes.push(format!("bridge {bridge} updated"));
            }
            None => {
                let dp = want
                    .and_then(|i| i.ovs_bridge.as_ref())
                    .and_then(|b| b.options.as_ref())
                    .and_then(|o| o.datapath)
                    .unwrap_or(datapath);
                row["name"] = json!(bridge);
                row["datapath_type"] = json!(if dp == OvsDatapath::Netdev {
                    "netdev"
                } else {
                    "system"
                });
                if let Some(db) = want.and_then(|i| i.ovs_db.as_ref()) {
                    for (col, m) in [
                        ("external_ids", &db.external_ids),
                        ("other_config", &db.other_config),
                    ] {
                        if let Some(m) = m {
                            row[col] = map(m);
                        }
                    }
                }
                let id = named("bridge");
                tx.ops.insert(
                    0,
                    json!({"op": "wait", "table": "Bridge", "timeout": 0,
                    "where": [["name", "==", bridge]], "columns": ["name"],
                    "until": "==", "rows": []}),
                );
                tx.ops
                    .push(json!({"op": "insert", "table": "Bridge", "row": row, "uuid-name": id}));
                tx.ops
                    .push(json!({"op": "mutate", "table": "Open_vSwitch", "where": [],
                    "mutations": [["bridges", "insert", set(vec![json!(["named-uuid", id])])]]}));
                tx.changes.push(format!("bridge {bridge} created"));
            }
        }
        if let (Some(b), Some(db_cols)) = (existing, want.and_then(|i| i.ovs_db.as_ref())) {
            set_keys(&mut tx.ops, "Bridge", &b.uuid, db_cols);
        }
    }

    // Settings of interfaces that exist (MTU, ovs-db); new ones get theirs
    // below, by name, once inserted.
    for i in given.values() {
        // An MTU the interface has already (a rollback gives every
        // property back) is not asked for: OVSDB stays as it was.
        let current = db.interface_named(&i.name);
        let wants_mtu = i.iface_type == Some(InterfaceType::OvsInterface)
            && i.mtu.is_some()
            && current.is_none_or(|c| c.mtu_request.is_some() || c.mtu != i.mtu);
        if !wants_mtu && i.ovs_db.is_none() && i.patch.is_none() {
            continue;
        }
        let cond = match db.interface_named(&i.name) {
            Some(row) => json!([["_uuid", "==", ["uuid", row.uuid]]]),
            None => json!([["name", "==", i.name]]),
        };
        if let Some(m) = i.mtu.filter(|_| wants_mtu) {
            tx.ops
                .push(json!({"op": "update", "table": "Interface", "where": cond,
                "row": {"mtu_request": m}}));
        }
        if let Some(cols) = &i.ovs_db {
            set_keys_where(&mut tx.ops, "Interface", cond, cols);
        }
        if let Some(p) = &i.patch {
            tx.ops.push(json!({"op": "update", "table": "Interface",
                "where": [["name", "==", i.name]],
                "row": {"options": map([(&"peer".to_string(), &p.peer)])}}));
        }
    }
    tx
}

/// The operations that make the `Open_vSwitch` row's `external_ids` and
/// `other_config` hold what `part`'s top-level `ovs-db` and `ovn` say
/// (nmstate's meaning: see `OvsDbGlobal`), added to `tx`: one `update` of
/// both columns, guarded by a `wait` that they still hold what `db` read.
/// Fails, with nothing added, when the row is missing or its OVN mappings
/// can't be read (they would be lost).
pub fn root_row(part: &NetworkState, db: &Snapshot, tx: &mut Transaction) -> Result<(), String> {
    if part.ovs_db.is_none() && part.ovn.is_none() {
        return Ok(());
    }
    let Some(root) = &db.root else {
        return Err(
            "OVSDB has no Open_vSwitch row to hold ovs-db and ovn (was `ovs-vsctl init` run?)"
                .into(),
        );
    };
    let mut have_ids = root.external_ids.clone();
    let have_ovn = have_ids.remove(OVN_BRIDGE_MAPPINGS);
    let (mut ids, config) = match &part.ovs_db {
        Some(d) => d.applied_to((&have_ids, &root.other_config)),
        None => (have_ids, root.other_config.clone()),
    };
    let ovn = match &part.ovn {
        Some(want) => {
            let have = root.ovn().transpose().map_err(|e| {
                format!("{e}; correct or remove it before giving `ovn` (nothing was changed)")
            })?;
            want.applied_to(have.as_ref()).to_external_id()
        }
        None => have_ovn,
    };
    if let Some(v) = ovn {
        ids.insert(OVN_BRIDGE_MAPPINGS.to_string(), v);
    }
    if ids == root.external_ids && config == root.other_config {
        return Ok(());
    }
    let row = json!({"external_ids": map(&ids), "other_config": map(&config)});
    let read =
        json!({"external_ids": map(&root.external_ids), "other_config": map(&root.other_config)});
    let cond = json!([["_uuid", "==", ["uuid", root.uuid]]]);
    tx.ops.insert(
        0,
        json!({"op": "wait", "table": "Open_vSwitch", "timeout": 0, "where": cond,
            "columns": ["external_ids", "other_config"], "until": "==", "rows": [read]}),
    );
    tx.ops
        .push(json!({"op": "update", "table": "Open_vSwitch", "where": cond, "row": row}));
    tx.changes
        .push("Open_vSwitch external_ids/other_config".into());
    Ok(())
}

/// The OVSDB `type` of a new interface: `internal` for an
/// `ovs-interface`, `patch` with a peer, `""` (a system interface)
/// otherwise.
fn interface_kind(i: Option<&Interface>) -> &'static str {
    match i {
        Some(i) if i.patch.is_some() => "patch",
        Some(i) if i.iface_type == Some(InterfaceType::OvsInterface) => "internal",
        _ => "",
    }
}

/// The `Port` columns for `spec`'s VLAN and bond settings (what it gives).
fn port_columns(spec: &PortSpec) -> Value {
    let mut row = json!({});
    if let Some(v) = &spec.vlan {
        let trunks: Vec<Value> = v
            .trunk_tags
            .iter()
            .flatten()
            .flat_map(|t| match *t {
                BridgeTrunkTag::Id(id) => id..=id,
                BridgeTrunkTag::IdRange { min, max } => min..=max,
            })
            .map(|id| json!(id))
            .collect();
        let access = v.mode == Some(BridgePortVlanMode::Access);
        row["tag"] = match v.tag {
            Some(t) if access || v.enable_native == Some(true) => json!(t),
            _ => set(vec![]),
        };
        row["trunks"] = set(trunks);
        row["vlan_mode"] = match (v.mode, v.enable_native) {
            (Some(BridgePortVlanMode::Access), _) => json!("access"),
            (Some(BridgePortVlanMode::Trunk), Some(true)) => json!("native-untagged"),
            (Some(BridgePortVlanMode::Trunk), _) => json!("trunk"),
            (None, _) => set(vec![]),
        };
    }
    if let Some(b) = &spec.bond {
        if let Some(m) = b.mode {
            row["bond_mode"] = json!(m.as_str());
        }
        if let Some(d) = b.bond_updelay {
            row["bond_updelay"] = json!(d);
        }
        if let Some(d) = b.bond_downdelay {
            row["bond_downdelay"] = json!(d);
        }
    }
    row
}

/// The `Bridge` columns a desired `ovs-bridge`'s options give.
fn bridge_columns(i: Option<&Interface>) -> Value {
    let mut row = json!({});
    let Some(o) = i
        .and_then(|i| i.ovs_bridge.as_ref())
        .and_then(|b| b.options.as_ref())
    else {
        return row;
    };
    if let Some(v) = o.stp {
        row["stp_enable"] = json!(v);
    }
    if let Some(v) = o.rstp {
        row["rstp_enable"] = json!(v);
    }
    if let Some(v) = o.mcast_snooping_enable {
        row["mcast_snooping_enable"] = json!(v);
    }
    if let Some(m) = o.fail_mode {
        row["fail_mode"] = json!(match m {
            OvsFailMode::Standalone => "standalone",
            OvsFailMode::Secure => "secure",
        });
    }
    if let Some(d) = o.datapath {
        row["datapath_type"] = json!(if d == OvsDatapath::Netdev {
            "netdev"
        } else {
            "system"
        });
    }
    row
}

/// Sets the keys `cols` gives in the `external_ids` and `other_config` of
/// row `uuid` of `table`, leaving the other keys alone.
fn set_keys(ops: &mut Vec<Value>, table: &str, uuid: &str, cols: &OvsDb) {
    set_keys_where(ops, table, json!([["_uuid", "==", ["uuid", uuid]]]), cols);
}

fn set_keys_where(ops: &mut Vec<Value>, table: &str, cond: Value, cols: &OvsDb) {
    for (col, m) in [
        ("external_ids", &cols.external_ids),
        ("other_config", &cols.other_config),
    ] {
        let Some(m) = m else { continue };
        if m.is_empty() {
            continue;
        }
        // A map's `insert` keeps a key that exists: delete the keys first.
        let keys: Vec<Value> = m.keys().map(|k| json!(k)).collect();
        ops.push(json!({"op": "mutate", "table": table, "where": cond,
            "mutations": [[col, "delete", set(keys)], [col, "insert", map(m)]]}));
    }
}
