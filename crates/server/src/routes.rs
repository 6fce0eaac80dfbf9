//! The handlers of `/api/v1`.

use std::time::Instant;

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use cfi_index::{Catalog, SubmissionInfo};
use tower::ServiceExt;

use crate::access::Access;
use crate::model::*;
use crate::params::{
    self, FacetField, FilterParams, NoParams, Query, SearchParams, SimilarParams, SubmissionParams,
};
use crate::view::CatalogView;
use crate::{ApiError, AppState};

type ApiResult<T> = Result<T, ApiError>;

/// A path parameter (an id, a facet name), its rejection answered with the usual error
/// body. Ids are only ever looked up in the catalog or the index, never joined to a path.
pub(crate) struct Segment(pub(crate) String);

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
    params(SearchParams),
    responses(
        (status = 200, description = "Hits and facet counts", body = SearchResponse),
        (status = 400, description = "A parameter is unknown or out of range, or the query cannot be parsed", body = ErrorBody),
    ))]
pub(crate) async fn search_get(
    State(state): State<AppState>,
    access: Access,
    Query(params): Query<SearchParams>,
) -> ApiResult<Json<SearchResponse>> {
    search(state, access, params).await
}

#[utoipa::path(post, path = "/api/v1/search", tag = "search",
    request_body(content = SearchParams, description = "The same parameters as GET, as a JSON object (`facets` an array)"),
    responses(
        (status = 200, description = "Hits and facet counts", body = SearchResponse),
        (status = 400, description = "The body is not a JSON object, a property is unknown or out of range, or the query cannot be parsed", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 KB", body = ErrorBody),
    ))]
pub(crate) async fn search_post(
    State(state): State<AppState>,
    access: Access,
    body: axum::body::Bytes,
) -> ApiResult<Json<SearchResponse>> {
    let params: SearchParams = params::from_json(&body)?;
    search(state, access, params).await
}

async fn search(
    state: AppState,
    access: Access,
    params: SearchParams,
) -> ApiResult<Json<SearchResponse>> {
    let started = Instant::now();
    let request = params.request(access.staff);
    let index = state.index.clone();
    let asked = request.clone();
    let results = state.blocking(move || index.search(&asked)).await?;
    Ok(Json(SearchResponse::new(
        results,
        &request,
        &state.index.catalog(),
        params.highlight.unwrap_or(true),
        params.facets.as_deref(),
        started.elapsed(),
    )))
}

#[utoipa::path(get, path = "/api/v1/calls", tag = "calls",
    params(NoParams),
    responses(
        (status = 200, description = "Every call, with its counts and what its last ingest left out", body = CallList),
        (status = 400, description = "A parameter was given: this route takes none", body = ErrorBody),
    ))]
pub(crate) async fn calls(
    State(state): State<AppState>,
    access: Access,
    Query(NoParams {}): Query<NoParams>,
) -> Json<CallList> {
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
    params(("id" = String, Path, description = "Call id"), NoParams),
    responses(
        (status = 200, description = "The call, its counts as the caller sees them, and what its last ingest left out (named for staff only)", body = CallBody),
        (status = 400, description = "The id is not UTF-8, or a parameter was given: this route takes none", body = ErrorBody),
        (status = 404, description = "No such call", body = ErrorBody),
    ))]
pub(crate) async fn call(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
    Query(NoParams {}): Query<NoParams>,
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

#[utoipa::path(get, path = "/api/v1/submissions", tag = "submissions",
    params(SubmissionParams),
    responses(
        (status = 200, description = "Submission files in manifest order", body = SubmissionList),
        (status = 400, description = "A parameter is unknown or out of range", body = ErrorBody),
    ))]
pub(crate) async fn submissions(
    State(state): State<AppState>,
    access: Access,
    Query(params): Query<SubmissionParams>,
) -> ApiResult<Json<SubmissionList>> {
    let offset = params.offset.map_or(0, |n| n.get());
    let limit = params.limit.map_or(100, |n| n.get());
    let catalog = state.index.catalog();
    let view = CatalogView::new(&catalog, access);
    let matching: Vec<&&SubmissionInfo> = view
        .files()
        .iter()
        .filter(|s| params.matches(&s.submission))
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
    params(("id" = String, Path, description = "Submission id"), NoParams),
    responses(
        (status = 200, description = "The submission file, with its annexes and its other versions", body = SubmissionBody),
        (status = 400, description = "The id is not UTF-8, or a parameter was given: this route takes none", body = ErrorBody),
        (status = 404, description = "No such submission", body = ErrorBody),
    ))]
pub(crate) async fn submission(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
    Query(NoParams {}): Query<NoParams>,
) -> ApiResult<Json<SubmissionBody>> {
    let catalog = state.index.catalog();
    let info = find_submission(&catalog, access, &id)?;
    Ok(Json(
        CatalogView::new(&catalog, access).submission_body(&info),
    ))
}

#[utoipa::path(get, path = "/api/v1/submissions/{id}/file", tag = "submissions",
    params(("id" = String, Path, description = "Submission id"), NoParams),
    responses(
        (status = 200, description = "The original file: PDF, plain text and images open in place, anything else downloads as `application/octet-stream` (`Range` requests are served)",
            content(
                ("application/pdf"),
                ("text/plain"),
                ("image/png"),
                ("image/jpeg"),
                ("image/gif"),
                ("image/webp"),
                ("application/octet-stream"),
            )),
        (status = 206, description = "The part of the file a `Range` header asked for",
            content(
                ("application/pdf"),
                ("text/plain"),
                ("image/png"),
                ("image/jpeg"),
                ("image/gif"),
                ("image/webp"),
                ("application/octet-stream"),
            )),
        (status = 400, description = "The id is not UTF-8, or a parameter was given: this route takes none", body = ErrorBody),
        (status = 404, description = "No such submission, or its file is no longer on disk", body = ErrorBody),
        (status = 416, description = "The range asked for is outside the file", body = ErrorBody),
    ))]
pub(crate) async fn submission_file(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
    Query(NoParams {}): Query<NoParams>,
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
    params(("id" = String, Path, description = "Passage id"), NoParams),
    responses(
        (status = 200, description = "The passage with the passages around it", body = PassageContext),
        (status = 400, description = "The id is not UTF-8, or a parameter was given: this route takes none", body = ErrorBody),
        (status = 404, description = "No such passage", body = ErrorBody),
    ))]
pub(crate) async fn passage(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
    Query(NoParams {}): Query<NoParams>,
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
    params(("id" = String, Path, description = "Passage id"), SimilarParams),
    responses(
        (status = 200, description = "The passages in other submissions closest in meaning, in any language", body = SimilarList),
        (status = 400, description = "The id is not UTF-8, or a parameter is unknown or out of range", body = ErrorBody),
        (status = 404, description = "No such passage", body = ErrorBody),
    ))]
pub(crate) async fn similar(
    State(state): State<AppState>,
    access: Access,
    Segment(id): Segment,
    Query(params): Query<SimilarParams>,
) -> ApiResult<Json<SimilarList>> {
    let limit = params.limit.map_or(10, |n| n.get());
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
    params(FilterParams),
    responses(
        (status = 200, description = "Guiding question x category counts of the passages the filters cover", body = MatrixBody),
        (status = 400, description = "A parameter is unknown or out of range, or the query cannot be parsed", body = ErrorBody),
    ))]
pub(crate) async fn matrix(
    State(state): State<AppState>,
    access: Access,
    Query(params): Query<FilterParams>,
) -> ApiResult<Json<MatrixBody>> {
    let request = params.request(access.staff);
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
    params(("field" = FacetField, Path, description = "The facet"), FilterParams),
    responses(
        (status = 200, description = "Every value of the facet with its count of the passages the filters cover", body = FacetValues),
        (status = 400, description = "A parameter is unknown or out of range, or the query cannot be parsed", body = ErrorBody),
        (status = 404, description = "No such facet", body = ErrorBody),
    ))]
pub(crate) async fn facet(
    State(state): State<AppState>,
    access: Access,
    Segment(field): Segment,
    Query(params): Query<FilterParams>,
) -> ApiResult<Json<FacetValues>> {
    let field = FacetField::from_segment(&field)?;
    let request = params.request(access.staff);
    let index = state.index.clone();
    let values = state
        .blocking(move || index.facet_values(field.as_str(), &request))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no facet {:?}", field.as_str())))?;
    Ok(Json(FacetValues {
        field: field.as_str().to_string(),
        values,
    }))
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "calls",
    params(NoParams),
    responses(
        (status = 200, description = "What the index holds", body = StatsBody),
        (status = 400, description = "A parameter was given: this route takes none", body = ErrorBody),
    ))]
pub(crate) async fn stats(
    State(state): State<AppState>,
    access: Access,
    Query(NoParams {}): Query<NoParams>,
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
