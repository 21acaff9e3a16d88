//! The audit report: who did what, to which patient's record, when, with what outcome (HIPAA
//! 164.312(b) audit controls; 164.308(a)(1)(ii)(D) activity review), filtered by user,
//! patient, action and period. The filter travels in POSTed forms, never in the address.
//! Every view and every export is itself an audit event; the CSV export asks for a sign-in
//! within the last 15 minutes (`Fresh`), like every other export of PHI.

use super::forms::{Fields, FormErrors, get, refused};
use super::{Chrome, render};
use crate::access::{Can, Fresh, op};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use stepwise_domain::audit::{
    AuditAction, AuditCategory, ReportLine, ReportQuery, ReportQueryInput, report_csv,
};
use stepwise_store::{AuditFilter, StoredAuditEvent};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// Events on one screen.
const PAGE_SIZE: i64 = 50;
/// Events fetched per query while exporting.
const EXPORT_BATCH: i64 = 5000;

/// The instant a civil date begins in the practice's time zone (UTC if the zone is unknown).
fn local_midnight(date: Date, time_zone: &str) -> OffsetDateTime {
    let zoned = jiff::tz::TimeZone::get(time_zone).ok().and_then(|tz| {
        jiff::civil::Date::new(date.year() as i16, date.month() as i8, date.day() as i8)
            .ok()?
            .to_zoned_datetime(tz)
            .ok()
    });
    zoned
        .and_then(|z| OffsetDateTime::from_unix_timestamp(z.timestamp().as_second()).ok())
        .unwrap_or_else(|| date.midnight().assume_utc())
}

/// An instant as the practice reads it, e.g. `2026-11-27 10:00 EST`.
fn local_time(at: OffsetDateTime, time_zone: &str) -> String {
    jiff::tz::TimeZone::get(time_zone)
        .ok()
        .and_then(|tz| {
            jiff::Timestamp::from_second(at.unix_timestamp())
                .ok()
                .map(|ts| {
                    ts.to_zoned_datetime(tz)
                        .strftime("%Y-%m-%d %H:%M:%S %Z")
                        .to_string()
                })
        })
        .unwrap_or_else(|| at.format(&Rfc3339).unwrap_or_default())
}

/// The store's filter for a query: the period's days as instants of the practice's calendar
/// (`to` is the whole last day).
fn store_filter(q: &ReportQuery, time_zone: &str) -> AuditFilter {
    AuditFilter {
        user: q.user,
        patient: q.patient,
        action: q.action,
        from: q.from.map(|d| local_midnight(d, time_zone)),
        to: q
            .to
            .and_then(|d| d.next_day())
            .map(|d| local_midnight(d, time_zone)),
    }
}

fn input_of(fields: &Fields) -> ReportQueryInput {
    ReportQueryInput {
        user: get(fields, "user"),
        patient: get(fields, "patient"),
        action: get(fields, "action"),
        from: get(fields, "from"),
        to: get(fields, "to"),
    }
}

/// What the view and export events record of the filter: ids, codes and dates only.
fn describe(q: &ReportQuery) -> String {
    let mut parts = Vec::new();
    if let Some(u) = q.user {
        parts.push(format!("user {u}"));
    }
    if let Some(a) = q.action {
        parts.push(format!("action {a}"));
    }
    if let Some(f) = q.from {
        parts.push(format!("from {f}"));
    }
    if let Some(t) = q.to {
        parts.push(format!("to {t}"));
    }
    if parts.is_empty() {
        "no filter".into()
    } else {
        parts.join(", ")
    }
}

/// Resolve the events' users to names; instants to UTC text.
fn lines(events: &[StoredAuditEvent], names: &HashMap<String, String>) -> Vec<ReportLine> {
    events
        .iter()
        .map(|e| {
            let ev = &e.event;
            let user_id = ev.user.map(|u| u.to_string()).unwrap_or_default();
            ReportLine {
                seq: e.seq,
                at: ev.at.format(&Rfc3339).unwrap_or_default(),
                user_name: names.get(&user_id).cloned().unwrap_or_default(),
                user_id,
                role: ev.role.map(|r| r.code().to_owned()).unwrap_or_default(),
                patient_id: ev.patient.map(|p| p.to_string()).unwrap_or_default(),
                action: ev.action.code().to_owned(),
                category: ev.category.code().to_owned(),
                outcome: ev.outcome.code().to_owned(),
                break_glass: ev.action.is_break_glass(),
                source: ev.source.clone(),
                request_id: ev.request_id.clone(),
                detail: ev.detail.clone(),
            }
        })
        .collect()
}

pub struct Row {
    pub line: ReportLine,
    pub when: String,
}

#[derive(Template)]
#[template(path = "audit_report.html")]
struct ReportPage {
    chrome: Chrome,
    input: ReportQueryInput,
    /// (id, name, selected)
    users: Vec<(String, String, bool)>,
    /// (code, selected)
    actions: Vec<(&'static str, bool)>,
    errors: FormErrors,
    /// The errors no field shows (a bad page position).
    summary: Vec<String>,
    rows: Vec<Row>,
    /// The chain position to continue from on the next page, when there is one.
    older: Option<i64>,
    /// A page after the first is shown.
    paged: bool,
}

/// The report page for what was typed (`fields`), or the newest events when nothing was.
async fn show(state: &AppState, can: &Can<op::ReadAuditReport>, fields: &Fields) -> Response {
    let input = input_of(fields);
    let staff = match state.store.users(can.ctx.practice).await {
        Ok(u) => u,
        Err(e) => return super::error_page(e.into()),
    };
    let names: HashMap<String, String> = staff
        .iter()
        .map(|u| (u.id.to_string(), u.display_name.clone()))
        .collect();
    let mut errors = FormErrors::default();
    let query = match input.parse() {
        Ok(q) => Some(q),
        Err(e) => {
            for f in e.errors {
                errors.push(&f.field, f.message);
            }
            None
        }
    };
    let before = match get(fields, "before").as_str() {
        "" => None,
        b => match b.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.push("before", "the page position is not valid; start again");
                None
            }
        },
    };
    let mut rows = Vec::new();
    let mut older = None;
    if let (Some(q), true) = (&query, errors.is_empty()) {
        let tz = &can.auth.practice.time_zone;
        let events = match state
            .store
            .audit_report(
                can.ctx.practice,
                &store_filter(q, tz),
                before,
                PAGE_SIZE + 1,
            )
            .await
        {
            Ok(ev) => ev,
            Err(e) => return super::error_page(e.into()),
        };
        let more = events.len() as i64 > PAGE_SIZE;
        let shown = &events[..events.len().min(PAGE_SIZE as usize)];
        if more {
            older = shown.last().map(|e| e.seq);
        }
        // Viewing is an event too, recorded before anything is shown.
        let ev = can.ctx.event(
            AuditAction::AuditReportRead,
            AuditCategory::Administration,
            q.patient,
            format!("{}; {} events shown", describe(q), shown.len()),
        );
        if let Err(e) = state.store.audit(ev).await {
            return super::error_page(e.into());
        }
        rows = lines(shown, &names)
            .into_iter()
            .zip(shown)
            .map(|(line, e)| Row {
                line,
                when: local_time(e.event.at, tz),
            })
            .collect();
    }
    let failed = !errors.is_empty();
    let mut summary = errors.general.clone();
    summary.extend(errors.unplaced(&["user", "patient", "action", "from", "to"]));
    let mut staff_sorted: Vec<_> = staff
        .iter()
        .map(|u| {
            let id = u.id.to_string();
            let selected = id == input.user;
            (id, u.display_name.clone(), selected)
        })
        .collect();
    staff_sorted.sort_by(|a, b| a.1.cmp(&b.1));
    let page = render(&ReportPage {
        chrome: Chrome::new(&can.auth, state.config.demo.is_some()),
        actions: AuditAction::ALL
            .iter()
            .map(|a| (a.code(), a.code() == input.action))
            .collect(),
        users: staff_sorted,
        input,
        errors,
        summary,
        rows,
        older,
        paged: before.is_some(),
    });
    if failed { refused(page) } else { page }
}

/// The newest events of the practice.
pub async fn report(State(state): State<AppState>, can: Can<op::ReadAuditReport>) -> Response {
    show(&state, &can, &Fields::new()).await
}

/// The events matching the submitted filter (and page position).
pub async fn filter(
    State(state): State<AppState>,
    can: Can<op::ReadAuditReport>,
    Form(fields): Form<Fields>,
) -> Response {
    show(&state, &can, &fields).await
}

/// Every event matching the submitted filter as CSV, after a recent sign-in.
pub async fn export(
    State(state): State<AppState>,
    Fresh(can): Fresh<Can<op::ReadAuditReport>>,
    Form(fields): Form<Fields>,
) -> Response {
    let query = match input_of(&fields).parse() {
        Ok(q) => q,
        Err(_) => return show(&state, &can, &fields).await,
    };
    let csv: Result<String, ApiError> = async {
        let staff = state.store.users(can.ctx.practice).await?;
        let names: HashMap<String, String> = staff
            .iter()
            .map(|u| (u.id.to_string(), u.display_name.clone()))
            .collect();
        let filter = store_filter(&query, &can.auth.practice.time_zone);
        let mut events = Vec::new();
        let mut before = None;
        loop {
            let batch = state
                .store
                .audit_report(can.ctx.practice, &filter, before, EXPORT_BATCH)
                .await?;
            let n = batch.len() as i64;
            before = batch.last().map(|e| e.seq);
            events.extend(batch);
            if n < EXPORT_BATCH {
                break;
            }
        }
        let ev = can.ctx.event(
            AuditAction::AuditReportExport,
            AuditCategory::Administration,
            query.patient,
            format!(
                "{}; {} events exported as CSV",
                describe(&query),
                events.len()
            ),
        );
        state.store.audit(ev).await?;
        report_csv(&lines(&events, &names)).map_err(ApiError::Internal)
    }
    .await;
    match csv {
        Ok(body) => {
            let mut res = body.into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"audit-report.csv\""),
            );
            res
        }
        Err(e) => super::error_page(e),
    }
}
