//! Care-management billing rules (reference cocm-billing-registry.md §§1–8).

pub mod codes;
pub mod engine;
pub mod explain;
pub mod fees;
pub mod input;
pub mod month;
pub mod settings;
pub mod thresholds;
