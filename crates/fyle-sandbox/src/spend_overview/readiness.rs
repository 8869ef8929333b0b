//! Fyle computes a spend overview in the background: the first request for a query answers
//! `202 Accepted`, a repeat once the result is ready answers it. This room keeps the results
//! "being computed" by (org, view, normalized query), each with the data version it was computed
//! for, so that a write to the org's data starts the computation over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::aggregate::Computed;
use super::params::{Params, View};
use super::window::Windows;

/// Results kept at most; past it the oldest is dropped (it is simply computed again).
const MAX_ENTRIES: usize = 256;

/// What a query is, for the purpose of "have we computed this already".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) org_id: String,
    pub(crate) view: View,
    pub(crate) params: Params,
    /// The period resolved (a preset moves with the clock).
    pub(crate) windows: Windows,
}

/// How a request is answered.
#[derive(Debug)]
pub(crate) enum Answer {
    /// `202`: ask again after this long.
    Accepted {
        /// What is left of the computing time (zero: the next request gets the result).
        retry_after: Duration,
    },
    /// `200` with the result.
    Ready(Arc<Computed>),
}

#[derive(Debug)]
struct Entry {
    /// `OrgData::version` when it was computed.
    version: u64,
    /// When the first request asked (sandbox clock).
    accepted_at: Instant,
    result: Arc<Computed>,
}

/// The results being computed or ready.
#[derive(Debug)]
pub(crate) struct Computations {
    ready_after: Duration,
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Computations {
    /// Results become ready `ready_after` (on the sandbox clock) after the first request.
    pub(crate) fn new(ready_after: Duration) -> Computations {
        Computations {
            ready_after,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The answer to `key` when the org's data is at `version` and the sandbox clock says
    /// `now`: the result if it was computed for this version and its time has passed;
    /// otherwise `compute` runs (for a new query, or data changed since) and the request is
    /// accepted.
    pub(crate) fn answer(
        &self,
        key: Key,
        version: u64,
        now: Instant,
        compute: impl FnOnce() -> Computed,
    ) -> Answer {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = entries.get(&key).filter(|e| e.version == version) {
            let ready_at = entry.accepted_at.checked_add(self.ready_after);
            return match ready_at {
                Some(at) if now < at => Answer::Accepted {
                    retry_after: at - now,
                },
                _ => Answer::Ready(Arc::clone(&entry.result)),
            };
        }
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            let oldest = entries
                .iter()
                .min_by_key(|(_, e)| e.accepted_at)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            key,
            Entry {
                version,
                accepted_at: now,
                result: Arc::new(compute()),
            },
        );
        Answer::Accepted {
            retry_after: self.ready_after,
        }
    }
}
