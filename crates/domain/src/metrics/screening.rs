//! Screening metrics: depression screening, follow-up of a positive screen (HEDIS DSF-E,
//! reference §5.1 M1) and PHQ-9 utilisation (HEDIS DMS-E, M2).

use super::input::{PatientRecord, Period, is_depression_screen};
use super::result::count;
use crate::instruments::InstrumentId;
use crate::measurement::{MeasuredScore, outcome};
use time::{Date, Duration};

/// Follow-up within 30 days: "on or up to 30 days after" the positive screen (DSF-E, §5.1 M1).
pub const SCREEN_FOLLOW_UP_DAYS: i64 = 30;

/// Minimum age for depression screening (DSF-E: aged 12 and older).
pub const SCREENING_MIN_AGE: i32 = 12;

fn age_on(birth: Date, day: Date) -> i32 {
    let years = day.year() - birth.year();
    if (day.month() as u8, day.day()) < (birth.month() as u8, birth.day()) {
        years - 1
    } else {
        years
    }
}

/// Whether any complete PHQ-9 among `scores` is dated within `[from, to]` (the official-score
/// rule is the one of [`crate::measurement::outcome`]).
pub(crate) fn complete_phq9_between<'a>(
    scores: impl IntoIterator<Item = &'a MeasuredScore>,
    from: Date,
    to: Date,
) -> bool {
    let within: Vec<MeasuredScore> = scores
        .into_iter()
        .filter(|s| from <= s.on && s.on <= to)
        .copied()
        .collect();
    outcome(InstrumentId::Phq9, &within).official_count > 0
}

fn all_phq9(p: &PatientRecord) -> impl Iterator<Item = &MeasuredScore> {
    p.phq9
        .iter()
        .chain(p.episodes.iter().flat_map(|e| e.phq9.iter()))
}

/// M1: (screened, seen) among `patients`.
pub fn depression_screening<'a>(
    patients: impl IntoIterator<Item = &'a PatientRecord>,
    period: Period,
) -> (u32, u32) {
    count(
        patients,
        |p| {
            p.visits.iter().any(|d| period.contains(*d))
                && p.birth_date
                    .is_none_or(|b| age_on(b, period.from()) >= SCREENING_MIN_AGE)
        },
        |p| {
            p.screenings
                .iter()
                .any(|s| is_depression_screen(s.instrument) && period.contains(s.on))
        },
    )
}

/// Whether the patient had follow-up care within the 30 days after a positive screen.
fn followed_up(p: &PatientRecord, screen_on: Date, instrument: InstrumentId) -> bool {
    let to = screen_on + Duration::days(SCREEN_FOLLOW_UP_DAYS);
    let within = |d: Date| screen_on <= d && d <= to;
    let session = p
        .episodes
        .iter()
        .any(|e| e.session_dates().into_iter().any(within));
    let episode = p
        .episodes
        .iter()
        .any(|e| within(e.referred_on) || e.enrolled_on.is_some_and(within));
    let referral = p.referrals.iter().any(|r| {
        r.first_reached(crate::referral::ReferralState::Sent)
            .is_some_and(|at| within(at.date()))
    });
    // A full PHQ-9 after a positive brief screen is follow-up assessment (DSF-E); after a
    // positive PHQ-9 another PHQ-9 the same day is not.
    let phq9 =
        instrument != InstrumentId::Phq9 && complete_phq9_between(all_phq9(p), screen_on, to);
    session || episode || referral || phq9
}

/// M1 follow-up: (followed up, positive screens whose window ends in the period).
pub fn screening_follow_up<'a>(
    patients: impl IntoIterator<Item = &'a PatientRecord>,
    period: Period,
) -> (u32, u32) {
    let first_positive = |p: &PatientRecord| {
        p.screenings
            .iter()
            .filter(|s| {
                s.positive
                    && is_depression_screen(s.instrument)
                    && period.window_ends_in(s.on, SCREEN_FOLLOW_UP_DAYS)
            })
            .min_by_key(|s| s.on)
            .copied()
    };
    count(
        patients
            .into_iter()
            .filter_map(|p| first_positive(p).map(|s| (p, s))),
        |_| true,
        |(p, s)| followed_up(p, s.on, s.instrument),
    )
}

/// M2: (with a PHQ-9 in the period, diagnosed and seen in the period).
pub fn phq9_utilization<'a>(
    patients: impl IntoIterator<Item = &'a PatientRecord>,
    period: Period,
) -> (u32, u32) {
    count(
        patients,
        |p| {
            p.depression_diagnosed_on.is_some_and(|d| d <= period.to())
                && p.visits.iter().any(|d| period.contains(*d))
        },
        |p| complete_phq9_between(all_phq9(p), period.from(), period.to()),
    )
}
