//! Outcome metrics: follow-up PHQ-9, response and remission in the 4–8 month window (HEDIS
//! DRR-E, reference §5.1 M3–M5) and clinically significant improvement (MHIP, M6). Response,
//! remission and the official-score rule come from [`crate::measurement`].

use super::input::{EpisodeRecord, Period};
use super::result::count;
use crate::instruments::InstrumentId;
use crate::measurement::{
    DatedTotal, MeasuredScore, TreatmentOutcome, is_clinically_significant_improvement, outcome,
};
use time::{Date, Duration};

/// The DRR index: a baseline PHQ-9 above 9 (instruments.md §14: "index must be >9").
pub const ELEVATED_PHQ9: u16 = 10;

/// The follow-up window after the index: 120–240 days (instruments.md §14, NCQA DRR-E).
pub const WINDOW_FROM_DAYS: i64 = 120;
pub const WINDOW_TO_DAYS: i64 = 240;

/// The episode's baseline: its first complete PHQ-9.
pub(crate) fn baseline(e: &EpisodeRecord) -> Option<DatedTotal> {
    outcome(InstrumentId::Phq9, &e.phq9).baseline
}

fn as_score(b: DatedTotal) -> MeasuredScore {
    MeasuredScore {
        on: b.on,
        total: Some(b.total),
        estimate: false,
    }
}

/// The outcome of the baseline and the scores dated within `[from, to]` after it.
pub(crate) fn outcome_between(
    e: &EpisodeRecord,
    base: DatedTotal,
    from: Date,
    to: Date,
) -> TreatmentOutcome {
    let mut scores = vec![as_score(base)];
    scores.extend(
        e.phq9
            .iter()
            .filter(|s| s.on > base.on && from <= s.on && s.on <= to)
            .copied(),
    );
    outcome(InstrumentId::Phq9, &scores)
}

/// The DRR cohort of the period: episodes with an elevated baseline whose 240-day window
/// ends in the period, with the outcome over the baseline and the window's scores.
fn drr_cohort<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> Vec<TreatmentOutcome> {
    episodes
        .into_iter()
        .filter_map(|e| {
            let b = baseline(e)?;
            (b.total >= ELEVATED_PHQ9 && period.window_ends_in(b.on, WINDOW_TO_DAYS)).then(|| {
                outcome_between(
                    e,
                    b,
                    b.on + Duration::days(WINDOW_FROM_DAYS),
                    b.on + Duration::days(WINDOW_TO_DAYS),
                )
            })
        })
        .collect()
}

/// M3: (with a follow-up PHQ-9 in the window, cohort).
pub fn phq9_follow_up<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> (u32, u32) {
    count(
        drr_cohort(episodes, period),
        |_| true,
        |o| o.official_count > 1,
    )
}

/// M4: (latest in the window is a response, cohort).
pub fn response<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> (u32, u32) {
    count(
        drr_cohort(episodes, period),
        |_| true,
        |o| o.response == Some(true),
    )
}

/// M5: (latest in the window is below 5, cohort).
pub fn remission<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> (u32, u32) {
    count(
        drr_cohort(episodes, period),
        |_| true,
        |o| o.remission == Some(true),
    )
}

/// M6: (improved by the end of the period, open episodes with an elevated baseline).
pub fn clinically_significant_improvement<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> (u32, u32) {
    let cohort = episodes.into_iter().filter_map(|e| {
        let b = baseline(e)?;
        (e.open_during(period) && b.total >= ELEVATED_PHQ9 && b.on <= period.to())
            .then(|| outcome_between(e, b, b.on, period.to()))
    });
    count(
        cohort,
        |_| true,
        |o| match (o.baseline, o.latest, o.official_count > 1) {
            (Some(b), Some(l), true) => is_clinically_significant_improvement(b.total, l.total),
            _ => false,
        },
    )
}
