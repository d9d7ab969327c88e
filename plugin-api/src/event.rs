//! The event envelope in safe Rust, and its conversion to and from the FFI form.
//!
//! Invariant: converting moves. An event's topic, address names and payload
//! ([`Text`], [`Payload`]) stay in the buffers they were made in, whichever
//! library made them, from the publisher's `Event` through the daemon's bus
//! to the receiver's `Event`: no copy is made on the way, and the buffer is
//! freed by the library that allocated it.

use std::{
    borrow::Borrow,
    fmt,
    hash::{Hash, Hasher},
    ops::Deref,
    str::FromStr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use abi_stable::std_types::{ROption, RString, RVec};
use nipart_plugin_abi::{FfiAddress, FfiEvent, address_kind, event_flags, event_state};
use serde::{Serialize, de::DeserializeOwned};

use crate::{Error, Message, Result, Streams};

/// A time-ordered unique event id (a UUID v7).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub [u8; 16]);

impl EventId {
    /// A fresh id, ordered after every id made before it in this process.
    ///
    /// A UUID v7 (RFC 9562): 48 bits of Unix time in milliseconds, then a
    /// 16-bit counter (in `rand_a` and the top of `rand_b`) that starts at a
    /// random value each millisecond and carries into the timestamp if it
    /// overflows, then 58 random bits. Made here rather than with
    /// `uuid::Uuid::now_v7`, which costs twice as much: an id is made for
    /// every event published.
    pub fn new() -> Self {
        let now_ms = id_gen::now_ms();
        let random = id_gen::random();
        let stamp = id_gen::next_stamp(now_ms, random);
        let (ms, counter) = (stamp >> 16, stamp & 0xffff);
        let mut b = [0u8; 16];
        b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
        b[6] = 0x70 | (counter >> 12) as u8; // version 7, counter bits 15..12
        b[7] = (counter >> 4) as u8; // counter bits 11..4
        b[8] = 0x80 | ((counter & 0xf) << 2) as u8 | (random >> 62) as u8; // variant 10
        b[9..].copy_from_slice(&random.to_be_bytes()[1..]);
        EventId(b)
    }
}

/// The state behind [`EventId::new`].
mod id_gen {
    use std::{
        cell::Cell,
        hash::{BuildHasher, Hasher},
        sync::atomic::{AtomicU64, Ordering},
    };

    /// Unix time in milliseconds, read straight from `clock_gettime`:
    /// `SystemTime::now().duration_since(UNIX_EPOCH)` adds a checked
    /// subtraction and a 128-bit division, about a third as much again as
    /// the clock read itself, for every event published.
    #[inline]
    pub(super) fn now_ms() -> u64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable `timespec` for the call.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) } != 0 || ts.tv_sec < 0 {
            // Not reached on Linux (the clock exists; the time is after 1970).
            return 0;
        }
        ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
    }

    /// The last id's `(milliseconds << 16) | counter`.
    static LAST: AtomicU64 = AtomicU64::new(0);

    /// The next `(milliseconds << 16) | counter`, above every one before it.
    pub(super) fn next_stamp(now_ms: u64, random: u64) -> u64 {
        let mut last = LAST.load(Ordering::Relaxed);
        loop {
            let next = if now_ms > last >> 16 {
                // A new millisecond: the counter restarts at a random value
                // below 2^15, leaving at least 2^15 ids before it carries.
                (now_ms << 16) | (random & 0x7fff)
            } else {
                last + 1
            };
            match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            // Keys that std draws from the OS once per thread.
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(0x9e37_79b9_7f4a_7c15);
            h.finish()
        });
    }

    /// 64 random bits (wyrand): not for secrets, enough to keep ids made in
    /// different processes apart.
    pub(super) fn random() -> u64 {
        STATE.with(|state| {
            let s = state.get().wrapping_add(0xa076_1d64_78bd_642f);
            state.set(s);
            let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
            ((t >> 64) ^ t) as u64
        })
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

thread_local! {
    /// Where [`json_bytes`] serializes before copying out.
    static JSON_SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The JSON form of `value` in a vector of exactly its size: serialized into
/// a per-thread scratch buffer, then copied out in one allocation. Unlike
/// `serde_json::to_vec` (128 bytes first, doubling as it grows), the payload
/// never reallocates and a small one stays a small allocation, which is
/// cheaper for the receiving thread to free.
fn json_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    JSON_SCRATCH.with(|scratch| {
        // A `Serialize` impl that itself makes an event finds the buffer
        // taken: it gets a plain `to_vec`.
        let Ok(mut buf) = scratch.try_borrow_mut() else {
            return Ok(serde_json::to_vec(value)?);
        };
        buf.clear();
        let written = serde_json::to_writer(&mut *buf, value);
        let bytes = buf.as_slice().to_vec();
        if buf.capacity() > 64 * 1024 {
            *buf = Vec::new(); // don't keep a large payload's buffer for good
        }
        written?;
        Ok(bytes)
    })
}

/// A string an event carries: its topic, or the name in an [`Address`].
/// It reads as a `str`; it moves with the event across the plugin
/// boundary without being copied.
///
/// ```
/// use nipart_plugin_api::{Address, Event};
/// let ev = Event::new("link.carrier-up", Address::plugin("dhcp"));
/// assert_eq!(ev.topic, "link.carrier-up");
/// assert!(ev.topic.starts_with("link."));
/// let owned: String = ev.topic.to_string();
/// # assert_eq!(owned, "link.carrier-up");
/// ```
#[derive(Clone, Default)]
pub struct Text(RString);

impl Text {
    #[inline]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    #[inline]
    fn from(s: &str) -> Self {
        Text(RString::from(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text(RString::from(s.as_str()))
    }
}

/// Takes the string's buffer: no copy.
impl From<String> for Text {
    #[inline]
    fn from(s: String) -> Self {
        Text(RString::from(s))
    }
}

impl From<nipart_protocol::Role> for Text {
    fn from(role: nipart_protocol::Role) -> Self {
        Text::from(role.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.0.into_string()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The serialized data an event carries (JSON for events made with
/// [`Event::with_json`]). It reads as a `[u8]`; it moves with the event
/// across the plugin boundary without being copied.
///
/// ```
/// use nipart_plugin_api::{Address, Event};
/// let ev = Event::new("example.ping", Address::None).with_json(&7).unwrap();
/// assert_eq!(&ev.payload[..], b"7");
/// let n: u32 = serde_json::from_slice(&ev.payload).unwrap();
/// # assert_eq!(n, 7);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Payload(RVec<u8>);

impl Payload {
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// The bytes as a `Vec` (a copy when another library made them).
    pub fn into_vec(self) -> Vec<u8> {
        self.0.into_vec()
    }
}

impl Deref for Payload {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

impl AsRef<[u8]> for Payload {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

/// Takes the vector's buffer: no copy.
impl From<Vec<u8>> for Payload {
    #[inline]
    fn from(v: Vec<u8>) -> Self {
        Payload(RVec::from(v))
    }
}

impl From<&[u8]> for Payload {
    fn from(v: &[u8]) -> Self {
        Payload(RVec::from_slice(v))
    }
}

impl PartialEq<[u8]> for Payload {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Payload {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_slice() == &other[..]
    }
}

impl PartialEq<Vec<u8>> for Payload {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // JSON, as most payloads are, is shown as text.
        match std::str::from_utf8(self.as_slice()) {
            Ok(text) => fmt::Debug::fmt(text, f),
            Err(_) => fmt::Debug::fmt(self.as_slice(), f),
        }
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
    Plugin(Text),
    /// Every plugin holding this role.
    Role(Text),
    /// A client of the public API, by connection id.
    Client(u64),
    /// Every plugin except the sender.
    All,
}

impl Address {
    #[inline]
    pub fn plugin(name: impl Into<Text>) -> Self {
        Address::Plugin(name.into())
    }

    #[inline]
    pub fn role(name: impl Into<Text>) -> Self {
        Address::Role(name.into())
    }

    /// Converts to the FFI form, moving the name (no copy).
    #[inline]
    pub(crate) fn into_ffi(self) -> FfiAddress {
        let (kind, name) = match self {
            Address::None => (address_kind::NONE, RString::new()),
            Address::Daemon => (address_kind::DAEMON, RString::new()),
            Address::Plugin(n) => (address_kind::PLUGIN, n.0),
            Address::Role(n) => (address_kind::ROLE, n.0),
            Address::Client(id) => (address_kind::CLIENT, RString::from(id.to_string())),
            Address::All => (address_kind::ALL, RString::new()),
        };
        FfiAddress { kind, name }
    }

    /// Converts from the FFI form, moving the name (no copy); unknown
    /// kinds and malformed client ids are errors.
    #[doc(hidden)] // the SDK's and the host's, not a plugin author's
    #[inline]
    pub fn from_ffi(a: FfiAddress) -> Result<Self> {
        Ok(match a.kind {
            address_kind::NONE => Address::None,
            address_kind::DAEMON => Address::Daemon,
            address_kind::PLUGIN => Address::Plugin(Text(a.name)),
            address_kind::ROLE => Address::Role(Text(a.name)),
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
            Some(("plugin", n)) if !n.is_empty() => Ok(Address::Plugin(n.into())),
            Some(("role", n)) if !n.is_empty() => Ok(Address::Role(n.into())),
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
    #[inline]
    pub(crate) fn to_code(self) -> u8 {
        match self {
            EventState::Todo => event_state::TODO,
            EventState::Ongoing => event_state::ONGOING,
            EventState::Cancelled => event_state::CANCELLED,
            EventState::Done => event_state::DONE,
        }
    }

    #[inline]
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
/// use nipart_plugin_api::{Address, Event, EventState, Message};
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// struct Ping { from: String }
/// impl Message for Ping { const TOPIC: &'static str = "example.ping"; }
///
/// let ev = Event::new(Ping::TOPIC, Address::role("example"))
///     .with_json(&Ping { from: "eth0".into() })
///     .unwrap();
/// assert_eq!(ev.state, EventState::Todo);
/// assert_eq!(ev.decode::<Ping>().unwrap().unwrap().from, "eth0");
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
    pub topic: Text,
    pub deadline: Option<SystemTime>,
    /// Serialized data; JSON for events made with [`Event::with_json`].
    pub payload: Payload,
}

impl Event {
    /// A new event in state `Todo` with an empty payload.
    #[inline]
    pub fn new(topic: impl Into<Text>, dst: Address) -> Self {
        Self {
            id: EventId::new(),
            ref_id: None,
            state: EventState::Todo,
            request: false,
            src: Address::None,
            dst,
            topic: topic.into(),
            deadline: None,
            payload: Payload::default(),
        }
    }

    /// Sets the payload to the JSON form of `value`.
    #[inline]
    pub fn with_json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self> {
        self.payload = json_bytes(value)?.into();
        Ok(self)
    }

    #[inline]
    pub fn with_state(mut self, state: EventState) -> Self {
        self.state = state;
        self
    }

    pub fn with_deadline(mut self, after: Duration) -> Self {
        self.deadline = Some(SystemTime::now() + after);
        self
    }

    /// Decodes the JSON payload.
    #[inline]
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.payload).map_err(|e| {
            Error::invalid_input(format!(
                "payload of event {} ({}): {e}",
                self.id, self.topic
            ))
        })
    }

    /// This event as an `M`, if it is one: `None` when its topic is not
    /// `M`'s or it is a reply or progress (which answer a request rather
    /// than carry an `M`); `Some(Err)` when the topic is `M`'s but the
    /// payload is not (the error names the topic and what is wrong). An
    /// empty payload reads as `{}` (a request with only optional fields
    /// may be sent without one).
    pub fn decode<M: Message>(&self) -> Option<Result<M>> {
        if self.topic != M::TOPIC
            || self.ref_id.is_some()
            || !matches!(self.state, EventState::Todo | EventState::Done)
        {
            return None;
        }
        if self.payload.is_empty() {
            return Some(serde_json::from_slice(b"{}").map_err(|e| {
                Error::invalid_input(format!(
                    "payload of event {} ({}): empty: {e}",
                    self.id, self.topic
                ))
            }));
        }
        Some(self.json())
    }

    /// This event as progress (`Ongoing`) on a request `R` this plugin
    /// sent, if it is.
    pub fn progress_of<R: Streams>(&self) -> Option<Result<R::Progress>> {
        if self.topic != R::TOPIC || self.state != EventState::Ongoing {
            return None;
        }
        Some(self.json())
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
            payload: Payload::default(),
            ..*self
        }
    }

    /// Whether the deadline has passed.
    pub fn is_expired(&self) -> bool {
        self.deadline.is_some_and(|d| SystemTime::now() > d)
    }

    /// Converts to the FFI envelope.
    #[doc(hidden)] // the SDK's and the host's, not a plugin author's
    #[inline]
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
            src: self.src.into_ffi(),
            dst: self.dst.into_ffi(),
            topic: self.topic.0,
            deadline_unix_ms: self.deadline.map_or(0, |d| {
                d.duration_since(UNIX_EPOCH)
                    .map_or(1, |d| d.as_millis().clamp(1, u64::MAX as u128) as u64)
            }),
            payload: self.payload.0,
        }
    }

    /// Converts from the FFI envelope, moving its buffers (no copy); unknown
    /// states and address kinds are errors.
    #[doc(hidden)] // the SDK's and the host's, not a plugin author's
    #[inline]
    pub fn from_ffi(e: FfiEvent) -> Result<Self> {
        Ok(Event {
            id: EventId(e.id),
            ref_id: e.ref_id.into_option().map(EventId),
            state: EventState::from_code(e.state)?,
            request: e.flags & event_flags::REQUEST != 0,
            src: Address::from_ffi(e.src)?,
            dst: Address::from_ffi(e.dst)?,
            topic: Text(e.topic),
            deadline: match e.deadline_unix_ms {
                0 => None,
                ms => Some(UNIX_EPOCH + Duration::from_millis(ms)),
            },
            payload: Payload(e.payload),
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
    fn conversions_move_the_buffers_and_never_copy_them() {
        let mut ev = Event::new("a.b", Address::role("dhcp"))
            .with_json(&serde_json::json!({"x": 1}))
            .unwrap();
        ev.src = Address::plugin("p");
        let name_ptr = |a: &Address| match a {
            Address::Plugin(n) | Address::Role(n) => n.as_ptr(),
            _ => unreachable!(),
        };
        let before = (
            ev.topic.as_ptr(),
            ev.payload.as_ptr(),
            name_ptr(&ev.src),
            name_ptr(&ev.dst),
        );
        let ffi = ev.clone().into_ffi();
        assert_eq!(ffi.topic.as_str(), "a.b");
        let back = Event::from_ffi(ev.into_ffi()).unwrap();
        let after = (
            back.topic.as_ptr(),
            back.payload.as_ptr(),
            name_ptr(&back.src),
            name_ptr(&back.dst),
        );
        assert_eq!(before, after, "the same buffers, moved");
        assert_eq!(back.topic, "a.b");
        assert_eq!(back.dst, Address::role("dhcp"));
    }

    #[test]
    fn text_and_payload_read_as_str_and_bytes() {
        let t = Text::from("link.up");
        assert_eq!(t, "link.up");
        assert_eq!("link.up", t);
        assert_eq!(t, *"link.up");
        assert_eq!(t, String::from("link.up"));
        assert_eq!(format!("{t} {t:?}"), "link.up \"link.up\"");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"link.up\"");
        let mut set = std::collections::HashSet::new();
        set.insert(t.clone());
        assert!(set.contains("link.up"));
        let p = Payload::from(b"{}".to_vec());
        assert_eq!(p, b"{}");
        assert_eq!(format!("{p:?}"), "\"{}\"");
        assert_eq!(p.into_vec(), b"{}".to_vec());
    }

    #[test]
    fn json_payloads_are_exact_and_match_serde_json() {
        let small = serde_json::json!({"seq": 1, "iface": "eth0", "up": true});
        let big = serde_json::json!({"blob": "x".repeat(100_000)});
        for value in [&small, &big, &small] {
            let ev = Event::new("a", Address::None).with_json(value).unwrap();
            assert_eq!(ev.payload, serde_json::to_vec(value).unwrap());
            assert_eq!(ev.payload.0.capacity(), ev.payload.len());
        }
        // A value whose serialization makes an event itself.
        struct Nested;
        impl Serialize for Nested {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                let inner = Event::new("b", Address::None).with_json(&7).unwrap();
                s.serialize_bytes(&inner.payload)
            }
        }
        let ev = Event::new("a", Address::None).with_json(&Nested).unwrap();
        assert_eq!(ev.payload, b"[55]");
    }

    #[test]
    fn ids_are_ordered() {
        let a = EventId::new();
        let b = EventId::new();
        assert!(a < b);
        assert_eq!(a.to_string().parse::<EventId>().unwrap(), a);
    }

    #[test]
    fn ids_are_uuid_v7_and_increase_across_threads() {
        let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let per_thread: Vec<Vec<EventId>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| (0..50_000).map(|_| EventId::new()).collect::<Vec<_>>()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for ids in &per_thread {
            assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids must increase");
        }
        let mut all: Vec<EventId> = per_thread.into_iter().flatten().collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "ids must be unique");
        let u = uuid::Uuid::from_bytes(all[0].0);
        assert_eq!(u.get_version_num(), 7);
        assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
        let (secs, nanos) = u.get_timestamp().unwrap().to_unix();
        let stamp = Duration::new(secs, nanos);
        assert!(
            stamp + Duration::from_millis(1) >= before,
            "{stamp:?} < {before:?}"
        );
        assert!(stamp < before + Duration::from_secs(5));
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
