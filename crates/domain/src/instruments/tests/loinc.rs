use super::*;
use proptest::prelude::*;

/// GAD-7 item 2 (68509-9): LOINC's LA18938-3 "More days than not" and the "fixed" LA6570-1
/// are both value 2 (reference §4).
#[test]
fn gad7_item2_accepts_both_codes() {
    assert_eq!(
        answer_position(InstrumentId::Gad7, "68509-9", "LA18938-3"),
        Ok(2)
    );
    assert_eq!(
        answer_position(InstrumentId::Gad7, "68509-9", "LA6570-1"),
        Ok(2)
    );
    assert_eq!(
        answer_position(InstrumentId::Gad2, "68509-9", "LA18938-3"),
        Ok(2)
    );
    // Elsewhere LA18938-3 is not an answer.
    let e = answer_position(InstrumentId::Gad7, "69725-0", "LA18938-3").unwrap_err();
    assert_eq!(e.field, "answer");
    assert!(
        e.message.contains("LA6570-1 (More than half the days)"),
        "{e}"
    );
}

/// The coded examples of the reference (§1, §4).
#[test]
fn coded_published_examples() {
    let phq9 = [
        ("44250-9", "LA6570-1"),
        ("44255-8", "LA6570-1"),
        ("44259-0", "LA6570-1"),
        ("44254-1", "LA6570-1"),
        ("44251-7", "LA6569-3"),
        ("44258-2", "LA6569-3"),
        ("44252-5", "LA6568-5"),
        ("44253-3", "LA6568-5"),
        ("44260-8", "LA6568-5"),
    ];
    let s = score_loinc(InstrumentId::Phq9, &phq9).unwrap();
    assert_eq!((s.total, s.band.as_deref()), (Some(10), Some("Moderate")));
    let gad7 = [
        ("69725-0", "LA6570-1"),
        ("68509-9", "LA18938-3"),
        ("69733-4", "LA6569-3"),
        ("69734-2", "LA6569-3"),
        ("69735-9", "LA6568-5"),
        ("69689-8", "LA6569-3"),
        ("69736-7", "LA6568-5"),
    ];
    let s = score_loinc(InstrumentId::Gad7, &gad7).unwrap();
    assert_eq!((s.total, s.band.as_deref()), (Some(7), Some("Mild")));
}

/// The same LA code scores differently per instrument and item (reference §0): "Never"
/// LA6270-8 is AUDIT-C question 1 and question 3, each 0; the functional item's codes are
/// out of display order.
#[test]
fn codes_are_per_item() {
    assert_eq!(
        answer_position(InstrumentId::Auditc, "68518-0", "LA6270-8"),
        Ok(0)
    );
    assert_eq!(
        answer_position(InstrumentId::Auditc, "68520-6", "LA18934-2"),
        Ok(4)
    );
    assert!(answer_position(InstrumentId::Auditc, "68519-8", "LA6270-8").is_err());
    assert_eq!(
        answer_position(InstrumentId::Phq9, "69722-7", "LA6575-0"),
        Ok(2)
    );
    assert_eq!(
        answer_position(InstrumentId::Phq9, "69722-7", "LA6574-3"),
        Ok(3)
    );
    assert_eq!(
        answer_position(InstrumentId::Cssrs, "93269-9", "LA33-6"),
        Ok(1)
    );
}

#[test]
fn unknown_codes_name_the_item_and_the_allowed_values() {
    let e = score_loinc(
        InstrumentId::Phq9,
        &[("44250-9", "LA6568-5"), ("44260-8", "LA9999-9")],
    )
    .unwrap_err();
    assert_eq!(e.field, "answers[1]");
    assert!(e.message.contains("PHQ-9 item 9"), "{e}");
    assert!(e.message.contains("LA6568-5 (Not at all)"), "{e}");
    assert!(e.message.contains("got LA9999-9"), "{e}");
    let e = score_loinc(InstrumentId::Gad7, &[("44250-9", "LA6568-5")]).unwrap_err();
    assert_eq!(e.field, "answers[0]");
    assert!(e.message.contains("no item with LOINC code 44250-9"), "{e}");
    assert!(e.message.contains("68509-9 (item 2)"), "{e}");
    // AUDIT 9-10: the "Yes" answers have no verified code.
    let e = answer_position(InstrumentId::Audit, "97739-7", "LA32279-4").unwrap_err();
    assert!(e.message.contains("LA32-8 (No)"), "{e}");
    assert!(e.message.contains("by position"), "{e}");
    // Instruments without item codes say so.
    let e = score_loinc(InstrumentId::Epds, &[("71354-5", "LA6568-5")]).unwrap_err();
    assert!(e.message.contains("no LOINC item codes"), "{e}");
    let e = score_loinc(
        InstrumentId::Phq2,
        &[("44250-9", "LA6568-5"), ("44250-9", "LA6569-3")],
    )
    .unwrap_err();
    assert_eq!(e.field, "answers[1]");
    assert!(e.message.contains("more than once"), "{e}");
}

/// Items not listed are unanswered; skip-logic errors name the caller's pair.
#[test]
fn partial_and_skipped_coded_responses() {
    let s = score_loinc(InstrumentId::Phq9, &[("44250-9", "LA6569-3")]).unwrap();
    assert_eq!(
        (s.total, s.partial_sum, s.safety),
        (None, 1, Safety::Unknown)
    );
    let s = score_loinc(
        InstrumentId::Cssrs,
        &[
            ("93267-3", "LA32-8"),
            ("93246-7", "LA32-8"),
            ("93247-5", "LA32-8"),
        ],
    )
    .unwrap();
    assert_eq!(s.risk_level, Some(RiskLevel::NoRisk));
    let e = score_loinc(
        InstrumentId::Cssrs,
        &[("93247-5", "LA32-8"), ("93249-1", "LA33-6")],
    )
    .unwrap_err();
    assert_eq!(e.field, "answers[1]");
}

/// Every coded option of every coded item maps back to its own position.
#[test]
fn every_coded_option_maps_to_its_position() {
    let mut checked = 0;
    for id in InstrumentId::ALL {
        for item in id.definition().items {
            let Some(item_code) = item.loinc else {
                continue;
            };
            for (pos, option) in item.options.iter().enumerate() {
                for code in option.loinc {
                    assert_eq!(
                        answer_position(*id, item_code.code, code.code),
                        Ok(pos as u8),
                        "{id} {} {}",
                        item_code.code,
                        code.code
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

fn coded(id: InstrumentId) -> impl Strategy<Value = Vec<Option<u8>>> {
    let items: Vec<_> = id
        .definition()
        .items
        .iter()
        .map(|i| {
            let coded = i.options.iter().take_while(|o| !o.loinc.is_empty()).count() as u8;
            proptest::option::of(0..coded)
        })
        .collect();
    items
}

proptest! {
    /// Scoring by codes equals scoring by positions, for every coded instrument (errors name
    /// the pair rather than the position, so only their messages compare).
    #[test]
    fn loinc_and_positions_agree(
        (id, a) in proptest::sample::select(vec![
            InstrumentId::Phq9, InstrumentId::Phq2, InstrumentId::Gad7, InstrumentId::Gad2,
            InstrumentId::Auditc, InstrumentId::Audit, InstrumentId::Cssrs,
        ]).prop_flat_map(|id| (Just(id), coded(id)))
    ) {
        let def = id.definition();
        let pairs: Vec<(&str, &str)> = def
            .items
            .iter()
            .zip(&a)
            .filter_map(|(item, p)| {
                let code = item.options[usize::from((*p)?)].loinc[0].code;
                Some((item.loinc?.code, code))
            })
            .collect();
        prop_assert_eq!(
            score_loinc(id, &pairs).map_err(|e| e.message),
            score(id, &a).map_err(|e| e.message)
        );
    }
}
