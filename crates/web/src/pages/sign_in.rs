//! Signing in and out. Unknown account, wrong password and disabled account get the same
//! answer, in about the same time.

use super::render;
use crate::access::{Authenticated, RequestMeta};
use crate::auth::{
    DUMMY_HASH, clear_cookie, new_secret, secret_hash, session_cookie, verify_password,
};
use crate::error::ApiError;
use crate::state::{AppState, local_date};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stepwise_domain::audit::{AuditAction, AuditCategory, AuditOutcome};
use stepwise_store::model::Ctx;
use stepwise_store::{AuditEvent, NO_PRACTICE};

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    error: Option<&'static str>,
    email: String,
    demo: Option<(String, Vec<(String, String)>)>,
}

fn page(state: &AppState, error: Option<&'static str>, email: String) -> Response {
    let demo = state
        .config
        .demo
        .as_ref()
        .map(|d| (d.password.clone(), d.users.clone()));
    render(&SignInPage { error, email, demo })
}

pub async fn form(State(state): State<AppState>) -> Response {
    page(&state, None, String::new())
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
}

const FAILED: &str = "The email or password is not correct.";

pub async fn submit(
    State(state): State<AppState>,
    meta: RequestMeta,
    Form(f): Form<SignInForm>,
) -> Response {
    let account = match state.store.user_for_sign_in(&f.email).await {
        Ok(a) => a,
        Err(e) => return super::error_page(e.into()),
    };
    let (user, hash) = match account {
        Some((u, Some(h))) if !u.disabled => (Some(u), h),
        Some((u, _)) => (Some(u), DUMMY_HASH.clone()),
        None => (None, DUMMY_HASH.clone()),
    };
    let password = f.password.clone();
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let now = state.clock.now();
    let Some(user) = user.filter(|u| verified && !u.disabled) else {
        let practice = user_practice(&state, &f.email).await;
        let ev = AuditEvent {
            practice: practice.unwrap_or(NO_PRACTICE),
            at: now,
            user: None,
            role: None,
            patient: None,
            action: AuditAction::SignInFailed,
            category: AuditCategory::Authentication,
            outcome: AuditOutcome::Failed,
            request_id: meta.request_id.clone(),
            source: meta.source.clone(),
            detail: String::new(),
        };
        if let Err(e) = state.store.audit(ev).await {
            return super::error_page(e.into());
        }
        return page(&state, Some(FAILED), f.email.trim().to_owned());
    };
    let practice = match state.practice(user.practice).await {
        Ok(p) => p,
        Err(e) => return super::error_page(e.into()),
    };
    let ctx = Ctx {
        practice: user.practice,
        user: Some(user.id),
        role: None,
        request_id: meta.request_id,
        source: meta.source,
        now,
        today: local_date(now, &practice.time_zone),
    };
    // A fresh session id at every sign-in: an id planted before sign-in is worthless.
    let sid = new_secret();
    if let Err(e) = state
        .store
        .create_session(&ctx, &secret_hash(&sid), state.config.session)
        .await
    {
        return super::error_page(e.into());
    }
    let cookie = session_cookie(
        state.config.secure_cookies,
        &sid,
        state.config.session.absolute.whole_seconds(),
    );
    with_cookie(Redirect::to("/").into_response(), &cookie)
}

/// The practice of an email's account, for the audit trail of a failed sign-in.
async fn user_practice(state: &AppState, email: &str) -> Option<stepwise_domain::ids::PracticeId> {
    state
        .store
        .user_for_sign_in(email)
        .await
        .ok()
        .flatten()
        .map(|(u, _)| u.practice)
}

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn sign_out(State(state): State<AppState>, auth: Authenticated) -> Response {
    if let Some(hash) = &auth.session_hash
        && let Err(e) = state.store.end_session(&auth.ctx(None), hash).await
    {
        return super::error_page(ApiError::from(e));
    }
    with_cookie(
        Redirect::to("/sign-in").into_response(),
        &clear_cookie(state.config.secure_cookies),
    )
}
