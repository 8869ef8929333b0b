//! Keyset paging served by seeking: a request ordered `k1.asc,..,kn.asc` whose filter holds the
//! cursor condition "(k1,..,kn) > (v1,..,vn)" (`k1=gt.v1`, or
//! `or=(k1.gt.v1,and(k1.eq.v1,k2.gt.v2),..)`) is the sorted result of the rest of the filter,
//! from the first row past the cursor. That result is cached like any other, so each page of a
//! stable export costs a binary search instead of a scan of the table.

use fyle_models::query::{Clause, Condition, Direction, Filter, Operator, Order};

/// Splits `filter` into the rest of the filter and the cursor condition over `order`'s keys,
/// when it has one (at the top level or in a top-level `and` group) and `order` is all
/// ascending with default null placement.
pub(crate) fn split(filter: &Filter, order: &Order) -> Option<(Filter, Clause)> {
    let keys = order.keys();
    if keys.is_empty()
        || keys
            .iter()
            .any(|k| k.direction != Direction::Asc || k.nulls.is_some())
    {
        return None;
    }
    // The cursor stands at the top level, or inside a top-level `and` group (where a client
    // puts it when the top-level key is already taken by its caller's condition).
    let mut rest = Filter::new();
    let mut cursor = None;
    for clause in filter.clauses() {
        if cursor.is_none() && is_cursor(clause, order) {
            cursor = Some(clause.clone());
            continue;
        }
        if cursor.is_none()
            && let Clause::And(inner) = clause
            && let Some(at) = inner.iter().position(|c| is_cursor(c, order))
        {
            cursor = Some(inner[at].clone());
            let others: Vec<Clause> = inner
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != at)
                .map(|(_, c)| c.clone())
                .collect();
            if !others.is_empty() {
                rest = rest.clause(Clause::And(others));
            }
            continue;
        }
        rest = rest.clause(clause.clone());
    }
    Some((rest, cursor?))
}

/// Whether `clause` is exactly the cursor condition over the keys of `order`.
fn is_cursor(clause: &Clause, order: &Order) -> bool {
    let keys = order.keys();
    if let ([key], Clause::Condition(c)) = (keys, clause) {
        return c.op() == Operator::Gt && c.path() == &key.path && c.value().items().len() == 1;
    }
    let Clause::Or(branches) = clause else {
        return false;
    };
    if branches.len() != keys.len() {
        return false;
    }
    // Branch i: k1 = v1, .., k(i-1) = v(i-1), ki > vi, with the same vj in every branch.
    let Some(Clause::Condition(first)) = branches.first() else {
        return false;
    };
    let values: Vec<_> = std::iter::once(first.value())
        .chain(branches.iter().skip(1).filter_map(|b| match b {
            Clause::And(conds) => conds.last().and_then(condition).map(Condition::value),
            _ => None,
        }))
        .collect();
    if values.len() != keys.len() || values.iter().any(|v| v.items().len() != 1) {
        return false;
    }
    branches.iter().enumerate().all(|(i, branch)| {
        let conds: Vec<&Condition> = match branch {
            Clause::Condition(c) if i == 0 => vec![c],
            Clause::And(inner) if i > 0 => inner.iter().filter_map(condition).collect(),
            _ => return false,
        };
        conds.len() == i + 1
            && conds.iter().enumerate().all(|(j, c)| {
                let op = if j == i { Operator::Gt } else { Operator::Eq };
                c.op() == op && c.path() == &keys[j].path && c.value() == values[j]
            })
    })
}

fn condition(clause: &Clause) -> Option<&Condition> {
    match clause {
        Clause::Condition(c) => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fyle_models::query::ListQuery;

    fn parse(query: &[(&str, &str)]) -> ListQuery {
        let pairs: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ListQuery::from_query_pairs(&pairs).expect("a valid query")
    }

    #[test]
    fn finds_the_cursor_the_facade_sends() {
        let q = parse(&[
            ("state", "eq.APPROVED"),
            (
                "or",
                "(updated_at.gt.2026-01-01T00:00:00Z,and(updated_at.eq.2026-01-01T00:00:00Z,id.gt.tx5))",
            ),
            ("order", "updated_at.asc,id.asc"),
        ]);
        let order = q.order.expect("an order");
        let (rest, cursor) = split(&q.filter, &order).expect("a cursor");
        assert_eq!(rest.to_query_string(), "state=eq.APPROVED");
        assert!(matches!(cursor, Clause::Or(ref b) if b.len() == 2));

        let one = parse(&[("id", "gt.tx5"), ("order", "id.asc")]);
        let (rest, _) = split(&one.filter, one.order.as_ref().expect("order")).expect("cursor");
        assert!(rest.is_empty());
    }

    #[test]
    fn finds_the_cursor_inside_a_top_level_and_group() {
        let q = parse(&[
            ("or", "(state.eq.A,state.eq.B)"),
            (
                "and",
                "(amount.gt.5,or=(updated_at.gt.T,and=(updated_at.eq.T,id.gt.tx5)))",
            ),
            ("order", "updated_at.asc,id.asc"),
        ]);
        let order = q.order.expect("an order");
        let (rest, _) = split(&q.filter, &order).expect("a cursor");
        assert_eq!(
            rest.to_query_pairs(),
            vec![
                ("or".to_owned(), "(state.eq.A,state.eq.B)".to_owned()),
                ("and".to_owned(), "(amount.gt.5)".to_owned()),
            ]
        );
        let alone = parse(&[
            ("and", "(id.gt.tx5)"),
            ("id", "gte.tx1"),
            ("order", "id.asc"),
        ]);
        let order = alone.order.expect("an order");
        let (rest, _) = split(&alone.filter, &order).expect("a cursor");
        assert_eq!(rest.to_query_string(), "id=gte.tx1");
    }

    #[test]
    fn ignores_what_is_not_a_cursor_over_the_order() {
        let cases: [&[(&str, &str)]; 5] = [
            // Different values in the two branches.
            &[
                ("or", "(updated_at.gt.A,and(updated_at.eq.B,id.gt.tx5))"),
                ("order", "updated_at.asc,id.asc"),
            ],
            // Descending order.
            &[("id", "gt.tx5"), ("order", "id.desc")],
            // Keys in another order than the sort.
            &[
                ("or", "(id.gt.tx5,and(id.eq.tx5,updated_at.gt.A))"),
                ("order", "updated_at.asc,id.asc"),
            ],
            // `gte` is not strictly after the cursor.
            &[("id", "gte.tx5"), ("order", "id.asc")],
            // An `or` of something else.
            &[
                ("or", "(state.eq.A,state.eq.B)"),
                ("order", "updated_at.asc,id.asc"),
            ],
        ];
        for case in cases {
            let q = parse(case);
            let order = q.order.clone().expect("an order");
            assert!(split(&q.filter, &order).is_none(), "{case:?}");
        }
    }
}
