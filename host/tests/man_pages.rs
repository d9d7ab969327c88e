//! The hand-written man pages in `packaging/man/`: they render without a
//! warning, and nipartd.toml(5) documents every configuration key, so that
//! the page can't drift from the code.

use std::{path::PathBuf, process::Command};

fn page(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../packaging/man")
        .join(name)
}

#[test]
fn man_pages_render_without_warnings() {
    nipart_testkit::require("groff");
    for name in ["nipartd.8", "nipartd.toml.5"] {
        let path = page(name);
        let out = Command::new("groff")
            .args(["-man", "-ww", "-z"])
            .arg(&path)
            .output()
            .unwrap_or_else(|e| panic!("running groff (package groff-base) on {name}: {e}"));
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && warnings.is_empty(),
            "{name}: groff {}:\n{warnings}",
            out.status
        );
    }
}

#[test]
fn nipartd_toml_5_documents_every_key() {
    let text = std::fs::read_to_string(page("nipartd.toml.5")).unwrap();
    let mut config = nipartd::DaemonConfig::default();
    // Optional keys only serialize when set.
    config.api.admin_group = Some("netadmin".into());
    let toml::Value::Table(table) = toml::Value::try_from(&config).unwrap() else {
        panic!("the configuration serializes as a table");
    };
    let mut missing = Vec::new();
    for (key, value) in &table {
        match (key.as_str(), value) {
            ("plugin", _) => {
                if !text.contains("\n.SH [plugin.NAME]\n") {
                    missing.push("[plugin.NAME]".to_string());
                }
            }
            (section, toml::Value::Table(keys)) => {
                if !text.contains(&format!("\n.SH [{section}]\n")) {
                    missing.push(format!("[{section}]"));
                }
                for key in keys.keys() {
                    if !text.contains(&format!("\n.BR {key} ")) {
                        missing.push(format!("{section}.{key}"));
                    }
                }
            }
            (key, _) => {
                if !text.contains(&format!("\n.BR {key} ")) {
                    missing.push(key.to_string());
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "nipartd.toml(5) does not document {missing:?}"
    );
    // The restart-only keys are marked as such.
    for key in nipartd::config::RESTART_KEYS {
        let key = key.rsplit('.').next().unwrap_or(key);
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!(".BR {key} ")))
            .unwrap_or_default();
        assert!(line.contains("; restart)"), "{key}: {line:?}");
    }
}
