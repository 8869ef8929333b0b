//! Master data the expenses point at beyond categories and projects: tax groups, expense fields
//! (the system ones and custom fields of every type, with the names orgs give them), the custom
//! field values an expense carries, and the card transaction matched to a card expense.
//!
//! Rows written here are stored in the spec-driven store (`tax_groups`, `expense_fields`); the
//! store fills in whatever else their schemas declare. Values are drawn from the generator the
//! caller passes, so a seed always gives the same data.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::ids::new_id;
use crate::rules::money;
use crate::store::{OrgData, Table};

/// A tax group: name, code, rate in percent.
const TAX_GROUPS: &[(&str, &str, f64)] = &[
    ("Sales Tax CA", "STCA", 7.25),
    ("Sales Tax NY", "STNY", 8.875),
    ("VAT Standard", "VAT20", 20.0),
    ("GST", "GST18", 18.0),
    ("Exempt", "EXEMPT", 0.0),
];

/// A custom expense field: name, Fyle type, options (select kinds).
const CUSTOM_FIELDS: &[(&str, &str, &[&str])] = &[
    ("Project Code", "TEXT", &[]),
    (
        "GL Account",
        "SELECT",
        &["6100 Travel", "6200 Meals", "6300 Software", "6400 Office"],
    ),
    ("Billable Hours", "NUMBER", &[]),
    (
        "Client Tags",
        "MULTI_SELECT",
        &["Acme Corp", "Globex", "Initech", "Internal"],
    ),
    ("Trip Date", "DATE", &[]),
    ("Billable to Client", "BOOLEAN", &[]),
];

/// The system expense fields every org has (field name, column).
const SYSTEM_FIELDS: &[(&str, &str)] = &[
    ("Purpose", "purpose"),
    ("Merchant", "merchant"),
    ("Category", "category_id"),
    ("Project", "project_id"),
    ("Cost Center", "cost_center_id"),
    ("Date of Spend", "spent_at"),
];

/// The org's tax groups: `(id, name, percentage)`.
pub(crate) struct TaxGroup {
    pub(crate) id: String,
    pub(crate) name: &'static str,
    pub(crate) percentage: f64,
}

/// Writes the tax groups and expense fields of `org`; answers the tax groups.
pub(crate) fn seed(org: &mut OrgData, rng: &mut ChaCha8Rng, created: &str) -> Vec<TaxGroup> {
    let org_id = org.org_id.clone();
    let mut taxes = Table::default();
    let mut groups = Vec::new();
    for (i, (name, code, pct)) in TAX_GROUPS.iter().enumerate() {
        let id = new_id(rng, "tg");
        taxes.insert(json!({
            "id": id, "org_id": org_id, "created_at": created, "updated_at": created,
            "name": name, "code": code, "percentage": pct, "is_enabled": true,
            "is_default": i == 0,
        }));
        groups.push(TaxGroup {
            id,
            name,
            percentage: *pct,
        });
    }
    org.generic.insert("tax_groups".into(), taxes);

    let mut fields = Table::default();
    let system = SYSTEM_FIELDS
        .iter()
        .map(|(n, c)| (*n, *c, "TEXT", &[][..], false));
    let custom = CUSTOM_FIELDS.iter().map(|(n, t, o)| (*n, *n, *t, *o, true));
    for (i, (name, column, kind, options, is_custom)) in system.chain(custom).enumerate() {
        let id = 400_000 + i64::try_from(i).unwrap_or(0) + 1;
        fields.insert(json!({
            "id": id, "org_id": org_id, "created_at": created, "updated_at": created,
            "seq": i + 1, "field_name": name, "column_name": column, "type": kind,
            "options": options, "default_value": Value::Null,
            "placeholder": format!("Enter {}", name.to_lowercase()),
            "category_ids": [], "is_enabled": true, "is_custom": is_custom,
            "is_mandatory": !is_custom && i < 2, "code": Value::Null,
            "parent_field_id": Value::Null, "display_order": i + 1,
        }));
    }
    org.generic.insert("expense_fields".into(), fields);
    groups
}

/// The custom field values of one expense: `custom_fields` (a list of `{id, name, type,
/// value}`) and `custom_fields_flattened` (name -> value), some fields left unset.
pub(crate) fn custom_values(rng: &mut ChaCha8Rng, spent_date: &str) -> (Value, Value) {
    let mut list = Vec::new();
    let mut flat = Map::new();
    for (i, (name, kind, options)) in CUSTOM_FIELDS.iter().enumerate() {
        if rng.gen_bool(0.25) {
            continue;
        }
        let value = match *kind {
            "TEXT" => json!(format!("PRJ-{:04}", rng.gen_range(1..400))),
            "SELECT" => json!(options[rng.gen_range(0..options.len())]),
            "NUMBER" => json!(rng.gen_range(1..12)),
            "MULTI_SELECT" => {
                let n = rng.gen_range(1..=2);
                json!(options[..n])
            }
            "DATE" => json!(spent_date),
            _ => json!(rng.gen_bool(0.4)),
        };
        let id = 400_000 + SYSTEM_FIELDS.len() + i + 1;
        list.push(
            json!({"id": id, "name": name, "type": kind, "value": value, "is_enabled": true}),
        );
        flat.insert((*name).to_owned(), value);
    }
    (Value::Array(list), Value::Object(flat))
}

/// The tax of an expense of `cents` under `group`: `(tax_group_id, tax_amount, tax_group)`.
pub(crate) fn tax(group: &TaxGroup, cents: i64) -> (Value, Value, Value) {
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let tax_cents = (cents as f64 * group.percentage / (100.0 + group.percentage)).round() as i64;
    (
        json!(group.id),
        money(tax_cents),
        json!({"name": group.name, "percentage": group.percentage}),
    )
}

/// A card transaction matched to expense `expense_id`, and its embed in the expense.
pub(crate) struct Matched {
    /// The transaction row (`corporate_card_transactions`).
    pub(crate) row: Value,
    /// `matched_corporate_card_transaction` of the expense.
    pub(crate) embed: Value,
}

/// The card facts a matched transaction repeats.
pub(crate) struct Card<'a> {
    pub(crate) id: &'a str,
    pub(crate) number: &'a str,
    pub(crate) bank: &'a str,
    pub(crate) holder: &'a Value,
    pub(crate) user: &'a Value,
}

/// The transaction behind a card expense (same amount, merchant and day), matched to it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn matched_transaction(
    rng: &mut ChaCha8Rng,
    org_id: &str,
    card: &Card<'_>,
    user_id: &str,
    expense_id: &str,
    cents: i64,
    merchant: &str,
    spent_at: &str,
    created_at: &str,
) -> Matched {
    let id = new_id(rng, "btxn");
    let description = format!("{} {}", merchant.to_uppercase(), rng.gen_range(1000..9999));
    let mcc = format!("{}", rng.gen_range(4000..5999));
    let row = json!({
        "id": id, "org_id": org_id, "user_id": user_id, "user": card.user,
        "created_at": created_at, "updated_at": created_at,
        "amount": money(cents), "currency": "USD", "spent_at": spent_at, "post_date": spent_at,
        "transaction_status": "POSTED", "description": description, "merchant": merchant,
        "category": Value::Null, "corporate_card_id": card.id, "mcc": mcc,
        "is_assigned": true, "is_marked_personal": false, "is_dismissed": false,
        "is_auto_matched": true, "auto_suggested_expense_ids": [],
        "matched_expense_ids": [expense_id], "matched_expenses": [], "is_exported": false,
    });
    let embed = json!({
        "id": id, "amount": money(cents), "currency": "USD", "spent_at": spent_at,
        "posted_at": spent_at, "merchant": merchant, "description": description,
        "status": "POSTED", "category": Value::Null, "bank_name": card.bank,
        "corporate_card_id": card.id, "corporate_card_number": card.number,
        "masked_corporate_card_number": card.number, "corporate_card_nickname": Value::Null,
        "corporate_card_cardholder_name": card.holder, "corporate_card_user_full_name": card.holder,
        "foreign_amount": Value::Null, "foreign_currency": Value::Null,
        "is_corporate_card_archived": false, "matched_by": Value::Null,
        "capitalone_virtual_card_last_four": Value::Null,
    });
    Matched { row, embed }
}
