//! The demo practice's staff: one account per role, all fictitious. Every account gets the
//! password whose hash the caller passes in `DemoOptions::password_hash`.

use stepwise_domain::role::Role;

/// The email domain of every demo account (`.test` is reserved for testing, RFC 2606).
pub const DEMO_DOMAIN: &str = "demo.stepwise.test";

/// Practice administrator (Dana Whitfield): users, settings, the plan.
pub const ADMIN: &str = "admin.whitfield@demo.stepwise.test";
/// Treating practitioner (Chidi Okafor, MD) at the Main Street site.
pub const DR_OKAFOR: &str = "dr.okafor@demo.stepwise.test";
/// Treating practitioner (Anna Lindqvist, DO) at the Main Street site.
pub const DR_LINDQVIST: &str = "dr.lindqvist@demo.stepwise.test";
/// Treating practitioner (Priya Patel, MD) at the Eastgate site.
pub const DR_PATEL: &str = "dr.patel@demo.stepwise.test";
/// Treating practitioner (Jordan Brooks, FNP-C) at the Eastgate site.
pub const NP_BROOKS: &str = "np.brooks@demo.stepwise.test";
/// Behavioral health care manager (Sofia Rivera, LCSW), mostly for the Main Street patients.
pub const CM_RIVERA: &str = "cm.rivera@demo.stepwise.test";
/// Behavioral health care manager (Thomas Nguyen, RN), mostly for the Eastgate patients.
pub const CM_NGUYEN: &str = "cm.nguyen@demo.stepwise.test";
/// Consulting psychiatrist (Leila Haddad, MD): the case review, every Wednesday.
pub const PSYCHIATRIST: &str = "psych.haddad@demo.stepwise.test";
/// Medical assistant (Keisha Johnson, CMA): screening at rooming, outreach calls.
pub const MA: &str = "ma.johnson@demo.stepwise.test";
/// Front desk (Ryan Murphy): registration.
pub const FRONT_DESK: &str = "desk.murphy@demo.stepwise.test";
/// Billing (Grace Chen).
pub const BILLING: &str = "billing.chen@demo.stepwise.test";

/// A demo account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoUser {
    pub email: &'static str,
    pub display_name: &'static str,
    pub roles: &'static [Role],
    /// A fictitious 10-digit NPI with a valid check digit, for the practitioners.
    pub npi: Option<&'static str>,
}

/// Every demo account, in the order they are created.
pub const DEMO_USERS: [DemoUser; 11] = [
    DemoUser {
        email: ADMIN,
        display_name: "Dana Whitfield",
        roles: &[Role::PracticeAdmin],
        npi: None,
    },
    DemoUser {
        email: DR_OKAFOR,
        display_name: "Chidi Okafor, MD",
        roles: &[Role::TreatingPractitioner],
        npi: Some("1648293011"),
    },
    DemoUser {
        email: DR_LINDQVIST,
        display_name: "Anna Lindqvist, DO",
        roles: &[Role::TreatingPractitioner],
        npi: Some("1759203841"),
    },
    DemoUser {
        email: DR_PATEL,
        display_name: "Priya Patel, MD",
        roles: &[Role::TreatingPractitioner],
        npi: Some("1382049579"),
    },
    DemoUser {
        email: NP_BROOKS,
        display_name: "Jordan Brooks, FNP-C",
        roles: &[Role::TreatingPractitioner],
        npi: Some("1928374655"),
    },
    DemoUser {
        email: CM_RIVERA,
        display_name: "Sofia Rivera, LCSW",
        roles: &[Role::CareManager],
        npi: None,
    },
    DemoUser {
        email: CM_NGUYEN,
        display_name: "Thomas Nguyen, RN",
        roles: &[Role::CareManager],
        npi: None,
    },
    DemoUser {
        email: PSYCHIATRIST,
        display_name: "Leila Haddad, MD",
        roles: &[Role::Psychiatrist],
        npi: Some("1456782030"),
    },
    DemoUser {
        email: MA,
        display_name: "Keisha Johnson, CMA",
        roles: &[Role::MaNurse],
        npi: None,
    },
    DemoUser {
        email: FRONT_DESK,
        display_name: "Ryan Murphy",
        roles: &[Role::FrontDesk],
        npi: None,
    },
    DemoUser {
        email: BILLING,
        display_name: "Grace Chen",
        roles: &[Role::Billing],
        npi: None,
    },
];

/// Indexes into [`DEMO_USERS`].
pub(super) const PRACTITIONERS: [usize; 4] = [1, 2, 3, 4];
/// Rivera (an LCSW, who also gives psychotherapy) first, then Nguyen.
pub(super) const CARE_MANAGERS: [usize; 2] = [5, 6];
pub(super) const PSYCHIATRIST_AT: usize = 7;
pub(super) const MA_AT: usize = 8;
pub(super) const FRONT_DESK_AT: usize = 9;

/// The two sites; practitioners 0–1 work at the first, 2–3 at the second.
pub(super) const SITES: [&str; 2] = ["Main Street Clinic", "Eastgate Clinic"];

#[cfg(test)]
mod tests {
    use super::*;

    /// The NPI check digit: Luhn over "80840" and the first nine digits (CMS NPI standard).
    fn npi_valid(npi: &str) -> bool {
        let digits: Vec<u32> = format!("80840{npi}")
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| {
                if i % 2 == 1 {
                    let x = d * 2;
                    if x > 9 { x - 9 } else { x }
                } else {
                    *d
                }
            })
            .sum();
        npi.len() == 10 && sum.is_multiple_of(10)
    }

    #[test]
    fn accounts_are_distinct_with_valid_npis_for_practitioners() {
        let mut emails: Vec<&str> = DEMO_USERS.iter().map(|u| u.email).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), DEMO_USERS.len());
        for u in DEMO_USERS {
            assert!(u.email.ends_with(DEMO_DOMAIN));
            assert_eq!(
                u.npi.is_some(),
                u.roles
                    .iter()
                    .any(|r| matches!(r, Role::TreatingPractitioner | Role::Psychiatrist)),
                "{}",
                u.email
            );
            if let Some(npi) = u.npi {
                assert!(npi_valid(npi), "{npi}");
            }
        }
        for role in Role::ALL {
            assert!(
                DEMO_USERS.iter().any(|u| u.roles.contains(role)),
                "{role:?}"
            );
        }
        for i in PRACTITIONERS {
            assert_eq!(DEMO_USERS[i].roles, [Role::TreatingPractitioner]);
        }
        for i in CARE_MANAGERS {
            assert_eq!(DEMO_USERS[i].roles, [Role::CareManager]);
        }
        assert_eq!(DEMO_USERS[PSYCHIATRIST_AT].roles, [Role::Psychiatrist]);
        assert_eq!(DEMO_USERS[MA_AT].roles, [Role::MaNurse]);
        assert_eq!(DEMO_USERS[FRONT_DESK_AT].roles, [Role::FrontDesk]);
    }
}
