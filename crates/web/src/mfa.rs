//! The second factor: TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of
//! clock skew either way) and recovery codes. The time comes from the injected clock; the
//! store remembers the last accepted step so that each code works once.

use crate::auth::secret_hash;
use rand::RngCore;
use time::OffsetDateTime;
use totp_rs::{Builder, Secret, Totp};

const ISSUER: &str = "Stepwise";

/// A new 160-bit secret (RFC 4226 §4 recommends 160 bits), base32 without padding.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::from(bytes)
        .to_base32()
        .trim_end_matches('=')
        .to_owned()
}

fn totp(secret_b32: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    Builder::new().with_secret(secret).build().ok()
}

fn unix(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp()).unwrap_or(0)
}

/// The time step of a valid code at `now` (the current step or one either side), if any.
/// Whether that step was used before is the store's to say.
pub fn check_code(secret_b32: &str, code: &str, now: OffsetDateTime) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let step = totp(secret_b32)?.check(&code, unix(now))?;
    i64::try_from(step).ok()
}

/// The code an authenticator shows at `now` (for tests and the CLI's checks).
pub fn code_at(secret_b32: &str, now: OffsetDateTime) -> Option<String> {
    Some(totp(secret_b32)?.generate(unix(now)).to_string())
}

/// The `otpauth://` URI an authenticator app reads (Key Uri Format): issuer and account
/// label, the secret, and the parameters spelled out.
pub fn otpauth_uri(secret_b32: &str, email: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(ISSUER),
        enc(email),
        enc(ISSUER)
    )
}

/// Whether an entered code has the shape of a TOTP code (otherwise it is tried as a
/// recovery code).
pub fn looks_like_totp(code: &str) -> bool {
    let c: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    c.len() == 6 && c.chars().all(|c| c.is_ascii_digit())
}

/// Ten recovery codes of 80 random bits each, shown once as `xxxx-xxxx-xxxx-xxxx` (base32,
/// lower case). Only their hashes are stored.
pub fn new_recovery_codes() -> Vec<String> {
    (0..stepwise_domain::auth::RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rng().fill_bytes(&mut bytes);
            let s = Secret::from(bytes.to_vec()).to_base32().to_lowercase();
            s.as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// The stored form of a recovery code: SHA-256 of the code without dashes or spaces, lower
/// case. 80 random bits make a fast hash enough.
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    secret_hash(&format!("recovery:{normal}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn rfc6238_test_vector() {
        // RFC 6238 Appendix B: the SHA-1 secret "12345678901234567890" at 59 s gives 94287082
        // (8 digits); its last 6 digits are the 6-digit code.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let at = OffsetDateTime::from_unix_timestamp(59).unwrap();
        assert_eq!(code_at(&secret, at).unwrap(), "287082");
        assert_eq!(check_code(&secret, "287082", at), Some(1));
        // One step of skew either way, not two.
        assert_eq!(
            check_code(&secret, "287082", at + time::Duration::seconds(30)),
            Some(1)
        );
        assert_eq!(
            check_code(&secret, "287082", at + time::Duration::seconds(61)),
            None
        );
        assert_eq!(check_code(&secret, "28708", at), None);
        assert_eq!(check_code(&secret, "abcdef", at), None);
    }

    #[test]
    fn secrets_uris_and_recovery_codes() {
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_ne!(s, new_secret());
        let now = datetime!(2026-11-27 15:00 UTC);
        let code = code_at(&s, now).unwrap();
        assert!(check_code(&s, &code, now).is_some());
        let uri = otpauth_uri(&s, "jo+x@clinic.example");
        assert!(uri.starts_with("otpauth://totp/Stepwise:jo%2Bx%40clinic.example?secret="));
        assert!(uri.contains("&digits=6&period=30"));
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes[0].len(), 19);
        assert_ne!(codes[0], codes[1]);
        assert_eq!(
            recovery_hash(&codes[0]),
            recovery_hash(&codes[0].to_uppercase().replace('-', " "))
        );
        assert!(!looks_like_totp(&codes[0]));
        assert!(looks_like_totp("123 456"));
    }
}
