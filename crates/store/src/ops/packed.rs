//! Rows packed into one text value by `string_agg` (the same aggregate on SQLite, from 3.44,
//! and PostgreSQL): the bulk reads (month close, metrics) receive one row per patient or
//! episode instead of one per record. Going through the driver row by row cost more than the
//! work on the rows: reading 500,000 contacts one row each took longer than evaluating their
//! 50,000 patient-months.
//!
//! A packed value is a list of items separated by `;`, each item a fixed number of fields
//! separated by `,`. Fields are codes, integers, ISO dates (`CAST(date AS TEXT)`: SQLite keeps
//! dates as ISO text, and the PostgreSQL connection runs with `DateStyle` ISO) and ids as hex
//! (`hex(id)`: SQLite's own function over the 16-byte blob, and on PostgreSQL the function of
//! migration 0013), so no field can contain a separator.

use crate::error::{Result, StoreError};
use time::Date;
use uuid::Uuid;

/// The items of a packed value, each split into exactly `N` fields.
pub(crate) fn items<'a, const N: usize>(
    packed: &'a str,
    what: &'static str,
) -> impl Iterator<Item = Result<[&'a str; N]>> {
    packed.split(';').map(move |item| {
        let mut out = [""; N];
        let mut fields = item.split(',');
        for slot in &mut out {
            *slot = fields.next().ok_or_else(|| corrupt(what, item))?;
        }
        match fields.next() {
            None => Ok(out),
            Some(_) => Err(corrupt(what, item)),
        }
    })
}

fn corrupt(what: &str, item: &str) -> StoreError {
    StoreError::corrupt(format!("packed {what}: {item:?}"))
}

/// `YYYY-MM-DD`.
pub(crate) fn date(s: &str) -> Result<Date> {
    let bad = || StoreError::corrupt(format!("packed date {s:?}"));
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Option<u16> {
        b[r].iter().try_fold(0u16, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0'))
        })
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return Err(bad());
    };
    let month = time::Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    Date::from_calendar_date(i32::from(y), month, u8::try_from(d).map_err(|_| bad())?)
        .map_err(|_| bad())
}

/// An optional integer: empty for NULL.
pub(crate) fn opt_int<T: std::str::FromStr>(s: &str) -> Result<Option<T>> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| StoreError::corrupt(format!("packed number {s:?}")))
}

/// An integer.
pub(crate) fn int<T: std::str::FromStr>(s: &str) -> Result<T> {
    opt_int(s)?.ok_or_else(|| StoreError::corrupt("packed number missing"))
}

/// An optional id in hex (either case, with or without hyphens): empty for NULL.
pub(crate) fn opt_id(s: &str) -> Result<Option<Uuid>> {
    if s.is_empty() {
        return Ok(None);
    }
    Uuid::try_parse(s)
        .map(Some)
        .map_err(|_| StoreError::corrupt(format!("packed id {s:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn items_split_into_exactly_n_fields() {
        let v: Vec<[&str; 2]> = items::<2>("a,1;b,", "test").collect::<Result<_>>().unwrap();
        assert_eq!(v, vec![["a", "1"], ["b", ""]]);
        assert!(items::<2>("a,1,x", "test").next().unwrap().is_err());
        assert!(items::<3>("a,1", "test").next().unwrap().is_err());
    }

    #[test]
    fn dates_numbers_and_ids() {
        assert_eq!(date("2026-02-28").unwrap(), date!(2026 - 02 - 28));
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-02-01",
            "2026/02/01",
            "2026-0a-01",
            "",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
        assert_eq!(opt_int::<u16>("").unwrap(), None);
        assert_eq!(int::<u16>("25").unwrap(), 25);
        assert!(int::<u16>("-1").is_err());
        let id = Uuid::now_v7();
        let upper = id.simple().to_string().to_uppercase();
        assert_eq!(opt_id(&upper).unwrap(), Some(id));
        assert_eq!(opt_id(&id.hyphenated().to_string()).unwrap(), Some(id));
        assert_eq!(opt_id("").unwrap(), None);
    }
}
