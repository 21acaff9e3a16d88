use super::*;
use proptest::prelude::*;

/// Test vectors of instruments.md §1 (PHQ-9).
#[test]
fn phq9_published_vectors() {
    let cases: &[(&[u8], u16, &str, Safety)] = &[
        (&[0, 0, 0, 0, 0, 0, 0, 0, 0], 0, "Minimal", Safety::Clear),
        (&[1, 1, 0, 1, 0, 0, 1, 0, 0], 4, "Minimal", Safety::Clear),
        (&[1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "Mild", Safety::Clear),
        (&[2, 2, 1, 1, 1, 1, 1, 0, 0], 9, "Mild", Safety::Clear),
        (&[2, 2, 2, 1, 1, 1, 1, 0, 0], 10, "Moderate", Safety::Clear),
        (
            &[3, 3, 2, 2, 2, 2, 1, 0, 0],
            15,
            "Moderately severe",
            Safety::Clear,
        ),
        (&[3, 3, 3, 3, 2, 2, 2, 1, 1], 20, "Severe", Safety::Alert),
        (&[0, 0, 0, 0, 0, 0, 0, 0, 1], 1, "Minimal", Safety::Alert),
        (&[3, 3, 3, 3, 3, 3, 3, 3, 3], 27, "Severe", Safety::Alert),
        (&[0, 0, 0, 0, 0, 0, 0, 0, 0, 3], 0, "Minimal", Safety::Clear),
    ];
    for (a, total, band, safety) in cases {
        let s = score(InstrumentId::Phq9, &given(a)).unwrap();
        assert_eq!(s.total, Some(*total), "{a:?}");
        assert_eq!(s.band.as_deref(), Some(*band), "{a:?}");
        assert_eq!(s.safety, *safety, "{a:?}");
    }
}

/// Vector 11: item 9 missing → incomplete, safety unknown, never 0.
#[test]
fn phq9_missing_item9_is_incomplete_and_unknown() {
    let mut a = given(&[1, 1, 1, 1, 1, 1, 1, 1]);
    a.push(None);
    let s = score(InstrumentId::Phq9, &a).unwrap();
    assert_eq!(s.total, None);
    assert!(!s.complete);
    assert_eq!(s.partial_sum, 8);
    assert_eq!(s.safety, Safety::Unknown);
    assert_eq!(s.band, None);
}

#[test]
fn gad7_published_vectors() {
    let cases: &[(&[u8], u16, &str, bool)] = &[
        (&[0, 0, 0, 0, 0, 0, 0], 0, "Minimal", false),
        (&[1, 1, 1, 1, 1, 0, 0], 5, "Mild", false),
        (&[2, 2, 1, 1, 1, 1, 1], 9, "Mild", false),
        (&[2, 2, 2, 1, 1, 1, 1], 10, "Moderate", true),
        (&[3, 3, 2, 2, 2, 2, 1], 15, "Severe", true),
        (&[3, 3, 3, 3, 3, 3, 3], 21, "Severe", true),
        (&[1, 1, 1, 1, 0, 1, 2], 7, "Mild", false),
        (&[1, 0, 0, 1, 0, 1, 1], 4, "Minimal", false),
    ];
    for (a, total, band, positive) in cases {
        let s = score(InstrumentId::Gad7, &given(a)).unwrap();
        assert_eq!(s.total, Some(*total), "{a:?}");
        assert_eq!(s.band.as_deref(), Some(*band), "{a:?}");
        assert_eq!(s.positive, Some(*positive), "{a:?}");
        assert_eq!(s.safety, Safety::Clear);
    }
}

#[test]
fn wrong_counts_and_values_name_the_problem() {
    let e = score(InstrumentId::Phq9, &given(&[0, 0, 0])).unwrap_err();
    assert_eq!(e.field, "answers");
    assert!(e.message.contains("9 to 10 items"), "{e}");
    let e = score(InstrumentId::Gad7, &given(&[0, 0, 0, 4, 0, 0, 0])).unwrap_err();
    assert_eq!(e.field, "answers[3]");
    assert!(e.message.contains("0 to 3"), "{e}");
}

#[test]
fn max_totals() {
    assert_eq!(InstrumentId::Phq9.max_total(), 27);
    assert_eq!(InstrumentId::Gad7.max_total(), 21);
}

/// Every one of the 4^9 = 262,144 PHQ-9 answer combinations: total is the sum, the band
/// matches the published cut-points, and item 9 ≥ 1 always alerts.
#[test]
fn phq9_exhaustive() {
    let mut a = [0u8; 9];
    for n in 0..4u32.pow(9) {
        let mut k = n;
        for slot in a.iter_mut() {
            *slot = (k % 4) as u8;
            k /= 4;
        }
        let s = score(InstrumentId::Phq9, &given(&a)).unwrap();
        let sum: u16 = a.iter().map(|&x| x as u16).sum();
        assert_eq!(s.total, Some(sum));
        let band = match sum {
            0..=4 => "Minimal",
            5..=9 => "Mild",
            10..=14 => "Moderate",
            15..=19 => "Moderately severe",
            _ => "Severe",
        };
        assert_eq!(s.band.as_deref(), Some(band));
        assert_eq!(s.safety == Safety::Alert, a[8] >= 1);
    }
}

/// All 4^7 = 16,384 GAD-7 combinations.
#[test]
fn gad7_exhaustive() {
    let mut a = [0u8; 7];
    for n in 0..4u32.pow(7) {
        let mut k = n;
        for slot in a.iter_mut() {
            *slot = (k % 4) as u8;
            k /= 4;
        }
        let s = score(InstrumentId::Gad7, &given(&a)).unwrap();
        let sum: u16 = a.iter().map(|&x| x as u16).sum();
        assert_eq!(s.total, Some(sum));
        let band = match sum {
            0..=4 => "Minimal",
            5..=9 => "Mild",
            10..=14 => "Moderate",
            _ => "Severe",
        };
        assert_eq!(s.band.as_deref(), Some(band));
        assert_eq!(s.positive, Some(sum >= 10));
    }
}

proptest! {
    /// A response with any scored item missing never has an official total, and a missing
    /// item 9 never reads as clear.
    #[test]
    fn incomplete_never_official(v in proptest::collection::vec(proptest::option::of(0u8..4), 9)) {
        let s = score(InstrumentId::Phq9, &v).unwrap();
        let all = v.iter().all(Option::is_some);
        prop_assert_eq!(s.complete, all);
        prop_assert_eq!(s.total.is_some(), all);
        if v[8].is_none() {
            prop_assert_ne!(s.safety, Safety::Clear);
        }
        prop_assert!(s.partial_sum <= 27);
    }
}

/// The prorated estimate (reference §1): only with exactly one scored item missing,
/// half-up rounding of sum × 9 / 8, never the total.
#[test]
fn phq9_estimate_is_never_the_total() {
    let s = score(InstrumentId::Phq9, &parse("1 1 1 1 1 1 1 1 -")).unwrap();
    assert_eq!((s.total, s.estimate, s.partial_sum), (None, Some(9), 8));
    assert_eq!(s.band, None);
    assert_eq!(s.positive, None);
    assert_eq!(s.missing_items, vec![9]);
    // 4 × 9 / 8 = 4.5 rounds up to 5.
    let s = score(InstrumentId::Phq9, &parse("1 1 1 1 - 0 0 0 0")).unwrap();
    assert_eq!(s.estimate, Some(5));
    assert_eq!(s.safety, Safety::Clear);
    // Two missing: no estimate.
    let s = score(InstrumentId::Phq9, &parse("3 3 3 3 3 3 3 - -")).unwrap();
    assert_eq!((s.total, s.estimate), (None, None));
    // Complete: the total, no estimate.
    let s = score(InstrumentId::Phq9, &parse("1 1 1 1 1 1 1 1 1")).unwrap();
    assert_eq!((s.total, s.estimate), (Some(9), None));
}

#[test]
fn gad7_estimate() {
    let s = score(InstrumentId::Gad7, &parse("1 1 1 1 1 1 -")).unwrap();
    assert_eq!((s.total, s.estimate, s.complete), (None, Some(7), false));
}

/// PHQ-9 item 10 (functional) is recorded, never summed, and may be left off or blank.
#[test]
fn phq9_functional_item_is_optional_and_unscored() {
    let s = score(InstrumentId::Phq9, &parse("0 0 0 0 0 0 0 0 0 -")).unwrap();
    assert_eq!((s.total, s.complete), (Some(0), true));
    let e = score(InstrumentId::Phq9, &parse("0 0 0 0 0 0 0 0 0 4")).unwrap_err();
    assert_eq!(e.field, "answers[9]");
    assert!(e.message.contains("Extremely difficult"), "{e}");
}

/// Vectors of instruments.md §2: ≥ 3 positive by default, ≥ 2 when configured.
#[test]
fn phq2_published_vectors() {
    let cases: &[(&[u8], u16, bool)] = &[
        (&[0, 0], 0, false),
        (&[1, 1], 2, false),
        (&[2, 1], 3, true),
        (&[0, 3], 3, true),
        (&[3, 3], 6, true),
    ];
    for (a, total, positive) in cases {
        let s = score(InstrumentId::Phq2, &given(a)).unwrap();
        assert_eq!(s.total, Some(*total), "{a:?}");
        assert_eq!(s.positive, Some(*positive), "{a:?}");
        assert_eq!(s.safety, Safety::Clear, "PHQ-2 has no suicide item");
        assert_eq!(s.notes.iter().any(|n| n.contains("PHQ-9")), *positive);
    }
    let sensitive = ctx_with(ScoringSettings {
        phq2_positive_at: 2,
        ..Default::default()
    });
    let s = score_with(InstrumentId::Phq2, &given(&[1, 1]), &sensitive).unwrap();
    assert_eq!(s.positive, Some(true));
    let s = score(InstrumentId::Phq2, &parse("3 -")).unwrap();
    assert_eq!((s.total, s.positive, s.estimate), (None, None, None));
}

/// Vectors of instruments.md §3: the extra items are never summed; the suicide items alert.
#[test]
fn phqa_published_vectors() {
    let s = score(InstrumentId::Phqa, &parse("1 1 1 1 1 0 0 0 0 0 0 0 0")).unwrap();
    assert_eq!(s.total, Some(5));
    assert_eq!(s.band.as_deref(), Some("Mild"));
    assert_eq!(s.safety, Safety::Clear);
    let s = score(InstrumentId::Phqa, &parse("0 0 0 0 0 0 0 0 0 0 0 1 0")).unwrap();
    assert_eq!(s.total, Some(0));
    assert_eq!(s.band.as_deref(), Some("Minimal"));
    assert_eq!((s.safety, s.alert_items.clone()), (Safety::Alert, vec![12]));
    let s = score(InstrumentId::Phqa, &parse("0 0 0 0 0 0 0 0 1 1 3 1 1")).unwrap();
    assert_eq!(s.total, Some(1), "items 10-13 are not summed");
    assert_eq!(s.alert_items, vec![9, 12, 13]);
}

/// The suicide items left off are unknown, never "no", though the total is official.
#[test]
fn phqa_missing_suicide_items_are_unknown() {
    let s = score(InstrumentId::Phqa, &given(&[0; 9])).unwrap();
    assert_eq!((s.total, s.complete), (Some(0), true));
    assert_eq!(s.safety, Safety::Unknown);
    let s = score(InstrumentId::Phqa, &parse("0 0 0 0 0 0 0 0 0 0 0 0 -")).unwrap();
    assert_eq!(s.safety, Safety::Unknown);
}

/// Vectors of instruments.md §5.
#[test]
fn gad2_published_vectors() {
    let cases: &[(&[u8], u16, bool)] = &[
        (&[1, 1], 2, false),
        (&[2, 1], 3, true),
        (&[0, 3], 3, true),
        (&[3, 3], 6, true),
    ];
    for (a, total, positive) in cases {
        let s = score(InstrumentId::Gad2, &given(a)).unwrap();
        assert_eq!(s.total, Some(*total), "{a:?}");
        assert_eq!(s.positive, Some(*positive), "{a:?}");
    }
}

/// A score serialized before the fields for other instruments existed still reads.
#[test]
fn score_reads_the_first_release_shape() {
    let old = r#"{"instrument":"phq9","total":7,"partial_sum":7,"answered":9,"scored_items":9,
        "complete":true,"band":"Mild","positive":false,"safety":"alert","alert_items":[9]}"#;
    let s: Score = serde_json::from_str(old).unwrap();
    assert_eq!(
        s,
        score(InstrumentId::Phq9, &given(&[1, 1, 2, 0, 1, 0, 1, 0, 1])).unwrap()
    );
}
