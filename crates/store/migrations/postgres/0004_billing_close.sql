-- Month close (issue 4), PostgreSQL. Keep in step with migrations/sqlite/0004_billing_close.sql:
-- same tables, columns and indexes.

-- The episode's ICD-10-CM diagnosis codes, put on its claims: a JSON array, NULL when none.
ALTER TABLE episodes ADD COLUMN diagnosis_codes TEXT;

-- Month close reads every contact of the practice up to the month's end: this index covers
-- that scan (without it, each contact row is a random table read).
CREATE INDEX contacts_billing ON contacts (practice_id, contact_on, status, patient_id, episode_id, minutes, staff_role, exclusion);

-- A qualifying visit (AWV, IPPE, TCM or other E/M) by a practitioner: an episode needs one by
-- its billing practitioner in the year before it starts (reference §2.5).
CREATE TABLE initiating_visits (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    practitioner_id UUID NOT NULL REFERENCES users(id),
    visit_on DATE NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID REFERENCES users(id)
);
CREATE INDEX initiating_visits_patient ON initiating_visits (practice_id, patient_id, visit_on);

-- The practice's care setting, rule settings per payer and fee table (one JSON document).
CREATE TABLE billing_settings (
    practice_id UUID PRIMARY KEY REFERENCES practices(id),
    settings TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID REFERENCES users(id),
    version BIGINT NOT NULL
);

-- A locked month: the review the biller locked (its hash) and the settings it was evaluated with.
CREATE TABLE billing_months (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    month TEXT NOT NULL,
    locked_at TIMESTAMPTZ NOT NULL,
    locked_by UUID REFERENCES users(id),
    review_hash TEXT NOT NULL,
    settings TEXT NOT NULL,
    UNIQUE (practice_id, month)
);

-- The claim snapshot of a locked month: one row per patient with lines or holds.
CREATE TABLE billing_claims (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    billing_month_id UUID NOT NULL REFERENCES billing_months(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    mrn TEXT COLLATE "C" NOT NULL,
    practitioner_id UUID REFERENCES users(id),
    practitioner_name TEXT,
    npi TEXT,
    program TEXT NOT NULL,
    month_type TEXT,
    countable_minutes BIGINT NOT NULL,
    date_of_service DATE,
    lines TEXT NOT NULL,
    holds TEXT NOT NULL,
    diagnosis_codes TEXT NOT NULL,
    explanation TEXT NOT NULL,
    expected_cents BIGINT NOT NULL,
    UNIQUE (billing_month_id, patient_id)
);

-- A change to one patient's claim in a locked month; the latest one replaces the claim's lines,
-- the original and every earlier adjustment stay.
CREATE TABLE billing_adjustments (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    billing_month_id UUID NOT NULL REFERENCES billing_months(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    mrn TEXT COLLATE "C" NOT NULL,
    practitioner_id UUID REFERENCES users(id),
    practitioner_name TEXT,
    npi TEXT,
    date_of_service DATE NOT NULL,
    lines TEXT NOT NULL,
    diagnosis_codes TEXT NOT NULL,
    reason TEXT NOT NULL,
    expected_cents BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID REFERENCES users(id)
);
CREATE INDEX billing_adjustments_month ON billing_adjustments (billing_month_id, patient_id, created_at);

-- A locked month changes only by adjustment: its rows are never edited or deleted.
CREATE FUNCTION billing_close_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'locked billing months change only by adjustment';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_months_no_change BEFORE UPDATE OR DELETE ON billing_months
    FOR EACH ROW EXECUTE FUNCTION billing_close_append_only();
CREATE TRIGGER billing_claims_no_change BEFORE UPDATE OR DELETE ON billing_claims
    FOR EACH ROW EXECUTE FUNCTION billing_close_append_only();
CREATE TRIGGER billing_adjustments_no_change BEFORE UPDATE OR DELETE ON billing_adjustments
    FOR EACH ROW EXECUTE FUNCTION billing_close_append_only();
