//! Errors as the person who sees them needs them: `application/problem+json` (RFC 9457) for the
//! API, with one message per field for bad input; an internal error is logged once with the
//! request id, which the response also carries.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use stepwise_domain::{FieldError, ValidationError};
use stepwise_store::StoreError;

tokio::task_local! {
    /// The id of the request being handled, for error bodies and logs.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("sign in first")]
    Unauthenticated,
    /// Also the answer when the caller may not know whether the record exists.
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("invalid input")]
    Invalid(ValidationError),
    #[error("this change needs the record's version in an If-Match header")]
    PreconditionRequired,
    #[error("the service is not available")]
    Unavailable,
    #[error(
        "this action needs you to confirm your password and second factor (within the last 15 minutes): POST /api/v1/session/reauthenticate from a signed-in session; API tokens cannot do it"
    )]
    ReauthRequired,
    #[error("internal error")]
    Internal(String),
}

/// The problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    pub request_id: String,
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(ValidationError::field(field, message))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::ReauthRequired => StatusCode::FORBIDDEN,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (kind, detail, errors) = match self {
            ApiError::Invalid(v) => (
                "validation",
                "Some fields are not valid; see errors".to_owned(),
                v.errors.clone(),
            ),
            ApiError::Conflict(m) => ("conflict", m.clone(), Vec::new()),
            ApiError::Internal(_) => (
                "internal",
                "Something went wrong on our side. Nothing was changed. Quote the request id if you report it.".to_owned(),
                Vec::new(),
            ),
            other => (
                match other {
                    ApiError::Unauthenticated => "unauthenticated",
                    ApiError::NotFound => "not-found",
                    ApiError::PreconditionRequired => "precondition-required",
                    ApiError::ReauthRequired => "reauthentication-required",
                    _ => "unavailable",
                },
                other.to_string(),
                Vec::new(),
            ),
        };
        Problem {
            kind: format!("https://stepwise.invalid/problems/{kind}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
            request_id: current_request_id(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict => ApiError::Conflict(StoreError::Conflict.to_string()),
            StoreError::Duplicate { field, message } => {
                ApiError::Invalid(ValidationError::field(field, message))
            }
            StoreError::Invalid(v) => ApiError::Invalid(v),
            StoreError::AuditUnavailable => ApiError::Unavailable,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(v: ValidationError) -> Self {
        ApiError::Invalid(v)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(request_id = %current_request_id(), %cause, "request failed");
        }
        let problem = self.problem();
        let mut res = (self.status(), axum::Json(problem)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if matches!(self, ApiError::Unauthenticated) {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
