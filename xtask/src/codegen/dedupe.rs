//! Merging identical generated types: the spec repeats the same string enum (`KM`/`MILES` nine
//! times) and the same object (per role, per callback) under many names. Each distinct definition
//! becomes one type; every other name stays as `pub type Old = New;` so code that names it compiles.
//!
//! Runs after roles and input/output marks are final, because both change what a type compiles to
//! (`Patch<T>` fields on inputs, the `extra` map on outputs) and so belong to its identity.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::ToSnakeCase;

use super::emit_types::keeps_extra;
use super::model::{Def, Model, Ty, TypeDef};

/// Counts before and after the merge, for the codegen report.
#[derive(Debug, Default, Clone, Copy)]
pub struct DedupeStats {
    pub enums_before: usize,
    pub enums_after: usize,
    pub structs_before: usize,
    pub structs_after: usize,
}

/// Merges identical enums, then identical structs (repeatedly: merging enums makes structs that
/// used different enum names identical, and merging structs does the same one level up).
pub fn run(m: &mut Model) -> DedupeStats {
    let mut stats = DedupeStats {
        enums_before: count(m, |d| matches!(d, Def::Enum(_))),
        structs_before: count(m, |d| matches!(d, Def::Struct(_))),
        ..DedupeStats::default()
    };
    merge_round(m, enum_key);
    while merge_round(m, struct_key) > 0 {}
    stats.enums_after = count(m, |d| matches!(d, Def::Enum(_)));
    stats.structs_after = count(m, |d| matches!(d, Def::Struct(_)));
    stats
}

fn count(m: &Model, f: fn(&Def) -> bool) -> usize {
    m.types
        .values()
        .filter(|t| !t.roles.is_empty() && f(&t.def))
        .count()
}

/// An enum's identity: its set of wire values (order and variant names follow from the values).
fn enum_key(t: &TypeDef) -> Option<String> {
    let Def::Enum(vs) = &t.def else { return None };
    let set: BTreeSet<&str> = vs.iter().map(|(_, w)| w.as_str()).collect();
    Some(format!("enum {set:?}"))
}

/// A struct's identity: everything the emitted struct depends on (field names, wire names, types,
/// nullability, requiredness) plus the marks that change its emitted shape.
fn struct_key(t: &TypeDef) -> Option<String> {
    let Def::Struct(fs) = &t.def else { return None };
    let fields: Vec<String> = fs
        .iter()
        .map(|f| {
            format!(
                "{}={}:{:?}:{}:{}",
                f.rust, f.json, f.ty, f.nullable, f.required
            )
        })
        .collect();
    Some(format!(
        "struct input={} extra={} open={} {}",
        t.input,
        keeps_extra(t),
        t.open,
        fields.join(",")
    ))
}

/// One pass: groups emitted types by `key`, keeps one per group and turns the others into aliases.
/// Returns how many types became aliases.
fn merge_round(m: &mut Model, key: fn(&TypeDef) -> Option<String>) -> usize {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in m.types.values().filter(|t| !t.roles.is_empty()) {
        if let Some(k) = key(t) {
            groups.entry(k).or_default().push(t.name.clone());
        }
    }
    let mut renames: HashMap<String, String> = HashMap::new();
    for members in groups.values().filter(|g| g.len() > 1) {
        let keep = merged_name(m, members);
        absorb(m, &keep, members);
        for old in members.iter().filter(|n| **n != keep) {
            renames.insert(old.clone(), keep.clone());
        }
    }
    rewrite_all(m, &renames);
    renames.len()
}

/// Turns `old` into `pub type Old = New;`, with `why` as its doc.
pub fn alias_to(m: &mut Model, old: &str, new: &str, why: &str) {
    if let Some(t) = m.types.get_mut(old) {
        t.def = Def::Alias(Ty::Named(new.to_owned()));
        t.facts = vec![why.to_owned()];
    }
}

/// Points every use of a renamed type (keys of `renames`) at its new name.
pub fn rewrite_all(m: &mut Model, renames: &HashMap<String, String>) {
    for t in m.types.values_mut() {
        if !renames.contains_key(&t.name) {
            rewrite_def(&mut t.def, renames);
        }
    }
}

/// Makes `keep` the one definition of the group (creating it when the name is new) and every other
/// member an alias of it.
fn absorb(m: &mut Model, keep: &str, members: &[String]) {
    let mut merged: TypeDef = m
        .types
        .get(keep)
        .filter(|t| members.contains(&t.name))
        .unwrap_or(&m.types[&members[0]])
        .clone();
    let mut origins = Vec::new();
    for n in members {
        let t = &m.types[n];
        merged.roles.extend(t.roles.iter().cloned());
        merged.input |= t.input;
        merged.output |= t.output;
        origins.push(t.origin.clone());
    }
    if !members.iter().any(|n| n == keep) {
        keep.clone_into(&mut merged.name);
        merged.origin = merged_origin(&origins);
        merged.facts.clear();
    }
    for n in members.iter().filter(|n| *n != keep) {
        alias_to(
            m,
            n,
            keep,
            &format!("the same type as `{keep}` (identical definitions are merged)"),
        );
    }
    m.types.insert(keep.to_owned(), merged);
}

/// `` `state` of 3 schemas (`a.state`, `b.state`, `c.state`) ``, capped so docs stay short.
fn merged_origin(origins: &[String]) -> String {
    let mut shown: Vec<String> = origins
        .iter()
        .take(4)
        .map(|o| format!("`{}`", o.trim_start_matches("schema ").trim_matches('`')))
        .collect();
    if origins.len() > shown.len() {
        shown.push(format!("and {} more", origins.len() - shown.len()));
    }
    format!(
        "{} identical definitions: {}",
        origins.len(),
        shown.join(", ")
    )
}

/// The name a group keeps: the name of a member that is a whole component schema (what the spec
/// calls it); else the words all member names end with, when that is at least two words and free;
/// else the shortest member name.
fn merged_name(m: &Model, members: &[String]) -> String {
    let shortest = |it: &mut dyn Iterator<Item = &String>| -> Option<String> {
        it.min_by_key(|n| (n.len(), (*n).clone())).cloned()
    };
    let component = shortest(&mut members.iter().filter(|n| is_component(&m.types[*n])));
    if let Some(c) = component {
        return c;
    }
    let suffix = common_word_suffix(members);
    let words: Vec<String> = suffix
        .to_snake_case()
        .split('_')
        .map(str::to_owned)
        .collect();
    // `ResponseBody`, `DataItem`: words that say where a value sits, not what it is.
    let generic = [
        "response", "request", "body", "data", "item", "items", "post", "get",
    ];
    if words.len() >= 2
        && words.iter().any(|w| !generic.contains(&w.as_str()))
        && (!m.types.contains_key(&suffix) || members.contains(&suffix))
        && !m.is_reserved(&suffix)
    {
        return suffix;
    }
    shortest(&mut members.iter()).unwrap_or_default()
}

/// `true` for the type of a whole component schema (`schema `expense_out``, not a field inside one).
fn is_component(t: &TypeDef) -> bool {
    t.origin
        .strip_prefix("schema `")
        .and_then(|s| s.strip_suffix('`'))
        .is_some_and(|s| !s.contains(['.', '[', '|']))
}

/// The longest run of Pascal-case words every name ends with: `ExpenseOutDistanceUnit` and
/// `MileageRateOutDistanceUnit` -> `DistanceUnit`.
pub fn common_word_suffix(names: &[String]) -> String {
    let split: Vec<Vec<String>> = names
        .iter()
        .map(|n| n.to_snake_case().split('_').map(str::to_owned).collect())
        .collect();
    let Some(first) = split.first() else {
        return String::new();
    };
    let mut k = 0;
    while k < first.len() {
        let w = &first[first.len() - 1 - k];
        if split
            .iter()
            .all(|s| s.len() > k && s[s.len() - 1 - k] == *w)
        {
            k += 1;
        } else {
            break;
        }
    }
    let mut words = &first[first.len() - k..];
    // `...OutState` / `...InReconciliationMethod`: the direction word belongs to the schema, not
    // to what the type is; start after it.
    if let Some(cut) = words
        .iter()
        .rposition(|w| matches!(w.as_str(), "in" | "out" | "embed"))
    {
        words = &words[cut + 1..];
    }
    heck::ToPascalCase::to_pascal_case(words.join("_").as_str())
}

fn rewrite_def(def: &mut Def, renames: &HashMap<String, String>) {
    match def {
        Def::Struct(fs) => fs.iter_mut().for_each(|f| rewrite(&mut f.ty, renames)),
        Def::Union(vs) => vs.iter_mut().for_each(|(_, t)| rewrite(t, renames)),
        Def::Alias(t) => rewrite(t, renames),
        Def::Enum(_) => {}
    }
}

fn rewrite(ty: &mut Ty, renames: &HashMap<String, String>) {
    match ty {
        Ty::Named(n) => {
            if let Some(new) = renames.get(n) {
                new.clone_into(n);
            }
        }
        Ty::Vec(i) => rewrite(i, renames),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_of_pascal_names() {
        let names = ["ExpenseOutDistanceUnit", "MileageRateOutDistanceUnit"].map(str::to_owned);
        assert_eq!(common_word_suffix(&names), "DistanceUnit");
        let none = ["AState", "BKind"].map(str::to_owned);
        assert_eq!(common_word_suffix(&none), "");
        let direction = ["BudgetExportsOutState", "JobsOutState"].map(str::to_owned);
        assert_eq!(common_word_suffix(&direction), "State");
    }
}
