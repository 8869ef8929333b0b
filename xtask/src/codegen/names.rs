//! Rust names for spec names: types, fields, variants, modules, methods.

use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Names a generated type must not take, because generated code uses them unqualified.
const RESERVED_TYPES: &[&str] = &["Option", "Vec", "Box", "String", "Result", "Self", "Patch"];

/// Type name for a schema name: `expense_out` -> `ExpenseOut`, `400` -> `Status400`,
/// `ExpenseActionDeleteId` stays.
pub fn type_name(schema: &str) -> String {
    let mut name = schema.to_pascal_case();
    if name.is_empty() {
        "Unnamed".clone_into(&mut name);
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("Status{name}");
    }
    if RESERVED_TYPES.contains(&name.as_str()) {
        name.push_str("Schema");
    }
    name
}

/// Pascal-case suffix for a property or path part: `custom_fields` -> `CustomFields`.
pub fn pascal(part: &str) -> String {
    let p = part.to_pascal_case();
    if p.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{p}")
    } else {
        p
    }
}

/// Field (or method) name for a JSON key: `configName` -> `config_name`, `type` -> `type_`,
/// `if` -> `if_`, `2fa` -> `n2fa`.
pub fn field_name(json: &str) -> String {
    let mut name = json.to_snake_case();
    if name.is_empty() {
        "field".clone_into(&mut name);
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("n{name}");
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Enum variant name for a wire value: `APPROVER_PENDING` -> `ApproverPending`, `""` -> `Empty`,
/// `1_DAY` -> `V1Day`, `invalid token` -> `InvalidToken`.
pub fn variant_name(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut name = cleaned.to_pascal_case();
    if name.is_empty() {
        name = if value.is_empty() {
            "Empty".to_owned()
        } else {
            "Symbol".to_owned()
        };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("V{name}");
    }
    if name == "Unknown" || name == "Self" {
        name.push_str("Value");
    }
    name
}

/// `expenses_list` -> `EXPENSES_LIST`.
pub fn const_name(operation_id: &str) -> String {
    let mut name = operation_id.to_shouty_snake_case();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("OP_{name}");
    }
    name
}

/// Resource modules of `fyle_models::types`, with the snake-case phrases that put a type there.
/// A type goes to the resource whose phrase starts earliest in its name (the longest phrase at
/// that word wins): `AdminExpenseIn` -> `expenses`, `ExpenseFieldIn` -> `expense_fields`,
/// `ReportOutSubscriptionsAdmin` -> `reports`.
pub const RESOURCES: &[(&str, &[&str])] = &[
    (
        "accounts",
        &[
            "account",
            "accounts",
            "ach",
            "bank",
            "dwolla",
            "yodlee",
            "fastlink",
            "micro_deposit",
        ],
    ),
    (
        "advances",
        &["advance", "advances", "advance_request", "advance_requests"],
    ),
    ("budgets", &["budget", "budgets"]),
    (
        "cards",
        &[
            "card",
            "cards",
            "corporate_card",
            "corporate_cards",
            "personal_card",
            "virtual_card",
            "matched_corporate_card",
            "statement",
            "statements",
            "rtf",
        ],
    ),
    ("categories", &["category", "categories", "sub_category"]),
    ("cost_centers", &["cost_center", "cost_centers"]),
    (
        "currencies",
        &["currency", "currencies", "exchange_rate", "exchange_rates"],
    ),
    (
        "employees",
        &[
            "employee",
            "employees",
            "user",
            "users",
            "delegatee",
            "delegatees",
            "delegation",
            "invitation",
            "reinvitation",
            "department",
            "departments",
            "role",
            "roles",
        ],
    ),
    (
        "errors",
        &[
            "status400",
            "status401",
            "status403",
            "status404",
            "status409",
            "status500",
            "error",
            "bulk_error",
        ],
    ),
    (
        "exports",
        &[
            "export",
            "exports",
            "accounting",
            "accounting_export",
            "integration",
            "integrations",
        ],
    ),
    (
        "expense_fields",
        &[
            "expense_field",
            "expense_fields",
            "dependent_expense_field",
            "dependent_expense_fields",
            "custom_field",
            "custom_fields",
            "employee_field",
        ],
    ),
    (
        "expenses",
        &[
            "expense",
            "expenses",
            "split",
            "duplicate",
            "merchant",
            "merchants",
            "receipt",
        ],
    ),
    ("files", &["file", "files", "attach"]),
    (
        "mileage",
        &[
            "mileage",
            "per_diem",
            "vehicle",
            "distance",
            "commute",
            "fuel",
            "engine",
            "charging",
            "location",
            "locations",
            "place",
        ],
    ),
    (
        "orgs",
        &[
            "org", "orgs", "signin", "signup", "oauth", "refresh", "redirect", "locale", "logo",
            "feature", "os",
        ],
    ),
    (
        "policies",
        &[
            "policy",
            "policies",
            "expense_policy",
            "expense_policies",
            "individual_desired",
            "final_desired",
        ],
    ),
    ("projects", &["project", "projects"]),
    ("reconciliation", &["reconciliation", "reconcile"]),
    (
        "reimbursements",
        &[
            "reimbursement",
            "reimbursements",
            "settlement",
            "settlements",
            "payment",
            "payments",
        ],
    ),
    (
        "reminders",
        &[
            "reminder",
            "reminders",
            "schedule",
            "scheduled",
            "time_interval",
        ],
    ),
    (
        "reports",
        &["report", "reports", "approval", "auto_approval"],
    ),
    ("taxes", &["tax", "taxes", "tax_group", "tax_groups"]),
    (
        "webhooks",
        &[
            "webhook",
            "webhooks",
            "subscribed",
            "subscriptions",
            "event",
            "events",
        ],
    ),
];

/// The module for types no resource phrase matches (shared value types, stats, filters).
pub const FALLBACK_MODULE: &str = "common";

/// Module a type lives in: its resource (see [`RESOURCES`]), else [`FALLBACK_MODULE`].
pub fn module_of(type_name: &str) -> String {
    let snake = type_name.to_snake_case();
    let words: Vec<&str> = snake.split('_').collect();
    for start in 0..words.len() {
        let mut best: Option<(usize, &str)> = None;
        for (module, phrases) in RESOURCES {
            for p in *phrases {
                let len = p.split('_').count();
                let matches =
                    words.len() >= start + len && words[start..start + len].join("_") == *p;
                if matches && best.is_none_or(|(l, _)| len > l) {
                    best = Some((len, module));
                }
            }
        }
        if let Some((_, module)) = best {
            return module.to_owned();
        }
    }
    FALLBACK_MODULE.to_owned()
}

/// A Rust identifier for a method or module name that may be a keyword or start with a digit.
pub fn ident_name(raw: &str) -> String {
    field_name(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_digit_and_camel_names() {
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("if"), "if_");
        assert_eq!(field_name("configName"), "config_name");
        assert_eq!(field_name("providerAccountId"), "provider_account_id");
        assert_eq!(field_name("2fa"), "n2fa");
        assert_eq!(type_name("400"), "Status400");
        assert_eq!(type_name("ExpenseActionDeleteId"), "ExpenseActionDeleteId");
        assert_eq!(type_name("expense_out"), "ExpenseOut");
        assert_eq!(variant_name("APPROVER_PENDING"), "ApproverPending");
        assert_eq!(variant_name("invalid token"), "InvalidToken");
        assert_eq!(variant_name("1_DAY"), "V1Day");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(const_name("expenses_list"), "EXPENSES_LIST");
        assert_eq!(module_of("ExpenseOut"), "expenses");
        assert_eq!(module_of("AdminExpenseIn"), "expenses");
        assert_eq!(module_of("ExpenseFieldIn"), "expense_fields");
        assert_eq!(module_of("ReportOutSubscriptionsAdmin"), "reports");
        assert_eq!(module_of("CorporateCardTransactionOut"), "cards");
        assert_eq!(module_of("TypeFoo"), "common");
    }
}
