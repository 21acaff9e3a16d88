use super::*;

/// PCL-5 answers from (items, value) groups; the rest 0.
fn pcl5(groups: &[(std::ops::RangeInclusive<usize>, u8)]) -> Vec<Option<u8>> {
    let mut a = vec![Some(0); 20];
    for (items, value) in groups {
        for n in items.clone() {
            a[n - 1] = Some(*value);
        }
    }
    a
}

fn criterion(s: &Score, key: &str) -> Option<bool> {
    s.criteria
        .iter()
        .find(|c| c.key == key)
        .unwrap_or_else(|| panic!("no criterion {key}"))
        .met
}

/// Vectors of instruments.md §9: cut-off 33 (default) and the DSM-5 rule, which can disagree.
#[test]
fn pcl5_published_vectors() {
    let discordant: Vec<Option<u8>> = (1..=20)
        .map(|n| {
            Some(if [1, 6, 8, 9, 15, 16].contains(&n) {
                2
            } else {
                0
            })
        })
        .collect();
    let cases: Vec<(Vec<Option<u8>>, u16, bool, bool)> = vec![
        (pcl5(&[]), 0, false, false),
        (pcl5(&[(1..=20, 1)]), 20, false, false),
        (discordant, 12, false, true),
        (
            pcl5(&[(1..=5, 3), (6..=7, 2), (8..=20, 1)]),
            32,
            false,
            false,
        ),
        (pcl5(&[(1..=20, 2)]), 40, true, true),
        (pcl5(&[(1..=20, 4)]), 80, true, true),
    ];
    for (a, total, cut, dsm5) in cases {
        let s = score(InstrumentId::Pcl5, &a).unwrap();
        assert_eq!(s.total, Some(total), "{a:?}");
        assert_eq!(s.positive, Some(cut), "{a:?}");
        assert_eq!(criterion(&s, "cut_off"), Some(cut));
        assert_eq!(criterion(&s, "dsm5_rule"), Some(dsm5), "{a:?}");
    }
}

/// 32 is negative at 33 and positive at 31 (reference §9), and its clusters are B 15,
/// C 4, D 7, E 6 with D failing (no D item rated ≥ 2).
#[test]
fn pcl5_cut_off_setting_and_clusters() {
    let a = pcl5(&[(1..=5, 3), (6..=7, 2), (8..=20, 1)]);
    let at31 = ctx_with(ScoringSettings {
        pcl5_positive_at: 31,
        ..Default::default()
    });
    assert_eq!(
        score_with(InstrumentId::Pcl5, &a, &at31).unwrap().positive,
        Some(true)
    );
    let s = score(InstrumentId::Pcl5, &a).unwrap();
    let clusters: Vec<(&str, Option<u16>)> = s
        .subscales
        .iter()
        .map(|c| (c.key.as_str(), c.score))
        .collect();
    assert_eq!(
        clusters,
        [
            ("B", Some(15)),
            ("C", Some(4)),
            ("D", Some(7)),
            ("E", Some(6))
        ]
    );
    assert_eq!(criterion(&s, "cluster_b"), Some(true));
    assert_eq!(criterion(&s, "cluster_d"), Some(false));
}

/// A missing item leaves its cluster undecided; a decided failing cluster still fails the
/// DSM-5 rule.
#[test]
fn pcl5_incomplete() {
    let mut a = pcl5(&[(1..=20, 2)]);
    a[0] = None;
    let s = score(InstrumentId::Pcl5, &a).unwrap();
    assert_eq!((s.total, s.positive), (None, None));
    assert_eq!(s.subscales[0].score, None);
    assert_eq!(criterion(&s, "cluster_b"), None);
    assert_eq!(criterion(&s, "dsm5_rule"), None);
    let mut a = pcl5(&[]);
    a[0] = None;
    let s = score(InstrumentId::Pcl5, &a).unwrap();
    assert_eq!(criterion(&s, "dsm5_rule"), Some(false));
}

/// PC-PTSD-5 (reference §13): trauma gate, count of Yes, cut-point 4 (3 as a setting).
#[test]
fn pcptsd5_rules() {
    let s = score(InstrumentId::Pcptsd5, &given(&[0])).unwrap();
    assert_eq!(
        (s.total, s.positive, s.complete),
        (Some(0), Some(false), true)
    );
    assert_eq!(s.skipped_items, vec![2, 3, 4, 5, 6]);
    let s = score(InstrumentId::Pcptsd5, &given(&[0, 0, 0, 0, 0, 0])).unwrap();
    assert_eq!(s.total, Some(0));
    let s = score(InstrumentId::Pcptsd5, &given(&[1, 1, 1, 1, 1, 0])).unwrap();
    assert_eq!((s.total, s.positive), (Some(4), Some(true)));
    assert!(s.notes.iter().any(|n| n.contains("PCL-5")));
    let three = given(&[1, 1, 1, 1, 0, 0]);
    assert_eq!(
        score(InstrumentId::Pcptsd5, &three).unwrap().positive,
        Some(false)
    );
    let sensitive = ctx_with(ScoringSettings {
        pcptsd5_positive_at: 3,
        ..Default::default()
    });
    let s = score_with(InstrumentId::Pcptsd5, &three, &sensitive).unwrap();
    assert_eq!(s.positive, Some(true));
    // Exposed but items blank: incomplete, never 0.
    let s = score(InstrumentId::Pcptsd5, &given(&[1])).unwrap();
    assert_eq!((s.total, s.complete), (None, false));
    assert_eq!(s.missing_items, vec![2, 3, 4, 5, 6]);
    // Gate blank: incomplete even if items are given.
    let s = score(InstrumentId::Pcptsd5, &parse("- 1 1 1 1 1")).unwrap();
    assert_eq!((s.total, s.complete), (Some(5), false));
    // No exposure but a Yes: the gate contradicts it.
    let e = score(InstrumentId::Pcptsd5, &given(&[0, 1, 0, 0, 0, 0])).unwrap_err();
    assert_eq!(e.field, "answers[1]");
}
