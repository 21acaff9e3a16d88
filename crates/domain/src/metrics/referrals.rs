//! Referral metrics: scheduled and attended (reference §5.1 M11) and loop closure (§6.4).

use super::input::Period;
use super::result::count;
use crate::referral::{Referral, ReferralState};

/// (referrals that reached `state` by the period's end, referrals first sent in the period).
pub fn reached<'a>(
    referrals: impl IntoIterator<Item = &'a Referral>,
    period: Period,
    state: ReferralState,
) -> (u32, u32) {
    count(
        referrals,
        |r| {
            r.first_reached(ReferralState::Sent)
                .is_some_and(|at| period.contains(at.date()))
        },
        |r| {
            r.first_reached(state)
                .is_some_and(|at| at.date() <= period.to())
        },
    )
}
