//! Deterministic, referentially consistent seed data.
//!
//! Everything is drawn from one ChaCha stream per org, seeded from the configured seed, so the same
//! seed always gives the same ids, names, amounts and timestamps. The parts are seeded in a fixed
//! order (master data, employees, cards, reports, expenses), each drawing from the stream in
//! turn: reordering them, or the draws inside one, changes every value after it.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use serde_json::{Value, json};

use crate::clock::fyle_timestamp_unix;
use crate::ids::new_id;
use crate::rules::nested_display_name;
use crate::seed_master;
use crate::store::OrgData;

mod cards;
mod expenses;
mod people;
mod reference;
mod reports;
#[cfg(test)]
mod tests;
mod words;

const DAY: i64 = 86_400;

/// The default end of the seeded history: midnight UTC today, so "approved in the last 30 days"
/// always finds rows, while the same seed gives the same data all day long.
pub(crate) fn default_history_end(now_unix: i64) -> i64 {
    now_unix - now_unix.rem_euclid(DAY)
}

/// One org being seeded: its tables, its two random streams and its history's bounds.
struct Seeding {
    org: OrgData,
    org_id: String,
    /// The main stream, every value seeded from the start draws from.
    rng: ChaCha8Rng,
    /// Tax groups, expense fields, custom field values, mobile numbers, merchant codes and
    /// matched transactions are drawn from a generator of their own, so that adding them left
    /// every other seeded value as it was.
    extra: ChaCha8Rng,
    /// The first second of the seeded history, a year before its end.
    start: i64,
    /// When the org and its master data were created, a month before `start`.
    org_created: i64,
    /// The end of the seeded history (Unix seconds); no report moves past it.
    history_end: i64,
}

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

/// The name of org `index`: the list's names first, then numbered repeats of them.
fn org_name(index: usize) -> String {
    let base_name = words::ORG_NAMES[index % words::ORG_NAMES.len()];
    if index < words::ORG_NAMES.len() {
        base_name.to_owned()
    } else {
        format!("{base_name} {}", index / words::ORG_NAMES.len() + 1)
    }
}

/// Builds one org's data.
/// Rows spread over the year before `history_end` (Unix seconds).
pub(crate) fn seed_org(seed: u64, index: usize, expenses: usize, history_end: i64) -> OrgData {
    let mut rng = ChaCha8Rng::seed_from_u64(
        seed ^ (0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(index as u64 + 1)),
    );
    let org_id = new_id(&mut rng, "or");
    let org_name = org_name(index);
    let domain = format!("{}.example.com", slug(&org_name));
    let start = history_end - 365 * DAY;
    let mut s = Seeding {
        org: OrgData::new(org_id.clone(), org_name, domain),
        org_id,
        rng,
        extra: ChaCha8Rng::seed_from_u64(seed ^ 0x3A57_E12A_0000_0005 ^ index as u64),
        start,
        org_created: start - 30 * DAY,
        history_end,
    };
    let master = reference::seed(&mut s);
    let master_created = fyle_timestamp_unix(s.org_created, 0);
    let tax_groups = seed_master::seed(&mut s.org, &mut s.extra, &master_created);
    let employees = people::seed(&mut s, &master.department_ids, expenses);
    let card_of = cards::seed(&mut s, &employees, expenses);
    let mut reports = reports::drafts(&mut s, employees.len(), expenses);
    expenses::seed(
        &mut s,
        &expenses::Links {
            employees: &employees,
            master: &master,
            tax_groups: &tax_groups,
            card_of: &card_of,
        },
        &mut reports,
        expenses,
    );
    reports::insert(&mut s, &reports, &employees);
    s.org
}
