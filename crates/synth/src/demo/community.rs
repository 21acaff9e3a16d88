//! The demo practice's community resource directory (local partners beside the built-in
//! national lines) and referrals in every state of the loop, some gone quiet long enough to
//! be chased. Deterministic: fixed entries, fixed patients, fixed days before `today`.

use super::run::Runner;
use crate::SynthError;
use stepwise_domain::referral::{ReferralAction, ReferralTarget, Sensitivity};
use stepwise_domain::resources::{
    Hours, Payment, Resource, ResourceCategory as C, ResourceId, ServiceStatus,
};
use time::{Date, Duration};

/// A local partner: organization, service, categories, intake phone, hours, languages, note.
struct Local {
    org: &'static str,
    service: &'static str,
    categories: &'static [C],
    phone: &'static str,
    hours: &'static str,
    languages: &'static [&'static str],
    payment: &'static [Payment],
    eligibility: &'static str,
}

const LOCAL: &[Local] = &[
    Local {
        org: "Riverbend County Crisis Services",
        service: "Mobile crisis team",
        categories: &[C::Crisis],
        phone: "555-0101",
        hours: "24/7",
        languages: &["en", "es"],
        payment: &[Payment::Free],
        eligibility: "Anyone in Riverbend County in a mental health crisis",
    },
    Local {
        org: "Riverbend Community Mental Health Center",
        service: "Adult outpatient therapy",
        categories: &[C::BehavioralHealth],
        phone: "555-0110",
        hours: "MO-FR 08:00-18:00",
        languages: &["en", "es"],
        payment: &[Payment::Medicaid, Payment::Medicare, Payment::SlidingFee],
        eligibility: "Adults 18+; intake by phone",
    },
    Local {
        org: "New Dawn Recovery",
        service: "Outpatient substance use treatment",
        categories: &[C::SubstanceUse],
        phone: "555-0120",
        hours: "MO-SA 07:00-19:00",
        languages: &["en"],
        payment: &[Payment::Medicaid, Payment::Commercial, Payment::SelfPay],
        eligibility: "Adults; MOUD available",
    },
    Local {
        org: "Friends in Recovery",
        service: "Peer support groups",
        categories: &[C::PeerSupport, C::SubstanceUse],
        phone: "555-0125",
        hours: "MO-FR 17:00-21:00",
        languages: &["en"],
        payment: &[Payment::Free],
        eligibility: "Anyone",
    },
    Local {
        org: "Harbor House",
        service: "Family emergency shelter",
        categories: &[C::Housing],
        phone: "555-0130",
        hours: "24/7",
        languages: &["en", "es"],
        payment: &[Payment::Free],
        eligibility: "Families with children",
    },
    Local {
        org: "Riverbend Food Bank",
        service: "Emergency pantry",
        categories: &[C::Food],
        phone: "555-0140",
        hours: "TU-TH 10:00-16:00; SA 09:00-12:00",
        languages: &["en", "es", "vi"],
        payment: &[Payment::Free],
        eligibility: "County residents; bring ID",
    },
    Local {
        org: "County Transit",
        service: "Medical rides",
        categories: &[C::Transportation],
        phone: "555-0150",
        hours: "MO-FR 06:00-18:00",
        languages: &["en"],
        payment: &[Payment::Medicaid, Payment::SelfPay],
        eligibility: "Book 48 hours ahead",
    },
    Local {
        org: "Riverbend Legal Aid",
        service: "Benefits and housing law",
        categories: &[C::LegalAid, C::IncomeBenefits],
        phone: "555-0160",
        hours: "MO-FR 09:00-17:00",
        languages: &["en", "es"],
        payment: &[Payment::Free],
        eligibility: "Income under 200% of the poverty line",
    },
    Local {
        org: "Safe Harbor",
        service: "Domestic violence hotline",
        categories: &[C::IntimatePartnerViolence, C::Crisis],
        phone: "555-0170",
        hours: "24/7",
        languages: &["en", "es"],
        payment: &[Payment::Free],
        eligibility: "Anyone",
    },
    Local {
        org: "Area Agency on Aging",
        service: "Caregiver support",
        categories: &[C::CaregiverAging],
        phone: "555-0180",
        hours: "MO-FR 08:30-16:30",
        languages: &["en"],
        payment: &[Payment::Free],
        eligibility: "Adults 60+ and their caregivers",
    },
];

fn entry(l: &Local, verified_on: Date) -> Result<Resource, SynthError> {
    let mut r = Resource::new(l.org, l.service, l.categories.to_vec());
    r.intake_phone = Some(l.phone.into());
    r.hours = Hours::parse(l.hours).map_err(SynthError::Plan)?;
    r.languages = l.languages.iter().map(|s| (*s).to_owned()).collect();
    r.payment_accepted = l.payment.to_vec();
    r.eligibility_description = Some(l.eligibility.into());
    r.city = Some("Riverbend".into());
    r.state_province = Some("OH".into());
    r.last_verified_on = Some(verified_on);
    r.verified_by = Some("Dana Murphy".into());
    r.status = ServiceStatus::Active;
    Ok(r)
}

/// How far a demo referral has gone: the updates after it was written, each `days` after the
/// previous one.
fn story(appointment: Date) -> Vec<Vec<(i64, ReferralAction)>> {
    use ReferralAction::*;
    vec![
        vec![],
        vec![(1, Send)],
        vec![(1, Send), (3, Accept)],
        vec![
            (1, Send),
            (2, Accept),
            (
                1,
                Schedule {
                    appointment_on: appointment,
                },
            ),
        ],
        vec![
            (1, Send),
            (2, Accept),
            (
                2,
                Schedule {
                    appointment_on: appointment - Duration::days(20),
                },
            ),
            (15, RecordAttended),
        ],
        vec![
            (1, Send),
            (2, Accept),
            (
                3,
                Schedule {
                    appointment_on: appointment - Duration::days(40),
                },
            ),
            (10, RecordAttended),
            (
                5,
                Close {
                    feedback: "Seen for intake; weekly sessions started".into(),
                },
            ),
        ],
        vec![
            (1, Send),
            (
                4,
                Decline {
                    reason: "Not taking new clients this month".into(),
                },
            ),
        ],
        vec![
            (1, Send),
            (2, Accept),
            (
                2,
                Schedule {
                    appointment_on: appointment - Duration::days(30),
                },
            ),
            (9, RecordNoShow),
        ],
        vec![
            (1, Send),
            (
                6,
                UnableToReach {
                    note: Some("Three calls, no answer".into()),
                },
            ),
        ],
    ]
}

impl Runner<'_> {
    /// The directory's local partners and a dozen referrals in every state.
    pub(super) async fn community(&mut self) -> Result<(), SynthError> {
        let today = self.today();
        let desk_day = today - Duration::days(90);
        let mut partners: Vec<ResourceId> = Vec::new();
        for l in LOCAL {
            let ctx = self.front_desk(desk_day);
            let e = self
                .store()
                .create_resource(&ctx, &entry(l, desk_day)?)
                .await?;
            partners.extend(e.resource.id);
        }
        let stories = story(today + Duration::days(5));
        let registered = self.registered_patients();
        for (i, p) in registered.into_iter().take(stories.len() + 3).enumerate() {
            let steps = &stories[i % stories.len()];
            let quiet = if i % 3 == 1 { 12 } else { 2 };
            let total: i64 = steps.iter().map(|(d, _)| d).sum::<i64>() + quiet;
            let mut d = today - Duration::days(total);
            let (target, sensitivity) = match i % 5 {
                4 => (
                    ReferralTarget::SpecialtyBehavioralHealth {
                        description: "Psychiatry: medication evaluation".into(),
                    },
                    Sensitivity::General,
                ),
                _ => (
                    ReferralTarget::Partner {
                        resource: partners[(i * 3) % partners.len()],
                    },
                    Sensitivity::General,
                ),
            };
            let ctx = self.care_manager_of(d, p);
            let mut r = self
                .store()
                .create_referral(
                    &ctx,
                    self.patient_id(p)?,
                    &target,
                    sensitivity,
                    REASONS[i % REASONS.len()],
                )
                .await?;
            for (days, action) in steps {
                d += Duration::days(*days);
                let ctx = self.front_desk(d);
                r = self
                    .store()
                    .update_referral(&ctx, r.id, r.version, action.clone())
                    .await?;
            }
        }
        Ok(())
    }
}

const REASONS: &[&str] = &[
    "Ongoing therapy beyond the collaborative care episode",
    "Food insecurity reported at the visit",
    "Needs transportation to appointments",
    "Housing instability; staying with relatives",
    "Alcohol use: interested in treatment",
    "Caregiver stress",
];
