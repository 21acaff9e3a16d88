-- Stepwise schema, SQLite. Keep in step with migrations/postgres/0001_init.sql: same tables,
-- columns and indexes; only types differ (UUID/BLOB, TIMESTAMPTZ/DATETIME) and PostgreSQL sorts text in byte order ("C") as SQLite does.
-- Every table of practice data carries practice_id, and every query is scoped by it.

CREATE TABLE practices (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE sites (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    name TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    UNIQUE (practice_id, name)
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    npi TEXT,
    disabled BOOLEAN NOT NULL,
    created_at DATETIME NOT NULL,
    version INTEGER NOT NULL
);

CREATE TABLE user_roles (
    practice_id BLOB NOT NULL REFERENCES practices(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    created_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    revoked_at DATETIME
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    user_id BLOB NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    revoked_at DATETIME
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE patients (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    mrn TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    birth_date DATE NOT NULL,
    sex TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    address TEXT,
    preferred_language TEXT NOT NULL,
    payer_kind TEXT,
    payer_name TEXT,
    site_id BLOB REFERENCES sites(id),
    treating_practitioner_id BLOB REFERENCES users(id),
    care_manager_id BLOB REFERENCES users(id),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (practice_id, mrn)
);
CREATE INDEX patients_search ON patients (practice_id, search_key);
CREATE INDEX patients_birth_date ON patients (practice_id, birth_date);
CREATE INDEX patients_care_manager ON patients (practice_id, care_manager_id);
CREATE INDEX patients_practitioner ON patients (practice_id, treating_practitioner_id);

CREATE TABLE episodes (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    program TEXT NOT NULL,
    status TEXT NOT NULL,
    referred_on DATE NOT NULL,
    referring_practitioner_id BLOB REFERENCES users(id),
    enrolled_on DATE,
    closed_on DATE,
    discharge_reason TEXT,
    relapse_prevention_plan TEXT,
    flag_safety_risk BOOLEAN NOT NULL,
    flag_for_discussion BOOLEAN NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX episodes_patient ON episodes (practice_id, patient_id);
CREATE INDEX episodes_status ON episodes (practice_id, status);

CREATE TABLE episode_events (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    episode_id BLOB NOT NULL REFERENCES episodes(id),
    occurred_on DATE NOT NULL,
    recorded_at DATETIME NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    user_id BLOB REFERENCES users(id),
    note TEXT
);
CREATE INDEX episode_events_episode ON episode_events (episode_id);

CREATE TABLE consents (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    episode_id BLOB NOT NULL REFERENCES episodes(id),
    program TEXT NOT NULL,
    consented_on DATE NOT NULL,
    method TEXT NOT NULL,
    cost_sharing_explained BOOLEAN NOT NULL,
    consult_permission BOOLEAN NOT NULL,
    obtained_by BLOB NOT NULL REFERENCES users(id),
    revoked_on DATE,
    revoked_by BLOB REFERENCES users(id),
    revocation_note TEXT,
    created_at DATETIME NOT NULL
);
CREATE INDEX consents_episode ON consents (episode_id);

CREATE TABLE care_plans (
    episode_id BLOB PRIMARY KEY REFERENCES episodes(id),
    practice_id BLOB NOT NULL REFERENCES practices(id),
    target_instrument TEXT NOT NULL,
    target_below INTEGER NOT NULL,
    follow_up_weeks INTEGER NOT NULL,
    goals TEXT,
    updated_at DATETIME NOT NULL,
    updated_by BLOB REFERENCES users(id),
    version INTEGER NOT NULL
);

CREATE TABLE contacts (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    episode_id BLOB NOT NULL REFERENCES episodes(id),
    contact_on DATE NOT NULL,
    staff_id BLOB NOT NULL REFERENCES users(id),
    staff_role TEXT NOT NULL,
    kind TEXT NOT NULL,
    modality TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    exclusion TEXT,
    note TEXT,
    status TEXT NOT NULL,
    error_reason TEXT,
    replaces_id BLOB REFERENCES contacts(id),
    created_at DATETIME NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id)
);
-- practice_id in the episode index: without statistics SQLite otherwise picks contacts_month
-- and reads every contact of the practice for one episode.
CREATE INDEX contacts_episode ON contacts (episode_id, practice_id, contact_on);
CREATE INDEX contacts_month ON contacts (practice_id, contact_on);

CREATE TABLE assessments (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    episode_id BLOB REFERENCES episodes(id),
    instrument TEXT NOT NULL,
    administered_on DATE NOT NULL,
    administered_by BLOB NOT NULL REFERENCES users(id),
    mode TEXT NOT NULL,
    answers TEXT NOT NULL,
    total INTEGER,
    complete BOOLEAN NOT NULL,
    band TEXT,
    positive BOOLEAN,
    safety TEXT NOT NULL,
    score TEXT NOT NULL,
    status TEXT NOT NULL,
    error_reason TEXT,
    replaces_id BLOB REFERENCES assessments(id),
    created_at DATETIME NOT NULL,
    created_by BLOB NOT NULL REFERENCES users(id)
);
CREATE INDEX assessments_patient ON assessments (practice_id, patient_id, administered_on);
CREATE INDEX assessments_episode ON assessments (episode_id, practice_id, administered_on);

CREATE TABLE case_reviews (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    review_on DATE NOT NULL,
    consultant_id BLOB NOT NULL REFERENCES users(id),
    notes TEXT,
    created_at DATETIME NOT NULL
);
CREATE INDEX case_reviews_date ON case_reviews (practice_id, review_on);

CREATE TABLE case_review_items (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    case_review_id BLOB NOT NULL REFERENCES case_reviews(id),
    episode_id BLOB NOT NULL REFERENCES episodes(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    notes TEXT,
    UNIQUE (case_review_id, episode_id)
);
CREATE INDEX case_review_items_episode ON case_review_items (episode_id);

CREATE TABLE recommendations (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    case_review_id BLOB NOT NULL REFERENCES case_reviews(id),
    episode_id BLOB NOT NULL REFERENCES episodes(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by BLOB REFERENCES users(id),
    decided_at DATETIME,
    decline_reason TEXT,
    done_at DATETIME,
    created_at DATETIME NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX recommendations_episode ON recommendations (episode_id);
CREATE INDEX recommendations_status ON recommendations (practice_id, status);

CREATE TABLE episode_facts (
    episode_id BLOB PRIMARY KEY REFERENCES episodes(id),
    practice_id BLOB NOT NULL REFERENCES practices(id),
    facts TEXT NOT NULL,
    refreshed_at DATETIME NOT NULL
);

CREATE TABLE record_history (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    record_kind TEXT NOT NULL,
    record_id BLOB NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    changed_by BLOB REFERENCES users(id),
    changed_at DATETIME NOT NULL
);
CREATE INDEX record_history_record ON record_history (record_id, version);

-- The audit trail: one hash chain per practice (the nil practice id holds events with no
-- practice, e.g. a failed sign-in for an unknown account). Append-only: see the triggers.
CREATE TABLE audit_heads (
    practice_id BLOB PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_events (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL,
    seq INTEGER NOT NULL,
    at DATETIME NOT NULL,
    user_id BLOB,
    role TEXT,
    patient_id BLOB,
    action TEXT NOT NULL,
    category TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request_id TEXT NOT NULL,
    source TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (practice_id, seq)
);
CREATE INDEX audit_events_patient ON audit_events (practice_id, patient_id);
CREATE INDEX audit_events_user ON audit_events (practice_id, user_id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

INSERT INTO audit_heads (practice_id, seq, hash)
VALUES (X'00000000000000000000000000000000', 0, '');
