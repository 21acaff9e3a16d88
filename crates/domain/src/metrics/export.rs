//! The metrics of a period and their comparison with the baseline as CSV (issue 8, reports):
//! one row per metric, for the whole practice and for each site, care manager and treating
//! practitioner.

use super::catalogue::MetricCode;
use crate::baseline::{BaselineMeasure, Direction};
use crate::billing::close::csv_cell;

/// One metric of one group, with its baseline comparison (the whole practice only).
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// `practice`, `site`, `care_manager` or `practitioner`.
    pub scope: &'static str,
    /// The group's name (empty for the practice).
    pub group: String,
    pub code: MetricCode,
    pub numerator: u32,
    pub denominator: u32,
    pub value: Option<f64>,
    pub measure_of_success: bool,
    pub baseline: Option<BaselineMeasure>,
    pub change: Option<f64>,
    pub direction: Option<Direction>,
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 15] = [
    "from",
    "to",
    "scope",
    "group",
    "code",
    "reference_id",
    "name",
    "unit",
    "numerator",
    "denominator",
    "value",
    "measure_of_success",
    "baseline_value",
    "change",
    "direction",
];

fn number(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_default()
}

/// The rows as CSV for the period `from`–`to`. A value nobody was eligible for is empty,
/// never 0; a baseline recorded as not measured reads `not measured`.
pub fn metrics_csv(from: &str, to: &str, rows: &[CsvRow]) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).map_err(|e| e.to_string())?;
    for r in rows {
        let d = r.code.definition();
        let baseline = match r.baseline {
            Some(BaselineMeasure::Measured { value, .. }) => number(Some(value)),
            Some(BaselineMeasure::NotMeasured) => "not measured".to_owned(),
            None => String::new(),
        };
        let cells = [
            from.to_owned(),
            to.to_owned(),
            r.scope.to_owned(),
            // A group's name is typed by a person: escaped like every exported text cell.
            csv_cell(&r.group).into_owned(),
            r.code.code().to_owned(),
            d.reference_id.to_owned(),
            d.name.to_owned(),
            d.unit.code().to_owned(),
            r.numerator.to_string(),
            r.denominator.to_string(),
            number(r.value),
            if r.measure_of_success { "yes" } else { "no" }.to_owned(),
            baseline,
            number(r.change),
            r.direction.map(|d| d.code().to_owned()).unwrap_or_default(),
        ];
        w.write_record(&cells).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: MetricCode, value: Option<f64>) -> CsvRow {
        CsvRow {
            scope: "practice",
            group: String::new(),
            code,
            numerator: 3,
            denominator: if value.is_some() { 4 } else { 0 },
            value,
            measure_of_success: false,
            baseline: None,
            change: None,
            direction: None,
        }
    }

    #[test]
    fn rows_with_baseline_and_unavailable_values() {
        let mut a = row(MetricCode::Remission, Some(75.0));
        a.measure_of_success = true;
        a.baseline = Some(BaselineMeasure::Measured {
            numerator: 1,
            denominator: 2,
            value: 50.0,
        });
        a.change = Some(25.0);
        a.direction = Some(Direction::Improved);
        let mut b = row(MetricCode::Response, None);
        b.baseline = Some(BaselineMeasure::NotMeasured);
        let mut c = row(MetricCode::Response, None);
        c.scope = "site";
        c.group = "=Main".into();
        let csv = metrics_csv("2026-01-01", "2026-03-31", &[a, b, c]).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], CSV_COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "2026-01-01,2026-03-31,practice,,remission,M5,Remission at 4–8 months,percent,3,4,75.00,yes,50.00,25.00,improved"
        );
        assert!(
            lines[2]
                .ends_with(",response,M4,Response at 4–8 months,percent,3,0,,no,not measured,,"),
            "{}",
            lines[2]
        );
        assert!(lines[3].contains(",site,'=Main,"), "{}", lines[3]);
    }
}
