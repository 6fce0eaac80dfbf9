//! The HTTP API over a passage index: `fn app(state) -> Router`, apart from `main`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let index = cfi_index::PassageIndex::open(std::path::Path::new("indexes/default"))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, cfi_server::app(cfi_server::AppState::new(index))).await?;
//! # Ok(()) }
//! ```

mod error;
mod search;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use cfi_index::PassageIndex;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    index: Arc<PassageIndex>,
}

impl AppState {
    /// State serving `index`.
    pub fn new(index: PassageIndex) -> AppState {
        AppState {
            index: Arc::new(index),
        }
    }
}

/// The application: every route, with a tracing span per request.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/search", get(search::search))
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
