//! The checkpoint history: one JSON file per checkpoint, `cp-N.json`, in
//! the checkpoint directory, written once (crash safely) and never
//! changed. Ids go on from the highest one on disk, so they stay unique and
//! increasing across restarts; beyond `max` files the oldest are pruned.
//!
//! Invariants:
//!
//! - Listing costs memory, not disk: the files are read once, at
//!   [`Store::open`], into an index (id, time, what took it) that
//!   [`Store::save`] and the pruning keep up to date; [`Store::list`]
//!   reads no file. Only [`Store::get`] reads one file, the one asked for.
//! - Ids never wrap: a file whose id is out of `1..=MAX_ID` (or not written
//!   the way this store writes ids, such as `cp-007.json`) is ignored with
//!   a warning, and new ids go on from the highest id in range.
//! - Every file is read with [`file::read_trusted`]: a regular file, not
//!   a link, at most `max_file_bytes`, owned by root (or the daemon's
//!   user) and not writable by others, in a directory likewise; the
//!   directory is checked at open, and a refused one fails the open.

use std::{
    collections::BTreeMap,
    fs,
    os::unix::fs::DirBuilderExt,
    path::{Path, PathBuf},
    time::SystemTime,
};

use nipart_plugin_api::{
    Error, ErrorKind, Result,
    state::{CheckpointRecord, CheckpointSummary, CreatedBy, NetworkState},
};

use nipart_plugin_api::file::{self, Refusal};

/// The highest checkpoint id: ids stay exact in any JSON reader's numbers.
pub const MAX_ID: u64 = (1 << 53) - 1;

/// The size limit of a mark file (`pending`): it holds one id.
pub const MARK_MAX_BYTES: u64 = 4096;

pub struct Store {
    dir: PathBuf,
    max: usize,
    max_file_bytes: u64,
    next: u64,
    /// Every checkpoint file by number, oldest first: its summary, or
    /// `None` when it could not be read at open (said in the log then;
    /// [`Store::get`] says it again). Pruning counts both.
    index: BTreeMap<u64, Option<CheckpointSummary>>,
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::other(format!("{what} {}: {e}", path.display()))
}

/// `cp-N` → N, for N in `1..=MAX_ID` written without leading zeros.
fn number(id: &str) -> Option<u64> {
    let digits = id.strip_prefix("cp-")?;
    if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| (1..=MAX_ID).contains(n))
}

/// Whether a file name looks like a checkpoint's (`cp-DIGITS.json`), in
/// range or not.
fn looks_like_checkpoint(name: &str) -> bool {
    name.strip_prefix("cp-")
        .and_then(|n| n.strip_suffix(".json"))
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

fn summary(r: &CheckpointRecord) -> CheckpointSummary {
    CheckpointSummary {
        id: r.id.clone(),
        time: r.time.clone(),
        created_by: r.created_by.summary.clone(),
    }
}

/// Creates `dir` (mode 0755) if needed and checks it like a plugin
/// directory: owned by root or the daemon's user, not writable by others,
/// and so are the directories above it (a sticky one may be).
pub fn open_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .map_err(|e| io_error("cannot create", dir, e))?;
    file::check_directory(dir, file::trusted_uid())?;
    Ok(())
}

impl Store {
    /// Keeps at most `max` checkpoints from the next one taken on (a
    /// reload changed `max_checkpoints`).
    pub fn set_max(&mut self, max: usize) {
        self.max = max;
    }

    /// Opens (creating it if needed) the history in `dir`, keeping at most
    /// `max` checkpoints (at least 1), each file at most
    /// [`file::DEFAULT_MAX_BYTES`].
    #[cfg(test)]
    pub fn open(dir: &Path, max: usize) -> Result<Store> {
        Self::open_with_limit(dir, max, file::DEFAULT_MAX_BYTES)
    }

    /// As [`Self::open`], with files of at most `max_file_bytes`. Removes
    /// what a killed writer left and reads every checkpoint once, into the
    /// index.
    pub fn open_with_limit(dir: &Path, max: usize, max_file_bytes: u64) -> Result<Store> {
        open_dir(dir)?;
        for p in file::remove_leftovers(dir).map_err(|e| io_error("cannot clean", dir, e))? {
            tracing::info!("removed {}, left by an interrupted write", p.display());
        }
        let mut store = Store {
            dir: dir.to_path_buf(),
            max: max.max(1),
            max_file_bytes,
            next: 1,
            index: BTreeMap::new(),
        };
        for n in store.numbers()? {
            let entry = match store.read(n) {
                Ok(r) => Some(summary(&r)),
                Err(e) => {
                    tracing::warn!("{e}; the checkpoint is left out of the list");
                    None
                }
            };
            store.index.insert(n, entry);
        }
        store.next = store.index.keys().next_back().map_or(1, |n| n + 1);
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, n: u64) -> PathBuf {
        self.dir.join(format!("cp-{n}.json"))
    }

    /// The numbers of the checkpoints on disk, in increasing order; files
    /// named like checkpoints with an id out of range are said in the log
    /// and left alone.
    fn numbers(&self) -> Result<Vec<u64>> {
        let entries = fs::read_dir(&self.dir).map_err(|e| io_error("cannot read", &self.dir, e))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error("cannot read", &self.dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            match name.strip_suffix(".json").and_then(number) {
                Some(n) => out.push(n),
                None if looks_like_checkpoint(name) => tracing::warn!(
                    "ignoring {}: not a checkpoint id this store writes (cp-1 to cp-{MAX_ID}, \
                     no leading zeros); fix: remove the file",
                    entry.path().display()
                ),
                None => {}
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
        if n > MAX_ID {
            return Err(Error::other(format!(
                "checkpoint ids are used up (cp-{MAX_ID} was the last); fix: remove the \
                 checkpoint files in {} and restart nipartd",
                self.dir.display()
            )));
        }
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
        self.index.insert(n, Some(summary(&record)));
        while self.index.len() > self.max {
            let Some((&old, _)) = self.index.first_key_value() else {
                break;
            };
            let p = self.path(old);
            file::remove(&p).map_err(|e| io_error("cannot remove", &p, e))?;
            self.index.remove(&old);
        }
        Ok(record)
    }

    /// The checkpoint `id`, or the newest one.
    pub fn get(&self, id: Option<&str>) -> Result<CheckpointRecord> {
        let n = match id {
            None => *self.index.keys().next_back().ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    "there are no checkpoints to go back to",
                )
            })?,
            Some(id) => match number(id).filter(|n| self.index.contains_key(n)) {
                Some(n) => n,
                None => {
                    let have = if self.index.is_empty() {
                        "there are none".to_string()
                    } else {
                        let ids: Vec<String> =
                            self.index.keys().map(|n| format!("cp-{n}")).collect();
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
        let text = file::read_trusted(&path, self.max_file_bytes)
            .map_err(|r| self.refused(r))?
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("{}: the checkpoint file is gone", path.display()),
                )
            })?;
        let record: CheckpointRecord = serde_json::from_slice(&text).map_err(|e| {
            Error::invalid_input(format!("{}: not a valid checkpoint: {e}", path.display()))
        })?;
        if record.id != format!("cp-{n}") {
            return Err(Error::invalid_input(format!(
                "{}: not a valid checkpoint: it holds {:?}",
                path.display(),
                record.id
            )));
        }
        Ok(record)
    }

    /// A refused file as an error; an oversized one names the key.
    fn refused(&self, r: Refusal) -> Error {
        match r.kind {
            file::RefusalKind::TooLarge => r
                .with_fix("remove it, or raise [plugin.conf] max_file_bytes")
                .into(),
            _ => r.into(),
        }
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
        read_mark(&self.pending_path())
    }

    /// Every checkpoint, oldest first, from the index: no file is read.
    /// Files that could not be read at open are left out (said in the log
    /// then).
    pub fn list(&self) -> Result<Vec<CheckpointSummary>> {
        Ok(self.index.values().flatten().cloned().collect())
    }
}

/// The id a mark file (`pending`) holds, if it exists and is not empty;
/// read like every trusted file, at most [`MARK_MAX_BYTES`].
pub fn read_mark(path: &Path) -> Result<Option<String>> {
    let read = file::read_trusted(path, MARK_MAX_BYTES).map_err(|r| match r.kind {
        file::RefusalKind::TooLarge => r.with_fix("remove it (a mark holds one checkpoint id)"),
        _ => r,
    })?;
    let Some(bytes) = read else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid_input(format!("{}: not UTF-8 text", path.display())))?;
    let id = text.trim();
    Ok((!id.is_empty()).then(|| id.to_string()))
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
        // The list comes from memory (see
        // `list_answers_from_memory_and_save_and_prune_keep_it_right`); a
        // store opened on the damaged file leaves it out.
        drop(s);
        let s = Store::open(dir.path(), 3).unwrap();
        let ids: Vec<_> = s.list().unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(ids, ["cp-2"]);
        assert!(s.get(Some("cp-1")).is_err());
    }

    fn ids(s: &Store) -> Vec<String> {
        s.list().unwrap().into_iter().map(|c| c.id).collect()
    }

    #[test]
    fn list_answers_from_memory_and_save_and_prune_keep_it_right() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), 3).unwrap();
        s.save(by("a"), state(1400), None).unwrap();
        s.save(by("b"), state(1500), None).unwrap();
        let before = s.list().unwrap();
        // Changed on disk behind the store's back: rewritten with another
        // summary, and replaced by a link to /dev/zero. Neither is read.
        let mut edited = s.get(Some("cp-1")).unwrap();
        edited.created_by.summary = "edited on disk".into();
        fs::write(
            dir.path().join("cp-1.json"),
            serde_json::to_vec(&edited).unwrap(),
        )
        .unwrap();
        fs::remove_file(dir.path().join("cp-2.json")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("cp-2.json")).unwrap();
        assert_eq!(s.list().unwrap(), before);
        assert_eq!(before[0].created_by, "a");
        // get reads the one file asked for, checked.
        assert_eq!(
            s.get(Some("cp-2")).unwrap_err().to_string(),
            format!(
                "{}: is a symbolic link, which is not followed here; \
                 fix: replace the link with the file itself",
                dir.path().join("cp-2.json").display()
            )
        );
        // Save and prune keep the index equal to what a fresh open reads.
        fs::remove_file(dir.path().join("cp-2.json")).unwrap();
        s.save(by("c"), state(1600), None).unwrap();
        s.save(by("d"), state(1700), None).unwrap();
        s.save(by("e"), state(1800), None).unwrap();
        assert_eq!(ids(&s), ["cp-3", "cp-4", "cp-5"]);
        let summaries: Vec<_> = s
            .list()
            .unwrap()
            .into_iter()
            .map(|c| c.created_by)
            .collect();
        assert_eq!(summaries, ["c", "d", "e"]);
        let fresh = Store::open(dir.path(), 3).unwrap();
        assert_eq!(fresh.list().unwrap(), s.list().unwrap());
        assert!(!dir.path().join("cp-1.json").exists());
    }

    #[test]
    fn ids_out_of_range_are_ignored_and_ids_never_wrap() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path(), 5).unwrap();
        let r = s.save(by("a"), state(1400), None).unwrap();
        drop(s);
        let json = serde_json::to_vec(&r).unwrap();
        let max = format!("cp-{MAX_ID}.json");
        let names = [
            "cp-18446744073709551615.json".to_string(),
            "cp-99999999999999999999999.json".to_string(),
            format!("cp-{}.json", MAX_ID + 1),
            "cp-0.json".to_string(),
            "cp-007.json".to_string(),
        ];
        for name in &names {
            fs::write(dir.path().join(name), &json).unwrap();
        }
        let mut s = Store::open(dir.path(), 5).unwrap();
        assert_eq!(ids(&s), ["cp-1"]);
        let r = s.save(by("b"), state(1500), None).unwrap();
        assert_eq!(r.id, "cp-2", "ids go on from the highest in range");
        assert_eq!(ids(&s), ["cp-1", "cp-2"]);
        // Left alone, not pruned as if they were the oldest.
        for name in &names {
            assert!(dir.path().join(name).exists(), "{name}");
        }
        assert_eq!(
            s.get(Some("cp-18446744073709551615")).unwrap_err().kind(),
            ErrorKind::NotFound
        );
        // The highest id in range is used; after it, saving refuses
        // rather than wrapping.
        let mut top = r.clone();
        top.id = format!("cp-{MAX_ID}");
        fs::write(dir.path().join(&max), serde_json::to_vec(&top).unwrap()).unwrap();
        drop(s);
        let mut s = Store::open(dir.path(), 5).unwrap();
        assert_eq!(ids(&s).last().unwrap(), &format!("cp-{MAX_ID}"));
        let e = s.save(by("c"), state(1600), None).unwrap_err();
        assert!(
            e.to_string().starts_with(&format!(
                "checkpoint ids are used up (cp-{MAX_ID} was the last)"
            )),
            "{e}"
        );
        assert_eq!(ids(&s).len(), 3);
    }

    #[test]
    fn hostile_checkpoint_files_are_refused_and_the_rest_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open_with_limit(dir.path(), 5, 64 << 10).unwrap();
        s.save(by("a"), state(1400), None).unwrap();
        drop(s);
        std::os::unix::fs::symlink("/dev/zero", dir.path().join("cp-2.json")).unwrap();
        fs::write(dir.path().join("cp-3.json"), vec![b' '; (64 << 10) + 1]).unwrap();
        let fifo =
            std::ffi::CString::new(dir.path().join("cp-4.json").as_os_str().as_encoded_bytes())
                .unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        let s = Store::open_with_limit(dir.path(), 5, 64 << 10).unwrap();
        assert_eq!(ids(&s), ["cp-1"]);
        assert_eq!(
            s.get(Some("cp-3")).unwrap_err().to_string(),
            format!(
                "{}: 65537 bytes is over the limit of 65536 bytes; \
                 fix: remove it, or raise [plugin.conf] max_file_bytes",
                dir.path().join("cp-3.json").display()
            )
        );
        assert_eq!(
            s.get(None).unwrap_err().to_string(),
            format!(
                "{}: not a regular file (it is a FIFO); fix: replace it with a regular file",
                dir.path().join("cp-4.json").display()
            )
        );
    }

    #[test]
    fn a_writable_checkpoint_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cps = dir.path().join("checkpoints");
        fs::create_dir(&cps).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&cps, fs::Permissions::from_mode(0o777)).unwrap();
        let e = Store::open(&cps, 3).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied);
        let real = fs::canonicalize(&cps).unwrap();
        assert_eq!(
            e.to_string(),
            format!(
                "{0}: the directory is group- or other-writable (mode 777); fix: chmod go-w {0}",
                real.display()
            )
        );
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
    fn a_hostile_pending_mark_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path(), 3).unwrap();
        let mark = s.pending_path();
        std::os::unix::fs::symlink("/dev/zero", &mark).unwrap();
        assert_eq!(
            s.pending().unwrap_err().to_string(),
            format!(
                "{}: is a symbolic link, which is not followed here; \
                 fix: replace the link with the file itself",
                mark.display()
            )
        );
        fs::remove_file(&mark).unwrap();
        fs::write(&mark, vec![b'7'; 4097]).unwrap();
        assert_eq!(
            s.pending().unwrap_err().to_string(),
            format!(
                "{}: 4097 bytes is over the limit of 4096 bytes; \
                 fix: remove it (a mark holds one checkpoint id)",
                mark.display()
            )
        );
        // Cleared as usual.
        s.set_pending(None).unwrap();
        assert_eq!(s.pending().unwrap(), None);
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
