//! Serde adapters for the two wire formats serde does not get right by default:
//! `number` fields as [`rust_decimal::Decimal`] and `date-time` fields as [`time::OffsetDateTime`].
//!
//! Generated fields use them with `#[serde(with = "crate::wire::number::option")]` and friends.
//! Each sub-module handles one container shape: bare, `Option`, [`Patch`](crate::Patch), `Vec`.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A wire representation of `T`: how to write it and read it.
pub(crate) trait Repr: Sized {
    /// Serializes the value.
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// Deserializes the value.
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

struct Ser<'a, T>(&'a T);
impl<T: Repr> Serialize for Ser<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.ser(s)
    }
}
struct De<T>(T);
impl<'de, T: Repr> Deserialize<'de> for De<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::de(d).map(De)
    }
}

impl Repr for rust_decimal::Decimal {
    /// Written as a JSON number. Without serde_json's `arbitrary_precision` this goes through `f64`,
    /// whose shortest text is exact for amounts up to 15 significant digits.
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use rust_decimal::prelude::ToPrimitive;
        match self.to_f64() {
            Some(f) => s.serialize_f64(f),
            None => s.serialize_str(&self.to_string()),
        }
    }
    /// Reads a JSON number (rust_decimal re-parses the shortest `f64` text, so `12.34` stays
    /// exactly `12.34`) or a numeric string.
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <rust_decimal::Decimal as Deserialize>::deserialize(d)
    }
}

impl Repr for time::OffsetDateTime {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_timestamp(&text).map_err(D::Error::custom)
    }
}

/// Parses a Fyle timestamp: RFC 3339 with any fractional precision and any offset
/// (`2020-06-11T13:14:55.201598+00:00`, `2020-06-01T01:18:19.292-08:00`, `...Z`); a timestamp
/// without an offset (`2020-06-11T13:14:55.201598`) or with a space instead of `T` is read as UTC.
///
/// ```
/// let t = fyle_models_core::wire::parse_timestamp("2020-06-11T13:14:55.201598+00:00").unwrap();
/// assert_eq!(t.microsecond(), 201_598);
/// let t = fyle_models_core::wire::parse_timestamp("2020-06-01T01:18:19.292-08:00").unwrap();
/// assert_eq!(t.offset().whole_hours(), -8);
/// let t = fyle_models_core::wire::parse_timestamp("2022-02-01").unwrap();
/// assert_eq!((t.day(), t.hour(), t.offset().is_utc()), (1, 0, true));
/// assert!(fyle_models_core::wire::parse_timestamp("2022-02-30").is_err());
/// ```
pub fn parse_timestamp(text: &str) -> Result<time::OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    let normalized = text.trim().replacen(' ', "T", 1);
    if let Ok(t) = time::OffsetDateTime::parse(&normalized, &Rfc3339) {
        return Ok(t);
    }
    if let Some(date) = parse_date(&normalized) {
        return Ok(date.midnight().assume_utc());
    }
    // No offset: append `Z` and read as UTC.
    let with_z = format!("{normalized}Z");
    time::OffsetDateTime::parse(&with_z, &Rfc3339)
        .map_err(|e| format!("invalid timestamp {text:?}: {e}"))
}

/// A plain `YYYY-MM-DD` date, which Fyle sends in some `date-time` fields (the spec's own
/// example for virtual cards is `"2022-02-01"`): read as midnight UTC by [`parse_timestamp`].
fn parse_date(text: &str) -> Option<time::Date> {
    use time::format_description::well_known::Rfc3339;
    // RFC 3339's full-date, read by the same parser as timestamps (no format macro to compile).
    (text.len() == 10)
        .then(|| time::OffsetDateTime::parse(&format!("{text}T00:00:00Z"), &Rfc3339).ok())
        .flatten()
        .map(time::OffsetDateTime::date)
}

/// A `date-time` value that reads and writes Fyle's wire format by itself (see
/// [`parse_timestamp`]). Generated aliases of timestamps (`CreatedAt`, `UpdatedAt`, ...) name this
/// type, because serde's `with` attribute cannot reach through a type alias; struct fields use
/// [`time::OffsetDateTime`] directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub time::OffsetDateTime);

/// A `number` value that reads and writes Fyle's wire format by itself: read from a JSON number or
/// a numeric string, written as a JSON number. Generated aliases of numbers (`Amount`, ...) name
/// this type; struct fields use [`rust_decimal::Decimal`] directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Number(pub rust_decimal::Decimal);

macro_rules! newtype {
    ($name:ident, $inner:ty) => {
        impl std::ops::Deref for $name {
            type Target = $inner;
            fn deref(&self) -> &$inner {
                &self.0
            }
        }
        impl From<$inner> for $name {
            fn from(v: $inner) -> Self {
                Self(v)
            }
        }
        impl From<$name> for $inner {
            fn from(v: $name) -> Self {
                v.0
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.0.ser(s)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$inner as Repr>::de(d).map(Self)
            }
        }
    };
}
newtype!(Timestamp, time::OffsetDateTime);
newtype!(Number, rust_decimal::Decimal);

macro_rules! shapes {
    ($name:ident, $ty:ty, $doc:literal) => {
        #[doc = $doc]
        pub mod $name {
            use super::{De, Repr, Ser};
            use serde::{Deserialize, Deserializer, Serialize, Serializer};

            /// Serializes a bare value.
            pub fn serialize<S: Serializer>(v: &$ty, s: S) -> Result<S::Ok, S::Error> {
                v.ser(s)
            }
            /// Deserializes a bare value.
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                <$ty as Repr>::de(d)
            }

            /// `Option<T>`: `null` and a missing key are `None`.
            pub mod option {
                use super::*;
                /// Serializes an optional value.
                pub fn serialize<S: Serializer>(v: &Option<$ty>, s: S) -> Result<S::Ok, S::Error> {
                    v.as_ref().map(Ser).serialize(s)
                }
                /// Deserializes an optional value.
                pub fn deserialize<'de, D: Deserializer<'de>>(
                    d: D,
                ) -> Result<Option<$ty>, D::Error> {
                    Ok(Option::<De<$ty>>::deserialize(d)?.map(|v| v.0))
                }
            }

            /// [`Patch<T>`](crate::Patch).
            pub mod patch {
                use super::*;
                use crate::Patch;
                /// Serializes a patch value (absent values are skipped by the field attribute).
                pub fn serialize<S: Serializer>(v: &Patch<$ty>, s: S) -> Result<S::Ok, S::Error> {
                    v.as_value().map(Ser).serialize(s)
                }
                /// Deserializes a patch value: `null` is [`Patch::Null`].
                pub fn deserialize<'de, D: Deserializer<'de>>(
                    d: D,
                ) -> Result<Patch<$ty>, D::Error> {
                    Ok(Option::<De<$ty>>::deserialize(d)?
                        .map_or(Patch::Null, |v| Patch::Value(v.0)))
                }
            }

            /// `Option<Vec<T>>`.
            pub mod option_vec {
                use super::*;
                /// Serializes an optional list.
                pub fn serialize<S: Serializer>(
                    v: &Option<Vec<$ty>>,
                    s: S,
                ) -> Result<S::Ok, S::Error> {
                    v.as_ref()
                        .map(|v| v.iter().map(Ser).collect::<Vec<_>>())
                        .serialize(s)
                }
                /// Deserializes an optional list.
                pub fn deserialize<'de, D: Deserializer<'de>>(
                    d: D,
                ) -> Result<Option<Vec<$ty>>, D::Error> {
                    Ok(Option::<Vec<De<$ty>>>::deserialize(d)?
                        .map(|v| v.into_iter().map(|x| x.0).collect()))
                }
            }

            /// `Patch<Vec<T>>`.
            pub mod patch_vec {
                use super::*;
                use crate::Patch;
                /// Serializes a patch list.
                pub fn serialize<S: Serializer>(
                    v: &Patch<Vec<$ty>>,
                    s: S,
                ) -> Result<S::Ok, S::Error> {
                    v.as_value()
                        .map(|v| v.iter().map(Ser).collect::<Vec<_>>())
                        .serialize(s)
                }
                /// Deserializes a patch list.
                pub fn deserialize<'de, D: Deserializer<'de>>(
                    d: D,
                ) -> Result<Patch<Vec<$ty>>, D::Error> {
                    Ok(
                        Option::<Vec<De<$ty>>>::deserialize(d)?.map_or(Patch::Null, |v| {
                            Patch::Value(v.into_iter().map(|x| x.0).collect())
                        }),
                    )
                }
            }

            /// `Vec<T>`.
            pub mod vec {
                use super::*;
                /// Serializes a list.
                pub fn serialize<S: Serializer>(v: &[$ty], s: S) -> Result<S::Ok, S::Error> {
                    v.iter().map(Ser).collect::<Vec<_>>().serialize(s)
                }
                /// Deserializes a list.
                pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<$ty>, D::Error> {
                    Ok(Vec::<De<$ty>>::deserialize(d)?
                        .into_iter()
                        .map(|x| x.0)
                        .collect())
                }
            }
        }
    };
}

shapes!(
    number,
    rust_decimal::Decimal,
    "`number` as [`rust_decimal::Decimal`], written as a JSON number."
);
shapes!(
    datetime,
    time::OffsetDateTime,
    "`date-time` as [`time::OffsetDateTime`] (see [`parse_timestamp`])."
);
