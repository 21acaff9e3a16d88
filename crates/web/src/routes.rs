//! The route registry: every route with the access it declares. The router is built from it,
//! and so are the tests that walk every route.

use crate::state::AppState;
use axum::Router;
use axum::routing::MethodRouter;
use std::collections::BTreeMap;
use stepwise_domain::access::Operation;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, sign-in page, static assets, the OpenAPI document).
    Public,
    /// Any signed-in user; the handler shows only what is theirs or not patient data.
    SignedIn,
    /// A session between its password and its second factor (or its enrollment): the
    /// second-factor and enrollment steps and sign-out, nothing else.
    SignInStep,
    /// A practice-wide operation, allowed by role.
    Practice(Operation),
    /// An operation on one patient's record, allowed by role and relationship.
    Patient(Operation),
}

impl Access {
    /// Whether the route can return or change patient data.
    pub fn touches_phi(self) -> bool {
        match self {
            Access::Public | Access::SignedIn | Access::SignInStep => false,
            Access::Practice(op) => !matches!(
                op,
                Operation::Administer
                    | Operation::ReadDirectory
                    | Operation::ManageDirectory
                    | Operation::ReadPlan
                    | Operation::EditPlan
            ),
            Access::Patient(_) => true,
        }
    }
}

pub struct Entry {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub router: MethodRouter<AppState>,
}

impl Entry {
    pub fn new(
        method: &'static str,
        path: &'static str,
        access: Access,
        router: MethodRouter<AppState>,
    ) -> Self {
        Entry {
            method,
            path,
            access,
            router,
        }
    }
}

/// A route as the tests see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// Every route of the application.
pub fn all() -> Vec<Entry> {
    let mut v = crate::api::entries();
    v.extend(crate::pages::entries());
    v
}

pub fn table() -> Vec<RouteInfo> {
    all()
        .into_iter()
        .map(|e| RouteInfo {
            method: e.method,
            path: e.path,
            access: e.access,
        })
        .collect()
}

/// Build the router: entries of the same path share one method router.
pub fn build(entries: Vec<Entry>) -> Router<AppState> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for e in entries {
        let merged = match by_path.remove(e.path) {
            Some(existing) => existing.merge(e.router),
            None => e.router,
        };
        by_path.insert(e.path, merged);
    }
    by_path
        .into_iter()
        .fold(Router::new(), |r, (path, mr)| r.route(path, mr))
}
