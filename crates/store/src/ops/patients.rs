use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, Tx, args};
use crate::error::{Result, StoreError};
use crate::model::{Assignments, Ctx, Patient, PatientSummary, Relationship};
use crate::ops::{code, conflict_or_missing, new_id, to_json};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::ids::{
    AssessmentId, ConsentId, ContactId, EpisodeId, Part2ConsentId, PatientId, PracticeId,
    RecommendationId, ReferralId, SafetyAlertId, SiteId, UserId,
};
use stepwise_domain::patient::{Mrn, PatientDetails, PayerKind, Sex, normalize_query, search_key};
use stepwise_domain::role::Role;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub(crate) struct PatientRow {
    id: Uuid,
    mrn: String,
    given_name: String,
    family_name: String,
    birth_date: Date,
    sex: String,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    preferred_language: String,
    payer_kind: Option<String>,
    payer_name: Option<String>,
    site_id: Option<Uuid>,
    treating_practitioner_id: Option<Uuid>,
    care_manager_id: Option<Uuid>,
    version: i64,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl PatientRow {
    fn into_model(self) -> Result<Patient> {
        Ok(Patient {
            id: PatientId::from_uuid(self.id),
            details: PatientDetails {
                mrn: code(Mrn::parse(&self.mrn))?,
                given_name: self.given_name,
                family_name: self.family_name,
                birth_date: self.birth_date,
                sex: code(Sex::parse(&self.sex))?,
                phone: self.phone,
                email: self.email,
                address: self.address,
                preferred_language: self.preferred_language,
                payer_kind: self
                    .payer_kind
                    .as_deref()
                    .map(PayerKind::parse)
                    .transpose()
                    .map_err(StoreError::corrupt)?,
                payer_name: self.payer_name,
            },
            assignments: Assignments {
                site: self.site_id.map(SiteId::from_uuid),
                treating_practitioner: self.treating_practitioner_id.map(UserId::from_uuid),
                care_manager: self.care_manager_id.map(UserId::from_uuid),
            },
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
    pub(crate) id: Uuid,
    pub(crate) mrn: String,
    pub(crate) given_name: String,
    pub(crate) family_name: String,
    pub(crate) birth_date: Date,
}

impl From<SummaryRow> for PatientSummary {
    fn from(r: SummaryRow) -> Self {
        PatientSummary {
            id: PatientId::from_uuid(r.id),
            mrn: r.mrn,
            given_name: r.given_name,
            family_name: r.family_name,
            birth_date: r.birth_date,
        }
    }
}

pub(crate) async fn load_patient(
    c: &mut Conn<'_>,
    practice: PracticeId,
    id: PatientId,
) -> Result<Patient> {
    let row: PatientRow = c
        .fetch_one(
            "SELECT id, mrn, given_name, family_name, birth_date, sex, phone, email, address, \
             preferred_language, payer_kind, payer_name, site_id, treating_practitioner_id, \
             care_manager_id, version, created_at, updated_at \
             FROM patients WHERE id = $1 AND practice_id = $2",
            args![id, practice],
        )
        .await?;
    row.into_model()
}

/// Check that assigned staff belong to the practice and hold the role they are assigned in.
async fn check_assignments(tx: &mut Tx, practice: PracticeId, a: &Assignments) -> Result<()> {
    #[derive(sqlx::FromRow)]
    struct Found {
        n: i64,
    }
    let mut errors = stepwise_domain::ValidationError::new();
    for (field, user, role) in [
        (
            "treating_practitioner",
            a.treating_practitioner,
            Role::TreatingPractitioner,
        ),
        ("care_manager", a.care_manager, Role::CareManager),
    ] {
        if let Some(user) = user {
            let f: Found = tx
                .fetch_one(
                    "SELECT COUNT(*) AS n FROM user_roles r JOIN users u ON u.id = r.user_id \
                     WHERE r.user_id = $1 AND r.practice_id = $2 AND r.role = $3 AND u.disabled = FALSE",
                    args![user, practice, role.code()],
                )
                .await?;
            if f.n == 0 {
                errors.push(
                    field,
                    format!(
                        "No active {} with this id in the practice",
                        role.label().to_lowercase()
                    ),
                );
            }
        }
    }
    if let Some(site) = a.site {
        let f: Found = tx
            .fetch_one(
                "SELECT COUNT(*) AS n FROM sites WHERE id = $1 AND practice_id = $2",
                args![site, practice],
            )
            .await?;
        if f.n == 0 {
            errors.push("site", "No site with this id in the practice");
        }
    }
    errors.into_result().map_err(StoreError::Invalid)
}

fn duplicate_mrn(e: StoreError, mrn: &Mrn) -> StoreError {
    match e.unique_violation() {
        Some(_) => StoreError::Duplicate {
            field: "mrn",
            message: format!("MRN {mrn} is already used by another patient of the practice"),
        },
        None => e,
    }
}

/// A record that belongs to one patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef {
    Patient(PatientId),
    Episode(EpisodeId),
    Contact(ContactId),
    Assessment(AssessmentId),
    Recommendation(RecommendationId),
    Consent(ConsentId),
    SafetyAlert(SafetyAlertId),
    Referral(ReferralId),
    Part2Consent(Part2ConsentId),
}

/// How many characters of a name query make a search (fewer would list half the practice).
pub const MIN_NAME_QUERY: usize = 2;

/// What a patient search looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientQuery {
    /// Name, or the start of one: family name first or given name first.
    Name(String),
    Mrn(String),
    BirthDate(Date),
}

impl PatientQuery {
    /// Read a free-text query: a date `YYYY-MM-DD`, an MRN (has a digit), or a name.
    pub fn parse(q: &str) -> Result<Self> {
        let q = q.trim();
        if let Ok(d) = stepwise_domain::patient::parse_date("q", q) {
            return Ok(PatientQuery::BirthDate(d));
        }
        if q.chars().any(|c| c.is_ascii_digit()) {
            return Ok(PatientQuery::Mrn(q.to_owned()));
        }
        let name = normalize_query(q);
        if name.chars().count() < MIN_NAME_QUERY {
            return Err(StoreError::invalid(
                "q",
                format!(
                    "Type at least {MIN_NAME_QUERY} letters of a name, an MRN, or a date of birth (YYYY-MM-DD)"
                ),
            ));
        }
        Ok(PatientQuery::Name(name))
    }
}

/// Escape `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_prefix(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

const SEARCH_LIMIT: i64 = 50;

impl Store {
    pub async fn create_patient(
        &self,
        ctx: &Ctx,
        details: PatientDetails,
        assignments: Assignments,
    ) -> Result<Patient> {
        let id: PatientId = new_id();
        let mut tx = self.begin().await?;
        check_assignments(&mut tx, ctx.practice, &assignments).await?;
        let d = &details;
        tx.execute(
            "INSERT INTO patients (id, practice_id, mrn, given_name, family_name, search_key, birth_date, sex, \
             phone, email, address, preferred_language, payer_kind, payer_name, site_id, \
             treating_practitioner_id, care_manager_id, created_at, updated_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, 1)",
            args![
                id,
                ctx.practice,
                d.mrn.as_str(),
                d.given_name.as_str(),
                d.family_name.as_str(),
                search_key(&d.given_name, &d.family_name),
                d.birth_date,
                d.sex.code(),
                d.phone.clone(),
                d.email.clone(),
                d.address.clone(),
                d.preferred_language.as_str(),
                d.payer_kind.map(PayerKind::code),
                d.payer_name.clone(),
                assignments.site,
                assignments.treating_practitioner,
                assignments.care_manager,
                ctx.now
            ],
        )
        .await
        .map_err(|e| duplicate_mrn(e, &d.mrn))?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::PatientCreate,
                AuditCategory::Demographics,
                Some(id),
                "",
            ),
        )
        .await?;
        let patient = load_patient(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(patient)
    }

    /// Read a patient's record (audited).
    pub async fn patient(&self, ctx: &Ctx, id: PatientId) -> Result<Patient> {
        let mut c = self.read().await?;
        let p = load_patient(&mut c.conn(), ctx.practice, id).await?;
        drop(c);
        self.audit(ctx.event(
            AuditAction::PatientRead,
            AuditCategory::Demographics,
            Some(id),
            "",
        ))
        .await?;
        Ok(p)
    }

    /// Correct demographics or assignments; the previous version is kept in the history.
    pub async fn update_patient(
        &self,
        ctx: &Ctx,
        id: PatientId,
        version: i64,
        details: PatientDetails,
        assignments: Assignments,
    ) -> Result<Patient> {
        let mut tx = self.begin().await?;
        let before = load_patient(&mut tx.conn(), ctx.practice, id).await?;
        if before.version != version {
            return Err(StoreError::Conflict);
        }
        check_assignments(&mut tx, ctx.practice, &assignments).await?;
        let d = &details;
        let n = tx
            .execute(
                "UPDATE patients SET mrn = $3, given_name = $4, family_name = $5, search_key = $6, birth_date = $7, \
                 sex = $8, phone = $9, email = $10, address = $11, preferred_language = $12, payer_kind = $13, \
                 payer_name = $14, site_id = $15, treating_practitioner_id = $16, care_manager_id = $17, \
                 updated_at = $18, version = version + 1 \
                 WHERE id = $1 AND practice_id = $2 AND version = $19",
                args![
                    id,
                    ctx.practice,
                    d.mrn.as_str(),
                    d.given_name.as_str(),
                    d.family_name.as_str(),
                    search_key(&d.given_name, &d.family_name),
                    d.birth_date,
                    d.sex.code(),
                    d.phone.clone(),
                    d.email.clone(),
                    d.address.clone(),
                    d.preferred_language.as_str(),
                    d.payer_kind.map(PayerKind::code),
                    d.payer_name.clone(),
                    assignments.site,
                    assignments.treating_practitioner,
                    assignments.care_manager,
                    ctx.now,
                    version
                ],
            )
            .await
            .map_err(|e| duplicate_mrn(e, &d.mrn))?;
        if n == 0 {
            return Err(conflict_or_missing(true));
        }
        record_history(
            &mut tx,
            ctx,
            "patient",
            id.as_uuid(),
            before.version,
            &before,
        )
        .await?;
        // Name and care team show on caseloads.
        crate::ops::registry::bump_registry_generation(&mut tx, ctx.practice).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::PatientUpdate,
                AuditCategory::Demographics,
                Some(id),
                "",
            ),
        )
        .await?;
        let patient = load_patient(&mut tx.conn(), ctx.practice, id).await?;
        tx.commit().await?;
        Ok(patient)
    }

    /// Find patients by name, MRN or date of birth (audited; the query itself is not logged).
    pub async fn search_patients(
        &self,
        ctx: &Ctx,
        query: &PatientQuery,
    ) -> Result<Vec<PatientSummary>> {
        let mut c = self.read().await?;
        let rows: Vec<SummaryRow> = match query {
            PatientQuery::Name(name) => {
                // "smith jo" matches family-first keys; "jo smith" matches given-first by
                // trying the words reversed.
                let words: Vec<&str> = name.split_whitespace().collect();
                let forward = like_prefix(name);
                let reversed =
                    like_prefix(&words.iter().rev().copied().collect::<Vec<_>>().join(" "));
                let anywhere = format!("% {}", like_prefix(name));
                c.conn()
                    .fetch_all(
                        "SELECT id, mrn, given_name, family_name, birth_date FROM patients \
                         WHERE practice_id = $1 AND (search_key LIKE $2 ESCAPE '\\' OR search_key LIKE $3 ESCAPE '\\' \
                         OR search_key LIKE $4 ESCAPE '\\') \
                         ORDER BY search_key, birth_date, id LIMIT $5",
                        args![ctx.practice, forward, reversed, anywhere, SEARCH_LIMIT],
                    )
                    .await?
            }
            PatientQuery::Mrn(mrn) => {
                c.conn()
                    .fetch_all(
                        "SELECT id, mrn, given_name, family_name, birth_date FROM patients \
                         WHERE practice_id = $1 AND mrn = $2",
                        args![ctx.practice, mrn.as_str()],
                    )
                    .await?
            }
            PatientQuery::BirthDate(d) => {
                c.conn()
                    .fetch_all(
                        "SELECT id, mrn, given_name, family_name, birth_date FROM patients \
                         WHERE practice_id = $1 AND birth_date = $2 \
                         ORDER BY search_key, id LIMIT $3",
                        args![ctx.practice, *d, SEARCH_LIMIT],
                    )
                    .await?
            }
        };
        drop(c);
        let kind = match query {
            PatientQuery::Name(_) => "name",
            PatientQuery::Mrn(_) => "mrn",
            PatientQuery::BirthDate(_) => "birth_date",
        };
        self.audit(ctx.event(
            AuditAction::PatientSearch,
            AuditCategory::Demographics,
            None,
            format!("by {kind}: {} results", rows.len()),
        ))
        .await?;
        Ok(rows.into_iter().map(PatientSummary::from).collect())
    }

    /// How `user` relates to `patient`; `None` when the patient is not in the practice.
    pub async fn relationship(
        &self,
        practice: PracticeId,
        user: UserId,
        patient: PatientId,
    ) -> Result<Option<Relationship>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            treating_practitioner_id: Option<Uuid>,
            care_manager_id: Option<Uuid>,
            cocm: i64,
        }
        let mut c = self.read().await?;
        let row: Option<Row> = c
            .conn()
            .fetch_optional(
                "SELECT p.treating_practitioner_id, p.care_manager_id, \
                 (SELECT COUNT(*) FROM episodes e WHERE e.patient_id = p.id AND e.practice_id = p.practice_id AND e.program = 'cocm') AS cocm \
                 FROM patients p WHERE p.id = $1 AND p.practice_id = $2",
                args![patient, practice],
            )
            .await?;
        Ok(row.map(|r| Relationship {
            treating_practitioner: r.treating_practitioner_id == Some(user.as_uuid()),
            care_manager: r.care_manager_id == Some(user.as_uuid()),
            in_cocm: r.cocm > 0,
        }))
    }

    /// The patient a record belongs to, if the record exists in the practice.
    pub async fn patient_of(
        &self,
        practice: PracticeId,
        record: RecordRef,
    ) -> Result<Option<PatientId>> {
        let mut c = self.read().await?;
        let mut c = c.conn();
        let row: Option<crate::db::One<Uuid>> = match record {
            RecordRef::Patient(id) => {
                c.fetch_optional(
                    "SELECT id FROM patients WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
            RecordRef::Episode(id) => {
                c.fetch_optional(
                    "SELECT patient_id FROM episodes WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
            RecordRef::Contact(id) => {
                c.fetch_optional(
                    "SELECT patient_id FROM contacts WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
            RecordRef::Assessment(id) => {
                c.fetch_optional(
                    "SELECT patient_id FROM assessments WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
            RecordRef::Recommendation(id) => {
                c.fetch_optional(
                    "SELECT patient_id FROM recommendations WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
            RecordRef::Consent(id) => {
                c.fetch_optional(
                    "SELECT patient_id FROM consents WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
            RecordRef::SafetyAlert(id) => {
                c.fetch_optional(
                    "SELECT patient_id FROM safety_alerts WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
            RecordRef::Referral(id) => {
                c.fetch_optional(
                    "SELECT patient_id FROM referrals WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
            RecordRef::Part2Consent(id) => {
                c.fetch_optional(
                    "SELECT patient_id FROM part2_consents WHERE id = $1 AND practice_id = $2",
                    args![id, practice],
                )
                .await?
            }
        };
        Ok(row.map(|r| PatientId::from_uuid(r.0)))
    }

    /// Previous versions of a record, oldest first, as the JSON they were saved as.
    pub async fn record_history(
        &self,
        practice: PracticeId,
        record: Uuid,
    ) -> Result<Vec<(i64, serde_json::Value)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            version: i64,
            data: String,
        }
        let mut c = self.read().await?;
        let rows: Vec<Row> = c
            .conn()
            .fetch_all(
                "SELECT version, data FROM record_history WHERE practice_id = $1 AND record_id = $2 ORDER BY version",
                args![practice, record],
            )
            .await?;
        rows.into_iter()
            .map(|r| Ok((r.version, crate::ops::from_json(&r.data)?)))
            .collect()
    }
}

/// Keep the version of a record that an update replaces.
pub(crate) async fn record_history<T: serde::Serialize>(
    tx: &mut Tx,
    ctx: &Ctx,
    kind: &'static str,
    record: Uuid,
    version: i64,
    data: &T,
) -> Result<()> {
    let id: Uuid = new_id();
    tx.execute(
        "INSERT INTO record_history (id, practice_id, record_kind, record_id, version, data, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![id, ctx.practice, kind, record, version, to_json(data)?, ctx.user, ctx.now],
    )
    .await?;
    Ok(())
}
