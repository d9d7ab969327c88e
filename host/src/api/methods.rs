//! The methods of every interface.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use abi_stable::std_types::ROption;
use nipart_plugin_abi::{FfiEvent, event_state};
use nipart_plugin_api::{Address, Error, ErrorKind, Event, TopicPattern};
use serde_json::{Map, Value, json};

use super::{
    conn::{ConnCtx, CutOff, Out},
    idl, redact,
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

/// The longest interface name the kernel accepts (`IFNAMSIZ` - 1).
const IFNAME_MAX: usize = 15;

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

fn opt_object<'a>(
    params: &'a Map<String, Value>,
    name: &str,
) -> Reply<Option<&'a Map<String, Value>>> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(invalid(name)),
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
pub(crate) async fn handle(call: Call, ctx: &mut ConnCtx, out: &Out) -> Result<(), CutOff> {
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
        (idl::DAEMON, "SetLogLevel") => {
            let res = set_log_level(&call, ctx).await;
            r.result(res).await
        }
        (idl::NETWORK, m @ ("Show" | "Apply" | "Commit" | "Rollback" | "ListCheckpoints")) => {
            network(&call, m, ctx, &r).await
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
                "delivered": s.delivered,
                "dropped": s.dropped,
                "queue_depth": s.queue_depth,
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
        "API: {method} denied to uid {} (pid {:?}): needs {}",
        ctx.peer.uid,
        ctx.peer.pid,
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
/// commander".
async fn network(
    call: &Call,
    member: &str,
    ctx: &mut ConnCtx,
    r: &Replier<'_>,
) -> Result<(), CutOff> {
    let (topic, mutating) = match member {
        "Show" => ("api.network.show", false),
        "Apply" => ("api.network.apply", true),
        "Commit" => ("api.network.commit", true),
        "Rollback" => ("api.network.rollback", true),
        _ => ("api.network.list-checkpoints", false),
    };
    let timeout = match check_network_params(call, member, ctx) {
        Ok(t) => t,
        Err(e) => return r.send(e).await,
    };
    let admin = ctx.is_admin();
    if mutating && !admin {
        return r.send(denied(ctx, idl::NETWORK, &call.method)).await;
    }
    let deadline = tokio::time::Instant::from_std(Instant::now() + timeout);
    let timed_out = || {
        wire::error(
            "io.nipart.Network.Timeout",
            json!({ "method": redact::echo(&call.method), "timeout_ms": timeout.as_millis() as u64 }),
        )
    };
    // Callers who are not admins take turns (see the module docs of
    // `api`); the permits are held until the call ends.
    let mut closed = ctx.closed.clone();
    let _permits = tokio::select! {
        p = ctx.call_permits() => match p {
            Ok(p) => p,
            Err(_) => return r.send(wire::error(
                "io.nipart.Network.Failed",
                json!({ "kind": "shutting-down", "message": "the daemon is shutting down" }),
            )).await,
        },
        _ = tokio::time::sleep_until(deadline) => return r.send(timed_out()).await,
        _ = ConnCtx::wait_closed(&mut closed) => return Ok(()),
    };
    let mut parameters = call.parameters.clone();
    parameters.remove("timeout_ms");
    let payload = json!({
        "method": call.method,
        "parameters": parameters,
        "more": call.more && !call.oneway,
        "caller": {
            "uid": ctx.peer.uid,
            "gid": ctx.peer.gid,
            "pid": ctx.peer.pid,
            "admin": admin,
        },
    });
    let failed = |e: &Error| {
        wire::error(
            "io.nipart.Network.Failed",
            json!({ "kind": kind_name(e.kind()), "message": e.message() }),
        )
    };
    let bus = ctx.shared.view.bus.clone();
    let link = match ctx.bus_link() {
        Ok(l) => l,
        Err(e) => return r.send(failed(&e)).await,
    };
    while link.events.try_recv().is_ok() {} // late events of earlier calls
    let mut event = match Event::new(topic, Address::role("commander")).with_json(&payload) {
        Ok(e) => e.with_deadline(deadline.saturating_duration_since(tokio::time::Instant::now())),
        Err(e) => return r.send(failed(&e)).await,
    };
    event.request = true;
    let id = event.id;
    let from = link.id.clone();
    if let Err(e) = bus.publish_from(&from, event.into_ffi()) {
        return r
            .send(if e.kind() == ErrorKind::NoRoleHolder {
                wire::error(
                    "io.nipart.Network.NoCommander",
                    json!({ "role": "commander", "message": e.message() }),
                )
            } else {
                failed(&e)
            })
            .await;
    }
    let link = match ctx.bus_link() {
        Ok(l) => l,
        Err(e) => return r.send(failed(&e)).await,
    };
    loop {
        let ev: FfiEvent = tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {
                abandon(&bus, &from, topic, id, "timeout");
                let sent = r.send(timed_out()).await;
                if _permits.is_some() {
                    settle(&mut link.events, id).await;
                }
                return sent;
            }
            _ = ConnCtx::wait_closed(&mut closed) => {
                abandon(&bus, &from, topic, id, "client-gone");
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
        if ev.ref_id != ROption::RSome(id.0) {
            continue;
        }
        let mut payload = payload_value(ev.payload.as_slice());
        if !admin {
            redact::redact(&mut payload);
        }
        match ev.state {
            event_state::ONGOING if call.more => {
                r.more(json!({ "progress": payload })).await?;
            }
            event_state::DONE => return r.done(json!({ "result": payload })).await,
            event_state::CANCELLED => {
                let e: Error = serde_json::from_value(payload.clone()).unwrap_or_else(|_| {
                    Error::other(format!("the commander cancelled the call: {payload}"))
                });
                return r.send(failed(&e)).await;
            }
            _ => {}
        }
    }
}

/// Checks a Network call's parameters; returns its timeout.
fn check_network_params(call: &Call, member: &str, ctx: &ConnCtx) -> Reply<Duration> {
    let p = &call.parameters;
    match member {
        "Show" => {
            only(p, &["interface", "timeout_ms"])?;
            // Refused before it goes anywhere (and never echoed whole):
            // no interface has a longer name.
            if opt_str(p, "interface")?.is_some_and(|n| n.len() > IFNAME_MAX) {
                return Err(invalid("interface"));
            }
        }
        "Apply" => {
            only(p, &["state", "options", "timeout_ms"])?;
            opt_object(p, "state")?.ok_or_else(|| invalid("state"))?;
            if let Some(o) = opt_object(p, "options")? {
                for k in o.keys() {
                    let ok = match k.as_str() {
                        "no_verify" | "memory_only" | "no_commit" | "no_wait" => {
                            o[k].is_boolean() || o[k].is_null()
                        }
                        "commit_timeout" => o[k].is_u64() || o[k].is_null(),
                        _ => false,
                    };
                    if !ok {
                        return Err(invalid(&format!("options.{}", redact::echo(k))));
                    }
                }
            }
        }
        "Commit" | "Rollback" => {
            only(p, &["checkpoint", "timeout_ms"])?;
            opt_str(p, "checkpoint")?;
        }
        _ => only(p, &["timeout_ms"])?,
    }
    let cfg = ctx.shared.cfg.load();
    let ms = opt_u64(p, "timeout_ms")?.unwrap_or(cfg.call_timeout_ms);
    if ms == 0 || ms > cfg.max_call_timeout_ms {
        return Err(invalid("timeout_ms"));
    }
    Ok(Duration::from_millis(ms))
}

/// How long a non-admin's permits stay held after its call was abandoned,
/// at most, waiting for the commander to end the work.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);

/// Waits (at most [`SETTLE_LIMIT`]) for the final event of request `id`,
/// after [`abandon`]: the commander stops a read-only call at once and the
/// SDK answers a request it drops, so this is quick. Meanwhile the caller's
/// permits stay held, so that abandoned calls count against the limits
/// until their work, queued at plugins, is gone.
async fn settle(
    events: &mut tokio::sync::mpsc::Receiver<FfiEvent>,
    id: nipart_plugin_api::EventId,
) {
    let end = async {
        while let Some(ev) = events.recv().await {
            let done = ev.state == event_state::DONE || ev.state == event_state::CANCELLED;
            if done && ev.ref_id == ROption::RSome(id.0) {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(SETTLE_LIMIT, end).await;
}

/// Tells the commander a call was given up (timeout or client gone): a
/// `Cancelled` event that follows the request.
fn abandon(
    bus: &Arc<crate::EventBus>,
    from: &crate::MemberId,
    topic: &str,
    id: nipart_plugin_api::EventId,
    reason: &str,
) {
    let mut ev = Event::new(topic, Address::role("commander"))
        .with_state(nipart_plugin_api::EventState::Cancelled);
    ev.ref_id = Some(id);
    if let Ok(ev) = ev.with_json(&Error::new(
        ErrorKind::Timeout,
        format!("the API call was abandoned: {reason}"),
    )) {
        let _ = bus.publish_from(from, ev.into_ffi());
    }
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

fn event_json(ev: FfiEvent, admin: bool) -> Value {
    let ev = match Event::from_ffi(ev) {
        Ok(e) => e,
        Err(e) => return json!({ "topic": "bus.invalid", "error": e.message() }),
    };
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
        assert!(opt_object(&p, "o").unwrap().is_some());
        assert_eq!(opt_str_array(&p, "l").unwrap(), Some(vec!["x".to_string()]));
        let e = only(&p, &["a", "n", "o", "l"]).unwrap_err();
        let v: Value = serde_json::from_slice(&e[..e.len() - 1]).unwrap();
        assert_eq!(v["error"], errors::INVALID_PARAMETER);
        assert_eq!(v["parameter"], Value::Null);
        assert_eq!(v["parameters"]["parameter"], "bad");
    }
}
