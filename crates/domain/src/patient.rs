//! Patients: identity and demographics, parsed from raw input into types that cannot be wrong.

use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::ids::{SiteId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// Medical record number, unique within a practice. 1–32 letters, digits, `-` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[serde(try_from = "String", into = "String")]
pub struct Mrn(String);

impl Mrn {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationError::field("mrn", "MRN is required"));
        }
        if s.len() > 32 {
            return Err(ValidationError::field(
                "mrn",
                "MRN is at most 32 characters",
            ));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ValidationError::field(
                "mrn",
                "MRN may contain only letters, digits, '-' and '_'",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Mrn {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Mrn> for String {
    fn from(m: Mrn) -> String {
        m.0
    }
}

impl fmt::Display for Mrn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

code_enum! {
    /// Sex recorded for scoring rules with sex-specific cut-offs (AUDIT-C) and reporting.
    pub enum Sex ("sex") {
        Female = "female",
        Male = "male",
        Other = "other",
        Unknown = "unknown",
    }
}

code_enum! {
    /// Kind of primary payer; billing rule settings can differ per payer.
    pub enum PayerKind ("payer kind") {
        Medicare = "medicare",
        MedicareAdvantage = "medicare_advantage",
        Medicaid = "medicaid",
        Commercial = "commercial",
        SelfPay = "self_pay",
        Other = "other",
    }
}

/// A patient's demographics and assignments, as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientDetails {
    pub mrn: Mrn,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Date,
    pub sex: Sex,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// BCP 47 language tag, e.g. `en`, `es`.
    pub preferred_language: String,
    pub payer_kind: Option<PayerKind>,
    pub payer_name: Option<String>,
}

/// The care team assigned to a patient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignments {
    pub site: Option<SiteId>,
    pub treating_practitioner: Option<UserId>,
    pub care_manager: Option<UserId>,
}

/// A parsed patient: demographics and assignments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPatient {
    pub details: PatientDetails,
    pub assignments: Assignments,
}

/// Raw patient input from a form or the API, before parsing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PatientInput {
    pub mrn: String,
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD`
    pub birth_date: String,
    pub sex: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub preferred_language: Option<String>,
    #[serde(default)]
    pub payer_kind: Option<String>,
    #[serde(default)]
    pub payer_name: Option<String>,
    /// Site id.
    #[serde(default)]
    pub site: Option<String>,
    /// User id of the assigned treating practitioner.
    #[serde(default)]
    pub treating_practitioner: Option<String>,
    /// User id of the assigned care manager.
    #[serde(default)]
    pub care_manager: Option<String>,
}

const NAME_MAX: usize = 100;

fn required_text(errors: &mut ValidationError, field: &str, label: &str, raw: &str) -> String {
    let s = raw.trim();
    if s.is_empty() {
        errors.push(field, format!("{label} is required"));
    } else if s.chars().count() > NAME_MAX {
        errors.push(field, format!("{label} is at most {NAME_MAX} characters"));
    } else if s.chars().any(char::is_control) {
        errors.push(
            field,
            format!("{label} must not contain control characters"),
        );
    }
    s.to_owned()
}

fn optional_text(
    errors: &mut ValidationError,
    field: &str,
    raw: &Option<String>,
    max: usize,
) -> Option<String> {
    let s = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    if s.chars().count() > max {
        errors.push(field, format!("at most {max} characters"));
    }
    Some(s.to_owned())
}

/// Parse a `YYYY-MM-DD` date.
pub fn parse_date(field: &str, raw: &str) -> Result<Date, ValidationError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), &format).map_err(|_| {
        ValidationError::field(
            field,
            format!("'{raw}' is not a date in the form YYYY-MM-DD"),
        )
    })
}

/// Parse an optional id field: empty is none.
pub fn parse_optional_id<T: std::str::FromStr>(
    errors: &mut ValidationError,
    field: &str,
    raw: &Option<String>,
) -> Option<T> {
    let s = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match s.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(field, "is not a valid id");
            None
        }
    }
}

impl PatientInput {
    /// Parse demographics and assignments, reporting all problems at once.
    pub fn parse_new(&self, today: Date) -> Result<NewPatient, ValidationError> {
        let mut errors = ValidationError::new();
        let assignments = Assignments {
            site: parse_optional_id(&mut errors, "site", &self.site),
            treating_practitioner: parse_optional_id(
                &mut errors,
                "treating_practitioner",
                &self.treating_practitioner,
            ),
            care_manager: parse_optional_id(&mut errors, "care_manager", &self.care_manager),
        };
        match self.parse(today) {
            Ok(details) if errors.is_empty() => Ok(NewPatient {
                details,
                assignments,
            }),
            Ok(_) => Err(errors),
            Err(mut e) => {
                e.errors.extend(errors.errors);
                Err(e)
            }
        }
    }

    /// Parse every demographic field, reporting all problems at once. `today` bounds the
    /// birth date.
    pub fn parse(&self, today: Date) -> Result<PatientDetails, ValidationError> {
        let mut errors = ValidationError::new();
        let mrn = errors.check(Mrn::parse(&self.mrn));
        let given_name = required_text(&mut errors, "given_name", "Given name", &self.given_name);
        let family_name =
            required_text(&mut errors, "family_name", "Family name", &self.family_name);
        let birth_date = errors.check(parse_date("birth_date", &self.birth_date));
        if let Some(b) = birth_date {
            if b > today {
                errors.push("birth_date", "Date of birth is in the future");
            } else if today.year() - b.year() > 130 {
                errors.push("birth_date", "Date of birth is more than 130 years ago");
            }
        }
        let sex = match Sex::parse(self.sex.trim()) {
            Ok(s) => Some(s),
            Err(_) => {
                errors.push("sex", format!("must be one of: {}", Sex::allowed()));
                None
            }
        };
        let phone = optional_text(&mut errors, "phone", &self.phone, 40);
        if let Some(p) = &phone
            && !p
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().x".contains(c))
        {
            errors.push("phone", "may contain only digits, spaces and + - ( ) . x");
        }
        let email = optional_text(&mut errors, "email", &self.email, 254);
        if let Some(e) = &email
            && (!e.contains('@') || e.contains(char::is_whitespace))
        {
            errors.push("email", "is not an email address");
        }
        let address = optional_text(&mut errors, "address", &self.address, 300);
        let preferred_language = optional_text(
            &mut errors,
            "preferred_language",
            &self.preferred_language,
            35,
        )
        .unwrap_or_else(|| "en".to_owned());
        if !preferred_language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.push(
                "preferred_language",
                "must be a language tag such as en, es or zh-Hant",
            );
        }
        let payer_kind = match self.payer_kind.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match PayerKind::parse(raw) {
                Ok(k) => Some(k),
                Err(_) => {
                    errors.push(
                        "payer_kind",
                        format!("must be one of: {}", PayerKind::allowed()),
                    );
                    None
                }
            },
        };
        let payer_name = optional_text(&mut errors, "payer_name", &self.payer_name, 100);
        match (mrn, birth_date, sex) {
            (Some(mrn), Some(birth_date), Some(sex)) if errors.is_empty() => Ok(PatientDetails {
                mrn,
                given_name,
                family_name,
                birth_date,
                sex,
                phone,
                email,
                address,
                preferred_language,
                payer_kind,
                payer_name,
            }),
            _ => Err(errors),
        }
    }
}

/// The key patient search matches on: lower-case, accents and punctuation dropped, so that
/// "O'Brien", "obrien" and "OBRIEN" find the same person on either database engine.
pub fn search_key(given: &str, family: &str) -> String {
    let mut key = String::new();
    for part in [family, given] {
        for c in part.chars().flat_map(char::to_lowercase) {
            if c.is_alphanumeric() {
                key.push(fold_accent(c));
            }
        }
        key.push(' ');
    }
    key.trim_end().to_owned()
}

/// Normalize a name query the same way as [`search_key`] for one name part.
pub fn normalize_query(q: &str) -> String {
    q.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .map(fold_accent)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        other => other,
    }
}

/// Age in whole years on `on`.
pub fn age_on(birth_date: Date, on: Date) -> i32 {
    let mut age = on.year() - birth_date.year();
    if (on.month() as u8, on.day()) < (birth_date.month() as u8, birth_date.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> PatientInput {
        PatientInput {
            mrn: "A-1001".into(),
            given_name: "Maria".into(),
            family_name: "O'Brien".into(),
            birth_date: "1980-04-02".into(),
            sex: "female".into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_a_valid_patient() {
        let p = input().parse(date!(2026 - 11 - 27)).unwrap();
        assert_eq!(p.mrn.as_str(), "A-1001");
        assert_eq!(p.preferred_language, "en");
        assert_eq!(p.sex, Sex::Female);
    }

    #[test]
    fn reports_every_bad_field() {
        let bad = PatientInput {
            mrn: "no spaces allowed".into(),
            given_name: " ".into(),
            birth_date: "2030-01-01".into(),
            sex: "f".into(),
            email: Some("not-an-email".into()),
            ..input()
        };
        let err = bad.parse(date!(2026 - 11 - 27)).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["mrn", "given_name", "birth_date", "sex", "email"]);
    }

    #[test]
    fn search_key_folds_case_accents_and_punctuation() {
        assert_eq!(search_key("José", "O'Brien"), "obrien jose");
        assert_eq!(normalize_query("  O'BRIEN  "), "obrien");
    }

    #[test]
    fn age_counts_birthdays() {
        assert_eq!(age_on(date!(1980 - 04 - 02), date!(2026 - 04 - 01)), 45);
        assert_eq!(age_on(date!(1980 - 04 - 02), date!(2026 - 04 - 02)), 46);
    }
}
