//! What every form page shares: the errors of a refused submission, by field, so that each
//! appears next to its field and the page keeps what was typed.

use crate::error::ApiError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

/// A submitted form's fields in order (repeated names, e.g. ticked roles, kept).
pub type Fields = Vec<(String, String)>;

/// The value of field `k`, trimmed; empty when it was not sent (as an unticked checkbox).
pub fn get(fields: &Fields, k: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// The messages of `field` in a validation error, joined as [`FormErrors`] shows them.
pub fn field_error(errors: &stepwise_domain::ValidationError, field: &str) -> Option<String> {
    let msgs: Vec<&str> = errors
        .errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect();
    (!msgs.is_empty()).then(|| msgs.join("; "))
}

/// The errors of one submission: by field, and those that belong to no field.
#[derive(Debug, Default)]
pub struct FormErrors {
    fields: HashMap<String, String>,
    pub general: Vec<String>,
}

impl FormErrors {
    /// The error of `field`, if any (a field may have several: they are joined).
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// Add an error to `field` (after any it has).
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        self.fields
            .entry(field.to_owned())
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&message);
            })
            .or_insert(message);
    }

    /// The errors of a refused request, where they are the user's to fix; `Err` with the error
    /// itself otherwise (not found, internal), which the caller shows as an error page.
    pub fn from_api(error: ApiError) -> Result<Self, ApiError> {
        let mut e = Self::default();
        match error {
            ApiError::Invalid(v) => {
                for f in v.errors {
                    e.push(&f.field, f.message);
                }
            }
            ApiError::Conflict(_) => e.general.push(
                "Someone else changed this record while you were editing it. Your entry is kept \
                 below; check the record again and submit once more."
                    .to_owned(),
            ),
            other => return Err(other),
        }
        Ok(e)
    }

    /// Errors whose field is not shown by the form go to the summary too.
    pub fn unplaced(&self, shown: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = self
            .fields
            .iter()
            .filter(|(f, _)| !shown.contains(&f.as_str()))
            .map(|(f, m)| format!("{f}: {m}"))
            .collect();
        v.sort();
        v
    }
}

/// After a successful submission: back to where the work goes on (303, so that reloading the
/// page does not submit again).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A refused submission is answered 422 with the form again.
pub fn refused(page: Response) -> Response {
    let mut page = page;
    if page.status() == StatusCode::OK {
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    page
}
