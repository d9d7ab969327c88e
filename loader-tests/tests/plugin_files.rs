//! The plugin loader checks what it loads: each candidate is opened once,
//! checked on its descriptor, and that very file is loaded (through
//! `/proc/self/fd/N`); links are resolved once and their target checked,
//! and every directory up to `/` is checked.

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    thread,
    time::{Duration, Instant},
};

use nipart_loader_tests::{Fixture, Sandbox, evil_marker};
use nipartd::{LoadReport, PluginLoader};

fn load(dir: &Path) -> LoadReport {
    PluginLoader::new(dir).load()
}

fn rejections(report: &LoadReport) -> Vec<String> {
    report.rejected.iter().map(|r| r.to_string()).collect()
}

fn names(report: &LoadReport) -> Vec<&str> {
    report.plugins.iter().map(|p| p.name.as_str()).collect()
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Removes the evil fixture's marker on drop (it must not be there).
struct MarkerGuard(PathBuf);

impl Drop for MarkerGuard {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Stops and joins the swapping thread on drop, even when the test fails.
struct Swapper {
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Drop for Swapper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

#[test]
fn swapping_a_plugin_file_while_it_is_loaded_never_runs_foreign_code() {
    if !is_root() {
        eprintln!("not root: the file owned by nobody can't be made; skipped");
        return;
    }
    let marker = MarkerGuard(evil_marker());
    let _ = fs::remove_file(&marker.0);
    let sb = Sandbox::new();
    // Two files outside any plugin directory, swapped in turn (rename, as
    // an attacker would) under the name the loader finds: root's good
    // plugin, and nobody's library whose constructor leaves the marker.
    // Each round loads a new directory, as each start of the daemon is a
    // new process: the dynamic loader remembers a library by the name it
    // was opened under, and would not open the same name twice.
    let good = sb.path("good.stash");
    fs::copy(Fixture::Good.path(), &good).unwrap();
    chmod(&good, 0o755);
    let evil = sb.path("evil.stash");
    fs::copy(Fixture::Evil.path(), &evil).unwrap();
    chmod(&evil, 0o755);
    std::os::unix::fs::chown(&evil, Some(65534), Some(65534)).unwrap();
    let round_dir = |k: u32| {
        let dir = sb.path(&format!("plugins-{k}"));
        fs::create_dir(&dir).unwrap();
        chmod(&dir, 0o755);
        let target = dir.join("libswap.so");
        fs::hard_link(&good, &target).unwrap();
        (dir, target)
    };
    let (mut dir, target) = round_dir(0);
    let current = Arc::new(Mutex::new(target));

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicU64::new(0));
    let swapper = Swapper {
        stop: stop.clone(),
        handle: Some({
            let (current, swaps, good) = (current.clone(), swaps.clone(), good.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let target = current.lock().unwrap().clone();
                    let tmp = target.with_extension("tmp");
                    for source in [&evil, &good] {
                        let _ = fs::remove_file(&tmp);
                        fs::hard_link(source, &tmp).unwrap();
                        fs::rename(&tmp, &target).unwrap();
                        swaps.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        }),
    };

    let (mut loaded, mut refused, mut rounds) = (0u32, 0u32, 0u32);
    let give_up = Instant::now() + Duration::from_secs(120);
    // At least 600 loads, and both files seen often: the race was run.
    // (The loader before the fix ran nobody's constructor about once in
    // 200 loads here.)
    while rounds < 600 || loaded < 10 || refused < 10 {
        assert!(
            Instant::now() < give_up,
            "after {rounds} loads: {loaded} loaded, {refused} refused"
        );
        // Let the swapper run (the machine may have one core free).
        thread::sleep(Duration::from_micros(200));
        let report = load(&dir);
        rounds += 1;
        assert!(
            !marker.0.exists(),
            "the library owned by nobody ran its constructor (load {rounds})"
        );
        let refusal = format!(
            "{0}: the file is owned by uid 65534, not by root; fix: chown root {0}",
            dir.join("libswap.so").display()
        );
        match (names(&report).as_slice(), rejections(&report).as_slice()) {
            (["good"], []) => loaded += 1,
            ([], [r]) if *r == refusal => refused += 1,
            (n, r) => panic!("unexpected outcome of load {rounds}: {n:?} {r:?}"),
        }
        let (next_dir, next_target) = round_dir(rounds);
        *current.lock().unwrap() = next_target;
        dir = next_dir;
    }
    drop(swapper);
    assert!(swaps.load(Ordering::Relaxed) > 0);
    assert!(!marker.0.exists());
    eprintln!("{rounds} loads: {loaded} loaded the good file, {refused} refused nobody's");
}

#[test]
fn a_link_is_resolved_once_and_its_target_checked() {
    let sb = Sandbox::new();
    let dir = sb.plugin_dir();
    let elsewhere = sb.path("vendor");
    fs::create_dir(&elsewhere).unwrap();
    chmod(&elsewhere, 0o755);
    let real = elsewhere.join("libnipart_fixture_good.so");
    fs::copy(Fixture::Good.path(), &real).unwrap();
    chmod(&real, 0o755);
    let link = dir.join("libgood.so");
    std::os::unix::fs::symlink(&real, &link).unwrap();

    let report = load(&dir);
    assert_eq!(rejections(&report), Vec::<String>::new());
    assert_eq!(names(&report), ["good"]);
    assert_eq!(report.plugins[0].path, link);

    // The target's directory is checked like the plugin directory.
    chmod(&elsewhere, 0o777);
    let real_dir = fs::canonicalize(&elsewhere).unwrap();
    let report = load(&dir);
    assert!(report.plugins.is_empty());
    assert_eq!(
        rejections(&report),
        [format!(
            "{0}: {1}: the directory is group- or other-writable (mode 777); fix: chmod go-w {1}",
            link.display(),
            real_dir.display()
        )]
    );
    chmod(&elsewhere, 0o755);
    if is_root() {
        std::os::unix::fs::chown(&elsewhere, Some(65534), None).unwrap();
        let report = load(&dir);
        assert_eq!(
            rejections(&report),
            [format!(
                "{0}: {1}: the directory is owned by uid 65534, not by root; fix: chown root {1}",
                link.display(),
                real_dir.display()
            )]
        );
    }
}

#[test]
fn every_directory_up_to_the_root_is_checked_and_a_sticky_one_is_accepted() {
    let sb = Sandbox::new();
    sb.add(Fixture::Good);
    let dir = sb.plugin_dir();
    let parent = fs::canonicalize(sb.root()).unwrap();
    // Anyone could rename plugins/ away and put their own in its place.
    chmod(sb.root(), 0o777);
    let report = load(&dir);
    assert!(report.plugins.is_empty());
    assert_eq!(
        rejections(&report),
        [format!(
            "{0}: the directory is group- or other-writable (mode 777); fix: chmod go-w {0}",
            parent.display()
        )]
    );
    // Sticky, like /tmp: others can't rename or remove what they don't own.
    chmod(sb.root(), 0o1777);
    let report = load(&dir);
    assert_eq!(rejections(&report), Vec::<String>::new());
    assert_eq!(names(&report), ["good"]);
    chmod(sb.root(), 0o700);
}
