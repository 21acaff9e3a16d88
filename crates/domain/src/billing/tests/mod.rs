//! The billing engine's tests: the reference's worked examples through the JSON interface,
//! further cases, and properties.

mod cases;
mod examples;
mod properties;
