//! Properties of the engine over random histories and rule settings.

use crate::billing::engine::MonthBilling;
use crate::billing::input::{
    Activity, ActivityRole, ConsentPeriod, History, HistoryParts, PractitionerKind,
};
use crate::billing::settings::{DateOfService, FloorMinutes, InitialMonthRule, RuleSettings};
use crate::billing::{
    BillingCode, CY2025_NATIONAL_NON_FACILITY, CareSetting, evaluate, expected_payment,
};
use crate::calendar::YearMonth;
use crate::contact::{Minutes, MinutesExclusion};
use crate::episode::Program;
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;
use time::macros::date;
use time::{Date, Duration};

use BillingCode::*;

const START: Date = date!(2024 - 06 - 01);
const DAYS: i64 = 940;

fn day(offset: i64) -> Date {
    START + Duration::days(offset)
}

/// Every month from before the first possible activity to after the last.
fn all_months() -> Vec<YearMonth> {
    let mut m = YearMonth::of(START).prev();
    let last = YearMonth::of(day(DAYS)).next();
    let mut out = vec![];
    while m <= last {
        out.push(m);
        m = m.next();
    }
    out
}

fn floor(range: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = FloorMinutes> {
    range.prop_map(|m| FloorMinutes::new(m).unwrap_or(FloorMinutes::new(1).unwrap()))
}

fn rules() -> impl Strategy<Value = RuleSettings> {
    (
        (
            floor(1..=40),
            0u32..=5,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            floor(1..=30),
            floor(55..=75),
            any::<bool>(),
            any::<bool>(),
            floor(1..=10),
        ),
    )
        .prop_map(
            |(
                (g2214, cap, consultant, until, threshold),
                (f99484, g0512, g0511, apcm, apcm_floor),
            )| {
                RuleSettings {
                    g2214_floor_minutes: g2214,
                    max_99494_units: cap,
                    count_psychiatric_consultant_time: consultant,
                    initial_month: if until {
                        InitialMonthRule::Until99492
                    } else {
                        InitialMonthRule::FirstActivityMonth
                    },
                    date_of_service: if threshold {
                        DateOfService::ThresholdMet
                    } else {
                        DateOfService::LastDayOfMonth
                    },
                    floor_99484_minutes: f99484,
                    g0512_initial_floor_minutes: g0512,
                    rhc_fqhc_g0511_in_2025: g0511,
                    apcm_add_ons: apcm,
                    apcm_add_on_floor_minutes: apcm_floor,
                }
            },
        )
}

fn activity() -> impl Strategy<Value = Activity> {
    (
        0..DAYS,
        1u16..=120,
        select(ActivityRole::ALL.to_vec()),
        prop_oneof![4 => Just(Program::Cocm), 1 => Just(Program::GeneralBhi)],
        prop_oneof![
            6 => Just(None),
            1 => Just(Some(MinutesExclusion::SeparatelyBilled)),
            1 => Just(Some(MinutesExclusion::Inpatient)),
        ],
    )
        .prop_map(|(d, minutes, role, program, excluded)| Activity {
            date: day(d),
            minutes: Minutes::new(minutes).unwrap_or(Minutes::new(1).unwrap()),
            role,
            program,
            excluded,
        })
}

fn consent() -> impl Strategy<Value = ConsentPeriod> {
    (
        select(Program::ALL.to_vec()),
        -60..DAYS,
        prop::option::weighted(0.3, 1..DAYS),
    )
        .prop_map(|(program, d, revoked)| ConsentPeriod {
            program,
            date: day(d),
            revoked: revoked.map(|r| day(d + r)),
        })
}

fn history() -> impl Strategy<Value = History> {
    (
        select(CareSetting::ALL.to_vec()),
        prop_oneof![9 => Just(PractitionerKind::TreatingPractitioner), 1 => Just(PractitionerKind::BehavioralHealthClinician)],
        prop::collection::vec(-400..DAYS, 0..3),
        prop::collection::vec(consent(), 0..4),
        prop::collection::vec(activity(), 0..40),
        prop::collection::vec(0..32i32, 0..6),
    )
        .prop_map(|(setting, practitioner, visits, consents, activities, apcm)| {
            History::new(HistoryParts {
                setting,
                billing_practitioner: practitioner,
                initiating_visits: visits.into_iter().map(day).collect(),
                consents,
                activities,
                apcm_months: apcm
                    .into_iter()
                    .map(|k| {
                        let mut m = YearMonth::of(START);
                        for _ in 0..k {
                            m = m.next();
                        }
                        m
                    })
                    .collect(),
            })
        })
}

fn payment(b: &MonthBilling) -> u64 {
    expected_payment(&b.lines, &CY2025_NATIONAL_NON_FACILITY).cents
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn lines_are_well_formed(h in history(), r in rules()) {
        for b in evaluate(&h, &all_months(), &r) {
            for l in b.lines.iter() {
                prop_assert!(l.units >= 1, "{:?}", b);
            }
            if b.lines.contains(C99494) {
                prop_assert!(b.lines.contains(C99492) || b.lines.contains(C99493), "{:?}", b);
                prop_assert!(b.lines.len() == 2);
                prop_assert!(b.lines.units_of(C99494) <= r.max_99494_units);
            }
            prop_assert!(!(b.lines.contains(C99492) && b.lines.contains(C99493)), "{:?}", b);
            let add_on = [G0568, G0569, G0570].iter().any(|c| b.lines.contains(*c));
            let standalone = [C99492, C99493, C99494, G2214, C99484]
                .iter()
                .any(|c| b.lines.contains(*c));
            prop_assert!(!(add_on && standalone), "{:?}", b);
            if !b.lines.is_empty() {
                prop_assert!(b.holds.is_empty());
                prop_assert!(b.date_of_service.is_some_and(|d| b.month.contains(d)));
                prop_assert!(b.countable_minutes > 0);
            }
        }
    }

    #[test]
    fn the_initial_code_is_billed_at_most_once_per_episode(h in history(), r in rules()) {
        let mut per_episode: BTreeMap<YearMonth, u32> = BTreeMap::new();
        for b in evaluate(&h, &all_months(), &r) {
            if b.lines.contains(C99492) || b.lines.contains(G0568) {
                let episode = b.detail.episode.map(|e| e.start_month);
                prop_assert!(episode.is_some(), "{:?}", b);
                *per_episode.entry(episode.unwrap_or(b.month)).or_default() += 1;
            }
        }
        prop_assert!(per_episode.values().all(|n| *n <= 1), "{:?}", per_episode);
    }

    #[test]
    fn more_countable_minutes_never_lower_the_payment(
        h in history(),
        r in rules(),
        pick in any::<prop::sample::Index>(),
        more in 1u16..=90,
    ) {
        let mut parts = h.clone().into_parts();
        prop_assume!(!parts.activities.is_empty());
        let i = pick.index(parts.activities.len());
        let a = &mut parts.activities[i];
        a.minutes = Minutes::new((a.minutes.get() + more).min(Minutes::MAX)).unwrap_or(a.minutes);
        let month = YearMonth::of(a.date);
        let before = evaluate(&h, &[month], &r);
        let after = evaluate(&History::new(parts), &[month], &r);
        prop_assert!(after[0].countable_minutes >= before[0].countable_minutes);
        prop_assert!(
            payment(&after[0]) >= payment(&before[0]),
            "{:?}\n{:?}",
            before[0].lines,
            after[0].lines
        );
    }

    #[test]
    fn every_hold_and_every_unbilled_month_is_explained(h in history(), r in rules()) {
        for b in evaluate(&h, &all_months(), &r) {
            let text = b.explanation();
            for hold in b.holds.iter() {
                let reason = hold.to_string();
                prop_assert!(!reason.is_empty());
                prop_assert!(text.starts_with("Held: ") && text.contains(&reason), "{}", text);
            }
            if b.lines.is_empty() {
                let held = text.starts_with("Held: ");
                let short = text.starts_with("Not billable: ") && text.contains(" needs ");
                let quiet = b.program.is_none()
                    && text.starts_with("No CoCM or general BHI activity recorded in");
                prop_assert!(held || short || quiet, "{}", text);
            } else {
                prop_assert!(text.contains(" countable minute"), "{}", text);
                prop_assert!(text.contains("Date of service: "), "{}", text);
            }
        }
    }
}
