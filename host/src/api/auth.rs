//! Who is calling, from `SO_PEERCRED`, and whether they may change things.
//!
//! Admins are root, the daemon's own uid (a development run as a normal
//! user), and members of the configured admin group, primary or
//! supplementary. Supplementary groups are read from `/proc/PID/status`
//! (`Groups:`) of the peer when it first calls a mutating method.

use std::ffi::CString;

/// The credentials of a connected client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    pub uid: u32,
    pub gid: u32,
    pub pid: Option<i32>,
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
        if peer.gid == *gid {
            return true;
        }
        peer.pid
            .and_then(supplementary_groups)
            .is_some_and(|groups| groups.contains(gid))
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

/// The supplementary groups of process `pid`, from `/proc/PID/status`.
pub fn supplementary_groups(pid: i32) -> Option<Vec<u32>> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_groups(&status)
}

fn parse_groups(status: &str) -> Option<Vec<u32>> {
    let line = status.lines().find_map(|l| l.strip_prefix("Groups:"))?;
    Some(
        line.split_whitespace()
            .filter_map(|g| g.parse().ok())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_line_parses() {
        let s = "Name:\tx\nUid:\t1\t1\t1\t1\nGroups:\t4 24 100 \nNgid:\t0\n";
        assert_eq!(parse_groups(s), Some(vec![4, 24, 100]));
        assert_eq!(parse_groups("Groups:\n"), Some(vec![]));
        assert_eq!(parse_groups("Name: x\n"), None);
    }

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
            pid: None
        }));
        assert!(p.is_admin(&Peer {
            uid: other,
            gid: 0,
            pid: None
        }));
        assert!(!p.is_admin(&Peer {
            uid: other,
            gid: 65534,
            pid: None
        }));
        let none = Policy::new(None).unwrap();
        assert!(!none.is_admin(&Peer {
            uid: other,
            gid: 0,
            pid: None
        }));
        assert_eq!(none.privilege(), "root");
        assert_eq!(p.privilege(), "root or membership of group root");
    }
}
