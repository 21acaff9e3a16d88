use super::*;

/// Yes on the listed items (1-based), No elsewhere.
fn yes_on(items: &[u8]) -> Vec<Option<u8>> {
    (1..=10)
        .map(|n| Some(u8::from(items.contains(&n))))
        .collect()
}

/// Vectors of instruments.md §8, including the reverse-keyed item 3.
#[test]
fn dast10_published_vectors() {
    let cases: &[(&[u8], u16, &str)] = &[
        (&[], 1, "Low"),
        (&[3], 0, "None"),
        (&[1, 2, 3, 5], 3, "Moderate"),
        (&[1, 2, 4, 5, 6, 7, 8], 8, "Substantial"),
        (&[1, 2, 4, 5, 6, 7, 8, 9, 10], 10, "Severe"),
    ];
    for (yes, total, band) in cases {
        let s = score(InstrumentId::Dast10, &yes_on(yes)).unwrap();
        assert_eq!(s.total, Some(*total), "yes on {yes:?}");
        assert_eq!(s.band.as_deref(), Some(*band), "yes on {yes:?}");
        assert_eq!(s.positive, Some(*total >= 3), "yes on {yes:?}");
    }
}

/// The practice option: item 1 = No skips 2-10 and scores 0 (reference §8). Off, the same
/// answers give the reverse-keyed point; blanks are then missing.
#[test]
fn dast10_optional_skip_after_item1_no() {
    let on = ctx_with(ScoringSettings {
        dast10_skip_when_item1_no: true,
        ..Default::default()
    });
    let blank = parse("0 - - - - - - - - -");
    let s = score_with(InstrumentId::Dast10, &blank, &on).unwrap();
    assert_eq!((s.total, s.complete), (Some(0), true));
    assert_eq!(s.skipped_items, (2..=10).collect::<Vec<u8>>());
    let s = score(InstrumentId::Dast10, &blank).unwrap();
    assert_eq!((s.total, s.complete), (None, false));
    assert_eq!(s.missing_items.len(), 9);
    let all_no = yes_on(&[]);
    assert_eq!(
        score_with(InstrumentId::Dast10, &all_no, &on)
            .unwrap()
            .total,
        Some(0)
    );
    assert_eq!(score(InstrumentId::Dast10, &all_no).unwrap().total, Some(1));
    let e = score_with(InstrumentId::Dast10, &yes_on(&[4]), &on).unwrap_err();
    assert_eq!(e.field, "answers[3]");
    // With item 1 = Yes nothing is skipped.
    let s = score_with(InstrumentId::Dast10, &yes_on(&[1]), &on).unwrap();
    assert_eq!(s.total, Some(2));
}
