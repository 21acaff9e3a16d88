//! The roles of a practice's staff (DESIGN.md, "Users and roles"). A user may hold several.

use crate::codes::code_enum;

code_enum! {
    pub enum Role ("role") {
        /// PCP or specialist: directs care, accepts recommendations, is the billing provider.
        TreatingPractitioner = "treating_practitioner",
        /// Medical assistant or nurse: screening at rooming, outreach, data entry.
        MaNurse = "ma_nurse",
        /// Behavioral health care manager: enrollment, follow-ups, minutes, the caseload.
        CareManager = "care_manager",
        /// Consulting psychiatrist: weekly case review and recommendations.
        Psychiatrist = "psychiatrist",
        /// Front desk: scheduling, referrals, the community call list.
        FrontDesk = "front_desk",
        /// Billing staff: month close and claims; never sees clinical narrative.
        Billing = "billing",
        /// Practice administrator or champion: users, settings, the plan.
        PracticeAdmin = "practice_admin",
    }
}

impl Role {
    /// Roles whose members take part in a patient's care and may see clinical detail.
    pub fn is_clinical(self) -> bool {
        matches!(
            self,
            Role::TreatingPractitioner | Role::MaNurse | Role::CareManager | Role::Psychiatrist
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::TreatingPractitioner => "Treating practitioner",
            Role::MaNurse => "Medical assistant / nurse",
            Role::CareManager => "Care manager",
            Role::Psychiatrist => "Consulting psychiatrist",
            Role::FrontDesk => "Front desk",
            Role::Billing => "Billing",
            Role::PracticeAdmin => "Practice administrator",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), *r);
        }
        assert_eq!(Role::ALL.len(), 7);
        let err = Role::parse("doctor").unwrap_err();
        assert_eq!(err.to_string(), "unknown role 'doctor'");
    }
}
