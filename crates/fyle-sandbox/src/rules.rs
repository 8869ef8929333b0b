//! Fyle's domain rules, in one place for every room that applies them: the report state
//! machine (which action may start from which state, where it lands, what it stamps), which
//! expense and report states may be edited or deleted, state display names, the expense state
//! that goes with a report state, which expenses count as spend, and money (cents, 2-decimal JSON amounts).

use serde_json::{Value, json};

/// Display name of a report or expense state.
pub(crate) fn state_display_name(state: &str) -> &'static str {
    match state {
        "DRAFT" => "Draft",
        "COMPLETE" => "Complete",
        "APPROVER_PENDING" => "Reported",
        "APPROVER_INQUIRY" => "Sent Back",
        "APPROVED" => "Approved",
        "PAYMENT_PENDING" => "Payment Pending",
        "PAYMENT_PROCESSING" => "Processing",
        "PAID" => "Closed",
        _ => "Unknown",
    }
}

/// The expense state that goes with a report state.
pub(crate) fn expense_state_for_report(report_state: &str) -> &'static str {
    match report_state {
        "APPROVER_INQUIRY" | "APPROVER_PENDING" => "APPROVER_PENDING",
        "APPROVED" => "APPROVED",
        "PAYMENT_PENDING" => "PAYMENT_PENDING",
        "PAYMENT_PROCESSING" => "PAYMENT_PROCESSING",
        "PAID" => "PAID",
        // A DRAFT report holds COMPLETE expenses.
        _ => "COMPLETE",
    }
}

/// Rounds cents into a 2-decimal JSON number.
pub(crate) fn money(cents: i64) -> Value {
    #[allow(clippy::cast_precision_loss)] // amounts stay far below 2^53 cents
    let v = cents as f64 / 100.0;
    json!(v)
}

/// Cents of an amount (rounded to the nearest cent).
pub(crate) fn cents(amount: f64) -> i64 {
    #[allow(clippy::cast_possible_truncation)] // amounts stay far below 2^53 cents
    let c = (amount * 100.0).round() as i64;
    c
}

/// A JSON amount rounded to 2 decimals; anything that is not a number stays as it is.
pub(crate) fn round_money(v: &Value) -> Value {
    v.as_f64().map_or_else(|| v.clone(), |f| money(cents(f)))
}

/// The name Fyle shows for a two-level row (category and sub-category, project and
/// sub-project, department and sub-department): `name / sub`, or `name` alone.
pub(crate) fn nested_display_name(name: &str, sub: &str) -> String {
    if sub.is_empty() {
        name.to_owned()
    } else {
        format!("{name} / {sub}")
    }
}

/// Expense states a spender may still edit (after that the report's approvers own it).
pub(crate) fn spender_may_edit_expense(state: &str) -> bool {
    matches!(state, "DRAFT" | "COMPLETE" | "APPROVER_INQUIRY")
}

/// Expense states in which an expense may be deleted (not yet submitted).
pub(crate) fn expense_deletable(state: &str) -> bool {
    matches!(state, "DRAFT" | "COMPLETE")
}

/// Whether an expense in `state` counts as spend (the spend overview): every expense past
/// DRAFT, whose amount, date and category are not yet settled.
pub(crate) fn expense_is_spend(state: &str) -> bool {
    state != "DRAFT"
}

/// Report states in which a report may be deleted.
pub(crate) fn report_deletable(state: &str) -> bool {
    state == "DRAFT"
}

/// An action of the report state machine: the states it starts from, the state it moves the
/// report to and the timestamp it stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportAction {
    /// `reports/submit`: DRAFT or APPROVER_INQUIRY to APPROVER_PENDING.
    Submit,
    /// `reports/approve/bulk`, `reports/partially_approve`: pending or sent back to APPROVED.
    Approve,
    /// `reports/mark_paid/bulk`: approved or in payment to PAID.
    MarkPaid,
    /// `reports/add_expenses`: only while the spender owns the report; the state stays.
    AddExpenses,
}

impl ReportAction {
    /// Whether a report in `state` may take this action.
    pub(crate) fn allowed_from(self, state: &str) -> bool {
        match self {
            ReportAction::Submit | ReportAction::AddExpenses => {
                matches!(state, "DRAFT" | "APPROVER_INQUIRY")
            }
            ReportAction::Approve => matches!(state, "APPROVER_PENDING" | "APPROVER_INQUIRY"),
            ReportAction::MarkPaid => {
                matches!(state, "APPROVED" | "PAYMENT_PENDING" | "PAYMENT_PROCESSING")
            }
        }
    }

    /// The state the report moves to and the report field stamped with the time, if it moves.
    pub(crate) fn target(self) -> Option<(&'static str, &'static str)> {
        match self {
            ReportAction::Submit => Some(("APPROVER_PENDING", "last_submitted_at")),
            ReportAction::Approve => Some(("APPROVED", "last_approved_at")),
            ReportAction::MarkPaid => Some(("PAID", "last_paid_at")),
            ReportAction::AddExpenses => None,
        }
    }

    /// Fyle's refusal for a report in `state` that may not take this action.
    pub(crate) fn refusal(self, state: &str) -> String {
        match self {
            ReportAction::Submit => format!("Report in {state} state cannot be submitted"),
            ReportAction::Approve => {
                format!("Report is in {state} state, only APPROVER_PENDING reports can be approved")
            }
            ReportAction::MarkPaid => {
                format!("Report not in APPROVED or PAYMENT_PROCESSING state (is {state})")
            }
            ReportAction::AddExpenses => format!("Expenses cannot be added to a {state} report"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_state_machine_moves_forward_only() {
        let states = [
            "DRAFT",
            "APPROVER_PENDING",
            "APPROVER_INQUIRY",
            "APPROVED",
            "PAYMENT_PENDING",
            "PAYMENT_PROCESSING",
            "PAID",
        ];
        let allowed = |action: ReportAction| -> Vec<&str> {
            states
                .iter()
                .copied()
                .filter(|s| action.allowed_from(s))
                .collect()
        };
        assert_eq!(allowed(ReportAction::Submit), ["DRAFT", "APPROVER_INQUIRY"]);
        assert_eq!(
            allowed(ReportAction::Approve),
            ["APPROVER_PENDING", "APPROVER_INQUIRY"]
        );
        assert_eq!(
            allowed(ReportAction::MarkPaid),
            ["APPROVED", "PAYMENT_PENDING", "PAYMENT_PROCESSING"]
        );
        // No action leaves PAID, and every move lands in a state with its own expense state.
        for action in [
            ReportAction::Submit,
            ReportAction::Approve,
            ReportAction::MarkPaid,
        ] {
            assert!(!action.allowed_from("PAID"));
            let (to, _) = action.target().expect("a moving action");
            assert_ne!(state_display_name(to), "Unknown");
            assert_ne!(expense_state_for_report(to), "COMPLETE");
        }
    }

    #[test]
    fn money_rounds_to_cents() {
        assert_eq!(cents(12.345_1), 1235);
        assert_eq!(cents(-0.004), 0);
        assert_eq!(round_money(&json!(10.006)), json!(10.01));
        assert_eq!(round_money(&json!("x")), json!("x"));
        assert_eq!(money(1234), json!(12.34));
    }
}
