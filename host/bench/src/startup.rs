//! The start-up benchmark: the real `nipartd` binary, from spawning it
//! (fork + exec) to reading its `nipartd ready in ...` line on stderr, with
//! a directory of N copies of one fixture plugin, against the same daemon
//! with an empty directory (the baseline). Each copy has its plugin name
//! patched (`bench-startup-000` → `bench-startup-042`) so the names are
//! unique; every run checks that all N plugins were started and are running.

use std::{
    collections::BTreeSet,
    ffi::OsStr,
    fs,
    os::unix::fs::PermissionsExt,
    path::Path,
    sync::mpsc,
    time::{Duration, Instant},
};

use crate::child::{self, Nipartd};

const PLACEHOLDER: &[u8] = b"bench-startup-000";
const NAME_PREFIX: &str = "bench-startup-";

/// One start of the daemon.
#[derive(Debug, Clone, Copy)]
pub struct Start {
    /// Spawn to the ready line, as seen from outside.
    pub exec_to_ready: Duration,
    /// What the daemon itself reports (load + Init + start broadcast).
    pub self_reported_ms: f64,
}

/// A plugin directory with `n` patched copies of `fixture` (or none).
pub fn plugin_dir(fixture: &Path, n: usize) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix("nipart-bench-startup-")
        .tempdir()
        .map_err(|e| format!("creating a temporary plugin directory: {e}"))?;
    if n == 0 {
        return Ok(dir);
    }
    if n > 1000 {
        return Err(format!("at most 1000 plugins (3 digits), not {n}"));
    }
    let bytes = fs::read(fixture).map_err(|e| format!("reading {}: {e}", fixture.display()))?;
    let at: Vec<usize> = bytes
        .windows(PLACEHOLDER.len())
        .enumerate()
        .filter(|(_, w)| *w == PLACEHOLDER)
        .map(|(i, _)| i)
        .collect();
    if at.is_empty() {
        return Err(format!(
            "{} does not contain the placeholder name {:?}",
            fixture.display(),
            String::from_utf8_lossy(PLACEHOLDER)
        ));
    }
    let mut copy = bytes;
    for i in 0..n {
        let digits = format!("{i:03}");
        for &pos in &at {
            copy[pos + PLACEHOLDER.len() - 3..pos + PLACEHOLDER.len()]
                .copy_from_slice(digits.as_bytes());
        }
        let path = dir.path().join(format!("libbench_startup_{digits}.so"));
        fs::write(&path, &copy).map_err(|e| format!("writing {}: {e}", path.display()))?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("chmod 755 {}: {e}", path.display()))?;
    }
    Ok(dir)
}

/// What the ready line says: `nipartd ready in 12.3 ms: 100 plugins
/// running, 0 failed, 0 files rejected`.
#[derive(Debug, PartialEq)]
struct Ready {
    ms: f64,
    running: usize,
    failed: usize,
    rejected: usize,
}

fn parse_ready(line: &str) -> Option<Ready> {
    let rest = &line[line.find("nipartd ready in ")? + "nipartd ready in ".len()..];
    let (ms, rest) = rest.split_once(" ms: ")?;
    let numbers: Vec<usize> = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match numbers[..] {
        [running, failed, rejected] => Some(Ready {
            ms: ms.trim().parse().ok()?,
            running,
            failed,
            rejected,
        }),
        _ => None,
    }
}

/// `plugin bench-startup-042 0.1.0 started` → `bench-startup-042`.
fn started_plugin(line: &str) -> Option<&str> {
    if !line.ends_with(" started") {
        return None;
    }
    let at = line.find(&format!("plugin {NAME_PREFIX}"))? + "plugin ".len();
    line[at..].split_whitespace().next()
}

/// Starts `nipartd` on `dir`, waits for its ready line, checks that
/// `expected` plugins run, and stops it with SIGTERM.
pub fn start_once(nipartd: &Path, dir: &Path, expected: usize) -> Result<Start, String> {
    let t0 = Instant::now();
    let Nipartd {
        mut child,
        lines: rx,
    } = child::spawn(
        nipartd,
        None,
        &[
            OsStr::new("--plugin-dir"),
            dir.as_os_str(),
            OsStr::new("--log-level"),
            OsStr::new("info"),
        ],
    )?;

    let deadline = t0 + Duration::from_secs(60);
    let mut started = BTreeSet::new();
    let mut tail: Vec<String> = Vec::new();
    let outcome = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((at, line)) => {
                if let Some(name) = started_plugin(&line) {
                    started.insert(name.to_string());
                }
                if let Some(ready) = parse_ready(&line) {
                    break Ok((at, ready));
                }
                tail.push(line);
                if tail.len() > 20 {
                    tail.remove(0);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                break Err("no ready line within 60 s".to_string());
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break Err("nipartd ended before its ready line".to_string());
            }
        }
    };
    let stopped = child::stop(&mut child);
    let (at, ready) = outcome.map_err(|e| format!("{e}; its last lines:\n{}", tail.join("\n")))?;
    stopped?;
    if ready.running != expected || ready.failed != 0 || ready.rejected != 0 {
        return Err(format!(
            "expected {expected} plugins running, nipartd reports {} running, {} failed, {} rejected; its last lines:\n{}",
            ready.running,
            ready.failed,
            ready.rejected,
            tail.join("\n")
        ));
    }
    let wanted: BTreeSet<String> = (0..expected)
        .map(|i| format!("{NAME_PREFIX}{i:03}"))
        .collect();
    if started != wanted {
        let missing: Vec<_> = wanted.difference(&started).collect();
        return Err(format!(
            "{} of {expected} bench plugins logged their start; missing e.g. {:?}",
            started.len(),
            missing.first()
        ));
    }
    Ok(Start {
        exec_to_ready: at.duration_since(t0),
        self_reported_ms: ready.ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_ready_line() {
        let line = "2026-01-01T00:00:00.000000Z  INFO nipartd: nipartd ready in 42.5 ms: 100 plugins running, 0 failed, 2 files rejected";
        assert_eq!(
            parse_ready(line),
            Some(Ready {
                ms: 42.5,
                running: 100,
                failed: 0,
                rejected: 2
            })
        );
        assert_eq!(parse_ready("nipartd stopped"), None);
    }

    #[test]
    fn finds_started_plugins() {
        let line =
            "2026-01-01T00:00:00Z  INFO nipartd::lifecycle: plugin bench-startup-042 0.1.0 started";
        assert_eq!(started_plugin(line), Some("bench-startup-042"));
        assert_eq!(started_plugin("plugin good 0.1.0 started"), None);
    }

    #[test]
    fn patches_every_copy() {
        let src = tempfile::tempdir().unwrap();
        let fixture = src.path().join("lib.so");
        fs::write(&fixture, b"xx bench-startup-000 yy bench-startup-000").unwrap();
        let dir = plugin_dir(&fixture, 3).unwrap();
        let two = fs::read(dir.path().join("libbench_startup_002.so")).unwrap();
        assert_eq!(two, b"xx bench-startup-002 yy bench-startup-002");
        let mode = fs::metadata(dir.path().join("libbench_startup_000.so"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}
