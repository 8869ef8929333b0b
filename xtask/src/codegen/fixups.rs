//! Every correction the generator applies to the spec, in one place. The spec files are never
//! edited; these run on the parsed YAML tree before it is read as OpenAPI.

use serde_yaml_ng::{Mapping, Value};

/// Counters of what the fixups changed, printed by `cargo xtask codegen`.
#[derive(Debug, Default, Clone, Copy)]
pub struct FixupStats {
    /// `$ref` nodes with siblings (`nullable`, `description`, ...) rewritten to a single-`$ref` `allOf`.
    pub ref_siblings: usize,
    /// `items` dropped beside a declared non-array `type` (`mobile: {type: string, items: ..}`).
    pub stray_items: usize,
    /// List envelopes whose `data` is declared an object beside `items`, read as arrays.
    pub list_data: usize,
}

/// Applies every fixup to one spec document.
pub fn apply(doc: &mut Value, stats: &mut FixupStats) {
    walk(doc, stats);
}

/// OpenAPI 3.0 ignores siblings of `$ref`, and `openapiv3` drops them; Fyle's spec puts `nullable: true`
/// beside `$ref` 97 times and means it. Rewrite `{$ref: R, k: v...}` to `{allOf: [{$ref: R}], k: v...}`,
/// which keeps the meaning and survives parsing.
fn walk(node: &mut Value, stats: &mut FixupStats) {
    match node {
        Value::Mapping(map) => {
            let ref_key = Value::String("$ref".to_owned());
            if map.len() > 1
                && let Some(target) = map.remove(&ref_key)
            {
                let mut inner = Mapping::new();
                inner.insert(ref_key, target);
                map.insert(
                    Value::String("allOf".to_owned()),
                    Value::Sequence(vec![Value::Mapping(inner)]),
                );
                stats.ref_siblings += 1;
            }
            list_envelope_data(map, stats);
            drop_stray_items(map, stats);
            for (_, v) in map.iter_mut() {
                walk(v, stats);
            }
        }
        Value::Sequence(seq) => {
            for v in seq {
                walk(v, stats);
            }
        }
        _ => {}
    }
}

/// A declared `type` wins over a stray `items`: the spec writes `mobile`, `branch_account` and
/// `branch_ifsc` as `{type: string, items: {type: string}}` and the servers send a string. Left
/// alone, `openapiv3` cannot read the node as a string and `items` made it an array.
fn drop_stray_items(map: &mut Mapping, stats: &mut FixupStats) {
    let declared = map
        .get(Value::String("type".to_owned()))
        .and_then(Value::as_str);
    if declared.is_some_and(|t| t != "array")
        && map.remove(Value::String("items".to_owned())).is_some()
    {
        stats.stray_items += 1;
    }
}

/// In a list envelope (`properties: {count, offset, data}`), `data: {type: object, items: X}` is
/// a list of `X`: the envelope is the one every paginated list answers, and the one such
/// operation (`POST /admin/statements/suggest_mappings`) promises filtering and pagination. The
/// independent conformance walker reads the declared `object`; the lenient decode accepts a lone
/// object as a one-item list, so either shape decodes.
fn list_envelope_data(map: &mut Mapping, stats: &mut FixupStats) {
    let key = |k: &str| Value::String(k.to_owned());
    let Some(Value::Mapping(props)) = map.get_mut(key("properties")) else {
        return;
    };
    if !props.contains_key(key("count")) || !props.contains_key(key("offset")) {
        return;
    }
    let Some(Value::Mapping(data)) = props.get_mut(key("data")) else {
        return;
    };
    if data.get(key("type")).and_then(Value::as_str) == Some("object")
        && data.contains_key(key("items"))
    {
        data.insert(key("type"), key("array"));
        stats.list_data += 1;
    }
}

/// Component schemas that stand for JSON `null` although their declaration says otherwise:
/// `null_field` is declared `{type: string, nullable: true}` and only ever used as the null arm of an
/// `anyOf` (`joined_at: anyOf [null_field, timestamptz_utc]`).
pub const NULL_SCHEMAS: &[&str] = &["null_field"];

/// The one operation without an `operationId` gets this derived name (from its path).
pub fn derived_operation_id(path: &str) -> String {
    let mut segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if segs.len() > 1 {
        segs.remove(0);
    }
    segs.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_beside_ref_becomes_all_of() {
        let mut doc: Value =
            serde_yaml_ng::from_str("a:\n  $ref: '#/x'\n  nullable: true\nb:\n  $ref: '#/y'\n")
                .unwrap();
        let mut stats = FixupStats::default();
        apply(&mut doc, &mut stats);
        assert_eq!(stats.ref_siblings, 1);
        let a = &doc["a"];
        assert_eq!(a["nullable"], Value::Bool(true));
        assert_eq!(a["allOf"][0]["$ref"], Value::String("#/x".into()));
        assert_eq!(doc["b"]["$ref"], Value::String("#/y".into()));
    }

    #[test]
    fn a_list_envelope_reads_data_with_items_as_an_array() {
        let text = "properties:\n  count: {type: integer}\n  offset: {type: integer}\n  data:\n    type: object\n    items: {$ref: '#/x'}\n";
        let mut doc: Value = serde_yaml_ng::from_str(text).unwrap();
        let mut stats = FixupStats::default();
        apply(&mut doc, &mut stats);
        assert_eq!((stats.list_data, stats.stray_items), (1, 0));
        let data = &doc["properties"]["data"];
        assert_eq!(data["type"], Value::String("array".into()));
        assert!(data["items"]["allOf"].is_sequence() || data["items"]["$ref"].is_string());
    }

    #[test]
    fn declared_type_wins_over_stray_items() {
        let mut doc: Value = serde_yaml_ng::from_str(
            "mobile:\n  type: string\n  items: {type: string}\nids:\n  type: array\n  items: {type: string}\n",
        )
        .unwrap();
        let mut stats = FixupStats::default();
        apply(&mut doc, &mut stats);
        assert_eq!(stats.stray_items, 1);
        assert!(doc["mobile"].get("items").is_none());
        assert!(doc["ids"].get("items").is_some());
    }

    #[test]
    fn derived_id_drops_role() {
        assert_eq!(
            derived_operation_id("/admin/expenses/delete/bulk"),
            "expenses_delete_bulk"
        );
    }
}
