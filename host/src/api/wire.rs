//! The varlink wire format: NUL-terminated JSON messages.
//!
//! A call is `{"method": "iface.Method", "parameters": {..}, "oneway":
//! bool, "more": bool, "upgrade": bool}`; a reply is `{"parameters": {..},
//! "continues": bool}` or `{"error": "iface.Error", "parameters": {..}}`.
//! Replies come in the order of the calls.

use serde::Deserialize;
use serde_json::{Map, Value};

/// Splits a byte stream into NUL-terminated frames of at most `max` bytes
/// (the terminator not counted). Never panics, whatever the input.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Start of the first unconsumed byte.
    start: usize,
    /// Bytes from `start` already known to hold no NUL.
    scanned: usize,
    max: usize,
}

/// A frame (complete or not) grew past the size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameTooLarge {
    pub limit: usize,
}

impl std::fmt::Display for FrameTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "message larger than the limit of {} bytes", self.limit)
    }
}

impl FrameDecoder {
    pub fn new(max: usize) -> Self {
        Self {
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            max,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 64 * 1024 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// The next complete frame, without its terminator. `Ok(None)`: more
    /// bytes are needed. After an error the decoder is unusable (the stream
    /// can't be resynchronised reliably): close the connection.
    pub fn next_frame(&mut self) -> Result<Option<&[u8]>, FrameTooLarge> {
        let pending = &self.buf[self.start..];
        match pending[self.scanned..].iter().position(|&b| b == 0) {
            Some(pos) => {
                let len = self.scanned + pos;
                if len > self.max {
                    return Err(FrameTooLarge { limit: self.max });
                }
                let begin = self.start;
                self.start += len + 1;
                self.scanned = 0;
                Ok(Some(&self.buf[begin..begin + len]))
            }
            None => {
                self.scanned = pending.len();
                if pending.len() > self.max {
                    Err(FrameTooLarge { limit: self.max })
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Bytes held that are not yet part of a returned frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }
}

/// A parsed method call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Fully qualified, e.g. `io.nipart.Daemon.Ping`.
    pub method: String,
    pub parameters: Map<String, Value>,
    pub oneway: bool,
    pub more: bool,
    pub upgrade: bool,
}

impl Call {
    /// The interface part of the method name.
    pub fn interface(&self) -> &str {
        self.method.rsplit_once('.').map_or("", |(i, _)| i)
    }

    /// The member part of the method name.
    pub fn member(&self) -> &str {
        self.method.rsplit_once('.').map_or("", |(_, m)| m)
    }
}

#[derive(Deserialize)]
struct RawCall {
    method: String,
    #[serde(default)]
    parameters: Option<Value>,
    #[serde(default)]
    oneway: Option<bool>,
    #[serde(default)]
    more: Option<bool>,
    #[serde(default)]
    upgrade: Option<bool>,
}

/// Parses one frame into a call; the error says what is wrong in words.
pub fn parse_call(frame: &[u8]) -> Result<Call, String> {
    let raw: RawCall = serde_json::from_slice(frame).map_err(|e| {
        // serde's messages quote the offending value: cut them short.
        let what = if e.is_data() {
            "not a varlink call"
        } else {
            "not valid JSON"
        };
        format!("{what}: {}", super::redact::echo(&e.to_string()))
    })?;
    let parameters = match raw.parameters {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => return Err("\"parameters\" must be an object".to_string()),
    };
    if !valid_method_name(&raw.method) {
        return Err(format!(
            "{:?} is not a method name of the form interface.Method",
            super::redact::echo(&raw.method)
        ));
    }
    Ok(Call {
        method: raw.method,
        parameters,
        oneway: raw.oneway.unwrap_or(false),
        more: raw.more.unwrap_or(false),
        upgrade: raw.upgrade.unwrap_or(false),
    })
}

/// `reverse.domain.Interface.Method`: the interface has at least two
/// dot-separated parts; the method starts with an uppercase letter.
fn valid_method_name(name: &str) -> bool {
    let Some((iface, method)) = name.rsplit_once('.') else {
        return false;
    };
    let method_ok = method.starts_with(|c: char| c.is_ascii_uppercase())
        && method.chars().all(|c| c.is_ascii_alphanumeric());
    let iface_ok = iface.contains('.')
        && iface
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    method_ok && iface_ok && name.len() <= 255
}

/// Encodes a reply (with its terminator).
pub fn reply(parameters: &Value, continues: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"{\"parameters\":");
    // Serializing a `Value` to a Vec can't fail.
    let _ = serde_json::to_writer(&mut out, parameters);
    if continues {
        out.extend_from_slice(b",\"continues\":true");
    }
    out.extend_from_slice(b"}\0");
    out
}

/// Encodes a final reply `{"parameters":{"result":RESULT}}` (with its
/// terminator) around `result`, bytes that were checked to be one JSON
/// value (which holds no NUL byte: the terminator stays unique).
pub fn reply_with_raw_result(result: &[u8]) -> Vec<u8> {
    const HEAD: &[u8] = b"{\"parameters\":{\"result\":";
    let mut out = Vec::with_capacity(HEAD.len() + result.len() + 3);
    out.extend_from_slice(HEAD);
    out.extend_from_slice(result);
    out.extend_from_slice(b"}}\0");
    out
}

/// Encodes an error reply (with its terminator).
pub fn error(name: &str, parameters: Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(96);
    let _ = serde_json::to_writer(
        &mut out,
        &serde_json::json!({ "error": name, "parameters": parameters }),
    );
    out.push(0);
    out
}

/// The standard `org.varlink.service` errors.
pub mod errors {
    pub const INTERFACE_NOT_FOUND: &str = "org.varlink.service.InterfaceNotFound";
    pub const METHOD_NOT_FOUND: &str = "org.varlink.service.MethodNotFound";
    pub const METHOD_NOT_IMPLEMENTED: &str = "org.varlink.service.MethodNotImplemented";
    pub const INVALID_PARAMETER: &str = "org.varlink.service.InvalidParameter";
    pub const EXPECTED_MORE: &str = "org.varlink.service.ExpectedMore";
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn frames_split_on_nul() {
        let mut d = FrameDecoder::new(16);
        d.push(b"ab\0c");
        assert_eq!(d.next_frame().unwrap(), Some(&b"ab"[..]));
        assert_eq!(d.next_frame().unwrap(), None);
        d.push(b"d\0\0");
        assert_eq!(d.next_frame().unwrap(), Some(&b"cd"[..]));
        assert_eq!(d.next_frame().unwrap(), Some(&b""[..]));
        assert_eq!(d.next_frame().unwrap(), None);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn oversize_is_detected_with_and_without_terminator() {
        let mut d = FrameDecoder::new(4);
        d.push(b"abcd\0");
        assert_eq!(d.next_frame().unwrap(), Some(&b"abcd"[..]));
        d.push(b"abcde");
        assert_eq!(d.next_frame(), Err(FrameTooLarge { limit: 4 }));
        let mut d = FrameDecoder::new(4);
        d.push(b"abcde\0");
        assert_eq!(d.next_frame(), Err(FrameTooLarge { limit: 4 }));
    }

    #[test]
    fn calls_parse_and_errors_are_worded() {
        let c = parse_call(br#"{"method":"io.nipart.Daemon.Ping","more":true}"#).unwrap();
        assert_eq!(c.interface(), "io.nipart.Daemon");
        assert_eq!(c.member(), "Ping");
        assert!(c.more && !c.oneway && c.parameters.is_empty());
        let e = parse_call(b"{not json").unwrap_err();
        assert!(e.starts_with("not valid JSON"), "{e}");
        let e = parse_call(br#"{"parameters":{}}"#).unwrap_err();
        assert!(
            e.starts_with("not a varlink call: missing field `method`"),
            "{e}"
        );
        let e = parse_call(br#"{"method":"Ping"}"#).unwrap_err();
        assert_eq!(
            e,
            "\"Ping\" is not a method name of the form interface.Method"
        );
        let e = parse_call(br#"{"method":"a.b.C","parameters":[1]}"#).unwrap_err();
        assert_eq!(e, "\"parameters\" must be an object");
        let e = parse_call(b"\xff\xfe").unwrap_err();
        assert!(e.starts_with("not valid JSON"), "{e}");
    }

    #[test]
    fn replies_encode() {
        assert_eq!(
            reply(&serde_json::json!({}), false),
            b"{\"parameters\":{}}\0".to_vec()
        );
        assert_eq!(
            reply(&serde_json::json!({"a":1}), true),
            b"{\"parameters\":{\"a\":1},\"continues\":true}\0".to_vec()
        );
        // A plugin's result passed through as it is: the same bytes as
        // the reply written from its parsed value.
        let result = serde_json::json!({"interfaces": [{"name": "a\u{0}b", "mtu": 1500}]});
        assert_eq!(
            reply_with_raw_result(&serde_json::to_vec(&result).unwrap()),
            reply(&serde_json::json!({ "result": result }), false)
        );
        let e = error(errors::METHOD_NOT_FOUND, serde_json::json!({"method":"x"}));
        let v: Value = serde_json::from_slice(&e[..e.len() - 1]).unwrap();
        assert_eq!(v["error"], errors::METHOD_NOT_FOUND);
        assert_eq!(*e.last().unwrap(), 0);
    }

    fn decode_all(chunks: &[Vec<u8>], max: usize) -> Result<Vec<Vec<u8>>, FrameTooLarge> {
        let mut d = FrameDecoder::new(max);
        let mut out = Vec::new();
        for c in chunks {
            d.push(c);
            while let Some(f) = d.next_frame()? {
                out.push(f.to_vec());
            }
        }
        Ok(out)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Arbitrary bytes in arbitrary chunks: no panic, and the frames are
        /// exactly the NUL-separated pieces (or the size error).
        #[test]
        fn decoder_matches_split(data in proptest::collection::vec(any::<u8>(), 0..2048),
                                 cuts in proptest::collection::vec(0usize..2048, 0..8),
                                 max in 1usize..64) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut prev = 0;
            for c in cuts.into_iter().chain(std::iter::once(data.len())) {
                chunks.push(data[prev..c].to_vec());
                prev = c;
            }
            let pieces: Vec<&[u8]> = data.split(|&b| b == 0).collect();
            let complete = &pieces[..pieces.len() - 1];
            let tail = pieces[pieces.len() - 1];
            let expect_err = complete.iter().any(|p| p.len() > max) || tail.len() > max;
            match decode_all(&chunks, max) {
                Ok(frames) => {
                    prop_assert!(!expect_err);
                    let expected: Vec<Vec<u8>> = complete.iter().map(|p| p.to_vec()).collect();
                    prop_assert_eq!(frames, expected);
                }
                Err(e) => {
                    prop_assert!(expect_err);
                    prop_assert_eq!(e.limit, max);
                }
            }
        }

        /// Arbitrary frames never make the call parser panic; valid calls
        /// round-trip through JSON.
        #[test]
        fn parse_call_never_panics(frame in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_call(&frame);
        }

        #[test]
        fn parse_call_round_trips(iface in "[a-z]{1,8}\\.[a-z]{1,8}", method in "[A-Z][a-zA-Z0-9]{0,12}",
                                  more: bool, oneway: bool, key in "[a-z_]{1,10}", val: i64) {
            let name = format!("{iface}.{method}");
            let text = serde_json::json!({
                "method": name, "more": more, "oneway": oneway, "parameters": { key.clone(): val }
            }).to_string();
            let c = parse_call(text.as_bytes()).unwrap();
            prop_assert_eq!(c.interface(), iface.as_str());
            prop_assert_eq!(c.member(), method.as_str());
            prop_assert_eq!((c.more, c.oneway), (more, oneway));
            prop_assert_eq!(c.parameters.get(&key), Some(&Value::from(val)));
        }
    }
}
