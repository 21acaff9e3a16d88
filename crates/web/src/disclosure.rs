//! What a reader sees of a patient's labelled records: psychotherapy notes and 42 CFR Part 2
//! records narrowed by `domain::sensitivity::visibility`, in every page and API answer that
//! lists contacts or assessments. Part 2 records carry their redisclosure notice from the store.

use crate::access::{Authenticated, Key, OnRecord, Op};
use crate::error::ApiError;
use crate::state::AppState;
use stepwise_domain::access::Relation;
use stepwise_domain::ids::{PatientId, PracticeId, UserId};
use stepwise_domain::role::Role;
use stepwise_domain::sensitivity::{Reader, RecordLabel, Visibility, may_correct, visibility};
use stepwise_store::RecordRef;
use stepwise_store::model::{Assessment, Contact};

/// The signed-in user as a reader of one patient's labelled records.
#[derive(Debug, Clone)]
pub struct Viewer {
    practice: PracticeId,
    user: UserId,
    roles: Vec<Role>,
    relation: Relation,
    part2_consent: bool,
}

/// Records shown, and how many were left out.
#[derive(Debug, Clone)]
pub struct Shown<T> {
    pub items: Vec<T>,
    /// Part 2 records this reader may not see: counted, never listed.
    pub withheld: usize,
}

impl<T> Shown<T> {
    /// What `show` keeps of `list`, and how many it left out.
    fn of(list: Vec<T>, show: impl FnMut(T) -> Option<T>) -> Self {
        let n = list.len();
        let items: Vec<T> = list.into_iter().filter_map(show).collect();
        Shown {
            withheld: n - items.len(),
            items,
        }
    }
}

impl Viewer {
    /// The reader of `on`'s patient: their roles, relationship (break-glass included) and
    /// whether the patient's Part 2 consent is in force today.
    pub async fn of<K: Key, O: Op>(
        state: &AppState,
        on: &OnRecord<K, O>,
    ) -> Result<Viewer, ApiError> {
        Self::for_patient(state, &on.auth, on.patient, on.relation).await
    }

    /// The signed-in user as a reader of `patient`'s records, related to them by `relation`.
    pub async fn for_patient(
        state: &AppState,
        auth: &Authenticated,
        patient: PatientId,
        relation: Relation,
    ) -> Result<Viewer, ApiError> {
        let part2_consent = state
            .store
            .part2_consent_in_force(auth.user.practice, patient, auth.today)
            .await?;
        Ok(Viewer {
            practice: auth.user.practice,
            user: auth.user.id,
            roles: auth.user.roles.clone(),
            relation,
            part2_consent,
        })
    }

    /// The most any of the user's roles sees of a record.
    pub fn sees(&self, label: RecordLabel, author: UserId) -> Visibility {
        self.roles
            .iter()
            .map(|&role| {
                visibility(
                    label,
                    Reader {
                        role,
                        relation: self.relation,
                        author: author == self.user,
                        part2_consent: self.part2_consent,
                    },
                )
            })
            .max()
            .unwrap_or(Visibility::Withheld)
    }

    /// Whether the user may mark a record entered-in-error (`domain::sensitivity::may_correct`).
    pub fn may_correct(&self, label: RecordLabel, author: UserId) -> bool {
        may_correct(label, author == self.user, self.sees(label, author))
    }

    /// Refuse, as not found, a correction of a labelled record the user may not see.
    pub async fn check_correct(&self, state: &AppState, record: RecordRef) -> Result<(), ApiError> {
        let practice = self.practice;
        match state.store.record_label(practice, record).await? {
            Some((label, author)) if self.may_correct(label, author) => Ok(()),
            _ => Err(ApiError::NotFound),
        }
    }

    pub fn contact(&self, mut c: Contact) -> Option<Contact> {
        match self.sees(c.details.label, c.staff) {
            Visibility::Full => Some(c),
            Visibility::WithoutNote => {
                c.details.note = None;
                Some(c)
            }
            Visibility::Withheld => None,
        }
    }

    pub fn contacts(&self, list: Vec<Contact>) -> Shown<Contact> {
        Shown::of(list, |c| self.contact(c))
    }

    pub fn assessment(&self, a: Assessment) -> Option<Assessment> {
        (self.sees(a.label, a.administered_by) == Visibility::Full).then_some(a)
    }

    pub fn assessments(&self, list: Vec<Assessment>) -> Shown<Assessment> {
        Shown::of(list, |a| self.assessment(a))
    }
}
