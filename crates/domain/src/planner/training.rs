//! Training: a plan per role with materials, group sessions with attendance, and refreshers
//! every six months and whenever someone new joins (AIMS phase 3 "Build clinical skills" and
//! phase 5 "reboot training when new staff join", reference bhi-planning.md §3.2 [V], §4.4 [P]).

use super::model::CareModel;
use super::team::{TeamMember, TeamMemberId};
use crate::calendar::add_months;
use crate::codes::code_enum;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    pub title: String,
    /// Who publishes it, or "Stepwise" for what the plan generates.
    pub source: String,
    /// Where to find it (an `https://` or `http://` link), when it is online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingModule {
    /// Stable key (snake_case).
    pub code: String,
    pub title: String,
    /// Who takes it.
    pub roles: Vec<Role>,
    pub materials: Vec<Material>,
    /// Months until a refresher is due (default 6, AIMS review cadence).
    pub refresher_months: u8,
    /// Everyone retakes it when a new colleague joins, so the team relearns it together.
    pub refresh_on_new_hire: bool,
    pub basis: String,
}

/// A group session; attendance counts as completion on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingSession {
    pub module: String,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub held_on: Date,
    /// Invited members; a future session shows as "scheduled" for them.
    #[serde(default)]
    pub invited: Vec<TeamMemberId>,
    /// Members who attended; recorded after the session.
    #[serde(default)]
    pub attended: Vec<TeamMemberId>,
}

/// Training done alone (a video, a reading, an external course).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completion {
    pub member: TeamMemberId,
    pub module: String,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub completed_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingPlan {
    pub modules: Vec<TrainingModule>,
    #[serde(default)]
    pub sessions: Vec<TrainingSession>,
    #[serde(default)]
    pub completions: Vec<Completion>,
    #[serde(default)]
    pub settings: TrainingSettings,
}

/// Adjustable timing, with our defaults [P].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingSettings {
    /// Days after joining by which a new member's first training is due.
    pub initial_within_days: u16,
    /// Show training this many days before it falls due.
    pub due_soon_days: u16,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        Self {
            initial_within_days: 30,
            due_soon_days: 30,
        }
    }
}

code_enum! {
    pub enum DueReason ("training due reason") {
        /// Never completed.
        Initial = "initial",
        /// Six months (or the module's interval) since the last completion.
        Refresher = "refresher",
        /// A colleague joined since the last completion.
        NewColleague = "new_colleague",
    }
}

code_enum! {
    pub enum DueStatus ("training due status") {
        /// Falls due soon or today.
        Due = "due",
        /// Past its date.
        Overdue = "overdue",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingDue {
    pub member: TeamMemberId,
    pub member_name: String,
    pub module: String,
    pub module_title: String,
    pub reason: DueReason,
    pub status: DueStatus,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: Date,
    /// A future session the member is invited to.
    #[serde(default, with = "super::dates::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub scheduled_on: Option<Date>,
}

/// A row of the default curriculum.
struct DefaultModule {
    code: &'static str,
    title: &'static str,
    roles: &'static [Role],
    materials: &'static [(&'static str, &'static str)],
    refresh_on_new_hire: bool,
    cocm_only: bool,
    basis: &'static str,
}

use Role::{
    Billing as BL, CareManager as CM, FrontDesk as FD, MaNurse as MA, PracticeAdmin as AD,
    Psychiatrist as PS, TreatingPractitioner as TP,
};

const EVERYONE: &[Role] = &[TP, MA, CM, PS, FD, BL, AD];

/// Our default curriculum [P], from the roles and steps of bhi-planning.md §4 and the AIMS
/// phases of §3.2. Materials are named, not reproduced.
const DEFAULT_MODULES: [DefaultModule; 9] = [
    DefaultModule {
        code: "workflow_and_roles",
        title: "Our workflow plan and your role card",
        roles: EVERYONE,
        materials: &[
            ("Your practice's workflow plan and role cards", "Stepwise"),
            ("Team Building and Workflow Guide worksheets", "AIMS Center"),
        ],
        refresh_on_new_hire: true,
        cocm_only: false,
        basis: "AIMS Team Building and Workflow Guide, bhi-planning.md §4.1; reboot training when new staff join, §3.2",
    },
    DefaultModule {
        code: "model_principles",
        title: "How integrated care works here: the model and its principles",
        roles: &[TP, MA, CM, PS, AD],
        materials: &[(
            "Collaborative Care principles and implementation guide",
            "AIMS Center",
        )],
        refresh_on_new_hire: false,
        cocm_only: false,
        basis: "AIMS phase 1, the five principles, bhi-planning.md §3.2; cocm-billing-registry.md §9.1",
    },
    DefaultModule {
        code: "screening",
        title: "Screening, scoring and the suicide item",
        roles: &[TP, MA, CM],
        materials: &[
            ("Your practice's screening protocol", "Stepwise"),
            (
                "Guide for staff answering patients' questions about the PHQ-9",
                "AIMS Center",
            ),
        ],
        refresh_on_new_hire: false,
        cocm_only: false,
        basis: "Workflow steps 2–3, bhi-planning.md §4.2; AIMS Educate your patients, §7.4",
    },
    DefaultModule {
        code: "crisis_protocol",
        title: "Suicide risk and the crisis protocol",
        roles: &[TP, MA, CM, PS, FD],
        materials: &[
            (
                "Your practice's crisis protocol and referral call list",
                "Stepwise",
            ),
            ("988 Suicide & Crisis Lifeline", "SAMHSA"),
        ],
        refresh_on_new_hire: false,
        cocm_only: false,
        basis: "AIMS workflow phase 1 and AMA workflow guide, bhi-planning.md §3.4, §4.1",
    },
    DefaultModule {
        code: "patient_conversations",
        title: "Talking with patients: consent, how the program works, privacy",
        roles: &[TP, MA, CM],
        materials: &[
            ("Consent conversation and patient explainers", "Stepwise"),
            ("Guidance on obtaining verbal consent", "AIMS Center"),
        ],
        refresh_on_new_hire: false,
        cocm_only: false,
        basis: "Consent elements, bhi-planning.md §7.1; AIMS Educate your patients, §7.4",
    },
    DefaultModule {
        code: "care_manager_core",
        title: "Care manager: rating scales, care plans, brief interventions, the registry",
        roles: &[CM],
        materials: &[
            (
                "Behavioral Activation handout and activity-scheduling worksheet",
                "AIMS Center",
            ),
            ("Using the Stepwise caseload and registry", "Stepwise"),
        ],
        refresh_on_new_hire: false,
        cocm_only: false,
        basis: "CPT 99492 required elements, cocm-billing-registry.md §2.1; BHCM role, bhi-planning.md §4.3",
    },
    DefaultModule {
        code: "case_review",
        title: "The weekly psychiatric case review",
        roles: &[CM, PS, TP],
        materials: &[(
            "Preparing and running the case review in Stepwise",
            "Stepwise",
        )],
        refresh_on_new_hire: false,
        cocm_only: true,
        basis: "Weekly caseload consultation, cocm-billing-registry.md §2.1, §9.8",
    },
    DefaultModule {
        code: "referrals_call_list",
        title: "The referral call list and closing the loop",
        roles: &[FD, CM],
        materials: &[("Your practice's referral call list", "Stepwise")],
        refresh_on_new_hire: false,
        cocm_only: false,
        basis: "AMA workflow guide, bhi-planning.md §3.4; call list and closed loop, §6.3–§6.4",
    },
    DefaultModule {
        code: "time_and_billing",
        title: "Consent, time capture and the monthly bill",
        roles: &[TP, CM, BL],
        materials: &[("Billing explained (docs/billing)", "Stepwise")],
        refresh_on_new_hire: false,
        cocm_only: false,
        basis: "Time rules and consent, cocm-billing-registry.md §2.5, §3",
    },
];

/// Refresher interval (AIMS: revisit every six months, bhi-planning.md §3.2, §4.4).
pub const REFRESHER_MONTHS: u8 = 6;

/// The default training plan for `model`: modules only, no sessions yet.
pub fn default_training_plan(model: CareModel) -> TrainingPlan {
    TrainingPlan {
        modules: DEFAULT_MODULES
            .iter()
            .filter(|m| model == CareModel::Cocm || !m.cocm_only)
            .map(|m| TrainingModule {
                code: m.code.to_owned(),
                title: m.title.to_owned(),
                roles: m
                    .roles
                    .iter()
                    .copied()
                    .filter(|r| model == CareModel::Cocm || *r != Role::Psychiatrist)
                    .collect(),
                materials: m
                    .materials
                    .iter()
                    .map(|(title, source)| Material {
                        title: (*title).to_owned(),
                        source: (*source).to_owned(),
                        url: None,
                    })
                    .collect(),
                refresher_months: REFRESHER_MONTHS,
                refresh_on_new_hire: m.refresh_on_new_hire,
                basis: m.basis.to_owned(),
            })
            .collect(),
        sessions: Vec::new(),
        completions: Vec::new(),
        settings: TrainingSettings::default(),
    }
}

/// Longest refresher interval a module may have: three years.
pub const MAX_REFRESHER_MONTHS: u8 = 36;
/// Who a module the practice adds is credited to.
pub const PRACTICE_SOURCE: &str = "Our practice";

/// What a person enters for a module, as typed. Materials: one a line, `title` or
/// `title | link`.
#[derive(Debug, Clone, Default)]
pub struct ModuleInput {
    pub title: String,
    pub roles: Vec<Role>,
    pub materials: String,
    pub refresher_months: String,
    pub refresh_on_new_hire: bool,
}

/// A link a staff member can follow: http or https, no spaces.
fn valid_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > 8
        && url.len() <= 500
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl ModuleInput {
    /// The module, replacing `existing` (its code, basis and the sources of materials kept
    /// by title) or new in `plan` (a code made from the title).
    pub fn parse(
        self,
        plan: &TrainingPlan,
        existing: Option<&TrainingModule>,
    ) -> Result<TrainingModule, crate::error::ValidationError> {
        let mut errors = crate::error::ValidationError::new();
        let refresher_months = match self.refresher_months.trim().parse::<u8>() {
            Ok(n) => n,
            Err(_) => {
                errors.push(
                    "refresher_months",
                    format!("a whole number of months from 1 to {MAX_REFRESHER_MONTHS}"),
                );
                REFRESHER_MONTHS
            }
        };
        let materials = self
            .materials
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let (title, url) = match line.rsplit_once('|') {
                    Some((t, u)) => (t.trim(), Some(u.trim().to_owned())),
                    None => (line, None),
                };
                let source = existing
                    .and_then(|m| m.materials.iter().find(|x| x.title == title))
                    .map_or_else(|| PRACTICE_SOURCE.to_owned(), |x| x.source.clone());
                Material {
                    title: title.to_owned(),
                    source,
                    url: url.filter(|u| !u.is_empty()),
                }
            })
            .collect();
        let module = TrainingModule {
            code: existing.map_or_else(
                || {
                    super::workflow::new_key(&self.title, "module", |k| {
                        plan.modules.iter().any(|m| m.code == k)
                    })
                },
                |m| m.code.clone(),
            ),
            title: self.title.trim().to_owned(),
            roles: self.roles,
            materials,
            refresher_months,
            refresh_on_new_hire: self.refresh_on_new_hire,
            basis: existing.map_or_else(|| "Added by the practice".to_owned(), |m| m.basis.clone()),
        };
        if let Err(e) = validate_module(&module) {
            errors.errors.extend(e.errors);
        }
        errors.into_result().map(|()| module)
    }
}

/// A module as stored: a title, at least one role, a refresher interval of 1 to 36 months,
/// and materials each with a title and, when given, a link.
pub fn validate_module(m: &TrainingModule) -> Result<(), crate::error::ValidationError> {
    let mut errors = crate::error::ValidationError::new();
    if m.title.trim().is_empty() {
        errors.push("title", "must not be empty");
    } else if m.title.chars().count() > 200 {
        errors.push("title", "keep it under 200 characters");
    }
    if m.roles.is_empty() {
        errors.push("roles", "tick at least one role who takes it");
    }
    if !(1..=MAX_REFRESHER_MONTHS).contains(&m.refresher_months) {
        errors.push(
            "refresher_months",
            format!("a whole number of months from 1 to {MAX_REFRESHER_MONTHS}"),
        );
    }
    for x in &m.materials {
        if x.title.trim().is_empty() {
            errors.push("materials", "each material needs a title before its link");
        }
        if x.url.as_deref().is_some_and(|u| !valid_link(u)) {
            errors.push(
                "materials",
                format!("'{}' needs a link starting with https://", x.title),
            );
        }
    }
    errors.into_result()
}

impl TrainingPlan {
    /// Every module valid, each code used once.
    pub fn validate(&self) -> Result<(), crate::error::ValidationError> {
        let mut errors = crate::error::ValidationError::new();
        for (i, m) in self.modules.iter().enumerate() {
            if self.modules[..i].iter().any(|x| x.code == m.code) {
                errors.push(
                    format!("modules[{i}].code"),
                    format!("'{}' appears twice", m.code),
                );
            }
            if let Err(e) = validate_module(m) {
                errors
                    .errors
                    .extend(e.nested(&format!("modules[{i}]")).errors);
            }
        }
        errors.into_result()
    }

    /// Remove the module at `index`. Refused while a session or completion records it: the
    /// record of who was trained stays readable.
    pub fn remove_module(
        &mut self,
        index: usize,
    ) -> Result<TrainingModule, crate::error::ValidationError> {
        let Some(m) = self.modules.get(index) else {
            return Err(crate::error::ValidationError::field(
                "module",
                "that module is no longer in the plan",
            ));
        };
        let sessions = self.sessions.iter().filter(|s| s.module == m.code).count();
        let done = self
            .completions
            .iter()
            .filter(|c| c.module == m.code)
            .count();
        if sessions + done > 0 {
            return Err(crate::error::ValidationError::field(
                "module",
                format!(
                    "'{}' cannot be removed: {sessions} session(s) and {done} completion(s) record it, \
                     and that record stays readable. Change its roles or refresher instead.",
                    m.title
                ),
            ));
        }
        Ok(self.modules.remove(index))
    }
    /// The training plan of one role: the modules it takes, in plan order.
    pub fn for_role(&self, role: Role) -> Vec<&TrainingModule> {
        self.modules
            .iter()
            .filter(|m| m.roles.contains(&role))
            .collect()
    }

    /// The last day `member` completed `module` on or before `today` (a session attended or a
    /// completion recorded).
    pub fn last_completed(&self, member: TeamMemberId, module: &str, today: Date) -> Option<Date> {
        let attended = self
            .sessions
            .iter()
            .filter(|s| s.module == module && s.held_on <= today && s.attended.contains(&member))
            .map(|s| s.held_on);
        let alone = self
            .completions
            .iter()
            .filter(|c| c.module == module && c.member == member && c.completed_on <= today)
            .map(|c| c.completed_on);
        attended.chain(alone).max()
    }

    fn next_session(&self, member: TeamMemberId, module: &str, today: Date) -> Option<Date> {
        self.sessions
            .iter()
            .filter(|s| s.module == module && s.held_on > today && s.invited.contains(&member))
            .map(|s| s.held_on)
            .min()
    }
}

/// Who is due or overdue for what on `today`, most overdue first.
pub fn training_due(plan: &TrainingPlan, team: &[TeamMember], today: Date) -> Vec<TrainingDue> {
    due_with(plan, team, today, plan.settings)
}

fn due_with(
    plan: &TrainingPlan,
    team: &[TeamMember],
    today: Date,
    settings: TrainingSettings,
) -> Vec<TrainingDue> {
    let grace = Duration::days(settings.initial_within_days as i64);
    let mut due = Vec::new();
    for member in team {
        for module in plan
            .modules
            .iter()
            .filter(|m| m.roles.contains(&member.role))
        {
            let (reason, due_on) = match plan.last_completed(member.id, &module.code, today) {
                None => (DueReason::Initial, member.joined_on + grace),
                Some(last) => {
                    let refresher = add_months(last, module.refresher_months as i32);
                    let newcomer = module
                        .refresh_on_new_hire
                        .then(|| {
                            team.iter()
                                .filter(|c| c.id != member.id && c.joined_on > last)
                                .map(|c| c.joined_on + grace)
                                .min()
                        })
                        .flatten();
                    match newcomer {
                        Some(d) if d < refresher => (DueReason::NewColleague, d),
                        _ => (DueReason::Refresher, refresher),
                    }
                }
            };
            if today + Duration::days(settings.due_soon_days as i64) < due_on {
                continue;
            }
            due.push(TrainingDue {
                member: member.id,
                member_name: member.name.clone(),
                module: module.code.clone(),
                module_title: module.title.clone(),
                reason,
                status: if today > due_on {
                    DueStatus::Overdue
                } else {
                    DueStatus::Due
                },
                due_on,
                scheduled_on: plan.next_session(member.id, &module.code, today),
            });
        }
    }
    due.sort_by(|a, b| {
        a.due_on
            .cmp(&b.due_on)
            .then(a.member_name.cmp(&b.member_name))
    });
    due
}

/// Share of (member, module) pairs that are current on `today`, in [0, 1]; 1 when nobody has
/// anything to take.
pub fn training_completion(plan: &TrainingPlan, team: &[TeamMember], today: Date) -> f64 {
    let pairs: Vec<(TeamMemberId, &str)> = team
        .iter()
        .flat_map(|m| {
            plan.modules
                .iter()
                .filter(|t| t.roles.contains(&m.role))
                .map(move |t| (m.id, t.code.as_str()))
        })
        .collect();
    if pairs.is_empty() {
        return 1.0;
    }
    let overdue: Vec<(TeamMemberId, String)> = due_with(
        plan,
        team,
        today,
        TrainingSettings {
            due_soon_days: 0,
            ..plan.settings
        },
    )
    .into_iter()
    .map(|d| (d.member, d.module))
    .collect();
    let current = pairs
        .iter()
        .filter(|(m, code)| {
            plan.last_completed(*m, code, today).is_some()
                && !overdue.iter().any(|(om, oc)| om == m && oc == code)
        })
        .count();
    current as f64 / pairs.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::team::{Employment, Fte};
    use proptest::prelude::*;
    use time::macros::date;
    use uuid::Uuid;

    fn member(n: u128, role: Role, joined_on: Date) -> TeamMember {
        TeamMember {
            id: TeamMemberId(Uuid::from_u128(n)),
            name: format!("{} {n}", role.label()),
            role,
            fte: Fte::FULL,
            employment: Employment::Employed,
            champion: false,
            joined_on,
            user: None,
        }
    }

    fn only(plan: &TrainingPlan, codes: &[&str]) -> TrainingPlan {
        TrainingPlan {
            modules: plan
                .modules
                .iter()
                .filter(|m| codes.contains(&m.code.as_str()))
                .cloned()
                .collect(),
            ..plan.clone()
        }
    }

    #[test]
    fn default_curriculum_per_model() {
        let cocm = default_training_plan(CareModel::Cocm);
        assert_eq!(cocm.modules.len(), 9);
        assert!(
            cocm.modules
                .iter()
                .all(|m| m.refresher_months == 6 && !m.materials.is_empty())
        );
        let coordinated = default_training_plan(CareModel::Coordinated);
        assert_eq!(coordinated.modules.len(), 8);
        assert!(
            coordinated
                .modules
                .iter()
                .all(|m| !m.roles.contains(&Role::Psychiatrist))
        );
        // Every role has something to learn.
        for role in Role::ALL {
            assert!(
                cocm.modules.iter().any(|m| m.roles.contains(role)),
                "{role}"
            );
        }
    }

    #[test]
    fn new_members_are_due_at_once_and_overdue_after_30_days() {
        let plan = only(
            &default_training_plan(CareModel::Cocm),
            &["workflow_and_roles"],
        );
        let team = [member(1, Role::MaNurse, date!(2026 - 03 - 02))];
        let d = training_due(&plan, &team, date!(2026 - 03 - 02));
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].reason, d[0].status),
            (DueReason::Initial, DueStatus::Due)
        );
        assert_eq!(d[0].due_on, date!(2026 - 04 - 01));
        let d = training_due(&plan, &team, date!(2026 - 04 - 02));
        assert_eq!(d[0].status, DueStatus::Overdue);
    }

    /// (completed on, today) → expected (reason, status) or nothing.
    #[test]
    fn refreshers_every_six_months() {
        let plan = only(&default_training_plan(CareModel::Cocm), &["screening"]);
        let ma = member(1, Role::MaNurse, date!(2026 - 01 - 05));
        let cases = [
            (date!(2026 - 01 - 20), date!(2026 - 06 - 15), None),
            (
                date!(2026 - 01 - 20),
                date!(2026 - 06 - 21),
                Some((DueReason::Refresher, DueStatus::Due)),
            ),
            (
                date!(2026 - 01 - 20),
                date!(2026 - 07 - 20),
                Some((DueReason::Refresher, DueStatus::Due)),
            ),
            (
                date!(2026 - 01 - 20),
                date!(2026 - 07 - 21),
                Some((DueReason::Refresher, DueStatus::Overdue)),
            ),
        ];
        for (done, today, expected) in cases {
            let mut p = plan.clone();
            p.completions.push(Completion {
                member: ma.id,
                module: "screening".into(),
                completed_on: done,
            });
            let d = training_due(&p, std::slice::from_ref(&ma), today);
            assert_eq!(d.first().map(|d| (d.reason, d.status)), expected, "{today}");
        }
    }

    #[test]
    fn a_new_colleague_reboots_team_modules_only() {
        let plan = only(
            &default_training_plan(CareModel::Cocm),
            &["workflow_and_roles", "screening"],
        );
        let old = member(1, Role::MaNurse, date!(2026 - 01 - 05));
        let new = member(2, Role::FrontDesk, date!(2026 - 04 - 01));
        let mut p = plan.clone();
        for code in ["workflow_and_roles", "screening"] {
            p.sessions.push(TrainingSession {
                module: code.into(),
                held_on: date!(2026 - 01 - 20),
                invited: vec![old.id],
                attended: vec![old.id],
            });
        }
        p.sessions.push(TrainingSession {
            module: "workflow_and_roles".into(),
            held_on: date!(2026 - 04 - 20),
            invited: vec![old.id, new.id],
            attended: vec![],
        });
        let team = [old.clone(), new.clone()];
        let d = training_due(&p, &team, date!(2026 - 04 - 10));
        let old_due: Vec<_> = d.iter().filter(|d| d.member == old.id).collect();
        assert_eq!(old_due.len(), 1);
        assert_eq!(old_due[0].module, "workflow_and_roles");
        assert_eq!(old_due[0].reason, DueReason::NewColleague);
        assert_eq!(old_due[0].due_on, date!(2026 - 05 - 01));
        assert_eq!(old_due[0].scheduled_on, Some(date!(2026 - 04 - 20)));
        let new_due: Vec<_> = d
            .iter()
            .filter(|d| d.member == new.id)
            .map(|d| d.module.as_str())
            .collect();
        assert_eq!(new_due, ["workflow_and_roles"]);

        // Once the session is held with both attending, nothing is due.
        p.sessions[2].attended = vec![old.id, new.id];
        assert!(training_due(&p, &team, date!(2026 - 04 - 21)).is_empty());
        assert_eq!(training_completion(&p, &team, date!(2026 - 04 - 21)), 1.0);
    }

    #[test]
    fn completion_counts_current_pairs() {
        let plan = only(
            &default_training_plan(CareModel::Cocm),
            &["workflow_and_roles", "screening"],
        );
        let ma = member(1, Role::MaNurse, date!(2026 - 01 - 05));
        let fd = member(2, Role::FrontDesk, date!(2026 - 01 - 05));
        let mut p = plan.clone();
        p.completions.push(Completion {
            member: ma.id,
            module: "screening".into(),
            completed_on: date!(2026 - 01 - 10),
        });
        // MA: workflow + screening; front desk: workflow → 1 of 3 current.
        let c = training_completion(&p, &[ma, fd], date!(2026 - 02 - 01));
        assert!((c - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(training_completion(&p, &[], date!(2026 - 02 - 01)), 1.0);
    }

    proptest! {
        #[test]
        fn completion_is_a_fraction(days in proptest::collection::vec(0i64..400, 0..6), today in 0i64..500) {
            let start = date!(2026 - 01 - 01);
            let plan = default_training_plan(CareModel::Cocm);
            let team: Vec<TeamMember> = Role::ALL.iter().enumerate().map(|(n, r)| member(n as u128, *r, start)).collect();
            let mut p = plan.clone();
            for (n, d) in days.iter().enumerate() {
                p.completions.push(Completion {
                    member: team[n % team.len()].id,
                    module: plan.modules[n % plan.modules.len()].code.clone(),
                    completed_on: start + Duration::days(*d),
                });
            }
            let c = training_completion(&p, &team, start + Duration::days(today));
            prop_assert!((0.0..=1.0).contains(&c));
        }
    }

    fn module_input(title: &str, months: &str, materials: &str) -> ModuleInput {
        ModuleInput {
            title: title.into(),
            roles: vec![Role::CareManager],
            materials: materials.into(),
            refresher_months: months.into(),
            refresh_on_new_hire: false,
        }
    }

    #[test]
    fn a_module_is_added_with_links_and_refused_by_field() {
        let mut plan = default_training_plan(CareModel::Cocm);
        let m = module_input(
            "Motivational interviewing",
            "12",
            "MI basics | https://example.org/mi\nPractice script\n",
        )
        .parse(&plan, None)
        .unwrap();
        assert_eq!(m.code, "motivational_interviewing");
        assert_eq!(m.materials.len(), 2);
        assert_eq!(
            m.materials[0].url.as_deref(),
            Some("https://example.org/mi")
        );
        assert_eq!(m.materials[1].source, PRACTICE_SOURCE);
        plan.modules.push(m);
        assert_eq!(plan.validate(), Ok(()));
        // The same title again gets its own code.
        let again = module_input("Motivational interviewing", "6", "")
            .parse(&plan, None)
            .unwrap();
        assert_eq!(again.code, "motivational_interviewing_2");

        let mut bad = module_input(" ", "0", "Video | javascript:alert(1)\n | https://x.org");
        bad.roles.clear();
        let fields: Vec<String> = bad
            .parse(&plan, None)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "title",
                "roles",
                "refresher_months",
                "materials",
                "materials"
            ]
        );
        let e = module_input("X", "many", "")
            .parse(&plan, None)
            .unwrap_err();
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].field, "refresher_months");
    }

    #[test]
    fn editing_keeps_code_and_sources_and_recorded_modules_stay() {
        let mut plan = default_training_plan(CareModel::Cocm);
        let first = plan.modules[0].clone();
        let lines: Vec<String> = first.materials.iter().map(|m| m.title.clone()).collect();
        let edited = module_input("New title", "9", &lines.join("\n"))
            .parse(&plan, Some(&first))
            .unwrap();
        assert_eq!(edited.code, first.code);
        assert_eq!(edited.materials, first.materials);
        assert_eq!(edited.refresher_months, 9);

        plan.completions.push(Completion {
            member: TeamMemberId(uuid::Uuid::nil()),
            module: first.code.clone(),
            completed_on: time::macros::date!(2026 - 01 - 05),
        });
        let e = plan.remove_module(0).unwrap_err();
        assert!(e.errors[0].message.contains("1 completion(s)"), "{e}");
        let n = plan.modules.len();
        assert_eq!(
            plan.remove_module(1).unwrap().code,
            plan_codes(CareModel::Cocm)[1]
        );
        assert_eq!(plan.modules.len(), n - 1);
        assert!(plan.remove_module(99).is_err());
    }

    fn plan_codes(model: CareModel) -> Vec<String> {
        default_training_plan(model)
            .modules
            .into_iter()
            .map(|m| m.code)
            .collect()
    }
}
