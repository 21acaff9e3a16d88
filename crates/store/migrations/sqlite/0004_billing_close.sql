-- Month close (issue 4), SQLite. Keep in step with migrations/postgres/0004_billing_close.sql:
-- same tables, columns and indexes.

-- The episode's ICD-10-CM diagnosis codes, put on its claims: a JSON array, NULL when none.
ALTER TABLE episodes ADD COLUMN diagnosis_codes TEXT;

-- Month close reads every contact of the practice up to the month's end: this index covers
-- that scan (without it, each contact row is a random table read).
CREATE INDEX contacts_billing ON contacts (practice_id, contact_on, status, patient_id, episode_id, minutes, staff_role, exclusion);

-- A qualifying visit (AWV, IPPE, TCM or other E/M) by a practitioner: an episode needs one by
-- its billing practitioner in the year before it starts (reference §2.5).
CREATE TABLE initiating_visits (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    practitioner_id BLOB NOT NULL REFERENCES users(id),
    visit_on DATE NOT NULL,
    kind TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    created_by BLOB REFERENCES users(id)
);
CREATE INDEX initiating_visits_patient ON initiating_visits (practice_id, patient_id, visit_on);

-- The practice's care setting, rule settings per payer and fee table (one JSON document).
CREATE TABLE billing_settings (
    practice_id BLOB PRIMARY KEY REFERENCES practices(id),
    settings TEXT NOT NULL,
    updated_at DATETIME NOT NULL,
    updated_by BLOB REFERENCES users(id),
    version INTEGER NOT NULL
);

-- A locked month: the review the biller locked (its hash) and the settings it was evaluated with.
CREATE TABLE billing_months (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    month TEXT NOT NULL,
    locked_at DATETIME NOT NULL,
    locked_by BLOB REFERENCES users(id),
    review_hash TEXT NOT NULL,
    settings TEXT NOT NULL,
    UNIQUE (practice_id, month)
);

-- The claim snapshot of a locked month: one row per patient with lines or holds.
CREATE TABLE billing_claims (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    billing_month_id BLOB NOT NULL REFERENCES billing_months(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    mrn TEXT NOT NULL,
    practitioner_id BLOB REFERENCES users(id),
    practitioner_name TEXT,
    npi TEXT,
    program TEXT NOT NULL,
    month_type TEXT,
    countable_minutes INTEGER NOT NULL,
    date_of_service DATE,
    lines TEXT NOT NULL,
    holds TEXT NOT NULL,
    diagnosis_codes TEXT NOT NULL,
    explanation TEXT NOT NULL,
    expected_cents INTEGER NOT NULL,
    UNIQUE (billing_month_id, patient_id)
);

-- A change to one patient's claim in a locked month; the latest one replaces the claim's lines,
-- the original and every earlier adjustment stay.
CREATE TABLE billing_adjustments (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    billing_month_id BLOB NOT NULL REFERENCES billing_months(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    mrn TEXT NOT NULL,
    practitioner_id BLOB REFERENCES users(id),
    practitioner_name TEXT,
    npi TEXT,
    date_of_service DATE NOT NULL,
    lines TEXT NOT NULL,
    diagnosis_codes TEXT NOT NULL,
    reason TEXT NOT NULL,
    expected_cents INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    created_by BLOB REFERENCES users(id)
);
CREATE INDEX billing_adjustments_month ON billing_adjustments (billing_month_id, patient_id, created_at);

-- A locked month changes only by adjustment: its rows are never edited or deleted.
CREATE TRIGGER billing_months_no_update BEFORE UPDATE ON billing_months
BEGIN
    SELECT RAISE(ABORT, 'locked billing months are kept as locked');
END;
CREATE TRIGGER billing_months_no_delete BEFORE DELETE ON billing_months
BEGIN
    SELECT RAISE(ABORT, 'locked billing months are kept as locked');
END;
CREATE TRIGGER billing_claims_no_update BEFORE UPDATE ON billing_claims
BEGIN
    SELECT RAISE(ABORT, 'locked claims change only by adjustment');
END;
CREATE TRIGGER billing_claims_no_delete BEFORE DELETE ON billing_claims
BEGIN
    SELECT RAISE(ABORT, 'locked claims change only by adjustment');
END;
CREATE TRIGGER billing_adjustments_no_update BEFORE UPDATE ON billing_adjustments
BEGIN
    SELECT RAISE(ABORT, 'adjustments are kept as made');
END;
CREATE TRIGGER billing_adjustments_no_delete BEFORE DELETE ON billing_adjustments
BEGIN
    SELECT RAISE(ABORT, 'adjustments are kept as made');
END;
