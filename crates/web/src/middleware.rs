//! Cross-cutting layers: security headers on every response, the request id in scope for
//! error bodies, and the not-found fallback.

use crate::error::{ApiError, REQUEST_ID};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use stepwise_store::Store;

/// Strict content security: only this origin's scripts, styles and images; no inline code;
/// no framing. Pages and API responses are never cached (they carry PHI), static assets are.
/// With `https` (Stepwise serves TLS itself, or `--secure-cookies` says a TLS proxy is in
/// front) browsers are told to use HTTPS only for a year (HSTS, RFC 6797); over plain HTTP the
/// header would be ignored by browsers and wrong to send.
pub async fn security_headers(State(https): State<bool>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Run the request with its id in scope, for error bodies and error logs, and with its audit
/// collected: its reads are recorded once it has its answer, and the answer leaves only once
/// they are durable (`Store::audited_request`).
pub async fn request_scope(State(store): State<Store>, req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let api = req.uri().path().starts_with("/api/");
    REQUEST_ID
        .scope(id, async {
            match store.audited_request(next.run(req)).await {
                (res, Ok(())) => res,
                (_, Err(e)) if api => ApiError::from(e).into_response(),
                (_, Err(e)) => crate::pages::error_page(e.into()),
            }
        })
        .await
}

pub async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        ApiError::NotFound.into_response()
    } else {
        crate::pages::error_page(ApiError::NotFound)
    }
}
