//! The web layer, in process: every route behind authentication, the API's flows and errors,
//! the pages, and the security headers. One integration binary (link time dominates).

// Test code: a panic with its location is the failure report (`allow-unwrap-in-tests` covers
// only `#[test]` functions, not helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod admin_pages;
mod api_flow;
mod audit_completeness;
mod audit_report;
mod auth;
mod billing;
mod community;
mod corrections;
mod finance;
mod forms;
mod injection;
mod instruments;
mod matrix;
mod pages;
mod plan;
mod plan_communication;
mod plan_pages;
mod routes;
mod safety;
mod sensitive;
