//! Who is calling, and whether they may change things.
//!
//! The credentials are taken once, when the connection is accepted: uid and
//! gid from `SO_PEERCRED`, the supplementary groups from `SO_PEERGROUPS`.
//! Both are the kernel's copy of the credentials the peer had when it
//! connected (or called `socketpair`), so the decision made from them holds
//! for the life of the connection whatever happens to the process later:
//! nothing is read from `/proc/PID` (a PID can be reused by another
//! process, one of an admin, while the connection lives on in a child of
//! the process that connected).
//!
//! Admins are root, the daemon's own uid (a development run as a normal
//! user), and members of the configured admin group, primary or
//! supplementary.

use std::{ffi::CString, os::fd::AsRawFd};

/// `SO_PEERGROUPS` (Linux 4.13), which the `libc` crate does not export for
/// every target: 59 everywhere but SPARC.
#[cfg(not(target_arch = "sparc64"))]
const SO_PEERGROUPS: libc::c_int = 59;
#[cfg(target_arch = "sparc64")]
const SO_PEERGROUPS: libc::c_int = 0x3d;

/// Most supplementary groups the kernel allows (`NGROUPS_MAX`).
const NGROUPS_MAX: usize = 65_536;

/// The credentials of a connected client, as they were at `connect()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub uid: u32,
    pub gid: u32,
    /// For log messages only: never used to decide anything.
    pub pid: Option<i32>,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

impl Peer {
    /// The pid for log lines: the number, or `?` when the kernel gave none.
    pub fn pid_text(&self) -> String {
        self.pid.map_or_else(|| "?".to_string(), |p| p.to_string())
    }

    /// Reads the credentials of the peer of `socket` (`SO_PEERCRED` and
    /// `SO_PEERGROUPS`).
    pub fn of(socket: &impl AsRawFd) -> std::io::Result<Peer> {
        let fd = socket.as_raw_fd();
        let mut cred = libc::ucred {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        // SAFETY: `cred` is a valid, writable ucred and `len` its size.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                (&raw mut cred).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Peer {
            uid: cred.uid,
            gid: cred.gid,
            pid: (cred.pid > 0).then_some(cred.pid),
            groups: peer_groups(fd)?,
        })
    }
}

/// The supplementary groups of the peer of `fd` (`SO_PEERGROUPS`): the
/// kernel answers `ERANGE` with the size it needs when the buffer is short.
fn peer_groups(fd: libc::c_int) -> std::io::Result<Vec<u32>> {
    let mut groups: Vec<libc::gid_t> = vec![0; 64];
    loop {
        let mut len = (groups.len() * std::mem::size_of::<libc::gid_t>()) as libc::socklen_t;
        // SAFETY: `groups` is writable for `len` bytes.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                SO_PEERGROUPS,
                groups.as_mut_ptr().cast(),
                &mut len,
            )
        };
        let n = len as usize / std::mem::size_of::<libc::gid_t>();
        if rc == 0 {
            groups.truncate(n.min(groups.len()));
            return Ok(groups);
        }
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::ERANGE) && n > groups.len() && n <= NGROUPS_MAX {
            groups.resize(n, 0);
            continue;
        }
        return Err(e);
    }
}

/// The admin policy, resolved once at start-up.
#[derive(Debug, Clone)]
pub struct Policy {
    daemon_uid: u32,
    group: Option<(String, u32)>,
}

impl Policy {
    /// Resolves the admin group by name. An unknown group is an error
    /// (a typo must not silently lock every admin out).
    pub fn new(admin_group: Option<&str>) -> Result<Self, String> {
        // SAFETY: getuid never fails.
        let daemon_uid = unsafe { libc::getuid() };
        let group = match admin_group {
            None => None,
            Some(name) => Some((name.to_string(), group_gid(name)?)),
        };
        Ok(Self { daemon_uid, group })
    }

    /// What a denied caller is told it needs.
    pub fn privilege(&self) -> String {
        match &self.group {
            Some((name, _)) => format!("root or membership of group {name}"),
            None => "root".to_string(),
        }
    }

    pub fn is_admin(&self, peer: &Peer) -> bool {
        if peer.uid == 0 || peer.uid == self.daemon_uid {
            return true;
        }
        let Some((_, gid)) = &self.group else {
            return false;
        };
        peer.gid == *gid || peer.groups.contains(gid)
    }
}

/// Looks a group up by name with `getgrnam_r`.
pub fn group_gid(name: &str) -> Result<u32, String> {
    let cname =
        CString::new(name).map_err(|_| format!("admin group {name:?} contains a NUL byte"))?;
    let mut buf = vec![0 as libc::c_char; 4096];
    loop {
        // SAFETY: all pointers are valid for the duration of the call and
        // the buffer length is the one passed.
        let mut grp: libc::group = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::group = std::ptr::null_mut();
        let rc = unsafe {
            libc::getgrnam_r(
                cname.as_ptr(),
                &mut grp,
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 {
            return Err(format!(
                "looking up admin group {name:?}: {}",
                std::io::Error::from_raw_os_error(rc)
            ));
        }
        if result.is_null() {
            return Err(format!(
                "admin group {name:?} does not exist; create it (groupadd {name}) or change api.admin_group"
            ));
        }
        return Ok(grp.gr_gid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rules() {
        assert_eq!(group_gid("root"), Ok(0));
        let e = group_gid("no-such-group-nipart").unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
        let p = Policy::new(Some("root")).unwrap();
        let me = unsafe { libc::getuid() };
        let other = if me == 65534 { 65533 } else { 65534 };
        assert!(p.is_admin(&Peer {
            uid: 0,
            gid: 1,
            pid: None,
            groups: vec![],
        }));
        assert!(p.is_admin(&Peer {
            uid: other,
            gid: 0,
            pid: None,
            groups: vec![],
        }));
        assert!(!p.is_admin(&Peer {
            uid: other,
            gid: 65534,
            pid: None,
            groups: vec![],
        }));
        // A supplementary member of the group, as SO_PEERGROUPS reports it.
        assert!(p.is_admin(&Peer {
            uid: other,
            gid: 65534,
            pid: None,
            groups: vec![65534, 0],
        }));
        let none = Policy::new(None).unwrap();
        assert!(!none.is_admin(&Peer {
            uid: other,
            gid: 0,
            pid: None,
            groups: vec![],
        }));
        assert_eq!(none.privilege(), "root");
        assert_eq!(p.privilege(), "root or membership of group root");
    }

    #[test]
    fn credentials_of_a_socket_peer_are_our_own() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let peer = Peer::of(&a).unwrap();
        // SAFETY: plain getters; getgroups with a buffer of the size it reports.
        let (uid, gid, mut mine) = unsafe {
            let n = libc::getgroups(0, std::ptr::null_mut());
            let mut g = vec![0; n as usize];
            libc::getgroups(n, g.as_mut_ptr());
            (libc::getuid(), libc::getgid(), g)
        };
        assert_eq!((peer.uid, peer.gid), (uid, gid));
        assert_eq!(peer.pid, Some(std::process::id() as i32));
        let mut got = peer.groups.clone();
        got.sort_unstable();
        mine.sort_unstable();
        assert_eq!(got, mine);
    }
}
