//! Fleet test bed: a bridge namespace joining a NATS cluster of three
//! (`nats-server` with routes, each in its own namespace), N hosts each
//! running the real `nipartd` (kernel, state, commander and fleet plugins)
//! in its own namespace, and a client namespace where `nipc fleet` runs.
//! Everything (namespaces, servers, daemons, files) goes on drop, also
//! when a test fails.
//!
//! Addresses: 10.77.0.1-3 the servers, 10.77.0.(10+i) host i, 10.77.0.100
//! the client. Users: `host`/`hostpw` (every subject), `admin`/`adminpw`
//! (every subject), `monitor`/`monitorpw` (read subjects, heartbeats and
//! events only).

#![allow(dead_code)] // each test file uses a part of it

// Not in the benchmark that shares this bed (it has no `nkeys`, `base64`).
#[cfg(test)]
pub mod jwt;

use std::{
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    thread,
    time::{Duration, Instant},
};

pub use nipart_testkit::Netns;
use nipart_testkit::{DaemonBuilder, DaemonProcess};

pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn wait_for<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let give_up = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < give_up, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(100));
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub use nipart_testkit::nipc_binary;

pub fn server_ip(i: usize) -> String {
    format!("10.77.0.{}", i + 1)
}

/// TLS material the test makes with openssl: a CA and a server
/// certificate for every server address.
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Tls {
    pub fn make(dir: &Path) -> Tls {
        let openssl = nipart_testkit::require("openssl");
        let run = |args: &[&str]| {
            let out = Command::new(&openssl)
                .args(args)
                .current_dir(dir)
                .output()
                .expect("openssl");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                text(&out.stderr)
            );
        };
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=nipart fleet test CA",
        ]);
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=nats",
        ]);
        let sans: Vec<String> = (0..3).map(|i| format!("IP:{}", server_ip(i))).collect();
        std::fs::write(
            dir.join("ext.cnf"),
            format!("subjectAltName={}\n", sans.join(",")),
        )
        .expect("ext.cnf");
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]);
        Tls {
            ca: dir.join("ca.pem"),
            cert: dir.join("server.pem"),
            key: dir.join("server.key"),
        }
    }
}

/// A `nats-server` in a namespace, killed on drop.
pub struct NatsServer {
    child: Option<Child>,
    pub ns: Netns,
    config: PathBuf,
    log: PathBuf,
    pub index: usize,
}

impl NatsServer {
    fn start(&mut self) {
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns.name])
            .arg(nipart_testkit::require("nats-server"))
            .arg("-c")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&self.log).expect("the server's log"))
            .process_group(0)
            .spawn()
            .expect("starting nats-server");
        self.child = Some(child);
        let ip = server_ip(self.index);
        wait_for(PATIENCE, "nats-server to listen", || {
            let out = Command::new("ip")
                .args(["netns", "exec", &self.ns.name, "ss", "-ltn"])
                .output()
                .ok()?;
            text(&out.stdout)
                .contains(&format!("{ip}:4222"))
                .then_some(())
        });
    }

    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Dropped in this order: daemons, servers, namespaces, files.
pub struct Bed {
    pub hosts: Vec<Host>,
    pub servers: Vec<NatsServer>,
    pub client: Netns,
    pub bridge: Netns,
    pub tls: Option<Tls>,
    /// How `fleet` (and `hosts_seen`) log in: user `admin` unless set.
    pub admin_login: Vec<String>,
    /// The hosts' `heartbeat_interval_ms` (300 unless set before hosts
    /// are added: quick to hear in tests).
    pub heartbeat_ms: u64,
    ports: usize,
    pub dir: tempfile::TempDir,
}

pub struct Host {
    pub name: String,
    /// The daemon first: it goes before its namespace.
    pub daemon: DaemonProcess,
    pub ns: Netns,
    /// Its port on the bridge.
    pub port: String,
}

/// Who may do what: the same for every server (`{}`: more users).
const AUTHORIZATION: &str = r#"
authorization {
  users = [
    {}
    { user: host, password: hostpw }
    { user: admin, password: adminpw }
    { user: monitor, password: monitorpw, permissions: {
        publish: ["nipart.*.read.>", "nipart.group.*.read.>"]
        subscribe: ["nipart.*.heartbeat", "nipart.*.event.>", "_INBOX.>"]
    } }
  ]
}
"#;

impl Bed {
    /// The bridge, the client and a cluster of three servers (TLS with a
    /// CA of the test's when `tls`).
    pub fn new(tls: bool) -> Bed {
        Bed::with_users(tls, "")
    }

    /// As [`Bed::new`], the servers knowing `users` too (entries of
    /// `authorization.users`).
    pub fn with_users(tls: bool, users: &str) -> Bed {
        Bed::with_server_auth(tls, &AUTHORIZATION.replacen("{}", users, 1))
    }

    /// As [`Bed::new`], the servers' authentication being `auth` (an
    /// `authorization` block, or operator mode's lines).
    pub fn with_server_auth(tls: bool, auth: &str) -> Bed {
        nipart_testkit::require_all(&["nats-server", "ip", "ss"]);
        let dir = tempfile::Builder::new()
            .prefix("nipart-fleet-test-")
            .tempdir()
            .expect("a temporary directory");
        let bridge = Netns::new();
        bridge.ip("link add br0 type bridge");
        bridge.ip("link set br0 up");
        let client = Netns::new();
        let tls = tls.then(|| Tls::make(dir.path()));
        let mut bed = Bed {
            hosts: Vec::new(),
            servers: Vec::new(),
            client,
            bridge,
            tls,
            admin_login: ["--user", "admin", "--password", "adminpw"]
                .map(String::from)
                .to_vec(),
            heartbeat_ms: 300,
            ports: 0,
            dir,
        };
        let client_ns = bed.client.name.clone();
        bed.plug(&client_ns, "10.77.0.100");
        for i in 0..3 {
            let ns = Netns::new();
            let ns_name = ns.name.clone();
            bed.plug(&ns_name, &server_ip(i));
            let routes: Vec<String> = (0..3)
                .filter(|j| *j != i)
                .map(|j| format!("nats-route://{}:6222", server_ip(j)))
                .collect();
            let tls_block = match &bed.tls {
                Some(t) => format!(
                    "tls {{ cert_file: {:?}, key_file: {:?}, ca_file: {:?} }}\n",
                    t.cert, t.key, t.ca
                ),
                None => String::new(),
            };
            let config = bed.dir.path().join(format!("nats{i}.conf"));
            std::fs::write(
                &config,
                format!(
                    "server_name: n{i}\nlisten: {ip}:4222\n{tls_block}\
                     cluster {{ name: fleet, listen: {ip}:6222, routes: [{routes}] }}\n{auth}",
                    ip = server_ip(i),
                    routes = routes.join(", "),
                    auth = auth,
                ),
            )
            .expect("a server configuration");
            let log = bed.dir.path().join(format!("nats{i}.log"));
            let mut s = NatsServer {
                child: None,
                ns,
                config,
                log,
                index: i,
            };
            s.start();
            bed.servers.push(s);
        }
        bed
    }

    /// A veth from the bridge to `ns`, whose end (`eth0`) gets `ip`/24.
    fn plug(&mut self, ns: &str, ip: &str) -> String {
        self.ports += 1;
        let port = format!("p{}", self.ports);
        self.bridge.ip(&format!(
            "link add {port} type veth peer name eth0 netns {ns}"
        ));
        self.bridge.ip(&format!("link set {port} master br0 up"));
        let run = |args: &str| {
            nipart_testkit::run(Command::new("ip").args(["-n", ns]).args(args.split(' ')));
        };
        run(&format!("addr add {ip}/24 dev eth0"));
        run("link set eth0 up");
        run("link set lo up");
        port
    }

    pub fn urls(&self) -> Vec<String> {
        let scheme = if self.tls.is_some() { "tls" } else { "nats" };
        (0..3)
            .map(|i| format!("{scheme}://{}:4222", server_ip(i)))
            .collect()
    }

    /// The `[plugin.fleet]` section of host `name` (`extra` lines added).
    pub fn fleet_section(&self, name: &str, groups: &[&str], extra: &str) -> String {
        let servers: Vec<String> = self.urls().iter().map(|u| format!("{u:?}")).collect();
        let groups: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
        let tls = match &self.tls {
            Some(t) => format!("tls_ca = {:?}\n", t.ca),
            None => String::new(),
        };
        format!(
            "[plugin.fleet]\nservers = [{}]\nhost = {name:?}\ngroups = [{}]\nheartbeat_interval_ms = {}\n{tls}{extra}\n",
            servers.join(", "),
            groups.join(", "),
            self.heartbeat_ms
        )
    }

    /// Host `name` in group(s) `groups`, serving admin subjects as user
    /// `host` (`auth` replaces that).
    pub fn add_host(&mut self, name: &str, groups: &[&str], auth: Option<&str>) -> &Host {
        self.add_hosts(&[name], groups, auth);
        self.hosts.last().expect("just pushed")
    }

    /// Hosts `names`, each in `groups`, as [`Bed::add_host`]; their
    /// daemons start side by side (each waited for until ready).
    pub fn add_hosts(&mut self, names: &[&str], groups: &[&str], auth: Option<&str>) {
        let auth = auth.unwrap_or(
            r#"auth = { method = "user-password", user = "host", password = "hostpw" }"#,
        );
        let mut new = Vec::new();
        for name in names {
            let ns = Netns::new();
            let ns_name = ns.name.clone();
            let i = self.hosts.len() + new.len();
            let port = self.plug(&ns_name, &format!("10.77.0.{}", 10 + i));
            let section =
                self.fleet_section(name, groups, &format!("permissions = \"admin\"\n{auth}"));
            let daemon = DaemonBuilder::new()
                .workspace_plugins(&[
                    "nipart-plugin-kernel",
                    "nipart-plugin-state",
                    "nipart-plugin-commander",
                    "nipart-plugin-fleet",
                ])
                .config(&format!("log_level = \"debug\"\n{section}"))
                .require(&["kernel", "state", "commander", "fleet"])
                .netns(&ns)
                .build();
            new.push(Host {
                name: name.to_string(),
                daemon,
                ns,
                port,
            });
        }
        thread::scope(|s| {
            for h in &mut new {
                s.spawn(|| {
                    h.daemon.start();
                });
            }
        });
        self.hosts.extend(new);
    }

    /// A bed (no TLS) with hosts `h1`…`hN` (`h01`… from 10 on, so that
    /// name order is number order) in `group`, each heard.
    pub fn with_hosts(n: usize, group: &str) -> Bed {
        let mut bed = Bed::new(false);
        let names: Vec<String> = (1..=n)
            .map(|i| {
                if n >= 10 {
                    format!("h{i:02}")
                } else {
                    format!("h{i}")
                }
            })
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        bed.add_hosts(&names, &[group], None);
        bed.wait_seen(&names);
        bed
    }

    pub fn host(&self, name: &str) -> &Host {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .expect("a host of the bed")
    }

    /// `nipc fleet` in the client namespace, as `user` (password: the
    /// user's name + `pw`), with every server.
    pub fn fleet_as(&self, user: &str, args: &[&str]) -> Output {
        let args: Vec<&str> = ["--listen", "1.5"]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        self.fleet_command(user, &self.urls(), self.tls.is_some(), &args)
            .output()
            .expect("running nipc")
    }

    /// `nipc fleet` in the client namespace, as `user`, with `servers`
    /// (and the CA when `with_ca`), not run yet; `args` may begin with
    /// `fleet`'s own options (`--listen`).
    pub fn fleet_command(
        &self,
        user: &str,
        servers: &[String],
        with_ca: bool,
        args: &[&str],
    ) -> Command {
        let password = format!("{user}pw");
        let login = ["--user", user, "--password", &password];
        self.login_command(&login, servers, with_ca, args)
    }

    /// As [`Bed::fleet_command`], logging in with `login` (`nipc fleet`'s
    /// options, e.g. `--creds FILE`).
    pub fn login_command(
        &self,
        login: &[&str],
        servers: &[String],
        with_ca: bool,
        args: &[&str],
    ) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.client.name])
            .arg(nipc_binary())
            .arg("fleet");
        for u in servers {
            cmd.args(["--server", u]);
        }
        if let (Some(t), true) = (&self.tls, with_ca) {
            cmd.arg("--tls-ca").arg(&t.ca);
        }
        cmd.args(login);
        cmd.args(args);
        cmd.env_remove("NIPART_NATS");
        cmd
    }

    /// Waits until host `name`'s fleet connection is in `state`; fails
    /// with its log.
    pub fn wait_state(&self, name: &str, state: &str) {
        let give_up = Instant::now() + PATIENCE;
        loop {
            let now = self.connection_state(name);
            if now == state {
                return;
            }
            assert!(
                Instant::now() < give_up,
                "{name}'s connection is {now:?}, not {state:?}:\n{}",
                self.host(name).daemon.log()
            );
            thread::sleep(Duration::from_millis(200));
        }
    }

    /// The state of host `name`'s fleet connection (`fleet.status` over
    /// its own socket: the plugin's typed status on the bus).
    pub fn connection_state(&self, name: &str) -> String {
        let out = Command::new(nipc_binary())
            .arg("--socket")
            .arg(self.host(name).daemon.socket())
            .args(["-o", "json", "call", "fleet.status", "{}"])
            .output()
            .expect("nipc call");
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["connection"]["state"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// `nipc fleet` in the client namespace, logged in as
    /// [`Bed::admin_login`] says, with every server.
    pub fn fleet(&self, args: &[&str]) -> Output {
        let login: Vec<&str> = self.admin_login.iter().map(String::as_str).collect();
        let args: Vec<&str> = ["--listen", "1.5"]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        self.login_command(&login, &self.urls(), self.tls.is_some(), &args)
            .output()
            .expect("running nipc")
    }

    pub fn write(&self, name: &str, content: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).expect("writing a file");
        p.to_str().expect("a UTF-8 path").to_string()
    }

    /// The hosts `nipc fleet hosts` lists.
    pub fn hosts_seen(&self) -> Vec<String> {
        let out = self.fleet(&["-o", "json", "hosts"]);
        assert!(out.status.success(), "fleet hosts: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v.as_array()
            .expect("a list")
            .iter()
            .filter_map(|b| b["host"].as_str().map(String::from))
            .collect()
    }

    pub fn wait_seen(&self, names: &[&str]) {
        wait_for(PATIENCE, "every host heard", || {
            let seen = self.hosts_seen();
            names
                .iter()
                .all(|n| seen.iter().any(|s| s == n))
                .then_some(())
        });
    }

    /// Every log, for a failure's message.
    pub fn logs(&self) -> String {
        let mut s = String::new();
        for h in &self.hosts {
            s.push_str(&format!("--- {} ---\n{}\n", h.name, h.daemon.log()));
        }
        for n in &self.servers {
            s.push_str(&format!("--- nats {} ---\n{}\n", n.index, n.log_text()));
        }
        s
    }
}

/// The rows of `nipc fleet apply`'s table: (host, result).
pub fn table(out: &Output) -> Vec<(String, String)> {
    text(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut parts = l.splitn(2, "  ");
            let host = parts.next()?.trim().to_string();
            let rest = parts.next()?.trim_start();
            let result = [
                "applied",
                "rolled back",
                "refused",
                "unreachable",
                "not attempted",
                "committed",
            ]
            .into_iter()
            .find(|r| rest.starts_with(r))?;
            Some((host, result.to_string()))
        })
        .collect()
}

pub fn result_of(rows: &[(String, String)], host: &str) -> String {
    rows.iter()
        .find(|(h, _)| h == host)
        .map(|(_, r)| r.clone())
        .unwrap_or_default()
}

/// Whether `ns` has interface `name`.
pub fn has_link(ns: &Netns, name: &str) -> bool {
    ns.link(name).is_some()
}

pub const VETH_STATE: &str =
    "interfaces:\n- name: fl0\n  type: veth\n  state: up\n  veth:\n    peer: fl0p\n";
