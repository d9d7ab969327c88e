//! Reading a YAML or JSON document that a caller controls into a JSON value,
//! in time linear in its size:
//!
//! - nesting deeper than [`MAX_NESTING`] levels is refused, naming the
//!   limit and where it was passed;
//! - a key given twice in one mapping is refused (YAML and JSON would keep
//!   the last one silently), naming the key and where.
//!
//! libyaml's scanner costs O(depth) per token in flow collections
//! (`[[[[…`), so 100,000 nested brackets take minutes; serde_norway's own
//! recursion limit only applies after the whole document was scanned. The
//! depth is therefore checked first on libyaml's event stream, which stops
//! at the first event past the limit: the scanner never gets more than
//! about a thousand characters ahead of it.

use std::mem::MaybeUninit;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use unsafe_libyaml_norway as unsafe_yaml;

use super::parse::{StateError, quote};

/// How deeply mappings and lists may nest in a document (a whole state
/// needs 10 levels: `interfaces[].bridge.port[].vlan.trunk-tags[].id-range`
/// under the root).
pub const MAX_NESTING: usize = 64;

fn too_deep(at: &str) -> String {
    format!("nesting deeper than {MAX_NESTING} levels (the limit){at}")
}

/// Parses YAML (or JSON, which is YAML) into a JSON value; see the module
/// docs for what is refused. An empty document is `null`.
pub fn yaml_value(text: &str) -> Result<Value, StateError> {
    if let Some((line, column)) = first_too_deep(text) {
        return Err(StateError::new(
            "",
            too_deep(&format!(" at line {line} column {column}")),
        ));
    }
    let de = serde_norway::Deserializer::from_str(text);
    Strict { depth: 0 }
        .deserialize(de)
        .map_err(|e| StateError::new("", format!("not valid YAML: {e}")))
}

/// Parses JSON into a JSON value; see the module docs for what is refused.
pub fn json_value(text: &str) -> Result<Value, StateError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict { depth: 0 }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| StateError::new("", format!("not valid JSON: {e}")))?;
    Ok(v)
}

/// The line and column (from 1) of the first mapping or list nested deeper
/// than [`MAX_NESTING`], if any. A syntax error ends the walk without a
/// finding: the parse that follows reports it.
fn first_too_deep(text: &str) -> Option<(u64, u64)> {
    /// Owns an initialised parser and deletes it, also on early return.
    struct Parser(Box<MaybeUninit<unsafe_yaml::yaml_parser_t>>);
    impl Drop for Parser {
        fn drop(&mut self) {
            // SAFETY: `Parser` is only built after `yaml_parser_initialize`
            // succeeded on this very allocation, and dropped once.
            unsafe { unsafe_yaml::yaml_parser_delete(self.0.as_mut_ptr()) }
        }
    }

    // Boxed so that the parser does not move while libyaml holds pointers
    // into it.
    let mut raw: Box<MaybeUninit<unsafe_yaml::yaml_parser_t>> = Box::new(MaybeUninit::uninit());
    // SAFETY: `raw` is a valid, writable allocation of a `yaml_parser_t`;
    // initialize fills it in (or fails, and we never use it).
    if unsafe { unsafe_yaml::yaml_parser_initialize(raw.as_mut_ptr()) }.fail {
        return None;
    }
    let mut parser = Parser(raw);
    let p = parser.0.as_mut_ptr();
    // SAFETY: `p` is initialised; `text` outlives the parser (dropped at the
    // end of this function) and libyaml only reads `text.len()` bytes of it.
    unsafe {
        unsafe_yaml::yaml_parser_set_encoding(p, unsafe_yaml::YAML_UTF8_ENCODING);
        unsafe_yaml::yaml_parser_set_input_string(p, text.as_ptr(), text.len() as u64);
    }
    let mut depth = 0usize;
    loop {
        let mut event = MaybeUninit::<unsafe_yaml::yaml_event_t>::uninit();
        let e = event.as_mut_ptr();
        // SAFETY: `p` is an initialised parser with its input set; `e` is
        // writable. On success the event is initialised: we read its type
        // and mark (plain integers) and delete it before the next one.
        let (kind, mark) = unsafe {
            if unsafe_yaml::yaml_parser_parse(p, e).fail {
                return None;
            }
            let found = ((*e).type_, (*e).start_mark);
            unsafe_yaml::yaml_event_delete(e);
            found
        };
        match kind {
            unsafe_yaml::YAML_SEQUENCE_START_EVENT | unsafe_yaml::YAML_MAPPING_START_EVENT => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((mark.line + 1, mark.column + 1));
                }
            }
            unsafe_yaml::YAML_SEQUENCE_END_EVENT | unsafe_yaml::YAML_MAPPING_END_EVENT => {
                depth = depth.saturating_sub(1);
            }
            unsafe_yaml::YAML_STREAM_END_EVENT => return None,
            _ => {}
        }
    }
}

/// Builds a [`Value`], refusing duplicate keys and nesting past the limit
/// (the limit again for JSON, which does not go through libyaml).
struct Strict {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML or JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // NaN and infinities have no JSON form: null, as serde_json does.
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.deeper::<A::Error>()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict { depth })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.deeper::<A::Error>()?;
        // serde_norway adds the path and line of a nested mapping, serde_json
        // the line and column of the key; the root needs saying.
        let whose = if self.depth == 0 {
            "at the top level of the document"
        } else {
            "in a mapping"
        };
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "duplicate key {} {whose} (each key may be given once)",
                    quote(&key)
                )));
            }
            let v = map.next_value_seed(Strict { depth })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

impl Strict {
    /// The depth of the children of a collection at this depth.
    fn deeper<E: serde::de::Error>(&self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > MAX_NESTING {
            return Err(E::custom(too_deep("")));
        }
        Ok(depth)
    }
}
