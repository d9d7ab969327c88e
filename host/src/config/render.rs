//! `nipartd --check-config`: the merged configuration as TOML, every key
//! followed by the file it came from, then the problems.

use std::fmt::Write;

use super::{LoadedConfig, Severity};

/// The report `--check-config` prints: valid TOML (sources and problems are
/// comments), so that it can be saved and read back.
pub fn check_report(loaded: &LoadedConfig) -> String {
    let mut out = String::new();
    if loaded.files.is_empty() {
        out.push_str("# no configuration file: built-in defaults and options only\n");
    } else {
        out.push_str("# merged from (later files override earlier ones, key by key):\n");
        for f in &loaded.files {
            let _ = writeln!(out, "#   {}", f.display());
        }
    }
    match &loaded.config {
        Some(config) => match toml::Value::try_from(config) {
            Ok(toml::Value::Table(table)) => {
                out.push_str("# a key without a comment has its built-in default\n\n");
                render_table(&mut out, loaded, &table, "");
            }
            Ok(_) | Err(_) => {
                out.push_str("# (the configuration can't be shown as TOML)\n");
            }
        },
        None => out.push_str("\n# no merged configuration: see the errors below\n"),
    }
    let errors = loaded.errors().count();
    let warnings = loaded.warnings().count();
    if loaded.problems.is_empty() {
        out.push_str("\n# no problems\n");
    } else {
        let _ = writeln!(out, "\n# {errors} error(s), {warnings} warning(s):");
        for p in &loaded.problems {
            let what = match p.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let _ = writeln!(out, "# {what}: {p}");
        }
    }
    out
}

/// Scalars and arrays first, then sub-tables as `[section]`s (TOML requires
/// that order).
fn render_table(out: &mut String, loaded: &LoadedConfig, table: &toml::Table, prefix: &str) {
    for (key, value) in table.iter().filter(|(_, v)| !v.is_table()) {
        let path = join(prefix, key);
        let _ = write!(out, "{} = {value}", toml_key(key));
        match loaded.origins.get(&path) {
            Some(origin) => {
                let _ = writeln!(out, "  # {origin}");
            }
            None => out.push('\n'),
        }
    }
    for (key, value) in table.iter() {
        let toml::Value::Table(sub) = value else {
            continue;
        };
        let path = join(prefix, key);
        // `plugin` only holds sections: print `[plugin.NAME]` directly.
        let has_scalars = sub.values().any(|v| !v.is_table());
        // An empty `[plugin.NAME]` is a section; an empty `[plugin]` is not.
        if has_scalars || (sub.is_empty() && !prefix.is_empty()) {
            let header: Vec<String> = path.split('.').map(toml_key).collect();
            let _ = write!(out, "\n[{}]", header.join("."));
            match loaded.origins.get(&path) {
                Some(origin) if sub.is_empty() => {
                    let _ = writeln!(out, "  # {origin}");
                }
                _ => out.push('\n'),
            }
        }
        render_table(out, loaded, sub, &path);
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Origin, sources::LoadedConfig};

    #[test]
    fn the_report_is_toml_that_reads_back_to_the_same_configuration() {
        let loaded = LoadedConfig::from_text(
            "log_level = \"debug\"\n[api]\nmax_connections = 9\n[plugin.dhcp]\ntimeout = 3\nnested = { a = 1 }\n[plugin.\"odd name\"]\n",
            Origin::Text,
        );
        let report = check_report(&loaded);
        assert!(
            report.contains("log_level = \"debug\"  # <text>\n"),
            "{report}"
        );
        assert!(report.contains("\n[plugin.dhcp]\n"), "{report}");
        assert!(
            report.contains("\n[plugin.\"odd name\"]  # <text>\n"),
            "{report}"
        );
        assert!(
            report.contains("max_connections = 9  # <text>\n"),
            "{report}"
        );
        assert!(report.contains("\ninit_timeout_ms = 5000\n"), "{report}");
        let back = crate::DaemonConfig::from_toml(&report).unwrap();
        assert_eq!(Some(back), loaded.config);
    }
}
