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
    fs::{self, File, OpenOptions},
    io::{self, Write},
    os::unix::fs::OpenOptionsExt,
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
