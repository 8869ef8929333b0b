//! The served shape of a stored row: the spec's defaults for keys a stored row lacks, the
//! materialized (`*_out`) row and the borrowed [`Served`] form a list page is serialized from,
//! and which query columns force a row to be materialized before it is read.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::{OrgData, Resource};

/// Spec-derived defaults: every key of each `*_out` schema with a neutral value.
static DEFAULTS: LazyLock<HashMap<String, Map<String, Value>>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../defaults.json"))
        .expect("defaults.json is a valid map of resource -> object (checked by a unit test)")
});

/// The spec defaults of `resource`'s served rows.
pub(super) fn defaults(resource: Resource) -> Option<&'static Map<String, Value>> {
    DEFAULTS.get(resource.name())
}

/// Keys whose default is not `null`: a filter on them must see the materialized row.
static NON_NULL_DEFAULT_KEYS: LazyLock<HashMap<Resource, HashSet<&'static str>>> =
    LazyLock::new(|| {
        Resource::ALL
            .into_iter()
            .map(|r| {
                let keys = defaults(r)
                    .map(|m| {
                        m.iter()
                            .filter(|(_, v)| !v.is_null())
                            .map(|(k, _)| k.as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                (r, keys)
            })
            .collect()
    });

/// A row as served (see [`OrgData::served`]): the embedded objects, then the stored keys, then
/// the defaults of keys neither has, the precedence `materialize` gives them.
pub(crate) enum Served<'a> {
    /// A stored object row.
    Row {
        embeds: Map<String, Value>,
        stored: &'a Map<String, Value>,
        defaults: Option<&'static Map<String, Value>>,
    },
    /// A row that is not an object, served as is.
    Value(&'a Value),
}

impl Serialize for Served<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (embeds, stored, defaults) = match self {
            Served::Value(v) => return v.serialize(serializer),
            Served::Row {
                embeds,
                stored,
                defaults,
            } => (embeds, *stored, *defaults),
        };
        let mut map = serializer.serialize_map(None)?;
        for (k, v) in embeds {
            map.serialize_entry(k, v)?;
        }
        for (k, v) in stored.iter().filter(|(k, _)| !embeds.contains_key(*k)) {
            map.serialize_entry(k, v)?;
        }
        for (k, v) in defaults.into_iter().flatten() {
            if !stored.contains_key(k) && !embeds.contains_key(k) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

impl OrgData {
    /// The full `*_out` shape of a stored row: embedded objects joined in, missing keys defaulted.
    pub(crate) fn materialize(&self, resource: Resource, row: &Value) -> Value {
        let Some(stored) = row.as_object() else {
            return row.clone();
        };
        let mut out = stored.clone();
        out.extend(self.embeds(resource, stored));
        if let Some(defaults) = defaults(resource) {
            for (k, v) in defaults {
                if !out.contains_key(k) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// The same shape as [`materialize`](Self::materialize), borrowed for serialization: only
    /// the embedded objects are built, the stored row and the defaults are not copied. Serving
    /// a page this way is what keeps a list request cheap.
    pub(crate) fn served<'a>(&self, resource: Resource, row: &'a Value) -> Served<'a> {
        match row.as_object() {
            Some(stored) => Served::Row {
                embeds: self.embeds(resource, stored),
                stored,
                defaults: defaults(resource),
            },
            None => Served::Value(row),
        }
    }

    /// Whether evaluating `tokens` (identifiers appearing in the filter/order) needs materialized rows.
    pub(crate) fn needs_materialize(resource: Resource, tokens: &HashSet<String>) -> bool {
        Self::needs_embeds(resource, tokens)
            || !Self::defaulted_columns(resource, tokens).is_empty()
    }

    /// Whether `tokens` mention an embedded object (filled in from other tables).
    pub(crate) fn needs_embeds(resource: Resource, tokens: &HashSet<String>) -> bool {
        resource.embedded_keys().iter().any(|k| tokens.contains(*k))
    }

    /// The `tokens` whose served default is not null: a stored row missing one of them must be
    /// materialized before it is filtered or sorted on it.
    pub(crate) fn defaulted_columns(
        resource: Resource,
        tokens: &HashSet<String>,
    ) -> Vec<&'static str> {
        NON_NULL_DEFAULT_KEYS
            .get(&resource)
            .map_or_else(Vec::new, |keys| {
                keys.iter()
                    .copied()
                    .filter(|k| tokens.contains(*k))
                    .collect()
            })
    }
}
