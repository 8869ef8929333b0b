//! Fyle's domain rules that more than one room applies: state display names, the expense state
//! that goes with a report state, and money as a 2-decimal JSON number.

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
