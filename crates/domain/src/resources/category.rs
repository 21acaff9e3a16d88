//! Categories of the community resource directory, and the minimum inventory an adult BHI
//! practice should have (reference bhi-planning.md §6.1).
//!
//! The categories are our own short list [P], not the AIRS/211 taxonomy, which is licensed
//! (§6.1 [K]): a resource may carry an AIRS or Open Eligibility code as an optional
//! `taxonomy_code`, but the product groups and filters by these codes.

use crate::codes::code_enum;

code_enum! {
    /// What a community resource offers. The declaration order is the call list's order, so
    /// crisis resources are pinned at the top (§6.3: "Crisis rows pinned at top").
    pub enum ResourceCategory ("resource category") {
        /// 988, local mobile crisis, crisis stabilisation, nearest emergency department.
        Crisis = "crisis",
        /// Outpatient mental health: therapy, psychiatry, groups (AIRS branch R [K]).
        BehavioralHealth = "behavioral_health",
        /// MOUD/OTP, outpatient/IOP, residential, withdrawal management, recovery support,
        /// naloxone (AIRS branch R [K]).
        SubstanceUse = "substance_use",
        PeerSupport = "peer_support",
        /// Housing and shelter (AIRS B, Basic Needs [V]).
        Housing = "housing",
        /// Food (AIRS B, Basic Needs [V]).
        Food = "food",
        /// Transportation (AIRS B, Basic Needs [V]).
        Transportation = "transportation",
        IncomeBenefits = "income_benefits",
        LegalAid = "legal_aid",
        IntimatePartnerViolence = "intimate_partner_violence",
        CaregiverAging = "caregiver_aging",
        Veterans = "veterans",
        LgbtqAffirming = "lgbtq_affirming",
        LanguageServices = "language_services",
        /// 211 and other information-and-referral lines.
        InformationReferral = "information_referral",
        Other = "other",
    }
}

impl ResourceCategory {
    pub fn label(self) -> &'static str {
        match self {
            ResourceCategory::Crisis => "Crisis",
            ResourceCategory::BehavioralHealth => "Behavioral health",
            ResourceCategory::SubstanceUse => "Substance use",
            ResourceCategory::PeerSupport => "Peer support and support groups",
            ResourceCategory::Housing => "Housing and shelter",
            ResourceCategory::Food => "Food",
            ResourceCategory::Transportation => "Transportation",
            ResourceCategory::IncomeBenefits => "Income and benefits",
            ResourceCategory::LegalAid => "Legal aid",
            ResourceCategory::IntimatePartnerViolence => "Intimate-partner violence",
            ResourceCategory::CaregiverAging => "Caregiver and aging services",
            ResourceCategory::Veterans => "Veterans",
            ResourceCategory::LgbtqAffirming => "LGBTQ+-affirming services",
            ResourceCategory::LanguageServices => "Language and interpreter services",
            ResourceCategory::InformationReferral => "Information and referral (211)",
            ResourceCategory::Other => "Other",
        }
    }
}

/// The minimum BHI inventory for an adult practice (§6.1 [P]): every category but `other`.
/// [`super::inventory_gaps`] names those the directory does not cover yet.
pub const MINIMUM_INVENTORY: &[ResourceCategory] = &[
    ResourceCategory::Crisis,
    ResourceCategory::BehavioralHealth,
    ResourceCategory::SubstanceUse,
    ResourceCategory::PeerSupport,
    ResourceCategory::Housing,
    ResourceCategory::Food,
    ResourceCategory::Transportation,
    ResourceCategory::IncomeBenefits,
    ResourceCategory::LegalAid,
    ResourceCategory::IntimatePartnerViolence,
    ResourceCategory::CaregiverAging,
    ResourceCategory::Veterans,
    ResourceCategory::LgbtqAffirming,
    ResourceCategory::LanguageServices,
    ResourceCategory::InformationReferral,
];

code_enum! {
    /// How a partner takes referrals (§6.3: phone, fax, portal, Direct; e-mail and walk-in
    /// for partners that use no platform, competitors.md §3.2 item 6).
    pub enum ReferralMethod ("referral method") {
        Phone = "phone",
        Fax = "fax",
        Portal = "portal",
        /// Direct secure messaging.
        Direct = "direct",
        Email = "email",
        WalkIn = "walk_in",
    }
}

code_enum! {
    /// Payment a service accepts (§6.3: Medicare, Medicaid, commercial, sliding fee). Maps to
    /// HSDS `cost_option.option`; the free text stays in `service.fees_description`.
    pub enum Payment ("payment") {
        Medicare = "medicare",
        Medicaid = "medicaid",
        Commercial = "commercial",
        SlidingFee = "sliding_fee",
        SelfPay = "self_pay",
        Free = "free",
    }
}

code_enum! {
    /// HSDS `service.status`, with its exact values.
    pub enum ServiceStatus ("service status") {
        Active = "active",
        Inactive = "inactive",
        Defunct = "defunct",
        TemporarilyClosed = "temporarily closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crisis_sorts_first_and_codes_round_trip() {
        assert_eq!(ResourceCategory::ALL[0], ResourceCategory::Crisis);
        for c in ResourceCategory::ALL {
            assert_eq!(ResourceCategory::parse(c.code()).unwrap(), *c);
            assert!(!c.label().is_empty());
        }
        assert!(!MINIMUM_INVENTORY.contains(&ResourceCategory::Other));
        assert_eq!(MINIMUM_INVENTORY.len(), ResourceCategory::ALL.len() - 1);
        assert_eq!(
            ServiceStatus::parse("temporarily closed").unwrap(),
            ServiceStatus::TemporarilyClosed
        );
    }
}
