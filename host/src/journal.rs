//! Logging to journald with the native protocol, when the daemon runs as a
//! systemd service.
//!
//! systemd connects a service's stderr to the journal and says so in
//! `JOURNAL_STREAM=DEV:INODE`; a program whose stderr still is that stream
//! may "upgrade" to the native protocol (`systemd.exec(5)`), which keeps
//! structured fields. Each record is one datagram to
//! `/run/systemd/journal/socket` made of `KEY=value` lines (a value with a
//! newline is sent as `KEY\n`, its length as 64-bit little endian, the
//! bytes, `\n`). Fields: `MESSAGE`, `PRIORITY` (syslog level),
//! `SYSLOG_IDENTIFIER=nipartd`, `NIPART_PLUGIN` and `NIPART_TARGET` for a
//! plugin's records, `TARGET`, `CODE_FILE` and `CODE_LINE` for the daemon's
//! own. `NIPART_JOURNAL_SOCKET` replaces the socket path (for tests).

use std::{
    fmt::Write as _,
    os::unix::{fs::MetadataExt, net::UnixDatagram},
    path::PathBuf,
};

use tracing::{Event, Level, Subscriber, field::Field};
use tracing_subscriber::{Layer, layer::Context};

/// The journal's native socket.
pub const DEFAULT_SOCKET: &str = "/run/systemd/journal/socket";

/// The journal socket to use if stderr is the journal stream systemd
/// announced in `JOURNAL_STREAM`; `None` otherwise (log to stderr).
pub fn detect() -> Option<PathBuf> {
    let stream = std::env::var("JOURNAL_STREAM").ok()?;
    let (dev, ino) = stream.split_once(':')?;
    let (dev, ino): (u64, u64) = (dev.parse().ok()?, ino.parse().ok()?);
    // fstat(2) of stderr, through /proc so that no unsafe is needed.
    let meta = std::fs::metadata("/proc/self/fd/2").ok()?;
    if meta.dev() != dev || meta.ino() != ino {
        return None;
    }
    Some(
        std::env::var_os("NIPART_JOURNAL_SOCKET")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET)),
    )
}

/// A `tracing` layer sending every record to the journal.
pub struct JournalLayer {
    socket: UnixDatagram,
    path: PathBuf,
}

impl JournalLayer {
    /// Checks that the journal socket takes datagrams.
    pub fn new(path: PathBuf) -> std::io::Result<Self> {
        let socket = UnixDatagram::unbound()?;
        socket.connect(&path)?;
        Ok(Self { socket, path })
    }

    /// Where records go.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

fn priority(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "3",
        Level::WARN => "4",
        Level::INFO => "6",
        _ => "7",
    }
}

/// Appends one field in the native protocol's encoding.
fn put(buf: &mut Vec<u8>, key: &str, value: &str) {
    buf.extend_from_slice(key.as_bytes());
    if value.contains('\n') {
        buf.push(b'\n');
        buf.extend_from_slice(&(value.len() as u64).to_le_bytes());
    } else {
        buf.push(b'=');
    }
    buf.extend_from_slice(value.as_bytes());
    buf.push(b'\n');
}

/// The fields of one record: the message, the plugin fields the daemon
/// adds to a plugin's records, and the rest as ` key=value` suffixes.
#[derive(Default)]
struct Fields {
    message: String,
    plugin: Option<String>,
    plugin_target: Option<String>,
    rest: String,
}

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message.push_str(value),
            "plugin" => self.plugin = Some(value.to_string()),
            "target" => self.plugin_target = Some(value.to_string()),
            name => {
                let _ = write!(self.rest, " {name}={value}");
            }
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => {
                let _ = write!(self.message, "{value:?}");
            }
            // `plugin = %name` arrives here (Display through Debug).
            "plugin" => self.plugin = Some(format!("{value:?}")),
            "target" => self.plugin_target = Some(format!("{value:?}")),
            name => {
                let _ = write!(self.rest, " {name}={value:?}");
            }
        }
    }
}

impl<S: Subscriber> Layer<S> for JournalLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut buf = Vec::with_capacity(256);
        put(
            &mut buf,
            "MESSAGE",
            &format!("{}{}", fields.message, fields.rest),
        );
        put(&mut buf, "PRIORITY", priority(meta.level()));
        put(&mut buf, "SYSLOG_IDENTIFIER", "nipartd");
        match &fields.plugin {
            Some(plugin) => {
                put(&mut buf, "NIPART_PLUGIN", plugin);
                if let Some(t) = &fields.plugin_target {
                    put(&mut buf, "NIPART_TARGET", t);
                }
            }
            None => {
                put(&mut buf, "TARGET", meta.target());
                if let Some(file) = meta.file() {
                    put(&mut buf, "CODE_FILE", file);
                }
                if let Some(line) = meta.line() {
                    put(&mut buf, "CODE_LINE", &line.to_string());
                }
            }
        }
        if let Err(e) = self.socket.send(&buf) {
            // The journal is gone or the record is too large: stderr is
            // still the journal's stream.
            eprintln!(
                "nipartd: journal send failed ({e}): {}{}",
                fields.message, fields.rest
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_newlines_are_length_prefixed() {
        let mut buf = Vec::new();
        put(&mut buf, "MESSAGE", "a\nb");
        put(&mut buf, "PRIORITY", "6");
        let mut want = b"MESSAGE\n".to_vec();
        want.extend_from_slice(&3u64.to_le_bytes());
        want.extend_from_slice(b"a\nb\nPRIORITY=6\n");
        assert_eq!(buf, want);
    }
}
