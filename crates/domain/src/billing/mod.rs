//! Care-management billing rules (reference cocm-billing-registry.md §§1–8), as pure functions
//! over a patient's history: no clock, no I/O. `docs/billing.md` explains every rule, setting
//! and the JSON interface.
//!
//! - [`codes`]: the billing codes and the table of where and when each can be billed;
//! - [`thresholds`]: the minute thresholds of each code;
//! - [`settings`]: the rule settings for every unverified or disputed point, per payer;
//! - [`input`]: the history the engine reads;
//! - [`month`]: which minutes count, and episodes (initial and subsequent months);
//! - [`engine`]: the engine, one result per patient-month;
//! - [`explain`]: the explanation of each result;
//! - [`fees`]: the fee table and expected payment;
//! - [`json`]: the JSON evaluation interface;
//! - [`close`]: month close: billing settings, fee table, diagnoses, adjustments, export.

pub mod close;
pub mod codes;
pub mod engine;
pub mod explain;
pub mod fees;
pub mod input;
pub mod json;
pub mod month;
pub mod settings;
pub mod thresholds;

#[cfg(test)]
mod tests;

pub use close::{
    Adjustment, AdjustmentInput, BillingSettings, DiagnosisCode, ExportLine, FeeTable, LineSource,
};
pub use codes::{BillingCode, CareSetting};
pub use engine::{ClaimLine, ClaimLines, Hold, MonthBilling, bill_month, evaluate, evaluate_all};
pub use fees::{CY2025_NATIONAL_NON_FACILITY, ExpectedPayment, FeeSchedule, expected_payment};
pub use input::{Activity, ActivityRole, ConsentPeriod, History, HistoryParts, PractitionerKind};
pub use json::{InputError, evaluate_json};
pub use settings::{PracticeRules, RuleOverrides, RuleSettings};
