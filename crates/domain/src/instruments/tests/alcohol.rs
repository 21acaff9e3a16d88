use super::*;
use crate::patient::Sex;

fn sex(sex: Option<Sex>) -> ScoringContext {
    ScoringContext {
        sex,
        settings: ScoringSettings::default(),
    }
}

/// Vectors of instruments.md §6.
#[test]
fn auditc_published_vectors() {
    let f = sex(Some(Sex::Female));
    let m = sex(Some(Sex::Male));
    let s = score_with(InstrumentId::Auditc, &given(&[2, 1, 0]), &f).unwrap();
    assert_eq!((s.total, s.positive), (Some(3), Some(true)));
    let s = score_with(InstrumentId::Auditc, &given(&[2, 1, 0]), &m).unwrap();
    assert_eq!((s.total, s.positive), (Some(3), Some(false)));
    let s = score_with(InstrumentId::Auditc, &given(&[3, 1, 0]), &m).unwrap();
    assert_eq!((s.total, s.positive), (Some(4), Some(true)));
    assert!(s.notes.is_empty(), "{:?}", s.notes);
    let s = score_with(InstrumentId::Auditc, &given(&[4, 0, 0]), &m).unwrap();
    assert_eq!((s.total, s.positive), (Some(4), Some(true)));
    assert!(
        s.notes.iter().any(|n| n.contains("question 1")),
        "{:?}",
        s.notes
    );
    for ctx in [&f, &m] {
        let s = score_with(InstrumentId::Auditc, &parse("0 - -"), ctx).unwrap();
        assert_eq!(
            (s.total, s.positive, s.complete),
            (Some(0), Some(false), true)
        );
        assert_eq!(s.skipped_items, vec![2, 3]);
        assert!(s.missing_items.is_empty());
        let s = score_with(InstrumentId::Auditc, &given(&[4, 4, 4]), ctx).unwrap();
        assert_eq!((s.total, s.positive), (Some(12), Some(true)));
        assert!(
            s.notes.iter().any(|n| n.contains("high risk")),
            "{:?}",
            s.notes
        );
    }
}

/// Sex unknown or other: the women's (lower) cut-off, said in a note (reference §6).
#[test]
fn auditc_without_sex_uses_the_lower_cut_off_and_says_so() {
    for ctx in [sex(None), sex(Some(Sex::Other)), sex(Some(Sex::Unknown))] {
        let s = score_with(InstrumentId::Auditc, &given(&[2, 1, 0]), &ctx).unwrap();
        assert_eq!(s.positive, Some(true));
        assert!(
            s.notes.iter().any(|n| n.contains("women's")),
            "{:?}",
            s.notes
        );
    }
    // `score` is the default context: sex unknown.
    let s = score(InstrumentId::Auditc, &given(&[2, 1, 0])).unwrap();
    assert_eq!(s.positive, Some(true));
    let s = score_with(
        InstrumentId::Auditc,
        &given(&[2, 1, 0]),
        &sex(Some(Sex::Female)),
    )
    .unwrap();
    assert!(!s.notes.iter().any(|n| n.contains("women's")));
}

#[test]
fn auditc_cut_offs_are_settings() {
    let ctx = ScoringContext {
        sex: Some(Sex::Male),
        settings: ScoringSettings {
            auditc_positive_at_male: 5,
            ..Default::default()
        },
    };
    let s = score_with(InstrumentId::Auditc, &given(&[3, 1, 0]), &ctx).unwrap();
    assert_eq!(s.positive, Some(false));
}

/// Never ⇒ questions 2-3 not asked: a blank or first-option answer is a skip; another
/// answer contradicts the gate and is refused.
#[test]
fn auditc_skip_after_never() {
    let s = score(InstrumentId::Auditc, &given(&[0, 0, 0])).unwrap();
    assert_eq!((s.total, s.skipped_items.clone()), (Some(0), vec![2, 3]));
    assert_eq!(s.answered, 1);
    let e = score(InstrumentId::Auditc, &given(&[0, 2, 0])).unwrap_err();
    assert_eq!(e.field, "answers[1]");
    assert!(
        e.message.contains("not asked") && e.message.contains("Never"),
        "{e}"
    );
    // Q1 drinking but Q2-3 blank: incomplete, not skipped.
    let s = score(InstrumentId::Auditc, &parse("2 - -")).unwrap();
    assert_eq!((s.total, s.complete), (None, false));
    assert_eq!(s.missing_items, vec![2, 3]);
    // Only question 1 given: the form always asks it, the rest may be left off.
    let s = score(InstrumentId::Auditc, &given(&[0])).unwrap();
    assert_eq!(s.total, Some(0));
    let e = score(InstrumentId::Auditc, &[]).unwrap_err();
    assert!(e.message.contains("1 to 3 items"), "{e}");
}

/// Points of the reference's AUDIT vectors → positions (items 9-10: 0/2/4 → 0/1/2).
fn audit_positions(points: &[u8]) -> Vec<Option<u8>> {
    points
        .iter()
        .enumerate()
        .map(|(i, &p)| Some(if i >= 8 { p / 2 } else { p }))
        .collect()
}

/// Vectors of instruments.md §7.
#[test]
fn audit_published_vectors() {
    let cases: &[(&[u8], u16, &str)] = &[
        (&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1, "Zone I: low risk"),
        (&[2, 1, 1, 1, 0, 0, 1, 0, 0, 2], 8, "Zone II: hazardous"),
        (&[3, 2, 2, 2, 1, 1, 1, 1, 2, 4], 19, "Zone III: harmful"),
        (
            &[3, 3, 2, 2, 2, 2, 2, 2, 2, 0],
            20,
            "Zone IV: possible dependence",
        ),
        (
            &[4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
            40,
            "Zone IV: possible dependence",
        ),
    ];
    for (points, total, band) in cases {
        let s = score(InstrumentId::Audit, &audit_positions(points)).unwrap();
        assert_eq!(s.total, Some(*total), "{points:?}");
        assert_eq!(s.band.as_deref(), Some(*band), "{points:?}");
        assert_eq!(s.positive, Some(*total >= 8), "{points:?}");
    }
}

/// Items 9-10 take only 0, 2 or 4 points: three positions, a fourth is refused with the
/// points of each answer.
#[test]
fn audit_items_9_and_10_take_0_2_4() {
    let mut a = given(&[1, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
    let s = score(InstrumentId::Audit, &a).unwrap();
    assert_eq!(s.total, Some(1 + 2 + 4));
    a[8] = Some(3);
    let e = score(InstrumentId::Audit, &a).unwrap_err();
    assert_eq!(e.field, "answers[8]");
    assert!(e.message.contains("0 to 2"), "{e}");
    assert!(
        e.message.contains("Yes, during the last year (4 points)"),
        "{e}"
    );
}

#[test]
fn audit_non_drinker_and_cut_off_setting() {
    let s = score(InstrumentId::Audit, &parse("0 - - 0 0 0 0 0 0 0")).unwrap();
    assert_eq!((s.total, s.complete), (Some(0), true));
    assert_eq!(s.skipped_items, vec![2, 3]);
    let seven = ctx_with(ScoringSettings {
        audit_positive_at: 7,
        ..Default::default()
    });
    let a = given(&[2, 1, 1, 1, 0, 0, 1, 1, 0, 0]);
    assert_eq!(
        score(InstrumentId::Audit, &a).unwrap().positive,
        Some(false)
    );
    assert_eq!(
        score_with(InstrumentId::Audit, &a, &seven)
            .unwrap()
            .positive,
        Some(true)
    );
}
