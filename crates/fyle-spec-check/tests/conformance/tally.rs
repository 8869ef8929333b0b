//! Counting outcomes per instance kind and grouping failures into readable signatures.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Outcome counts of one side (responses or requests).
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Distinct (type, spec file, schema) targets.
    pub(crate) schemas: usize,
    /// Instances built.
    pub(crate) instances: usize,
    /// Instances the spec itself rejects (bugs of the builder).
    pub(crate) rejected_by_spec: Vec<String>,
    /// Spec examples replaced because the spec rejects them.
    pub(crate) replaced_examples: usize,
    /// Instances that decoded (plain serde, else the facade's lenient decoder).
    pub(crate) decoded: usize,
    /// Instances plain serde decoded on its own.
    pub(crate) strict_decoded: usize,
    /// Instances only the lenient decoder decoded.
    pub(crate) repaired_instances: usize,
    /// Warnings the lenient decoder gave (one per repaired value).
    pub(crate) warnings: usize,
    /// Warning class (repair, expected, got) -> one example `Type.path`.
    pub(crate) warning_kinds: BTreeMap<String, String>,
    /// Instances whose re-encoding the spec accepts (request side only).
    pub(crate) valid: usize,
    /// Instances that came back without loss.
    pub(crate) lossless: usize,
    /// Failures covered by an exceptions entry (reason given there), by entry.
    pub(crate) excepted: BTreeMap<usize, usize>,
    /// Losses a side's own rule allows (unknown fields of input types are never sent).
    pub(crate) allowed: usize,
    /// Per kind: (instances, decoded, lossless).
    pub(crate) per_kind: BTreeMap<&'static str, (usize, usize, usize)>,
    /// Failure class -> (count, types affected, one example).
    pub(crate) failures: BTreeMap<String, (usize, BTreeSet<String>, String)>,
    /// Targets without a compiled generated type.
    pub(crate) untyped: Vec<String>,
    /// Targets the operation table leaves as `serde_json::Value` (not checked: nothing to lose).
    pub(crate) left_as_value: BTreeSet<String>,
}

impl Tally {
    /// Records one failure of `type_name` at `path` (folded) under its class: what happened to
    /// which field, whatever the type, so one generator bug is one line. Returns `false` (and only
    /// counts it) when an exceptions entry covers it.
    pub(crate) fn fail(
        &mut self,
        what: &str,
        type_name: &str,
        path: &str,
        message: &str,
        example: String,
    ) -> bool {
        if let Some(i) = crate::exceptions::find(what, type_name, path, message) {
            *self.excepted.entry(i).or_default() += 1;
            return false;
        }
        let field = path
            .rsplit(['/', '.'])
            .find(|seg| !seg.is_empty() && *seg != "[]")
            .unwrap_or("(root)");
        let class = format!("{what} `{field}`: {}", strip_values(message));
        let e = self
            .failures
            .entry(class)
            .or_insert_with(|| (0, BTreeSet::new(), example));
        e.0 += 1;
        e.1.insert(format!("{type_name}{path}"));
        true
    }

    /// The exceptions that applied, with counts and reasons.
    pub(crate) fn exceptions_report(&self) -> String {
        let mut s = String::new();
        for (i, e) in crate::exceptions::EXCEPTIONS.iter().enumerate() {
            let n = self.excepted.get(&i).copied().unwrap_or(0);
            let _ = writeln!(
                s,
                "  excepted {n:>4} x {} {}*{}: {}\n      because {}",
                e.what, e.type_prefix, e.path_suffix, e.message, e.reason
            );
        }
        s
    }

    /// Number of failed checks.
    pub(crate) fn failed(&self) -> usize {
        self.failures.values().map(|f| f.0).sum()
    }

    /// The headline and per-kind lines.
    pub(crate) fn summary(&self, side: &str) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "{side}: schemas {}, instances {}, decoded {}, lossless {}",
            self.schemas, self.instances, self.decoded, self.lossless
        );
        if side == "requests" {
            let _ = write!(s, ", spec-valid after encoding {}", self.valid);
        }
        let _ = writeln!(
            s,
            " (spec examples replaced {}, builder instances rejected by the spec {}, targets without a type {}, payloads typed serde_json::Value by the table {}, excepted failures {}, allowed drops {})",
            self.replaced_examples,
            self.rejected_by_spec.len(),
            self.untyped.len(),
            self.left_as_value.len(),
            self.excepted.values().sum::<usize>(),
            self.allowed
        );
        let _ = writeln!(
            s,
            "  strict serde decoded {}; the lenient decoder (as the facade) decoded {} more with {} warnings",
            self.strict_decoded, self.repaired_instances, self.warnings
        );
        for (class, example) in &self.warning_kinds {
            let _ = writeln!(s, "    warning {class} (e.g. {example})");
        }
        for (kind, (n, d, l)) in &self.per_kind {
            let _ = writeln!(
                s,
                "  {kind:<14} instances {n:>5}, decoded {d:>5}, lossless {l:>5}"
            );
        }
        s
    }

    /// The failure classes, most frequent first, with the places and one example each.
    pub(crate) fn failure_report(&self, limit: usize) -> String {
        let mut v: Vec<_> = self.failures.iter().collect();
        v.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
        let mut s = format!("{} failed checks in {} classes:\n", self.failed(), v.len());
        for (class, (n, places, example)) in v.into_iter().take(limit) {
            let shown: Vec<_> = places.iter().take(4).map(String::as_str).collect();
            let more = places.len().saturating_sub(shown.len());
            let _ = writeln!(
                s,
                "  {n:>4} x {class}\n         at {}{}\n         e.g. {example}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            );
        }
        s
    }
}

/// A JSON pointer with array indexes folded to `[]`, so one bug is one signature.
pub(crate) fn fold_path(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                "[]"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A decode error's path (`decode at a.b[0].c: ...`) with indexes folded, and its message.
pub(crate) fn fold_decode_error(err: &str) -> (String, String) {
    let rest = err.strip_prefix("decode at ").unwrap_or(err);
    let (path, msg) = rest.split_once(": ").unwrap_or(("?", rest));
    let mut folded = String::new();
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                folded.push_str("[]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => folded.push(c),
        }
    }
    // Messages carry the offending value; keep the part that names the expectation.
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    (folded, msg.to_owned())
}

/// A message without the quoted values in it (`invalid type: string "+1213"` -> `string "…"`).
fn strip_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '"' if !quoted => {
                quoted = true;
                out.push_str("\"…");
            }
            '"' => {
                quoted = false;
                out.push('"');
            }
            _ if quoted => {}
            _ => out.push(c),
        }
    }
    out
}
