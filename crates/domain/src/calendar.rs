//! Calendar months and week arithmetic. Billing and registry rules work on civil dates;
//! instants are converted to dates by the caller, in the practice's time zone.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::{Date, Month};

/// A calendar month, e.g. 2026-01. The unit of care-management billing
/// (reference cocm-billing-registry.md §3.1: "time is per calendar month").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u8,
}

impl YearMonth {
    pub fn new(year: i32, month: u8) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some(Self { year, month })
    }

    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month() as u8,
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn first_day(self) -> Date {
        // Both parts are validated at construction, so the date exists.
        Date::from_calendar_date(self.year, month_of(self.month), 1).unwrap_or(Date::MIN)
    }

    /// The first day of the following month: months are half-open ranges `[first_day, next.first_day)`.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn last_day(self) -> Date {
        self.next().first_day().previous_day().unwrap_or(Date::MIN)
    }

    pub fn contains(self, date: Date) -> bool {
        Self::of(date) == self
    }

    /// Signed number of months from `self` to `later` (0 when equal).
    pub fn months_until(self, later: YearMonth) -> i32 {
        (later.year - self.year) * 12 + (later.month as i32 - self.month as i32)
    }

    /// "January 2026", for explanations shown to people.
    pub fn long_name(self) -> String {
        format!("{} {}", month_of(self.month), self.year)
    }
}

fn month_of(m: u8) -> Month {
    Month::try_from(m).unwrap_or(Month::January)
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Parse `YYYY-MM`.
impl std::str::FromStr for YearMonth {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("'{s}' is not a month in the form YYYY-MM");
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        Self::new(year, month).ok_or_else(bad)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    (to - from).whole_days()
}

/// Whole weeks elapsed from `from` to `to` (floor; negative when `to` is earlier).
pub fn weeks_between(from: Date, to: Date) -> i64 {
    days_between(from, to).div_euclid(7)
}

/// The date `months` calendar months after `date`, clamped to the end of a shorter month
/// (31 January + 1 month = 28/29 February).
pub fn add_months(date: Date, months: i32) -> Date {
    let ym = YearMonth::of(date);
    let total = ym.year() * 12 + (ym.month() as i32 - 1) + months;
    let target = YearMonth {
        year: total.div_euclid(12),
        month: (total.rem_euclid(12) + 1) as u8,
    };
    let day = date.day().min(target.last_day().day());
    Date::from_calendar_date(target.year, month_of(target.month), day).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn month_bounds_and_steps() {
        let jan = YearMonth::new(2026, 1).unwrap();
        assert_eq!(jan.first_day(), date!(2026 - 01 - 01));
        assert_eq!(jan.last_day(), date!(2026 - 01 - 31));
        assert_eq!(jan.prev().to_string(), "2025-12");
        assert_eq!(jan.prev().next(), jan);
        assert_eq!(
            YearMonth::new(2024, 2).unwrap().last_day(),
            date!(2024 - 02 - 29)
        );
        assert_eq!(jan.months_until(YearMonth::new(2026, 7).unwrap()), 6);
        assert_eq!(jan.long_name(), "January 2026");
    }

    #[test]
    fn parses_only_well_formed_months() {
        assert_eq!("2026-03".parse::<YearMonth>().unwrap().month(), 3);
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", "", "2026-00"] {
            assert!(bad.parse::<YearMonth>().is_err(), "{bad}");
        }
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 11 - 15), 3), date!(2027 - 02 - 15));
        assert_eq!(add_months(date!(2026 - 03 - 15), -3), date!(2025 - 12 - 15));
    }

    #[test]
    fn weeks_floor() {
        assert_eq!(
            weeks_between(date!(2026 - 01 - 01), date!(2026 - 01 - 14)),
            1
        );
        assert_eq!(
            weeks_between(date!(2026 - 01 - 01), date!(2026 - 01 - 15)),
            2
        );
        assert_eq!(
            weeks_between(date!(2026 - 01 - 15), date!(2026 - 01 - 01)),
            -2
        );
    }
}
