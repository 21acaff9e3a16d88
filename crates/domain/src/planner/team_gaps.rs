//! What the team lacks for the chosen model: missing roles, no champion, too many patients
//! per care manager (reference bhi-planning.md §3.2, §4.3, §5.3; cocm-billing-registry.md §9.7).

use super::caseload::{CaseloadProfile, CaseloadRange, NEARLY_FULL_TIME, capacity};
use super::model::CareModel;
use super::team::{TeamMember, has_role, total_fte};
use crate::codes::code_enum;
use crate::role::Role;
use serde::{Deserialize, Serialize};

code_enum! {
    pub enum TeamGapKind ("team gap") {
        NoCareManager = "no_care_manager",
        NoPsychiatricConsultant = "no_psychiatric_consultant",
        NoChampion = "no_champion",
        OverCapacity = "over_capacity",
        AtCapacity = "at_capacity",
        PartTimeCareManager = "part_time_care_manager",
    }
}

code_enum! {
    /// Blocking: the model cannot run without it. Warning: fix soon. Advice: worth considering.
    pub enum Severity ("severity") {
        Blocking = "blocking",
        Warning = "warning",
        Advice = "advice",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamGap {
    pub kind: TeamGapKind,
    pub severity: Severity,
    pub message: String,
    pub basis: String,
}

/// Total capacity of the roster's care managers.
pub fn team_capacity(team: &[TeamMember], profile: CaseloadProfile) -> CaseloadRange {
    capacity(total_fte(team, Role::CareManager), profile)
}

/// Gaps for `model`, given the patients on the caseload today. Blocking gaps first.
pub fn team_gaps(
    team: &[TeamMember],
    model: CareModel,
    current_caseload: u32,
    profile: CaseloadProfile,
) -> Vec<TeamGap> {
    let mut gaps = Vec::new();
    let mut gap = |kind, severity, message: String, basis: &str| {
        gaps.push(TeamGap {
            kind,
            severity,
            message,
            basis: basis.to_owned(),
        })
    };
    let cm_fte = total_fte(team, Role::CareManager);
    if model == CareModel::Cocm && cm_fte == 0 {
        gap(
            TeamGapKind::NoCareManager,
            Severity::Blocking,
            "Collaborative Care needs a behavioral health care manager: hire, train or contract one."
                .into(),
            "CMS MLN BHI fact sheet, bhi-planning.md §4.3; readiness item 5, §3.2",
        );
    }
    if model == CareModel::Cocm && !has_role(team, Role::Psychiatrist) {
        gap(
            TeamGapKind::NoPsychiatricConsultant,
            Severity::Blocking,
            "Collaborative Care needs a psychiatric consultant with weekly time for case review: \
             employed, contracted or by tele-consult."
                .into(),
            "CMS MLN BHI fact sheet, bhi-planning.md §4.3; readiness item 6, §3.2",
        );
    }
    if !team.iter().any(|m| m.champion) {
        gap(
            TeamGapKind::NoChampion,
            Severity::Warning,
            "Name a champion: an implementation leader who can give time and resources and \
             drives the plan."
                .into(),
            "AIMS Center, Identify your champions, bhi-planning.md §3.2; AHRQ Playbook, §3.3",
        );
    }
    if cm_fte > 0 {
        let cap = capacity(cm_fte, profile);
        if current_caseload > cap.high {
            gap(
                TeamGapKind::OverCapacity,
                Severity::Warning,
                format!(
                    "{} on the caseload; your care managers can carry about {} to {}. Add \
                     care-manager time or pause new enrollments.",
                    patients(current_caseload),
                    cap.low,
                    cap.high
                ),
                "AIMS caseload guidance, bhi-planning.md §5.3; cocm-billing-registry.md §9.7",
            );
        } else if current_caseload > cap.low {
            gap(
                TeamGapKind::AtCapacity,
                Severity::Advice,
                format!(
                    "{} on the caseload, in the top of the {} to {} range: plan more \
                     care-manager time before it fills.",
                    patients(current_caseload),
                    cap.low,
                    cap.high
                ),
                "AIMS caseload guidance, bhi-planning.md §5.3",
            );
        }
        if model == CareModel::Cocm && cm_fte < NEARLY_FULL_TIME.hundredths() as u32 {
            gap(
                TeamGapKind::PartTimeCareManager,
                Severity::Advice,
                "AIMS recommends full-time or nearly full-time care managers; small practices can \
                 share one."
                    .into(),
                "AIMS caseload guidance, bhi-planning.md §5.3 (0.8 FTE threshold is ours)",
            );
        }
    }
    gaps.sort_by_key(|g| g.severity);
    gaps
}

/// "1 patient" / "3 patients".
fn patients(n: u32) -> String {
    if n == 1 {
        "1 patient".to_owned()
    } else {
        format!("{n} patients")
    }
}

/// Gaps that stop the model from running.
pub fn blocking(gaps: &[TeamGap]) -> impl Iterator<Item = &TeamGap> {
    gaps.iter().filter(|g| g.severity == Severity::Blocking)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::caseload::{CareScope, PopulationType};
    use crate::planner::team::{Employment, Fte, TeamMemberId};
    use time::macros::date;
    use uuid::Uuid;

    fn member(role: Role, fte: u16, champion: bool) -> TeamMember {
        TeamMember {
            id: TeamMemberId(Uuid::nil()),
            name: role.label().into(),
            role,
            fte: Fte::from_hundredths(fte).unwrap(),
            employment: Employment::Employed,
            champion,
            joined_on: date!(2026 - 01 - 05),
            user: None,
        }
    }

    const COMMERCIAL: CaseloadProfile = CaseloadProfile {
        population: PopulationType::Commercial,
        scope: CareScope::BehavioralOnly,
    };

    fn kinds(g: &[TeamGap]) -> Vec<TeamGapKind> {
        g.iter().map(|g| g.kind).collect()
    }

    #[test]
    fn gaps_table() {
        use TeamGapKind::*;
        let pcp = member(Role::TreatingPractitioner, 100, true);
        let cm = member(Role::CareManager, 100, false);
        let half_cm = member(Role::CareManager, 50, false);
        let psych = member(Role::Psychiatrist, 10, false);
        let cases: Vec<(Vec<TeamMember>, CareModel, u32, Vec<TeamGapKind>)> = vec![
            (
                vec![],
                CareModel::Cocm,
                0,
                vec![NoCareManager, NoPsychiatricConsultant, NoChampion],
            ),
            (vec![], CareModel::Coordinated, 0, vec![NoChampion]),
            (vec![pcp.clone()], CareModel::Coordinated, 0, vec![]),
            (
                vec![pcp.clone(), cm.clone()],
                CareModel::Cocm,
                0,
                vec![NoPsychiatricConsultant],
            ),
            (
                vec![pcp.clone(), cm.clone(), psych.clone()],
                CareModel::Cocm,
                90,
                vec![],
            ),
            (
                vec![pcp.clone(), cm.clone(), psych.clone()],
                CareModel::Cocm,
                91,
                vec![AtCapacity],
            ),
            (
                vec![pcp.clone(), cm.clone(), psych.clone()],
                CareModel::Cocm,
                121,
                vec![OverCapacity],
            ),
            (
                vec![pcp.clone(), half_cm.clone(), psych.clone()],
                CareModel::Cocm,
                61,
                vec![OverCapacity, PartTimeCareManager],
            ),
            (
                vec![pcp.clone(), half_cm.clone(), half_cm.clone(), psych],
                CareModel::Cocm,
                80,
                vec![],
            ),
            (vec![pcp, half_cm], CareModel::Integrated, 10, vec![]),
        ];
        for (team, model, caseload, expected) in cases {
            let g = team_gaps(&team, model, caseload, COMMERCIAL);
            assert_eq!(
                kinds(&g),
                expected,
                "{model} with {} members, {caseload} patients",
                team.len()
            );
            assert!(g.iter().all(|g| g.basis.contains('§')));
        }
    }

    #[test]
    fn caseload_messages_agree_in_number() {
        // 0.01 FTE carries 0 to 1 patient: one patient already fills it, two are over.
        let tiny = [member(Role::CareManager, 1, true)];
        let cases = [
            (1, TeamGapKind::AtCapacity, "1 patient on the caseload,"),
            (2, TeamGapKind::OverCapacity, "2 patients on the caseload;"),
        ];
        for (caseload, kind, start) in cases {
            let g = team_gaps(&tiny, CareModel::Coordinated, caseload, COMMERCIAL);
            let gap = g.iter().find(|g| g.kind == kind).unwrap();
            assert!(gap.message.starts_with(start), "{}", gap.message);
        }
    }

    #[test]
    fn blocking_gaps_come_first_and_messages_carry_the_numbers() {
        let g = team_gaps(
            &[member(Role::CareManager, 100, false)],
            CareModel::Cocm,
            130,
            COMMERCIAL,
        );
        assert_eq!(g[0].kind, TeamGapKind::NoPsychiatricConsultant);
        assert_eq!(blocking(&g).count(), 1);
        let over = g
            .iter()
            .find(|g| g.kind == TeamGapKind::OverCapacity)
            .unwrap();
        assert!(over.message.starts_with("130 patients"), "{}", over.message);
        assert!(over.message.contains("about 90 to 120"));
        assert_eq!(
            team_capacity(
                &[member(Role::CareManager, 100, false)],
                CaseloadProfile::default()
            ),
            CaseloadRange { low: 50, high: 75 }
        );
    }
}
