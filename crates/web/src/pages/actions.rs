//! The chart's actions as forms: close a safety alert with the action taken, log a contact
//! (with a timer that fills in the minutes), refer to a program, record a consent, and change an
//! episode's status. Each is a page with its form (GET) and its submission (POST): on success
//! back to the chart (303); refused, the form again (422) with each error beside its field and
//! everything as typed.

use super::forms::{Fields, FormErrors, get, refused, see_other};
use super::{Chrome, render};
use crate::access::{EpisodeKey, OnPatient, OnRecord, SafetyAlertKey, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use stepwise_domain::contact::{ContactInput, ContactKind, MinutesExclusion, Modality};
use stepwise_domain::episode::{
    ConsentInput, ConsentMethod, DischargeReason, EpisodeStatus, Program, Transition,
};
use stepwise_domain::patient::parse_date;
use stepwise_domain::role::Role;
use stepwise_domain::safety::{AlertKind, AlertStatus, ClosureAction, ClosureInput};
use stepwise_domain::sensitivity::RecordLabel;

/// One field of a form.
pub struct FieldView {
    pub name: String,
    pub label: String,
    /// `text`, `date`, `number`, `select`, `textarea` or `checkbox`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub hint: Option<String>,
    pub error: Option<String>,
}

impl FieldView {
    pub(super) fn new(name: &str, label: &str, kind: &'static str) -> Self {
        FieldView {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            value: String::new(),
            options: Vec::new(),
            hint: None,
            error: None,
        }
    }

    pub(super) fn select(name: &str, label: &str, options: Vec<(String, String)>) -> Self {
        FieldView {
            options,
            ..Self::new(name, label, "select")
        }
    }

    pub(super) fn hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.to_owned());
        self
    }

    pub(super) fn value(mut self, v: impl Into<String>) -> Self {
        self.value = v.into();
        self
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    chrome: Chrome,
    title: String,
    intro: Option<String>,
    back_href: String,
    back_label: String,
    action: String,
    hidden: Vec<(&'static str, String)>,
    fields: Vec<FieldView>,
    summary: Vec<String>,
    submit: &'static str,
    timer: bool,
}

/// What a form page is made of, before the submitted values and errors are laid over it.
pub(super) struct Spec {
    pub(super) title: String,
    pub(super) intro: Option<String>,
    pub(super) action: String,
    pub(super) hidden: Vec<(&'static str, String)>,
    pub(super) fields: Vec<FieldView>,
    pub(super) submit: &'static str,
    pub(super) timer: bool,
}

pub(super) fn checked(fields: &Fields, k: &str) -> bool {
    get(fields, k) == "yes"
}

/// Where a form's back link goes: the patient's chart, home for a form about no patient yet,
/// or another page (an administrator's list).
pub(super) enum Back {
    Chart(stepwise_domain::ids::PatientId),
    Home,
    Page(&'static str, &'static str),
}

impl From<stepwise_domain::ids::PatientId> for Back {
    fn from(p: stepwise_domain::ids::PatientId) -> Self {
        Back::Chart(p)
    }
}

/// The page: `submitted` values (kept as typed) and `errors` laid over the spec's fields.
pub(super) fn page(
    state: &AppState,
    auth: &crate::access::Authenticated,
    back: impl Into<Back>,
    spec: Spec,
    submitted: Option<&Fields>,
    errors: &FormErrors,
) -> Response {
    let back = back.into();
    let mut fields = spec.fields;
    for f in &mut fields {
        if let Some(s) = submitted {
            // A checkbox left unticked is not sent at all.
            f.value = s
                .iter()
                .find(|(n, _)| *n == f.name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
        }
        f.error = errors.get(&f.name).map(str::to_owned);
    }
    let shown: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut summary = errors.general.clone();
    summary.extend(errors.unplaced(&shown));
    let page = render(&FormPage {
        chrome: Chrome::new(auth, state.config.demo.is_some()),
        title: spec.title,
        intro: spec.intro,
        back_href: match &back {
            Back::Chart(patient) => format!("/patients/{patient}"),
            Back::Home => "/".to_owned(),
            Back::Page(href, _) => (*href).to_owned(),
        },
        back_label: match &back {
            Back::Chart(_) => "Back to the chart",
            Back::Home => "Home",
            Back::Page(_, label) => label,
        }
        .to_owned(),
        action: spec.action,
        hidden: spec.hidden,
        fields,
        summary,
        submit: spec.submit,
        timer: spec.timer,
    });
    if errors.is_empty() {
        page
    } else {
        refused(page)
    }
}

/// The form as first shown: the spec's defaults, no errors.
pub(super) fn blank(
    state: &AppState,
    auth: &crate::access::Authenticated,
    back: impl Into<Back>,
    spec: Spec,
) -> Response {
    page(state, auth, back, spec, None, &FormErrors::default())
}

/// Answer a refused submission with the form, or an error page when it is not the user's to fix.
pub(super) fn refuse(
    state: &AppState,
    auth: &crate::access::Authenticated,
    back: impl Into<Back>,
    spec: Spec,
    fields: &Fields,
    error: ApiError,
) -> Response {
    match FormErrors::from_api(error) {
        Ok(errors) => page(state, auth, back, spec, Some(fields), &errors),
        Err(e) => super::error_page(e),
    }
}

pub(super) fn codes<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> String,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_owned(), label(*v)))
        .collect()
}

pub(super) fn humane(code: &str) -> String {
    let s = code.replace('_', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

// ---------------------------------------------------------------------------------------------
// Closing a safety alert.

fn closure_spec(alert: &stepwise_store::model::SafetyAlert) -> Spec {
    let actions = ClosureAction::ALL
        .iter()
        .filter(|a| **a != ClosureAction::ItemAsked || alert.kind == AlertKind::Unanswered)
        .map(|a| (a.code().to_owned(), closure_label(*a).to_owned()))
        .collect();
    Spec {
        title: "Close a safety alert".into(),
        intro: Some(format!(
            "{} · raised {}. An alert is closed only with the action taken; the closure is \
             recorded with your name.",
            alert.items_label, alert.raised_on
        )),
        action: format!("/alerts/{}/close", alert.id),
        hidden: vec![("version", alert.version.to_string())],
        fields: vec![
            FieldView::select("action", "Action taken", actions),
            FieldView::new("note", "Note", "textarea").hint("Required when the action is “Other”."),
        ],
        submit: "Close the alert",
        timer: false,
    }
}

fn closure_label(a: ClosureAction) -> &'static str {
    match a {
        ClosureAction::CssrsCompleted => "C-SSRS or fuller risk assessment completed",
        ClosureAction::SafetyPlanMade => "Safety plan made with the patient",
        ClosureAction::CrisisReferral988 => "Connected with 988 or a crisis team",
        ClosureAction::EmergencyServices => "Emergency services called / sent to emergency care",
        ClosureAction::ItemAsked => "The question was asked and the answer recorded",
        ClosureAction::Other => "Other (describe in the note)",
    }
}

async fn load_alert(
    state: &AppState,
    on: &OnRecord<SafetyAlertKey, op::CloseSafetyAlert>,
) -> Result<stepwise_store::model::SafetyAlert, ApiError> {
    state
        .store
        .patient_safety_alerts(&on.ctx, on.patient)
        .await?
        .into_iter()
        .find(|a| a.id == on.id)
        .ok_or(ApiError::NotFound)
}

pub async fn close_alert_form(
    State(state): State<AppState>,
    on: OnRecord<SafetyAlertKey, op::CloseSafetyAlert>,
) -> Response {
    let alert = match load_alert(&state, &on).await {
        Ok(a) => a,
        Err(e) => return super::error_page(e),
    };
    if alert.status == AlertStatus::Closed {
        return see_other(&format!("/patients/{}", on.patient));
    }
    blank(&state, &on.auth, on.patient, closure_spec(&alert))
}

pub async fn close_alert(
    State(state): State<AppState>,
    on: OnRecord<SafetyAlertKey, op::CloseSafetyAlert>,
    Form(fields): Form<Fields>,
) -> Response {
    let alert = match load_alert(&state, &on).await {
        Ok(a) => a,
        Err(e) => return super::error_page(e),
    };
    let spec = closure_spec(&alert);
    let Ok(version) = get(&fields, "version").parse::<i64>() else {
        return refuse(
            &state,
            &on.auth,
            on.patient,
            spec,
            &fields,
            ApiError::invalid("version", "the form is out of date; open the alert again"),
        );
    };
    let note = get(&fields, "note");
    let input = ClosureInput {
        action: get(&fields, "action"),
        note: (!note.is_empty()).then_some(note),
    };
    match state
        .store
        .close_safety_alert(&on.ctx, on.id, version, &input)
        .await
    {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(&state, &on.auth, on.patient, spec, &fields, e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Logging a contact.

fn contact_spec(on: &OnRecord<EpisodeKey, op::RecordContact>) -> Spec {
    let roles = codes(&on.auth.user.roles, Role::code, |r| r.label().to_owned());
    Spec {
        title: "Log a contact".into(),
        intro: None,
        action: format!("/episodes/{}/contact", on.id),
        hidden: vec![],
        fields: vec![
            FieldView::new("contact_on", "Date", "date").value(on.ctx.today.to_string()),
            FieldView::select(
                "kind",
                "Kind",
                codes(ContactKind::ALL, ContactKind::code, |k| {
                    k.label().to_owned()
                }),
            )
            .value(ContactKind::FollowUp.code()),
            FieldView::select(
                "modality",
                "How",
                codes(Modality::ALL, Modality::code, |m| humane(m.code())),
            )
            .value(Modality::Phone.code()),
            FieldView::new("minutes", "Minutes", "number")
                .hint("Time spent, including documentation and care coordination."),
            FieldView::select("staff_role", "Acting as", roles.clone()).value(on.role.code()),
            FieldView::select(
                "exclusion",
                "Do the minutes count toward care management?",
                std::iter::once(("".to_owned(), "Yes, they count".to_owned()))
                    .chain(MinutesExclusion::ALL.iter().map(|e| {
                        (
                            e.code().to_owned(),
                            match e {
                                MinutesExclusion::SeparatelyBilled => {
                                    "No: separately billed (e.g. psychotherapy)".to_owned()
                                }
                                MinutesExclusion::Inpatient => {
                                    "No: the patient was inpatient".to_owned()
                                }
                            },
                        )
                    }))
                    .collect(),
            ),
            FieldView::new("note", "Note", "textarea"),
            FieldView::select(
                "label",
                "Who may read it",
                RecordLabel::ALL
                    .iter()
                    .map(|l| {
                        let text = match l {
                            RecordLabel::General => "The care team",
                            RecordLabel::SudPart2 => "Substance use (42 CFR Part 2)",
                            RecordLabel::PsychotherapyNote => "Psychotherapy note",
                        };
                        (l.code().to_owned(), text.to_owned())
                    })
                    .collect(),
            )
            .hint(
                "Part 2: the practitioner and care manager; the psychiatric consultant only with \
                 the patient's Part 2 consent. Psychotherapy note: you alone read the note; the \
                 team sees date, kind and minutes.",
            )
            .value(RecordLabel::General.code()),
        ],
        submit: "Save the contact",
        timer: true,
    }
}

pub async fn contact_form(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::RecordContact>,
) -> Response {
    let spec = contact_spec(&on);
    blank(&state, &on.auth, on.patient, spec)
}

pub async fn contact(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::RecordContact>,
    Form(fields): Form<Fields>,
) -> Response {
    let spec = contact_spec(&on);
    let minutes_raw = get(&fields, "minutes");
    let Ok(minutes) = minutes_raw.parse::<i64>() else {
        return refuse(
            &state,
            &on.auth,
            on.patient,
            spec,
            &fields,
            ApiError::invalid("minutes", "Type the minutes as a whole number, e.g. 20"),
        );
    };
    let exclusion = get(&fields, "exclusion");
    let note = get(&fields, "note");
    let label = get(&fields, "label");
    let input = ContactInput {
        label: (!label.is_empty()).then_some(label),
        contact_on: get(&fields, "contact_on"),
        staff_role: get(&fields, "staff_role"),
        kind: get(&fields, "kind"),
        modality: get(&fields, "modality"),
        minutes,
        exclusion: (!exclusion.is_empty()).then_some(exclusion),
        note: (!note.is_empty()).then_some(note),
    };
    let saved: Result<_, ApiError> = async {
        let details = input.parse(&on.auth.user.roles, on.ctx.today)?;
        Ok(state
            .store
            .add_contact(&on.ctx, on.id, on.auth.user.id, &details, None)
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(&state, &on.auth, on.patient, spec, &fields, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Referring to a program (a new episode).

/// `practitioners`: the choices, and the patient's treating practitioner if there is one.
fn refer_spec(
    on: &OnPatient<op::ManageEpisode>,
    (practitioners, treating): (Vec<(String, String)>, Option<String>),
) -> Spec {
    // The practitioner referring is the one signed in, else the patient's own practitioner.
    let me = if on.role == Role::TreatingPractitioner {
        on.auth.user.id.to_string()
    } else {
        treating.unwrap_or_default()
    };
    Spec {
        title: "Refer to a program".into(),
        intro: Some(
            "A new episode of care, status referred. Enrolment follows once the patient's \
             consent is documented."
                .into(),
        ),
        action: format!("/patients/{}/refer", on.id),
        hidden: vec![],
        fields: vec![
            FieldView::select(
                "program",
                "Program",
                codes(Program::ALL, Program::code, |p| p.label().to_owned()),
            )
            .value(Program::Cocm.code()),
            FieldView::new("referred_on", "Referred on", "date").value(on.ctx.today.to_string()),
            FieldView::select(
                "referring_practitioner",
                "Referring practitioner",
                practitioners,
            )
            .value(me),
        ],
        submit: "Refer",
        timer: false,
    }
}

async fn practitioners(
    state: &AppState,
    on: &OnPatient<op::ManageEpisode>,
) -> Result<(Vec<(String, String)>, Option<String>), ApiError> {
    let treating = state
        .store
        .patient(&on.ctx, on.id)
        .await?
        .assignments
        .treating_practitioner
        .map(|u| u.to_string());
    let mut v = vec![(String::new(), "— choose —".to_owned())];
    v.extend(
        state
            .store
            .users(on.ctx.practice)
            .await?
            .into_iter()
            .filter(|u| !u.disabled && u.roles.contains(&Role::TreatingPractitioner))
            .map(|u| (u.id.to_string(), u.display_name)),
    );
    Ok((v, treating))
}

pub async fn refer_form(
    State(state): State<AppState>,
    on: OnPatient<op::ManageEpisode>,
) -> Response {
    let list = match practitioners(&state, &on).await {
        Ok(l) => l,
        Err(e) => return super::error_page(e),
    };
    blank(&state, &on.auth, on.id, refer_spec(&on, list))
}

pub async fn refer(
    State(state): State<AppState>,
    on: OnPatient<op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let list = match practitioners(&state, &on).await {
        Ok(l) => l,
        Err(e) => return super::error_page(e),
    };
    let spec = refer_spec(&on, list);
    let saved: Result<_, ApiError> = async {
        let mut errors = stepwise_domain::error::ValidationError::new();
        let program = Program::parse(&get(&fields, "program"))
            .map_err(|_| errors.push("program", format!("one of: {}", Program::allowed())))
            .ok();
        let referred_on = errors.check(parse_date("referred_on", &get(&fields, "referred_on")));
        let referrer = match get(&fields, "referring_practitioner").as_str() {
            "" => {
                errors.push(
                    "referring_practitioner",
                    "Choose the referring practitioner",
                );
                None
            }
            raw => match raw.parse::<uuid::Uuid>() {
                Ok(u) => Some(stepwise_domain::ids::UserId::from_uuid(u)),
                Err(_) => {
                    errors.push(
                        "referring_practitioner",
                        "Choose a practitioner from the list",
                    );
                    None
                }
            },
        };
        let (Some(program), Some(referred_on), Some(referrer)) = (program, referred_on, referrer)
        else {
            return Err(ApiError::Invalid(errors));
        };
        Ok(state
            .store
            .create_episode(&on.ctx, on.id, program, referred_on, Some(referrer))
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.id)),
        Err(e) => refuse(&state, &on.auth, on.id, spec, &fields, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Recording a consent.

fn consent_spec(on: &OnRecord<EpisodeKey, op::ManageEpisode>, program: Program) -> Spec {
    let mut fields = vec![
        FieldView::new("consented_on", "Consent given on", "date").value(on.ctx.today.to_string()),
        FieldView::select(
            "method",
            "How",
            codes(ConsentMethod::ALL, ConsentMethod::code, |m| {
                humane(m.code())
            }),
        ),
        FieldView::new(
            "cost_sharing_explained",
            "Cost sharing was explained to the patient",
            "checkbox",
        ),
    ];
    if program == Program::Cocm {
        fields.push(FieldView::new(
            "consult_permission",
            "The patient permits consulting the psychiatric consultant",
            "checkbox",
        ));
    }
    Spec {
        title: format!("Record consent to {}", program.label()),
        intro: Some("Recorded with your name as the person who obtained it.".into()),
        action: format!("/episodes/{}/consent", on.id),
        hidden: vec![],
        fields,
        submit: "Record the consent",
        timer: false,
    }
}

pub async fn consent_form(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
) -> Response {
    let program = match state.store.episode(&on.ctx, on.id).await {
        Ok(d) => d.episode.program,
        Err(e) => return super::error_page(e.into()),
    };
    blank(&state, &on.auth, on.patient, consent_spec(&on, program))
}

pub async fn consent(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let program = match state.store.episode(&on.ctx, on.id).await {
        Ok(d) => d.episode.program,
        Err(e) => return super::error_page(e.into()),
    };
    let spec = consent_spec(&on, program);
    let input = ConsentInput {
        consented_on: get(&fields, "consented_on"),
        method: get(&fields, "method"),
        cost_sharing_explained: checked(&fields, "cost_sharing_explained"),
        consult_permission: checked(&fields, "consult_permission"),
    };
    let saved: Result<_, ApiError> = async {
        let consent = input.parse(program, on.auth.user.id, on.ctx.today)?;
        Ok(state.store.record_consent(&on.ctx, on.id, &consent).await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(&state, &on.auth, on.patient, spec, &fields, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Changing an episode's status.

fn status_spec(
    on: &OnRecord<EpisodeKey, op::ManageEpisode>,
    status: EpisodeStatus,
    version: i64,
) -> Spec {
    let mut steps: Vec<(String, String)> = Vec::new();
    match status {
        EpisodeStatus::Referred => steps.push((
            "enroll".into(),
            "Enroll (needs a documented consent)".into(),
        )),
        EpisodeStatus::Enrolled => {
            steps.push(("start_treatment".into(), "Start active treatment".into()))
        }
        EpisodeStatus::Active => steps.push((
            "begin_relapse_prevention".into(),
            "Begin relapse prevention (write the plan below)".into(),
        )),
        EpisodeStatus::RelapsePrevention => steps.push((
            "start_treatment".into(),
            "Back to active treatment (relapse)".into(),
        )),
        _ => {}
    }
    if !status.is_closed() {
        steps.push((
            "discharge".into(),
            "Discharge (choose the reason below)".into(),
        ));
    }
    let mut reasons = vec![(String::new(), "— only when discharging —".to_owned())];
    reasons.extend(codes(DischargeReason::ALL, DischargeReason::code, |r| {
        humane(r.code())
    }));
    Spec {
        title: "Change the episode's status".into(),
        intro: Some(format!("Now: {}.", status.label())),
        action: format!("/episodes/{}/status", on.id),
        hidden: vec![("version", version.to_string())],
        fields: vec![
            FieldView::select("transition", "Change", steps),
            FieldView::new("on", "Effective on", "date").value(on.ctx.today.to_string()),
            FieldView::new("plan", "Relapse-prevention plan", "textarea").hint(
                "Needed to begin relapse prevention: warning signs, what helps, whom to call.",
            ),
            FieldView::select("reason", "Discharge reason", reasons),
        ],
        submit: "Change the status",
        timer: false,
    }
}

pub async fn status_form(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
) -> Response {
    let ep = match state.store.episode(&on.ctx, on.id).await {
        Ok(d) => d.episode,
        Err(e) => return super::error_page(e.into()),
    };
    blank(
        &state,
        &on.auth,
        on.patient,
        status_spec(&on, ep.status, ep.version),
    )
}

pub async fn status(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let ep = match state.store.episode(&on.ctx, on.id).await {
        Ok(d) => d.episode,
        Err(e) => return super::error_page(e.into()),
    };
    let spec = status_spec(&on, ep.status, ep.version);
    let saved: Result<_, ApiError> = async {
        let mut errors = stepwise_domain::error::ValidationError::new();
        let version = get(&fields, "version").parse::<i64>().map_err(|_| {
            ApiError::invalid("version", "the form is out of date; open the episode again")
        })?;
        let on_date = errors.check(parse_date("on", &get(&fields, "on")));
        let transition = match get(&fields, "transition").as_str() {
            "enroll" => Some(Transition::Enroll),
            "start_treatment" => Some(Transition::StartTreatment),
            "begin_relapse_prevention" => Some(Transition::BeginRelapsePrevention {
                plan: get(&fields, "plan"),
            }),
            "discharge" => match DischargeReason::parse(&get(&fields, "reason")) {
                Ok(reason) => Some(Transition::Discharge { reason }),
                Err(_) => {
                    errors.push("reason", "Choose why the patient is discharged");
                    None
                }
            },
            _ => {
                errors.push("transition", "Choose the change");
                None
            }
        };
        let (Some(on_date), Some(transition)) = (on_date, transition) else {
            return Err(ApiError::Invalid(errors));
        };
        Ok(state
            .store
            .transition_episode(&on.ctx, on.id, version, &transition, on_date)
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(&state, &on.auth, on.patient, spec, &fields, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Registering a patient (front desk, MA/nurse, care manager, practitioner).

/// The fields of a patient's demographics, contact details, payer and care team, as the
/// registration and the correction forms show them.
pub(super) async fn patient_fields(
    state: &AppState,
    practice: stepwise_domain::ids::PracticeId,
) -> Result<Vec<FieldView>, ApiError> {
    let users = state.store.users(practice).await?;
    let with_role = |role: Role| {
        let mut v = vec![(String::new(), "— none yet —".to_owned())];
        v.extend(
            users
                .iter()
                .filter(|u| !u.disabled && u.roles.contains(&role))
                .map(|u| (u.id.to_string(), u.display_name.clone())),
        );
        v
    };
    let mut sites = vec![(String::new(), "— none —".to_owned())];
    sites.extend(
        state
            .store
            .sites(practice)
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name)),
    );
    let mut payers = vec![(String::new(), "— unknown —".to_owned())];
    payers.extend(codes(
        stepwise_domain::patient::PayerKind::ALL,
        stepwise_domain::patient::PayerKind::code,
        |k| humane(k.code()),
    ));
    let mut fields = vec![
        FieldView::new("mrn", "MRN", "text"),
        FieldView::new("given_name", "Given name", "text"),
        FieldView::new("family_name", "Family name", "text"),
        FieldView::new("birth_date", "Date of birth", "date"),
        FieldView::select(
            "sex",
            "Sex",
            codes(
                stepwise_domain::patient::Sex::ALL,
                stepwise_domain::patient::Sex::code,
                |x| humane(x.code()),
            ),
        )
        .value("unknown"),
        FieldView::new("phone", "Phone", "tel"),
        FieldView::new("email", "Email", "email"),
        FieldView::new("address", "Address", "text"),
        FieldView::new("preferred_language", "Preferred language", "text")
            .hint("A language tag: en, es, vi, …")
            .value("en"),
        FieldView::select("payer_kind", "Primary payer", payers),
        FieldView::new("payer_name", "Payer name", "text"),
        FieldView::select(
            "treating_practitioner",
            "Treating practitioner",
            with_role(Role::TreatingPractitioner),
        ),
        FieldView::select("care_manager", "Care manager", with_role(Role::CareManager)),
    ];
    if sites.len() > 1 {
        fields.push(FieldView::select("site", "Site", sites));
    }
    Ok(fields)
}

/// A submitted patient form as the domain's raw input (an empty field is "not given").
pub(super) fn patient_input(fields: &Fields) -> stepwise_domain::patient::PatientInput {
    let optional = |k: &str| Some(get(fields, k)).filter(|v| !v.is_empty());
    stepwise_domain::patient::PatientInput {
        mrn: get(fields, "mrn"),
        given_name: get(fields, "given_name"),
        family_name: get(fields, "family_name"),
        birth_date: get(fields, "birth_date"),
        sex: get(fields, "sex"),
        phone: optional("phone"),
        email: optional("email"),
        address: optional("address"),
        preferred_language: optional("preferred_language"),
        payer_kind: optional("payer_kind"),
        payer_name: optional("payer_name"),
        site: optional("site"),
        treating_practitioner: optional("treating_practitioner"),
        care_manager: optional("care_manager"),
    }
}

async fn register_spec(
    state: &AppState,
    can: &crate::access::Can<op::EditDemographics>,
) -> Result<Spec, ApiError> {
    Ok(Spec {
        title: "Register a patient".into(),
        intro: Some(
            "The MRN is the one in your EHR. The care team can be assigned now or later.".into(),
        ),
        action: "/patients/new".into(),
        hidden: vec![],
        fields: patient_fields(state, can.ctx.practice).await?,
        submit: "Register",
        timer: false,
    })
}

pub async fn register_form(
    State(state): State<AppState>,
    can: crate::access::Can<op::EditDemographics>,
) -> Response {
    match register_spec(&state, &can).await {
        Ok(spec) => blank(&state, &can.auth, Back::Home, spec),
        Err(e) => super::error_page(e),
    }
}

pub async fn register(
    State(state): State<AppState>,
    can: crate::access::Can<op::EditDemographics>,
    Form(fields): Form<Fields>,
) -> Response {
    let spec = match register_spec(&state, &can).await {
        Ok(spec) => spec,
        Err(e) => return super::error_page(e),
    };
    let input = patient_input(&fields);
    let saved: Result<_, ApiError> = async {
        let new = input.parse_new(can.ctx.today)?;
        Ok(state
            .store
            .create_patient(&can.ctx, new.details, new.assignments)
            .await?)
    }
    .await;
    match saved {
        Ok(p) => see_other(&format!("/patients/{}", p.id)),
        Err(e) => refuse(&state, &can.auth, Back::Home, spec, &fields, e),
    }
}

// ---------------------------------------------------------------------------------------------
// The care plan: the treat-to-target goal and the follow-up interval.

fn care_plan_spec(
    on: &OnRecord<EpisodeKey, op::ManageEpisode>,
    rec: &stepwise_store::model::CarePlanRecord,
) -> Spec {
    use stepwise_domain::care_plan::FOLLOW_UP_WEEKS;
    use stepwise_domain::instruments::InstrumentId;
    let targets = [InstrumentId::Phq9, InstrumentId::Gad7]
        .iter()
        .map(|i| (i.code().to_owned(), i.name().to_owned()))
        .collect();
    let weeks = FOLLOW_UP_WEEKS
        .iter()
        .map(|w| {
            let label = if *w == 1 {
                "Every week".to_owned()
            } else {
                format!("Every {w} weeks")
            };
            (w.to_string(), label)
        })
        .collect();
    Spec {
        title: "Change the care plan".into(),
        intro: Some(
            "The target and the follow-up interval drive the caseload's flags (not at target, \
             follow-up overdue)."
                .into(),
        ),
        action: format!("/episodes/{}/care-plan", on.id),
        hidden: vec![("version", rec.version.to_string())],
        fields: vec![
            FieldView::select("target_instrument", "Measured with", targets)
                .value(rec.plan.target_instrument.code()),
            FieldView::new("target_below", "Target: a total below", "number")
                .hint("Remission on the PHQ-9 is a total below 5.")
                .value(rec.plan.target_below.to_string()),
            FieldView::select("follow_up_weeks", "Follow-up", weeks)
                .value(rec.plan.follow_up_weeks.to_string()),
            FieldView::new("goals", "The patient's goals, in their words", "textarea")
                .value(rec.plan.goals.clone().unwrap_or_default()),
        ],
        submit: "Save the care plan",
        timer: false,
    }
}

pub async fn care_plan_form(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
) -> Response {
    match state.store.episode(&on.ctx, on.id).await {
        Ok(d) => blank(
            &state,
            &on.auth,
            on.patient,
            care_plan_spec(&on, &d.care_plan),
        ),
        Err(e) => super::error_page(e.into()),
    }
}

pub async fn care_plan(
    State(state): State<AppState>,
    on: OnRecord<EpisodeKey, op::ManageEpisode>,
    Form(fields): Form<Fields>,
) -> Response {
    let rec = match state.store.episode(&on.ctx, on.id).await {
        Ok(d) => d.care_plan,
        Err(e) => return super::error_page(e.into()),
    };
    let spec = care_plan_spec(&on, &rec);
    let saved: Result<_, ApiError> = async {
        let version = get(&fields, "version").parse::<i64>().map_err(|_| {
            ApiError::invalid("version", "the form is out of date; open the episode again")
        })?;
        let number = |k: &str, errors: &mut stepwise_domain::error::ValidationError| {
            let raw = get(&fields, k);
            raw.parse::<i64>()
                .map_err(|_| errors.push(k, "a whole number"))
                .ok()
        };
        let mut errors = stepwise_domain::error::ValidationError::new();
        let target_below = number("target_below", &mut errors);
        let follow_up_weeks = number("follow_up_weeks", &mut errors);
        let goals = get(&fields, "goals");
        let input = stepwise_domain::care_plan::CarePlanInput {
            target_instrument: Some(get(&fields, "target_instrument")),
            target_below,
            follow_up_weeks: follow_up_weeks.unwrap_or(0),
            goals: (!goals.is_empty()).then_some(goals),
        };
        errors.into_result()?;
        let plan = input.parse()?;
        Ok(state
            .store
            .update_care_plan(&on.ctx, on.id, version, &plan)
            .await?)
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/patients/{}", on.patient)),
        Err(e) => refuse(&state, &on.auth, on.patient, spec, &fields, e),
    }
}
