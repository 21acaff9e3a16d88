-- What the metrics read, kept per patient and per episode (issue 8's performance goal).
-- Keep in step with migrations/postgres/0014_metric_summaries.sql.
--
-- A patient's depression screens and PHQ-9s, and an episode's sessions, packed into one text
-- value each (store/src/ops/packed.rs) and refreshed in the transaction that records or
-- corrects them (store/src/ops/metrics.rs). The metrics then read one row per patient and per
-- episode instead of aggregating every record of the practice on each request.

CREATE TABLE patient_screens (
    patient_id BLOB PRIMARY KEY REFERENCES patients(id),
    practice_id BLOB NOT NULL REFERENCES practices(id),
    items TEXT NOT NULL
);
CREATE INDEX patient_screens_practice ON patient_screens (practice_id);

CREATE TABLE episode_sessions (
    episode_id BLOB PRIMARY KEY REFERENCES episodes(id),
    practice_id BLOB NOT NULL REFERENCES practices(id),
    patient_id BLOB NOT NULL REFERENCES patients(id),
    items TEXT NOT NULL
);
CREATE INDEX episode_sessions_practice ON episode_sessions (practice_id);

INSERT INTO patient_screens (patient_id, practice_id, items)
SELECT patient_id, practice_id, string_agg(CAST(administered_on AS TEXT) || ',' || instrument
    || ',' || COALESCE(CAST(total AS TEXT), '')
    || ',' || CASE WHEN positive THEN '1' WHEN NOT positive THEN '0' ELSE '' END
    || ',' || COALESCE(hex(episode_id), ''), ';' ORDER BY administered_on, created_at, id)
FROM assessments
WHERE status = 'final' AND instrument IN ('phq2', 'phq9', 'phqa', 'epds')
GROUP BY practice_id, patient_id;

INSERT INTO episode_sessions (episode_id, practice_id, patient_id, items)
SELECT episode_id, practice_id, patient_id, string_agg(CAST(contact_on AS TEXT) || ',' || kind
    || ',' || CAST(minutes AS TEXT) || ',' || CASE WHEN exclusion IS NULL THEN '1' ELSE '0' END, ';'
    ORDER BY contact_on, id)
FROM contacts
WHERE status = 'final'
    AND kind IN ('initial_assessment', 'follow_up', 'brief_intervention', 'relapse_prevention_planning')
GROUP BY practice_id, patient_id, episode_id;
