//! The checkpoint history: one JSON file per checkpoint, `cp-N.json`, in
//! the checkpoint directory, written once (crash safely) and never
//! changed. Ids go on from the highest one on disk, so they stay unique and
//! increasing across restarts; beyond `max` files the oldest are pruned.

use std::{
    fs,
    path::{Path, PathBuf},
    time::SystemTime,
};

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{CheckpointRecord, CheckpointSummary, CreatedBy, NetworkState},
};

use nipart_plugin_api::file;

pub struct Store {
    dir: PathBuf,
    max: usize,
    next: u64,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::other(format!("{what} {}: {e}", path.display()))
}

/// `cp-N` → N.
fn number(id: &str) -> Option<u64> {
    id.strip_prefix("cp-")?.parse().ok()
}

impl Store {
    /// Opens (creating it if needed) the history in `dir`, keeping at most
    /// `max` checkpoints (at least 1). Removes what a killed writer left.
    pub fn open(dir: &Path, max: usize) -> Result<Store> {
        fs::create_dir_all(dir).map_err(|e| io_error("cannot create", dir, e))?;
        for p in file::remove_leftovers(dir).map_err(|e| io_error("cannot clean", dir, e))? {
            tracing::info!("removed {}, left by an interrupted write", p.display());
        }
        let mut store = Store {
            dir: dir.to_path_buf(),
            max: max.max(1),
            next: 1,
        };
        store.next = store.numbers()?.last().map_or(1, |n| n + 1);
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, n: u64) -> PathBuf {
        self.dir.join(format!("cp-{n}.json"))
    }

    /// The numbers of the checkpoints on disk, in increasing order.
    fn numbers(&self) -> Result<Vec<u64>> {
        let entries = fs::read_dir(&self.dir).map_err(|e| io_error("cannot read", &self.dir, e))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error("cannot read", &self.dir, e))?;
            let name = entry.file_name();
            if let Some(n) = name
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .and_then(number)
            {
                out.push(n);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Writes a new checkpoint and prunes the oldest beyond the limit.
    pub fn save(
        &mut self,
        created_by: CreatedBy,
        running: NetworkState,
        saved: Option<NetworkState>,
    ) -> Result<CheckpointRecord> {
        let n = self.next;
        let record = CheckpointRecord {
            id: format!("cp-{n}"),
            time: rfc3339(SystemTime::now()),
            created_by,
            running,
            saved,
        };
        let mut text = serde_json::to_vec_pretty(&record)?;
        text.push(b'\n');
        let path = self.path(n);
        file::replace(&path, &text, 0o644).map_err(|e| io_error("cannot write", &path, e))?;
        self.next = n + 1;
        let numbers = self.numbers()?;
        if numbers.len() > self.max {
            for old in &numbers[..numbers.len() - self.max] {
                let p = self.path(*old);
                file::remove(&p).map_err(|e| io_error("cannot remove", &p, e))?;
            }
        }
        Ok(record)
    }

    /// The checkpoint `id`, or the newest one.
    pub fn get(&self, id: Option<&str>) -> Result<CheckpointRecord> {
        let numbers = self.numbers()?;
        let n = match id {
            None => *numbers.last().ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    "there are no checkpoints to go back to",
                )
            })?,
            Some(id) => match number(id).filter(|n| numbers.contains(n)) {
                Some(n) => n,
                None => {
                    let have = if numbers.is_empty() {
                        "there are none".to_string()
                    } else {
                        let ids: Vec<String> = numbers.iter().map(|n| format!("cp-{n}")).collect();
                        format!("the checkpoints are {}", ids.join(", "))
                    };
                    return Err(Error::new(
                        ErrorKind::NotFound,
                        format!("no checkpoint {id:?} ({have})"),
                    ));
                }
            },
        };
        self.read(n)
    }

    fn read(&self, n: u64) -> Result<CheckpointRecord> {
        let path = self.path(n);
        let text = fs::read(&path).map_err(|e| io_error("cannot read", &path, e))?;
        serde_json::from_slice(&text).map_err(|e| {
            Error::invalid_input(format!("{}: not a valid checkpoint: {e}", path.display()))
        })
    }

    /// The marker of the checkpoint awaiting `Commit`.
    pub fn pending_path(&self) -> PathBuf {
        self.dir.join("pending")
    }

    /// Marks checkpoint `id` as awaiting `Commit` (crash safely), or clears
    /// the mark.
    pub fn set_pending(&self, id: Option<&str>) -> Result<()> {
        let path = self.pending_path();
        match id {
            Some(id) => file::replace(&path, format!("{id}\n").as_bytes(), 0o644)
                .map_err(|e| io_error("cannot write", &path, e)),
            None => clear_pending(&path),
        }
    }

    /// The checkpoint marked as awaiting `Commit`, if any.
    pub fn pending(&self) -> Result<Option<String>> {
        let path = self.pending_path();
        match fs::read_to_string(&path) {
            Ok(t) if t.trim().is_empty() => Ok(None),
            Ok(t) => Ok(Some(t.trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("cannot read", &path, e)),
        }
    }

    /// Every checkpoint, oldest first; unreadable files are logged and
    /// left out.
    pub fn list(&self) -> Result<Vec<CheckpointSummary>> {
        let mut out = Vec::new();
        for n in self.numbers()? {
            match self.read(n) {
                Ok(r) => out.push(CheckpointSummary {
                    id: r.id,
                    time: r.time,
                    created_by: r.created_by.summary,
                }),
                Err(e) => tracing::warn!("{e}"),
            }
        }
        Ok(out)
    }
}

/// Removes the pending mark at `path` (see [`Store::pending_path`]).
pub fn clear_pending(path: &Path) -> Result<()> {
    file::remove(path).map_err(|e| io_error("cannot remove", path, e))
}

/// `2026-11-28T20:30:05Z`.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn by(what: &str) -> CreatedBy {
        CreatedBy {
            action: "apply".into(),
            request: None,
            summary: what.into(),
            desired: None,
        }
    }

    fn state(mtu: u32) -> NetworkState {
        NetworkState::from_yaml(&format!(
            "interfaces: [{{name: v0, type: veth, mtu: {mtu}}}]"
        ))
        .unwrap()
    }

    #[test]
    fn ids_increase_and_continue_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), 5).unwrap();
        assert_eq!(s.save(by("a"), state(1400), None).unwrap().id, "cp-1");
        assert_eq!(s.save(by("b"), state(1500), None).unwrap().id, "cp-2");
        drop(s);
        let mut s = Store::open(dir.path(), 5).unwrap();
        let r = s.save(by("c"), state(1600), Some(state(9000))).unwrap();
        assert_eq!(r.id, "cp-3");
        let back = s.get(Some("cp-3")).unwrap();
        assert_eq!(back, r);
        assert_eq!(s.get(None).unwrap().id, "cp-3");
        assert_eq!(s.get(Some("cp-1")).unwrap().running, state(1400));
    }

    #[test]
    fn the_oldest_are_pruned_beyond_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), 3).unwrap();
        for i in 0..5 {
            s.save(by(&format!("apply {i}")), state(1400 + i), None)
                .unwrap();
        }
        let ids: Vec<_> = s.list().unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["cp-3", "cp-4", "cp-5"]);
        assert_eq!(s.list().unwrap()[0].created_by, "apply 2");
        let e = s.get(Some("cp-1")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(
            e.to_string(),
            "no checkpoint \"cp-1\" (the checkpoints are cp-3, cp-4, cp-5)"
        );
        // Pruning never lowers the next id.
        drop(s);
        let mut s = Store::open(dir.path(), 3).unwrap();
        assert_eq!(s.save(by("x"), state(1280), None).unwrap().id, "cp-6");
    }

    #[test]
    fn unknown_ids_and_an_empty_history_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), 3).unwrap();
        assert_eq!(
            s.get(Some("cp-9")).unwrap_err().to_string(),
            "no checkpoint \"cp-9\" (there are none)"
        );
        assert_eq!(
            s.get(Some("nonsense")).unwrap_err().to_string(),
            "no checkpoint \"nonsense\" (there are none)"
        );
        assert_eq!(
            s.get(None).unwrap_err().to_string(),
            "there are no checkpoints to go back to"
        );
    }

    #[test]
    fn leftover_temporary_files_are_removed_and_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), 3).unwrap();
        s.save(by("a"), state(1400), None).unwrap();
        drop(s);
        // What a writer killed before its rename leaves: a partial file
        // under a temporary name, never under the final one.
        fs::write(dir.path().join(".cp-2.json.tmp-77-0"), b"{\"id\": \"cp-").unwrap();
        fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        let s = Store::open(dir.path(), 3).unwrap();
        assert!(!dir.path().join(".cp-2.json.tmp-77-0").exists());
        assert!(dir.path().join("notes.txt").exists());
        let ids: Vec<_> = s.list().unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["cp-1"]);
    }

    #[test]
    fn a_damaged_checkpoint_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), 3).unwrap();
        s.save(by("a"), state(1400), None).unwrap();
        s.save(by("b"), state(1500), None).unwrap();
        fs::write(dir.path().join("cp-1.json"), b"{ edited").unwrap();
        let e = s.get(Some("cp-1")).unwrap_err();
        assert!(
            e.to_string().starts_with(&format!(
                "{}: not a valid checkpoint",
                dir.path().join("cp-1.json").display()
            )),
            "{e}"
        );
        let ids: Vec<_> = s.list().unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["cp-2"]);
    }

    #[test]
    fn the_pending_mark_survives_reopening_until_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), 3).unwrap();
        assert_eq!(s.pending().unwrap(), None);
        let r = s.save(by("a"), state(1400), None).unwrap();
        s.set_pending(Some(&r.id)).unwrap();
        drop(s);
        let s = Store::open(dir.path(), 3).unwrap();
        assert_eq!(s.pending().unwrap().as_deref(), Some("cp-1"));
        // The mark is not a checkpoint.
        assert_eq!(s.list().unwrap().len(), 1);
        s.set_pending(None).unwrap();
        assert_eq!(s.pending().unwrap(), None);
        s.set_pending(None).unwrap();
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_210_096); // a leap day
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_798_761_599);
        assert_eq!(rfc3339(t), "2026-12-31T23:59:59Z");
    }
}

/// The mark of an apply in progress (item 9 of issue 11): the checkpoint
/// of an apply that is changing the network, written (crash safely) before
/// its first change and removed once it is verified and saved, or rolled
/// back. A mark found at start means the daemon stopped in between (SIGKILL,
/// power loss, a shutdown deadline). It lives beside the checkpoint
/// directory, not in it: that directory holds checkpoints and the pending
/// mark only.
impl Store {
    /// `<state_dir>/apply-in-progress`.
    pub fn in_progress_path(&self) -> PathBuf {
        self.dir
            .parent()
            .unwrap_or(&self.dir)
            .join("apply-in-progress")
    }

    /// Marks checkpoint `id` as the one of the apply in progress, or clears
    /// the mark.
    pub fn set_in_progress(&self, id: Option<&str>) -> Result<()> {
        let path = self.in_progress_path();
        match id {
            Some(id) => file::replace(&path, format!("{id}\n").as_bytes(), 0o644)
                .map_err(|e| io_error("cannot write", &path, e)),
            None => file::remove(&path).map_err(|e| io_error("cannot remove", &path, e)),
        }
    }

    /// The checkpoint marked in progress, if any: a regular file (not
    /// followed if a link) holding `cp-N`; anything else is an error naming
    /// the file.
    pub fn in_progress(&self) -> Result<Option<String>> {
        read_in_progress(&self.in_progress_path())
    }
}

/// The checkpoint id of the apply-in-progress mark at `path` (see
/// [`Store::in_progress`]).
pub fn read_in_progress(path: &Path) -> Result<Option<String>> {
    use std::{io::Read, os::unix::fs::OpenOptionsExt};
    /// `cp-` and a u64, with room to spare.
    const MAX: u64 = 64;
    let f = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("cannot open", path, e)),
    };
    let meta = f.metadata().map_err(|e| io_error("cannot stat", path, e))?;
    if !meta.is_file() || meta.len() > MAX {
        return Err(Error::invalid_input(format!(
            "{}: not an apply-in-progress mark (a regular file of at most {MAX} bytes holding a checkpoint id); remove it",
            path.display()
        )));
    }
    let mut text = String::new();
    f.take(MAX)
        .read_to_string(&mut text)
        .map_err(|e| io_error("cannot read", path, e))?;
    let id = text.trim();
    match number(id) {
        Some(_) => Ok(Some(id.to_string())),
        None if id.is_empty() => Ok(None),
        None => Err(Error::invalid_input(format!(
            "{}: {id:?} is not a checkpoint id; remove the file",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod in_progress_tests {
    use super::*;

    #[test]
    fn the_in_progress_mark_lives_beside_the_checkpoints_and_survives_reopening() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("checkpoints");
        let s = Store::open(&dir, 3).unwrap();
        assert_eq!(s.in_progress().unwrap(), None);
        s.set_in_progress(Some("cp-7")).unwrap();
        assert_eq!(s.in_progress_path(), root.path().join("apply-in-progress"));
        drop(s);
        let s = Store::open(&dir, 3).unwrap();
        assert_eq!(s.in_progress().unwrap().as_deref(), Some("cp-7"));
        assert!(s.list().unwrap().is_empty(), "the mark is not a checkpoint");
        s.set_in_progress(None).unwrap();
        assert_eq!(s.in_progress().unwrap(), None);
        s.set_in_progress(None).unwrap();
    }

    #[test]
    fn a_mark_that_is_not_a_small_file_with_an_id_is_refused_by_name() {
        let root = tempfile::tempdir().unwrap();
        let s = Store::open(&root.path().join("checkpoints"), 3).unwrap();
        let path = s.in_progress_path();
        fs::write(&path, "rm -rf /\n").unwrap();
        let e = s.in_progress().unwrap_err().to_string();
        assert!(
            e.contains("is not a checkpoint id") && e.contains("apply-in-progress"),
            "{e}"
        );
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let e = s.in_progress().unwrap_err().to_string();
        assert!(e.contains("apply-in-progress"), "{e}");
    }
}
