//! Tasks: work the registry gives a clinician, each with its kind, due date, status, assignee
//! and the record that made it (its source). A task is done when its source says so (closing
//! a safety alert completes its task), never by deletion.

use crate::codes::code_enum;

code_enum! {
    pub enum TaskKind ("task kind") {
        /// Assess suicide risk the same day: a safety item was positive.
        SafetyAssessment = "safety_assessment",
        /// Ask a safety item that was left unanswered, the same day.
        AskSafetyItem = "ask_safety_item",
        /// Call about a referral that has had no update (reference bhi-planning.md §6.4).
        ReferralFollowUp = "referral_follow_up",
    }
}

code_enum! {
    pub enum TaskStatus ("task status") {
        Open = "open",
        Done = "done",
    }
}

code_enum! {
    /// The kind of record a task comes from.
    pub enum TaskSource ("task source") {
        SafetyAlert = "safety_alert",
        Referral = "referral",
    }
}

impl TaskKind {
    pub fn label(self) -> &'static str {
        match self {
            TaskKind::SafetyAssessment => "Safety assessment",
            TaskKind::AskSafetyItem => "Ask the safety item",
            TaskKind::ReferralFollowUp => "Follow up a referral",
        }
    }
}
