//! Receiving LLDP from a real lldpd: the neighbour in `nipc show` with
//! exactly the values lldpd was given, its notices on `nipc monitor`, TTL
//! expiry, the shutdown LLDPDU, a changed system name, two neighbours on a
//! bridge, and turning LLDP off.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

/// lldpd's settings for the full comparison; the custom TLVs carry the
/// IEEE 802.1 VLAN TLVs and the maximum frame size (this kernel has no
/// 802.1Q module for lldpd to find VLAN interfaces) and an unknown
/// organisational TLV.
const FULL_CONFIG: &[&str] = &[
    "configure lldp tx-interval 1",
    "configure system hostname sw-test",
    "configure system description \"Test switch 1.0\"",
    "configure system ip management pattern 192.0.2.1,2001:db8::1",
    "configure system capabilities enabled bridge,router",
    "configure lldp portdescription \"uplink port\"",
    "configure lldp custom-tlv oui 11,22,33 subtype 44 oui-info 55,66,77",
    "configure lldp custom-tlv add oui 00,80,c2 subtype 1 oui-info 00,64",
    "configure lldp custom-tlv add oui 00,80,c2 subtype 2 oui-info 06,00,c8",
    "configure lldp custom-tlv add oui 00,80,c2 subtype 3 oui-info 00,64,04,76,31,30,30",
    "configure lldp custom-tlv add oui 00,80,c2 subtype 3 oui-info 00,c8,04,76,32,30,30",
    "configure lldp custom-tlv add oui 00,12,0f subtype 4 oui-info 05,ee",
];

/// The capabilities lldpd says it has (`lldpcli show chassis`), by
/// nmstate's names.
fn lldpd_capabilities(l: &Lldpd, enabled_only: bool) -> Vec<String> {
    let v: Value = serde_json::from_str(&l.cli(&["show", "chassis", "-f", "json"])).unwrap();
    let chassis = v["local-chassis"]["chassis"]
        .as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .unwrap_or_default();
    let name = |t: &str| match t {
        "Other" => "Other",
        "Repeater" => "Repeater",
        "Bridge" => "MAC Bridge component",
        "Wlan" => "802.11 Access Point (AP)",
        "Router" => "Router",
        "Tel" => "Telephone",
        "Docsis" => "DOCSIS cable device",
        "Station" => "Station Only",
        other => panic!("unexpected capability {other}"),
    };
    // nmstate lists them in bit order.
    let order = [
        "Other",
        "Repeater",
        "MAC Bridge component",
        "802.11 Access Point (AP)",
        "Router",
        "Telephone",
        "DOCSIS cable device",
        "Station Only",
    ];
    let mut caps: Vec<String> = chassis["capability"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !enabled_only || c["enabled"] == true)
        .map(|c| name(c["type"].as_str().unwrap()).to_string())
        .collect();
    caps.sort_by_key(|c| order.iter().position(|o| o == c));
    caps
}

#[test]
fn the_neighbour_is_shown_with_exactly_what_lldpd_was_given() {
    let bed = Bed::new();
    let lldpd = Lldpd::start(&bed.peer, PEER_IF, bed.dir.path(), "lldpd", FULL_CONFIG);
    let d = daemon(&bed, "");
    let monitor = Monitor::start(&d, "lldp.*");
    enable(&d, &bed, HOST_IF, false);

    let n = wait_for(PATIENCE, "the neighbour sw-test with every TLV", || {
        neighbors(&d, HOST_IF).into_iter().find(|n| {
            system_name(n).as_deref() == Some("sw-test")
                && field(n, 127, Some(4), "oui") != &Value::Null
        })
    });
    let mac = bed.peer_mac(PEER_IF);
    let ifindex = bed.peer_ifindex(PEER_IF);
    let expected = json!([
        {"type": 1, "chassis-id": mac, "chassis-id-type": 4, "_description": "MAC address"},
        {"type": 2, "port-id": mac, "port-id-type": 3, "_description": "MAC address"},
        {"type": 3, "ttl": 4},
        {"type": 5, "system-name": "sw-test"},
        {"type": 6, "system-description": "Test switch 1.0"},
        {"type": 7, "system-capabilities": lldpd_capabilities(&lldpd, false),
         "enabled-capabilities": ["MAC Bridge component", "Router"]},
        {"type": 8, "management-addresses": [
            {"address": PEER_V4, "address-subtype": "IPv4",
             "interface-number": ifindex, "interface-number-subtype": 2},
            {"address": PEER_V6, "address-subtype": "IPv6",
             "interface-number": ifindex, "interface-number-subtype": 2},
        ]},
        {"type": 4, "port-description": "uplink port"},
        {"type": 127, "oui": "00:12:0f", "subtype": 3,
         "ieee-802-3-link-aggregation": {"supported": true, "enabled": false, "port-id": 0}},
        {"type": 127, "oui": "00:12:0f", "subtype": 1,
         "ieee-802-3-mac-phy-conf": {"autoneg": false, "operational-mau-type": 54,
                                     "pmd-autoneg-cap": 32768}},
        {"type": 127, "oui": "11:22:33", "subtype": 44, "data": "556677"},
        {"type": 127, "oui": "00:80:c2", "subtype": 1, "ieee-802-1-pvid": 100},
        {"type": 127, "oui": "00:80:c2", "subtype": 2, "ieee-802-1-ppvids": [200]},
        {"type": 127, "oui": "00:80:c2", "subtype": 3, "ieee-802-1-vlans": [
            {"name": "v100", "vid": 100}, {"name": "v200", "vid": 200}]},
        {"type": 127, "oui": "00:12:0f", "subtype": 4, "ieee-802-3-max-frame-size": 1518},
    ]);
    assert_eq!(n, expected, "{n:#}");
    // Only one neighbour, listening shown as enabled, nothing dropped.
    let shown = show(&d, HOST_IF);
    assert_eq!(shown["lldp"]["enabled"], true, "{shown:#}");
    assert_eq!(shown["lldp"]["neighbors"].as_array().map(Vec::len), Some(1));
    let counters = &shown["lldp"]["counters"];
    assert!(counters["frames-received"].as_u64() > Some(0), "{counters}");
    assert_eq!(counters["frames-malformed"], 0, "{counters}");

    // nipc monitor showed it arrive, with its TLVs.
    let added = monitor.wait("lldp.neighbor-added", "\"interface\":\"lldp0\"");
    assert_eq!(added["payload"]["neighbor"][0]["chassis-id"], mac);

    // A shown state can be applied again as it is.
    let whole = nipc(&d, &["-o", "yaml", "show", HOST_IF]);
    assert!(whole.status.success());
    apply_ok(&d, &bed, &text(&whole.stdout));
    assert_eq!(neighbors(&d, HOST_IF).len(), 1);
}

#[test]
fn a_neighbour_expires_after_its_ttl_when_lldpd_dies() {
    let bed = Bed::new();
    let (mut lldpd, d) = heard(&bed, "sw-ttl", &[]);
    let monitor = Monitor::start(&d, "lldp.neighbor-removed");
    // No shutdown LLDPDU: the neighbour goes when its TTL (4 s) runs out.
    lldpd.kill9();
    let removed = monitor.wait("lldp.neighbor-removed", "sw-ttl");
    assert_eq!(removed["payload"]["reason"], "expired", "{removed}");
    let shown = show(&d, HOST_IF);
    assert_eq!(shown["lldp"]["neighbors"], json!([]), "{shown:#}");
    assert_eq!(
        shown["lldp"]["counters"]["neighbors-expired"], 1,
        "{shown:#}"
    );
}

#[test]
fn the_shutdown_lldpdu_removes_the_neighbour_at_once() {
    let bed = Bed::new();
    // TTL 100 s: only the shutdown LLDPDU can remove it within the test.
    let (mut lldpd, d) = heard(&bed, "sw-bye", &["configure lldp tx-hold 100"]);
    let ttl: Vec<Value> = neighbors(&d, HOST_IF)
        .iter()
        .map(|n| field(n, 3, None, "ttl").clone())
        .collect();
    assert_eq!(ttl, [json!(100)]);
    let monitor = Monitor::start(&d, "lldp.neighbor-removed");
    lldpd.terminate();
    let removed = monitor.wait("lldp.neighbor-removed", "sw-bye");
    assert_eq!(removed["payload"]["reason"], "shutdown", "{removed}");
    assert_eq!(neighbors(&d, HOST_IF), Vec::<Value>::new());
    let shown = show(&d, HOST_IF);
    assert_eq!(
        shown["lldp"]["counters"]["neighbors-expired"], 0,
        "{shown:#}"
    );
}

#[test]
fn a_new_system_name_replaces_the_neighbours_tlvs() {
    let bed = Bed::new();
    let (lldpd, d) = heard(&bed, "sw-old", &[]);
    let monitor = Monitor::start(&d, "lldp.*");
    lldpd.cli(&["configure", "system", "hostname", "sw-new"]);
    let changed = monitor.wait("lldp.neighbor-changed", "sw-new");
    assert_eq!(changed["payload"]["interface"], HOST_IF);
    let list = neighbors(&d, HOST_IF);
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(system_name(&list[0]).as_deref(), Some("sw-new"));
    // The same neighbour changed: nothing was removed or added.
    assert!(
        !monitor
            .lines()
            .iter()
            .any(|l| l.contains("lldp.neighbor-removed") || l.contains("lldp.neighbor-added")),
        "{:#?}",
        monitor.lines()
    );
}

#[test]
fn two_neighbours_on_a_bridge_are_both_listed() {
    let bed = Bed::new();
    // The peer namespace bridges sw0 with two more namespaces' lldpd; the
    // bridge forwards LLDP's group address (bit 14 of group_fwd_mask).
    bed.peer
        .ip("link add br0 type bridge group_fwd_mask 0x4000");
    bed.peer.ip(&format!("link set {PEER_IF} master br0"));
    bed.peer.ip("link set br0 up");
    let a = Netns::new();
    let b = Netns::new();
    let mut agents = Vec::new();
    for (ns, port, name) in [(&a, "pa", "sw-a"), (&b, "pb", "sw-b")] {
        bed.peer.ip(&format!(
            "link add {port} type veth peer name eth0 netns {}",
            ns.name
        ));
        bed.peer.ip(&format!("link set {port} master br0"));
        bed.peer.ip(&format!("link set {port} up"));
        ns.ip("link set eth0 up");
        let config = format!("configure system hostname {name}");
        agents.push(Lldpd::start(
            ns,
            "eth0",
            bed.dir.path(),
            name,
            &["configure lldp tx-interval 1", &config],
        ));
    }
    let d = daemon(&bed, "");
    enable(&d, &bed, HOST_IF, false);
    let names = wait_for(PATIENCE, "both neighbours", || {
        let mut names: Vec<String> = neighbors(&d, HOST_IF)
            .iter()
            .filter_map(system_name)
            .collect();
        names.sort();
        (names.len() == 2).then_some(names)
    });
    assert_eq!(names, ["sw-a", "sw-b"]);
    // Each has its own chassis ID (its eth0's MAC).
    let macs: Vec<String> = [&a, &b]
        .iter()
        .map(|ns| {
            ns.link("eth0").unwrap()["address"]
                .as_str()
                .unwrap()
                .to_uppercase()
        })
        .collect();
    for n in neighbors(&d, HOST_IF) {
        let id = field(&n, 1, None, "chassis-id")
            .as_str()
            .unwrap()
            .to_string();
        assert!(macs.contains(&id), "{id} is not one of {macs:?}");
    }
    drop(agents);
}

#[test]
fn lldp_enabled_false_stops_listening() {
    let bed = Bed::new();
    let (_lldpd, d) = heard(&bed, "sw-off", &[]);
    let monitor = Monitor::start(&d, "lldp.neighbor-removed");
    apply_ok(
        &d,
        &bed,
        &format!("interfaces:\n  - name: {HOST_IF}\n    lldp:\n      enabled: false\n"),
    );
    let removed = monitor.wait("lldp.neighbor-removed", "sw-off");
    assert_eq!(removed["payload"]["reason"], "stopped", "{removed}");
    // No lldp section any more, and it stays so while lldpd keeps sending.
    std::thread::sleep(Duration::from_secs(2));
    let shown = show(&d, HOST_IF);
    assert_eq!(shown.get("lldp"), None, "{shown:#}");
}

#[test]
fn lldp_on_a_missing_interface_fails_and_changes_nothing() {
    let bed = Bed::new();
    let d = daemon(&bed, "");
    let file = bed.path("ghost.yml");
    std::fs::write(
        &file,
        format!(
            "interfaces:\n  - name: {HOST_IF}\n    mtu: 1400\n    lldp:\n      enabled: true\n  - name: ghost0\n    lldp:\n      enabled: true\n"
        ),
    )
    .unwrap();
    let out = nipc(&d, &["apply", file.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("interfaces[1].type: interface \"ghost0\" does not exist"),
        "{err}"
    );
    // Nothing half-applied: no agent on lldp0, its MTU as it was.
    let shown = show(&d, HOST_IF);
    assert_eq!(shown.get("lldp"), None, "{shown:#}");
    assert_eq!(shown["mtu"], 1500, "{shown:#}");
}

#[test]
fn a_rollback_stops_the_agent_the_apply_started() {
    let bed = Bed::new();
    let _lldpd = Lldpd::start(
        &bed.peer,
        PEER_IF,
        bed.dir.path(),
        "lldpd",
        &[
            "configure lldp tx-interval 1",
            "configure system hostname sw-rb",
        ],
    );
    let d = daemon(&bed, "");
    let file = bed.path("lldp.yml");
    std::fs::write(
        &file,
        format!("interfaces:\n  - name: {HOST_IF}\n    lldp:\n      enabled: true\n"),
    )
    .unwrap();
    let out = nipc(&d, &["apply", "--no-commit", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_for(PATIENCE, "the neighbour", || {
        (neighbors(&d, HOST_IF).len() == 1).then_some(())
    });
    let out = nipc(&d, &["rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    wait_for(PATIENCE, "the agent to stop", || {
        show(&d, HOST_IF).get("lldp").is_none().then_some(())
    });
    assert!(
        d.log().contains("lldp0: stopping LLDP: checkpoint"),
        "{}",
        d.log()
    );
}
