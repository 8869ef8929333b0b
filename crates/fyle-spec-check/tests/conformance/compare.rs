//! Lossless comparison of an instance with its decode-and-re-encode: no non-null value lost or
//! changed. Numbers compare as numbers, timestamps as instants, `null` may become absent.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One difference: where, and what happened.
#[derive(Debug, Clone)]
pub(crate) struct Loss {
    /// JSON pointer in the original instance.
    pub(crate) path: String,
    /// `dropped`, `changed`, ...
    pub(crate) what: String,
}

/// Every non-null value of `original` that `encoded` loses or changes.
pub(crate) fn losses(original: &Value, encoded: &Value) -> Vec<Loss> {
    let mut out = Vec::new();
    walk(original, Some(encoded), "", &mut out);
    out
}

fn walk(orig: &Value, enc: Option<&Value>, path: &str, out: &mut Vec<Loss>) {
    if orig.is_null() {
        return;
    }
    let Some(enc) = enc.filter(|e| !e.is_null()) else {
        let what = match enc {
            Some(_) => format!("became null (was {})", short(orig)),
            None => format!("dropped (was {})", short(orig)),
        };
        out.push(Loss {
            path: path.to_owned(),
            what,
        });
        return;
    };
    match (orig, enc) {
        (Value::Object(o), Value::Object(e)) => {
            for (k, v) in o {
                walk(v, e.get(k), &format!("{path}/{}", escape(k)), out);
            }
        }
        (Value::Array(o), Value::Array(e)) if o.len() == e.len() => {
            for (i, (a, b)) in o.iter().zip(e).enumerate() {
                walk(a, Some(b), &format!("{path}/{i}"), out);
            }
        }
        _ if same_leaf(orig, enc) => {}
        _ => out.push(Loss {
            path: path.to_owned(),
            what: format!("changed {} -> {}", short(orig), short(enc)),
        }),
    }
}

fn same_leaf(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= f64::EPSILON * x.abs().max(1.0),
            _ => x == y,
        },
        (Value::String(x), Value::String(y)) => x == y || same_instant(x, y),
        _ => a == b,
    }
}

fn same_instant(a: &str, b: &str) -> bool {
    match (
        OffsetDateTime::parse(a, &Rfc3339),
        OffsetDateTime::parse(b, &Rfc3339),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// A value cut short for messages.
pub(crate) fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[test]
fn comparison_rules() {
    use serde_json::json;
    let orig =
        json!({"a": 1, "n": null, "t": "2020-06-01T13:14:54.804+00:00", "l": [1.5], "g": "x"});
    let enc = json!({"a": 1.0, "t": "2020-06-01T13:14:54.804Z", "l": [1.5]});
    let l = losses(&orig, &enc);
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0].path, "/g");
    let l = losses(&json!({"a": "12.5"}), &json!({"a": 12.5}));
    assert!(l[0].what.starts_with("changed"), "{l:?}");
}
