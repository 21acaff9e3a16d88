//! Built-in entries present in every practice's directory from the start: the national crisis
//! and help lines of reference bhi-planning.md §6.1. Local crisis resources (mobile crisis,
//! crisis stabilisation, the nearest emergency department) differ by practice and are left to
//! the practice; [`super::inventory_gaps`] reminds it until they are entered.
//!
//! Facts tagged [K] in the reference are marked "verify" in the entry's notes, and every
//! entry is due for re-verification six months after the reference's research date.

use super::category::{Payment, ReferralMethod, ResourceCategory};
use super::model::{Resource, ResourceId};
use super::schedule::Hours;
use time::Date;
use time::macros::date;
use uuid::Uuid;

/// The date of the research the facts come from (bhi-planning.md header).
pub const SEED_VERIFIED_ON: Date = date!(2026 - 11 - 27);

const VERIFIER: &str = "Stepwise reference (bhi-planning.md §6.1)";

/// Fixed ids, so that the store can insert the built-in entries once and recognise them.
pub const LIFELINE_988: ResourceId =
    ResourceId(Uuid::from_u128(0x0199_0000_0000_7000_8000_0000_0000_0988));
pub const VETERANS_CRISIS_LINE: ResourceId =
    ResourceId(Uuid::from_u128(0x0199_0000_0000_7000_8000_0000_0988_0001));
pub const SAMHSA_HELPLINE: ResourceId =
    ResourceId(Uuid::from_u128(0x0199_0000_0000_7000_8000_0001_8006_6243));
pub const INFORMATION_211: ResourceId =
    ResourceId(Uuid::from_u128(0x0199_0000_0000_7000_8000_0000_0000_0211));

/// The ids of the built-in entries.
pub const BUILT_IN_IDS: [ResourceId; 4] = [
    LIFELINE_988,
    VETERANS_CRISIS_LINE,
    SAMHSA_HELPLINE,
    INFORMATION_211,
];

pub fn is_built_in(id: ResourceId) -> bool {
    BUILT_IN_IDS.contains(&id)
}

fn national(
    id: ResourceId,
    organization: &str,
    service: &str,
    categories: Vec<ResourceCategory>,
) -> Resource {
    let mut r = Resource::new(organization, service, categories);
    r.id = Some(id);
    r.service_area = Some("United States (national)".into());
    r.payment_accepted = vec![Payment::Free];
    r.referral_methods = vec![ReferralMethod::Phone];
    r.last_verified_on = Some(SEED_VERIFIED_ON);
    r.verified_by = Some(VERIFIER.into());
    r
}

/// The built-in entries, crisis lines first.
pub fn built_in_resources() -> Vec<Resource> {
    let mut lifeline = national(
        LIFELINE_988,
        "988 Suicide & Crisis Lifeline",
        "988 Suicide & Crisis Lifeline",
        vec![ResourceCategory::Crisis, ResourceCategory::BehavioralHealth],
    );
    lifeline.description = Some(
        "National suicide and mental health crisis line, launched July 2022 (§6.1 [V]).".into(),
    );
    lifeline.intake_phone = Some("988".into());
    lifeline.hours = Hours::always();
    // Press 2 for Spanish [V]: the line serves English and Spanish.
    lifeline.languages = vec!["en".into(), "es".into()];
    lifeline.notes = Some(
        "Press 1: Veterans Crisis Line. Press 2: Spanish. The LGBTQ+ youth \"press 3\" option \
         ended on 17 July 2025 (§6.1 [V])."
            .into(),
    );

    let mut veterans = national(
        VETERANS_CRISIS_LINE,
        "988 Suicide & Crisis Lifeline",
        "Veterans Crisis Line",
        vec![ResourceCategory::Crisis, ResourceCategory::Veterans],
    );
    veterans.intake_phone = Some("988, then press 1".into());
    veterans.hours = Hours::always();
    veterans.eligibility_description = Some("Veterans (§6.1 [V]: 988 press 1).".into());

    let mut samhsa = national(
        SAMHSA_HELPLINE,
        "SAMHSA",
        "National Helpline",
        vec![
            ResourceCategory::SubstanceUse,
            ResourceCategory::BehavioralHealth,
        ],
    );
    samhsa.intake_phone = Some("1-800-662-4357".into());
    samhsa.website = Some("https://findtreatment.gov".into());
    samhsa.description = Some(
        "Treatment referral and information for mental health and substance use; \
         FindTreatment.gov lists treatment facilities."
            .into(),
    );
    samhsa.notes = Some("Number and website from background knowledge (§6.1 [K]): verify.".into());

    let mut info = national(
        INFORMATION_211,
        "211",
        "211 information and referral line",
        vec![ResourceCategory::InformationReferral],
    );
    info.intake_phone = Some("211".into());
    info.description = Some(
        "Local information and referral for housing, food, utilities and other basic needs.".into(),
    );
    info.service_area = Some("Local 211 centre".into());
    info.notes = Some(
        "Listed in the minimum inventory (§6.1 [P]); check the hours and coverage of your \
         local 211 centre."
            .into(),
    );

    vec![lifeline, veterans, samhsa, info]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_988_lifeline_is_present_and_valid_from_the_start() {
        let seed = built_in_resources();
        let lifeline = seed.iter().find(|r| r.id == Some(LIFELINE_988)).unwrap();
        assert_eq!(lifeline.intake_phone.as_deref(), Some("988"));
        assert!(lifeline.is_crisis() && lifeline.hours.always_open);
        assert!(lifeline.notes.as_deref().unwrap().contains("press 3"));
        for r in &seed {
            r.validate().unwrap();
            assert!(is_built_in(r.id.unwrap()), "{}", r.display_name());
            assert!(!r.reverification_due(SEED_VERIFIED_ON));
        }
        let mut ids: Vec<ResourceId> = seed.iter().filter_map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), BUILT_IN_IDS.len());
    }
}
