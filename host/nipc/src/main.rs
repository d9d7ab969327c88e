//! `nipc`: the command-line client of the nipart daemon. See `docs/nipc.md`.

use std::{
    io::{IsTerminal, Read, Write},
    path::PathBuf,
    process::ExitCode,
    time::Duration,
};

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use nipart_client::{
    ApplyKind, ApplyOptions, ApplyProgress, ApplyRequest, ApplyResult, ApplyStep, CheckpointList,
    Client, DEFAULT_SOCKET, Error, NetworkState, NetworkStatus, PluginCall,
};
use nipart_plugin_api::{
    Message, Role,
    protocol::conf::{SavedStateReply, SavedStateRequest, Waiting, WaitingRequest},
    state::{Interface, Route},
};
use serde::Serialize;
use serde_json::Value;

/// Exit codes: stable, documented in `nipc --help`, `nipc(1)` and
/// docs/nipc.md. A script may rely on each; new kinds get new numbers.
mod exit {
    pub const OK: u8 = 0;
    /// The daemon answered with an error no other code names.
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
    /// The daemon refused the state or a parameter; nothing was changed.
    pub const INVALID: u8 = 7;
    /// No such interface or checkpoint, or nothing awaits commit.
    pub const NOT_FOUND: u8 = 8;
    /// Another apply is in progress or a checkpoint awaits commit.
    pub const BUSY: u8 = 9;
    /// Changing the network failed (e.g. the kernel refused); rolled back.
    pub const APPLY_FAILED: u8 = 10;
    /// The change was made but verification failed; rolled back.
    pub const VERIFY_FAILED: u8 = 11;
}

const AFTER_HELP: &str = "\
Exit codes:
   0  success
   1  the daemon answered with an error no other code names
   2  bad usage or an unreadable input file
   3  the daemon could not be reached, or the connection broke
   4  permission denied (the method needs root or the admin group)
   5  no answer within the call's timeout
   6  no plugin provides what the command needs (e.g. no commander)
   7  the daemon refused the state or a parameter; nothing was changed
   8  no such interface or checkpoint, or nothing awaits commit or rollback
   9  busy: another apply is in progress, or a checkpoint awaits commit
  10  changing the network failed (e.g. the kernel refused); rolled back
  11  the change was made but verification failed; rolled back";

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
    /// Print nothing on success (errors still go to stderr).
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Timeout of network calls (show, apply, commit, rollback,
    /// checkpoints), in seconds; the daemon's default otherwise.
    #[arg(long, global = true, value_name = "SECS")]
    call_timeout: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
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
    /// Shows the last apply of each kind (boot, api, rollback, dhcp) with
    /// its outcome, what awaits commit, and how the running state differs
    /// from the saved one.
    Status,
    /// Shows the current network state (secrets hidden unless admin).
    Show {
        /// Only these interfaces: names or globs (`eth*`, `veth?`).
        ifaces: Vec<String>,
        /// One line per interface: name, type, state, addresses, controller.
        #[arg(long)]
        brief: bool,
    },
    /// Shows what an apply of FILE (or of the saved state) would change,
    /// without changing anything.
    Diff {
        /// The state file, or - for standard input; the saved state (as
        /// the conf plugin holds it) when not given.
        file: Option<PathBuf>,
    },
    /// Opens the current state (of IFACE, or all) in $EDITOR and applies
    /// the result.
    Edit {
        /// Only this interface.
        iface: Option<String>,
    },
    /// Applies a desired state from a YAML or JSON file ("-": stdin).
    Apply {
        /// The state file, or - for standard input.
        file: PathBuf,
        /// Validate and plan only: print what would change, change nothing.
        #[arg(long, conflicts_with = "no_commit")]
        dry_run: bool,
        /// Do not verify the applied state.
        #[arg(long)]
        no_verify: bool,
        /// Do not persist the state.
        #[arg(long)]
        memory_only: bool,
        /// Keep a checkpoint: roll back unless `nipc commit` follows in time.
        #[arg(long)]
        no_commit: bool,
        /// With --no-commit: seconds before the automatic rollback (at
        /// least 1).
        #[arg(long, value_name = "SECS", requires = "no_commit",
              value_parser = clap::value_parser!(u64).range(1..))]
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
    /// Restores a checkpoint through apply and verify: without an id the
    /// one awaiting commit, else the one named (with the conf plugin, any
    /// of the history).
    Rollback {
        /// Checkpoint id.
        id: Option<String>,
    },
    /// Lists the checkpoints, oldest first: the history on disk (with the
    /// conf plugin), marking the one awaiting commit.
    Checkpoints,
    /// Prints what changes, one line each, until interrupted: links,
    /// addresses, applies, rollbacks, DHCP leases, plugin failures. With
    /// --all or patterns, the bus events themselves. Reconnects when the
    /// daemon restarts.
    Monitor {
        /// Topic patterns of bus events, e.g. link.* or dhcp.** (implies
        /// --all).
        patterns: Vec<String>,
        /// Every bus event, as it is (TOPIC STATE SRC -> DST PAYLOAD).
        #[arg(long)]
        all: bool,
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
    /// The fleet over NATS: hosts, show, apply in waves, commit.
    Fleet(fleet::FleetArgs),
    /// Prints a shell completion script (e.g. `nipc completions bash >
    /// /usr/share/bash-completion/completions/nipc`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Prints the manual page (roff), e.g. `nipc man | man -l -`.
    Man,
    /// For the completion scripts: the daemon's interface names or
    /// checkpoint ids, one per line (nothing when it can't be asked).
    #[command(hide = true)]
    Complete {
        #[arg(value_enum)]
        what: Completable,
    },
}

/// What `nipc complete` lists.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Completable {
    Interfaces,
    Checkpoints,
}

/// Appended to bash's completion script: interface names after `show` and
/// `edit`, checkpoint ids after `commit` and `rollback`, asked of the
/// daemon (`nipc complete`); everything else as clap completes it.
const BASH_DYNAMIC: &str = r#"
_nipc_dynamic() {
    local cur="${COMP_WORDS[COMP_CWORD]}" sub="" socket=() i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        case "$w" in
            --socket) socket=(--socket "${COMP_WORDS[i+1]}"); ((i++)) ;;
            -o|--output|--call-timeout) ((i++)) ;;
            -*) ;;
            *) [[ -z "$sub" ]] && sub="$w" ;;
        esac
    done
    if [[ "$cur" != -* ]]; then
        case "$sub" in
            show|edit)
                COMPREPLY=($(compgen -W "$(nipc "${socket[@]}" complete interfaces 2>/dev/null)" -- "$cur"))
                return ;;
            commit|rollback)
                COMPREPLY=($(compgen -W "$(nipc "${socket[@]}" complete checkpoints 2>/dev/null)" -- "$cur"))
                return ;;
        esac
    fi
    _nipc "$@"
}
complete -F _nipc_dynamic -o bashdefault -o default nipc
"#;

mod fleet;
mod monitor;

/// A failure to report: message and exit code.
pub(crate) struct Failure {
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
                "InvalidParameter" | "InvalidLogLevel" | "InvalidPattern" => exit::INVALID,
                "InterfaceNotFound" => exit::NOT_FOUND,
                _ => match r.failure_kind() {
                    Some("invalid-input") => exit::INVALID,
                    Some("not-found") => exit::NOT_FOUND,
                    Some("busy") => exit::BUSY,
                    Some("timeout") => exit::TIMEOUT,
                    Some("permission-denied") => exit::DENIED,
                    Some("unsupported") => exit::UNSUPPORTED,
                    _ => exit::FAILED,
                },
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
fn apply_failed(e: Error, last: Option<ApplyStep>) -> Failure {
    // Where the apply was when it failed says what failed: a change
    // (apply: the kernel or another plugin refused it) or the check
    // afterwards (verify, kind `failed`); both were rolled back. Saving
    // after a verified apply has no step of its own: its kind decides.
    let kind = match &e {
        Error::Remote(r) if r.short_name() == "Failed" => {
            Some(r.failure_kind().unwrap_or_default().to_string())
        }
        _ => None,
    };
    let mut f = apply_unanswered(e);
    match (last, kind.as_deref()) {
        (Some(ApplyStep::Apply), Some(_)) => f.code = exit::APPLY_FAILED,
        (Some(ApplyStep::Verify), Some("failed")) => f.code = exit::VERIFY_FAILED,
        _ => {}
    }
    f
}

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
    let cli = match cli.command {
        Command::Fleet(args) => return fleet::main(args, cli.output),
        command => Cli { command, ..cli },
    };
    match &cli.command {
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics on a closed stdout.
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "nipc", &mut out);
            if *shell == clap_complete::Shell::Bash {
                out.extend_from_slice(BASH_DYNAMIC.as_bytes());
            }
            return write_out(&out);
        }
        Command::Man => {
            let mut out = Vec::new();
            if let Err(e) = man_page(&mut out) {
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

/// The manual page: clap_mangen's sections, with the commands described
/// in this page itself (its own section names `nipc-CMD(1)` pages that
/// nothing generates).
fn man_page(out: &mut Vec<u8>) -> std::io::Result<()> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    out.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let mut usage = sub.clone().bin_name(format!("nipc {}", sub.get_name()));
        let usage = usage.render_usage().to_string();
        let usage = usage.trim_start_matches("Usage: ");
        out.extend_from_slice(format!(".TP\n\\fB{}\\fR\n", roff_text(usage)).as_bytes());
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            for line in about.to_string().lines() {
                out.extend_from_slice(roff_text(line).as_bytes());
                out.push(b'\n');
            }
        }
    }
    man.render_extra_section(out)?;
    man.render_version_section(out)
}

/// `text` as a roff text line: backslashes and hyphens escaped, and a
/// leading `.` or `'` kept from reading as a request.
fn roff_text(text: &str) -> String {
    let s = text.replace('\\', "\\\\").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

/// The saved interfaces the conf plugin waits for (their link is missing;
/// their saved state is applied when it appears) among `names` (names or
/// globs; all when empty), as a YAML comment; `None`
/// when there are none, or no conf plugin answers (or the caller may not
/// ask it: `io.nipart.Daemon.Call` is for admins).
async fn waiting_note(c: &mut Client, names: &[String]) -> Option<String> {
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
        .filter(|w| names.is_empty() || names.iter().any(|n| glob_match(n, w)))
        .collect();
    (!names.is_empty()).then(|| {
        format!(
            "# waiting for their link (their saved state is applied when it appears): {}\n",
            names.join(", ")
        )
    })
}

/// The saved state as an apply of it would apply it now, asked of the
/// conf plugin (role `conf`); the saved interfaces left out because they
/// wait for their link are named on standard error (unless `quiet`).
async fn saved_state(c: &mut Client, quiet: bool) -> Result<Value, Failure> {
    let call = PluginCall {
        topic: SavedStateRequest::TOPIC.to_string(),
        plugin: None,
        role: Some(Role::CONF.as_str().to_string()),
        payload: serde_json::json!({}),
    };
    let reply = c.call_plugin(&call).await.map_err(|e| {
        let mut f = Failure::from(e);
        f.message = format!(
            "asking the conf plugin (role conf) for the saved state: {}",
            f.message
        );
        f
    })?;
    let saved: SavedStateReply = serde_json::from_value(reply).map_err(|e| Failure {
        message: format!("the conf plugin's saved state does not read as one: {e}"),
        code: exit::FAILED,
    })?;
    let Some(state) = saved.state else {
        return Err(Failure {
            message: format!(
                "nothing is saved ({} does not exist): name a FILE to compare",
                saved.path
            ),
            code: exit::NOT_FOUND,
        });
    };
    if !quiet && !saved.waiting.is_empty() {
        eprintln!(
            "nipc: not compared, waiting for their link (their saved state is applied when it appears): {}",
            saved.waiting.join(", ")
        );
    }
    Ok(state.to_value())
}

/// Prints `value` in the chosen format; `text` renders the text form.
fn print<T: Serialize>(format: Format, value: &T, text: impl FnOnce(&T) -> String) {
    let s = match format {
        Format::Text => text(value),
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_default() + "\n",
        Format::Yaml => yaml(value),
    };
    let _ = write_out(s.as_bytes());
}

/// `json` (valid JSON text, as serde_json writes it) indented as
/// `serde_json::to_string_pretty` indents (two spaces; `{}` and `[]` when
/// empty), with a final newline: the same text as decoding it and
/// printing it with [`print`], without the decoding.
fn indent_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    let mut chars = json.chars().peekable();
    let (mut in_string, mut escaped) = (false, false);
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.next_if(|n| n.is_ascii_whitespace()).is_some() {}
                if let Some(close) = chars.next_if(|n| matches!(n, '}' | ']')) {
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

pub(crate) fn yaml<T: Serialize>(value: &T) -> String {
    serde_norway::to_string(value).unwrap_or_else(|e| format!("# cannot render YAML: {e}\n"))
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let mut c = Client::connect(&cli.socket).await?;
    c.set_call_timeout(cli.call_timeout.map(Duration::from_secs));
    let fmt = cli.output;
    match cli.command {
        Command::Fleet(_) => return Err(usage("nipc fleet runs apart".into())),
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
                    if let Some(st) = &x.status {
                        s.push_str(&format!("{}: {st}\n", x.name));
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
        Command::Status => {
            let st = c.status().await?;
            print(fmt, &st, status_text);
        }
        Command::Show {
            ifaces,
            brief: true,
        } => {
            let state = show(&mut c, &ifaces).await?;
            print(fmt, &state.interfaces, brief_table);
        }
        Command::Show {
            ifaces,
            brief: false,
        } => {
            // The note is asked at the same time, on a connection of its
            // own (a connection's calls go one after the other).
            let note = async {
                let mut other = Client::connect(&cli.socket).await.ok()?;
                other.set_call_timeout(cli.call_timeout.map(Duration::from_secs));
                waiting_note(&mut other, &ifaces).await
            };
            // JSON of the whole state or of one interface is printed as the
            // daemon wrote it (indented), not decoded and encoded again.
            let plain = match ifaces.as_slice() {
                [] => Some(None),
                [one] if !is_glob(one) => Some(Some(one.as_str())),
                _ => None,
            };
            let note = match (fmt, plain) {
                (Format::Json, Some(one)) => {
                    let (json, note) = tokio::join!(c.show_json(one), note);
                    let _ = write_out(indent_json(&json?).as_bytes());
                    note
                }
                _ => {
                    let (state, note) = tokio::join!(show(&mut c, &ifaces), note);
                    print(fmt, &state?, yaml);
                    note
                }
            };
            // A comment, so that the output still applies back unchanged;
            // on standard error with JSON, which has none.
            if let Some(note) = note {
                match fmt {
                    Format::Json => eprint!("{note}"),
                    Format::Text | Format::Yaml => print!("{note}"),
                }
            }
        }
        Command::Diff { file } => {
            let state = match file {
                Some(file) => read_state(&file)?,
                None => saved_state(&mut c, cli.quiet).await?,
            };
            let request = ApplyRequest {
                state,
                options: ApplyOptions {
                    dry_run: true,
                    ..ApplyOptions::default()
                },
            };
            let result = apply(&mut c, &request, Progress::new(false)).await?;
            print(fmt, &result, |r| changes_text(&r.changes, "no changes\n"));
        }
        Command::Edit { iface } => {
            let names: Vec<String> = iface.into_iter().collect();
            let current = show(&mut c, &names).await?;
            let Some(state) = edit(&current)? else {
                if !cli.quiet {
                    eprintln!("nipc: no changes made in the editor: nothing applied");
                }
                return Ok(());
            };
            let request = ApplyRequest {
                state,
                options: ApplyOptions::default(),
            };
            let result = apply(&mut c, &request, Progress::new(cli.quiet)).await?;
            if !cli.quiet {
                print(fmt, &result, apply_text);
            }
        }
        Command::Apply {
            file,
            dry_run,
            no_verify,
            memory_only,
            no_commit,
            timeout,
            no_wait,
        } => {
            let request = ApplyRequest {
                state: read_state(&file)?,
                options: ApplyOptions {
                    no_verify,
                    memory_only,
                    no_commit,
                    commit_timeout: timeout,
                    no_wait,
                    dry_run,
                },
            };
            let result = apply(&mut c, &request, Progress::new(cli.quiet)).await?;
            if !cli.quiet {
                print(fmt, &result, apply_text);
            }
        }
        Command::Commit { id } => {
            let r = c.commit(id.as_deref()).await?;
            if !cli.quiet {
                print(fmt, &r, yaml);
            }
        }
        Command::Rollback { id } => {
            let r = c.rollback(id.as_deref()).await?;
            if !cli.quiet {
                print(fmt, &r, yaml);
            }
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
        Command::Monitor { patterns, all } => {
            let operator = !all && patterns.is_empty();
            let patterns: Vec<String> = if operator {
                monitor::OPERATOR_TOPICS
                    .iter()
                    .map(|t| t.to_string())
                    .collect()
            } else {
                patterns
            };
            drop(c);
            return monitor::run(&cli.socket, &patterns, operator, fmt).await;
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
        Command::Complete { what } => {
            let names: Vec<String> = match what {
                Completable::Interfaces => c
                    .show(None)
                    .await?
                    .interfaces
                    .into_iter()
                    .map(|i| i.name)
                    .collect(),
                Completable::Checkpoints => c
                    .list_checkpoints()
                    .await?
                    .checkpoints
                    .into_iter()
                    .map(|c| c.id)
                    .collect(),
            };
            let text: String = names.iter().map(|n| format!("{n}\n")).collect();
            let _ = write_out(text.as_bytes());
        }
        Command::Completions { .. } | Command::Man => {}
    }
    Ok(())
}

/// The current state of the interfaces `names` (names or globs; all when
/// empty) and the routes through them. One plain name is asked of the
/// daemon as such; globs and several names filter the whole state.
async fn show(c: &mut Client, names: &[String]) -> Result<NetworkState, Failure> {
    if let [one] = names
        && !is_glob(one)
    {
        return Ok(c.show(Some(one)).await?);
    }
    let mut state = c.show(None).await?;
    if names.is_empty() {
        return Ok(state);
    }
    for n in names {
        if !state.interfaces.iter().any(|i| glob_match(n, &i.name)) {
            return Err(Failure {
                message: if is_glob(n) {
                    format!("no interface matches {n:?}")
                } else {
                    format!("no interface {n:?}")
                },
                code: exit::NOT_FOUND,
            });
        }
    }
    state
        .interfaces
        .retain(|i| names.iter().any(|n| glob_match(n, &i.name)));
    let shown: Vec<String> = state.interfaces.iter().map(|i| i.name.clone()).collect();
    let through_shown = |r: &Route| {
        r.next_hop_interface
            .as_ref()
            .is_some_and(|i| shown.contains(i))
    };
    for routes in [&mut state.routes.config, &mut state.routes.running]
        .into_iter()
        .flatten()
    {
        routes.retain(through_shown);
    }
    Ok(state)
}

/// Whether `name` is a shell glob (`*`, `?` or `[`).
fn is_glob(name: &str) -> bool {
    name.contains(['*', '?', '['])
}

/// Whether `name` matches the shell glob `pattern` (`*`, `?`, and `[...]`
/// sets of characters or ranges).
fn glob_match(pattern: &str, name: &str) -> bool {
    fn set(p: &[char], c: char) -> Option<(bool, usize)> {
        // p starts after '['; returns (matched, length of the set incl. ']').
        let mut i = 0;
        let negate = matches!(p.first(), Some('!' | '^'));
        if negate {
            i += 1;
        }
        let mut hit = false;
        let start = i;
        while i < p.len() && (p[i] != ']' || i == start) {
            if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
                hit |= p[i] <= c && c <= p[i + 2];
                i += 3;
            } else {
                hit |= p[i] == c;
                i += 1;
            }
        }
        (i < p.len()).then_some((hit != negate, i + 1))
    }
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some('['), Some(&c)) => match set(&p[1..], c) {
                Some((true, len)) => go(&p[1 + len..], &n[1..]),
                Some((false, _)) => false,
                None => c == '[' && go(&p[1..], &n[1..]),
            },
            (Some(a), Some(b)) => a == b && go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// The progress of an apply on stderr: one line per step for people; on a
/// terminal the line is rewritten in place. Nothing with `--quiet`.
struct Progress {
    quiet: bool,
    terminal: bool,
    /// The last step reported before a rollback (what failed).
    last: Option<ApplyStep>,
    shown: bool,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Progress {
            quiet,
            terminal: std::io::stderr().is_terminal(),
            last: None,
            shown: false,
        }
    }

    fn report(&mut self, p: ApplyProgress) {
        if !matches!(p.step, ApplyStep::Rollback | ApplyStep::Done) {
            self.last = Some(p.step);
        }
        if self.quiet {
            return;
        }
        let line = format!("{}: {}", step_name(p.step), p.message);
        let mut err = std::io::stderr().lock();
        let _ = if self.terminal {
            write!(err, "\r\x1b[K{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
        self.shown = true;
    }

    /// Ends the line rewritten in place, before anything else is printed.
    fn finish(&self) {
        if self.terminal && self.shown {
            eprintln!();
        }
    }
}

fn step_name(step: ApplyStep) -> &'static str {
    match step {
        ApplyStep::Queued => "queued",
        ApplyStep::Validate => "validate",
        ApplyStep::Query => "query",
        ApplyStep::Checkpoint => "checkpoint",
        ApplyStep::Apply => "apply",
        ApplyStep::Verify => "verify",
        ApplyStep::Rollback => "rollback",
        ApplyStep::Done => "done",
    }
}

/// Applies `request`, reporting progress; a failure's exit code says
/// which step failed.
async fn apply(
    c: &mut Client,
    request: &ApplyRequest,
    mut progress: Progress,
) -> Result<ApplyResult, Failure> {
    let result = {
        let mut on_progress = |p: ApplyProgress| progress.report(p);
        c.apply(request, Some(&mut on_progress)).await
    };
    progress.finish();
    result.map_err(|e| apply_failed(e, progress.last))
}

/// An apply's result for people: what changed, and the checkpoint.
fn apply_text(r: &ApplyResult) -> String {
    if r.dry_run {
        return changes_text(&r.changes, "no changes\n");
    }
    let mut s = changes_text(&r.changes, "");
    let mut summary = format!("applied: {}", r.summary());
    if r.pending {
        summary.push_str(" (pending: `nipc commit` keeps it, `nipc rollback` undoes it)");
    } else if r.verified && r.attempts > 0 {
        summary.push_str(", verified");
    } else if !r.verified && !r.checkpoint.is_empty() {
        summary.push_str(", not verified");
    }
    s.push_str(&summary);
    s.push('\n');
    s
}

/// One change per line, or `none` when there are none.
fn changes_text(changes: &[String], none: &str) -> String {
    if changes.is_empty() {
        return none.to_string();
    }
    changes.iter().map(|c| format!("{c}\n")).collect()
}

/// `status` for people.
fn status_text(st: &NetworkStatus) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut s = String::new();
    if st.last.is_empty() {
        s.push_str("no apply since the daemon started\n");
    }
    for l in &st.last {
        let kind = match l.kind {
            ApplyKind::Boot => "boot",
            ApplyKind::Api => "api",
            ApplyKind::Rollback => "rollback",
            ApplyKind::Dhcp => "dhcp",
        };
        s.push_str(&format!(
            "last {kind:<9} {:<7} {:>4} ago  {}\n",
            if l.ok { "ok" } else { "FAILED" },
            ago(now.saturating_sub(l.unix_time)),
            l.message
        ));
    }
    match &st.pending {
        Some(p) => s.push_str(&format!(
            "pending:  checkpoint {} awaits commit{}\n",
            p.id,
            p.timeout
                .map(|t| format!(" (rolled back in {t} s)"))
                .unwrap_or_default()
        )),
        None => s.push_str("pending:  nothing awaits commit\n"),
    }
    if st.busy {
        s.push_str("applying: an apply, commit or rollback is running\n");
    }
    match &st.drift {
        None => s.push_str("saved:    not seen since the daemon started\n"),
        Some(d) if d.is_empty() => s.push_str("saved:    the running state is as saved\n"),
        Some(d) => {
            s.push_str(&format!(
                "saved:    the running state differs from the saved one ({}):\n",
                d.len()
            ));
            for line in d {
                s.push_str(&format!("  {line}\n"));
            }
        }
    }
    s
}

/// `12s`, `5m`, `3h`, `2d`.
fn ago(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        3600..86400 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}

/// `show --brief`: one line per interface.
fn brief_table(ifaces: &Vec<Interface>) -> String {
    let mut rows = vec![["NAME", "TYPE", "STATE", "ADDRESSES", "CONTROLLER"].map(String::from)];
    for i in ifaces {
        let addrs: Vec<String> = [&i.ipv4, &i.ipv6]
            .into_iter()
            .flatten()
            .flat_map(|ip| ip.address.iter().flatten())
            .map(ToString::to_string)
            .collect();
        let or_dash = |s: Option<String>| s.filter(|s| !s.is_empty()).unwrap_or("-".into());
        rows.push([
            i.name.clone(),
            or_dash(i.iface_type.map(|t| t.to_string())),
            or_dash(i.state.map(|s| s.to_string())),
            or_dash(Some(addrs.join(","))),
            or_dash(i.controller.clone()),
        ]);
    }
    table(&rows)
}

/// Opens `current` in `$EDITOR` (`$VISUAL` first, `vi` without either);
/// the edited state, or `None` when the file was left as it was.
fn edit(current: &NetworkState) -> Result<Option<Value>, Failure> {
    let failed = |message: String| Failure {
        message,
        code: exit::FAILED,
    };
    let dir = std::env::temp_dir().join(format!("nipc-edit-{}", std::process::id()));
    std::fs::create_dir(&dir).map_err(|e| failed(format!("creating {}: {e}", dir.display())))?;
    let _remove = RemoveOnDrop(dir.clone());
    let file = dir.join("state.yml");
    let before = current.to_yaml();
    std::fs::write(&file, &before)
        .map_err(|e| failed(format!("writing {}: {e}", file.display())))?;
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".into());
    // The editor may carry arguments (`code --wait`): run through the shell.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status()
        .map_err(|e| failed(format!("running {editor}: {e}")))?;
    if !status.success() {
        return Err(failed(format!(
            "{editor} exited with {status}: nothing applied"
        )));
    }
    let after = std::fs::read_to_string(&file)
        .map_err(|e| failed(format!("reading {}: {e}", file.display())))?;
    if after == before {
        return Ok(None);
    }
    read_state(&file).map(Some)
}

/// Removes a directory and what is in it when dropped.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Reads a YAML (or JSON) state file; `-` is standard input.
/// The most `nipc` reads of a state: the daemon's ceiling for one API
/// message (`api.max_message_size` is at most 16 MiB).
const MAX_STATE_BYTES: u64 = 16 << 20;

/// Reads `from` as UTF-8 text of at most `max` bytes; a longer input is an
/// error after `max + 1` bytes (a `/dev/zero` or a runaway pipe never
/// fills the memory).
fn read_bounded(from: impl Read, max: u64) -> std::io::Result<String> {
    let mut text = String::new();
    from.take(max + 1).read_to_string(&mut text)?;
    if text.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("longer than {max} bytes"),
        ));
    }
    Ok(text)
}

fn read_state(file: &PathBuf) -> Result<Value, Failure> {
    let (text, name) = if file.as_os_str() == "-" {
        let s = read_bounded(std::io::stdin(), MAX_STATE_BYTES)
            .map_err(|e| usage(format!("reading the state from standard input: {e}")))?;
        (s, "standard input".to_string())
    } else {
        let s = std::fs::File::open(file)
            .and_then(|f| read_bounded(f, MAX_STATE_BYTES))
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
fn checkpoints_text(list: &CheckpointList) -> String {
    if list.checkpoints.is_empty() {
        return "no checkpoints\n".into();
    }
    let mut s = String::new();
    for c in &list.checkpoints {
        let mut line = c.id.clone();
        for x in [&c.time, &c.created_by].into_iter().flatten() {
            line.push_str("  ");
            line.push_str(x);
        }
        if c.pending {
            match c.timeout {
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

pub(crate) fn one_line<T: Serialize>(v: &T) -> String {
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

fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
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

    /// `nipc -o json show` prints the daemon's JSON indented by
    /// `indent_json`: the same text as decoding it and printing it.
    #[test]
    fn indenting_json_text_is_what_pretty_printing_writes() {
        let state = NetworkState::from_yaml(
            "interfaces:
  - name: br0
    type: linux-bridge
    state: up
    mtu: 1500
    ipv4: {enabled: true, address: [{ip: 192.0.2.1, prefix-length: 24}]}
    ipv6: {enabled: false}
    bridge: {options: {stp: {enabled: false}}, port: []}
    ovs-db: {external_ids: {}}
routes: {config: [{destination: 0.0.0.0/0, next-hop-address: 192.0.2.254}]}
",
        )
        .expect("a state");
        let value = serde_json::json!({
            "empty": {}, "list": [], "nested": [[], {}, [1, -2.5, null, true]],
            "text": "a \" b \\ c: {d}, [e] \u{e9} \n",
        });
        for (compact, pretty) in [
            (
                serde_json::to_string(&state).expect("JSON"),
                serde_json::to_string_pretty(&state).expect("JSON"),
            ),
            (
                value.to_string(),
                serde_json::to_string_pretty(&value).expect("JSON"),
            ),
        ] {
            assert_eq!(indent_json(&compact), pretty + "\n");
        }
        assert_eq!(indent_json("{ \"a\" : [ ] }"), "{\n  \"a\": []\n}\n");
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every `nipc …` command in the docs' code blocks is one `nipc`
    /// accepts (the syntax; `host/nipc/tests/operator.rs` runs the
    /// commands and checks their output).
    #[test]
    fn every_command_example_in_the_docs_parses() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = vec![root.join("README.md")];
        for dir in ["docs", "docs/plugins"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "md") {
                    files.push(p);
                }
            }
        }
        let mut checked = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let mut in_code = false;
            for line in text.lines() {
                if line.trim_start().starts_with("```") {
                    in_code = !in_code;
                    continue;
                }
                let l = line.trim().trim_start_matches("$ ");
                if !in_code || !l.starts_with("nipc ") {
                    continue;
                }
                for cmd in l.split("&&") {
                    let cmd = cmd.trim();
                    // Up to a comment, a pipe, a redirection or `&`.
                    let end = cmd.find([' ', '\t']).map_or(0, |_| {
                        ["  #", " |", " >", " &"]
                            .iter()
                            .filter_map(|m| cmd.find(m))
                            .min()
                            .unwrap_or(cmd.len())
                    });
                    let cmd = &cmd[..end];
                    if !cmd.starts_with("nipc ") || cmd.starts_with("nipc [") {
                        continue; // a synopsis
                    }
                    let words: Vec<String> = shell_words(cmd);
                    if let Err(e) = Cli::try_parse_from(&words) {
                        panic!("{}: `{cmd}` is not a valid nipc command:\n{e}", f.display());
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked >= 15, "only {checked} examples found");
    }

    /// Words as the shell splits them (quotes, no expansion).
    fn shell_words(s: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quote = None;
        let mut any = false;
        for c in s.chars() {
            match (quote, c) {
                (None, '\'' | '"') => {
                    quote = Some(c);
                    any = true;
                }
                (Some(q), c) if c == q => quote = None,
                (None, ' ' | '\t') => {
                    if any {
                        words.push(std::mem::take(&mut word));
                        any = false;
                    }
                }
                (_, c) => {
                    word.push(c);
                    any = true;
                }
            }
        }
        if any {
            words.push(word);
        }
        words
    }

    #[test]
    fn globs_match_as_in_the_shell() {
        assert!(glob_match("eth*", "eth0"));
        assert!(glob_match("eth*", "eth"));
        assert!(!glob_match("eth*", "veth0"));
        assert!(glob_match("v?th[0-9]", "veth7"));
        assert!(!glob_match("v?th[!0-9]", "veth7"));
        assert!(glob_match("*-ep", "a-ep"));
        assert!(glob_match("br0", "br0"));
        assert!(!glob_match("br0", "br00"));
    }

    #[test]
    fn uptime_reads_well() {
        assert_eq!(uptime(5.25), "5.2s");
        assert_eq!(uptime(125.0), "2m05s");
        assert_eq!(uptime(7300.0), "2h01m");
        assert_eq!(uptime(90000.0), "1d01h");
    }
}
