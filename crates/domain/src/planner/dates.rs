//! Dates in the plan document are `YYYY-MM-DD` strings in JSON, whatever `time`'s serde
//! features are, so the API returns the same shape the forms send.

use serde::{Deserialize, Deserializer, Serializer};
use time::Date;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

const ISO_DATE: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    let text = date.format(ISO_DATE).map_err(serde::ser::Error::custom)?;
    s.serialize_str(&text)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let text = String::deserialize(d)?;
    Date::parse(text.trim(), ISO_DATE).map_err(|_| {
        serde::de::Error::custom(format!("'{text}' is not a date in the form YYYY-MM-DD"))
    })
}

/// The same for `Option<Date>` (`null` when absent).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => super::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => Date::parse(text.trim(), ISO_DATE).map(Some).map_err(|_| {
                serde::de::Error::custom(format!("'{text}' is not a date in the form YYYY-MM-DD"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use time::Date;
    use time::macros::date;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Doc {
        #[serde(with = "super")]
        on: Date,
    }

    #[test]
    fn dates_are_iso_strings() {
        let doc = Doc {
            on: date!(2026 - 03 - 05),
        };
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(json, r#"{"on":"2026-03-05"}"#);
        assert_eq!(serde_json::from_str::<Doc>(&json).unwrap(), doc);
        assert!(serde_json::from_str::<Doc>(r#"{"on":"5 March"}"#).is_err());
    }
}
