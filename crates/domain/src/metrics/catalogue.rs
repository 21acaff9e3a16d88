//! The metrics catalogue (reference bhi-planning.md §5.1), as data: each metric's code, name,
//! plain-language definition, numerator, denominator, window and source. docs/metrics.md
//! explains the same table for practices; a test keeps the two in step.

use crate::codes::code_enum;
use serde::Serialize;

code_enum! {
    /// A metric of success. The reference's id (M1–M12) is in [`MetricDefinition::reference_id`].
    pub enum MetricCode ("metric") {
        DepressionScreening = "depression_screening",
        ScreeningFollowUp = "screening_follow_up",
        Phq9Utilization = "phq9_utilization",
        Phq9FollowUp = "phq9_follow_up",
        Response = "response",
        Remission = "remission",
        ClinicallySignificantImprovement = "clinically_significant_improvement",
        EarlyFollowUp4Weeks = "early_follow_up_4w",
        EarlyFollowUp2Weeks = "early_follow_up_2w",
        NonResponderConsultation = "non_responder_consultation",
        CaseloadReviewed = "caseload_reviewed",
        TimeToFirstContact = "time_to_first_contact",
        ReferralScheduled = "referral_scheduled",
        ReferralAttended = "referral_attended",
        ReferralLoopClosed = "referral_loop_closed",
        CaseloadPerFte = "caseload_per_fte",
        CaseloadContacted = "caseload_contacted",
    }
}

code_enum! {
    /// What a metric's value measures.
    pub enum MetricUnit ("metric unit") {
        /// numerator / denominator × 100.
        Percent = "percent",
        /// The median of the days measured (see the metric's definition).
        Days = "days",
        /// Open episodes per 1.0 FTE care manager: numerator / (denominator / 100).
        PatientsPerFte = "patients_per_fte",
    }
}

code_enum! {
    /// Which way is better, for comparing a value with the baseline.
    pub enum Better ("direction") {
        Higher = "higher",
        Lower = "lower",
        /// Neither: a value is judged against a range (caseload size, §5.3).
        InRange = "in_range",
    }
}

/// A metric's definition, with its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetricDefinition {
    pub code: MetricCode,
    /// M1–M12 of reference §5.1 (or the section that defines it).
    pub reference_id: &'static str,
    pub name: &'static str,
    pub definition: &'static str,
    pub numerator: &'static str,
    pub denominator: &'static str,
    pub window: &'static str,
    pub source: &'static str,
    pub unit: MetricUnit,
    pub better: Better,
}

use Better::{Higher, InRange, Lower};
use MetricCode::*;
use MetricUnit::{Days, PatientsPerFte, Percent};

/// The catalogue, in the order of reference §5.1.
pub const CATALOGUE: &[MetricDefinition] = &[
    MetricDefinition {
        code: DepressionScreening,
        reference_id: "M1",
        name: "Depression screening",
        definition: "Share of patients aged 12 or older seen in the period who were screened for depression with a standardised tool (PHQ-2, PHQ-9, PHQ-A or EPDS).",
        numerator: "Patients of the denominator with a depression screening dated in the period.",
        denominator: "Patients with a visit in the period, aged 12 or older on its first day (age unknown counts).",
        window: "The period.",
        source: "HEDIS DSF-E, reference §5.1 M1 [V]",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: ScreeningFollowUp,
        reference_id: "M1",
        name: "Follow-up of a positive screen within 30 days",
        definition: "Share of patients with a positive depression screen who had follow-up care on the day of the screen or within the 30 days after it.",
        numerator: "Patients of the denominator with, 0–30 days after that screen: a care-team session, an episode referred or enrolled, a referral sent, or (after a positive PHQ-2, PHQ-A or EPDS) a complete PHQ-9.",
        denominator: "Patients with a positive depression screen whose 30-day window ends in the period (screen date + 30 days within the period); the earliest such screen counts.",
        window: "Screen date to screen date + 30 days; counted in the period in which the window ends.",
        source: "HEDIS DSF-E, reference §5.1 M1 [V]; instruments.md §14",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: Phq9Utilization,
        reference_id: "M2",
        name: "PHQ-9 utilisation",
        definition: "Share of patients with a depression diagnosis and a visit in the period who had a PHQ-9 in the same period.",
        numerator: "Patients of the denominator with a complete PHQ-9 dated in the period.",
        denominator: "Patients with a depression diagnosis dated on or before the period's last day and a visit in the period.",
        window: "The period; HEDIS DMS-E uses 4-month assessment periods (Jan–Apr, May–Aug, Sep–Dec): choose those periods to match it.",
        source: "HEDIS DMS-E, reference §5.1 M2 [V]; instruments.md §14",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: Phq9FollowUp,
        reference_id: "M3",
        name: "Follow-up PHQ-9 at 4–8 months",
        definition: "Share of episodes starting with an elevated PHQ-9 (10 or more) that have a follow-up PHQ-9 4 to 8 months later.",
        numerator: "Episodes of the denominator with a complete PHQ-9 120–240 days after the baseline.",
        denominator: "Episodes whose baseline (first complete PHQ-9) is 10 or more and whose 240-day window ends in the period.",
        window: "Baseline + 120 days to baseline + 240 days; counted in the period in which the window ends.",
        source: "HEDIS DRR-E, reference §5.1 M3 [V]; instruments.md §14 (index PHQ-9 > 9, 120–240 days)",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: Response,
        reference_id: "M4",
        name: "Response at 4–8 months",
        definition: "Share of episodes starting with an elevated PHQ-9 whose most recent PHQ-9 in the 4–8 month window is at least 50 % below the baseline.",
        numerator: "Episodes of the denominator whose latest complete PHQ-9 120–240 days after the baseline is a response (at least 50 % lower).",
        denominator: "As for the follow-up PHQ-9 (M3): episodes without a follow-up count as not responding.",
        window: "As M3.",
        source: "HEDIS DRR-E, reference §5.1 M4 [V]; instruments.md §14",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: Remission,
        reference_id: "M5",
        name: "Remission at 4–8 months",
        definition: "Share of episodes starting with an elevated PHQ-9 whose most recent PHQ-9 in the 4–8 month window is below 5.",
        numerator: "Episodes of the denominator whose latest complete PHQ-9 120–240 days after the baseline is below 5.",
        denominator: "As for the follow-up PHQ-9 (M3): episodes without a follow-up count as not in remission.",
        window: "As M3.",
        source: "HEDIS DRR-E, reference §5.1 M5 [V]; instruments.md §14",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: ClinicallySignificantImprovement,
        reference_id: "M6",
        name: "Clinically significant improvement",
        definition: "Share of the caseload that started with a PHQ-9 of 10 or more whose latest PHQ-9 is below 10 or at least 50 % below the baseline.",
        numerator: "Episodes of the denominator whose latest complete PHQ-9 on or before the period's last day (after the baseline) is below 10 or a response.",
        denominator: "Enrolled episodes open at some time in the period whose baseline PHQ-9, dated on or before the period's last day, is 10 or more.",
        window: "From the baseline to the end of the period.",
        source: "MHIP registry, Psychiatr Serv 2016 (doi 10.1176/appi.ps.201400577), reference §5.1 M6 [V]",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: EarlyFollowUp4Weeks,
        reference_id: "M7",
        name: "Early follow-up within 4 weeks",
        definition: "Share of episodes with at least one care-manager follow-up contact within 4 weeks of the initial contact.",
        numerator: "Episodes of the denominator with a session (follow-up, brief intervention or relapse-prevention planning) 1–28 days after the initial contact.",
        denominator: "Episodes whose initial contact (the initial assessment, else the first session) is dated so that its 28-day window ends in the period.",
        window: "Initial contact + 1 day to initial contact + 28 days; counted in the period in which the window ends.",
        source: "MHIP fidelity measure, Psychiatr Serv 2016, reference §5.1 M7 [V]",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: EarlyFollowUp2Weeks,
        reference_id: "M7",
        name: "Early follow-up within 2 weeks",
        definition: "As the 4-week measure, with a 2-week window.",
        numerator: "Episodes of the denominator with a session 1–14 days after the initial contact.",
        denominator: "Episodes whose initial contact's 14-day window ends in the period.",
        window: "Initial contact + 1 day to initial contact + 14 days.",
        source: "Reference §5.1 M7: 2-week variant [K] (MHIP quality indicators, to verify, §10 item 8)",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: NonResponderConsultation,
        reference_id: "M8",
        name: "Psychiatric consultation for non-responders",
        definition: "Share of episodes not responding by week 8 that were reviewed by the psychiatric consultant in weeks 8–12.",
        numerator: "Episodes of the denominator with a psychiatric case review 56–84 days after the initial contact.",
        denominator: "Episodes open at week 8 (56 days after the initial contact, else enrolment), with a baseline PHQ-9 above 0 by then and no response (at least 50 % reduction) by then, whose week 12 (day 84) falls in the period.",
        window: "Weeks 8–12 after the initial contact; counted in the period in which week 12 ends.",
        source: "MHIP fidelity measure, Psychiatr Serv 2016, reference §5.1 M8 [V]; instruments.md §14",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: CaseloadReviewed,
        reference_id: "M9",
        name: "Caseload reviewed by the psychiatric consultant",
        definition: "Share of the active caseload discussed at a psychiatric case review in the period.",
        numerator: "Episodes of the denominator with a case review dated in the period.",
        denominator: "Enrolled episodes open at some time in the period.",
        window: "The period.",
        source: "Reference §5.1 M9 [P], AIMS registry requirements [V]",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: TimeToFirstContact,
        reference_id: "M10",
        name: "Time to first contact",
        definition: "Median days from a patient's referral to behavioral health care (often a positive screen) to the first session with the care team.",
        numerator: "Episodes of the denominator with a first session on or before the period's last day; the value is the median of their days from referral to that session.",
        denominator: "Episodes referred in the period.",
        window: "From the referral to the end of the period.",
        source: "Reference §5.1 M10 [P]; Lean BHI study (PMC5045249) [V]",
        unit: Days,
        better: Lower,
    },
    MetricDefinition {
        code: ReferralScheduled,
        reference_id: "M11",
        name: "Referrals scheduled",
        definition: "Share of referrals sent in the period that led to a scheduled appointment.",
        numerator: "Referrals of the denominator scheduled on or before the period's last day.",
        denominator: "Referrals first sent in the period.",
        window: "From sending to the end of the period.",
        source: "Reference §5.1 M11 [V] (Lean BHI study: scheduled 60→74 %)",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: ReferralAttended,
        reference_id: "M11",
        name: "Referrals attended",
        definition: "Share of referrals sent in the period that led to an attended appointment.",
        numerator: "Referrals of the denominator recorded as attended on or before the period's last day.",
        denominator: "Referrals first sent in the period.",
        window: "From sending to the end of the period.",
        source: "Reference §5.1 M11 [V] (Lean BHI study: attended 44→53 %)",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: ReferralLoopClosed,
        reference_id: "§6.4",
        name: "Referral loop closed",
        definition: "Share of referrals sent in the period that were closed with feedback from the partner or the patient.",
        numerator: "Referrals of the denominator closed with feedback on or before the period's last day.",
        denominator: "Referrals first sent in the period.",
        window: "From sending to the end of the period.",
        source: "Reference §6.4 [P]: loop-closure rate",
        unit: Percent,
        better: Higher,
    },
    MetricDefinition {
        code: CaseloadPerFte,
        reference_id: "M12",
        name: "Caseload per care-manager FTE",
        definition: "Open episodes on the period's last day per full-time care manager (AIMS guidance: about 50–120 depending on the population, §5.3).",
        numerator: "Enrolled episodes open on the period's last day.",
        denominator: "Care-manager FTE × 100 (the FTE percentages of the care managers in scope).",
        window: "The period's last day.",
        source: "Reference §5.1 M12 and §5.3 [V] (AIMS registry guidance and caseload sizes)",
        unit: PatientsPerFte,
        better: InRange,
    },
    MetricDefinition {
        code: CaseloadContacted,
        reference_id: "M12",
        name: "Caseload contacted",
        definition: "Share of the active caseload with at least one session with the care team in the period.",
        numerator: "Episodes of the denominator with a session dated in the period.",
        denominator: "Enrolled episodes open at some time in the period.",
        window: "The period.",
        source: "Reference §5.1 M12 [V] (AIMS: number/percentage of caseload in contact in a period)",
        unit: Percent,
        better: Higher,
    },
];

impl MetricCode {
    /// The metric's definition.
    pub fn definition(self) -> &'static MetricDefinition {
        // The catalogue lists every code in declaration order (a test checks it).
        &CATALOGUE[self as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_definition_in_order() {
        assert_eq!(CATALOGUE.len(), MetricCode::ALL.len());
        for (i, code) in MetricCode::ALL.iter().enumerate() {
            assert_eq!(CATALOGUE[i].code, *code);
            assert_eq!(code.definition().code, *code);
            let d = code.definition();
            for text in [
                d.name,
                d.definition,
                d.numerator,
                d.denominator,
                d.window,
                d.source,
            ] {
                assert!(!text.is_empty(), "{code}");
            }
        }
    }

    #[test]
    fn docs_describe_every_metric() {
        let docs = include_str!("../../../../docs/metrics.md");
        for code in MetricCode::ALL {
            assert!(
                docs.contains(&format!("`{code}`")),
                "docs/metrics.md lacks {code}"
            );
        }
    }
}
