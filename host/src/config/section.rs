//! A plugin's `[plugin.NAME]` section as the JSON the plugin reads, with
//! the span of every value in that text, so that an error the plugin meets
//! at an offset of the JSON is reported where the operator wrote the value
//! (the file, line and column of the TOML; see [`super::PluginPositions`]).
//!
//! Invariant: [`SectionJson::json`] is byte for byte what
//! `serde_json::to_string` makes of the table (a test keeps it so).

use std::fmt::Write as _;

use super::{PluginPositions, Position};

/// The section's JSON and where each value of it lies.
#[derive(Debug, Clone, Default)]
pub struct SectionJson {
    pub json: String,
    /// (start, end, path) of every value, `end` exclusive; paths as
    /// `servers[0].port`, `.` for the section itself.
    spans: Vec<(usize, usize, String)>,
    /// Where the section's keys were written.
    positions: PluginPositions,
    name: String,
}

impl SectionJson {
    /// The section of plugin `name` (`{}` when absent).
    pub fn new(name: &str, table: Option<&toml::Table>, positions: &PluginPositions) -> Self {
        let mut out = Self {
            json: String::new(),
            spans: Vec::new(),
            positions: positions.clone(),
            name: name.to_string(),
        };
        match table {
            Some(t) => out.table(t, "."),
            None => out.json.push_str("{}"),
        }
        out
    }

    /// The key path of the innermost value at `offset` of the JSON, and
    /// where it was written, as `FILE:LINE:COLUMN: plugin.NAME.PATH` (the
    /// position is left out for a value that came from no file).
    pub fn locate(&self, offset: usize) -> Option<String> {
        let (_, _, path) = self
            .spans
            .iter()
            .filter(|(start, end, _)| *start <= offset && offset < *end)
            .min_by_key(|(start, end, _)| end - start)?;
        let key = match path.as_str() {
            "." => format!("plugin.{}", self.name),
            p if p.starts_with('[') => format!("plugin.{}{p}", self.name),
            p => format!("plugin.{}.{p}", self.name),
        };
        Some(match self.positions.find(&self.name, path) {
            Some(Position { file, line, column }) => {
                format!("{}:{line}:{column}: {key}", file.display())
            }
            None => key,
        })
    }

    fn table(&mut self, t: &toml::Table, path: &str) {
        let start = self.json.len();
        self.json.push('{');
        for (i, (key, value)) in t.iter().enumerate() {
            if i > 0 {
                self.json.push(',');
            }
            self.scalar(key);
            self.json.push(':');
            let p = if path == "." {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            self.value(value, &p);
        }
        self.json.push('}');
        self.spans.push((start, self.json.len(), path.to_string()));
    }

    fn value(&mut self, v: &toml::Value, path: &str) {
        match v {
            toml::Value::Table(t) => self.table(t, path),
            toml::Value::Array(a) => {
                let start = self.json.len();
                self.json.push('[');
                for (i, item) in a.iter().enumerate() {
                    if i > 0 {
                        self.json.push(',');
                    }
                    let p = if path == "." {
                        format!("[{i}]")
                    } else {
                        format!("{path}[{i}]")
                    };
                    self.value(item, &p);
                }
                self.json.push(']');
                self.spans.push((start, self.json.len(), path.to_string()));
            }
            scalar => {
                let start = self.json.len();
                self.scalar(scalar);
                self.spans.push((start, self.json.len(), path.to_string()));
            }
        }
    }

    /// A key or a scalar, as serde_json writes it.
    fn scalar(&mut self, v: &(impl serde::Serialize + ?Sized)) {
        match serde_json::to_string(v) {
            Ok(text) => self.json.push_str(&text),
            // A non-finite float: what serde_json writes for it in a table.
            Err(_) => {
                let _ = write!(self.json, "null");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn the_json_is_serde_jsons_and_offsets_lead_to_the_toml() {
        let text = "[plugin.dhcp]\ntimeout = 3\nname = \"x\\\"y\"\nwhen = 1979-05-27T07:32:00Z\nservers = [{ port = 67 }, { port = \"68\" }]\n[plugin.dhcp.deep]\nf = 1.5\n";
        let table: toml::Table = toml::from_str(text).unwrap();
        let dhcp = table["plugin"]["dhcp"].as_table().unwrap();
        let file = PathBuf::from("/etc/nipart/nipartd.toml");
        let config = crate::config::LoadedConfig::from_text(text, crate::config::Origin::Text);
        assert!(config.config.is_some());
        let mut positions = PluginPositions::default();
        super::super::sources::record_plugin_positions(text, &file, &mut positions.0);
        let s = SectionJson::new("dhcp", Some(dhcp), &positions);
        assert_eq!(s.json, serde_json::to_string(dhcp).unwrap());

        let at = |needle: &str| s.json.find(needle).unwrap() + needle.len() - 1;
        assert_eq!(
            s.locate(at("\"68\"")).as_deref(),
            Some("/etc/nipart/nipartd.toml:5:36: plugin.dhcp.servers[1].port")
        );
        assert_eq!(
            s.locate(at(":3")).as_deref(),
            Some("/etc/nipart/nipartd.toml:2:11: plugin.dhcp.timeout")
        );
        assert_eq!(
            s.locate(s.json.len() - 1).as_deref(),
            Some("/etc/nipart/nipartd.toml:1:1: plugin.dhcp")
        );
        let none = SectionJson::new("kernel", None, &positions);
        assert_eq!(none.json, "{}");
    }
}
