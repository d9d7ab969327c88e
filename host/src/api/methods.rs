//! The methods of every interface.

use std::time::{Duration, Instant};

use nipart_plugin_api::{
    Address, Error, ErrorKind, Event, EventState, Message, Request, TopicPattern,
    protocol::api::{Commit, ListCheckpoints, NetworkMethod, PluginCall, Rollback},
    state::{ApiCall, ApplyRequest, Caller, ShowRequest, StatusRequest},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::{
    idl, redact,
    session::{ConnCtx, CutOff, Out},
    wire::{self, Call, errors},
};
use crate::MemberState;

/// An encoded error reply, as the `Err` of parameter checks.
type Reply<T> = Result<T, Vec<u8>>;

/// `InvalidParameter`; the name is the caller's, so it is cut short.
fn invalid(parameter: &str) -> Vec<u8> {
    wire::error(
        errors::INVALID_PARAMETER,
        json!({ "parameter": redact::echo(parameter) }),
    )
}

/// The longest topic pattern a Monitor call may give (bus topics are a few
/// dozen bytes).
const PATTERN_MAX: usize = 255;

/// Refuses parameters the method does not declare.
fn only(params: &Map<String, Value>, allowed: &[&str]) -> Reply<()> {
    match params.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(invalid(k)),
        None => Ok(()),
    }
}

fn opt_str<'a>(params: &'a Map<String, Value>, name: &str) -> Reply<Option<&'a str>> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name)),
    }
}

fn opt_u64(params: &Map<String, Value>, name: &str) -> Reply<Option<u64>> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| invalid(name)),
    }
}

fn opt_str_array(params: &Map<String, Value>, name: &str) -> Reply<Option<Vec<String>>> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| invalid(name)))
            .collect::<Reply<Vec<_>>>()
            .map(Some),
        Some(_) => Err(invalid(name)),
    }
}

/// Where replies to one call go: nowhere for a `oneway` call.
struct Replier<'a> {
    out: &'a Out,
    oneway: bool,
}

impl Replier<'_> {
    async fn send(&self, msg: Vec<u8>) -> Result<(), CutOff> {
        if self.oneway {
            Ok(())
        } else {
            self.out.send(msg).await
        }
    }

    async fn done(&self, params: Value) -> Result<(), CutOff> {
        self.send(wire::reply(&params, false)).await
    }

    async fn more(&self, params: Value) -> Result<(), CutOff> {
        self.send(wire::reply(&params, true)).await
    }

    async fn result(&self, r: Reply<Value>) -> Result<(), CutOff> {
        match r {
            Ok(v) => self.done(v).await,
            Err(e) => self.send(e).await,
        }
    }
}

/// Answers one call completely (all its replies queued).
pub(crate) async fn handle(mut call: Call, ctx: &mut ConnCtx, out: &Out) -> Result<(), CutOff> {
    let r = Replier {
        out,
        oneway: call.oneway,
    };
    if call.upgrade {
        return r.send(invalid("upgrade")).await;
    }
    let p = &call.parameters;
    match (call.interface(), call.member()) {
        (idl::SERVICE, "GetInfo") => r.result(only(p, &[]).map(|()| get_info())).await,
        (idl::SERVICE, "GetInterfaceDescription") => r.result(interface_description(p)).await,
        (idl::DAEMON, "Ping") => r.result(only(p, &[]).map(|()| json!({}))).await,
        (idl::DAEMON, "Info") => r.result(only(p, &[]).map(|()| info(ctx))).await,
        (idl::DAEMON, "Plugins") => r.result(only(p, &[]).map(|()| plugins(ctx))).await,
        (idl::DAEMON, "Call") => plugin_call(&mut call, ctx, &r).await,
        (idl::DAEMON, "SetLogLevel") => {
            let res = set_log_level(&call, ctx).await;
            r.result(res).await
        }
        (idl::NETWORK, ShowRequest::METHOD) => network::<ShowRequest>(&mut call, ctx, &r).await,
        (idl::NETWORK, ApplyRequest::METHOD) => network::<ApplyRequest>(&mut call, ctx, &r).await,
        (idl::NETWORK, Commit::METHOD) => network::<Commit>(&mut call, ctx, &r).await,
        (idl::NETWORK, Rollback::METHOD) => network::<Rollback>(&mut call, ctx, &r).await,
        (idl::NETWORK, StatusRequest::METHOD) => network::<StatusRequest>(&mut call, ctx, &r).await,
        (idl::NETWORK, ListCheckpoints::METHOD) => {
            network::<ListCheckpoints>(&mut call, ctx, &r).await
        }
        (idl::EVENTS, "Monitor") => monitor(&call, ctx, &r).await,
        (iface, _) if idl::description(iface).is_some() => {
            r.send(wire::error(
                errors::METHOD_NOT_FOUND,
                json!({ "method": redact::echo(&call.method) }),
            ))
            .await
        }
        (iface, _) => {
            r.send(wire::error(
                errors::INTERFACE_NOT_FOUND,
                json!({ "interface": redact::echo(iface) }),
            ))
            .await
        }
    }
}

fn get_info() -> Value {
    json!({
        "vendor": "nipart",
        "product": "nipartd",
        "version": crate::VERSION,
        "url": "https://example.invalid/nipart",
        "interfaces": idl::INTERFACES,
    })
}

fn interface_description(p: &Map<String, Value>) -> Reply<Value> {
    only(p, &["interface"])?;
    let name = opt_str(p, "interface")?.ok_or_else(|| invalid("interface"))?;
    idl::description(name)
        .map(|d| json!({ "description": d }))
        .ok_or_else(|| {
            wire::error(
                errors::INTERFACE_NOT_FOUND,
                json!({ "interface": redact::echo(name) }),
            )
        })
}

fn info(ctx: &ConnCtx) -> Value {
    let view = &ctx.shared.view;
    json!({
        "version": crate::VERSION,
        "abi_version": nipart_plugin_api::ABI_VERSION,
        "pid": std::process::id(),
        "uptime_seconds": view.started_at.elapsed().as_secs_f64(),
        "plugin_dir": view.plugin_dir.display().to_string(),
        "socket": ctx.shared.cfg.load().socket.display().to_string(),
        "plugins": view.plugins.len(),
        "rejected": view.rejected.len(),
    })
}

fn plugins(ctx: &ConnCtx) -> Value {
    let view = &ctx.shared.view;
    let plugins: Vec<Value> = view
        .plugins
        .iter()
        .map(|p| {
            let s = p.member.stats();
            json!({
                "name": p.info.name,
                "version": p.info.version,
                "description": p.info.description,
                "file": p.info.file.display().to_string(),
                "roles": p.info.roles,
                "state": s.state.to_string(),
                "last_error": s.last_error,
                "status": s.status,
                "delivered": s.delivered,
                "dropped": s.dropped,
                "queue_depth": s.queue_depth,
                "protocol_version": p.info.protocol_version,
            })
        })
        .collect();
    let rejected: Vec<Value> = view
        .rejected
        .iter()
        .map(|r| {
            json!({
                "file": r.path.display().to_string(),
                "plugin": r.plugin,
                "reason": r.reason,
                "fix": r.fix,
            })
        })
        .collect();
    json!({ "plugins": plugins, "rejected": rejected })
}

fn denied(ctx: &ConnCtx, interface: &str, method: &str) -> Vec<u8> {
    ctx.warn(format_args!(
        "API: {method} denied to uid {} (pid {}): needs {}",
        ctx.peer.uid,
        ctx.peer.pid_text(),
        ctx.shared.policy.load().privilege()
    ));
    wire::error(
        &format!("{interface}.PermissionDenied"),
        json!({ "method": method, "privilege": ctx.shared.policy.load().privilege() }),
    )
}

const LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

async fn set_log_level(call: &Call, ctx: &ConnCtx) -> Reply<Value> {
    let p = &call.parameters;
    only(p, &["level"])?;
    let level = opt_str(p, "level")?.ok_or_else(|| invalid("level"))?;
    if !ctx.is_admin() {
        return Err(denied(ctx, idl::DAEMON, &call.method));
    }
    if !LEVELS.contains(&level) {
        return Err(wire::error(
            "io.nipart.Daemon.InvalidLogLevel",
            json!({ "level": redact::echo(level) }),
        ));
    }
    let mut failed = Vec::new();
    if let Some(set) = &ctx.shared.view.set_log_level
        && let Err(e) = set(level)
    {
        failed.push(json!({ "plugin": "nipartd", "error": e }));
    }
    for p in &ctx.shared.view.plugins {
        let Some(caller) = p.call.clone() else {
            continue;
        };
        if p.member.state() != MemberState::Running {
            continue;
        }
        let lvl = level.to_string();
        // An FFI call can't be cancelled: run it off the async workers and
        // stop waiting after a while.
        let task = tokio::task::spawn_blocking(move || {
            caller.call("nipart.set_log_level", lvl.as_bytes())
        });
        let error = match tokio::time::timeout(Duration::from_secs(2), task).await {
            Ok(Ok(Ok(_))) => None,
            Ok(Ok(Err(e))) => Some(e.to_string()),
            Ok(Err(e)) => Some(format!("the call failed: {e}")),
            Err(_) => Some("no answer within 2 s".to_string()),
        };
        if let Some(error) = error {
            failed.push(json!({ "plugin": p.info.name, "error": error }));
        }
    }
    tracing::info!("log level set to {level} by uid {}", ctx.peer.uid);
    Ok(json!({ "level": level, "failed": failed }))
}

/// `io.nipart.Network.*`: see `docs/api.md`, "The exchange with the
/// commander". The call's parameters are decoded into `P` (the protocol's
/// type) and forwarded as an [`ApiCall`]`<P>` to the role that answers it.
async fn network<P>(call: &mut Call, ctx: &mut ConnCtx, r: &Replier<'_>) -> Result<(), CutOff>
where
    P: NetworkMethod,
    ApiCall<P>: Request,
{
    let (parameters, timeout) = match network_params::<P>(call, ctx) {
        Ok(p) => p,
        Err(e) => return r.send(e).await,
    };
    let admin = ctx.is_admin();
    if P::MUTATING && !admin {
        return r.send(denied(ctx, idl::NETWORK, &call.method)).await;
    }
    let role = <ApiCall<P> as Request>::ROLE;
    let payload = ApiCall {
        method: call.method.clone(),
        parameters,
        more: call.more && !call.oneway,
        caller: Some(Caller {
            uid: ctx.peer.uid,
            gid: ctx.peer.gid,
            pid: ctx.peer.pid,
            admin,
        }),
    };
    let to = Forward {
        interface: idl::NETWORK,
        topic: <ApiCall<P> as Message>::TOPIC,
        dst: Address::role(role.as_str()),
        timeout,
        max_reply: None,
    };
    forward(call, ctx, r, &to, &payload, |e| {
        wire::error(
            "io.nipart.Network.NoCommander",
            json!({ "role": role.as_str(), "message": e.message() }),
        )
    })
    .await
}

/// Where [`forward`] sends a call, and its bounds.
struct Forward<'a> {
    /// The interface whose `Failed` and `Timeout` errors are answered.
    interface: &'a str,
    topic: &'a str,
    dst: Address,
    timeout: Duration,
    /// Replies longer than this (bytes of JSON) are refused.
    max_reply: Option<usize>,
}

/// Sends `payload` as a request on the bus and relays its progress (with
/// `more`) and its final reply (`result`) to the caller. A caller who is
/// not an admin waits for its permits first and gets redacted replies; a
/// timeout or the client's going away cancels the request at its
/// receiver. `not_found` is the reply when no member takes the request.
async fn forward<T: serde::Serialize>(
    call: &Call,
    ctx: &mut ConnCtx,
    r: &Replier<'_>,
    to: &Forward<'_>,
    payload: &T,
    not_found: impl FnOnce(&Error) -> Vec<u8>,
) -> Result<(), CutOff> {
    let (topic, timeout, interface) = (to.topic, to.timeout, to.interface);
    let admin = ctx.is_admin();
    let deadline = tokio::time::Instant::from_std(Instant::now() + timeout);
    let timed_out = || {
        wire::error(
            &format!("{interface}.Timeout"),
            json!({ "method": redact::echo(&call.method), "timeout_ms": timeout.as_millis() as u64 }),
        )
    };
    let failed = |e: &Error| {
        wire::error(
            &format!("{interface}.Failed"),
            json!({ "kind": kind_name(e.kind()), "message": e.message() }),
        )
    };
    // Callers who are not admins take turns (see the module docs of
    // `api`); the permits are held until the call ends.
    let mut closed = ctx.closed.clone();
    let _permits = tokio::select! {
        p = ctx.call_permits() => match p {
            Ok(p) => p,
            Err(_) => return r.send(failed(&Error::new(
                ErrorKind::ShuttingDown,
                "the daemon is shutting down",
            ))).await,
        },
        _ = tokio::time::sleep_until(deadline) => return r.send(timed_out()).await,
        _ = ConnCtx::wait_closed(&mut closed) => return Ok(()),
    };
    let bus = ctx.shared.view.bus.clone();
    let link = match ctx.bus_link() {
        Ok(l) => l,
        Err(e) => return r.send(failed(&e)).await,
    };
    while link.events.try_recv().is_ok() {} // late events of earlier calls
    let mut event = match Event::new(topic, to.dst.clone()).with_json(payload) {
        Ok(e) => e.with_deadline(deadline.saturating_duration_since(tokio::time::Instant::now())),
        Err(e) => return r.send(failed(&e)).await,
    };
    event.request = true;
    let id = event.id;
    let from = link.id.clone();
    if let Err(e) = bus.publish_from(&from, event) {
        return r
            .send(
                if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NoRoleHolder) {
                    not_found(&e)
                } else {
                    failed(&e)
                },
            )
            .await;
    }
    let link = match ctx.bus_link() {
        Ok(l) => l,
        Err(e) => return r.send(failed(&e)).await,
    };
    let abandon = |reason: &str| {
        let mut ev = Event::new(topic, to.dst.clone()).with_state(EventState::Cancelled);
        ev.ref_id = Some(id);
        if let Ok(ev) = ev.with_json(&Error::new(
            ErrorKind::Timeout,
            format!("the API call was abandoned: {reason}"),
        )) {
            let _ = bus.publish_from(&from, ev);
        }
    };
    loop {
        let ev: Event = tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {
                abandon("timeout");
                let sent = r.send(timed_out()).await;
                if _permits.is_some() {
                    settle(&mut link.events, id).await;
                }
                return sent;
            }
            _ = ConnCtx::wait_closed(&mut closed) => {
                abandon("client-gone");
                if _permits.is_some() {
                    settle(&mut link.events, id).await;
                }
                return Ok(());
            }
            ev = link.events.recv() => match ev {
                Some(ev) => ev,
                None => return r.send(failed(&Error::new(ErrorKind::ShuttingDown, "the daemon is shutting down"))).await,
            },
        };
        if ev.ref_id != Some(id) {
            continue;
        }
        if let Some(max) = to.max_reply
            && ev.payload.len() > max
        {
            abandon("reply too large");
            return r
                .send(failed(&Error::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "the reply ({} bytes) is longer than the API's limit of {max} bytes",
                        ev.payload.len()
                    ),
                )))
                .await;
        }
        // An admin's result is sent as the plugin wrote it (nothing to
        // redact): checked to be JSON, not parsed into a tree and written
        // again (with a whole state, a tenth of a `show`).
        if admin
            && ev.state == EventState::Done
            && !ev.payload.is_empty()
            && serde_json::from_slice::<serde::de::IgnoredAny>(&ev.payload).is_ok()
        {
            return r.send(wire::reply_with_raw_result(&ev.payload)).await;
        }
        let mut payload = payload_value(&ev.payload);
        if !admin {
            redact::redact(&mut payload);
        }
        match ev.state {
            EventState::Ongoing if call.more => {
                r.more(json!({ "progress": payload })).await?;
            }
            EventState::Done => return r.done(json!({ "result": payload })).await,
            EventState::Cancelled => {
                let e: Error = serde_json::from_value(payload.clone()).unwrap_or_else(|_| {
                    Error::other(format!("the receiver cancelled the call: {payload}"))
                });
                return r.send(failed(&e)).await;
            }
            _ => {}
        }
    }
}

/// Decodes a call's parameters into `P` and takes out its timeout
/// (`timeout_ms`, within the configured bounds). Whatever is unknown,
/// missing or of the wrong type is named by its path (`options.no_verify`)
/// in `InvalidParameter`.
/// The parameters are taken out of `call` (a desired state may be large:
/// it is moved, not copied).
fn decode_call<P: DeserializeOwned>(call: &mut Call, ctx: &ConnCtx) -> Reply<(P, Duration)> {
    let mut p = std::mem::take(&mut call.parameters);
    let cfg = ctx.shared.cfg.load();
    let ms = opt_u64(&p, "timeout_ms")?.unwrap_or(cfg.call_timeout_ms);
    p.remove("timeout_ms");
    // In varlink a null parameter is one not given.
    p.retain(|_, v| !v.is_null());
    let parameters: P = decode(p)?;
    if ms == 0 || ms > cfg.max_call_timeout_ms {
        return Err(invalid("timeout_ms"));
    }
    Ok((parameters, Duration::from_millis(ms)))
}

/// A Network call's parameters and timeout, checked.
fn network_params<P: NetworkMethod>(call: &mut Call, ctx: &ConnCtx) -> Reply<(P, Duration)> {
    let (parameters, timeout) = decode_call::<P>(call, ctx)?;
    // Refused before it goes anywhere (a long name is never echoed whole).
    parameters.check().map_err(invalid)?;
    Ok((parameters, timeout))
}

/// `io.nipart.Daemon.Call`: a request on a plugin's own topic, for admins;
/// the built-in roles' requests that change state are refused (they go
/// through `io.nipart.Network`, with its checks and rollback).
async fn plugin_call(call: &mut Call, ctx: &mut ConnCtx, r: &Replier<'_>) -> Result<(), CutOff> {
    let (parameters, timeout) = match decode_call::<PluginCall>(call, ctx)
        .and_then(|(p, t)| p.check().map_err(invalid).map(|()| (p, t)))
    {
        Ok(p) => p,
        Err(e) => return r.send(e).await,
    };
    if !ctx.is_admin() {
        return r.send(denied(ctx, idl::DAEMON, &call.method)).await;
    }
    if let Some(builtin) = parameters.refusal() {
        ctx.warn(format_args!(
            "API: Call of {} refused to uid {}: it changes state",
            builtin.topic, ctx.peer.uid
        ));
        return r
            .send(wire::error(
                "io.nipart.Daemon.CallRefused",
                json!({
                    "topic": builtin.topic,
                    "reason": format!(
                        "{} is a request of role {} that changes state: use io.nipart.Network",
                        builtin.topic, builtin.role
                    ),
                }),
            ))
            .await;
    }
    let dst = match (&parameters.plugin, &parameters.role) {
        (Some(plugin), _) => Address::plugin(plugin.as_str()),
        (None, Some(role)) => Address::role(role.as_str()),
        (None, None) => return r.send(invalid("plugin")).await,
    };
    let to = Forward {
        interface: idl::DAEMON,
        topic: &parameters.topic,
        dst,
        timeout,
        max_reply: Some(ctx.shared.cfg.load().max_message_size),
    };
    let destination = to.dst.to_string();
    forward(call, ctx, r, &to, &parameters.payload, |e| {
        wire::error(
            "io.nipart.Daemon.NoReceiver",
            json!({ "destination": redact::echo(&destination), "message": e.message() }),
        )
    })
    .await
}

/// Decodes parameters into their type, refusing unknown ones; the error
/// names the parameter by its path.
fn decode<P: DeserializeOwned>(params: Map<String, Value>) -> Reply<P> {
    serde_path_to_error::deserialize(Value::Object(params)).map_err(|e| {
        let path = e.path().to_string();
        // A missing field is reported at its parent: name the field.
        let missing = e
            .inner()
            .to_string()
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next().map(str::to_string));
        invalid(&match (missing, path.as_str()) {
            (Some(field), ".") => field,
            (Some(field), parent) => format!("{parent}.{field}"),
            (None, _) => path,
        })
    })
}

/// How long a non-admin's permits stay held after its call was abandoned,
/// at most, waiting for the commander to end the work.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);

/// Waits (at most [`SETTLE_LIMIT`]) for the final event of request `id`,
/// after [`abandon`]: the commander stops a read-only call at once and the
/// SDK answers a request it drops, so this is quick. Meanwhile the caller's
/// permits stay held, so that abandoned calls count against the limits
/// until their work, queued at plugins, is gone.
async fn settle(events: &mut tokio::sync::mpsc::Receiver<Event>, id: nipart_plugin_api::EventId) {
    let end = async {
        while let Some(ev) = events.recv().await {
            let done = matches!(ev.state, EventState::Done | EventState::Cancelled);
            if done && ev.ref_id == Some(id) {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(SETTLE_LIMIT, end).await;
}

fn kind_name(kind: ErrorKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".to_string())
}

/// A payload as JSON: parsed when it is JSON, `null` when empty, else a
/// string of base64 under `payload_base64`.
fn payload_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|_| json!({ "payload_base64": base64(bytes) }))
}

async fn monitor(call: &Call, ctx: &mut ConnCtx, r: &Replier<'_>) -> Result<(), CutOff> {
    if call.oneway {
        return Ok(());
    }
    if !call.more {
        return r.send(wire::error(errors::EXPECTED_MORE, json!({}))).await;
    }
    let p = &call.parameters;
    let patterns = match only(p, &["patterns"]).and_then(|()| opt_str_array(p, "patterns")) {
        Ok(Some(v)) if !v.is_empty() => v,
        Ok(_) => vec!["**".to_string()],
        Err(e) => return r.send(e).await,
    };
    for pat in &patterns {
        if pat.len() > PATTERN_MAX {
            return r
                .send(wire::error(
                    "io.nipart.Events.InvalidPattern",
                    json!({
                        "pattern": redact::echo(pat),
                        "reason": format!("longer than {PATTERN_MAX} bytes"),
                    }),
                ))
                .await;
        }
        if let Err(e) = TopicPattern::parse(pat) {
            return r
                .send(wire::error(
                    "io.nipart.Events.InvalidPattern",
                    json!({ "pattern": pat, "reason": e.message() }),
                ))
                .await;
        }
    }
    let admin = ctx.is_admin();
    let bus = ctx.shared.view.bus.clone();
    let mut closed = ctx.closed.clone();
    let link = match ctx.bus_link() {
        Ok(l) => l,
        Err(e) => {
            return r
                .send(wire::error(
                    "io.nipart.Daemon.InvalidMessage",
                    json!({ "reason": e.message() }),
                ))
                .await;
        }
    };
    for pat in &patterns {
        if let Err(e) = bus.subscribe(&link.id, pat) {
            return r
                .send(wire::error(
                    "io.nipart.Events.InvalidPattern",
                    json!({ "pattern": pat, "reason": e.message() }),
                ))
                .await;
        }
    }
    r.more(json!({ "subscribed": patterns })).await?;
    loop {
        tokio::select! {
            _ = ConnCtx::wait_closed(&mut closed) => break,
            ev = link.events.recv() => match ev {
                Some(ev) => r.more(json!({ "event": event_json(ev, admin) })).await?,
                None => break,
            },
        }
    }
    for pat in &patterns {
        let _ = bus.unsubscribe(&link.id, pat);
    }
    Ok(())
}

fn event_json(ev: Event, admin: bool) -> Value {
    let mut out = json!({
        "id": ev.id.to_string(),
        "ref_id": ev.ref_id.map(|r| r.to_string()),
        "state": ev.state.to_string(),
        "src": ev.src.to_string(),
        "dst": ev.dst.to_string(),
        "topic": ev.topic,
        "request": ev.request,
        "deadline_unix_ms": ev.deadline.and_then(|d| d.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_millis() as u64),
    });
    if !ev.payload.is_empty() {
        match serde_json::from_slice::<Value>(&ev.payload) {
            Ok(mut v) => {
                if !admin {
                    redact::redact(&mut v);
                }
                out["payload"] = v;
            }
            Err(_) => out["payload_base64"] = Value::String(base64(&ev.payload)),
        }
    }
    out
}

/// Standard base64 with padding.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn parameter_checks() {
        let p: Map<String, Value> =
            serde_json::from_str(r#"{"a":"x","n":5,"o":{},"l":["x"],"bad":1}"#).unwrap();
        assert_eq!(opt_str(&p, "a").unwrap(), Some("x"));
        assert!(opt_str(&p, "n").is_err());
        assert_eq!(opt_u64(&p, "n").unwrap(), Some(5));
        assert!(opt_u64(&p, "a").is_err());
        assert_eq!(opt_str_array(&p, "l").unwrap(), Some(vec!["x".to_string()]));
        let e = only(&p, &["a", "n", "o", "l"]).unwrap_err();
        let v: Value = serde_json::from_slice(&e[..e.len() - 1]).unwrap();
        assert_eq!(v["error"], errors::INVALID_PARAMETER);
        assert_eq!(v["parameter"], Value::Null);
        assert_eq!(v["parameters"]["parameter"], "bad");
    }
}
