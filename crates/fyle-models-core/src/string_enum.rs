//! The serde glue shared by every generated string enum (each has an `Unknown(String)` fallback).

/// Implements `Serialize`, `Deserialize`, `Display`, `FromStr` and `From<&str>` for a generated enum
/// that has `fn as_str(&self) -> &str` and `fn from_wire(&str) -> Self`.
#[macro_export]
#[doc(hidden)]
macro_rules! impl_string_enum {
    ($t:ty) => {
        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Ok(Self::from_wire(&s))
            }
        }
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $t {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from_wire(s))
            }
        }
        impl ::std::convert::From<&str> for $t {
            fn from(s: &str) -> Self {
                Self::from_wire(s)
            }
        }
    };
}
