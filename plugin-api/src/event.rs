//! The event envelope in safe Rust, and its conversion to and from the FFI form.

use std::{
    fmt,
    str::FromStr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use abi_stable::std_types::{ROption, RString, RVec};
use nipart_plugin_abi::{FfiAddress, FfiEvent, address_kind, event_flags, event_state};
use serde::{Serialize, de::DeserializeOwned};

use crate::{Error, Result};

/// A time-ordered unique event id (a UUID v7).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub [u8; 16]);

impl EventId {
    /// A fresh id, ordered after every id made before it in this process.
    pub fn new() -> Self {
        EventId(*uuid::Uuid::now_v7().as_bytes())
    }
}

impl Default for EventId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&uuid::Uuid::from_bytes(self.0).hyphenated(), f)
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for EventId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        uuid::Uuid::parse_str(s)
            .map(|u| EventId(*u.as_bytes()))
            .map_err(|e| Error::invalid_input(format!("invalid event id {s:?}: {e}")))
    }
}

/// Where an event goes, or where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// Nobody in particular: only topic subscribers receive the event.
    None,
    /// The daemon itself.
    Daemon,
    /// One plugin, by name.
    Plugin(String),
    /// Every plugin holding this role.
    Role(String),
    /// A client of the public API, by connection id.
    Client(u64),
    /// Every plugin except the sender.
    All,
}

impl Address {
    pub fn plugin(name: impl Into<String>) -> Self {
        Address::Plugin(name.into())
    }

    pub fn role(name: impl Into<String>) -> Self {
        Address::Role(name.into())
    }

    pub(crate) fn to_ffi(&self) -> FfiAddress {
        let (kind, name) = match self {
            Address::None => (address_kind::NONE, RString::new()),
            Address::Daemon => (address_kind::DAEMON, RString::new()),
            Address::Plugin(n) => (address_kind::PLUGIN, RString::from(n.as_str())),
            Address::Role(n) => (address_kind::ROLE, RString::from(n.as_str())),
            Address::Client(id) => (address_kind::CLIENT, RString::from(id.to_string())),
            Address::All => (address_kind::ALL, RString::new()),
        };
        FfiAddress { kind, name }
    }

    /// Converts from the FFI form; unknown kinds and malformed client ids are errors.
    pub fn from_ffi(a: &FfiAddress) -> Result<Self> {
        Ok(match a.kind {
            address_kind::NONE => Address::None,
            address_kind::DAEMON => Address::Daemon,
            address_kind::PLUGIN => Address::Plugin(a.name.to_string()),
            address_kind::ROLE => Address::Role(a.name.to_string()),
            address_kind::CLIENT => Address::Client(a.name.parse().map_err(|_| {
                Error::invalid_input(format!("invalid client address {:?}", a.name.as_str()))
            })?),
            address_kind::ALL => Address::All,
            k => return Err(Error::invalid_input(format!("unknown address kind {k}"))),
        })
    }
}

/// `plugin:NAME`, `role:NAME`, `client:ID`, `daemon`, `all`, `none`.
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::None => f.write_str("none"),
            Address::Daemon => f.write_str("daemon"),
            Address::Plugin(n) => write!(f, "plugin:{n}"),
            Address::Role(n) => write!(f, "role:{n}"),
            Address::Client(id) => write!(f, "client:{id}"),
            Address::All => f.write_str("all"),
        }
    }
}

impl FromStr for Address {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.split_once(':') {
            None if s == "none" => Ok(Address::None),
            None if s == "daemon" => Ok(Address::Daemon),
            None if s == "all" => Ok(Address::All),
            Some(("plugin", n)) if !n.is_empty() => Ok(Address::Plugin(n.to_string())),
            Some(("role", n)) if !n.is_empty() => Ok(Address::Role(n.to_string())),
            Some(("client", n)) => n
                .parse()
                .map(Address::Client)
                .map_err(|_| Error::invalid_input(format!("invalid client id in {s:?}"))),
            _ => Err(Error::invalid_input(format!(
                "invalid address {s:?}: expected plugin:NAME, role:NAME, client:ID, daemon, all or none"
            ))),
        }
    }
}

/// Where an event stands in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventState {
    /// Work to do (a request or command).
    Todo,
    /// Progress on the event named by `ref_id`.
    Ongoing,
    /// The work named by `ref_id` failed or was abandoned; the payload is an [`Error`].
    Cancelled,
    /// Finished, or a plain fact (a notification).
    Done,
}

impl EventState {
    pub(crate) fn to_code(self) -> u8 {
        match self {
            EventState::Todo => event_state::TODO,
            EventState::Ongoing => event_state::ONGOING,
            EventState::Cancelled => event_state::CANCELLED,
            EventState::Done => event_state::DONE,
        }
    }

    pub(crate) fn from_code(code: u8) -> Result<Self> {
        Ok(match code {
            event_state::TODO => EventState::Todo,
            event_state::ONGOING => EventState::Ongoing,
            event_state::CANCELLED => EventState::Cancelled,
            event_state::DONE => EventState::Done,
            c => return Err(Error::invalid_input(format!("unknown event state {c}"))),
        })
    }
}

impl fmt::Display for EventState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EventState::Todo => "todo",
            EventState::Ongoing => "ongoing",
            EventState::Cancelled => "cancelled",
            EventState::Done => "done",
        })
    }
}

/// One event on the bus.
///
/// ```
/// use nipart_plugin_api::{Address, Event, EventState};
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// struct LinkUp { iface: String }
///
/// let ev = Event::new("link.up", Address::role("dhcp"))
///     .with_json(&LinkUp { iface: "eth0".into() })
///     .unwrap();
/// assert_eq!(ev.state, EventState::Todo);
/// assert_eq!(ev.json::<LinkUp>().unwrap().iface, "eth0");
/// let done = ev.reply(EventState::Done);
/// assert_eq!(done.ref_id, Some(ev.id));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    /// The event this one answers or follows.
    pub ref_id: Option<EventId>,
    pub state: EventState,
    /// The sender awaits a reply; see [`crate::Context::request`].
    pub request: bool,
    /// Set by the daemon on publish; whatever a plugin puts here is overwritten.
    pub src: Address,
    pub dst: Address,
    pub topic: String,
    pub deadline: Option<SystemTime>,
    /// Serialized data; JSON for events made with [`Event::with_json`].
    pub payload: Vec<u8>,
}

impl Event {
    /// A new event in state `Todo` with an empty payload.
    pub fn new(topic: impl Into<String>, dst: Address) -> Self {
        Self {
            id: EventId::new(),
            ref_id: None,
            state: EventState::Todo,
            request: false,
            src: Address::None,
            dst,
            topic: topic.into(),
            deadline: None,
            payload: Vec::new(),
        }
    }

    /// Sets the payload to the JSON form of `value`.
    pub fn with_json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self> {
        self.payload = serde_json::to_vec(value)?;
        Ok(self)
    }

    pub fn with_state(mut self, state: EventState) -> Self {
        self.state = state;
        self
    }

    pub fn with_deadline(mut self, after: Duration) -> Self {
        self.deadline = Some(SystemTime::now() + after);
        self
    }

    /// Decodes the JSON payload.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.payload).map_err(|e| {
            Error::invalid_input(format!(
                "payload of event {} ({}): {e}",
                self.id, self.topic
            ))
        })
    }

    /// An event answering this one: same topic, sent back to the source.
    pub fn reply(&self, state: EventState) -> Event {
        Event {
            ref_id: Some(self.id),
            state,
            ..Event::new(self.topic.clone(), self.src.clone())
        }
    }

    /// A copy without the payload, enough to reply to.
    pub(crate) fn clone_header(&self) -> Event {
        Event {
            topic: self.topic.clone(),
            src: self.src.clone(),
            dst: self.dst.clone(),
            payload: Vec::new(),
            ..*self
        }
    }

    /// Whether the deadline has passed.
    pub fn is_expired(&self) -> bool {
        self.deadline.is_some_and(|d| SystemTime::now() > d)
    }

    /// Converts to the FFI envelope.
    pub fn into_ffi(self) -> FfiEvent {
        FfiEvent {
            id: self.id.0,
            ref_id: match self.ref_id {
                Some(r) => ROption::RSome(r.0),
                None => ROption::RNone,
            },
            state: self.state.to_code(),
            flags: if self.request {
                event_flags::REQUEST
            } else {
                0
            },
            src: self.src.to_ffi(),
            dst: self.dst.to_ffi(),
            topic: self.topic.into(),
            deadline_unix_ms: self.deadline.map_or(0, |d| {
                d.duration_since(UNIX_EPOCH)
                    .map_or(1, |d| d.as_millis().clamp(1, u64::MAX as u128) as u64)
            }),
            payload: RVec::from(self.payload),
        }
    }

    /// Converts from the FFI envelope; unknown states and address kinds are errors.
    pub fn from_ffi(e: FfiEvent) -> Result<Self> {
        Ok(Event {
            id: EventId(e.id),
            ref_id: e.ref_id.into_option().map(EventId),
            state: EventState::from_code(e.state)?,
            request: e.flags & event_flags::REQUEST != 0,
            src: Address::from_ffi(&e.src)?,
            dst: Address::from_ffi(&e.dst)?,
            topic: e.topic.into_string(),
            deadline: match e.deadline_unix_ms {
                0 => None,
                ms => Some(UNIX_EPOCH + Duration::from_millis(ms)),
            },
            payload: e.payload.into_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ffi_round_trip() {
        let mut ev = Event::new("a.b", Address::Client(42))
            .with_json(&serde_json::json!({"x": 1}))
            .unwrap()
            .with_deadline(Duration::from_secs(5));
        ev.request = true;
        ev.ref_id = Some(EventId::new());
        ev.src = Address::plugin("p");
        let back = Event::from_ffi(ev.clone().into_ffi()).unwrap();
        // The deadline crosses in milliseconds.
        let ms = |t: Option<SystemTime>| t.unwrap().duration_since(UNIX_EPOCH).unwrap().as_millis();
        assert_eq!(ms(back.deadline), ms(ev.deadline));
        assert_eq!(
            Event {
                deadline: None,
                ..back
            },
            Event {
                deadline: None,
                ..ev
            }
        );
    }

    #[test]
    fn ids_are_ordered() {
        let a = EventId::new();
        let b = EventId::new();
        assert!(a < b);
        assert_eq!(a.to_string().parse::<EventId>().unwrap(), a);
    }

    #[test]
    fn address_text_round_trip() {
        for a in [
            Address::None,
            Address::Daemon,
            Address::All,
            Address::plugin("kernel"),
            Address::role("dhcp"),
            Address::Client(7),
        ] {
            assert_eq!(a.to_string().parse::<Address>().unwrap(), a);
        }
        let err = "host:x".parse::<Address>().unwrap_err();
        assert!(
            err.message().contains("invalid address \"host:x\""),
            "{err}"
        );
    }
}
