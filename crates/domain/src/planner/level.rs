//! The six levels of collaboration and integration, based on the SAMHSA-HRSA CIHS Standard
//! Framework for Levels of Integrated Healthcare (Heath, Wise Romero, Reynolds, 2013), as
//! summarized in our own words in reference bhi-planning.md §1.1–§1.2.
//!
//! This is not the licensed Integrated Practice Assessment Tool: the descriptors below are our
//! paraphrase, and each carries the evidence tag of the reference ([V] seen in a source,
//! [K] background knowledge to verify).

use crate::codes::code_enum;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Shown wherever a level, a self-rating or the decision tree is displayed.
pub const FRAMEWORK_NOTE: &str = "Based on the SAMHSA-HRSA CIHS Standard Framework for Levels of \
Integrated Healthcare (2013). The questions and descriptions are Stepwise's own wording; this is \
a planning aid, not a validated or licensed assessment.";

/// A level from 1 (minimal collaboration) to 6 (full collaboration in a merged practice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u8, minimum = 1, maximum = 6))]
#[serde(try_from = "u8", into = "u8")]
pub struct IntegrationLevel(u8);

impl IntegrationLevel {
    pub const ALL: [IntegrationLevel; 6] = [
        IntegrationLevel(1),
        IntegrationLevel(2),
        IntegrationLevel(3),
        IntegrationLevel(4),
        IntegrationLevel(5),
        IntegrationLevel(6),
    ];

    pub const fn new(n: u8) -> Option<Self> {
        if n >= 1 && n <= 6 {
            Some(Self(n))
        } else {
            None
        }
    }

    pub const fn number(self) -> u8 {
        self.0
    }

    pub fn category(self) -> Category {
        match self.0 {
            1 | 2 => Category::Coordinated,
            3 | 4 => Category::CoLocated,
            _ => Category::Integrated,
        }
    }

    /// The level's name in the framework (§1.1 [V]).
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "Minimal collaboration",
            2 => "Basic collaboration at a distance",
            3 => "Basic collaboration onsite",
            4 => "Close collaboration onsite with some system integration",
            5 => "Close collaboration approaching an integrated practice",
            _ => "Full collaboration in a transformed or merged integrated practice",
        }
    }

    /// What this level looks like on one dimension, in our words (§1.2).
    pub fn describe(self, dimension: Dimension) -> &'static Descriptor {
        &dimension.descriptors()[(self.0 - 1) as usize]
    }
}

impl TryFrom<u8> for IntegrationLevel {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::new(n).ok_or_else(|| format!("{n} is not a level from 1 to 6"))
    }
}

impl From<IntegrationLevel> for u8 {
    fn from(l: IntegrationLevel) -> u8 {
        l.0
    }
}

impl fmt::Display for IntegrationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Level {}", self.0)
    }
}

code_enum! {
    /// The framework's three categories, each with its key element (§1.1 [V]).
    pub enum Category ("integration category") {
        /// Levels 1–2; key element: communication.
        Coordinated = "coordinated",
        /// Levels 3–4; key element: physical proximity.
        CoLocated = "co_located",
        /// Levels 5–6; key element: practice change.
        Integrated = "integrated",
    }
}

impl Category {
    pub fn key_element(self) -> &'static str {
        match self {
            Category::Coordinated => "Communication",
            Category::CoLocated => "Physical proximity",
            Category::Integrated => "Practice change",
        }
    }
}

code_enum! {
    /// The rows of the self-rating table (§1.2, layout of the docsbay adaptation of CIHS).
    pub enum Dimension ("integration dimension") {
        WhereProvidersWork = "where_providers_work",
        Systems = "systems",
        Communication = "communication",
        Drivers = "drivers",
        Meetings = "meetings",
        Understanding = "understanding",
    }
}

/// One cell of the table: our paraphrase and its evidence tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor {
    pub text: &'static str,
    /// `V` seen in a retrieved source, `K` background knowledge to verify (reference §0).
    pub evidence: char,
}

const fn v(text: &'static str) -> Descriptor {
    Descriptor {
        text,
        evidence: 'V',
    }
}
const fn k(text: &'static str) -> Descriptor {
    Descriptor {
        text,
        evidence: 'K',
    }
}

/// Reference bhi-planning.md §1.2, levels 1 to 6 per dimension.
const WHERE: [Descriptor; 6] = [
    v("Behavioral health and medical clinicians work in separate buildings."),
    v("They work in separate buildings."),
    v("They work in the same building, not always in the same offices."),
    v("They work in the same space within the building."),
    v("They work in the same space and share some practice space."),
    v("They work in the same space and share all practice space."),
];
const SYSTEMS: [Descriptor; 6] = [
    v("Records and scheduling are separate."),
    v("Records and scheduling are separate."),
    v("Records and scheduling are separate."),
    v("Some systems are shared, such as scheduling or records."),
    k("The practice is actively working toward shared systems."),
    k("Most or all system issues are solved: one integrated system."),
];
const COMMUNICATION: [Descriptor; 6] = [
    v("They talk rarely, only when a case demands it."),
    v("They talk now and then about shared patients."),
    v("They talk regularly about shared patients, by phone or e-mail."),
    v("They talk in person when needed."),
    v("They talk in person often."),
    v("They talk all the time, as a system, as a team and one to one."),
];
const DRIVERS: [Descriptor; 6] = [
    v("Collaboration happens when one clinician needs something."),
    v("Collaboration happens around a specific patient's problem."),
    v("They need each other's services and want referrals that work."),
    v("They need consultation and joint plans for patients who are hard to treat."),
    v("Each wants to be a member of the care team."),
    v("They share one idea of team care."),
];
const MEETINGS: [Descriptor; 6] = [
    v("They may never meet in person."),
    v("They may meet at community events."),
    v("They talk about a case now and then because they are close by."),
    v("They meet face to face regularly about some patients."),
    k("Team meetings cover overall care and specific patients."),
    k("Formal and informal meetings support the integrated model."),
];
const UNDERSTANDING: [Descriptor; 6] = [
    v("They know little about each other's roles."),
    v("They see each other as a resource."),
    v("They feel part of a larger team that is not well defined."),
    v("They understand each other's roles and culture at a basic level."),
    k("They understand each other's roles and culture in depth."),
    k("Roles and cultures blur or blend."),
];

impl Dimension {
    pub fn label(self) -> &'static str {
        match self {
            Dimension::WhereProvidersWork => "Where clinicians work",
            Dimension::Systems => "Systems (records, scheduling)",
            Dimension::Communication => "Communication",
            Dimension::Drivers => "What drives collaboration",
            Dimension::Meetings => "Meetings",
            Dimension::Understanding => "Understanding of each other",
        }
    }

    pub fn descriptors(self) -> &'static [Descriptor; 6] {
        match self {
            Dimension::WhereProvidersWork => &WHERE,
            Dimension::Systems => &SYSTEMS,
            Dimension::Communication => &COMMUNICATION,
            Dimension::Drivers => &DRIVERS,
            Dimension::Meetings => &MEETINGS,
            Dimension::Understanding => &UNDERSTANDING,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_one_to_six_and_grouped_in_pairs() {
        assert_eq!(IntegrationLevel::new(0), None);
        assert_eq!(IntegrationLevel::new(7), None);
        let cats: Vec<Category> = IntegrationLevel::ALL.iter().map(|l| l.category()).collect();
        assert_eq!(
            cats,
            [
                Category::Coordinated,
                Category::Coordinated,
                Category::CoLocated,
                Category::CoLocated,
                Category::Integrated,
                Category::Integrated
            ]
        );
        assert_eq!(
            serde_json::to_string(&IntegrationLevel::ALL[3]).unwrap(),
            "4"
        );
        assert!(serde_json::from_str::<IntegrationLevel>("9").is_err());
    }

    #[test]
    fn every_cell_is_described_and_tagged() {
        for d in Dimension::ALL {
            for l in IntegrationLevel::ALL {
                let cell = l.describe(*d);
                assert!(!cell.text.is_empty());
                assert!(matches!(cell.evidence, 'V' | 'K'), "{d} {l}");
            }
        }
    }

    #[test]
    fn never_calls_itself_the_licensed_tool() {
        assert!(FRAMEWORK_NOTE.contains("SAMHSA-HRSA CIHS Standard Framework"));
        assert!(!FRAMEWORK_NOTE.contains("IPAT"));
    }
}
