//! Interface types that need kernel modules the test machines' kernel
//! lacks (`dummy`, `bonding`, `8021q`, `vrf`, the bridge's VLAN
//! filtering): create, change, absent and
//! automatic rollback through the real daemon, checked with `ip`, the
//! order of a VLAN on a bond on two dummies, and an nmstate-format file per
//! type (tests/types-full-kernel/). Each test says what it needs with
//! `full_kernel!`; where the kernel lacks it, this whole binary runs in
//! the test VM, one boot (docs/testing.md).

mod common;

use std::{os::unix::net::UnixStream, time::Duration};

use common::{Netns, assert_shows, netns, without_lo};
use nipart_plugin_api::state::{ApplyResult, NetworkState};
use nipart_testkit::{DaemonBuilder, DaemonProcess, callers::varlink_call, full_kernel};
use serde_json::{Value, json};

/// The daemon with the kernel, state and commander plugins as a process of
/// its own in a namespace, called through its socket as a client does. (An
/// in-process daemon keeps its plugins mapped until the test binary ends,
/// and the VM's `/tmp`, where each sandbox copies them, is small.)
struct Daemon {
    d: DaemonProcess,
}

impl Daemon {
    fn start_plugins(ns: &Netns) -> Daemon {
        let d = DaemonBuilder::new()
            .workspace_plugins(&[
                "nipart-plugin-kernel",
                "nipart-plugin-state",
                "nipart-plugin-commander",
            ])
            .require(&["kernel", "state", "commander"])
            .netns(ns)
            .spawn();
        Daemon { d }
    }

    /// `io.nipart.Network.METHOD`: its result, or the whole error reply.
    fn call(&self, method: &str, parameters: Value) -> Result<Value, String> {
        let mut s = UnixStream::connect(self.d.socket()).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(180)))
            .map_err(|e| e.to_string())?;
        let msg =
            json!({"method": format!("io.nipart.Network.{method}"), "parameters": parameters});
        let r = varlink_call(&mut s, &msg.to_string())?;
        if r.get("error").is_some() {
            return Err(r.to_string());
        }
        Ok(r["parameters"]["result"].clone())
    }

    fn apply_with(&self, yaml: &str) -> Result<Value, String> {
        let state: Value =
            serde_norway::from_str(yaml).unwrap_or_else(|e| panic!("test YAML: {e}"));
        self.call("Apply", json!({"state": state}))
    }

    fn apply(&self, yaml: &str) -> ApplyResult {
        let v = self.apply_with(yaml).unwrap_or_else(|e| {
            panic!("apply failed: {e}\nstate:\n{yaml}\nlog:\n{}", self.d.log())
        });
        serde_json::from_value(v).expect("an apply result")
    }

    fn apply_err(&self, yaml: &str) -> String {
        match self.apply_with(yaml) {
            Ok(v) => panic!("apply should have failed, it gave {v:#}"),
            Err(e) => e,
        }
    }

    fn show(&self) -> NetworkState {
        let v = self
            .call("Show", json!({}))
            .unwrap_or_else(|e| panic!("show failed: {e}"));
        NetworkState::from_value(&v)
            .unwrap_or_else(|e| panic!("show gave an invalid state: {e}\n{v}"))
    }
}

fn info_data(ns: &Netns, name: &str) -> Value {
    ns.link(name).unwrap_or_else(|| panic!("{name} exists"))["linkinfo"]["info_data"].clone()
}

#[test]
fn dummy_create_change_absent_and_rollback() {
    full_kernel!("dummy");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    let create = "
interfaces:
  - name: d0
    type: dummy
    mtu: 1400
    ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}]}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert!(
        r.changes.iter().any(|c| c == "kernel: create dummy d0"),
        "{:?}",
        r.changes
    );
    assert_shows(&d.show(), create);
    assert_eq!(ns.link("d0").unwrap()["linkinfo"]["info_kind"], "dummy");
    assert_eq!(ns.addresses("d0"), ["192.0.2.1/24"]);

    d.apply("interfaces: [{name: d0, mtu: 9000, state: down}]");
    assert_eq!(ns.link("d0").unwrap()["mtu"], 9000);

    // The kernel refuses bad1's MTU after d1 was created: all undone.
    let before = without_lo(d.show());
    let out = d.apply_with(
        "
interfaces:
  - {name: d1, type: dummy}
  - {name: d0, mtu: 1500}
  - {name: bad1, type: veth, mtu: 70000, veth: {peer: bad1-ep}}
",
    );
    let e = out.expect_err("the kernel refuses MTU 70000 on a veth");
    assert!(e.contains("rolled back"), "{e}");
    assert!(ns.link("d1").is_none());
    assert_eq!(without_lo(d.show()), before);

    d.apply("interfaces: [{name: d0, state: absent}]");
    assert!(ns.link("d0").is_none());
}

#[test]
fn bond_every_mode_options_ports_and_rollback() {
    full_kernel!("dummy", "bonding");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    // Every mode, each on a bond of its own.
    let modes = [
        "balance-rr",
        "active-backup",
        "balance-xor",
        "broadcast",
        "802.3ad",
        "balance-tlb",
        "balance-alb",
    ];
    let mut state = String::from("interfaces:\n");
    for (i, m) in modes.iter().enumerate() {
        state.push_str(&format!(
            "  - {{name: bm{i}, type: bond, link-aggregation: {{mode: {m}, options: {{miimon: 100}}}}}}\n"
        ));
    }
    d.apply(&state);
    assert_shows(&d.show(), &state);
    for (i, m) in modes.iter().enumerate() {
        assert_eq!(info_data(&ns, &format!("bm{i}"))["mode"], *m);
    }
    let absent: Vec<String> = (0..modes.len())
        .map(|i| format!("{{name: bm{i}, state: absent}}"))
        .collect();
    d.apply(&format!("interfaces: [{}]", absent.join(", ")));

    // Options, ports created in the same apply, the primary among them,
    // and the ports' options.
    let create = "
interfaces:
  - name: bond0
    type: bond
    link-aggregation:
      mode: active-backup
      port: [p1, p2]
      ports-config:
        - {name: p1, priority: 10, queue-id: 0}
        - {name: p2, priority: 5, queue-id: 1}
      options:
        miimon: 100
        updelay: 200
        downdelay: 300
        primary: p2
        primary_reselect: better
        fail_over_mac: active
        num_grat_arp: 3
  - {name: p1, type: dummy}
  - {name: p2, type: dummy}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), create);
    let data = info_data(&ns, "bond0");
    assert_eq!(data["mode"], "active-backup");
    assert_eq!(data["miimon"], 100);
    assert_eq!(data["updelay"], 200);
    assert_eq!(data["downdelay"], 300);
    assert_eq!(data["primary"], "p2");
    assert_eq!(ns.link("p1").unwrap()["master"], "bond0");
    assert_eq!(ns.link("p2").unwrap()["master"], "bond0");
    assert_eq!(
        ns.link("p2").unwrap()["linkinfo"]["info_slave_data"]["prio"],
        5
    );
    assert!(
        d.apply(create).changes.is_empty(),
        "applying again changes nothing"
    );

    // 802.3ad options on a new bond; p2 moves to it.
    let change = "
interfaces:
  - name: bond0
    link-aggregation: {port: [p1]}
  - name: bond1
    type: bond
    link-aggregation:
      mode: 802.3ad
      port: [p2]
      options:
        lacp_rate: fast
        ad_select: count
        xmit_hash_policy: layer3+4
        min_links: 1
";
    let r = d.apply(change);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), change);
    assert_eq!(ns.link("p2").unwrap()["master"], "bond1");
    let data = info_data(&ns, "bond1");
    assert_eq!(data["ad_lacp_rate"], "fast");
    assert_eq!(data["ad_select"], "count");
    assert_eq!(data["xmit_hash_policy"], "layer3+4");

    // ARP monitoring, on bond0 (miimon off).
    let arp = "
interfaces:
  - name: bond0
    link-aggregation:
      options:
        miimon: 0
        arp_interval: 1000
        arp_ip_target: 192.0.2.1,192.0.2.2
        arp_validate: all
";
    d.apply(arp);
    assert_shows(&d.show(), arp);
    let data = info_data(&ns, "bond0");
    assert_eq!(data["arp_interval"], 1000);
    assert_eq!(data["arp_ip_target"], json!(["192.0.2.1", "192.0.2.2"]));

    // A failure after the bond changed: rolled back.
    let before = without_lo(d.show());
    let out = d.apply_with(
        "
interfaces:
  - {name: bond0, link-aggregation: {port: [p1, p3]}}
  - {name: p3, type: dummy}
  - {name: bad1, type: veth, mtu: 70000, veth: {peer: bad1-ep}}
",
    );
    let e = out.expect_err("the kernel refuses MTU 70000 on a veth");
    assert!(e.contains("rolled back"), "{e}");
    assert!(ns.link("p3").is_none());
    assert_eq!(without_lo(d.show()), before);

    // Absent: the ports stay, detached.
    d.apply("interfaces: [{name: bond0, state: absent}, {name: bond1, state: absent}]");
    assert!(ns.link("bond0").is_none() && ns.link("bond1").is_none());
    assert!(ns.link("p1").unwrap().get("master").is_none());
}

/// The kernel changes a bond's mode only while it is down and has no
/// ports: the apply detaches them, changes the mode, attaches them again
/// with their options; a failing apply with a mode change is rolled back
/// the same way.
#[test]
fn bond_mode_change_with_ports_attached() {
    full_kernel!("dummy", "bonding");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    let create = "
interfaces:
  - name: bm0
    type: bond
    link-aggregation:
      mode: balance-rr
      port: [bmp1, bmp2]
      options: {miimon: 100}
    ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}]}
  - {name: bmp1, type: dummy}
  - {name: bmp2, type: dummy}
";
    d.apply(create);
    assert_eq!(info_data(&ns, "bm0")["mode"], "balance-rr");

    let change = "
interfaces:
  - name: bm0
    type: bond
    link-aggregation:
      mode: active-backup
      port: [bmp1, bmp2]
      ports-config:
        - {name: bmp2, priority: 7}
      options: {miimon: 100, primary: bmp2}
";
    let r = d.apply(change);
    assert!(r.verified, "{r:?}");
    for line in [
        "kernel: detach bmp1 from bm0",
        "kernel: detach bmp2 from bm0",
        "kernel: attach bmp1 to bm0 again",
        "kernel: attach bmp2 to bm0 again",
    ] {
        assert!(
            r.changes.iter().any(|c| c == line),
            "{line}: {:?}",
            r.changes
        );
    }
    assert_shows(&d.show(), change);
    let data = info_data(&ns, "bm0");
    assert_eq!(data["mode"], "active-backup");
    assert_eq!(data["primary"], "bmp2");
    for p in ["bmp1", "bmp2"] {
        assert_eq!(ns.link(p).unwrap()["master"], "bm0", "{p}");
    }
    assert_eq!(
        ns.link("bmp2").unwrap()["linkinfo"]["info_slave_data"]["prio"],
        7
    );
    assert_eq!(ns.link("bm0").unwrap()["operstate"], "UP");
    assert_eq!(ns.addresses("bm0"), ["192.0.2.1/24"]);
    assert!(
        d.apply(change).changes.is_empty(),
        "applying again changes nothing"
    );

    // A port's priority alone, in the bond's ports-config.
    let r = d.apply(
        "interfaces: [{name: bm0, link-aggregation: {port: [bmp1, bmp2], ports-config: [{name: bmp2, priority: 9}]}}]",
    );
    assert!(r.verified, "{r:?}");
    assert_eq!(
        ns.link("bmp2").unwrap()["linkinfo"]["info_slave_data"]["prio"],
        9
    );

    // A mode change in a failing apply: rolled back, the old mode with
    // both ports attached.
    let before = without_lo(d.show());
    let e = d.apply_err(
        "
interfaces:
  - {name: bm0, link-aggregation: {mode: 802.3ad}}
  - {name: bad1, type: veth, mtu: 70000, veth: {peer: bad1-ep}}
",
    );
    assert!(e.contains("rolled back"), "{e}");
    let data = info_data(&ns, "bm0");
    assert_eq!(data["mode"], "active-backup");
    for p in ["bmp1", "bmp2"] {
        assert_eq!(ns.link(p).unwrap()["master"], "bm0", "{p}");
    }
    assert_eq!(without_lo(d.show()), before);

    // A mode change and a port leaving in one apply.
    let r =
        d.apply("interfaces: [{name: bm0, link-aggregation: {mode: balance-xor, port: [bmp1]}}]");
    assert!(r.verified, "{r:?}");
    assert_eq!(info_data(&ns, "bm0")["mode"], "balance-xor");
    assert_eq!(ns.link("bmp1").unwrap()["master"], "bm0");
    assert!(ns.link("bmp2").unwrap().get("master").is_none());

    d.apply("interfaces: [{name: bm0, state: absent}, {name: bmp1, state: absent}, {name: bmp2, state: absent}]");
    assert!(ns.link("bm0").is_none());
}

#[test]
fn vlan_on_a_bond_on_two_dummies_in_one_apply_each_way() {
    full_kernel!("dummy", "bonding", "8021q");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    // Listed in the worst order: what stands on others first.
    let create = "
interfaces:
  - name: bond0.10
    type: vlan
    mtu: 1400
    vlan: {base-iface: bond0, id: 10, protocol: 802.1ad, reorder-headers: false, loose-binding: true}
    ipv4: {address: [{ip: 192.0.2.10, prefix-length: 24}]}
  - name: bond0
    type: bond
    link-aggregation: {mode: balance-xor, port: [d1, d2]}
  - {name: d1, type: dummy}
  - {name: d2, type: dummy}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), create);
    let v = ns.link("bond0.10").unwrap();
    assert_eq!(v["link"], "bond0");
    assert_eq!(v["linkinfo"]["info_data"]["protocol"], "802.1ad");
    assert_eq!(v["linkinfo"]["info_data"]["id"], 10);
    let flags = v["linkinfo"]["info_data"]["flags"].to_string();
    assert!(
        flags.contains("LOOSE_BINDING") && !flags.contains("REORDER_HDR"),
        "{flags}"
    );
    assert_eq!(ns.link("d1").unwrap()["master"], "bond0");

    let change =
        "interfaces: [{name: bond0.10, vlan: {reorder-headers: true, loose-binding: false}}]";
    d.apply(change);
    assert_shows(&d.show(), change);
    let e = d.apply_err("interfaces: [{name: bond0.10, vlan: {id: 11}}]");
    assert!(
        e.contains("interfaces[0].vlan.id") && e.contains("make it absent first"),
        "{e}"
    );
    let e = d.apply_err("interfaces: [{name: v9, type: vlan, vlan: {id: 9}}]");
    assert!(e.contains("interfaces[0].vlan.base-iface"), "{e}");

    // All of it absent in one apply, listed base first.
    let r = d.apply(
        "interfaces: [{name: d1, state: absent}, {name: d2, state: absent}, {name: bond0, state: absent}, {name: bond0.10, state: absent}]",
    );
    assert!(r.verified, "{r:?}");
    for l in ["bond0.10", "bond0", "d1", "d2"] {
        assert!(ns.link(l).is_none(), "{l} is gone");
    }
}

/// A new VLAN whose entry sets only its VLAN options, MTU and state is
/// made by the kernel plugin in one netlink request, one with a MAC
/// address by nispor: each ends as asked, down or up; a VLAN the kernel
/// refuses (its id taken on that base) undoes the apply.
#[test]
fn new_vlans_down_up_with_a_mac_address_and_refused() {
    full_kernel!("dummy", "8021q");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    let create = "
interfaces:
  - {name: d5, type: dummy}
  - name: d5.20
    type: vlan
    state: down
    mtu: 1280
    vlan: {base-iface: d5, id: 20}
  - name: d5.30
    type: vlan
    mac-address: 02:00:00:00:00:30
    vlan: {base-iface: d5, id: 30}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), create);
    let is_up = |l: &Value| l["flags"].as_array().unwrap().iter().any(|f| f == "UP");
    let down = ns.link("d5.20").unwrap();
    assert!(!is_up(&down), "{down}");
    assert_eq!(down["mtu"], 1280);
    assert_eq!(down["linkinfo"]["info_data"]["id"], 20);
    let mac = ns.link("d5.30").unwrap();
    assert!(is_up(&mac), "{mac}");
    assert_eq!(mac["address"], "02:00:00:00:00:30");

    let e = d.apply_err(
        "interfaces: [{name: d6, type: dummy}, {name: d5.99, type: vlan, vlan: {base-iface: d5, id: 20}}]",
    );
    assert!(e.contains("d5.99"), "{e}");
    assert!(ns.link("d5.99").is_none() && ns.link("d6").is_none());
    assert!(ns.link("d5.20").is_some());
}

#[test]
fn vrf_ports_table_and_routes() {
    full_kernel!("dummy", "vrf");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    let create = "
interfaces:
  - name: vrf0
    type: vrf
    vrf: {port: [d1], route-table-id: 100}
  - name: d1
    type: dummy
    ipv4: {address: [{ip: 198.51.100.1, prefix-length: 24}]}
  - {name: d2, type: dummy}
routes:
  config:
    - {destination: 203.0.113.0/24, next-hop-interface: d1, next-hop-address: 198.51.100.254, table-id: 100}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), create);
    assert_eq!(info_data(&ns, "vrf0")["table"], 100);
    assert_eq!(ns.link("d1").unwrap()["master"], "vrf0");
    let routes = ns.ip_json("route show table 100");
    assert!(
        routes
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["dst"] == "203.0.113.0/24"),
        "{routes}"
    );

    // Ports change: d2 in, d1 out.
    let change = "interfaces: [{name: vrf0, vrf: {port: [d2]}}]";
    d.apply(change);
    assert_shows(&d.show(), change);
    assert!(ns.link("d1").unwrap().get("master").is_none());
    assert_eq!(ns.link("d2").unwrap()["master"], "vrf0");
    // The table is fixed.
    let e = d.apply_err("interfaces: [{name: vrf0, vrf: {route-table-id: 101}}]");
    assert!(e.contains("interfaces[0].vrf.route-table-id"), "{e}");

    d.apply("interfaces: [{name: vrf0, state: absent}]");
    assert!(ns.link("vrf0").is_none());
    assert!(ns.link("d2").unwrap().get("master").is_none());
}

#[test]
fn nmstate_files_per_type_full_kernel() {
    full_kernel!("dummy", "bonding", "8021q", "vrf");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    common::apply_nmstate_files("types-full-kernel", 5, |t| d.apply(t), || d.show());
    assert_eq!(ns.link("bond99.101").unwrap()["link"], "bond99");
    assert_eq!(ns.link("eth3").unwrap()["master"], "vrf0");
    assert_eq!(
        port_vlans(&ns, "eth4"),
        ["100 PVID Egress Untagged", "101", "500-599"]
    );
}

/// `bridge vlan show` of the bridge port `name`: each VLAN with its flags,
/// runs of VLANs without flags as ranges: `10 PVID Egress Untagged`,
/// `30-40`.
fn port_vlans(ns: &Netns, name: &str) -> Vec<String> {
    let out = ns.exec(&format!("bridge -j vlan show dev {name}"));
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let mut out: Vec<(u64, u64, String)> = Vec::new();
    for x in v
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["vlans"].as_array().cloned().unwrap_or_default())
    {
        let min = x["vlan"].as_u64().unwrap();
        let max = x.get("vlanEnd").and_then(Value::as_u64).unwrap_or(min);
        let mut flags = String::new();
        for f in x["flags"].as_array().into_iter().flatten() {
            flags.push_str(&format!(" {}", f.as_str().unwrap_or("?")));
        }
        match out.last_mut() {
            Some((_, end, f)) if f.is_empty() && flags.is_empty() && *end + 1 == min => *end = max,
            _ => out.push((min, max, flags)),
        }
    }
    out.into_iter()
        .map(|(min, max, f)| {
            if min == max {
                format!("{min}{f}")
            } else {
                format!("{min}-{max}{f}")
            }
        })
        .collect()
}

#[test]
fn linux_bridge_port_vlans_create_change_absent_and_rollback() {
    full_kernel!("bridge", "CONFIG_BRIDGE_VLAN_FILTERING");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    let create = "
interfaces:
  - name: vbr0
    type: linux-bridge
    bridge:
      options: {vlan-protocol: 802.1ad, multicast-router: enabled}
      port:
        - name: vp1
          vlan: {mode: access, tag: 10}
        - name: vp2
          vlan:
            mode: trunk
            tag: 5
            enable-native: true
            trunk-tags: [{id: 20}, {id-range: {min: 30, max: 40}}]
  - {name: vp1, type: veth, veth: {peer: vp1-ep}}
  - {name: vp2, type: veth, veth: {peer: vp2-ep}}
";
    let r = d.apply(create);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), create);
    let data = info_data(&ns, "vbr0");
    assert_eq!(data["vlan_filtering"], 1, "{data}");
    assert_eq!(
        data["vlan_protocol"]
            .as_str()
            .map(str::to_lowercase)
            .as_deref(),
        Some("802.1ad"),
        "{data}"
    );
    assert_eq!(data["mcast_router"], 2, "{data}");
    // The kernel's default VLAN 1 is gone from both ports.
    assert_eq!(port_vlans(&ns, "vp1"), ["10 PVID Egress Untagged"]);
    assert_eq!(
        port_vlans(&ns, "vp2"),
        ["5 PVID Egress Untagged", "20", "30-40"]
    );
    assert!(
        d.apply(create).changes.is_empty(),
        "applying again changes nothing"
    );

    // Another access VLAN; VLAN 20 and the native VLAN go from the trunk.
    let change = "
interfaces:
  - name: vbr0
    bridge:
      options: {vlan-protocol: 802.1q}
      port:
        - {name: vp1, vlan: {mode: access, tag: 11}}
        - {name: vp2, vlan: {mode: trunk, trunk-tags: [{id-range: {min: 30, max: 40}}]}}
";
    let r = d.apply(change);
    assert!(r.verified, "{r:?}");
    assert!(
        r.changes.iter().any(|c| c.contains("bridge.port vp2 vlan")),
        "{:?}",
        r.changes
    );
    assert_shows(&d.show(), change);
    assert_eq!(port_vlans(&ns, "vp1"), ["11 PVID Egress Untagged"]);
    assert_eq!(port_vlans(&ns, "vp2"), ["30-40"]);
    // A port listed without `vlan` keeps its VLANs.
    d.apply("interfaces: [{name: vbr0, bridge: {port: [{name: vp1, vlan: {}}, {name: vp2}]}}]");
    assert_eq!(port_vlans(&ns, "vp1"), ["1 PVID Egress Untagged"]);
    assert_eq!(port_vlans(&ns, "vp2"), ["30-40"]);
    assert_eq!(info_data(&ns, "vbr0")["vlan_filtering"], 1);

    // Bad input names the key.
    let e = d.apply_err(
        "interfaces: [{name: vbr0, bridge: {port: [{name: vp1, vlan: {mode: access, tag: 3, trunk-tags: [{id: 4}]}}]}}]",
    );
    assert!(
        e.contains("interfaces[0].bridge.port[0].vlan.trunk-tags"),
        "{e}"
    );

    // The kernel refuses the route after the VLANs were set: all undone.
    let before = without_lo(d.show());
    let e = d
        .apply_with(
            "
interfaces:
  - name: vbr0
    bridge:
      port:
        - {name: vp1, vlan: {mode: trunk, trunk-tags: [{id: 100}]}}
        - {name: vp2, vlan: {}}
routes:
  config:
    - {destination: 203.0.113.0/24, next-hop-interface: vp1, next-hop-address: 198.51.100.1}
",
        )
        .expect_err("the kernel refuses a gateway it can't reach");
    assert!(e.contains("rolled back"), "{e}");
    assert_eq!(port_vlans(&ns, "vp1"), ["1 PVID Egress Untagged"]);
    assert_eq!(port_vlans(&ns, "vp2"), ["30-40"]);
    assert_eq!(without_lo(d.show()), before);

    // No port with VLANs: the bridge stops filtering.
    d.apply("interfaces: [{name: vbr0, bridge: {port: [{name: vp1}, {name: vp2, vlan: {}}]}}]");
    assert_eq!(info_data(&ns, "vbr0")["vlan_filtering"], 0);
    assert_eq!(port_vlans(&ns, "vp2"), ["1 PVID Egress Untagged"]);
    assert_eq!(
        without_lo(d.show())
            .interface("vbr0")
            .and_then(|b| b.bridge.as_ref()?.port.as_ref())
            .map(|p| p.iter().filter(|p| p.vlan.is_some()).count()),
        Some(0),
        "no VLANs are shown of a bridge that does not filter"
    );
}

#[test]
fn routes_and_rules_in_a_vrf_table_above_255() {
    full_kernel!("dummy", "vrf");
    let ns = netns();
    let d = Daemon::start_plugins(&ns);
    let state = "
interfaces:
  - name: vrf1
    type: vrf
    vrf: {port: [d5], route-table-id: 1000}
  - name: d5
    type: dummy
    ipv4: {address: [{ip: 198.51.100.1, prefix-length: 24}]}
routes:
  config:
    - {destination: 203.0.113.0/24, next-hop-interface: d5, next-hop-address: 198.51.100.254,
       table-id: 1000, metric: 7, mtu: 1400}
    - {destination: 192.0.2.0/24, route-type: unreachable, table-id: 1000}
route-rules:
  config:
    - {ip-from: 198.51.100.0/24, priority: 500, route-table: 1000}
";
    let r = d.apply(state);
    assert!(r.verified, "{r:?}");
    assert_shows(&d.show(), state);
    let routes: Vec<String> = ns
        .routes("-4", "1000")
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for want in [
        "203.0.113.0/24 via 198.51.100.254 dev d5 proto static metric 7 mtu 1400",
        "unreachable 192.0.2.0/24 proto static",
    ] {
        assert!(
            routes.iter().any(|l| l == want),
            "{want} missing: {routes:#?}"
        );
    }
    assert!(
        ns.ip("rule show")
            .contains("500:\tfrom 198.51.100.0/24 lookup 1000 proto static"),
        "{}",
        ns.ip("rule show")
    );
    assert!(
        d.apply(state).changes.is_empty(),
        "applying again changes nothing"
    );
    d.apply(
        "routes: {config: [{state: absent, table-id: 1000}]}\nroute-rules: {config: [{state: absent, route-table: 1000}]}",
    );
    // The kernel's own routes of the VRF's address stay.
    assert!(
        ns.routes("-4", "1000")
            .iter()
            .all(|l| !l.contains("proto static")),
        "{:?}",
        ns.routes("-4", "1000")
    );
    assert!(!ns.ip("rule show").contains("lookup 1000"));
}
