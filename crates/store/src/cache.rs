//! Computed caseloads, kept while nothing they show has changed.
//!
//! A caseload is recomputed from every episode's facts; most requests for it come with nothing
//! changed since the last. Each entry remembers the practice's registry generation (bumped in
//! every transaction that changes an episode's facts or a patient's name or care team, see
//! `ops::registry::bump_registry_generation`), the date and the settings it was computed for;
//! a request with any of them different recomputes. The generation lives in the database, so a
//! change made by another process (the command line, a second server) is seen too.

use crate::model::CaseloadEntry;
use std::collections::HashMap;
use std::sync::Mutex;
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::registry::RegistrySettings;
use time::Date;

struct Entry {
    generation: i64,
    today: Date,
    settings: RegistrySettings,
    entries: Vec<CaseloadEntry>,
}

#[derive(Default)]
pub(crate) struct CaseloadCache {
    map: Mutex<HashMap<(PracticeId, UserId), Entry>>,
}

impl CaseloadCache {
    pub(crate) fn get(
        &self,
        key: (PracticeId, UserId),
        generation: i64,
        today: Date,
        settings: &RegistrySettings,
    ) -> Option<Vec<CaseloadEntry>> {
        let map = self.map.lock().ok()?;
        map.get(&key)
            .filter(|e| e.generation == generation && e.today == today && e.settings == *settings)
            .map(|e| e.entries.clone())
    }

    pub(crate) fn put(
        &self,
        key: (PracticeId, UserId),
        generation: i64,
        today: Date,
        settings: &RegistrySettings,
        entries: &[CaseloadEntry],
    ) {
        if let Ok(mut map) = self.map.lock() {
            map.insert(
                key,
                Entry {
                    generation,
                    today,
                    settings: settings.clone(),
                    entries: entries.to_vec(),
                },
            );
        }
    }
}
