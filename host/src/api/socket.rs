//! Binding the API socket: parent directory, stale sockets, live daemons.

use std::{
    io,
    os::unix::{
        fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt},
        net::{UnixListener, UnixStream},
    },
    path::{Path, PathBuf},
};

/// A bound socket file, removed by [`BoundSocket::remove`] if it is still
/// the one we created.
#[derive(Debug)]
pub struct BoundSocket {
    pub path: PathBuf,
    /// Identity of the file: device, inode and change time (an inode
    /// number alone may be reused by a replacement).
    id: (u64, u64, i64, i64),
}

fn identity(m: &std::fs::Metadata) -> (u64, u64, i64, i64) {
    (m.dev(), m.ino(), m.ctime(), m.ctime_nsec())
}

impl BoundSocket {
    /// Removes the socket file unless someone replaced it meanwhile.
    pub fn remove(&self) {
        match std::fs::symlink_metadata(&self.path) {
            Ok(m) if identity(&m) == self.id => {
                if let Err(e) = std::fs::remove_file(&self.path) {
                    tracing::warn!("removing {}: {e}", self.path.display());
                }
            }
            _ => {}
        }
    }
}

/// Binds `path`: creates its parent directory (mode 0755) if needed,
/// replaces a stale socket left by a dead daemon, and refuses when a live
/// daemon answers on it or when the path is something else than a socket.
/// The socket is made world-connectable (0666): authorization is per call.
pub fn bind(path: &Path) -> Result<(UnixListener, BoundSocket), String> {
    let shown = path.display();
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
        && !parent.exists()
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(parent)
            .map_err(|e| {
                format!(
                    "cannot create the socket directory {}: {e}",
                    parent.display()
                )
            })?;
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => match UnixStream::connect(path) {
            Ok(_) => {
                return Err(format!(
                    "another nipartd is already running on {shown}; stop it first or use --socket to choose another path"
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                tracing::info!("replacing the stale socket {shown} left by a daemon that is gone");
                std::fs::remove_file(path)
                    .map_err(|e| format!("cannot remove the stale socket {shown}: {e}"))?;
            }
            Err(e) => {
                return Err(format!(
                    "{shown} exists and its state can't be checked ({e}); remove it if no daemon uses it"
                ));
            }
        },
        Ok(_) => {
            return Err(format!(
                "{shown} exists and is not a socket; remove it or choose another path with --socket"
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot check {shown}: {e}")),
    }
    let listener =
        UnixListener::bind(path).map_err(|e| format!("cannot listen on {shown}: {e}"))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))
        .map_err(|e| format!("cannot set the permissions of {shown}: {e}"))?;
    let meta = std::fs::symlink_metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("{shown}: {e}"))?;
    Ok((
        listener,
        BoundSocket {
            path: path.to_path_buf(),
            id: identity(&meta),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_replaced_live_refused_other_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/api.sock");
        let (l, bound) = bind(&path).unwrap();
        let mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        // Live: a second bind is refused.
        let e = bind(&path).unwrap_err();
        assert!(e.contains("another nipartd is already running"), "{e}");
        // Stale: the listener is gone, the file stays.
        drop(l);
        let (_l2, bound2) = bind(&path).unwrap();
        // The first owner no longer removes the new file.
        bound.remove();
        assert!(path.exists());
        bound2.remove();
        assert!(!path.exists());
        std::fs::write(&path, "x").unwrap();
        let e = bind(&path).unwrap_err();
        assert!(e.contains("is not a socket"), "{e}");
    }
}
