use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::model::{ErrorBody, ErrorDetail};

/// The stable codes of the API's errors: a client branches on these, never on a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A parameter is unknown, malformed or out of range (400).
    InvalidParameter,
    /// The query text cannot be parsed, or is longer than the index searches (400).
    InvalidQuery,
    /// The body is not a JSON object, or not JSON (400, 415).
    InvalidBody,
    /// The byte range asked of a file lies outside it (416).
    InvalidRange,
    /// Any other request the server cannot answer (4xx).
    InvalidRequest,
    /// A staff token was sent and is wrong, or this server takes none (401).
    Unauthorized,
    /// No such route, call, submission, passage or facet; a confidential submission
    /// answers the same to anonymous callers (404).
    NotFound,
    /// The route does not take that method (405).
    MethodNotAllowed,
    /// A body, request target, headers or export larger than the server takes (413, 414, 431).
    TooLarge,
    /// Too busy, or the request ran past its time budget: try again (503).
    Unavailable,
    /// Our fault; the log says more (500).
    Internal,
}

/// The one error type of the API: a status, a stable code and a message, always answered
/// as `{"error": {"code", "message"}}`.
#[derive(Debug)]
pub struct ApiError {
    pub(crate) status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// A parameter is missing, malformed or out of range.
    pub fn bad_parameter(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidParameter,
            message,
        )
    }

    /// The query text could not be parsed.
    pub fn bad_query(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, message)
    }

    /// The JSON body is not what the route takes.
    pub fn bad_body(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidBody, message)
    }

    /// A staff token was presented and is wrong, or staff access is not configured.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    /// Too busy or too slow to answer in time.
    pub fn busy(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            message,
        )
    }

    /// The request line, headers or an export are larger than the server serves.
    pub fn too_large(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError::new(status, ErrorCode::TooLarge, message)
    }

    /// The same body for an error answered below the handlers (a rejected method, a body
    /// over the limit, a range that cannot be served), which would otherwise be plain text
    /// or empty.
    pub(crate) fn from_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => (ErrorCode::NotFound, "nothing here"),
            StatusCode::METHOD_NOT_ALLOWED => (
                ErrorCode::MethodNotAllowed,
                "this route does not take that method",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::TooLarge, "the body is larger than 64 KB"),
            StatusCode::RANGE_NOT_SATISFIABLE => (
                ErrorCode::InvalidRange,
                "the range asked for is outside the file",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                ErrorCode::InvalidBody,
                "the body must be JSON (content-type: application/json)",
            ),
            StatusCode::UNAUTHORIZED => (ErrorCode::Unauthorized, "not authorized"),
            StatusCode::REQUEST_TIMEOUT
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => {
                (ErrorCode::Unavailable, "the server is busy; try again")
            }
            s if s.is_server_error() => (ErrorCode::Internal, "internal error"),
            _ => (ErrorCode::InvalidRequest, "the request cannot be answered"),
        };
        ApiError::new(status, code, message)
    }

    /// Nothing here.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    /// Our fault; the message is logged, the caller gets a generic one.
    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        tracing::error!(%error, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error",
        )
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl From<cfi_index::Error> for ApiError {
    fn from(error: cfi_index::Error) -> ApiError {
        match error {
            cfi_index::Error::Query { message } => ApiError::bad_query(message),
            cfi_index::Error::Parameter { message } => ApiError::bad_parameter(message),
            e @ cfi_index::Error::NoSuchPassage { .. } => ApiError::not_found(e.to_string()),
            // A question the call does not ask does not exist, as a missing passage does; a
            // 400 would refuse a request the OpenAPI document allows.
            e @ cfi_index::Error::NoSuchQuestion { .. } => ApiError::not_found(e.to_string()),
            e if e.is_locked() => {
                ApiError::busy("another process (an ingest) is writing the index; try again")
            }
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
