-- Billing facts (issue 4), PostgreSQL. Keep in step with migrations/sqlite/0009_billing_facts.sql:
-- same tables, columns and indexes.

-- Who bills as a treating practitioner: a physician or non-physician practitioner (CoCM and
-- 99484), or a behavioral health clinician as the focal point (general BHI as G0323).
ALTER TABLE users ADD COLUMN billing_kind TEXT NOT NULL DEFAULT 'treating_practitioner';

-- Months in which a practitioner billed an APCM base code (G0556–G0558) for the patient: the
-- APCM behavioral-health add-ons need one by the same practitioner (reference §1, §4).
-- A month entered by mistake is removed with a reason, never deleted.
CREATE TABLE apcm_months (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    practitioner_id UUID NOT NULL REFERENCES users(id),
    month TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by UUID REFERENCES users(id),
    removed_at TIMESTAMPTZ,
    removed_by UUID REFERENCES users(id),
    removed_reason TEXT
);
CREATE INDEX apcm_months_patient ON apcm_months (practice_id, patient_id, month);
