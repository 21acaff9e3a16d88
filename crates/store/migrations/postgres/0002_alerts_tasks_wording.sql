-- Safety alerts, tasks and licensed instrument wording, PostgreSQL. Keep in step with
-- migrations/sqlite/0002_alerts_tasks_wording.sql: same tables, columns and indexes.

-- A safety alert: raised in the same transaction as the response that raised it, closed only
-- with a documented action by a clinician. Never deleted.
CREATE TABLE safety_alerts (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    episode_id UUID REFERENCES episodes(id),
    assessment_id UUID NOT NULL REFERENCES assessments(id),
    instrument TEXT NOT NULL,
    kind TEXT NOT NULL,
    items TEXT NOT NULL,
    raised_on DATE NOT NULL,
    raised_at TIMESTAMPTZ NOT NULL,
    raised_by UUID NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    closed_at TIMESTAMPTZ,
    closed_by UUID REFERENCES users(id),
    closure_action TEXT,
    closure_note TEXT,
    version BIGINT NOT NULL,
    UNIQUE (assessment_id)
);
CREATE INDEX safety_alerts_patient ON safety_alerts (practice_id, patient_id, status);
CREATE INDEX safety_alerts_open ON safety_alerts (practice_id, status);

-- Work for a clinician, with the record that made it (source_kind, source_id).
CREATE TABLE tasks (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    due_on DATE NOT NULL,
    status TEXT NOT NULL,
    assignee_id UUID NOT NULL REFERENCES users(id),
    source_kind TEXT NOT NULL,
    source_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    completed_by UUID REFERENCES users(id)
);
CREATE INDEX tasks_assignee ON tasks (practice_id, assignee_id, status, due_on);
CREATE INDEX tasks_source ON tasks (practice_id, source_kind, source_id);

-- A practice's licensed item wording, one per instrument; a replaced one is kept in
-- record_history. `wording` is the checked file (docs/instruments.md).
CREATE TABLE instrument_wordings (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    instrument TEXT NOT NULL,
    licence_holder TEXT NOT NULL,
    permission TEXT,
    wording TEXT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL,
    loaded_by UUID REFERENCES users(id),
    version BIGINT NOT NULL,
    UNIQUE (practice_id, instrument)
);
