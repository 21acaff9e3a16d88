//! The demo practice: "Riverside Family Medicine", two sites, one account per role, and about
//! 150 patients with ten months of history before `today`, written through the store's public
//! operations exactly as the staff would have entered it (so every record is audited and the
//! registry's derived facts are those of the normal write path).
//!
//! The same seed and `today` give the same practice. Whatever `today` is, the registry on
//! `today` shows every flag on a care manager's caseload and every reason on the case-review
//! list (`tests/demo.rs` checks it on both engines).

mod community;
mod plan;
mod run;
mod staff;
mod text;

pub use staff::{
    ADMIN, BILLING, CM_NGUYEN, CM_RIVERA, DEMO_DOMAIN, DEMO_USERS, DR_LINDQVIST, DR_OKAFOR,
    DR_PATEL, DemoUser, FRONT_DESK, MA, NP_BROOKS, PSYCHIATRIST,
};

use crate::SynthError;
use plan::Calendar;
use stepwise_domain::ids::PracticeId;
use stepwise_domain::role::Role;
use stepwise_store::Store;
use stepwise_store::model::{Ctx, NewUser};
use time::{Date, OffsetDateTime};

/// The demo practice's name and time zone.
pub const DEMO_PRACTICE: &str = "Riverside Family Medicine";
pub const DEMO_TIME_ZONE: &str = "America/New_York";

/// The seed of the demo everyone sees.
pub const DEFAULT_SEED: u64 = 20_260_401;

/// What to seed. `today` and `now` are the caller's clock (the practice's date and the
/// instant); nothing in the demo is dated after `today`.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub today: Date,
    pub now: OffsetDateTime,
    /// One Argon2 PHC string, used for every demo account; the caller hashes the password
    /// it will print.
    pub password_hash: String,
}

impl DemoOptions {
    /// The default seed, on the caller's clock.
    pub fn new(today: Date, now: OffsetDateTime, password_hash: impl Into<String>) -> Self {
        Self {
            seed: DEFAULT_SEED,
            today,
            now,
            password_hash: password_hash.into(),
        }
    }
}

/// The seeded practice and its accounts: `(email, display name, roles)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPractice {
    pub practice: PracticeId,
    pub users: Vec<(String, String, Vec<Role>)>,
}

/// Seed the demo practice into `store`. Account emails are unique on a server, so a store
/// holds one demo practice: seed a fresh database.
pub async fn seed_demo(store: &Store, opts: &DemoOptions) -> Result<DemoPractice, SynthError> {
    if opts.password_hash.trim().is_empty() {
        return Err(SynthError::Options(
            "the demo accounts need a password hash".into(),
        ));
    }
    let cal = Calendar::new(opts.today);
    let plans = plan::plans(opts.seed, &cal);
    let created_at = cal
        .start
        .with_time(time::Time::MIDNIGHT)
        .assume_utc()
        .min(opts.now);
    let practice = store
        .create_practice(DEMO_PRACTICE, DEMO_TIME_ZONE, created_at, "demo")
        .await?;
    let mut setup = Ctx {
        practice: practice.id,
        user: None,
        role: None,
        request_id: "demo-setup".into(),
        source: "demo".into(),
        now: created_at,
        today: cal.start,
    };
    let mut users = Vec::with_capacity(DEMO_USERS.len());
    for u in DEMO_USERS {
        let created = store
            .create_user(
                &setup,
                NewUser {
                    email: u.email.into(),
                    display_name: u.display_name.into(),
                    password_hash: Some(opts.password_hash.clone()),
                    roles: u.roles.to_vec(),
                    npi: u.npi.map(str::to_owned),
                },
            )
            .await?;
        if users.is_empty() {
            // The first account, the administrator, sets up the rest of the practice.
            setup.user = Some(created.id);
            setup.role = Some(Role::PracticeAdmin);
        }
        users.push(created.id);
    }
    // The demo's users sign in with the printed password alone (one command, no phone); the
    // practice is marked so, and every page says so. No other practice can be marked.
    store.set_demo_mfa_relaxed(&setup, true).await?;
    let mut sites = Vec::new();
    for name in staff::SITES {
        sites.push(store.create_site(&setup, name).await?.id);
    }
    let ctx = run::Practice {
        id: practice.id,
        users,
        sites,
        settings: practice.settings.registry.clone(),
    };
    run::Runner::new(store, &ctx, &plans, cal, opts.now, opts.seed)
        .run()
        .await?;
    Ok(DemoPractice {
        practice: practice.id,
        users: DEMO_USERS
            .iter()
            .map(|u| {
                (
                    u.email.to_owned(),
                    u.display_name.to_owned(),
                    u.roles.to_vec(),
                )
            })
            .collect(),
    })
}
