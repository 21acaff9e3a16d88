//! Metrics of success (reference bhi-planning.md §5.1): a catalogue of definitions with their
//! sources, and pure functions that compute each metric's numerator, denominator and value for
//! a period from plain input records. docs/metrics.md explains every metric for practices.
//!
//! - [`catalogue`]: codes, definitions, units and sources;
//! - [`input`]: the input records, the period, the filter and grouping;
//! - [`screening`], [`outcomes`], [`process`], [`referrals`]: the metrics by family;
//! - [`compute`]: one metric or the whole catalogue for a period and a filter.
//!
//! Windowed metrics (follow-up of a positive screen, the 4–8 month PHQ-9, early follow-up,
//! consultation in weeks 8–12) count an event in the period in which its window **ends**, as
//! HEDIS shifts its intake periods so that every window closes within the measurement year.

pub mod catalogue;
pub mod compute;
pub mod export;
pub mod input;
pub mod measures;
pub mod outcomes;
pub mod process;
pub mod referrals;
mod result;
pub mod screening;

#[cfg(test)]
mod tests;

pub use catalogue::{Better, CATALOGUE, MetricCode, MetricDefinition, MetricUnit};
pub use compute::{compute, compute_all, compute_grouped};
pub use input::{
    CareManagerFte, EpisodeRecord, GroupBy, MetricsFilter, MetricsInput, PatientRecord, Period,
    Screening, groups, is_depression_screen,
};
pub use measures::MeasuresOfSuccess;
pub use result::MetricResult;
