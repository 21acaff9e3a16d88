//! Choice of model: coordinated care, co-location, integrated care or the Collaborative Care
//! Model, recommended from readiness, size, staffing and payer mix. Every reason names its basis.
//!
//! The level → model map is ours (reference bhi-planning.md §1.4 [P]): coordinated ≈ levels
//! 1–2, co-location ≈ 3–4, integrated ≈ 5–6. Collaborative Care is a specific model, not a
//! level: it adds a behavioral health care manager and a psychiatric consultant (§1.4, §4.3 [V]).

use super::caseload::{NEARLY_FULL_TIME, PRACTITIONERS_PER_CARE_MANAGER};
use super::level::{Category, IntegrationLevel};
use super::team::{TeamMember, total_fte};
use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::role::Role;
use serde::{Deserialize, Serialize};

code_enum! {
    /// The AMA's menu of models (bhi-planning.md §1.4, §3.4).
    pub enum CareModel ("care model") {
        Coordinated = "coordinated",
        CoLocation = "co_location",
        Integrated = "integrated",
        Cocm = "cocm",
    }
}

impl CareModel {
    pub fn label(self) -> &'static str {
        match self {
            CareModel::Coordinated => "Coordinated care",
            CareModel::CoLocation => "Co-location",
            CareModel::Integrated => "Integrated care",
            CareModel::Cocm => "Collaborative Care",
        }
    }

    /// The model that matches a level's category (§1.4 [P]).
    pub fn for_category(category: Category) -> CareModel {
        match category {
            Category::Coordinated => CareModel::Coordinated,
            Category::CoLocated => CareModel::CoLocation,
            Category::Integrated => CareModel::Integrated,
        }
    }
}

/// Share of patients by payer, in whole percent. The rest is "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayerMix {
    pub medicare_pct: u8,
    pub medicaid_pct: u8,
    pub commercial_pct: u8,
    pub uninsured_pct: u8,
    /// The state's Medicaid pays the care-management codes (it varies by state: NC Medicaid
    /// does, cocm-billing-registry.md §10 item 4 [S5]).
    pub medicaid_pays_cocm: bool,
}

impl PayerMix {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let sum = self.medicare_pct as u32
            + self.medicaid_pct as u32
            + self.commercial_pct as u32
            + self.uninsured_pct as u32;
        if sum > 100 {
            return Err(ValidationError::field(
                "payer_mix",
                format!("the shares add up to {sum} %, more than 100 %"),
            ));
        }
        Ok(())
    }

    /// Percent of patients whose payer pays the care-management codes: Medicare
    /// (cocm-billing-registry.md §1, §2.5), commercial plans (they vary: check each contract,
    /// §2.5 [S32]) and Medicaid where the state pays.
    pub fn paying_pct(&self) -> u32 {
        let medicaid = if self.medicaid_pays_cocm {
            self.medicaid_pct as u32
        } else {
            0
        };
        (self.medicare_pct as u32 + self.commercial_pct as u32 + medicaid).min(100)
    }
}

/// Below this share of paying patients, a reason says to plan other funding [P].
pub const LOW_PAYING_SHARE_PCT: u32 = 50;

/// What the recommendation looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelInputs {
    /// The practice's level from its latest readiness assessment.
    pub level: Option<IntegrationLevel>,
    /// Treating practitioners (PCPs or specialists).
    pub practitioners: u32,
    /// Active patients of the practice.
    pub patients: u32,
    /// Summed behavioral health care manager FTE, in hundredths.
    pub care_manager_fte: u32,
    /// A psychiatric consultant is arranged (employed, contracted or tele-consult).
    pub psychiatric_consultant: bool,
    pub payer_mix: PayerMix,
}

impl ModelInputs {
    /// Staffing read from the roster; practice size and payer mix as given.
    pub fn from_roster(
        level: Option<IntegrationLevel>,
        team: &[TeamMember],
        practitioners: u32,
        patients: u32,
        payer_mix: PayerMix,
    ) -> Self {
        Self {
            level,
            practitioners,
            patients,
            care_manager_fte: total_fte(team, Role::CareManager),
            psychiatric_consultant: team.iter().any(|m| m.role == Role::Psychiatrist),
            payer_mix,
        }
    }

    fn has_care_manager(&self) -> bool {
        self.care_manager_fte > 0
    }
}

/// Another model and what it would take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alternative {
    pub model: CareModel,
    /// Nothing is missing: the practice could choose it today.
    pub available_now: bool,
    /// What is missing, in plain words.
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    pub model: CareModel,
    /// Each reason ends with its basis in brackets.
    pub reasons: Vec<String>,
    pub alternatives: Vec<Alternative>,
}

/// A rule that picks the model: the first one that applies wins.
struct ModelRule {
    applies: fn(&ModelInputs) -> bool,
    model: CareModel,
    reason: &'static str,
    basis: &'static str,
}

fn level_in(i: &ModelInputs, lo: u8, hi: u8) -> bool {
    i.level.is_some_and(|l| (lo..=hi).contains(&l.number()))
}

const MODEL_RULES: [ModelRule; 5] = [
    ModelRule {
        applies: |i| i.has_care_manager() && i.psychiatric_consultant,
        model: CareModel::Cocm,
        reason: "You have a behavioral health care manager and a psychiatric consultant, the two \
                 roles Collaborative Care adds to your practice.",
        basis: "AIMS Center and CMS MLN BHI fact sheet, bhi-planning.md §1.4 and §4.3",
    },
    ModelRule {
        applies: |i| level_in(i, 5, 6),
        model: CareModel::Integrated,
        reason: "Your level is 5 or 6: clinicians already share space, systems and team meetings.",
        basis: "level-to-model map, bhi-planning.md §1.4 [P]",
    },
    ModelRule {
        applies: |i| level_in(i, 3, 4),
        model: CareModel::CoLocation,
        reason: "Your level is 3 or 4: behavioral health clinicians work on site with you.",
        basis: "level-to-model map, bhi-planning.md §1.4 [P]",
    },
    ModelRule {
        applies: |i| level_in(i, 1, 2),
        model: CareModel::Coordinated,
        reason: "Your level is 1 or 2: behavioral health care happens elsewhere, so start by \
                 coordinating with it and keep a referral call list.",
        basis: "level-to-model map, bhi-planning.md §1.4 [P]; AMA workflow guide on referral lists, §3.4",
    },
    ModelRule {
        applies: |_| true,
        model: CareModel::Coordinated,
        reason: "Without a readiness assessment, start with coordinated care, which any practice \
                 can do now, and keep a referral call list.",
        basis: "AMA: any step toward integration counts; referral list, bhi-planning.md §3.4 and §6.3",
    },
];

/// A reason added when it applies, whatever the model.
struct NoteRule {
    note: fn(&ModelInputs, CareModel) -> Option<String>,
    basis: &'static str,
}

fn practitioners_per_cm_note(i: &ModelInputs, m: CareModel) -> Option<String> {
    // In u64: the count comes from the practice's plan and may be as large as u32 allows.
    let needed = u64::from(i.practitioners) * 100 / u64::from(PRACTITIONERS_PER_CARE_MANAGER);
    (m == CareModel::Cocm && u64::from(i.care_manager_fte) < needed).then(|| {
        format!(
            "One full-time care manager supports 4 to 5 practitioners; with {} practitioners, \
             plan about {:.1} to {:.1} FTE (you have {:.2}).",
            i.practitioners,
            i.practitioners as f64 / 5.0,
            i.practitioners as f64 / 4.0,
            i.care_manager_fte as f64 / 100.0
        )
    })
}

fn paying_note(i: &ModelInputs, m: CareModel) -> Option<String> {
    if i.patients == 0 {
        return None;
    }
    let pct = i.payer_mix.paying_pct();
    let codes = if m == CareModel::Cocm {
        "the Collaborative Care codes"
    } else {
        "the general BHI code 99484"
    };
    let mut s = format!(
        "About {pct} % of your patients (about {}) have a payer that pays for {codes}.",
        i.patients as u64 * pct as u64 / 100
    );
    if pct < LOW_PAYING_SHARE_PCT {
        s.push_str(" Plan other funding too, such as grants or value-based contracts.");
    }
    Some(s)
}

const NOTE_RULES: [NoteRule; 6] = [
    NoteRule {
        note: |i, _| {
            (i.has_care_manager() && !i.psychiatric_consultant).then(|| {
                "You have a care manager but no psychiatric consultant: offer general BHI \
                 (99484) now. Collaborative Care needs a psychiatric consultant, who can \
                 consult from a distance."
                    .to_owned()
            })
        },
        basis: "cocm-billing-registry.md §1, §2.3, §2.4; bhi-planning.md §8.1",
    },
    NoteRule {
        note: |i, _| {
            (!i.has_care_manager() && i.psychiatric_consultant).then(|| {
                "You have a psychiatric consultant but no care manager: Collaborative Care \
                 needs a behavioral health care manager who keeps the registry and follows \
                 patients up."
                    .to_owned()
            })
        },
        basis: "CMS MLN BHI fact sheet, bhi-planning.md §4.3",
    },
    NoteRule {
        note: |_, m| {
            (m == CareModel::Cocm).then(|| {
                "The treating practitioner bills Collaborative Care each month with 99492 \
                 (first month), 99493 (later months), 99494 (each extra 30 minutes) or G2214."
                    .to_owned()
            })
        },
        basis: "cocm-billing-registry.md §1",
    },
    NoteRule {
        note: |i, _| {
            (i.has_care_manager() && i.care_manager_fte < NEARLY_FULL_TIME.hundredths() as u32)
                .then(|| {
                    "AIMS recommends a full-time or nearly full-time care manager; small \
                     practices can share one."
                        .to_owned()
                })
        },
        basis: "AIMS caseload guidance, bhi-planning.md §5.3",
    },
    NoteRule {
        note: practitioners_per_cm_note,
        basis: "cocm-billing-registry.md §9.7 [S53]",
    },
    NoteRule {
        note: paying_note,
        basis: "cocm-billing-registry.md §2.5; funding plan, bhi-planning.md §3.2 item 8",
    },
];

fn alternative(i: &ModelInputs, model: CareModel) -> Alternative {
    let mut needs = Vec::new();
    match model {
        CareModel::Cocm => {
            if !i.has_care_manager() {
                needs.push("a behavioral health care manager".to_owned());
            }
            if !i.psychiatric_consultant {
                needs.push(
                    "a psychiatric consultant (employed, contracted or by tele-consult)".to_owned(),
                );
            }
        }
        CareModel::Integrated if !level_in(i, 5, 6) => needs.push(
            "shared space, shared systems and regular team meetings (level 5 or 6)".to_owned(),
        ),
        CareModel::CoLocation if !level_in(i, 3, 6) => {
            needs.push("a behavioral health clinician working on site (level 3 or 4)".to_owned())
        }
        _ => {}
    }
    Alternative {
        model,
        available_now: needs.is_empty(),
        needs,
    }
}

fn with_basis(text: &str, basis: &str) -> String {
    format!(
        "{} [{basis}]",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// The recommended model, why, and the other models with what they would take.
pub fn recommend_model(inputs: &ModelInputs) -> Recommendation {
    let rule = MODEL_RULES
        .iter()
        .find(|r| (r.applies)(inputs))
        .unwrap_or(&MODEL_RULES[MODEL_RULES.len() - 1]);
    let model = rule.model;
    let mut reasons = vec![with_basis(rule.reason, rule.basis)];
    reasons.extend(
        NOTE_RULES
            .iter()
            .filter_map(|n| (n.note)(inputs, model).map(|t| with_basis(&t, n.basis))),
    );
    Recommendation {
        model,
        reasons,
        alternatives: CareModel::ALL
            .iter()
            .filter(|m| **m != model)
            .map(|m| alternative(inputs, *m))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(level: u8, cm: u32, psych: bool) -> ModelInputs {
        ModelInputs {
            level: IntegrationLevel::new(level),
            practitioners: 4,
            patients: 0,
            care_manager_fte: cm,
            psychiatric_consultant: psych,
            payer_mix: PayerMix::default(),
        }
    }

    /// Found by Schemathesis: a plan with u32::MAX practitioners made the note overflow and the
    /// plan page answer nothing at all.
    #[test]
    fn practitioners_note_does_not_overflow() {
        let i = ModelInputs {
            practitioners: u32::MAX,
            ..inputs(6, 100, true)
        };
        let note = practitioners_per_cm_note(&i, CareModel::Cocm).unwrap();
        assert!(note.contains("4294967295 practitioners"), "{note}");
        assert!(practitioners_per_cm_note(&inputs(6, 100, true), CareModel::Cocm).is_none());
    }

    /// (level or 0 for none, care-manager FTE, psychiatric consultant) → model.
    #[test]
    fn model_rules_table() {
        use CareModel::*;
        let cases = [
            (0, 0, false, Coordinated),
            (1, 0, false, Coordinated),
            (2, 0, true, Coordinated),
            (2, 100, false, Coordinated),
            (3, 0, false, CoLocation),
            (4, 50, false, CoLocation),
            (5, 0, false, Integrated),
            (6, 100, false, Integrated),
            (0, 100, true, Cocm),
            (1, 100, true, Cocm),
            (4, 40, true, Cocm),
            (6, 100, true, Cocm),
        ];
        for (level, cm, psych, expected) in cases {
            let r = recommend_model(&inputs(level, cm, psych));
            assert_eq!(r.model, expected, "level {level}, cm {cm}, psych {psych}");
            assert!(!r.alternatives.iter().any(|a| a.model == expected));
            assert_eq!(r.alternatives.len(), 3);
        }
    }

    #[test]
    fn every_reason_cites_its_basis() {
        for level in 0..=6 {
            for (cm, psych) in [(0, false), (60, false), (0, true), (100, true)] {
                let mut i = inputs(level, cm, psych);
                i.patients = 2000;
                i.practitioners = 9;
                for r in recommend_model(&i).reasons {
                    assert!(r.ends_with(']') && r.contains(" ["), "{r}");
                    assert!(!r.contains("  "), "{r}");
                }
            }
        }
    }

    #[test]
    fn without_the_two_roles_start_with_coordinated_care_and_a_call_list() {
        let r = recommend_model(&inputs(0, 0, false));
        assert!(r.reasons[0].contains("referral call list"));
        let cocm = r
            .alternatives
            .iter()
            .find(|a| a.model == CareModel::Cocm)
            .unwrap();
        assert!(!cocm.available_now);
        assert_eq!(cocm.needs.len(), 2);
        let co = r
            .alternatives
            .iter()
            .find(|a| a.model == CareModel::CoLocation)
            .unwrap();
        assert!(!co.available_now);
    }

    #[test]
    fn a_care_manager_alone_means_general_bhi_and_a_consultant_to_find() {
        let r = recommend_model(&inputs(2, 100, false));
        assert!(
            r.reasons
                .iter()
                .any(|t| t.contains("99484") && t.contains("no psychiatric consultant"))
        );
        let cocm = r
            .alternatives
            .iter()
            .find(|a| a.model == CareModel::Cocm)
            .unwrap();
        assert_eq!(
            cocm.needs,
            vec!["a psychiatric consultant (employed, contracted or by tele-consult)"]
        );
    }

    #[test]
    fn cocm_reasons_cover_codes_staffing_and_payers() {
        let mut i = inputs(3, 50, true);
        i.practitioners = 6;
        i.patients = 3000;
        i.payer_mix = PayerMix {
            medicare_pct: 20,
            medicaid_pct: 40,
            commercial_pct: 15,
            uninsured_pct: 20,
            medicaid_pays_cocm: false,
        };
        let r = recommend_model(&i);
        assert_eq!(r.model, CareModel::Cocm);
        let all = r.reasons.join("\n");
        assert!(all.contains("99492"), "{all}");
        assert!(all.contains("nearly full-time"), "{all}");
        assert!(
            all.contains("with 6 practitioners, plan about 1.2 to 1.5 FTE (you have 0.50)"),
            "{all}"
        );
        assert!(
            all.contains("About 35 % of your patients (about 1050)"),
            "{all}"
        );
        assert!(all.contains("Plan other funding"), "{all}");

        i.payer_mix.medicaid_pays_cocm = true;
        let all = recommend_model(&i).reasons.join("\n");
        assert!(
            all.contains("About 75 %") && !all.contains("Plan other funding"),
            "{all}"
        );
    }

    #[test]
    fn payer_mix_cannot_exceed_100() {
        let p = PayerMix {
            medicare_pct: 60,
            medicaid_pct: 30,
            commercial_pct: 20,
            uninsured_pct: 0,
            medicaid_pays_cocm: true,
        };
        assert!(p.validate().is_err());
        assert_eq!(p.paying_pct(), 100);
        assert!(PayerMix::default().validate().is_ok());
    }
}
