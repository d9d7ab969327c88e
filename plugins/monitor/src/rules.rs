//! Rules: "when interface X becomes up/down/added/…, publish this event".
//!
//! A rule is level-based with edge firing: its condition is evaluated on the
//! monitor's state before and after each change, and it fires when the
//! condition goes from false to true. At registration, a rule whose
//! condition already holds fires at once unless the request says
//! `"fire_if_holds": false` (so a caller never misses a state reached just
//! before it registered).

use std::{collections::BTreeMap, fmt};

use nipart_plugin_api::{
    Address, Error, ErrorKind, Event, EventState, Result, protocol::monitor::RuleAdded,
    validate_topic,
};
use serde::Serialize;
use serde_json::Value;

use crate::state::{LinkState, NetState};

/// Which interface a rule watches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selector {
    /// Whatever link has this name now.
    Name(String),
    /// The link with this index.
    Index(u32),
}

impl Selector {
    fn find<'a>(&self, state: &'a NetState) -> Option<&'a LinkState> {
        match self {
            Selector::Name(n) => state.link_by_name(n),
            Selector::Index(i) => state.links.get(i),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Name(n) => write!(f, "{n}"),
            Selector::Index(i) => write!(f, "index {i}"),
        }
    }
}

/// What a rule waits for: the protocol's type (one definition for the
/// senders and this parser).
pub use nipart_plugin_api::protocol::monitor::Condition;

pub const CONDITIONS: &str = "up, down, added, removed, carrier-up, carrier-down";

/// `carrier-up` → [`Condition::CarrierUp`], as the protocol spells it.
fn parse_condition(name: &str) -> Option<Condition> {
    serde_json::from_value(Value::String(name.to_string())).ok()
}

/// Whether `condition` holds for `link` (`None`: no such link).
fn holds(condition: Condition, link: Option<&LinkState>) -> bool {
    match (condition, link) {
        (Condition::Removed, None) => true,
        (_, None) => false,
        (Condition::Up, Some(l)) => l.up,
        (Condition::Down, Some(l)) => !l.up,
        (Condition::Added, Some(_)) => true,
        (Condition::Removed, Some(_)) => false,
        (Condition::CarrierUp, Some(l)) => l.carrier,
        (Condition::CarrierDown, Some(l)) => !l.carrier,
    }
}

/// The event a rule publishes when it fires.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub topic: String,
    /// Destination in text form (`plugin:NAME`, `role:NAME`, `all`, …).
    pub dst: String,
    #[serde(skip)]
    pub dst_addr: Address,
    pub state: EventState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
}

impl FollowUp {
    /// The event to publish.
    pub fn event(&self) -> Result<Event> {
        let ev = Event::new(self.topic.clone(), self.dst_addr.clone()).with_state(self.state);
        match &self.payload {
            Some(p) => ev.with_json(p),
            None => Ok(ev),
        }
    }
}

/// A rule as registered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub id: u64,
    /// Who registered it (`plugin:NAME`, `client:ID`): its rules go when it does.
    pub owner: String,
    pub interface: Selector,
    pub condition: Condition,
    pub persistent: bool,
    pub event: FollowUp,
    /// How many times it fired.
    pub fired: u64,
}

/// A validated `monitor.rule.add` request.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    pub interface: Selector,
    pub condition: Condition,
    pub persistent: bool,
    pub fire_if_holds: bool,
    pub event: FollowUp,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::invalid_input(format!("invalid monitor rule: {}", msg.into()))
}

const IFNAMSIZ: usize = 16;

fn parse_selector(v: &Value) -> Result<Selector> {
    match v {
        Value::String(name) => {
            if name.is_empty()
                || name.len() >= IFNAMSIZ
                || name
                    .chars()
                    .any(|c| c == '/' || c == ':' || c.is_whitespace())
            {
                Err(bad(format!(
                    "interface {name:?} is not a valid interface name (1 to 15 bytes, no '/', ':' or white space)"
                )))
            } else {
                Ok(Selector::Name(name.clone()))
            }
        }
        Value::Number(n) => match n.as_u64().and_then(|i| u32::try_from(i).ok()) {
            Some(i) if i > 0 => Ok(Selector::Index(i)),
            _ => Err(bad(format!(
                "interface {n} is not a valid interface index (1 to 4294967295)"
            ))),
        },
        Value::Object(o) => match (o.get("name"), o.get("index"), o.len()) {
            (Some(n @ Value::String(_)), None, 1) => parse_selector(n),
            (None, Some(i @ Value::Number(_)), 1) => parse_selector(i),
            _ => Err(bad(
                "interface must be a name, an index, {\"name\": NAME} or {\"index\": N}",
            )),
        },
        other => Err(bad(format!(
            "interface must be a name (string) or an index (number), not {other}"
        ))),
    }
}

fn parse_state(v: &Value) -> Result<EventState> {
    match v.as_str() {
        Some("todo") => Ok(EventState::Todo),
        Some("done") => Ok(EventState::Done),
        _ => Err(bad(format!(
            "event.state {v} is not one of \"todo\", \"done\""
        ))),
    }
}

fn parse_follow_up(v: &Value) -> Result<FollowUp> {
    let Value::Object(o) = v else {
        return Err(bad(
            "event must be an object {\"topic\", \"dst\", \"payload\"?, \"state\"?}",
        ));
    };
    for key in o.keys() {
        if !matches!(key.as_str(), "topic" | "dst" | "payload" | "state") {
            return Err(bad(format!(
                "unknown field event.{key} (expected topic, dst, payload, state)"
            )));
        }
    }
    let topic = match o.get("topic") {
        Some(Value::String(t)) => t.clone(),
        Some(other) => return Err(bad(format!("event.topic must be a string, not {other}"))),
        None => return Err(bad("event.topic is missing")),
    };
    validate_topic(&topic).map_err(|e| bad(format!("event.topic: {}", e.message())))?;
    let dst = match o.get("dst") {
        Some(Value::String(d)) => d.clone(),
        Some(other) => return Err(bad(format!("event.dst must be a string, not {other}"))),
        None => "none".to_string(),
    };
    let dst_addr: Address = dst
        .parse()
        .map_err(|e: Error| bad(format!("event.dst: {}", e.message())))?;
    if dst_addr == Address::Daemon {
        return Err(bad("event.dst: the daemon takes no events"));
    }
    let state = match o.get("state") {
        Some(s) => parse_state(s)?,
        None => EventState::Todo,
    };
    let payload = o.get("payload").filter(|p| !p.is_null()).cloned();
    Ok(FollowUp {
        topic,
        dst,
        dst_addr,
        state,
        payload,
    })
}

fn parse_bool(o: &serde_json::Map<String, Value>, key: &str, default: bool) -> Result<bool> {
    match o.get(key) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(bad(format!("{key} must be true or false, not {other}"))),
    }
}

impl RuleSpec {
    /// Validates the JSON payload of a `monitor.rule.add` request. Errors
    /// name the field and what is wrong with it.
    pub fn parse(payload: &[u8]) -> Result<Self> {
        let v: Value = serde_json::from_slice(payload)
            .map_err(|e| bad(format!("the payload is not JSON: {e}")))?;
        let Value::Object(o) = &v else {
            return Err(bad(format!("the payload must be a JSON object, not {v}")));
        };
        for key in o.keys() {
            if !matches!(
                key.as_str(),
                "interface" | "condition" | "event" | "persistent" | "fire_if_holds"
            ) {
                return Err(bad(format!(
                    "unknown field {key:?} (expected interface, condition, event, persistent, fire_if_holds)"
                )));
            }
        }
        let interface = parse_selector(
            o.get("interface")
                .ok_or_else(|| bad("interface is missing"))?,
        )?;
        let condition = match o.get("condition") {
            Some(Value::String(c)) => parse_condition(c).ok_or_else(|| {
                bad(format!(
                    "unknown condition {c:?}: expected one of {CONDITIONS}"
                ))
            })?,
            Some(other) => {
                return Err(bad(format!(
                    "condition must be one of {CONDITIONS}, not {other}"
                )));
            }
            None => return Err(bad("condition is missing")),
        };
        let event = parse_follow_up(o.get("event").ok_or_else(|| bad("event is missing"))?)?;
        Ok(RuleSpec {
            interface,
            condition,
            persistent: parse_bool(o, "persistent", false)?,
            fire_if_holds: parse_bool(o, "fire_if_holds", true)?,
            event,
        })
    }
}

/// The registered rules.
#[derive(Debug, Default)]
pub struct Rules {
    rules: BTreeMap<u64, Rule>,
    next_id: u64,
    max: usize,
}

impl Rules {
    pub fn new(max: usize) -> Self {
        Self {
            rules: BTreeMap::new(),
            next_id: 1,
            max,
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Registers a rule. Returns the reply and, if it fires now, the
    /// follow-up to publish (after the reply).
    pub fn add(
        &mut self,
        owner: String,
        spec: RuleSpec,
        state: &NetState,
    ) -> Result<(RuleAdded, Option<FollowUp>)> {
        if self.rules.len() >= self.max {
            return Err(Error::new(
                ErrorKind::Busy,
                format!(
                    "the monitor already holds {} rules, its limit (max_rules)",
                    self.max
                ),
            ));
        }
        let id = self.next_id;
        self.next_id += 1;
        let holds = holds(spec.condition, spec.interface.find(state));
        let fired = holds && spec.fire_if_holds;
        let active = !fired || spec.persistent;
        let follow_up = fired.then(|| spec.event.clone());
        if active {
            self.rules.insert(
                id,
                Rule {
                    id,
                    owner,
                    interface: spec.interface,
                    condition: spec.condition,
                    persistent: spec.persistent,
                    event: spec.event,
                    fired: u64::from(fired),
                },
            );
        }
        Ok((
            RuleAdded {
                id,
                holds,
                fired,
                active,
            },
            follow_up,
        ))
    }

    /// Removes rule `id` on behalf of `owner`.
    pub fn remove(&mut self, id: u64, owner: &str) -> Result<Rule> {
        match self.rules.get(&id) {
            None => Err(Error::new(
                ErrorKind::NotFound,
                format!("no monitor rule {id}"),
            )),
            Some(r) if r.owner != owner => Err(Error::new(
                ErrorKind::PermissionDenied,
                format!("monitor rule {id} belongs to {}, not {owner}", r.owner),
            )),
            Some(_) => self
                .rules
                .remove(&id)
                .ok_or_else(|| Error::other("rule vanished")),
        }
    }

    /// Removes every rule of `owner`; returns their ids.
    pub fn drop_owner(&mut self, owner: &str) -> Vec<u64> {
        let ids: Vec<u64> = self
            .rules
            .values()
            .filter(|r| r.owner == owner)
            .map(|r| r.id)
            .collect();
        for id in &ids {
            self.rules.remove(id);
        }
        ids
    }

    pub fn list(&self) -> Vec<Rule> {
        self.rules.values().cloned().collect()
    }

    /// Which conditions hold now, per rule, to compare after a change.
    pub fn snapshot(&self, state: &NetState) -> Vec<(u64, bool)> {
        self.snapshot_of(state, |_| true)
    }

    /// Like [`Rules::snapshot`], for the rules a change of link `index`
    /// (named `names` before or after it) can affect: no other rule's
    /// condition can change.
    pub fn snapshot_for_link(
        &self,
        state: &NetState,
        index: u32,
        names: &[&str],
    ) -> Vec<(u64, bool)> {
        self.snapshot_of(state, |sel| match sel {
            Selector::Index(i) => *i == index,
            Selector::Name(n) => names.contains(&n.as_str()),
        })
    }

    fn snapshot_of(
        &self,
        state: &NetState,
        relevant: impl Fn(&Selector) -> bool,
    ) -> Vec<(u64, bool)> {
        self.rules
            .values()
            .filter(|r| relevant(&r.interface))
            .map(|r| (r.id, holds(r.condition, r.interface.find(state))))
            .collect()
    }

    /// The rules whose condition went from false (in `before`, a
    /// [`Rules::snapshot`]) to true in `state`; one-shot ones are removed.
    pub fn fired(&mut self, before: &[(u64, bool)], state: &NetState) -> Vec<(u64, FollowUp)> {
        let mut out = Vec::new();
        let mut done = Vec::new();
        for &(id, held) in before {
            if held {
                continue;
            }
            let Some(rule) = self.rules.get_mut(&id) else {
                continue;
            };
            if holds(rule.condition, rule.interface.find(state)) {
                rule.fired += 1;
                out.push((id, rule.event.clone()));
                if !rule.persistent {
                    done.push(id);
                }
            }
        }
        for id in done {
            self.rules.remove(&id);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(links: &[(u32, &str, bool, bool)]) -> NetState {
        let mut s = NetState::default();
        for &(index, name, up, carrier) in links {
            s.links.insert(
                index,
                LinkState {
                    index,
                    name: name.into(),
                    up,
                    carrier,
                    kind: None,
                    mtu: None,
                },
            );
        }
        s
    }

    fn spec(json: &str) -> RuleSpec {
        RuleSpec::parse(json.as_bytes()).unwrap()
    }

    fn err(json: &str) -> String {
        RuleSpec::parse(json.as_bytes()).unwrap_err().to_string()
    }

    #[test]
    fn parses_and_rejects() {
        let s = spec(
            r#"{"interface":"eth0","condition":"carrier-up","event":{"topic":"vendor.start","dst":"plugin:dhcp","payload":{"x":1}},"persistent":true}"#,
        );
        assert_eq!(s.interface, Selector::Name("eth0".into()));
        assert_eq!(s.condition, Condition::CarrierUp);
        assert!(s.persistent && s.fire_if_holds);
        assert_eq!(s.event.dst_addr, Address::plugin("dhcp"));
        assert_eq!(s.event.state, EventState::Todo);
        let s = spec(r#"{"interface":{"index":7},"condition":"up","event":{"topic":"a.b"}}"#);
        assert_eq!(s.interface, Selector::Index(7));
        assert_eq!(s.event.dst_addr, Address::None);

        assert_eq!(
            err(r#"{"interface":"eth0","condition":"sideways","event":{"topic":"a"}}"#),
            "invalid monitor rule: unknown condition \"sideways\": expected one of up, down, added, removed, carrier-up, carrier-down"
        );
        assert!(err("{nope").starts_with("invalid monitor rule: the payload is not JSON"));
        assert_eq!(
            err(r#"{"condition":"up","event":{"topic":"a"}}"#),
            "invalid monitor rule: interface is missing"
        );
        assert!(
            err(r#"{"interface":"a/b","condition":"up","event":{"topic":"a"}}"#)
                .contains("not a valid interface name")
        );
        assert!(
            err(r#"{"interface":0,"condition":"up","event":{"topic":"a"}}"#)
                .contains("not a valid interface index")
        );
        assert!(
            err(r#"{"interface":"a","condition":"up","event":{"topic":"A B"}}"#)
                .contains("event.topic: invalid topic")
        );
        assert!(
            err(r#"{"interface":"a","condition":"up","event":{"topic":"a","dst":"host:x"}}"#)
                .contains("event.dst: invalid address")
        );
        assert!(
            err(r#"{"interface":"a","condition":"up","event":{"topic":"a"},"once":true}"#)
                .contains("unknown field \"once\"")
        );
        assert!(
            err(r#"{"interface":"a","condition":"up","event":{"topic":"a"},"persistent":"yes"}"#)
                .contains("persistent must be true or false")
        );
    }

    #[test]
    fn fires_on_edges_and_at_registration() {
        let mut rules = Rules::new(10);
        let down = state(&[(2, "a", false, false)]);
        let up = state(&[(2, "a", true, false)]);

        let (added, now) = rules
            .add(
                "plugin:x".into(),
                spec(r#"{"interface":"a","condition":"up","event":{"topic":"t.once"}}"#),
                &down,
            )
            .unwrap();
        assert_eq!(
            (added.holds, added.fired, added.active),
            (false, false, true)
        );
        assert!(now.is_none());
        let (p, _) = rules
            .add(
                "plugin:x".into(),
                spec(r#"{"interface":2,"condition":"up","persistent":true,"event":{"topic":"t.every"}}"#),
                &down,
            )
            .unwrap();
        // Holds already: fires now; a one-shot one is then gone.
        let (a, now) = rules
            .add(
                "plugin:y".into(),
                spec(r#"{"interface":"a","condition":"down","event":{"topic":"t.now"}}"#),
                &down,
            )
            .unwrap();
        assert_eq!((a.holds, a.fired, a.active), (true, true, false));
        assert_eq!(now.unwrap().topic, "t.now");
        let (b, now) = rules
            .add(
                "plugin:y".into(),
                spec(r#"{"interface":"a","condition":"down","fire_if_holds":false,"event":{"topic":"t.later"}}"#),
                &down,
            )
            .unwrap();
        assert_eq!((b.holds, b.fired, b.active), (true, false, true));
        assert!(now.is_none());
        assert_eq!(rules.len(), 3);

        let topics =
            |v: Vec<(u64, FollowUp)>| v.into_iter().map(|(_, f)| f.topic).collect::<Vec<_>>();
        let before = rules.snapshot(&down);
        assert_eq!(topics(rules.fired(&before, &up)), ["t.once", "t.every"]);
        let before = rules.snapshot(&up);
        assert_eq!(topics(rules.fired(&before, &down)), ["t.later"]);
        let before = rules.snapshot(&down);
        assert_eq!(topics(rules.fired(&before, &up)), ["t.every"]);
        assert_eq!(rules.len(), 1);

        assert_eq!(
            rules.remove(p.id, "plugin:y").unwrap_err().kind(),
            ErrorKind::PermissionDenied
        );
        rules.remove(p.id, "plugin:x").unwrap();
        assert_eq!(
            rules.remove(p.id, "plugin:x").unwrap_err().kind(),
            ErrorKind::NotFound
        );
    }

    #[test]
    fn added_removed_and_owner_drop() {
        let mut rules = Rules::new(2);
        let none = state(&[]);
        let some = state(&[(5, "v", false, false)]);
        for c in ["added", "removed"] {
            rules
                .add(
                    "client:1".into(),
                    spec(&format!(
                        r#"{{"interface":"v","condition":"{c}","persistent":true,"fire_if_holds":false,"event":{{"topic":"t.{c}"}}}}"#
                    )),
                    &none,
                )
                .unwrap();
        }
        let e = rules
            .add(
                "client:1".into(),
                spec(r#"{"interface":"v","condition":"up","event":{"topic":"t"}}"#),
                &none,
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Busy);
        let before = rules.snapshot(&none);
        assert_eq!(rules.fired(&before, &some)[0].1.topic, "t.added");
        let before = rules.snapshot(&some);
        assert_eq!(rules.fired(&before, &none)[0].1.topic, "t.removed");
        // Only rules naming the changed link (by index or either name) are looked at.
        assert_eq!(rules.snapshot_for_link(&none, 5, &["v"]).len(), 2);
        assert_eq!(rules.snapshot_for_link(&none, 5, &["w", "x"]).len(), 0);
        assert_eq!(rules.drop_owner("client:2"), Vec::<u64>::new());
        assert_eq!(rules.drop_owner("client:1").len(), 2);
        assert_eq!(rules.len(), 0);
    }

    /// What senders build (the protocol's `RuleAdd`) is what this parser
    /// takes, and what `monitor.rule.list` answers reads as the protocol's
    /// `RuleList`.
    #[test]
    fn the_protocol_rule_types_match_the_parser_and_the_list() {
        use nipart_plugin_api::protocol::monitor as proto;
        let sent = proto::RuleAdd {
            interface: proto::RuleInterface::Name("eth0".into()),
            condition: proto::Condition::CarrierDown,
            event: proto::FollowUp {
                topic: "t.down".into(),
                dst: "plugin:dhcp".into(),
                state: Some(proto::FollowUpState::Done),
                payload: Some(serde_json::json!({"interface": "eth0"})),
            },
            persistent: true,
            fire_if_holds: false,
        };
        let parsed = RuleSpec::parse(&serde_json::to_vec(&sent).unwrap()).unwrap();
        assert_eq!(parsed.interface, Selector::Name("eth0".into()));
        assert_eq!(parsed.condition, Condition::CarrierDown);
        assert!(parsed.persistent && !parsed.fire_if_holds);
        assert_eq!(parsed.event.state, EventState::Done);
        let mut rules = Rules::new(8);
        rules
            .add("plugin:dhcp".into(), parsed, &NetState::default())
            .unwrap();
        let list: proto::RuleList =
            serde_json::from_value(serde_json::json!({ "rules": rules.list() })).unwrap();
        assert_eq!(list.rules[0].interface, sent.interface);
        assert_eq!(list.rules[0].condition, sent.condition);
        assert_eq!(list.rules[0].event.topic, "t.down");
        assert_eq!(list.rules[0].owner, "plugin:dhcp");
    }
}
