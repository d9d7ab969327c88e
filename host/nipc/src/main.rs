//! `nipc`: the command-line client of the nipart daemon. See `docs/nipc.md`.

use std::{
    io::{Read, Write},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use nipart_client::{ApplyOptions, Client, DEFAULT_SOCKET, Error, PluginCall};
use nipart_plugin_api::{
    Message, Role,
    protocol::conf::{Waiting, WaitingRequest},
};
use serde::Serialize;
use serde_json::Value;

/// Exit codes (documented in `nipc --help` and docs/nipc.md).
mod exit {
    pub const OK: u8 = 0;
    /// The daemon answered with an error.
    pub const FAILED: u8 = 1;
    /// Bad usage or an unreadable input file.
    pub const USAGE: u8 = 2;
    /// The daemon could not be reached, or the connection broke.
    pub const UNREACHABLE: u8 = 3;
    /// The caller lacks the privilege for the method.
    pub const DENIED: u8 = 4;
    /// No answer within the call's timeout.
    pub const TIMEOUT: u8 = 5;
    /// No plugin provides what the command needs (e.g. no commander).
    pub const UNSUPPORTED: u8 = 6;
}

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  the daemon answered with an error
  2  bad usage or an unreadable input file
  3  the daemon could not be reached, or the connection broke
  4  permission denied (the method needs root or the admin group)
  5  no answer within the call's timeout
  6  no plugin provides what the command needs (e.g. no commander)";

/// Talks to nipartd, the nipart network daemon.
#[derive(Parser, Debug)]
#[command(name = "nipc", version, after_help = AFTER_HELP)]
struct Cli {
    /// The daemon's API socket.
    #[arg(long, global = true, value_name = "PATH", env = "NIPART_SOCKET", default_value = DEFAULT_SOCKET)]
    socket: PathBuf,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = Format::Text)]
    output: Format,
    /// Timeout of network calls (show, apply, commit, rollback,
    /// checkpoints), in seconds; the daemon's default otherwise.
    #[arg(long, global = true, value_name = "SECS")]
    call_timeout: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable text.
    Text,
    /// YAML.
    Yaml,
    /// JSON (one object per line for monitor).
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Checks that the daemon answers.
    Ping,
    /// Shows the daemon's version, uptime and plugin directory.
    Info,
    /// Lists the plugins with their state and bus counters, and the
    /// rejected files.
    Plugins,
    /// Shows the current network state (secrets hidden unless admin).
    Show {
        /// Only this interface.
        iface: Option<String>,
    },
    /// Applies a desired state from a YAML or JSON file ("-": stdin).
    Apply {
        /// The state file, or - for standard input.
        file: PathBuf,
        /// Do not verify the applied state.
        #[arg(long)]
        no_verify: bool,
        /// Do not persist the state.
        #[arg(long)]
        memory_only: bool,
        /// Keep a checkpoint: roll back unless `nipc commit` follows in time.
        #[arg(long)]
        no_commit: bool,
        /// With --no-commit: seconds before the automatic rollback.
        #[arg(long, value_name = "SECS", requires = "no_commit")]
        timeout: Option<u64>,
        /// Fail with a busy error instead of waiting for another apply to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Confirms the apply made with --no-commit (its checkpoint is the one
    /// awaiting commit); the applied state is saved then.
    Commit {
        /// Checkpoint id.
        id: Option<String>,
    },
    /// Restores a checkpoint through apply and verify: the one awaiting
    /// commit, else the newest one, or the one named (with the conf plugin,
    /// any of the history).
    Rollback {
        /// Checkpoint id.
        id: Option<String>,
    },
    /// Lists the checkpoints, oldest first: the history on disk (with the
    /// conf plugin), marking the one awaiting commit.
    Checkpoints,
    /// Prints bus events whose topic matches a pattern, until interrupted.
    Monitor {
        /// Topic patterns, e.g. link.* or dhcp.** (default: everything).
        patterns: Vec<String>,
    },
    /// Sends a request on a plugin's own topic and prints its reply (admins
    /// only). It goes to the plugin named by the topic's first part unless
    /// --plugin or --role says otherwise. Requests of the built-in roles
    /// that change state are refused: use apply, commit, rollback.
    Call {
        /// The request's topic, e.g. example.hello.
        topic: String,
        /// The payload, JSON (e.g. '{"name": "x"}'); null when not given.
        json: Option<String>,
        /// The plugin to send it to.
        #[arg(long, conflicts_with = "role")]
        plugin: Option<String>,
        /// Send it to the holders of this role instead.
        #[arg(long)]
        role: Option<String>,
    },
    /// Sets the log level of the daemon and its plugins.
    LogLevel {
        /// The new level.
        #[arg(value_parser = ["error", "warn", "info", "debug", "trace"])]
        level: String,
    },
    /// Prints a shell completion script (e.g. `nipc completions bash >
    /// /usr/share/bash-completion/completions/nipc`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Prints the manual page (roff), e.g. `nipc man | man -l -`.
    Man,
}

/// A failure to report: message and exit code.
struct Failure {
    message: String,
    code: u8,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Connect { .. } | Error::Io(_) | Error::Closed | Error::Protocol(_) => {
                exit::UNREACHABLE
            }
            Error::Remote(r) => match r.short_name() {
                "PermissionDenied" | "CallRefused" => exit::DENIED,
                "Timeout" => exit::TIMEOUT,
                "NoCommander" => exit::UNSUPPORTED,
                _ => exit::FAILED,
            },
        };
        Failure {
            message: e.to_string(),
            code,
        }
    }
}

/// An apply whose answer did not come: what may have happened to it, and
/// how to find out (the daemon goes on with an apply whose caller left;
/// docs/plugins/commander.md).
fn apply_unanswered(e: Error) -> Failure {
    let unanswered = match &e {
        Error::Remote(r) => r.short_name() == "Timeout",
        Error::Io(_) | Error::Closed => true,
        _ => false,
    };
    let mut f = Failure::from(e);
    if unanswered {
        f.message.push_str(
            "\nthe apply may still be running: the daemon finishes it (verified and saved, or rolled back) without its caller; \
             `nipc monitor 'network.*'` shows its outcome (network.applied, network.rolled-back), \
             `nipc checkpoints` and `nipc show` what it left. A daemon killed during an apply rolls it back at its next start.",
        );
    }
    f
}

fn usage(message: String) -> Failure {
    Failure {
        message,
        code: exit::USAGE,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "nipc", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
        Command::Man => {
            let mut out = Vec::new();
            if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut out) {
                eprintln!("nipc: rendering the manual page: {e}");
                return ExitCode::from(exit::FAILED);
            }
            return write_out(&out);
        }
        _ => {}
    }
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
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(f) => {
            eprintln!("nipc: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn write_out(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`nipc man | head`) is no error worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nipc: writing the output: {e}");
            ExitCode::from(exit::FAILED)
        }
    }
}

/// The saved interfaces the conf plugin waits for (their link is missing;
/// their saved state is applied when it appears), as a YAML comment; `None`
/// when there are none, or no conf plugin answers (or the caller may not
/// ask it: `io.nipart.Daemon.Call` is for admins).
async fn waiting_note(c: &mut Client, iface: Option<&str>) -> Option<String> {
    let call = PluginCall {
        topic: WaitingRequest::TOPIC.to_string(),
        plugin: None,
        role: Some(Role::CONF.as_str().to_string()),
        payload: serde_json::json!({}),
    };
    let reply = c.call_plugin(&call).await.ok()?;
    let waiting: Waiting = serde_json::from_value(reply).ok()?;
    let names: Vec<String> = waiting
        .interfaces
        .into_iter()
        .filter(|n| iface.is_none_or(|i| i == n))
        .collect();
    (!names.is_empty()).then(|| {
        format!(
            "# waiting for their link (their saved state is applied when it appears): {}\n",
            names.join(", ")
        )
    })
}

/// Prints `value` in the chosen format; `text` renders the text form.
fn print<T: Serialize>(format: Format, value: &T, text: impl FnOnce(&T) -> String) {
    let s = match format {
        Format::Text => text(value),
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_default() + "\n",
        Format::Yaml => yaml(value),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn yaml<T: Serialize>(value: &T) -> String {
    serde_norway::to_string(value).unwrap_or_else(|e| format!("# cannot render YAML: {e}\n"))
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let mut c = Client::connect(&cli.socket).await?;
    c.set_call_timeout(cli.call_timeout.map(Duration::from_secs));
    let fmt = cli.output;
    match cli.command {
        Command::Ping => {
            let t = std::time::Instant::now();
            c.ping().await?;
            let us = t.elapsed().as_micros() as u64;
            print(
                fmt,
                &serde_json::json!({ "pong": true, "microseconds": us }),
                |_| format!("pong ({us} µs)\n"),
            );
        }
        Command::Info => {
            let info = c.info().await?;
            print(fmt, &info, |i| {
                format!(
                    "version:      {}\nplugin ABI:   {}\npid:          {}\nuptime:       {}\nplugin dir:   {}\nsocket:       {}\nplugins:      {} loaded, {} files rejected\n",
                    i.version,
                    i.abi_version,
                    i.pid,
                    uptime(i.uptime_seconds),
                    i.plugin_dir,
                    i.socket,
                    i.plugins,
                    i.rejected
                )
            });
        }
        Command::Plugins => {
            let p = c.plugins().await?;
            print(fmt, &p, |p| {
                let mut rows = vec![
                    [
                        "NAME",
                        "VERSION",
                        "STATE",
                        "ROLES",
                        "DELIVERED",
                        "DROPPED",
                        "QUEUE",
                    ]
                    .map(String::from),
                ];
                for x in &p.plugins {
                    rows.push([
                        x.name.clone(),
                        x.version.clone(),
                        x.state.clone(),
                        if x.roles.is_empty() {
                            "-".into()
                        } else {
                            x.roles.join(",")
                        },
                        x.delivered.to_string(),
                        x.dropped.to_string(),
                        x.queue_depth.to_string(),
                    ]);
                }
                let mut s = table(&rows);
                for x in &p.plugins {
                    if let Some(e) = &x.last_error {
                        s.push_str(&format!("{}: last error: {e}\n", x.name));
                    }
                }
                for r in &p.rejected {
                    s.push_str(&format!(
                        "rejected {}: {}; fix: {}\n",
                        r.file, r.reason, r.fix
                    ));
                }
                if p.plugins.is_empty() && p.rejected.is_empty() {
                    s = "no plugins loaded\n".into();
                }
                s
            });
        }
        Command::Show { iface } => {
            let state = c.show(iface.as_deref()).await?;
            print(fmt, &state, yaml);
            // A comment, so that the output still applies back unchanged;
            // on standard error with JSON, which has none.
            if let Some(note) = waiting_note(&mut c, iface.as_deref()).await {
                match fmt {
                    Format::Json => eprint!("{note}"),
                    Format::Text | Format::Yaml => print!("{note}"),
                }
            }
        }
        Command::Apply {
            file,
            no_verify,
            memory_only,
            no_commit,
            timeout,
            no_wait,
        } => {
            let state = read_state(&file)?;
            let opts = ApplyOptions {
                no_verify,
                memory_only,
                no_commit,
                commit_timeout: timeout,
                no_wait,
            };
            let mut on_progress = |p: Value| {
                eprintln!("progress: {}", one_line(&p));
            };
            let result = c
                .apply(state, &opts, Some(&mut on_progress))
                .await
                .map_err(apply_unanswered)?;
            print(fmt, &result, yaml);
        }
        Command::Commit { id } => {
            let r = c.commit(id.as_deref()).await?;
            print(fmt, &r, yaml);
        }
        Command::Rollback { id } => {
            let r = c.rollback(id.as_deref()).await?;
            print(fmt, &r, yaml);
        }
        Command::Call {
            topic,
            json,
            plugin,
            role,
        } => {
            let payload = match json {
                Some(text) => serde_json::from_str(&text)
                    .map_err(|e| usage(format!("the payload is not JSON: {e}")))?,
                None => Value::Null,
            };
            // A plugin's own topics start with its name (`example.hello`).
            let plugin = match (plugin, &role) {
                (None, None) => topic.split('.').next().map(str::to_string),
                (plugin, _) => plugin,
            };
            let call = PluginCall {
                topic,
                plugin,
                role,
                payload,
            };
            let reply = c.call_plugin(&call).await?;
            print(fmt, &reply, yaml);
        }
        Command::Checkpoints => {
            let r = c.list_checkpoints().await?;
            print(fmt, &r, checkpoints_text);
        }
        Command::Monitor { patterns } => {
            let mut m = c.monitor(&patterns).await?;
            if fmt == Format::Text {
                eprintln!("monitoring {}", m.subscribed.join(" "));
            }
            while let Some(ev) = m.next().await? {
                let line = match fmt {
                    Format::Json => serde_json::to_string(&ev).unwrap_or_default() + "\n",
                    Format::Yaml => format!("---\n{}", yaml(&ev)),
                    Format::Text => {
                        let payload = match (&ev.payload, &ev.payload_base64) {
                            (Some(p), _) => one_line(p),
                            (None, Some(b)) => format!("base64:{b}"),
                            (None, None) => String::new(),
                        };
                        format!(
                            "{} {} {} -> {} {}\n",
                            ev.topic, ev.state, ev.src, ev.dst, payload
                        )
                    }
                };
                let mut out = std::io::stdout().lock();
                if out
                    .write_all(line.as_bytes())
                    .and_then(|()| out.flush())
                    .is_err()
                {
                    return Ok(()); // the reader went away (e.g. `| head`)
                }
            }
        }
        Command::LogLevel { level } => {
            let r = c.set_log_level(&level).await?;
            print(fmt, &r, |r| format!("log level set to {}\n", r.level));
            if !r.failed.is_empty() {
                let list: Vec<String> = r
                    .failed
                    .iter()
                    .map(|f| format!("{}: {}", f.plugin, f.error))
                    .collect();
                return Err(Failure {
                    message: format!("some did not take the level: {}", list.join("; ")),
                    code: exit::FAILED,
                });
            }
        }
        Command::Completions { .. } | Command::Man => {}
    }
    Ok(())
}

/// Reads a YAML (or JSON) state file; `-` is standard input.
fn read_state(file: &PathBuf) -> Result<Value, Failure> {
    let (text, name) = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| usage(format!("reading the state from standard input: {e}")))?;
        (s, "standard input".to_string())
    } else {
        let s = std::fs::read_to_string(file)
            .map_err(|e| usage(format!("cannot read {}: {e}", file.display())))?;
        (s, file.display().to_string())
    };
    // Linear in the text, nesting bounded, duplicate keys refused.
    let v =
        nipart_plugin_api::state::yaml_value(&text).map_err(|e| usage(format!("{name}: {e}")))?;
    if !v.is_object() {
        return Err(usage(format!(
            "{name} must hold a mapping (e.g. `interfaces: [...]`), not {}",
            match v {
                Value::Null => "nothing",
                Value::Array(_) => "a list",
                _ => "a single value",
            }
        )));
    }
    Ok(v)
}

/// `ListCheckpoints` for people: one line each, oldest first.
fn checkpoints_text(v: &Value) -> String {
    let list = v["checkpoints"].as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        return "no checkpoints\n".into();
    }
    let mut s = String::new();
    for c in &list {
        let mut line = c["id"].as_str().unwrap_or("?").to_string();
        for key in ["time", "created_by"] {
            if let Some(x) = c[key].as_str() {
                line.push_str("  ");
                line.push_str(x);
            }
        }
        if c["pending"].as_bool() == Some(true) {
            match c["timeout"].as_u64() {
                Some(t) => line.push_str(&format!(
                    "  (pending: rolled back in {t} s unless committed)"
                )),
                None => line.push_str("  (pending)"),
            }
        }
        s.push_str(&line);
        s.push('\n');
    }
    s
}

fn one_line(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn uptime(secs: f64) -> String {
    let s = secs as u64;
    match s {
        0..60 => format!("{secs:.1}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86400, (s % 86400) / 3600),
    }
}

fn table(rows: &[[String; 7]]) -> String {
    let mut widths = [0usize; 7];
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut s = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn uptime_reads_well() {
        assert_eq!(uptime(5.25), "5.2s");
        assert_eq!(uptime(125.0), "2m05s");
        assert_eq!(uptime(7300.0), "2h01m");
        assert_eq!(uptime(90000.0), "1d01h");
    }
}
