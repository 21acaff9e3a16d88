//! Month close: each patient's billing history gathered from the registry, evaluated for a
//! month by the domain's billing engine; locking a month (its claim snapshot), adjustments of
//! a locked month, the export of its claim lines, expected revenue, and the practice's
//! billing settings. Reads are audited in category `billing`; nothing here reads a note, an
//! answer or any other clinical narrative.

use crate::Store;
use crate::audit::{self, AuditCategory};
use crate::db::{Conn, One, Tx, Val, args};
use crate::error::{Result, StoreError};
use crate::model::{
    ApcmMonthRecord, BillingAdjustment, BillingFacts, BillingSettingsRecord, ClaimLineView, Ctx,
    EpisodeDiagnoses, FinanceMonths, HoldView, InitiatingVisitRecord, MonthLock, MonthRevenue,
    MonthReview, PatientMonth, PractitionerRevenue,
};
use crate::ops::import::{BulkInsert, Rows};
use crate::ops::{code, from_json, new_id, packed, to_json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use stepwise_domain::audit::AuditAction;
use stepwise_domain::billing::close::{InitiatingVisitKind, LineSource};
use stepwise_domain::billing::{
    Activity, ActivityRole, Adjustment, BillingSettings, ClaimLine, ConsentPeriod, DiagnosisCode,
    ExportLine, FeeTable, History, HistoryParts, MonthBilling, PractitionerKind, bill_month,
};
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::contact::{Minutes, MinutesExclusion};
use stepwise_domain::episode::{EpisodeStatus, Program};
use stepwise_domain::finance::BilledMonth;
use stepwise_domain::ids::{EpisodeId, PatientId, UserId};
use stepwise_domain::patient::PayerKind;
use stepwise_domain::role::Role;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The billing role an activity's minutes were spent in, from the role the staff member
/// recorded the contact in (reference §2.4). Roles that record no care-management time
/// (front desk, billing, administrator) have none.
fn activity_role(staff_role: Role) -> Option<ActivityRole> {
    match staff_role {
        Role::CareManager => Some(ActivityRole::CareManager),
        Role::TreatingPractitioner => Some(ActivityRole::BillingPractitioner),
        Role::Psychiatrist => Some(ActivityRole::PsychiatricConsultant),
        Role::MaNurse => Some(ActivityRole::ClinicalStaff),
        Role::FrontDesk | Role::Billing | Role::PracticeAdmin => None,
    }
}

/// One episode's final contacts up to the month's end, packed by [`ACTIVITIES`] (see
/// [`packed`]): `date,minutes,staff_role,exclusion` per contact, the exclusion empty when
/// none, in no particular order (the engine sorts by date).
#[derive(sqlx::FromRow)]
struct ActivitiesRow {
    patient_id: Uuid,
    program: String,
    activities: String,
}

/// Every episode's contacts up to the month's end, one row per episode; the covering index
/// `contacts_billing` serves the scan.
const ACTIVITIES: &str = "SELECT g.patient_id, e.program, g.activities FROM (\
     SELECT patient_id, episode_id, string_agg(CAST(contact_on AS TEXT) || ',' || CAST(minutes AS TEXT) \
     || ',' || staff_role || ',' || COALESCE(exclusion, ''), ';') AS activities \
     FROM contacts WHERE practice_id = $1 AND contact_on <= $2 AND status = 'final' \
     GROUP BY patient_id, episode_id) g \
     JOIN episodes e ON e.id = g.episode_id AND e.practice_id = $1";

/// The activities of one [`ActivitiesRow`], appended to `out`; contacts recorded in a role
/// that spends no care-management time are left out.
fn unpack_activities(row: &ActivitiesRow, out: &mut Vec<Activity>) -> Result<()> {
    let program = code(Program::parse(&row.program))?;
    for item in packed::items::<4>(&row.activities, "contact") {
        let [date, minutes, role, exclusion] = item?;
        let Some(role) = activity_role(code(Role::parse(role))?) else {
            continue;
        };
        let minutes = u16::try_from(packed::int::<i64>(minutes)?)
            .ok()
            .and_then(Minutes::new)
            .ok_or_else(|| StoreError::corrupt(format!("contact minutes {minutes}")))?;
        out.push(Activity {
            date: packed::date(date)?,
            minutes,
            role,
            program,
            excluded: match exclusion {
                "" => None,
                x => Some(code(MinutesExclusion::parse(x))?),
            },
        });
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    patient_id: Uuid,
    program: String,
    consented_on: Date,
    revoked_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct VisitRow {
    patient_id: Uuid,
    practitioner_id: Uuid,
    visit_on: Date,
}

#[derive(sqlx::FromRow)]
struct DiagnosisRow {
    patient_id: Uuid,
    program: String,
    diagnosis_codes: String,
}

#[derive(sqlx::FromRow)]
struct PatientRow {
    id: Uuid,
    mrn: String,
    given_name: String,
    family_name: String,
    payer_kind: Option<String>,
    treating_practitioner_id: Option<Uuid>,
    practitioner_name: Option<String>,
    npi: Option<String>,
    billing_kind: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ApcmRow {
    patient_id: Uuid,
    practitioner_id: Uuid,
    month: String,
}

/// The patients with any recorded activity in the month: the only ones with anything to bill.
macro_rules! active_patients {
    () => {
        "SELECT patient_id FROM contacts WHERE practice_id = $1 AND status = 'final' \
         AND contact_on >= $2 AND contact_on <= $3"
    };
}

/// One patient's month as the billing engine sees it, with what month close and the
/// financial view show beside it.
struct Evaluated {
    patient: PatientRow,
    payer: Option<PayerKind>,
    billing: MonthBilling,
}

/// The patient is the practice's (else not found) and `practitioner` one of its treating
/// practitioners (else a validation error on `practitioner`).
async fn patient_and_practitioner(
    tx: &mut Tx,
    ctx: &Ctx,
    patient: PatientId,
    practitioner: UserId,
) -> Result<()> {
    let exists: Option<One<Uuid>> = tx
        .fetch_optional(
            "SELECT id FROM patients WHERE id = $1 AND practice_id = $2",
            args![patient, ctx.practice],
        )
        .await?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    let is_practitioner: Option<One<Uuid>> = tx
        .fetch_optional(
            "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id \
                 WHERE u.id = $1 AND u.practice_id = $2 AND r.role = 'treating_practitioner'",
            args![practitioner, ctx.practice],
        )
        .await?;
    if is_practitioner.is_none() {
        return Err(StoreError::invalid(
            "practitioner",
            "must be a treating practitioner of the practice",
        ));
    }
    Ok(())
}

/// Every patient's billing history up to the month's end, evaluated for the month by the
/// engine (patients with activity in it, by MRN), and the diagnosis codes of their episodes.
async fn evaluate(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    month: YearMonth,
    settings: &BillingSettings,
) -> Result<(Vec<Evaluated>, HashMap<(Uuid, Program), Vec<String>>)> {
    let (first, last) = (month.first_day(), month.last_day());
    let patients: Vec<PatientRow> = c
        .fetch_all(
            concat!(
                "SELECT p.id, p.mrn, p.given_name, p.family_name, p.payer_kind, p.treating_practitioner_id, \
                 u.display_name AS practitioner_name, u.npi, u.billing_kind \
                 FROM patients p LEFT JOIN users u ON u.id = p.treating_practitioner_id \
                 WHERE p.practice_id = $1 AND p.id IN (",
                active_patients!(),
                ") ORDER BY p.mrn"
            ),
            args![ctx.practice, first, last],
        )
        .await?;
    // The practice's contacts, consents and visits up to the month's end, filtered to the
    // patients above here rather than in SQL: one scan of a covering index
    // (`contacts_billing`) is cheaper than a semi-join per table.
    let activities: Vec<ActivitiesRow> = c.fetch_all(ACTIVITIES, args![ctx.practice, last]).await?;
    let consents: Vec<ConsentRow> = c
        .fetch_all(
            "SELECT patient_id, program, consented_on, revoked_on FROM consents \
             WHERE practice_id = $1 AND consented_on <= $2",
            args![ctx.practice, last],
        )
        .await?;
    let visits: Vec<VisitRow> = c
        .fetch_all(
            "SELECT patient_id, practitioner_id, visit_on FROM initiating_visits \
             WHERE practice_id = $1 AND visit_on <= $2",
            args![ctx.practice, last],
        )
        .await?;
    let diagnoses: Vec<DiagnosisRow> = c
        .fetch_all(
            "SELECT patient_id, program, diagnosis_codes FROM episodes \
             WHERE practice_id = $1 AND diagnosis_codes IS NOT NULL AND referred_on <= $3 \
             AND (closed_on IS NULL OR closed_on >= $2) ORDER BY referred_on, id",
            args![ctx.practice, first, last],
        )
        .await?;

    let apcm: Vec<ApcmRow> = c
        .fetch_all(
            "SELECT patient_id, practitioner_id, month FROM apcm_months \
             WHERE practice_id = $1 AND removed_at IS NULL AND month <= $2",
            args![ctx.practice, month.to_string()],
        )
        .await?;

    let mut parts: HashMap<Uuid, HistoryParts> = HashMap::with_capacity(patients.len());
    let practitioner: HashMap<Uuid, Option<Uuid>> = patients
        .iter()
        .map(|p| (p.id, p.treating_practitioner_id))
        .collect();
    // The billing practitioner is the patient's treating practitioner, billing as a physician
    // or NPP unless their account says behavioral health clinician (reference §1, §2.4).
    let kind: HashMap<Uuid, PractitionerKind> = patients
        .iter()
        .map(|p| {
            let k = match p.billing_kind.as_deref() {
                Some(k) => code(PractitionerKind::parse(k))?,
                None => PractitionerKind::TreatingPractitioner,
            };
            Ok((p.id, k))
        })
        .collect::<Result<_>>()?;
    let blank = |patient: &Uuid| HistoryParts {
        setting: settings.setting,
        billing_practitioner: kind
            .get(patient)
            .copied()
            .unwrap_or(PractitionerKind::TreatingPractitioner),
        ..HistoryParts::default()
    };
    // A patient has a history once one activity counts (as before: the consents, visits and
    // APCM months below attach only to those).
    let mut unpacked = Vec::new();
    for a in &activities {
        if !practitioner.contains_key(&a.patient_id) {
            continue;
        }
        unpack_activities(a, &mut unpacked)?;
        if !unpacked.is_empty() {
            parts
                .entry(a.patient_id)
                .or_insert_with(|| blank(&a.patient_id))
                .activities
                .append(&mut unpacked);
        }
    }
    for k in consents {
        if let Some(p) = parts.get_mut(&k.patient_id) {
            p.consents.push(ConsentPeriod {
                program: code(Program::parse(&k.program))?,
                date: k.consented_on,
                revoked: k.revoked_on,
            });
        }
    }
    // Only the billing practitioner's own visits initiate BHI (reference §2.5, [S8]).
    for v in visits {
        if practitioner.get(&v.patient_id) == Some(&Some(v.practitioner_id))
            && let Some(p) = parts.get_mut(&v.patient_id)
        {
            p.initiating_visits.push(v.visit_on);
        }
    }
    // APCM add-ons need the APCM base billed by the same practitioner (reference §1, §4).
    for m in apcm {
        if practitioner.get(&m.patient_id) == Some(&Some(m.practitioner_id))
            && let Some(p) = parts.get_mut(&m.patient_id)
        {
            p.apcm_months.push(
                m.month
                    .parse()
                    .map_err(|_| StoreError::corrupt(format!("APCM month {}", m.month)))?,
            );
        }
    }
    let mut dx: HashMap<(Uuid, Program), Vec<String>> = HashMap::new();
    for d in diagnoses {
        let codes: Vec<DiagnosisCode> = from_json(&d.diagnosis_codes)?;
        let list = dx
            .entry((d.patient_id, code(Program::parse(&d.program))?))
            .or_default();
        for c in codes {
            if !list.iter().any(|x| x == c.as_str()) {
                list.push(c.into());
            }
        }
    }

    let mut out = Vec::with_capacity(patients.len());
    for p in patients {
        let Some(history) = parts.remove(&p.id) else {
            continue;
        };
        let payer = match p.payer_kind.as_deref() {
            Some(k) => Some(code(PayerKind::parse(k))?),
            None => None,
        };
        let rules = settings.rules.for_payer(payer);
        let history = History::new(history);
        out.push(Evaluated {
            billing: bill_month(&history, month, &rules),
            patient: p,
            payer,
        });
    }
    Ok((out, dx))
}

/// One [`PatientMonth`] per patient with care-management activity in the month, by MRN.
async fn evaluate_month(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    month: YearMonth,
    settings: &BillingSettings,
) -> Result<Vec<PatientMonth>> {
    let (evaluated, mut dx) = evaluate(c, ctx, month, settings).await?;
    let mut out = Vec::with_capacity(evaluated.len());
    for Evaluated {
        patient: p,
        billing: mb,
        ..
    } in evaluated
    {
        let Some(program) = mb.program else { continue };
        let payment = settings.fees.payment(&mb.lines);
        out.push(PatientMonth {
            patient: PatientId::from_uuid(p.id),
            mrn: p.mrn,
            name: format!("{}, {}", p.family_name, p.given_name),
            billing_practitioner: p.treating_practitioner_id.map(UserId::from_uuid),
            billing_practitioner_name: p.practitioner_name,
            npi: p.npi,
            program,
            month_type: mb.month_type.map(|t| t.code().to_owned()),
            countable_minutes: mb.countable_minutes,
            lines: mb.lines.iter().map(ClaimLineView::from).collect(),
            holds: mb
                .holds
                .iter()
                .map(|h| HoldView {
                    code: h.code().to_owned(),
                    explanation: h.to_string(),
                })
                .collect(),
            date_of_service: mb.date_of_service,
            diagnosis_codes: dx.remove(&(p.id, program)).unwrap_or_default(),
            explanation: mb.explanation(),
            expected_cents: payment.cents,
            unpriced_lines: payment.unpriced_lines,
        });
    }
    Ok(out)
}

/// The fingerprint of a review: what the biller saw, so that a lock applies to exactly it.
/// Every field of every row goes into the hash, length-prefixed, as it is read (serializing
/// 50,000 rows to one JSON text first took a tenth of a month close).
fn review_hash(month: YearMonth, rows: &[PatientMonth], settings: &BillingSettings) -> String {
    let mut h = Fingerprint(Sha256::new());
    h.text(&month.to_string());
    h.text(&serde_json::to_string(settings).unwrap_or_default());
    h.int(rows.len() as u64);
    for row in rows {
        // Destructured so that a new field cannot be left out of the fingerprint.
        let PatientMonth {
            patient,
            mrn,
            name,
            billing_practitioner,
            billing_practitioner_name,
            npi,
            program,
            month_type,
            countable_minutes,
            lines,
            holds,
            date_of_service,
            diagnosis_codes,
            explanation,
            expected_cents,
            unpriced_lines,
        } = row;
        h.bytes(patient.as_uuid().as_bytes());
        h.text(mrn);
        h.text(name);
        h.opt(
            billing_practitioner.map(|u| u.as_uuid()).as_ref(),
            |h, u| h.bytes(u.as_bytes()),
        );
        h.opt(billing_practitioner_name.as_deref(), Fingerprint::text);
        h.opt(npi.as_deref(), Fingerprint::text);
        h.text(program.code());
        h.opt(month_type.as_deref(), Fingerprint::text);
        h.int(u64::from(*countable_minutes));
        h.int(lines.len() as u64);
        for l in lines {
            h.text(l.code.code());
            h.int(u64::from(l.units));
        }
        h.int(holds.len() as u64);
        for hold in holds {
            h.text(&hold.code);
            h.text(&hold.explanation);
        }
        h.opt(date_of_service.as_ref(), |h, d| {
            h.int(d.to_julian_day() as u64)
        });
        h.int(diagnosis_codes.len() as u64);
        for d in diagnosis_codes {
            h.text(d);
        }
        h.text(explanation);
        h.int(*expected_cents);
        h.int(u64::from(*unpriced_lines));
    }
    hex::encode(h.0.finalize())
}

/// A SHA-256 over length-prefixed fields, so that no two different reviews feed it the same
/// bytes.
struct Fingerprint(Sha256);

impl Fingerprint {
    fn bytes(&mut self, b: &[u8]) {
        self.0.update((b.len() as u64).to_le_bytes());
        self.0.update(b);
    }

    fn text(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    fn int(&mut self, n: u64) {
        self.0.update(n.to_le_bytes());
    }

    fn opt<T: ?Sized>(&mut self, v: Option<&T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            Some(v) => {
                self.0.update([1]);
                f(self, v);
            }
            None => self.0.update([0]),
        }
    }
}

#[derive(sqlx::FromRow)]
struct LockRow {
    id: Uuid,
    locked_at: OffsetDateTime,
    locked_by: Option<Uuid>,
    review_hash: String,
    settings: String,
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    patient_id: Uuid,
    mrn: String,
    given_name: String,
    family_name: String,
    practitioner_id: Option<Uuid>,
    practitioner_name: Option<String>,
    npi: Option<String>,
    program: String,
    month_type: Option<String>,
    countable_minutes: i64,
    date_of_service: Option<Date>,
    lines: String,
    holds: String,
    diagnosis_codes: String,
    explanation: String,
    expected_cents: i64,
}

#[derive(sqlx::FromRow)]
struct AdjustmentRow {
    id: Uuid,
    patient_id: Uuid,
    mrn: String,
    practitioner_id: Option<Uuid>,
    practitioner_name: Option<String>,
    npi: Option<String>,
    date_of_service: Date,
    lines: String,
    diagnosis_codes: String,
    reason: String,
    expected_cents: i64,
    created_at: OffsetDateTime,
    created_by: Option<Uuid>,
}

impl AdjustmentRow {
    fn into_model(self) -> Result<BillingAdjustment> {
        Ok(BillingAdjustment {
            id: self.id,
            patient: PatientId::from_uuid(self.patient_id),
            mrn: self.mrn,
            billing_practitioner: self.practitioner_id.map(UserId::from_uuid),
            billing_practitioner_name: self.practitioner_name,
            npi: self.npi,
            date_of_service: self.date_of_service,
            lines: from_json(&self.lines)?,
            diagnosis_codes: from_json(&self.diagnosis_codes)?,
            reason: self.reason,
            expected_cents: u64::try_from(self.expected_cents).unwrap_or(0),
            created_at: self.created_at,
            created_by: self.created_by.map(UserId::from_uuid),
        })
    }
}

fn cents(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

async fn load_lock(c: &mut Conn<'_>, ctx: &Ctx, month: YearMonth) -> Result<Option<LockRow>> {
    c.fetch_optional(
        "SELECT id, locked_at, locked_by, review_hash, settings FROM billing_months \
         WHERE practice_id = $1 AND month = $2",
        args![ctx.practice, month.to_string()],
    )
    .await
}

async fn load_claims(c: &mut Conn<'_>, ctx: &Ctx, lock: Uuid) -> Result<Vec<PatientMonth>> {
    let rows: Vec<ClaimRow> = c
        .fetch_all(
            "SELECT b.patient_id, b.mrn, p.given_name, p.family_name, b.practitioner_id, b.practitioner_name, \
             b.npi, b.program, b.month_type, b.countable_minutes, b.date_of_service, b.lines, b.holds, \
             b.diagnosis_codes, b.explanation, b.expected_cents \
             FROM billing_claims b JOIN patients p ON p.id = b.patient_id \
             WHERE b.practice_id = $1 AND b.billing_month_id = $2 ORDER BY b.mrn",
            args![ctx.practice, lock],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(PatientMonth {
                patient: PatientId::from_uuid(r.patient_id),
                mrn: r.mrn,
                name: format!("{}, {}", r.family_name, r.given_name),
                billing_practitioner: r.practitioner_id.map(UserId::from_uuid),
                billing_practitioner_name: r.practitioner_name,
                npi: r.npi,
                program: code(Program::parse(&r.program))?,
                month_type: r.month_type,
                countable_minutes: u32::try_from(r.countable_minutes).unwrap_or(0),
                lines: from_json(&r.lines)?,
                holds: from_json(&r.holds)?,
                date_of_service: r.date_of_service,
                diagnosis_codes: from_json(&r.diagnosis_codes)?,
                explanation: r.explanation,
                expected_cents: u64::try_from(r.expected_cents).unwrap_or(0),
                unpriced_lines: 0,
            })
        })
        .collect()
}

async fn load_adjustments(
    c: &mut Conn<'_>,
    ctx: &Ctx,
    lock: Uuid,
) -> Result<Vec<BillingAdjustment>> {
    let rows: Vec<AdjustmentRow> = c
        .fetch_all(
            "SELECT id, patient_id, mrn, practitioner_id, practitioner_name, npi, date_of_service, lines, \
             diagnosis_codes, reason, expected_cents, created_at, created_by FROM billing_adjustments \
             WHERE practice_id = $1 AND billing_month_id = $2 ORDER BY created_at, id",
            args![ctx.practice, lock],
        )
        .await?;
    rows.into_iter().map(AdjustmentRow::into_model).collect()
}

/// The claim that stands for a patient of a locked month: the latest adjustment, else the
/// original.
struct Effective {
    practitioner: Option<UserId>,
    practitioner_name: Option<String>,
    npi: Option<String>,
    mrn: String,
    date_of_service: Option<Date>,
    lines: Vec<ClaimLineView>,
    diagnosis_codes: Vec<String>,
    source: LineSource,
    expected_cents: u64,
}

fn effective(claims: &[PatientMonth], adjustments: &[BillingAdjustment]) -> Vec<Effective> {
    let mut by_patient: BTreeMap<(String, Uuid), Effective> = BTreeMap::new();
    for c in claims {
        by_patient.insert(
            (c.mrn.clone(), c.patient.as_uuid()),
            Effective {
                practitioner: c.billing_practitioner,
                practitioner_name: c.billing_practitioner_name.clone(),
                npi: c.npi.clone(),
                mrn: c.mrn.clone(),
                date_of_service: c.date_of_service,
                lines: c.lines.clone(),
                diagnosis_codes: c.diagnosis_codes.clone(),
                source: LineSource::Original,
                expected_cents: c.expected_cents,
            },
        );
    }
    // Adjustments are in the order made: the last one of a patient stands.
    for a in adjustments {
        by_patient.insert(
            (a.mrn.clone(), a.patient.as_uuid()),
            Effective {
                practitioner: a.billing_practitioner,
                practitioner_name: a.billing_practitioner_name.clone(),
                npi: a.npi.clone(),
                mrn: a.mrn.clone(),
                date_of_service: Some(a.date_of_service),
                lines: a.lines.clone(),
                diagnosis_codes: a.diagnosis_codes.clone(),
                source: LineSource::Adjustment,
                expected_cents: a.expected_cents,
            },
        );
    }
    by_patient.into_values().collect()
}

fn revenue_of<'a>(
    month: YearMonth,
    fees: &FeeTable,
    claims: impl Iterator<Item = (Option<UserId>, Option<&'a str>, Option<&'a str>, usize, u64)>,
) -> MonthRevenue {
    let mut per: BTreeMap<Option<UserId>, PractitionerRevenue> = BTreeMap::new();
    for (id, name, npi, lines, cents) in claims {
        if lines == 0 {
            continue;
        }
        let r = per.entry(id).or_insert_with(|| PractitionerRevenue {
            practitioner: id,
            name: name.map(str::to_owned),
            npi: npi.map(str::to_owned),
            claims: 0,
            lines: 0,
            expected_cents: 0,
        });
        r.claims += 1;
        r.lines += lines as u32;
        r.expected_cents += cents;
    }
    let practitioners: Vec<PractitionerRevenue> = per.into_values().collect();
    MonthRevenue {
        month,
        fee_schedule: fees.title(),
        fee_schedule_year: fees.year,
        expected_cents: practitioners.iter().map(|p| p.expected_cents).sum(),
        practitioners,
    }
}

fn month_revenue(
    month: YearMonth,
    fees: &FeeTable,
    rows: &[PatientMonth],
    effective_claims: Option<&[Effective]>,
) -> MonthRevenue {
    match effective_claims {
        Some(e) => revenue_of(
            month,
            fees,
            e.iter().map(|c| {
                (
                    c.practitioner,
                    c.practitioner_name.as_deref(),
                    c.npi.as_deref(),
                    c.lines.len(),
                    c.expected_cents,
                )
            }),
        ),
        None => revenue_of(
            month,
            fees,
            rows.iter().map(|c| {
                (
                    c.billing_practitioner,
                    c.billing_practitioner_name.as_deref(),
                    c.npi.as_deref(),
                    c.lines.len(),
                    c.expected_cents,
                )
            }),
        ),
    }
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    settings: String,
    version: i64,
    updated_at: OffsetDateTime,
}

async fn load_settings(c: &mut Conn<'_>, ctx: &Ctx) -> Result<BillingSettingsRecord> {
    let row: Option<SettingsRow> = c
        .fetch_optional(
            "SELECT settings, version, updated_at FROM billing_settings WHERE practice_id = $1",
            args![ctx.practice],
        )
        .await?;
    Ok(match row {
        Some(r) => BillingSettingsRecord {
            settings: from_json(&r.settings)?,
            version: r.version,
            updated_at: Some(r.updated_at),
        },
        None => BillingSettingsRecord {
            settings: BillingSettings::default(),
            version: 0,
            updated_at: None,
        },
    })
}

fn check_month(month: YearMonth, today: Date) -> Result<()> {
    if month.first_day() > today {
        return Err(StoreError::invalid(
            "month",
            format!("{month} has not begun: only a month that has started can be reviewed"),
        ));
    }
    Ok(())
}

impl Store {
    /// The practice's billing settings (the defaults until an administrator changes them),
    /// with their version for [`Store::update_billing_settings`].
    pub async fn billing_settings(&self, ctx: &Ctx) -> Result<BillingSettingsRecord> {
        let record = {
            let mut c = self.read().await?;
            load_settings(&mut c.conn(), ctx).await?
        };
        self.audit(ctx.event(
            AuditAction::BillingSettingsRead,
            AuditCategory::Billing,
            None,
            "",
        ))
        .await?;
        Ok(record)
    }

    /// Replace the billing settings. `version` is the one read (0 before any change); a
    /// stale version is a conflict. Invalid settings change nothing.
    pub async fn update_billing_settings(
        &self,
        ctx: &Ctx,
        settings: &BillingSettings,
        version: i64,
    ) -> Result<BillingSettingsRecord> {
        settings.validate()?;
        let mut tx = self.begin().await?;
        let n = if version == 0 {
            tx.execute(
                "INSERT INTO billing_settings (practice_id, settings, updated_at, updated_by, version) \
                 VALUES ($1, $2, $3, $4, 1) ON CONFLICT (practice_id) DO NOTHING",
                args![ctx.practice, to_json(settings)?, ctx.now, ctx.user],
            )
            .await?
        } else {
            tx.execute(
                "UPDATE billing_settings SET settings = $2, updated_at = $3, updated_by = $4, version = version + 1 \
                 WHERE practice_id = $1 AND version = $5",
                args![ctx.practice, to_json(settings)?, ctx.now, ctx.user, version],
            )
            .await?
        };
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::BillingSettingsUpdate,
                AuditCategory::Billing,
                None,
                format!("version {}", version + 1),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(BillingSettingsRecord {
            settings: settings.clone(),
            version: version + 1,
            updated_at: Some(ctx.now),
        })
    }

    /// Record a qualifying visit (AWV, IPPE, TCM or other E/M) of `practitioner` with the
    /// patient: the initiating visit of the episodes that start within a year of it.
    pub async fn record_initiating_visit(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        practitioner: UserId,
        visit_on: Date,
        kind: InitiatingVisitKind,
    ) -> Result<Uuid> {
        if visit_on > ctx.today {
            return Err(StoreError::invalid(
                "visit_on",
                "The visit date is in the future",
            ));
        }
        let mut tx = self.begin().await?;
        patient_and_practitioner(&mut tx, ctx, patient, practitioner).await?;
        let id: Uuid = new_id();
        tx.execute(
            "INSERT INTO initiating_visits (id, practice_id, patient_id, practitioner_id, visit_on, kind, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![id, ctx.practice, patient, practitioner, visit_on, kind.code(), ctx.now, ctx.user],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::InitiatingVisitCreate,
                AuditCategory::Billing,
                Some(patient),
                format!("{} on {visit_on}", kind.code()),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A patient's billing facts: initiating visits, episodes' diagnoses, APCM months (those
    /// not removed) and how the treating practitioner bills. Audited, category billing.
    pub async fn billing_facts(&self, ctx: &Ctx, patient: PatientId) -> Result<BillingFacts> {
        #[derive(sqlx::FromRow)]
        struct Who {
            treating_practitioner_id: Option<Uuid>,
            display_name: Option<String>,
            billing_kind: Option<String>,
        }
        #[derive(sqlx::FromRow)]
        struct Visit {
            id: Uuid,
            practitioner_id: Uuid,
            display_name: String,
            visit_on: Date,
            kind: String,
        }
        #[derive(sqlx::FromRow)]
        struct Ep {
            id: Uuid,
            program: String,
            status: String,
            referred_on: Date,
            diagnosis_codes: Option<String>,
        }
        #[derive(sqlx::FromRow)]
        struct Apcm {
            id: Uuid,
            practitioner_id: Uuid,
            display_name: String,
            month: String,
        }
        let mut tx = self.begin().await?;
        let who: Option<Who> = tx
            .fetch_optional(
                "SELECT p.treating_practitioner_id, u.display_name, u.billing_kind FROM patients p \
                 LEFT JOIN users u ON u.id = p.treating_practitioner_id \
                 WHERE p.id = $1 AND p.practice_id = $2",
                args![patient, ctx.practice],
            )
            .await?;
        let Some(who) = who else {
            return Err(StoreError::NotFound);
        };
        let visits: Vec<Visit> = tx
            .conn()
            .fetch_all(
                "SELECT v.id, v.practitioner_id, u.display_name, v.visit_on, v.kind \
                 FROM initiating_visits v JOIN users u ON u.id = v.practitioner_id \
                 WHERE v.practice_id = $1 AND v.patient_id = $2 ORDER BY v.visit_on DESC, v.id",
                args![ctx.practice, patient],
            )
            .await?;
        let episodes: Vec<Ep> = tx
            .conn()
            .fetch_all(
                "SELECT id, program, status, referred_on, diagnosis_codes FROM episodes \
                 WHERE practice_id = $1 AND patient_id = $2 ORDER BY referred_on DESC, id",
                args![ctx.practice, patient],
            )
            .await?;
        let months: Vec<Apcm> = tx
            .conn()
            .fetch_all(
                "SELECT a.id, a.practitioner_id, u.display_name, a.month \
                 FROM apcm_months a JOIN users u ON u.id = a.practitioner_id \
                 WHERE a.practice_id = $1 AND a.patient_id = $2 AND a.removed_at IS NULL \
                 ORDER BY a.month DESC, a.id",
                args![ctx.practice, patient],
            )
            .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::BillingFactsRead,
                AuditCategory::Billing,
                Some(patient),
                String::new(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(BillingFacts {
            patient,
            treating_practitioner: who.treating_practitioner_id.map(UserId::from_uuid),
            treating_practitioner_name: who.display_name,
            billing_kind: match who.billing_kind {
                Some(k) => Some(code(PractitionerKind::parse(&k))?),
                None => None,
            },
            initiating_visits: visits
                .into_iter()
                .map(|v| {
                    Ok(InitiatingVisitRecord {
                        id: v.id,
                        practitioner: UserId::from_uuid(v.practitioner_id),
                        practitioner_name: v.display_name,
                        visit_on: v.visit_on,
                        kind: code(InitiatingVisitKind::parse(&v.kind))?,
                    })
                })
                .collect::<Result<_>>()?,
            episodes: episodes
                .into_iter()
                .map(|e| {
                    Ok(EpisodeDiagnoses {
                        episode: EpisodeId::from_uuid(e.id),
                        program: code(Program::parse(&e.program))?,
                        status: code(EpisodeStatus::parse(&e.status))?,
                        referred_on: e.referred_on,
                        diagnosis_codes: match e.diagnosis_codes {
                            Some(j) => from_json::<Vec<DiagnosisCode>>(&j)?
                                .into_iter()
                                .map(String::from)
                                .collect(),
                            None => Vec::new(),
                        },
                    })
                })
                .collect::<Result<_>>()?,
            apcm_months: months
                .into_iter()
                .map(|m| {
                    Ok(ApcmMonthRecord {
                        id: m.id,
                        practitioner: UserId::from_uuid(m.practitioner_id),
                        practitioner_name: m.display_name,
                        month: m
                            .month
                            .parse()
                            .map_err(|_| StoreError::corrupt(format!("APCM month {}", m.month)))?,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }

    /// Record that `practitioner` billed an APCM base code (G0556–G0558) for the patient in
    /// `month` (not a future month; once per practitioner and month).
    pub async fn record_apcm_month(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        practitioner: UserId,
        month: YearMonth,
    ) -> Result<Uuid> {
        if month > YearMonth::of(ctx.today) {
            return Err(StoreError::invalid("month", "The month is in the future"));
        }
        let mut tx = self.begin().await?;
        patient_and_practitioner(&mut tx, ctx, patient, practitioner).await?;
        let month_text = month.to_string();
        let twice: Option<One<Uuid>> = tx
            .fetch_optional(
                "SELECT id FROM apcm_months WHERE practice_id = $1 AND patient_id = $2 \
                 AND practitioner_id = $3 AND month = $4 AND removed_at IS NULL",
                args![ctx.practice, patient, practitioner, month_text.clone()],
            )
            .await?;
        if twice.is_some() {
            return Err(StoreError::invalid(
                "month",
                format!("{month} is already recorded for this practitioner"),
            ));
        }
        let id: Uuid = new_id();
        tx.execute(
            "INSERT INTO apcm_months (id, practice_id, patient_id, practitioner_id, month, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![id, ctx.practice, patient, practitioner, month_text, ctx.now, ctx.user],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ApcmMonthCreate,
                AuditCategory::Billing,
                Some(patient),
                format!("{month} by {practitioner}"),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Remove an APCM month recorded by mistake: kept, marked removed with the reason.
    pub async fn remove_apcm_month(
        &self,
        ctx: &Ctx,
        patient: PatientId,
        id: Uuid,
        reason: &str,
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.chars().count() < 3 || reason.chars().count() > 500 {
            return Err(StoreError::invalid(
                "reason",
                "say why, in 3 to 500 characters",
            ));
        }
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE apcm_months SET removed_at = $4, removed_by = $5, removed_reason = $6 \
                 WHERE id = $1 AND practice_id = $2 AND patient_id = $3 AND removed_at IS NULL",
                args![id, ctx.practice, patient, ctx.now, ctx.user, reason],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::ApcmMonthRemove,
                AuditCategory::Billing,
                Some(patient),
                id.to_string(),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Set an episode's diagnosis codes (ICD-10-CM), put on its claims. An empty list clears them.
    pub async fn set_episode_diagnoses(
        &self,
        ctx: &Ctx,
        episode: EpisodeId,
        codes: &[DiagnosisCode],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let patient: Option<One<Uuid>> = tx
            .fetch_optional(
                "SELECT patient_id FROM episodes WHERE id = $1 AND practice_id = $2",
                args![episode, ctx.practice],
            )
            .await?;
        let Some(patient) = patient else {
            return Err(StoreError::NotFound);
        };
        let value = (!codes.is_empty()).then(|| to_json(&codes)).transpose()?;
        tx.execute(
            "UPDATE episodes SET diagnosis_codes = $3 WHERE id = $1 AND practice_id = $2",
            args![episode, ctx.practice, value],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::EpisodeDiagnoses,
                AuditCategory::Billing,
                Some(PatientId::from_uuid(patient.0)),
                format!("{episode}: {} codes", codes.len()),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// A month for review: every patient with activity in it, with lines, holds, explanation,
    /// billing practitioner and diagnosis codes, and the expected revenue. An open month is
    /// evaluated now (its `review_hash` is what [`Store::lock_billing_month`] takes); a locked
    /// month shows its snapshot and adjustments. Audited once, category billing.
    pub async fn billing_month(&self, ctx: &Ctx, month: YearMonth) -> Result<MonthReview> {
        check_month(month, ctx.today)?;
        let review = {
            let mut r = self.read().await?;
            let mut c = r.conn();
            let current = load_settings(&mut c, ctx).await?.settings;
            match load_lock(&mut c, ctx, month).await? {
                Some(lock) => {
                    let settings: BillingSettings = from_json(&lock.settings)?;
                    let claims = load_claims(&mut c, ctx, lock.id).await?;
                    let adjustments = load_adjustments(&mut c, ctx, lock.id).await?;
                    let eff = effective(&claims, &adjustments);
                    MonthReview {
                        month,
                        lock: Some(MonthLock {
                            locked_at: lock.locked_at,
                            locked_by: lock.locked_by.map(UserId::from_uuid),
                        }),
                        revenue: month_revenue(month, &settings.fees, &claims, Some(&eff)),
                        review_hash: lock.review_hash,
                        patients: claims,
                        adjustments,
                    }
                }
                None => {
                    let rows = evaluate_month(&mut c, ctx, month, &current).await?;
                    MonthReview {
                        month,
                        lock: None,
                        review_hash: review_hash(month, &rows, &current),
                        revenue: month_revenue(month, &current.fees, &rows, None),
                        patients: rows,
                        adjustments: Vec::new(),
                    }
                }
            }
        };
        self.audit(ctx.event(
            AuditAction::BillingMonthRead,
            AuditCategory::Billing,
            None,
            format!("{month}: {} patients", review.patients.len()),
        ))
        .await?;
        Ok(review)
    }

    /// Lock a month as reviewed: `review_hash` must be the hash of the review the biller saw
    /// (a change to the data or the settings since then is a conflict: review again). The
    /// claim snapshot (every patient with lines or holds) is stored with the settings used.
    pub async fn lock_billing_month(
        &self,
        ctx: &Ctx,
        month: YearMonth,
        reviewed: &str,
    ) -> Result<MonthLock> {
        check_month(month, ctx.today)?;
        if month.last_day() >= ctx.today {
            return Err(StoreError::invalid(
                "month",
                format!(
                    "{month} is not over yet: lock it from {}",
                    month.next().first_day()
                ),
            ));
        }
        let mut tx = self.begin().await?;
        // The practice row orders concurrent locks of one practice on PostgreSQL.
        tx.execute(
            "UPDATE practices SET name = name WHERE id = $1",
            args![ctx.practice],
        )
        .await?;
        let (rows, settings) = {
            let mut c = tx.conn();
            if load_lock(&mut c, ctx, month).await?.is_some() {
                return Err(StoreError::invalid(
                    "month",
                    format!("{month} is already locked; change it with an adjustment"),
                ));
            }
            let settings = load_settings(&mut c, ctx).await?.settings;
            let rows = evaluate_month(&mut c, ctx, month, &settings).await?;
            (rows, settings)
        };
        if review_hash(month, &rows, &settings) != reviewed.trim() {
            return Err(StoreError::Conflict);
        }
        let lock: Uuid = new_id();
        tx.execute(
            "INSERT INTO billing_months (id, practice_id, month, locked_at, locked_by, review_hash, settings) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![lock, ctx.practice, month.to_string(), ctx.now, ctx.user, reviewed.trim(), to_json(&settings)?],
        )
        .await?;
        let mut claims = Rows::new(&CLAIMS);
        for r in rows
            .iter()
            .filter(|r| !r.lines.is_empty() || !r.holds.is_empty())
        {
            claims.push(&mut tx, claim_row(ctx, lock, r)?).await?;
        }
        let stored = claims.finish(&mut tx).await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::BillingMonthLock,
                AuditCategory::Billing,
                None,
                format!("{month}: {stored} claims of {} patients", rows.len()),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(MonthLock {
            locked_at: ctx.now,
            locked_by: ctx.user,
        })
    }

    /// Adjust one patient's claim in a locked month: the adjustment's lines replace the
    /// claim's (the original and earlier adjustments are kept and shown). Audited with the
    /// patient and the reason's length, never its text.
    pub async fn adjust_billing_month(
        &self,
        ctx: &Ctx,
        month: YearMonth,
        patient: PatientId,
        adjustment: &Adjustment,
    ) -> Result<BillingAdjustment> {
        let mut tx = self.begin().await?;
        let (lock, original, settings) = {
            let mut c = tx.conn();
            let Some(lock) = load_lock(&mut c, ctx, month).await? else {
                return Err(StoreError::invalid(
                    "month",
                    format!(
                        "{month} is not locked: review and lock it first; an open month follows the records"
                    ),
                ));
            };
            let settings: BillingSettings = from_json(&lock.settings)?;
            let claims = load_claims(&mut c, ctx, lock.id).await?;
            (
                lock,
                claims.into_iter().find(|c| c.patient == patient),
                settings,
            )
        };
        let who: PatientRow = match &original {
            Some(o) => PatientRow {
                id: patient.as_uuid(),
                mrn: o.mrn.clone(),
                given_name: String::new(),
                family_name: String::new(),
                payer_kind: None,
                treating_practitioner_id: o.billing_practitioner.map(|u| u.as_uuid()),
                practitioner_name: o.billing_practitioner_name.clone(),
                npi: o.npi.clone(),
                billing_kind: None,
            },
            None => tx
                .fetch_optional(
                    "SELECT p.id, p.mrn, p.given_name, p.family_name, p.payer_kind, p.treating_practitioner_id, \
                     u.display_name AS practitioner_name, u.npi, u.billing_kind \
                     FROM patients p LEFT JOIN users u ON u.id = p.treating_practitioner_id \
                     WHERE p.id = $1 AND p.practice_id = $2",
                    args![patient, ctx.practice],
                )
                .await?
                .ok_or_else(|| StoreError::invalid("patient", "no such patient in this practice"))?,
        };
        let date_of_service = adjustment
            .date_of_service
            .or(original.as_ref().and_then(|o| o.date_of_service))
            .unwrap_or(month.last_day());
        let diagnosis_codes: Vec<String> = if adjustment.diagnosis_codes.is_empty() {
            original.map(|o| o.diagnosis_codes).unwrap_or_default()
        } else {
            adjustment
                .diagnosis_codes
                .iter()
                .map(|d| d.to_string())
                .collect()
        };
        let lines: Vec<ClaimLineView> = adjustment.lines.iter().map(ClaimLineView::from).collect();
        let expected = settings.fees.payment(&adjustment.lines).cents;
        let id: Uuid = new_id();
        tx.execute(
            "INSERT INTO billing_adjustments (id, practice_id, billing_month_id, patient_id, mrn, practitioner_id, \
             practitioner_name, npi, date_of_service, lines, diagnosis_codes, reason, expected_cents, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            args![
                id,
                ctx.practice,
                lock.id,
                patient,
                who.mrn.clone(),
                who.treating_practitioner_id,
                who.practitioner_name.clone(),
                who.npi.clone(),
                date_of_service,
                to_json(&lines)?,
                to_json(&diagnosis_codes)?,
                adjustment.reason.clone(),
                cents(expected),
                ctx.now,
                ctx.user
            ],
        )
        .await?;
        audit::append(
            &mut tx,
            &ctx.event(
                AuditAction::BillingAdjust,
                AuditCategory::Billing,
                Some(patient),
                format!("{month}: {} lines", lines.len()),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(BillingAdjustment {
            id,
            patient,
            mrn: who.mrn,
            billing_practitioner: who.treating_practitioner_id.map(UserId::from_uuid),
            billing_practitioner_name: who.practitioner_name,
            npi: who.npi,
            date_of_service,
            lines,
            diagnosis_codes,
            reason: adjustment.reason.clone(),
            expected_cents: expected,
            created_at: ctx.now,
            created_by: ctx.user,
        })
    }

    /// The claim lines of a locked month, one per line of each patient's standing claim (the
    /// latest adjustment, else the original), by MRN. Audited once, category billing.
    pub async fn billing_export(&self, ctx: &Ctx, month: YearMonth) -> Result<Vec<ExportLine>> {
        let lines = {
            let mut r = self.read().await?;
            let mut c = r.conn();
            let Some(lock) = load_lock(&mut c, ctx, month).await? else {
                return Err(StoreError::invalid(
                    "month",
                    format!("{month} is not locked: only a locked month is exported"),
                ));
            };
            let claims = load_claims(&mut c, ctx, lock.id).await?;
            let adjustments = load_adjustments(&mut c, ctx, lock.id).await?;
            let mut out = Vec::new();
            for e in effective(&claims, &adjustments) {
                let Some(dos) = e.date_of_service else {
                    continue;
                };
                for l in &e.lines {
                    out.push(ExportLine {
                        month,
                        patient_mrn: e.mrn.clone(),
                        billing_practitioner: e.practitioner_name.clone().unwrap_or_default(),
                        npi: e.npi.clone(),
                        date_of_service: dos,
                        code: l.code,
                        units: l.units,
                        diagnosis_codes: e.diagnosis_codes.clone(),
                        source: e.source,
                    });
                }
            }
            out
        };
        self.audit(ctx.event(
            AuditAction::BillingExport,
            AuditCategory::Billing,
            None,
            format!("{month}: {} lines", lines.len()),
        ))
        .await?;
        Ok(lines)
    }

    /// A month's expected revenue from the fee table, in total and per billing practitioner:
    /// no patient data (the practice administrator's view). Audited once, category billing.
    pub async fn billing_revenue(&self, ctx: &Ctx, month: YearMonth) -> Result<MonthRevenue> {
        check_month(month, ctx.today)?;
        let revenue = {
            let mut r = self.read().await?;
            let mut c = r.conn();
            match load_lock(&mut c, ctx, month).await? {
                Some(lock) => {
                    let settings: BillingSettings = from_json(&lock.settings)?;
                    let claims = load_claims(&mut c, ctx, lock.id).await?;
                    let adjustments = load_adjustments(&mut c, ctx, lock.id).await?;
                    let eff = effective(&claims, &adjustments);
                    month_revenue(month, &settings.fees, &claims, Some(&eff))
                }
                None => {
                    let settings = load_settings(&mut c, ctx).await?.settings;
                    let rows = evaluate_month(&mut c, ctx, month, &settings).await?;
                    month_revenue(month, &settings.fees, &rows, None)
                }
            }
        };
        self.audit(ctx.event(
            AuditAction::BillingRevenueRead,
            AuditCategory::Billing,
            None,
            month.to_string(),
        ))
        .await?;
        Ok(revenue)
    }
}

impl Store {
    /// The billing engine's patient-months from `from` to `to` (both included), with the
    /// practice's billing settings they were priced with: what the financial view is built
    /// from. Recomputed from the registry (a locked month's adjustments are not applied);
    /// audited once as a revenue read, category billing.
    pub async fn finance_months(
        &self,
        ctx: &Ctx,
        from: YearMonth,
        to: YearMonth,
    ) -> Result<FinanceMonths> {
        check_month(to, ctx.today)?;
        if to < from {
            return Err(StoreError::invalid(
                "to",
                "must not be before the first month",
            ));
        }
        let data = {
            let mut r = self.read().await?;
            let mut c = r.conn();
            let billing = load_settings(&mut c, ctx).await?.settings;
            let mut months = Vec::new();
            let mut month = from;
            loop {
                let (evaluated, _) = evaluate(&mut c, ctx, month, &billing).await?;
                months.extend(evaluated.into_iter().map(|e| BilledMonth {
                    patient: PatientId::from_uuid(e.patient.id),
                    practitioner: e.patient.treating_practitioner_id.map(UserId::from_uuid),
                    payer: e.payer,
                    billing: e.billing,
                }));
                if month >= to {
                    break;
                }
                month = month.next();
            }
            FinanceMonths { billing, months }
        };
        self.audit(ctx.event(
            AuditAction::BillingRevenueRead,
            AuditCategory::Billing,
            None,
            format!("financial view {from} to {to}"),
        ))
        .await?;
        Ok(data)
    }
}

/// The claim snapshot, written 32 rows to a statement like a bulk import.
static CLAIMS: BulkInsert = BulkInsert::new(
    "INSERT INTO billing_claims (id, practice_id, billing_month_id, patient_id, mrn, practitioner_id, \
     practitioner_name, npi, program, month_type, countable_minutes, date_of_service, lines, holds, \
     diagnosis_codes, explanation, expected_cents) VALUES ",
    17,
);

fn claim_row(ctx: &Ctx, lock: Uuid, r: &PatientMonth) -> Result<[Val; 17]> {
    Ok([
        Val::from(new_id::<Uuid>()),
        ctx.practice.into(),
        lock.into(),
        r.patient.into(),
        r.mrn.clone().into(),
        r.billing_practitioner.into(),
        r.billing_practitioner_name.clone().into(),
        r.npi.clone().into(),
        r.program.code().into(),
        r.month_type.clone().into(),
        r.countable_minutes.into(),
        r.date_of_service.into(),
        to_json(&r.lines)?.into(),
        to_json(&r.holds)?.into(),
        to_json(&r.diagnosis_codes)?.into(),
        r.explanation.clone().into(),
        cents(r.expected_cents).into(),
    ])
}

impl From<&ClaimLine> for ClaimLineView {
    fn from(l: &ClaimLine) -> Self {
        ClaimLineView {
            code: l.code,
            units: l.units,
        }
    }
}
