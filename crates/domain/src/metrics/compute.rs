//! Computing the catalogue over the input for a period and a filter.

use super::catalogue::MetricCode;
use super::input::{
    EpisodeRecord, GroupBy, MetricsFilter, MetricsInput, PatientRecord, Period, group_key, groups,
    sort_key,
};
use super::result::MetricResult;
use super::{outcomes, process, referrals, screening};
use crate::referral::{Referral, ReferralState};

/// One metric over the patients the filter selects.
pub fn compute(
    code: MetricCode,
    input: &MetricsInput,
    period: Period,
    filter: &MetricsFilter,
) -> MetricResult {
    let selected: Vec<&PatientRecord> = input
        .patients
        .iter()
        .filter(|p| filter.matches(&p.assignments))
        .collect();
    compute_over(code, &selected, input, period, filter)
}

/// One metric over `selected`: the patients `filter` selects from `input` (the filter still
/// decides which care managers' working time counts).
fn compute_over(
    code: MetricCode,
    selected: &[&PatientRecord],
    input: &MetricsInput,
    period: Period,
    filter: &MetricsFilter,
) -> MetricResult {
    use MetricCode::*;
    let patients = || selected.iter().copied();
    let episodes = || patients().flat_map(|p: &PatientRecord| p.episodes.iter());
    let referral_list = || patients().flat_map(|p: &PatientRecord| p.referrals.iter());
    let percent = |(n, d): (u32, u32)| MetricResult::percent(code, period, n, d);
    let reached = |state: ReferralState| {
        percent(referrals::reached(
            referral_list().collect::<Vec<&Referral>>(),
            period,
            state,
        ))
    };
    match code {
        DepressionScreening => percent(screening::depression_screening(patients(), period)),
        ScreeningFollowUp => percent(screening::screening_follow_up(patients(), period)),
        Phq9Utilization => percent(screening::phq9_utilization(patients(), period)),
        Phq9FollowUp => percent(outcomes::phq9_follow_up(episodes(), period)),
        Response => percent(outcomes::response(episodes(), period)),
        Remission => percent(outcomes::remission(episodes(), period)),
        ClinicallySignificantImprovement => percent(outcomes::clinically_significant_improvement(
            episodes(),
            period,
        )),
        EarlyFollowUp4Weeks => percent(process::early_follow_up(episodes(), period, 28)),
        EarlyFollowUp2Weeks => percent(process::early_follow_up(episodes(), period, 14)),
        NonResponderConsultation => {
            percent(process::non_responder_consultation(episodes(), period))
        }
        CaseloadReviewed => percent(process::caseload_reviewed(episodes(), period)),
        TimeToFirstContact => {
            let (numerator, denominator, value) =
                process::time_to_first_contact(episodes(), period);
            MetricResult {
                code,
                period,
                numerator,
                denominator,
                value,
                unit: code.definition().unit,
            }
        }
        ReferralScheduled => reached(ReferralState::Scheduled),
        ReferralAttended => reached(ReferralState::Attended),
        ReferralLoopClosed => reached(ReferralState::Closed),
        CaseloadPerFte => {
            let (open, fte) = process::caseload_per_fte(
                episodes().collect::<Vec<&EpisodeRecord>>(),
                input
                    .care_managers
                    .iter()
                    .filter(|c| filter.matches_care_manager(c)),
                period,
            );
            MetricResult {
                code,
                period,
                numerator: open,
                denominator: fte,
                value: (fte > 0).then(|| f64::from(open) * 100.0 / f64::from(fte)),
                unit: code.definition().unit,
            }
        }
        CaseloadContacted => percent(process::caseload_contacted(episodes(), period)),
    }
}

/// Every metric of the catalogue, in catalogue order.
pub fn compute_all(
    input: &MetricsInput,
    period: Period,
    filter: &MetricsFilter,
) -> Vec<MetricResult> {
    let selected: Vec<&PatientRecord> = input
        .patients
        .iter()
        .filter(|p| filter.matches(&p.assignments))
        .collect();
    all_over(&selected, input, period, filter)
}

fn all_over(
    selected: &[&PatientRecord],
    input: &MetricsInput,
    period: Period,
    filter: &MetricsFilter,
) -> Vec<MetricResult> {
    MetricCode::ALL
        .iter()
        .map(|c| compute_over(*c, selected, input, period, filter))
        .collect()
}

/// Every metric of the catalogue for each group of `by` (the groups of [`groups`], in the same
/// order), with the same results as [`compute_all`] for each group's filter. The patients are
/// sorted into their groups in one pass instead of one pass over the whole practice per group.
pub fn compute_grouped(
    input: &MetricsInput,
    period: Period,
    by: GroupBy,
) -> Vec<(MetricsFilter, Vec<MetricResult>)> {
    let filters = groups(input, by);
    let mut members: Vec<Vec<&PatientRecord>> = vec![Vec::new(); filters.len()];
    for p in &input.patients {
        if let Some(key) = group_key(&p.assignments, by)
            && let Ok(i) = filters.binary_search_by_key(&sort_key(&key), sort_key)
        {
            members[i].push(p);
        }
    }
    filters
        .into_iter()
        .zip(members)
        .map(|(f, selected)| {
            let results = all_over(&selected, input, period, &f);
            (f, results)
        })
        .collect()
}
