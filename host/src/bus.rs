//! The event bus: routes events between plugins (and, later, API clients).
//!
//! Routing happens on the publisher's thread and never blocks: each member
//! owns a bounded queue (for a plugin, the one its SDK keeps) and the bus
//! only *tries* to enqueue. What does not fit is counted per member, and the
//! member is sent a `bus.missed` notice before the next event it accepts. A
//! request (an event whose sender awaits a reply) that can't reach any of its
//! destinations is an error returned to the sender, never a silent drop.
//!
//! The routing table is an immutable snapshot behind an `ArcSwap`: publishing
//! takes no lock; subscribing copies the table.
//!
//! The bus knows nothing of the FFI: it routes the safe [`Event`] and
//! [`Address`] (the types plugins and the API see too). A plugin's events
//! cross into it, and out of it into a plugin, only in [`crate::ffi`], the
//! daemon's one FFI edge, which refuses an envelope with an unknown state or
//! address kind before it reaches the bus.
//!
//! Invariants:
//! - the source of every event is the publishing member's address, whatever
//!   the publisher wrote (the daemon's own events are from `daemon`);
//! - events from one publisher reach one member in the order published
//!   (routing happens on the publisher's thread, and each sink is a FIFO);
//! - a member's queue is bounded by its sink; nothing here waits for room;
//! - every event a member did not take is counted (`dropped`) and told to it
//!   in one `bus.missed` notice, which comes before the next event it takes;
//! - a request fails to its sender unless one of its direct destinations
//!   took it; subscribers do not count;
//! - only `Initializing` and `Running` members receive events, and a
//!   `Stopping` one still receives the replies to its own requests (its
//!   Shutdown may await one); a `Failed` member may not publish.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering},
};

use arc_swap::ArcSwap;
use nipart_plugin_api::{
    Address, BusMissed, Error, ErrorKind, Event, EventState, Message, Notice, Result, TopicPattern,
    protocol::daemon::{PluginFailed, PluginGone, PluginStopped},
    validate_topic,
};

/// Where a member's events go. Implemented for plugins (an FFI call into the
/// plugin's SDK queue, in [`crate::ffi`]) and for in-daemon channels.
pub trait Sink: Send + Sync {
    /// Tries to enqueue without blocking; returns the queue depth after it.
    fn deliver(&self, event: Event) -> Result<u32>;

    /// The events waiting in the queue now, if the sink can tell; the bus
    /// shows the depth sampled at the last delivery otherwise (which stays
    /// where it was once the member has emptied its queue).
    fn queue_depth(&self) -> Option<u32> {
        None
    }
}

/// Lifecycle state of a bus member. Only `Initializing` and `Running`
/// members receive events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum MemberState {
    Loaded = 0,
    Initializing = 1,
    Running = 2,
    Failed = 3,
    Stopping = 4,
    Stopped = 5,
}

impl MemberState {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => MemberState::Loaded,
            1 => MemberState::Initializing,
            2 => MemberState::Running,
            3 => MemberState::Failed,
            4 => MemberState::Stopping,
            _ => MemberState::Stopped,
        }
    }

    fn accepts_events(self) -> bool {
        matches!(self, MemberState::Initializing | MemberState::Running)
    }

    /// A member being stopped still takes the replies to its own requests:
    /// its Shutdown (or the handler it finishes first) may be awaiting one,
    /// and the SDK completes it without queueing.
    fn accepts_replies(self) -> bool {
        self.accepts_events() || self == MemberState::Stopping
    }
}

impl std::fmt::Display for MemberState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MemberState::Loaded => "loaded",
            MemberState::Initializing => "initializing",
            MemberState::Running => "running",
            MemberState::Failed => "failed",
            MemberState::Stopping => "stopping",
            MemberState::Stopped => "stopped",
        })
    }
}

/// Who a member is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MemberId {
    Plugin(String),
    Client(u64),
    Daemon,
}

/// One participant of the bus with its counters.
pub struct Member {
    id: MemberId,
    /// `id` as the `src` of the events it publishes.
    address: Address,
    roles: Vec<String>,
    sink: Box<dyn Sink>,
    state: AtomicU8,
    last_error: Mutex<Option<String>>,
    /// What the plugin says of itself (`nipart.set_status`).
    status: Mutex<Option<String>>,
    delivered: AtomicU64,
    dropped: AtomicU64,
    missed_unreported: AtomicU64,
    queue_depth: AtomicU32,
}

impl Member {
    pub fn id(&self) -> &MemberId {
        &self.id
    }

    pub fn state(&self) -> MemberState {
        MemberState::from_u8(self.state.load(Ordering::Acquire))
    }

    pub fn set_state(&self, state: MemberState) {
        self.state.store(state as u8, Ordering::Release);
    }

    /// Marks the member failed with a reason; it receives nothing more and
    /// may publish nothing more.
    pub fn fail(&self, reason: impl Into<String>) {
        self.set_state(MemberState::Failed);
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.into());
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_status(&self, status: Option<String>) {
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = status;
    }

    pub fn status(&self) -> Option<String> {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn stats(&self) -> MemberStats {
        MemberStats {
            id: self.id.clone(),
            state: self.state(),
            delivered: self.delivered.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            queue_depth: self
                .sink
                .queue_depth()
                .unwrap_or_else(|| self.queue_depth.load(Ordering::Relaxed)),
            last_error: self.last_error(),
            status: self.status(),
        }
    }

    fn name(&self) -> String {
        match &self.id {
            MemberId::Plugin(n) => format!("plugin {n}"),
            MemberId::Client(c) => format!("client {c}"),
            MemberId::Daemon => "the daemon".to_string(),
        }
    }

    fn address(&self) -> Address {
        self.address.clone()
    }

    fn make_address(id: &MemberId) -> Address {
        match id {
            MemberId::Plugin(n) => Address::plugin(n.as_str()),
            MemberId::Client(c) => Address::Client(*c),
            MemberId::Daemon => Address::Daemon,
        }
    }

    /// Tries to hand over the event in `slot` (taking it), first telling
    /// the member about events it missed. Counts the outcome.
    #[inline(always)]
    fn offer(&self, slot: &mut Option<Event>) -> Result<()> {
        let missed = self.missed_unreported.load(Ordering::Relaxed);
        if missed > 0 {
            let notice = daemon_notice(self.address(), &BusMissed { missed });
            match self.sink.deliver(notice) {
                Ok(_) => {
                    self.missed_unreported.fetch_sub(missed, Ordering::Relaxed);
                }
                Err(e) => {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                    self.missed_unreported.fetch_add(1, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        let Some(event) = slot.take() else {
            return Err(Error::other("no event to deliver"));
        };
        match self.sink.deliver(event) {
            Ok(depth) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
                self.queue_depth.store(depth, Ordering::Relaxed);
                Ok(())
            }
            Err(e) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                self.missed_unreported.fetch_add(1, Ordering::Relaxed);
                Err(e)
            }
        }
    }
}

/// What the targets of one event did with it.
struct Outcome {
    /// Direct destinations that took it.
    accepted: usize,
    first_error: Option<Error>,
}

/// One target of an event: `n`th of them, member `idx`; the first
/// `direct` targets are its destinations, the rest subscribers.
struct Target {
    n: usize,
    idx: usize,
    direct: usize,
}

impl Target {
    /// Offers the event in `slot` to the target if its state lets it take
    /// one, and counts the outcome.
    #[inline(always)]
    fn offer(
        &self,
        routes: &Routes,
        is_reply: bool,
        slot: &mut Option<Event>,
        outcome: &mut Outcome,
    ) {
        let member = &routes.members[self.idx];
        let state = member.state();
        let result = if state.accepts_events() || (is_reply && state.accepts_replies()) {
            member.offer(slot)
        } else if self.n >= self.direct {
            return; // a subscriber that takes no events now
        } else {
            Err(Error::new(
                ErrorKind::Failed,
                format!("{} is {state}", member.name()),
            ))
        };
        // Only direct destinations count for a request's outcome.
        if self.n < self.direct {
            match result {
                Ok(()) => outcome.accepted += 1,
                Err(e) => {
                    outcome.first_error.get_or_insert(e);
                }
            }
        }
    }
}

/// An event from the daemon itself, state `Done`.
pub fn daemon_event(topic: &str, dst: Address, payload: Vec<u8>) -> Event {
    let mut event = Event::new(topic, dst).with_state(EventState::Done);
    event.src = Address::Daemon;
    event.payload = payload.into();
    event
}

/// A notice from the daemon to `dst`, typed.
pub fn daemon_notice<N: Notice>(dst: Address, notice: &N) -> Event {
    // The protocol's payloads are plain data: serializing cannot fail.
    daemon_event(
        N::TOPIC,
        dst,
        serde_json::to_vec(notice).unwrap_or_default(),
    )
}

/// Tells every running plugin that plugin `name` stopped (`reason` is
/// `None`: `plugin.stopped`) or failed (`plugin.failed`), so that they can
/// drop what they hold for it (e.g. the monitor's rules).
pub(crate) fn announce_gone(bus: &EventBus, name: &str, reason: Option<&str>) {
    let gone = PluginGone {
        plugin: name.to_string(),
        reason: reason.map(str::to_string),
    };
    let (topic, event) = match reason {
        None => (
            PluginStopped::TOPIC,
            daemon_notice(Address::All, &PluginStopped(gone)),
        ),
        Some(_) => (
            PluginFailed::TOPIC,
            daemon_notice(Address::All, &PluginFailed(gone)),
        ),
    };
    if let Err(e) = bus.publish_from(&MemberId::Daemon, event) {
        tracing::warn!("broadcasting {topic} for plugin {name}: {e}");
    }
}

/// A snapshot of a member's counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStats {
    pub id: MemberId,
    pub state: MemberState,
    /// Events accepted into its queue.
    pub delivered: u64,
    /// Events that did not fit (or could not be handed over).
    pub dropped: u64,
    /// Events waiting in its queue now (for a sink that can't tell, as of
    /// the last delivery).
    pub queue_depth: u32,
    pub last_error: Option<String>,
    /// What the plugin says of itself.
    pub status: Option<String>,
}

/// The routing maps are looked up for every event and their keys are names
/// the daemon accepted, so SipHash's resistance to chosen collisions buys
/// nothing here: FxHash (rustc's) costs a third less per lookup.
type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// The members an event goes to; no allocation for up to eight of them.
type Targets = smallvec::SmallVec<[usize; 8]>;

#[derive(Clone, Default)]
struct Routes {
    members: Vec<Arc<Member>>,
    by_id: FastMap<MemberId, usize>,
    /// Plugins by name, so that unicast needs no `MemberId` (an allocation).
    by_plugin: FastMap<String, usize>,
    by_role: FastMap<String, Vec<usize>>,
    subscriptions: Vec<(TopicPattern, usize)>,
}

/// The event bus. See the module docs.
#[derive(Default)]
pub struct EventBus {
    routes: ArcSwap<Routes>,
    /// Serializes writers of `routes`.
    write: Mutex<()>,
}

impl EventBus {
    pub fn new() -> Self {
        Self::default()
    }

    fn update(&self, f: impl FnOnce(&mut Routes) -> Result<()>) -> Result<()> {
        let _w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let mut routes = Routes::clone(&self.routes.load());
        f(&mut routes)?;
        self.routes.store(Arc::new(routes));
        Ok(())
    }

    /// Adds a member in state `Loaded`. Names must be unique.
    pub fn join(
        &self,
        id: MemberId,
        roles: Vec<String>,
        sink: Box<dyn Sink>,
    ) -> Result<Arc<Member>> {
        let member = Arc::new(Member {
            address: Member::make_address(&id),
            id: id.clone(),
            roles,
            sink,
            state: AtomicU8::new(MemberState::Loaded as u8),
            last_error: Mutex::new(None),
            status: Mutex::new(None),
            delivered: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            missed_unreported: AtomicU64::new(0),
            queue_depth: AtomicU32::new(0),
        });
        let m = member.clone();
        self.update(move |r| {
            if r.by_id.contains_key(&id) {
                return Err(Error::invalid_input(format!(
                    "{} is already on the bus",
                    m.name()
                )));
            }
            let idx = r.members.len();
            for role in &m.roles {
                r.by_role.entry(role.clone()).or_default().push(idx);
            }
            if let MemberId::Plugin(name) = &id {
                r.by_plugin.insert(name.clone(), idx);
            }
            r.by_id.insert(id, idx);
            r.members.push(m);
            Ok(())
        })?;
        Ok(member)
    }

    /// Removes a member and its subscriptions (e.g. an API client that left).
    pub fn leave(&self, id: &MemberId) {
        let _ = self.update(|r| {
            let Some(&idx) = r.by_id.get(id) else {
                return Ok(());
            };
            // Indices shift: rebuild the index maps from the remaining members.
            let members: Vec<_> = r
                .members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != idx)
                .map(|(_, m)| m.clone())
                .collect();
            let subs: Vec<_> = r
                .subscriptions
                .iter()
                .filter(|(_, i)| *i != idx)
                .map(|(p, i)| (p.clone(), if *i > idx { i - 1 } else { *i }))
                .collect();
            let mut fresh = Routes::default();
            for (i, m) in members.iter().enumerate() {
                fresh.by_id.insert(m.id.clone(), i);
                if let MemberId::Plugin(name) = &m.id {
                    fresh.by_plugin.insert(name.clone(), i);
                }
                for role in &m.roles {
                    fresh.by_role.entry(role.clone()).or_default().push(i);
                }
            }
            fresh.members = members;
            fresh.subscriptions = subs;
            *r = fresh;
            Ok(())
        });
    }

    pub fn member(&self, id: &MemberId) -> Option<Arc<Member>> {
        let r = self.routes.load();
        r.by_id.get(id).map(|&i| r.members[i].clone())
    }

    /// Counters of every member, in the order they joined.
    pub fn stats(&self) -> Vec<MemberStats> {
        self.routes
            .load()
            .members
            .iter()
            .map(|m| m.stats())
            .collect()
    }

    /// Adds a topic subscription for `id`. Subscribing twice to the same
    /// pattern is a no-op.
    pub fn subscribe(&self, id: &MemberId, pattern: &str) -> Result<()> {
        let pattern = TopicPattern::parse(pattern)?;
        self.update(|r| {
            let idx = *r.by_id.get(id).ok_or_else(|| {
                Error::new(ErrorKind::NotFound, format!("{id:?} is not on the bus"))
            })?;
            if !r
                .subscriptions
                .iter()
                .any(|(p, i)| *i == idx && *p == pattern)
            {
                r.subscriptions.push((pattern, idx));
            }
            Ok(())
        })
    }

    /// Removes a topic subscription; an error if `id` did not hold it.
    pub fn unsubscribe(&self, id: &MemberId, pattern: &str) -> Result<()> {
        self.update(|r| {
            let idx = *r.by_id.get(id).ok_or_else(|| {
                Error::new(ErrorKind::NotFound, format!("{id:?} is not on the bus"))
            })?;
            let before = r.subscriptions.len();
            r.subscriptions
                .retain(|(p, i)| !(*i == idx && p.as_str() == pattern));
            if r.subscriptions.len() == before {
                return Err(Error::new(
                    ErrorKind::NotFound,
                    format!("not subscribed to {pattern:?}"),
                ));
            }
            Ok(())
        })
    }

    /// Routes `event` from member `from` (its `src` is overwritten with the
    /// member's address). See the module docs for the delivery rules.
    pub fn publish_from(&self, from: &MemberId, mut event: Event) -> Result<()> {
        let routes = self.routes.load();
        match routes.by_id.get(from) {
            Some(&i) => self.publish_loaded(&routes, &routes.members[i], &mut Some(event)),
            None if *from == MemberId::Daemon => {
                event.src = Address::Daemon;
                self.route(&routes, None, &mut Some(event))
            }
            None => Err(Error::new(
                ErrorKind::NotFound,
                format!("{from:?} is not on the bus"),
            )),
        }
    }

    /// [`Self::publish_from`] for a publisher that holds its member (a
    /// plugin's daemon handle): no lookup by name on the way.
    ///
    /// The event is taken from `slot` (left empty) by the last of its
    /// targets, and read in place until then: a 200-byte envelope passed
    /// by value from function to function is copied at every step, even
    /// inlined, which the bus benchmark's profile showed (five copies per
    /// event before).
    #[inline]
    pub fn publish_as(&self, member: &Member, slot: &mut Option<Event>) -> Result<()> {
        self.publish_loaded(&self.routes.load(), member, slot)
    }

    #[inline]
    fn publish_loaded(
        &self,
        routes: &Routes,
        member: &Member,
        slot: &mut Option<Event>,
    ) -> Result<()> {
        if member.state() == MemberState::Failed {
            return Err(Error::new(
                ErrorKind::Failed,
                format!("{} has failed and may not publish", member.name()),
            ));
        }
        if let Some(event) = slot.as_mut() {
            event.src = member.address();
        }
        self.route(routes, Some(member), slot)
    }

    #[inline]
    fn route(&self, routes: &Routes, src: Option<&Member>, slot: &mut Option<Event>) -> Result<()> {
        let Some(event) = slot.as_ref() else {
            return Err(Error::other("no event to route"));
        };
        // The publisher gets none of its own broadcasts.
        let is_src = |m: &Member| src.is_some_and(|s| std::ptr::eq(s, m));
        validate_topic(&event.topic)?;
        let is_request = event.request;
        let is_reply = event.ref_id.is_some()
            && matches!(event.state, EventState::Done | EventState::Cancelled);

        // Direct destinations first, then topic subscribers not already named.
        let mut targets = Targets::new();
        match &event.dst {
            Address::None | Address::All => {}
            Address::Plugin(name) => match routes.by_plugin.get(name.as_str()) {
                Some(&i) => targets.push(i),
                None => {
                    return Err(Error::new(
                        ErrorKind::NotFound,
                        format!("no plugin named {:?}", name.as_str()),
                    ));
                }
            },
            Address::Role(name) => match routes.by_role.get(name.as_str()) {
                Some(holders) => targets.extend(holders.iter().copied()),
                None => {
                    return Err(Error::new(
                        ErrorKind::NoRoleHolder,
                        format!("no plugin provides role {name}"),
                    ));
                }
            },
            Address::Client(id) => match routes.by_id.get(&MemberId::Client(*id)) {
                Some(&i) => targets.push(i),
                None => {
                    return Err(Error::new(ErrorKind::NotFound, format!("no client {id}")));
                }
            },
            Address::Daemon => match routes.by_id.get(&MemberId::Daemon) {
                Some(&i) => targets.push(i),
                None => {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        "the daemon takes no events".to_string(),
                    ));
                }
            },
        }
        if event.dst == Address::All {
            targets.extend(
                routes
                    .members
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| !is_src(m) && matches!(m.id, MemberId::Plugin(_)))
                    .map(|(i, _)| i),
            );
        }
        let direct = targets.len();
        for (pattern, idx) in &routes.subscriptions {
            if !targets.contains(idx)
                && !is_src(&routes.members[*idx])
                && pattern.matches(&event.topic)
            {
                targets.push(*idx);
            }
        }

        let mut outcome = Outcome {
            accepted: 0,
            first_error: None,
        };
        // Every target but the last gets a copy; the last gets the event.
        if let Some((&last, rest)) = targets.split_last() {
            for (n, &idx) in rest.iter().enumerate() {
                let target = Target { n, idx, direct };
                target.offer(routes, is_reply, &mut Some(event.clone()), &mut outcome);
            }
            let target = Target {
                n: rest.len(),
                idx: last,
                direct,
            };
            target.offer(routes, is_reply, slot, &mut outcome);
        }
        let Outcome {
            accepted,
            first_error,
        } = outcome;
        if is_request && accepted == 0 {
            return Err(first_error.unwrap_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    "the request has no destination that could take it".to_string(),
                )
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

    /// A sink with a fixed capacity that records topics; `drain` empties it.
    /// Not the test kit's `ChannelSink`: the kit depends on this crate, and
    /// these tests need a sink that fills up (`QueueFull`).
    struct TestSink {
        cap: usize,
        got: Mutex<Vec<String>>,
        total: AtomicUsize,
    }

    impl Sink for Arc<TestSink> {
        fn deliver(&self, event: Event) -> Result<u32> {
            let mut got = self.got.lock().unwrap();
            if got.len() >= self.cap {
                return Err(Error::new(ErrorKind::QueueFull, "full"));
            }
            got.push(event.topic.to_string());
            self.total.fetch_add(1, Ordering::Relaxed);
            Ok(got.len() as u32)
        }
    }

    fn sink(cap: usize) -> Arc<TestSink> {
        Arc::new(TestSink {
            cap,
            got: Mutex::new(Vec::new()),
            total: AtomicUsize::new(0),
        })
    }

    /// An event to `dst` (an [`Address`] in its text form).
    fn event(topic: &str, dst: &str, request: bool) -> Event {
        let mut e = daemon_event(topic, dst.parse().unwrap(), Vec::new());
        e.request = request;
        e
    }

    fn plugin(bus: &EventBus, name: &str, roles: &[&str], s: &Arc<TestSink>) -> Arc<Member> {
        let m = bus
            .join(
                MemberId::Plugin(name.into()),
                roles.iter().map(|r| r.to_string()).collect(),
                Box::new(s.clone()),
            )
            .unwrap();
        m.set_state(MemberState::Running);
        m
    }

    #[test]
    fn routes_by_plugin_role_all_and_topic() {
        let bus = EventBus::new();
        let (a, b, c) = (sink(100), sink(100), sink(100));
        plugin(&bus, "a", &["dhcp"], &a);
        plugin(&bus, "b", &["dhcp"], &b);
        plugin(&bus, "c", &[], &c);
        bus.subscribe(&MemberId::Plugin("c".into()), "sub.*")
            .unwrap();
        let from_a = MemberId::Plugin("a".into());

        bus.publish_from(&from_a, event("x.unicast", "plugin:b", false))
            .unwrap();
        bus.publish_from(&from_a, event("x.role", "role:dhcp", false))
            .unwrap();
        bus.publish_from(&from_a, event("x.all", "all", false))
            .unwrap();
        bus.publish_from(&from_a, event("sub.up", "none", false))
            .unwrap();
        bus.publish_from(&from_a, event("addr.up", "none", false))
            .unwrap();

        assert_eq!(*a.got.lock().unwrap(), ["x.role"]); // never its own broadcast
        assert_eq!(*b.got.lock().unwrap(), ["x.unicast", "x.role", "x.all"]);
        assert_eq!(*c.got.lock().unwrap(), ["x.all", "sub.up"]);
    }

    #[test]
    fn unknown_destinations_are_errors() {
        let bus = EventBus::new();
        let a = sink(10);
        plugin(&bus, "a", &[], &a);
        let from = MemberId::Plugin("a".into());
        let e = bus
            .publish_from(&from, event("t", "role:commander", true))
            .unwrap_err();
        assert_eq!(e.to_string(), "no plugin provides role commander");
        assert_eq!(e.kind(), ErrorKind::NoRoleHolder);
        let e = bus
            .publish_from(&from, event("t", "plugin:nope", false))
            .unwrap_err();
        assert_eq!(e.to_string(), "no plugin named \"nope\"");
        let e = bus
            .publish_from(&from, event("Bad Topic", "none", false))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn drops_are_counted_and_reported_and_requests_fail() {
        let bus = EventBus::new();
        let (a, b) = (sink(10), sink(2));
        plugin(&bus, "a", &[], &a);
        let mb = plugin(&bus, "b", &[], &b);
        let from = MemberId::Plugin("a".into());
        for _ in 0..5 {
            bus.publish_from(&from, event("n.note", "plugin:b", false))
                .unwrap();
        }
        let s = mb.stats();
        assert_eq!((s.delivered, s.dropped, s.queue_depth), (2, 3, 2));
        // A request that does not fit is an error to its sender.
        let e = bus
            .publish_from(&from, event("n.req", "plugin:b", true))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::QueueFull);
        // Once there is room, the notice of 4 missed events comes first.
        b.got.lock().unwrap().clear();
        bus.publish_from(&from, event("n.after", "plugin:b", false))
            .unwrap();
        assert_eq!(*b.got.lock().unwrap(), ["bus.missed", "n.after"]);
        let s = mb.stats();
        assert_eq!((s.delivered, s.dropped), (3, 4));
    }

    #[test]
    fn failed_members_are_isolated() {
        let bus = EventBus::new();
        let (a, b) = (sink(10), sink(10));
        let ma = plugin(&bus, "a", &["r"], &a);
        plugin(&bus, "b", &[], &b);
        ma.fail("boom");
        let from_b = MemberId::Plugin("b".into());
        bus.publish_from(&from_b, event("x.all", "all", false))
            .unwrap();
        assert!(a.got.lock().unwrap().is_empty());
        let e = bus
            .publish_from(&from_b, event("x", "role:r", true))
            .unwrap_err();
        assert_eq!(e.to_string(), "plugin a is failed");
        let e = bus
            .publish_from(&MemberId::Plugin("a".into()), event("x", "all", false))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Failed);
        assert_eq!(ma.last_error().as_deref(), Some("boom"));
    }

    #[test]
    fn leave_reindexes_routes() {
        let bus = EventBus::new();
        let (a, b, c) = (sink(10), sink(10), sink(10));
        plugin(&bus, "a", &["r"], &a);
        plugin(&bus, "b", &["r"], &b);
        plugin(&bus, "c", &[], &c);
        bus.subscribe(&MemberId::Plugin("c".into()), "t.**")
            .unwrap();
        bus.leave(&MemberId::Plugin("a".into()));
        bus.publish_from(&MemberId::Daemon, event("t.x", "role:r", false))
            .unwrap();
        assert!(a.got.lock().unwrap().is_empty());
        assert_eq!(*b.got.lock().unwrap(), ["t.x"]);
        assert_eq!(*c.got.lock().unwrap(), ["t.x"]);
        assert_eq!(c.total.load(Ordering::Relaxed), 1);
    }
}
