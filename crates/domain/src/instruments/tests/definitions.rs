//! The shape of every definition: what the scorer and the LOINC mapping rely on.

use super::*;

#[test]
fn text_codes_are_the_contract() {
    let codes: Vec<&str> = InstrumentId::ALL.iter().map(|i| i.code()).collect();
    assert_eq!(
        codes,
        [
            "phq9", "phq2", "phqa", "gad7", "gad2", "auditc", "audit", "dast10", "pcl5", "epds",
            "cssrs", "mdq", "pcptsd5"
        ]
    );
    for id in InstrumentId::ALL {
        assert_eq!(InstrumentId::parse(id.code()), Ok(*id));
        assert_eq!(id.definition().id, *id);
    }
    let treatment: Vec<_> = InstrumentId::ALL
        .iter()
        .filter(|i| i.is_treatment_target())
        .collect();
    assert_eq!(treatment, [&InstrumentId::Phq9, &InstrumentId::Gad7]);
}

#[test]
fn max_totals() {
    let expected = [
        (InstrumentId::Phq9, 27),
        (InstrumentId::Phq2, 6),
        (InstrumentId::Phqa, 27),
        (InstrumentId::Gad7, 21),
        (InstrumentId::Gad2, 6),
        (InstrumentId::Auditc, 12),
        (InstrumentId::Audit, 40),
        (InstrumentId::Dast10, 10),
        (InstrumentId::Pcl5, 80),
        (InstrumentId::Epds, 30),
        (InstrumentId::Cssrs, 0),
        (InstrumentId::Mdq, 13),
        (InstrumentId::Pcptsd5, 5),
    ];
    assert_eq!(expected.len(), InstrumentId::ALL.len());
    for (id, max) in expected {
        assert_eq!(id.max_total(), max, "{id}");
    }
}

#[test]
fn items_are_numbered_from_1_and_well_formed() {
    for id in InstrumentId::ALL {
        let def = id.definition();
        for (i, item) in def.items.iter().enumerate() {
            assert_eq!(usize::from(item.number), i + 1, "{id} item {}", item.number);
            assert!(!item.form_number.is_empty(), "{id} item {}", item.number);
            assert!(item.options.len() >= 2, "{id} item {}", item.number);
            assert!(
                !item.scored || item.required,
                "{id} item {}: scored ⇒ required",
                item.number
            );
            if let Some(at) = item.alert_at {
                assert!(
                    item.options.iter().any(|o| o.points >= at),
                    "{id} alert unreachable"
                );
                assert!(
                    item.options.iter().any(|o| o.points < at),
                    "{id} always alerts"
                );
            }
        }
        for skip in def.skips {
            let gate = def.item(skip.gate).expect("gate exists");
            assert!(
                skip.when
                    .iter()
                    .all(|&p| usize::from(p) < gate.options.len())
            );
            for &n in skip.items {
                assert!(n > skip.gate, "{id}: a gate precedes the items it skips");
                assert!(def.item(n).is_some(), "{id}: skipped item {n} exists");
            }
        }
    }
}

/// Bands cover 0..=max without gaps or overlaps, in order.
#[test]
fn bands_cover_the_range() {
    for id in InstrumentId::ALL {
        let def = id.definition();
        if def.bands.is_empty() {
            continue;
        }
        let mut next = 0;
        for band in def.bands {
            assert_eq!(band.min, next, "{id} {}", band.label);
            assert!(band.max >= band.min);
            next = band.max + 1;
        }
        assert_eq!(next, id.max_total() + 1, "{id}");
    }
}

/// The safety items of the reference (§16.5): PHQ-9 item 9, PHQ-A items 9, 12, 13, EPDS
/// item 10; the C-SSRS alerts through its risk level.
#[test]
fn safety_items() {
    for id in InstrumentId::ALL {
        let safety: Vec<u8> = id
            .definition()
            .items
            .iter()
            .filter(|i| i.is_safety_item())
            .map(|i| i.number)
            .collect();
        let expected: &[u8] = match id {
            InstrumentId::Phq9 => &[9],
            InstrumentId::Phqa => &[9, 12, 13],
            InstrumentId::Epds => &[10],
            _ => &[],
        };
        assert_eq!(safety, expected, "{id}");
    }
}

/// Item wording ships only for the instruments free to reproduce (reference §16.11); the
/// others carry neutral labels naming the instrument (AUDIT's questions 1-3 are the
/// public-domain AUDIT-C).
#[test]
fn licensed_wording_is_not_shipped() {
    for id in InstrumentId::ALL {
        let def = id.definition();
        let licensed = matches!(
            id,
            InstrumentId::Epds
                | InstrumentId::Cssrs
                | InstrumentId::Dast10
                | InstrumentId::Mdq
                | InstrumentId::Audit
                | InstrumentId::Phqa
        );
        let expected = if licensed {
            ItemText::LabelsOnly
        } else {
            ItemText::Included
        };
        assert_eq!(def.item_text, expected, "{id}");
        if licensed {
            let auditc = InstrumentId::Auditc.definition().items;
            for item in def.items {
                let public = auditc.iter().any(|a| a.label == item.label);
                assert!(
                    public || item.label.starts_with(def.name),
                    "{id} item {}: {}",
                    item.number,
                    item.label
                );
            }
        }
    }
}

/// LOINC's mod-10 check digit (Luhn over the digits before the dash) of every numeric code:
/// catches a mistyped panel, total or item code.
#[test]
fn loinc_codes_carry_valid_check_digits() {
    fn check_digit(body: &str) -> u32 {
        let sum: u32 = body
            .chars()
            .rev()
            .filter_map(|c| c.to_digit(10))
            .enumerate()
            .map(|(i, d)| {
                if i % 2 == 0 {
                    let x = d * 2;
                    x / 10 + x % 10
                } else {
                    d
                }
            })
            .sum();
        (10 - sum % 10) % 10
    }
    let mut checked = 0;
    for id in InstrumentId::ALL {
        let def = id.definition();
        let codes = def
            .items
            .iter()
            .filter_map(|i| i.loinc)
            .chain(def.panel_loinc)
            .chain(def.total_loinc);
        for code in codes {
            let (body, check) = code.code.split_once('-').expect("NNNN-N");
            assert!(
                body.chars().all(|c| c.is_ascii_digit()),
                "{id} {}",
                code.code
            );
            assert_eq!(
                check.parse::<u32>().ok(),
                Some(check_digit(body)),
                "{id} {}",
                code.code
            );
            checked += 1;
        }
    }
    assert!(checked > 50);
    assert_eq!((check_digit("44249"), check_digit("69737")), (1, 5));
}

/// Answer codes look like LA codes; no code appears twice in one item.
#[test]
fn answer_codes_are_well_formed() {
    for id in InstrumentId::ALL {
        for item in id.definition().items {
            let codes: Vec<&str> = item
                .options
                .iter()
                .flat_map(|o| o.loinc.iter().map(|l| l.code))
                .collect();
            for code in &codes {
                assert!(code.starts_with("LA") && code.contains('-'), "{id} {code}");
                assert_eq!(
                    codes.iter().filter(|c| *c == code).count(),
                    1,
                    "{id} {code}"
                );
            }
        }
    }
}

#[test]
fn settings_defaults_are_the_published_cut_offs_and_validate() {
    let s = ScoringSettings::default();
    assert_eq!(s.validate(), Ok(()));
    for id in InstrumentId::ALL {
        assert_eq!(
            s.positive_at(*id, None),
            id.definition().positive_at,
            "{id}"
        );
    }
    let bad = ScoringSettings {
        epds_possible_at: 14,
        pcl5_positive_at: 81,
        cssrs_alert_at: RiskLevel::NoRisk,
        ..s
    };
    let fields: Vec<String> = bad
        .validate()
        .unwrap_err()
        .errors
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        ["pcl5_positive_at", "epds_probable_at", "cssrs_alert_at"]
    );
}
