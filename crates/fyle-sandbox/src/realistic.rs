//! Realistic values for a field, chosen by its name: emails, phone numbers (`+12131234567`),
//! codes, names, amounts, dates, ids that point at rows the org really has.
//!
//! The instance builder ([`crate::instance`]) asks here first and falls back to a neutral value
//! of the schema's kind. Everything is drawn from the caller's seeded generator, so a seed always
//! gives the same data.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::clock::fyle_timestamp_unix;
use crate::ids::new_id;

/// A user of the org that generated rows may point at.
#[derive(Debug, Clone)]
pub(crate) struct UserRef {
    pub(crate) user_id: String,
    pub(crate) employee_id: String,
    pub(crate) email: String,
    pub(crate) full_name: String,
}

/// What generated rows may refer to: the org, its users and its master data.
#[derive(Debug, Clone, Default)]
pub(crate) struct Refs {
    pub(crate) org_id: String,
    pub(crate) org_name: String,
    pub(crate) domain: String,
    pub(crate) currency: String,
    /// Users, the ones tests act as first.
    pub(crate) users: Vec<UserRef>,
    pub(crate) category_ids: Vec<i64>,
    pub(crate) project_ids: Vec<i64>,
    pub(crate) cost_center_ids: Vec<i64>,
    pub(crate) department_ids: Vec<String>,
    pub(crate) expense_ids: Vec<String>,
    pub(crate) report_ids: Vec<String>,
    pub(crate) card_ids: Vec<String>,
    /// Unix seconds of the end of the seeded history.
    pub(crate) history_end: i64,
}

const FIRST: &[&str] = &[
    "Aarav", "Maya", "Liam", "Priya", "Noah", "Sofia", "Ethan", "Ananya", "Lucas", "Chloe",
];
const LAST: &[&str] = &[
    "Sharma", "Johnson", "Garcia", "Chen", "Okafor", "Miller", "Iyer", "Nguyen", "Brown", "Patel",
];
const WORDS: &[&str] = &[
    "Travel",
    "Meals",
    "Lodging",
    "Software",
    "Client",
    "Training",
    "Office",
    "Fuel",
    "Marketing",
    "Conference",
];
const MERCHANTS: &[&str] = &[
    "Uber",
    "Delta Air Lines",
    "Marriott",
    "Starbucks",
    "Amazon Web Services",
    "Hertz",
    "Shell",
    "WeWork",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("San Francisco", "California", "United States"),
    ("New York", "New York", "United States"),
    ("Austin", "Texas", "United States"),
    ("Bengaluru", "Karnataka", "India"),
    ("London", "England", "United Kingdom"),
];

/// A value for field `name` of JSON kind `kind` (`format` may refine it), or `None` when the
/// name says nothing and the builder should use a neutral value.
pub(crate) fn value_for(
    rng: &mut ChaCha8Rng,
    refs: &Refs,
    name: &str,
    kind: &str,
    format: Option<&str>,
) -> Option<Value> {
    match (kind, format) {
        ("string", Some("date-time")) => return Some(json!(timestamp(rng, refs))),
        ("string", Some("date")) => return Some(json!(timestamp(rng, refs)[..10].to_owned())),
        ("string", Some("email")) => return Some(json!(email(rng, refs))),
        _ => {}
    }
    match kind {
        "string" => string_for(rng, refs, name).map(Value::String),
        "integer" => integer_for(rng, refs, name).map(Value::from),
        "number" => Some(number_for(rng, name)),
        _ => None,
    }
}

fn timestamp(rng: &mut ChaCha8Rng, refs: &Refs) -> String {
    let end = if refs.history_end > 0 {
        refs.history_end
    } else {
        1_767_225_600
    };
    fyle_timestamp_unix(
        end - rng.gen_range(0..365 * 86_400),
        rng.gen_range(0..1_000_000),
    )
}

fn email(rng: &mut ChaCha8Rng, refs: &Refs) -> String {
    match refs.users.get(rng.gen_range(0..refs.users.len().max(1))) {
        Some(u) => u.email.clone(),
        None => format!("{}@example.com", pick(rng, FIRST).to_lowercase()),
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

fn pick_id<T: Clone>(rng: &mut ChaCha8Rng, ids: &[T]) -> Option<T> {
    (!ids.is_empty()).then(|| ids[rng.gen_range(0..ids.len())].clone())
}

fn user<'a>(rng: &mut ChaCha8Rng, refs: &'a Refs) -> Option<&'a UserRef> {
    (!refs.users.is_empty()).then(|| &refs.users[rng.gen_range(0..refs.users.len())])
}

#[allow(clippy::too_many_lines)]
fn string_for(rng: &mut ChaCha8Rng, refs: &Refs, name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let s = match lower.as_str() {
        "org_id" => refs.org_id.clone(),
        "org_name" => refs.org_name.clone(),
        "user_id" | "approver_user_id" | "created_by_user_id" | "owner_user_id" => {
            user(rng, refs).map(|u| u.user_id.clone())?
        }
        "employee_id" | "approver_employee_id" => user(rng, refs).map(|u| u.employee_id.clone())?,
        "expense_id" => pick_id(rng, &refs.expense_ids)?,
        "report_id" => pick_id(rng, &refs.report_ids)?,
        "department_id" => pick_id(rng, &refs.department_ids)?,
        "corporate_card_id" => pick_id(rng, &refs.card_ids)?,
        "full_name" | "cardholder_name" | "user_full_name" => {
            user(rng, refs).map(|u| u.full_name.clone())?
        }
        "currency" | "home_currency" | "foreign_currency" | "org_currency" => {
            if refs.currency.is_empty() {
                "USD".to_owned()
            } else {
                refs.currency.clone()
            }
        }
        "mobile" | "phone" | "phone_number" | "contact_number" => {
            format!("+1213{:07}", rng.gen_range(1_000_000..9_999_999))
        }
        "country" => pick3(rng).2.to_owned(),
        "city" => pick3(rng).0.to_owned(),
        "state" | "region" => pick3(rng).1.to_owned(),
        "location" | "formatted_address" | "address" | "display" => {
            let (c, s, n) = pick3(rng);
            format!("{c}, {s}, {n}")
        }
        "merchant" | "vendor" | "merchant_name" | "description" if lower != "description" => {
            pick(rng, MERCHANTS).to_owned()
        }
        "code" | "gl_code" | "tax_code" | "sub_code" | "employee_code" => {
            format!(
                "{}-{:04}",
                &pick(rng, WORDS)[..3].to_ascii_uppercase(),
                rng.gen_range(1..9999)
            )
        }
        "first_name" => pick(rng, FIRST).to_owned(),
        "last_name" => pick(rng, LAST).to_owned(),
        "title" | "designation" => pick(
            rng,
            &[
                "Account Executive",
                "Engineer",
                "Designer",
                "Finance Manager",
            ],
        )
        .to_owned(),
        "purpose" | "description" | "comment" | "notes" | "reason" | "message" => format!(
            "{} with {} {}",
            pick(rng, WORDS),
            pick(rng, FIRST),
            pick(rng, LAST)
        ),
        "url" | "download_url" | "upload_url" | "website" | "logo_url" => {
            format!(
                "https://{}/{}",
                domain(refs),
                new_id(rng, "").to_lowercase()
            )
        }
        "domain" => domain(refs),
        "card_number" | "masked_number" | "last_4" | "card_last_4" => {
            format!("{:04}", rng.gen_range(1000..9999))
        }
        "mcc" => format!("{}", rng.gen_range(3000..8999)),
        "bank_name" => pick(rng, &["Chase", "American Express", "Citi", "HSBC"]).to_owned(),
        "id" => new_id(rng, ""),
        _ if lower.ends_with("_user_id") => user(rng, refs).map(|u| u.user_id.clone())?,
        _ if lower.ends_with("_employee_id") => user(rng, refs).map(|u| u.employee_id.clone())?,
        _ if lower.ends_with("_id") => new_id(rng, &lower[..2.min(lower.len())]),
        _ if lower.ends_with("name") => format!("{} {}", pick(rng, WORDS), rng.gen_range(1..100)),
        _ => return None,
    };
    Some(s)
}

fn pick3(rng: &mut ChaCha8Rng) -> (&'static str, &'static str, &'static str) {
    CITIES[rng.gen_range(0..CITIES.len())]
}

fn domain(refs: &Refs) -> String {
    if refs.domain.is_empty() {
        "example.com".to_owned()
    } else {
        refs.domain.clone()
    }
}

fn integer_for(rng: &mut ChaCha8Rng, refs: &Refs, name: &str) -> Option<i64> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "category_id" => pick_id(rng, &refs.category_ids),
        "project_id" => pick_id(rng, &refs.project_ids),
        "cost_center_id" => pick_id(rng, &refs.cost_center_ids),
        "count" | "offset" => Some(0),
        "year" => Some(2026),
        "month" => Some(rng.gen_range(1..=12)),
        _ if lower.ends_with("_days") || lower.contains("count") => Some(rng.gen_range(1..10)),
        _ => Some(rng.gen_range(1..1000)),
    }
}

fn number_for(rng: &mut ChaCha8Rng, name: &str) -> Value {
    let lower = name.to_ascii_lowercase();
    let cents: i64 = if lower.contains("percent") || lower == "tax_rate" || lower == "rate" {
        rng.gen_range(0..30) * 100
    } else if lower.contains("distance") {
        rng.gen_range(100..20_000)
    } else {
        rng.gen_range(500..250_000)
    };
    crate::rules::money(cents)
}
