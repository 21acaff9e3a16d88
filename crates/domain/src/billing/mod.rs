//! Care-management billing rules (reference cocm-billing-registry.md §§1–8).

pub mod codes;
pub mod settings;
pub mod thresholds;
