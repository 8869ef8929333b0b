//! [`Patch`]: the tri-state value of an optional, nullable input field.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of an input (request) body that Fyle treats as "absent leaves the stored value unchanged".
///
/// - [`Patch::Absent`] (the default): the key is not sent at all.
/// - [`Patch::Null`]: the key is sent as `null` (clears the stored value).
/// - [`Patch::Value`]: the key is sent with this value.
///
/// Generated structs mark these fields `#[serde(default, skip_serializing_if = "Patch::is_absent")]`,
/// so decoding a missing key gives `Absent` and a `null` gives `Null`.
///
/// ```
/// use fyle_models_core::Patch;
/// let p: Patch<u32> = 5.into();
/// assert_eq!(p, Patch::Value(5));
/// assert!(Patch::<u32>::default().is_absent());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Not sent: the server keeps the stored value.
    #[default]
    Absent,
    /// Sent as `null`: the server clears the stored value.
    Null,
    /// Sent with this value.
    Value(T),
}

impl<T> Patch<T> {
    /// `true` for [`Patch::Absent`]; used by `skip_serializing_if`.
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// The value, if one is set.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }

    /// Converts into an `Option`, losing the difference between absent and null.
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Absent | Self::Null => None,
        }
    }

    /// Maps the value, keeping absent and null as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Self::Absent => Patch::Absent,
            Self::Null => Patch::Null,
            Self::Value(v) => Patch::Value(f(v)),
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `None` becomes [`Patch::Null`] (an explicit clear), `Some(v)` a value.
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached when the field is not marked `skip_serializing_if`.
            Self::Absent | Self::Null => serializer.serialize_none(),
            Self::Value(v) => serializer.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Self::Null, Self::Value))
    }
}
