//! Deterministic, referentially consistent seed data.
//!
//! Everything is drawn from one ChaCha stream per org, seeded from the configured seed, so the same
//! seed always gives the same ids, names, amounts and timestamps.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

use serde_json::{Value, json};

use crate::clock::fyle_timestamp_unix;
use crate::ids::new_id;
use crate::rules::{expense_state_for_report, money, nested_display_name, state_display_name};
use crate::seed_master;
use crate::store::{OrgData, Resource};

const DAY: i64 = 86_400;

/// The default end of the seeded history: midnight UTC today, so "approved in the last 30 days"
/// always finds rows, while the same seed gives the same data all day long.
pub(crate) fn default_history_end(now_unix: i64) -> i64 {
    now_unix - now_unix.rem_euclid(DAY)
}

const FIRST_NAMES: &[&str] = &[
    "Aarav", "Abigail", "Aditi", "Alex", "Amara", "Ana", "Arjun", "Ben", "Carlos", "Chloe",
    "Daniel", "Divya", "Elena", "Emma", "Ethan", "Farah", "Grace", "Hana", "Isaac", "Jia", "John",
    "Kavya", "Liam", "Lucia", "Maya", "Mohammed", "Nina", "Noah", "Olivia", "Priya", "Rahul",
    "Sara", "Sofia", "Tom", "Uma", "Victor", "Wei", "Yusuf", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Anderson",
    "Bose",
    "Chen",
    "Diaz",
    "Evans",
    "Fernandes",
    "Garcia",
    "Gupta",
    "Hughes",
    "Iyer",
    "Johnson",
    "Kim",
    "Kumar",
    "Lopez",
    "Martin",
    "Nair",
    "Okafor",
    "Patel",
    "Quinn",
    "Rao",
    "Smith",
    "Tanaka",
    "Umar",
    "Verma",
    "Williams",
    "Xu",
    "Young",
    "Zhang",
];
const ORG_NAMES: &[&str] = &[
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Soylent Foods",
    "Vandelay Imports",
    "Wonka Confections",
];
const DEPARTMENTS: &[(&str, &str)] = &[
    ("Engineering", "Platform"),
    ("Engineering", "Mobile"),
    ("Sales", "Outbound Sales"),
    ("Sales", "Inside Sales"),
    ("Marketing", ""),
    ("Finance", "Accounts Payable"),
    ("People", ""),
    ("Customer Success", ""),
];
const CATEGORIES: &[(&str, &str, &str)] = &[
    ("Travel", "Airfare", "Airlines"),
    ("Travel", "Hotel", "Lodging"),
    ("Travel", "Taxi", "Taxi"),
    ("Travel", "Train", "Train"),
    ("Food", "Meals", "Food"),
    ("Food", "Team Lunch", "Food"),
    ("Office Supplies", "", "Office Supplies"),
    ("Software", "Subscriptions", "Software"),
    ("Internet", "", "Internet"),
    ("Phone", "", "Phone"),
    ("Mileage", "", "Mileage"),
    ("Per Diem", "", "Per Diem"),
    ("Training", "Conferences", "Training"),
    ("Entertainment", "Client Dinner", "Entertainment"),
    ("Fuel", "", "Fuel"),
    ("Parking", "", "Parking"),
    ("Postage", "Courier", "Postage"),
    ("Professional Services", "Legal", "Professional Services"),
];
const PROJECTS: &[(&str, &str)] = &[
    ("Apollo", "Phase 1"),
    ("Apollo", "Phase 2"),
    ("Borealis", ""),
    ("Cascade", "Migration"),
    ("Delta", ""),
    ("Everest", "Launch"),
    ("Falcon", ""),
    ("Gemini", "Research"),
    ("Horizon", ""),
    ("Internal", "Hiring"),
    ("Internal", "Offsite"),
    ("Jupiter", ""),
];
const COST_CENTERS: &[&str] = &[
    "Corporate",
    "R&D",
    "Sales EMEA",
    "Sales NA",
    "Sales APAC",
    "Marketing",
    "Operations",
    "G&A",
];
const MERCHANTS: &[&str] = &[
    "Uber",
    "Lyft",
    "Delta Air Lines",
    "United Airlines",
    "Marriott",
    "Hilton",
    "Starbucks",
    "Amazon",
    "Staples",
    "WeWork",
    "Zoom",
    "Slack",
    "Shell",
    "Chevron",
    "Airbnb",
    "Hertz",
    "Chipotle",
    "Subway",
    "FedEx",
    "Comcast",
    "AT&T",
    "Apple",
    "Best Buy",
    "Taj Hotels",
    "IndiGo",
];
const PURPOSES: &[&str] = &[
    "Client meeting",
    "Team offsite",
    "Conference travel",
    "Office supplies",
    "Customer onsite visit",
    "Monthly internet",
    "Quarterly planning",
    "Recruiting drive",
    "Sales kickoff",
    "Software subscription",
];
const TITLES: &[&str] = &[
    "Software Engineer",
    "Account Executive",
    "Product Manager",
    "Designer",
    "Accountant",
    "Sales Manager",
    "Support Specialist",
    "Director",
    "Analyst",
    "Recruiter",
];
const LOCATIONS: &[&str] = &[
    "New York",
    "San Francisco",
    "London",
    "Bengaluru",
    "Austin",
    "Toronto",
];
const FOREIGN: &[(&str, f64)] = &[
    ("EUR", 1.08),
    ("GBP", 1.27),
    ("INR", 0.012),
    ("CAD", 0.73),
    ("JPY", 0.0067),
];
const BANKS: &[&str] = &[
    "Bank of America",
    "Chase",
    "American Express",
    "Citi",
    "HSBC",
];

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

/// A name with an optional second level (sub-category, sub-project, sub-department): the
/// second level as JSON (null when empty) and the `display_name` Fyle shows.
fn nested_name(name: &str, sub: &str) -> (Value, String) {
    let sub_json = if sub.is_empty() {
        Value::Null
    } else {
        json!(sub)
    };
    (sub_json, nested_display_name(name, sub))
}

fn ts<R: Rng>(rng: &mut R, secs: i64) -> String {
    fyle_timestamp_unix(secs, rng.gen_range(0..1_000_000))
}

fn pick<'a, R: Rng, T>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
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

fn slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            if c.is_ascii_alphanumeric() {
                Some(c.to_ascii_lowercase())
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Builds one org's data.
/// Rows spread over the year before `history_end` (Unix seconds).
pub(crate) fn seed_org(seed: u64, index: usize, expenses: usize, history_end: i64) -> OrgData {
    let mut rng = ChaCha8Rng::seed_from_u64(
        seed ^ (0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(index as u64 + 1)),
    );
    let org_id = new_id(&mut rng, "or");
    let base_name = ORG_NAMES[index % ORG_NAMES.len()];
    let org_name = if index < ORG_NAMES.len() {
        base_name.to_owned()
    } else {
        format!("{base_name} {}", index / ORG_NAMES.len() + 1)
    };
    let domain = format!("{}.example.com", slug(&org_name));
    let mut org = OrgData::new(org_id.clone(), org_name, domain.clone());
    let start = history_end - 365 * DAY;
    let org_created = start - 30 * DAY;

    // Departments.
    let mut dept_ids = Vec::new();
    for (i, (name, sub)) in DEPARTMENTS.iter().enumerate() {
        let id = new_id(&mut rng, "dept");
        let (sub_v, display) = nested_name(name, sub);
        let created = ts(&mut rng, org_created + i64::try_from(i).unwrap_or(0) * 60);
        org.table_mut(Resource::Departments).insert(json!({
            "id": id, "org_id": org_id, "created_at": created, "updated_at": created,
            "code": format!("D{:03}", i + 1), "name": name, "sub_department": sub_v,
            "display_name": display, "description": Value::Null, "is_enabled": true,
            "display_name_new": Value::Null,
        }));
        dept_ids.push(id);
    }

    // Categories, projects, cost centers (integer ids).
    let mut category_ids = Vec::new();
    for (name, sub, system) in CATEGORIES {
        let id = 100_000 + org.next_int();
        let created_secs = org_created + rng.gen_range(0..DAY);
        let created = ts(&mut rng, created_secs);
        let (sub_v, display) = nested_name(name, sub);
        org.table_mut(Resource::Categories).insert(json!({
            "id": id, "org_id": org_id, "created_at": created, "updated_at": created,
            "name": name, "sub_category": sub_v, "is_enabled": true, "display_name": display,
            "system_category": system, "code": format!("C{}", id % 10_000),
            "restricted_project_ids": Value::Null, "restricted_spender_user_ids": Value::Null,
        }));
        category_ids.push(id);
    }
    let mut project_ids = Vec::new();
    for (name, sub) in PROJECTS {
        let id = 200_000 + org.next_int();
        let created_secs = org_created + rng.gen_range(0..DAY);
        let created = ts(&mut rng, created_secs);
        let (sub_v, display) = nested_name(name, sub);
        org.table_mut(Resource::Projects).insert(json!({
            "id": id, "org_id": org_id, "created_at": created, "updated_at": created,
            "name": name, "sub_project": sub_v, "code": format!("P{}", id % 10_000),
            "display_name": display, "description": Value::Null, "is_enabled": true,
            "restricted_spender_user_ids": Value::Null, "approver_user_ids": [],
            "approver_users": Value::Null, "category_ids": Value::Null, "default_billable": false,
        }));
        project_ids.push(id);
    }
    let mut cost_center_ids = Vec::new();
    for name in COST_CENTERS {
        let id = 300_000 + org.next_int();
        let created_secs = org_created + rng.gen_range(0..DAY);
        let created = ts(&mut rng, created_secs);
        org.table_mut(Resource::CostCenters).insert(json!({
            "id": id, "org_id": org_id, "created_at": created, "updated_at": created,
            "name": name, "code": format!("CC{}", id % 10_000), "description": Value::Null,
            "is_enabled": true, "restricted_spender_user_ids": Value::Null,
        }));
        cost_center_ids.push(id);
    }

    // Tax groups and expense fields, drawn from a generator of their own so that adding them
    // leaves every other seeded value as it was.
    let mut extra = ChaCha8Rng::seed_from_u64(seed ^ 0x3A57_E12A_0000_0005 ^ index as u64);
    let master_created = fyle_timestamp_unix(org_created, 0);
    let tax_groups = seed_master::seed(&mut org, &mut extra, &master_created);

    // Employees: 0 is the admin, the next few approvers, the rest spenders.
    let n_employees = (expenses / 100).clamp(8, 400);
    let n_approvers = (n_employees / 8).max(2);
    let mut employees: Vec<(String, String)> = Vec::new(); // (employee id, user id)
    for i in 0..n_employees {
        let id = new_id(&mut rng, "ou");
        let user_id = new_id(&mut rng, "us");
        let first = *pick(&mut rng, FIRST_NAMES);
        let last = *pick(&mut rng, LAST_NAMES);
        let email = format!(
            "{}.{}{}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            i + 1,
            domain
        );
        let roles: Vec<&str> = if i == 0 {
            vec!["FYLER", "ADMIN", "APPROVER"]
        } else if i <= n_approvers {
            vec!["FYLER", "APPROVER"]
        } else {
            vec!["FYLER"]
        };
        let approver = if i == 0 {
            employees.first().map(|(_, u)| u.clone())
        } else if i <= n_approvers {
            employees.first().map(|(_, u)| u.clone())
        } else {
            let k = rng.gen_range(1..=n_approvers);
            employees.get(k).map(|(_, u)| u.clone())
        };
        let approver_ids: Vec<String> = approver.into_iter().collect();
        let joined = org_created + rng.gen_range(0..60) * DAY;
        let created = ts(&mut rng, joined);
        let updated_secs = joined + rng.gen_range(0..300) * DAY;
        let updated = ts(&mut rng, updated_secs);
        org.table_mut(Resource::Employees).insert(json!({
            "id": id, "org_id": org_id, "created_at": created, "updated_at": updated,
            "user_id": user_id,
            "user": {"id": user_id, "email": email, "full_name": format!("{first} {last}")},
            "business_unit": if i % 2 == 0 { "North America" } else { "International" },
            "code": format!("E{:05}", i + 1001),
            "department_id": pick(&mut rng, &dept_ids),
            "is_enabled": true,
            "joined_at": fyle_timestamp_unix(joined, 0),
            "level_id": Value::Null, "level": Value::Null,
            "location": pick(&mut rng, LOCATIONS),
            "roles": roles,
            "special_email": Value::Null,
            "title": pick(&mut rng, TITLES),
            "custom_fields": [], "flattened_custom_field": {},
            "project_ids": [], "projects": [], "cost_center_ids": [], "cost_centers": [],
            "per_diem_rate_ids": [], "per_diem_rates": [], "mileage_rate_ids": [], "mileage_rates": [],
            "approver_user_ids": approver_ids,
            "has_accepted_invite": i % 17 != 5,
            "mobile": format!("+1213{:07}", extra.gen_range(1_000_000..10_000_000)),
            "is_mobile_verified": true,
            "delegatees": [], "category_ids": [], "categories": [],
        }));
        employees.push((id, user_id));
    }
    // The admin's own approver is the first approver (set after the fact).
    if let (Some((admin_emp, _)), Some((_, first_approver))) = (employees.first(), employees.get(1))
    {
        let table = org.table_mut(Resource::Employees);
        if let Some(row) = table.get(admin_emp).map(|r| (**r).clone()) {
            let mut row = row;
            row["approver_user_ids"] = json!([first_approver]);
            table.insert(row);
        }
    }

    // Corporate cards (one per third of the employees) and their transactions.
    let mut cards: Vec<(String, usize)> = Vec::new();
    for (ei, (_, user_id)) in employees.iter().enumerate().step_by(3) {
        let id = new_id(&mut rng, "bacc");
        let user = org
            .table(Resource::Employees)
            .get(&employees[ei].0)
            .and_then(|e| e.get("user").cloned())
            .unwrap_or(Value::Null);
        let last4 = rng.gen_range(1000..10_000);
        let created_secs = org_created + rng.gen_range(0..90) * DAY;
        let created = ts(&mut rng, created_secs);
        let holder = user.get("full_name").cloned().unwrap_or(Value::Null);
        org.table_mut(Resource::CorporateCards).insert(json!({
            "id": id, "org_id": org_id, "user_id": user_id, "user": user,
            "created_at": created, "updated_at": created,
            "bank_name": pick(&mut rng, BANKS), "card_number": format!("xxxx-{last4}"),
            "cardholder_name": holder, "data_feed_source": "BANK_STATEMENT", "code": Value::Null,
            "is_dummy": false, "nickname": format!("Card {last4}"), "is_archived": false,
            "is_visa_enrolled": false, "is_mastercard_enrolled": false, "is_capitalone_enrolled": false,
            "total_transactions_count": 0, "unassigned_transactions_count": 0,
        }));
        cards.push((id, ei));
    }
    let n_txns = (expenses / 10).max(20);
    for _ in 0..n_txns {
        let (card_id, ei) = pick(&mut rng, &cards).clone();
        let user = org
            .table(Resource::Employees)
            .get(&employees[ei].0)
            .and_then(|e| e.get("user").cloned())
            .unwrap_or(Value::Null);
        let spent = start + rng.gen_range(0..365 * DAY);
        let cents = rng.gen_range(300..250_000);
        let merchant = *pick(&mut rng, MERCHANTS);
        let id = new_id(&mut rng, "btxn");
        let created_secs = spent + rng.gen_range(DAY..3 * DAY);
        let created = ts(&mut rng, created_secs);
        org.table_mut(Resource::CorporateCardTransactions).insert(json!({
            "id": id, "org_id": org_id, "user_id": employees[ei].1, "user": user,
            "created_at": created, "updated_at": created,
            "amount": money(cents), "currency": "USD",
            "spent_at": fyle_timestamp_unix(spent, 0), "post_date": fyle_timestamp_unix(spent + DAY, 0),
            "transaction_status": if rng.gen_bool(0.9) { "POSTED" } else { "PENDING" },
            "description": format!("{} {}", merchant.to_uppercase(), rng.gen_range(1000..9999)),
            "merchant": merchant, "category": Value::Null, "corporate_card_id": card_id,
            "is_assigned": true, "is_marked_personal": false, "is_dismissed": false,
            "is_auto_matched": false, "auto_suggested_expense_ids": [], "matched_expense_ids": [],
            "matched_expenses": [], "is_exported": false,
            "mcc": format!("{}", extra.gen_range(4000..5999)),
        }));
    }
    let card_of: HashMap<usize, Value> = cards
        .iter()
        .filter_map(|(id, ei)| {
            org.table(Resource::CorporateCards)
                .get(id)
                .map(|c| (*ei, (**c).clone()))
        })
        .collect();
    let mut matched_rows = Vec::new();

    // Reports, then expenses that fill them.
    let n_reports = (expenses / 4).max(1);
    let mut reports: Vec<ReportDraft> = Vec::with_capacity(n_reports);
    for _ in 0..n_reports {
        let ei = rng.gen_range(0..employees.len());
        let state = weighted_state(&mut rng);
        // Reports run up to the end of the history (never past it), so recent windows such as
        // "approved in the last 30 days" hold a realistic share of them.
        let latest = history_end - 3_600;
        let created = start + rng.gen_range(10 * DAY..360 * DAY);
        let submitted =
            (state != "DRAFT").then(|| (created + rng.gen_range(DAY / 2..4 * DAY)).min(latest));
        let approved = submitted
            .filter(|_| !matches!(state, "DRAFT" | "APPROVER_PENDING" | "APPROVER_INQUIRY"))
            .map(|s| (s + rng.gen_range(DAY / 4..5 * DAY)).min(latest));
        let paid = approved
            .filter(|_| state == "PAID")
            .map(|a| (a + rng.gen_range(DAY..10 * DAY)).min(latest));
        reports.push(ReportDraft {
            id: new_id(&mut rng, "rp"),
            employee: ei,
            state,
            created,
            submitted,
            approved,
            paid,
            cents: 0,
            count: 0,
            purpose: (*pick(&mut rng, PURPOSES)).to_owned(),
            seq: 0,
        });
    }
    for (i, r) in reports.iter_mut().enumerate() {
        r.seq = i as u64 + 1;
    }

    let table_cap = expenses;
    org.table_mut(Resource::Expenses).rows.reserve(table_cap);
    let mut files: Vec<Value> = Vec::with_capacity(expenses);
    for n in 0..expenses {
        let report_index = rng.gen_bool(0.75).then(|| rng.gen_range(0..reports.len()));
        let (ei, state, report) = match report_index {
            Some(ri) => {
                let r = &reports[ri];
                (r.employee, expense_state_for_report(r.state), Some(ri))
            }
            None => (
                rng.gen_range(0..employees.len()),
                if rng.gen_bool(0.3) {
                    "DRAFT"
                } else {
                    "COMPLETE"
                },
                None,
            ),
        };
        let spent = match report {
            Some(ri) => reports[ri].created - rng.gen_range(0..20 * DAY),
            None => start + rng.gen_range(0..365 * DAY),
        };
        let created = spent + rng.gen_range(600..2 * DAY);
        let mut updated = created + rng.gen_range(0..5 * DAY);
        let cents: i64 = if rng.gen_bool(0.1) {
            rng.gen_range(100..1_000)
        } else {
            rng.gen_range(500..120_000)
        };
        let (foreign_currency, foreign_amount) = if rng.gen_bool(0.2) {
            let (cur, rate) = *pick(&mut rng, FOREIGN);
            #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
            let fc = (cents as f64 / rate).round() as i64;
            (json!(cur), money(fc))
        } else {
            (Value::Null, Value::Null)
        };
        let (employee_id, user_id) = employees[ei].clone();
        let category_id = *pick(&mut rng, &category_ids);
        let project_id = if rng.gen_bool(0.6) {
            json!(pick(&mut rng, &project_ids))
        } else {
            Value::Null
        };
        let cost_center_id = if rng.gen_bool(0.7) {
            json!(pick(&mut rng, &cost_center_ids))
        } else {
            Value::Null
        };
        let is_card = rng.gen_bool(0.25);
        let id = new_id(&mut rng, "tx");
        let mut file_ids = Vec::new();
        if rng.gen_bool(0.6) {
            for _ in 0..rng.gen_range(1..=2) {
                let fid = new_id(&mut rng, "fi");
                let pdf = rng.gen_bool(0.5);
                let fts = ts(&mut rng, created);
                files.push(json!({
                    "id": fid, "org_id": org_id, "user_id": user_id,
                    "created_at": fts, "updated_at": fts,
                    "name": format!("receipt_{}.{}", n + 1, if pdf { "pdf" } else { "jpg" }),
                    "type": "RECEIPT",
                    "content_type": if pdf { "application/pdf" } else { "image/jpeg" },
                }));
                file_ids.push(fid);
            }
        }
        let (report_id, added_at, last_approved, last_paid, settled) = match report {
            Some(ri) => {
                let r = &mut reports[ri];
                r.cents += cents;
                r.count += 1;
                let approved = r.approved.map(|t| fyle_timestamp_unix(t, 0));
                let paid = r.paid.map(|t| fyle_timestamp_unix(t, 0));
                let last = r.paid.or(r.approved).or(r.submitted).unwrap_or(r.created);
                updated = updated.max(last + 60);
                (
                    json!(r.id),
                    json!(fyle_timestamp_unix(r.created, 0)),
                    json!(approved),
                    json!(paid),
                    json!(paid),
                )
            }
            None => (
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ),
        };
        let seq = org.next_seq();
        // Drawn in the order the row below used to draw them, so the data stays as it was.
        let created_ts = ts(&mut rng, created);
        let updated_ts = ts(&mut rng, updated);
        let merchant = *pick(&mut rng, MERCHANTS);
        let spent_at = fyle_timestamp_unix(spent - spent % DAY, 0);
        let (custom_fields, custom_flat) = seed_master::custom_values(&mut extra, &spent_at);
        let (tax_group_id, tax_amount, tax_group) =
            seed_master::tax(&tax_groups[extra.gen_range(0..tax_groups.len())], cents);
        let matched = card_of.get(&ei).filter(|_| is_card).map(|card| {
            let g = |k: &str| card.get(k).and_then(Value::as_str).unwrap_or_default();
            let m = seed_master::matched_transaction(
                &mut extra,
                &org_id,
                &seed_master::Card {
                    id: g("id"),
                    number: g("card_number"),
                    bank: g("bank_name"),
                    holder: card.get("cardholder_name").unwrap_or(&Value::Null),
                    user: card.get("user").unwrap_or(&Value::Null),
                },
                &user_id,
                &id,
                cents,
                merchant,
                &spent_at,
                &fyle_timestamp_unix(created, 0),
            );
            let txn_id = m.row.get("id").cloned().unwrap_or(Value::Null);
            matched_rows.push(m.row);
            (txn_id, m.embed)
        });
        let (matched_ids, matched_embed) = matched.map_or_else(
            || (json!([]), json!({})),
            |(id, embed)| (json!([id]), embed),
        );
        let mut row = json!({
            "id": id, "org_id": org_id, "user_id": user_id, "employee_id": employee_id,
            "creator_user_id": user_id,
            "created_at": created_ts, "updated_at": updated_ts,
            "spent_at": spent_at,
            "source": if is_card { "CORPORATE_CARD" } else if n % 3 == 0 { "MOBILE" } else { "WEBAPP" },
            "merchant": merchant, "purpose": pick(&mut rng, PURPOSES),
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
            ]);
        }
        org.table_mut(Resource::Expenses).insert(row);
    }
    for row in matched_rows {
        org.table_mut(Resource::CorporateCardTransactions)
            .insert(row);
    }
    let files_table = org.table_mut(Resource::Files);
    files_table.rows.reserve(files.len());
    for f in files {
        files_table.insert(f);
    }

    for r in &reports {
        let (emp_id, user_id) = &employees[r.employee];
        let last_update = r.paid.or(r.approved).or(r.submitted).unwrap_or(r.created) + 120;
        let opt = |t: Option<i64>| t.map_or(Value::Null, |t| json!(fyle_timestamp_unix(t, 0)));
        org.table_mut(Resource::Reports).insert(json!({
            "id": r.id, "org_id": org_id, "user_id": user_id, "employee_id": emp_id,
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
    org
}

struct ReportDraft {
    id: String,
    employee: usize,
    state: &'static str,
    created: i64,
    submitted: Option<i64>,
    approved: Option<i64>,
    paid: Option<i64>,
    cents: i64,
    count: u64,
    purpose: String,
    seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-10-31T00:00:00Z: a fixed end so these tests do not depend on today's date.
    const TEST_HISTORY_END: i64 = 1_793_404_800;

    #[test]
    fn same_seed_same_data() {
        let a = seed_org(7, 0, 50, TEST_HISTORY_END);
        let b = seed_org(7, 0, 50, TEST_HISTORY_END);
        assert_eq!(a.org_id, b.org_id);
        let ids = |o: &OrgData| {
            o.table(Resource::Expenses)
                .rows
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a.table(Resource::Expenses).rows.len(), 50);
        let c = seed_org(8, 0, 50, TEST_HISTORY_END);
        assert_ne!(a.org_id, c.org_id);
    }

    #[test]
    fn references_resolve() {
        let org = seed_org(1, 0, 200, TEST_HISTORY_END);
        for row in org.table(Resource::Expenses).rows.values() {
            let full = org.materialize(Resource::Expenses, row);
            assert!(
                full.pointer("/employee/user/email")
                    .is_some_and(Value::is_string)
            );
            assert!(full.pointer("/category/name").is_some_and(Value::is_string));
            if full["report_id"].is_string() {
                assert!(full.pointer("/report/state").is_some_and(Value::is_string));
            }
            for f in full["file_ids"].as_array().into_iter().flatten() {
                assert!(
                    org.table(Resource::Files)
                        .get(f.as_str().unwrap_or_default())
                        .is_some()
                );
            }
        }
    }
}
