//! The top-level `ovs-db` and `ovn` sections, in nmstate's schema: the
//! `external_ids` and `other_config` columns of OVSDB's one `Open_vSwitch`
//! row, and OVN's bridge mappings, which live in that row's
//! `external_ids:ovn-bridge-mappings` as `net1:br1,net2:br2` (sorted by
//! localnet). Applied and reported by the plugin holding role `ovs`.
//!
//! A desired `ovs-db` means (as nmstate):
//! - not given: left alone;
//! - `ovs-db: {}`: both columns emptied;
//! - a column not given: left alone; given empty (`external_ids: {}`):
//!   emptied;
//! - a key with a value: set; with `null`: removed; the other keys stay.
//!
//! The OVN mappings stay whatever `ovs-db` says: only `ovn` changes them
//! (each entry sets the bridge of its `localnet`, `state: absent` removes
//! it, the others stay), and `ovs-db.external_ids` may not name their key.
//! A query shows them in `ovn` only, never as a raw external id.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::{Difference, MAX_OVS_DB_ENTRIES, kinds::keywords};

/// An `ovs-db` column as desired: `None` removes the key.
pub type OvsDbMap = BTreeMap<String, Option<String>>;
/// An `ovs-db` column as OVSDB holds it.
pub type OvsDbColumn = BTreeMap<String, String>;

/// The external id that holds the OVN bridge mappings.
pub const OVN_BRIDGE_MAPPINGS: &str = "ovn-bridge-mappings";
/// The most OVN bridge mappings a state may give.
pub const MAX_OVN_MAPPINGS: usize = 1024;

/// Top-level `ovs-db`: the `Open_vSwitch` row's columns. A query gives
/// both columns (empty when so), without the OVN mappings' key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OvsDbGlobal {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<OvsDbMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_config: Option<OvsDbMap>,
}

keywords!(
    /// `ovn.bridge-mappings[].state`: `present` (the default) or `absent`.
    OvnMappingState {
        Present => "present",
        Absent => "absent",
    }
);

/// Top-level `ovn`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Ovn {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge_mappings: Option<Vec<OvnBridgeMapping>>,
}

/// `ovn.bridge-mappings[]`: the OVS bridge of an OVN localnet.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OvnBridgeMapping {
    pub localnet: String,
    /// Required unless absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// Only `absent` is kept (present is the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<OvnMappingState>,
}

impl OvnBridgeMapping {
    pub fn is_absent(&self) -> bool {
        self.state == Some(OvnMappingState::Absent)
    }
}

/// The values of a column (keys given `null` left out).
fn values(m: &OvsDbMap) -> OvsDbColumn {
    m.iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.clone(), v.clone())))
        .collect()
}

/// A column as a query gives it.
pub fn shown(c: &OvsDbColumn) -> OvsDbMap {
    c.iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect()
}

impl OvsDbGlobal {
    /// `ovs-db: {}`: both columns emptied.
    pub fn is_purge(&self) -> bool {
        self.external_ids.is_none() && self.other_config.is_none()
    }

    /// The columns as a query gives them.
    pub fn from_columns(external_ids: &OvsDbColumn, other_config: &OvsDbColumn) -> Self {
        OvsDbGlobal {
            external_ids: Some(shown(external_ids)),
            other_config: Some(shown(other_config)),
        }
    }

    /// What `(external_ids, other_config)` hold once `self` is applied
    /// to `have` (both without the OVN mappings' key).
    pub fn applied_to(&self, have: (&OvsDbColumn, &OvsDbColumn)) -> (OvsDbColumn, OvsDbColumn) {
        let one = |want: &Option<OvsDbMap>, have: &OvsDbColumn| -> OvsDbColumn {
            match want {
                None if self.is_purge() => OvsDbColumn::new(),
                None => have.clone(),
                Some(w) if w.is_empty() => OvsDbColumn::new(),
                Some(w) => {
                    let mut out = have.clone();
                    for (k, v) in w {
                        match v {
                            Some(v) => out.insert(k.clone(), v.clone()),
                            None => out.remove(k),
                        };
                    }
                    out
                }
            }
        };
        (
            one(&self.external_ids, have.0),
            one(&self.other_config, have.1),
        )
    }

    /// What the state brings `current` (a query's, `None` without OVS) back
    /// to `self` (a checkpoint's): every key of each column, the keys that
    /// appeared since as `null`; `None` when they already agree.
    pub fn revert_from(&self, current: Option<&OvsDbGlobal>) -> Option<OvsDbGlobal> {
        let now = current.cloned().unwrap_or_default();
        let col = |was: &Option<OvsDbMap>, now: &Option<OvsDbMap>| -> OvsDbMap {
            let was = was.as_ref().map(values).unwrap_or_default();
            let now = now.as_ref().map(values).unwrap_or_default();
            let mut want = shown(&was);
            for k in now.keys().filter(|k| !was.contains_key(*k)) {
                want.insert(k.clone(), None);
            }
            want
        };
        let want = OvsDbGlobal {
            external_ids: Some(col(&self.external_ids, &now.external_ids)),
            other_config: Some(col(&self.other_config, &now.other_config)),
        };
        (!want.differences(current).is_empty()).then_some(want)
    }

    /// What of `self` (desired) `current` (a query's) does not match.
    pub fn differences(&self, current: Option<&OvsDbGlobal>) -> Vec<Difference> {
        let mut out = Vec::new();
        let empty = OvsDbMap::new();
        for (name, want, have) in [
            (
                "external_ids",
                &self.external_ids,
                current.and_then(|c| c.external_ids.as_ref()),
            ),
            (
                "other_config",
                &self.other_config,
                current.and_then(|c| c.other_config.as_ref()),
            ),
        ] {
            let have = values(have.unwrap_or(&empty));
            let want = match want {
                None if !self.is_purge() => continue,
                None => &empty,
                Some(w) => w,
            };
            if want.is_empty() {
                if !have.is_empty() {
                    let keys: Vec<&str> = have.keys().map(String::as_str).collect();
                    out.push(difference(name, "{}", &format!("{{{}}}", keys.join(", "))));
                }
                continue;
            }
            for (k, v) in want {
                let now = have.get(k);
                if v.as_ref() != now {
                    let show = |v: Option<&String>| v.map_or("(none)".to_string(), Clone::clone);
                    out.push(difference(
                        &format!("{name}.{k}"),
                        &show(v.as_ref()),
                        &show(now),
                    ));
                }
            }
        }
        out
    }

    /// Merges `desired` into the saved `saved`: a purge or an emptied
    /// column is kept as an empty column, keys (also `null` ones, which
    /// remove the key again at the next boot) replace the saved ones. The
    /// `null` keys go first when a column would hold more than a state
    /// may give ([`MAX_OVS_DB_ENTRIES`]), so that removals made one after
    /// the other can't make the saved state unreadable.
    pub fn merge_into(saved: &mut Option<Box<OvsDbGlobal>>, desired: &OvsDbGlobal) {
        let s = saved.get_or_insert_with(Box::default);
        for (to, from) in [
            (&mut s.external_ids, &desired.external_ids),
            (&mut s.other_config, &desired.other_config),
        ] {
            match from {
                None if desired.is_purge() => *to = Some(OvsDbMap::new()),
                None => {}
                Some(f) if f.is_empty() => *to = Some(OvsDbMap::new()),
                Some(f) => {
                    let column = to.get_or_insert_with(OvsDbMap::new);
                    column.extend(f.iter().map(|(k, v)| (k.clone(), v.clone())));
                    if column.len() > MAX_OVS_DB_ENTRIES {
                        column.retain(|_, v| v.is_some());
                    }
                }
            }
        }
    }
}

fn difference(property: &str, desired: &str, current: &str) -> Difference {
    Difference {
        item: "ovs-db".into(),
        property: property.to_string(),
        desired: desired.to_string(),
        current: current.to_string(),
    }
}

/// Why an `ovn-bridge-mappings` value can't be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadMappings(pub String);

impl std::fmt::Display for BadMappings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "external_ids:{OVN_BRIDGE_MAPPINGS} holds {:?}, which is not LOCALNET:BRIDGE[,…]",
            self.0
        )
    }
}

impl Ovn {
    /// The mappings of an `ovn-bridge-mappings` value (`net1:br1,…`).
    pub fn from_external_id(value: &str) -> Result<Ovn, BadMappings> {
        let mut maps: Vec<OvnBridgeMapping> = Vec::new();
        for item in value.split(',').filter(|s| !s.is_empty()) {
            match item.split_once(':') {
                Some((l, b)) if !l.is_empty() && !b.is_empty() && !b.contains(':') => {
                    maps.push(OvnBridgeMapping {
                        localnet: l.to_string(),
                        bridge: Some(b.to_string()),
                        state: None,
                    });
                }
                _ => return Err(BadMappings(value.to_string())),
            }
        }
        maps.sort();
        maps.dedup();
        Ok(Ovn {
            bridge_mappings: (!maps.is_empty()).then_some(maps),
        })
    }

    /// The `ovn-bridge-mappings` value of the mappings that are not absent
    /// (sorted by localnet), `None` when there are none.
    pub fn to_external_id(&self) -> Option<String> {
        let mut items: Vec<String> = self
            .bridge_mappings
            .iter()
            .flatten()
            .filter(|m| !m.is_absent())
            .filter_map(|m| m.bridge.as_ref().map(|b| format!("{}:{b}", m.localnet)))
            .collect();
        items.sort();
        items.dedup();
        (!items.is_empty()).then(|| items.join(","))
    }

    /// The mappings once `self` (desired) is applied to `have`: each entry
    /// replaces the one of its localnet, an absent one removes it.
    pub fn applied_to(&self, have: Option<&Ovn>) -> Ovn {
        let mut by_localnet: BTreeMap<String, OvnBridgeMapping> = have
            .and_then(|h| h.bridge_mappings.as_ref())
            .into_iter()
            .flatten()
            .map(|m| (m.localnet.clone(), m.clone()))
            .collect();
        for m in self.bridge_mappings.iter().flatten() {
            by_localnet.insert(m.localnet.clone(), m.clone());
        }
        Ovn {
            bridge_mappings: Some(by_localnet.into_values().collect()),
        }
    }

    /// Merges `desired` into the saved `saved`; absent entries are kept,
    /// so that the next boot removes them again, while there is room (as
    /// [`OvsDbGlobal::merge_into`]'s `null` keys).
    pub fn merge_into(saved: &mut Option<Box<Ovn>>, desired: &Ovn) {
        let mut merged = desired.applied_to(saved.as_deref());
        if let Some(m) = merged
            .bridge_mappings
            .as_mut()
            .filter(|m| m.len() > MAX_OVN_MAPPINGS)
        {
            m.retain(|m| !m.is_absent());
        }
        *saved = Some(Box::new(merged));
    }

    /// What of `self` (desired) `current` (a query's) does not match.
    pub fn differences(&self, current: Option<&Ovn>) -> Vec<Difference> {
        let have = current
            .and_then(|c| c.bridge_mappings.as_deref())
            .unwrap_or(&[]);
        let mut out = Vec::new();
        for m in self.bridge_mappings.iter().flatten() {
            let now = have
                .iter()
                .find(|h| h.localnet == m.localnet)
                .and_then(|h| h.bridge.clone());
            let want = if m.is_absent() {
                None
            } else {
                m.bridge.clone()
            };
            if want != now {
                let show = |v: Option<String>| v.unwrap_or_else(|| "(none)".into());
                out.push(Difference {
                    item: "ovn".into(),
                    property: format!("bridge-mappings.{}", m.localnet),
                    desired: show(want),
                    current: show(now),
                });
            }
        }
        out
    }

    /// What brings `current` (a query's) back to `self` (a checkpoint's):
    /// its mappings, and those that appeared since as absent; `None` when
    /// they already agree.
    pub fn revert_from(&self, current: Option<&Ovn>) -> Option<Ovn> {
        let was = self.bridge_mappings.as_deref().unwrap_or(&[]);
        let mut want: Vec<OvnBridgeMapping> = was.to_vec();
        for m in current
            .and_then(|c| c.bridge_mappings.as_deref())
            .unwrap_or(&[])
        {
            if !was.iter().any(|w| w.localnet == m.localnet) {
                want.push(OvnBridgeMapping {
                    localnet: m.localnet.clone(),
                    bridge: None,
                    state: Some(OvnMappingState::Absent),
                });
            }
        }
        let want = Ovn {
            bridge_mappings: Some(want),
        };
        (!want.differences(current).is_empty()).then_some(want)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(pairs: &[(&str, &str)]) -> OvsDbColumn {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn want(pairs: &[(&str, Option<&str>)]) -> Option<OvsDbMap> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect(),
        )
    }

    #[test]
    fn ovs_db_keys_are_set_removed_and_purged_as_nmstate_does() {
        let have = (&col(&[("a", "1"), ("b", "2")]), &col(&[("x", "9")]));
        let set_and_remove = OvsDbGlobal {
            external_ids: want(&[("a", Some("3")), ("b", None), ("c", Some("4"))]),
            other_config: None,
        };
        assert_eq!(
            set_and_remove.applied_to(have),
            (col(&[("a", "3"), ("c", "4")]), col(&[("x", "9")]))
        );
        let emptied = OvsDbGlobal {
            external_ids: Some(OvsDbMap::new()),
            other_config: None,
        };
        assert_eq!(emptied.applied_to(have), (col(&[]), col(&[("x", "9")])));
        assert_eq!(
            OvsDbGlobal::default().applied_to(have),
            (col(&[]), col(&[])),
            "ovs-db: {{}} empties both"
        );
    }

    #[test]
    fn ovs_db_differences_and_revert() {
        let now = OvsDbGlobal::from_columns(&col(&[("a", "1"), ("new", "x")]), &col(&[]));
        let desired = OvsDbGlobal {
            external_ids: want(&[("a", Some("1")), ("gone", None)]),
            other_config: None,
        };
        assert!(desired.differences(Some(&now)).is_empty());
        let d = OvsDbGlobal::default().differences(Some(&now));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].property, "external_ids");

        let checkpoint = OvsDbGlobal::from_columns(&col(&[("a", "2")]), &col(&[]));
        let revert = checkpoint.revert_from(Some(&now)).expect("a revert");
        assert_eq!(
            revert.external_ids,
            want(&[("a", Some("2")), ("new", None)])
        );
        let have = (&col(&[("a", "1"), ("new", "x")]), &col(&[]));
        assert_eq!(revert.applied_to(have), (col(&[("a", "2")]), col(&[])));
        assert!(checkpoint.revert_from(Some(&checkpoint)).is_none());
    }

    #[test]
    fn saved_ovs_db_keeps_removals_while_there_is_room() {
        let mut saved = None;
        OvsDbGlobal::merge_into(
            &mut saved,
            &OvsDbGlobal {
                external_ids: want(&[("a", Some("1")), ("b", None)]),
                other_config: None,
            },
        );
        let s = saved.as_deref().expect("saved");
        assert_eq!(s.external_ids, want(&[("a", Some("1")), ("b", None)]));
        assert_eq!(s.other_config, None, "not mentioned, not saved");
        for i in 0..MAX_OVS_DB_ENTRIES {
            let key = format!("k{i}");
            OvsDbGlobal::merge_into(
                &mut saved,
                &OvsDbGlobal {
                    external_ids: want(&[(key.as_str(), None)]),
                    other_config: None,
                },
            );
            let ids = saved.as_deref().and_then(|s| s.external_ids.as_ref());
            let ids = ids.expect("external_ids");
            assert!(ids.len() <= MAX_OVS_DB_ENTRIES, "{}", ids.len());
            assert_eq!(ids.get("a"), Some(&Some("1".to_string())));
        }
        OvsDbGlobal::merge_into(&mut saved, &OvsDbGlobal::default());
        let s = saved.as_deref().expect("saved");
        assert_eq!(s.external_ids, Some(OvsDbMap::new()));
        assert_eq!(s.other_config, Some(OvsDbMap::new()));
    }

    #[test]
    fn ovn_mappings_are_read_written_and_merged_by_localnet() {
        let have = Ovn::from_external_id("net2:br2,net1:br1").expect("valid");
        assert_eq!(have.to_external_id().as_deref(), Some("net1:br1,net2:br2"));
        assert!(Ovn::from_external_id("net1").is_err());
        assert!(Ovn::from_external_id("net1:br1:x").is_err());
        assert_eq!(Ovn::from_external_id("").expect("empty"), Ovn::default());

        let desired = Ovn {
            bridge_mappings: Some(vec![
                OvnBridgeMapping {
                    localnet: "net1".into(),
                    bridge: Some("br9".into()),
                    state: None,
                },
                OvnBridgeMapping {
                    localnet: "net2".into(),
                    bridge: None,
                    state: Some(OvnMappingState::Absent),
                },
            ]),
        };
        let after = desired.applied_to(Some(&have));
        assert_eq!(after.to_external_id().as_deref(), Some("net1:br9"));
        assert_eq!(desired.differences(Some(&have)).len(), 2);
        let now = Ovn::from_external_id("net1:br9").expect("valid");
        assert!(desired.differences(Some(&now)).is_empty());

        let revert = have.revert_from(Some(&now)).expect("a revert");
        assert_eq!(
            revert.applied_to(Some(&now)).to_external_id().as_deref(),
            Some("net1:br1,net2:br2")
        );
        let none = Ovn::default();
        let revert = none.revert_from(Some(&now)).expect("a revert");
        assert_eq!(revert.applied_to(Some(&now)).to_external_id(), None);
    }
}
