use stepwise_domain::ValidationError;

/// What can go wrong in a store operation, in terms a handler can answer with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record in this practice (also the answer when the caller may not know).
    #[error("not found")]
    NotFound,
    /// Someone else changed the record since it was read (row version mismatch).
    #[error("the record was changed by someone else since you opened it; reload and try again")]
    Conflict,
    /// A unique value is already taken, e.g. an MRN.
    #[error("{field}: {message}")]
    Duplicate {
        field: &'static str,
        message: String,
    },
    /// Input that parses but breaks a rule (an invalid episode transition, a closed month).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Stored data the code cannot read (hand-edited or corrupted).
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// The database key given (or its absence) does not fit the SQLite database.
    #[error(transparent)]
    Key(#[from] crate::atrest::KeyProblem),
    /// The audit event could not be written, so the operation was not carried out.
    #[error("the audit trail could not be written")]
    AuditUnavailable,
}

impl StoreError {
    pub(crate) fn corrupt(e: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(e.to_string())
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid(ValidationError::field(field, message))
    }

    /// The name of a violated unique constraint, when that is what happened.
    pub(crate) fn unique_violation(&self) -> Option<String> {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation() => Some(
                e.constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| e.message().to_owned()),
            ),
            _ => None,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
