//! Synthetic data for Stepwise: a realistic demo practice, and large populations for
//! benchmarks. Everything is fictitious and reproducible: a seed (and the caller's `today`)
//! gives the same data on every platform. The clock is a parameter: nothing here reads it.
//!
//! - [`seed_demo`] writes the demo practice "Riverside Family Medicine" through the store's
//!   public operations: one account per role (see [`DEMO_USERS`]; each gets the password the
//!   caller hashed), about 150 patients, ten months of history.
//! - [`seed_population`] writes a large practice (say 20,000 patients and 400,000 responses)
//!   through [`stepwise_store::Store::bulk_import`], for benchmarks.
//!
//! Both expect a fresh database: account emails are unique on a server.

mod answers;
mod demo;
mod people;
mod population;
mod rng;

pub use demo::{
    ADMIN, BILLING, CM_NGUYEN, CM_RIVERA, DEFAULT_SEED, DEMO_DOMAIN, DEMO_PRACTICE, DEMO_TIME_ZONE,
    DEMO_USERS, DR_LINDQVIST, DR_OKAFOR, DR_PATEL, DemoOptions, DemoPractice, DemoUser, FRONT_DESK,
    MA, NP_BROOKS, PSYCHIATRIST, seed_demo,
};
pub use population::{
    OPEN_PER_CARE_MANAGER, POPULATION_BATCH, PopulationOptions, PopulationReport, seed_population,
};

use stepwise_domain::ValidationError;
use stepwise_store::StoreError;

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A generated record was refused by the domain's parser (a bug in the generator).
    #[error("a generated record was refused: {0}")]
    Input(#[from] ValidationError),
    #[error("{0}")]
    Options(String),
    /// The plan refers to something that does not exist (a bug in the generator).
    #[error("inconsistent plan: {0}")]
    Plan(String),
}
