//! The store conformance suite: every store operation, on SQLite and on PostgreSQL.
//!
//! Each scenario is an `async fn(&Store)`; `conformance!` runs it once per engine. PostgreSQL
//! runs when `STEPWISE_TEST_PG_URL` names a server (the README's test command sets it).

// Test code: a panic with its location is the failure report. `allow-unwrap-in-tests` covers
// only `#[test]` functions, not the scenario helpers of an integration test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod access;
mod audit_trail;
mod auth;
mod backup;
mod billing;
mod community;
mod coverage;
mod encryption;
mod episodes;
mod finance;
mod import;
mod metrics;
mod patients;
mod plan;
mod records;
mod registry;
mod reviews;
mod safety;
mod sensitive;
mod wording;
