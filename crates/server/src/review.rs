//! Staff review over HTTP: `POST /passages/{id}/review` sets a passage's questions (they
//! override the tagger's), marks it as a key quote and leaves a note; `GET /reviews` lists
//! the reviews with who made them and when. Both need the staff token.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Access;
use crate::model::{ErrorBody, PassageBody};
use crate::params::{NoParams, Query, Whole};
use crate::routes::Segment;
use crate::{ApiError, AppState};

/// Longest note kept, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest reviewer name kept (the `X-Reviewer` header, cut there), in characters.
pub const MAX_REVIEWER_CHARS: usize = 100;

/// What a reviewer says about a passage.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewParams {
    /// The guiding questions the passage answers, replacing the tagger's tags (`[]`: none);
    /// `null` or absent leaves them as they stand (the tagger's, or staff's from an earlier
    /// review).
    #[schema(inline, max_items = 100)]
    #[serde(default)]
    pub questions: Option<Vec<Whole<1, 1000>>>,
    /// A key quote for the report: found with `key:true`, first in its questions' briefs.
    #[serde(default)]
    pub key: bool,
    /// A note for colleagues (at most 2,000 characters).
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub note: String,
}

/// A staff review.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewBody {
    /// The passage reviewed.
    pub passage_id: String,
    /// The submission file it came from.
    pub submission_id: String,
    /// The questions staff say it answers; `null`: the tagger's stand.
    pub questions: Option<Vec<u32>>,
    /// A key quote.
    pub key: bool,
    /// The reviewer's note.
    pub note: String,
    /// Who reviewed it (the name given at sign-in, `X-Reviewer`).
    pub by: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Its passage is no longer in the index (an ingest removed or changed it).
    pub orphaned: bool,
}

impl ReviewBody {
    fn new(review: cfi_index::Review, orphaned: bool) -> ReviewBody {
        ReviewBody {
            passage_id: review.passage,
            submission_id: review.submission,
            questions: review.questions,
            key: review.key,
            note: review.note,
            by: review.by,
            at: review.at,
            orphaned,
        }
    }
}

/// A review made, with the passage as it now reads.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reviewed {
    /// The review.
    pub review: ReviewBody,
    /// The passage, its tags now staff's.
    pub passage: PassageBody,
}

/// Every review.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewList {
    /// Oldest first.
    pub results: Vec<ReviewBody>,
    /// How many.
    pub total: usize,
    /// How many name a passage the index no longer holds.
    pub orphaned: usize,
}

fn staff_only(access: Access) -> Result<(), ApiError> {
    if access.staff {
        Ok(())
    } else {
        Err(ApiError::unauthorized(
            "reviews need the staff token: send `Authorization: Bearer <staff token>`",
        ))
    }
}

/// The reviewer's name from `X-Reviewer`: UTF-8, percent-encoded where it is not ASCII (a
/// browser sends header values as Latin-1 at most; the page encodes the name with
/// `encodeURIComponent`). A name is only shown, so it is taken as it comes: control
/// characters and runs of spaces become one space, bytes that are not UTF-8 become U+FFFD,
/// and it is cut at [`MAX_REVIEWER_CHARS`].
fn reviewer(headers: &HeaderMap) -> String {
    let Some(value) = headers.get("x-reviewer") else {
        return String::new();
    };
    let decoded = percent_encoding::percent_decode(value.as_bytes()).decode_utf8_lossy();
    decoded
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_REVIEWER_CHARS)
        .collect()
}

fn parse(body: &[u8]) -> Result<ReviewParams, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_body(format!("the review is not JSON: {e}")))?;
    // serde reads a struct from an array as well (fields in order); the schema says object.
    if !value.is_object() {
        return Err(ApiError::bad_body("the review must be a JSON object"));
    }
    let params: ReviewParams = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_body(format!("the review is not valid: {e}")))?;
    if params.note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::bad_body(format!(
            "`note` is longer than {MAX_NOTE_CHARS} characters"
        )));
    }
    if params.questions.as_ref().is_some_and(|q| q.len() > 100) {
        return Err(ApiError::bad_body(
            "`questions` lists more than 100 numbers",
        ));
    }
    Ok(params)
}

#[utoipa::path(post, path = "/api/v1/passages/{id}/review", tag = "review",
    params(
        ("id" = String, Path, description = "Passage id"),
        ("X-Reviewer" = Option<String>, Header, description = "Who reviews (the name given at sign-in), UTF-8 percent-encoded where not ASCII; kept to its first 100 characters, control characters as spaces"),
    ),
    request_body(content = ReviewParams, description = "The passage's questions (overriding the tagger's), the key-quote flag and a note"),
    responses(
        (status = 200, description = "The review, stored and applied; the passage as it now reads", body = Reviewed),
        (status = 400, description = "The body is not a review", body = ErrorBody),
        (status = 401, description = "No staff token, or one not valid", body = ErrorBody),
        (status = 404, description = "No such passage, or a question its call does not ask (the message lists the call's questions)", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 KB", body = ErrorBody),
        (status = 503, description = "Another process (an ingest) is writing the index: try again", body = ErrorBody),
    ))]
pub(crate) async fn review(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Reviewed>, ApiError> {
    staff_only(access)?;
    let by = reviewer(&headers);
    let params = parse(&body)?;
    let index = state.index.clone();
    let request = cfi_index::ReviewRequest {
        questions: params.questions.map(|list| {
            list.into_iter()
                .map(|n| u32::try_from(n.get()).unwrap_or(u32::MAX))
                .collect()
        }),
        key: params.key,
        note: params.note,
        by,
    };
    let (review, record) = state.blocking(move || index.review(&id, request)).await?;
    let catalog = state.index.catalog();
    Ok(Json(Reviewed {
        review: ReviewBody::new(review, false),
        passage: PassageBody::new(record, &catalog),
    }))
}

#[utoipa::path(get, path = "/api/v1/reviews", tag = "review",
    params(NoParams),
    responses(
        (status = 200, description = "Every staff review, oldest first, with who and when; orphaned ones flagged", body = ReviewList),
        (status = 400, description = "A parameter was given: this route takes none", body = ErrorBody),
        (status = 401, description = "No staff token, or one not valid", body = ErrorBody),
    ))]
pub(crate) async fn reviews(
    State(state): State<AppState>,
    access: Access,
    Query(NoParams {}): Query<NoParams>,
) -> Result<Json<ReviewList>, ApiError> {
    staff_only(access)?;
    let index = state.index.clone();
    let listed = state.blocking(move || index.reviews()).await?;
    let orphaned = listed.iter().filter(|r| r.orphaned).count();
    let results: Vec<ReviewBody> = listed
        .into_iter()
        .map(|r| ReviewBody::new(r.review, r.orphaned))
        .collect();
    Ok(Json(ReviewList {
        total: results.len(),
        orphaned,
        results,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(raw: &[u8]) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-reviewer",
            axum::http::HeaderValue::from_bytes(raw).expect("a header value"),
        );
        reviewer(&headers)
    }

    #[test]
    fn a_reviewer_name_is_taken_as_it_comes() {
        assert_eq!(name(b"Ana%20N%C3%BA%C3%B1ez"), "Ana Núñez");
        assert_eq!(name(b" Ana \t  Ruiz "), "Ana Ruiz");
        assert_eq!(name(b"%FF%FEx"), "\u{fffd}\u{fffd}x");
        assert_eq!(
            name("a".repeat(300).as_bytes()).chars().count(),
            MAX_REVIEWER_CHARS
        );
        assert_eq!(reviewer(&HeaderMap::new()), "");
    }

    #[test]
    fn a_review_is_a_json_object_and_nothing_else() {
        // serde alone reads a struct from an array of its fields in order.
        for body in ["[]", "[null, true, \"n\"]", "null", "3", "\"key\""] {
            let err = parse(body.as_bytes()).expect_err(body);
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{body}");
        }
        let params = parse(br#"{"questions": [2], "key": true}"#).expect("a review");
        assert!(params.key);
        assert_eq!(params.questions.map(|q| q.len()), Some(1));
        assert!(parse(b"{}").is_ok());
    }
}
