//! The team roster: who does what, at what full-time equivalent, employed or not
//! (reference bhi-planning.md §9 "Assemble team" [P]: `TeamMember {role, FTE,
//! employed/contracted/remote}`; roles from §4.3).

use crate::codes::code_enum;
use crate::error::ValidationError;
use crate::ids::UserId;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;
use uuid::Uuid;

/// A roster entry. Members need not be users of Stepwise (a contracted psychiatrist, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
#[serde(transparent)]
pub struct TeamMemberId(pub Uuid);

impl fmt::Display for TeamMemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A full-time equivalent between 0.01 and 1.00, kept in hundredths so sums are exact.
/// In JSON it is a decimal number (`0.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = f64, minimum = 0.01, maximum = 1.0))]
#[serde(try_from = "f64", into = "f64")]
pub struct Fte(u16);

impl Fte {
    pub const FULL: Fte = Fte(100);

    /// `1..=100` hundredths of a full-time position.
    pub const fn from_hundredths(h: u16) -> Option<Self> {
        if h >= 1 && h <= 100 {
            Some(Self(h))
        } else {
            None
        }
    }

    pub const fn hundredths(self) -> u16 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl TryFrom<f64> for Fte {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, Self::Error> {
        let h = (v * 100.0).round();
        if v.is_finite() && (1.0..=100.0).contains(&h) && (v * 100.0 - h).abs() < 1e-6 {
            Ok(Self(h as u16))
        } else {
            Err(format!(
                "{v} is not a full-time equivalent between 0.01 and 1.00 in steps of 0.01"
            ))
        }
    }
}

impl From<Fte> for f64 {
    fn from(f: Fte) -> f64 {
        f.as_f64()
    }
}

code_enum! {
    pub enum Employment ("employment") {
        Employed = "employed",
        Contracted = "contracted",
        /// Works from elsewhere, e.g. a tele-consulting psychiatrist or a virtual care manager.
        Remote = "remote",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub id: TeamMemberId,
    pub name: String,
    pub role: Role,
    pub fte: Fte,
    pub employment: Employment,
    /// Implementation leader or practitioner champion (AIMS "identify your champions",
    /// bhi-planning.md §3.2 [V]; AHRQ "identify a champion", §3.3 [V]).
    #[serde(default)]
    pub champion: bool,
    /// First day on the team: initial training is due from it (AIMS, §3.2 nurture [V]).
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub joined_on: Date,
    /// The member's Stepwise account, when they have one (a contracted consultant may not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
}

/// Raw roster input from a form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TeamMemberInput {
    pub name: String,
    pub role: String,
    pub fte: f64,
    pub employment: String,
    #[serde(default)]
    pub champion: bool,
    /// `YYYY-MM-DD`
    pub joined_on: String,
    /// The member's account; the caller checks that it is one of the practice's users.
    #[serde(default)]
    pub user: Option<UserId>,
}

impl TeamMemberInput {
    /// Every problem at once; `id` comes from the store.
    pub fn parse(&self, id: TeamMemberId) -> Result<TeamMember, ValidationError> {
        let mut errors = ValidationError::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            errors.push("name", "must be 1 to 120 characters");
        }
        let role = Role::parse(self.role.trim())
            .map_err(|_| errors.push("role", format!("must be one of: {}", Role::allowed())))
            .ok();
        let fte = Fte::try_from(self.fte)
            .map_err(|m| errors.push("fte", m))
            .ok();
        let employment = Employment::parse(self.employment.trim())
            .map_err(|_| {
                errors.push(
                    "employment",
                    format!("must be one of: {}", Employment::allowed()),
                )
            })
            .ok();
        let joined_on = errors.check(crate::patient::parse_date("joined_on", &self.joined_on));
        match (role, fte, employment, joined_on) {
            (Some(role), Some(fte), Some(employment), Some(joined_on)) if errors.is_empty() => {
                Ok(TeamMember {
                    id,
                    name: name.to_owned(),
                    role,
                    fte,
                    employment,
                    champion: self.champion,
                    joined_on,
                    user: self.user,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Summed FTE of the members holding `role`, in hundredths (may exceed 100 with several people).
pub fn total_fte(team: &[TeamMember], role: Role) -> u32 {
    team.iter()
        .filter(|m| m.role == role)
        .map(|m| m.fte.hundredths() as u32)
        .sum()
}

pub fn has_role(team: &[TeamMember], role: Role) -> bool {
    team.iter().any(|m| m.role == role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TeamMemberInput {
        TeamMemberInput {
            name: " Dana Lee ".into(),
            role: "care_manager".into(),
            fte: 0.8,
            employment: "employed".into(),
            champion: false,
            joined_on: "2026-02-01".into(),
            user: None,
        }
    }

    #[test]
    fn parses_a_roster_entry() {
        let m = input().parse(TeamMemberId(Uuid::nil())).unwrap();
        assert_eq!(m.name, "Dana Lee");
        assert_eq!(m.fte.hundredths(), 80);
        assert_eq!(serde_json::to_value(m.fte).unwrap(), serde_json::json!(0.8));
    }

    #[test]
    fn reports_every_bad_field() {
        let bad = TeamMemberInput {
            name: "".into(),
            role: "doctor".into(),
            fte: 1.5,
            employment: "volunteer".into(),
            champion: false,
            joined_on: "soon".into(),
            user: None,
        };
        let err = bad.parse(TeamMemberId(Uuid::nil())).unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "role", "fte", "employment", "joined_on"]);
    }

    #[test]
    fn fte_bounds() {
        assert!(Fte::try_from(0.0).is_err());
        assert!(Fte::try_from(0.005).is_err());
        assert!(Fte::try_from(0.125).is_err());
        assert!(Fte::try_from(f64::NAN).is_err());
        assert_eq!(Fte::try_from(0.01).unwrap().hundredths(), 1);
        assert_eq!(Fte::try_from(1.0).unwrap(), Fte::FULL);
        assert!(serde_json::from_str::<Fte>("1.2").is_err());
    }

    #[test]
    fn totals_by_role() {
        let mut a = input().parse(TeamMemberId(Uuid::nil())).unwrap();
        let mut b = a.clone();
        b.fte = Fte::from_hundredths(50).unwrap();
        a.role = Role::CareManager;
        assert_eq!(total_fte(&[a.clone(), b], Role::CareManager), 130);
        assert!(!has_role(&[a], Role::Psychiatrist));
    }
}
