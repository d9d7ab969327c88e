//! Validation of the schema: every error names its path.

use super::*;

fn err(yaml: &str) -> String {
    match NetworkState::from_yaml(yaml) {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn full_example_parses_and_round_trips() {
    let yaml = r#"
interfaces:
  - name: br0
    type: linux-bridge
    state: up
    mtu: 1500
    mac-address: 02:00:00:00:00:0a
    bridge:
      options:
        stp:
          enabled: true
          forward-delay: 15
          hello-time: 2
          max-age: 20
          priority: 32768
      port:
        - name: veth1
          stp-hairpin-mode: false
          stp-path-cost: 100
          stp-priority: 32
  - name: veth1
    type: veth
    veth:
      peer: veth1-ep
    ipv4:
      enabled: true
      dhcp: false
      address:
        - ip: 192.0.2.1
          prefix-length: 24
    ipv6:
      enabled: true
      dhcp: false
      autoconf: false
      address:
        - ip: 2001:DB8::0001
          prefix-length: 64
  - name: eth9
    state: absent
routes:
  config:
    - destination: 198.51.100.7/24
      next-hop-interface: veth1
      next-hop-address: 192.0.2.254
      metric: 150
      table-id: 254
    - destination: 203.0.113.0/24
      state: absent
"#;
    let s = NetworkState::from_yaml(yaml).unwrap();
    assert_eq!(s.interfaces.len(), 3);
    let br = &s.interfaces[0];
    assert_eq!(br.iface_type, Some(InterfaceType::LinuxBridge));
    assert_eq!(br.mac_address.as_deref(), Some("02:00:00:00:00:0A"));
    let stp = br
        .bridge
        .as_ref()
        .unwrap()
        .options
        .as_ref()
        .unwrap()
        .stp
        .as_ref()
        .unwrap();
    assert_eq!(stp.forward_delay, Some(15));
    let v6 = s.interfaces[1].ipv6.as_ref().unwrap();
    assert_eq!(
        v6.address.as_ref().unwrap()[0].to_string(),
        "2001:db8::1/64",
        "addresses are canonical"
    );
    let routes = s.routes.config.as_ref().unwrap();
    assert_eq!(
        routes[0].destination.as_deref(),
        Some("198.51.100.0/24"),
        "host bits cleared"
    );
    assert!(routes[1].is_absent());
    // Printing and parsing again gives the same state, in YAML and JSON.
    assert_eq!(NetworkState::from_yaml(&s.to_yaml()).unwrap(), s);
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(NetworkState::from_json(&json).unwrap(), s);
    let via_serde: NetworkState = serde_json::from_str(&json).unwrap();
    assert_eq!(via_serde, s);
}

#[test]
fn prefix_length_out_of_range_names_the_path() {
    assert_eq!(
        err(r#"
interfaces:
  - name: a
  - name: b
    ipv4:
      address:
        - ip: 192.0.2.1
          prefix-length: 33
"#),
        "interfaces[1].ipv4.address[0].prefix-length: 33 is out of range 0..=32"
    );
    assert_eq!(
        err("interfaces: [{name: a, ipv6: {address: [{ip: '::1', prefix-length: 129}]}}]"),
        "interfaces[0].ipv6.address[0].prefix-length: 129 is out of range 0..=128"
    );
    assert_eq!(
        err("interfaces: [{name: a, ipv4: {address: [{ip: 192.0.2.1, prefix-length: -1}]}}]"),
        "interfaces[0].ipv4.address[0].prefix-length: -1 is out of range 0..=32"
    );
}

#[test]
fn unknown_keys_are_errors() {
    let e = err("interfaces: [{name: a, type: veth, colour: blue}]");
    assert!(
        e.starts_with("interfaces[0].colour: unknown key; expected one of: "),
        "{e}"
    );
    assert!(e.contains("mtu"), "{e}");
    assert_eq!(
        err(
            "interfaces: [{name: a, ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24, label: x}]}}]"
        ),
        "interfaces[0].ipv4.address[0].label: unknown key; expected one of: ip, prefix-length"
    );
    // (`ovs-db` was the example here until the top-level section came.)
    assert!(err("ovs-dbs: {}").starts_with("ovs-dbs: unknown key"));
    assert!(
        err("interfaces: [{name: a, ipv4: {autoconf: true}}]")
            .starts_with("interfaces[0].ipv4.autoconf: unknown key"),
        "autoconf is IPv6 only"
    );
    assert!(
        err(
            "routes: {config: [{destination: 192.0.2.0/24, next-hop-interface: a, quickack: true}]}"
        )
        .starts_with("routes.config[0].quickack: unknown key")
    );
}

#[test]
fn bad_values_name_the_path_and_problem() {
    let cases = [
        (
            "interfaces: [{type: veth}]",
            "interfaces[0].name: is required",
        ),
        (
            "interfaces: {name: a}",
            "interfaces: expected a list, found a mapping",
        ),
        (
            "interfaces: [{name: a, mtu: big}]",
            "interfaces[0].mtu: expected an integer, found \"big\"",
        ),
        (
            "interfaces: [{name: a, mtu: 10}]",
            "interfaces[0].mtu: 10 is out of range 68..=4294967295",
        ),
        (
            "interfaces: [{name: a, mtu: 1.5}]",
            "interfaces[0].mtu: expected an integer, found 1.5",
        ),
        (
            "interfaces: [{name: a, type: team}]",
            "interfaces[0].type: \"team\" is not one of: ethernet, veth, linux-bridge, loopback, dummy, bond, vlan, vrf, mac-vlan, mac-vtap, vxlan, unknown",
        ),
        (
            "interfaces: [{name: a, state: sleeping}]",
            "interfaces[0].state: \"sleeping\" is not one of: up, down, absent, ignore",
        ),
        (
            "interfaces: [{name: a, mac-address: 02:00:00}]",
            "interfaces[0].mac-address: \"02:00:00\" is not a MAC address (six hex bytes separated by colons)",
        ),
        (
            "interfaces: [{name: a, ipv4: {enabled: yes-please}}]",
            "interfaces[0].ipv4.enabled: expected true or false, found \"yes-please\"",
        ),
        (
            "interfaces: [{name: a, ipv4: {address: [{ip: '2001:db8::1', prefix-length: 64}]}}]",
            "interfaces[0].ipv4.address[0].ip: \"2001:db8::1\" is not an IPv4 address",
        ),
        (
            "interfaces: [{name: a, ipv4: {address: [{ip: 192.0.2.300, prefix-length: 24}]}}]",
            "interfaces[0].ipv4.address[0].ip: \"192.0.2.300\" is not an IP address",
        ),
        (
            "interfaces: [{name: a, ipv4: {address: [{ip: 192.0.2.1}]}}]",
            "interfaces[0].ipv4.address[0].prefix-length: is required",
        ),
        (
            "interfaces: [{name: a, ipv4: {enabled: false, address: [{ip: 192.0.2.1, prefix-length: 24}]}}]",
            "interfaces[0].ipv4.address: addresses are given while IPv4 is disabled (enabled: false)",
        ),
        (
            "interfaces: [{name: a, ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}, {ip: 192.0.2.1, prefix-length: 25}]}}]",
            "interfaces[0].ipv4.address[1]: 192.0.2.1 is already given as interfaces[0].ipv4.address[0]",
        ),
        (
            "interfaces: [{name: a}, {name: b}, {name: a}]",
            "interfaces[2].name: interface \"a\" is already given as interfaces[0]",
        ),
        (
            "interfaces: [{name: this-name-is-too-long}]",
            "interfaces[0].name: \"this-name-is-too-long\" is longer than 15 bytes",
        ),
        (
            "interfaces: [{name: a, type: veth, veth: {}}]",
            "interfaces[0].veth.peer: is required",
        ),
        (
            "interfaces: [{name: a, type: veth, veth: {peer: a}}]",
            "interfaces[0].veth.peer: a veth interface can't be its own peer (\"a\")",
        ),
        (
            "interfaces: [{name: a, type: linux-bridge, veth: {peer: b}}]",
            "interfaces[0].veth: only a veth interface has a veth section, this one is linux-bridge",
        ),
        (
            "interfaces: [{name: a, type: linux-bridge, bridge: {options: {stp: {forward-delay: 1}}}}]",
            "interfaces[0].bridge.options.stp.forward-delay: 1 is out of range 2..=30",
        ),
        (
            "interfaces: [{name: a, type: linux-bridge, bridge: {port: [{name: b, stp-priority: 64}]}}]",
            "interfaces[0].bridge.port[0].stp-priority: 64 is out of range 0..=63",
        ),
        (
            "interfaces: [{name: a, bridge: {port: [{name: b, vlan: {mode: access, tag: 3, trunk-tags: [{id: 4}]}}]}}]",
            "interfaces[0].bridge.port[0].vlan.trunk-tags: an access port has no trunk-tags",
        ),
        (
            "interfaces: [{name: a, bridge: {port: [{name: b, vlan: {mode: trunk, tag: 3}}]}}]",
            "interfaces[0].bridge.port[0].vlan.trunk-tags: a trunk port needs trunk-tags",
        ),
        (
            "interfaces: [{name: a, bridge: {port: [{name: b, vlan: {mode: trunk, enable-native: true, trunk-tags: [{id: 4}]}}]}}]",
            "interfaces[0].bridge.port[0].vlan.tag: enable-native needs the native VLAN's tag",
        ),
        (
            "interfaces: [{name: a, bridge: {port: [{name: b, vlan: {mode: trunk, trunk-tags: [{id-range: {min: 9, max: 4}}]}}]}}]",
            "interfaces[0].bridge.port[0].vlan.trunk-tags[0].id-range: min 9 is above max 4",
        ),
        (
            "interfaces: [{name: a, bridge: {port: [{name: b, vlan: {mode: trunk, trunk-tags: [{id: 4, id-range: {min: 5, max: 6}}]}}]}}]",
            "interfaces[0].bridge.port[0].vlan.trunk-tags[0]: give either id or id-range",
        ),
        (
            "interfaces: [{name: a, bridge: {port: [{name: b, vlan: {mode: access, tag: 4095}}]}}]",
            "interfaces[0].bridge.port[0].vlan.tag: 4095 is out of range 1..=4094",
        ),
        (
            "interfaces: [{name: a, bridge: {options: {multicast-router: sometimes}}}]",
            "interfaces[0].bridge.options.multicast-router: \"sometimes\" is not one of: disabled, auto, enabled",
        ),
        (
            "interfaces: [{name: a, type: linux-bridge, bridge: {port: [{name: b}, {name: b}]}}]",
            "interfaces[0].bridge.port[1].name: port \"b\" is already given as interfaces[0].bridge.port[0]",
        ),
        (
            "routes: {config: [{destination: 192.0.2.0/33, next-hop-interface: a}]}",
            "routes.config[0].destination: \"192.0.2.0/33\" is not a network: the prefix length must be 0..=32",
        ),
        (
            "routes: {config: [{destination: 192.0.2.0, next-hop-interface: a}]}",
            "routes.config[0].destination: \"192.0.2.0\" is not a network: expected ADDRESS/PREFIX-LENGTH",
        ),
        (
            "routes: {config: [{next-hop-interface: a}]}",
            "routes.config[0].destination: is required",
        ),
        (
            "routes: {config: [{destination: 192.0.2.0/24}]}",
            "routes.config[0].next-hop-interface: is required when next-hop-address is not given",
        ),
        (
            "routes: {config: [{destination: 192.0.2.0/24, next-hop-address: '2001:db8::1'}]}",
            "routes.config[0].next-hop-address: \"2001:db8::1\" is not an IPv4 address",
        ),
        (
            "routes: {config: [{destination: 192.0.2.0/24, next-hop-interface: a, metric: -5}]}",
            "routes.config[0].metric: -5 is out of range 0..=4294967295",
        ),
        (
            "routes: {config: [{destination: 192.0.2.0/24, state: gone}]}",
            "routes.config[0].state: \"gone\" is not one of: absent",
        ),
        ("- a\n- b\n", "expected a mapping, found a list"),
    ];
    for (yaml, want) in cases {
        assert_eq!(err(yaml), want, "for {yaml}");
    }
    assert!(err("interfaces: [").starts_with("not valid YAML: "));
    assert!(
        NetworkState::from_json("{")
            .unwrap_err()
            .to_string()
            .starts_with("not valid JSON: ")
    );
}

#[test]
fn empty_documents_are_empty_states() {
    assert_eq!(
        NetworkState::from_yaml("").unwrap(),
        NetworkState::default()
    );
    assert_eq!(
        NetworkState::from_yaml("{}").unwrap(),
        NetworkState::default()
    );
    assert_eq!(
        NetworkState::from_yaml("---\ninterfaces: []\n").unwrap(),
        NetworkState::default()
    );
}

#[test]
fn route_selection_and_display() {
    let s = NetworkState::from_yaml(
        "routes: {config: [{destination: 198.51.100.0/24, state: absent}, {destination: 198.51.100.0/24, next-hop-interface: a, metric: 5, table-id: 100}]}",
    )
    .unwrap();
    let rs = s.routes.config.unwrap();
    assert!(!rs[0].matches(&rs[1]), "tables differ: main vs 100");
    let mut sel = rs[0].clone();
    sel.table_id = Some(100);
    assert!(sel.matches(&rs[1]));
    assert!(
        !rs[1].matches(&sel),
        "a missing field on the other side does not match"
    );
    assert_eq!(
        rs[1].to_string(),
        "198.51.100.0/24 dev a metric 5 table 100"
    );
}

#[test]
fn difference_reads_like_a_sentence() {
    let d = Difference {
        item: "veth1".into(),
        property: "mtu".into(),
        desired: "9000".into(),
        current: "1500".into(),
    };
    assert_eq!(d.to_string(), "veth1: mtu desired 9000, current 1500");
}

#[test]
fn api_payloads_decode_what_the_server_sends() {
    let v = serde_json::json!({
        "method": "io.nipart.Network.Apply",
        "parameters": {"state": {"interfaces": []}, "options": {"no_verify": true, "no_wait": true}},
        "more": true,
        "caller": {"uid": 0, "gid": 0, "pid": 42, "admin": true},
    });
    let call: ApiCall<ApplyRequest> = serde_json::from_value(v).unwrap();
    assert!(call.parameters.options.no_verify && call.parameters.options.no_wait);
    assert!(call.more);
    let bad = serde_json::json!({"parameters": {"state": {}, "options": {"bogus": true}}});
    assert!(serde_json::from_value::<ApiCall<ApplyRequest>>(bad).is_err());
}

#[test]
fn interface_names_must_be_printable_and_what_the_kernel_takes() {
    let cases = [
        ("a\u{0}b", "\\u{0}"),
        ("eth\u{1b}[31m", "\\u{1b}"),
        ("eth\u{7f}", "\\u{7f}"),
        ("eth0\u{202e}", "\\u{202e}"),
        ("eth\u{2066}0", "\\u{2066}"),
        ("eth\u{200b}0", "\\u{200b}"),
        ("eth\u{200d}0", "\\u{200d}"),
        ("\u{feff}eth0", "\\u{feff}"),
        ("eth\u{ad}0", "\\u{ad}"),
    ];
    for (name, shown) in cases {
        let v =
            serde_json::json!({"interfaces": [{"name": "ok0"}, {"name": "ok1"}, {"name": name}]});
        let e = NetworkState::from_value(&v).unwrap_err();
        assert_eq!(e.path, "interfaces[2].name", "for {name:?}");
        assert!(
            e.message.contains("control or invisible character") && e.message.contains(shown),
            "for {name:?}: {e}"
        );
        assert!(
            !e.to_string().contains(name),
            "the raw name is not echoed: {e}"
        );
    }
    // Newline, tab and other white space: the kernel refuses them too.
    for name in [
        "eth\n0",
        "eth\t0",
        "eth\u{85}",
        "eth\u{a0}0",
        "eth\u{3000}0",
    ] {
        let v = serde_json::json!({"interfaces": [{"name": name}]});
        let e = NetworkState::from_value(&v).unwrap_err();
        assert_eq!(e.path, "interfaces[0].name", "for {name:?}");
        assert!(e.message.contains("which an interface name can't"), "{e}");
    }
    // The same check everywhere a name is given.
    for (v, path) in [
        (
            serde_json::json!({"interfaces": [{"name": "a", "controller": "b\u{0}"}]}),
            "interfaces[0].controller",
        ),
        (
            serde_json::json!({"interfaces": [{"name": "a", "type": "veth", "veth": {"peer": "b\u{202e}"}}]}),
            "interfaces[0].veth.peer",
        ),
        (
            serde_json::json!({"interfaces": [{"name": "br", "type": "linux-bridge", "bridge": {"port": [{"name": "p\u{1b}"}]}}]}),
            "interfaces[0].bridge.port[0].name",
        ),
        (
            serde_json::json!({"routes": {"config": [{"destination": "192.0.2.0/24", "next-hop-interface": "x\u{200b}"}]}}),
            "routes.config[0].next-hop-interface",
        ),
    ] {
        assert_eq!(NetworkState::from_value(&v).unwrap_err().path, path);
    }
    // What the kernel takes is accepted: 15 bytes, UTF-8 letters, dots.
    for name in ["abcdefghijklmno", "wlan-é", "eth0.100", "br_0-x"] {
        let v = serde_json::json!({"interfaces": [{"name": name}]});
        assert!(NetworkState::from_value(&v).is_ok(), "{name:?}");
    }
    // A long value is cut in the message.
    let long = "x".repeat(1 << 20);
    let e = NetworkState::from_value(&serde_json::json!({"interfaces": [{"name": long}]}))
        .unwrap_err()
        .to_string();
    assert!(e.len() < 200, "{} bytes: {}", e.len(), &e[..200]);
    assert!(e.contains("(1048576 bytes)"), "{e}");
}

#[test]
fn duplicate_keys_are_refused_with_where() {
    let e = err("interfaces:\n  - name: a\n    name: b\n");
    // serde_norway names the mapping's path and where it starts.
    assert_eq!(
        e,
        "not valid YAML: interfaces[0]: duplicate key \"name\" in a mapping (each key may be given once) at line 2 column 5"
    );
    // Two `interfaces:` keys, the second empty: last-wins would apply
    // nothing and succeed.
    let e = err("interfaces:\n  - {name: veth1, state: absent}\ninterfaces: []\n");
    assert_eq!(
        e,
        "not valid YAML: duplicate key \"interfaces\" at the top level of the document (each key may be given once)"
    );
    // Deeper, and in flow style.
    let e = err("interfaces: [{name: a, ipv4: {dhcp: true, dhcp: false}}]");
    assert!(e.contains("duplicate key \"dhcp\""), "{e}");
    // JSON too.
    let e = NetworkState::from_json(r#"{"interfaces": [{"name": "a", "mtu": 1500, "mtu": 9000}]}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("not valid JSON: ") && e.contains("duplicate key \"mtu\""),
        "{e}"
    );
    assert!(e.contains("line 1 column"), "{e}");
    // The same key in two mappings is fine.
    assert!(NetworkState::from_yaml("interfaces: [{name: a}, {name: b}]").is_ok());
}

#[test]
fn nesting_is_bounded_and_checked_before_the_scan() {
    let deep = |n: usize| format!("a: {}{}", "[".repeat(n), "]".repeat(n));
    // 100,000 levels: refused at the limit (this took minutes when the whole
    // document was scanned first).
    for text in [
        deep(100_000),
        "{a: ".repeat(100_000),
        format!("{}x", "- ".repeat(100_000)),
    ] {
        let e = yaml_value(&text).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "nesting deeper than {MAX_NESTING} levels (the limit) at line 1 column "
            )),
            "{e}"
        );
    }
    let e = json_value(&format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!(
            "nesting deeper than {MAX_NESTING} levels (the limit)"
        )),
        "{e}"
    );
    // At the limit it parses: the root mapping and 63 lists.
    let v = yaml_value(&deep(MAX_NESTING - 1)).unwrap();
    assert!(v["a"].is_array());
    let v = json_value(&format!(
        "{{\"a\": {}{}}}",
        "[".repeat(MAX_NESTING - 1),
        "]".repeat(MAX_NESTING - 1)
    ))
    .unwrap();
    assert!(v["a"].is_array());
    assert!(yaml_value(&deep(MAX_NESTING)).is_err());
    // A syntax error is still reported as such.
    assert!(
        yaml_value("a: [1, 2")
            .unwrap_err()
            .to_string()
            .starts_with("not valid YAML: ")
    );
}

#[test]
fn an_interface_cannot_be_its_own_controller() {
    assert_eq!(
        err("interfaces: [{name: ok}, {name: br0, controller: br0}]"),
        "interfaces[1].controller: an interface can't be its own controller (\"br0\")"
    );
}

#[test]
fn absent_goes_with_name_and_type_only_and_never_for_lo() {
    assert_eq!(
        err("interfaces: [{name: lo, state: absent}]"),
        "interfaces[0].state: the loopback interface \"lo\" can't be made absent"
    );
    assert_eq!(
        err("interfaces: [{name: x, type: loopback, state: absent}]"),
        "interfaces[0].state: the loopback interface \"x\" can't be made absent"
    );
    for (key, yaml) in [
        ("ipv4", "ipv4: {dhcp: true}"),
        (
            "ipv6",
            "ipv6: {address: [{ip: '2001:db8::1', prefix-length: 64}]}",
        ),
        ("mtu", "mtu: 1500"),
        ("mac-address", "mac-address: 02:00:00:00:00:01"),
        ("controller", "controller: br0"),
        ("veth", "veth: {peer: v1-ep}"),
    ] {
        assert_eq!(
            err(&format!(
                "interfaces: [{{name: ok}}, {{name: v1, state: absent, {yaml}}}]"
            )),
            format!(
                "interfaces[1].{key}: can't be given with state: absent (only name and type can); remove it, or the state"
            )
        );
    }
    assert!(NetworkState::from_yaml("interfaces: [{name: v1, type: veth, state: absent}]").is_ok());
}

#[test]
fn interface_macs_must_be_unicast() {
    let ok = |m: &str| check_unicast_mac(m, "interfaces[0].mac-address");
    assert!(ok("02:00:00:00:00:01").is_ok());
    for (mac, why) in [
        ("01:00:5E:00:00:01", "multicast"),
        ("FF:FF:FF:FF:FF:FF", "multicast"),
        ("33:33:00:00:00:01", "multicast"),
        ("00:00:00:00:00:00", "all zeros"),
    ] {
        let e = ok(mac).unwrap_err();
        assert_eq!(e.path, "interfaces[0].mac-address");
        assert!(e.message.starts_with(mac) && e.message.contains(why), "{e}");
    }
}

#[test]
fn interface_addresses_must_be_host_addresses() {
    let check = |s: &str| {
        let (ip, len) = s.split_once('/').unwrap();
        let a = IpAddress {
            ip: ip.parse().unwrap(),
            prefix_length: len.parse().unwrap(),
        };
        check_interface_address(&a, "interfaces[0].ipv4.address[0]")
    };
    for good in [
        "192.0.2.1/24",
        "192.0.2.254/24",
        "192.0.2.0/31",
        "192.0.2.1/31",
        "192.0.2.0/32",
        "2001:db8::1/64",
        "2001:db8::/127",
        "2001:db8::/128",
        "2001:db8::ffff:ffff:ffff:ffff/64",
    ] {
        assert!(check(good).is_ok(), "{good}");
    }
    for (bad, why) in [
        ("0.0.0.0/0", "unspecified"),
        ("0.0.0.0/32", "unspecified"),
        ("::/0", "unspecified"),
        ("192.0.2.0/24", "network address"),
        ("10.0.0.0/8", "network address"),
        ("192.0.2.255/24", "broadcast"),
        ("192.0.2.3/30", "broadcast"),
        ("2001:db8::/64", "network address"),
    ] {
        let e = check(bad).unwrap_err();
        assert_eq!(e.path, "interfaces[0].ipv4.address[0]");
        assert!(e.message.starts_with(bad) && e.message.contains(why), "{e}");
    }
}

#[test]
fn messages_show_no_rust_structures() {
    let e = err("interfaces: [{name: a, ipv4: {dhcp-lease: {address: 1}}}]");
    assert!(!e.contains("struct") && !e.contains("DhcpLeaseInfo"), "{e}");
    assert!(e.starts_with("interfaces[0].ipv4.dhcp-lease: "), "{e}");
}

#[test]
fn an_ipv6_dhcp_lease_as_show_prints_it_reads_back() {
    let shown = "interfaces: [{name: a, ipv6: {dhcp: true, dhcp-lease: {address: 'fd09::10/128', preferred-lifetime: 120, valid-lifetime: 120, renewal-time: 60, rebinding-time: 105, server-duid: '00:01:02', iaid: 0, acquired: '2026-01-01T00:00:00Z', expires: '2026-01-01T00:02:00Z', dns-servers: ['fd09::53'], domains: [example.org]}}}]";
    let state = NetworkState::from_yaml(shown).unwrap();
    let v6 = state.interfaces[0].ipv6.as_ref().unwrap();
    let lease = v6.dhcp6_lease.as_ref().unwrap();
    assert_eq!(lease.valid_lifetime, 120);
    assert_eq!(lease.domains, ["example.org"]);
    assert!(v6.dhcp_lease.is_none());
    // Printed back under the same key.
    let out = serde_json::to_value(&state).unwrap();
    assert_eq!(
        out["interfaces"][0]["ipv6"]["dhcp-lease"]["server-duid"],
        "00:01:02"
    );
    let e = err("interfaces: [{name: a, ipv6: {dhcp-lease: {address: 1}}}]");
    assert!(
        !e.contains("struct") && !e.contains("Dhcp6LeaseInfo"),
        "{e}"
    );
    assert!(e.starts_with("interfaces[0].ipv6.dhcp-lease: "), "{e}");
}

#[test]
fn the_lldp_section_takes_what_show_printed_and_checks_the_rest() {
    // What Show prints for an interface with a neighbour reads back.
    let shown = r#"
interfaces:
  - name: eth1
    lldp:
      enabled: true
      transmit: true
      neighbors:
        - - {type: 1, chassis-id: "00:01:30:F9:AD:A0", chassis-id-type: 4, _description: MAC address}
          - {type: 2, port-id: 1/1, port-id-type: 5, _description: Interface name}
          - {type: 3, ttl: 120}
          - {type: 127, oui: "00:80:c2", subtype: 3, ieee-802-1-vlans: [{name: v2, vid: 488}]}
          - {type: 127, oui: "11:22:33", subtype: 9, data: "ab"}
      counters: {frames-received: 3, frames-malformed: 1, truncated: 1}
"#;
    let s = NetworkState::from_yaml(shown).unwrap();
    let l = s.interfaces[0].lldp.as_ref().unwrap();
    assert_eq!((l.enabled, l.transmit), (Some(true), Some(true)));
    let n = &l.neighbors.as_ref().unwrap()[0];
    assert_eq!(LldpTlv::chassis_id(n), Some("00:01:30:F9:AD:A0"));
    assert_eq!(
        n[3],
        LldpTlv::Vlans(vec![LldpVlan {
            name: "v2".into(),
            vid: 488
        }])
    );
    assert_eq!(l.counters.unwrap().truncated, 1);
    // And prints the same again.
    let again = NetworkState::from_yaml(&s.to_yaml()).unwrap();
    assert_eq!(again, s);

    assert_eq!(
        err("interfaces: [{name: a, lldp: {enabled: false, transmit: true}}]"),
        "interfaces[0].lldp.transmit: can't be true while LLDP is disabled (enabled: false)"
    );
    assert_eq!(
        err("interfaces: [{name: a, lldp: {enable: true}}]"),
        "interfaces[0].lldp.enable: unknown key; expected one of: counters, enabled, neighbors, transmit"
    );
    let e = err("interfaces: [{name: a, lldp: {neighbors: [[{type: 5}]]}}]");
    assert!(
        e.starts_with("interfaces[0].lldp.neighbors[0][0]: not an LLDP TLV as Show reports it: a TLV of type 5 needs system-name"),
        "{e}"
    );
    assert_eq!(
        err("interfaces: [{name: a, state: absent, lldp: {enabled: true}}]"),
        "interfaces[0].lldp: can't be given with state: absent (only name and type can); remove it, or the state"
    );
}

#[test]
fn bridge_port_vlans_read_back_and_compare_as_the_kernels_set() {
    let text = "
interfaces:
  - name: br0
    type: linux-bridge
    bridge:
      options: {vlan-protocol: 802.1ad, multicast-router: 2}
      port:
        - name: p1
          vlan:
            mode: trunk
            tag: 5
            enable-native: true
            trunk-tags: [{id: 20}, {id-range: {min: 30, max: 32}}]
        - {name: p2, vlan: {mode: access, tag: 7}}
        - {name: p3, vlan: {}}
";
    let s = NetworkState::from_yaml(text).unwrap();
    assert_eq!(NetworkState::from_yaml(&s.to_yaml()).unwrap(), s);
    let br = s.interface("br0").unwrap().bridge.as_ref().unwrap();
    let o = br.options.as_ref().unwrap();
    assert_eq!(o.multicast_router, Some(MulticastRouter::Enabled));
    assert_eq!(o.vlan_protocol, Some(VlanProtocol::Ieee8021ad));
    let ports = br.port.as_ref().unwrap();
    let vlans = |i: usize| ports[i].vlan.as_ref().unwrap().kernel_vlans();
    assert_eq!(
        vlans(0).into_iter().collect::<Vec<_>>(),
        [
            (5, true),
            (20, false),
            (30, false),
            (31, false),
            (32, false)
        ]
    );
    assert_eq!(vlans(1).into_iter().collect::<Vec<_>>(), [(7, true)]);
    assert!(vlans(2).is_empty());

    // The same VLANs said another way are no difference; one VLAN less is.
    let have = NetworkState::from_yaml(
        "interfaces: [{name: br0, type: linux-bridge, bridge: {options: {vlan-protocol: 802.1ad, multicast-router: enabled}, port: [
           {name: p1, vlan: {mode: trunk, tag: 5, enable-native: true,
                             trunk-tags: [{id-range: {min: 30, max: 31}}, {id: 20}, {id: 32}]}},
           {name: p2, vlan: {mode: access, tag: 7}}, {name: p3}]}}]",
    )
    .unwrap();
    let want = s.interface("br0").unwrap();
    let d = interface_differences(want, have.interface("br0"));
    assert!(d.is_empty(), "{d:?}");
    let less = NetworkState::from_yaml(
        "interfaces: [{name: br0, type: linux-bridge, bridge: {options: {vlan-protocol: 802.1ad, multicast-router: enabled}, port: [
           {name: p1, vlan: {mode: trunk, tag: 5, enable-native: true, trunk-tags: [{id: 20}]}},
           {name: p2, vlan: {mode: access, tag: 7}}, {name: p3}]}}]",
    )
    .unwrap();
    let d = interface_differences(want, less.interface("br0"));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].property, "bridge.port p1 vlan");
    assert_eq!(d[0].current, "[5 (pvid untagged), 20]");
}

#[test]
fn ovs_sections_are_checked_with_their_paths() {
    let err = |yaml: &str| NetworkState::from_yaml(yaml).unwrap_err().to_string();
    assert_eq!(
        err(
            "interfaces:\n  - {name: br0, type: ovs-bridge, bridge: {port: [{name: b, link-aggregation: {port: [{name: v0}]}}]}}\n"
        ),
        "interfaces[0].bridge.port[0].link-aggregation.port: an OVS bond needs at least two interfaces, 1 given"
    );
    assert_eq!(
        err(
            "interfaces:\n  - {name: br0, type: ovs-bridge, bridge: {options: {fail-mode: open}}}\n"
        ),
        "interfaces[0].bridge.options.fail-mode: \"open\" is not one of: standalone, secure"
    );
    assert_eq!(
        err(
            "interfaces:\n  - {name: br0, type: ovs-bridge, bridge: {port: [{name: v0}, {name: v0}]}}\n"
        ),
        "interfaces[0].bridge.port[1].name: \"v0\" is already given as interfaces[0].bridge.port[0].name"
    );
    assert_eq!(
        err("interfaces:\n  - {name: p0, type: ovs-interface, patch: {peer: p0}}\n"),
        "interfaces[0].patch.peer: a patch port can't be its own peer (\"p0\")"
    );
    assert_eq!(
        err("interfaces:\n  - {name: p0, type: veth, patch: {peer: p1}}\n"),
        "interfaces[0].patch: only a ovs-interface interface has a patch section, this one is veth"
    );
    // A linux bridge's section is still a linux bridge's.
    assert!(
        err("interfaces:\n  - {name: br0, type: linux-bridge, bridge: {options: {rstp: true}}}\n")
            .contains("unknown key")
    );
    let ok = NetworkState::from_yaml(
        "interfaces:\n  - {name: br0, type: ovs-bridge, ovs-db: {external_ids: {a: 1}}, bridge: {options: {stp: {enabled: true}}}}\n",
    )
    .unwrap();
    let b = &ok.interfaces[0];
    assert_eq!(
        b.ovs_bridge
            .as_ref()
            .and_then(|b| b.options.as_ref())
            .and_then(|o| o.stp),
        Some(true)
    );
    assert_eq!(
        b.ovs_db
            .as_ref()
            .and_then(|d| d.external_ids.as_ref())
            .map(|m| m["a"].clone()),
        Some("1".into())
    );
}

#[test]
fn top_level_ovs_db_and_ovn_are_parsed_with_their_paths() {
    let s = NetworkState::from_yaml(
        "ovs-db:\n  external_ids: {a: 1, b: null}\n  other_config: {}\novn:\n  bridge-mappings:\n    - {localnet: net1, bridge: br1}\n    - {localnet: net2, state: absent}\n",
    )
    .unwrap();
    let db = s.ovs_db.as_ref().expect("ovs-db");
    let ext = db.external_ids.as_ref().expect("external_ids");
    assert_eq!(ext.get("a"), Some(&Some("1".to_string())));
    assert_eq!(ext.get("b"), Some(&None));
    assert_eq!(db.other_config.as_ref().map(|m| m.len()), Some(0));
    let maps = s
        .ovn
        .as_ref()
        .and_then(|o| o.bridge_mappings.as_ref())
        .expect("mappings");
    assert!(maps[1].is_absent() && maps[1].bridge.is_none());
    // What a state says prints back to the same state.
    assert_eq!(NetworkState::from_value(&s.to_value()).unwrap(), s);
    assert!(
        NetworkState::from_yaml("ovs-db: {}\n")
            .unwrap()
            .ovs_db
            .unwrap()
            .is_purge()
    );

    assert_eq!(
        err("ovs-db: {external_ids: {ovn-bridge-mappings: 'a:b'}}"),
        "ovs-db.external_ids.ovn-bridge-mappings: is kept for OVN's bridge mappings: give them in the top-level `ovn` section (ovn: {bridge-mappings: [{localnet, bridge}]})"
    );
    assert_eq!(
        err("ovn: {bridge-mappings: [{localnet: net1}]}"),
        "ovn.bridge-mappings[0].bridge: is required: the mapping of localnet \"net1\" needs its bridge (or state: absent)"
    );
    assert_eq!(
        err("ovn: {bridge-mappings: [{localnet: n, bridge: b}, {localnet: n, state: absent}]}"),
        "ovn.bridge-mappings[1].localnet: \"n\" is already given in ovn.bridge-mappings[0]"
    );
    assert!(
        err("ovn: {bridge-mappings: [{localnet: 'a:b', bridge: b}]}")
            .starts_with("ovn.bridge-mappings[0].localnet: \"a:b\" is not a localnet name")
    );
    assert!(
        err("ovs-db: {external_ids: {a: [1]}}")
            .starts_with("ovs-db.external_ids.a: expected a text")
    );
}
