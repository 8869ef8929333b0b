//! Reliability drill: arbitrary JSON built from the generated types' shapes (the samples the
//! generator assembles from the spec's examples), then mutated (values replaced by arbitrary
//! JSON, keys removed, types changed, nesting added, bytes cut off), thrown at the decoders:
//! `serde_json` into the generated types, and the facade's page decoding (offset and keyset)
//! through a scripted transport. Nothing panics; the facade answers a page or a typed error.
//! Seeded, so every run tries the same cases.

use futures::TryStreamExt;
use fyle::models::types::{
    AdminReportOut, AdvanceOut, CategoryOut, CostCenterOut, EmployeeOut, ExpenseOut, FileOut,
    OrgOut, ProjectOut, ReportOut,
};
use fyle::transport::{MockResponse, MockTransport};
use fyle::{Client, ErrorKind};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The generator's response samples (one per generated response type).
const SAMPLES: &str = include_str!("../crates/fyle-models/tests/data/response_samples.json");

const TYPES: [&str; 10] = [
    "ExpenseOut",
    "ReportOut",
    "AdminReportOut",
    "EmployeeOut",
    "CategoryOut",
    "ProjectOut",
    "CostCenterOut",
    "FileOut",
    "OrgOut",
    "AdvanceOut",
];

fn samples() -> Map<String, Value> {
    serde_json::from_str(SAMPLES).expect("the generator's samples are JSON")
}

fn config() -> Config {
    Config {
        cases: 192,
        rng_seed: RngSeed::Fixed(0x00F1_1E00_2026),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Arbitrary JSON, up to a few levels deep.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        "[ -~]{0,12}".prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
        Just(json!("2024-13-45T99:99:99+25:00")),
        Just(json!("1e400")),
        Just(json!(1e300)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a JSON document, at the node picked by `at`.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Index, Value),
    Remove(Index),
    Null(Index),
    Stringify(Index),
    WrapInArray(Index),
    Numberify(Index),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), arb_json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        2 => any::<Index>().prop_map(Mutation::Remove),
        1 => any::<Index>().prop_map(Mutation::Null),
        2 => any::<Index>().prop_map(Mutation::Stringify),
        1 => any::<Index>().prop_map(Mutation::WrapInArray),
        2 => any::<Index>().prop_map(Mutation::Numberify),
    ]
}

/// JSON pointers of every node of `value` (the root is `""`).
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn apply(document: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(document, String::new(), &mut all);
    let index = match mutation {
        Mutation::Replace(i, _)
        | Mutation::Remove(i)
        | Mutation::Null(i)
        | Mutation::Stringify(i)
        | Mutation::WrapInArray(i)
        | Mutation::Numberify(i) => i,
    };
    let pointer = all[index.index(all.len())].clone();
    if let Mutation::Remove(_) = mutation {
        let Some((parent, last)) = pointer.rsplit_once('/') else {
            return;
        };
        let key = last.replace("~1", "/").replace("~0", "~");
        match document.pointer_mut(parent) {
            Some(Value::Object(map)) => {
                map.remove(&key);
            }
            Some(Value::Array(items)) => {
                if let Ok(i) = key.parse::<usize>()
                    && i < items.len()
                {
                    items.remove(i);
                }
            }
            _ => {}
        }
        return;
    }
    let Some(node) = document.pointer_mut(&pointer) else {
        return;
    };
    *node = match mutation {
        Mutation::Replace(_, v) => v.clone(),
        Mutation::Null(_) => Value::Null,
        Mutation::Stringify(_) => Value::String(node.to_string()),
        Mutation::WrapInArray(_) => Value::Array(vec![node.take()]),
        Mutation::Numberify(_) => match node {
            Value::Number(n) if n.is_f64() => json!(-1),
            Value::Number(_) => json!(1.5e308),
            Value::String(s) => json!(s.len()),
            _ => json!(0),
        },
        Mutation::Remove(_) => unreachable!("handled above"),
    };
}

/// Decodes `value` as `T` from a value and from bytes; when it decodes, re-encoding and
/// decoding again gives the same value.
fn check_type<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    value: &Value,
    cut: Option<Index>,
) -> Result<(), TestCaseError> {
    if let Ok(decoded) = serde_json::from_value::<T>(value.clone()) {
        let encoded = serde_json::to_value(&decoded)
            .map_err(|e| TestCaseError::fail(format!("decoded but does not encode: {e}")))?;
        let again = serde_json::from_value::<T>(encoded.clone()).map_err(|e| {
            TestCaseError::fail(format!("re-encoded {encoded} does not decode: {e}"))
        })?;
        prop_assert_eq!(again, decoded);
    }
    let bytes = serde_json::to_vec(value).expect("a JSON value encodes");
    let _ = serde_json::from_slice::<T>(&bytes);
    if let Some(cut) = cut {
        let _ = serde_json::from_slice::<T>(&bytes[..cut.index(bytes.len() + 1)]);
    }
    Ok(())
}

fn check_named(name: &str, value: &Value, cut: Option<Index>) -> Result<(), TestCaseError> {
    match name {
        "ExpenseOut" => check_type::<ExpenseOut>(value, cut),
        "ReportOut" => check_type::<ReportOut>(value, cut),
        "AdminReportOut" => check_type::<AdminReportOut>(value, cut),
        "EmployeeOut" => check_type::<EmployeeOut>(value, cut),
        "CategoryOut" => check_type::<CategoryOut>(value, cut),
        "ProjectOut" => check_type::<ProjectOut>(value, cut),
        "CostCenterOut" => check_type::<CostCenterOut>(value, cut),
        "FileOut" => check_type::<FileOut>(value, cut),
        "OrgOut" => check_type::<OrgOut>(value, cut),
        "AdvanceOut" => check_type::<AdvanceOut>(value, cut),
        other => Err(TestCaseError::fail(format!("no decoder for {other}"))),
    }
}

#[test]
fn the_samples_decode_unmutated() {
    let samples = samples();
    for name in TYPES {
        let sample = samples
            .get(name)
            .unwrap_or_else(|| panic!("a sample of {name}"));
        check_named(name, sample, None).expect("the sample decodes");
    }
    let expense: ExpenseOut =
        serde_json::from_value(samples["ExpenseOut"].clone()).expect("the sample decodes");
    assert!(expense.id.is_some());
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_samples_never_panic_the_generated_decoders(
        which in 0..TYPES.len(),
        mutations in prop::collection::vec(arb_mutation(), 1..6),
        cut in any::<Index>(),
    ) {
        let name = TYPES[which];
        let mut value = samples()[name].clone();
        for mutation in &mutations {
            apply(&mut value, mutation);
        }
        check_named(name, &value, Some(cut))?;
    }
}

fn page_client(body: String) -> Client {
    let mock = MockTransport::new().on(
        http::Method::GET,
        "/admin/expenses",
        MockResponse::json(body),
    );
    Client::builder()
        .token_provider(fyle::auth::StaticTokenProvider::new("drill-token"))
        .cluster(url::Url::parse("https://us1.fylehq.com").expect("URL"))
        .transport(mock.shared())
        .build()
        .expect("a client")
}

/// A facade error on a 200 JSON answer is a decode error (or, in stable mode, a missing or
/// null key column).
fn typed(error: &fyle::Error) -> Result<(), TestCaseError> {
    prop_assert!(
        matches!(
            error.kind(),
            ErrorKind::Decode(_) | ErrorKind::InvalidRequest(_) | ErrorKind::UnexpectedBody { .. }
        ),
        "unexpected error kind: {:?}",
        error
    );
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 96, ..config() })]

    #[test]
    fn mutated_pages_give_a_page_or_a_typed_error(
        mutations in prop::collection::vec(arb_mutation(), 1..5),
        cut in any::<Index>(),
        truncate in any::<bool>(),
    ) {
        let mut expense = samples()["ExpenseOut"].clone();
        expense["updated_at"] = json!("2024-01-01T00:00:00.000+00:00");
        let mut page = json!({"count": 1, "offset": 0, "data": [expense]});
        for mutation in &mutations {
            apply(&mut page, mutation);
        }
        let mut body = page.to_string();
        if truncate {
            let mut end = cut.index(body.len() + 1);
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            body.truncate(end);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let client = page_client(body);
            if let Err(error) = client.admin().expenses().list().send().await {
                typed(&error)?;
            }
            // The keyset pager decodes item by item from `serde_json::Value`.
            let stable = client.admin().expenses().list().stable().stream();
            if let Err(error) = stable.try_collect::<Vec<ExpenseOut>>().await {
                typed(&error)?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}
