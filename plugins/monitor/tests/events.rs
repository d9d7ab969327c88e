//! The monitor's change events, against the real kernel in network
//! namespaces the tests create (root required).

mod common;

use std::time::Duration;

use common::{Daemon, Netns, index, kernel_state, payload, sorted, summaries, veth};

fn strs(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn runs_in_the_daemons_namespace_and_sees_its_links() {
    let ns = Netns::new();
    veth(&ns, "mva", "mvb", true);
    ns.ip("addr add 10.7.0.1/24 dev mva");
    let d = Daemon::start_monitor(&ns);
    // Exactly the namespace's links (lo, mva, mvb), not the host's: the
    // plugin thread inherited the namespace of the thread that started
    // the daemon.
    let monitor = d.monitor_state();
    assert_eq!(monitor, kernel_state(&ns));
    assert_eq!(monitor.keys().collect::<Vec<_>>(), ["lo", "mva", "mvb"]);
    assert_eq!(monitor["mva"].addresses, ["10.7.0.1/24"]);
    // The starting state is no change.
    assert_eq!(summaries(&d.settle()), Vec::<String>::new());
}

#[test]
fn link_and_address_changes_produce_exactly_one_event_each() {
    let ns = Netns::new();
    let d = Daemon::start_monitor(&ns);

    veth(&ns, "mva", "mvb", false);
    let added = d.settle();
    assert_eq!(sorted(&added), strs(&["link.added mva", "link.added mvb"]));
    let p = payload(added.iter().find(|e| payload(e)["name"] == "mva").unwrap());
    assert_eq!(p["index"], index(&ns, "mva"));
    assert_eq!(
        (p["up"].as_bool(), p["carrier"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(p["kind"], "veth");

    ns.ip("link set dev mva up"); // the peer is down: no carrier yet
    assert_eq!(summaries(&d.settle()), ["link.admin-up mva"]);

    ns.ip("link set dev mvb up");
    let ev = d.settle();
    assert_eq!(
        sorted(&ev),
        strs(&[
            "link.admin-up mvb",
            "link.carrier-up mva",
            "link.carrier-up mvb"
        ])
    );
    for e in &ev {
        let p = payload(e);
        let name = p["name"].as_str().unwrap();
        assert_eq!(p["index"], index(&ns, name), "{e:?}");
        assert!(p["seq"].as_u64().unwrap() > 0);
    }

    ns.ip("link set dev mva down");
    assert_eq!(
        sorted(&d.settle()),
        strs(&[
            "link.admin-down mva",
            "link.carrier-down mva",
            "link.carrier-down mvb"
        ])
    );

    ns.ip("addr add 10.1.0.1/24 dev mva");
    let ev = d.settle();
    assert_eq!(summaries(&ev), ["address.added mva 10.1.0.1/24"]);
    let p = payload(&ev[0]);
    assert_eq!(p["index"], index(&ns, "mva"));
    assert_eq!(p["family"], "ipv4");

    ns.ip("addr add 2001:db8::1/64 dev mvb nodad");
    let ev = d.settle();
    assert_eq!(summaries(&ev), ["address.added mvb 2001:db8::1/64"]);
    assert_eq!(payload(&ev[0])["family"], "ipv6");

    ns.ip("addr del 10.1.0.1/24 dev mva");
    assert_eq!(summaries(&d.settle()), ["address.removed mva 10.1.0.1/24"]);
    ns.ip("addr del 2001:db8::1/64 dev mvb");
    assert_eq!(
        summaries(&d.settle()),
        ["address.removed mvb 2001:db8::1/64"]
    );

    ns.ip("addr add 10.1.0.2/24 dev mva");
    assert_eq!(summaries(&d.settle()), ["address.added mva 10.1.0.2/24"]);
    ns.ip("link set dev mva name mvx");
    let ev = d.settle();
    assert_eq!(summaries(&ev), ["link.renamed mvx"]);
    assert_eq!(payload(&ev[0])["old_name"], "mva");

    // Deleting one end removes both, and the address with its link. The
    // kernel closes a link before it unregisters it: mvb, still up, is
    // first reported down.
    ns.ip("link del dev mvx");
    let ev = d.settle();
    assert_eq!(
        sorted(&ev),
        strs(&[
            "address.removed mvx 10.1.0.2/24",
            "link.admin-down mvb",
            "link.removed mvb",
            "link.removed mvx"
        ])
    );
    assert_eq!(d.monitor_state(), kernel_state(&ns));
}

#[test]
fn no_event_when_nothing_changed() {
    let ns = Netns::new();
    veth(&ns, "mva", "mvb", true);
    veth(&ns, "mfa", "mfb", true);
    ns.ip("addr add 10.2.0.1/24 dev mva");
    let d = Daemon::start_monitor(&ns);

    // Each of these is a no-op for the monitor; several make the kernel
    // send a notification all the same.
    ns.ip("link set dev mva up");
    ns.ip("link set dev mva alias something");
    ns.ip("link set dev mva promisc on");
    ns.ip("addr change 10.2.0.1/24 dev mva valid_lft 3000 preferred_lft 2000");
    // A fence: notifications are read in order, so once the fence's
    // events arrive, the no-ops above have been processed, and the first
    // events must be the fence's own.
    ns.ip("link set dev mfa down");
    assert_eq!(
        sorted(&d.settle()),
        strs(&[
            "link.admin-down mfa",
            "link.carrier-down mfa",
            "link.carrier-down mfb"
        ])
    );
    assert_eq!(d.monitor_state(), kernel_state(&ns));

    // An MTU change is a change (by nipart or another tool): one event
    // with the MTU before and after; setting the same MTU again is none.
    ns.ip("link set dev mva mtu 1400");
    ns.ip("link set dev mva mtu 1400");
    let ev = d.settle();
    assert_eq!(summaries(&ev), ["link.mtu-changed mva"]);
    assert_eq!(payload(&ev[0])["mtu"], 1400);
    assert_eq!(payload(&ev[0])["old_mtu"], 1500);
}

/// Admin events of `name` as a string of `+`/`-` in order.
fn admin_trace(events: &[nipart_plugin_api::Event], name: &str, up: &str, down: &str) -> String {
    events
        .iter()
        .filter(|e| payload(e)["name"] == name)
        .filter_map(|e| match e.topic.as_str() {
            t if t == up => Some('+'),
            t if t == down => Some('-'),
            _ => None,
        })
        .collect()
}

fn alternates(trace: &str, first: char) -> bool {
    trace
        .chars()
        .enumerate()
        .all(|(i, c)| (c == first) == (i % 2 == 0))
}

#[test]
fn thousand_rapid_flaps_end_in_order_and_in_the_kernel_state() {
    let ns = Netns::new();
    veth(&ns, "mva", "mvb", true);
    let d = Daemon::start_monitor(&ns);

    let script: String = (0..1000)
        .map(|_| "link set dev mva down\nlink set dev mva up\n")
        .collect();
    ns.ip_batch(&script);
    let events = d.events_until_quiet(Duration::from_millis(500), Duration::from_secs(60));
    let resyncs = events
        .iter()
        .filter(|e| e.topic == "monitor.resync")
        .count();

    // In order: sequence numbers strictly increase.
    let seqs: Vec<u64> = events
        .iter()
        .map(|e| payload(e)["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "out of order");

    let admin = admin_trace(&events, "mva", "link.admin-up", "link.admin-down");
    let carrier_a = admin_trace(&events, "mva", "link.carrier-up", "link.carrier-down");
    let carrier_b = admin_trace(&events, "mvb", "link.carrier-up", "link.carrier-down");
    for (what, t) in [
        ("admin mva", &admin),
        ("carrier mva", &carrier_a),
        ("carrier mvb", &carrier_b),
    ] {
        assert!(alternates(t, '-'), "{what}: {t}");
        assert!(t.ends_with('+'), "{what} does not end up: {t}");
    }
    if resyncs == 0 {
        // Nothing lost: every transition of mva was seen. (mvb's carrier
        // comes through the kernel's linkwatch, which may coalesce flaps.)
        assert_eq!(admin.len(), 2000);
        assert_eq!(carrier_a.len(), 2000);
    }
    eprintln!(
        "{} events, {} resyncs; mva admin {} transitions, carrier mva {}, mvb {}",
        events.len(),
        resyncs,
        admin.len(),
        carrier_a.len(),
        carrier_b.len()
    );
    let kernel = kernel_state(&ns);
    assert!(kernel["mva"].up && kernel["mva"].carrier && kernel["mvb"].carrier);
    assert_eq!(d.monitor_state(), kernel);
}

#[test]
fn overrun_rereads_the_state_and_misses_nothing() {
    let ns = Netns::new();
    veth(&ns, "mva", "mvb", true);
    veth(&ns, "mvc", "mvd", true);
    // The smallest receive buffer the kernel allows: a burst overruns it.
    let d = Daemon::start(
        &ns,
        &[&common::artifacts().monitor],
        "[plugin.monitor]\nreceive_buffer_bytes = 1\n",
    );
    let mut script: String = (0..300)
        .map(|_| "link set dev mva down\nlink set dev mva up\n")
        .collect();
    // The last changes of the burst are the ones most likely dropped.
    script.push_str("address add 10.3.0.1/24 dev mvc\n");
    script.push_str("link set dev mvd down\n");
    script.push_str("link add name mve type veth peer name mvf\n");
    ns.ip_batch(&script);
    let events = d.events_until_quiet(Duration::from_millis(500), Duration::from_secs(60));

    let resyncs: Vec<_> = events
        .iter()
        .filter(|e| e.topic == "monitor.resync")
        .collect();
    assert!(
        !resyncs.is_empty(),
        "the burst did not overrun a {}-byte buffer",
        1
    );
    assert_eq!(payload(resyncs[0])["reason"], "overrun");
    let all = summaries(&events);
    let count = |s: &str| all.iter().filter(|x| *x == s).count();
    assert_eq!(count("address.added mvc 10.3.0.1/24"), 1, "{all:?}");
    assert_eq!(count("link.admin-down mvd"), 1, "{all:?}");
    assert_eq!(count("link.added mve"), 1, "{all:?}");
    assert_eq!(count("link.added mvf"), 1, "{all:?}");
    let admin = admin_trace(&events, "mva", "link.admin-up", "link.admin-down");
    assert!(alternates(&admin, '-') && admin.ends_with('+'), "{admin}");
    eprintln!(
        "{} events, {} resyncs, {} of 600 mva transitions seen",
        events.len(),
        resyncs.len(),
        admin.len()
    );
    assert_eq!(d.monitor_state(), kernel_state(&ns));
}

#[test]
fn a_bad_configuration_fails_init_with_the_reason() {
    let ns = Netns::new();
    let so = &common::artifacts().monitor;
    for (toml, expected) in [
        (
            "[plugin.monitor]\nreceive_buffer_bytes = 0\n",
            "[plugin.monitor] receive_buffer_bytes: 0 is out of range 1..=1073741824",
        ),
        (
            "[plugin.monitor]\nreceive_buffer = 4096\n",
            "unknown field `receive_buffer`, expected `receive_buffer_bytes` or `max_rules`",
        ),
    ] {
        let e = Daemon::try_start(&ns, &[so], toml).err().unwrap();
        assert!(
            e.starts_with("required plugin \"monitor\" failed: Init failed:")
                && e.contains(expected),
            "{e}"
        );
    }
}
