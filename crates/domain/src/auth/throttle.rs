//! Slowing down password guessing without a sleep: after a few failures each further attempt
//! must wait a growing interval after the last failure, and enough failures lock sign-in for a
//! while. An attempt made too early is refused like a wrong password, so an attacker learns
//! nothing, and it is not counted, so a locked account is not locked for longer by the noise.
//!
//! OWASP ASVS 5.0 V6.3.1 (anti-automation without malicious lockout) and ASVS 4.0 V2.2.1 (no
//! more than 100 failed attempts per hour on one account): with the account policy below at
//! most 5 failures fit in 15 minutes, 20 an hour.

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before attempts are spaced out.
    pub free: u32,
    /// The first forced wait; it doubles with every further failure.
    pub first_delay: Duration,
    /// The longest forced wait.
    pub max_delay: Duration,
    /// Failures that lock sign-in.
    pub lock_after: u32,
    /// How long a lock lasts.
    pub lock_for: Duration,
}

/// Per account (stored with the account, so a restart does not lift a lock).
pub const ACCOUNT: Policy = Policy {
    free: 2,
    first_delay: Duration::seconds(2),
    max_delay: Duration::seconds(30),
    lock_after: 5,
    lock_for: Duration::minutes(15),
};

/// Per client address (kept in memory): one address may try many accounts.
pub const ADDRESS: Policy = Policy {
    free: 10,
    first_delay: Duration::seconds(1),
    max_delay: Duration::seconds(60),
    lock_after: 30,
    lock_for: Duration::minutes(15),
};

/// The failures recorded for one account or address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Consecutive failures since the last success or lock expiry.
    pub count: u32,
    pub last_at: Option<OffsetDateTime>,
    pub locked_until: Option<OffsetDateTime>,
}

impl Policy {
    /// The wait forced after `count` failures.
    pub fn delay(&self, count: u32) -> Duration {
        if count <= self.free {
            return Duration::ZERO;
        }
        let doublings = (count - self.free - 1).min(16);
        let d = self.first_delay * 2i32.pow(doublings);
        d.min(self.max_delay)
    }

    /// The instant before which an attempt is refused, if any.
    pub fn refused_until(&self, f: &Failures, now: OffsetDateTime) -> Option<OffsetDateTime> {
        if let Some(until) = f.locked_until
            && now < until
        {
            return Some(until);
        }
        let live = self.live(f, now);
        let until = live.last_at? + self.delay(live.count);
        (now < until).then_some(until)
    }

    /// Failures as they stand at `now`: a lock that has run out starts the count afresh.
    pub fn live(&self, f: &Failures, now: OffsetDateTime) -> Failures {
        match f.locked_until {
            Some(until) if now >= until => Failures::default(),
            _ => *f,
        }
    }

    /// Record a failure at `now`; the new state, and whether this failure locked sign-in.
    pub fn fail(&self, f: &Failures, now: OffsetDateTime) -> (Failures, bool) {
        let live = self.live(f, now);
        let count = live.count.saturating_add(1);
        let locks = count >= self.lock_after && live.locked_until.is_none();
        (
            Failures {
                count,
                last_at: Some(now),
                locked_until: if locks {
                    Some(now + self.lock_for)
                } else {
                    live.locked_until
                },
            },
            locks,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-27 12:00 UTC);

    #[test]
    fn delays_grow_then_lock_then_unlock() {
        let p = ACCOUNT;
        let mut f = Failures::default();
        let mut now = T0;
        assert_eq!(p.refused_until(&f, now), None);
        // Two free failures.
        for _ in 0..2 {
            (f, _) = p.fail(&f, now);
            assert_eq!(p.refused_until(&f, now), None);
        }
        // The third: 2 s to wait; the fourth: 4 s.
        let (f3, locked) = p.fail(&f, now);
        assert!(!locked);
        assert_eq!(p.refused_until(&f3, now), Some(now + Duration::seconds(2)));
        now += Duration::seconds(2);
        assert_eq!(p.refused_until(&f3, now), None);
        let (f4, _) = p.fail(&f3, now);
        assert_eq!(p.delay(4), Duration::seconds(4));
        now += Duration::seconds(4);
        // The fifth locks for 15 minutes.
        let (f5, locked) = p.fail(&f4, now);
        assert!(locked);
        assert_eq!(
            p.refused_until(&f5, now + Duration::minutes(14)),
            Some(now + Duration::minutes(15))
        );
        // The lock runs out and the count starts afresh.
        let later = now + Duration::minutes(15);
        assert_eq!(p.refused_until(&f5, later), None);
        let (f6, locked) = p.fail(&f5, later);
        assert!(!locked);
        assert_eq!(f6.count, 1);
    }

    #[test]
    fn delay_is_capped() {
        assert_eq!(ADDRESS.delay(10), Duration::ZERO);
        assert_eq!(ADDRESS.delay(11), Duration::seconds(1));
        assert_eq!(ADDRESS.delay(29), Duration::seconds(60));
        assert_eq!(ADDRESS.delay(u32::MAX), Duration::seconds(60));
    }
}
