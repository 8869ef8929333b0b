//! Seeding corporate cards (one for every third employee) and their bank transactions.

use std::collections::HashMap;

use rand::Rng;
use serde_json::{Value, json};

use super::people::Employees;
use super::words::{BANKS, MERCHANTS};
use super::{DAY, Seeding, pick, ts};
use crate::clock::fyle_timestamp_unix;
use crate::ids::new_id;
use crate::rules::money;
use crate::store::Resource;

/// The card of each cardholder, by the holder's index in the employees.
pub(super) type CardOf = HashMap<usize, Value>;

/// Seeds the cards, then about one transaction per ten expenses (at least 20) on them.
pub(super) fn seed(s: &mut Seeding, employees: &Employees, expenses: usize) -> CardOf {
    let cards = cards(s, employees);
    transactions(s, employees, &cards, expenses);
    cards
        .iter()
        .filter_map(|(id, ei)| {
            s.org
                .table(Resource::CorporateCards)
                .get(id)
                .map(|c| (*ei, (**c).clone()))
        })
        .collect()
}

/// The `user` object of employee `ei`, as stored in their row.
fn user_of(s: &Seeding, employees: &Employees, ei: usize) -> Value {
    s.org
        .table(Resource::Employees)
        .get(&employees[ei].0)
        .and_then(|e| e.get("user").cloned())
        .unwrap_or(Value::Null)
}

/// Seeds one card for every third employee: (card id, holder's index).
fn cards(s: &mut Seeding, employees: &Employees) -> Vec<(String, usize)> {
    let mut cards: Vec<(String, usize)> = Vec::new();
    for (ei, (_, user_id)) in employees.iter().enumerate().step_by(3) {
        let id = new_id(&mut s.rng, "bacc");
        let user = user_of(s, employees, ei);
        let last4 = s.rng.gen_range(1000..10_000);
        let created_secs = s.org_created + s.rng.gen_range(0..90) * DAY;
        let created = ts(&mut s.rng, created_secs);
        let holder = user.get("full_name").cloned().unwrap_or(Value::Null);
        s.org.table_mut(Resource::CorporateCards).insert(json!({
            "id": id, "org_id": s.org_id, "user_id": user_id, "user": user,
            "created_at": created, "updated_at": created,
            "bank_name": pick(&mut s.rng, BANKS), "card_number": format!("xxxx-{last4}"),
            "cardholder_name": holder, "data_feed_source": "BANK_STATEMENT", "code": Value::Null,
            "is_dummy": false, "nickname": format!("Card {last4}"), "is_archived": false,
            "is_visa_enrolled": false, "is_mastercard_enrolled": false, "is_capitalone_enrolled": false,
            "total_transactions_count": 0, "unassigned_transactions_count": 0,
        }));
        cards.push((id, ei));
    }
    cards
}

/// Seeds transactions on `cards`, spread over the history, none matched to an expense.
fn transactions(
    s: &mut Seeding,
    employees: &Employees,
    cards: &[(String, usize)],
    expenses: usize,
) {
    let n_txns = (expenses / 10).max(20);
    for _ in 0..n_txns {
        let (card_id, ei) = pick(&mut s.rng, cards).clone();
        let user = user_of(s, employees, ei);
        let spent = s.start + s.rng.gen_range(0..365 * DAY);
        let cents = s.rng.gen_range(300..250_000);
        let merchant = *pick(&mut s.rng, MERCHANTS);
        let id = new_id(&mut s.rng, "btxn");
        let created_secs = spent + s.rng.gen_range(DAY..3 * DAY);
        let created = ts(&mut s.rng, created_secs);
        s.org.table_mut(Resource::CorporateCardTransactions).insert(json!({
            "id": id, "org_id": s.org_id, "user_id": employees[ei].1, "user": user,
            "created_at": created, "updated_at": created,
            "amount": money(cents), "currency": "USD",
            "spent_at": fyle_timestamp_unix(spent, 0), "post_date": fyle_timestamp_unix(spent + DAY, 0),
            "transaction_status": if s.rng.gen_bool(0.9) { "POSTED" } else { "PENDING" },
            "description": format!("{} {}", merchant.to_uppercase(), s.rng.gen_range(1000..9999)),
            "merchant": merchant, "category": Value::Null, "corporate_card_id": card_id,
            "is_assigned": true, "is_marked_personal": false, "is_dismissed": false,
            "is_auto_matched": false, "auto_suggested_expense_ids": [], "matched_expense_ids": [],
            "matched_expenses": [], "is_exported": false,
            "mcc": format!("{}", s.extra.gen_range(4000..5999)),
        }));
    }
}
