//! What every handler shares: the store, the clock, the configuration.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use stepwise_domain::auth::throttle::{ADDRESS, Failures};
use stepwise_domain::ids::PracticeId;
use stepwise_store::model::Practice;
use stepwise_store::{SessionPolicy, Store};
use time::{Date, Duration, OffsetDateTime};

/// The source of "now". Rules never read the clock; handlers take the time from here, so tests
/// can set it.
pub trait Clock: Send + Sync + 'static {
    /// The current instant, in UTC, to the whole second (stored instants sort as text on
    /// SQLite only when they all have the same precision).
    fn now(&self) -> OffsetDateTime;
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that reads the wall clock
    fn now(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        now.replace_nanosecond(0).unwrap_or(now)
    }
}

/// A clock tests move by hand.
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(at: OffsetDateTime) -> Self {
        Self(Mutex::new(at))
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }

    pub fn set(&self, at: OffsetDateTime) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
}

impl ManualClock {
    /// The time the clock shows (what `Clock::now` returns), without naming the trait.
    pub fn now_for_tests(&self) -> OffsetDateTime {
        Clock::now(self)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// The civil date at `now` in an IANA time zone; UTC's date if the zone is unknown.
pub fn local_date(now: OffsetDateTime, time_zone: &str) -> Date {
    let local = jiff::tz::TimeZone::get(time_zone).ok().and_then(|tz| {
        jiff::Timestamp::from_second(now.unix_timestamp())
            .ok()
            .map(|ts| ts.to_zoned_datetime(tz).date())
    });
    local
        .and_then(|d| {
            let month = time::Month::try_from(d.month() as u8).ok()?;
            Date::from_calendar_date(d.year() as i32, month, d.day() as u8).ok()
        })
        .unwrap_or(now.date())
}

/// Whether an IANA time zone name is known.
pub fn is_time_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

/// Server settings that are not per practice.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub session: SessionPolicy,
    /// Users reach Stepwise over HTTPS (it serves TLS itself, or a TLS proxy is in front):
    /// cookies carry `Secure` and the `__Host-` prefix, and every response carries
    /// `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// The demo practice is running: pages say so, and the sign-in page lists the demo users.
    pub demo: Option<DemoNotice>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            session: SessionPolicy {
                idle: Duration::minutes(15),
                absolute: Duration::hours(12),
            },
            secure_cookies: false,
            demo: None,
        }
    }
}

/// The demo's sign-ins, shown on its sign-in page.
#[derive(Debug, Clone)]
pub struct DemoNotice {
    pub password: String,
    pub users: Vec<(String, String)>,
}

/// Sign-in failures per client address, in memory (domain::auth::throttle::ADDRESS). Kept
/// in memory rather than in the database: addresses are many and cheap to change, a restart
/// clearing them costs little, and the per-account state, which matters more, is stored.
#[derive(Default)]
pub struct AddressThrottle(Mutex<HashMap<String, Failures>>);

/// Addresses remembered at most; past that, entries whose failures are older than a lock
/// are dropped first.
const ADDRESSES_KEPT: usize = 10_000;

impl AddressThrottle {
    pub fn refused_until(&self, address: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let m = self.0.lock().ok()?;
        ADDRESS.refused_until(m.get(address)?, now)
    }

    pub fn fail(&self, address: &str, now: OffsetDateTime) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= ADDRESSES_KEPT {
                m.retain(|_, f| f.last_at.is_some_and(|t| now - t < ADDRESS.lock_for));
            }
            let before = m.get(address).copied().unwrap_or_default();
            m.insert(address.to_owned(), ADDRESS.fail(&before, now).0);
        }
    }
}

/// The shared state of the application. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    pub throttle: Arc<AddressThrottle>,
    practices: Arc<RwLock<HashMap<PracticeId, Arc<Practice>>>>,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        Self {
            store,
            clock,
            config: Arc::new(config),
            throttle: Arc::default(),
            practices: Arc::default(),
        }
    }

    /// A practice's record (time zone and settings), cached: only this process changes it.
    pub async fn practice(
        &self,
        id: PracticeId,
    ) -> Result<Arc<Practice>, stepwise_store::StoreError> {
        if let Some(p) = self.practices.read().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(p);
        }
        let p = Arc::new(self.store.practice(id).await?);
        if let Ok(mut m) = self.practices.write() {
            m.insert(id, p.clone());
        }
        Ok(p)
    }

    /// Forget a cached practice after its settings change.
    pub fn forget_practice(&self, id: PracticeId) {
        if let Ok(mut m) = self.practices.write() {
            m.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn local_date_uses_the_practice_zone() {
        // 03:30 UTC on 27 Nov is still 26 Nov in New York.
        let now = datetime!(2026-11-27 03:30 UTC);
        assert_eq!(local_date(now, "America/New_York"), date!(2026 - 11 - 26));
        assert_eq!(local_date(now, "Europe/Berlin"), date!(2026 - 11 - 27));
        assert_eq!(local_date(now, "Not/AZone"), date!(2026 - 11 - 27));
        assert!(is_time_zone("America/Chicago") && !is_time_zone("Mars/Base"));
    }
}
