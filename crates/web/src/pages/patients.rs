//! Patient search (a POST: names and birth dates never appear in a URL) and the chart.

use super::alerts::{AlertView, open_on_chart};
use super::registry::{RowView, row_view};
use super::trajectory::{ChartView, episode_charts};
use super::{Chrome, render};
use crate::access::{Can, OnPatient, op};
use crate::disclosure::Viewer;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use stepwise_domain::access::{Operation, Relation, acting_role};
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::episode::EpisodeStatus;
use stepwise_domain::record::RecordStatus;
use stepwise_domain::registry::{EpisodeFacts, caseload_row};
use stepwise_domain::sensitivity::{REDISCLOSURE_NOTICE, RecordLabel};
use stepwise_store::PatientQuery;
use stepwise_store::model::{Assessment, Episode, Part2ConsentRecord, Patient, PatientSummary};

#[derive(Deserialize)]
pub struct SearchForm {
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    error: Option<String>,
    results: Vec<PatientSummary>,
    /// The user may register a patient not found.
    can_register: bool,
}

pub async fn search(
    State(state): State<AppState>,
    can: Can<op::ReadDemographics>,
    Form(f): Form<SearchForm>,
) -> Response {
    let chrome = Chrome::new(&can.auth, state.config.demo.is_some());
    let can_register =
        acting_role(&can.auth.user.roles, Operation::EditDemographics, None).is_some();
    let q = match PatientQuery::parse(&f.q) {
        Ok(q) => q,
        Err(e) => {
            return render(&SearchPage {
                chrome,
                q: f.q,
                error: Some(
                    crate::error::ApiError::from(e)
                        .problem()
                        .errors
                        .first()
                        .map(|e| e.message.clone())
                        .unwrap_or_default(),
                ),
                results: vec![],
                can_register,
            });
        }
    };
    match state.store.search_patients(&can.ctx, &q).await {
        Ok(results) => render(&SearchPage {
            chrome,
            q: f.q,
            error: None,
            results,
            can_register,
        }),
        Err(e) => super::error_page(e.into()),
    }
}

#[derive(Template)]
#[template(path = "patient.html")]
struct ChartPage {
    chrome: Chrome,
    /// The print view: no navigation or actions.
    print: bool,
    patient: Patient,
    age: i32,
    clinical: bool,
    episodes: Vec<Episode>,
    open_row: Option<RowView>,
    assessments: Vec<Assessment>,
    alerts: Vec<AlertView>,
    show_referrals: bool,
    referrals: Vec<stepwise_store::model::ReferralRecord>,
    can_refer: bool,
    partners: Vec<(String, String)>,
    can: Allowed,
    /// The open episode: (id, program, status).
    open: Option<(String, &'static str, &'static str)>,
    /// The open episode's contacts this month, those entered in error included (struck).
    contacts: Vec<ContactRow>,
    /// The open episode's consents.
    consents: Vec<ConsentRow>,
    /// Records labelled Part 2 are on this page: it carries the 42 CFR 2.32 notice.
    part2_shown: bool,
    part2_consents: Vec<Part2ConsentRecord>,
    /// Labelled records this reader may not see (42 CFR Part 2), counted, not listed.
    withheld: usize,
    notice: &'static str,
    minutes_this_month: u32,
    charts: Vec<ChartView>,
}

/// A contact as the chart lists it.
struct ContactRow {
    id: String,
    date: String,
    kind: &'static str,
    how: String,
    minutes: u16,
    counted: bool,
    /// Entered in error, with the reason.
    error: Option<String>,
    label: RecordLabel,
}

/// A consent as the chart lists it.
struct ConsentRow {
    id: String,
    program: &'static str,
    given_on: String,
    method: String,
    revoked_on: Option<String>,
    note: Option<String>,
}

/// What the signed-in user may do on this chart, so that only usable actions are offered.
#[derive(Default)]
struct Allowed {
    edit: bool,
    screen: bool,
    manage: bool,
    contact: bool,
    close_alert: bool,
    billing_facts: bool,
}

pub async fn chart(State(state): State<AppState>, on: OnPatient<op::ReadDemographics>) -> Response {
    chart_or_summary(state, on, false).await
}

/// The chart as a one-page summary to print (no navigation or actions).
pub async fn summary(
    State(state): State<AppState>,
    on: OnPatient<op::ReadDemographics>,
) -> Response {
    chart_or_summary(state, on, true).await
}

async fn chart_or_summary(
    state: AppState,
    on: OnPatient<op::ReadDemographics>,
    print: bool,
) -> Response {
    let chrome = Chrome::new(&on.auth, state.config.demo.is_some());
    let patient = match state.store.patient(&on.ctx, on.id).await {
        Ok(p) => p,
        Err(e) => return super::error_page(e.into()),
    };
    // Clinical sections only for those whose role and relationship allow them.
    let rel = match state
        .store
        .relationship(on.ctx.practice, on.auth.user.id, on.id)
        .await
    {
        Ok(Some(r)) => r.relation(),
        Ok(None) => Relation::default(),
        Err(e) => return super::error_page(e.into()),
    };
    let mut rel = rel;
    let mut clinical_role = acting_role(&on.auth.user.roles, Operation::ReadClinical, Some(rel));
    if clinical_role.is_none() {
        // A live break-glass grant opens the clinical sections, audited as such.
        let grant = match state
            .store
            .active_break_glass(on.ctx.practice, on.auth.user.id, on.id, on.auth.now)
            .await
        {
            Ok(g) => g,
            Err(e) => return super::error_page(e.into()),
        };
        let bg = Relation {
            break_glass: true,
            ..rel
        };
        if let Some(grant) = grant
            && let Some(role) = acting_role(&on.auth.user.roles, Operation::ReadClinical, Some(bg))
        {
            let ev = on.auth.ctx(Some(role)).event(
                stepwise_domain::audit::AuditAction::BreakGlassAccess,
                stepwise_domain::audit::AuditCategory::Clinical,
                Some(on.id),
                format!(
                    "{} (read_clinical) under grant {}",
                    on.auth.meta.route, grant.id
                ),
            );
            if let Err(e) = state.store.audit(ev).await {
                return super::error_page(e.into());
            }
            clinical_role = Some(role);
            rel = bg;
        }
    }
    let may = |op: Operation| acting_role(&on.auth.user.roles, op, Some(rel)).is_some();
    let can = Allowed {
        edit: may(Operation::EditDemographics),
        screen: may(Operation::RecordAssessment),
        manage: may(Operation::ManageEpisode),
        contact: may(Operation::RecordContact),
        close_alert: may(Operation::CloseSafetyAlert),
        billing_facts: may(Operation::ManageBillingFacts),
    };
    let (mut episodes, mut assessments, mut open_row) = (Vec::new(), Vec::new(), None);
    let (mut alerts, mut open, mut contacts, mut charts) =
        (Vec::new(), None, Vec::new(), Vec::new());
    let mut consents = Vec::new();
    let (mut part2_consents, mut withheld) = (Vec::new(), 0usize);
    let mut minutes_this_month = 0u32;
    if let Some(role) = clinical_role {
        let ctx = on.auth.ctx(Some(role));
        alerts = match state.store.patient_safety_alerts(&ctx, on.id).await {
            Ok(a) => open_on_chart(&a, can.close_alert),
            Err(e) => return super::error_page(e.into()),
        };
        episodes = match state.store.patient_episodes(&ctx, on.id).await {
            Ok(e) => e,
            Err(e) => return super::error_page(e.into()),
        };
        let viewer = match Viewer::for_patient(&state, &on.auth, on.id, rel).await {
            Ok(v) => v,
            Err(e) => return super::error_page(e),
        };
        assessments = match state.store.patient_assessments(&ctx, on.id, None).await {
            Ok(a) => {
                let shown = viewer.assessments(a);
                withheld += shown.withheld;
                shown.items
            }
            Err(e) => return super::error_page(e.into()),
        };
        part2_consents = match state.store.patient_part2_consents(&ctx, on.id).await {
            Ok(list) => list,
            Err(e) => return super::error_page(e.into()),
        };
        // Charts of the open episode (else the most recent one), one per instrument given.
        let charted = episodes
            .iter()
            .find(|e| !e.status.is_closed())
            .or(episodes.first())
            .map(|e| e.id);
        charts = episode_charts(&assessments, charted);
        if let Some(ep) = episodes.iter().find(|e| !e.status.is_closed()) {
            open = Some((ep.id.to_string(), ep.program.label(), ep.status.label()));
            let month = YearMonth::of(on.ctx.today);
            match state.store.episode_contacts(&ctx, ep.id).await {
                Ok(all) => {
                    let shown = viewer.contacts(all);
                    withheld += shown.withheld;
                    // Newest first, those entered in error kept (struck) where they were.
                    for c in shown
                        .items
                        .iter()
                        .filter(|c| YearMonth::of(c.details.contact_on) == month)
                    {
                        let minutes = c.details.minutes.get();
                        let final_ = c.status == RecordStatus::Final;
                        if final_ && c.counts_toward_care_management {
                            minutes_this_month += u32::from(minutes);
                        }
                        contacts.push(ContactRow {
                            id: c.id.to_string(),
                            date: c.details.contact_on.to_string(),
                            kind: c.details.kind.label(),
                            how: c.details.modality.code().replace('_', " "),
                            minutes,
                            counted: final_ && c.counts_toward_care_management,
                            error: (!final_).then(|| c.error_reason.clone().unwrap_or_default()),
                            label: c.details.label,
                        });
                    }
                }
                Err(e) => return super::error_page(e.into()),
            }
            match state.store.episode(&ctx, ep.id).await {
                Ok(d) => {
                    consents = d
                        .consents
                        .into_iter()
                        .map(|c| ConsentRow {
                            id: c.id.to_string(),
                            program: c.consent.program.label(),
                            given_on: c.consent.consented_on.to_string(),
                            method: c.consent.method.code().replace('_', " "),
                            revoked_on: c.consent.revoked_on.map(|d| d.to_string()),
                            note: c.revocation_note,
                        })
                        .collect();
                }
                Err(e) => return super::error_page(e.into()),
            }
        }
        if let Some(open) = episodes
            .iter()
            .find(|e| !e.status.is_closed() && e.status != EpisodeStatus::Referred)
        {
            // The registry's view of the open episode, from the same facts as the caseload.
            if let Ok(Some(facts)) = state.store.episode_facts(&ctx, open.id).await {
                let facts: EpisodeFacts = facts;
                let summary = PatientSummary {
                    id: patient.id,
                    mrn: patient.details.mrn.to_string(),
                    given_name: patient.details.given_name.clone(),
                    family_name: patient.details.family_name.clone(),
                    birth_date: patient.details.birth_date,
                };
                open_row = Some(row_view(
                    &summary,
                    &caseload_row(&facts, on.ctx.today, &on.auth.practice.settings.registry),
                ));
            }
        }
    }
    let (mut referrals, mut partners) = (Vec::new(), Vec::new());
    let referral_role = acting_role(&on.auth.user.roles, Operation::ReadReferrals, Some(rel));
    if let Some(role) = referral_role {
        referrals = match state
            .store
            .patient_referrals(&on.auth.ctx(Some(role)), on.id)
            .await
        {
            Ok(r) => r,
            Err(e) => return super::error_page(e.into()),
        };
    }
    let can_refer = acting_role(&on.auth.user.roles, Operation::Refer, Some(rel)).is_some();
    if can_refer {
        partners = match state.store.resources(on.ctx.practice).await {
            Ok(all) => all
                .into_iter()
                .filter(|e| e.resource.is_active())
                .filter_map(|e| Some((e.resource.id?.to_string(), e.resource.display_name())))
                .collect(),
            Err(e) => return super::error_page(e.into()),
        };
    }
    let part2_shown = assessments.iter().any(|a| a.label.is_part2())
        || contacts.iter().any(|c| c.label.is_part2());
    render(&ChartPage {
        show_referrals: referral_role.is_some(),
        referrals,
        can_refer,
        partners,
        chrome,
        print,
        age: stepwise_domain::patient::age_on(patient.details.birth_date, on.ctx.today),
        patient,
        clinical: clinical_role.is_some(),
        episodes,
        open_row,
        assessments,
        alerts,
        can,
        open,
        contacts,
        consents,
        part2_shown,
        part2_consents,
        withheld,
        notice: REDISCLOSURE_NOTICE,
        minutes_this_month,
        charts,
    })
}
