//! An application on a fresh store (SQLite, or PostgreSQL for the tests that run on both
//! engines) with a hand-moved clock, and a practice with one user (and API token) per role.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use stepwise_domain::ids::{PracticeId, UserId};
use stepwise_domain::role::Role;
use stepwise_store::model::{Ctx, NewUser};
use stepwise_store::{Location, OpenOptions, Store};
use stepwise_web::auth::{hash_password, new_token, secret_hash};
use stepwise_web::{AppState, ManualClock, WebConfig};
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt;

pub const NOW: OffsetDateTime = datetime!(2026-11-27 15:00 UTC);
pub const PASSWORD: &str = "correct horse battery staple";

pub struct User {
    pub id: UserId,
    pub email: String,
    pub token: String,
}

pub struct App {
    pub router: Router,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub practice: PracticeId,
    pub admin: User,
    pub practitioner: User,
    pub practitioner2: User,
    pub care_manager: User,
    pub care_manager2: User,
    pub psychiatrist: User,
    pub ma: User,
    pub front_desk: User,
    pub billing: User,
    pub other_practice_cm: User,
    /// TOTP secrets of the users who enrolled through the pages, by email.
    pub secrets: std::sync::Mutex<std::collections::HashMap<String, String>>,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL server's admin URL and the test database on it, dropped by `finish`.
    pg: Option<(String, String)>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn add_user(store: &Store, ctx: &Ctx, email: &str, roles: &[Role], hash: &str) -> User {
    let u = store
        .create_user(
            ctx,
            NewUser {
                email: email.into(),
                display_name: email.split('@').next().unwrap_or(email).into(),
                password_hash: Some(hash.into()),
                roles: roles.to_vec(),
                npi: None,
            },
        )
        .await
        .unwrap();
    let token = new_token();
    store
        .create_token(ctx, u.id, &secret_hash(&token), "test")
        .await
        .unwrap();
    User {
        id: u.id,
        email: email.into(),
        token,
    }
}

/// The application on a fresh SQLite store.
pub async fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &Location::SqliteDir(dir.path().to_owned()),
        OpenOptions::default(),
    )
    .await
    .unwrap();
    app_on(store, Some(dir), None).await
}

/// The application on a fresh PostgreSQL database created from `STEPWISE_TEST_PG_URL`; `None`
/// when no server is configured, unless `STEPWISE_TEST_REQUIRE_PG` is set (CI), which fails.
/// Call `finish` to drop the database.
pub async fn app_postgres() -> Option<App> {
    let Ok(admin) = std::env::var("STEPWISE_TEST_PG_URL") else {
        assert!(
            std::env::var_os("STEPWISE_TEST_REQUIRE_PG").is_none(),
            "STEPWISE_TEST_REQUIRE_PG is set but STEPWISE_TEST_PG_URL is not"
        );
        eprintln!("STEPWISE_TEST_PG_URL not set: skipping the PostgreSQL run");
        return None;
    };
    use sqlx::Connection;
    let name = format!("stepwise_web_{}", uuid::Uuid::now_v7().simple());
    let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .unwrap();
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin.as_str(), String::new()),
    };
    let host = base.rsplit_once('/').map_or(base, |(h, _)| h);
    let store = Store::open(
        &Location::Postgres(format!("{host}/{name}{query}")),
        OpenOptions::default(),
    )
    .await
    .unwrap();
    Some(app_on(store, None, Some((admin, name))).await)
}

impl App {
    /// Close the store and drop its PostgreSQL database, if any.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin, name)) = &self.pg {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(admin).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut c)
            .await
            .unwrap();
        }
    }
}

async fn app_on(store: Store, dir: Option<tempfile::TempDir>, pg: Option<(String, String)>) -> App {
    let hash = tokio::task::spawn_blocking(|| hash_password(PASSWORD))
        .await
        .unwrap()
        .unwrap();
    let p = store
        .create_practice("North Clinic", "America/New_York", NOW, "test")
        .await
        .unwrap();
    let ctx = Ctx {
        practice: p.id,
        user: None,
        role: None,
        request_id: "setup".into(),
        source: "test".into(),
        now: NOW,
        today: NOW.date(),
    };
    let other = store
        .create_practice("South Clinic", "America/Chicago", NOW, "test")
        .await
        .unwrap();
    let octx = Ctx {
        practice: other.id,
        ..ctx.clone()
    };
    let clock = Arc::new(ManualClock::new(NOW));
    let state = AppState::new(store.clone(), clock.clone(), WebConfig::default());
    App {
        router: stepwise_web::router(state),
        practice: p.id,
        admin: add_user(
            &store,
            &ctx,
            "admin@north.test",
            &[Role::PracticeAdmin],
            &hash,
        )
        .await,
        practitioner: add_user(
            &store,
            &ctx,
            "dr.a@north.test",
            &[Role::TreatingPractitioner],
            &hash,
        )
        .await,
        practitioner2: add_user(
            &store,
            &ctx,
            "dr.b@north.test",
            &[Role::TreatingPractitioner],
            &hash,
        )
        .await,
        care_manager: add_user(&store, &ctx, "cm.a@north.test", &[Role::CareManager], &hash).await,
        care_manager2: add_user(&store, &ctx, "cm.b@north.test", &[Role::CareManager], &hash).await,
        psychiatrist: add_user(
            &store,
            &ctx,
            "psych@north.test",
            &[Role::Psychiatrist],
            &hash,
        )
        .await,
        ma: add_user(&store, &ctx, "ma@north.test", &[Role::MaNurse], &hash).await,
        front_desk: add_user(&store, &ctx, "desk@north.test", &[Role::FrontDesk], &hash).await,
        billing: add_user(&store, &ctx, "billing@north.test", &[Role::Billing], &hash).await,
        other_practice_cm: add_user(
            &store,
            &octx,
            "cm@south.test",
            &[Role::CareManager, Role::TreatingPractitioner],
            &hash,
        )
        .await,
        store,
        clock,
        secrets: Default::default(),
        _dir: dir,
        pg,
    }
}

/// A request under construction.
pub struct Call {
    req: axum::http::request::Builder,
    body: Body,
}

impl App {
    /// The data directory of a SQLite app (`None` on PostgreSQL).
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self._dir.as_ref().map(|d| d.path())
    }

    pub fn call(&self, method: &str, path: &str) -> Call {
        Call {
            req: Request::builder()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri(path),
            body: Body::empty(),
        }
    }

    pub async fn send(&self, call: Call) -> Reply {
        let res = self
            .router
            .clone()
            .oneshot(call.req.body(call.body).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET as a user.
    pub async fn get(&self, user: &User, path: &str) -> Reply {
        self.send(self.call("GET", path).token(user)).await
    }

    /// A JSON request as a user.
    pub async fn json(&self, user: &User, method: &str, path: &str, body: Value) -> Reply {
        self.send(self.call(method, path).token(user).json(body))
            .await
    }
}

impl Call {
    pub fn token(mut self, user: &User) -> Self {
        self.req = self
            .req
            .header("authorization", format!("Bearer {}", user.token));
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.req = self.req.header(name, value);
        self
    }
    pub fn json(mut self, body: Value) -> Self {
        self.req = self.req.header("content-type", "application/json");
        self.body = Body::from(body.to_string());
        self
    }
    /// A raw body, with whatever content type the caller set.
    pub fn body(mut self, body: String) -> Self {
        self.body = Body::from(body);
        self
    }
    pub fn form(mut self, body: &str) -> Self {
        self.req = self
            .req
            .header("content-type", "application/x-www-form-urlencoded");
        self.body = Body::from(body.to_owned());
        self
    }
}

/// The `name=value` of a response's session cookie.
/// POST a form (`application/x-www-form-urlencoded`) as a user, the way a page's form does.
pub async fn post_form(app: &App, user: &User, path: &str, body: &str) -> Reply {
    app.send(app.call("POST", path).token(user).form(body))
        .await
}

pub fn cookie_of(r: &Reply) -> String {
    r.header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

fn form_escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('@', "%40")
        .replace('+', "%2B")
        .replace(' ', "+")
        .replace('&', "%26")
}

impl App {
    /// The password step of the sign-in page.
    pub async fn sign_in(&self, email: &str, password: &str) -> Reply {
        let body = format!(
            "email={}&password={}",
            form_escape(email),
            form_escape(password)
        );
        self.send(self.call("POST", "/sign-in").form(&body)).await
    }

    /// The current code of an enrolled user's authenticator, in a time step not used before
    /// (the clock moves on 30 seconds).
    pub fn code(&self, email: &str) -> String {
        self.clock.advance(time::Duration::seconds(30));
        let secret = self.secrets.lock().unwrap()[email].clone();
        stepwise_web::mfa::code_at(&secret, self.clock.now_for_tests()).unwrap()
    }

    /// Sign in through the pages with password and second factor, enrolling one on the first
    /// sign-in; the full session's cookie.
    pub async fn session(&self, email: &str) -> String {
        let r = self.sign_in(email, PASSWORD).await;
        assert_eq!(r.status, 303, "{}", r.text());
        let pending = cookie_of(&r);
        match r.header("location") {
            Some("/mfa/enroll") => {
                let page = self
                    .send(self.call("GET", "/mfa/enroll").header("cookie", &pending))
                    .await;
                let html = page.text();
                let secret = html
                    .split("<code class=\"secret\">")
                    .nth(1)
                    .and_then(|s| s.split('<').next())
                    .unwrap()
                    .to_owned();
                self.secrets
                    .lock()
                    .unwrap()
                    .insert(email.to_owned(), secret);
                let code = self.code(email);
                let done = self
                    .send(
                        self.call("POST", "/mfa/enroll")
                            .header("cookie", &pending)
                            .form(&format!("code={code}")),
                    )
                    .await;
                assert_eq!(done.status, 200, "{}", done.text());
                cookie_of(&done)
            }
            Some("/sign-in/second-factor") => {
                let code = self.code(email);
                let done = self
                    .send(
                        self.call("POST", "/sign-in/second-factor")
                            .header("cookie", &pending)
                            .form(&format!("code={code}")),
                    )
                    .await;
                assert_eq!(done.status, 303, "{}", done.text());
                cookie_of(&done)
            }
            other => panic!("unexpected redirect {other:?}"),
        }
    }
}
