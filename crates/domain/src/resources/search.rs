//! Finding resources: by words, category and language (reference bhi-planning.md §6.3: the
//! call list is "a view over the inventory").

use super::category::{MINIMUM_INVENTORY, ResourceCategory};
use super::model::{Resource, serves_language};
use serde::Deserialize;

/// A search of the directory. Every given criterion must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ResourceQuery {
    /// Words that must all appear (any case) in the names, description, eligibility, service
    /// area, city, notes or taxonomy code.
    pub text: Option<String>,
    pub category: Option<ResourceCategory>,
    /// A language code; `es` finds services in `es` and `es-MX`.
    pub language: Option<String>,
    /// Include inactive, defunct and temporarily closed services (default: active only).
    pub include_inactive: bool,
}

fn haystack(r: &Resource) -> String {
    let parts = [
        Some(r.organization_name.as_str()),
        r.organization_alternate_name.as_deref(),
        Some(r.service_name.as_str()),
        r.description.as_deref(),
        r.eligibility_description.as_deref(),
        r.service_area.as_deref(),
        r.city.as_deref(),
        r.notes.as_deref(),
        r.taxonomy_code.as_deref(),
    ];
    parts
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase()
}

impl ResourceQuery {
    pub fn matches(&self, r: &Resource) -> bool {
        if !self.include_inactive && !r.is_active() {
            return false;
        }
        if self.category.is_some_and(|c| !r.categories.contains(&c)) {
            return false;
        }
        if let Some(lang) = self.language.as_deref().filter(|l| !l.trim().is_empty())
            && !serves_language(r, lang)
        {
            return false;
        }
        let words: Vec<String> = self
            .text
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return true;
        }
        let text = haystack(r);
        words.iter().all(|w| text.contains(w.as_str()))
    }
}

/// The matching resources, crisis resources first, then by main category and name.
pub fn search<'a>(resources: &'a [Resource], query: &ResourceQuery) -> Vec<&'a Resource> {
    let mut found: Vec<&Resource> = resources.iter().filter(|r| query.matches(r)).collect();
    found.sort_by_cached_key(|r| {
        (
            !r.is_crisis(),
            r.categories.first().copied(),
            r.display_name().to_lowercase(),
        )
    });
    found
}

/// The categories of the minimum inventory (§6.1 [P]) that no active resource covers yet.
pub fn inventory_gaps(resources: &[Resource]) -> Vec<ResourceCategory> {
    MINIMUM_INVENTORY
        .iter()
        .copied()
        .filter(|c| {
            !resources
                .iter()
                .any(|r| r.is_active() && r.categories.contains(c))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::category::ServiceStatus;
    use crate::resources::seed::built_in_resources;

    fn directory() -> Vec<Resource> {
        let mut pantry = Resource::new(
            "Riverside Food Bank",
            "Emergency pantry",
            vec![ResourceCategory::Food],
        );
        pantry.languages = vec!["en".into(), "es-MX".into()];
        pantry.city = Some("Riverside".into());
        let mut shelter = Resource::new(
            "Hope House",
            "Family shelter",
            vec![ResourceCategory::Housing, ResourceCategory::Food],
        );
        shelter.languages = vec!["en".into()];
        shelter.description = Some("Beds and evening meals for families".into());
        let mut closed = Resource::new(
            "Old Clinic",
            "Counseling",
            vec![ResourceCategory::BehavioralHealth],
        );
        closed.status = ServiceStatus::Defunct;
        let mut all = vec![pantry, shelter, closed];
        all.extend(built_in_resources());
        all
    }

    fn names(found: &[&Resource]) -> Vec<String> {
        found.iter().map(|r| r.service_name.clone()).collect()
    }

    #[test]
    fn filters_by_category_language_and_every_word() {
        let d = directory();
        let food = ResourceQuery {
            category: Some(ResourceCategory::Food),
            ..Default::default()
        };
        // Ordered by main category (housing before food), then name.
        assert_eq!(
            names(&search(&d, &food)),
            ["Family shelter", "Emergency pantry"]
        );
        let spanish_food = ResourceQuery {
            language: Some("es".into()),
            ..food.clone()
        };
        assert_eq!(names(&search(&d, &spanish_food)), ["Emergency pantry"]);
        let words = ResourceQuery {
            text: Some("FAMILIES meals".into()),
            ..Default::default()
        };
        assert_eq!(names(&search(&d, &words)), ["Family shelter"]);
        let one_missing = ResourceQuery {
            text: Some("families pantry".into()),
            ..Default::default()
        };
        assert!(search(&d, &one_missing).is_empty());
    }

    #[test]
    fn inactive_only_on_request_and_crisis_first() {
        let d = directory();
        let counseling = ResourceQuery {
            text: Some("counseling".into()),
            ..Default::default()
        };
        assert!(search(&d, &counseling).is_empty());
        let with_inactive = ResourceQuery {
            include_inactive: true,
            ..counseling
        };
        assert_eq!(search(&d, &with_inactive).len(), 1);
        let all = search(&d, &ResourceQuery::default());
        assert!(all[0].is_crisis() && all[1].is_crisis());
        assert!(!all[2].is_crisis());
    }

    #[test]
    fn gaps_list_the_uncovered_minimum_categories() {
        let d = directory();
        let gaps = inventory_gaps(&d);
        assert!(!gaps.contains(&ResourceCategory::Crisis));
        assert!(!gaps.contains(&ResourceCategory::Food));
        assert!(!gaps.contains(&ResourceCategory::BehavioralHealth));
        // Without the built-in lines, the defunct clinic alone does not cover behavioral health.
        let local = &d[..3];
        assert!(inventory_gaps(local).contains(&ResourceCategory::BehavioralHealth));
        assert!(inventory_gaps(local).contains(&ResourceCategory::Crisis));
        assert!(gaps.contains(&ResourceCategory::Transportation));
        assert_eq!(inventory_gaps(&[]).len(), MINIMUM_INVENTORY.len());
    }
}
