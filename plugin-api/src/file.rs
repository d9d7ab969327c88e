//! Crash-safe file replacement, for plugins that persist state (the
//! `conf` plugin's saved state and checkpoints, the `dhcp` plugin's leases).
//!
//! A file is never written in place: the new content goes to a temporary
//! file in the same directory (same file system, so the rename is atomic),
//! which is fsynced before it is renamed over the old name, and the
//! directory is fsynced after, so that the rename itself survives a power
//! loss. Whenever the process dies, the name holds either the whole old
//! content or the whole new one. What a crash can leave behind is a
//! temporary file, named `.NAME.tmp-PID-N`, which [`remove_leftovers`]
//! deletes and every reader ignores.
//!
//! Reading is the other half: [`read_trusted`] is the one way a file the
//! daemon acts on is read (the saved state, checkpoints, marks, leases, the
//! daemon's configuration). It refuses, with a one-line reason and fix
//! ([`Refusal`]), anything that is not safe to believe:
//!
//! - the file must be a regular file: it is opened with `O_NOFOLLOW` (a
//!   symbolic link is refused, not followed) and `O_NONBLOCK` (a FIFO does
//!   not block the reader), and checked on the opened descriptor (`fstat`),
//!   so what is checked is what is read;
//! - it must not be larger than the caller's limit (a link to `/dev/zero`
//!   or a huge file costs nothing);
//! - it, its directory and every directory above it up to `/` must pass
//!   the plugin loader's ownership check ([`check_owner_and_mode`],
//!   [`check_directory`]): owned by root or by the daemon's own user, not
//!   writable by group or others. One exception, for the directories
//!   *above* the file's own: a sticky one (such as `/tmp`, mode 1777) is
//!   accepted, because there others can add names but cannot remove or
//!   rename an entry they do not own, so the root-owned entries below
//!   stay put. The directory path is resolved once and the real
//!   directories are checked; only the file's own name must not be a link.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! let dir = std::env::temp_dir().join(format!("nipart-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("lease.json");
//! nipart_plugin_api::file::replace(&path, b"{\"address\": \"192.0.2.7\"}", 0o600)?;
//! assert_eq!(std::fs::read(&path)?, b"{\"address\": \"192.0.2.7\"}");
//! nipart_plugin_api::file::remove(&path)?;
//! # std::fs::remove_dir(&dir)?;
//! # Ok(())
//! # }
//! ```

use std::{
    fmt,
    fs::{self, File, OpenOptions},
    io::{self, Read, Write},
    os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

/// What marks a temporary file (after a leading `.` and the final name).
const TMP_MARK: &str = ".tmp-";

static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

/// Replaces `path` with `bytes` (file mode `mode` for a new file), crash
/// safely. On error the old content is left as it was and the temporary
/// file is removed.
pub fn replace(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_and_rename(path, bytes, mode, false)
}

/// As [`replace`], with file mode `mode` exactly, whatever the process's
/// umask (the daemon's unit sets 0077): for files other programs read,
/// such as `/etc/resolv.conf`.
pub fn replace_with_mode(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_and_rename(path, bytes, mode, true)
}

fn write_and_rename(path: &Path, bytes: &[u8], mode: u32, exact: bool) -> io::Result<()> {
    let (dir, name) = split(path)?;
    let tmp = dir.join(format!(
        ".{name}{TMP_MARK}{}-{}",
        std::process::id(),
        NEXT_TMP.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        if exact {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(fs::Permissions::from_mode(mode))?;
        }
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Removes `path` (if it exists) and makes the removal durable.
pub fn remove(path: &Path) -> io::Result<()> {
    let (dir, _) = split(path)?;
    match fs::remove_file(path) {
        Ok(()) => sync_dir(dir),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `file_name` is a temporary file [`replace`] left behind.
pub fn is_leftover(file_name: &str) -> bool {
    file_name.starts_with('.') && file_name.contains(TMP_MARK)
}

/// Deletes the temporary files a killed writer left in `dir`; their paths.
pub fn remove_leftovers(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_str().is_some_and(is_leftover) {
            fs::remove_file(entry.path())?;
            removed.push(entry.path());
        }
    }
    if !removed.is_empty() {
        sync_dir(dir)?;
    }
    Ok(removed)
}

/// The size limit of a file read with [`read_trusted`] unless its reader is
/// configured otherwise: 8 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 8 << 20;

/// Why a file was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Not a regular file, a link, or owned or writable by someone else:
    /// not to be believed.
    Unsafe,
    /// Larger than the reader's limit.
    TooLarge,
    /// It could not be opened or read (permissions, I/O).
    Unreadable,
}

/// A file (or directory) refused, as one line: `PATH: reason; fix: fix`,
/// the plugin loader's style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The file or directory at fault.
    pub path: PathBuf,
    pub kind: RefusalKind,
    pub reason: String,
    pub fix: String,
}

impl Refusal {
    fn new(path: &Path, kind: RefusalKind, reason: String, fix: String) -> Self {
        Self {
            path: path.to_path_buf(),
            kind,
            reason,
            fix,
        }
    }

    /// The same refusal with another fix (a reader that knows the key
    /// setting its limit says so).
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}; fix: {}",
            self.path.display(),
            self.reason,
            self.fix
        )
    }
}

impl std::error::Error for Refusal {}

impl From<Refusal> for crate::Error {
    fn from(r: Refusal) -> Self {
        let kind = match r.kind {
            RefusalKind::Unsafe => crate::ErrorKind::PermissionDenied,
            RefusalKind::TooLarge => crate::ErrorKind::InvalidInput,
            RefusalKind::Unreadable => crate::ErrorKind::Other,
        };
        crate::Error::new(kind, r.to_string())
    }
}

/// Besides root, the owner a trusted file may have: the process's
/// effective uid (the daemon's user).
pub fn trusted_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The ownership check of every file and directory the daemon trusts
/// (plugin libraries included): owned by root or by `trusted_uid`, not
/// writable by group or others. `what` names it in the reason
/// (`"file"`, `"directory"`).
pub fn check_owner_and_mode(
    path: &Path,
    meta: &fs::Metadata,
    what: &str,
    trusted_uid: u32,
) -> Result<(), Refusal> {
    check_owner_and_mode_of(path, meta, what, trusted_uid, false)
}

fn check_owner_and_mode_of(
    path: &Path,
    meta: &fs::Metadata,
    what: &str,
    trusted_uid: u32,
    sticky_ok: bool,
) -> Result<(), Refusal> {
    let uid = meta.uid();
    if uid != 0 && uid != trusted_uid {
        let allowed = if trusted_uid == 0 {
            "root".to_string()
        } else {
            format!("root or the daemon's uid {trusted_uid}")
        };
        return Err(Refusal::new(
            path,
            RefusalKind::Unsafe,
            format!("the {what} is owned by uid {uid}, not by {allowed}"),
            format!("chown root {}", path.display()),
        ));
    }
    let mode = meta.mode();
    let sticky = mode & libc::S_ISVTX != 0;
    if mode & 0o022 != 0 && !(sticky_ok && sticky) {
        return Err(Refusal::new(
            path,
            RefusalKind::Unsafe,
            format!(
                "the {what} is group- or other-writable (mode {:o})",
                mode & 0o7777
            ),
            format!("chmod go-w {}", path.display()),
        ));
    }
    Ok(())
}

/// Checks a directory the daemon reads trusted files from, and every
/// directory above it up to `/`, with [`check_owner_and_mode`]; a sticky
/// directory above it (like `/tmp`) may be writable by others. `dir` is
/// resolved once; the real directories are checked and the real path is
/// returned, for the caller to open files in (so that no link on the way
/// can be changed between the check and the open).
pub fn check_directory(dir: &Path, trusted_uid: u32) -> Result<PathBuf, Refusal> {
    let real = fs::canonicalize(dir).map_err(|e| {
        Refusal::new(
            dir,
            RefusalKind::Unreadable,
            format!("the directory cannot be read: {e}"),
            "create it, or give the daemon access to it".to_string(),
        )
    })?;
    check_real_directory(&real, trusted_uid)?;
    Ok(real)
}

fn check_real_directory(real: &Path, trusted_uid: u32) -> Result<(), Refusal> {
    for (i, dir) in real.ancestors().enumerate() {
        let meta = fs::symlink_metadata(dir).map_err(|e| {
            Refusal::new(
                dir,
                RefusalKind::Unreadable,
                format!("the directory cannot be read: {e}"),
                "give the daemon access to it".to_string(),
            )
        })?;
        if !meta.is_dir() {
            return Err(Refusal::new(
                dir,
                RefusalKind::Unsafe,
                "not a directory".to_string(),
                "point the setting at a directory".to_string(),
            ));
        }
        check_owner_and_mode_of(dir, &meta, "directory", trusted_uid, i > 0)?;
    }
    Ok(())
}

/// Opens `path` for reading without following a link in its last
/// component (`ELOOP` then) and without blocking on a FIFO or a device.
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
}

/// What kind of file `meta` describes, for a reason.
pub fn kind_of(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_file() {
        "a regular file"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "a symbolic link"
    }
}

/// Reads the whole of `path` if it is safe to believe (see the module
/// docs): a regular file of at most `max_bytes`, owned by root or the
/// daemon's user and not writable by others, in directories likewise.
/// `Ok(None)` when it (or its directory) does not exist.
pub fn read_trusted(path: &Path, max_bytes: u64) -> Result<Option<Vec<u8>>, Refusal> {
    let unreadable = |e: io::Error| {
        Refusal::new(
            path,
            RefusalKind::Unreadable,
            format!("cannot be read: {e}"),
            "give the daemon read access to it".to_string(),
        )
    };
    let (dir, name) = split(path).map_err(unreadable)?;
    let real_dir = match fs::canonicalize(dir) {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e)),
    };
    let uid = trusted_uid();
    check_real_directory(&real_dir, uid)?;
    let file = match open_no_follow(&real_dir.join(name)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(Refusal::new(
                path,
                RefusalKind::Unsafe,
                "is a symbolic link, which is not followed here".to_string(),
                "replace the link with the file itself".to_string(),
            ));
        }
        Err(e) => return Err(unreadable(e)),
    };
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(Refusal::new(
            path,
            RefusalKind::Unsafe,
            format!("not a regular file (it is {})", kind_of(&meta)),
            "replace it with a regular file".to_string(),
        ));
    }
    check_owner_and_mode(path, &meta, "file", uid)?;
    let too_large = |size: u64| {
        Refusal::new(
            path,
            RefusalKind::TooLarge,
            format!("{size} bytes is over the limit of {max_bytes} bytes"),
            "make it smaller, or raise the limit".to_string(),
        )
    };
    if meta.len() > max_bytes {
        return Err(too_large(meta.len()));
    }
    // The file may grow between fstat and read: never read past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    (&file)
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > max_bytes {
        return Err(too_large(read));
    }
    Ok(Some(bytes))
}

fn split(path: &Path) -> io::Result<(&Path, &str)> {
    let invalid = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a file path", path.display()),
        )
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(invalid)?;
    let dir = match path.parent() {
        Some(d) if d.as_os_str().is_empty() => Path::new("."),
        Some(d) => d,
        None => return Err(invalid()),
    };
    Ok((dir, name))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.yml");
        replace(&p, b"first\n", 0o644).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"first\n");
        replace(&p, b"second, longer\n", 0o644).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second, longer\n");
        replace(&p, b"3\n", 0o644).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"3\n");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.yml"]);
    }

    #[test]
    fn new_files_get_the_mode_asked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secrets.yml");
        replace(&p, b"x", 0o600).unwrap();
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_failed_write_keeps_the_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.yml");
        replace(&p, b"old", 0o644).unwrap();
        // A directory where the file should be: the rename fails.
        let q = dir.path().join("taken");
        fs::create_dir(&q).unwrap();
        fs::write(q.join("x"), b"").unwrap();
        assert!(replace(&q, b"new", 0o644).is_err());
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert!(remove_leftovers(dir.path()).unwrap().is_empty());
    }

    #[test]
    fn leftovers_are_recognized_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".state.yml.tmp-123-0"), b"half").unwrap();
        fs::write(dir.path().join(".cp-7.json.tmp-9-3"), b"{").unwrap();
        fs::write(dir.path().join("state.yml"), b"whole").unwrap();
        fs::write(dir.path().join(".hidden"), b"keep").unwrap();
        let mut removed = remove_leftovers(dir.path()).unwrap();
        removed.sort();
        assert_eq!(
            removed,
            [
                dir.path().join(".cp-7.json.tmp-9-3"),
                dir.path().join(".state.yml.tmp-123-0")
            ]
        );
        assert!(dir.path().join("state.yml").exists());
        assert!(dir.path().join(".hidden").exists());
        assert!(!is_leftover("state.yml"));
        assert!(is_leftover(".state.yml.tmp-1-2"));
    }

    fn is_root() -> bool {
        trusted_uid() == 0
    }

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: c is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    }

    #[test]
    fn trusted_files_are_read_and_missing_ones_are_none() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.yml");
        assert_eq!(read_trusted(&p, 100).unwrap(), None);
        assert_eq!(
            read_trusted(&dir.path().join("no/such/dir/state.yml"), 100).unwrap(),
            None
        );
        replace(&p, b"interfaces: []\n", 0o644).unwrap();
        assert_eq!(
            read_trusted(&p, 100).unwrap().as_deref(),
            Some(&b"interfaces: []\n"[..])
        );
        // Exactly at the limit is fine.
        assert!(read_trusted(&p, 15).unwrap().is_some());
    }

    #[test]
    fn a_link_to_dev_zero_is_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.yml");
        std::os::unix::fs::symlink("/dev/zero", &p).unwrap();
        let e = read_trusted(&p, 1 << 20).unwrap_err();
        assert_eq!(e.kind, RefusalKind::Unsafe);
        assert_eq!(
            e.to_string(),
            format!(
                "{}: is a symbolic link, which is not followed here; \
                 fix: replace the link with the file itself",
                p.display()
            )
        );
    }

    #[test]
    fn a_fifo_or_a_device_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nipartd.toml");
        mkfifo(&p);
        let e = read_trusted(&p, 1 << 20).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: not a regular file (it is a FIFO); fix: replace it with a regular file",
                p.display()
            )
        );
        let e = read_trusted(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(e.reason, "not a regular file (it is a character device)");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cp-1.json");
        replace(&p, &vec![b' '; 4097], 0o644).unwrap();
        let e = read_trusted(&p, 4096).unwrap_err();
        assert_eq!(e.kind, RefusalKind::TooLarge);
        assert_eq!(
            e.to_string(),
            format!(
                "{}: 4097 bytes is over the limit of 4096 bytes; fix: make it smaller, or raise the limit",
                p.display()
            )
        );
    }

    #[test]
    fn writable_files_and_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.yml");
        replace(&p, b"x", 0o644).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(
            read_trusted(&p, 100).unwrap_err().to_string(),
            format!(
                "{0}: the file is group- or other-writable (mode 666); fix: chmod go-w {0}",
                p.display()
            )
        );
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        // Its own directory may not be writable by others, even sticky.
        let real = fs::canonicalize(dir.path()).unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(
            read_trusted(&p, 100).unwrap_err().to_string(),
            format!(
                "{0}: the directory is group- or other-writable (mode 1777); fix: chmod go-w {0}",
                real.display()
            )
        );
        // A sticky directory above it is fine; a plain writable one is not.
        let sub = dir.path().join("etc");
        fs::create_dir(&sub).unwrap();
        fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
        let q = sub.join("state.yml");
        replace(&q, b"y", 0o644).unwrap();
        assert_eq!(read_trusted(&q, 100).unwrap().as_deref(), Some(&b"y"[..]));
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(
            read_trusted(&q, 100).unwrap_err().to_string(),
            format!(
                "{0}: the directory is group- or other-writable (mode 777); fix: chmod go-w {0}",
                real.display()
            )
        );
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        if is_root() {
            std::os::unix::fs::chown(&q, Some(65534), None).unwrap();
            assert_eq!(
                read_trusted(&q, 100).unwrap_err().to_string(),
                format!(
                    "{0}: the file is owned by uid 65534, not by root; fix: chown root {0}",
                    q.display()
                )
            );
        }
    }

    #[test]
    fn remove_is_quiet_about_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cp-1.json");
        remove(&p).unwrap();
        fs::write(&p, b"{}").unwrap();
        remove(&p).unwrap();
        assert!(!p.exists());
    }
}
