-- The practice's plan (issue 7, docs/planner.md), SQLite. Keep in step with
-- migrations/postgres/0007_plan.sql: same tables, columns and indexes.

-- One JSON document per practice (`domain::planner::PracticePlan`). Every save adds a row with
-- the next version; a version is never changed or removed, so the history is the table itself.
-- Two saves from the same version collide on the primary key: the second is a conflict.
CREATE TABLE practice_plans (
    practice_id BLOB NOT NULL REFERENCES practices(id),
    version INTEGER NOT NULL,
    plan TEXT NOT NULL,
    saved_at DATETIME NOT NULL,
    saved_by BLOB REFERENCES users(id),
    PRIMARY KEY (practice_id, version)
);

CREATE TRIGGER practice_plans_no_update BEFORE UPDATE ON practice_plans
BEGIN
    SELECT RAISE(ABORT, 'practice_plans is append-only');
END;
CREATE TRIGGER practice_plans_no_delete BEFORE DELETE ON practice_plans
BEGIN
    SELECT RAISE(ABORT, 'practice_plans is append-only');
END;
