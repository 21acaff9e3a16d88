//! The community resource directory (reference bhi-planning.md §6): community partners and
//! the national crisis lines, with HSDS-compatible fields, search, CSV import and export, and
//! the printable referral call list. Pure functions; the store keeps the entries.
//!
//! - [`category`]: the category codes and the minimum inventory (§6.1);
//! - [`model`]: one entry and its HSDS field mapping (§6.2, §6.3);
//! - [`schedule`]: opening hours;
//! - [`seed`]: the built-in crisis and help lines (988 and others, §6.1);
//! - [`search`]: search by words, category and language, and inventory gaps;
//! - [`csv_file`]: the CSV layout, export (with formula-injection guard) and import;
//! - [`call_list`]: the call list grouped by category, crisis first (§6.3).

pub mod call_list;
pub mod category;
pub mod csv_file;
pub mod model;
pub mod schedule;
pub mod search;
pub mod seed;

pub use call_list::{CallList, CallListGroup, CallListRow, call_list};
pub use category::{MINIMUM_INVENTORY, Payment, ReferralMethod, ResourceCategory, ServiceStatus};
pub use csv_file::{
    COLUMNS, Column, ExportError, ImportError, ImportErrors, export_csv, field_text, from_fields,
    import_csv,
};
pub use model::{DEFAULT_REVERIFY_MONTHS, Resource, ResourceId};
pub use schedule::{Hours, OpeningHours};
pub use search::{ResourceQuery, inventory_gaps, search};
pub use seed::{built_in_resources, is_built_in};
