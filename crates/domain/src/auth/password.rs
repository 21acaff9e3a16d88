//! The password policy (NIST SP 800-63B §3.1.1.2, OWASP ASVS 5.0 V6.2): at least 12
//! characters, at most 256, not a commonly used password, not the service's or the account's
//! own name. No composition rules and no forced rotation: both push people to predictable
//! passwords.

use crate::ValidationError;
use std::collections::HashSet;
use std::sync::LazyLock;

pub const MIN_CHARS: usize = 12;
/// Long enough for any passphrase; bounds the work Argon2 is asked to do.
pub const MAX_CHARS: usize = 256;

/// The 20,000 most common passwords (data/README.md gives the source), lower case.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .collect()
});

/// Whether a password is on the common-password list (ignoring case).
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

/// Check a new password for the account `email`.
pub fn check(password: &str, email: &str) -> Result<(), ValidationError> {
    let n = password.chars().count();
    let refuse = |m: &str| Err(ValidationError::field("password", m));
    if n < MIN_CHARS {
        return refuse(&format!("must be at least {MIN_CHARS} characters"));
    }
    if n > MAX_CHARS {
        return refuse(&format!("must be at most {MAX_CHARS} characters"));
    }
    let lower = password.to_lowercase();
    if is_common(&lower) {
        return refuse("is one of the most commonly used passwords; choose another");
    }
    let local = email.trim().to_lowercase();
    let local = local.split('@').next().unwrap_or_default();
    let context = ["stepwise", local];
    // A context word padded to length ("stepwise2026!") is as guessable as the word itself.
    let stripped: String = lower
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect::<String>();
    if context
        .iter()
        .any(|w| w.len() >= 4 && (lower == *w || stripped == *w))
    {
        return refuse("must not be the name of the service or of your account");
    }
    if let Some(first) = lower.chars().next()
        && lower.chars().all(|c| c == first)
    {
        return refuse("must not repeat a single character");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_compiled_in() {
        assert!(COMMON.len() > 19_000, "{}", COMMON.len());
        assert!(is_common("password"));
        assert!(is_common("PassWord"));
        assert!(is_common("qwerty123456"));
        assert!(!is_common("correct horse battery staple"));
    }

    #[test]
    fn policy() {
        let e = "jo.smith@clinic.example";
        assert!(check("short", e).is_err());
        assert!(check("elevenchars", e).is_err());
        assert!(check("correct horse battery staple", e).is_ok());
        // Common passwords of 12 characters or more are refused.
        let err = check("1q2w3e4r5t6y", e).unwrap_err();
        assert!(err.to_string().contains("commonly used"), "{err}");
        assert!(check("QWERTY123456", e).is_err());
        assert!(check("aaaaaaaaaaaaaaaa", e).is_err());
        assert!(check("Stepwise2026!!", e).is_err());
        assert!(check("jo.smith@clinic", "josmithclinic@x.example").is_err());
        // No composition rules: a long lower-case passphrase is fine.
        assert!(check("tulips in the rain at noon", e).is_ok());
        assert!(check(&"ab".repeat(129), e).is_err());
    }
}
