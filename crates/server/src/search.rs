use std::collections::HashMap;
use std::time::Instant;

use axum::Json;
use axum::extract::{RawQuery, State};
use cfi_index::{FacetDistribution, Hit, SearchRequest};
use serde::Serialize;

use crate::{ApiError, AppState};

const PARAMETERS: [&str; 10] = [
    "q",
    "question",
    "call",
    "category",
    "country",
    "lang",
    "kind",
    "submitter",
    "offset",
    "limit",
];

/// `GET /api/v1/search` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResponse {
    hits: Vec<HitBody>,
    estimated_total_hits: usize,
    offset: usize,
    limit: usize,
    facet_distribution: FacetDistribution,
    processing_time_ms: u128,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HitBody {
    passage_id: String,
    text: String,
    snippet: String,
    submission: SubmissionBody,
    page: Option<u32>,
    page_end: Option<u32>,
    paragraph: u32,
    questions: Vec<cfi_core::QuestionTag>,
    language: Option<String>,
    score: f32,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SubmissionBody {
    id: String,
    call: String,
    submitter: String,
    category: String,
    country: Option<String>,
    kind: cfi_core::Kind,
    file: String,
}

impl From<Hit> for HitBody {
    fn from(hit: Hit) -> HitBody {
        let p = hit.record.passage;
        let s = hit.record.submission;
        HitBody {
            passage_id: p.id,
            text: p.text,
            snippet: hit.snippet,
            page: p.page,
            page_end: p.page_end,
            paragraph: p.paragraph,
            questions: p.questions,
            language: p.language,
            score: hit.score,
            submission: SubmissionBody {
                id: s.id,
                call: s.call,
                submitter: s.submitter,
                category: s.category,
                country: s.country,
                kind: s.kind,
                file: s.file,
            },
        }
    }
}

/// Parses the query string by hand so every bad parameter gets our error shape and says
/// which parameter was wrong.
fn parse(raw: Option<&str>) -> Result<SearchRequest, ApiError> {
    let mut params: HashMap<String, String> = HashMap::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(key)?;
        let value = decode(value)?;
        if !PARAMETERS.contains(&key.as_str()) {
            return Err(ApiError::bad_parameter(format!(
                "unknown parameter `{key}` (known: {})",
                PARAMETERS.join(", ")
            )));
        }
        params.insert(key, value);
    }
    let text = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let number = |k: &str, max: usize| -> Result<Option<usize>, ApiError> {
        match text(k) {
            None => Ok(None),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n <= max => Ok(Some(n)),
                _ => Err(ApiError::bad_parameter(format!(
                    "`{k}` must be a whole number from 0 to {max}, got {v:?}"
                ))),
            },
        }
    };
    let question = match number("question", 1000)? {
        Some(0) => return Err(ApiError::bad_parameter("`question` numbers start at 1")),
        other => other.and_then(|n| u32::try_from(n).ok()),
    };
    let limit = number("limit", cfi_index::MAX_LIMIT)?.unwrap_or(20);
    if limit == 0 {
        return Err(ApiError::bad_parameter("`limit` must be at least 1"));
    }
    if let Some(kind) = text("kind").filter(|k| k != "input" && k != "annex") {
        return Err(ApiError::bad_parameter(format!(
            "`kind` must be `input` or `annex`, got {kind:?}"
        )));
    }
    Ok(SearchRequest {
        q: params.get("q").cloned().unwrap_or_default(),
        question,
        call: text("call"),
        category: text("category"),
        country: text("country"),
        lang: text("lang"),
        kind: text("kind"),
        submitter: text("submitter"),
        offset: number("offset", 10_000)?.unwrap_or(0),
        limit,
        include_confidential: false,
    })
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

pub(crate) async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let started = Instant::now();
    let request = parse(raw.as_deref())?;
    let index = state.index.clone();
    let (offset, limit) = (request.offset, request.limit);
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(ApiError::internal)??;
    Ok(Json(SearchResponse {
        hits: results.hits.into_iter().map(HitBody::from).collect(),
        estimated_total_hits: results.total,
        offset,
        limit,
        facet_distribution: results.facets,
        processing_time_ms: started.elapsed().as_millis(),
    }))
}
