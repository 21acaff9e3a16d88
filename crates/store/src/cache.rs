//! Computed caseloads, kept while nothing they show has changed.
//!
//! A caseload is recomputed from every episode's facts; most requests for it come with nothing
//! changed since the last. Each entry remembers the practice's registry generation (bumped in
//! every transaction that changes an episode's facts or a patient's name or care team, see
//! `ops::registry::bump_registry_generation`), the date and the settings it was computed for;
//! a request with any of them different recomputes. The generation lives in the database, so a
//! change made by another process (the command line, a second server) is seen too.
//!
//! With the rows the entry keeps their JSON (as `GET /api/v1/caseload` answers it), made on
//! first use: the same key guards both, so the bytes never outlive the rows they were made of.

use crate::model::CaseloadEntry;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::registry::RegistrySettings;
use time::Date;

/// A computed caseload, shared by the requests that read it.
pub(crate) struct Caseload {
    pub(crate) entries: Vec<CaseloadEntry>,
    json: OnceLock<Arc<[u8]>>,
}

impl Caseload {
    pub(crate) fn new(entries: Vec<CaseloadEntry>) -> Self {
        Caseload {
            entries,
            json: OnceLock::new(),
        }
    }

    /// The rows as a JSON array, serialized once.
    pub(crate) fn json(&self) -> crate::Result<Arc<[u8]>> {
        if let Some(j) = self.json.get() {
            return Ok(j.clone());
        }
        let bytes: Arc<[u8]> = serde_json::to_vec(&self.entries)
            .map_err(|e| crate::StoreError::Corrupt(format!("caseload not serializable: {e}")))?
            .into();
        Ok(self.json.get_or_init(|| bytes).clone())
    }
}

struct Entry {
    generation: i64,
    today: Date,
    settings: RegistrySettings,
    caseload: Arc<Caseload>,
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
    ) -> Option<Arc<Caseload>> {
        let map = self.map.lock().ok()?;
        map.get(&key)
            .filter(|e| e.generation == generation && e.today == today && e.settings == *settings)
            .map(|e| e.caseload.clone())
    }

    pub(crate) fn put(
        &self,
        key: (PracticeId, UserId),
        generation: i64,
        today: Date,
        settings: &RegistrySettings,
        caseload: Arc<Caseload>,
    ) {
        if let Ok(mut map) = self.map.lock() {
            map.insert(
                key,
                Entry {
                    generation,
                    today,
                    settings: settings.clone(),
                    caseload,
                },
            );
        }
    }
}
