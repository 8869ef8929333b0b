//! `--churn`: insert, update and delete expenses on a schedule while serving.

use std::time::Duration;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::fyle_timestamp;
use crate::ids::new_id;
use crate::rules::money;
use crate::state::AppState;
use crate::store::Resource;

/// How much to change per tick, per org.
///
/// ```
/// use fyle_sandbox::ChurnConfig;
/// use std::time::Duration;
///
/// let churn = ChurnConfig { interval: Duration::from_millis(500), ..ChurnConfig::default() };
/// assert_eq!(churn.inserts, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChurnConfig {
    /// Time between ticks.
    pub interval: Duration,
    /// Expenses created per tick.
    pub inserts: usize,
    /// Expenses updated per tick (amount and `updated_at` change).
    pub updates: usize,
    /// Unreported expenses deleted per tick.
    pub deletes: usize,
}

impl Default for ChurnConfig {
    fn default() -> ChurnConfig {
        ChurnConfig {
            interval: Duration::from_secs(1),
            inserts: 5,
            updates: 5,
            deletes: 1,
        }
    }
}

/// What one tick did (summed over orgs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChurnStats {
    /// Rows inserted.
    pub inserted: usize,
    /// Rows updated.
    pub updated: usize,
    /// Rows deleted.
    pub deleted: usize,
}

/// Runs one churn tick on every org.
pub(crate) fn tick(state: &AppState, config: &ChurnConfig, rng: &mut ChaCha8Rng) -> ChurnStats {
    let now = fyle_timestamp(state.clock.now_utc());
    let mut done = ChurnStats::default();
    let mut store = state.write();
    for org in store.orgs.values_mut() {
        let len = org.table(Resource::Expenses).rows.len();
        if len == 0 {
            continue;
        }
        for _ in 0..config.inserts {
            let i = rng.gen_range(0..org.table(Resource::Expenses).rows.len());
            let Some((_, template)) = org.table(Resource::Expenses).rows.get_index(i) else {
                continue;
            };
            let mut row = (**template).clone();
            row["id"] = json!(new_id(rng, "tx"));
            row["created_at"] = json!(now);
            row["updated_at"] = json!(now);
            row["report_id"] = Value::Null;
            row["added_to_report_at"] = Value::Null;
            row["report_last_approved_at"] = Value::Null;
            row["report_last_paid_at"] = Value::Null;
            row["last_settled_at"] = Value::Null;
            row["state"] = json!("COMPLETE");
            row["state_display_name"] = json!("Complete");
            row["file_ids"] = json!([]);
            row["amount"] = money(rng.gen_range(500..50_000));
            let seq = org.next_seq();
            row["seq_num"] = json!(format!("E/2026/11/T/{seq}"));
            org.table_mut(Resource::Expenses).insert(row);
            done.inserted += 1;
        }
        for _ in 0..config.updates {
            let n = org.table(Resource::Expenses).rows.len();
            let i = rng.gen_range(0..n);
            let Some((_, row)) = org.table(Resource::Expenses).rows.get_index(i) else {
                continue;
            };
            let mut row = (**row).clone();
            row["updated_at"] = json!(now);
            row["purpose"] = json!(format!("Updated by churn at {now}"));
            org.table_mut(Resource::Expenses).insert(row);
            done.updated += 1;
        }
        for _ in 0..config.deletes {
            let n = org.table(Resource::Expenses).rows.len();
            // Probe a few rows for an unreported one.
            for _ in 0..8 {
                let i = rng.gen_range(0..n);
                let candidate = org
                    .table(Resource::Expenses)
                    .rows
                    .get_index(i)
                    .filter(|(_, r)| r.get("report_id").is_none_or(Value::is_null))
                    .map(|(k, _)| k.clone());
                if let Some(id) = candidate {
                    org.table_mut(Resource::Expenses).remove(&id);
                    done.deleted += 1;
                    break;
                }
            }
        }
    }
    done
}
