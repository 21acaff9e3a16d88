//! C-SSRS Screener ("Screen Version – Recent"). Reference instruments.md §10.

use super::InstrumentId;
use super::model::{Definition, Item, ItemText, Loinc, Skip};
use super::options::NO_YES;
use super::scoring::{Reading, Safety, Score};
use super::settings::ScoringContext;
use crate::codes::code_enum;

code_enum! {
    /// The screener's risk level: the highest level any answer triggers. Ordered.
    pub enum RiskLevel ("risk level") {
        NoRisk = "none",
        Low = "low",
        Moderate = "moderate",
        High = "high",
    }
}

impl RiskLevel {
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::NoRisk => "No risk identified",
            RiskLevel::Low => "Low",
            RiskLevel::Moderate => "Moderate",
            RiskLevel::High => "High",
        }
    }

    /// Answer code of the risk level (93374-7): Low LA9194-7 [V, BHP IG]; Moderate LA6751-7
    /// and High LA9193-9 [S]; the reference gives none for "no risk".
    pub fn loinc(self) -> Option<Loinc> {
        match self {
            RiskLevel::NoRisk => None,
            RiskLevel::Low => Some(Loinc::verified("LA9194-7")),
            RiskLevel::Moderate => Some(Loinc::secondary("LA6751-7")),
            RiskLevel::High => Some(Loinc::secondary("LA9193-9")),
        }
    }
}

const NO: u8 = 0;
const YES: u8 = 1;

/// The screener's questions [V] (`HL7/us-behavioral-health-profiles` C-SSRS example).
/// Labels are neutral: © 2011 Dr. Kelly Posner, and Clario holds an exclusive licence for
/// electronic implementations (reference §10, §16.11).
pub static CSSRS: Definition = Definition {
    id: InstrumentId::Cssrs,
    name: "C-SSRS",
    full_name: "Columbia Suicide Severity Rating Scale Screener, recent",
    panel_loinc: Some(Loinc::verified("93373-9")),
    total_loinc: Some(Loinc::verified("93374-7")),
    items: &[
        Item::recorded(
            1,
            "1",
            Some(Loinc::verified("93246-7")),
            "C-SSRS question 1 (wish to be dead)",
            &NO_YES,
        )
        .required(),
        Item::recorded(
            2,
            "2",
            Some(Loinc::verified("93247-5")),
            "C-SSRS question 2 (suicidal thoughts)",
            &NO_YES,
        )
        .required(),
        Item::recorded(
            3,
            "3",
            Some(Loinc::verified("93248-3")),
            "C-SSRS question 3 (thoughts of a method)",
            &NO_YES,
        )
        .required(),
        Item::recorded(
            4,
            "4",
            Some(Loinc::verified("93249-1")),
            "C-SSRS question 4 (intention of acting)",
            &NO_YES,
        )
        .required(),
        Item::recorded(
            5,
            "5",
            Some(Loinc::verified("93250-9")),
            "C-SSRS question 5 (plan with intent to carry it out)",
            &NO_YES,
        )
        .required(),
        Item::recorded(
            6,
            "6",
            Some(Loinc::verified("93267-3")),
            "C-SSRS question 6 (suicidal behaviour, lifetime)",
            &NO_YES,
        )
        .required(),
        Item::recorded(
            7,
            "6a",
            Some(Loinc::verified("93269-9")),
            "C-SSRS question 6a (behaviour within the past 3 months)",
            &NO_YES,
        )
        .required(),
    ],
    // Q3–5 are asked only if Q2 = Yes; 6a only if Q6 = Yes (reference §10 table).
    skips: &[
        Skip {
            gate: 2,
            when: &[NO],
            items: &[3, 4, 5],
            optional: false,
            source: "C-SSRS screener: questions 3-5 only if question 2 = Yes (reference §10)",
        },
        Skip {
            gate: 6,
            when: &[NO],
            items: &[7],
            optional: false,
            source: "C-SSRS screener: question 6a only if question 6 = Yes (reference §10)",
        },
    ],
    bands: &[],
    positive_at: None,
    prorate: false,
    item_text: ItemText::LabelsOnly,
    licence: "Free for clinical use (Columbia); electronic implementations licensed exclusively through Clario: get a legal read",
    source: "Posner K et al., Columbia Lighthouse Project; triage per Columbia screener guidelines; LOINC 93373-9 / 93374-7",
};

/// One way to reach a risk level: every (item, answer position) pair holds.
struct RiskRule {
    level: RiskLevel,
    when: &'static [(u8, u8)],
}

/// Columbia triage for the screener (reference §10): Q1 or Q2 yes ⇒ Low; Q3 yes, or Q6 yes
/// with 6a no ⇒ Moderate; Q4 or Q5 yes, or Q6 yes with 6a yes ⇒ High. Highest level wins.
const RISK_RULES: [RiskRule; 7] = [
    RiskRule {
        level: RiskLevel::Low,
        when: &[(1, YES)],
    },
    RiskRule {
        level: RiskLevel::Low,
        when: &[(2, YES)],
    },
    RiskRule {
        level: RiskLevel::Moderate,
        when: &[(3, YES)],
    },
    RiskRule {
        level: RiskLevel::Moderate,
        when: &[(6, YES), (7, NO)],
    },
    RiskRule {
        level: RiskLevel::High,
        when: &[(4, YES)],
    },
    RiskRule {
        level: RiskLevel::High,
        when: &[(5, YES)],
    },
    RiskRule {
        level: RiskLevel::High,
        when: &[(6, YES), (7, YES)],
    },
];

/// Risk level and safety. The level is given once the response is complete; before that,
/// the rules already met still raise the alert (a missing answer can only raise the level).
/// Items listed as alert items are the "Yes" answers of the rules at or above the alert
/// level in force (Moderate by default, a setting).
pub(super) fn rule(reading: &Reading, ctx: &ScoringContext, score: &mut Score) {
    let alert_at = ctx.settings.cssrs_alert_at;
    let mut level = RiskLevel::NoRisk;
    let mut alert_items: Vec<u8> = Vec::new();
    for rule in &RISK_RULES {
        if !rule
            .when
            .iter()
            .all(|&(item, answer)| reading.position(item) == Some(answer))
        {
            continue;
        }
        level = level.max(rule.level);
        if rule.level >= alert_at {
            alert_items.extend(
                rule.when
                    .iter()
                    .filter(|&&(_, answer)| answer == YES)
                    .map(|&(item, _)| item),
            );
        }
    }
    alert_items.sort_unstable();
    alert_items.dedup();
    score.safety = if !alert_items.is_empty() {
        Safety::Alert
    } else if score.complete {
        Safety::Clear
    } else {
        Safety::Unknown
    };
    score.alert_items = alert_items;
    if score.complete {
        score.risk_level = Some(level);
    } else if level > RiskLevel::NoRisk {
        score.notes.push(format!(
            "Incomplete: the answers given already reach {} risk; the level may be higher",
            level.label()
        ));
    }
    if score.complete && level > RiskLevel::NoRisk && level < alert_at {
        score.notes.push(format!(
            "{} risk: below the alert level in force ({}); behavioral-health follow-up",
            level.label(),
            alert_at.label()
        ));
    }
}
