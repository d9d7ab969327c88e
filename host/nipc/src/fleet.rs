//! `nipc fleet`: the hosts of a fleet over NATS (their `fleet` plugins),
//! reached through the NATS servers with this command's own connection and
//! credentials; the daemon's socket is not used. Subjects and payloads are
//! `nipart_plugin_api::protocol::fleet`'s; see `docs/plugins/fleet.md`.
//!
//! An admin request carries an id (`Nipart-Request-Id`) and is sent again
//! every [`RESEND`] until its host answers or the deadline passes: a host
//! does a request id once and answers again with its first reply, so a
//! message lost when a server fails is made good, and nothing is applied
//! twice. A host that does not answer by the deadline is unreachable,
//! never counted as applied.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use async_nats::{Client, ConnectOptions, HeaderMap, Subscriber};
use clap::{Args, Subcommand};
use futures_util::StreamExt;
use nipart_client::{ApplyOptions, ApplyRequest, ApplyResult, CheckpointResult, NetworkState};
use nipart_plugin_api::protocol::fleet::{
    AdminMethod, DEADLINE_HEADER, FleetErrorKind, FleetOutcome, FleetReply, Heartbeat,
    REQUEST_ID_HEADER, ReadMethod, subject, valid_name,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use crate::{
    Failure, Format, exit, glob_match, print, read_bounded, read_state, table, usage, yaml,
};

/// The most `nipc` reads of a credentials or NKey seed file (the fleet
/// plugin's own bound).
const MAX_SECRET_BYTES: u64 = 64 * 1024;

/// How often an unanswered admin request is sent again.
const RESEND: Duration = Duration::from_secs(1);

/// The fleet: hosts running the `fleet` plugin, through NATS.
#[derive(Args, Debug)]
pub(crate) struct FleetArgs {
    /// A NATS server (nats://HOST:PORT or tls://HOST:PORT); several for a
    /// cluster.
    #[arg(
        long = "server",
        value_name = "URL",
        env = "NIPART_NATS",
        default_value = "nats://127.0.0.1:4222"
    )]
    servers: Vec<String>,
    /// The NATS user (with --password).
    #[arg(long, requires = "password", conflicts_with_all = ["creds", "nkey"])]
    user: Option<String>,
    /// The NATS user's password.
    #[arg(long, env = "NIPART_NATS_PASSWORD", requires = "user")]
    password: Option<String>,
    /// A NATS credentials file (.creds).
    #[arg(long, value_name = "FILE", conflicts_with = "nkey")]
    creds: Option<PathBuf>,
    /// A file holding an NKey seed.
    #[arg(long, value_name = "FILE")]
    nkey: Option<PathBuf>,
    /// The CA that signed the servers' certificates (TLS required).
    #[arg(long, value_name = "FILE")]
    tls_ca: Option<PathBuf>,
    /// How long to listen for heartbeats to find the hosts, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 6.0)]
    listen: f64,
    #[command(subcommand)]
    command: FleetCommand,
}

#[derive(Subcommand, Debug)]
enum FleetCommand {
    /// The hosts heard (heartbeats): version, groups, last apply.
    Hosts,
    /// The network state of a host, or of every host of a group.
    Show {
        /// A host or a group.
        target: String,
        /// Seconds to wait for the answers.
        #[arg(long, value_name = "SECS", default_value_t = 10)]
        deadline: u64,
    },
    /// Applies FILE to the hosts chosen, in waves; each host validates,
    /// checkpoints, applies, verifies and rolls back by itself.
    Apply {
        /// Comma-separated groups, host names or globs of host names
        /// (names not heard are still asked, and reported unreachable).
        #[arg(long, value_name = "GROUP|GLOB")]
        hosts: String,
        /// Hosts per wave (all at once when not given).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000))]
        wave: Option<u64>,
        /// Stop after the first wave in which a host failed or did not answer.
        #[arg(long)]
        stop_on_failure: bool,
        /// Keep each host's checkpoint: it rolls back unless `nipc fleet
        /// commit` follows within --timeout.
        #[arg(long)]
        no_commit: bool,
        /// With --no-commit: seconds before each host rolls back.
        #[arg(long, value_name = "SECS", requires = "no_commit",
              value_parser = clap::value_parser!(u64).range(1..))]
        timeout: Option<u64>,
        /// Seconds a host has to answer before it is reported unreachable.
        #[arg(long, value_name = "SECS", default_value_t = 120)]
        deadline: u64,
        /// The state file, or - for standard input.
        file: PathBuf,
    },
    /// Confirms the pending apply of each host chosen.
    Commit {
        /// As for apply; every host heard when not given.
        #[arg(long, value_name = "GROUP|GLOB", default_value = "*")]
        hosts: String,
        /// Seconds a host has to answer.
        #[arg(long, value_name = "SECS", default_value_t = 30)]
        deadline: u64,
    },
}

/// How one host's request ended.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "result", content = "detail")]
enum HostResult {
    Applied(String),
    /// Failed; the host rolled back (or says why not).
    RolledBack(String),
    /// Refused before changing anything.
    Refused(String),
    Unreachable(String),
    NotAttempted,
    Committed(String),
}

impl HostResult {
    fn ok(&self) -> bool {
        matches!(self, HostResult::Applied(_) | HostResult::Committed(_))
    }
    fn name(&self) -> &'static str {
        match self {
            HostResult::Applied(_) => "applied",
            HostResult::RolledBack(_) => "rolled back",
            HostResult::Refused(_) => "refused",
            HostResult::Unreachable(_) => "unreachable",
            HostResult::NotAttempted => "not attempted",
            HostResult::Committed(_) => "committed",
        }
    }
    fn detail(&self) -> &str {
        match self {
            HostResult::Applied(d)
            | HostResult::RolledBack(d)
            | HostResult::Refused(d)
            | HostResult::Unreachable(d)
            | HostResult::Committed(d) => d,
            HostResult::NotAttempted => "an earlier wave failed",
        }
    }
}

pub(crate) fn main(args: FleetArgs, format: Format) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nipc: cannot start: {e}");
            return ExitCode::from(exit::FAILED);
        }
    };
    match runtime.block_on(run(args, format)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("nipc: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn unreachable(message: String) -> Failure {
    Failure {
        message,
        code: exit::UNREACHABLE,
    }
}

async fn connect(
    args: &FleetArgs,
    errors: tokio::sync::watch::Sender<Option<String>>,
) -> Result<Client, Failure> {
    let mut opts = ConnectOptions::new()
        .name("nipc-fleet")
        // A publish the server's permissions refuse is told as an error.
        .event_callback(move |ev| {
            if let async_nats::Event::ServerError(e) = &ev {
                let _ = errors.send(Some(format!("refused by the NATS server: {e}")));
            }
            async {}
        })
        .connection_timeout(Duration::from_secs(5))
        .max_reconnects(None);
    if let (Some(u), Some(p)) = (&args.user, &args.password) {
        opts = opts.user_and_password(u.clone(), p.clone());
    }
    if let Some(f) = &args.creds {
        let creds = std::fs::File::open(f)
            .and_then(|file| read_bounded(file, MAX_SECRET_BYTES))
            .map_err(|e| usage(format!("--creds {}: {e}", f.display())))?;
        opts = opts
            .credentials(&creds)
            .map_err(|e| usage(format!("--creds {}: {e}", f.display())))?;
    }
    if let Some(f) = &args.nkey {
        let seed = std::fs::File::open(f)
            .and_then(|file| read_bounded(file, MAX_SECRET_BYTES))
            .map_err(|e| usage(format!("--nkey {}: {e}", f.display())))?;
        opts = opts.nkey(seed.trim().to_string());
    }
    if let Some(ca) = &args.tls_ca {
        if !ca.is_file() {
            return Err(usage(format!("--tls-ca {}: not a file", ca.display())));
        }
        opts = opts.add_root_certificates(ca.clone()).require_tls(true);
    }
    let servers = args
        .servers
        .iter()
        .map(|s| {
            s.parse::<async_nats::ServerAddr>()
                .map_err(|e| usage(format!("--server {s}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    opts.connect(servers).await.map_err(|e| {
        let refused = matches!(
            e.kind(),
            async_nats::ConnectErrorKind::AuthorizationViolation
        );
        Failure {
            message: if refused {
                format!("the NATS server refused the credentials: {e}")
            } else {
                format!(
                    "cannot reach a NATS server of {}: {e}",
                    args.servers.join(", ")
                )
            },
            code: if refused {
                exit::DENIED
            } else {
                exit::UNREACHABLE
            },
        }
    })
}

/// The heartbeats heard within `listen`, the newest of each host.
async fn hosts_heard(
    client: &Client,
    listen: Duration,
) -> Result<BTreeMap<String, Heartbeat>, Failure> {
    let mut sub = client
        .subscribe(subject::ALL_HEARTBEATS)
        .await
        .map_err(|e| unreachable(format!("subscribing to heartbeats: {e}")))?;
    let mut heard = BTreeMap::new();
    let end = tokio::time::Instant::now() + listen;
    while let Ok(Some(m)) = tokio::time::timeout_at(end, sub.next()).await {
        if let Ok(beat) = serde_json::from_slice::<Heartbeat>(&m.payload) {
            if valid_name(&beat.host) {
                heard.insert(beat.host.clone(), beat);
            }
        }
    }
    Ok(heard)
}

/// The hosts `spec` names: groups, globs and names, comma-separated.
fn choose(spec: &str, heard: &BTreeMap<String, Heartbeat>) -> Result<Vec<String>, Failure> {
    let mut out = BTreeSet::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let by_group: Vec<_> = heard
            .values()
            .filter(|b| b.groups.iter().any(|g| g == item))
            .map(|b| b.host.clone())
            .collect();
        let by_glob: Vec<_> = heard
            .keys()
            .filter(|h| glob_match(item, h))
            .cloned()
            .collect();
        if !by_group.is_empty() || !by_glob.is_empty() {
            out.extend(by_group);
            out.extend(by_glob);
        } else if valid_name(item) {
            // A host not heard: asked all the same, and reported
            // unreachable if it does not answer.
            out.insert(item.to_string());
        } else if !item.contains(['*', '?', '[']) {
            return Err(usage(format!(
                "--hosts: {item:?} is not a host, group or glob"
            )));
        }
    }
    Ok(out.into_iter().collect())
}

/// Why no answer came: a publish the server refused is said so.
fn server_refusal(errors: &tokio::sync::watch::Receiver<Option<String>>) -> Option<String> {
    errors.borrow().clone()
}

/// One request to `subject`, sent again every [`RESEND`] with the same id
/// until a reply comes or `deadline` passes.
async fn ask_once<T: DeserializeOwned>(
    client: &Client,
    subj: String,
    payload: Vec<u8>,
    deadline: Duration,
) -> Result<FleetReply<T>, String> {
    let inbox = client.new_inbox();
    let mut sub: Subscriber = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| format!("subscribing to the reply subject: {e}"))?;
    let mut headers = HeaderMap::new();
    headers.insert(REQUEST_ID_HEADER, uuid::Uuid::now_v7().to_string().as_str());
    // When we stop waiting: a host that gets the request later leaves it.
    let give_up = std::time::SystemTime::now() + deadline;
    if let Ok(t) = give_up.duration_since(std::time::UNIX_EPOCH) {
        headers.insert(DEADLINE_HEADER, t.as_millis().to_string().as_str());
    }
    let end = tokio::time::Instant::now() + deadline;
    loop {
        let _ = client
            .publish_with_reply_and_headers(
                subj.clone(),
                inbox.clone(),
                headers.clone(),
                payload.clone().into(),
            )
            .await;
        let resend = (tokio::time::Instant::now() + RESEND).min(end);
        loop {
            match tokio::time::timeout_at(resend, sub.next()).await {
                // "no responders" (503): nobody subscribed right now,
                // perhaps reconnecting: sent again at the next round.
                Ok(Some(m)) if m.status.is_some() => continue,
                Ok(Some(m)) => {
                    return serde_json::from_slice(&m.payload)
                        .map_err(|e| format!("an answer that is not a fleet reply: {e}"));
                }
                Ok(None) => return Err("the connection closed".into()),
                Err(_) => break,
            }
        }
        if tokio::time::Instant::now() >= end {
            return Err(format!("no answer within {} s", deadline.as_secs()));
        }
    }
}

async fn run(args: FleetArgs, format: Format) -> Result<u8, Failure> {
    if !(0.0..=3600.0).contains(&args.listen) {
        return Err(usage("--listen: 0 to 3600 seconds".into()));
    }
    let listen = Duration::from_secs_f64(args.listen);
    let (err_tx, errors) = tokio::sync::watch::channel(None::<String>);
    let client = connect(&args, err_tx).await?;
    match &args.command {
        FleetCommand::Hosts => {
            let heard = hosts_heard(&client, listen).await?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let beats: Vec<_> = heard.values().cloned().collect();
            print(format, &beats, |beats| {
                let mut rows =
                    vec![["HOST", "VERSION", "ADMIN", "GROUPS", "LAST APPLY"].map(String::from)];
                for b in beats {
                    rows.push([
                        b.host.clone(),
                        b.version.clone(),
                        if b.admin { "yes" } else { "no" }.into(),
                        if b.groups.is_empty() {
                            "-".into()
                        } else {
                            b.groups.join(",")
                        },
                        b.last_apply.as_ref().map_or("-".into(), |l| {
                            format!(
                                "{} {} ({} ago): {}",
                                serde_json::to_value(l.kind)
                                    .ok()
                                    .and_then(|v| v.as_str().map(String::from))
                                    .unwrap_or_default(),
                                if l.ok { "ok" } else { "failed" },
                                crate::ago(now.saturating_sub(l.unix_time)),
                                l.message
                            )
                        }),
                    ]);
                }
                if beats.is_empty() {
                    "no host heard\n".into()
                } else {
                    table(&rows)
                }
            });
            Ok(exit::OK)
        }
        FleetCommand::Show { target, deadline } => {
            if !valid_name(target) {
                return Err(usage(format!("{target:?} is not a host or group name")));
            }
            show(
                &client,
                target,
                Duration::from_secs(*deadline),
                format,
                &errors,
            )
            .await
        }
        FleetCommand::Apply {
            hosts,
            wave,
            stop_on_failure,
            no_commit,
            timeout,
            deadline,
            file,
        } => {
            let state = read_state(file)?;
            let heard = hosts_heard(&client, listen).await?;
            let chosen = choose(hosts, &heard)?;
            if chosen.is_empty() {
                return Err(Failure {
                    message: format!("--hosts {hosts}: no host heard matches"),
                    code: exit::NOT_FOUND,
                });
            }
            let request = ApplyRequest {
                state,
                options: ApplyOptions {
                    no_commit: *no_commit,
                    commit_timeout: *timeout,
                    ..ApplyOptions::default()
                },
            };
            let payload = serde_json::to_vec(&request).map_err(|e| usage(e.to_string()))?;
            let wave = wave
                .map_or(chosen.len(), |w| usize::try_from(w).unwrap_or(usize::MAX))
                .max(1);
            let deadline = Duration::from_secs(*deadline);
            let mut results: BTreeMap<String, HostResult> = BTreeMap::new();
            let mut stopped = false;
            for (n, group) in chosen.chunks(wave).enumerate() {
                if stopped {
                    for h in group {
                        results.insert(h.clone(), HostResult::NotAttempted);
                    }
                    continue;
                }
                eprintln!("wave {}: {}", n + 1, group.join(", "));
                let asks = group.iter().map(|h| {
                    let (client, payload) = (client.clone(), payload.clone());
                    let h = h.clone();
                    async move {
                        eprintln!("{h}: applying");
                        let started = std::time::Instant::now();
                        let r = ask_once::<ApplyResult>(
                            &client,
                            subject::admin(&h, AdminMethod::Apply),
                            payload,
                            deadline,
                        )
                        .await;
                        (h, r, started.elapsed())
                    }
                });
                // Each host's line as soon as it answers.
                let mut answers: futures_util::stream::FuturesUnordered<_> = asks.collect();
                while let Some((h, r, took)) = answers.next().await {
                    let result = match r {
                        Ok(FleetReply {
                            outcome: FleetOutcome::Ok(a),
                            ..
                        }) => HostResult::Applied(a.summary()),
                        Ok(FleetReply {
                            outcome: FleetOutcome::Error(e),
                            ..
                        }) => match e.kind {
                            FleetErrorKind::Failed | FleetErrorKind::Timeout => {
                                HostResult::RolledBack(e.message)
                            }
                            _ => HostResult::Refused(e.message),
                        },
                        Err(e) => HostResult::Unreachable(server_refusal(&errors).unwrap_or(e)),
                    };
                    eprintln!(
                        "{h}: {} in {} ms: {}",
                        result.name(),
                        took.as_millis(),
                        result.detail()
                    );
                    results.insert(h, result);
                }
                if *stop_on_failure
                    && group
                        .iter()
                        .any(|h| results.get(h).is_some_and(|r| !r.ok()))
                {
                    eprintln!("stopping after wave {}: a host failed", n + 1);
                    stopped = true;
                }
            }
            Ok(report(&results, format))
        }
        FleetCommand::Commit { hosts, deadline } => {
            let heard = hosts_heard(&client, listen).await?;
            let chosen = choose(hosts, &heard)?;
            let deadline = Duration::from_secs(*deadline);
            let asks = chosen.iter().map(|h| {
                let client = client.clone();
                let h = h.clone();
                async move {
                    let r = ask_once::<CheckpointResult>(
                        &client,
                        subject::admin(&h, AdminMethod::Commit),
                        b"{}".to_vec(),
                        deadline,
                    )
                    .await;
                    (h, r)
                }
            });
            let mut results = BTreeMap::new();
            for (h, r) in futures_util::future::join_all(asks).await {
                let result = match r {
                    Ok(FleetReply {
                        outcome: FleetOutcome::Ok(c),
                        ..
                    }) => HostResult::Committed(c.checkpoint),
                    Ok(FleetReply {
                        outcome: FleetOutcome::Error(e),
                        ..
                    }) => HostResult::Refused(e.message),
                    Err(e) => HostResult::Unreachable(e),
                };
                results.insert(h, result);
            }
            Ok(report(&results, format))
        }
    }
}

/// The final table; the exit code says the worst that happened.
fn report(results: &BTreeMap<String, HostResult>, format: Format) -> u8 {
    print(format, results, |results| {
        let mut rows = vec![["HOST", "RESULT", "DETAIL"].map(String::from)];
        for (h, r) in results {
            rows.push([h.clone(), r.name().into(), r.detail().into()]);
        }
        table(&rows)
    });
    if results
        .values()
        .any(|r| matches!(r, HostResult::RolledBack(_)))
    {
        exit::APPLY_FAILED
    } else if results
        .values()
        .any(|r| matches!(r, HostResult::Unreachable(_)))
    {
        exit::UNREACHABLE
    } else if results.values().all(HostResult::ok) {
        exit::OK
    } else {
        exit::FAILED
    }
}

/// `show`: the host's state, or each member's of the group (every answer
/// within the deadline; a host answers once).
async fn show(
    client: &Client,
    target: &str,
    deadline: Duration,
    format: Format,
    errors: &tokio::sync::watch::Receiver<Option<String>>,
) -> Result<u8, Failure> {
    let inbox = client.new_inbox();
    let mut sub = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| unreachable(format!("subscribing to the reply subject: {e}")))?;
    for subj in [
        subject::read(target, ReadMethod::Show),
        subject::group_read(target, ReadMethod::Show),
    ] {
        client
            .publish_with_reply(subj, inbox.clone(), "{}".into())
            .await
            .map_err(|e| unreachable(format!("sending the request: {e}")))?;
    }
    let mut states: BTreeMap<String, Value> = BTreeMap::new();
    let end = tokio::time::Instant::now() + deadline;
    while let Ok(Some(m)) = tokio::time::timeout_at(end, sub.next()).await {
        if m.status.is_some() {
            continue;
        }
        match serde_json::from_slice::<FleetReply<NetworkState>>(&m.payload) {
            Ok(FleetReply {
                host,
                outcome: FleetOutcome::Ok(s),
            }) => {
                let done = host == target;
                states.insert(host, serde_json::to_value(s).unwrap_or_default());
                if done {
                    break;
                }
            }
            Ok(FleetReply {
                host,
                outcome: FleetOutcome::Error(e),
            }) => {
                eprintln!("{host}: {}", e.message);
            }
            Err(e) => eprintln!("nipc: an answer that is not a fleet reply: {e}"),
        }
    }
    if states.is_empty() {
        return Err(unreachable(server_refusal(errors).unwrap_or_else(|| {
            format!(
                "no host or group {target} answered within {} s",
                deadline.as_secs()
            )
        })));
    }
    print(format, &states, |states| {
        states
            .iter()
            .map(|(h, s)| format!("# host: {h}\n{}", yaml(s)))
            .collect::<Vec<_>>()
            .join("---\n")
    });
    Ok(exit::OK)
}
