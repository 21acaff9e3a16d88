//! Billing engine throughput: patient-months per second over a deterministic synthetic
//! caseload. Run with `cargo bench -p stepwise-domain --bench billing`.

use std::hint::black_box;
use std::time::Instant;
use stepwise_domain::billing::{
    Activity, ActivityRole, CareSetting, ConsentPeriod, History, HistoryParts, PractitionerKind,
    RuleSettings, evaluate,
};
use stepwise_domain::calendar::YearMonth;
use stepwise_domain::contact::{Minutes, MinutesExclusion};
use stepwise_domain::episode::Program;
use time::{Date, Duration, Month};

const PATIENTS: usize = 20_000;
const MONTHS: i64 = 24;

/// xorshift64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn start() -> Date {
    Date::from_calendar_date(2025, Month::January, 1).unwrap_or(Date::MIN)
}

/// A patient with 1–3 episodes of monthly care-manager contacts, some general BHI, some
/// excluded or consultant time, one consent per program and an initiating visit.
fn patient(rng: &mut Rng) -> History {
    let setting = [
        CareSetting::PhysicianOffice,
        CareSetting::Rhc,
        CareSetting::Fqhc,
    ][rng.below(3) as usize];
    let mut activities = Vec::new();
    let mut day = rng.below(60) as i64;
    while day < MONTHS * 30 {
        for _ in 0..1 + rng.below(4) {
            let program = if rng.below(10) < 8 {
                Program::Cocm
            } else {
                Program::GeneralBhi
            };
            let role = match rng.below(10) {
                0 => ActivityRole::PsychiatricConsultant,
                1 => ActivityRole::ClinicalStaff,
                2 => ActivityRole::BillingPractitioner,
                _ => ActivityRole::CareManager,
            };
            let excluded = match rng.below(20) {
                0 => Some(MinutesExclusion::SeparatelyBilled),
                1 => Some(MinutesExclusion::Inpatient),
                _ => None,
            };
            let Some(minutes) = Minutes::new(5 + rng.below(40) as u16) else {
                continue;
            };
            activities.push(Activity {
                date: start() + Duration::days(day + rng.below(25) as i64),
                minutes,
                role,
                program,
                excluded,
            });
        }
        // Mostly monthly; sometimes a gap long enough to end the episode.
        day += if rng.below(12) == 0 { 210 } else { 30 };
    }
    History::new(HistoryParts {
        setting,
        billing_practitioner: PractitionerKind::TreatingPractitioner,
        initiating_visits: vec![start() - Duration::days(rng.below(300) as i64)],
        consents: vec![
            ConsentPeriod {
                program: Program::Cocm,
                date: start() + Duration::days(rng.below(20) as i64),
                revoked: None,
            },
            ConsentPeriod {
                program: Program::GeneralBhi,
                date: start(),
                revoked: None,
            },
        ],
        activities,
        apcm_months: if rng.below(5) == 0 {
            vec![YearMonth::new(2026, 3).unwrap_or(YearMonth::of(start()))]
        } else {
            vec![]
        },
    })
}

fn main() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let patients: Vec<History> = (0..PATIENTS).map(|_| patient(&mut rng)).collect();
    let first = YearMonth::of(start());
    let months: Vec<YearMonth> = (0..MONTHS)
        .scan(first, |m, _| {
            let this = *m;
            *m = m.next();
            Some(this)
        })
        .collect();
    let rules = RuleSettings::default();
    let patient_months = (patients.len() * months.len()) as f64;

    // Warm up, then time the engine alone: results with their explanation facts.
    let mut billed = 0usize;
    for h in &patients {
        billed += evaluate(h, &months, &rules).len();
    }
    black_box(billed);
    let rounds = 5;
    let mut best = f64::INFINITY;
    let mut lines = 0usize;
    for _ in 0..rounds {
        let t = Instant::now();
        for h in &patients {
            let out = evaluate(black_box(h), &months, &rules);
            lines += out.iter().map(|b| b.lines.len()).sum::<usize>();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    black_box(lines);
    println!(
        "engine: {} patients x {} months = {} patient-months in {:.1} ms (best of {rounds}): {:.0} patient-months/s",
        patients.len(),
        months.len(),
        patient_months,
        best * 1e3,
        patient_months / best
    );

    // The engine and the explanation text of every month (what `evaluate_json` adds).
    let t = Instant::now();
    let mut chars = 0usize;
    for h in &patients {
        for b in evaluate(h, &months, &rules) {
            chars += b.explanation().len();
        }
    }
    let with_text = t.elapsed().as_secs_f64();
    black_box(chars);
    println!(
        "engine + explanation text: {:.0} patient-months/s",
        patient_months / with_text
    );
}
