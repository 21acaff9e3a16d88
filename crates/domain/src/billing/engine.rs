//! The billing engine: a patient's history and a list of calendar months in, per month the
//! program, month type, countable minutes, claim lines, holds and the facts of an explanation.
//! Reference cocm-billing-registry.md §7 (pseudocode), §3 (time), §4 (same-month
//! combinations), §5 (RHC/FQHC dates); settings for its open points in [`super::settings`].

use super::codes::{BillingCode, CareSetting, is_available};
use super::input::{Activity, History, PractitionerKind};
use super::month::{
    Counting, Episode, EpisodeTracker, MinuteBreakdown, Position, initiating_visit,
};
use super::settings::{DateOfService, RuleSettings, SettingName, SettingsUsed};
use super::thresholds::{
    MonthType, add_on_unit_at, add_on_units, base_unit_minutes, cocm_base, floor_minutes,
};
use crate::calendar::YearMonth;
use crate::episode::Program;
use serde::{Serialize, Serializer};
use std::ops::Deref;
use time::Date;

use BillingCode::*;

/// One claim line: a code and its units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClaimLine {
    pub code: BillingCode,
    pub units: u32,
}

/// A month's claim lines: at most a base code and its add-on (reference §3.3), kept inline so
/// that evaluating a month allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimLines {
    len: u8,
    items: [ClaimLine; 2],
}

impl ClaimLines {
    const UNUSED: ClaimLine = ClaimLine {
        code: C99492,
        units: 0,
    };

    pub const NONE: ClaimLines = ClaimLines {
        len: 0,
        items: [Self::UNUSED; 2],
    };

    fn one(code: BillingCode) -> Self {
        let mut l = Self::NONE;
        l.push(code, 1);
        l
    }

    fn push(&mut self, code: BillingCode, units: u32) {
        if let Some(slot) = self.items.get_mut(self.len as usize) {
            *slot = ClaimLine { code, units };
            self.len += 1;
        }
    }

    pub fn contains(&self, code: BillingCode) -> bool {
        self.iter().any(|l| l.code == code)
    }

    pub fn units_of(&self, code: BillingCode) -> u32 {
        self.iter()
            .filter(|l| l.code == code)
            .map(|l| l.units)
            .sum()
    }
}

impl Default for ClaimLines {
    fn default() -> Self {
        Self::NONE
    }
}

impl Deref for ClaimLines {
    type Target = [ClaimLine];
    fn deref(&self) -> &[ClaimLine] {
        &self.items[..self.len as usize]
    }
}

impl Serialize for ClaimLines {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// Why a month's lines are held back (reference §7 step 2; summary rule 9 [S8][S31]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// No consent to the program was in force on any day of the month's activity
    /// (§2.5 [S31]; consent is per program [S30]).
    NoConsent {
        program: Program,
        /// A consent dated after the activity, if one exists.
        next_consent: Option<Date>,
        /// The revocation that the activity came after, if any.
        revoked_on: Option<Date>,
    },
    /// No qualifying visit by the billing practitioner in the year before the episode began
    /// (§2.5 [S8]).
    NoInitiatingVisit {
        program: Program,
        episode_start: Date,
        /// The recorded visit closest to the required window, if any.
        nearest_visit: Option<Date>,
    },
}

impl Hold {
    /// The stable code of the hold in the JSON interface.
    pub fn code(&self) -> &'static str {
        match self {
            Hold::NoConsent { .. } => "no_consent",
            Hold::NoInitiatingVisit { .. } => "no_initiating_visit",
        }
    }
}

/// A month's holds (at most one of each kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holds([Option<Hold>; 2]);

impl Holds {
    pub fn iter(&self) -> impl Iterator<Item = &Hold> {
        self.0.iter().flatten()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }
}

/// Which family of codes applied to the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePath {
    /// No CoCM or general BHI activity in the month.
    NoActivity,
    /// 99492/99493 with 99494, or G2214 (§3.3).
    Cocm,
    /// RHC/FQHC CoCM until 31 December 2025 (§5).
    G0512,
    /// An APCM behavioral-health add-on in an APCM month (§1, §4).
    ApcmAddOn(BillingCode),
    /// General BHI: 99484, G0511 (RHC/FQHC until 30 September 2025) or G0323.
    Bhi(BillingCode),
    /// No code applies; the reason is the explanation.
    Unavailable(Unavailable),
}

/// Why no code applies to a month with activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// CoCM is billed by a physician or NPP, not by a behavioral health clinician (§1, §2.4).
    CocmNeedsTreatingPractitioner,
    /// No code of the program exists for this setting and month (before 2018, or G0323 before 2023).
    NoCodeForDate,
}

/// How an APCM month affected the month's codes (reference §1, §4, examples 26–27).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApcmNote {
    /// Not an APCM month (or no activity to bill).
    None,
    /// The add-on replaced the standalone code.
    AddOn,
    /// The practice does not bill the add-ons (setting), so the standalone code applies.
    Declined,
    /// Before January 2026 there are no add-ons.
    BeforeAddOns,
    /// The billing practitioner is a behavioral health clinician, who does not bill APCM.
    NotForClinician,
}

/// What the next minutes would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// `more` minutes would bill `code`.
    Bill { more: u32, code: BillingCode },
    /// `more` minutes would bill `code` instead of `instead_of`.
    Replace {
        more: u32,
        code: BillingCode,
        instead_of: BillingCode,
    },
    /// `more` minutes would add one unit of 99494.
    AddUnit { more: u32 },
    /// The month's 99494 units are at the payer's cap.
    CapReached { cap: u32 },
}

/// The code a month did not reach, and its floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub code: BillingCode,
    pub floor: u32,
}

/// The facts behind a month's result, from which its explanation is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDetail {
    pub setting: CareSetting,
    pub path: CodePath,
    /// The billed program's minutes.
    pub minutes: MinuteBreakdown,
    /// What the minutes support, before holds.
    pub supported: ClaimLines,
    pub shortfall: Option<Shortfall>,
    /// 99494 units the minutes support before the payer cap.
    pub uncapped_add_on_units: u32,
    pub next: Option<NextStep>,
    /// CoCM months: where the month falls relative to earlier episodes.
    pub position: Option<Position>,
    /// CoCM months with services: the episode the month belongs to, as of this month.
    pub episode: Option<Episode>,
    /// General BHI minutes recorded in a CoCM month, which are not billed (§4 [S8][S6]).
    pub shadowed_bhi_minutes: u32,
    pub apcm: ApcmNote,
    /// The open CoCM episode after this month, for the months without activity that follow.
    pub open_cocm_episode: Option<Episode>,
    pub rules: RuleSettings,
    pub used: SettingsUsed,
}

/// The engine's result for one patient-month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthBilling {
    pub month: YearMonth,
    pub program: Option<Program>,
    /// CoCM months only: general BHI has no initial or subsequent month.
    pub month_type: Option<MonthType>,
    pub countable_minutes: u32,
    /// What to bill: empty when nothing is billable or the month is held.
    pub lines: ClaimLines,
    pub holds: Holds,
    /// The date of service of the lines (setting `date_of_service`); `None` without lines.
    pub date_of_service: Option<Date>,
    pub detail: MonthDetail,
}

/// Evaluate `months` (any order, repeats allowed) of one patient's history. Months before,
/// between and after the history's activity are answered too ("no activity").
pub fn evaluate(
    history: &History,
    months: &[YearMonth],
    rules: &RuleSettings,
) -> Vec<MonthBilling> {
    let Some(until) = months.iter().max().copied() else {
        return Vec::new();
    };
    let mut timeline: Vec<MonthBilling> = Vec::new();
    walk(history, rules, until, |b| timeline.push(b));
    months
        .iter()
        .map(|&m| match timeline.binary_search_by_key(&m, |b| b.month) {
            Ok(i) => timeline[i],
            Err(i) => quiet_month(
                m,
                i.checked_sub(1).and_then(|j| timeline.get(j)),
                history,
                rules,
            ),
        })
        .collect()
}

/// Evaluate every month with activity, oldest first.
pub fn evaluate_all(history: &History, rules: &RuleSettings) -> Vec<MonthBilling> {
    let mut out = Vec::new();
    if let Some(last) = history.activities().last() {
        walk(history, rules, YearMonth::of(last.date), |b| out.push(b));
    }
    out
}

/// Evaluate one month (what the store calls at month close).
pub fn bill_month(history: &History, month: YearMonth, rules: &RuleSettings) -> MonthBilling {
    let mut last: Option<MonthBilling> = None;
    walk(history, rules, month, |b| last = Some(b));
    match last {
        Some(b) if b.month == month => b,
        before => quiet_month(month, before.as_ref(), history, rules),
    }
}

/// Walk the months with activity up to `until`, carrying each program's episode.
fn walk(
    history: &History,
    rules: &RuleSettings,
    until: YearMonth,
    mut emit: impl FnMut(MonthBilling),
) {
    let acts = history.activities();
    let mut trackers = Trackers::default();
    let mut i = 0;
    while let Some(first) = acts.get(i) {
        let month = YearMonth::of(first.date);
        if month > until {
            break;
        }
        // At least `first` itself, so the walk always advances (even in December 9999).
        let len = acts[i..]
            .iter()
            .take_while(|a| YearMonth::of(a.date) == month)
            .count();
        emit(bill_activity_month(
            history,
            rules,
            month,
            &acts[i..i + len],
            &mut trackers,
        ));
        i += len;
    }
}

#[derive(Default)]
struct Trackers {
    cocm: EpisodeTracker,
    bhi: EpisodeTracker,
}

fn bill_activity_month(
    history: &History,
    rules: &RuleSettings,
    month: YearMonth,
    acts: &[Activity],
    trackers: &mut Trackers,
) -> MonthBilling {
    let counting = |program| Counting {
        program,
        practitioner: history.billing_practitioner(),
        rules,
        consents: history.consents(),
    };
    let cocm = counting(Program::Cocm).breakdown(acts);
    let bhi = counting(Program::GeneralBhi).breakdown(acts);
    // CoCM and general BHI are never billed in the same month (§4 [S8][S6]); a month with
    // CoCM activity is a CoCM month (example 19).
    let (program, minutes, tracker) = if cocm.activities > 0 {
        (Program::Cocm, cocm, trackers.cocm)
    } else {
        (Program::GeneralBhi, bhi, trackers.bhi)
    };
    let position = tracker.position(month);
    let month_type = position.month_type(rules);
    let mut used = SettingsUsed::default();
    if program == Program::Cocm && position.initial_month_rule_matters() {
        used.add(SettingName::InitialMonth);
    }
    if minutes.psychiatric_consultant_time {
        used.add(SettingName::CountPsychiatricConsultantTime);
    }

    let (path, apcm) = choose_path(history, rules, program, month, month_type, &mut used);
    let codes = codes_for(
        path,
        history.setting(),
        month,
        month_type,
        minutes.countable,
        rules,
        &mut used,
    );

    let mut holds = Holds::default();
    if !minutes.consent_in_force {
        holds.0[0] = Some(Hold::NoConsent {
            program,
            next_consent: minutes.next_consent,
            revoked_on: minutes.revoked_on,
        });
        // No minute counts without consent, so the minute floors and the cap decided nothing.
        for name in [
            SettingName::G2214FloorMinutes,
            SettingName::Floor99484Minutes,
            SettingName::G0512InitialFloorMinutes,
            SettingName::ApcmAddOnFloorMinutes,
            SettingName::Max99494Units,
        ] {
            used.remove(name);
        }
    }
    let episode_start = match position {
        Position::Continuing(e) => e.start_date,
        Position::New { .. } => minutes
            .first_countable
            .or(minutes.first_activity)
            .unwrap_or(month.first_day()),
    };
    if let Err(nearest_visit) = initiating_visit(history.initiating_visits(), episode_start) {
        holds.0[1] = Some(Hold::NoInitiatingVisit {
            program,
            episode_start,
            nearest_visit,
        });
    }
    let lines = if holds.is_empty() {
        codes.lines
    } else {
        ClaimLines::NONE
    };
    let date_of_service = (!lines.is_empty()).then(|| {
        used.add(SettingName::DateOfServiceRule);
        match rules.date_of_service {
            DateOfService::LastDayOfMonth => month.last_day(),
            DateOfService::ThresholdMet => counting(program)
                .day_reaching(acts, codes.required)
                .unwrap_or(month.last_day()),
        }
    });

    // Carry both programs' episodes forward on their own countable time.
    let initial_code_billed = program == Program::Cocm
        && month_type == MonthType::Initial
        && [C99492, G0568, G0512]
            .iter()
            .any(|c| codes.lines.contains(*c));
    if let Some(day) = cocm.first_countable {
        trackers.cocm.record(month, day, initial_code_billed);
    }
    if let Some(day) = bhi.first_countable {
        trackers.bhi.record(month, day, false);
    }
    let is_cocm = program == Program::Cocm;
    MonthBilling {
        month,
        program: Some(program),
        month_type: is_cocm.then_some(month_type),
        countable_minutes: minutes.countable,
        lines,
        holds,
        date_of_service,
        detail: MonthDetail {
            setting: history.setting(),
            path,
            minutes,
            supported: codes.lines,
            shortfall: codes.shortfall,
            uncapped_add_on_units: codes.uncapped_units,
            next: codes.next,
            position: is_cocm.then_some(position),
            episode: if is_cocm && cocm.countable > 0 {
                trackers.cocm.current()
            } else {
                None
            },
            shadowed_bhi_minutes: if is_cocm { bhi.recorded } else { 0 },
            apcm,
            open_cocm_episode: trackers.cocm.current(),
            rules: *rules,
            used,
        },
    }
}

/// The code family of the month (§7 steps 4–7).
fn choose_path(
    history: &History,
    rules: &RuleSettings,
    program: Program,
    month: YearMonth,
    month_type: MonthType,
    used: &mut SettingsUsed,
) -> (CodePath, ApcmNote) {
    let setting = history.setting();
    let clinician = history.billing_practitioner() == PractitionerKind::BehavioralHealthClinician;
    if program == Program::Cocm && clinician {
        return (
            CodePath::Unavailable(Unavailable::CocmNeedsTreatingPractitioner),
            ApcmNote::None,
        );
    }
    // APCM add-ons: only with an APCM base code billed by the same practitioner in the same
    // month, and then instead of the standalone codes, never with them (§4 [S16][S19][S19a]).
    let add_on = match (program, history.is_apcm_month(month)) {
        (_, false) => None,
        (Program::Cocm, true) if month_type == MonthType::Initial => Some(G0568),
        (Program::Cocm, true) => Some(G0569),
        (Program::GeneralBhi, true) => Some(G0570),
    };
    let apcm = match add_on {
        None => ApcmNote::None,
        Some(_) if clinician => ApcmNote::NotForClinician,
        Some(code) if !is_available(code, setting, month) => ApcmNote::BeforeAddOns,
        Some(code) => {
            used.add(SettingName::ApcmAddOns);
            if rules.apcm_add_ons {
                return (CodePath::ApcmAddOn(code), ApcmNote::AddOn);
            }
            ApcmNote::Declined
        }
    };
    let path = match program {
        // The CPT codes where they exist for the setting and month, else RHC/FQHC G0512 (§5).
        Program::Cocm if is_available(C99493, setting, month) => CodePath::Cocm,
        Program::Cocm if is_available(G0512, setting, month) => CodePath::G0512,
        Program::Cocm => CodePath::Unavailable(Unavailable::NoCodeForDate),
        Program::GeneralBhi => {
            let candidates: &[BillingCode] = if clinician {
                &[G0323]
            } else if rules.rhc_fqhc_g0511_in_2025 {
                &[G0511, C99484]
            } else {
                &[C99484, G0511]
            };
            let mut available = candidates
                .iter()
                .copied()
                .filter(|c| is_available(*c, setting, month));
            match (available.next(), available.next()) {
                (Some(code), other) => {
                    if other.is_some() {
                        // Both G0511 and 99484: January–September 2025 at an RHC/FQHC (§5 [S12][S13]).
                        used.add(SettingName::RhcFqhcG0511In2025);
                    }
                    CodePath::Bhi(code)
                }
                (None, _) => CodePath::Unavailable(Unavailable::NoCodeForDate),
            }
        }
    };
    (path, apcm)
}

struct Codes {
    lines: ClaimLines,
    shortfall: Option<Shortfall>,
    uncapped_units: u32,
    next: Option<NextStep>,
    /// The countable minutes the lines need (for the "threshold met" date of service).
    required: u32,
}

impl Codes {
    fn nothing() -> Self {
        Codes {
            lines: ClaimLines::NONE,
            shortfall: None,
            uncapped_units: 0,
            next: None,
            required: 0,
        }
    }
}

/// The lines that `minutes` countable minutes support on `path` (§3.3, §7 step 5).
fn codes_for(
    path: CodePath,
    setting: CareSetting,
    month: YearMonth,
    month_type: MonthType,
    minutes: u32,
    rules: &RuleSettings,
    used: &mut SettingsUsed,
) -> Codes {
    let floor_of = |code: BillingCode, used: &mut SettingsUsed| {
        let (floor, setting) = floor_minutes(code, month_type, rules).unwrap_or((u32::MAX, None));
        if let Some(s) = setting {
            used.add(s);
        }
        floor
    };
    match path {
        CodePath::NoActivity | CodePath::Unavailable(_) => Codes::nothing(),
        CodePath::G0512 => single(G0512, floor_of(G0512, used), minutes),
        CodePath::ApcmAddOn(code) | CodePath::Bhi(code) => {
            single(code, floor_of(code, used), minutes)
        }
        CodePath::Cocm => {
            let base = cocm_base(month_type);
            let base_floor = floor_of(base, used);
            let g2214 = is_available(G2214, setting, month);
            let g2214_floor = if g2214 && minutes < base_floor {
                floor_of(G2214, used)
            } else {
                u32::MAX
            };
            if minutes >= base_floor {
                let unit = base_unit_minutes(base);
                let uncapped = add_on_units(unit, minutes);
                let cap = rules.max_99494_units;
                let units = uncapped.min(cap);
                if uncapped >= cap {
                    used.add(SettingName::Max99494Units);
                }
                let mut lines = ClaimLines::one(base);
                if units > 0 {
                    lines.push(C99494, units);
                }
                let next = if uncapped >= cap {
                    NextStep::CapReached { cap }
                } else {
                    NextStep::AddUnit {
                        more: add_on_unit_at(unit, uncapped + 1) - minutes,
                    }
                };
                Codes {
                    lines,
                    shortfall: None,
                    uncapped_units: uncapped,
                    next: Some(next),
                    required: if units > 0 {
                        add_on_unit_at(unit, units)
                    } else {
                        base_floor
                    },
                }
            } else if minutes >= g2214_floor && minutes > 0 {
                // G2214 only when 99492/99493 are not met (§4 [S6]).
                Codes {
                    lines: ClaimLines::one(G2214),
                    shortfall: None,
                    uncapped_units: 0,
                    next: Some(NextStep::Replace {
                        more: base_floor - minutes,
                        code: base,
                        instead_of: G2214,
                    }),
                    required: g2214_floor,
                }
            } else {
                let (code, floor) = if g2214_floor < base_floor {
                    (G2214, g2214_floor)
                } else {
                    (base, base_floor)
                };
                Codes {
                    shortfall: Some(Shortfall { code, floor }),
                    next: Some(NextStep::Bill {
                        more: floor - minutes,
                        code,
                    }),
                    ..Codes::nothing()
                }
            }
        }
    }
}

fn single(code: BillingCode, floor: u32, minutes: u32) -> Codes {
    if minutes >= floor && minutes > 0 {
        Codes {
            lines: ClaimLines::one(code),
            required: floor,
            ..Codes::nothing()
        }
    } else {
        Codes {
            shortfall: Some(Shortfall { code, floor }),
            next: Some(NextStep::Bill {
                more: floor.saturating_sub(minutes),
                code,
            }),
            ..Codes::nothing()
        }
    }
}

/// A month without activity: nothing to bill; the explanation says whether an open CoCM
/// episode continues if services resume.
fn quiet_month(
    month: YearMonth,
    before: Option<&MonthBilling>,
    history: &History,
    rules: &RuleSettings,
) -> MonthBilling {
    let open = before
        .and_then(|b| b.detail.open_cocm_episode)
        .filter(|e| month <= e.open_through());
    MonthBilling {
        month,
        program: None,
        month_type: None,
        countable_minutes: 0,
        lines: ClaimLines::NONE,
        holds: Holds::default(),
        date_of_service: None,
        detail: MonthDetail {
            setting: history.setting(),
            path: CodePath::NoActivity,
            minutes: MinuteBreakdown::default(),
            supported: ClaimLines::NONE,
            shortfall: None,
            uncapped_add_on_units: 0,
            next: None,
            position: None,
            episode: None,
            shadowed_bhi_minutes: 0,
            apcm: ApcmNote::None,
            open_cocm_episode: open,
            rules: *rules,
            used: SettingsUsed::default(),
        },
    }
}
