//! Authentication rules: which passwords are accepted, how repeated failures slow down and
//! lock sign-in, how long a re-authentication and a break-glass grant last. Time is a
//! parameter; the web layer and the store apply these rules.

pub mod password;
pub mod throttle;

use time::Duration;

/// Privileged actions (user administration, credential resets, break-glass, exports) need a
/// password and second factor entered within this long (OWASP ASVS 4.0 V3.3.2, level 3:
/// re-authentication after 15 minutes with a second factor).
pub const REAUTH_WINDOW: Duration = Duration::minutes(15);

/// A sign-in that passed the password waits this long at most for its second factor.
pub const SECOND_FACTOR_WINDOW: Duration = Duration::minutes(10);

/// How many recovery codes an enrollment issues.
pub const RECOVERY_CODES: usize = 10;

/// Break-glass: the default length of a grant, and the range a practice may configure
/// (HIPAA 164.312(a)(2)(ii) emergency access; time-boxed, security-reliability.md H-AC-2).
pub const BREAK_GLASS_DEFAULT_MINUTES: u32 = 60;
pub const BREAK_GLASS_MAX_MINUTES: u32 = 8 * 60;

/// The longest reason accepted for break-glass access.
pub const BREAK_GLASS_REASON_MAX: usize = 500;

/// Check the reason typed for break-glass access: required, at most 500 characters.
pub fn break_glass_reason(reason: &str) -> Result<String, crate::ValidationError> {
    let r = reason.trim();
    if r.chars().count() < 5 {
        return Err(crate::ValidationError::field(
            "reason",
            "say why you need emergency access (at least 5 characters)",
        ));
    }
    if r.chars().count() > BREAK_GLASS_REASON_MAX {
        return Err(crate::ValidationError::field(
            "reason",
            format!("at most {BREAK_GLASS_REASON_MAX} characters"),
        ));
    }
    Ok(r.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn break_glass_needs_a_reason() {
        assert!(break_glass_reason("   ").is_err());
        assert!(break_glass_reason("abc").is_err());
        assert_eq!(
            break_glass_reason("  covering on-call, patient in crisis ").unwrap(),
            "covering on-call, patient in crisis"
        );
        assert!(break_glass_reason(&"x".repeat(501)).is_err());
    }
}
