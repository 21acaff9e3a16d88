//! Stepwise's web layer: server-rendered pages and the JSON API over one [`AppState`].
//!
//! Every route is declared once in the route registry (`routes.rs`) with the access it
//! requires; handlers take the matching extractor (`access.rs`), so a route cannot forget its
//! check. Layers, outermost first: request id → trace → timeout → body limit → security
//! headers → CSRF → handlers.

mod access;
mod api;
pub mod auth;
mod disclosure;
mod error;
pub mod mfa;
mod middleware;
mod openapi;
mod pages;
pub mod routes;
mod signin;
pub mod state;

pub use openapi::ApiDoc;
pub use state::{AppState, Clock, DemoNotice, ManualClock, SystemClock, WebConfig};

use axum::Router;
use axum::http::{HeaderName, Request};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::csrf::CsrfLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Largest request body accepted (forms and JSON are small; nothing uploads files yet).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The application's router with every layer.
pub fn router(state: AppState) -> Router {
    let https = state.config.secure_cookies;
    routes::build(routes::all())
        .fallback(middleware::not_found)
        .layer(axum::middleware::from_fn_with_state(
            https,
            middleware::security_headers,
        ))
        .layer(CsrfLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.store.clone(),
            middleware::request_scope,
        ))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                // The route template only: ids and query strings stay out of the logs.
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                tracing::info_span!("request", method = %req.method(), route, request_id = id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Serve until `shutdown` completes; in-flight requests finish, then the store closes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    store.close().await;
    Ok(())
}
