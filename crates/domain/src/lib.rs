//! Stepwise's rules as pure functions over plain data.
//!
//! Nothing in this crate reads the clock, the disk or the network: `today` and `now` are
//! parameters, and every rule a clinician or biller could dispute cites its source next to it.

pub mod access;
pub mod assessment;
pub mod audit;
pub mod auth;
pub mod baseline;
pub mod billing;
pub mod calendar;
pub mod care_plan;
pub mod case_review;
mod codes;
pub mod contact;
pub mod episode;
pub mod error;
pub mod finance;
pub mod ids;
pub mod instruments;
pub mod measurement;
pub mod metrics;
pub mod patient;
pub mod planner;
pub mod record;
pub mod referral;
pub mod registry;
pub mod resources;
pub mod role;
pub mod safety;
pub mod sensitivity;
pub mod task;

pub use error::{FieldError, ValidationError};
