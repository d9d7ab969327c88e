//! Signal handling without handlers: the signals the daemon acts on are
//! blocked in every thread (plugin threads inherit the mask) and taken
//! synchronously with `sigwait` on the main thread.

use std::io;

/// What the main loop was woken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Terminate,
    Interrupt,
    Hangup,
}

fn signal_set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset only write the set we own.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGHUP);
        set
    }
}

/// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread
/// it starts afterwards. Call first thing in `main`.
pub fn block() -> io::Result<()> {
    let set = signal_set();
    // SAFETY: valid set, null old-set pointer is allowed.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc))
    }
}

/// Waits for one of the blocked signals.
pub fn wait() -> io::Result<Signal> {
    let set = signal_set();
    let mut sig: libc::c_int = 0;
    // SAFETY: valid set and out-pointer.
    let rc = unsafe { libc::sigwait(&set, &mut sig) };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
    Ok(from_number(sig))
}

fn from_number(sig: libc::c_int) -> Signal {
    match sig {
        libc::SIGTERM => Signal::Terminate,
        libc::SIGINT => Signal::Interrupt,
        _ => Signal::Hangup,
    }
}

/// Waits for one of the blocked signals at most `timeout`; `None` when it
/// passed without one (the main thread feeds the watchdog in between).
pub fn wait_timeout(timeout: std::time::Duration) -> io::Result<Option<Signal>> {
    let set = signal_set();
    let ts = libc::timespec {
        tv_sec: timeout.as_secs().try_into().unwrap_or(libc::time_t::MAX),
        tv_nsec: timeout.subsec_nanos().into(),
    };
    loop {
        // SAFETY: valid set and timespec; a null siginfo pointer is allowed.
        let sig = unsafe { libc::sigtimedwait(&set, std::ptr::null_mut(), &ts) };
        if sig >= 0 {
            return Ok(Some(from_number(sig)));
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EAGAIN) => return Ok(None),
            // Another signal's handler ran: a spurious wake-up, not a timeout.
            Some(libc::EINTR) => continue,
            _ => return Err(e),
        }
    }
}
