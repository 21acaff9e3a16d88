//! Credentials: Argon2id password hashes, session ids and API tokens (stored as SHA-256
//! hashes only), and the session cookie.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::http::HeaderMap;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Hash a password with Argon2id (the crate's OWASP-aligned defaults). CPU-heavy: call from
/// `spawn_blocking`.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Check a password against a stored hash. CPU-heavy: call from `spawn_blocking`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash of no one's password, checked when the account does not exist so that an unknown
/// email costs the same time as a wrong password.
pub static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password(&new_secret()).unwrap_or_default());

/// 256 random bits, URL-safe base64: a session id or an API token.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a secret: its SHA-256, hex.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// API tokens carry a prefix so they are recognizable in a leaked config file.
pub const TOKEN_PREFIX: &str = "swt_";

pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", new_secret())
}

/// The session cookie's name: `__Host-` (which browsers only accept with `Secure`, no domain
/// and path `/`) when cookies are secure.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-stepwise_session"
    } else {
        "stepwise_session"
    }
}

pub fn session_cookie(secure: bool, value: &str, max_age_secs: i64) -> String {
    let mut c = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}",
        cookie_name(secure)
    );
    if secure {
        c.push_str("; Secure");
    }
    c
}

pub fn clear_cookie(secure: bool) -> String {
    session_cookie(secure, "", 0)
}

/// The session id from the request's cookies.
pub fn session_from_headers(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// The bearer token of an `Authorization` header.
pub fn bearer_from_headers(headers: &HeaderMap) -> Option<String> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterx", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret();
        assert_ne!(a, new_secret());
        assert_eq!(a.len(), 43);
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), a);
        assert!(new_token().starts_with("swt_"));
    }

    #[test]
    fn reads_cookie_and_bearer() {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            HeaderValue::from_static("a=1; stepwise_session=abc; b=2"),
        );
        assert_eq!(session_from_headers(&h, false).as_deref(), Some("abc"));
        assert_eq!(session_from_headers(&h, true), None);
        h.insert("authorization", HeaderValue::from_static("Bearer swt_x"));
        assert_eq!(bearer_from_headers(&h).as_deref(), Some("swt_x"));
        h.insert("authorization", HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_from_headers(&h), None);
        assert!(
            session_cookie(true, "v", 10)
                .contains("__Host-stepwise_session=v; Path=/; HttpOnly; SameSite=Strict")
        );
    }
}
