//! The store conformance suite: every store operation, on SQLite and on PostgreSQL.
//!
//! Each scenario is an `async fn(&Store)`; `conformance!` runs it once per engine. PostgreSQL
//! runs when `STEPWISE_TEST_PG_URL` names a server (the README's test command sets it).

mod harness;

mod access;
mod audit_trail;
mod coverage;
mod episodes;
mod patients;
mod records;
mod registry;
mod reviews;
