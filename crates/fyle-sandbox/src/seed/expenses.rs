//! Seeding expenses: most filed into the drafted reports (whose totals they add to), some with
//! receipts, foreign amounts, taxes, custom field values, and a matched card transaction when
//! paid by a cardholder's card.

use rand::Rng;
use serde_json::{Value, json};

use super::cards::CardOf;
use super::people::Employees;
use super::reference::MasterIds;
use super::reports::ReportDraft;
use super::words::{FOREIGN, MERCHANTS, PURPOSES};
use super::{DAY, Seeding, pick, ts};
use crate::clock::fyle_timestamp_unix;
use crate::ids::new_id;
use crate::rules::{expense_state_for_report, money, state_display_name};
use crate::seed_master::{self, TaxGroup};
use crate::store::Resource;

/// What the expenses point at, seeded before them.
pub(super) struct Links<'a> {
    pub(super) employees: &'a Employees,
    pub(super) master: &'a MasterIds,
    pub(super) tax_groups: &'a [TaxGroup],
    pub(super) card_of: &'a CardOf,
}

/// Seeds `expenses` expenses, filing them into `reports`, then their receipts and the card
/// transactions matched to them.
pub(super) fn seed(
    s: &mut Seeding,
    links: &Links<'_>,
    reports: &mut [ReportDraft],
    expenses: usize,
) {
    s.org.table_mut(Resource::Expenses).rows.reserve(expenses);
    let mut seeder = Seeder {
        s,
        links,
        reports,
        files: Vec::with_capacity(expenses),
        matched_rows: Vec::new(),
    };
    for n in 0..expenses {
        let row = seeder.expense(n);
        seeder.s.org.table_mut(Resource::Expenses).insert(row);
    }
    let Seeder {
        s,
        files,
        matched_rows,
        ..
    } = seeder;
    for row in matched_rows {
        s.org
            .table_mut(Resource::CorporateCardTransactions)
            .insert(row);
    }
    let files_table = s.org.table_mut(Resource::Files);
    files_table.rows.reserve(files.len());
    for f in files {
        files_table.insert(f);
    }
}

/// The expense loop's state: what it draws from and what it collects for afterwards.
struct Seeder<'a, 'l> {
    s: &'a mut Seeding,
    links: &'a Links<'l>,
    reports: &'a mut [ReportDraft],
    /// Receipts, stored after the expenses.
    files: Vec<Value>,
    /// Card transactions matched to expenses, stored after the expenses.
    matched_rows: Vec<Value>,
}

/// The facts of an expense that a card transaction matched to it copies.
struct Spend<'a> {
    user_id: &'a str,
    id: &'a str,
    cents: i64,
    merchant: &'a str,
    spent_at: &'a str,
    created: i64,
}

/// The report fields of an expense: `report_id`, `added_to_report_at`,
/// `report_last_approved_at`, `report_last_paid_at` and `last_settled_at`.
type ReportFields = (Value, Value, Value, Value, Value);

impl Seeder<'_, '_> {
    /// Expense number `n`. Every draw happens in the order it always has, so the same seed
    /// keeps giving the same data.
    fn expense(&mut self, n: usize) -> Value {
        let (ei, state, report) = self.placement();
        let (spent, created, mut updated) = self.dates(report);
        let (cents, foreign_currency, foreign_amount) = self.amount();
        let (employee_id, user_id) = self.links.employees[ei].clone();
        let (category_id, project_id, cost_center_id) = self.coding();
        let is_card = self.s.rng.gen_bool(0.25);
        let id = new_id(&mut self.s.rng, "tx");
        let file_ids = self.receipts(n, &user_id, created);
        let (report_id, added_at, last_approved, last_paid, settled) =
            self.file_into(report, cents, &mut updated);
        let seq = self.s.org.next_seq();
        // Drawn in the order the row below used to draw them, so the data stays as it was.
        let created_ts = ts(&mut self.s.rng, created);
        let updated_ts = ts(&mut self.s.rng, updated);
        let merchant = *pick(&mut self.s.rng, MERCHANTS);
        let spent_at = fyle_timestamp_unix(spent - spent % DAY, 0);
        let (custom_fields, custom_flat) = seed_master::custom_values(&mut self.s.extra, &spent_at);
        let tax_groups = self.links.tax_groups;
        let (tax_group_id, tax_amount, tax_group) = seed_master::tax(
            &tax_groups[self.s.extra.gen_range(0..tax_groups.len())],
            cents,
        );
        let facts = Spend {
            user_id: &user_id,
            id: &id,
            cents,
            merchant,
            spent_at: &spent_at,
            created,
        };
        let matched = self.match_card(ei, is_card, &facts);
        let rng = &mut self.s.rng;
        let mut row = json!({
            "id": id, "org_id": self.s.org_id, "user_id": user_id, "employee_id": employee_id,
            "creator_user_id": user_id,
            "created_at": created_ts, "updated_at": updated_ts,
            "spent_at": spent_at,
            "source": if is_card { "CORPORATE_CARD" } else if n.is_multiple_of(3) { "MOBILE" } else { "WEBAPP" },
            "merchant": merchant, "purpose": pick(rng, PURPOSES),
            "currency": "USD", "amount": money(cents), "claim_amount": money(cents),
            "policy_amount": Value::Null, "admin_amount": Value::Null,
            "foreign_currency": foreign_currency, "foreign_amount": foreign_amount,
            "category_id": category_id, "project_id": project_id, "cost_center_id": cost_center_id,
            "source_account_id": format!("acc{}", &user_id[2..]),
            "source_account": {
                "id": format!("acc{}", &user_id[2..]),
                "type": if is_card { "PERSONAL_CORPORATE_CREDIT_CARD_ACCOUNT" } else { "PERSONAL_CASH_ACCOUNT" },
            },
            "is_billable": rng.gen_bool(0.2), "is_reimbursable": !is_card,
            "state": state, "state_display_name": state_display_name(state),
            "seq_num": format!("E/{}/{:02}/T/{seq}", 2026, (n % 12) + 1),
            "code": Value::Null,
            "report_id": report_id, "added_to_report_at": added_at,
            "report_last_approved_at": last_approved, "report_last_paid_at": last_paid,
            "last_settled_at": settled,
            "file_ids": file_ids,
            "is_exported": Value::Null, "is_verified": false,
            "is_manually_flagged": false, "is_policy_flagged": rng.gen_bool(0.05),
        });
        if let Some(m) = row.as_object_mut() {
            m.extend([
                ("tax_amount".to_owned(), tax_amount),
                ("tax_group_id".to_owned(), tax_group_id),
                ("tax_group".to_owned(), tax_group),
                ("custom_fields".to_owned(), custom_fields),
                ("custom_fields_flattened".to_owned(), custom_flat),
            ]);
            m.extend(matched_fields(matched));
        }
        row
    }

    /// Who spent and in what state: three in four expenses go into a drawn report (its owner,
    /// the state its state implies), the rest to a drawn employee, draft or complete.
    fn placement(&mut self) -> (usize, &'static str, Option<usize>) {
        let rng = &mut self.s.rng;
        let report_index = rng
            .gen_bool(0.75)
            .then(|| rng.gen_range(0..self.reports.len()));
        match report_index {
            Some(ri) => {
                let r = &self.reports[ri];
                (r.employee, expense_state_for_report(r.state), Some(ri))
            }
            None => (
                rng.gen_range(0..self.links.employees.len()),
                if rng.gen_bool(0.3) {
                    "DRAFT"
                } else {
                    "COMPLETE"
                },
                None,
            ),
        }
    }

    /// When it was spent (before its report was created), created and updated.
    fn dates(&mut self, report: Option<usize>) -> (i64, i64, i64) {
        let rng = &mut self.s.rng;
        let spent = match report {
            Some(ri) => self.reports[ri].created - rng.gen_range(0..20 * DAY),
            None => self.s.start + rng.gen_range(0..365 * DAY),
        };
        let created = spent + rng.gen_range(600..2 * DAY);
        let updated = created + rng.gen_range(0..5 * DAY);
        (spent, created, updated)
    }

    /// The amount in cents (one in ten small), and one in five a foreign currency and amount.
    fn amount(&mut self) -> (i64, Value, Value) {
        let rng = &mut self.s.rng;
        let cents: i64 = if rng.gen_bool(0.1) {
            rng.gen_range(100..1_000)
        } else {
            rng.gen_range(500..120_000)
        };
        let (foreign_currency, foreign_amount) = if rng.gen_bool(0.2) {
            let (cur, rate) = *pick(rng, FOREIGN);
            #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
            let fc = (cents as f64 / rate).round() as i64;
            (json!(cur), money(fc))
        } else {
            (Value::Null, Value::Null)
        };
        (cents, foreign_currency, foreign_amount)
    }

    /// The category, and often a project and a cost center.
    fn coding(&mut self) -> (i64, Value, Value) {
        let rng = &mut self.s.rng;
        let master = self.links.master;
        let category_id = *pick(rng, &master.category_ids);
        let project_id = if rng.gen_bool(0.6) {
            json!(pick(rng, &master.project_ids))
        } else {
            Value::Null
        };
        let cost_center_id = if rng.gen_bool(0.7) {
            json!(pick(rng, &master.cost_center_ids))
        } else {
            Value::Null
        };
        (category_id, project_id, cost_center_id)
    }

    /// Receipts for three in five expenses (one or two files), kept to be stored afterwards.
    fn receipts(&mut self, n: usize, user_id: &str, created: i64) -> Vec<String> {
        let rng = &mut self.s.rng;
        let mut file_ids = Vec::new();
        if rng.gen_bool(0.6) {
            for _ in 0..rng.gen_range(1..=2) {
                let fid = new_id(rng, "fi");
                let pdf = rng.gen_bool(0.5);
                let fts = ts(rng, created);
                self.files.push(json!({
                    "id": fid, "org_id": self.s.org_id, "user_id": user_id,
                    "created_at": fts, "updated_at": fts,
                    "name": format!("receipt_{}.{}", n + 1, if pdf { "pdf" } else { "jpg" }),
                    "type": "RECEIPT",
                    "content_type": if pdf { "application/pdf" } else { "image/jpeg" },
                }));
                file_ids.push(fid);
            }
        }
        file_ids
    }

    /// Adds the expense to its report's totals and answers the report fields; an expense is
    /// updated no earlier than its report's last step.
    fn file_into(&mut self, report: Option<usize>, cents: i64, updated: &mut i64) -> ReportFields {
        let Some(ri) = report else {
            return (
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            );
        };
        let r = &mut self.reports[ri];
        r.cents += cents;
        r.count += 1;
        let approved = r.approved.map(|t| fyle_timestamp_unix(t, 0));
        let paid = r.paid.map(|t| fyle_timestamp_unix(t, 0));
        let last = r.paid.or(r.approved).or(r.submitted).unwrap_or(r.created);
        *updated = (*updated).max(last + 60);
        (
            json!(r.id),
            json!(fyle_timestamp_unix(r.created, 0)),
            json!(approved),
            json!(paid),
            json!(paid),
        )
    }

    /// For a card expense of a cardholder, the card transaction matched to it (kept to be
    /// stored afterwards): its id and the embed the expense shows.
    fn match_card(
        &mut self,
        ei: usize,
        is_card: bool,
        spend: &Spend<'_>,
    ) -> Option<(Value, Value)> {
        let card = self.links.card_of.get(&ei).filter(|_| is_card)?;
        let g = |k: &str| card.get(k).and_then(Value::as_str).unwrap_or_default();
        let m = seed_master::matched_transaction(
            &mut self.s.extra,
            &self.s.org_id,
            &seed_master::Card {
                id: g("id"),
                number: g("card_number"),
                bank: g("bank_name"),
                holder: card.get("cardholder_name").unwrap_or(&Value::Null),
                user: card.get("user").unwrap_or(&Value::Null),
            },
            spend.user_id,
            spend.id,
            spend.cents,
            spend.merchant,
            spend.spent_at,
            &fyle_timestamp_unix(spend.created, 0),
        );
        let txn_id = m.row.get("id").cloned().unwrap_or(Value::Null);
        self.matched_rows.push(m.row);
        Some((txn_id, m.embed))
    }
}

/// The `matched_corporate_card_transaction*` fields of an expense.
fn matched_fields(matched: Option<(Value, Value)>) -> [(String, Value); 3] {
    let (matched_ids, matched_embed) = matched.map_or_else(
        || (json!([]), json!({})),
        |(id, embed)| (json!([id]), embed),
    );
    [
        (
            "matched_corporate_card_transaction_id".to_owned(),
            matched_ids.get(0).cloned().unwrap_or(Value::Null),
        ),
        (
            "matched_corporate_card_transaction_ids".to_owned(),
            matched_ids,
        ),
        (
            "matched_corporate_card_transaction".to_owned(),
            matched_embed,
        ),
    ]
}
