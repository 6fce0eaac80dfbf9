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
}

impl AppState {
    /// State serving `index` to anonymous callers only.
    pub fn new(index: PassageIndex) -> AppState {
        AppState {
            index: Arc::new(index),
            staff_token: None,
        }
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
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
        .layer(page::security_headers())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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
        let stamp = |index: &PassageIndex| {
            std::fs::metadata(index.dir().join("catalog.json"))
                .and_then(|m| m.modified())
                .ok()
        };
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
