//! The web layer, in process: every route behind authentication, the API's flows and errors,
//! the pages, and the security headers. One integration binary (link time dominates).

mod harness;

mod api_flow;
mod pages;
mod routes;
