-- Billing facts (issue 4), SQLite. Keep in step with migrations/postgres/0009_billing_facts.sql:
-- same tables, columns and indexes.

-- Who bills as a treating practitioner: a physician or non-physician practitioner (CoCM and
-- 99484), or a behavioral health clinician as the focal point (general BHI as G0323).
ALTER TABLE users ADD COLUMN billing_kind TEXT NOT NULL DEFAULT 'treating_practitioner';

-- Months in which a practitioner billed an APCM base code (G0556–G0558) for the patient: the
-- APCM behavioral-health add-ons need one by the same practitioner (reference §1, §4).
-- A month entered by mistake is removed with a reason, never deleted.
CREATE TABLE apcm_months (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    practitioner_id BLOB NOT NULL REFERENCES users(id),
    month TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    created_by BLOB REFERENCES users(id),
    removed_at DATETIME,
    removed_by BLOB REFERENCES users(id),
    removed_reason TEXT
);
CREATE INDEX apcm_months_patient ON apcm_months (practice_id, patient_id, month);
