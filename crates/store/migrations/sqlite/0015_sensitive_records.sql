-- Sensitive records (issue 5): labels on contacts and assessments, and the patient's separate
-- 42 CFR Part 2 consent. Keep in step with migrations/postgres/0015_sensitive_records.sql.
--
-- A label is one of domain::sensitivity::RecordLabel: 'general', 'sud_part2',
-- 'psychotherapy_note' (contacts only). Records made before labels existed are general.

ALTER TABLE contacts ADD COLUMN label TEXT NOT NULL DEFAULT 'general';
ALTER TABLE assessments ADD COLUMN label TEXT NOT NULL DEFAULT 'general';

-- The patient's written consent to disclose Part 2 records (42 CFR 2.31) to those it names,
-- here the psychiatric consultant of the care team. Revocation takes effect the moment it is
-- recorded (revoked_at); the consent stays on record with it.
CREATE TABLE part2_consents (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    given_on DATE NOT NULL,
    method TEXT NOT NULL,
    recipients TEXT NOT NULL,
    information TEXT NOT NULL,
    purpose TEXT NOT NULL,
    expires_on DATE,
    recorded_by BLOB NOT NULL REFERENCES users(id),
    recorded_at DATETIME NOT NULL,
    revoked_at DATETIME,
    revoked_by BLOB REFERENCES users(id),
    revocation_note TEXT
);
CREATE INDEX part2_consents_patient ON part2_consents (practice_id, patient_id);
