//! Column names and nested JSON paths (`cost_center->name`).

use std::fmt;

/// A column, optionally followed by keys into its JSON value: `cost_center->name`.
///
/// Build one with [`FieldPath::new`] and [`FieldPath::get`], or convert from a string, which is
/// split on `->`:
///
/// ```
/// use fyle_models::query::FieldPath;
///
/// let path = FieldPath::new("cost_center").get("name");
/// assert_eq!(path, FieldPath::from("cost_center->name"));
/// assert_eq!(path.to_string(), "cost_center->name");
/// assert_eq!(path.column(), "cost_center");
/// assert_eq!(path.keys(), ["name"]);
/// ```
///
/// Names should be plain identifiers: a name containing `.`, `,`, `(`, `)`, `"` or whitespace
/// cannot be written inside an `and`/`or` group and will not parse back from one. The column
/// names `and`, `or`, `order`, `offset`, `limit` and `q` are reserved at the top level of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath {
    /// The column, then each JSON key; never empty.
    segments: Vec<String>,
}

impl FieldPath {
    /// A path naming just a column.
    pub fn new(column: impl Into<String>) -> FieldPath {
        FieldPath {
            segments: vec![column.into()],
        }
    }

    /// Descends into a key of the JSON value: `cost_center` -> `cost_center->name`.
    #[must_use]
    pub fn get(mut self, key: impl Into<String>) -> FieldPath {
        self.segments.push(key.into());
        self
    }

    /// The column (the first segment).
    pub fn column(&self) -> &str {
        // The constructors always create at least one segment.
        self.segments.first().map_or("", String::as_str)
    }

    /// The JSON keys after the column (empty for a plain column).
    pub fn keys(&self) -> &[String] {
        self.segments.get(1..).unwrap_or(&[])
    }

    /// The column followed by the JSON keys.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// Whether every segment is a name that can be printed and parsed back inside a group:
    /// non-empty, without `.`, `,`, `(`, `)`, `"`, `\`, `=` or whitespace.
    pub fn is_plain(&self) -> bool {
        self.segments.iter().all(|s| {
            !s.is_empty()
                && !s.contains(['.', ',', '(', ')', '"', '\\', '=', '[', ']', '{', '}'])
                && !s.contains(char::is_whitespace)
                && !s.contains("->")
        })
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.segments.join("->"))
    }
}

impl From<&str> for FieldPath {
    /// Splits on `->`: `"cost_center->name"` is the column `cost_center`, key `name`.
    fn from(s: &str) -> FieldPath {
        FieldPath {
            segments: s.split("->").map(str::to_owned).collect(),
        }
    }
}

impl From<String> for FieldPath {
    /// Splits on `->`, like `From<&str>`.
    fn from(s: String) -> FieldPath {
        FieldPath::from(s.as_str())
    }
}

impl From<&String> for FieldPath {
    /// Splits on `->`, like `From<&str>`.
    fn from(s: &String) -> FieldPath {
        FieldPath::from(s.as_str())
    }
}

impl From<&FieldPath> for FieldPath {
    fn from(p: &FieldPath) -> FieldPath {
        p.clone()
    }
}
