//! Any bytes as an Ethernet frame: the decoder never panics, and what
//! decodes prints and reads back the same.

#![no_main]

#[allow(dead_code)]
#[path = "../../src/tlv.rs"]
mod tlv;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|frame: &[u8]| {
    if let Ok(pdu) = tlv::decode_frame(frame) {
        let v = serde_json::to_value(&pdu.tlvs).expect("TLVs print");
        let back: Vec<nipart_plugin_api::state::LldpTlv> =
            serde_json::from_value(v).expect("printed TLVs read back");
        assert_eq!(back, pdu.tlvs);
    }
});
