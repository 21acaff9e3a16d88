//! The registry: what the care team sees about each episode, derived from its history.
//!
//! [`EpisodeFacts::from_history`] condenses an episode's history; [`flags`] and [`caseload_row`]
//! turn the facts and today's date into the caseload's columns and flags
//! (reference cocm-billing-registry.md §9.4 and §9.10). All are pure functions.

mod facts;
mod flags;

pub use facts::{
    AssessmentRecord, ContactRecord, EpisodeFacts, EpisodeHistory, ManualFlags, ScorePoint, Trend,
};
pub use flags::{
    CaseloadRow, Flag, FlagKind, RegistrySettings, ReviewReason, caseload_row, flags,
    review_reasons, sort_caseload,
};
