use super::*;

/// The reference's EPDS vectors are given in points; items 1, 2, 4 run 0→3 from the top
/// option, the others 3→0, so position = points or 3 − points.
fn from_points(points: [u8; 10]) -> Vec<Option<u8>> {
    points
        .iter()
        .enumerate()
        .map(|(i, &p)| Some(if [0, 1, 3].contains(&i) { p } else { 3 - p }))
        .collect()
}

/// Vectors A-D of instruments.md §11.
#[test]
fn epds_published_vectors() {
    let a = score(InstrumentId::Epds, &given(&[0; 10])).unwrap();
    assert_eq!(a.total, Some(21));
    assert_eq!(a.band.as_deref(), Some("Probable depression"));
    assert_eq!((a.safety, a.alert_items), (Safety::Alert, vec![10]));
    let b = score(InstrumentId::Epds, &given(&[3; 10])).unwrap();
    assert_eq!(b.total, Some(9));
    assert_eq!(b.band.as_deref(), Some("Below the cut-off"));
    assert_eq!((b.positive, b.safety), (Some(false), Safety::Clear));
    let c = score(
        InstrumentId::Epds,
        &from_points([1, 1, 2, 1, 1, 1, 1, 1, 1, 0]),
    )
    .unwrap();
    assert_eq!(c.total, Some(10));
    assert_eq!(c.band.as_deref(), Some("Possible depression"));
    assert_eq!((c.positive, c.safety), (Some(true), Safety::Clear));
    let d = score(
        InstrumentId::Epds,
        &from_points([0, 0, 1, 0, 0, 0, 0, 0, 0, 1]),
    )
    .unwrap();
    assert_eq!(d.total, Some(2));
    assert_eq!(d.positive, Some(false));
    assert_eq!((d.safety, d.alert_items), (Safety::Alert, vec![10]));
}

#[test]
fn epds_item10_missing_is_unknown() {
    let mut a = given(&[3; 10]);
    a[9] = None;
    let s = score(InstrumentId::Epds, &a).unwrap();
    assert_eq!((s.total, s.safety), (None, Safety::Unknown));
}

/// Antenatal cut-offs 13 / 15 (reference §11).
#[test]
fn epds_antenatal_settings() {
    let antenatal = ctx_with(ScoringSettings {
        epds_possible_at: 13,
        epds_probable_at: 15,
        ..Default::default()
    });
    let twelve = from_points([2, 2, 2, 1, 1, 1, 1, 1, 1, 0]);
    let s = score_with(InstrumentId::Epds, &twelve, &antenatal).unwrap();
    assert_eq!(s.total, Some(12));
    assert_eq!(
        (s.positive, s.band.as_deref()),
        (Some(false), Some("Below the cut-off"))
    );
    let s = score(InstrumentId::Epds, &twelve).unwrap();
    assert_eq!(
        (s.positive, s.band.as_deref()),
        (Some(true), Some("Possible depression"))
    );
    let fourteen = from_points([3, 3, 2, 1, 1, 1, 1, 1, 1, 0]);
    let s = score_with(InstrumentId::Epds, &fourteen, &antenatal).unwrap();
    assert_eq!(
        (s.total, s.band.as_deref()),
        (Some(14), Some("Possible depression"))
    );
}
