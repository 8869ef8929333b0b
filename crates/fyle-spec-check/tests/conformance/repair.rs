//! The lenient decoder's repairs replayed on an instance, so a repaired decode is compared with
//! what it was allowed to change and nothing else: a dropped item or removed field is removed
//! from the original too, and a value turned into text or converted may differ at its own path.

use fyle_models::lenient::{DecodeWarning, Repair};
use serde_json::Value;

/// One step of a warning's path (`data[3].approver_user_ids[1]`).
enum Step {
    Key(String),
    Index(usize),
}

/// `a.b[3].c` -> `[Key(a), Key(b), Index(3), Key(c)]`; `None` for a path this reader cannot follow.
fn steps(path: &str) -> Option<Vec<Step>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key.to_owned()));
        }
        while !rest.is_empty() {
            let (index, tail) = rest.split_once(']')?;
            out.push(Step::Index(index.parse().ok()?));
            rest = tail.strip_prefix('[').unwrap_or(tail);
        }
    }
    Some(out)
}

/// A JSON pointer for `steps` (what the lossless comparison reports).
fn pointer(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| match s {
            Step::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// Removes the value at `steps` from `doc` (an array item or an object field).
fn remove(doc: &mut Value, steps: &[Step]) -> bool {
    let Some((last, parents)) = steps.split_last() else {
        return false;
    };
    let mut at = doc;
    for s in parents {
        let next = match (s, at) {
            (Step::Key(k), Value::Object(m)) => m.get_mut(k),
            (Step::Index(i), Value::Array(a)) => a.get_mut(*i),
            _ => None,
        };
        let Some(next) = next else { return false };
        at = next;
    }
    match (last, at) {
        (Step::Key(k), Value::Object(m)) => m.remove(k).is_some(),
        (Step::Index(i), Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
            true
        }
        _ => false,
    }
}

/// `original` with every dropped item and removed field taken out (in the decoder's order, so each
/// path means what it meant then), and the pointers of values the decoder was allowed to change.
/// `Err` names a warning whose path could not be replayed.
pub(crate) fn replay(
    original: &Value,
    warnings: &[DecodeWarning],
) -> Result<(Value, Vec<String>), String> {
    let mut doc = original.clone();
    let mut changed = Vec::new();
    for w in warnings {
        let s = steps(&w.path).ok_or_else(|| format!("unreadable warning path {}", w.path))?;
        match w.repair {
            Repair::DroppedItem | Repair::RemovedField => {
                if !remove(&mut doc, &s) {
                    return Err(format!("no value at warning path {}", w.path));
                }
            }
            _ => changed.push(pointer(&s)),
        }
    }
    Ok((doc, changed))
}

#[test]
fn replays_a_dropped_item_and_a_removed_field() {
    let original = serde_json::json!({"ids": ["a", null, "b"], "x": {"flag": "weird"}});
    let w = |path: &str, repair| DecodeWarning {
        path: path.to_owned(),
        expected: "a string".to_owned(),
        got: "null".to_owned(),
        repair,
    };
    let warnings = [
        w("ids[1]", Repair::DroppedItem),
        w("x.flag", Repair::RemovedField),
    ];
    let (doc, changed) = replay(&original, &warnings).expect("replayable");
    assert_eq!(doc, serde_json::json!({"ids": ["a", "b"], "x": {}}));
    assert!(changed.is_empty());
    let (_, changed) = replay(&original, &[w("x.flag", Repair::AsText)]).expect("replayable");
    assert_eq!(changed, ["/x/flag"]);
}
