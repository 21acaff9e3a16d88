//! PTSD: PCL-5 and PC-PTSD-5. Reference instruments.md §9 and §13.

use super::InstrumentId;
use super::model::{AnswerOption, Definition, Item, ItemText, Loinc, Skip};
use super::options::NO_YES_UNCODED;
use super::scoring::{Criterion, Reading, Score, Subscale, all_met};
use super::settings::ScoringContext;

/// PCL-5 answers 0–4; the reference has no LA codes for them [U].
const BOTHER: [AnswerOption; 5] = [
    AnswerOption::new("Not at all", &[], 0),
    AnswerOption::new("A little bit", &[], 1),
    AnswerOption::new("Moderately", &[], 2),
    AnswerOption::new("Quite a bit", &[], 3),
    AnswerOption::new("Extremely", &[], 4),
];

const fn pcl(number: u8, form_number: &'static str, label: &'static str) -> Item {
    Item::scored(number, form_number, None, label, &BOTHER)
}

/// PCL-5: 20 DSM-5 symptoms, past month. Work of the US Government (VA National Center for
/// PTSD), public domain (CamCOPS pcl5.rst), so the (abbreviated) wording ships.
///
/// LOINC panel 101697-1 and score 101698-9 are from secondary sources [S] (first released in
/// LOINC 2.75; one public repository uses 96762-0 instead — in conflict, verify). Item codes
/// [U]. No empirically derived severity bands (NCPTSD), so none are given.
pub static PCL5: Definition = Definition {
    id: InstrumentId::Pcl5,
    name: "PCL-5",
    full_name: "PTSD Checklist for DSM-5",
    panel_loinc: Some(Loinc::secondary("101697-1")),
    total_loinc: Some(Loinc::secondary("101698-9")),
    items: &[
        pcl(
            1,
            "1",
            "Repeated, disturbing, and unwanted memories of the stressful experience",
        ),
        pcl(
            2,
            "2",
            "Repeated, disturbing dreams of the stressful experience",
        ),
        pcl(
            3,
            "3",
            "Suddenly feeling or acting as if the stressful experience were actually happening again",
        ),
        pcl(
            4,
            "4",
            "Feeling very upset when something reminded you of the stressful experience",
        ),
        pcl(
            5,
            "5",
            "Having strong physical reactions when something reminded you of the stressful experience",
        ),
        pcl(
            6,
            "6",
            "Avoiding memories, thoughts, or feelings related to the stressful experience",
        ),
        pcl(
            7,
            "7",
            "Avoiding external reminders of the stressful experience",
        ),
        pcl(
            8,
            "8",
            "Trouble remembering important parts of the stressful experience",
        ),
        pcl(
            9,
            "9",
            "Having strong negative beliefs about yourself, other people, or the world",
        ),
        pcl(
            10,
            "10",
            "Blaming yourself or someone else for the stressful experience or what happened after it",
        ),
        pcl(
            11,
            "11",
            "Having strong negative feelings such as fear, horror, anger, guilt, or shame",
        ),
        pcl(
            12,
            "12",
            "Loss of interest in activities that you used to enjoy",
        ),
        pcl(13, "13", "Feeling distant or cut off from other people"),
        pcl(14, "14", "Trouble experiencing positive feelings"),
        pcl(
            15,
            "15",
            "Irritable behavior, angry outbursts, or acting aggressively",
        ),
        pcl(
            16,
            "16",
            "Taking too many risks or doing things that could cause you harm",
        ),
        pcl(17, "17", "Being \"superalert\" or watchful or on guard"),
        pcl(18, "18", "Feeling jumpy or easily startled"),
        pcl(19, "19", "Having difficulty concentrating"),
        pcl(20, "20", "Trouble falling or staying asleep"),
    ],
    skips: &[],
    bands: &[],
    positive_at: Some(PCL5_POSITIVE_AT),
    prorate: false,
    item_text: ItemText::Included,
    licence: "US Government work (VA National Center for PTSD): public domain",
    source: "Weathers FW et al., National Center for PTSD; scoring as reproduced at comorbidityguidelines.org.au (PCL-5 scoring and interpretation)",
};

/// Provisional PTSD at a total of 31–33 (NCPTSD); default 33, a setting (reference §9).
pub const PCL5_POSITIVE_AT: u16 = 33;

/// A DSM-5 symptom cluster of the PCL-5 and how many of its items must be endorsed.
struct Cluster {
    key: &'static str,
    label: &'static str,
    items: std::ops::RangeInclusive<u8>,
    needed: usize,
}

/// DSM-5 clusters (NCPTSD guidance, reference §9): B intrusion 1–5 (≥ 1), C avoidance 6–7
/// (≥ 1), D negative cognitions and mood 8–14 (≥ 2), E arousal and reactivity 15–20 (≥ 2).
const CLUSTERS: [Cluster; 4] = [
    Cluster {
        key: "B",
        label: "Intrusion (items 1-5)",
        items: 1..=5,
        needed: 1,
    },
    Cluster {
        key: "C",
        label: "Avoidance (items 6-7)",
        items: 6..=7,
        needed: 1,
    },
    Cluster {
        key: "D",
        label: "Negative alterations in cognition and mood (items 8-14)",
        items: 8..=14,
        needed: 2,
    },
    Cluster {
        key: "E",
        label: "Alterations in arousal and reactivity (items 15-20)",
        items: 15..=20,
        needed: 2,
    },
];

/// An item rated 2 ("Moderately") or higher counts as an endorsed symptom.
const ENDORSED_AT: u8 = 2;

/// Cluster scores, the cut-off and the DSM-5 rule, each decided only from fully answered
/// clusters; `positive` stays the cut-off (provisional PTSD by cut-point), and the DSM-5 rule
/// is reported beside it — the two can disagree (reference §9 vectors).
pub(super) fn pcl5_rule(reading: &Reading, ctx: &ScoringContext, score: &mut Score) {
    let mut cluster_met = Vec::with_capacity(CLUSTERS.len());
    for cluster in &CLUSTERS {
        let points: Option<Vec<u8>> = cluster.items.clone().map(|n| reading.points(n)).collect();
        score.subscales.push(Subscale {
            key: cluster.key.into(),
            label: cluster.label.into(),
            score: points
                .as_ref()
                .map(|p| p.iter().map(|&x| u16::from(x)).sum()),
        });
        let met = points.map(|p| p.iter().filter(|&&x| x >= ENDORSED_AT).count() >= cluster.needed);
        score.criteria.push(Criterion {
            key: format!("cluster_{}", cluster.key.to_lowercase()),
            label: format!(
                "Cluster {}: at least {} item(s) rated 2 or higher",
                cluster.key, cluster.needed
            ),
            met,
        });
        cluster_met.push(met);
    }
    score.criteria.insert(
        0,
        Criterion {
            key: "cut_off".into(),
            label: format!("Total {} or higher", ctx.settings.pcl5_positive_at),
            met: score.positive,
        },
    );
    score.criteria.push(Criterion {
        key: "dsm5_rule".into(),
        label: "DSM-5 rule: at least 1 B, 1 C, 2 D and 2 E items rated 2 or higher".into(),
        met: all_met(cluster_met),
    });
}

/// PC-PTSD-5 (Prins et al., J Gen Intern Med 2016;31:1206): a trauma-exposure gate, then 5
/// yes/no items for the past month; score = number of Yes, 0–5; no exposure ⇒ score 0.
/// VA / US Government instrument, so the wording ships. LOINC [U]: no codes given.
pub static PCPTSD5: Definition = Definition {
    id: InstrumentId::Pcptsd5,
    name: "PC-PTSD-5",
    full_name: "Primary Care PTSD Screen for DSM-5",
    panel_loinc: None,
    total_loinc: None,
    items: &[
        Item::recorded(
            1,
            "Trauma",
            None,
            "Have you ever experienced an unusually or especially frightening, horrible, or traumatic event?",
            &NO_YES_UNCODED,
        )
        .required(),
        Item::scored(
            2,
            "1",
            None,
            "In the past month, had nightmares about the event(s) or thought about the event(s) when you did not want to?",
            &NO_YES_UNCODED,
        ),
        Item::scored(
            3,
            "2",
            None,
            "In the past month, tried hard not to think about the event(s) or went out of your way to avoid situations that reminded you of the event(s)?",
            &NO_YES_UNCODED,
        ),
        Item::scored(
            4,
            "3",
            None,
            "In the past month, been constantly on guard, watchful, or easily startled?",
            &NO_YES_UNCODED,
        ),
        Item::scored(
            5,
            "4",
            None,
            "In the past month, felt numb or detached from people, activities, or your surroundings?",
            &NO_YES_UNCODED,
        ),
        Item::scored(
            6,
            "5",
            None,
            "In the past month, felt guilty or unable to stop blaming yourself or others for the event(s) or any problems the event(s) may have caused?",
            &NO_YES_UNCODED,
        ),
    ],
    skips: &[Skip {
        gate: 1,
        when: &[0],
        items: &[2, 3, 4, 5, 6],
        optional: false,
        source: "PC-PTSD-5: no trauma exposure ⇒ the 5 items are not asked and the score is 0 (Prins 2016; reference §13)",
    }],
    bands: &[],
    positive_at: Some(PCPTSD5_POSITIVE_AT),
    prorate: false,
    item_text: ItemText::Included,
    licence: "VA / US Government instrument: public domain",
    source: "Prins A et al. J Gen Intern Med 2016;31:1206; Bovin MJ et al. JAMA Netw Open 2021",
};

/// PC-PTSD-5 cut-point 4 (best balance in VA primary care); 3 is more sensitive, for women
/// (Bovin 2021): a setting (reference §13).
pub const PCPTSD5_POSITIVE_AT: u16 = 4;

/// A positive PC-PTSD-5 calls for a PCL-5 (reference §13).
pub(super) fn pcptsd5_rule(score: &mut Score) {
    if score.positive == Some(true) {
        score
            .notes
            .push("Positive screen: administer the PCL-5".into());
    }
}
