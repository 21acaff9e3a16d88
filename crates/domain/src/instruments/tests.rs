use super::*;
use proptest::prelude::*;

fn answers(v: &[u8]) -> Vec<Option<u8>> {
    v.iter().map(|&a| Some(a)).collect()
}

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
        let s = score(InstrumentId::Phq9, &answers(a)).unwrap();
        assert_eq!(s.total, Some(*total), "{a:?}");
        assert_eq!(s.band.as_deref(), Some(*band), "{a:?}");
        assert_eq!(s.safety, *safety, "{a:?}");
    }
}

/// Vector 11: item 9 missing → incomplete, safety unknown, never 0.
#[test]
fn phq9_missing_item9_is_incomplete_and_unknown() {
    let mut a = answers(&[1, 1, 1, 1, 1, 1, 1, 1]);
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
        let s = score(InstrumentId::Gad7, &answers(a)).unwrap();
        assert_eq!(s.total, Some(*total), "{a:?}");
        assert_eq!(s.band.as_deref(), Some(*band), "{a:?}");
        assert_eq!(s.positive, Some(*positive), "{a:?}");
        assert_eq!(s.safety, Safety::Clear);
    }
}

#[test]
fn wrong_counts_and_values_name_the_problem() {
    let e = score(InstrumentId::Phq9, &answers(&[0, 0, 0])).unwrap_err();
    assert_eq!(e.field, "answers");
    assert!(e.message.contains("9 to 10 items"), "{e}");
    let e = score(InstrumentId::Gad7, &answers(&[0, 0, 0, 4, 0, 0, 0])).unwrap_err();
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
        let s = score(InstrumentId::Phq9, &answers(&a)).unwrap();
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
        let s = score(InstrumentId::Gad7, &answers(&a)).unwrap();
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
