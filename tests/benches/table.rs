//! The one printed table of the bench, and the number formats its rows use.

use std::fmt::Write as _;
use std::time::Duration;

/// Rows of the printed table: (section, measure, value).
#[derive(Default)]
pub(crate) struct Table {
    rows: Vec<(String, String, String)>,
}

impl Table {
    /// Adds a row, and echoes it on stderr as it is measured.
    pub(crate) fn row(
        &mut self,
        section: &str,
        measure: impl Into<String>,
        value: impl Into<String>,
    ) {
        let (measure, value) = (measure.into(), value.into());
        eprintln!("  {section} | {measure}: {value}");
        self.rows.push((section.to_owned(), measure, value));
    }

    /// A rate row: `20,000 items/s` (`unit` = "items/s", "rows/s", "MB/s"...).
    pub(crate) fn rate(&mut self, section: &str, measure: &str, per_second: f64, unit: &str) {
        self.row(
            section,
            measure,
            format!("{} {unit}", thousands(per_second)),
        );
    }

    /// A ratio row, two decimals.
    pub(crate) fn ratio(&mut self, section: &str, measure: &str, ratio: f64) {
        self.row(section, measure, format!("{ratio:.2}"));
    }

    /// The table, aligned, each section named once.
    pub(crate) fn render(&self) -> String {
        let width = |pick: fn(&(String, String, String)) -> usize, title: usize| {
            self.rows.iter().map(pick).max().unwrap_or(0).max(title)
        };
        let w0 = width(|r| r.0.chars().count(), "section".len());
        let w1 = width(|r| r.1.chars().count(), "measure".len());
        let mut out = String::new();
        let _ = writeln!(out, "{:<w0$}  {:<w1$}  value", "section", "measure");
        let _ = writeln!(
            out,
            "{}  {}  {}",
            "-".repeat(w0),
            "-".repeat(w1),
            "-".repeat(24)
        );
        let mut last = "";
        for (section, measure, value) in &self.rows {
            let shown = if section == last {
                ""
            } else {
                section.as_str()
            };
            last = section;
            let _ = writeln!(out, "{shown:<w0$}  {measure:<w1$}  {value}");
        }
        out
    }
}

/// `items` per second over `elapsed`.
pub(crate) fn per_second(items: u64, elapsed: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let items = items as f64;
    items / elapsed.as_secs_f64().max(f64::EPSILON)
}

/// A whole number with thousands separators (`20,000`).
pub(crate) fn thousands(value: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // display only
    let digits = (value.max(0.0).round() as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as KiB.
pub(crate) fn kb(bytes: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)] // display only
    let bytes = bytes as f64;
    bytes / 1024.0
}

/// A count as f64 (display arithmetic only).
pub(crate) fn f(count: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let count = count as f64;
    count
}
