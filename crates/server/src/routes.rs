//! The handlers of `/api/v1`.

use std::time::Instant;

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use cfi_index::{Catalog, SubmissionInfo};
use tower::ServiceExt;

use crate::access::Access;
use crate::model::*;
use crate::params::{self, Params};
use crate::view::CatalogView;
use crate::{ApiError, AppState};

type ApiResult<T> = Result<T, ApiError>;

/// A path parameter (an id, a facet name), its rejection answered with the usual error
/// body. Ids are only ever looked up in the catalog or the index, never joined to a path.
pub(crate) struct Segment(String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Segment> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(s)| Segment(s))
            .map_err(|_| ApiError::bad_parameter("a path segment is not valid UTF-8"))
    }
}

#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "Query: words (all must match), OR, \"phrases\", -excluded"),
        ("question" = Option<u32>, Query, description = "Guiding question number"),
        ("call" = Option<String>, Query, description = "Call id"),
        ("category" = Option<String>, Query, description = "Stakeholder category"),
        ("country" = Option<String>, Query, description = "Submitter's country"),
        ("mentioned" = Option<String>, Query, description = "A country the passage mentions"),
        ("lang" = Option<String>, Query, description = "Passage language, ISO 639-1"),
        ("kind" = Option<String>, Query, description = "input or annex"),
        ("submitter" = Option<String>, Query, description = "Submitter"),
        ("offset" = Option<usize>, Query, description = "Hits to skip (max 10000)"),
        ("limit" = Option<usize>, Query, description = "Hits to return, 1-100 (default 20)"),
        ("facets" = Option<String>, Query, description = "Comma-separated facets to count (default all)"),
        ("highlight" = Option<bool>, Query, description = "Mark matched words in snippets (default true)"),
        ("group" = Option<String>, Query, description = "`submission`: the best passage per submission, with `others` counting the rest"),
        ("sort" = Option<String>, Query, description = "`relevance` (default), `submitter` or `received`"),
        ("semantic" = Option<f32>, Query, minimum = 0, maximum = 1, description = "How much the ranking leans on meaning (the query's vector, across languages): 0 words only (BM25), 1 meaning only, between both fused by reciprocal rank (default 0.5). In a hybrid search `estimatedTotalHits`, `facetDistribution`, the matrix and exports count the passages the words match and the passages closest in meaning that were fused (at least the 100 closest)"),
    ),
    responses(
        (status = 200, description = "Hits and facet counts", body = SearchResponse),
        (status = 400, description = "Bad parameter or query", body = ErrorBody),
        (status = 401, description = "Bad staff token", body = ErrorBody),
    ))]
pub(crate) async fn search_get(
    State(state): State<AppState>,
    access: Access,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<SearchResponse>> {
    let params = Params::from_query(raw.as_deref(), &params::SEARCH)?;
    search(state, access, params).await
}

#[utoipa::path(post, path = "/api/v1/search", tag = "search",
    request_body(content = Object, description = "The same parameters as GET, as a JSON object"),
    responses(
        (status = 200, description = "Hits and facet counts", body = SearchResponse),
        (status = 400, description = "Bad parameter, query or body", body = ErrorBody),
        (status = 401, description = "Bad staff token", body = ErrorBody),
    ))]
pub(crate) async fn search_post(
    State(state): State<AppState>,
    access: Access,
    body: axum::body::Bytes,
) -> ApiResult<Json<SearchResponse>> {
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_body(format!("the body is not JSON: {e}")))?;
    let params = Params::from_json(&value, &params::SEARCH)?;
    search(state, access, params).await
}

async fn search(
    state: AppState,
    access: Access,
    params: Params,
) -> ApiResult<Json<SearchResponse>> {
    let started = Instant::now();
    let request = params.search(access.staff)?;
    let highlight = params.flag("highlight", true)?;
    let wanted: Option<Vec<String>> = params
        .text("facets")
        .map(|f| f.split(',').map(|s| s.trim().to_string()).collect());
    let (offset, limit) = (request.offset, request.limit);
    let index = state.index.clone();
    let results = state.blocking(move || index.search(&request)).await?;
    let catalog = state.index.catalog();
    let hits = results
        .hits
        .into_iter()
        .map(|hit| {
            let snippet = if highlight {
                hit.snippet
            } else {
                hit.snippet.replace("<mark>", "").replace("</mark>", "")
            };
            HitBody {
                passage: PassageBody::new(hit.record, &catalog),
                snippet,
                score: hit.score,
                others: hit.others,
                also_in: hit.also_in,
                versions: hit.versions.into_iter().map(VersionBody::from).collect(),
            }
        })
        .collect();
    let mut facets = results.facets;
    if let Some(wanted) = wanted {
        facets.retain(|k, _| wanted.contains(k));
    }
    Ok(Json(SearchResponse {
        hits,
        estimated_total_hits: results.total,
        semantic_hit_count: results.semantic_hits,
        offset,
        limit,
        facet_distribution: facets,
        did_you_mean: results.did_you_mean,
        relaxed: results.relaxed,
        processing_time_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }))
}

#[utoipa::path(get, path = "/api/v1/calls", tag = "calls",
    responses((status = 200, description = "Every call, with its counts and what its last ingest left out", body = CallList)))]
pub(crate) async fn calls(State(state): State<AppState>, access: Access) -> Json<CallList> {
    let catalog = state.index.catalog();
    let view = CatalogView::new(&catalog, access);
    let results: Vec<CallBody> = catalog
        .calls
        .iter()
        .map(|c| CallBody::new(c, &view))
        .collect();
    let total = results.len();
    Json(CallList {
        results,
        offset: 0,
        limit: total,
        total,
    })
}

#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "calls",
    params(("id" = String, Path, description = "Call id")),
    responses(
        (status = 200, description = "The call, its counts as the caller sees them, and what its last ingest left out (named for staff only)", body = CallBody),
        (status = 404, description = "No such call", body = ErrorBody),
    ))]
pub(crate) async fn call(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
) -> ApiResult<Json<CallBody>> {
    let catalog = state.index.catalog();
    let call = catalog
        .call(&id)
        .ok_or_else(|| ApiError::not_found(format!("no call {id:?}")))?;
    Ok(Json(CallBody::new(
        call,
        &CatalogView::new(&catalog, access),
    )))
}

const SUBMISSION_PARAMS: [&str; 6] = ["call", "category", "country", "kind", "offset", "limit"];

#[utoipa::path(get, path = "/api/v1/submissions", tag = "submissions",
    params(
        ("call" = Option<String>, Query, description = "Call id"),
        ("category" = Option<String>, Query, description = "Stakeholder category"),
        ("country" = Option<String>, Query, description = "Submitter's country"),
        ("kind" = Option<String>, Query, description = "input or annex"),
        ("offset" = Option<usize>, Query, description = "Skip"),
        ("limit" = Option<usize>, Query, description = "1-1000, default 100"),
    ),
    responses(
        (status = 200, description = "Submissions in manifest order", body = SubmissionList),
        (status = 400, description = "Bad parameter", body = ErrorBody),
    ))]
pub(crate) async fn submissions(
    State(state): State<AppState>,
    access: Access,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<SubmissionList>> {
    let params = Params::from_query(raw.as_deref(), &SUBMISSION_PARAMS)?;
    let offset = params.number("offset", 0, 1_000_000)?.unwrap_or(0);
    let limit = params.number("limit", 1, 1000)?.unwrap_or(100);
    let catalog = state.index.catalog();
    let view = CatalogView::new(&catalog, access);
    let same = |want: Option<String>, have: Option<&str>| {
        want.is_none_or(|w| have.is_some_and(|h| h.eq_ignore_ascii_case(&w)))
    };
    let matching: Vec<&&SubmissionInfo> = view
        .files()
        .iter()
        .filter(|s| {
            let s = &s.submission;
            same(params.text("call"), Some(&s.call))
                && same(params.text("category"), Some(&s.category))
                && same(params.text("country"), s.country.as_deref())
                && same(params.text("kind"), Some(s.kind.as_str()))
        })
        .collect();
    let results = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|s| view.submission_body(s))
        .collect();
    Ok(Json(SubmissionList {
        results,
        offset,
        limit,
        total: matching.len(),
    }))
}

/// The submission if the caller may see it; a confidential one answers exactly like a
/// missing one.
fn find_submission(catalog: &Catalog, access: Access, id: &str) -> ApiResult<SubmissionInfo> {
    catalog
        .submission(id)
        .filter(|s| access.staff || !s.submission.confidential)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("no submission {id:?}")))
}

#[utoipa::path(get, path = "/api/v1/submissions/{id}", tag = "submissions",
    params(("id" = String, Path, description = "Submission id")),
    responses(
        (status = 200, description = "The submission file, with its annexes and its other versions", body = SubmissionBody),
        (status = 404, description = "No such submission", body = ErrorBody),
    ))]
pub(crate) async fn submission(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
) -> ApiResult<Json<SubmissionBody>> {
    let catalog = state.index.catalog();
    let info = find_submission(&catalog, access, &id)?;
    Ok(Json(
        CatalogView::new(&catalog, access).submission_body(&info),
    ))
}

#[utoipa::path(get, path = "/api/v1/submissions/{id}/file", tag = "submissions",
    params(("id" = String, Path, description = "Submission id")),
    responses(
        (status = 200, description = "The original file (Range supported)", content_type = "application/octet-stream"),
        (status = 206, description = "Part of the file"),
        (status = 404, description = "No such submission or file", body = ErrorBody),
    ))]
pub(crate) async fn submission_file(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
    request: Request,
) -> ApiResult<Response> {
    let catalog = state.index.catalog();
    let info = find_submission(&catalog, access, &id)?;
    // The path comes from the catalog written at ingest, never from the request.
    let name = info
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("submission")
        .replace(['"', '\\', '\r', '\n'], "_");
    let gone = || {
        ApiError::not_found(format!(
            "the file of submission {id:?} is no longer on disk"
        ))
    };
    // Only a file inside its call folder, links resolved: a link among the submitted
    // files cannot hand out anything else on the machine.
    let check = info.clone();
    let inside = tokio::task::spawn_blocking(move || inside_call_folder(&check))
        .await
        .map_err(ApiError::internal)?;
    if !inside {
        return Err(gone());
    }
    let mut response = tower_http::services::ServeFile::new(&info.path)
        .oneshot(request)
        .await
        .map_err(ApiError::internal)?;
    if response.status() == axum::http::StatusCode::NOT_FOUND {
        return Err(gone());
    }
    // Submitted files are strangers' content served from this origin: only types a
    // browser shows without running anything open in place; the rest (HTML, SVG, XML,
    // scripts...) download.
    let inline = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| INLINE_TYPES.iter().any(|i| t.starts_with(i)));
    if !inline {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
    }
    let disposition = if inline { "inline" } else { "attachment" };
    if let Ok(value) = HeaderValue::from_str(&format!("{disposition}; filename=\"{name}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response.map(Body::new).into_response())
}

/// Types of submitted files a browser may show in place.
const INLINE_TYPES: [&str; 6] = [
    "application/pdf",
    "text/plain",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
];

/// Whether the submission's file, links resolved, lies inside its call folder (the path
/// without the manifest's relative part).
fn inside_call_folder(info: &SubmissionInfo) -> bool {
    let depth = std::path::Path::new(&info.submission.file)
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .count();
    let Some(folder) = info.path.ancestors().nth(depth) else {
        return false;
    };
    let folder = if folder.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        folder
    };
    match (
        std::fs::canonicalize(&info.path),
        std::fs::canonicalize(folder),
    ) {
        (Ok(file), Ok(folder)) => file != folder && file.starts_with(&folder),
        _ => false,
    }
}

#[utoipa::path(get, path = "/api/v1/passages/{id}", tag = "passages",
    params(("id" = String, Path, description = "Passage id")),
    responses(
        (status = 200, description = "The passage with the passages around it", body = PassageContext),
        (status = 404, description = "No such passage", body = ErrorBody),
    ))]
pub(crate) async fn passage(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
) -> ApiResult<Json<PassageContext>> {
    let index = state.index.clone();
    let lookup = id.clone();
    let found = state
        .blocking(move || {
            let Some(record) = index.passage(&lookup, access.staff)? else {
                return Ok(None);
            };
            let all = index.submission_passages(&record.submission.id, access.staff)?;
            Ok(Some((record, all)))
        })
        .await?;
    let (record, all) = found.ok_or_else(|| ApiError::not_found(format!("no passage {id:?}")))?;
    let catalog = state.index.catalog();
    let at = all
        .iter()
        .position(|r| r.passage.id == record.passage.id)
        .unwrap_or(0);
    let before = all
        .iter()
        .take(at)
        .rev()
        .take(2)
        .rev()
        .cloned()
        .map(|r| PassageBody::new(r, &catalog))
        .collect();
    let after = all
        .iter()
        .skip(at + 1)
        .take(2)
        .cloned()
        .map(|r| PassageBody::new(r, &catalog))
        .collect();
    Ok(Json(PassageContext {
        passage: PassageBody::new(record, &catalog),
        before,
        after,
    }))
}

#[utoipa::path(get, path = "/api/v1/passages/{id}/similar", tag = "passages",
    params(("id" = String, Path, description = "Passage id"),
           ("limit" = Option<usize>, Query, description = "1-100, default 10")),
    responses(
        (status = 200, description = "The passages in other submissions closest in meaning, in any language", body = SimilarList),
        (status = 404, description = "No such passage", body = ErrorBody),
    ))]
pub(crate) async fn similar(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<SimilarList>> {
    let params = Params::from_query(raw.as_deref(), &["limit"])?;
    let limit = params
        .number("limit", 1, cfi_index::MAX_LIMIT)?
        .unwrap_or(10);
    let index = state.index.clone();
    let lookup = id.clone();
    let found = state
        .blocking(move || {
            if index.passage(&lookup, access.staff)?.is_none() {
                return Ok(None);
            }
            index.similar(&lookup, limit, access.staff).map(Some)
        })
        .await?;
    let similar = found.ok_or_else(|| ApiError::not_found(format!("no passage {id:?}")))?;
    let catalog = state.index.catalog();
    let results: Vec<HitBody> = similar
        .into_iter()
        .map(|(score, record)| HitBody {
            snippet: String::new(),
            passage: PassageBody::new(record, &catalog),
            score,
            others: 0,
            also_in: Vec::new(),
            versions: Vec::new(),
        })
        .collect();
    let total = results.len();
    Ok(Json(SimilarList {
        results,
        offset: 0,
        limit,
        total,
    }))
}

#[utoipa::path(get, path = "/api/v1/matrix", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "Query"),
        ("call" = Option<String>, Query, description = "Call id"),
        ("country" = Option<String>, Query, description = "Submitter's country"),
        ("lang" = Option<String>, Query, description = "Language"),
        ("kind" = Option<String>, Query, description = "input or annex"),
    ),
    responses(
        (status = 200, description = "Guiding question x category counts", body = MatrixBody),
        (status = 400, description = "Bad parameter or query", body = ErrorBody),
    ))]
pub(crate) async fn matrix(
    State(state): State<AppState>,
    access: Access,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<MatrixBody>> {
    let params = Params::from_query(raw.as_deref(), &params::SEARCH)?;
    let request = params.search(access.staff)?;
    let index = state.index.clone();
    let matrix = state.blocking(move || index.matrix(&request)).await?;
    let catalog = state.index.catalog();
    let mut categories: Vec<String> = Vec::new();
    let mut questions: Vec<u32> = Vec::new();
    for call in &catalog.calls {
        for c in &call.categories {
            if !categories.contains(c) {
                categories.push(c.clone());
            }
        }
        for q in &call.questions {
            if !questions.contains(&q.number) {
                questions.push(q.number);
            }
        }
    }
    questions.sort_unstable();
    questions.push(0);
    let cells = matrix
        .cells
        .into_iter()
        .map(|(q, row)| {
            // Files awaiting review have no category yet, so no column.
            let row = row
                .into_iter()
                .filter(|(c, _)| !c.is_empty())
                .map(|(c, cell)| {
                    (
                        c,
                        MatrixCellBody {
                            passages: cell.passages,
                            submissions: cell.submissions,
                        },
                    )
                })
                .collect();
            (q, row)
        })
        .collect();
    Ok(Json(MatrixBody {
        questions,
        categories,
        cells,
    }))
}

#[utoipa::path(get, path = "/api/v1/facets/{field}", tag = "search",
    params(("field" = String, Path, description = "call, question, category, country, mentioned, language, kind or submitter"),
           ("q" = Option<String>, Query, description = "Query (and every search filter)")),
    responses(
        (status = 200, description = "Every value with its passage count", body = FacetValues),
        (status = 404, description = "No such facet", body = ErrorBody),
    ))]
pub(crate) async fn facet(
    State(state): State<AppState>,
    access: Access,
    Segment(field): Segment,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<FacetValues>> {
    let params = Params::from_query(raw.as_deref(), &params::SEARCH)?;
    let request = params.search(access.staff)?;
    let index = state.index.clone();
    let name = field.clone();
    let values = state
        .blocking(move || index.facet_values(&name, &request))
        .await?;
    let values = values.ok_or_else(|| ApiError::not_found(format!("no facet {field:?}")))?;
    Ok(Json(FacetValues { field, values }))
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "calls",
    responses((status = 200, description = "What the index holds", body = StatsBody)))]
pub(crate) async fn stats(
    State(state): State<AppState>,
    access: Access,
) -> ApiResult<Json<StatsBody>> {
    let index = state.index.clone();
    let request = cfi_index::SearchRequest {
        include_confidential: access.staff,
        ..Default::default()
    };
    let languages = state
        .blocking(move || index.facet_values("language", &request))
        .await?
        .unwrap_or_default();
    let catalog = state.index.catalog();
    let view = CatalogView::new(&catalog, access);
    Ok(Json(StatsBody {
        calls: catalog.calls.len(),
        submissions: view.submission_count(None),
        files: view.file_count(None),
        passages: view.passage_count(None),
        languages,
    }))
}

const EXPORT_COLUMNS: [&str; 13] = [
    "citation",
    "submitter",
    "category",
    "country",
    "file",
    "page",
    "paragraph",
    "questions",
    "language",
    "passageId",
    "permalink",
    "confidential",
    "text",
];

fn export_row(p: &PassageBody) -> [String; 13] {
    let page = match (p.page, p.page_end) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        (Some(a), None) => a.to_string(),
        _ => String::new(),
    };
    [
        p.citation.clone(),
        p.submission.submitter.clone(),
        p.submission.category.clone(),
        p.submission.country.clone().unwrap_or_default(),
        p.submission.file.clone(),
        page,
        p.paragraph.to_string(),
        p.questions
            .iter()
            .map(|q| q.number.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        p.language.clone().unwrap_or_default(),
        p.passage_id.clone(),
        p.permalink.clone(),
        p.submission.confidential.to_string(),
        p.text.clone(),
    ]
}

#[utoipa::path(get, path = "/api/v1/export", tag = "search",
    params(("format" = String, Query, description = "csv, xlsx or jsonl"),
           ("q" = Option<String>, Query, description = "Query (and every search filter)")),
    responses(
        (status = 200, description = "Every hit with its citation", content_type = "text/csv"),
        (status = 400, description = "Bad parameter or query", body = ErrorBody),
        (status = 413, description = "More passages than one download may hold", body = ErrorBody),
    ))]
pub(crate) async fn export(
    State(state): State<AppState>,
    access: Access,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let mut known = params::SEARCH.to_vec();
    known.push("format");
    let params = Params::from_query(raw.as_deref(), &known)?;
    let format = params.text("format").unwrap_or_else(|| "csv".into());
    if !["csv", "xlsx", "jsonl"].contains(&format.as_str()) {
        return Err(ApiError::bad_parameter(format!(
            "`format` must be csv, xlsx or jsonl, got {format:?}"
        )));
    }
    let request = params.search(access.staff)?;
    let index = state.index.clone();
    let max = state.max_export_rows();
    let records = state
        .blocking(move || index.all_hits_up_to(&request, max))
        .await?
        .map_err(|count| {
            ApiError::too_large(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the export would hold {count} passages, more than the {max} one download may: narrow the query, or run `cfi export` on the server"
                ),
            )
        })?;
    let catalog = state.index.catalog();
    let rows: Vec<PassageBody> = records
        .into_iter()
        .map(|r| PassageBody::new(r, &catalog))
        .collect();
    let (content_type, bytes) =
        tokio::task::spawn_blocking(move || -> ApiResult<(&str, Vec<u8>)> {
            Ok(match format.as_str() {
                "jsonl" => {
                    let mut out = Vec::new();
                    for row in &rows {
                        serde_json::to_writer(&mut out, row).map_err(ApiError::internal)?;
                        out.push(b'\n');
                    }
                    ("application/x-ndjson", out)
                }
                "xlsx" => (
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    xlsx(&rows)?,
                ),
                _ => {
                    let mut out = String::from("\u{feff}");
                    out.push_str(&EXPORT_COLUMNS.join(","));
                    out.push_str("\r\n");
                    for row in &rows {
                        let fields: Vec<String> = export_row(row)
                            .iter()
                            .map(|f| cfi_core::csv_field(f))
                            .collect();
                        out.push_str(&fields.join(","));
                        out.push_str("\r\n");
                    }
                    ("text/csv; charset=utf-8", out.into_bytes())
                }
            })
        })
        .await
        .map_err(ApiError::internal)??;
    let extension = match content_type {
        "application/x-ndjson" => "jsonl",
        "text/csv; charset=utf-8" => "csv",
        _ => "xlsx",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"cfi-export.{extension}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn xlsx(rows: &[PassageBody]) -> ApiResult<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, name) in EXPORT_COLUMNS.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet
            .write_string_with_format(0, c, *name, &bold)
            .map_err(ApiError::internal)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(ApiError::internal)?;
        for (c, value) in export_row(row).iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            sheet
                .write_string(r, c, value)
                .map_err(ApiError::internal)?;
        }
    }
    book.save_to_buffer().map_err(ApiError::internal)
}
