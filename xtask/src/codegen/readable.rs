//! Names a reader understands instead of positional ones: the item of a list arm of a `oneOf` is
//! an `Entry`, the lone object arm is the `Object`, and the item of a plural field is the singular
//! (`SlabRatesItem` -> `SlabRate`) when that name is free. Every old name stays as an alias.
//! Component schemas keep the spec's names.

use std::collections::{BTreeMap, HashMap};

use super::dedupe::{alias_to, rewrite_all};
use super::model::{Def, Model, TypeDef};

/// Renames positional type names; returns how many were renamed.
pub fn run(m: &mut Model) -> usize {
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for t in m.types.values().filter(|t| !t.roles.is_empty()) {
        if is_component(t) || matches!(t.def, Def::Alias(_)) {
            continue;
        }
        let new = readable(m, &t.name);
        if new != t.name && !m.types.contains_key(&new) && !m.is_reserved(&new) {
            renames.insert(t.name.clone(), new);
        }
    }
    // Two old names must not land on one new name.
    let mut taken: HashMap<String, usize> = HashMap::new();
    for new in renames.values() {
        *taken.entry(new.clone()).or_default() += 1;
    }
    renames.retain(|_, new| taken[new] == 1);
    for (old, new) in &renames {
        let mut t = m.types[old].clone();
        new.clone_into(&mut t.name);
        m.types.insert(new.clone(), t);
        alias_to(m, old, new, "renamed: the generator's positional name");
    }
    let map: HashMap<String, String> = renames.into_iter().collect();
    rewrite_all(m, &map);
    map.len()
}

fn is_component(t: &TypeDef) -> bool {
    t.origin
        .strip_prefix("schema `")
        .and_then(|s| s.strip_suffix('`'))
        .is_some_and(|s| !s.contains(['.', '[', '|']))
}

/// The readable form of `name`: each `Variant<i>` segment by what its arm is, then a plural's
/// `Item` as the singular.
fn readable(m: &Model, name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    while let Some(at) = rest.find("Variant") {
        let digits: String = rest[at + 7..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if digits.is_empty() {
            out.push_str(&rest[..at + 7]);
            rest = &rest[at + 7..];
            continue;
        }
        let prefix = format!("{out}{}", &rest[..at]);
        let after = &rest[at + 7 + digits.len()..];
        let arm = format!("{prefix}Variant{digits}");
        let label = arm_label(m, &prefix, &arm, after);
        out = format!("{prefix}{label}");
        rest = if label == "Entry" {
            after.strip_prefix("Item").unwrap_or(after)
        } else {
            after
        };
    }
    out.push_str(rest);
    singular_item(&out)
}

/// `Entry` for the item of a list arm, `Object` / `Value` for the only struct / enum arm of its
/// union, else the positional name unchanged.
fn arm_label(m: &Model, prefix: &str, arm: &str, after: &str) -> String {
    let arm_def = m.types.get(arm).map(|t| &t.def);
    if arm_def.is_none() && after.starts_with("Item") {
        return "Entry".to_owned();
    }
    let siblings = |f: fn(&Def) -> bool| {
        m.types
            .iter()
            .filter(|(n, t)| {
                n.strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix("Variant"))
                    .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
                    && f(&t.def)
            })
            .count()
    };
    match arm_def {
        Some(Def::Struct(_)) if siblings(|d| matches!(d, Def::Struct(_))) == 1 => "Object".into(),
        Some(Def::Enum(_)) if siblings(|d| matches!(d, Def::Enum(_))) == 1 => "Value".into(),
        _ => arm.strip_prefix(prefix).unwrap_or(arm).to_owned(),
    }
}

/// `SlabRatesItem` -> `SlabRate`, `CategoriesItem` -> `Category`; other names unchanged.
fn singular_item(name: &str) -> String {
    let Some(plural) = name.strip_suffix("Item") else {
        return name.to_owned();
    };
    if let Some(stem) = plural.strip_suffix("ies") {
        return format!("{stem}y");
    }
    match plural.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.is_empty() => stem.to_owned(),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_items_become_singular() {
        assert_eq!(
            singular_item("MileageRateOutSlabRatesItem"),
            "MileageRateOutSlabRate"
        );
        assert_eq!(singular_item("CategoriesItem"), "Category");
        assert_eq!(singular_item("BulkErrorDataItem"), "BulkErrorDataItem");
        assert_eq!(singular_item("AddressItem"), "AddressItem");
    }
}
