//! The yes/no decision tree that places a practice on one level: our own provisional tree,
//! derived from the CIHS differentiators (reference bhi-planning.md §2.3 [P]).
//!
//! The licensed Integrated Practice Assessment Tool also works as a cascade of yes/no
//! questions (§2.1 [V]), but its wording and branches were not available (§2.2); this tree is
//! ours and must never be presented as that tool. The table is data: replacing a question or a
//! branch means editing `TREE` only.

use super::level::IntegrationLevel;
use super::self_rating::Respondent;
use crate::codes::code_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

code_enum! {
    pub enum TreeQuestion ("decision-tree question") {
        SameSite = "q1",
        RoutineExchange = "q2",
        SharedSpaceSystemsMeetings = "q3",
        ChangedCareDelivery = "q4",
        StandardForAll = "q5",
    }
}

/// Where an answer leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branch {
    Ask(TreeQuestion),
    Place(IntegrationLevel),
}

/// One row of the tree.
#[derive(Debug, Clone, Copy)]
pub struct TreeNode {
    pub question: TreeQuestion,
    pub text: &'static str,
    /// What a "yes" means: the feature is really in place, not planned (§2.1 [V]).
    pub help: &'static str,
    pub yes: Branch,
    pub no: Branch,
}

/// The first question asked.
pub const TREE_ROOT: TreeQuestion = TreeQuestion::SameSite;

/// Where the tree comes from, shown with it.
pub const TREE_SOURCE: &str = "Stepwise's provisional decision tree (reference bhi-planning.md \
§2.3), derived from the differentiators of the SAMHSA-HRSA CIHS Standard Framework. It is not the \
licensed Integrated Practice Assessment Tool.";

const fn level(n: u8) -> Branch {
    match IntegrationLevel::new(n) {
        Some(l) => Branch::Place(l),
        None => panic!("levels are 1 to 6"),
    }
}

/// Reference bhi-planning.md §2.3, rows Q1–Q5.
pub const TREE: [TreeNode; 5] = [
    TreeNode {
        question: TreeQuestion::SameSite,
        text: "Do behavioral health and medical clinicians deliver care at the same site?",
        help: "Answer yes only if both see patients in the same building on a regular schedule.",
        yes: Branch::Ask(TreeQuestion::SharedSpaceSystemsMeetings),
        no: Branch::Ask(TreeQuestion::RoutineExchange),
    },
    TreeNode {
        question: TreeQuestion::RoutineExchange,
        text: "Is there a routine way, not case by case, to exchange information about shared \
               patients (for example a standard letter back after a referral, or regular calls)?",
        help: "A routine means it happens for every shared patient, without anyone having to remember.",
        yes: level(2),
        no: level(1),
    },
    TreeNode {
        question: TreeQuestion::SharedSpaceSystemsMeetings,
        text: "Do they work in the same space, share at least one system (schedule or record), \
               and meet face to face about some patients?",
        help: "All three must be true.",
        yes: Branch::Ask(TreeQuestion::ChangedCareDelivery),
        no: level(3),
    },
    TreeNode {
        question: TreeQuestion::ChangedCareDelivery,
        text: "Has the practice changed how it cares for shared patients: screening agreed across \
               disciplines, treatment plans made together, and regular team meetings?",
        help: "All three must be in place today.",
        yes: Branch::Ask(TreeQuestion::StandardForAll),
        no: level(4),
    },
    TreeNode {
        question: TreeQuestion::StandardForAll,
        text: "Is integrated care the standard for all patients: screening of the whole \
               population, one care plan, fully shared systems, and an integrated business model?",
        help: "Answer yes only if this holds for every patient, not a pilot group.",
        yes: level(6),
        no: level(5),
    },
];

pub fn node(question: TreeQuestion) -> &'static TreeNode {
    // Every question has a row: checked by `every_question_has_exactly_one_row`.
    TREE.iter()
        .find(|n| n.question == question)
        .unwrap_or(&TREE[0])
}

/// One person's (or the team's) answers, keyed by question.
pub type TreeAnswers = BTreeMap<TreeQuestion, bool>;

/// One question asked and its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreeStep {
    pub question: TreeQuestion,
    pub answer: bool,
}

/// The level reached and the questions asked on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreePlacement {
    pub level: IntegrationLevel,
    pub path: Vec<TreeStep>,
}

/// The walk stopped at a question that has no answer yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("question {next} has not been answered")]
pub struct TreeIncomplete {
    pub next: TreeQuestion,
    pub path: Vec<TreeStep>,
}

/// Walk the tree from the root. Only the questions on the path need answers.
pub fn place(answers: &TreeAnswers) -> Result<TreePlacement, TreeIncomplete> {
    let mut path = Vec::new();
    let mut at = TREE_ROOT;
    // Each question is asked at most once, so the walk ends within TREE.len() steps.
    for _ in 0..TREE.len() {
        let Some(&yes) = answers.get(&at) else {
            return Err(TreeIncomplete { next: at, path });
        };
        path.push(TreeStep {
            question: at,
            answer: yes,
        });
        let n = node(at);
        match if yes { n.yes } else { n.no } {
            Branch::Place(level) => return Ok(TreePlacement { level, path }),
            Branch::Ask(q) => at = q,
        }
    }
    Err(TreeIncomplete { next: at, path })
}

/// One respondent's answers, for comparing respondents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RespondentAnswers {
    pub respondent: Respondent,
    pub answers: TreeAnswers,
}

/// Where one respondent's answers lead (`None` while incomplete).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RespondentPlacement {
    pub respondent: String,
    pub level: Option<IntegrationLevel>,
}

/// Several respondents' placements taken together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreeConsensus {
    /// The lowest level any complete answer set reaches: a "yes" should mean the feature is
    /// really in place (§2.1 [V]), so a doubt counts against the higher level [P].
    pub level: Option<IntegrationLevel>,
    pub placements: Vec<RespondentPlacement>,
    /// Questions answered both yes and no: talk them through (AHRQ checklist guidance, §3.3 [V]).
    pub disputed: Vec<TreeQuestion>,
}

pub fn tree_consensus(respondents: &[RespondentAnswers]) -> TreeConsensus {
    let placements: Vec<RespondentPlacement> = respondents
        .iter()
        .map(|r| RespondentPlacement {
            respondent: r.respondent.name.clone(),
            level: place(&r.answers).ok().map(|p| p.level),
        })
        .collect();
    let disputed = TreeQuestion::ALL
        .iter()
        .copied()
        .filter(|q| {
            let said = |v: bool| respondents.iter().any(|r| r.answers.get(q) == Some(&v));
            said(true) && said(false)
        })
        .collect();
    TreeConsensus {
        level: placements.iter().filter_map(|p| p.level).min(),
        placements,
        disputed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TreeQuestion::*;
    use proptest::prelude::*;

    fn answers(list: &[(TreeQuestion, bool)]) -> TreeAnswers {
        list.iter().copied().collect()
    }

    /// Every path of §2.3, as a table: answers → level.
    #[test]
    fn every_path_reaches_its_level() {
        let cases: [(&[(TreeQuestion, bool)], u8); 6] = [
            (&[(SameSite, false), (RoutineExchange, false)], 1),
            (&[(SameSite, false), (RoutineExchange, true)], 2),
            (&[(SameSite, true), (SharedSpaceSystemsMeetings, false)], 3),
            (
                &[
                    (SameSite, true),
                    (SharedSpaceSystemsMeetings, true),
                    (ChangedCareDelivery, false),
                ],
                4,
            ),
            (
                &[
                    (SameSite, true),
                    (SharedSpaceSystemsMeetings, true),
                    (ChangedCareDelivery, true),
                    (StandardForAll, false),
                ],
                5,
            ),
            (
                &[
                    (SameSite, true),
                    (SharedSpaceSystemsMeetings, true),
                    (ChangedCareDelivery, true),
                    (StandardForAll, true),
                ],
                6,
            ),
        ];
        for (given, expected) in cases {
            let p = place(&answers(given)).unwrap();
            assert_eq!(p.level.number(), expected, "{given:?}");
            let path: Vec<(TreeQuestion, bool)> =
                p.path.iter().map(|s| (s.question, s.answer)).collect();
            assert_eq!(path, given.to_vec());
        }
    }

    #[test]
    fn answers_off_the_path_are_ignored_and_missing_ones_reported() {
        let p = place(&answers(&[
            (SameSite, false),
            (RoutineExchange, true),
            (StandardForAll, true),
        ]))
        .unwrap();
        assert_eq!(p.level.number(), 2);
        let err = place(&answers(&[(SameSite, true)])).unwrap_err();
        assert_eq!(err.next, SharedSpaceSystemsMeetings);
        assert_eq!(err.to_string(), "question q3 has not been answered");
        assert_eq!(place(&TreeAnswers::new()).unwrap_err().next, SameSite);
    }

    #[test]
    fn every_question_has_exactly_one_row_and_is_reachable() {
        for q in TreeQuestion::ALL {
            assert_eq!(TREE.iter().filter(|n| n.question == *q).count(), 1, "{q}");
            let reached = *q == TREE_ROOT
                || TREE
                    .iter()
                    .any(|n| n.yes == Branch::Ask(*q) || n.no == Branch::Ask(*q));
            assert!(reached, "{q} is never asked");
        }
        assert!(TREE_SOURCE.contains("not the licensed"));
        assert!(TREE.iter().all(|n| !n.text.contains("IPAT")));
    }

    #[test]
    fn respondents_who_disagree_get_the_lower_level_and_the_disputed_questions() {
        let who = |name: &str| Respondent {
            name: name.into(),
            role: None,
        };
        let team = [
            RespondentAnswers {
                respondent: who("Dr A"),
                answers: answers(&[
                    (SameSite, true),
                    (SharedSpaceSystemsMeetings, true),
                    (ChangedCareDelivery, false),
                ]),
            },
            RespondentAnswers {
                respondent: who("BHCM"),
                answers: answers(&[(SameSite, true), (SharedSpaceSystemsMeetings, false)]),
            },
            RespondentAnswers {
                respondent: who("New MA"),
                answers: answers(&[]),
            },
        ];
        let c = tree_consensus(&team);
        assert_eq!(c.level.map(|l| l.number()), Some(3));
        assert_eq!(c.disputed, vec![SharedSpaceSystemsMeetings]);
        assert_eq!(c.placements[2].respondent, "New MA");
        assert_eq!(c.placements[2].level, None);
    }

    proptest! {
        /// Any full set of answers reaches a level, in at most one step per question.
        #[test]
        fn any_complete_answers_place_the_practice(bits in proptest::array::uniform5(any::<bool>())) {
            let a: TreeAnswers = TreeQuestion::ALL.iter().copied().zip(bits).collect();
            let p = place(&a).unwrap();
            prop_assert!(p.path.len() <= TREE.len() && !p.path.is_empty());
            prop_assert_eq!(p.level.number() >= 3, bits[0]);
        }
    }
}
