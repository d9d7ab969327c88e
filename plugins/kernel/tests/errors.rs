//! The kernel plugin's errors keep their kind across the bus: the real
//! `.so`, loaded by an in-process daemon in a network namespace of its own,
//! asked by a bus client. (Root: creates a namespace.)
//!
//! One test in this file: it installs the process's log subscriber.

use std::{
    fs,
    io::Write,
    os::unix::fs::PermissionsExt,
    sync::{Arc, Mutex},
};

use nipart_plugin_api::{
    Address, Error, ErrorKind, EventState,
    state::{
        ApplyPart, DynamicAddress, Interface, InterfaceType, IpChange, IpRoute, NetworkState,
        QueryRequest, dhcp_topics, topics,
    },
};
use nipart_testkit::{BusClient, Netns, Sandbox, build_in_workspace};
use nipartd::Lifecycle;
use serde_json::Value;

/// The daemon's log (plugins' records included), kept in memory.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    /// Installs a process-wide subscriber writing every record, debug
    /// included, here.
    fn install() -> Log {
        let log = Log::default();
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        log
    }

    fn lines_with(&self, text: &str) -> Vec<String> {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|l| l.contains(text))
            .map(str::to_string)
            .collect()
    }
}

/// Sends each of `requests` (topic, payload) to the `kernel` role of a
/// daemon that loads only the kernel plugin, inside a fresh namespace;
/// returns the error of each reply (each must be one).
fn errors_of(requests: Vec<(&'static str, Value)>) -> Vec<Error> {
    let profile_dir = build_in_workspace(&["-p", "nipart-plugin-kernel", "--lib"]);
    let sb = Sandbox::new();
    let so = sb.plugin_dir().join("libnipart_plugin_kernel.so");
    fs::copy(profile_dir.join("libnipart_plugin_kernel.so"), &so).expect("copying the plugin");
    fs::set_permissions(&so, fs::Permissions::from_mode(0o755)).expect("chmod the plugin");
    let config = sb.config("log_level = \"debug\"");
    let ns = Netns::new();
    ns.run_inside(move || {
        // The plugin's thread starts here, so in the namespace.
        let lc = Lifecycle::start(config).expect("starting the daemon");
        let client = BusClient::join(lc.bus(), 1);
        let errors = requests
            .into_iter()
            .map(|(topic, payload)| {
                let reply = client.request(topic, Address::role("kernel"), &payload);
                assert_eq!(reply.state, EventState::Cancelled, "{topic}: {reply:?}");
                reply.json::<Error>().expect("an error in the reply")
            })
            .collect();
        lc.shutdown();
        errors
    })
}

fn json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).expect("serializable")
}

#[test]
fn errors_keep_their_kind() {
    let log = Log::install();
    let query_missing = QueryRequest {
        interface: Some("nope0".into()),
    };
    let create_ethernet = ApplyPart {
        state: NetworkState {
            interfaces: vec![Interface {
                name: "eth7".into(),
                iface_type: Some(InterfaceType::Ethernet),
                ..Default::default()
            }],
            ..Default::default()
        },
        checkpoint: "test".into(),
        rollback: false,
    };
    // nispor refuses a route through a missing interface with its
    // `InvalidArgument`.
    let route_through_missing = IpChange {
        interface: "nope0".into(),
        add_routes: vec![IpRoute {
            destination: "198.51.100.0/24".into(),
            gateway: None,
            metric: None,
            table: None,
        }],
        ..Default::default()
    };
    let remove_on_missing = IpChange {
        interface: "nope0".into(),
        remove_addresses: vec![DynamicAddress {
            ip: "192.0.2.10".parse().expect("an address"),
            prefix_length: 24,
            valid_lifetime: None,
            preferred_lifetime: None,
        }],
        ..Default::default()
    };
    let errors = errors_of(vec![
        (topics::QUERY, json(query_missing)),
        (topics::APPLY_PART, json(create_ethernet)),
        (dhcp_topics::IP_CHANGE, json(route_through_missing)),
        (dhcp_topics::IP_CHANGE, json(remove_on_missing)),
    ]);
    let kinds: Vec<ErrorKind> = errors.iter().map(Error::kind).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::NotFound,
            ErrorKind::InvalidInput,
            ErrorKind::InvalidInput,
            ErrorKind::NotFound,
        ],
        "{errors:?}"
    );
    assert_eq!(errors[0].message(), "no interface named \"nope0\"");
    assert!(
        errors[1].message().contains("eth7") && errors[1].message().contains("ethernet"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].message().starts_with("applying routes: ")
            && errors[2].message().contains("nope0"),
        "{}",
        errors[2]
    );
    assert!(errors[3].message().contains("nope0"), "{}", errors[3]);

    // A query of a missing interface is expected (`nipc show NAME`): the
    // plugin logs it once, at debug, not as a failure.
    let logged = log.lines_with("no interface named \"nope0\"");
    assert_eq!(logged.len(), 1, "{logged:#?}");
    assert!(logged[0].contains("DEBUG"), "{logged:#?}");
}
