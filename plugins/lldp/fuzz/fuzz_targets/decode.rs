//! Any bytes as an LLDPDU and as an Ethernet frame: the decoder never
//! panics, and what decodes prints and reads back the same. Seeds: the
//! frames captured from lldpd (`../seeds`).

#![no_main]

#[allow(dead_code)]
#[path = "../../src/tlv.rs"]
mod tlv;

use libfuzzer_sys::fuzz_target;

fn round_trip(decoded: Result<tlv::Lldpdu, tlv::Malformed>) {
    match decoded {
        Ok(pdu) => {
            let v = serde_json::to_value(&pdu.tlvs).expect("TLVs print");
            let back: Vec<nipart_plugin_api::state::LldpTlv> =
                serde_json::from_value(v).expect("printed TLVs read back");
            assert_eq!(back, pdu.tlvs);
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip(tlv::decode(data));
    round_trip(tlv::decode_frame(data));
});
