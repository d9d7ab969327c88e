//! `[plugin.commander]`.

use nipart_plugin_api::{Error, Result};
use serde::Deserialize;

/// `[plugin.commander]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Verification attempts before giving up (at least 1).
    pub verify_retries: u32,
    /// Pause between verification attempts.
    pub verify_interval_ms: u64,
    /// How long one plugin may take to answer a query, plan or verify.
    pub query_timeout_ms: u64,
    /// How long one plugin may take to apply its part.
    pub apply_timeout_ms: u64,
    /// Roles that receive every desired state to apply after the plan's
    /// own parts (e.g. a plugin that owns state the `state` plugin does
    /// not know of yet).
    pub extra_roles: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            verify_retries: 5,
            verify_interval_ms: 1000,
            query_timeout_ms: 30_000,
            apply_timeout_ms: 300_000,
            extra_roles: Vec::new(),
        }
    }
}

impl Config {
    pub fn check(&self) -> Result<()> {
        if self.verify_retries == 0 {
            return Err(Error::invalid_input(
                "[plugin.commander] verify_retries must be at least 1",
            ));
        }
        Ok(())
    }
}
