-- Multi-factor sign-in, sign-in throttling, re-authentication and break-glass, PostgreSQL. Keep in
-- step with migrations/sqlite/0005_auth_mfa.sql: same tables, columns and indexes.

-- Set only by the demo seeding (`stepwise demo`), never by the settings API: the practice's
-- users without a second factor may sign in with their password alone, and every page says so.
ALTER TABLE practices ADD COLUMN mfa_relaxed_demo BOOLEAN NOT NULL DEFAULT FALSE;

-- Sign-in failures per account, kept across restarts (domain::auth::throttle::ACCOUNT).
ALTER TABLE users ADD COLUMN failed_sign_ins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_failed_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ;
-- The administrator allows this user break-glass access.
ALTER TABLE users ADD COLUMN break_glass_allowed BOOLEAN NOT NULL DEFAULT FALSE;

-- 'second_factor' (password accepted, code awaited), 'enroll' (password accepted, no second
-- factor yet) or 'full'. `authenticated_at`: when the password and second factor were last
-- entered (sign-in or re-authentication).
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE sessions ADD COLUMN authenticated_at TIMESTAMPTZ;
UPDATE sessions SET authenticated_at = created_at;

-- A user's TOTP secret (RFC 6238), confirmed once a code from it was entered; `last_step` is
-- the last time step accepted, so a code is used once.
CREATE TABLE user_totp (
    user_id UUID PRIMARY KEY REFERENCES users(id),
    practice_id UUID NOT NULL REFERENCES practices(id),
    secret TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    last_step BIGINT
);

-- Recovery codes, stored as SHA-256 hashes of 80-bit random codes; each works once.
CREATE TABLE recovery_codes (
    user_id UUID NOT NULL REFERENCES users(id),
    practice_id UUID NOT NULL REFERENCES practices(id),
    code_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- Emergency access to one patient, with the reason given, for a limited time.
CREATE TABLE break_glass_grants (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    user_id UUID NOT NULL REFERENCES users(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    reason TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX break_glass_grants_user ON break_glass_grants (practice_id, user_id, patient_id, expires_at);
