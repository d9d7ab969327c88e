//! NATS's decentralised authentication made by the test: an operator, an
//! account and its users as JWTs signed with NKeys, as `nsc` makes them
//! (`nsc` is not in Debian). The servers trust the operator and have the
//! account preloaded (`resolver: MEMORY`); a user logs in with a `.creds`
//! file (its JWT and its NKey seed).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use nkeys::KeyPair;
use serde_json::{Value, json};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// A JWT of `claims` (to which `iat`, `iss` and `jti` are added) signed
/// by `issuer`: header, claims and signature, each base64url, the
/// signature (ed25519) over the first two joined by a dot (version 2).
pub fn encode(mut claims: Value, issuer: &KeyPair) -> String {
    let iat = now();
    claims["iat"] = json!(iat);
    claims["iss"] = json!(issuer.public_key());
    // A unique id (the server does not check how it is made).
    claims["jti"] = json!(format!(
        "{}{iat}",
        claims["sub"].as_str().unwrap_or_default()
    ));
    let header = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("JSON"));
    let signed = format!("{header}.{body}");
    let signature = issuer.sign(signed.as_bytes()).expect("signing");
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// An operator and one account of it.
pub struct Operator {
    pub jwt: String,
    pub account: KeyPair,
    pub account_jwt: String,
}

impl Operator {
    pub fn new() -> Operator {
        let operator = KeyPair::new_operator();
        let jwt = encode(
            json!({"sub": operator.public_key(), "name": "nipart-test",
                   "nats": {"type": "operator", "version": 2}}),
            &operator,
        );
        let account = KeyPair::new_account();
        let account_jwt = encode(
            json!({"sub": account.public_key(), "name": "fleet",
                   "nats": {"limits": {"subs": -1, "data": -1, "payload": -1,
                                       "imports": -1, "exports": -1,
                                       "wildcards": true, "conn": -1, "leaf": -1},
                            "type": "account", "version": 2}}),
            &operator,
        );
        Operator {
            jwt,
            account,
            account_jwt,
        }
    }

    /// The servers' authentication lines: trust the operator, know the
    /// account.
    pub fn server_config(&self) -> String {
        format!(
            "operator: {}\nresolver: MEMORY\nresolver_preload: {{\n  {}: {}\n}}\n",
            self.jwt,
            self.account.public_key(),
            self.account_jwt
        )
    }

    /// A `.creds` file of a new user of the account, expiring at
    /// `expires` (unix time) if given.
    pub fn user_creds(&self, name: &str, expires: Option<u64>) -> String {
        creds(&self.account, name, expires)
    }
}

/// A `.creds` file of a new user `name` signed by `account`.
pub fn creds(account: &KeyPair, name: &str, expires: Option<u64>) -> String {
    let user = KeyPair::new_user();
    let mut claims = json!({"sub": user.public_key(), "name": name,
        "nats": {"pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1,
                 "type": "user", "version": 2}});
    if let Some(exp) = expires {
        claims["exp"] = json!(exp);
    }
    let jwt = encode(claims, account);
    let seed = user.seed().expect("a user's seed");
    format!(
        "-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n\
         ************************* IMPORTANT *************************\n\
         NKEY Seed printed below can be used to sign and prove identity.\n\n\
         -----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n\n\
         *************************************************************\n"
    )
}

/// An hour ago, for an expired user.
pub fn an_hour_ago() -> u64 {
    now() - 3600
}
