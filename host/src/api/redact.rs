//! Hiding secrets from callers who are not admins.
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
