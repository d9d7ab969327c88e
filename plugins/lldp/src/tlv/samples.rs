//! LLDP frames captured from lldpd 1.0.16 (Debian 12) on a veth pair,
//! configured with lldpcli: the decoder's tests and its benchmark
//! (`host/bench/examples/lldp_bench.rs`) use them.

/// lldpd with `configure system hostname sw-test`, `system description
/// "Test switch 1.0"`, `system ip management pattern
/// 192.0.2.1,2001:db8::1`, `system capabilities enabled bridge,router`,
/// `lldp portdescription "uplink port"`, and custom TLVs (which lldpd sends
/// as given): 11:22:33/44 `556677`, port VLAN ID 100, protocol VLAN ID 200,
/// VLAN names 100 "v100" and 200 "v200", maximum frame size 1518.
pub const LLDPD_FULL: &str = "0180c200000e4e48e7758d4d88cc0207044e48e7758d4d0407034e48e7758d4d060200040a0773772d746573740c0f546573742073776974636820312e300e04009c0014100c0501c00002010200000002001018110220010db8000000000000000000000001020000000200080b75706c696e6b20706f7274fe0900120f030100000000fe0900120f010080000036fe071122332c556677fe060080c2010064fe070080c2020600c8fe0b0080c20300640476313030fe0b0080c20300c80476323030fe0600120f0405ee0000";

/// lldpd with its defaults (system name the host's, description the
/// kernel's), sent on `cap0` with 192.0.2.1/24 and 2001:db8::1/64.
pub const LLDPD_DEFAULT: &str = "0180c200000e4e48e7758d4d88cc0207044e48e7758d4d0407034e48e7758d4d060200040a02766d0c5544656269616e20474e552f4c696e75782031322028626f6f6b776f726d29204c696e757820362e31382e34342d66632d7638353720233120534d5020505245454d50545f44594e414d4943204030207838365f36340e04009c0080100c0501c00002010200000002001018110220010db8000000000000000000000001020000000200080463617030fe0900120f030100000000fe0900120f0100800000360000";

/// lldpd stopped with SIGTERM: the shutdown LLDPDU.
pub const LLDPD_SHUTDOWN: &str =
    "0180c200000e4e48e7758d4d88cc0207044e48e7758d4d0407034e48e7758d4d060200000000";

/// The bytes of a hex string (these constants are well-formed).
pub fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .filter_map(|i| hex.get(i..i + 2))
        .filter_map(|b| u8::from_str_radix(b, 16).ok())
        .collect()
}
