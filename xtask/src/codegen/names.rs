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

/// Module a type lives in: the first word of its snake-case name (`ExpenseOut` -> `expense`).
pub fn module_of(type_name: &str) -> String {
    let snake = type_name.to_snake_case();
    let first = snake.split('_').next().unwrap_or("misc").to_owned();
    if KEYWORDS.contains(&first.as_str()) || first == "types" {
        format!("{first}_types")
    } else {
        first
    }
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
        assert_eq!(module_of("ExpenseOut"), "expense");
        assert_eq!(module_of("TypeFoo"), "type_types");
    }
}
