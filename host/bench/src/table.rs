//! The printed table.

#[derive(Default)]
pub struct Row {
    label: String,
    nipart: String,
    baseline: String,
    ratio: Option<f64>,
    target: Option<(String, bool)>,
}

impl Row {
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            ..Self::default()
        }
    }

    pub fn values(mut self, nipart: String, baseline: String) -> Self {
        self.nipart = nipart;
        self.baseline = baseline;
        self
    }

    /// nipart / baseline.
    pub fn ratio(mut self, r: f64) -> Self {
        self.ratio = Some(r);
        self
    }

    pub fn target(mut self, text: String, met: bool) -> Self {
        self.target = Some((text, met));
        self
    }
}

enum Line {
    Section(String),
    Row(Row),
}

#[derive(Default)]
pub struct Table {
    lines: Vec<Line>,
}

impl Table {
    pub fn section(&mut self, title: &str) {
        self.lines.push(Line::Section(title.to_string()));
    }

    pub fn push(&mut self, row: Row) {
        self.lines.push(Line::Row(row));
    }

    /// (met, total) over the rows that have a target.
    pub fn targets(&self) -> (usize, usize) {
        let with: Vec<bool> = self
            .lines
            .iter()
            .filter_map(|l| match l {
                Line::Row(r) => r.target.as_ref().map(|t| t.1),
                Line::Section(_) => None,
            })
            .collect();
        (with.iter().filter(|m| **m).count(), with.len())
    }

    pub fn print(&self) {
        let rows: Vec<[String; 6]> = self
            .lines
            .iter()
            .filter_map(|l| match l {
                Line::Row(r) => Some(cells(r)),
                Line::Section(_) => None,
            })
            .collect();
        let header = ["metric", "nipart", "baseline", "ratio", "target", "met"].map(String::from);
        let mut width = header.clone().map(|h| h.chars().count());
        for r in &rows {
            for (w, c) in width.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: &[String; 6]| {
            let mut out = String::new();
            for (i, (c, w)) in cells.iter().zip(width).enumerate() {
                let pad = " ".repeat(w - c.chars().count());
                // Text left, figures right.
                if i == 0 || i == 4 || i == 5 {
                    out.push_str(c);
                    out.push_str(&pad);
                } else {
                    out.push_str(&pad);
                    out.push_str(c);
                }
                out.push_str("  ");
            }
            out.trim_end().to_string()
        };
        let total: usize = width.iter().sum::<usize>() + 2 * (width.len() - 1);
        println!("{}", line(&header));
        let mut rows = rows.iter();
        for l in &self.lines {
            match l {
                Line::Section(title) => {
                    let dashes = total.saturating_sub(title.chars().count() + 4);
                    println!("-- {title} {}", "-".repeat(dashes));
                }
                Line::Row(_) => {
                    if let Some(r) = rows.next() {
                        println!("{}", line(r));
                    }
                }
            }
        }
    }
}

fn cells(r: &Row) -> [String; 6] {
    let (target, met) = match &r.target {
        Some((t, m)) => (t.clone(), if *m { "yes" } else { "NO" }.to_string()),
        None => (String::new(), String::new()),
    };
    [
        r.label.clone(),
        r.nipart.clone(),
        r.baseline.clone(),
        r.ratio.map_or_else(String::new, |x| format!("{x:.2}x")),
        target,
        met,
    ]
}

/// Events per second, with a unit.
pub fn rate(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.2} M", per_s / 1e6)
    } else if per_s >= 1e3 {
        format!("{:.1} k", per_s / 1e3)
    } else {
        format!("{per_s:.0}")
    }
}

pub fn nanos(ns: f64) -> String {
    format!("{ns:.0} ns")
}

/// Nanoseconds, shown in microseconds.
pub fn micros(ns: f64) -> String {
    format!("{:.1} µs", ns / 1e3)
}

pub fn millis(ms: f64) -> String {
    format!("{ms:.1} ms")
}
