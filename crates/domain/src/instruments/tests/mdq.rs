use super::*;

/// `yes` of 13 Part 1 items, then Part 2 and Part 3 positions (`None` = blank).
fn mdq(yes: usize, part2: Option<u8>, part3: Option<u8>) -> Vec<Option<u8>> {
    let mut a: Vec<Option<u8>> = (0..13).map(|i| Some(u8::from(i < yes))).collect();
    a.push(part2);
    a.push(part3);
    a
}

const MINOR: u8 = 1;
const MODERATE: u8 = 2;
const SERIOUS: u8 = 3;

/// Vectors of instruments.md §12.
#[test]
fn mdq_published_vectors() {
    let cases = [
        (mdq(7, Some(1), Some(MODERATE)), 7, true),
        (mdq(7, Some(1), Some(MINOR)), 7, false),
        (mdq(6, Some(1), Some(SERIOUS)), 6, false),
        (mdq(13, Some(0), Some(SERIOUS)), 13, false),
    ];
    for (a, total, positive) in cases {
        let s = score(InstrumentId::Mdq, &a).unwrap();
        assert_eq!(s.total, Some(total), "{a:?}");
        assert_eq!(s.positive, Some(positive), "{a:?}");
        assert!(s.complete);
        assert_eq!(s.criteria.len(), 3);
    }
}

/// Each part is decided only when answered; a failed part decides the screen.
#[test]
fn mdq_incomplete_parts() {
    let s = score(InstrumentId::Mdq, &mdq(5, None, None)).unwrap();
    assert_eq!(
        (s.total, s.positive, s.complete),
        (Some(5), Some(false), false)
    );
    assert_eq!(s.missing_items, vec![14, 15]);
    let s = score(InstrumentId::Mdq, &mdq(8, Some(1), None)).unwrap();
    assert_eq!((s.total, s.positive), (Some(8), None));
    let mut a = mdq(8, Some(1), Some(SERIOUS));
    a[0] = None;
    let s = score(InstrumentId::Mdq, &a).unwrap();
    assert_eq!((s.total, s.positive), (None, None));
    assert_eq!(s.criteria[0].met, None);
}
