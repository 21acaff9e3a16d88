//! Care-management billing rules (reference cocm-billing-registry.md §§1–8).

pub mod thresholds;
