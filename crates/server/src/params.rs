//! Request parameters, the same whether they come as a query string or a JSON body, each
//! checked with a message that names the parameter.

use std::collections::BTreeMap;

use cfi_index::SearchRequest;

use crate::ApiError;

/// Parameters of the search family of routes.
pub const SEARCH: [&str; 16] = [
    "q",
    "question",
    "call",
    "category",
    "country",
    "mentioned",
    "lang",
    "kind",
    "submitter",
    "offset",
    "limit",
    "facets",
    "highlight",
    "group",
    "sort",
    "semantic",
];

/// Raw parameters by name.
#[derive(Debug, Default)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// From a query string; `known` lists the names this route takes.
    pub fn from_query(raw: Option<&str>, known: &[&str]) -> Result<Params, ApiError> {
        let mut map = BTreeMap::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            map.insert(decode(key)?, decode(value)?);
        }
        Params::checked(map, known)
    }

    /// From a JSON object body; numbers and booleans are taken as their text.
    pub fn from_json(body: &serde_json::Value, known: &[&str]) -> Result<Params, ApiError> {
        let object = body
            .as_object()
            .ok_or_else(|| ApiError::bad_body("the body must be a JSON object"))?;
        let mut map = BTreeMap::new();
        for (key, value) in object {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                serde_json::Value::Object(_) => {
                    return Err(ApiError::bad_parameter(format!(
                        "`{key}` must be a string or a number"
                    )));
                }
            };
            map.insert(key.clone(), text);
        }
        Params::checked(map, known)
    }

    fn checked(map: BTreeMap<String, String>, known: &[&str]) -> Result<Params, ApiError> {
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(ApiError::bad_parameter(format!(
                "unknown parameter `{unknown}` (this route takes: {})",
                known.join(", ")
            )));
        }
        Ok(Params(map))
    }

    /// A non-empty, trimmed value.
    pub fn text(&self, key: &str) -> Option<String> {
        self.0
            .get(key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// A whole number from `min` to `max`.
    pub fn number(&self, key: &str, min: usize, max: usize) -> Result<Option<usize>, ApiError> {
        match self.text(key) {
            None => Ok(None),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(ApiError::bad_parameter(format!(
                    "`{key}` must be a whole number from {min} to {max}, got {v:?}"
                ))),
            },
        }
    }

    /// A number from `min` to `max` (decimals allowed).
    pub fn fraction(&self, key: &str, min: f32, max: f32) -> Result<Option<f32>, ApiError> {
        match self.text(key) {
            None => Ok(None),
            Some(v) => match v.parse::<f32>() {
                Ok(x) if (min..=max).contains(&x) => Ok(Some(x)),
                _ => Err(ApiError::bad_parameter(format!(
                    "`{key}` must be a number from {min} to {max}, got {v:?}"
                ))),
            },
        }
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`).
    pub fn flag(&self, key: &str, default: bool) -> Result<bool, ApiError> {
        match self.text(key).map(|v| v.to_lowercase()).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(ApiError::bad_parameter(format!(
                "`{key}` must be true or false, got {other:?}"
            ))),
        }
    }

    /// The search these parameters describe, for a caller who may or may not be staff.
    pub fn search(&self, staff: bool) -> Result<SearchRequest, ApiError> {
        if let Some(kind) = self.text("kind").filter(|k| k != "input" && k != "annex") {
            return Err(ApiError::bad_parameter(format!(
                "`kind` must be `input` or `annex`, got {kind:?}"
            )));
        }
        let group_by_submission = match self.text("group").as_deref() {
            None | Some("none") => false,
            Some("submission") => true,
            Some(other) => {
                return Err(ApiError::bad_parameter(format!(
                    "`group` must be `submission` or `none`, got {other:?}"
                )));
            }
        };
        let sort = match self.text("sort").as_deref() {
            None | Some("relevance") => cfi_index::Sort::Relevance,
            Some("submitter") => cfi_index::Sort::Submitter,
            Some("received") => cfi_index::Sort::Received,
            Some(other) => {
                return Err(ApiError::bad_parameter(format!(
                    "`sort` must be `relevance`, `submitter` or `received`, got {other:?}"
                )));
            }
        };
        Ok(SearchRequest {
            group_by_submission,
            sort,
            q: self.0.get("q").cloned().unwrap_or_default(),
            question: self
                .number("question", 1, 1000)?
                .and_then(|n| u32::try_from(n).ok()),
            call: self.text("call"),
            category: self.text("category"),
            country: self.text("country"),
            mentioned: self.text("mentioned"),
            lang: self.text("lang").map(|l| l.to_lowercase()),
            kind: self.text("kind"),
            submitter: self.text("submitter"),
            offset: self.number("offset", 0, 10_000)?.unwrap_or(0),
            limit: self.number("limit", 1, cfi_index::MAX_LIMIT)?.unwrap_or(20),
            include_confidential: staff,
            semantic: self
                .fraction("semantic", 0.0, 1.0)?
                .unwrap_or(cfi_index::DEFAULT_SEMANTIC),
        })
    }
}

fn decode(text: &str) -> Result<String, ApiError> {
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
