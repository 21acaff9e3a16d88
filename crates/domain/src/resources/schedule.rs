//! Opening hours of a service, written the way HSDS `schedule` records them: RFC 5545 day
//! codes (`schedule.byday`: MO, TU, …) with `schedule.opens_at` / `schedule.closes_at` in
//! HH:MM (reference bhi-planning.md §6.2; AIRS "days/hours").
//!
//! Text form, used in the CSV file and the JSON API: `24/7`, or weekly rules separated by
//! `;`, each `DAYS HH:MM-HH:MM` where DAYS is a comma list and/or ranges of day codes:
//! `MO-FR 08:00-17:00; SA 09:00-12:00`. Empty text means the hours are not known.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Time, Weekday};

/// Day codes of RFC 5545 `BYDAY`, Monday first.
const DAYS: [(&str, Weekday); 7] = [
    ("MO", Weekday::Monday),
    ("TU", Weekday::Tuesday),
    ("WE", Weekday::Wednesday),
    ("TH", Weekday::Thursday),
    ("FR", Weekday::Friday),
    ("SA", Weekday::Saturday),
    ("SU", Weekday::Sunday),
];

fn day_code(d: Weekday) -> &'static str {
    DAYS[d.number_days_from_monday() as usize].0
}

fn day_index(code: &str) -> Option<usize> {
    DAYS.iter()
        .position(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
}

/// One weekly rule: open on `days` from `opens_at` to `closes_at` (closing before opening
/// means past midnight).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    pub days: Vec<Weekday>,
    pub opens_at: Time,
    pub closes_at: Time,
}

/// When a service can be reached.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Hours {
    /// Open every hour of every day (crisis lines).
    pub always_open: bool,
    pub weekly: Vec<OpeningHours>,
}

impl Hours {
    pub fn always() -> Self {
        Hours {
            always_open: true,
            weekly: Vec::new(),
        }
    }

    pub fn is_known(&self) -> bool {
        self.always_open || !self.weekly.is_empty()
    }

    /// Parse the text form; the error says what is wrong, for a form or CSV cell message.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Ok(Hours::default());
        }
        if s == "24/7" {
            return Ok(Hours::always());
        }
        let weekly = s
            .split(';')
            .filter(|part| !part.trim().is_empty())
            .map(parse_rule)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Hours {
            always_open: false,
            weekly,
        })
    }
}

fn parse_rule(rule: &str) -> Result<OpeningHours, String> {
    let rule = rule.trim();
    let bad = || {
        format!(
            "'{rule}' is not of the form 'MO-FR 08:00-17:00' (days, a space, opening and closing times)"
        )
    };
    let (days, times) = rule.rsplit_once(' ').ok_or_else(bad)?;
    let (opens, closes) = times.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| -> Result<Time, String> {
        let (h, m) = t.split_once(':').ok_or_else(bad)?;
        let (h, m) = (h.parse::<u8>(), m.parse::<u8>());
        match (h, m) {
            (Ok(h), Ok(m)) if t.len() == 5 => Time::from_hms(h, m, 0).map_err(|_| bad()),
            _ => Err(bad()),
        }
    };
    let (opens_at, closes_at) = (time(opens)?, time(closes)?);
    if opens_at == closes_at {
        return Err(format!(
            "'{rule}' opens and closes at the same time; write 24/7 for a service that never closes"
        ));
    }
    let mut open = [false; 7];
    for part in days.split(',') {
        let unknown = || {
            format!(
                "'{}' is not a day code (MO, TU, WE, TH, FR, SA, SU)",
                part.trim()
            )
        };
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (
                    day_index(a).ok_or_else(unknown)?,
                    day_index(b).ok_or_else(unknown)?,
                );
                if a > b {
                    return Err(format!(
                        "'{}': a day range runs from Monday to Sunday",
                        part.trim()
                    ));
                }
                open[a..=b].iter_mut().for_each(|d| *d = true);
            }
            None => open[day_index(part).ok_or_else(unknown)?] = true,
        }
    }
    Ok(OpeningHours {
        days: DAYS
            .iter()
            .zip(open)
            .filter(|(_, o)| *o)
            .map(|((_, d), _)| *d)
            .collect(),
        opens_at,
        closes_at,
    })
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.always_open {
            return f.write_str("24/7");
        }
        for (i, rule) in self.weekly.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            let days: Vec<&str> = rule.days.iter().map(|d| day_code(*d)).collect();
            write!(
                f,
                "{} {:02}:{:02}-{:02}:{:02}",
                days.join(","),
                rule.opens_at.hour(),
                rule.opens_at.minute(),
                rule.closes_at.hour(),
                rule.closes_at.minute()
            )?;
        }
        Ok(())
    }
}

impl TryFrom<String> for Hours {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Hours::parse(&s)
    }
}

impl From<Hours> for String {
    fn from(h: Hours) -> String {
        h.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::time;

    #[test]
    fn parses_ranges_lists_and_round_trips() {
        let h = Hours::parse("mo-fr 08:00-17:00; SA,SU 09:30-12:00").unwrap();
        assert_eq!(h.weekly.len(), 2);
        assert_eq!(h.weekly[0].days.len(), 5);
        assert_eq!(h.weekly[1].days, [Weekday::Saturday, Weekday::Sunday]);
        assert_eq!(h.weekly[1].opens_at, time!(09:30));
        assert_eq!(
            h.to_string(),
            "MO,TU,WE,TH,FR 08:00-17:00; SA,SU 09:30-12:00"
        );
        assert_eq!(Hours::parse(&h.to_string()).unwrap(), h);
        assert_eq!(Hours::parse("24/7").unwrap().to_string(), "24/7");
        assert!(!Hours::parse("  ").unwrap().is_known());
        // Overnight hours are allowed.
        assert!(Hours::parse("FR 22:00-02:00").is_ok());
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for bad in [
            "MO-FR",
            "XX 08:00-17:00",
            "FR-MO 08:00-17:00",
            "MO 8:00-17:00",
            "MO 08:00-25:00",
            "MO 08:00-08:00",
            "MO 08:00 17:00",
        ] {
            assert!(Hours::parse(bad).is_err(), "{bad}");
        }
    }
}
