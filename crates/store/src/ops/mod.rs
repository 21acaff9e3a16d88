//! Store operations, one file per area. Every operation is scoped by the practice of its
//! [`Ctx`](crate::model::Ctx) and audited.

mod assessments;
mod backup;
mod billing;
mod contacts;
mod episodes;
mod finance;
mod import;
mod metrics;
mod mfa;
mod packed;
mod patients;
mod plan;
mod practice;
mod referrals;
mod registry;
pub(crate) mod resources;
mod reviews;
mod safety;
mod sensitive;
mod users;
mod wording;

pub use backup::{ColumnType, RestoreSummary, SNAPSHOT_FORMAT, SnapshotHeader, SnapshotTable};
pub use import::{
    ImportAssessment, ImportBatch, ImportContact, ImportEpisode, ImportPatient, ImportReport,
};
pub use patients::{MIN_NAME_QUERY, PatientQuery, RecordRef};
pub use registry::FactsMismatch;
pub use reviews::RecommendationFilter;
pub use users::{SessionPolicy, normalize_email};

use crate::audit::{AuditCategory, AuditEvent, AuditOutcome};
use crate::error::{Result, StoreError};
use crate::model::Ctx;
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::PatientId;
use uuid::Uuid;

/// A new time-ordered key.
pub(crate) fn new_id<T: From<Uuid>>() -> T {
    T::from(Uuid::now_v7())
}

impl Ctx {
    /// The audit event of a successful operation.
    pub fn event(
        &self,
        action: AuditAction,
        category: AuditCategory,
        patient: Option<PatientId>,
        detail: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent {
            practice: self.practice,
            at: self.now,
            user: self.user,
            role: self.role,
            patient,
            action,
            category,
            outcome: AuditOutcome::Success,
            request_id: self.request_id.clone(),
            source: self.source.clone(),
            detail: detail.into(),
        }
    }
}

/// Parse a stored text code, reporting a corrupt value instead of panicking.
pub(crate) fn code<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(StoreError::corrupt)
}

/// After an `UPDATE … WHERE id = $ AND version = $` touched no row: a conflict when the
/// record exists, not found otherwise.
pub(crate) fn conflict_or_missing(exists: bool) -> StoreError {
    if exists {
        StoreError::Conflict
    } else {
        StoreError::NotFound
    }
}

/// Serialize a value kept as a JSON text column.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(StoreError::corrupt)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(StoreError::corrupt)
}
