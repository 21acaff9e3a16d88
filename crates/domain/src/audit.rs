//! The vocabulary of the audit trail: what was done, to which category of data, with what
//! outcome (reference security-reliability.md §4.7: who, what, when, where, outcome).

use crate::billing::close::csv_cell;
use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::ids::{PatientId, UserId};
use time::Date;
use time::macros::format_description;
use uuid::Uuid;

code_enum! {
    pub enum AuditAction ("audit action") {
        SignIn = "session.sign_in",
        SignInFailed = "session.sign_in_failed",
        SignOut = "session.sign_out",
        SignInLockout = "session.lockout",
        Reauthenticate = "session.reauthenticate",
        MfaEnroll = "mfa.enroll",
        RecoveryCodeUse = "mfa.recovery_code_used",
        CredentialReset = "user.credentials_reset",
        UserBreakGlass = "user.break_glass",
        UserBillingKind = "user.billing_kind",
        BreakGlassStart = "break_glass.start",
        BreakGlassAccess = "break_glass.access",
        AccessDenied = "access.denied",
        TokenCreate = "token.create",
        TokenRevoke = "token.revoke",
        UserCreate = "user.create",
        UserDisable = "user.disable",
        UserRoles = "user.roles",
        UserCredentials = "user.credentials",
        UserList = "user.list",
        PracticeCreate = "practice.create",
        PracticeSettings = "practice.settings",
        SiteCreate = "site.create",
        PatientCreate = "patient.create",
        BulkImport = "import.bulk",
        PatientRead = "patient.read",
        PatientUpdate = "patient.update",
        PatientSearch = "patient.search",
        EpisodeCreate = "episode.create",
        EpisodeRead = "episode.read",
        EpisodeTransition = "episode.transition",
        EpisodeLapse = "episode.lapse",
        EpisodeFlags = "episode.flags",
        ConsentCreate = "consent.create",
        ConsentRevoke = "consent.revoke",
        Part2ConsentCreate = "part2_consent.create",
        Part2ConsentRevoke = "part2_consent.revoke",
        Part2ConsentRead = "part2_consent.read",
        CarePlanUpdate = "care_plan.update",
        ContactCreate = "contact.create",
        ContactEnteredInError = "contact.entered_in_error",
        AssessmentCreate = "assessment.create",
        AssessmentEnteredInError = "assessment.entered_in_error",
        AssessmentRead = "assessment.read",
        CaseloadRead = "caseload.read",
        ReviewListRead = "review_list.read",
        CaseReviewCreate = "case_review.create",
        CaseReviewRead = "case_review.read",
        RecommendationDecide = "recommendation.decide",
        RecommendationRead = "recommendation.read",
        AuditVerify = "audit.verify",
        SafetyAlertRaise = "safety_alert.raise",
        SafetyAlertClose = "safety_alert.close",
        SafetyAlertRead = "safety_alert.read",
        TaskCreate = "task.create",
        TaskComplete = "task.complete",
        TaskRead = "task.read",
        InstrumentWordingLoad = "instrument_wording.load",
        InitiatingVisitCreate = "initiating_visit.create",
        EpisodeDiagnoses = "episode.diagnoses",
        ApcmMonthCreate = "apcm_month.create",
        ApcmMonthRemove = "apcm_month.remove",
        BillingFactsRead = "billing.facts_read",
        BillingSettingsRead = "billing.settings_read",
        BillingSettingsUpdate = "billing.settings_update",
        BillingMonthRead = "billing.month_read",
        BillingMonthLock = "billing.month_lock",
        BillingAdjust = "billing.adjust",
        BillingExport = "billing.export",
        BillingRevenueRead = "billing.revenue_read",
        ResourceCreate = "resource.create",
        ResourceUpdate = "resource.update",
        ResourceImport = "resource.import",
        ReferralCreate = "referral.create",
        ReferralUpdate = "referral.update",
        ReferralConsent = "referral.consent",
        ReferralRead = "referral.read",
        MetricsRead = "metrics.read",
        BaselineCreate = "baseline.create",
        PlanSave = "plan.save",
        AuditReportRead = "audit.report_read",
        AuditReportExport = "audit.report_export",
        BackupCreate = "backup.create",
        BackupRestore = "backup.restore",
        FinanceSettingsSave = "finance.settings_save",
        MeasuresSave = "measures.save",
    }
}

code_enum! {
    /// The category of data touched, so that reports can separate clinical from administrative access.
    pub enum AuditCategory ("audit category") {
        Authentication = "authentication",
        Administration = "administration",
        Demographics = "demographics",
        Clinical = "clinical",
        Assessment = "assessment",
        Billing = "billing",
    }
}

code_enum! {
    pub enum AuditOutcome ("audit outcome") {
        Success = "success",
        Denied = "denied",
        Failed = "failed",
    }
}

impl AuditAction {
    /// Emergency access: the grant, each request it opened, and the administrator's change of
    /// who may ask for it. Flagged in the audit report (reference security-reliability.md
    /// H-AC-2: break-glass "flagged in audit reports").
    pub fn is_break_glass(self) -> bool {
        matches!(
            self,
            AuditAction::BreakGlassStart
                | AuditAction::BreakGlassAccess
                | AuditAction::UserBreakGlass
        )
    }

    /// A read: of a record, a list, a report or an export. A request's reads are recorded as
    /// one event per patient shown, and not at all beside a write of the same patient, whose
    /// event stands for the request.
    pub fn is_read(self) -> bool {
        use AuditAction::*;
        matches!(
            self,
            PatientRead
                | PatientSearch
                | EpisodeRead
                | AssessmentRead
                | CaseloadRead
                | ReviewListRead
                | CaseReviewRead
                | RecommendationRead
                | SafetyAlertRead
                | TaskRead
                | BillingFactsRead
                | BillingSettingsRead
                | BillingMonthRead
                | BillingExport
                | BillingRevenueRead
                | ReferralRead
                | Part2ConsentRead
                | MetricsRead
                | AuditReportRead
                | AuditReportExport
                | UserList
        )
    }
}

impl AuditCategory {
    /// How sensitive the data of the category is: of several reads recorded as one event, the
    /// event takes the most sensitive category, so that a report of clinical access finds it.
    pub fn sensitivity(self) -> u8 {
        match self {
            AuditCategory::Authentication => 0,
            AuditCategory::Administration => 1,
            AuditCategory::Billing => 2,
            AuditCategory::Demographics => 3,
            AuditCategory::Assessment => 4,
            AuditCategory::Clinical => 5,
        }
    }
}

/// What the audit report is asked for, as typed in its form or query: each part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportQuery {
    pub user: Option<UserId>,
    pub patient: Option<PatientId>,
    pub action: Option<AuditAction>,
    /// First day of the period, in the practice's calendar.
    pub from: Option<Date>,
    /// Last day of the period (included).
    pub to: Option<Date>,
}

/// The report's filter fields as submitted (text), before parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportQueryInput {
    pub user: String,
    pub patient: String,
    pub action: String,
    pub from: String,
    pub to: String,
}

fn opt_id<T>(
    errors: &mut ValidationError,
    field: &str,
    value: &str,
    what: &str,
    wrap: fn(Uuid) -> T,
) -> Option<T> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match Uuid::parse_str(v) {
        Ok(u) => Some(wrap(u)),
        Err(_) => {
            errors.push(
                field,
                format!("not a {what} id: give the id as shown in the report, or leave it empty"),
            );
            None
        }
    }
}

fn opt_date(errors: &mut ValidationError, field: &str, value: &str) -> Option<Date> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match Date::parse(v, format_description!("[year]-[month]-[day]")) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(field, "not a date: use YYYY-MM-DD, or leave it empty");
            None
        }
    }
}

impl ReportQueryInput {
    /// Every field problem at once; an empty field means "any".
    pub fn parse(&self) -> Result<ReportQuery, ValidationError> {
        let mut errors = ValidationError::new();
        let user = opt_id(&mut errors, "user", &self.user, "staff", UserId::from_uuid);
        let patient = opt_id(
            &mut errors,
            "patient",
            &self.patient,
            "patient record",
            PatientId::from_uuid,
        );
        let action = match self.action.trim() {
            "" => None,
            a => match AuditAction::parse(a) {
                Ok(a) => Some(a),
                Err(_) => {
                    errors.push("action", "unknown action: choose one from the list");
                    None
                }
            },
        };
        let from = opt_date(&mut errors, "from", &self.from);
        let to = opt_date(&mut errors, "to", &self.to);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            errors.push("to", "the period ends before it starts");
        }
        errors.into_result()?;
        Ok(ReportQuery {
            user,
            patient,
            action,
            from,
            to,
        })
    }
}

/// One line of the audit report as shown and exported: text only, already resolved (names of
/// staff, the instant in UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub user_id: String,
    pub user_name: String,
    pub role: String,
    pub patient_id: String,
    pub action: String,
    pub category: String,
    pub outcome: String,
    pub break_glass: bool,
    pub source: String,
    pub request_id: String,
    pub detail: String,
}

/// The columns of the audit report's CSV.
pub const REPORT_COLUMNS: [&str; 13] = [
    "seq",
    "at_utc",
    "user_id",
    "user_name",
    "role",
    "patient_id",
    "action",
    "category",
    "outcome",
    "break_glass",
    "source",
    "request_id",
    "detail",
];

/// The report as CSV: a header row, then one row per line. Every cell that a spreadsheet
/// would read as a formula is neutralised (`billing::close::csv_cell`, OWASP "CSV
/// injection"): staff names, request ids and sources come from people and clients.
pub fn report_csv(lines: &[ReportLine]) -> Result<String, String> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    w.write_record(REPORT_COLUMNS).map_err(|e| e.to_string())?;
    for l in lines {
        let cells = [
            l.seq.to_string(),
            l.at.clone(),
            l.user_id.clone(),
            l.user_name.clone(),
            l.role.clone(),
            l.patient_id.clone(),
            l.action.clone(),
            l.category.clone(),
            l.outcome.clone(),
            if l.break_glass { "yes" } else { "no" }.to_owned(),
            l.source.clone(),
            l.request_id.clone(),
            l.detail.clone(),
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
    fn reads_are_the_read_list_and_export_actions() {
        for a in AuditAction::ALL.iter().copied() {
            let code = a.code();
            let reads = code.ends_with("read")
                || code.ends_with(".search")
                || code.ends_with("export")
                || code == "user.list";
            assert_eq!(a.is_read(), reads, "{code}");
        }
        assert!(!AuditAction::AccessDenied.is_read());
        assert!(!AuditAction::BreakGlassAccess.is_read());
    }

    fn input(user: &str, patient: &str, action: &str, from: &str, to: &str) -> ReportQueryInput {
        ReportQueryInput {
            user: user.into(),
            patient: patient.into(),
            action: action.into(),
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn report_query_parses_each_field_and_names_every_bad_one() {
        let u = "0190f0c2-0000-7000-8000-000000000001";
        let q = input(u, "", "patient.read", "2026-11-01", "2026-11-30")
            .parse()
            .unwrap();
        assert_eq!(q.user.map(|u| u.to_string()).as_deref(), Some(u));
        assert_eq!(q.patient, None);
        assert_eq!(q.action, Some(AuditAction::PatientRead));
        assert_eq!(q.from, Some(date!(2026 - 11 - 01)));
        assert_eq!(q.to, Some(date!(2026 - 11 - 30)));
        assert_eq!(
            input("", "", "", "", "").parse().unwrap(),
            ReportQuery::default()
        );
        let cases = [
            (input("Smith", "", "", "", ""), vec!["user"]),
            (input("", "' OR 1=1 --", "", "", ""), vec!["patient"]),
            (input("", "", "patient.drop", "", ""), vec!["action"]),
            (
                input("", "", "", "11/01/2026", "2026-13-01"),
                vec!["from", "to"],
            ),
            (input("", "", "", "2026-11-02", "2026-11-01"), vec!["to"]),
        ];
        for (i, fields) in cases {
            let e = i.parse().unwrap_err();
            let got: Vec<&str> = e.errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(got, fields, "{i:?}");
        }
    }

    #[test]
    fn break_glass_events_are_the_flagged_ones() {
        let flagged: Vec<AuditAction> = AuditAction::ALL
            .iter()
            .copied()
            .filter(|a| a.is_break_glass())
            .collect();
        assert_eq!(
            flagged,
            vec![
                AuditAction::UserBreakGlass,
                AuditAction::BreakGlassStart,
                AuditAction::BreakGlassAccess
            ]
        );
    }

    fn line(name: &str, request_id: &str, detail: &str) -> ReportLine {
        ReportLine {
            seq: 7,
            at: "2026-11-27T15:00:00Z".into(),
            user_id: "u".into(),
            user_name: name.into(),
            role: "care_manager".into(),
            patient_id: String::new(),
            action: "patient.read".into(),
            category: "demographics".into(),
            outcome: "success".into(),
            break_glass: true,
            source: "127.0.0.1".into(),
            request_id: request_id.into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn report_csv_neutralises_formula_cells_and_quotes_separators() {
        let csv = report_csv(&[
            line("=HYPERLINK(\"http://x\")", "+1+1", "-2"),
            line("@SUM(A1)", "ok, \"quoted\"", "plain"),
        ])
        .unwrap();
        let rows: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(rows[0], REPORT_COLUMNS.join(","));
        assert!(
            rows[1].contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
            "{}",
            rows[1]
        );
        assert!(rows[1].contains(",'+1+1,'-2"), "{}", rows[1]);
        assert!(rows[1].contains(",yes,"), "{}", rows[1]);
        assert!(rows[2].contains(",'@SUM(A1),"), "{}", rows[2]);
        assert!(
            rows[2].contains(",\"ok, \"\"quoted\"\"\",plain"),
            "{}",
            rows[2]
        );
        // Read back, every cell is whole and none begins like a formula.
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        for rec in r.records() {
            let rec = rec.unwrap();
            assert_eq!(rec.len(), REPORT_COLUMNS.len());
            for cell in rec.iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
            }
        }
    }
}
