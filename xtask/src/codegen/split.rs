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
//! placed in a group by its name. A type reached from the roots of one group lives in that
//! group's crate; a type reached from several groups lives in `core`. So a group crate only
//! refers to itself and to `core`, and the three group crates never wait for one another.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;

use super::model::Model;

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

/// The role prefixes the spec puts before a resource name (`admin_expense_out`).
const ROLE_PREFIXES: &[&str] = &[
    "admin",
    "spender",
    "approver",
    "accountant",
    "manager",
    "owner",
    "hod",
    "hop",
    "super",
    "common",
    "accounts",
    "platform",
];

/// Resource words (the first word after any role prefix) of each group.
const SPEND: &[&str] = &[
    "expense",
    "expenses",
    "report",
    "reports",
    "advance",
    "advances",
    "per",
    "mileage",
    "reimbursement",
    "reimbursements",
    "settlement",
    "settlements",
    "merchant",
    "trip",
    "split",
    "receipt",
    "draft",
    "comment",
    "approval",
    "spend",
    "payment",
    "accounting",
];
const CARDS: &[&str] = &[
    "corporate",
    "card",
    "cards",
    "transaction",
    "transactions",
    "statement",
    "statements",
    "virtual",
    "bank",
    "ach",
    "wallet",
    "personal",
    "matched",
];

/// The group a root type belongs to, from its name.
fn group_of(type_name: &str) -> ModelCrate {
    let snake = type_name.to_snake_case();
    let mut words = snake.split('_').peekable();
    while words
        .peek()
        .is_some_and(|w| ROLE_PREFIXES.contains(w) && *w != snake)
    {
        words.next();
    }
    let first = words.next().unwrap_or_default();
    if SPEND.contains(&first) {
        ModelCrate::Spend
    } else if CARDS.contains(&first) {
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
        assert_eq!(group_of("Admin"), ModelCrate::Org);
    }
}
