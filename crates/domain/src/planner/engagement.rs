//! Patient engagement content: the consent conversation, a "why and how" explainer for patients
//! and families, a confidentiality explainer and crisis resources. Stored as data with a
//! language tag; English is complete and written at a 6th–8th grade reading level (AIMS
//! "Educate your patients", reference bhi-planning.md §7.4 [V]).

use super::content_en::ENGLISH;
use super::reading_level::flesch_kincaid_grade;
use crate::codes::code_enum;
use crate::error::ValidationError;
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

/// Above this Flesch–Kincaid grade an English text reads above 8th grade: an edit is saved but
/// warned about (AIMS "Educate your patients": 6th–8th grade, bhi-planning.md §7.4 [V]).
pub const WARN_GRADE: f64 = 9.0;
const TITLE_MAX_CHARS: usize = 120;
const BODY_MAX_CHARS: usize = 4000;

/// A practice's own version of one content item in one language; it replaces the default text
/// until the practice resets it. Kept in the plan, so every edit is a new plan version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EditedContent {
    pub key: ContentKey,
    /// BCP 47 language tag.
    pub language: String,
    pub title: String,
    pub sections: Vec<ContentSection>,
    #[serde(with = "super::dates")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub edited_on: time::Date,
}

/// A content item as the practice shows it: its own text or the default, with the warnings
/// of the reading-level check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContentView {
    pub content: PatientContent,
    /// When the practice last edited it; none while it uses the default text.
    #[serde(default, with = "super::dates::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub edited_on: Option<time::Date>,
    pub warnings: Vec<String>,
}

/// The default text of `key` in `language` (English when there is none).
pub fn default_content(key: ContentKey, language: &str) -> PatientContent {
    // Every key has English content (tested below), so the empty item is never returned.
    patient_content(language)
        .into_iter()
        .find(|c| c.key == key)
        .unwrap_or_else(|| PatientContent {
            key,
            language: "en".to_owned(),
            title: String::new(),
            sections: Vec::new(),
            sources: Vec::new(),
            reading_grade: None,
        })
}

/// What a topic tells the patient, for the message when a required one is left out.
fn topic_purpose(topic: Topic) -> &'static str {
    use Topic::*;
    match topic {
        WhatItIs => "what the service is",
        Team => "who is on the care team",
        Contact => "how the team keeps in touch (phone, video)",
        Cost => "what it costs",
        ConsultPermission => "the permission to consult the psychiatric consultant",
        RightToStop => "that they can stop at any time",
        Why => "why the practice offers this care",
        HowItWorks => "how the care works",
        Family => "how family can help",
        WhoSees => "who sees their information",
        PsychotherapyNotes => "how psychotherapy notes are kept apart",
        SubstanceUseRecords => "how alcohol and drug treatment records are protected",
        Lifeline988 => "the 988 Suicide and Crisis Lifeline",
        Emergency => "to call 911 in an emergency",
        WhatHelps | StayingWell | SharingWithFamily | PrivacyQuestions | MoreLines | OurOffice => {
            "this topic"
        }
    }
}

/// Facts a section must still state after an edit: patients rely on them (988 and 911 in the
/// crisis resources, bhi-planning.md §6.1 [V]).
fn required_words(topic: Topic) -> &'static [&'static str] {
    match topic {
        Topic::Lifeline988 => &["988"],
        Topic::Emergency => &["911"],
        _ => &[],
    }
}

/// Check an edit of `key` in `language`. Refused (never only warned about): a required topic
/// left out or emptied, a topic the item does not cover, a section stated twice, 988 or 911
/// gone from the crisis resources, an empty title, a text over the length limits, a language
/// without content. Returned as warnings, and saved anyway: English that reads above 8th
/// grade. Sections whose heading and body are both empty and whose topic is optional are
/// dropped from the edit.
pub fn check_edit(
    key: ContentKey,
    language: &str,
    title: &str,
    sections: Vec<ContentSection>,
    today: time::Date,
) -> Result<(EditedContent, Vec<String>), ValidationError> {
    let mut errors = ValidationError::new();
    if !LANGUAGES.contains(&language) {
        errors.push(
            "language",
            format!("content exists in {} only for now", LANGUAGES.join(", ")),
        );
    }
    let title = title.trim();
    if title.is_empty() {
        errors.push("title", "must not be empty");
    } else if title.chars().count() > TITLE_MAX_CHARS {
        errors.push(
            "title",
            format!("keep it under {TITLE_MAX_CHARS} characters"),
        );
    }
    let required = required_topics(key);
    let allowed: Vec<Topic> = default_content(key, "en")
        .sections
        .iter()
        .map(|s| s.topic)
        .collect();
    let mut kept: Vec<ContentSection> = Vec::new();
    for s in sections {
        let (heading, body) = (s.heading.trim(), s.body.trim());
        let field = |f: &str| format!("{}.{f}", s.topic);
        if !allowed.contains(&s.topic) {
            errors.push(
                field("body"),
                format!("'{}' is not a topic of {key}", s.topic),
            );
            continue;
        }
        if kept.iter().any(|k| k.topic == s.topic) {
            errors.push(field("body"), "this topic appears twice");
            continue;
        }
        let is_required = required.contains(&s.topic);
        if heading.is_empty() && body.is_empty() && !is_required {
            continue;
        }
        if heading.is_empty() {
            errors.push(field("heading"), "must not be empty");
        }
        if body.is_empty() {
            let message = if is_required {
                format!(
                    "required: patients must be told {}; this topic cannot be removed",
                    topic_purpose(s.topic)
                )
            } else {
                "must not be empty (empty the heading too to leave the topic out)".to_owned()
            };
            errors.push(field("body"), message);
        } else if body.chars().count() > BODY_MAX_CHARS {
            errors.push(
                field("body"),
                format!("keep it under {BODY_MAX_CHARS} characters"),
            );
        }
        for w in required_words(s.topic) {
            if !body.is_empty() && !body.contains(w) {
                errors.push(
                    field("body"),
                    format!("must still give {w}: patients rely on it"),
                );
            }
        }
        kept.push(ContentSection {
            topic: s.topic,
            heading: heading.to_owned(),
            body: body.to_owned(),
        });
    }
    for topic in required {
        let field = format!("{topic}.body");
        if !kept.iter().any(|k| k.topic == *topic)
            && !errors.errors.iter().any(|e| e.field == field)
        {
            errors.push(
                field,
                format!(
                    "required: patients must be told {}; this topic cannot be removed",
                    topic_purpose(*topic)
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let edit = EditedContent {
        key,
        language: language.to_owned(),
        title: title.to_owned(),
        sections: kept,
        edited_on: today,
    };
    let warnings = reading_warnings(&edit.language, &edit.sections);
    Ok((edit, warnings))
}

/// The reading-level warning of an English text (other languages are not measured: the
/// formula is for English).
fn reading_warnings(language: &str, sections: &[ContentSection]) -> Vec<String> {
    if language != "en" {
        return Vec::new();
    }
    let text = sections
        .iter()
        .map(|s| s.body.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    match flesch_kincaid_grade(&text) {
        Some(g) if g >= WARN_GRADE => vec![format!(
            "This text reads at grade {g:.1}, above 8th grade: aim for grade 6 to 8 with \
             shorter sentences and common words. It was saved; many patients will find it hard."
        )],
        _ => Vec::new(),
    }
}

impl EditedContent {
    pub fn to_content(&self) -> PatientContent {
        let default = default_content(self.key, &self.language);
        let text = self
            .sections
            .iter()
            .map(|s| s.body.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        PatientContent {
            key: self.key,
            language: self.language.clone(),
            title: self.title.clone(),
            sections: self.sections.clone(),
            sources: default.sources,
            reading_grade: flesch_kincaid_grade(&text),
        }
    }
}

/// Every content item in `language` as the practice shows it: its own edit where it made one,
/// the default text otherwise.
pub fn practice_content(edits: &[EditedContent], language: &str) -> Vec<ContentView> {
    patient_content(language)
        .into_iter()
        .map(|default| {
            match edits
                .iter()
                .find(|e| e.key == default.key && e.language == default.language)
            {
                Some(e) => ContentView {
                    content: e.to_content(),
                    edited_on: Some(e.edited_on),
                    warnings: reading_warnings(&e.language, &e.sections),
                },
                None => ContentView {
                    content: default,
                    edited_on: None,
                    warnings: Vec::new(),
                },
            }
        })
        .collect()
}

/// Every stored edit passes `check_edit`, one per item and language; fields are named
/// `patient_content[i].…` as in the plan.
pub fn validate_edits(edits: &[EditedContent]) -> Result<(), ValidationError> {
    let mut errors = ValidationError::new();
    for (i, e) in edits.iter().enumerate() {
        if edits[..i]
            .iter()
            .any(|x| x.key == e.key && x.language == e.language)
        {
            errors.push(
                format!("patient_content[{i}].key"),
                "edited twice in the same language",
            );
        }
        if let Err(v) = check_edit(
            e.key,
            &e.language,
            &e.title,
            e.sections.clone(),
            e.edited_on,
        ) {
            errors
                .errors
                .extend(v.nested(&format!("patient_content[{i}]")).errors);
        }
    }
    errors.into_result()
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

    const TODAY: time::Date = time::macros::date!(2026 - 11 - 27);

    fn fields(e: ValidationError) -> Vec<String> {
        e.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn the_defaults_pass_the_edit_check_without_warnings() {
        for c in patient_content("en") {
            let (edit, warnings) =
                check_edit(c.key, "en", &c.title, c.sections.clone(), TODAY).unwrap();
            assert!(warnings.is_empty(), "{}: {warnings:?}", c.key);
            assert_eq!(edit.to_content().sections, c.sections);
        }
    }

    #[test]
    fn required_topics_and_the_crisis_numbers_cannot_be_edited_away() {
        let crisis = default_content(ContentKey::CrisisResources, "en");
        let mut sections = crisis.sections.clone();
        for s in &mut sections {
            match s.topic {
                Topic::Lifeline988 => s.body = "Call the lifeline.".into(),
                Topic::Emergency => s.body = String::new(),
                _ => {}
            }
        }
        let e = check_edit(ContentKey::CrisisResources, "en", "Help", sections, TODAY).unwrap_err();
        assert_eq!(fields(e), ["lifeline_988.body", "emergency.body"]);

        // Leaving the right to stop out of the consent conversation is refused by name.
        let consent = default_content(ContentKey::ConsentConversation, "en");
        let without: Vec<ContentSection> = consent
            .sections
            .into_iter()
            .filter(|s| s.topic != Topic::RightToStop)
            .collect();
        let e = check_edit(
            ContentKey::ConsentConversation,
            "en",
            "Consent",
            without,
            TODAY,
        )
        .unwrap_err();
        assert_eq!(e.errors[0].field, "right_to_stop.body");
        assert!(e.errors[0].message.contains("stop at any time"));
    }

    #[test]
    fn an_optional_topic_may_be_left_out_and_foreign_topics_are_refused() {
        let crisis = default_content(ContentKey::CrisisResources, "en");
        assert!(crisis.sections.iter().any(|s| s.topic == Topic::MoreLines));
        let mut sections = crisis.sections.clone();
        for s in &mut sections {
            if s.topic == Topic::MoreLines {
                s.heading.clear();
                s.body.clear();
            }
        }
        let (edit, _) = check_edit(
            ContentKey::CrisisResources,
            "en",
            "Help now",
            sections,
            TODAY,
        )
        .unwrap();
        assert!(edit.sections.iter().all(|s| s.topic != Topic::MoreLines));
        assert_eq!(edit.title, "Help now");

        let mut sections = crisis.sections.clone();
        sections.push(ContentSection {
            topic: Topic::Cost,
            heading: "Cost".into(),
            body: "Free.".into(),
        });
        sections.push(sections[0].clone());
        let e = check_edit(ContentKey::CrisisResources, "fr", " ", sections, TODAY).unwrap_err();
        assert_eq!(
            fields(e),
            [
                "language",
                "title",
                "cost.body",
                &format!("{}.body", crisis.sections[0].topic)
            ]
        );
    }

    #[test]
    fn hard_english_is_saved_with_a_warning() {
        let why = default_content(ContentKey::WhyAndHow, "en");
        let mut sections = why.sections.clone();
        let hard = "Comprehensive interdisciplinary collaboration facilitates \
            individualized psychotherapeutic interventions, pharmacological optimization \
            and longitudinal measurement-based evaluation of symptomatology.";
        for s in &mut sections {
            s.body = hard.into();
        }
        let (edit, warnings) =
            check_edit(ContentKey::WhyAndHow, "en", &why.title, sections, TODAY).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("above 8th grade"), "{warnings:?}");
        let shown = practice_content(std::slice::from_ref(&edit), "en");
        let item = shown
            .iter()
            .find(|c| c.content.key == ContentKey::WhyAndHow)
            .unwrap();
        assert_eq!(item.edited_on, Some(TODAY));
        assert_eq!(item.warnings, warnings);
        assert!(item.content.reading_grade.unwrap() >= WARN_GRADE);
        // The other items keep their default text.
        assert!(
            shown.iter().filter(|c| c.edited_on.is_none()).count() == ContentKey::ALL.len() - 1
        );
        // Two edits of one item in one language are refused when stored.
        let e = validate_edits(&[edit.clone(), edit]).unwrap_err();
        assert_eq!(fields(e), ["patient_content[1].key"]);
    }
}
