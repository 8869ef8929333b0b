//! The one policy for required fields: every generated field is an `Option` (Fyle omits or nulls
//! fields its spec calls required, and one such object must not fail a page), and
//! [`Require::require`] turns a field the spec requires into a value or a typed [`MissingField`]
//! error naming it, so reaching it costs one `?`.

/// A field the spec calls required was absent or `null` in what the server sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingField {
    /// The field's name, as the caller passed it to [`Require::require`] (normally its JSON name).
    pub field: &'static str,
}

impl std::fmt::Display for MissingField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "required field `{}` is missing (absent or null in the response)",
            self.field
        )
    }
}

impl std::error::Error for MissingField {}

/// `.require("name")` on an optional field: the value, or [`MissingField`] naming the field.
///
/// Implemented for every `Option<T>`; on a borrowed struct, call it on `field.as_ref()`.
///
/// ```
/// use fyle_models::{MissingField, Require};
///
/// #[derive(serde::Deserialize)]
/// struct Expense {
///     id: Option<String>,
///     amount: Option<i64>,
/// }
///
/// let e: Expense = serde_json::from_str(r#"{"id": "txABC"}"#).unwrap();
/// assert_eq!(e.id.as_ref().require("id"), Ok(&"txABC".to_owned()));
/// assert_eq!(e.amount.require("amount"), Err(MissingField { field: "amount" }));
/// ```
pub trait Require<T> {
    /// The value, or [`MissingField`] naming `field` when it is `None`.
    ///
    /// # Errors
    /// [`MissingField`] when the field is absent or was `null`.
    fn require(self, field: &'static str) -> Result<T, MissingField>;
}

impl<T> Require<T> for Option<T> {
    fn require(self, field: &'static str) -> Result<T, MissingField> {
        self.ok_or(MissingField { field })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_is_the_value_and_none_names_the_field() {
        assert_eq!(Some(3).require("count"), Ok(3));
        let missing = None::<u8>.require("org_id").expect_err("None is missing");
        assert_eq!(missing.field, "org_id");
        assert!(missing.to_string().contains("`org_id`"));
    }
}
