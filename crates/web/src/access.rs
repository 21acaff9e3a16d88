//! Who is asking, and may they: the extractors that put the privilege a handler needs into
//! its signature (vaultwarden's request guards). Deny by default: a refused request gets the
//! same answer as a record that does not exist, and leaves an `access.denied` audit event.

use crate::auth::{bearer_from_headers, secret_hash, session_from_headers};
use crate::error::ApiError;
use crate::state::{AppState, local_date};
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::sync::Arc;
use stepwise_domain::access::{Operation, Relation, acting_role};
use stepwise_domain::audit::{AuditAction, AuditCategory, AuditOutcome};
use stepwise_domain::ids::*;
use stepwise_domain::role::Role;
use stepwise_store::model::{Ctx, Practice, User};
use stepwise_store::{AuditEvent, RecordRef, StoreError};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Facts about the request itself, for the audit trail.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub request_id: String,
    /// The client's address.
    pub source: String,
    /// An API request (answered in JSON) rather than a page.
    pub api: bool,
    /// Method and route template, e.g. `GET /api/v1/patients/{id}`: no ids, no PHI.
    pub route: String,
}

impl RequestMeta {
    pub fn of(parts: &Parts) -> Self {
        let template = parts
            .extensions
            .get::<MatchedPath>()
            .map(|m| m.as_str().to_owned())
            .unwrap_or_else(|| "(unmatched)".into());
        RequestMeta {
            request_id: parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            source: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "local".into()),
            api: parts.uri.path().starts_with("/api/"),
            route: format!("{} {template}", parts.method),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestMeta::of(parts))
    }
}

/// Why a request was refused. Pages and the API answer differently.
#[derive(Debug)]
pub struct Rejection {
    pub api: bool,
    pub error: ApiError,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        if self.api {
            return self.error.into_response();
        }
        match self.error {
            ApiError::Unauthenticated => Redirect::to("/sign-in").into_response(),
            other => crate::pages::error_page(other),
        }
    }
}

impl Rejection {
    fn new(meta: &RequestMeta, error: impl Into<ApiError>) -> Self {
        Rejection {
            api: meta.api,
            error: error.into(),
        }
    }
}

/// A signed-in user: by API token (`Authorization: Bearer …`) or by session cookie.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    pub practice: Arc<Practice>,
    pub meta: RequestMeta,
    pub now: OffsetDateTime,
    /// The practice's date at `now`.
    pub today: Date,
    /// The hash of the session id, for sign-out.
    pub session_hash: Option<String>,
}

impl Authenticated {
    /// The store context of an action taken in `role`.
    pub fn ctx(&self, role: Option<Role>) -> Ctx {
        Ctx {
            practice: self.user.practice,
            user: Some(self.user.id),
            role,
            request_id: self.meta.request_id.clone(),
            source: self.meta.source.clone(),
            now: self.now,
            today: self.today,
        }
    }

    /// Record a refused request, then refuse it as not found.
    async fn deny(&self, state: &AppState, patient: Option<PatientId>, op: Operation) -> Rejection {
        let ev = AuditEvent {
            outcome: AuditOutcome::Denied,
            ..self.ctx(None).event(
                AuditAction::AccessDenied,
                AuditCategory::Authentication,
                patient,
                format!("{} ({op})", self.meta.route),
            )
        };
        if let Err(e) = state.store.audit(ev).await {
            return Rejection::new(&self.meta, e);
        }
        Rejection::new(&self.meta, ApiError::NotFound)
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let meta = RequestMeta::of(parts);
        let now = state.clock.now();
        let (principal, session_hash) = if let Some(token) = bearer_from_headers(&parts.headers) {
            let p = state
                .store
                .token_principal(&secret_hash(&token))
                .await
                .map_err(|e| Rejection::new(&meta, e))?;
            (p, None)
        } else if let Some(sid) = session_from_headers(&parts.headers, state.config.secure_cookies)
        {
            let hash = secret_hash(&sid);
            let p = state
                .store
                .session_principal(&hash, now, state.config.session)
                .await
                .map_err(|e| Rejection::new(&meta, e))?;
            (p, Some(hash))
        } else {
            (None, None)
        };
        let Some(principal) = principal else {
            return Err(Rejection::new(&meta, ApiError::Unauthenticated));
        };
        let practice = state
            .practice(principal.user.practice)
            .await
            .map_err(|e| Rejection::new(&meta, e))?;
        let today = local_date(now, &practice.time_zone);
        Ok(Authenticated {
            user: principal.user,
            practice,
            meta,
            now,
            today,
            session_hash,
        })
    }
}

/// An operation as a type, so that a handler's signature names what it does.
pub trait Op: Send + Sync + 'static {
    const OP: Operation;
}

/// The operations as types: `Can<op::Administer>`, `OnPatient<op::ReadClinical>`.
pub mod op {
    use super::Op;
    use stepwise_domain::access::Operation;

    macro_rules! ops {
        ($($name:ident),* $(,)?) => {$(
            #[derive(Debug)]
            pub struct $name;
            impl Op for $name {
                const OP: Operation = Operation::$name;
            }
        )*};
    }

    ops!(
        ReadDemographics,
        EditDemographics,
        ReadClinical,
        ManageEpisode,
        RecordContact,
        RecordAssessment,
        DecideRecommendation,
        CompleteRecommendation,
        RecordCaseReview,
        ReadReviewList,
        ReadOwnCaseload,
        ReadOpenRecommendations,
        Administer,
        ReadOwnAlerts,
        ReadOwnTasks,
        CloseSafetyAlert,
        ReadDirectory,
        ManageDirectory,
        ReadReferrals,
        Refer,
        UpdateReferral,
        ReadMetrics,
        ManageBaseline,
    );
}

/// A practice-wide operation the user may perform, and the role they act in.
#[derive(Debug)]
pub struct Can<O: Op> {
    pub auth: Authenticated,
    pub role: Role,
    pub ctx: Ctx,
    _op: PhantomData<O>,
}

impl<O: Op> FromRequestParts<AppState> for Can<O> {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = Authenticated::from_request_parts(parts, state).await?;
        match acting_role(&auth.user.roles, O::OP, None) {
            Some(role) => Ok(Can {
                ctx: auth.ctx(Some(role)),
                auth,
                role,
                _op: PhantomData,
            }),
            None => Err(auth.deny(state, None, O::OP).await),
        }
    }
}

/// A record addressed by the `{id}` of the route, owned by one patient.
pub trait Key: Send + Sync + 'static {
    type Id: Copy + Send + Sync + std::fmt::Debug;
    fn wrap(uuid: Uuid) -> Self::Id;
    fn record(id: Self::Id) -> RecordRef;
}

macro_rules! keys {
    ($($key:ident => $id:ident, $variant:ident;)*) => {$(
        #[derive(Debug)]
        pub struct $key;
        impl Key for $key {
            type Id = $id;
            fn wrap(uuid: Uuid) -> $id {
                $id::from_uuid(uuid)
            }
            fn record(id: $id) -> RecordRef {
                RecordRef::$variant(id)
            }
        }
    )*};
}

keys! {
    PatientKey => PatientId, Patient;
    EpisodeKey => EpisodeId, Episode;
    ContactKey => ContactId, Contact;
    AssessmentKey => AssessmentId, Assessment;
    RecommendationKey => RecommendationId, Recommendation;
    ConsentKey => ConsentId, Consent;
    SafetyAlertKey => SafetyAlertId, SafetyAlert;
    ReferralKey => ReferralId, Referral;
}

/// An operation on one patient's record that the user may perform given their relationship to
/// the patient; the record's id, its patient, and the role the user acts in.
#[derive(Debug)]
pub struct OnRecord<K: Key, O: Op> {
    pub id: K::Id,
    pub patient: PatientId,
    pub auth: Authenticated,
    pub role: Role,
    pub ctx: Ctx,
    _op: PhantomData<O>,
}

/// An operation on a patient addressed by `{id}`.
pub type OnPatient<O> = OnRecord<PatientKey, O>;

impl<K: Key, O: Op> FromRequestParts<AppState> for OnRecord<K, O> {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = Authenticated::from_request_parts(parts, state).await?;
        let not_found = || Rejection::new(&auth.meta, ApiError::NotFound);
        let Ok(Path(uuid)) = Path::<Uuid>::from_request_parts(parts, state).await else {
            return Err(not_found());
        };
        let id = K::wrap(uuid);
        let practice = auth.user.practice;
        let patient = match state.store.patient_of(practice, K::record(id)).await {
            Ok(Some(p)) => p,
            Ok(None) => return Err(auth.deny(state, None, O::OP).await),
            Err(e) => return Err(Rejection::new(&auth.meta, e)),
        };
        let rel = match state
            .store
            .relationship(practice, auth.user.id, patient)
            .await
        {
            Ok(Some(r)) => Relation {
                assigned_practitioner: r.treating_practitioner,
                assigned_care_manager: r.care_manager,
                in_cocm: r.in_cocm,
            },
            Ok(None) => return Err(not_found()),
            Err(e) => return Err(Rejection::new(&auth.meta, e)),
        };
        match acting_role(&auth.user.roles, O::OP, Some(rel)) {
            Some(role) => Ok(OnRecord {
                id,
                patient,
                ctx: auth.ctx(Some(role)),
                auth,
                role,
                _op: PhantomData,
            }),
            None => Err(auth.deny(state, Some(patient), O::OP).await),
        }
    }
}

impl From<StoreError> for Rejection {
    fn from(e: StoreError) -> Self {
        Rejection {
            api: true,
            error: e.into(),
        }
    }
}
