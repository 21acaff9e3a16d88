//! The printable referral call list: a view over the directory, grouped by category with the
//! crisis lines pinned at the top (reference bhi-planning.md §6.3 [P]; the AMA workflow guide
//! asks who keeps "a referral list with contact information" [V]).

use super::category::ResourceCategory;
use super::model::{Resource, ResourceId};
use serde::Serialize;
use time::Date;

/// One row of the call list: the columns of §6.3, as text ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallListRow {
    pub resource_id: Option<ResourceId>,
    pub name: String,
    pub intake_phone: Option<String>,
    pub after_hours_phone: Option<String>,
    pub hours: String,
    pub referral_methods: Vec<String>,
    pub application_process: Option<String>,
    pub required_documents: Vec<String>,
    pub eligibility: Option<String>,
    pub payment_accepted: Vec<String>,
    pub languages: Vec<String>,
    pub telehealth: bool,
    pub wait_time: Option<String>,
    pub accepting_new_clients: Option<bool>,
    pub accepting_checked_on: Option<Date>,
    pub consent_before_sharing: bool,
    pub warm_transfer: bool,
    /// "Name, title, phone" of the named contact.
    pub contact: Option<String>,
    pub last_verified_on: Option<Date>,
    pub verified_by: Option<String>,
    /// The entry is due for re-verification on the list's date.
    pub reverification_due: bool,
    pub notes: Option<String>,
}

/// The rows of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallListGroup {
    pub category: ResourceCategory,
    pub label: &'static str,
    pub rows: Vec<CallListRow>,
}

/// The call list as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallList {
    pub as_of: Date,
    /// Categories in their fixed order (crisis first); empty categories are left out.
    pub groups: Vec<CallListGroup>,
}

fn row(r: &Resource, today: Date) -> CallListRow {
    let contact = [
        r.contact_name.as_deref(),
        r.contact_title.as_deref(),
        r.contact_phone.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    CallListRow {
        resource_id: r.id,
        name: r.display_name(),
        intake_phone: r.intake_phone.clone(),
        after_hours_phone: r.after_hours_phone.clone(),
        hours: match (r.hours.is_known(), &r.hours_note) {
            (true, Some(note)) => format!("{} ({note})", r.hours),
            (true, None) => r.hours.to_string(),
            (false, Some(note)) => note.clone(),
            (false, None) => String::new(),
        },
        referral_methods: r.referral_methods.iter().map(|m| m.to_string()).collect(),
        application_process: r.application_process.clone(),
        required_documents: r.required_documents.clone(),
        eligibility: r.eligibility_description.clone(),
        payment_accepted: r.payment_accepted.iter().map(|p| p.to_string()).collect(),
        languages: r.languages.clone(),
        telehealth: r.telehealth,
        wait_time: r.wait_time.clone(),
        accepting_new_clients: r.accepting_new_clients,
        accepting_checked_on: r.accepting_checked_on,
        consent_before_sharing: r.consent_before_sharing,
        warm_transfer: r.warm_transfer,
        contact: (!contact.is_empty()).then_some(contact),
        last_verified_on: r.last_verified_on,
        verified_by: r.verified_by.clone(),
        reverification_due: r.reverification_due(today),
        notes: r.notes.clone(),
    }
}

/// The call list of the active resources on `today`. A resource appears under each of its
/// categories (a shelter that serves meals is found under housing and under food); rows are
/// in name order within a category.
pub fn call_list(resources: &[Resource], today: Date) -> CallList {
    let groups = ResourceCategory::ALL
        .iter()
        .filter_map(|&category| {
            let mut members: Vec<&Resource> = resources
                .iter()
                .filter(|r| r.is_active() && r.categories.contains(&category))
                .collect();
            members.sort_by_cached_key(|r| r.display_name().to_lowercase());
            (!members.is_empty()).then(|| CallListGroup {
                category,
                label: category.label(),
                rows: members.into_iter().map(|r| row(r, today)).collect(),
            })
        })
        .collect();
    CallList {
        as_of: today,
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::category::ServiceStatus;
    use crate::resources::seed::{SEED_VERIFIED_ON, built_in_resources};
    use time::macros::date;

    #[test]
    fn crisis_first_each_category_once_inactive_left_out() {
        let mut shelter = Resource::new(
            "Hope House",
            "Family shelter",
            vec![ResourceCategory::Housing, ResourceCategory::Food],
        );
        shelter.contact_name = Some("Ana Ruiz".into());
        shelter.contact_phone = Some("555-0100".into());
        shelter.hours_note = Some("Intake by phone first".into());
        let mut closed = Resource::new("Old Pantry", "Pantry", vec![ResourceCategory::Food]);
        closed.status = ServiceStatus::Inactive;
        let mut all = vec![shelter, closed];
        all.extend(built_in_resources());

        let list = call_list(&all, date!(2027 - 06 - 01));
        let order: Vec<ResourceCategory> = list.groups.iter().map(|g| g.category).collect();
        assert_eq!(
            order,
            [
                ResourceCategory::Crisis,
                ResourceCategory::BehavioralHealth,
                ResourceCategory::SubstanceUse,
                ResourceCategory::Housing,
                ResourceCategory::Food,
                ResourceCategory::Veterans,
                ResourceCategory::InformationReferral,
            ]
        );
        let crisis = &list.groups[0];
        assert_eq!(crisis.rows.len(), 2);
        assert_eq!(crisis.rows[0].intake_phone.as_deref(), Some("988"));
        // Six months after the seed's verification date the lines are due for a check.
        assert!(crisis.rows[0].reverification_due);
        assert!(!call_list(&all, SEED_VERIFIED_ON).groups[0].rows[0].reverification_due);
        let food = &list.groups[4];
        assert_eq!(food.rows.len(), 1, "the inactive pantry is not listed");
        assert_eq!(food.rows[0].contact.as_deref(), Some("Ana Ruiz, 555-0100"));
        assert_eq!(food.rows[0].hours, "Intake by phone first");
        assert!(food.rows[0].reverification_due, "never verified");
        assert_eq!(list.groups[0].rows[0].hours, "24/7");
    }
}
