//! The varlink interface descriptions (IDL) served by
//! `org.varlink.service.GetInterfaceDescription`. They are the reference
//! for every method's parameters; `docs/api.md` explains them.
//!
//! `io.nipart.Network`'s methods and types describe the protocol's types
//! (`nipart_protocol::api::NetworkMethod`, their replies and progress):
//! the test `host/tests/api_idl.rs` compares each with the serde shape of
//! its type (field names, scalar kinds, optional, arrays, nested types) and
//! fails when they drift.

pub const SERVICE: &str = "org.varlink.service";
pub const DAEMON: &str = "io.nipart.Daemon";
pub const NETWORK: &str = "io.nipart.Network";
pub const EVENTS: &str = "io.nipart.Events";

/// Every interface, in the order GetInfo lists them.
pub const INTERFACES: [&str; 4] = [SERVICE, DAEMON, NETWORK, EVENTS];

pub const SERVICE_IDL: &str = r#"# The Varlink Service Interface is provided by every varlink service. It
# describes the service and the interfaces it implements.
interface org.varlink.service

# Get a list of all the interfaces a service provides and information
# about the implementation.
method GetInfo() -> (
  vendor: string,
  product: string,
  version: string,
  url: string,
  interfaces: []string
)

# Get the description of an interface that is implemented by this service.
method GetInterfaceDescription(interface: string) -> (description: string)

# The requested interface was not found.
error InterfaceNotFound (interface: string)

# The requested method was not found.
error MethodNotFound (method: string)

# The interface defines the requested method, but the service does not
# implement it.
error MethodNotImplemented (method: string)

# One of the passed parameters is invalid.
error InvalidParameter (parameter: string)

# Client is denied access.
error PermissionDenied ()

# Method is expected to be called with 'more' set to true, but wasn't.
error ExpectedMore ()
"#;

pub const DAEMON_IDL: &str = r#"# The nipart daemon itself: liveness, facts, plugins and logging.
interface io.nipart.Daemon

# One loaded plugin with its bus counters.
type Plugin (
  name: string,
  version: string,
  description: string,
  file: string,
  roles: []string,
  # loaded, initializing, running, failed, stopping or stopped
  state: string,
  last_error: ?string,
  # what the plugin says of its own state (e.g. its connections)
  status: ?string,
  # events accepted into the plugin's queue
  delivered: int,
  # events that did not fit into the plugin's queue
  dropped: int,
  queue_depth: int,
  # the nipart protocol version agreed in its hello at Init
  protocol_version: ?int
)

# A plugin file the daemon refused to load.
type Rejected (
  file: string,
  plugin: ?string,
  reason: string,
  fix: string
)

# A plugin that did not take the new log level.
type PluginFailure (
  plugin: string,
  error: string
)

# Answers at once; for liveness checks.
method Ping() -> ()

# Facts about the running daemon.
method Info() -> (
  version: string,
  abi_version: string,
  pid: int,
  uptime_seconds: float,
  plugin_dir: string,
  socket: string,
  plugins: int,
  rejected: int
)

# The loaded plugins in Init order, and the rejected files.
method Plugins() -> (plugins: []Plugin, rejected: []Rejected)

# Sets the log level of the daemon and of every running plugin:
# error, warn, info, debug or trace. Needs admin rights.
method SetLogLevel(level: string) -> (level: string, failed: []PluginFailure)

# Sends a request on a plugin's own topic to one plugin or to the holders
# of a role, and returns its reply (with 'more', its progress first).
# Needs admin rights. Requests of the built-in roles that change state are
# refused (CallRefused): they go through io.nipart.Network.
method Call(topic: string, plugin: ?string, role: ?string, payload: ?object, timeout_ms: ?int) -> (progress: ?object, result: ?object)

# The caller lacks the privilege the method needs.
error PermissionDenied (method: string, privilege: string)

# Call: the topic is a request of a built-in role that changes state.
error CallRefused (topic: string, reason: string)

# Call: no plugin took the request.
error NoReceiver (destination: string, message: string)

# Call: the plugin refused or failed the request, or its reply was longer
# than the message size limit.
error Failed (kind: string, message: string)

# Call: no reply came within the call's timeout.
error Timeout (method: string, timeout_ms: int)

# The log level is not one of error, warn, info, debug, trace.
error InvalidLogLevel (level: string)

# The message could not be understood; the connection stays open unless
# the message was over the size limit.
error InvalidMessage (reason: string)

# Too many calls were sent ahead of their replies; the connection is closed.
error TooManyRequests (limit: int)

# The daemon has too many connections (scope "total" or "uid"); the
# connection is closed.
error TooManyConnections (scope: string, limit: int)

# The daemon is shutting down.
error ShuttingDown ()
"#;

pub const NETWORK_IDL: &str = r#"# The network state. Each call becomes an event to the plugin holding the
# commander role, which answers it; see docs/api.md.
# With 'more', progress replies (progress set, continues true) precede the
# final reply (result set).
interface io.nipart.Network

# Options of Apply.
type ApplyOptions (
  # skip verifying the applied state
  no_verify: ?bool,
  # do not persist the state
  memory_only: ?bool,
  # keep a checkpoint and roll back unless Commit comes within commit_timeout
  no_commit: ?bool,
  # seconds
  commit_timeout: ?int,
  # fail with a busy error instead of waiting for another apply to finish
  no_wait: ?bool,
  # validate and plan only: change, save and checkpoint nothing
  dry_run: ?bool
)

# One step of an apply in progress.
type ApplyProgress (
  # queued, validate, query, checkpoint, apply, verify, rollback or done
  step: string,
  # for people
  message: string
)

# The outcome of an apply.
type ApplyResult (
  # the checkpoint taken before the apply (empty when none was taken)
  checkpoint: string,
  # whether the checkpoint awaits Commit (no_commit)
  pending: bool,
  # whether the state was verified (false with no_verify)
  verified: bool,
  # verification attempts made
  attempts: int,
  # what each plugin changed, in order
  changes: []string,
  # the desired state after sanitizing (nmstate schema)
  desired: object,
  # a dry run: nothing was changed, changes are what an apply would change
  dry_run: ?bool
)

# The outcome of Commit and Rollback.
type CheckpointResult (
  checkpoint: string,
  # committed or rolled-back
  done: string
)

# A checkpoint: one awaiting Commit, or one of the history on disk.
type CheckpointInfo (
  id: string,
  # when it was taken (RFC 3339, UTC); only for checkpoints on disk
  time: ?string,
  # what took it, for people
  created_by: ?string,
  # whether it awaits Commit or Rollback
  pending: bool,
  # seconds left before the automatic rollback (pending ones only)
  timeout: ?int
)

# The checkpoints, oldest first.
type CheckpointList (
  checkpoints: []CheckpointInfo
)

# How the last apply of one kind ended.
type LastApply (
  # boot, api, rollback or dhcp
  kind: string,
  # when it ended, seconds since the Unix epoch
  unix_time: int,
  ok: bool,
  # what it did, or why it failed
  message: string
)

# What an operator checks first.
type NetworkStatus (
  # the last apply of each kind since the daemon started
  last: []LastApply,
  # the checkpoint awaiting Commit
  pending: ?CheckpointInfo,
  # an apply, commit or rollback is running now
  busy: bool,
  # how the running state differs from the saved one (empty: as saved)
  drift: ?[]string
)

# The current state (nmstate schema), of one interface or all; secrets
# are hidden unless the caller is an admin.
method Show(interface: ?string, timeout_ms: ?int) -> (result: object)

# Applies a desired state (nmstate schema). Needs admin rights.
method Apply(state: object, options: ?ApplyOptions, timeout_ms: ?int) -> (progress: ?ApplyProgress, result: ?ApplyResult)

# Confirms the pending no_commit apply (its checkpoint if named). Needs admin rights.
method Commit(checkpoint: ?string, timeout_ms: ?int) -> (progress: ?ApplyProgress, result: ?CheckpointResult)

# Restores a checkpoint: the pending one, or the one named. Needs admin rights.
method Rollback(checkpoint: ?string, timeout_ms: ?int) -> (progress: ?ApplyProgress, result: ?CheckpointResult)

# The checkpoints, oldest first (with the conf plugin, the history on disk).
method ListCheckpoints(timeout_ms: ?int) -> (result: CheckpointList)

# The last apply of each kind, the pending checkpoint, whether an apply
# runs, and how the running state differs from the saved one.
method Status(timeout_ms: ?int) -> (result: NetworkStatus)

# No plugin holds the role that serves the call.
error NoCommander (role: string, message: string)

# The commander refused or failed the call.
error Failed (kind: string, message: string)

# No final answer came within the call's timeout.
error Timeout (method: string, timeout_ms: int)

# The caller lacks the privilege the method needs.
error PermissionDenied (method: string, privilege: string)
"#;

pub const EVENTS_IDL: &str = r#"# The event bus, for watching.
interface io.nipart.Events

# One bus event. The payload is JSON when it parses as JSON (secrets
# hidden unless the caller is an admin), else it is given in base64.
type Event (
  id: string,
  ref_id: ?string,
  # todo, ongoing, cancelled or done
  state: string,
  # plugin:NAME, role:NAME, client:ID, daemon, all or none
  src: string,
  dst: string,
  topic: string,
  request: bool,
  deadline_unix_ms: ?int,
  payload: ?object,
  payload_base64: ?string
)

# Streams the bus events whose topic matches one of the patterns (default
# "**"), until the client goes away. Needs 'more'. The first reply names
# the patterns subscribed; each later one carries one event. The daemon
# sends a "bus.missed" event with the count when some did not fit into
# the client's queue.
method Monitor(patterns: ?[]string) -> (subscribed: ?[]string, event: ?Event)

# A topic pattern is malformed.
error InvalidPattern (pattern: string, reason: string)
"#;

/// The description of `interface`, if it is served.
pub fn description(interface: &str) -> Option<&'static str> {
    match interface {
        SERVICE => Some(SERVICE_IDL),
        DAEMON => Some(DAEMON_IDL),
        NETWORK => Some(NETWORK_IDL),
        EVENTS => Some(EVENTS_IDL),
        _ => None,
    }
}
