//! Unit and property tests of the printer and the parser.

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;

fn pairs(f: &Filter) -> Vec<(String, String)> {
    f.to_query_pairs()
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

fn parse(query: &str) -> Result<Filter, ParseError> {
    Filter::parse_query_string(query)
}

fn roundtrips(f: &Filter) {
    assert_eq!(
        Filter::parse_query_pairs(&f.to_query_pairs()).as_ref(),
        Ok(f)
    );
    assert_eq!(
        Filter::parse_query_string(&f.to_query_string()).as_ref(),
        Ok(f)
    );
}

#[test]
fn operator_names_round_trip() {
    for op in Operator::ALL {
        assert_eq!(Operator::from_name(op.as_str()), Some(op));
        assert_eq!(op.as_str().parse::<Operator>(), Ok(op));
    }
    assert_eq!(Operator::from_name("not"), None);
    assert!("EQ".parse::<Operator>().is_err());
}

#[test]
fn comparison_family_prints() {
    let f = Filter::new()
        .eq("project_id", "pr123")
        .neq("amount", 531)
        .lt("amount", 100)
        .lte("updated_at", datetime!(2020-06-01 00:00:00.000 -8))
        .gt("amount", Decimal::new(1050, 2))
        .gte("updated_at", datetime!(2021-09-30 11:00:57.5 UTC))
        .alte("amount", 0)
        .agte("amount", -3);
    assert_eq!(
        pairs(&f),
        [
            pair("project_id", "eq.pr123"),
            pair("amount", "neq.531"),
            pair("amount", "lt.100"),
            pair("updated_at", "lte.2020-06-01T00:00:00-08:00"),
            pair("amount", "gt.10.50"),
            pair("updated_at", "gte.2021-09-30T11:00:57.5Z"),
            pair("amount", "alte.0"),
            pair("amount", "agte.-3"),
        ]
    );
    roundtrips(&f);
}

#[test]
fn timestamps_with_plus_are_percent_encoded() {
    let f = Filter::new().gte("updated_at", datetime!(2020-06-01 10:00 +5:30));
    assert_eq!(
        pairs(&f),
        [pair("updated_at", "gte.2020-06-01T10:00:00+05:30")]
    );
    assert_eq!(
        f.to_query_string(),
        "updated_at=gte.2020-06-01T10:00:00%2B05:30"
    );
    let parsed = parse(&f.to_query_string()).expect("parses");
    let Clause::Condition(c) = &parsed.clauses()[0] else {
        panic!("not a condition: {parsed:?}");
    };
    assert_eq!(
        c.value().as_datetime(),
        Some(datetime!(2020-06-01 10:00 +5:30))
    );
    // Unencoded, a `+` is read as a space and the timestamp is lost: that is why we encode.
    let raw = parse("updated_at=gte.2020-06-01T10:00:00+05:30").expect("parses");
    assert_ne!(raw, f);
}

#[test]
fn list_family_prints_and_quotes() {
    let f = Filter::new()
        .is_in("id", ["id1", "id2", "id3"])
        .not_in("id", [1, 2, 3])
        .ci_in(
            "merchant",
            [
                "MERCHANT1",
                "merchant 2",
                "a,b",
                "say \"hi\"",
                "back\\slash",
                "",
            ],
        );
    assert_eq!(
        pairs(&f),
        [
            pair("id", "in.(id1,id2,id3)"),
            pair("id", "not_in.(1,2,3)"),
            pair(
                "merchant",
                r#"ci_in.(MERCHANT1,"merchant 2","a,b","say \"hi\"","back\\slash","")"#
            ),
        ]
    );
    roundtrips(&f);
    // A single literal given to `in` becomes a one-item list; an empty list prints `()`.
    let one = Filter::new().condition("id", Operator::In, "x");
    assert_eq!(pairs(&one), [pair("id", "in.(x)")]);
    let none = Filter::new().is_in("id", Vec::<&str>::new());
    assert_eq!(pairs(&none), [pair("id", "in.()")]);
    roundtrips(&none);
}

#[test]
fn is_family_prints() {
    let f = Filter::new()
        .is("is_reimbursable", true)
        .is_not("is_reimbursable", false)
        .is_null("report_id")
        .is_not_null("approved_at")
        .field("flag")
        .is(IsValue::Unknown);
    assert_eq!(
        pairs(&f),
        [
            pair("is_reimbursable", "is.true"),
            pair("is_reimbursable", "is_not.false"),
            pair("report_id", "is.null"),
            pair("approved_at", "is_not.null"),
            pair("flag", "is.unknown"),
        ]
    );
    roundtrips(&f);
}

#[test]
fn pattern_family_prints() {
    let f = Filter::new()
        .like("cost_center->name", "%porate%")
        .not_like("cost_center->name", "Corporate")
        .ilike("creator_user_id", "%Klnkmsvw9%")
        .not_ilike("display_name", "Fast*");
    assert_eq!(
        pairs(&f),
        [
            pair("cost_center->name", "like.%porate%"),
            pair("cost_center->name", "not_like.Corporate"),
            pair("creator_user_id", "ilike.%Klnkmsvw9%"),
            pair("display_name", "not_ilike.Fast*"),
        ]
    );
    assert_eq!(
        f.to_query_string(),
        "cost_center-%3Ename=like.%25porate%25&cost_center-%3Ename=not_like.Corporate\
         &creator_user_id=ilike.%25Klnkmsvw9%25&display_name=not_ilike.Fast*"
    );
    roundtrips(&f);
}

#[test]
fn json_family_prints() {
    let f = Filter::new()
        .cs("category_ids", vec![115_260, 115_257])
        .csn("restricted_category_ids", vec![1])
        .cd("cost_center", json!({"code": "13597", "id": 6632}))
        .not_cd("category_ids", vec![1, 2])
        .ov("category_ids", vec![115_249, 115_248]);
    assert_eq!(
        pairs(&f),
        [
            pair("category_ids", "cs.[115260,115257]"),
            pair("restricted_category_ids", "csn.[1]"),
            pair("cost_center", r#"cd.{"code":"13597","id":6632}"#),
            pair("category_ids", "not_cd.[1,2]"),
            pair("category_ids", "ov.[115249,115248]"),
        ]
    );
    roundtrips(&f);
    // Inside a group, JSON is quoted.
    let g = Filter::new().or(|g| g.cs("cost_center", json!({"code": "1"})).eq("id", "x"));
    assert_eq!(
        pairs(&g),
        [pair("or", r#"(cost_center.cs."{\"code\":\"1\"}",id.eq.x)"#)]
    );
    roundtrips(&g);
}

#[test]
fn any_family_prints() {
    let f = Filter::new()
        .any("category_ids", 115_257)
        .not_any("options", "KM");
    assert_eq!(
        pairs(&f),
        [
            pair("category_ids", "any.115257"),
            pair("options", "not_any.KM")
        ]
    );
    roundtrips(&f);
    // The documented quoted form reads as the same value.
    assert_eq!(
        parse("options=not_any.\"KM\""),
        Ok(Filter::new().not_any("options", "KM"))
    );
}

#[test]
fn groups_print_in_the_documented_form() {
    let f = Filter::new().and(|g| {
        g.or(|g| g.eq("currency", "USD").eq("currency", "EUR"))
            .lt("amount", 50)
    });
    assert_eq!(
        pairs(&f),
        [pair(
            "and",
            "(or=(currency.eq.USD,currency.eq.EUR),amount.lt.50)"
        )]
    );
    roundtrips(&f);
    let deep = Filter::new().or(|g| {
        g.and(|g| g.or(|g| g.is_in("column_name", ["project_id", "cost center"])))
            .eq("is_custom", true)
            .field(FieldPath::new("cost_center").get("name"))
            .eq("a, (b)")
    });
    assert_eq!(
        pairs(&deep),
        [pair(
            "or",
            r#"(and=(or=(column_name.in.(project_id,"cost center"))),is_custom.eq.true,cost_center->name.eq."a, (b)")"#
        )]
    );
    roundtrips(&deep);
    let empty = Filter::new().and(|g| g).or(|g| g);
    assert_eq!(pairs(&empty), [pair("and", "()"), pair("or", "()")]);
    roundtrips(&empty);
}

#[test]
fn raw_pairs_print_verbatim() {
    let f = Filter::new()
        .raw("custom_fields->Project Code", "eq.X Y")
        .or(|g| g.raw("a", "not.eq.1").eq("b", 2));
    assert_eq!(
        pairs(&f),
        [
            pair("custom_fields->Project Code", "eq.X Y"),
            pair("or", "(a.not.eq.1,b.eq.2)")
        ]
    );
    assert_eq!(
        f.to_query_string(),
        "custom_fields-%3EProject%20Code=eq.X%20Y&or=(a.not.eq.1,b.eq.2)"
    );
}

#[test]
fn top_level_values_are_verbatim_unless_they_start_with_a_quote() {
    let f = Filter::new()
        .eq("name", "a,b (c) \"d\"")
        .eq("name", "\"quoted\"")
        .eq("name", "")
        .eq("name", " padded ");
    assert_eq!(
        pairs(&f),
        [
            pair("name", "eq.a,b (c) \"d\""),
            pair("name", r#"eq."\"quoted\"""#),
            pair("name", "eq."),
            pair("name", "eq. padded "),
        ]
    );
    roundtrips(&f);
}

#[test]
fn parser_accepts_the_documented_hand_written_forms() {
    assert_eq!(
        parse("or=(amount.lt.100, id.eq.abc)"),
        Ok(Filter::new().or(|g| g.lt("amount", 100).eq("id", "abc")))
    );
    assert_eq!(
        parse("and=(or=(currency.eq.USD, currency.eq.EUR), amount.lt.50)"),
        Ok(Filter::new().and(|g| {
            g.or(|g| g.eq("currency", "USD").eq("currency", "EUR"))
                .lt("amount", 50)
        }))
    );
    // PostgREST's `or(...)` inside a group.
    assert_eq!(
        parse("and=(or(a.eq.1,b.eq.2),c.eq.3)"),
        Ok(Filter::new().and(|g| g.or(|g| g.eq("a", 1).eq("b", 2)).eq("c", 3)))
    );
    assert_eq!(
        parse("or=(column_name.in.(project_id, cost_center_id), is_custom.eq.true)"),
        Ok(Filter::new().or(|g| {
            g.is_in("column_name", ["project_id", "cost_center_id"])
                .eq("is_custom", true)
        }))
    );
    let states =
        Filter::parse_query_pairs(&[("state", r#"in.("APPROVED", "PAYMENT_PROCESSING", "PAID")"#)]);
    assert_eq!(
        states,
        Ok(Filter::new().is_in("state", ["APPROVED", "PAYMENT_PROCESSING", "PAID"]))
    );
    assert_eq!(
        parse("merchant=ci_in.(MERCHANT1,%20merchant2)"),
        Ok(Filter::new().ci_in("merchant", ["MERCHANT1", "merchant2"]))
    );
    // Unquoted JSON inside a group keeps its text.
    let json = parse("or=(category_ids.cs.[115260, 115257],cost_center.cd.{\"code\":\"1,2\"})")
        .expect("parses");
    assert_eq!(
        json,
        Filter::new().or(|g| {
            g.condition("category_ids", Operator::Cs, "[115260, 115257]")
                .condition("cost_center", Operator::Cd, "{\"code\":\"1,2\"}")
        })
    );
    // `cost_center->name=eq.CC123`.
    assert_eq!(
        parse("cost_center-%3Ename=eq.CC123"),
        Ok(Filter::new().eq(FieldPath::new("cost_center").get("name"), "CC123"))
    );
    assert_eq!(parse(""), Ok(Filter::new()));
}

#[test]
fn parser_skips_reserved_keys_and_list_query_reads_them() {
    let query = "project_id=eq.pr123&order=amount.desc,id&offset=0&limit=200&q=Ritas";
    assert_eq!(parse(query), Ok(Filter::new().eq("project_id", "pr123")));
    let list = ListQuery::parse_query_string(query).expect("parses");
    assert_eq!(list.order, Some(Order::new().desc("amount").asc("id")));
    assert_eq!(
        (list.offset, list.limit, list.q.as_deref()),
        (Some(0), Some(200), Some("Ritas"))
    );
    assert_eq!(
        list.to_query_string(),
        "project_id=eq.pr123&order=amount.desc,id.asc&offset=0&limit=200&q=Ritas"
    );
    assert_eq!(
        ListQuery::parse_query_string(&list.to_query_string()),
        Ok(list)
    );
}

fn err(query: &str) -> (String, ParseErrorKind) {
    let e = ListQuery::parse_query_string(query).expect_err("must not parse");
    (e.key().to_owned(), e.kind().clone())
}

#[test]
fn parse_errors_name_the_key_and_the_problem() {
    use ParseErrorKind as K;
    assert_eq!(err("amount=10"), ("amount".into(), K::MissingOperator));
    assert_eq!(
        err("amount=gtx.10"),
        ("amount".into(), K::UnknownOperator("gtx".into()))
    );
    assert_eq!(
        err("amount=not.eq.1"),
        ("amount".into(), K::UnknownOperator("not".into()))
    );
    assert_eq!(
        err("a=is.maybe"),
        ("a".into(), K::InvalidKeyword("maybe".into()))
    );
    assert_eq!(err("id=in.abc"), ("id".into(), K::ExpectedList));
    assert_eq!(err("id=in.(a,b"), ("id".into(), K::Unbalanced));
    assert_eq!(err("id=in.(a,\"b)"), ("id".into(), K::UnterminatedQuote));
    assert_eq!(
        err("id=in.(a)x"),
        ("id".into(), K::TrailingText("x".into()))
    );
    assert_eq!(
        err("id=eq.%22a%22b"),
        ("id".into(), K::TrailingText("b".into()))
    );
    assert_eq!(err("or=a.eq.1"), ("or".into(), K::ExpectedGroup));
    assert_eq!(
        err("or=(a.eq.1,b)"),
        ("or".into(), K::MalformedElement("b".into()))
    );
    assert_eq!(
        err("or=(a.eq.1,)"),
        ("or".into(), K::MalformedElement(String::new()))
    );
    assert_eq!(
        err("or=(a%20b.eq.1)"),
        ("or".into(), K::InvalidPath("a b".into()))
    );
    assert_eq!(
        err("or=(a.zz.1)"),
        ("or".into(), K::UnknownOperator("zz".into()))
    );
    assert_eq!(err("or=(a.eq.1]"), ("or".into(), K::Unbalanced));
    assert_eq!(err("=eq.1"), (String::new(), K::InvalidPath(String::new())));
    assert_eq!(
        err("a->=eq.1"),
        ("a->".into(), K::InvalidPath("a->".into()))
    );
    assert_eq!(
        err("limit=ten"),
        ("limit".into(), K::InvalidNumber("ten".into()))
    );
    assert_eq!(err("limit=1&limit=2"), ("limit".into(), K::DuplicateKey));
    assert_eq!(err("a=eq.%FF"), ("a".into(), K::InvalidEncoding));
    assert!(matches!(err("order=id.up"), (k, K::InvalidOrder(_)) if k == "order"));
    assert!(matches!(err("order="), (k, K::InvalidOrder(_)) if k == "order"));
    let deep = format!("and={}a.eq.1{}", "(or=".repeat(40), ")".repeat(40));
    assert_eq!(err(&deep), ("and".into(), K::TooDeep));
    let e = parse("amount=gtx.10").expect_err("unknown operator");
    assert_eq!(
        e.to_string(),
        "invalid query parameter `amount`: unknown operator \"gtx\""
    );
}

#[test]
fn very_deep_or_long_input_does_not_overflow() {
    let deep = format!("and={}", "(and=".repeat(100_000));
    assert!(parse(&deep).is_err());
    let brackets = format!("a=in.{}", "(".repeat(100_000));
    assert!(parse(&brackets).is_err());
    let wide = format!("or=({})", vec!["a.eq.1"; 10_000].join(","));
    assert_eq!(parse(&wide).map(|f| f.len()), Ok(1));
}

#[test]
fn order_prints_and_parses() {
    let order = Order::new()
        .desc("updated_at")
        .then(OrderKey::asc(FieldPath::new("cost_center").get("name")).nulls_last())
        .then(OrderKey::desc("id").nulls_first());
    assert_eq!(
        order.to_string(),
        "updated_at.desc,cost_center->name.asc.nullslast,id.desc.nullsfirst"
    );
    assert_eq!(order.to_query_pair(), pair("order", &order.to_string()));
    assert_eq!(Order::parse(&order.to_string()), Ok(order));
    assert_eq!(
        "a, b.nullsfirst".parse::<Order>(),
        Ok(Order::new().asc("a").then(OrderKey::asc("b").nulls_first()))
    );
    assert!(Order::parse("a.nullsfirst.desc").is_err());
    assert!(Order::parse("a,,b").is_err());
    assert!(OrderKey::desc("a").nulls_sort_first());
    assert!(!OrderKey::asc("a").nulls_sort_first());
}

#[test]
fn typed_accessors_read_the_canonical_text() {
    let lit = Literal::from(Decimal::new(-1050, 2));
    assert_eq!(lit.as_str(), "-10.50");
    assert_eq!(lit.as_decimal(), Some(Decimal::new(-1050, 2)));
    assert_eq!(
        Literal::new("1e3").as_decimal(),
        Some(Decimal::new(1000, 0))
    );
    assert_eq!(Literal::new("abc").as_decimal(), None);
    assert_eq!(Literal::from(42_u8).as_i64(), Some(42));
    assert_eq!(Literal::new("False").as_bool(), Some(false));
    assert_eq!(Literal::from(true).as_bool(), Some(true));
    assert!(Literal::null().is_null());
    assert_eq!(Literal::new("NULL").as_keyword(), Some(IsValue::Null));
    let t = datetime!(2020-06-01 00:00:00.123 -8);
    assert_eq!(Literal::from(t).as_str(), "2020-06-01T00:00:00.123-08:00");
    assert_eq!(Literal::from(t).as_datetime(), Some(t));
    assert_eq!(
        Literal::new("2020-06-01T00:00:00.000-08:00").as_datetime(),
        Some(datetime!(2020-06-01 00:00 -8))
    );
    assert_eq!(
        Literal::new("2020-06-01 08:00:00").as_datetime(),
        Some(datetime!(2020-06-01 08:00 UTC))
    );
    assert_eq!(
        Literal::new("2020-06-01").as_datetime(),
        Some(datetime!(2020-06-01 00:00 UTC))
    );
    assert_eq!(Literal::new("yesterday").as_datetime(), None);
    assert_eq!(Literal::new("[1, 2]").as_json(), Some(json!([1, 2])));
    assert_eq!(
        Literal::from(time::macros::date!(2020 - 06 - 01)).as_str(),
        "2020-06-01"
    );
    let v = FilterValue::list([1, 2]);
    assert_eq!(v.as_list().map(<[Literal]>::len), Some(2));
    assert_eq!(v.as_str(), None);
    assert_eq!(FilterValue::from("x").items(), [Literal::new("x")]);
    assert_eq!(
        FilterValue::from(Some(true).map_or(IsValue::Null, IsValue::from)).as_keyword(),
        Some(IsValue::True)
    );
}

#[test]
fn a_list_given_to_a_scalar_operator_becomes_its_text() {
    let c = Condition::new("a", Operator::Eq, FilterValue::list(["x", "y z"]));
    assert_eq!(c.value(), &FilterValue::from("(x,\"y z\")"));
    roundtrips(&Filter::new().clause(c));
}

// ---------------------------------------------------------------------------------------------
// Property tests.

const RESERVED_NAMES: [&str; 6] = ["and", "or", "order", "offset", "limit", "q"];

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,7}".prop_filter("reserved", |s| !RESERVED_NAMES.contains(&s.as_str()))
}

fn path() -> impl Strategy<Value = FieldPath> {
    (name(), prop::collection::vec(name(), 0..3)).prop_map(|(column, keys)| {
        keys.into_iter()
            .fold(FieldPath::new(column), FieldPath::get)
    })
}

fn awkward() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_%*]{0,8}",
        r#"[ ,()\[\]{}"\\+%.=&:>a-z-]{0,10}"#,
        "\\PC{0,8}",
        "[\\x00-\\x1f\u{a0}\u{2028}\u{3000} a]{0,4}",
        "[éü中😀\u{200b}]{0,4}",
    ]
}

fn datetime() -> impl Strategy<Value = OffsetDateTime> {
    (
        0_i64..4_102_444_800,
        0_u32..1_000_000_000,
        -12_i8..=14,
        prop::sample::select(vec![0_i8, 30, 45]),
    )
        .prop_map(|(secs, nanos, hours, minutes)| {
            let offset =
                time::UtcOffset::from_hms(hours, if hours < 0 { -minutes } else { minutes }, 0)
                    .unwrap_or(time::UtcOffset::UTC);
            OffsetDateTime::from_unix_timestamp(secs)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .replace_nanosecond(nanos)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .to_offset(offset)
        })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        awkward().prop_map(Literal::from),
        any::<i64>().prop_map(Literal::from),
        (any::<i64>(), 0_u32..8).prop_map(|(n, scale)| Literal::from(Decimal::new(n, scale))),
        any::<bool>().prop_map(Literal::from),
        datetime().prop_map(Literal::from),
    ]
}

fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        awkward().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(awkward(), inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn condition() -> impl Strategy<Value = Clause> {
    (path(), prop::sample::select(Operator::ALL.to_vec())).prop_flat_map(|(path, op)| {
        let value: BoxedStrategy<FilterValue> = match op.value_kind() {
            ValueKind::List => prop::collection::vec(literal(), 0..4)
                .prop_map(FilterValue::List)
                .boxed(),
            ValueKind::Keyword => prop::sample::select(vec![
                IsValue::Null,
                IsValue::True,
                IsValue::False,
                IsValue::Unknown,
            ])
            .prop_map(FilterValue::from)
            .boxed(),
            ValueKind::Json => json().prop_map(|j| FilterValue::json(&j)).boxed(),
            ValueKind::Scalar => literal().prop_map(FilterValue::Literal).boxed(),
        };
        value.prop_map(move |v| Clause::Condition(Condition::new(path.clone(), op, v)))
    })
}

fn clause() -> impl Strategy<Value = Clause> {
    condition().prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Clause::And),
            prop::collection::vec(inner, 0..4).prop_map(Clause::Or),
        ]
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    prop::collection::vec(clause(), 0..5).prop_map(Filter::from)
}

fn order() -> impl Strategy<Value = Order> {
    let key = (
        path(),
        any::<bool>(),
        prop::sample::select(vec![None, Some(Nulls::First), Some(Nulls::Last)]),
    )
        .prop_map(|(path, desc, nulls)| OrderKey {
            path,
            direction: if desc {
                Direction::Desc
            } else {
                Direction::Asc
            },
            nulls,
        });
    prop::collection::vec(key, 1..4).prop_map(Order::from_iter)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_what_was_printed_gives_back_the_same_filter(f in filter()) {
        let printed = f.to_query_pairs();
        let parsed = Filter::parse_query_pairs(&printed);
        prop_assert_eq!(parsed.as_ref(), Ok(&f), "printed: {:?}", printed);
        let query = f.to_query_string();
        let reparsed = Filter::parse_query_string(&query);
        prop_assert_eq!(reparsed.as_ref(), Ok(&f), "query: {}", query);
        // The encoded query string keeps to RFC 3986 query characters.
        prop_assert!(query.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~(),:*%&=".contains(&b)));
    }

    #[test]
    fn parsing_what_was_printed_gives_back_the_same_order(o in order()) {
        prop_assert_eq!(Order::parse(&o.to_string()), Ok(o));
    }

    #[test]
    fn list_queries_round_trip(
        f in filter(),
        o in prop::option::of(order()),
        offset in prop::option::of(any::<u64>()),
        limit in prop::option::of(1_u64..=200),
        q in prop::option::of(awkward()),
    ) {
        let query = ListQuery { filter: f, order: o, offset, limit, q };
        prop_assert_eq!(ListQuery::parse_query_string(&query.to_query_string()), Ok(query));
    }

    #[test]
    fn arbitrary_input_never_panics_the_parser(
        key in prop_oneof![Just("and".to_owned()), Just("or".to_owned()), Just("order".to_owned()),
                           Just("limit".to_owned()), "[a-z>-]{0,6}", any::<String>()],
        value in prop_oneof![
            r#"(eq|in|is|cs|or|and|not_in)?[.,()\[\]{}"\\ a-z=0-9]{0,40}"#,
            any::<String>(),
        ],
        query in any::<String>(),
    ) {
        let _ = Filter::parse_query_pairs(&[(key.as_str(), value.as_str())]);
        let _ = ListQuery::from_query_pairs(&[(key.as_str(), value.as_str())]);
        let _ = Order::parse(&value);
        let _ = Filter::parse_query_string(&query);
        let _ = ListQuery::parse_query_string(&query);
        let prefixed = format!("{key}={value}");
        let _ = ListQuery::parse_query_string(&prefixed);
    }

    #[test]
    fn parsed_filters_print_back_to_what_parses_the_same(
        value in r#"(eq|in|is|cs|or|and)?\.?[.,()\[\]{}"\\ a-z=0-9]{0,30}"#,
    ) {
        // Whatever parses, prints to something that parses to the same filter.
        for key in ["a", "and", "or"] {
            if let Ok(f) = Filter::parse_query_pairs(&[(key, value.as_str())]) {
                prop_assert_eq!(Filter::parse_query_pairs(&f.to_query_pairs()), Ok(f));
            }
        }
    }
}
