//! The directory as a CSV file: one row per resource, the columns of [`COLUMNS`] (documented
//! in docs/metrics.md, "Resource directory CSV"), field names from Open Referral HSDS where it
//! has one (reference bhi-planning.md §6.2: "HSDS-compatible storage for import/export").
//!
//! - Lists (categories, languages, …) are separated by `;` within a cell.
//! - Yes/no cells take `yes`/`no` (also `true`/`false`, `y`/`n`, `1`/`0`); dates `YYYY-MM-DD`.
//! - **Spreadsheet formula injection**: a cell that begins with `=`, `+`, `-`, `@`, a tab or a
//!   carriage return is written with a leading `'`, so that a spreadsheet shows it as text
//!   (OWASP "CSV Injection"). Import removes that one `'` again, so export → import gives back
//!   exactly what was exported (a cell that already begins with `'` before such a character
//!   gets one more `'`, and loses only that one).
//! - Import is all or nothing: either every row parses and [`import_csv`] returns them all, or
//!   it returns every problem found, each with its line number and column.

use super::category::{Payment, ReferralMethod, ResourceCategory, ServiceStatus};
use super::model::{
    DEFAULT_REVERIFY_MONTHS, Resource, ResourceId, check_reverify_months, parse_language,
};
use super::schedule::Hours;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use time::Date;
use time::macros::format_description;

/// One column of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// The HSDS object.field it maps to, or "" for a Stepwise extension.
    pub hsds: &'static str,
    /// The column must be present, and the cell not empty.
    pub required: bool,
    pub help: &'static str,
}

const fn col(name: &'static str, hsds: &'static str, required: bool, help: &'static str) -> Column {
    Column {
        name,
        hsds,
        required,
        help,
    }
}

/// The file's columns, in the order export writes them. Import accepts them in any order and
/// any subset that includes the required ones.
pub const COLUMNS: &[Column] = &[
    col(
        "id",
        "service.id",
        false,
        "Stepwise id; empty for a new entry, kept to update one",
    ),
    col(
        "organization_name",
        "organization.name",
        true,
        "Organization",
    ),
    col(
        "organization_alternate_name",
        "organization.alternate_name",
        false,
        "Other name",
    ),
    col("service_name", "service.name", true, "Service or program"),
    col(
        "categories",
        "attribute/taxonomy_term",
        true,
        "Category codes, ';'-separated: crisis, behavioral_health, substance_use, …",
    ),
    col(
        "taxonomy_code",
        "taxonomy_term.code",
        false,
        "Optional AIRS/211 or Open Eligibility code",
    ),
    col(
        "description",
        "service.description",
        false,
        "What the service does",
    ),
    col(
        "status",
        "service.status",
        false,
        "active (default), inactive, defunct, temporarily closed",
    ),
    col(
        "intake_phone",
        "phone.number (type voice, intake)",
        false,
        "Phone for intake",
    ),
    col(
        "after_hours_phone",
        "phone.number (type voice, after hours)",
        false,
        "After-hours line",
    ),
    col("fax", "phone.number (type fax)", false, "Fax"),
    col(
        "text_number",
        "phone.number (type text)",
        false,
        "Number that takes text messages",
    ),
    col("email", "service.email", false, "E-mail"),
    col("website", "organization.website", false, "Website"),
    col("contact_name", "contact.name", false, "Named contact"),
    col("contact_title", "contact.title", false, "Contact's title"),
    col(
        "contact_phone",
        "contact phone.number",
        false,
        "Contact's phone",
    ),
    col("contact_email", "contact.email", false, "Contact's e-mail"),
    col("address_1", "address.address_1", false, "Street address"),
    col("city", "address.city", false, "City"),
    col("state_province", "address.state_province", false, "State"),
    col("postal_code", "address.postal_code", false, "ZIP code"),
    col(
        "service_area",
        "service_area.description",
        false,
        "Area served",
    ),
    col(
        "hours",
        "schedule.byday/opens_at/closes_at",
        false,
        "24/7, or e.g. MO-FR 08:00-17:00; SA 09:00-12:00",
    ),
    col(
        "hours_note",
        "schedule.description",
        false,
        "Hours in words",
    ),
    col(
        "eligibility_description",
        "service.eligibility_description",
        false,
        "Who is eligible",
    ),
    col("minimum_age", "service.minimum_age", false, "Whole years"),
    col("maximum_age", "service.maximum_age", false, "Whole years"),
    col(
        "required_documents",
        "required_document.document",
        false,
        "Documents, ';'-separated",
    ),
    col(
        "application_process",
        "service.application_process",
        false,
        "Intake steps",
    ),
    col(
        "languages",
        "language.code",
        false,
        "Language codes, ';'-separated: en; es",
    ),
    col(
        "interpretation_services",
        "service.interpretation_services",
        false,
        "Interpreters available",
    ),
    col(
        "fees_description",
        "service.fees_description",
        false,
        "Fees in words",
    ),
    col(
        "payment_accepted",
        "cost_option.option",
        false,
        "medicare; medicaid; commercial; sliding_fee; self_pay; free",
    ),
    col(
        "referral_methods",
        "",
        false,
        "phone; fax; portal; direct; email; walk_in",
    ),
    col("telehealth", "", false, "yes/no"),
    col(
        "accepting_new_clients",
        "",
        false,
        "yes/no, empty if not known",
    ),
    col(
        "accepting_checked_on",
        "",
        false,
        "Date the above was checked",
    ),
    col("wait_time", "service.wait_time", false, "Typical wait"),
    col(
        "consent_before_sharing",
        "",
        false,
        "yes if records need the patient's consent first (e.g. 42 CFR Part 2)",
    ),
    col(
        "warm_transfer",
        "",
        false,
        "yes if a warm transfer is possible",
    ),
    col(
        "last_verified_on",
        "service.assured_date",
        false,
        "Date last verified",
    ),
    col(
        "verified_by",
        "service.assurer_email",
        false,
        "Who verified",
    ),
    col(
        "reverify_months",
        "",
        false,
        "Months between verifications (default 6)",
    ),
    col("notes", "", false, "Notes"),
];

const LIST_SEPARATOR: char = ';';

/// Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection").
fn starts_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Whether a cell needs the `'` guard: it begins like a formula, or it is `'` followed by
/// something that would itself need the guard (so that import can always undo exactly one).
fn needs_guard(s: &str) -> bool {
    starts_like_formula(s) || s.strip_prefix('\'').is_some_and(needs_guard)
}

/// The cell as written to the file.
pub fn guard_cell(s: &str) -> String {
    if needs_guard(s) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// The cell as read from the file: [`guard_cell`] undone.
pub fn unguard_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => s,
    }
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(&format!("{LIST_SEPARATOR} "))
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

fn date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn number(n: Option<u8>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// One cell of `r`, unguarded.
fn cell(r: &Resource, column: &str) -> String {
    match column {
        "id" => r.id.map(|id| id.to_string()).unwrap_or_default(),
        "organization_name" => r.organization_name.clone(),
        "organization_alternate_name" => text(&r.organization_alternate_name),
        "service_name" => r.service_name.clone(),
        "categories" => list(&r.categories),
        "taxonomy_code" => text(&r.taxonomy_code),
        "description" => text(&r.description),
        "status" => r.status.to_string(),
        "intake_phone" => text(&r.intake_phone),
        "after_hours_phone" => text(&r.after_hours_phone),
        "fax" => text(&r.fax),
        "text_number" => text(&r.text_number),
        "email" => text(&r.email),
        "website" => text(&r.website),
        "contact_name" => text(&r.contact_name),
        "contact_title" => text(&r.contact_title),
        "contact_phone" => text(&r.contact_phone),
        "contact_email" => text(&r.contact_email),
        "address_1" => text(&r.address_1),
        "city" => text(&r.city),
        "state_province" => text(&r.state_province),
        "postal_code" => text(&r.postal_code),
        "service_area" => text(&r.service_area),
        "hours" => r.hours.to_string(),
        "hours_note" => text(&r.hours_note),
        "eligibility_description" => text(&r.eligibility_description),
        "minimum_age" => number(r.minimum_age),
        "maximum_age" => number(r.maximum_age),
        "required_documents" => list(&r.required_documents),
        "application_process" => text(&r.application_process),
        "languages" => list(&r.languages),
        "interpretation_services" => text(&r.interpretation_services),
        "fees_description" => text(&r.fees_description),
        "payment_accepted" => list(&r.payment_accepted),
        "referral_methods" => list(&r.referral_methods),
        "telehealth" => yes_no(r.telehealth),
        "accepting_new_clients" => r.accepting_new_clients.map(yes_no).unwrap_or_default(),
        "accepting_checked_on" => date(r.accepting_checked_on),
        "wait_time" => text(&r.wait_time),
        "consent_before_sharing" => yes_no(r.consent_before_sharing),
        "warm_transfer" => yes_no(r.warm_transfer),
        "last_verified_on" => date(r.last_verified_on),
        "verified_by" => text(&r.verified_by),
        "reverify_months" => r.reverify_months.to_string(),
        "notes" => text(&r.notes),
        _ => String::new(),
    }
}

/// Writing the file failed (only a bug or an out-of-memory condition can cause it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not write the CSV file: {0}")]
pub struct ExportError(String);

/// The directory as CSV text (RFC 4180: CRLF line ends, cells quoted when they contain a
/// comma, a quote or a line break), with a header row of [`COLUMNS`].
pub fn export_csv<'a>(
    resources: impl IntoIterator<Item = &'a Resource>,
) -> Result<String, ExportError> {
    let err = |e: &dyn fmt::Display| ExportError(e.to_string());
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    w.write_record(COLUMNS.iter().map(|c| c.name))
        .map_err(|e| err(&e))?;
    for r in resources {
        w.write_record(COLUMNS.iter().map(|c| guard_cell(&cell(r, c.name))))
            .map_err(|e| err(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| err(&e))?;
    String::from_utf8(bytes).map_err(|e| err(&e))
}

/// One problem in an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportError {
    /// Line of the file (1 is the header), where the row begins.
    pub line: u64,
    /// The column, or "" for a problem with the whole row.
    pub field: String,
    pub message: String,
}

/// Every problem found; nothing was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportErrors {
    pub errors: Vec<ImportError>,
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match e.field.as_str() {
                "" => write!(f, "line {}: {}", e.line, e.message)?,
                field => write!(f, "line {}, {}: {}", e.line, field, e.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(format!("'{s}' is not yes or no")),
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("'{s}' is not a date in the form YYYY-MM-DD"))
}

fn parse_codes<T>(
    s: &str,
    parse: fn(&str) -> Result<T, crate::error::UnknownCode>,
    allowed: fn() -> String,
) -> Result<Vec<T>, String> {
    items(s)
        .map(|item| parse(item).map_err(|_| format!("'{item}' is not one of: {}", allowed())))
        .collect()
}

fn items(s: &str) -> impl Iterator<Item = &str> {
    s.split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|i| !i.is_empty())
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn parse_age(s: &str) -> Result<Option<u8>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<u8>()
        .ok()
        .filter(|a| *a <= 120)
        .map(Some)
        .ok_or_else(|| format!("'{s}' is not an age in whole years from 0 to 120"))
}

/// Set one field of `r` from a trimmed, unguarded cell.
fn set(r: &mut Resource, column: &str, s: &str) -> Result<(), String> {
    match column {
        "id" => {
            r.id = match s {
                "" => None,
                s => Some(ResourceId(
                    uuid::Uuid::parse_str(s).map_err(|_| format!("'{s}' is not a Stepwise id"))?,
                )),
            }
        }
        "organization_name" => r.organization_name = s.to_owned(),
        "organization_alternate_name" => r.organization_alternate_name = opt(s),
        "service_name" => r.service_name = s.to_owned(),
        "categories" => {
            r.categories = parse_codes(s, ResourceCategory::parse, ResourceCategory::allowed)?;
            if r.categories.is_empty() {
                return Err("at least one category is required".into());
            }
        }
        "taxonomy_code" => r.taxonomy_code = opt(s),
        "description" => r.description = opt(s),
        "status" => {
            r.status = match s {
                "" => ServiceStatus::Active,
                s => ServiceStatus::parse(&s.to_ascii_lowercase())
                    .map_err(|_| format!("'{s}' is not one of: {}", ServiceStatus::allowed()))?,
            }
        }
        "intake_phone" => r.intake_phone = opt(s),
        "after_hours_phone" => r.after_hours_phone = opt(s),
        "fax" => r.fax = opt(s),
        "text_number" => r.text_number = opt(s),
        "email" => r.email = opt(s),
        "website" => r.website = opt(s),
        "contact_name" => r.contact_name = opt(s),
        "contact_title" => r.contact_title = opt(s),
        "contact_phone" => r.contact_phone = opt(s),
        "contact_email" => r.contact_email = opt(s),
        "address_1" => r.address_1 = opt(s),
        "city" => r.city = opt(s),
        "state_province" => r.state_province = opt(s),
        "postal_code" => r.postal_code = opt(s),
        "service_area" => r.service_area = opt(s),
        "hours" => r.hours = Hours::parse(s)?,
        "hours_note" => r.hours_note = opt(s),
        "eligibility_description" => r.eligibility_description = opt(s),
        "minimum_age" => r.minimum_age = parse_age(s)?,
        "maximum_age" => r.maximum_age = parse_age(s)?,
        "required_documents" => r.required_documents = items(s).map(str::to_owned).collect(),
        "application_process" => r.application_process = opt(s),
        "languages" => {
            r.languages = items(s)
                .map(parse_language)
                .collect::<Result<Vec<_>, _>>()?
        }
        "interpretation_services" => r.interpretation_services = opt(s),
        "fees_description" => r.fees_description = opt(s),
        "payment_accepted" => {
            r.payment_accepted = parse_codes(s, Payment::parse, Payment::allowed)?
        }
        "referral_methods" => {
            r.referral_methods = parse_codes(s, ReferralMethod::parse, ReferralMethod::allowed)?
        }
        "telehealth" => r.telehealth = !s.is_empty() && parse_bool(s)?,
        "accepting_new_clients" => {
            r.accepting_new_clients = if s.is_empty() {
                None
            } else {
                Some(parse_bool(s)?)
            }
        }
        "accepting_checked_on" => r.accepting_checked_on = opt_date(s)?,
        "wait_time" => r.wait_time = opt(s),
        "consent_before_sharing" => r.consent_before_sharing = !s.is_empty() && parse_bool(s)?,
        "warm_transfer" => r.warm_transfer = !s.is_empty() && parse_bool(s)?,
        "last_verified_on" => r.last_verified_on = opt_date(s)?,
        "verified_by" => r.verified_by = opt(s),
        "reverify_months" => {
            r.reverify_months = match s {
                "" => DEFAULT_REVERIFY_MONTHS,
                s => {
                    let m = s
                        .parse::<u8>()
                        .map_err(|_| "must be from 1 to 60 months".to_owned())?;
                    check_reverify_months(m)?;
                    m
                }
            }
        }
        "notes" => r.notes = opt(s),
        _ => return Err("unknown column".into()),
    }
    Ok(())
}

fn opt_date(s: &str) -> Result<Option<Date>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some)
    }
}

fn problem(line: u64, field: &str, message: impl Into<String>) -> ImportError {
    ImportError {
        line,
        field: field.to_owned(),
        message: message.into(),
    }
}

fn line_of(e: &csv::Error) -> u64 {
    e.position().map_or(0, csv::Position::line)
}

/// The header row: which column each position holds, or the header's problems.
fn read_header(header: &csv::StringRecord) -> Result<Vec<&'static Column>, Vec<ImportError>> {
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    let mut seen = BTreeSet::new();
    for raw in header {
        let name = raw.trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|c| c.name == name) {
            Some(c) if !seen.insert(c.name) => {
                errors.push(problem(1, c.name, "This column appears twice"))
            }
            Some(c) => columns.push(c),
            None => errors.push(problem(
                1,
                raw.trim(),
                format!(
                    "Unknown column; the columns are: {}",
                    COLUMNS
                        .iter()
                        .map(|c| c.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    for c in COLUMNS
        .iter()
        .filter(|c| c.required && !seen.contains(c.name))
    {
        errors.push(problem(1, c.name, "This required column is missing"));
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

/// The text of one column of an entry, as the file (and the directory's edit form) shows it.
pub fn field_text(r: &Resource, column: &str) -> String {
    cell(r, column)
}

/// An entry from named text fields (the directory's edit form), by the same rules as a CSV
/// row: one message per bad field, named by its column. Unknown names are ignored; `id` is
/// the caller's.
pub fn from_fields<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Resource, crate::error::ValidationError> {
    let mut r = Resource::new("", "", Vec::new());
    let mut e = crate::error::ValidationError::new();
    for (name, raw) in fields {
        let Some(column) = COLUMNS.iter().find(|c| c.name == name && c.name != "id") else {
            continue;
        };
        let value = raw.trim();
        if column.required && value.is_empty() {
            e.push(column.name, "required");
        } else if let Err(m) = set(&mut r, column.name, value) {
            e.push(column.name, m);
        }
    }
    if e.is_empty()
        && let Err(v) = r.validate()
    {
        for fe in v.errors {
            let field = fe.field.split('[').next().unwrap_or_default().to_owned();
            e.push(field, fe.message);
        }
    }
    e.into_result().map(|()| r)
}

/// One data row as a resource, or its problems.
fn read_row(
    columns: &[&'static Column],
    record: &csv::StringRecord,
    line: u64,
) -> Result<Resource, Vec<ImportError>> {
    if record.len() != columns.len() {
        return Err(vec![problem(
            line,
            "",
            format!(
                "This row has {} cells but the header names {} columns",
                record.len(),
                columns.len()
            ),
        )]);
    }
    let mut r = Resource::new("", "", Vec::new());
    let mut errors = Vec::new();
    for (column, raw) in columns.iter().zip(record) {
        let value = unguard_cell(raw).trim();
        if column.required && value.is_empty() {
            errors.push(problem(line, column.name, "required"));
            continue;
        }
        if let Err(m) = set(&mut r, column.name, value) {
            errors.push(problem(line, column.name, m));
        }
    }
    if errors.is_empty() {
        // The rules that span cells, or that the JSON path shares (lengths, age order).
        if let Err(e) = r.validate() {
            errors.extend(e.errors.into_iter().map(|fe| {
                let field = fe.field.split('[').next().unwrap_or_default().to_owned();
                problem(line, &field, fe.message)
            }));
        }
    }
    if errors.is_empty() {
        Ok(r)
    } else {
        Err(errors)
    }
}

/// Parse a directory file: every row, or every problem found (nothing partially imported).
/// A blank line is skipped; a row naming the same id as an earlier row is an error.
pub fn import_csv(text: &str) -> Result<Vec<Resource>, ImportErrors> {
    // Spreadsheet programs often start a UTF-8 file with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv reader counts a CRLF row end short by one line; with LF ends the line numbers
    // it reports are the file's (a CRLF inside a quoted cell becomes LF, as spreadsheets do).
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let fail = |errors: Vec<ImportError>| Err(ImportErrors { errors });
    let columns = match records.next() {
        None => {
            return fail(vec![problem(
                1,
                "",
                "The file is empty; its first line must name the columns",
            )]);
        }
        Some(Err(e)) => {
            return fail(vec![problem(
                line_of(&e),
                "",
                format!("Unreadable CSV: {e}"),
            )]);
        }
        Some(Ok(header)) => match read_header(&header) {
            Ok(columns) => columns,
            Err(errors) => return fail(errors),
        },
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut ids = BTreeSet::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(problem(line_of(&e), "", format!("Unreadable CSV: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        match read_row(&columns, &record, line) {
            Ok(r) => {
                if let Some(id) = r.id
                    && !ids.insert(id)
                {
                    errors.push(problem(line, "id", "This id appears on an earlier row"));
                }
                rows.push(r);
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        fail(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::seed::built_in_resources;
    use proptest::prelude::*;
    use time::macros::date;

    /// An entry with every field set.
    fn full() -> Resource {
        let mut r = Resource::new(
            "Hope House, Inc.",
            "Family \"bridge\" shelter",
            vec![ResourceCategory::Housing, ResourceCategory::Food],
        );
        r.id = Some(ResourceId(uuid::Uuid::from_u128(42)));
        r.organization_alternate_name = Some("HH".into());
        r.taxonomy_code = Some("BH-1800".into());
        r.description = Some("Beds, meals\nand case management".into());
        r.status = ServiceStatus::TemporarilyClosed;
        r.intake_phone = Some("+1 555 0100".into());
        r.after_hours_phone = Some("555-0199".into());
        r.fax = Some("555-0101".into());
        r.text_number = Some("555-0102".into());
        r.email = Some("intake@hope.example".into());
        r.website = Some("https://hope.example".into());
        r.contact_name = Some("Ana Ruiz".into());
        r.contact_title = Some("Intake lead".into());
        r.contact_phone = Some("555-0103".into());
        r.contact_email = Some("ana@hope.example".into());
        r.address_1 = Some("1 Main St".into());
        r.city = Some("Riverside".into());
        r.state_province = Some("CA".into());
        r.postal_code = Some("92501".into());
        r.service_area = Some("Riverside County".into());
        r.hours = Hours::parse("MO-FR 08:00-17:00; SA 09:00-12:00").unwrap();
        r.hours_note = Some("Closed on holidays".into());
        r.eligibility_description = Some("Families with children".into());
        r.minimum_age = Some(18);
        r.maximum_age = Some(99);
        r.required_documents = vec!["Photo ID".into(), "Proof of income".into()];
        r.application_process = Some("Call intake; same-day screening".into());
        r.languages = vec!["en".into(), "es-MX".into()];
        r.interpretation_services = Some("Phone interpreters".into());
        r.fees_description = Some("-10% for veterans".into());
        r.payment_accepted = vec![Payment::Free, Payment::Medicaid];
        r.referral_methods = vec![ReferralMethod::Phone, ReferralMethod::Fax];
        r.telehealth = true;
        r.accepting_new_clients = Some(false);
        r.accepting_checked_on = Some(date!(2026 - 11 - 02));
        r.wait_time = Some("2 weeks".into());
        r.consent_before_sharing = true;
        r.warm_transfer = true;
        r.last_verified_on = Some(date!(2026 - 11 - 01));
        r.verified_by = Some("front desk (JS)".into());
        r.reverify_months = 3;
        r.notes = Some("=HYPERLINK(\"http://evil.example\")".into());
        r
    }

    #[test]
    fn form_fields_use_the_cell_rules_and_name_the_field() {
        let r = full();
        let fields: Vec<(&str, String)> = COLUMNS
            .iter()
            .map(|c| (c.name, field_text(&r, c.name)))
            .collect();
        let back = from_fields(fields.iter().map(|(n, v)| (*n, v.as_str()))).unwrap();
        assert_eq!(Resource { id: r.id, ..back }, r);
        let e = from_fields([
            ("organization_name", ""),
            ("service_name", "Pantry"),
            ("categories", "food; groceries"),
            ("minimum_age", "ten"),
        ])
        .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["organization_name", "categories", "minimum_age"]);
    }

    #[test]
    fn export_then_import_gives_back_every_field() {
        let mut all = vec![full()];
        all.extend(built_in_resources());
        let text = export_csv(&all).unwrap();
        assert_eq!(import_csv(&text).unwrap(), all);
    }

    #[test]
    fn the_header_is_the_documented_layout() {
        let text = export_csv(&[]).unwrap();
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(text, format!("{}\r\n", names.join(",")));
        // Every column is read and written (a missing match arm would drop a field).
        for c in COLUMNS {
            assert!(
                set(
                    &mut Resource::new("a", "b", vec![ResourceCategory::Food]),
                    c.name,
                    ""
                )
                .is_ok()
                    || c.required,
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn formula_cells_are_guarded_and_cells_quoted() {
        let text = export_csv(&[full()]).unwrap();
        let row = text.split_once("\r\n").unwrap().1;
        assert!(row.contains(",'+1 555 0100,"), "{row}");
        assert!(row.contains(",'-10% for veterans,"), "{row}");
        assert!(
            row.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\"\r\n"),
            "{row}"
        );
        assert!(row.starts_with("00000000-0000-0000-0000-00000000002a,\"Hope House, Inc.\","));
        assert!(text.contains("\"Beds, meals\nand case management\""));
        for s in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=1", "''@x"] {
            assert!(guard_cell(s).starts_with('\''), "{s:?}");
            assert_eq!(unguard_cell(&guard_cell(s)), s);
        }
        for s in ["plain", "'quoted", "1-800", " =1", ""] {
            assert_eq!(guard_cell(s), s);
            assert_eq!(unguard_cell(s), s);
        }
    }

    const HEADER: &str = "organization_name,service_name,categories,languages,minimum_age,maximum_age,telehealth,last_verified_on\n";

    #[test]
    fn imports_a_subset_of_columns_with_defaults() {
        let text = format!(
            "\u{feff}{HEADER}Riverside Food Bank,Pantry,food,en; es,,,yes,2026-10-01\n\nCity Transit,Ride line,transportation;other,,,,,\n"
        );
        let rows = import_csv(&text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].languages, ["en", "es"]);
        assert!(rows[0].telehealth);
        assert_eq!(rows[0].last_verified_on, Some(date!(2026 - 10 - 01)));
        assert_eq!(rows[0].status, ServiceStatus::Active);
        assert_eq!(rows[0].reverify_months, DEFAULT_REVERIFY_MONTHS);
        assert_eq!(
            rows[1].categories,
            [ResourceCategory::Transportation, ResourceCategory::Other]
        );
    }

    #[test]
    fn reports_every_bad_cell_by_line_and_column_and_imports_nothing() {
        let text = format!(
            "{HEADER}\
             Good Org,Good service,food,en,,,no,\n\
             ,Pantry,snacks,en,,,maybe,2026-13-01\n\
             Org,\"Multi\nline\",food,english,,,,\n\
             Org,Ages,food,en,65,18,,\n\
             Short row,food\n"
        );
        let err = import_csv(&text).unwrap_err();
        let found: Vec<(u64, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (3, "organization_name"),
                (3, "categories"),
                (3, "telehealth"),
                (3, "last_verified_on"),
                (4, "languages"),
                (6, "maximum_age"),
                (7, ""),
            ]
        );
        assert!(err.errors[1].message.contains("'snacks' is not one of"));
        assert!(
            err.to_string()
                .starts_with("line 3, organization_name: required")
        );
    }

    #[test]
    fn lines_are_counted_the_same_with_crlf() {
        let text =
            "organization_name,service_name,categories\r\nA,B,food\r\nC,D,snacks\r\n,E,food\r\n";
        let lines: Vec<u64> = import_csv(text)
            .unwrap_err()
            .errors
            .iter()
            .map(|e| e.line)
            .collect();
        assert_eq!(lines, [3, 4]);
    }

    #[test]
    fn header_problems_are_reported_on_line_1() {
        let err = import_csv("organization_name,colour,colour,categories\n").unwrap_err();
        let found: Vec<(u64, &str)> = err
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(found, [(1, "colour"), (1, "colour"), (1, "service_name")]);
        assert!(err.errors[2].message.contains("required column is missing"));
        assert_eq!(import_csv("").unwrap_err().errors[0].line, 1);
        assert_eq!(
            import_csv("ID,Organization_Name,Service_Name,Categories\n").unwrap(),
            []
        );
    }

    #[test]
    fn a_repeated_id_is_an_error() {
        let text = "id,organization_name,service_name,categories\n\
                    00000000-0000-0000-0000-000000000001,A,B,food\n\
                    00000000-0000-0000-0000-000000000001,C,D,food\n";
        let err = import_csv(text).unwrap_err();
        assert_eq!(
            (err.errors[0].line, err.errors[0].field.as_str()),
            (3, "id")
        );
    }

    proptest! {
        /// Whatever text a free-text field holds, export then import gives it back.
        #[test]
        fn free_text_round_trips(notes in "\\PC{0,40}", name in "[^\\s;]\\PC{0,20}[^\\s;]") {
            let mut r = Resource::new(name.clone(), "Service", vec![ResourceCategory::Other]);
            let trimmed = notes.trim();
            r.notes = (!trimmed.is_empty()).then(|| trimmed.to_owned());
            let back = import_csv(&export_csv(&[r.clone()]).unwrap()).unwrap();
            prop_assert_eq!(back, vec![r]);
        }
    }
}
