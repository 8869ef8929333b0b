//! Seeding reports: drafted first (state, dates, owner) so the expenses can fill them, then
//! stored with the totals the expenses added up.

use rand::Rng;
use serde_json::{Value, json};

use super::people::Employees;
use super::words::PURPOSES;
use super::{DAY, Seeding, pick};
use crate::clock::fyle_timestamp_unix;
use crate::ids::new_id;
use crate::rules::{money, state_display_name};
use crate::store::Resource;

/// Report states and their weights (percent).
const REPORT_STATES: &[(&str, u32)] = &[
    ("DRAFT", 10),
    ("APPROVER_PENDING", 15),
    ("APPROVER_INQUIRY", 5),
    ("APPROVED", 20),
    ("PAYMENT_PENDING", 10),
    ("PAYMENT_PROCESSING", 10),
    ("PAID", 30),
];

/// A report before it is stored: the expenses seeded into it add to `cents` and `count`.
pub(super) struct ReportDraft {
    pub(super) id: String,
    /// The owner's index in the employees.
    pub(super) employee: usize,
    pub(super) state: &'static str,
    pub(super) created: i64,
    pub(super) submitted: Option<i64>,
    pub(super) approved: Option<i64>,
    pub(super) paid: Option<i64>,
    pub(super) cents: i64,
    pub(super) count: u64,
    purpose: String,
    seq: u64,
}

fn weighted_state<R: Rng>(rng: &mut R) -> &'static str {
    let total: u32 = REPORT_STATES.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (s, w) in REPORT_STATES {
        if x < *w {
            return s;
        }
        x -= w;
    }
    "DRAFT"
}

/// Drafts one report per four expenses (at least one), owned by drawn employees.
pub(super) fn drafts(s: &mut Seeding, n_employees: usize, expenses: usize) -> Vec<ReportDraft> {
    let n_reports = (expenses / 4).max(1);
    let mut reports: Vec<ReportDraft> = Vec::with_capacity(n_reports);
    for _ in 0..n_reports {
        reports.push(draft(s, n_employees));
    }
    for (i, r) in reports.iter_mut().enumerate() {
        r.seq = i as u64 + 1;
    }
    reports
}

/// One report: a weighted state, and the dates that state has been through.
fn draft(s: &mut Seeding, n_employees: usize) -> ReportDraft {
    let rng = &mut s.rng;
    let ei = rng.gen_range(0..n_employees);
    let state = weighted_state(rng);
    // Reports run up to the end of the history (never past it), so recent windows such as
    // "approved in the last 30 days" hold a realistic share of them.
    let latest = s.history_end - 3_600;
    let created = s.start + rng.gen_range(10 * DAY..360 * DAY);
    let submitted =
        (state != "DRAFT").then(|| (created + rng.gen_range(DAY / 2..4 * DAY)).min(latest));
    let approved = submitted
        .filter(|_| !matches!(state, "DRAFT" | "APPROVER_PENDING" | "APPROVER_INQUIRY"))
        .map(|s| (s + rng.gen_range(DAY / 4..5 * DAY)).min(latest));
    let paid = approved
        .filter(|_| state == "PAID")
        .map(|a| (a + rng.gen_range(DAY..10 * DAY)).min(latest));
    ReportDraft {
        id: new_id(rng, "rp"),
        employee: ei,
        state,
        created,
        submitted,
        approved,
        paid,
        cents: 0,
        count: 0,
        purpose: (*pick(rng, PURPOSES)).to_owned(),
        seq: 0,
    }
}

/// Stores the reports, with the totals of the expenses seeded into them.
pub(super) fn insert(s: &mut Seeding, reports: &[ReportDraft], employees: &Employees) {
    for r in reports {
        let (emp_id, user_id) = &employees[r.employee];
        let last_update = r.paid.or(r.approved).or(r.submitted).unwrap_or(r.created) + 120;
        let opt = |t: Option<i64>| t.map_or(Value::Null, |t| json!(fyle_timestamp_unix(t, 0)));
        s.org.table_mut(Resource::Reports).insert(json!({
            "id": r.id, "org_id": s.org_id, "user_id": user_id, "employee_id": emp_id,
            "created_at": fyle_timestamp_unix(r.created, 0),
            "updated_at": fyle_timestamp_unix(last_update, 0),
            "purpose": r.purpose, "currency": "USD", "amount": money(r.cents), "tax": Value::Null,
            "state": r.state, "state_display_name": state_display_name(r.state),
            "num_expenses": r.count, "is_verified": false, "is_manually_flagged": false,
            "is_policy_flagged": false, "is_exported": false,
            "last_submitted_at": opt(r.submitted), "last_resubmitted_at": Value::Null,
            "last_approved_at": opt(r.approved), "last_paid_at": opt(r.paid),
            "seq_num": format!("C/2026/{:02}/R/{}", (r.seq % 12) + 1, r.seq),
            "source": "WEBAPP", "approvals": [], "next_approver_user_ids": [],
            "reimbursement_id": Value::Null, "comments": [], "accounting_export_summary": {},
            "creator_type": "USER",
        }));
    }
}
