-- The financial view's settings and the measures of success (issue 8, docs/finance.md,
-- docs/metrics.md), SQLite. Keep in step with migrations/postgres/0008_finance.sql: same
-- tables, columns and indexes.

-- One JSON document per practice and kind: `finance` (`domain::finance::FinanceSettings`,
-- the team roster's cost and the payers' rates) or `measures`
-- (`domain::metrics::MeasuresOfSuccess`). Every save adds a row with the next version; a
-- version is never changed or removed, so the history is the table itself. Two saves from
-- the same version collide on the primary key: the second is a conflict.
CREATE TABLE practice_settings_versions (
    practice_id BLOB NOT NULL REFERENCES practices(id),
    kind TEXT NOT NULL CHECK (kind IN ('finance', 'measures')),
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    saved_at DATETIME NOT NULL,
    saved_by BLOB REFERENCES users(id),
    PRIMARY KEY (practice_id, kind, version)
);

CREATE TRIGGER practice_settings_versions_no_update BEFORE UPDATE ON practice_settings_versions
BEGIN
    SELECT RAISE(ABORT, 'practice_settings_versions is append-only');
END;
CREATE TRIGGER practice_settings_versions_no_delete BEFORE DELETE ON practice_settings_versions
BEGIN
    SELECT RAISE(ABORT, 'practice_settings_versions is append-only');
END;
