//! What callers and the log see of values: secrets hidden from callers who
//! are not admins ([`redact`]), and caller-controlled values cut to a short
//! prefix wherever they are echoed in a reply or a log line ([`echo`]), so
//! that a 1 MB interface name costs neither a 1 MB reply nor a 1 MB log
//! record.
//!
//! Any object member whose key names a secret (password, passphrase, psk,
//! secret, private-key, pre-shared-key; case-insensitive, `_` and `-`
//! alike, also as part of a longer key) has its value replaced with
//! nmstate's marker, so that a state shown to a user can be applied back
//! unchanged by an admin (the marker means "keep the current secret").

use serde_json::Value;

/// The value that replaces a secret (nmstate's own marker).
pub const HIDDEN: &str = "<_password_hid_by_nmstate>";

const SECRET_WORDS: [&str; 6] = [
    "password",
    "passphrase",
    "psk",
    "secret",
    "private-key",
    "pre-shared-key",
];

fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('_', "-");
    SECRET_WORDS.iter().any(|w| k.contains(w))
}

/// The most bytes of a caller-controlled value [`echo`] keeps.
pub const ECHO_LIMIT: usize = 64;

/// `value` as it may be echoed in a reply or a log line: whole when at most
/// [`ECHO_LIMIT`] bytes, else its first bytes (cut at a character boundary)
/// followed by `…` and its full length.
pub fn echo(value: &str) -> String {
    cut(value, ECHO_LIMIT).into_owned()
}

/// `value` if at most `limit` bytes, else its first bytes up to `limit`
/// (cut at a character boundary), `…` and its full length.
pub fn cut(value: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    if value.len() <= limit {
        return value.into();
    }
    let mut end = limit;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &value[..end], value.len()).into()
}

/// Replaces every secret in `value`, recursively.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_key(k) && !v.is_null() {
                    *v = Value::String(HIDDEN.to_string());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn echo_keeps_short_values_and_cuts_long_ones() {
        assert_eq!(echo("eth0"), "eth0");
        let exact = "x".repeat(ECHO_LIMIT);
        assert_eq!(echo(&exact), exact);
        let long = "y".repeat(1 << 20);
        assert_eq!(echo(&long), format!("{}… (1048576 bytes)", "y".repeat(64)));
        // A multi-byte character across the limit is not split.
        let wide = format!("{}é{}", "a".repeat(63), "b".repeat(10));
        assert_eq!(echo(&wide), format!("{}… (75 bytes)", "a".repeat(63)));
        // The log callback's cap of a plugin's record.
        let record = "r".repeat(1 << 20);
        let cut_record = cut(&record, crate::handle::LOG_RECORD_MAX);
        assert_eq!(cut_record.len(), 4096 + "… (1048576 bytes)".len());
        assert!(matches!(
            cut("short", 4096),
            std::borrow::Cow::Borrowed("short")
        ));
    }

    #[test]
    fn hides_nested_secrets_only() {
        let mut v = json!({
            "interfaces": [{
                "name": "wlan0",
                "802.1x": {"private-key-password": "x", "identity": "me"},
                "wifi": {"PSK": "y", "ssid": "home"},
            }],
            "client_secret": null,
            "routes": {"config": []},
        });
        redact(&mut v);
        assert_eq!(
            v,
            json!({
                "interfaces": [{
                    "name": "wlan0",
                    "802.1x": {"private-key-password": HIDDEN, "identity": "me"},
                    "wifi": {"PSK": HIDDEN, "ssid": "home"},
                }],
                "client_secret": null,
                "routes": {"config": []},
            })
        );
    }
}
