//! The cache of filtered and ordered list results, kept per (org, resource, viewer, filter,
//! order, q) until the org's next write, so paging through a large result costs one scan.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fyle_models::query::{Filter, Order};

use super::Scope;
use crate::store::{Resource, Row};

/// Cached results kept at most.
const CACHE_CAPACITY: usize = 64;

/// What a cached result answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct CacheKey {
    pub(super) org_id: String,
    pub(super) resource: Resource,
    pub(super) scope: Scope,
    pub(super) filter: Filter,
    pub(super) order: Option<Order>,
    pub(super) q: Option<String>,
}

/// A cached result, the org version it was computed at and when it was last used.
#[derive(Debug)]
pub(super) struct Cached {
    version: u64,
    rows: Arc<Evaluated>,
    last_used: u64,
}

/// A filtered and ordered result.
#[derive(Debug)]
pub(super) struct Evaluated {
    pub(super) rows: Vec<Row>,
    /// Whether every row has a non-null value for every order key, so that a keyset cursor
    /// condition is false then true along `rows` and a binary search finds where it turns.
    pub(super) keys_present: bool,
}

/// The result cache.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    /// The entries and a use counter (what "least recently used" is measured in); visible to
    /// the tests, which check what a request cached.
    pub(super) entries: Mutex<Entries>,
}

/// The cache's entries and its use counter.
type Entries = (HashMap<CacheKey, Cached>, u64);

impl ListCache {
    /// The entries, locked, and the tick this use is stamped with (the counter, advanced).
    fn lock(&self) -> (MutexGuard<'_, Entries>, u64) {
        let mut g = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        g.1 += 1;
        let tick = g.1;
        (g, tick)
    }

    /// The result of `key` when it was computed at the org's current `version`.
    pub(super) fn get(&self, key: &CacheKey, version: u64) -> Option<Arc<Evaluated>> {
        let (mut g, tick) = self.lock();
        let entry = g.0.get_mut(key)?;
        if entry.version != version {
            return None;
        }
        entry.last_used = tick;
        Some(Arc::clone(&entry.rows))
    }

    /// Caches the result of `key` at `version`, dropping entries of older versions not used
    /// lately and, when full, the least recently used.
    pub(super) fn put(&self, key: CacheKey, version: u64, rows: Arc<Evaluated>) {
        let (mut g, tick) = self.lock();
        let (map, _) = &mut *g;
        map.retain(|_, c| c.version == version || c.last_used + 16 > tick);
        if map.len() >= CACHE_CAPACITY
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, c)| c.last_used)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(
            key,
            Cached {
                version,
                rows,
                last_used: tick,
            },
        );
    }
}
