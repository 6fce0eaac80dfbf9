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
mod error;
mod model;
mod page;
mod params;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use cfi_index::PassageIndex;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;

pub use access::StaffToken;
pub use error::ApiError;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    index: Arc<PassageIndex>,
    staff_token: Option<StaffToken>,
    cors_origins: Vec<String>,
    request_timeout: Duration,
    in_flight: Arc<tokio::sync::Semaphore>,
}

/// Requests handled at once; more wait (up to the request timeout) rather than pile up.
const MAX_IN_FLIGHT: usize = 64;

impl AppState {
    /// State serving `index` to anonymous callers only.
    pub fn new(index: PassageIndex) -> AppState {
        AppState {
            index: Arc::new(index),
            staff_token: None,
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(10),
            in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
        }
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
        routes::matrix,
        routes::facet,
        routes::stats,
        routes::export,
    ),
    components(schemas(model::ErrorBody, model::ErrorDetail))
)]
pub struct ApiDoc;

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
        .route("/matrix", get(routes::matrix))
        .route("/facets/{field}", get(routes::facet))
        .route("/stats", get(routes::stats))
        .route("/export", get(routes::export))
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
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(cors(&state.cors_origins))
        .layer(page::security_headers())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Bounds each request: a place among [`MAX_IN_FLIGHT`] and a time budget, else a 503
/// with the usual error body.
async fn budget(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let work = async {
        let _permit = state.in_flight.acquire().await;
        next.run(request).await
    };
    match tokio::time::timeout(state.request_timeout, work).await {
        Ok(response) => response,
        Err(_) => ApiError::busy("the request took too long; try a narrower query").into_response(),
    }
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

/// Reloads the catalog when another process (`cfi ingest`) has committed, so a running
/// server shows new submissions without a restart.
pub fn spawn_reloader(state: &AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    let index = state.index.clone();
    tokio::spawn(async move {
        // Any commit or merge rewrites `meta.json`; `reload` reads segments and catalog of
        // one commit together.
        let stamp = |index: &PassageIndex| index.committed_at();
        let mut seen = stamp(&index);
        loop {
            tokio::time::sleep(every).await;
            let now = stamp(&index);
            if now != seen {
                seen = now;
                let index = index.clone();
                let result = tokio::task::spawn_blocking(move || index.reload()).await;
                match result {
                    Ok(Ok(())) => tracing::info!("index reloaded after a new commit"),
                    Ok(Err(error)) => tracing::warn!(%error, "index reload failed"),
                    Err(error) => tracing::warn!(%error, "index reload task failed"),
                }
            }
        }
    })
}
