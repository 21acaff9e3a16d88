//! Process metrics of the care team: early follow-up (reference §5.1 M7), psychiatric
//! consultation for non-responders (M8), caseload reviewed (M9), time to first contact (M10),
//! caseload size per FTE and share contacted (M12).

use super::input::{CareManagerFte, EpisodeRecord, Period};
use super::outcomes::{baseline, outcome_between};
use super::result::{count, median};
use crate::contact::ContactKind;
use time::{Date, Duration};

/// Weeks 8 and 12 in days (MHIP fidelity measure, §5.1 M8; instruments.md §14).
pub const WEEK_8_DAYS: i64 = 56;
pub const WEEK_12_DAYS: i64 = 84;

/// The episode's initial contact: its initial assessment, else its first session.
pub fn initial_contact(e: &EpisodeRecord) -> Option<Date> {
    e.contacts
        .iter()
        .filter(|c| c.kind == ContactKind::InitialAssessment)
        .map(|c| c.contact_on)
        .min()
        .or_else(|| e.session_dates().first().copied())
}

/// M7: (a follow-up session 1–`days` days after the initial contact, episodes whose window
/// ends in the period).
pub fn early_follow_up<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
    days: i64,
) -> (u32, u32) {
    let cohort = episodes.into_iter().filter_map(|e| {
        let start = initial_contact(e)?;
        period.window_ends_in(start, days).then_some((e, start))
    });
    count(
        cohort,
        |_| true,
        |(e, start)| {
            let end = *start + Duration::days(days);
            e.contacts.iter().any(|c| {
                c.kind.is_session()
                    && c.kind != ContactKind::InitialAssessment
                    && *start < c.contact_on
                    && c.contact_on <= end
            })
        },
    )
}

/// M8: (reviewed in weeks 8–12, episodes not responding by week 8 whose week 12 ends in the
/// period).
pub fn non_responder_consultation<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> (u32, u32) {
    let cohort = episodes.into_iter().filter_map(|e| {
        let start = initial_contact(e).or(e.enrolled_on)?;
        let week8 = start + Duration::days(WEEK_8_DAYS);
        if !period.window_ends_in(start, WEEK_12_DAYS) || e.closed_on.is_some_and(|c| c <= week8) {
            return None;
        }
        let b = baseline(e).filter(|b| b.on <= week8 && b.total > 0)?;
        let by_week8 = outcome_between(e, b, b.on, week8);
        (by_week8.response != Some(true)).then_some((e, start))
    });
    count(
        cohort,
        |_| true,
        |(e, start)| {
            let (from, to) = (
                *start + Duration::days(WEEK_8_DAYS),
                *start + Duration::days(WEEK_12_DAYS),
            );
            e.case_reviews.iter().any(|d| from <= *d && *d <= to)
        },
    )
}

/// M9: (reviewed in the period, enrolled episodes open in the period).
pub fn caseload_reviewed<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> (u32, u32) {
    count(
        episodes,
        |e| e.open_during(period),
        |e| e.case_reviews.iter().any(|d| period.contains(*d)),
    )
}

/// M10: (first session by the period's end, referred in the period) and the median days.
pub fn time_to_first_contact<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> (u32, u32, Option<f64>) {
    let mut days = Vec::new();
    let (n, d) = count(
        episodes,
        |e| period.contains(e.referred_on),
        |e| {
            let first = e
                .session_dates()
                .into_iter()
                .find(|d| *d >= e.referred_on && *d <= period.to());
            if let Some(first) = first {
                days.push((first - e.referred_on).whole_days());
            }
            first.is_some()
        },
    );
    (n, d, median(days))
}

/// M12: (open episodes on the period's last day, FTE percent of the care managers in scope).
pub fn caseload_per_fte<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    care_managers: impl IntoIterator<Item = &'a CareManagerFte>,
    period: Period,
) -> (u32, u32) {
    let open = episodes
        .into_iter()
        .filter(|e| e.open_on(period.to()))
        .count() as u32;
    let fte = care_managers
        .into_iter()
        .map(|c| u32::from(c.fte_percent))
        .sum();
    (open, fte)
}

/// M12: (with a session in the period, enrolled episodes open in the period).
pub fn caseload_contacted<'a>(
    episodes: impl IntoIterator<Item = &'a EpisodeRecord>,
    period: Period,
) -> (u32, u32) {
    count(
        episodes,
        |e| e.open_during(period),
        |e| e.session_dates().into_iter().any(|d| period.contains(d)),
    )
}
