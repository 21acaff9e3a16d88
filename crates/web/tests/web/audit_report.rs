//! The audit report: filters return the right events, only the administrator sees it, viewing
//! and exporting are audited, the export needs a recent sign-in and neutralises hostile cells.

use crate::harness::{NOW, app};
use stepwise_domain::audit::{AuditAction, AuditCategory, AuditOutcome};
use stepwise_domain::ids::PatientId;
use stepwise_domain::role::Role;
use stepwise_store::AuditEvent;
use stepwise_store::model::{Ctx, NewUser};

fn rows(html: &str) -> usize {
    html.split("<tbody>")
        .nth(1)
        .map(|t| t.matches("<tr>").count())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_administrator_filters_views_and_exports_the_audit_report() {
    let app = app().await;
    let store = &app.store;
    let ctx = Ctx {
        practice: app.practice,
        user: None,
        role: None,
        request_id: "setup".into(),
        source: "test".into(),
        now: NOW,
        today: NOW.date(),
    };
    // A staff name, a request id and a source that a spreadsheet would run as formulas.
    let hostile = store
        .create_user(
            &ctx,
            NewUser {
                email: "hostile@north.test".into(),
                display_name: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
                password_hash: None,
                roles: vec![Role::CareManager],
                npi: None,
            },
        )
        .await
        .unwrap();
    let patient = PatientId::from_uuid(uuid::Uuid::now_v7());
    let day = time::Duration::days(1);
    let plant = |at, user, action, request_id: &str, source: &str| AuditEvent {
        practice: app.practice,
        at,
        user: Some(user),
        role: Some(Role::CareManager),
        patient: Some(patient),
        action,
        category: AuditCategory::Clinical,
        outcome: AuditOutcome::Success,
        request_id: request_id.into(),
        source: source.into(),
        detail: "-1+1".into(),
    };
    store
        .audit(plant(
            NOW - day * 5,
            hostile.id,
            AuditAction::BreakGlassAccess,
            "+cmd|' /C calc'!A0",
            "@SUM(1+1)",
        ))
        .await
        .unwrap();
    store
        .audit(plant(
            NOW - day * 2,
            app.care_manager.id,
            AuditAction::EpisodeRead,
            "r-2",
            "127.0.0.1",
        ))
        .await
        .unwrap();

    let admin = app.session(&app.admin.email).await;
    let post = |path: &str, body: &str| app.call("POST", path).header("cookie", &admin).form(body);
    let page = app
        .send(app.call("GET", "/admin/audit").header("cookie", &admin))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(html.contains("Break-glass"), "break-glass is flagged");
    assert!(html.contains("&#61;HYPERLINK") || html.contains("=HYPERLINK"));
    assert!(!html.contains("<script"), "{html}");

    // By user: only the hostile account's one event.
    let by_user = app
        .send(post("/admin/audit", &format!("user={}", hostile.id)))
        .await;
    assert_eq!(by_user.status, 200);
    assert_eq!(rows(&by_user.text()), 1, "{}", by_user.text());
    assert!(by_user.text().contains("break_glass.access"));
    // By patient and action.
    let by_patient = app
        .send(post(
            "/admin/audit",
            &format!("patient={patient}&action=episode.read"),
        ))
        .await;
    assert_eq!(rows(&by_patient.text()), 1);
    assert!(by_patient.text().contains("episode.read"));
    // By period: the days around the second event only (the practice's calendar).
    let d = |t: time::OffsetDateTime| t.date().to_string();
    let by_period = app
        .send(post(
            "/admin/audit",
            &format!(
                "patient={patient}&from={}&to={}",
                d(NOW - day * 3),
                d(NOW - day)
            ),
        ))
        .await;
    assert_eq!(rows(&by_period.text()), 1, "{}", by_period.text());
    assert!(by_period.text().contains("r-2"));
    // A bad filter is refused beside its field, with what was typed kept.
    let bad = app
        .send(post(
            "/admin/audit",
            "patient=%27+OR+1%3D1+--&from=2026-11-05&to=2026-11-01",
        ))
        .await;
    assert_eq!(bad.status, 422);
    let html = bad.text();
    assert!(html.contains("id=\"patient-err\"") && html.contains("id=\"to-err\""));
    assert!(html.contains("value=\"&#39; OR 1&#61;1 --\"") || html.contains("OR 1"));

    // Each view was recorded, naming the patient filtered on.
    let events = store.audit_events(app.practice, 0, 10_000).await.unwrap();
    let views: Vec<_> = events
        .iter()
        .filter(|e| e.event.action == AuditAction::AuditReportRead)
        .collect();
    assert_eq!(views.len(), 4, "three filtered views and the first page");
    assert!(views.iter().all(|e| e.event.user == Some(app.admin.id)));
    assert_eq!(
        views
            .iter()
            .filter(|e| e.event.patient == Some(patient))
            .count(),
        2
    );

    // Export: CSV of the matching events, hostile cells neutralised, and audited.
    let csv = app
        .send(post("/admin/audit/export", &format!("patient={patient}")))
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    assert_eq!(csv.header("cache-control"), Some("no-store"));
    let text = csv.text();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // The two planted events, and the two views that filtered on this patient.
    assert_eq!(records.len(), 4, "{text}");
    assert_eq!(
        records
            .iter()
            .filter(|r| &r[6] == "audit.report_read")
            .count(),
        2
    );
    for r in &records {
        for cell in r.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell} in {text}");
        }
    }
    let flagged = records
        .iter()
        .find(|r| &r[6] == "break_glass.access")
        .unwrap();
    assert_eq!(&flagged[3], "'=HYPERLINK(\"http://evil.example\",\"x\")");
    assert_eq!(&flagged[9], "yes");
    assert_eq!(&flagged[10], "'@SUM(1+1)");
    assert_eq!(&flagged[11], "'+cmd|' /C calc'!A0");
    assert_eq!(&flagged[12], "'-1+1");
    let exports = store
        .audit_events(app.practice, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == AuditAction::AuditReportExport)
        .collect::<Vec<_>>();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].event.patient, Some(patient));
    assert!(exports[0].event.detail.contains("4 events exported"));

    // An API token is no recent sign-in: sent to re-authenticate, nothing exported.
    let by_token = app
        .send(
            app.call("POST", "/admin/audit/export")
                .token(&app.admin)
                .form(""),
        )
        .await;
    assert_eq!(by_token.status, 303);
    assert!(by_token.header("location").unwrap().starts_with("/reauth"));
    // A session still in use but signed in more than 15 minutes ago confirms its sign-in again.
    for _ in 0..2 {
        app.clock.advance(time::Duration::minutes(8));
        let kept = app
            .send(app.call("GET", "/admin/audit").header("cookie", &admin))
            .await;
        assert_eq!(kept.status, 200);
    }
    let stale = app.send(post("/admin/audit/export", "")).await;
    assert_eq!(stale.status, 303);
    assert!(stale.header("location").unwrap().starts_with("/reauth"));
    let still_one = store
        .audit_events(app.practice, 0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == AuditAction::AuditReportExport)
        .count();
    assert_eq!(still_one, 1);
    assert!(
        store
            .verify_audit_chain(app.practice)
            .await
            .unwrap()
            .is_intact()
    );
}

#[tokio::test]
async fn nobody_but_the_administrator_sees_the_audit_report() {
    let app = app().await;
    for user in [
        &app.care_manager,
        &app.practitioner,
        &app.psychiatrist,
        &app.ma,
        &app.front_desk,
        &app.billing,
    ] {
        assert_eq!(
            app.get(user, "/admin/audit").await.status,
            404,
            "{}",
            user.email
        );
        let post = app
            .send(app.call("POST", "/admin/audit").token(user).form(""))
            .await;
        assert_eq!(post.status, 404, "{}", user.email);
        let export = app
            .send(app.call("POST", "/admin/audit/export").token(user).form(""))
            .await;
        assert_eq!(export.status, 404, "{}", user.email);
    }
    // Refusals are recorded; no report was read.
    let events = app
        .store
        .audit_events(app.practice, 0, 10_000)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.event.action == AuditAction::AccessDenied)
    );
    assert!(!events.iter().any(|e| matches!(
        e.event.action,
        AuditAction::AuditReportRead | AuditAction::AuditReportExport
    )));
}
