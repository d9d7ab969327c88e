//! The saved desired state: `<config_dir>/state.yml`, nmstate YAML a person
//! can read and edit. Each successful apply is merged into it (interfaces
//! by name, routes by value; `absent` removes), and boot applies it.
//!
//! The file is read with [`file::read_trusted`]: a regular file (not a
//! link, not a FIFO), at most `max_file_bytes`, owned by root (or the
//! daemon's user) and not writable by group or others, in a directory
//! likewise (checked at open: a refused directory fails the open). A
//! refused file is not applied at start, and not merged into at the next
//! save (which writes a new, root-owned file).

use std::path::{Path, PathBuf};

use nipart_plugin_api::{
    Error, Result,
    state::{NetworkState, StateSaved, merge},
};
use serde_json::Value;

use nipart_plugin_api::file;

const HEADER: &str = "\
# The desired network state nipart applies at start. The conf plugin
# rewrites this file after every apply that is not --memory-only; edits
# made by hand take effect at the next start of nipartd.
";

#[derive(Clone)]
pub struct SavedState {
    path: PathBuf,
    max_file_bytes: u64,
}

impl SavedState {
    /// The state kept in `<dir>/state.yml`, at most
    /// [`file::DEFAULT_MAX_BYTES`]; creates `dir` if needed, checks it, and
    /// removes what a killed writer left in it.
    #[cfg(test)]
    pub fn open(dir: &Path) -> Result<SavedState> {
        Self::open_with_limit(dir, file::DEFAULT_MAX_BYTES)
    }

    /// As [`Self::open`], with a file of at most `max_file_bytes`.
    pub fn open_with_limit(dir: &Path, max_file_bytes: u64) -> Result<SavedState> {
        crate::store::open_dir(dir)?;
        let removed = file::remove_leftovers(dir)
            .map_err(|e| Error::other(format!("cannot clean {}: {e}", dir.display())))?;
        for p in removed {
            tracing::info!("removed {}, left by an interrupted write", p.display());
        }
        Ok(SavedState {
            path: dir.join("state.yml"),
            max_file_bytes,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state; `None` when there is no file. The error names the
    /// file and, for YAML that does not parse, the line and column:
    /// `/etc/nipart/state.yml:3:7: did not find expected key`.
    pub fn load(&self) -> Result<Option<NetworkState>> {
        let bytes = match file::read_trusted(&self.path, self.max_file_bytes) {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(None),
            Err(r) if r.kind == file::RefusalKind::TooLarge => {
                return Err(r
                    .with_fix("make it smaller, or raise [plugin.conf] max_file_bytes")
                    .into());
            }
            Err(r) => return Err(r.into()),
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::invalid_input(format!(
                "{}: not UTF-8 text (byte {})",
                self.path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?;
        parse(&self.path, &text).map(Some)
    }

    /// Merges `desired` into the saved state (or replaces it), writes it
    /// crash safely, and returns what was written.
    pub fn save(&self, desired: &NetworkState, replace: bool) -> Result<StateSaved> {
        let mut state = if replace {
            NetworkState::default()
        } else {
            // A file that no longer parses is not merged into: the apply
            // that succeeded is what the operator wants now, and the bad
            // file's error was logged when it was read.
            match self.load() {
                Ok(s) => s.unwrap_or_default(),
                Err(e) => {
                    tracing::warn!("{e}; replacing it with the state just applied");
                    NetworkState::default()
                }
            }
        };
        merge(&mut state, desired);
        let text = format!("{HEADER}{}", state.to_yaml());
        file::replace(&self.path, text.as_bytes(), 0o644)
            .map_err(|e| Error::other(format!("cannot write {}: {e}", self.path.display())))?;
        Ok(StateSaved {
            path: self.path.display().to_string(),
            interfaces: state.interfaces.len(),
        })
    }
}

/// Parses the text of a saved state file.
pub fn parse(path: &Path, text: &str) -> Result<NetworkState> {
    let value: Value = serde_norway::from_str(text).map_err(|e| {
        let message = e.to_string();
        match e.location() {
            Some(l) => {
                // The location is in our prefix; drop serde's own copy.
                let message =
                    message.replace(&format!(" at line {} column {}", l.line(), l.column()), "");
                Error::invalid_input(format!(
                    "{}:{}:{}: {message}",
                    path.display(),
                    l.line(),
                    l.column()
                ))
            }
            None => Error::invalid_input(format!("{}: {message}", path.display())),
        }
    })?;
    NetworkState::from_value(&value)
        .map_err(|e| Error::invalid_input(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use std::{fs, os::unix::fs::PermissionsExt};

    use super::*;

    fn st(yaml: &str) -> NetworkState {
        NetworkState::from_yaml(yaml).unwrap()
    }

    #[test]
    fn saves_readable_yaml_and_reads_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let s = SavedState::open(&dir.path().join("etc")).unwrap();
        assert_eq!(s.load().unwrap(), None);
        let first = st("interfaces: [{name: v0, type: veth, mtu: 1400, veth: {peer: v0-ep}}]");
        let r = s.save(&first, false).unwrap();
        assert_eq!(r.interfaces, 1);
        let text = fs::read_to_string(s.path()).unwrap();
        assert!(text.starts_with("# The desired network state"), "{text}");
        assert!(text.contains("- name: v0\n"), "{text}");
        assert_eq!(s.load().unwrap(), Some(first.clone()));
        s.save(&st("interfaces: [{name: v1, type: linux-bridge}]"), false)
            .unwrap();
        assert_eq!(s.load().unwrap().unwrap().interfaces.len(), 2);
        s.save(&first, true).unwrap();
        assert_eq!(s.load().unwrap(), Some(first));
    }

    #[test]
    fn hostile_saved_states_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let s = SavedState::open_with_limit(dir.path(), 1024).unwrap();
        // A link to /dev/zero: refused at once, nothing read.
        std::os::unix::fs::symlink("/dev/zero", s.path()).unwrap();
        assert_eq!(
            s.load().unwrap_err().to_string(),
            format!(
                "{}: is a symbolic link, which is not followed here; \
                 fix: replace the link with the file itself",
                s.path().display()
            )
        );
        fs::remove_file(s.path()).unwrap();
        // World-writable: anyone could have added an interface.
        fs::write(s.path(), "interfaces: [{name: evil0, type: dummy}]\n").unwrap();
        fs::set_permissions(s.path(), fs::Permissions::from_mode(0o666)).unwrap();
        let e = s.load().unwrap_err();
        assert_eq!(e.kind(), nipart_plugin_api::ErrorKind::PermissionDenied);
        assert_eq!(
            e.to_string(),
            format!(
                "{0}: the file is group- or other-writable (mode 666); fix: chmod go-w {0}",
                s.path().display()
            )
        );
        // Saving does not merge what it refused, and leaves a safe file.
        s.save(&st("interfaces: [{name: v0, type: veth}]"), false)
            .unwrap();
        let back = s.load().unwrap().unwrap();
        assert!(back.interface("evil0").is_none(), "{back}");
        // Over the limit.
        fs::write(s.path(), vec![b'#'; 1025]).unwrap();
        assert_eq!(
            s.load().unwrap_err().to_string(),
            format!(
                "{}: 1025 bytes is over the limit of 1024 bytes; \
                 fix: make it smaller, or raise [plugin.conf] max_file_bytes",
                s.path().display()
            )
        );
    }

    #[test]
    fn invalid_files_are_reported_with_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let s = SavedState::open(dir.path()).unwrap();
        fs::write(s.path(), "interfaces:\n  - name: v0\n    mtu: [1500\n").unwrap();
        let e = s.load().unwrap_err().to_string();
        let prefix = format!("{}:4:1: ", s.path().display());
        assert!(e.starts_with(&prefix), "{e}");
        assert!(!e.contains("at line 4 column 1"), "{e}");

        fs::write(s.path(), "interfaces:\n  - name: v0\n    mtu: many\n").unwrap();
        let e = s.load().unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}: interfaces[0].mtu: expected an integer, found \"many\"",
                s.path().display()
            )
        );
    }
}
