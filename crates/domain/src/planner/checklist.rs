//! The readiness checklist: ten items derived from the AIMS Center implementation guide
//! (reference bhi-planning.md §3.2 [P]; AIMS's own readiness checklist could not be retrieved).
//! Partial completion counts: an item under way is worth half an item done.

use crate::codes::code_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

code_enum! {
    /// The items in the order a practice usually tackles them.
    pub enum ChecklistItem ("readiness item") {
        ImplementationLeader = "implementation_leader",
        PlanningTeam = "planning_team",
        SharedVision = "shared_vision",
        PractitionerBuyIn = "practitioner_buy_in",
        CareManager = "care_manager",
        PsychiatricConsultant = "psychiatric_consultant",
        Registry = "registry",
        BillingPlan = "billing_plan",
        CrisisProtocol = "crisis_protocol",
        MetricsPlan = "metrics_plan",
    }
}

/// What each item asks and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct ItemDefinition {
    pub item: ChecklistItem,
    pub label: &'static str,
    /// What "done" looks like, for the person ticking it.
    pub done_when: &'static str,
    pub source: &'static str,
}

/// Reference bhi-planning.md §3.2, items 1–10.
pub const CHECKLIST: [ItemDefinition; 10] = [
    ItemDefinition {
        item: ChecklistItem::ImplementationLeader,
        label: "Implementation leader",
        done_when: "A named person can give time and resources, drives targets and timelines, and gets staff into training.",
        source: "AIMS Center, Identify your champions (bhi-planning.md §3.2 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::PlanningTeam,
        label: "Planning team",
        done_when: "The team includes a practitioner champion, behavioral health staff, MA or nursing, and front desk or billing.",
        source: "AIMS Center, Lay the foundation; AHRQ Playbook, Define your vision (§3.2, §3.3 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::SharedVision,
        label: "Shared vision and target population",
        done_when: "Leaders agree on why the practice integrates care and for whom (for example adults with depression or anxiety).",
        source: "AIMS Center, Create a shared vision (§3.2 [V]); AHRQ target populations (§3.3 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::PractitionerBuyIn,
        label: "Practitioner buy-in",
        done_when: "Treating practitioners agree to care-manager follow-up and to act on psychiatric recommendations.",
        source: "AIMS Center, 20 years of implementing integrated care (§3.2 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::CareManager,
        label: "Care manager",
        done_when: "A behavioral health care manager is hired, trained or contracted, with protected time and a sized caseload.",
        source: "AIMS caseload guidance (§3.2, §5.3 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::PsychiatricConsultant,
        label: "Psychiatric consultant",
        done_when: "A psychiatric consultant (employed, contracted or by tele-consult) has weekly time for case review.",
        source: "AIMS Center; CMS MLN BHI fact sheet (§3.2, §4.3 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::Registry,
        label: "Registry",
        done_when: "A registry or caseload tool is in use alongside the EHR.",
        source: "AIMS registry requirements (§3.2, §5.1 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::BillingPlan,
        label: "Billing and space plan",
        done_when: "The payer mix is known, the codes are set up in the EHR, and there is space for the team.",
        source: "AIMS Center, Plan for clinical practice change (§3.2 [V]); AMA workflow guide (§3.4 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::CrisisProtocol,
        label: "Crisis protocol",
        done_when: "A suicide-risk and crisis protocol exists, with a referral list for higher levels of care.",
        source: "AIMS workflow phase 1; AMA workflow guide, crisis protocols (§3.4, §4.1 [V])",
    },
    ItemDefinition {
        item: ChecklistItem::MetricsPlan,
        label: "Metrics plan",
        done_when: "The practice knows which implementation and outcome metrics it will report into its quality work.",
        source: "AIMS Center, Nurture care (§3.2 [V])",
    },
];

pub fn definition(item: ChecklistItem) -> &'static ItemDefinition {
    // CHECKLIST lists the items in declaration order (checked by a test).
    &CHECKLIST[ChecklistItem::ALL
        .iter()
        .position(|i| *i == item)
        .unwrap_or(0)]
}

code_enum! {
    pub enum ItemStatus ("readiness item status") {
        NotStarted = "not_started",
        InProgress = "in_progress",
        Done = "done",
    }
}

impl ItemStatus {
    /// Credit toward completion: "progress over perfection", so work under way counts half [P].
    pub fn credit(self) -> f64 {
        match self {
            ItemStatus::NotStarted => 0.0,
            ItemStatus::InProgress => 0.5,
            ItemStatus::Done => 1.0,
        }
    }
}

/// The status of each item; an item not listed has not been started.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Checklist(pub BTreeMap<ChecklistItem, ItemStatus>);

impl Checklist {
    pub fn status(&self, item: ChecklistItem) -> ItemStatus {
        self.0.get(&item).copied().unwrap_or(ItemStatus::NotStarted)
    }

    pub fn set(&mut self, item: ChecklistItem, status: ItemStatus) {
        self.0.insert(item, status);
    }

    /// Share of the checklist completed, in [0, 1], with half credit for items under way.
    pub fn completion(&self) -> f64 {
        let credit: f64 = ChecklistItem::ALL
            .iter()
            .map(|i| self.status(*i).credit())
            .sum();
        credit / ChecklistItem::ALL.len() as f64
    }

    pub fn count(&self, status: ItemStatus) -> usize {
        ChecklistItem::ALL
            .iter()
            .filter(|i| self.status(**i) == status)
            .count()
    }

    /// Items not yet started, in checklist order.
    pub fn not_started(&self) -> Vec<ChecklistItem> {
        ChecklistItem::ALL
            .iter()
            .copied()
            .filter(|i| self.status(*i) == ItemStatus::NotStarted)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_table_follows_the_items() {
        for (def, item) in CHECKLIST.iter().zip(ChecklistItem::ALL) {
            assert_eq!(def.item, *item);
            assert!(!def.source.is_empty() && !def.done_when.is_empty());
        }
        assert_eq!(definition(ChecklistItem::MetricsPlan).label, "Metrics plan");
    }

    #[test]
    fn partial_completion_counts_half() {
        let mut c = Checklist::default();
        assert_eq!(c.completion(), 0.0);
        c.set(ChecklistItem::ImplementationLeader, ItemStatus::Done);
        c.set(ChecklistItem::PlanningTeam, ItemStatus::Done);
        c.set(ChecklistItem::Registry, ItemStatus::InProgress);
        assert!((c.completion() - 0.25).abs() < 1e-9);
        assert_eq!(c.count(ItemStatus::Done), 2);
        assert_eq!(c.count(ItemStatus::NotStarted), 7);
        assert_eq!(c.not_started()[0], ChecklistItem::SharedVision);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"implementation_leader":"done","planning_team":"done","registry":"in_progress"}"#
        );
    }

    proptest! {
        #[test]
        fn completion_is_a_fraction_and_grows_with_any_item(
            statuses in proptest::collection::vec(0usize..3, 10),
            which in 0usize..10,
        ) {
            let all = [ItemStatus::NotStarted, ItemStatus::InProgress, ItemStatus::Done];
            let mut c = Checklist(
                ChecklistItem::ALL.iter().copied().zip(statuses.iter().map(|s| all[*s])).collect(),
            );
            let before = c.completion();
            prop_assert!((0.0..=1.0).contains(&before));
            c.set(ChecklistItem::ALL[which], ItemStatus::Done);
            prop_assert!(c.completion() >= before);
        }
    }
}
