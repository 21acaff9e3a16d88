//! Signing in and out: the password, then the second factor (or its enrollment), and
//! re-authentication before privileged actions. Unknown account, wrong password, disabled
//! account and a throttled or locked account get the same answer (`crate::signin`).

use super::render;
use crate::access::{Authenticated, RequestMeta, SignInStep};
use crate::auth::{clear_cookie, new_secret, secret_hash, session_cookie};
use crate::error::ApiError;
use crate::mfa;
use crate::signin::{self, PasswordOutcome};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stepwise_store::model::{Credential, SessionStage};

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
const CODE_FAILED: &str = "The code is not correct, or was already used.";

/// The password step.
pub async fn submit(
    State(state): State<AppState>,
    meta: RequestMeta,
    Form(f): Form<SignInForm>,
) -> Response {
    let (user, stage) = match signin::password_step(&state, &meta, &f.email, &f.password).await {
        Ok(PasswordOutcome::Accepted(u, s)) => (u, s),
        Ok(PasswordOutcome::Refused) => {
            return page(&state, Some(FAILED), f.email.trim().to_owned());
        }
        Err(e) => return super::error_page(e),
    };
    let now = state.clock.now();
    let ctx = match signin::ctx_for(&state, &user, &meta, now).await {
        Ok(c) => c,
        Err(e) => return super::error_page(e),
    };
    // A fresh session id at every sign-in: an id planted before sign-in is worthless.
    let sid = new_secret();
    if let Err(e) = state
        .store
        .create_session(&ctx, &secret_hash(&sid), state.config.session, stage)
        .await
    {
        return super::error_page(e.into());
    }
    let next = match stage {
        SessionStage::Full => "/",
        SessionStage::SecondFactor => "/sign-in/second-factor",
        SessionStage::Enroll => "/mfa/enroll",
    };
    let cookie = session_cookie(
        state.config.secure_cookies,
        &sid,
        state.config.session.absolute.whole_seconds(),
    );
    with_cookie(Redirect::to(next).into_response(), &cookie)
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct CodePage {
    heading: &'static str,
    action: &'static str,
    ask_password: bool,
    ask_code: bool,
    next: String,
    error: Option<&'static str>,
}

fn code_page(error: Option<&'static str>) -> Response {
    render(&CodePage {
        heading: "Enter your second factor",
        action: "/sign-in/second-factor",
        ask_password: false,
        ask_code: true,
        next: String::new(),
        error,
    })
}

fn stage_of(step: &SignInStep) -> SessionStage {
    match step.0.credential {
        Credential::Session { stage, .. } => stage,
        Credential::Token(_) => SessionStage::Full,
    }
}

pub async fn second_factor_form(step: SignInStep) -> Response {
    match stage_of(&step) {
        SessionStage::SecondFactor => code_page(None),
        SessionStage::Enroll => Redirect::to("/mfa/enroll").into_response(),
        SessionStage::Full => Redirect::to("/").into_response(),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// The second-factor step: a TOTP code or a recovery code.
pub async fn second_factor_submit(
    State(state): State<AppState>,
    step: SignInStep,
    Form(f): Form<CodeForm>,
) -> Response {
    if stage_of(&step) != SessionStage::SecondFactor {
        return Redirect::to("/sign-in").into_response();
    }
    let auth = step.0;
    let now = state.clock.now();
    let allowed = signin::may_try(&state, auth.user.id, &auth.user.email, &auth.meta).await;
    let ctx = auth.ctx(None);
    let ok = allowed
        && match signin::second_factor_ok(&state, &ctx, &f.code).await {
            Ok(ok) => ok,
            Err(e) => return super::error_page(e),
        };
    if !ok {
        if let Err(e) = signin::fail(
            &state,
            &auth.meta,
            Some(&auth.user),
            now,
            !allowed,
            "second factor",
        )
        .await
        {
            return super::error_page(e);
        }
        return code_page(Some(CODE_FAILED));
    }
    complete(&state, &auth, "/").await
}

/// The pending session ends and a full one begins under a new id.
async fn complete(state: &AppState, auth: &Authenticated, next: &str) -> Response {
    let Some(pending) = &auth.session_hash else {
        return Redirect::to("/sign-in").into_response();
    };
    let sid = new_secret();
    if let Err(e) = state
        .store
        .complete_sign_in(
            &auth.ctx(None),
            pending,
            &secret_hash(&sid),
            state.config.session,
        )
        .await
    {
        return super::error_page(e.into());
    }
    let cookie = session_cookie(
        state.config.secure_cookies,
        &sid,
        state.config.session.absolute.whole_seconds(),
    );
    with_cookie(Redirect::to(next).into_response(), &cookie)
}

#[derive(Template)]
#[template(path = "enroll.html")]
struct EnrollPage {
    secret: String,
    uri: String,
    error: Option<&'static str>,
}

async fn enroll_page(
    state: &AppState,
    auth: &Authenticated,
    error: Option<&'static str>,
) -> Response {
    let existing = match state
        .store
        .totp_state(auth.user.practice, auth.user.id)
        .await
    {
        Ok(t) => t,
        Err(e) => return super::error_page(e.into()),
    };
    let secret = match existing {
        Some(t) if t.confirmed => return Redirect::to("/").into_response(),
        Some(t) => t.secret,
        None => {
            let s = mfa::new_secret();
            if let Err(e) = state.store.begin_totp_enrollment(&auth.ctx(None), &s).await {
                return super::error_page(e.into());
            }
            s
        }
    };
    render(&EnrollPage {
        uri: mfa::otpauth_uri(&secret, &auth.user.email),
        secret,
        error,
    })
}

/// Set up a TOTP second factor: after the password for a user without one, or (in the demo
/// practice) from a full session.
pub async fn enroll_form(State(state): State<AppState>, step: SignInStep) -> Response {
    if stage_of(&step) == SessionStage::SecondFactor {
        return Redirect::to("/sign-in/second-factor").into_response();
    }
    enroll_page(&state, &step.0, None).await
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    codes: Vec<String>,
}

pub async fn enroll_submit(
    State(state): State<AppState>,
    step: SignInStep,
    Form(f): Form<CodeForm>,
) -> Response {
    let stage = stage_of(&step);
    if stage == SessionStage::SecondFactor {
        return Redirect::to("/sign-in/second-factor").into_response();
    }
    let auth = step.0;
    let ctx = auth.ctx(None);
    let pending = match state
        .store
        .totp_state(auth.user.practice, auth.user.id)
        .await
    {
        Ok(Some(t)) if !t.confirmed => t,
        Ok(_) => return Redirect::to("/mfa/enroll").into_response(),
        Err(e) => return super::error_page(e.into()),
    };
    let Some(step_no) = mfa::check_code(&pending.secret, &f.code, ctx.now) else {
        return enroll_page(&state, &auth, Some(CODE_FAILED)).await;
    };
    let codes = mfa::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| mfa::recovery_hash(c)).collect();
    if let Err(e) = state
        .store
        .confirm_totp_enrollment(&ctx, step_no, &hashes)
        .await
    {
        return super::error_page(e.into());
    }
    let shown = render(&RecoveryCodesPage { codes });
    if stage == SessionStage::Full {
        return shown;
    }
    // Enrollment completes the sign-in: a new full session, and the codes shown once.
    let Some(pending_hash) = &auth.session_hash else {
        return Redirect::to("/sign-in").into_response();
    };
    let sid = new_secret();
    if let Err(e) = state
        .store
        .complete_sign_in(&ctx, pending_hash, &secret_hash(&sid), state.config.session)
        .await
    {
        return super::error_page(e.into());
    }
    let cookie = session_cookie(
        state.config.secure_cookies,
        &sid,
        state.config.session.absolute.whole_seconds(),
    );
    with_cookie(shown, &cookie)
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only a path of this site: never another origin (`//host`, `https:`) after re-authenticating.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

fn reauth_page(next: &str, ask_code: bool, error: Option<&'static str>) -> Response {
    render(&CodePage {
        heading: "Confirm it is you",
        action: "/reauth",
        ask_password: true,
        ask_code,
        next: safe_next(next),
        error,
    })
}

async fn asks_code(state: &AppState, auth: &Authenticated) -> bool {
    !matches!(
        state
            .store
            .totp_state(auth.user.practice, auth.user.id)
            .await,
        Ok(None)
    )
}

/// Re-authentication for privileged actions: password and second factor.
pub async fn reauth_form(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(q): Query<NextQuery>,
) -> Response {
    let ask = asks_code(&state, &auth).await;
    reauth_page(&q.next, ask, None)
}

#[derive(Deserialize)]
pub struct ReauthForm {
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn reauth_submit(
    State(state): State<AppState>,
    auth: Authenticated,
    Form(f): Form<ReauthForm>,
) -> Response {
    match signin::reauthenticate(&state, &auth, &f.password, &f.code).await {
        Ok(true) => Redirect::to(&safe_next(&f.next)).into_response(),
        Ok(false) => {
            let ask = asks_code(&state, &auth).await;
            reauth_page(
                &f.next,
                ask,
                Some("The password or code is not correct, or the code was already used."),
            )
        }
        Err(e) => super::error_page(e),
    }
}

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Sign out, at whatever stage the session is.
pub async fn sign_out(State(state): State<AppState>, step: SignInStep) -> Response {
    let auth = step.0;
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
