//! A serde deserializer over a route's parameters, from a query string or a JSON object, so
//! that one typed struct describes (utoipa) and parses (serde) what the route takes. A
//! query string's values are text, parsed into the number, flag or value the field wants;
//! a JSON body's are taken as typed (a number in quotes is refused, as the schema says).
//! Every error names the parameter and what it must be.

use std::fmt;

use serde::de::value::SeqDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};

use crate::ApiError;

/// A struct of parameters from a query string (`None`: no query string).
pub(crate) fn from_query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    let mut pairs = Vec::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.push((percent_decode(key)?, Raw::Text(percent_decode(value)?)));
    }
    T::deserialize(Params::new(pairs)).map_err(|e| ApiError::bad_parameter(e.message()))
}

/// A struct of parameters from a JSON object body.
pub(crate) fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_body(format!("the body is not JSON: {e}")))?;
    let serde_json::Value::Object(object) = value else {
        return Err(ApiError::bad_body("the body must be a JSON object"));
    };
    let pairs = object.into_iter().map(|(k, v)| (k, Raw::Json(v))).collect();
    T::deserialize(Params::new(pairs)).map_err(|e| ApiError::bad_parameter(e.message()))
}

/// A path segment as a value of `T` (an enum of the names a route takes).
pub(crate) fn from_segment<T: DeserializeOwned>(segment: &str) -> Result<T, String> {
    T::deserialize(Raw::Text(segment.to_string())).map_err(|e| e.message())
}

/// What went wrong, said of the parameter once its name is known.
#[derive(Debug)]
pub(crate) enum ParamError {
    /// Says what a value must be ("must be one of ..."); the parameter's name goes first.
    Value(String),
    /// A whole sentence (an unknown or repeated parameter).
    Whole(String),
}

impl ParamError {
    fn named(self, key: &str) -> ParamError {
        match self {
            ParamError::Value(m) => ParamError::Whole(format!("`{key}` {m}")),
            whole => whole,
        }
    }

    fn message(self) -> String {
        match self {
            ParamError::Value(m) => format!("the value {m}"),
            ParamError::Whole(m) => m,
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Value(m) | ParamError::Whole(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ParamError {}

/// A value as a person would write it in a message: strings quoted, numbers bare.
fn shown(unexpected: de::Unexpected<'_>) -> String {
    match unexpected {
        // A long value is cut: the message names it, it need not repeat it.
        de::Unexpected::Str(s) if s.chars().count() > 60 => {
            let head: String = s.chars().take(60).collect();
            format!("{head:?}... ({} characters)", s.chars().count())
        }
        de::Unexpected::Str(s) => format!("{s:?}"),
        de::Unexpected::Unsigned(n) => n.to_string(),
        de::Unexpected::Signed(n) => n.to_string(),
        de::Unexpected::Float(x) => x.to_string(),
        de::Unexpected::Bool(b) => b.to_string(),
        de::Unexpected::Unit | de::Unexpected::Option => "null".into(),
        de::Unexpected::Seq => "a list".into(),
        de::Unexpected::Map => "an object".into(),
        other => other.to_string(),
    }
}

impl de::Error for ParamError {
    fn custom<T: fmt::Display>(message: T) -> ParamError {
        ParamError::Value(message.to_string())
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> ParamError {
        ParamError::Value(format!("must be {expected}, got {}", shown(unexpected)))
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> ParamError {
        ParamError::Value(format!("must be {expected}, got {}", shown(unexpected)))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> ParamError {
        let names: Vec<String> = expected.iter().map(|e| format!("`{e}`")).collect();
        ParamError::Value(format!(
            "must be one of {}, got {variant:?}",
            names.join(", ")
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> ParamError {
        ParamError::Whole(if expected.is_empty() {
            format!("unknown parameter `{field}` (this route takes none)")
        } else {
            format!(
                "unknown parameter `{field}` (this route takes: {})",
                expected.join(", ")
            )
        })
    }

    fn duplicate_field(field: &'static str) -> ParamError {
        ParamError::Whole(format!("`{field}` is given more than once"))
    }

    fn missing_field(field: &'static str) -> ParamError {
        ParamError::Whole(format!("`{field}` is required"))
    }
}

/// The parameters of one request, by name, in the order sent.
struct Params {
    pairs: std::vec::IntoIter<(String, Raw)>,
    value: Option<(String, Raw)>,
}

impl Params {
    fn new(pairs: Vec<(String, Raw)>) -> Params {
        Params {
            pairs: pairs.into_iter(),
            value: None,
        }
    }
}

impl<'de> de::Deserializer<'de> for Params {
    type Error = ParamError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de> MapAccess<'de> for Params {
    type Error = ParamError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ParamError> {
        let Some((key, raw)) = self.pairs.next() else {
            return Ok(None);
        };
        let name = seed.deserialize(key.clone().into_deserializer())?;
        self.value = Some((key, raw));
        Ok(Some(name))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ParamError> {
        let (key, raw) = self
            .value
            .take()
            .ok_or_else(|| ParamError::Whole("a value without its name".into()))?;
        seed.deserialize(raw).map_err(|e| e.named(&key))
    }
}

/// One parameter's value as sent.
enum Raw {
    /// From a query string or a path.
    Text(String),
    /// From a JSON body.
    Json(serde_json::Value),
}

impl<'de> IntoDeserializer<'de, ParamError> for Raw {
    type Deserializer = Raw;

    fn into_deserializer(self) -> Raw {
        self
    }
}

/// What a JSON value is, for a message.
fn unexpected(value: &serde_json::Value) -> de::Unexpected<'_> {
    match value {
        serde_json::Value::Null => de::Unexpected::Unit,
        serde_json::Value::Bool(b) => de::Unexpected::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => de::Unexpected::Unsigned(u),
            (None, Some(i)) => de::Unexpected::Signed(i),
            _ => de::Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => de::Unexpected::Str(s),
        serde_json::Value::Array(_) => de::Unexpected::Seq,
        serde_json::Value::Object(_) => de::Unexpected::Map,
    }
}

impl Raw {
    fn integer<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Raw::Text(s) => match (s.parse::<u64>(), s.parse::<i64>()) {
                (Ok(n), _) => visitor.visit_u64(n),
                (_, Ok(n)) => visitor.visit_i64(n),
                _ => Err(de::Error::invalid_value(de::Unexpected::Str(&s), &visitor)),
            },
            // JSON Schema counts `5.0` as an integer, so it is one here too.
            Raw::Json(serde_json::Value::Number(n)) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (None, Some(i), _) => visitor.visit_i64(i),
                (None, None, Some(x)) if x.fract() == 0.0 && (0.0..1e15).contains(&x) => {
                    visitor.visit_u64(x as u64)
                }
                (None, None, Some(x)) if x.fract() == 0.0 && (-1e15..0.0).contains(&x) => {
                    visitor.visit_i64(x as i64)
                }
                _ => Err(de::Error::invalid_type(
                    de::Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
                    &visitor,
                )),
            },
            Raw::Json(other) => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn float<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Raw::Text(s) => match s.parse::<f64>() {
                Ok(x) => visitor.visit_f64(x),
                Err(_) => Err(de::Error::invalid_value(de::Unexpected::Str(&s), &visitor)),
            },
            Raw::Json(serde_json::Value::Number(n)) => match n.as_f64() {
                Some(x) => visitor.visit_f64(x),
                None => Err(de::Error::invalid_type(
                    de::Unexpected::Other("a number"),
                    &visitor,
                )),
            },
            Raw::Json(other) => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }
}

impl<'de> de::Deserializer<'de> for Raw {
    type Error = ParamError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Raw::Text(s) => visitor.visit_string(s),
            Raw::Json(serde_json::Value::String(s)) => visitor.visit_string(s),
            Raw::Json(serde_json::Value::Bool(b)) => visitor.visit_bool(b),
            Raw::Json(serde_json::Value::Null) => visitor.visit_unit(),
            Raw::Json(n @ serde_json::Value::Number(_)) => {
                let float = n.as_f64();
                match (n.as_u64(), n.as_i64(), float) {
                    (Some(u), _, _) => visitor.visit_u64(u),
                    (None, Some(i), _) => visitor.visit_i64(i),
                    (_, _, Some(x)) => visitor.visit_f64(x),
                    _ => Err(de::Error::invalid_type(unexpected(&n), &visitor)),
                }
            }
            Raw::Json(serde_json::Value::Array(items)) => {
                let items = items.into_iter().map(Raw::Json);
                visitor.visit_seq(SeqDeserializer::new(items))
            }
            Raw::Json(other) => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Raw::Json(serde_json::Value::Null) => visitor.visit_none(),
            some => visitor.visit_some(some),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Raw::Text(s) => match s.as_str() {
                "true" => visitor.visit_bool(true),
                "false" => visitor.visit_bool(false),
                _ => Err(de::Error::invalid_value(de::Unexpected::Str(&s), &visitor)),
            },
            Raw::Json(serde_json::Value::Bool(b)) => visitor.visit_bool(b),
            Raw::Json(other) => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Raw::Text(s) | Raw::Json(serde_json::Value::String(s)) => visitor.visit_string(s),
            Raw::Json(other) => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        match self {
            Raw::Text(s) | Raw::Json(serde_json::Value::String(s)) => {
                visitor.visit_enum(IntoDeserializer::<ParamError>::into_deserializer(s))
            }
            Raw::Json(other) => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    /// A list of at least one value: in a query string, comma-separated values
    /// (`facets=category,country`), each taken as written; in JSON, an array. An empty list
    /// is refused: `facets=` reads the same as a list of one empty value, which no list
    /// holds.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        match self {
            Raw::Text(s) if s.is_empty() => {
                Err(de::Error::invalid_length(0, &"at least one value"))
            }
            Raw::Text(s) => {
                let items: Vec<Raw> = s.split(',').map(|i| Raw::Text(i.to_string())).collect();
                visitor.visit_seq(SeqDeserializer::new(items.into_iter()))
            }
            Raw::Json(serde_json::Value::Array(items)) if items.is_empty() => {
                Err(de::Error::invalid_length(0, &"at least one value"))
            }
            Raw::Json(serde_json::Value::Array(items)) => {
                visitor.visit_seq(SeqDeserializer::new(items.into_iter().map(Raw::Json)))
            }
            Raw::Json(other) => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ParamError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.integer(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.integer(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.integer(visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.integer(visitor)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.integer(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.integer(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.integer(visitor)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.integer(visitor)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.float(visitor)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ParamError> {
        self.float(visitor)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct map struct
        ignored_any
    }
}

fn percent_decode(text: &str) -> Result<String, ApiError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ApiError::bad_parameter("malformed percent-encoding in the query string")
                    })?;
                out.push(hex);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiError::bad_parameter("the query string is not UTF-8"))
}
