//! The sums: the org's spend read once from the stored expenses (every expense Fyle counts as
//! spend, see [`rules::expense_is_spend`]), filtered by a request's parameters, then summed in
//! cents (as the sandbox keeps money, [`rules::cents`] / [`rules::money`]) per time bucket
//! (summary) or per group (`by_*`, with its share of the total and its change against the
//! previous window).

use std::collections::{BTreeMap, HashMap};

use fyle_models::query::Literal;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::params::{Dimension, Params, View};
use super::window::{Granularity, Window, Windows};
use crate::rules::{self, cents, money, round_money};
use crate::store::{OrgData, Resource, key_of};

/// The source account type of corporate card spend.
const CARD_ACCOUNT: &str = "PERSONAL_CORPORATE_CREDIT_CARD_ACCOUNT";
/// `card_nickname` is at most 25 characters in the spec.
const NICKNAME_MAX: usize = 25;

/// One expense as the overview reads it.
#[derive(Debug)]
struct Spend {
    cents: i64,
    at: OffsetDateTime,
    card_spend: bool,
    reimbursable: bool,
    merchant: Option<String>,
    project: Option<String>,
    category: Option<String>,
    department: Option<String>,
    user: Option<String>,
    card: Option<String>,
}

impl Spend {
    fn key(&self, d: Dimension) -> Option<&str> {
        match d {
            Dimension::Merchant => self.merchant.as_deref(),
            Dimension::Project => self.project.as_deref(),
            Dimension::Category => self.category.as_deref(),
            Dimension::Department => self.department.as_deref(),
            Dimension::User => self.user.as_deref(),
            Dimension::CorporateCard => self.card.as_deref(),
        }
    }

    fn admitted_by(&self, params: &Params) -> bool {
        params.card_spend.is_none_or(|c| c == self.card_spend)
            && params.reimbursable.is_none_or(|r| r == self.reimbursable)
            && params.within.iter().all(|(d, wanted)| {
                self.key(*d).is_some_and(|k| match d {
                    Dimension::Merchant => wanted.iter().any(|w| w.eq_ignore_ascii_case(k)),
                    _ => wanted.contains(k),
                })
            })
    }
}

/// What a request computes to.
#[derive(Debug)]
pub(crate) enum Computed {
    /// The summary's whole body.
    Summary(Value),
    /// A `by_*` view's rows, biggest spend first.
    Rows(Vec<Value>),
}

/// Computes `view` over `org`'s spend admitted by `params`, in `windows`.
pub(crate) fn compute(org: &OrgData, view: View, params: &Params, windows: &Windows) -> Computed {
    let spend: Vec<Spend> = read(org)
        .into_iter()
        .filter(|s| s.admitted_by(params))
        .collect();
    match view {
        View::Summary => Computed::Summary(summary(&spend, params.granularity, windows.current)),
        View::By(d) => Computed::Rows(rows(org, d, &spend, windows)),
    }
}

/// Every expense of `org` that counts as spend and has an amount and a spend date.
fn read(org: &OrgData) -> Vec<Spend> {
    let text = |v: Option<&Value>| v.and_then(key_of);
    let departments = column(org, Resource::Employees, "department_id");
    let cards = column(
        org,
        Resource::CorporateCardTransactions,
        "corporate_card_id",
    );
    org.table(Resource::Expenses)
        .rows
        .values()
        .filter_map(|e| {
            let state = e.get("state").and_then(Value::as_str).unwrap_or_default();
            if !rules::expense_is_spend(state) {
                return None;
            }
            let amount = e.get("amount").and_then(Value::as_f64)?;
            let at = e
                .get("spent_at")
                .and_then(Value::as_str)
                .and_then(|s| Literal::new(s).as_datetime())?;
            let card = e
                .pointer("/matched_corporate_card_transaction_ids/0")
                .and_then(Value::as_str)
                .and_then(|t| cards.get(t).cloned().flatten())
                .or_else(|| {
                    text(e.pointer("/matched_corporate_card_transaction/corporate_card_id"))
                });
            let account = e.pointer("/source_account/type").and_then(Value::as_str);
            Some(Spend {
                cents: cents(amount),
                at,
                card_spend: card.is_some() || account == Some(CARD_ACCOUNT),
                reimbursable: e.get("is_reimbursable").and_then(Value::as_bool) == Some(true),
                merchant: text(e.get("merchant")),
                project: text(e.get("project_id")),
                category: text(e.get("category_id")),
                department: e
                    .get("employee_id")
                    .and_then(Value::as_str)
                    .and_then(|id| departments.get(id).cloned().flatten()),
                user: text(e.get("user_id")),
                card,
            })
        })
        .collect()
}

/// The id-valued `field` of every row of `r`, by row id.
fn column<'a>(org: &'a OrgData, r: Resource, field: &str) -> HashMap<&'a str, Option<String>> {
    org.table(r)
        .rows
        .iter()
        .map(|(id, row)| (id.as_str(), row.get(field).and_then(key_of)))
        .collect()
}

/// `{time_interval_granularity, total_amount, data: [{amount, time_interval_marker}]}`: the
/// buckets that hold spend, oldest first.
fn summary(spend: &[Spend], granularity: Granularity, window: Window) -> Value {
    let mut buckets: BTreeMap<String, i64> = BTreeMap::new();
    let mut total: i64 = 0;
    for s in spend.iter().filter(|s| window.contains(s.at)) {
        total = total.saturating_add(s.cents);
        let bucket = buckets.entry(granularity.marker(s.at)).or_default();
        *bucket = bucket.saturating_add(s.cents);
    }
    let data: Vec<Value> = buckets
        .into_iter()
        .map(|(marker, c)| json!({"amount": money(c), "time_interval_marker": marker}))
        .collect();
    json!({
        "time_interval_granularity": granularity.name(),
        "total_amount": money(total),
        "data": data,
    })
}

/// Spend of one group: in the current window, in the previous one.
#[derive(Debug, Default)]
struct Sums {
    current: i64,
    previous: i64,
    in_current: bool,
}

/// One row per group that spent in the current window, biggest spend first. Spend without the
/// dimension (no project, no department, no card...) counts in the total but in no row; spend
/// without a merchant is the `merchant_name: null` row.
fn rows(org: &OrgData, d: Dimension, spend: &[Spend], windows: &Windows) -> Vec<Value> {
    let mut groups: BTreeMap<Option<&str>, Sums> = BTreeMap::new();
    let mut total: i64 = 0;
    for s in spend {
        let current = windows.current.contains(s.at);
        if current {
            total = total.saturating_add(s.cents);
        } else if !windows.previous.contains(s.at) {
            continue;
        }
        let key = s.key(d);
        if key.is_none() && d != Dimension::Merchant {
            continue;
        }
        let sums = groups.entry(key).or_default();
        if current {
            sums.current = sums.current.saturating_add(s.cents);
            sums.in_current = true;
        } else {
            sums.previous = sums.previous.saturating_add(s.cents);
        }
    }
    let mut ranked: Vec<(Option<&str>, Sums)> =
        groups.into_iter().filter(|(_, s)| s.in_current).collect();
    ranked.sort_by(|a, b| b.1.current.cmp(&a.1.current).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .map(|(key, sums)| {
            let mut row = describe(org, d, key);
            row.insert("amount".into(), money(sums.current));
            row.insert("percentage".into(), share(sums.current, total));
            row.insert(
                "change_percentage".into(),
                change(sums.current, sums.previous),
            );
            Value::Object(row)
        })
        .collect()
}

/// `part` as a percentage of `total`, 2 decimals; 0 of nothing.
#[allow(clippy::cast_precision_loss)] // cents stay far below 2^53
fn share(part: i64, total: i64) -> Value {
    if total == 0 {
        return json!(0.0);
    }
    round_money(&json!(part as f64 * 100.0 / total as f64))
}

/// The change from `previous` to `current` in percent, 2 decimals; 0 when nothing was spent
/// before (there is no base to compare with).
#[allow(clippy::cast_precision_loss)] // cents stay far below 2^53
fn change(current: i64, previous: i64) -> Value {
    if previous == 0 {
        return json!(0.0);
    }
    round_money(&json!(
        (current - previous) as f64 * 100.0 / previous.unsigned_abs() as f64
    ))
}

/// The columns that name a group of `d`, besides `amount`, `percentage`, `change_percentage`.
pub(crate) fn columns(d: Dimension) -> &'static [&'static str] {
    match d {
        Dimension::Merchant => &["merchant_name"],
        Dimension::Project => &["project_id", "project_display_name"],
        Dimension::Category => &["category_id", "category_display_name"],
        Dimension::Department => &["department_id", "department_display_name"],
        Dimension::User => &["user_id", "user_full_name", "user_email"],
        Dimension::CorporateCard => &[
            "card_id",
            "card_number",
            "card_holder_name",
            "card_nickname",
            "user_id",
        ],
    }
}

/// The naming columns of group `key` of `d` (see [`columns`]), read from the org's tables.
fn describe(org: &OrgData, d: Dimension, key: Option<&str>) -> Map<String, Value> {
    let k = key.unwrap_or_default();
    let row = |r: Resource| org.table(r).get(k);
    let field = |r: Resource, f: &str| row(r).and_then(|v| v.get(f)).cloned();
    // A master row deleted since keeps its id and shows it as its name.
    let display = |r: Resource| {
        field(r, "display_name")
            .filter(Value::is_string)
            .or_else(|| field(r, "name").filter(Value::is_string))
            .unwrap_or_else(|| json!(k))
    };
    let id = |r: Resource| {
        field(r, "id").unwrap_or_else(|| k.parse::<i64>().map_or(json!(k), |n| json!(n)))
    };
    let values = match d {
        Dimension::Merchant => vec![json!(key)],
        Dimension::Project => vec![id(Resource::Projects), display(Resource::Projects)],
        Dimension::Category => vec![id(Resource::Categories), display(Resource::Categories)],
        Dimension::Department => vec![json!(k), display(Resource::Departments)],
        Dimension::User => {
            let user = org.user(k);
            vec![
                json!(k),
                json!(user.as_ref().map_or(k, |u| u.full_name.as_str())),
                json!(user.as_ref().map_or("", |u| u.email.as_str())),
            ]
        }
        Dimension::CorporateCard => {
            let text = |f: &str| field(Resource::CorporateCards, f).filter(Value::is_string);
            let nickname = text("nickname").and_then(|n| {
                n.as_str()
                    .map(|s| s.chars().take(NICKNAME_MAX).collect::<String>())
            });
            vec![
                json!(k),
                text("card_number").unwrap_or_else(|| json!("")),
                text("cardholder_name").unwrap_or(Value::Null),
                json!(nickname),
                text("user_id").unwrap_or(Value::Null),
            ]
        }
    };
    columns(d)
        .iter()
        .map(|n| (*n).to_owned())
        .zip(values)
        .collect()
}
