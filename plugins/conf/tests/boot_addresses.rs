//! The boot apply of a saved address list after an address was added by
//! hand: the extra address is removed exactly (before the fix the kernel
//! plugin's removal took the saved address with it, verification failed,
//! and the whole saved state, an MTU change too, was rolled back).

mod common;

use common::{FAST, Node};

#[test]
fn the_boot_apply_removes_a_hand_added_address_and_keeps_the_rest_of_the_saved_state() {
    let mut n = Node::new(FAST);
    n.start();
    n.apply(
        "interfaces:
  - name: ba1
    type: veth
    mtu: 1400
    veth: {peer: ba1-ep}
    ipv4: {enabled: true, address: [{ip: 192.0.2.10, prefix-length: 24}]}
routes:
  config:
  - {destination: 0.0.0.0/0, next-hop-address: 192.0.2.1, next-hop-interface: ba1}
",
        &[],
    );
    n.stop();

    // By hand, while the daemon is down.
    n.ns.ip("addr add 192.0.2.11/24 dev ba1");
    n.ns.ip("link set ba1 mtu 1500");

    let log = n.start();
    assert!(log.contains("is applied"), "{log}");
    assert_eq!(n.ns.addresses("ba1"), ["192.0.2.10/24"], "{log}");
    assert_eq!(n.ns.link("ba1").unwrap()["mtu"], 1400, "{log}");
    let main = n.ns.routes("-4", "main");
    assert!(
        main.iter()
            .any(|r| r.starts_with("default via 192.0.2.1 dev ba1")),
        "{main:?}"
    );
}
