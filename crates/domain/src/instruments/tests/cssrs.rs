use super::*;

/// Vectors of instruments.md §10 (Y = 1, N = 0, – = not asked).
#[test]
fn cssrs_published_vectors() {
    let cases: &[(&str, RiskLevel, &[u8])] = &[
        ("0 0 - - - 0 -", RiskLevel::NoRisk, &[]),
        ("1 0 - - - 0 -", RiskLevel::Low, &[]),
        ("1 1 1 0 0 0 -", RiskLevel::Moderate, &[3]),
        ("0 0 - - - 1 0", RiskLevel::Moderate, &[6]),
        ("1 1 0 1 0 0 -", RiskLevel::High, &[4]),
        ("0 0 - - - 1 1", RiskLevel::High, &[6, 7]),
    ];
    for (a, level, alert_items) in cases {
        let s = score(InstrumentId::Cssrs, &parse(a)).unwrap();
        assert!(s.complete, "{a}");
        assert_eq!(s.risk_level, Some(*level), "{a}");
        assert_eq!(s.total, None, "no numeric score");
        let safety = if alert_items.is_empty() {
            Safety::Clear
        } else {
            Safety::Alert
        };
        assert_eq!(s.safety, safety, "{a}");
        assert_eq!(s.alert_items, *alert_items, "{a}");
    }
}

/// Skipped questions are not missing; 6a may be left off when question 6 is No.
#[test]
fn cssrs_skip_logic() {
    let s = score(InstrumentId::Cssrs, &parse("0 0 - - - 0")).unwrap();
    assert_eq!(s.skipped_items, vec![3, 4, 5, 7]);
    assert!(s.complete && s.missing_items.is_empty());
    let s = score(InstrumentId::Cssrs, &parse("0 0 0 0 0 0 0")).unwrap();
    assert_eq!(s.risk_level, Some(RiskLevel::NoRisk));
    let e = score(InstrumentId::Cssrs, &parse("0 0 1 - - 0")).unwrap_err();
    assert_eq!(e.field, "answers[2]");
    assert!(e.message.contains("item 2"), "{e}");
    // Question 2 = Yes: 3-5 must be answered.
    let s = score(InstrumentId::Cssrs, &parse("1 1 - - - 0")).unwrap();
    assert_eq!((s.complete, s.risk_level), (false, None));
    assert_eq!(s.missing_items, vec![3, 4, 5]);
    assert_eq!(s.safety, Safety::Unknown);
    // Question 6 = Yes and 6a left off: incomplete.
    let s = score(InstrumentId::Cssrs, &parse("0 0 - - - 1")).unwrap();
    assert_eq!((s.complete, s.safety), (false, Safety::Unknown));
}

/// Answers already at High alert even when the response is incomplete; the level waits.
#[test]
fn cssrs_incomplete_high_still_alerts() {
    let s = score(InstrumentId::Cssrs, &parse("1 1 0 1 0 -")).unwrap();
    assert_eq!((s.complete, s.risk_level), (false, None));
    assert_eq!((s.safety, s.alert_items.clone()), (Safety::Alert, vec![4]));
    assert!(s.notes.iter().any(|n| n.contains("High")), "{:?}", s.notes);
    let s = score(InstrumentId::Cssrs, &parse("- 0 - - - 0")).unwrap();
    assert_eq!((s.complete, s.safety), (false, Safety::Unknown));
}

/// Alerting on Low is a setting (reference §10).
#[test]
fn cssrs_alert_level_setting() {
    let low = ctx_with(ScoringSettings {
        cssrs_alert_at: RiskLevel::Low,
        ..Default::default()
    });
    let a = parse("1 0 - - - 0");
    let s = score_with(InstrumentId::Cssrs, &a, &low).unwrap();
    assert_eq!((s.safety, s.alert_items.clone()), (Safety::Alert, vec![1]));
    let s = score(InstrumentId::Cssrs, &a).unwrap();
    assert!(
        s.notes.iter().any(|n| n.contains("below the alert level")),
        "{:?}",
        s.notes
    );
    let high = ctx_with(ScoringSettings {
        cssrs_alert_at: RiskLevel::High,
        ..Default::default()
    });
    let s = score_with(InstrumentId::Cssrs, &parse("1 1 1 0 0 0 -"), &high).unwrap();
    assert_eq!(
        (s.risk_level, s.safety),
        (Some(RiskLevel::Moderate), Safety::Clear)
    );
}

#[test]
fn cssrs_risk_level_codes() {
    assert_eq!(RiskLevel::Low.loinc().map(|l| l.code), Some("LA9194-7"));
    assert_eq!(
        RiskLevel::High.loinc().map(|l| (l.code, l.evidence)),
        Some(("LA9193-9", Evidence::Secondary))
    );
    assert_eq!(RiskLevel::NoRisk.loinc(), None);
}
