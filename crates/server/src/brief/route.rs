//! `GET /api/v1/brief`: a question brief as Markdown, HTML, DOCX or JSON.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::{Brief, BriefError};
use crate::access::Access;
use crate::model::ErrorBody;
use crate::params::{BriefFormat, BriefParams, Query};
use crate::{ApiError, AppState};

impl From<BriefError> for ApiError {
    fn from(error: BriefError) -> ApiError {
        match error {
            BriefError::Index(e) => ApiError::from(e),
            // A brief of a question (or call) that does not exist is a missing resource,
            // as a passage that does not exist is: the request itself is well formed.
            e @ (BriefError::Question { .. } | BriefError::NoSuchCall { .. }) => {
                ApiError::not_found(e.to_string())
            }
            e @ BriefError::Call(_) => ApiError::bad_parameter(e.to_string()),
            e @ BriefError::TooLarge { .. } => {
                ApiError::too_large(axum::http::StatusCode::PAYLOAD_TOO_LARGE, e.to_string())
            }
        }
    }
}

impl BriefFormat {
    fn content_type(self) -> &'static str {
        match self {
            BriefFormat::Md => "text/markdown; charset=utf-8",
            BriefFormat::Html => "text/html; charset=utf-8",
            BriefFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            BriefFormat::Json => "application/json",
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            BriefFormat::Md => "md",
            BriefFormat::Html => "html",
            BriefFormat::Docx => "docx",
            BriefFormat::Json => "json",
        }
    }
}

/// The brief rendered in `format`; `base` makes permalinks absolute.
pub fn render(brief: &Brief, format: BriefFormat, base: &str) -> std::io::Result<Vec<u8>> {
    Ok(match format {
        BriefFormat::Md => super::markdown(brief, base).into_bytes(),
        BriefFormat::Html => super::html(brief, base).into_bytes(),
        BriefFormat::Docx => super::docx(brief, base)?,
        BriefFormat::Json => serde_json::to_vec_pretty(brief).map_err(std::io::Error::from)?,
    })
}

/// Where the caller reached this server, for absolute permalinks ("" when unknown).
fn base_url(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .map(|h| format!("http://{h}"))
        .unwrap_or_default()
}

#[utoipa::path(get, path = "/api/v1/brief", tag = "brief",
    params(BriefParams),
    responses(
        (status = 200, description = "The question's brief: counts per category, each submission's key passages in full with citations, the submissions with no input on it",
            content(
                (String = "text/markdown"),
                (String = "text/html"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (Brief = "application/json"),
            )),
        (status = 400, description = "A parameter is missing, unknown or out of range, or the index holds several calls and none was named", body = ErrorBody),
        (status = 404, description = "The call has no such question (the message lists its questions), or the index no such call", body = ErrorBody),
        (status = 413, description = "More passages than one download may hold: narrow it to a category, or run `cfi brief`", body = ErrorBody),
    ))]
pub(crate) async fn brief(
    State(state): State<AppState>,
    access: Access,
    headers: HeaderMap,
    Query(params): Query<BriefParams>,
) -> Result<Response, ApiError> {
    let mut request = params.request(access.staff);
    request.max_passages = Some(state.max_export_rows());
    let format = params.format.unwrap_or_default();
    let index = state.index().clone();
    let base = base_url(&headers);
    let (bytes, question) = state
        .blocking_with(move || {
            let brief = super::build(&index, &request)?;
            let bytes = render(&brief, format, &base).map_err(ApiError::internal)?;
            Ok::<_, ApiError>((bytes, brief.question))
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"brief-q{question}.{}\"",
                    format.extension()
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
