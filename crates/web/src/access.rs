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
use stepwise_domain::auth::REAUTH_WINDOW;
use stepwise_domain::ids::*;
use stepwise_domain::role::Role;
use stepwise_store::model::{Credential, Ctx, Practice, RegistryGeneration, SessionStage, User};
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
    /// The request's path (opaque ids only, never PHI), without the query: where to come back
    /// to after re-authenticating.
    pub path: String,
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
            path: parts.uri.path().to_owned(),
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
    /// The path of the refused page, to come back to after re-authenticating.
    pub path: String,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        if self.api {
            return self.error.into_response();
        }
        match self.error {
            ApiError::Unauthenticated => Redirect::to("/sign-in").into_response(),
            ApiError::ReauthRequired => {
                Redirect::to(&format!("/reauth?next={}", self.path)).into_response()
            }
            other => crate::pages::error_page(other),
        }
    }
}

impl Rejection {
    fn new(meta: &RequestMeta, error: impl Into<ApiError>) -> Self {
        Rejection {
            api: meta.api,
            error: error.into(),
            path: meta.path.clone(),
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
    /// A session (and when its user last entered password and second factor) or a token.
    pub credential: Credential,
    /// The practice's registry generation, read with the credential.
    pub registry_generation: RegistryGeneration,
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

    /// A signed-in user: a token, or a session that has passed its second factor (or, in the
    /// demo practice, a password-only session). A session still at its second factor opens
    /// nothing else.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = any_stage(parts, state).await?;
        match auth.credential {
            Credential::Session { stage, .. } if stage != SessionStage::Full => {
                Err(Rejection::new(&auth.meta, ApiError::Unauthenticated))
            }
            _ => Ok(auth),
        }
    }
}

/// A session that has passed its password but not yet its second factor, or a full session
/// (for enrolling a second factor in the demo practice): what the second-factor and
/// enrollment pages need.
#[derive(Debug, Clone)]
pub struct SignInStep(pub Authenticated);

impl FromRequestParts<AppState> for SignInStep {
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = any_stage(parts, state).await?;
        match auth.credential {
            Credential::Session { .. } => Ok(SignInStep(auth)),
            Credential::Token(_) => Err(Rejection::new(&auth.meta, ApiError::Unauthenticated)),
        }
    }
}

/// The principal of a request, whatever the stage of its session.
async fn any_stage(parts: &mut Parts, state: &AppState) -> Result<Authenticated, Rejection> {
    let meta = RequestMeta::of(parts);
    let now = state.clock.now();
    let (principal, session_hash) = if let Some(token) = bearer_from_headers(&parts.headers) {
        let p = state
            .store
            .token_principal(&secret_hash(&token))
            .await
            .map_err(|e| Rejection::new(&meta, e))?;
        (p, None)
    } else if let Some(sid) = session_from_headers(&parts.headers, state.config.secure_cookies) {
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
        credential: principal.credential,
        registry_generation: principal.registry_generation,
    })
}

/// Something a request extracted that knows its signed-in user.
pub trait HasAuth {
    fn auth(&self) -> &Authenticated;
}

impl HasAuth for Authenticated {
    fn auth(&self) -> &Authenticated {
        self
    }
}

impl<O: Op> HasAuth for Can<O> {
    fn auth(&self) -> &Authenticated {
        &self.auth
    }
}

impl<K: Key, O: Op> HasAuth for OnRecord<K, O> {
    fn auth(&self) -> &Authenticated {
        &self.auth
    }
}

/// A privileged action (user administration, credential reset, break-glass, exports): the
/// inner check first (so a refused role still reads "not found"), then a session whose user
/// entered password and second factor within `domain::auth::REAUTH_WINDOW`. API tokens never
/// qualify: they are static credentials. A stale session is answered with 403
/// `reauthentication-required` (the API) or sent to the re-authentication form (pages).
#[derive(Debug)]
pub struct Fresh<E>(pub E);

impl<E> FromRequestParts<AppState> for Fresh<E>
where
    E: FromRequestParts<AppState, Rejection = Rejection> + HasAuth + Send,
{
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let inner = E::from_request_parts(parts, state).await?;
        let auth = inner.auth();
        match auth.credential {
            Credential::Session {
                authenticated_at, ..
            } if auth.now - authenticated_at <= REAUTH_WINDOW => Ok(Fresh(inner)),
            _ => Err(Rejection::new(&auth.meta, ApiError::ReauthRequired)),
        }
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
        BreakGlass,
        CloseBillingMonth,
        ManageBillingFacts,
        ReadRevenue,
        ReadDirectory,
        ManageDirectory,
        ReadReferrals,
        Refer,
        UpdateReferral,
        ReadMetrics,
        ManageBaseline,
        ReadPlan,
        EditPlan,
        ReadAuditReport,
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
    Part2ConsentKey => Part2ConsentId, Part2Consent;
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
    /// The user's relationship to the patient (break-glass included), for what labelled
    /// records they see (`crate::disclosure`).
    pub relation: Relation,
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
            Ok(Some(r)) => r.relation(),
            Ok(None) => return Err(not_found()),
            Err(e) => return Err(Rejection::new(&auth.meta, e)),
        };
        if let Some(role) = acting_role(&auth.user.roles, O::OP, Some(rel)) {
            return Ok(OnRecord {
                id,
                patient,
                ctx: auth.ctx(Some(role)),
                auth,
                role,
                relation: rel,
                _op: PhantomData,
            });
        }
        // Outside the relationship: a live break-glass grant may open the emergency
        // operations. Every request it opens is audited as such.
        let grant = match state
            .store
            .active_break_glass(practice, auth.user.id, patient, auth.now)
            .await
        {
            Ok(g) => g,
            Err(e) => return Err(Rejection::new(&auth.meta, e)),
        };
        let bg = Relation {
            break_glass: true,
            ..rel
        };
        match grant.zip(acting_role(&auth.user.roles, O::OP, Some(bg))) {
            Some((grant, role)) => {
                let ctx = auth.ctx(Some(role));
                let ev = ctx.event(
                    AuditAction::BreakGlassAccess,
                    AuditCategory::Clinical,
                    Some(patient),
                    format!("{} ({}) under grant {}", auth.meta.route, O::OP, grant.id),
                );
                if let Err(e) = state.store.audit(ev).await {
                    return Err(Rejection::new(&auth.meta, e));
                }
                Ok(OnRecord {
                    id,
                    patient,
                    ctx,
                    auth,
                    role,
                    relation: bg,
                    _op: PhantomData,
                })
            }
            None => Err(auth.deny(state, Some(patient), O::OP).await),
        }
    }
}

impl From<StoreError> for Rejection {
    fn from(e: StoreError) -> Self {
        Rejection {
            api: true,
            error: e.into(),
            path: String::new(),
        }
    }
}
