//! Serving the read and admin subjects: each request is decoded into the
//! local API's parameter type, asked of `role:commander` as the API server
//! asks it, and answered with a [`FleetReply`] naming this host. Admin
//! requests that carry an id are done once: the same id again is answered
//! with the first reply (or nothing while the first still runs).

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex, atomic::Ordering},
};

use async_nats::{Message as NatsMessage, Subscriber};
use futures_util::StreamExt;
use nipart_plugin_api::{
    Context, Error, ErrorKind,
    protocol::{
        api::{Commit, ListCheckpoints, NetworkMethod, Rollback},
        fleet::{
            AdminMethod, DEADLINE_HEADER, FleetError, FleetErrorKind, FleetOutcome, FleetReply,
            REQUEST_ID_HEADER, REQUEST_ID_MAX, ReadMethod,
        },
        state::{ApiCall, ApplyRequest, ShowRequest},
    },
};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    connection::{Inner, heartbeat},
    lock,
};

/// The largest request payload we decode (a desired state).
const MAX_REQUEST: usize = 4 * 1024 * 1024;
/// How many admin request ids we remember.
const DEDUP_KEEP: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Read,
    Admin,
}

enum Slot {
    Running,
    Done(Vec<u8>),
}

/// Recent admin request ids and their replies.
#[derive(Default)]
pub(crate) struct Dedup(Mutex<VecDeque<(String, Slot)>>);

enum Seen {
    New,
    Running,
    Done(Vec<u8>),
}

impl Dedup {
    fn check_in(&self, id: &str) -> Seen {
        let mut q = lock(&self.0);
        match q.iter().find(|(i, _)| i == id) {
            Some((_, Slot::Running)) => Seen::Running,
            Some((_, Slot::Done(b))) => Seen::Done(b.clone()),
            None => {
                if q.len() >= DEDUP_KEEP {
                    q.pop_front();
                }
                q.push_back((id.to_string(), Slot::Running));
                Seen::New
            }
        }
    }

    fn done(&self, id: &str, reply: &[u8]) {
        if let Some((_, slot)) = lock(&self.0).iter_mut().find(|(i, _)| i == id) {
            *slot = Slot::Done(reply.to_vec());
        }
    }
}

/// How late (ms) an admin request is past its [`DEADLINE_HEADER`], if it
/// is (a header that is no number is no deadline).
fn past_deadline(msg: &NatsMessage) -> Option<u128> {
    let deadline: u128 = msg
        .headers
        .as_ref()?
        .get(DEADLINE_HEADER)?
        .as_str()
        .parse()
        .ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    (now > deadline).then(|| now - deadline)
}

pub(crate) async fn serve(ctx: Context, inner: Arc<Inner>, mut sub: Subscriber, kind: Kind) {
    while let Some(msg) = sub.next().await {
        let (ctx, inner) = (ctx.clone(), inner.clone());
        tokio::spawn(async move { answer(&ctx, &inner, msg, kind).await });
    }
}

fn fleet_error(e: &Error) -> FleetError {
    let kind = match e.kind() {
        ErrorKind::InvalidInput => FleetErrorKind::InvalidInput,
        ErrorKind::NotFound => FleetErrorKind::NotFound,
        ErrorKind::Timeout => FleetErrorKind::Timeout,
        ErrorKind::Busy => FleetErrorKind::Busy,
        ErrorKind::Unsupported | ErrorKind::NoRoleHolder => FleetErrorKind::Unsupported,
        _ => FleetErrorKind::Failed,
    };
    FleetError {
        kind,
        message: e.message().to_string(),
    }
}

fn decode<P: DeserializeOwned>(payload: &[u8]) -> Result<P, Error> {
    if payload.len() > MAX_REQUEST {
        return Err(Error::invalid_input(format!(
            "the request is {} bytes, more than {MAX_REQUEST}",
            payload.len()
        )));
    }
    // An empty payload is an empty object (a `show` of everything).
    let payload = if payload.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        payload
    };
    serde_json::from_slice(payload).map_err(|e| Error::invalid_input(format!("the request: {e}")))
}

async fn call<P: NetworkMethod>(
    ctx: &Context,
    payload: &[u8],
    timeout: std::time::Duration,
) -> Result<serde_json::Value, Error>
where
    ApiCall<P>: nipart_plugin_api::Request,
{
    let params: P = decode(payload)?;
    if let Err(field) = params.check() {
        return Err(Error::invalid_input(format!(
            "the request: invalid {field}"
        )));
    }
    let reply = ctx
        .ask_within(
            &ApiCall::new(format!("io.nipart.Network.{}", P::METHOD), params),
            timeout,
        )
        .await?;
    serde_json::to_value(reply).map_err(|e| Error::new(ErrorKind::Failed, e.to_string()))
}

fn reply_bytes<T: Serialize>(host: &str, outcome: FleetOutcome<T>) -> Vec<u8> {
    serde_json::to_vec(&FleetReply {
        host: host.to_string(),
        outcome,
    })
    .unwrap_or_default()
}

async fn answer(ctx: &Context, inner: &Inner, msg: NatsMessage, kind: Kind) {
    let Some(reply_to) = msg.reply.clone() else {
        tracing::debug!("{}: no reply subject: ignored", msg.subject);
        return;
    };
    let method = msg.subject.rsplit('.').next().unwrap_or_default();
    let id = msg
        .headers
        .as_ref()
        .and_then(|h| h.get(REQUEST_ID_HEADER))
        .map(|v| v.as_str().to_string())
        .filter(|id| !id.is_empty() && id.len() <= REQUEST_ID_MAX);
    if kind == Kind::Admin {
        if let Some(late) = past_deadline(&msg) {
            // Its sender reported us unreachable: doing it now would
            // change a host the operator was told was left alone.
            tracing::warn!(
                "{}: the request arrived {late} ms after its sender's deadline: not done",
                msg.subject
            );
            return;
        }
        if let Some(id) = &id {
            match inner.dedup.check_in(id) {
                Seen::New => {}
                Seen::Running => return,
                Seen::Done(bytes) => {
                    tracing::info!(
                        "{}: request {id} again: its first reply sent again",
                        msg.subject
                    );
                    let _ = inner.client.publish(reply_to, bytes.into()).await;
                    return;
                }
            }
        }
    }
    inner.served.fetch_add(1, Ordering::Relaxed);
    let timeout = inner.request_timeout;
    let payload = &msg.payload[..];
    let result = match kind {
        Kind::Read => match ReadMethod::ALL.iter().find(|m| m.as_str() == method) {
            Some(ReadMethod::Show) => call::<ShowRequest>(ctx, payload, timeout).await,
            Some(ReadMethod::Checkpoints) => call::<ListCheckpoints>(ctx, payload, timeout).await,
            Some(ReadMethod::Plugins) => serde_json::to_value(heartbeat(ctx, inner).await)
                .map_err(|e| Error::new(ErrorKind::Failed, e.to_string())),
            None => Err(Error::new(
                ErrorKind::NotFound,
                format!("no read method {method:?}"),
            )),
        },
        Kind::Admin => match AdminMethod::ALL.iter().find(|m| m.as_str() == method) {
            Some(AdminMethod::Apply) => {
                tracing::info!("{}: apply requested over NATS", inner.host);
                call::<ApplyRequest>(ctx, payload, timeout).await
            }
            Some(AdminMethod::Commit) => call::<Commit>(ctx, payload, timeout).await,
            Some(AdminMethod::Rollback) => call::<Rollback>(ctx, payload, timeout).await,
            None => Err(Error::new(
                ErrorKind::NotFound,
                format!("no admin method {method:?}"),
            )),
        },
    };
    let bytes = match result {
        Ok(v) => reply_bytes(&inner.host, FleetOutcome::Ok(v)),
        Err(e) => {
            inner.failed.fetch_add(1, Ordering::Relaxed);
            tracing::info!("{}: {e}", msg.subject);
            reply_bytes::<()>(&inner.host, FleetOutcome::Error(fleet_error(&e)))
        }
    };
    if let (Kind::Admin, Some(id)) = (kind, &id) {
        inner.dedup.done(id, &bytes);
    }
    if let Err(e) = inner.client.publish(reply_to, bytes.into()).await {
        tracing::warn!("{}: sending the reply: {e}", msg.subject);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_deadline(value: Option<&str>) -> NatsMessage {
        let headers = value.map(|v| {
            let mut h = async_nats::HeaderMap::new();
            h.insert(DEADLINE_HEADER, v);
            h
        });
        NatsMessage {
            subject: "nipart.h1.admin.apply".into(),
            reply: None,
            payload: Default::default(),
            headers,
            status: None,
            description: None,
            length: 0,
        }
    }

    #[test]
    fn a_request_past_its_deadline_is_late() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let late = past_deadline(&with_deadline(Some(&(now - 5_000).to_string())));
        assert!(late.is_some_and(|ms| ms >= 5_000), "{late:?}");
        let early = (now + 60_000).to_string();
        assert_eq!(past_deadline(&with_deadline(Some(&early))), None);
        // No deadline, or one that is no number: none to pass.
        assert_eq!(past_deadline(&with_deadline(Some("soon"))), None);
        assert_eq!(past_deadline(&with_deadline(None)), None);
    }
}
