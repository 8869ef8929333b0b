//! Which crate each generated type lives in.
//!
//! rustc type-checks one crate on one thread, and the serde derives of ~30k lines of generated
//! types made `fyle-models` one long serial unit at the end of every build (38 s of front end
//! for 4 s of codegen). The types are split into crates that cargo compiles side by side:
//!
//! ```text
//! fyle-models-core   hand-written wire/Patch/enum glue + the types several groups share
//!   <- fyle-models-spend   expenses, reports, advances, per diem, mileage, reimbursements
//!   <- fyle-models-cards   corporate cards, card transactions, statements, bank accounts
//!   <- fyle-models-org     employees, categories, projects, cost centers, files, everything else
//! ```
//!
//! `fyle-models` re-exports all of them as `fyle_models::types`, so no user path changes.
//!
//! The rule: every type that no other type refers to (a request or response body) is a *root*,
//! placed in a group by the resource module its name gives it (`names::module_of`). A type
//! reached from the roots of one group lives in that group's crate; a type reached from several
//! groups lives in `core`. So a group crate only refers to itself and to `core`, and the three
//! group crates never wait for one another. Inside a crate, files are still one per resource, so
//! `fyle-models-spend` has an `employees.rs` for the employee shapes only expenses embed.

use std::collections::{BTreeMap, BTreeSet};

use super::model::Model;
use super::names;

/// A crate holding generated types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ModelCrate {
    /// `fyle-models-core`: the types several groups share.
    Core,
    /// `fyle-models-spend`.
    Spend,
    /// `fyle-models-cards`.
    Cards,
    /// `fyle-models-org`.
    Org,
}

impl ModelCrate {
    /// Every crate, `Core` first.
    pub const ALL: [ModelCrate; 4] = [Self::Core, Self::Spend, Self::Cards, Self::Org];

    /// The package directory under `crates/`.
    pub fn package(self) -> &'static str {
        match self {
            Self::Core => "fyle-models-core",
            Self::Spend => "fyle-models-spend",
            Self::Cards => "fyle-models-cards",
            Self::Org => "fyle-models-org",
        }
    }

    /// The crate's Rust name.
    pub fn krate(self) -> String {
        self.package().replace('-', "_")
    }
}

/// The resource modules (`names::RESOURCES`) whose root types go to the spend group.
const SPEND: &[&str] = &[
    "advances",
    "expenses",
    "exports",
    "mileage",
    "reimbursements",
    "reports",
];
/// The resource modules whose root types go to the cards group.
const CARDS: &[&str] = &["accounts", "cards", "reconciliation"];

/// The group a root type belongs to: that of the resource module its name puts it in, so a
/// type's crate and its file agree for every body type.
fn group_of(type_name: &str) -> ModelCrate {
    let module = names::module_of(type_name);
    if SPEND.contains(&module.as_str()) {
        ModelCrate::Spend
    } else if CARDS.contains(&module.as_str()) {
        ModelCrate::Cards
    } else {
        ModelCrate::Org
    }
}

/// The crate of every generated type (those with at least one role).
pub fn assign(model: &Model) -> BTreeMap<String, ModelCrate> {
    let live: BTreeSet<&str> = model
        .types
        .iter()
        .filter(|(_, t)| !t.roles.is_empty())
        .map(|(n, _)| n.as_str())
        .collect();
    let referenced: BTreeSet<String> = live.iter().flat_map(|n| model.children(n)).collect();
    let mut groups: BTreeMap<&str, BTreeSet<ModelCrate>> = BTreeMap::new();
    for root in live.iter().filter(|n| !referenced.contains(**n)) {
        let group = group_of(root);
        let mut stack = vec![(*root).to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            let Some(&name) = live.get(n.as_str()) else {
                continue;
            };
            if !seen.insert(n.clone()) {
                continue;
            }
            groups.entry(name).or_default().insert(group);
            stack.extend(model.children(&n));
        }
    }
    live.iter()
        .map(|n| {
            let crate_ = match groups.get(n) {
                Some(g) if g.len() == 1 => *g.iter().next().unwrap_or(&ModelCrate::Core),
                // Reached from several groups, or only through a cycle with no root: shared.
                _ => ModelCrate::Core,
            };
            ((*n).to_owned(), crate_)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_grouped_by_their_resource_word() {
        assert_eq!(group_of("AdminExpenseOut"), ModelCrate::Spend);
        assert_eq!(group_of("ReportOut"), ModelCrate::Spend);
        assert_eq!(group_of("CorporateCardTransactionOut"), ModelCrate::Cards);
        assert_eq!(group_of("SpenderCorporateCardOut"), ModelCrate::Cards);
        assert_eq!(group_of("EmployeeOut"), ModelCrate::Org);
        assert_eq!(group_of("CategoryOut"), ModelCrate::Org);
    }
}
