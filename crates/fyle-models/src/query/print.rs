//! The printer: filters to query pairs and percent-encoded query strings.
//!
//! Quoting: inside a group (`and=(...)`, `or=(...)`) and inside a list (`in.(...)`), a value that
//! is empty or contains whitespace, `,`, `(`, `)`, `[`, `]`, `{`, `}`, `"` or `\` is written in
//! double quotes with `\"` and `\\` escapes, PostgREST-style. At the top level a value is written
//! as is, unless it starts with `"`, in which case it is quoted so that the parser (which unquotes
//! a fully quoted top-level value, as in `any."KM"`) reads the same text back.
//!
//! Encoding: keys and values are percent-encoded leaving only RFC 3986 unreserved characters
//! (`A-Z a-z 0-9 - . _ ~`) and `(`, `)`, `,`, `:`, `*` as they are; everything else, notably `+`
//! (`%2B`, which a server would otherwise read as a space), `%`, `&`, `=`, `"`, space, `>` (of
//! `->`), `[`, `]`, `{`, `}`, is percent-encoded.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::filter::{Clause, Condition, Filter};
use super::operator::Operator;
use super::order::Order;
use super::value::{FilterValue, Literal};

/// The characters percent-encoded in query keys and values.
const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'(')
    .remove(b')')
    .remove(b',')
    .remove(b':')
    .remove(b'*');

/// Percent-encodes one query key or value (see the module docs for the character set).
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, QUERY_COMPONENT).to_string()
}

/// Joins pairs into a percent-encoded query string (`k=v&k=v`, no leading `?`).
pub fn encode_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_component(k.as_ref()));
        out.push('=');
        out.push_str(&encode_component(v.as_ref()));
    }
    out
}

/// Whether a value must be quoted inside a group or a list.
fn needs_quotes(s: &str) -> bool {
    s.is_empty()
        || s.chars().any(|c| {
            c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | '\\')
        })
}

/// `"..."` with `"` and `\` escaped by a backslash.
fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn push_nested(s: &str, out: &mut String) {
    if needs_quotes(s) {
        quote(s, out);
    } else {
        out.push_str(s);
    }
}

/// The list form `(a,"b c")` of some items.
pub(super) fn list_text(items: &[Literal]) -> String {
    let mut out = String::from("(");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_nested(item.as_str(), &mut out);
    }
    out.push(')');
    out
}

fn push_value(value: &FilterValue, nested: bool, out: &mut String) {
    match value {
        FilterValue::List(items) => out.push_str(&list_text(items)),
        FilterValue::Literal(l) if nested => push_nested(l.as_str(), out),
        FilterValue::Literal(l) => {
            if l.as_str().starts_with('"') {
                quote(l.as_str(), out);
            } else {
                out.push_str(l.as_str());
            }
        }
    }
}

fn push_op_value(op: Operator, value: &FilterValue, nested: bool, out: &mut String) {
    out.push_str(op.as_str());
    out.push('.');
    push_value(value, nested, out);
}

fn push_group(clauses: &[Clause], out: &mut String) {
    out.push('(');
    for (i, clause) in clauses.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_element(clause, out);
    }
    out.push(')');
}

/// One element inside a group: `path.op.value`, `and=(...)`, `or=(...)` or `key.value`.
fn push_element(clause: &Clause, out: &mut String) {
    match clause {
        Clause::Condition(c) => {
            out.push_str(&c.path().to_string());
            out.push('.');
            push_op_value(c.op(), c.value(), true, out);
        }
        Clause::And(children) => {
            out.push_str("and=");
            push_group(children, out);
        }
        Clause::Or(children) => {
            out.push_str("or=");
            push_group(children, out);
        }
        Clause::Raw { key, value } => {
            out.push_str(key);
            out.push('.');
            out.push_str(value);
        }
    }
}

impl Condition {
    /// The unencoded query pair: (`cost_center->name`, `ilike.%corp%`).
    pub fn to_query_pair(&self) -> (String, String) {
        let mut value = String::new();
        push_op_value(self.op(), self.value(), false, &mut value);
        (self.path().to_string(), value)
    }
}

impl Clause {
    /// The unencoded query pair of this clause at the top level: (`or`, `(a.eq.1,b.eq.2)`).
    pub fn to_query_pair(&self) -> (String, String) {
        match self {
            Clause::Condition(c) => c.to_query_pair(),
            Clause::And(children) => {
                let mut v = String::new();
                push_group(children, &mut v);
                ("and".to_owned(), v)
            }
            Clause::Or(children) => {
                let mut v = String::new();
                push_group(children, &mut v);
                ("or".to_owned(), v)
            }
            Clause::Raw { key, value } => (key.clone(), value.clone()),
        }
    }

    /// The clause as written inside a group: `amount.lt.50`, `or=(a.eq.1,b.eq.2)`.
    pub fn to_group_element(&self) -> String {
        let mut out = String::new();
        push_element(self, &mut out);
        out
    }
}

impl Filter {
    /// The unencoded query pairs, one per top-level clause, in order.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        self.clauses().iter().map(Clause::to_query_pair).collect()
    }

    /// The percent-encoded query string (`amount=gt.10&or=(a.eq.1,b.eq.2)`), no leading `?`.
    pub fn to_query_string(&self) -> String {
        encode_pairs(&self.to_query_pairs())
    }
}

impl Order {
    /// The unencoded query pair (`order`, `updated_at.desc,id.asc`).
    pub fn to_query_pair(&self) -> (String, String) {
        ("order".to_owned(), self.to_string())
    }
}
