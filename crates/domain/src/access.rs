//! Who may do what: the decision table of roles × operations × relationship to the patient.
//! Deny by default; every route of the web layer asks this function.
//!
//! The relationship is the user's to the patient: the assigned treating practitioner, the
//! assigned care manager, or (for the psychiatric consultant) any patient in Collaborative Care.

use crate::codes::code_enum;
use crate::role::Role;

code_enum! {
    pub enum Operation ("operation") {
        /// Find patients by name, MRN or date of birth; see identity and contact details.
        ReadDemographics = "read_demographics",
        /// Register a patient or correct demographics and assignments.
        EditDemographics = "edit_demographics",
        /// Episodes, contacts, scores, care plans, recommendations.
        ReadClinical = "read_clinical",
        /// Refer, document consent, change status, care plan, manual flags.
        ManageEpisode = "manage_episode",
        /// Log a contact with its minutes.
        RecordContact = "record_contact",
        /// Record an instrument response (screening at rooming included).
        RecordAssessment = "record_assessment",
        /// Accept or decline a psychiatric recommendation.
        DecideRecommendation = "decide_recommendation",
        /// Mark an accepted recommendation done.
        CompleteRecommendation = "complete_recommendation",
        /// Hold a psychiatric case review and make recommendations.
        RecordCaseReview = "record_case_review",
        /// The psychiatric case-review list.
        ReadReviewList = "read_review_list",
        /// One's own caseload.
        ReadOwnCaseload = "read_own_caseload",
        /// Open psychiatric recommendations: the practitioner's own patients', or all of them
        /// for the psychiatric consultant.
        ReadOpenRecommendations = "read_open_recommendations",
        /// Users, roles, sites, tokens and settings.
        Administer = "administer",
        /// Open safety alerts of one's own patients (as their care manager or treating
        /// practitioner).
        ReadOwnAlerts = "read_own_alerts",
        /// One's own tasks.
        ReadOwnTasks = "read_own_tasks",
        /// Close a patient's safety alert with the action taken.
        CloseSafetyAlert = "close_safety_alert",
        /// Open emergency (break-glass) access to a patient outside one's relationship.
        BreakGlass = "break_glass",
        /// Review a billing month (every patient's lines, holds and explanations), lock it,
        /// adjust a locked month and export its claims.
        CloseBillingMonth = "close_billing_month",
        /// A patient's billing facts (initiating visits, episodes' diagnoses, APCM months, how
        /// the practitioner bills): read them and record or remove APCM months.
        ManageBillingFacts = "manage_billing_facts",
        /// A month's expected revenue, in total and per practitioner (no patient data).
        ReadRevenue = "read_revenue",
        /// The community resource directory and its call list (no patient data).
        ReadDirectory = "read_directory",
        /// Add, correct, import and export directory entries.
        ManageDirectory = "manage_directory",
        /// A patient's referrals and their history (per patient), or the practice's referral
        /// list (practice-wide, for the staff who chase them).
        ReadReferrals = "read_referrals",
        /// Refer a patient (write the referral).
        Refer = "refer",
        /// Record a referral's progress after a call: sent, accepted, scheduled, attended…
        UpdateReferral = "update_referral",
        /// The metrics of success and the baseline (aggregates, no patient listed).
        ReadMetrics = "read_metrics",
        /// Take or enter the baseline.
        ManageBaseline = "manage_baseline",
        /// The practice's plan, its journey and next step (no patient data): every staff role.
        ReadPlan = "read_plan",
        /// Change the practice's plan: the practice administrator (or champion).
        EditPlan = "edit_plan",
        /// The audit report: who did what to which record, when (HIPAA 164.312(b)), on screen
        /// and as CSV. It names patients by id and shows who looked at them: PHI.
        ReadAuditReport = "read_audit_report",
    }
}

/// How the user relates to the patient in question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relation {
    pub assigned_practitioner: bool,
    pub assigned_care_manager: bool,
    /// The patient has a Collaborative Care episode.
    pub in_cocm: bool,
    /// The user holds a live break-glass grant for the patient.
    pub break_glass: bool,
}

/// What break-glass access opens to a clinician outside their relationship: reading the
/// record and what an emergency may require (documenting the contact, a screening, closing a
/// safety alert). Deciding recommendations and managing the episode stay with the care team.
pub const BREAK_GLASS_OPERATIONS: [Operation; 4] = [
    Operation::ReadClinical,
    Operation::RecordContact,
    Operation::RecordAssessment,
    Operation::CloseSafetyAlert,
];

/// Whether `role` may perform `op`. `relation` is `Some` for operations on one patient and
/// `None` for practice-wide operations (search, lists, administration).
pub fn allowed(role: Role, op: Operation, relation: Option<Relation>) -> bool {
    use Operation::*;
    use Role::*;
    let mut rel = relation.unwrap_or_default();
    let per_patient = relation.is_some();
    // Break-glass stands in for the relationship, for the emergency operations only; the
    // role must still be one that could do them for its own patients.
    if rel.break_glass && BREAK_GLASS_OPERATIONS.contains(&op) {
        rel.assigned_practitioner = true;
        rel.assigned_care_manager = true;
        rel.in_cocm = true;
    }
    match op {
        // Billing needs identity for claims; the administrator manages accounts, not patients.
        ReadDemographics => role != PracticeAdmin,
        EditDemographics => matches!(
            role,
            FrontDesk | MaNurse | CareManager | TreatingPractitioner
        ),
        ReadClinical => {
            per_patient
                && match role {
                    TreatingPractitioner => rel.assigned_practitioner,
                    CareManager => rel.assigned_care_manager,
                    Psychiatrist => rel.in_cocm,
                    _ => false,
                }
        }
        ManageEpisode => {
            per_patient
                && match role {
                    TreatingPractitioner => rel.assigned_practitioner,
                    CareManager => rel.assigned_care_manager,
                    _ => false,
                }
        }
        RecordContact => {
            per_patient
                && match role {
                    TreatingPractitioner => rel.assigned_practitioner,
                    CareManager => rel.assigned_care_manager,
                    Psychiatrist => rel.in_cocm,
                    // Outreach and data entry for the care team, for any patient of the practice.
                    MaNurse => true,
                    _ => false,
                }
        }
        // Screening at rooming: any patient of the practice.
        RecordAssessment => {
            per_patient && matches!(role, MaNurse | CareManager | TreatingPractitioner)
                || per_patient && role == Psychiatrist && rel.in_cocm
        }
        DecideRecommendation => {
            per_patient && role == TreatingPractitioner && rel.assigned_practitioner
        }
        CompleteRecommendation => {
            per_patient
                && match role {
                    TreatingPractitioner => rel.assigned_practitioner,
                    CareManager => rel.assigned_care_manager,
                    _ => false,
                }
        }
        RecordCaseReview => role == Psychiatrist,
        ReadReviewList => matches!(role, Psychiatrist | CareManager),
        ReadOwnCaseload => role == CareManager,
        ReadOpenRecommendations => {
            !per_patient && matches!(role, TreatingPractitioner | Psychiatrist)
        }
        Administer => role == PracticeAdmin,
        ReadOwnAlerts => !per_patient && matches!(role, CareManager | TreatingPractitioner),
        // Tasks go to the care team, or to the clinician who recorded a safety answer for a
        // patient without one (domain::safety::responsible_clinician).
        // Front desk is given the follow-up calls of the referrals it chases.
        ReadOwnTasks => !per_patient && (role.is_clinical() || role == FrontDesk),
        // The clinicians who see the patient: the consultant, who usually does not, and the
        // MA, who may record the answer, do not close the alert (reference instruments.md §1:
        // the alert calls for a safety assessment).
        CloseSafetyAlert => {
            per_patient
                && match role {
                    TreatingPractitioner => rel.assigned_practitioner,
                    CareManager => rel.assigned_care_manager,
                    _ => false,
                }
        }
        // Any clinician may ask; whether their account is allowed it is the administrator's
        // per-user setting, checked by the store.
        BreakGlass => per_patient && role.is_clinical(),
        // Claims need identity, codes and diagnoses, never narrative: the billing role only
        // (the administrator manages accounts and settings, not patients).
        CloseBillingMonth => !per_patient && role == Billing,
        // The biller records the APCM months billed; the care team, who record the visits and
        // diagnoses, see them too. Codes and dates only, no narrative.
        ManageBillingFacts => {
            per_patient
                && match role {
                    Billing => true,
                    TreatingPractitioner => rel.assigned_practitioner,
                    CareManager => rel.assigned_care_manager,
                    _ => false,
                }
        }
        ReadRevenue => !per_patient && matches!(role, Billing | PracticeAdmin),
        // The call list is for everyone who answers a patient's question (reference
        // bhi-planning.md §6.3); it holds no patient data.
        ReadDirectory => !per_patient,
        // Front desk keeps the directory (DESIGN.md roles); care managers, who use it most,
        // correct it too; the practice champion owns the inventory (§6.1).
        ManageDirectory => !per_patient && matches!(role, FrontDesk | CareManager | PracticeAdmin),
        // Front desk chases every referral of the practice; the care team sees its own
        // patients'. A referral's reason is clinical narrative: never billing or the admin.
        ReadReferrals => match relation {
            None => role == FrontDesk,
            Some(_) => match role {
                FrontDesk => true,
                TreatingPractitioner => rel.assigned_practitioner,
                CareManager => rel.assigned_care_manager,
                Psychiatrist => rel.in_cocm,
                _ => false,
            },
        },
        // Clinicians refer their own patients (DESIGN.md: "refer … own patients").
        Refer => {
            per_patient
                && match role {
                    TreatingPractitioner => rel.assigned_practitioner,
                    CareManager => rel.assigned_care_manager,
                    _ => false,
                }
        }
        // Staff record each update after a call to the partner (issue 8: it works when the
        // partner never logs in).
        UpdateReferral => {
            per_patient
                && match role {
                    FrontDesk => true,
                    TreatingPractitioner => rel.assigned_practitioner,
                    CareManager => rel.assigned_care_manager,
                    _ => false,
                }
        }
        // Aggregates for the people who run the program (reference §5.4).
        ReadMetrics => {
            !per_patient
                && matches!(
                    role,
                    PracticeAdmin | TreatingPractitioner | CareManager | Psychiatrist
                )
        }
        ManageBaseline => !per_patient && role == PracticeAdmin,
        // The plan belongs to the whole team (issue 7): everyone reads it, the administrator
        // (the practice's champion) edits it.
        ReadPlan => !per_patient,
        EditPlan => !per_patient && role == PracticeAdmin,
        // Reviewing activity is the practice administrator's (HIPAA 164.308(a)(1)(ii)(D),
        // information system activity review; reference security-reliability.md §4.7); the
        // clinicians whose access is reviewed do not review it.
        ReadAuditReport => !per_patient && role == PracticeAdmin,
    }
}

/// The first of a user's roles that allows `op`, if any: the role the user acts in.
pub fn acting_role(roles: &[Role], op: Operation, relation: Option<Relation>) -> Option<Role> {
    roles.iter().copied().find(|r| allowed(*r, op, relation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation::*;
    use Role::*;

    const NONE: Relation = Relation {
        assigned_practitioner: false,
        assigned_care_manager: false,
        in_cocm: false,
        break_glass: false,
    };

    #[test]
    fn billing_and_admin_never_see_clinical_data() {
        for rel in [
            NONE,
            Relation {
                assigned_practitioner: true,
                assigned_care_manager: true,
                in_cocm: true,
                break_glass: false,
            },
        ] {
            for op in [
                ReadClinical,
                ManageEpisode,
                RecordContact,
                RecordAssessment,
                DecideRecommendation,
            ] {
                assert!(!allowed(Billing, op, Some(rel)), "{op}");
                assert!(!allowed(PracticeAdmin, op, Some(rel)), "{op}");
                assert!(!allowed(FrontDesk, op, Some(rel)), "{op}");
            }
        }
        assert!(allowed(Billing, ReadDemographics, None));
        assert!(!allowed(PracticeAdmin, ReadDemographics, None));
    }

    #[test]
    fn clinical_access_follows_the_relationship() {
        let mine = Relation {
            assigned_care_manager: true,
            ..NONE
        };
        assert!(allowed(CareManager, ReadClinical, Some(mine)));
        assert!(
            !allowed(CareManager, ReadClinical, Some(NONE)),
            "another care manager's patient"
        );
        assert!(!allowed(TreatingPractitioner, ReadClinical, Some(mine)));
        assert!(allowed(
            Psychiatrist,
            ReadClinical,
            Some(Relation {
                in_cocm: true,
                ..NONE
            })
        ));
        assert!(!allowed(Psychiatrist, ReadClinical, Some(NONE)));
        // Practice-wide reads of clinical data need a patient.
        assert!(!allowed(CareManager, ReadClinical, None));
    }

    #[test]
    fn only_the_treating_practitioner_decides() {
        let theirs = Relation {
            assigned_practitioner: true,
            in_cocm: true,
            ..NONE
        };
        assert!(allowed(
            TreatingPractitioner,
            DecideRecommendation,
            Some(theirs)
        ));
        assert!(!allowed(
            TreatingPractitioner,
            DecideRecommendation,
            Some(NONE)
        ));
        assert!(!allowed(Psychiatrist, DecideRecommendation, Some(theirs)));
        assert!(!allowed(
            CareManager,
            DecideRecommendation,
            Some(Relation {
                assigned_care_manager: true,
                ..theirs
            })
        ));
    }

    #[test]
    fn only_the_care_team_closes_a_safety_alert() {
        let all = Relation {
            assigned_practitioner: true,
            assigned_care_manager: true,
            in_cocm: true,
            break_glass: false,
        };
        assert!(allowed(
            CareManager,
            CloseSafetyAlert,
            Some(Relation {
                assigned_care_manager: true,
                ..NONE
            })
        ));
        assert!(allowed(
            TreatingPractitioner,
            CloseSafetyAlert,
            Some(Relation {
                assigned_practitioner: true,
                ..NONE
            })
        ));
        assert!(!allowed(CareManager, CloseSafetyAlert, Some(NONE)));
        assert!(!allowed(TreatingPractitioner, CloseSafetyAlert, Some(NONE)));
        for role in [Psychiatrist, MaNurse, FrontDesk, Billing, PracticeAdmin] {
            assert!(!allowed(role, CloseSafetyAlert, Some(all)), "{role}");
        }
        assert!(!allowed(CareManager, CloseSafetyAlert, None));
    }

    #[test]
    fn alerts_and_tasks_lists_are_ones_own() {
        for role in Role::ALL.iter().copied() {
            assert_eq!(
                allowed(role, ReadOwnAlerts, None),
                matches!(role, CareManager | TreatingPractitioner),
                "{role}"
            );
            assert_eq!(
                allowed(role, ReadOwnTasks, None),
                matches!(
                    role,
                    CareManager | TreatingPractitioner | MaNurse | Psychiatrist | FrontDesk
                ),
                "{role}"
            );
            // Lists, never a single patient's record.
            assert!(!allowed(role, ReadOwnAlerts, Some(NONE)));
            assert!(!allowed(role, ReadOwnTasks, Some(NONE)));
        }
    }

    #[test]
    fn month_close_is_the_billing_roles_and_revenue_also_the_administrators() {
        for role in Role::ALL.iter().copied() {
            assert_eq!(
                allowed(role, CloseBillingMonth, None),
                role == Billing,
                "{role}"
            );
            assert_eq!(
                allowed(role, ReadRevenue, None),
                matches!(role, Billing | PracticeAdmin),
                "{role}"
            );
            assert!(!allowed(role, CloseBillingMonth, Some(NONE)));
        }
    }

    #[test]
    fn everyone_reads_the_plan_the_administrator_edits_it() {
        for role in Role::ALL.iter().copied() {
            assert!(allowed(role, ReadPlan, None), "{role}");
            assert_eq!(
                allowed(role, EditPlan, None),
                role == PracticeAdmin,
                "{role}"
            );
            assert!(!allowed(role, ReadPlan, Some(NONE)));
            assert!(!allowed(role, EditPlan, Some(NONE)));
        }
    }

    #[test]
    fn referrals_are_chased_by_front_desk_and_never_seen_by_billing() {
        let all = Relation {
            assigned_practitioner: true,
            assigned_care_manager: true,
            in_cocm: true,
            break_glass: false,
        };
        assert!(allowed(FrontDesk, ReadReferrals, None));
        assert!(allowed(FrontDesk, UpdateReferral, Some(NONE)));
        assert!(!allowed(FrontDesk, Refer, Some(all)));
        assert!(!allowed(CareManager, ReadReferrals, None));
        assert!(!allowed(CareManager, Refer, Some(NONE)));
        assert!(allowed(
            CareManager,
            Refer,
            Some(Relation {
                assigned_care_manager: true,
                ..NONE
            })
        ));
        for op in [ReadReferrals, Refer, UpdateReferral] {
            for role in [Billing, PracticeAdmin, MaNurse] {
                assert!(!allowed(role, op, Some(all)), "{role} {op}");
                assert!(!allowed(role, op, None), "{role} {op}");
            }
        }
        for role in Role::ALL.iter().copied() {
            assert!(allowed(role, ReadDirectory, None), "{role}");
            assert!(!allowed(role, ReadDirectory, Some(all)));
            assert_eq!(
                allowed(role, ReadMetrics, None),
                !matches!(role, Billing | FrontDesk | MaNurse),
                "{role}"
            );
        }
        assert!(allowed(FrontDesk, ManageDirectory, None));
        assert!(!allowed(Billing, ManageDirectory, None));
        assert!(allowed(PracticeAdmin, ManageBaseline, None));
        assert!(!allowed(CareManager, ManageBaseline, None));
    }

    #[test]
    fn only_the_administrator_reads_the_audit_report() {
        for role in Role::ALL.iter().copied() {
            assert_eq!(
                allowed(role, ReadAuditReport, None),
                role == PracticeAdmin,
                "{role}"
            );
            assert!(!allowed(role, ReadAuditReport, Some(NONE)), "{role}");
        }
    }

    #[test]
    fn acting_role_picks_an_allowing_role() {
        let roles = [FrontDesk, CareManager];
        let mine = Relation {
            assigned_care_manager: true,
            ..NONE
        };
        assert_eq!(
            acting_role(&roles, ReadClinical, Some(mine)),
            Some(CareManager)
        );
        assert_eq!(acting_role(&roles, Administer, None), None);
    }

    #[test]
    fn break_glass_opens_emergency_operations_to_clinicians_only() {
        let bg = Relation {
            break_glass: true,
            ..NONE
        };
        for role in [TreatingPractitioner, CareManager, Psychiatrist] {
            assert!(!allowed(role, ReadClinical, Some(NONE)));
            assert!(allowed(role, ReadClinical, Some(bg)), "{role:?}");
            assert!(allowed(role, RecordContact, Some(bg)), "{role:?}");
            assert!(!allowed(role, DecideRecommendation, Some(bg)), "{role:?}");
            assert!(!allowed(role, ManageEpisode, Some(bg)), "{role:?}");
            assert!(allowed(role, BreakGlass, Some(NONE)));
        }
        for role in [Billing, FrontDesk, PracticeAdmin] {
            assert!(!allowed(role, ReadClinical, Some(bg)), "{role:?}");
            assert!(!allowed(role, BreakGlass, Some(NONE)), "{role:?}");
        }
        assert!(!allowed(CareManager, BreakGlass, None));
    }

    #[test]
    fn billing_facts_for_the_biller_and_the_patients_care_team_only() {
        let own = Relation {
            assigned_practitioner: true,
            assigned_care_manager: true,
            in_cocm: true,
            break_glass: false,
        };
        assert!(allowed(Billing, ManageBillingFacts, Some(NONE)));
        assert!(allowed(TreatingPractitioner, ManageBillingFacts, Some(own)));
        assert!(allowed(CareManager, ManageBillingFacts, Some(own)));
        for role in [
            TreatingPractitioner,
            CareManager,
            Psychiatrist,
            MaNurse,
            FrontDesk,
        ] {
            assert!(!allowed(role, ManageBillingFacts, Some(NONE)), "{role:?}");
        }
        assert!(!allowed(PracticeAdmin, ManageBillingFacts, Some(own)));
        assert!(!allowed(Psychiatrist, ManageBillingFacts, Some(own)));
        // Per patient only; break-glass does not open it.
        assert!(!allowed(Billing, ManageBillingFacts, None));
        let bg = Relation {
            break_glass: true,
            ..NONE
        };
        assert!(!allowed(CareManager, ManageBillingFacts, Some(bg)));
    }
}
