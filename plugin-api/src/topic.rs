//! Topics and topic patterns.
//!
//! A topic is one or more dot-separated segments of `a-z`, `0-9`, `_` and
//! `-`, e.g. `link.up` or `dhcp.lease`. A pattern is the same with two
//! wildcards: `*` stands for exactly one segment and `**`, allowed only as
//! the last segment, for zero or more segments.
//!
//! | pattern      | matches                     | does not match       |
//! | ------------ | --------------------------- | -------------------- |
//! | `link.up`    | `link.up`                   | `link.up.eth0`       |
//! | `link.*`     | `link.up`, `link.down`      | `link`, `link.a.b`   |
//! | `*.lease`    | `dhcp.lease`                | `dhcp.v6.lease`      |
//! | `dhcp.**`    | `dhcp`, `dhcp.lease`, `dhcp.a.b` | `dhcpv6.lease`  |
//! | `**`         | everything                  |                      |
//!
//! ```
//! use nipart_plugin_api::TopicPattern;
//! let p = TopicPattern::parse("link.*").unwrap();
//! assert!(p.matches("link.up"));
//! assert!(!p.matches("link.up.eth0"));
//! assert!(TopicPattern::parse("link.**.up").is_err());
//! ```

use std::fmt;

use crate::{Error, Result};

fn valid_segment(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Checks that `topic` is a valid concrete topic (no wildcards).
pub fn validate_topic(topic: &str) -> Result<()> {
    // One pass over the bytes (the bus checks every event it routes): every
    // byte a segment character or a dot, no empty segment.
    const fn classes() -> [u8; 256] {
        // 1: a segment character, 2: the separator, 0: anything else.
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-' {
                t[b] = 1;
            }
            b += 1;
        }
        t[b'.' as usize] = 2;
        t
    }
    static CLASS: [u8; 256] = classes();
    let mut previous = 2; // as if after a dot: an empty first segment is caught
    let mut ok = true;
    for &b in topic.as_bytes() {
        let class = CLASS[b as usize];
        // No invalid byte, no dot right after a dot (or at the start).
        ok &= class != 0 && (class | previous) != 2;
        previous = class;
    }
    if ok && previous == 1 {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "invalid topic {topic:?}: expected dot-separated segments of a-z, 0-9, '_' or '-'"
        )))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Literal(String),
    One,
    Rest,
}

/// A parsed topic pattern (see the [module docs](self) for the grammar).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicPattern {
    text: String,
    segments: Vec<Segment>,
}

impl TopicPattern {
    pub fn parse(pattern: &str) -> Result<Self> {
        let parts: Vec<&str> = pattern.split('.').collect();
        let mut segments = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let seg = match *part {
                "*" => Segment::One,
                "**" if i + 1 == parts.len() => Segment::Rest,
                "**" => {
                    return Err(Error::invalid_input(format!(
                        "invalid topic pattern {pattern:?}: '**' is only allowed as the last segment"
                    )));
                }
                s if valid_segment(s) => Segment::Literal(s.to_string()),
                s => {
                    return Err(Error::invalid_input(format!(
                        "invalid topic pattern {pattern:?}: segment {s:?} must be '*', '**' or made of a-z, 0-9, '_', '-'"
                    )));
                }
            };
            segments.push(seg);
        }
        Ok(Self {
            text: pattern.to_string(),
            segments,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `topic` matches. Does not allocate.
    pub fn matches(&self, topic: &str) -> bool {
        let mut parts = topic.split('.');
        for seg in &self.segments {
            match seg {
                Segment::Rest => return true,
                Segment::One => {
                    if parts.next().is_none() {
                        return false;
                    }
                }
                Segment::Literal(lit) => match parts.next() {
                    Some(p) if p == lit => {}
                    _ => return false,
                },
            }
        }
        parts.next().is_none()
    }
}

impl fmt::Display for TopicPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        let cases = [
            ("link.up", "link.up", true),
            ("link.up", "link.up.eth0", false),
            ("link.*", "link.up", true),
            ("link.*", "link", false),
            ("link.*", "link.a.b", false),
            ("*.lease", "dhcp.lease", true),
            ("*.lease", "dhcp.v6.lease", false),
            ("dhcp.**", "dhcp", true),
            ("dhcp.**", "dhcp.lease", true),
            ("dhcp.**", "dhcp.a.b", true),
            ("dhcp.**", "dhcpv6.lease", false),
            ("**", "anything.at.all", true),
        ];
        for (pattern, topic, expected) in cases {
            let p = TopicPattern::parse(pattern).unwrap();
            assert_eq!(p.matches(topic), expected, "{pattern} vs {topic}");
        }
    }

    #[test]
    fn rejects_bad_patterns_and_topics() {
        for bad in ["", "a..b", "a.**.b", "Link.up", "a b", "a.*x"] {
            let err = TopicPattern::parse(bad).unwrap_err();
            assert!(
                err.message().contains("invalid topic pattern"),
                "{bad}: {err}"
            );
        }
        assert!(validate_topic("link.up").is_ok());
        for bad in ["", "link.*", "link..up", "LINK"] {
            assert!(validate_topic(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validate_topic_agrees_with_the_segment_grammar() {
        let cases = [
            "a",
            "a.b",
            "a-b_c.0.z9",
            ".",
            ".a",
            "a.",
            "a..b",
            "..",
            "a.b.",
            "é",
            "a.é",
            "a b",
            "a/b",
            "A",
            "a.B",
            "-",
            "_._",
            "a.*",
            "**",
        ];
        for t in cases {
            let by_segments = t.split('.').all(valid_segment);
            assert_eq!(validate_topic(t).is_ok(), by_segments, "{t:?}");
        }
    }
}
