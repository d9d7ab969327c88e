//! Callers who are not admins, for the tests and the benchmark of the
//! public API's defences (`host/tests/api_flood.rs`, `host/tests/api_dos.rs`,
//! `nipart-bench --only flood`): a thread that takes another user's
//! credentials, a connection made by a process of another user, and a
//! flood of read calls as issue 11 made it.

use std::{
    io::{Read, Write},
    os::{
        fd::{AsRawFd, FromRawFd},
        unix::{ffi::OsStrExt, net::UnixStream, process::CommandExt},
    },
    path::Path,
    process::Command,
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::Duration,
};

use serde_json::Value;

/// The uid and gid of `nobody`.
pub const NOBODY: u32 = 65534;

/// Who a connection is made as: uid, primary gid, supplementary groups.
#[derive(Debug, Clone)]
pub struct Creds {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

impl Creds {
    pub fn nobody() -> Creds {
        Creds {
            uid: NOBODY,
            gid: NOBODY,
            groups: vec![NOBODY],
        }
    }
}

/// Takes `creds` for the calling thread only (raw system calls: glibc's
/// wrappers would change every thread of the process), for good: the
/// connections it makes afterwards are `creds`' in the daemon's eyes.
/// Needs root. For threads made for that purpose.
pub fn become_on_this_thread(creds: &Creds) -> Result<(), String> {
    // SAFETY: system calls on this thread's credentials, with a pointer to
    // a live slice of the length passed.
    let ok = unsafe {
        libc::syscall(
            libc::SYS_setgroups,
            creds.groups.len(),
            creds.groups.as_ptr(),
        ) == 0
            && libc::syscall(libc::SYS_setresgid, creds.gid, creds.gid, creds.gid) == 0
            && libc::syscall(libc::SYS_setresuid, creds.uid, creds.uid, creds.uid) == 0
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "taking the credentials {creds:?} on this thread: {}",
            std::io::Error::last_os_error()
        ))
    }
}

/// Makes `cmd` run as `creds` (set between fork and exec). Needs root.
pub fn run_as(cmd: &mut Command, creds: &Creds) {
    let creds = creds.clone();
    // SAFETY: only system calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setgroups(creds.groups.len(), creds.groups.as_ptr()) != 0
                || libc::setgid(creds.gid) != 0
                || libc::setuid(creds.uid) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// One varlink call on `s` (a NUL is appended); its reply.
pub fn varlink_call(s: &mut UnixStream, msg: &str) -> Result<Value, String> {
    let mut bytes = msg.as_bytes().to_vec();
    bytes.push(0);
    s.write_all(&bytes).map_err(|e| format!("sending: {e}"))?;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).map_err(|e| format!("reading: {e}"))?;
        if n == 0 {
            return Err("the daemon closed the connection".into());
        }
        if let Some(end) = buf[..n].iter().position(|b| *b == 0) {
            out.extend_from_slice(&buf[..end]);
            return serde_json::from_slice(&out)
                .map_err(|e| format!("a reply that is no JSON: {e}"));
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// What a flood's threads did.
#[derive(Debug, Default)]
pub struct Tally {
    /// Calls answered without an error.
    pub answered: AtomicU64,
    /// Calls answered with an error, and connections refused.
    pub refused: AtomicU64,
    /// Calls sent on a connection closed at once, without waiting.
    pub abandoned: AtomicU64,
}

/// One attacker thread of issue 11: as `nobody`, `ListCheckpoints` and
/// `Show` of `interface` back to back on a connection to `socket`, every
/// fifth call sent and its connection dropped at once (then a new
/// connection), until `stop`. `n` staggers the calls of the threads.
pub fn flood_reads(socket: &Path, interface: &str, stop: &AtomicBool, tally: &Tally, n: usize) {
    if let Err(e) = become_on_this_thread(&Creds::nobody()) {
        panic!("{e}");
    }
    let show = format!(
        r#"{{"method":"io.nipart.Network.Show","parameters":{{"interface":{}}}}}"#,
        Value::String(interface.to_string())
    );
    let calls = [r#"{"method":"io.nipart.Network.ListCheckpoints"}"#, &show];
    let mut i = n;
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut s) = UnixStream::connect(socket) else {
            tally.refused.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(70)));
        while !stop.load(Ordering::Relaxed) {
            i += 1;
            if i % 5 == 0 {
                let _ = s.write_all(format!("{}\0", calls[i % 2]).as_bytes());
                tally.abandoned.fetch_add(1, Ordering::Relaxed);
                break;
            }
            match varlink_call(&mut s, calls[i % 2]) {
                Ok(v) if v.get("error").is_none() => {
                    tally.answered.fetch_add(1, Ordering::Relaxed);
                }
                Ok(_) => {
                    tally.refused.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Err(_) => break,
            }
        }
    }
}

/// Connects to `socket` from a child process that runs as `creds` and exits
/// at once, after handing the connected socket over (`SCM_RIGHTS`): the
/// daemon sees the credentials of that process, whoever holds the socket
/// later. Returns the socket and the pid of the process that connected (it
/// has exited and been reaped). Needs root.
pub fn connect_as(socket: &Path, creds: &Creds) -> (UnixStream, u32) {
    let (mine, theirs) = UnixStream::pair().expect("socketpair");
    let their_fd = theirs.as_raw_fd();
    // Everything the child needs is made before the fork: between fork and
    // exit it may only make system calls.
    // SAFETY: sockaddr_un is plain data; zero is a valid value.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let path = socket.as_os_str().as_bytes();
    assert!(path.len() < addr.sun_path.len(), "socket path too long");
    for (d, s) in addr.sun_path.iter_mut().zip(path) {
        *d = *s as libc::c_char;
    }
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE(std::mem::size_of::<libc::c_int>() as u32) } as usize;
    let mut control = vec![0u8; space];
    let mut byte = [b'x'];
    let mut cmd = Command::new("/bin/true");
    run_as(&mut cmd, creds);
    // SAFETY: only system calls between fork and _exit; the buffers were
    // allocated before the fork and are the child's own copies.
    unsafe {
        cmd.pre_exec(move || {
            let s = libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
            if s < 0
                || libc::connect(
                    s,
                    (&raw const addr).cast(),
                    std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t,
                ) != 0
            {
                libc::_exit(4);
            }
            let mut iov = libc::iovec {
                iov_base: byte.as_mut_ptr().cast(),
                iov_len: 1,
            };
            let mut msg: libc::msghdr = std::mem::zeroed();
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = control.len() as _;
            let cmsg = libc::CMSG_FIRSTHDR(&msg);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<libc::c_int>() as u32) as _;
            std::ptr::copy_nonoverlapping(
                (&raw const s).cast::<u8>(),
                libc::CMSG_DATA(cmsg),
                std::mem::size_of::<libc::c_int>(),
            );
            if libc::sendmsg(their_fd, &msg, 0) != 1 {
                libc::_exit(5);
            }
            libc::_exit(0);
        });
    }
    let mut child = cmd.spawn().expect("fork the connecting process");
    let pid = child.id();
    // It exits right after connecting (or failing to).
    let status = child.wait().expect("waiting for the connecting process");
    assert!(status.success(), "the connecting process failed: {status}");
    drop(theirs);
    // Receive the descriptor.
    let mut byte = [0u8];
    let mut control = vec![0u8; space];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    // SAFETY: msghdr is plain data; the buffers outlive the call.
    let fd = unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = control.len() as _;
        let n = libc::recvmsg(mine.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC);
        assert_eq!(
            n,
            1,
            "receiving the socket: {}",
            std::io::Error::last_os_error()
        );
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        assert!(!cmsg.is_null(), "no descriptor received");
        let mut fd: libc::c_int = -1;
        std::ptr::copy_nonoverlapping(
            libc::CMSG_DATA(cmsg),
            (&raw mut fd).cast::<u8>(),
            std::mem::size_of::<libc::c_int>(),
        );
        fd
    };
    // SAFETY: a descriptor just received, owned by nobody else.
    (unsafe { UnixStream::from_raw_fd(fd) }, pid)
}
