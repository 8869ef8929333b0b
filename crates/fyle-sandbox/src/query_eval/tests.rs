//! The filter semantics and the sort order, proved on one realistic expense row.

use fyle_models::query::{Filter, Order, OrderKey};
use serde_json::{Value, json};

use super::scalars::datetime;
use super::{compare, first_by_order, matches, sort_by_order, sort_rows};

fn expense() -> Value {
    json!({
        "id": "txABC",
        "state": "APPROVED",
        "amount": 120.5,
        "claim_amount": -40,
        "currency": "USD",
        "merchant": "Starbucks Coffee",
        "is_reimbursable": true,
        "report_id": null,
        "spent_at": "2020-06-01T10:00:00.000+05:30",
        "updated_at": "2021-09-30T11:00:57.000Z",
        "category_ids": [115_260, 115_257, 3],
        "options": ["KM", "MILES"],
        "cost_center": {"id": 6632, "code": "13597", "name": "Corporate"},
        "custom_fields": [{"name": "Project Code", "value": "P-1"}],
        "numeric_text": "42.0",
    })
}

/// Parses a query string (as the sandbox does) and evaluates it against the expense.
fn q(query: &str) -> bool {
    let filter = Filter::parse_query_string(query).expect("the test query parses");
    matches(&filter, &expense())
}

#[test]
fn comparisons_use_numbers_timestamps_and_strings() {
    assert!(q("amount=gt.100"));
    assert!(q("amount=eq.120.50"));
    assert!(q("amount=neq.531"));
    assert!(!q("amount=lt.100"));
    assert!(q("amount=lte.120.5&amount=gte.120.5"));
    assert!(q("numeric_text=eq.42"));
    assert!(q("state=eq.APPROVED"));
    assert!(!q("state=eq.approved"));
    assert!(q("state=gt.AAA"));
    // 10:00+05:30 is 04:30Z: compared as instants, not as text.
    assert!(q("spent_at=eq.2020-06-01T04:30:00Z"));
    assert!(q("spent_at=lt.2020-06-01T05:00:00%2B00:00"));
    assert!(q("spent_at=gte.2020-05-31T20:30:00-08:00"));
    assert!(q("updated_at=gte.2021-09-30"));
    assert!(q("is_reimbursable=eq.true"));
    assert!(q("is_reimbursable=eq.True"));
    assert!(!q("is_reimbursable=eq.false"));
    // Null and missing never compare.
    assert!(!q("report_id=eq.null"));
    assert!(!q("report_id=neq.x"));
    assert!(!q("nope=neq.x"));
    assert!(!q("amount=gt.abc"));
    // Nested paths.
    assert!(q("cost_center->name=eq.Corporate"));
    assert!(q("cost_center->id=eq.6632"));
    assert!(q("custom_fields->0->value=eq.P-1"));
    assert!(!q("cost_center->missing->deeper=eq.x"));
    // JSON equality.
    assert!(q("category_ids=eq.[115260,115257,3]"));
    assert!(q("category_ids=neq.[1]"));
}

#[test]
fn absolute_value_operators() {
    assert!(q("claim_amount=agte.40"));
    assert!(q("claim_amount=alte.40"));
    assert!(!q("claim_amount=alte.39.99"));
    assert!(!q("claim_amount=agte.41"));
    assert!(q("amount=agte.0"));
}

#[test]
fn list_operators() {
    assert!(q("state=in.(APPROVED,PAID)"));
    assert!(!q("state=in.(DRAFT,PAID)"));
    assert!(!q("state=in.()"));
    assert!(q("state=not_in.(DRAFT,PAID)"));
    assert!(!q("state=not_in.(APPROVED)"));
    assert!(q("amount=in.(1,120.50)"));
    assert!(q("merchant=ci_in.(%22starbucks%20coffee%22,x)"));
    assert!(!q("merchant=in.(%22starbucks%20coffee%22,x)"));
    assert!(!q("report_id=not_in.(x)"));
}

#[test]
fn is_operators() {
    assert!(q("report_id=is.null"));
    assert!(q("not_a_column=is.null"));
    assert!(!q("state=is.null"));
    assert!(q("state=is_not.null"));
    assert!(q("is_reimbursable=is.true"));
    assert!(!q("is_reimbursable=is.false"));
    assert!(q("is_reimbursable=is_not.false"));
    assert!(q("report_id=is_not.true"));
    assert!(q("report_id=is.unknown"));
}

#[test]
fn pattern_operators() {
    assert!(q("merchant=like.Star%25"));
    assert!(q("merchant=like.%25Coffee"));
    assert!(q("merchant=like.Star*"));
    assert!(q("merchant=like.S_arbucks%25"));
    assert!(!q("merchant=like.star%25"));
    assert!(q("merchant=ilike.star%25"));
    assert!(q("merchant=not_like.star%25"));
    assert!(!q("merchant=not_ilike.%25COFFEE"));
    assert!(q("cost_center->name=like.%25porate%25"));
    assert!(q("amount=like.120%25"));
    assert!(!q("report_id=like.%25"));
    assert!(!q("report_id=not_like.x"));
    assert!(q("merchant=like.Starbucks%20Coffee"));
    assert!(!q("merchant=like.Starbucks"));
    // `\` escapes a wildcard.
    assert!(!q("merchant=like.Star\\%25"));
    assert!(matches(
        &Filter::new().like("p", "100\\%"),
        &json!({"p": "100%"})
    ));
}

#[test]
fn json_operators() {
    assert!(q("category_ids=cs.[115260, 115257]"));
    assert!(!q("category_ids=cs.[115260, 1]"));
    assert!(q("category_ids=cs.[]"));
    assert!(q("cost_center=cs.{\"code\":\"13597\",\"id\":6632}"));
    assert!(!q("cost_center=cs.{\"code\":\"1\"}"));
    assert!(q("category_ids=cd.[115260,115257,3,4]"));
    assert!(!q("category_ids=cd.[115260]"));
    assert!(q("category_ids=not_cd.[115260]"));
    assert!(!q("category_ids=not_cd.[115260,115257,3]"));
    assert!(q(
        "cost_center=cd.{\"id\":6632,\"code\":\"13597\",\"name\":\"Corporate\",\"x\":1}"
    ));
    assert!(q("category_ids=ov.[115249, 3]"));
    assert!(!q("category_ids=ov.[115249, 115248]"));
    assert!(q("report_id=csn.[1]"));
    assert!(q("category_ids=csn.[3]"));
    assert!(!q("category_ids=csn.[4]"));
    assert!(!q("report_id=cs.[1]"));
    assert!(q("options=cs.{KM}"));
    assert!(!q("category_ids=cs.not-json"));
}

#[test]
fn array_element_operators() {
    assert!(q("category_ids=any.115257"));
    assert!(!q("category_ids=any.1"));
    assert!(q("options=any.%22KM%22"));
    assert!(q("options=any.KM"));
    assert!(q("options=not_any.LITRES"));
    assert!(!q("options=not_any.KM"));
    assert!(!q("report_id=not_any.KM"));
}

#[test]
fn groups_nest() {
    assert!(q(
        "and=(or=(currency.eq.USD,currency.eq.EUR),amount.lt.500)"
    ));
    assert!(!q(
        "and=(or=(currency.eq.GBP,currency.eq.EUR),amount.lt.500)"
    ));
    assert!(q("or=(amount.lt.100, id.eq.txABC)"));
    assert!(!q("or=(amount.lt.100, id.eq.nope)"));
    assert!(q(
        "or=(state.eq.X,and=(or=(category_ids.cs.[3]),merchant.ilike.*coffee))"
    ));
    assert!(q("and=()"));
    assert!(!q("or=()"));
    // Top-level pairs are ANDed.
    assert!(!q("state=eq.APPROVED&currency=eq.EUR"));
    assert!(matches(&Filter::new(), &expense()));
}

#[test]
fn raw_clauses_are_parsed_then_evaluated() {
    let row = expense();
    assert!(matches(&Filter::new().raw("state", "eq.APPROVED"), &row));
    assert!(matches(
        &Filter::new().or(|g| g.raw("state", "eq.X").raw("amount", "gt.1")),
        &row
    ));
    assert!(!matches(&Filter::new().raw("state", "bogus"), &row));
}

#[test]
fn sorting_follows_postgres_defaults() {
    let rows = [
        json!({"id": "a", "amount": 10, "at": "2020-01-01T00:00:00+05:30"}),
        json!({"id": "b", "amount": null, "at": "2020-01-01T00:00:00Z"}),
        json!({"id": "c", "amount": 2.5, "at": "2019-12-31T20:00:00-08:00"}),
        json!({"id": "d", "at": "2020-01-01T00:00:00Z"}),
        json!({"id": "e", "amount": 10, "at": "2019-06-01T00:00:00Z"}),
    ];
    let ids = |order: &str| {
        let order = Order::parse(order).expect("the test order parses");
        let mut sorted: Vec<&Value> = rows.iter().collect();
        sort_rows(&mut sorted, &order);
        sorted
            .iter()
            .map(|r| r["id"].as_str().unwrap_or("?"))
            .collect::<Vec<_>>()
            .join("")
    };
    // Nulls and missing last ascending, first descending; ties keep input order.
    assert_eq!(ids("amount.asc"), "caebd");
    assert_eq!(ids("amount.desc"), "bdaec");
    assert_eq!(ids("amount.asc.nullsfirst"), "bdcae");
    assert_eq!(ids("amount.desc.nullslast"), "aecbd");
    assert_eq!(ids("amount.asc,id.desc"), "ceadb");
    // Timestamps sort as instants: a (18:30Z on Dec 31) < b = d (00:00Z) < c (04:00Z Jan 1).
    assert_eq!(ids("at.asc,id.asc"), "eabdc");
    assert_eq!(ids("at.desc,id.asc"), "cbdae");
    let a = json!({"x": {"y": 2}});
    let b = json!({"x": {"y": 10}});
    let order = Order::new().then(OrderKey::asc("x->y"));
    assert_eq!(compare(&order, &a, &b), std::cmp::Ordering::Less);
    assert_eq!(compare(&Order::new(), &a, &b), std::cmp::Ordering::Equal);
    let mut owned = vec![b.clone(), a.clone()];
    sort_rows(&mut owned, &order);
    assert_eq!(owned, [a, b]);
}

#[test]
fn builder_filters_evaluate_like_parsed_ones() {
    let row = expense();
    let f = Filter::new()
        .eq("state", "APPROVED")
        .gte("amount", fyle_models::query::Decimal::new(10, 0))
        .or(|g| g.eq("currency", "USD").eq("currency", "EUR"))
        .field(fyle_models::query::FieldPath::new("cost_center").get("name"))
        .ilike("%corp%")
        .is_in("state", ["APPROVED", "PAID"])
        .cs("category_ids", vec![3])
        .is_null("report_id");
    assert!(matches(&f, &row));
    let reparsed = Filter::parse_query_string(&f.to_query_string()).expect("round trip");
    assert!(matches(&reparsed, &row));
    assert!(!matches(&f.clone().eq("currency", "EUR"), &row));
}

#[test]
fn timestamps_read_as_instants_in_every_shape_fyle_sends() {
    let at = |text: &str| datetime(text).map(|t| (t.unix_timestamp(), t.nanosecond()));
    for (text, expected) in [
        ("2020-06-01T00:00:00Z", (1_590_969_600, 0)),
        ("2020-06-01T00:00:00.000-08:00", (1_590_998_400, 0)),
        (
            "2021-09-30T11:00:57.123456789+05:30",
            (1_632_979_857, 123_456_789),
        ),
        ("1969-12-31T23:59:59.5Z", (-1, 500_000_000)),
        ("2000-02-29T12:00:00+14:00", (951_775_200, 0)),
        ("2024-12-31 23:59:59-00:30", (1_735_691_399, 0)),
        ("0001-01-01T00:00:00Z", (-62_135_596_800, 0)),
        // No offset: UTC. A plain date: midnight UTC.
        ("2020-06-01T00:00:00", (1_590_969_600, 0)),
        ("2020-06-11T13:14:55.201598", (1_591_881_295, 201_598_000)),
        ("2020-06-01", (1_590_969_600, 0)),
    ] {
        assert_eq!(at(text), Some(expected), "{text}");
    }
    // Not a timestamp: compared as text.
    for text in [
        "2021-02-29T00:00:00Z",
        "2020-06-01T24:00:00Z",
        "2020-06-01 is a date",
        "APPROVED",
        "2020",
    ] {
        assert_eq!(at(text), None, "{text}");
    }
    // The same instant in two offsets sorts and filters as equal.
    assert_eq!(
        datetime("2020-06-01T10:00:00+05:30"),
        datetime("2020-06-01T04:30:00Z")
    );
}

#[test]
fn cached_sort_agrees_with_compare_on_mixed_columns() {
    let values = [
        json!(null),
        json!(true),
        json!(false),
        json!(-1e300),
        json!(1e300),
        json!(-2),
        json!(2.5),
        json!(18_446_744_073_709_551_615_u64),
        json!("2020-01-01T00:00:00Z"),
        json!("2019-12-31T23:00:00-02:00"),
        json!("2020-01-01"),
        json!("abc"),
        json!("Abc"),
        json!(""),
        json!([1, 2]),
        json!([1]),
        json!(["x", null]),
        json!({"a": 1}),
        json!({}),
    ];
    let rows: Vec<Value> = values
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"i": i, "v": v}))
        .collect();
    for text in [
        "v.asc",
        "v.desc",
        "v.asc.nullsfirst",
        "v.desc.nullslast,i.desc",
    ] {
        let order = Order::parse(text).expect("the test order parses");
        // A total order: antisymmetric and transitive on every triple.
        for a in &rows {
            for b in &rows {
                assert_eq!(compare(&order, a, b), compare(&order, b, a).reverse());
                for c in &rows {
                    if compare(&order, a, b).is_le() && compare(&order, b, c).is_le() {
                        assert!(compare(&order, a, c).is_le(), "{a} {b} {c}");
                    }
                }
            }
        }
        let mut by_compare: Vec<&Value> = rows.iter().rev().collect();
        by_compare.sort_by(|a, b| compare(&order, a, b));
        // Items carrying their row, as the sandbox's (full row, stored row) pairs do.
        let mut cached: Vec<(&Value, usize)> = rows.iter().rev().zip(0..).collect();
        sort_by_order(&mut cached, &order, |(row, _)| row);
        let cached: Vec<&Value> = cached.into_iter().map(|(row, _)| row).collect();
        assert_eq!(by_compare, cached, "{text}");
        // The partial selection is the stable sort's prefix, ties (the doubled rows, told
        // apart by their position) in input order.
        let doubled: Vec<(&Value, usize)> = rows.iter().chain(rows.iter()).rev().zip(0..).collect();
        let mut sorted = doubled.clone();
        sorted.sort_by(|a, b| compare(&order, a.0, b.0));
        for k in [0, 1, 5, 19, 37, 38, 50] {
            let first = first_by_order(&doubled, &order, k, |(row, _)| row);
            let expected: Vec<(&Value, usize)> = sorted.iter().take(k).copied().collect();
            assert_eq!(first, expected, "{text} k={k}");
        }
    }
    let ids = |order: &str| {
        let order = Order::parse(order).expect("the test order parses");
        let mut sorted = rows.clone();
        sort_rows(&mut sorted, &order);
        sorted
            .iter()
            .map(|r| r["i"].to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    // Numbers numerically (huge floats at the ends), timestamps as instants before text.
    assert_eq!(
        ids("v.asc"),
        "2,1,3,5,6,7,4,8,10,9,13,12,11,15,14,16,17,18,0"
    );
}
