//! Patient engagement content: the consent conversation, a "why and how" explainer for patients
//! and families, a confidentiality explainer and crisis resources. Stored as data with a
//! language tag; English is complete and written at a 6th–8th grade reading level (AIMS
//! "Educate your patients", reference bhi-planning.md §7.4 [V]).

use super::content_en::ENGLISH;
use super::reading_level::flesch_kincaid_grade;
use crate::codes::code_enum;
use serde::{Deserialize, Serialize};

code_enum! {
    pub enum ContentKey ("patient content") {
        /// What staff cover before a patient joins (bhi-planning.md §7.1).
        ConsentConversation = "consent_conversation",
        /// Why the practice offers this care and how it works (§7.4).
        WhyAndHow = "why_and_how",
        /// Who sees what: the care team, psychotherapy notes, substance-use records (§7.2–§7.3).
        Confidentiality = "confidentiality",
        /// 988 and emergency help (§6.1).
        CrisisResources = "crisis_resources",
    }
}

code_enum! {
    /// What a section covers, so a test (and a reviewer) can check nothing required is missing.
    pub enum Topic ("content topic") {
        WhatItIs = "what_it_is",
        Team = "team",
        Contact = "contact",
        Cost = "cost",
        ConsultPermission = "consult_permission",
        RightToStop = "right_to_stop",
        Why = "why",
        HowItWorks = "how_it_works",
        WhatHelps = "what_helps",
        Family = "family",
        StayingWell = "staying_well",
        WhoSees = "who_sees",
        SharingWithFamily = "sharing_with_family",
        PsychotherapyNotes = "psychotherapy_notes",
        SubstanceUseRecords = "substance_use_records",
        PrivacyQuestions = "privacy_questions",
        Lifeline988 = "lifeline_988",
        Emergency = "emergency",
        MoreLines = "more_lines",
        OurOffice = "our_office",
    }
}

/// One section as stored in the content tables.
#[derive(Debug, Clone, Copy)]
pub struct SectionText {
    pub topic: Topic,
    pub heading: &'static str,
    pub body: &'static str,
}

/// One content item in one language, as stored.
#[derive(Debug, Clone, Copy)]
pub struct ContentText {
    pub key: ContentKey,
    /// BCP 47 language tag.
    pub language: &'static str,
    pub title: &'static str,
    pub sections: &'static [SectionText],
    pub sources: &'static [&'static str],
}

/// Topics each item must cover. Consent: what the service is, the team, contact by phone or
/// video, cost sharing, permission to consult the psychiatric consultant, the right to stop
/// (§7.1, elements [K] to verify against CMS MLN909432, plus our good-practice additions [P]).
pub fn required_topics(key: ContentKey) -> &'static [Topic] {
    use Topic::*;
    match key {
        ContentKey::ConsentConversation => &[
            WhatItIs,
            Team,
            Contact,
            Cost,
            ConsultPermission,
            RightToStop,
        ],
        ContentKey::WhyAndHow => &[Why, HowItWorks, Family],
        ContentKey::Confidentiality => &[WhoSees, PsychotherapyNotes, SubstanceUseRecords],
        ContentKey::CrisisResources => &[Lifeline988, Emergency],
    }
}

/// Languages with content.
pub const LANGUAGES: &[&str] = &["en"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContentSection {
    pub topic: Topic,
    pub heading: String,
    pub body: String,
}

/// A content item as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientContent {
    pub key: ContentKey,
    pub language: String,
    pub title: String,
    pub sections: Vec<ContentSection>,
    pub sources: Vec<String>,
    /// Flesch–Kincaid grade of the section bodies together.
    pub reading_grade: Option<f64>,
}

impl ContentText {
    /// Section bodies joined: the text whose reading level is measured.
    pub fn body_text(&self) -> String {
        self.sections
            .iter()
            .map(|s| s.body)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn to_content(&self) -> PatientContent {
        PatientContent {
            key: self.key,
            language: self.language.to_owned(),
            title: self.title.to_owned(),
            sections: self
                .sections
                .iter()
                .map(|s| ContentSection {
                    topic: s.topic,
                    heading: s.heading.to_owned(),
                    body: s.body.to_owned(),
                })
                .collect(),
            sources: self.sources.iter().map(|s| (*s).to_owned()).collect(),
            reading_grade: flesch_kincaid_grade(&self.body_text()),
        }
    }
}

/// Every stored text, all languages.
pub fn all_texts() -> impl Iterator<Item = &'static ContentText> {
    ENGLISH.iter()
}

/// The content in `language` (a BCP 47 tag such as `en` or `es`), or English when the
/// language has none yet, so a patient never gets nothing.
pub fn patient_content(language: &str) -> Vec<PatientContent> {
    let primary = language
        .split('-')
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    let lang = if LANGUAGES.contains(&primary.as_str()) {
        primary
    } else {
        "en".to_owned()
    };
    all_texts()
        .filter(|t| t.language == lang)
        .map(ContentText::to_content)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading level of every English text. Adjust the texts, not the bounds.
    #[test]
    fn english_texts_read_at_grade_6_to_8() {
        for t in all_texts().filter(|t| t.language == "en") {
            let grade = flesch_kincaid_grade(&t.body_text()).unwrap();
            assert!((6.0..=8.9).contains(&grade), "{}: grade {grade:.2}", t.key);
        }
    }

    #[test]
    fn english_is_complete_and_covers_every_required_topic() {
        for key in ContentKey::ALL {
            let items: Vec<_> = all_texts()
                .filter(|t| t.language == "en" && t.key == *key)
                .collect();
            assert_eq!(items.len(), 1, "{key}");
            for topic in required_topics(*key) {
                assert!(
                    items[0].sections.iter().any(|s| s.topic == *topic),
                    "{key} lacks {topic}"
                );
            }
            assert!(!items[0].sources.is_empty());
            assert!(
                items[0]
                    .sections
                    .iter()
                    .all(|s| !s.heading.is_empty() && !s.body.is_empty())
            );
        }
    }

    #[test]
    fn the_facts_patients_rely_on_are_there() {
        let find = |key: ContentKey| {
            all_texts()
                .find(|t| t.key == key && t.language == "en")
                .unwrap()
                .body_text()
        };
        let crisis = find(ContentKey::CrisisResources);
        assert!(crisis.contains("988") && crisis.contains("911"));
        // The LGBTQ+ youth "press 3" option ended on 17 July 2025 (§6.1): never offer it.
        assert!(!crisis.contains("press 3"));
        let consent = find(ContentKey::ConsentConversation);
        assert!(consent.contains("phone") && consent.contains("video"));
        assert!(consent.contains("psychiatrist"));
        let privacy = find(ContentKey::Confidentiality);
        assert!(privacy.contains("written permission") && privacy.contains("alcohol or drug"));
    }

    #[test]
    fn unknown_languages_fall_back_to_english() {
        let es = patient_content("es-MX");
        assert_eq!(es.len(), ContentKey::ALL.len());
        assert!(es.iter().all(|c| c.language == "en"));
        assert!(
            patient_content("en")
                .iter()
                .all(|c| c.reading_grade.is_some())
        );
    }
}
