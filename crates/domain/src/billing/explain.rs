//! Explanations a biller can act on, for every patient-month, billable or not. The engine
//! keeps the facts ([`MonthDetail`]); the text is written only when someone reads it.
//!
//! An explanation reads, in order: the holds ("Held: …"); the result ("75 countable minutes
//! in the first month of this CoCM episode (January 2026): 99492." or "Not billable: …; G2214
//! needs 16."); what the code family is, when that needs saying (RHC/FQHC dates, APCM); what
//! more minutes would change; the episode (new after six empty months, or not); the minutes
//! not counted and why; general BHI not billed beside CoCM; the date of service; and the
//! settings that decided the result.

use super::codes::BillingCode;
use super::engine::{ApcmNote, CodePath, Hold, MonthBilling, NextStep, Unavailable};
use super::input::ActivityRole;
use super::month::Position;
use super::settings::UsedSettings;
use super::thresholds::MonthType;
use crate::calendar::{YearMonth, add_months};
use crate::episode::Program;
use std::fmt::{self, Display, Formatter};

use BillingCode::*;

impl MonthBilling {
    /// The month's explanation as text.
    pub fn explanation(&self) -> String {
        // Writing into a String cannot fail; the capacity fits most explanations.
        let mut text = String::with_capacity(512);
        let _ = fmt::Write::write_fmt(&mut text, format_args!("{}", Explanation(self)));
        text
    }
}

/// Writes a month's explanation (see the module documentation for its parts).
pub struct Explanation<'a>(pub &'a MonthBilling);

/// "January 2026", without allocating.
struct Long(YearMonth);

impl Display for Long {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let month = time::Month::try_from(self.0.month()).unwrap_or(time::Month::January);
        write!(f, "{month} {}", self.0.year())
    }
}

/// "1 minute", "14 minutes".
struct Mins(u32);

impl Display for Mins {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 minute"),
            n => write!(f, "{n} minutes"),
        }
    }
}

/// "1 more minute", "11 more minutes".
struct More(u32);

impl Display for More {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 more minute"),
            n => write!(f, "{n} more minutes"),
        }
    }
}

fn program_name(p: Program) -> &'static str {
    match p {
        Program::Cocm => "CoCM",
        Program::GeneralBhi => "general BHI",
    }
}

/// "99492 + 99494 ×2".
struct Lines<'a>(&'a [super::engine::ClaimLine]);

impl Display for Lines<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, l) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" + ")?;
            }
            if l.code == C99494 {
                write!(f, "{} ×{}", l.code, l.units)?;
            } else {
                write!(f, "{}", l.code)?;
            }
        }
        Ok(())
    }
}

impl Display for Hold {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match *self {
            Hold::NoConsent {
                program,
                revoked_on: Some(r),
                next_consent,
            } => {
                write!(
                    f,
                    "the {} consent was revoked on {r}, before this month's activity",
                    program_name(program)
                )?;
                match next_consent {
                    Some(n) => write!(f, " (the next consent is dated {n})"),
                    None => Ok(()),
                }
            }
            Hold::NoConsent {
                program,
                next_consent: Some(n),
                revoked_on: None,
            } => write!(
                f,
                "no {} consent in force: the consent is dated {n}, after this month's activity",
                program_name(program)
            ),
            Hold::NoConsent { program, .. } => {
                write!(f, "no {} consent documented", program_name(program))
            }
            Hold::NoInitiatingVisit {
                program,
                episode_start,
                nearest_visit,
            } => {
                write!(
                    f,
                    "no initiating visit: the billing practitioner has no qualifying visit \
                     (AWV, IPPE, TCM or other E/M) from {} to {episode_start}, the year before \
                     this {} episode began",
                    add_months(episode_start, -12),
                    program_name(program)
                )?;
                match nearest_visit {
                    Some(v) if v > episode_start => {
                        write!(f, " (the visit on {v} came after it began)")
                    }
                    Some(v) => write!(f, " (the last visit, on {v}, is more than a year earlier)"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Display for Explanation<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let b = self.0;
        let Some(program) = b.program else {
            return quiet(b, f);
        };
        let d = &b.detail;
        let held = !b.holds.is_empty();
        if held {
            f.write_str("Held: ")?;
            for (i, h) in b.holds.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{h}")?;
            }
            f.write_str(". ")?;
        }
        let no_consent = b.holds.iter().any(|h| matches!(h, Hold::NoConsent { .. }));
        if no_consent && !matches!(d.path, CodePath::Unavailable(_)) {
            // More minutes would not help: time counts only while a consent is in force.
            write!(
                f,
                "None of the {} of {} activity in {} count: time counts only on days a \
                 consent to the program is in force.",
                Mins(d.minutes.recorded),
                program_name(program),
                Long(b.month)
            )?;
        } else {
            result(b, program, held, f)?;
        }
        path_note(b, f)?;
        if !no_consent && !matches!(d.path, CodePath::Unavailable(_)) {
            next_step(b, f)?;
        }
        episode_note(b, f)?;
        not_counted(b, program, f)?;
        if d.shadowed_bhi_minutes > 0 {
            write!(
                f,
                " {} of general BHI activity are not billed: 99484 cannot be billed in the same \
                 month as CoCM, so only CoCM is billed.",
                Mins(d.shadowed_bhi_minutes)
            )?;
        }
        if let Some(dos) = b.date_of_service {
            write!(f, " Date of service: {dos}.")?;
        }
        if !d.used.is_empty() {
            write!(
                f,
                " Settings used: {}.",
                UsedSettings {
                    settings: &d.rules,
                    used: d.used
                }
            )?;
        }
        Ok(())
    }
}

fn quiet(b: &MonthBilling, f: &mut Formatter<'_>) -> fmt::Result {
    write!(
        f,
        "No CoCM or general BHI activity recorded in {}: nothing to bill.",
        Long(b.month)
    )?;
    if let Some(e) = b.detail.open_cocm_episode {
        write!(
            f,
            " The CoCM episode that began in {} continues if services resume by {}.",
            Long(e.start_month),
            Long(e.open_through())
        )?;
    }
    Ok(())
}

/// "75 countable minutes in the first month of this CoCM episode (January 2026)".
fn situation(b: &MonthBilling, program: Program, f: &mut Formatter<'_>) -> fmt::Result {
    let n = b.countable_minutes;
    write!(f, "{n} countable minute{}", if n == 1 { "" } else { "s" })?;
    match (program, b.detail.position, b.month_type) {
        (Program::GeneralBhi, _, _) | (_, None, _) | (_, _, None) => {
            write!(f, " of {} in {}", program_name(program), Long(b.month))
        }
        (_, Some(Position::New { .. }), _) => {
            write!(
                f,
                " in the first month of this CoCM episode ({})",
                Long(b.month)
            )
        }
        (_, Some(Position::Continuing(e)), Some(MonthType::Initial)) => write!(
            f,
            " in {}, treated as the initial month of the CoCM episode that began in {}",
            Long(b.month),
            Long(e.start_month)
        ),
        (_, Some(Position::Continuing(e)), Some(MonthType::Subsequent)) => write!(
            f,
            " in {}, a subsequent month of the CoCM episode that began in {}",
            Long(b.month),
            Long(e.start_month)
        ),
    }
}

fn result(b: &MonthBilling, program: Program, held: bool, f: &mut Formatter<'_>) -> fmt::Result {
    let d = &b.detail;
    match (d.path, d.shortfall) {
        (CodePath::Unavailable(Unavailable::CocmNeedsTreatingPractitioner), _) => f.write_str(
            "Not billable: CoCM needs a treating practitioner (physician or NPP) as the billing \
             practitioner; a clinical psychologist, social worker, counselor or marriage and \
             family therapist bills general BHI care management as G0323.",
        ),
        (CodePath::Unavailable(Unavailable::NoCodeForDate), _) => write!(
            f,
            "Not billable: no {} code applies at {} in {}; billing needs a code in force on the \
             date of service (this engine's codes start in January 2018; G0323 in January 2023, \
             or 2025 at an RHC/FQHC).",
            program_name(program),
            d.setting.with_article(),
            Long(b.month)
        ),
        (_, Some(s)) => {
            if held {
                situation(b, program, f)?;
                write!(f, ": not billable either; {} needs {}.", s.code, s.floor)
            } else {
                f.write_str("Not billable: ")?;
                situation(b, program, f)?;
                write!(f, "; {} needs {}.", s.code, s.floor)
            }
        }
        (_, None) => {
            situation(b, program, f)?;
            if held {
                write!(f, ": once the holds are resolved, {}.", Lines(&d.supported))
            } else {
                write!(f, ": {}.", Lines(&b.lines))
            }
        }
    }
}

fn path_note(b: &MonthBilling, f: &mut Formatter<'_>) -> fmt::Result {
    let d = &b.detail;
    let rhc = d.setting.is_rhc_or_fqhc();
    match d.apcm {
        ApcmNote::AddOn => {
            if let CodePath::ApcmAddOn(code) = d.path {
                let standalone = match code {
                    G0568 => C99492,
                    G0569 => C99493,
                    _ => C99484,
                };
                write!(
                    f,
                    " The same practitioner billed an APCM base code this month, so the APCM \
                     behavioral-health add-on {code} is billed instead of {standalone} (never both)."
                )?;
            }
        }
        ApcmNote::Declined => f.write_str(
            " The same practitioner billed an APCM base code this month, but the practice does \
             not bill the APCM add-ons, so the standalone code applies; check that the payer \
             accepts it alongside APCM.",
        )?,
        ApcmNote::BeforeAddOns => f.write_str(
            " An APCM base code was billed this month; the APCM behavioral-health add-ons start \
             in January 2026, so the standalone code applies.",
        )?,
        ApcmNote::NotForClinician => f.write_str(
            " The APCM month does not apply: APCM is billed by physicians and NPPs, not by the \
             behavioral health clinician who bills this month.",
        )?,
        ApcmNote::None => {}
    }
    match d.path {
        CodePath::Cocm if rhc => f.write_str(
            " From January 2026 RHCs and FQHCs bill CoCM with 99492, 99493, 99494 and G2214 \
             (G0512 was discontinued).",
        ),
        CodePath::G0512 => f.write_str(
            " G0512 is the RHC/FQHC CoCM code through December 2025 (60 minutes or more, no \
             add-on units).",
        ),
        CodePath::Bhi(G0511) => f.write_str(
            " G0511 is the RHC/FQHC general care-management code through 30 September 2025.",
        ),
        CodePath::Bhi(C99484) if rhc && b.month <= YearMonth::new(2025, 9).unwrap_or(b.month) => f
            .write_str(
                " RHCs and FQHCs may bill 99484 instead of G0511 in January–September 2025.",
            ),
        CodePath::Bhi(C99484) if rhc => {
            f.write_str(" G0511 is not payable from 1 October 2025, so RHCs and FQHCs bill 99484.")
        }
        CodePath::Bhi(G0323) => f.write_str(
            " G0323 is general BHI care management billed by a clinical psychologist, social \
             worker, counselor or marriage and family therapist, for their own time.",
        ),
        _ => Ok(()),
    }
}

fn next_step(b: &MonthBilling, f: &mut Formatter<'_>) -> fmt::Result {
    let d = &b.detail;
    match d.next {
        Some(NextStep::Bill { more, code }) => {
            write!(f, " {} would bill {code}.", More(more))
        }
        Some(NextStep::Replace {
            more,
            code,
            instead_of,
        }) => write!(
            f,
            " {} would bill {code} instead of {instead_of}.",
            More(more)
        ),
        Some(NextStep::AddUnit { more }) => {
            write!(f, " {} would add one 99494.", More(more))
        }
        Some(NextStep::CapReached { cap }) if d.uncapped_add_on_units > cap => write!(
            f,
            " The minutes support {} units of 99494; the cap for this payer is {cap}.",
            d.uncapped_add_on_units
        ),
        Some(NextStep::CapReached { cap }) => write!(
            f,
            " The cap of {cap} units of 99494 is reached: more minutes add nothing this month."
        ),
        None => Ok(()),
    }
}

fn episode_note(b: &MonthBilling, f: &mut Formatter<'_>) -> fmt::Result {
    match b.detail.position {
        Some(Position::New {
            previous_service: Some(last),
        }) => write!(
            f,
            " New episode: no CoCM services in the {} months from {} to {} (six or more end an \
             episode), so this is an initial month again.",
            last.months_until(b.month) - 1,
            Long(last.next()),
            Long(b.month.prev())
        )?,
        Some(Position::Continuing(e)) => {
            let gap = e.last_service_month.months_until(b.month) - 1;
            if gap > 0 {
                write!(
                    f,
                    " Same episode: {gap} month{} without CoCM services since {} (a new episode \
                     needs six).",
                    if gap == 1 { "" } else { "s" },
                    Long(e.last_service_month)
                )?;
            }
        }
        _ => {}
    }
    if let Some(p @ Position::Continuing(e)) = b.detail.position
        && p.initial_month_rule_matters()
    {
        match b.month_type {
            Some(MonthType::Subsequent) => write!(
                f,
                " The episode's initial month was {} even though it billed no 99492, so this \
                 month is subsequent.",
                Long(e.start_month)
            )?,
            _ => f.write_str(
                " No 99492 has been billed in this episode yet, so this month is treated as \
                 its initial month.",
            )?,
        }
    }
    Ok(())
}

fn not_counted(b: &MonthBilling, program: Program, f: &mut Formatter<'_>) -> fmt::Result {
    let m = &b.detail.minutes;
    let mut first = true;
    let mut part = |f: &mut Formatter<'_>| -> fmt::Result {
        f.write_str(if first { " Not counted: " } else { "; " })?;
        first = false;
        Ok(())
    };
    if m.inpatient > 0 {
        part(f)?;
        write!(f, "{} while inpatient or in observation", Mins(m.inpatient))?;
    }
    if m.separately_billed > 0 {
        part(f)?;
        write!(
            f,
            "{} of separately billed services",
            Mins(m.separately_billed)
        )?;
    }
    for role in ActivityRole::ALL {
        let n = m.role_not_counted[role.index()];
        if n > 0 {
            part(f)?;
            write!(
                f,
                "{} of {} time (not counted for {})",
                Mins(n),
                role.label(),
                program_name(program)
            )?;
        }
    }
    if m.before_consent > 0 {
        part(f)?;
        match m.next_consent {
            Some(c) => write!(
                f,
                "{} before the {} consent of {c}",
                Mins(m.before_consent),
                program_name(program)
            )?,
            None => write!(
                f,
                "{} without a {} consent",
                Mins(m.before_consent),
                program_name(program)
            )?,
        }
    }
    if let (n @ 1.., Some(r)) = (m.after_revocation, m.revoked_on) {
        part(f)?;
        write!(
            f,
            "{} on or after the {} consent's revocation on {r}",
            Mins(n),
            program_name(program)
        )?;
    }
    if !first {
        f.write_str(".")?;
    }
    Ok(())
}
