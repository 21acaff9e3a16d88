//! Item-level answers for a chosen total, so that generated responses look like real ones
//! (mood, interest, sleep and energy items carry more of a total than psychomotor change) and
//! are scored by the domain's scorer like any response. Answers are option positions
//! (see `stepwise_domain::instruments`); on these instruments a position equals its points.

use crate::rng::Rng;
use stepwise_domain::instruments::InstrumentId;

/// Relative weight of PHQ-9 items 1–8 in a total: anhedonia, mood, sleep and fatigue lead.
const PHQ9_WEIGHTS: [u32; 8] = [13, 14, 12, 14, 9, 10, 10, 6];
/// GAD-7: nervousness, uncontrollable worry and worrying too much lead.
const GAD7_WEIGHTS: [u32; 7] = [14, 13, 14, 11, 8, 11, 9];

/// Spread `total` over items of 0..=`max` points with the given weights.
fn spread(rng: &mut Rng, weights: &[u32], max: u8, total: u16) -> Vec<u8> {
    spread_from(rng, weights, max, vec![0; weights.len()], total)
}

/// Add `total` points to `items`, none above `max`.
fn spread_from(rng: &mut Rng, weights: &[u32], max: u8, mut items: Vec<u8>, total: u16) -> Vec<u8> {
    let room: u16 = items.iter().map(|i| u16::from(max - i)).sum();
    for _ in 0..total.min(room) {
        let open: Vec<(usize, u32)> = weights
            .iter()
            .enumerate()
            .filter(|(i, _)| items[*i] < max)
            .map(|(i, w)| (i, *w))
            .collect();
        let i = *rng.weighted(&open);
        items[i] += 1;
    }
    items
}

/// "How difficult have these problems made it…" (PHQ-9 item 10), which follows severity.
fn difficulty(rng: &mut Rng, total: u16) -> u8 {
    let base: i64 = match total {
        0..=4 => 0,
        5..=9 => 1,
        10..=19 => 2,
        _ => 3,
    };
    (base + rng.int(-1, 1)).clamp(0, 3) as u8
}

/// A complete PHQ-9 (ten positions, item 10 included) whose total is `total` (0–27) and whose
/// item 9 is `item9` (0–3; the total includes it).
pub(crate) fn phq9(rng: &mut Rng, total: u16, item9: u8) -> Vec<Option<u8>> {
    let item9 = item9.min(3);
    let total = total.clamp(u16::from(item9), 24 + u16::from(item9));
    let mut items = spread(rng, &PHQ9_WEIGHTS, 3, total - u16::from(item9));
    items.push(item9);
    items.push(difficulty(rng, total));
    items.into_iter().map(Some).collect()
}

/// A complete GAD-7 whose total is `total` (0–21).
pub(crate) fn gad7(rng: &mut Rng, total: u16) -> Vec<Option<u8>> {
    spread(rng, &GAD7_WEIGHTS, 3, total.min(21))
        .into_iter()
        .map(Some)
        .collect()
}

/// The first two items of a PHQ-9 or GAD-7 as a PHQ-2 or GAD-2 (total 0–6).
pub(crate) fn two_item(rng: &mut Rng, total: u16) -> Vec<Option<u8>> {
    spread(rng, &[1, 1], 3, total.min(6))
        .into_iter()
        .map(Some)
        .collect()
}

/// AUDIT-C (three questions of 0–4 points) with the given total (0–12): frequency first, then
/// quantity, then heavy episodes. Someone who never drinks is not asked questions 2 and 3
/// (the form's skip logic), so they stay blank.
pub(crate) fn auditc(rng: &mut Rng, total: u16) -> Vec<Option<u8>> {
    if total == 0 {
        return vec![Some(0), None, None];
    }
    spread_from(rng, &[6, 4, 3], 4, vec![1, 0, 0], total.min(12) - 1)
        .into_iter()
        .map(Some)
        .collect()
}

/// Answers of `instrument` with the given total (item 9 of the PHQ-9 at 0).
pub(crate) fn answers(rng: &mut Rng, instrument: InstrumentId, total: u16) -> Vec<Option<u8>> {
    match instrument {
        InstrumentId::Phq9 => phq9(rng, total, 0),
        InstrumentId::Gad7 => gad7(rng, total),
        InstrumentId::Auditc => auditc(rng, total),
        _ => two_item(rng, total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepwise_domain::instruments::{Safety, score};

    #[test]
    fn totals_are_what_was_asked_and_score_officially() {
        let mut rng = Rng::new(3, 0);
        for total in 0..=27u16 {
            // Items 1–8 hold at most 24 points; above that, item 9 holds the rest.
            let item9 = if total > 24 {
                (total - 24) as u8
            } else {
                u8::from(total % 5 == 0 && total > 0)
            };
            let a = phq9(&mut rng, total, item9);
            let s = score(InstrumentId::Phq9, &a).unwrap();
            assert_eq!(s.total, Some(total));
            assert!(s.complete);
            assert_eq!(s.safety == Safety::Alert, item9 > 0);
        }
        for total in 0..=21u16 {
            let s = score(InstrumentId::Gad7, &gad7(&mut rng, total)).unwrap();
            assert_eq!(s.total, Some(total));
        }
        for (instrument, max) in [
            (InstrumentId::Phq2, 6),
            (InstrumentId::Gad2, 6),
            (InstrumentId::Auditc, 12),
        ] {
            for total in 0..=max {
                let s = score(instrument, &answers(&mut rng, instrument, total)).unwrap();
                assert_eq!(s.total, Some(total), "{instrument:?}");
            }
        }
    }
}
