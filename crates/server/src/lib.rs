//! The HTTP API over a passage index: `fn app(state) -> Router`, apart from `main`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let index = cfi_index::PassageIndex::open(std::path::Path::new("indexes/default"))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, cfi_server::app(cfi_server::AppState::new(index))).await?;
//! # Ok(()) }
//! ```

mod access;
pub mod brief;
mod error;
mod export;
mod matrix_export;
mod model;
mod page;
mod params;
mod review;
mod routes;
mod view;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use cfi_index::PassageIndex;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

pub use access::StaffToken;
pub use error::{ApiError, ErrorCode};
pub use export::{EXPORT_COLUMNS, ExportRow, write_csv_header};
pub use matrix_export::{MatrixError, framework_matrix};
pub use model::SearchResponse;
pub use params::BriefFormat;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    index: Arc<PassageIndex>,
    staff_token: Option<StaffToken>,
    cors_origins: Vec<String>,
    request_timeout: Duration,
    max_export_rows: usize,
    in_flight: Arc<tokio::sync::Semaphore>,
    index_work: Arc<tokio::sync::Semaphore>,
}

/// Most passages one HTTP export holds (it is built in memory); `cfi export` has no limit.
pub const MAX_EXPORT_ROWS: usize = 100_000;
/// Requests handled at once; more wait (up to the request timeout) rather than pile up.
const MAX_IN_FLIGHT: usize = 64;
/// Longest request target (path and query string) read, in bytes: room for the longest
/// query (1,000 characters) and every filter (200 each) the OpenAPI document allows, even
/// when each character takes 4 bytes of UTF-8, percent-encoded.
pub const MAX_URI_BYTES: usize = 32 * 1024;
/// Most header bytes (names and values) read, and most headers.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most headers in one request.
pub const MAX_HEADERS: usize = 64;

/// Searches run on the blocking threads at once: one per core, and a few more so that a
/// cheap lookup is not stuck behind two long searches.
fn default_index_work() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from) + 2
}

impl AppState {
    /// State serving `index` to anonymous callers only.
    pub fn new(index: PassageIndex) -> AppState {
        AppState {
            index: Arc::new(index),
            staff_token: None,
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(10),
            max_export_rows: MAX_EXPORT_ROWS,
            in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
            index_work: Arc::new(tokio::sync::Semaphore::new(default_index_work())),
        }
    }

    /// Index work (searches, exports) running at once on the blocking threads (default:
    /// cores + 2). A search outlives the request that gave up on it, holding its place
    /// until it ends, so slow queries cannot pile up threads behind the 503s.
    pub fn with_max_index_work(mut self, searches: usize) -> AppState {
        self.index_work = Arc::new(tokio::sync::Semaphore::new(searches));
        self
    }

    /// Runs blocking index work off the async threads, once a place among
    /// [`AppState::with_max_index_work`] is free; the place is held until the work ends.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, cfi_index::Error> + Send + 'static,
    ) -> Result<T, ApiError> {
        let place = Arc::clone(&self.index_work)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _place = place;
            f()
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
    }

    /// [`AppState::blocking`] for work that answers the API's errors itself.
    pub(crate) async fn blocking_with<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let place = Arc::clone(&self.index_work)
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _place = place;
            f()
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Most passages one export over HTTP may hold (default [`MAX_EXPORT_ROWS`]); a larger one
    /// is refused with 413 and a pointer to `cfi export`.
    pub fn with_max_export_rows(mut self, rows: usize) -> AppState {
        self.max_export_rows = rows;
        self
    }

    pub(crate) fn max_export_rows(&self) -> usize {
        self.max_export_rows
    }

    /// Lets pages on these origins call the API from a browser (CORS is off by default).
    pub fn with_cors_origins(mut self, origins: Vec<String>) -> AppState {
        self.cors_origins = origins;
        self
    }

    /// Requests handled at once (default 64); the others wait within their time budget.
    pub fn with_max_in_flight(mut self, requests: usize) -> AppState {
        self.in_flight = Arc::new(tokio::sync::Semaphore::new(requests));
        self
    }

    /// Answers 503 when a request takes longer than this.
    pub fn with_request_timeout(mut self, timeout: Duration) -> AppState {
        self.request_timeout = timeout;
        self
    }

    /// Accepts this staff token for confidential submissions.
    pub fn with_staff_token(mut self, token: StaffToken) -> AppState {
        self.staff_token = Some(token);
        self
    }

    /// The index served.
    pub fn index(&self) -> &PassageIndex {
        &self.index
    }
}

/// The OpenAPI description of `/api/v1`, generated from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "cfi",
        description = "Search the submissions sent to a UN call for input. Anonymous callers never see confidential submissions; staff send `Authorization: Bearer <token>`."
    ),
    paths(
        routes::search_get,
        routes::search_post,
        routes::calls,
        routes::call,
        routes::submissions,
        routes::submission,
        routes::submission_file,
        routes::passage,
        routes::similar,
        review::review,
        review::reviews,
        routes::matrix,
        routes::facet,
        routes::stats,
        export::export,
        brief::route::brief,
    ),
    // The enums the parameters name (utoipa collects the bodies' schemas, not these).
    components(schemas(
        model::ErrorBody,
        model::ErrorDetail,
        ErrorCode,
        params::Kind,
        params::Group,
        params::Sort,
        params::CountedFacet,
        params::FacetField,
        params::ExportFormat,
        params::BriefFormat,
    )),
    modifiers(&EveryRoute)
)]
pub struct ApiDoc;

/// What every route may answer, whatever its handler does: the layers in [`app`] refuse a
/// wrong staff token, an oversized request and a request past its budget the same way
/// everywhere. Also names the staff token's scheme.
struct EveryRoute;

impl utoipa::Modify for EveryRoute {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
        let error = |description: &String| -> RefOr<utoipa::openapi::Response> {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
                .into()
        };
        let common = [
            (
                "401",
                "A staff token was sent and is not valid (or this server takes none)".into(),
            ),
            (
                "414",
                format!("The request target is longer than {MAX_URI_BYTES} bytes"),
            ),
            (
                "431",
                format!(
                    "More than {MAX_HEADERS} headers, or more than {MAX_HEADER_BYTES} bytes of them"
                ),
            ),
            (
                "503",
                "Too busy, or the request ran past its time budget: try again".into(),
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                for (status, description) in &common {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(description));
                }
                // Anonymous callers are welcome; staff send their token.
                operation.security = Some(vec![
                    utoipa::openapi::security::SecurityRequirement::default(),
                    utoipa::openapi::security::SecurityRequirement::new(
                        "staff",
                        Vec::<String>::new(),
                    ),
                ]);
            }
        }
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "staff",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The staff token: confidential submissions become visible (marked)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The application: every route, with a tracing span per request.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/search", get(routes::search_get).post(routes::search_post))
        .route("/calls", get(routes::calls))
        .route("/calls/{id}", get(routes::call))
        .route("/submissions", get(routes::submissions))
        .route("/submissions/{id}", get(routes::submission))
        .route("/submissions/{id}/file", get(routes::submission_file))
        .route("/passages/{id}", get(routes::passage))
        .route("/passages/{id}/similar", get(routes::similar))
        .route("/passages/{id}/review", post(review::review))
        .route("/reviews", get(review::reviews))
        .route("/matrix", get(routes::matrix))
        .route("/facets/{field}", get(routes::facet))
        .route("/stats", get(routes::stats))
        .route("/export", get(export::export))
        .route("/brief", get(brief::route::brief))
        .route(
            "/openapi.json",
            get(|| async { axum::Json(ApiDoc::openapi()) }),
        );
    Router::new()
        .nest("/api/v1", api)
        .route("/", get(page::index))
        .route("/assets/app.js", get(page::script))
        .route("/assets/app.css", get(page::style))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), budget))
        .layer(axum::middleware::from_fn(limits))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(cors(&state.cors_origins))
        .layer(page::security_headers())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Bounds each request: a place among [`MAX_IN_FLIGHT`] and a time budget, else a 503
/// with the usual error body. The handler runs as a task of its own, so a panic in it
/// answers a 500 with the usual body (nothing of the panic leaves the log) and a request
/// out of time stops where it is.
async fn budget(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    /// Stops the handler's task when the budget runs out and its answer is dropped.
    struct AbortOnDrop(tokio::task::AbortHandle);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let work = async {
        let _permit = state.in_flight.acquire().await;
        let task = tokio::spawn(next.run(request));
        let _abort = AbortOnDrop(task.abort_handle());
        match task.await {
            Ok(response) => response,
            Err(error) if error.is_panic() => {
                tracing::error!("a handler panicked");
                ApiError::internal("handler panicked").into_response()
            }
            Err(_) => ApiError::busy("the request was cancelled").into_response(),
        }
    };
    match tokio::time::timeout(state.request_timeout, work).await {
        Ok(response) => response,
        Err(_) => ApiError::busy("the request took too long; try a narrower query").into_response(),
    }
}

/// Refuses request targets and headers larger than anything the API needs, before any
/// handler reads them: 414 and 431 with the usual error body.
async fn limits(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return ApiError::too_large(
            StatusCode::URI_TOO_LONG,
            format!("the request target is longer than {MAX_URI_BYTES} bytes"),
        )
        .into_response();
    }
    let headers = request.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError::too_large(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("at most {MAX_HEADERS} headers and {MAX_HEADER_BYTES} bytes of headers"),
        )
        .into_response();
    }
    next.run(request).await
}

/// Every error answers `{"error": {"code", "message"}}`, including those made below the
/// handlers (a method a route does not take, a body over the limit, a range outside a
/// file), which would otherwise be plain text or empty.
async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let mut answer = ApiError::from_status(status).into_response();
    // Keep what the status needs a client to know (`Allow`, `Content-Range`).
    for name in [axum::http::header::ALLOW, axum::http::header::CONTENT_RANGE] {
        if let Some(value) = parts.headers.remove(&name) {
            answer.headers_mut().insert(name, value);
        }
    }
    answer
}

fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let allowed: Vec<axum::http::HeaderValue> =
        origins.iter().filter_map(|o| o.parse().ok()).collect();
    if allowed.is_empty() {
        return CorsLayer::new();
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([
            axum::http::header::AUTHORIZATION,
            axum::http::header::CONTENT_TYPE,
        ])
}

async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, ApiError> {
    let index = state.index.clone();
    tokio::task::spawn_blocking(move || index.passage_count())
        .await
        .map_err(ApiError::internal)?;
    Ok("ready")
}

/// Groups the index's large segments by meaning ahead of the searches that need it (see
/// [`PassageIndex::prepare_meaning`]); a failure is only logged, searches would meet it too.
async fn prepare_meaning(index: &PassageIndex) {
    let index = index.clone();
    match tokio::task::spawn_blocking(move || index.prepare_meaning()).await {
        Ok(Ok(0)) => {}
        Ok(Ok(grouped)) => tracing::info!(grouped, "segments grouped by meaning"),
        Ok(Err(error)) => tracing::warn!(%error, "the vectors could not be prepared"),
        Err(error) => tracing::warn!(%error, "preparing the vectors failed"),
    }
}

/// Reloads the catalog when another process (`cfi ingest`) has committed, so a running
/// server shows new submissions without a restart. Segments are grouped by meaning at the
/// start and after each reload.
pub fn spawn_reloader(state: &AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    let index = state.index.clone();
    tokio::spawn(async move {
        // Any commit or merge rewrites `meta.json`; `reload` reads segments and catalog of
        // one commit together.
        let stamp = |index: &PassageIndex| index.committed_at();
        let mut seen = stamp(&index);
        prepare_meaning(&index).await;
        loop {
            tokio::time::sleep(every).await;
            let now = stamp(&index);
            if now != seen {
                seen = now;
                let reloading = index.clone();
                let result = tokio::task::spawn_blocking(move || reloading.reload()).await;
                match result {
                    Ok(Ok(())) => {
                        tracing::info!("index reloaded after a new commit");
                        prepare_meaning(&index).await;
                    }
                    Ok(Err(error)) => tracing::warn!(%error, "index reload failed"),
                    Err(error) => tracing::warn!(%error, "index reload task failed"),
                }
            }
        }
    })
}
