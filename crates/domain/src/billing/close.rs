//! Month close: what a practice keeps to close a billing month (its care setting, rule
//! settings per payer and fee table), the diagnosis codes put on claims, adjustments of a
//! locked month, and the export of its claim lines. Pure data and checks; the store does the
//! gathering and the locking (`docs/billing.md`, "Month close").

use super::codes::{BillingCode, CareSetting};
use super::engine::ClaimLine;
use super::fees::{CY2025_NATIONAL_NON_FACILITY, ExpectedPayment};
use super::settings::PracticeRules;
use crate::calendar::YearMonth;
use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::patient::parse_date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

code_enum! {
    /// A visit that can initiate BHI: an annual wellness visit, the "Welcome to Medicare"
    /// preventive visit, transitional care management or another qualifying E/M visit
    /// (reference §2.5, [S8]).
    pub enum InitiatingVisitKind ("initiating visit kind") {
        AnnualWellnessVisit = "awv",
        Ippe = "ippe",
        TransitionalCare = "tcm",
        EvaluationAndManagement = "em",
    }
}

/// Most a fee may be, in cents ($10,000): more is a typing error.
pub const MAX_FEE_CENTS: u32 = 1_000_000;
/// Most units of one code on one adjusted line.
pub const MAX_UNITS: u32 = 10;
/// Diagnosis codes per claim: the CMS-1500 form has twelve diagnosis pointers (A–L).
pub const MAX_DIAGNOSES: usize = 12;
/// Longest adjustment reason.
pub const MAX_REASON: usize = 1000;

/// A practice's fee table: the amount of each code in cents, labelled with its year. The
/// default is the CY2025 national table of reference §6; a practice replaces it with its
/// payers' or its locality's amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeTable {
    /// The calendar year the amounts are for.
    pub year: u16,
    pub label: String,
    /// Cents per unit; a code absent from the table is unpriced.
    pub amounts: BTreeMap<BillingCode, u32>,
}

impl Default for FeeTable {
    fn default() -> Self {
        let s = CY2025_NATIONAL_NON_FACILITY;
        let amounts = s
            .fees
            .iter()
            .filter_map(|f| Some((BillingCode::parse(f.code).ok()?, f.amount_cents?)))
            .collect();
        FeeTable {
            year: s.year,
            label: s.description.to_owned(),
            amounts,
        }
    }
}

impl FeeTable {
    /// Expected payment of `lines` (before coinsurance and deductible, [S33]).
    pub fn payment(&self, lines: &[ClaimLine]) -> ExpectedPayment {
        lines.iter().fold(ExpectedPayment::default(), |mut p, l| {
            match self.amounts.get(&l.code) {
                Some(c) => p.cents += u64::from(*c) * u64::from(l.units),
                None => p.unpriced_lines += 1,
            }
            p
        })
    }

    /// "CY2025 Medicare PFS national non-facility amounts (GPCI 1.000)" with its year.
    pub fn title(&self) -> String {
        if self.label.contains(&self.year.to_string()) {
            self.label.clone()
        } else {
            format!("{} ({})", self.label, self.year)
        }
    }

    fn check(&self, errors: &mut ValidationError) {
        if !(2018..=2100).contains(&self.year) {
            errors.push("fees.year", "must be a year from 2018 to 2100");
        }
        let label = self.label.trim();
        if label.is_empty() {
            errors.push(
                "fees.label",
                "name the fee table, e.g. 'CY2025 Medicare national'",
            );
        } else if label.chars().count() > 200 {
            errors.push("fees.label", "at most 200 characters");
        }
        for (code, cents) in &self.amounts {
            if *cents > MAX_FEE_CENTS {
                errors.push(
                    format!("fees.amounts.{code}"),
                    format!("must be at most {} cents ($10,000)", MAX_FEE_CENTS),
                );
            }
        }
    }
}

/// Everything a practice sets for month close. Stored per practice; every field is required
/// when replaced, so that a partial document cannot silently reset the others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingSettings {
    /// Where the billing practitioners work (physician office, RHC or FQHC).
    pub setting: CareSetting,
    /// The rule settings, with overrides per payer kind.
    pub rules: PracticeRules,
    pub fees: FeeTable,
}

impl BillingSettings {
    /// Check what the types cannot: the fee table's year, label and amounts.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut errors = ValidationError::new();
        self.fees.check(&mut errors);
        errors.into_result()
    }
}

/// An ICD-10-CM diagnosis code as put on a claim: a letter, two characters, then optionally
/// a dot and one to four more (e.g. `F32.1`, `F41.1`, `Z13.31`). Stored upper case with its dot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DiagnosisCode(String);

impl DiagnosisCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_ascii_uppercase();
        let bad = || format!("'{}' is not an ICD-10-CM code such as F32.1", raw.trim());
        let (head, tail) = match s.split_once('.') {
            Some((h, t)) => (h, Some(t)),
            None if s.len() > 3 => (&s[..3], Some(&s[3..])),
            None => (s.as_str(), None),
        };
        let h = head.as_bytes();
        let head_ok = h.len() == 3
            && h[0].is_ascii_uppercase()
            && h[1].is_ascii_digit()
            && h[2].is_ascii_alphanumeric();
        let tail_ok = tail.is_none_or(|t| {
            (1..=4).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if !head_ok || !tail_ok {
            return Err(bad());
        }
        Ok(DiagnosisCode(match tail {
            Some(t) => format!("{head}.{t}"),
            None => head.to_owned(),
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DiagnosisCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<DiagnosisCode> for String {
    fn from(d: DiagnosisCode) -> String {
        d.0
    }
}

impl std::fmt::Display for DiagnosisCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parse a list of diagnosis codes (duplicates dropped, order kept), reporting each bad one
/// under `field[i]`.
pub fn parse_diagnoses(
    errors: &mut ValidationError,
    field: &str,
    raw: &[String],
) -> Vec<DiagnosisCode> {
    let mut out: Vec<DiagnosisCode> = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        match DiagnosisCode::parse(r) {
            Ok(d) if !out.contains(&d) => out.push(d),
            Ok(_) => {}
            Err(m) => errors.push(format!("{field}[{i}]"), m),
        }
    }
    if out.len() > MAX_DIAGNOSES {
        errors.push(
            field,
            format!("at most {MAX_DIAGNOSES} diagnosis codes on a claim"),
        );
    }
    out
}

/// One line of an adjustment as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    pub code: String,
    pub units: i64,
}

/// A change to one patient's claim in a locked month, as typed. `lines` replaces the month's
/// lines for the patient (empty: nothing is billed); the original stays on record.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    pub patient: uuid::Uuid,
    pub reason: String,
    pub lines: Vec<LineInput>,
    #[serde(default)]
    pub diagnosis_codes: Vec<String>,
    /// `YYYY-MM-DD`, inside the month; absent: the original claim's date, or the last day.
    #[serde(default)]
    pub date_of_service: Option<String>,
}

/// A checked adjustment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub reason: String,
    pub lines: Vec<ClaimLine>,
    pub diagnosis_codes: Vec<DiagnosisCode>,
    pub date_of_service: Option<Date>,
}

impl AdjustmentInput {
    pub fn parse(&self, month: YearMonth) -> Result<Adjustment, ValidationError> {
        let mut errors = ValidationError::new();
        let reason = self.reason.trim();
        if reason.is_empty() {
            errors.push("reason", "say why the locked month is adjusted");
        } else if reason.chars().count() > MAX_REASON {
            errors.push("reason", format!("at most {MAX_REASON} characters"));
        }
        let mut lines: Vec<ClaimLine> = Vec::new();
        for (i, l) in self.lines.iter().enumerate() {
            let code = BillingCode::parse(l.code.trim());
            if code.is_err() {
                errors.push(
                    format!("lines[{i}].code"),
                    format!("must be one of: {}", BillingCode::allowed()),
                );
            }
            let units = u32::try_from(l.units)
                .ok()
                .filter(|u| (1..=MAX_UNITS).contains(u));
            if units.is_none() {
                errors.push(
                    format!("lines[{i}].units"),
                    format!("must be a whole number from 1 to {MAX_UNITS}"),
                );
            }
            if let (Ok(code), Some(units)) = (code, units) {
                if lines.iter().any(|x| x.code == code) {
                    errors.push(
                        format!("lines[{i}].code"),
                        format!("{code} is listed twice; give its units once"),
                    );
                }
                lines.push(ClaimLine { code, units });
            }
        }
        let diagnosis_codes =
            parse_diagnoses(&mut errors, "diagnosis_codes", &self.diagnosis_codes);
        let date_of_service = match self.date_of_service.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => {
                let d = errors.check(parse_date("date_of_service", raw));
                if d.is_some_and(|d| !month.contains(d)) {
                    errors.push("date_of_service", format!("must be a day of {month}"));
                }
                d
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Adjustment {
            reason: reason.to_owned(),
            lines,
            diagnosis_codes,
            date_of_service,
        })
    }
}

/// Whether a claim line comes from the locked month as evaluated, or from an adjustment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineSource {
    Original,
    Adjustment,
}

/// One claim line of a locked month, as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportLine {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub month: YearMonth,
    pub patient_mrn: String,
    pub billing_practitioner: String,
    pub npi: Option<String>,
    pub date_of_service: Date,
    pub code: BillingCode,
    pub units: u32,
    pub diagnosis_codes: Vec<String>,
    pub source: LineSource,
}

/// The CSV columns, in order.
pub const EXPORT_COLUMNS: [&str; 9] = [
    "month",
    "patient_mrn",
    "billing_practitioner",
    "npi",
    "date_of_service",
    "code",
    "units",
    "diagnosis_codes",
    "source",
];

/// A cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, and the tab and
/// carriage return OWASP lists with them) gets a leading single quote, so that it is shown as
/// text (OWASP "CSV injection").
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// The lines as CSV: a header row, then one row per line; diagnosis codes joined by `;`.
pub fn export_csv(lines: &[ExportLine]) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    w.write_record(EXPORT_COLUMNS).map_err(|e| e.to_string())?;
    for l in lines {
        let source = match l.source {
            LineSource::Original => "original",
            LineSource::Adjustment => "adjustment",
        };
        let cells = [
            l.month.to_string(),
            l.patient_mrn.clone(),
            l.billing_practitioner.clone(),
            l.npi.clone().unwrap_or_default(),
            l.date_of_service.to_string(),
            l.code.code().to_owned(),
            l.units.to_string(),
            l.diagnosis_codes.join(";"),
            source.to_owned(),
        ];
        w.write_record(cells.iter().map(|c| csv_cell(c).into_owned()))
            .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_default_fee_table_is_the_cy2025_national_one() {
        let t = FeeTable::default();
        assert_eq!(t.year, 2025);
        assert_eq!(t.amounts[&BillingCode::C99492], 14_524);
        assert_eq!(t.amounts[&BillingCode::G0512], 13_941);
        assert!(!t.amounts.contains_key(&BillingCode::G0568));
        let p = t.payment(&[
            ClaimLine {
                code: BillingCode::C99493,
                units: 1,
            },
            ClaimLine {
                code: BillingCode::C99494,
                units: 2,
            },
            ClaimLine {
                code: BillingCode::G0569,
                units: 1,
            },
        ]);
        assert_eq!((p.cents, p.unpriced_lines), (13_359 + 2 * 5_596, 1));
        assert!(t.title().contains("CY2025"));
    }

    #[test]
    fn settings_validation_names_the_field() {
        let mut s = BillingSettings::default();
        assert!(s.validate().is_ok());
        s.fees.year = 1999;
        s.fees.label = " ".into();
        s.fees
            .amounts
            .insert(BillingCode::C99492, MAX_FEE_CENTS + 1);
        let e = s.validate().unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["fees.year", "fees.label", "fees.amounts.99492"]);
        // Every field is required in a replacement, and unknown codes are refused.
        assert!(serde_json::from_str::<BillingSettings>(r#"{"setting": "rhc"}"#).is_err());
        let mut json = serde_json::to_value(BillingSettings::default()).unwrap();
        json["fees"]["amounts"]["99999"] = 1.into();
        assert!(serde_json::from_value::<BillingSettings>(json).is_err());
    }

    #[test]
    fn diagnosis_codes_are_icd10_cm_shaped() {
        assert_eq!(DiagnosisCode::parse(" f32.1 ").unwrap().as_str(), "F32.1");
        assert_eq!(DiagnosisCode::parse("F411").unwrap().as_str(), "F41.1");
        assert_eq!(DiagnosisCode::parse("F32").unwrap().as_str(), "F32");
        assert_eq!(DiagnosisCode::parse("Z13.31").unwrap().as_str(), "Z13.31");
        for bad in ["", "32.1", "F3", "F32.12345", "F32-1", "=F32"] {
            assert!(DiagnosisCode::parse(bad).is_err(), "{bad}");
        }
        let mut e = ValidationError::new();
        let v = parse_diagnoses(&mut e, "dx", &["F32.1".into(), "f321".into(), "x".into()]);
        assert_eq!(v.len(), 1);
        assert_eq!(e.errors[0].field, "dx[2]");
    }

    #[test]
    fn adjustments_are_checked_field_by_field() {
        let m = YearMonth::new(2026, 11).unwrap();
        let ok = AdjustmentInput {
            patient: uuid::Uuid::nil(),
            reason: " Late note found ".into(),
            lines: vec![
                LineInput {
                    code: "99493".into(),
                    units: 1,
                },
                LineInput {
                    code: "99494".into(),
                    units: 1,
                },
            ],
            diagnosis_codes: vec!["F32.1".into()],
            date_of_service: Some("2026-11-30".into()),
        }
        .parse(m)
        .unwrap();
        assert_eq!(ok.reason, "Late note found");
        assert_eq!(ok.lines.len(), 2);
        assert_eq!(ok.date_of_service, Some(date!(2026 - 11 - 30)));
        let err = AdjustmentInput {
            patient: uuid::Uuid::nil(),
            reason: "".into(),
            lines: vec![LineInput {
                code: "99999".into(),
                units: 0,
            }],
            diagnosis_codes: vec!["nope".into()],
            date_of_service: Some("2026-12-01".into()),
        }
        .parse(m)
        .unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "reason",
                "lines[0].code",
                "lines[0].units",
                "diagnosis_codes[0]",
                "date_of_service"
            ]
        );
    }

    #[test]
    fn csv_export_escapes_formula_cells() {
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@x"), "'@x");
        assert_eq!(csv_cell("MRN-1"), "MRN-1");
        let line = ExportLine {
            month: YearMonth::new(2026, 11).unwrap(),
            patient_mrn: "=HYPERLINK(\"x\")".into(),
            billing_practitioner: "Dr, Ann".into(),
            npi: Some("1234567893".into()),
            date_of_service: date!(2026 - 11 - 30),
            code: BillingCode::C99493,
            units: 1,
            diagnosis_codes: vec!["F32.1".into(), "F41.1".into()],
            source: LineSource::Adjustment,
        };
        let csv = export_csv(&[line]).unwrap();
        let mut rows = csv.split("\r\n");
        assert_eq!(rows.next().unwrap(), EXPORT_COLUMNS.join(","));
        assert_eq!(
            rows.next().unwrap(),
            "2026-11,\"'=HYPERLINK(\"\"x\"\")\",\"Dr, Ann\",1234567893,2026-11-30,99493,1,F32.1;F41.1,adjustment"
        );
    }
}
