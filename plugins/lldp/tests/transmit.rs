//! Our own announcements (`lldp.transmit: true`) as the real lldpd sees
//! them (`lldpcli show neighbors -f json`), every field compared; the
//! shutdown LLDPDU when transmit is turned off and when the daemon stops.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

/// lldpd's view of its only neighbour on `sw0`, if any.
fn seen(l: &Lldpd) -> Option<Value> {
    let v = l.neighbors();
    let iface = &v["lldp"]["interface"];
    // lldpcli prints one interface as an object, several as a list.
    let entry = match iface {
        Value::Array(a) => a.iter().find_map(|i| i.get(PEER_IF)).cloned(),
        Value::Object(o) => o.get(PEER_IF).cloned(),
        _ => None,
    }?;
    Some(entry)
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

/// What we send as chassis ID: the machine ID, else our MAC address.
fn chassis(bed: &Bed) -> (String, String) {
    let id = std::fs::read_to_string("/etc/machine-id").unwrap_or_default();
    let id = id.trim();
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        ("local".into(), id.to_string())
    } else {
        let mac = bed.host.link(HOST_IF).unwrap()["address"]
            .as_str()
            .unwrap()
            .to_string();
        ("mac".into(), mac)
    }
}

#[test]
fn lldpd_sees_our_announcements_and_our_shutdown() {
    let bed = Bed::new();
    let lldpd = Lldpd::start(
        &bed.peer,
        PEER_IF,
        bed.dir.path(),
        "lldpd",
        &["configure lldp tx-interval 1"],
    );
    let mut d = daemon(&bed, "tx_interval_ms = 1000\ntx_hold = 100\n");
    apply_ok(
        &d,
        &bed,
        &format!(
            "interfaces:\n  - name: {HOST_IF}\n    ipv4:\n      address:\n        - ip: 192.0.2.2\n          prefix-length: 24\n    lldp:\n      enabled: true\n      transmit: true\n"
        ),
    );
    let entry = wait_for(PATIENCE, "lldpd to see us", || seen(&lldpd));
    let ifindex = bed.host.link(HOST_IF).unwrap()["ifindex"].as_u64().unwrap();
    assert_eq!(entry["via"], "LLDP", "{entry:#}");
    let chassis_map = entry["chassis"].as_object().expect("a chassis");
    let (name, c) = chassis_map.iter().next().expect("one chassis");
    assert_eq!(*name, host_name(), "{entry:#}");
    let (kind, id) = chassis(&bed);
    assert_eq!(c["id"]["type"], kind.as_str(), "{entry:#}");
    assert_eq!(c["id"]["value"], id.as_str(), "{entry:#}");
    let descr = c["descr"].as_str().unwrap_or_default();
    assert!(descr.starts_with("nipart 0.1.0 on Linux "), "{entry:#}");
    assert_eq!(c["mgmt-ip"], "192.0.2.2", "{entry:#}");
    assert_eq!(c["mgmt-iface"], ifindex.to_string(), "{entry:#}");
    let caps = c["capability"].clone();
    let station = match &caps {
        Value::Array(a) => a.iter().find(|x| x["type"] == "Station").cloned(),
        other => Some(other.clone()),
    }
    .expect("the station capability");
    assert_eq!(station["type"], "Station", "{entry:#}");
    assert_eq!(station["enabled"], true, "{entry:#}");
    let port = &entry["port"];
    assert_eq!(port["id"]["type"], "ifname", "{entry:#}");
    assert_eq!(port["id"]["value"], HOST_IF, "{entry:#}");
    assert_eq!(port["descr"], HOST_IF, "{entry:#}");
    assert_eq!(port["ttl"], "100", "{entry:#}");
    let shown = show(&d, HOST_IF);
    assert_eq!(shown["lldp"]["transmit"], true, "{shown:#}");

    // transmit: false sends the shutdown LLDPDU: lldpd forgets us long
    // before our TTL (100 s) would run out.
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {HOST_IF}\n    lldp:\n      transmit: false\n"),
    );
    wait_for(PATIENCE, "lldpd to forget us", || {
        seen(&lldpd).is_none().then_some(())
    });
    assert_eq!(show(&d, HOST_IF)["lldp"]["enabled"], true);

    // Again, then the daemon stops: the shutdown LLDPDU once more.
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {HOST_IF}\n    lldp:\n      transmit: true\n"),
    );
    wait_for(PATIENCE, "lldpd to see us again", || seen(&lldpd));
    let (status, log) = d.terminate(Duration::from_secs(30));
    assert!(status.success(), "{log}");
    assert!(log.contains("lldp0: sent the shutdown LLDPDU"), "{log}");
    wait_for(PATIENCE, "lldpd to forget us at our stop", || {
        seen(&lldpd).is_none().then_some(())
    });
}

/// A MAC-VLAN on our end of the veth: setting it down or removing it
/// leaves lldpd's port up, so only our shutdown LLDPDU can make lldpd
/// forget us before our TTL (100 s).
const MACVLAN: &str = "lldpm0";

/// lldpd's neighbour, if it is us announcing on [`MACVLAN`].
fn seen_on_macvlan(l: &Lldpd) -> Option<Value> {
    seen(l).filter(|e| e["port"]["id"]["value"] == MACVLAN)
}

#[test]
fn lldpd_forgets_us_at_once_when_an_apply_sets_the_interface_down_or_absent() {
    let bed = Bed::new();
    let lldpd = Lldpd::start(
        &bed.peer,
        PEER_IF,
        bed.dir.path(),
        "lldpd",
        &["configure lldp tx-interval 1"],
    );
    let mut d = daemon(&bed, "tx_interval_ms = 1000\ntx_hold = 100\n");
    let create = format!(
        "interfaces:\n  - name: {MACVLAN}\n    type: mac-vlan\n    mac-vlan:\n      base-iface: {HOST_IF}\n      mode: bridge\n    lldp:\n      enabled: true\n      transmit: true\n"
    );
    apply_ok(&d, &bed, &create);
    let entry = wait_for(PATIENCE, "lldpd to see us", || seen_on_macvlan(&lldpd));
    assert_eq!(entry["port"]["ttl"], "100", "{entry:#}");

    // state: down: the shutdown LLDPDU goes out before the link goes down.
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {MACVLAN}\n    state: down\n"),
    );
    wait_for(PATIENCE, "lldpd to forget us when we go down", || {
        seen(&lldpd).is_none().then_some(())
    });
    let log = d.log();
    assert!(
        log.contains(&format!("{MACVLAN}: sent the shutdown LLDPDU")),
        "{log}"
    );
    // Still announcing (held only while the apply ran): up again, heard
    // again.
    assert_eq!(show(&d, MACVLAN)["lldp"]["transmit"], true);
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {MACVLAN}\n    state: up\n"),
    );
    wait_for(PATIENCE, "lldpd to see us up again", || {
        seen_on_macvlan(&lldpd)
    });

    // state: absent: the agent stops, with its shutdown LLDPDU, before the
    // interface is deleted.
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {MACVLAN}\n    state: absent\n"),
    );
    wait_for(PATIENCE, "lldpd to forget us when we are removed", || {
        seen(&lldpd).is_none().then_some(())
    });
    assert!(bed.host.link(MACVLAN).is_none());

    // Deleted by another tool: no frame can go out any more, but the
    // agent stops cleanly and `Show` no longer lists it.
    apply_ok(&d, &bed, &create);
    wait_for(PATIENCE, "lldpd to see us once more", || {
        seen_on_macvlan(&lldpd)
    });
    bed.host.ip(&format!("link del {MACVLAN}"));
    wait_for(PATIENCE, "the agent to stop", || {
        d.log()
            .contains(&format!("{MACVLAN}: the interface is gone; LLDP stopped"))
            .then_some(())
    });
    let (status, log) = d.terminate(Duration::from_secs(30));
    assert!(status.success(), "{log}");
}
