use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The one error type of the API: a status, a stable code and a message, always answered
/// as `{"error": {"code", "message"}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// A parameter is missing, malformed or out of range.
    pub fn bad_parameter(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameter",
            message: message.into(),
        }
    }

    /// The query text could not be parsed.
    pub fn bad_query(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_query",
            message: message.into(),
        }
    }

    /// The JSON body is not what the route takes.
    pub fn bad_body(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_body",
            message: message.into(),
        }
    }

    /// A staff token was presented and is wrong, or staff access is not configured.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
        }
    }

    /// Too busy or too slow to answer in time.
    pub fn busy(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "unavailable",
            message: message.into(),
        }
    }

    /// The request line or headers are larger than the server reads.
    pub fn too_large(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: "too_large",
            message: message.into(),
        }
    }

    /// The same body for an error answered below the handlers (a rejected method, a body
    /// over the limit, a range that cannot be served), which would otherwise be plain text
    /// or empty.
    pub(crate) fn from_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("not_found", "nothing here"),
            StatusCode::METHOD_NOT_ALLOWED => {
                ("method_not_allowed", "this route does not take that method")
            }
            StatusCode::PAYLOAD_TOO_LARGE => ("too_large", "the body is larger than 64 KB"),
            StatusCode::RANGE_NOT_SATISFIABLE => {
                ("invalid_range", "the range asked for is outside the file")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "invalid_body",
                "the body must be JSON (content-type: application/json)",
            ),
            StatusCode::UNAUTHORIZED => ("unauthorized", "not authorized"),
            StatusCode::REQUEST_TIMEOUT
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => ("unavailable", "the server is busy; try again"),
            s if s.is_server_error() => ("internal", "internal error"),
            _ => ("invalid_request", "the request cannot be answered"),
        };
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// Nothing here.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
        }
    }

    /// Our fault; the message is logged, the caller gets a generic one.
    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        tracing::error!(%error, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal error".into(),
        }
    }
}

impl From<cfi_index::Error> for ApiError {
    fn from(error: cfi_index::Error) -> ApiError {
        match error {
            cfi_index::Error::Query { message } => ApiError::bad_query(message),
            cfi_index::Error::Parameter { message } => ApiError::bad_parameter(message),
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}
