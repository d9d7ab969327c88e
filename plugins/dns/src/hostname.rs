//! The host name: the running one (`gethostname`/`sethostname`, in the
//! daemon's UTS namespace) and the static one (a file, `/etc/hostname` by
//! default, written crash safely).
//!
//! Invariant: nothing is written or set when it already is as desired.

use std::{
    fs,
    io::{self, Read},
    path::Path,
};

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{HostnameState, MAX_HOSTNAME, check_hostname},
};

/// The largest static host name file read.
const MAX_FILE: u64 = 4096;

fn io_error(what: &str, path: &Path, e: io::Error) -> Error {
    Error::new(
        ErrorKind::Failed,
        format!("hostname: {what} {}: {e}", path.display()),
    )
}

/// The running host name.
fn running() -> Result<String> {
    let mut buf = [0u8; MAX_HOSTNAME + 1];
    // SAFETY: the buffer is valid for `buf.len()` bytes, which is what
    // gethostname is told it may write.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if r != 0 {
        return Err(Error::new(
            ErrorKind::Failed,
            format!(
                "hostname: gethostname failed: {}",
                io::Error::last_os_error()
            ),
        ));
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

fn set_running(name: &str) -> Result<()> {
    // SAFETY: the pointer and length describe `name`'s bytes, which
    // sethostname only reads.
    let r = unsafe { libc::sethostname(name.as_ptr().cast(), name.len()) };
    if r != 0 {
        return Err(Error::new(
            ErrorKind::Failed,
            format!(
                "hostname.running: sethostname({name:?}) failed: {}",
                io::Error::last_os_error()
            ),
        ));
    }
    Ok(())
}

/// The static host name in `path`: its first line that is not a comment;
/// `None` when there is no file or no valid name in it.
fn read_static(path: &Path) -> Result<Option<String>> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("cannot open", path, e)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error("cannot read", path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    let name = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| check_hostname(l, "").is_ok())
        .map(str::to_string);
    Ok(name)
}

/// The running and static host names (the static one only when `path`
/// holds one).
pub fn query(path: &Path) -> Result<HostnameState> {
    Ok(HostnameState {
        running: Some(running()?),
        config: read_static(path)?,
    })
}

/// Makes the host names what `want` says (complete: `config` alone has
/// set `running` too in the plan). The changes made.
pub fn apply(path: &Path, want: &HostnameState) -> Result<Vec<String>> {
    let mut changes = Vec::new();
    let have = match want.config {
        Some(_) => read_static(path)?,
        None => None,
    };
    match want.config.as_deref() {
        Some("") if have.is_some() || fs::symlink_metadata(path).is_ok() => {
            nipart_plugin_api::file::remove(path)
                .map_err(|e| io_error("cannot remove", path, e))?;
            changes.push(format!("{} removed", path.display()));
        }
        Some(name) if !name.is_empty() && have.as_deref() != Some(name) => {
            nipart_plugin_api::file::replace_with_mode(path, format!("{name}\n").as_bytes(), 0o644)
                .map_err(|e| io_error("cannot write", path, e))?;
            changes.push(format!("{} says {name}", path.display()));
        }
        _ => {}
    }
    if let Some(name) = &want.running
        && running()? != *name
    {
        set_running(name)?;
        changes.push(format!("running host name set to {name}"));
    }
    Ok(changes)
}
