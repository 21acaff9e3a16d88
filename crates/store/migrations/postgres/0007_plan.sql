-- The practice's plan (issue 7, docs/planner.md), PostgreSQL. Keep in step with
-- migrations/sqlite/0007_plan.sql: same tables, columns and indexes.

-- One JSON document per practice (`domain::planner::PracticePlan`). Every save adds a row with
-- the next version; a version is never changed or removed, so the history is the table itself.
-- Two saves from the same version collide on the primary key: the second is a conflict.
CREATE TABLE practice_plans (
    practice_id UUID NOT NULL REFERENCES practices(id),
    version BIGINT NOT NULL,
    plan TEXT NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    saved_by UUID REFERENCES users(id),
    PRIMARY KEY (practice_id, version)
);

CREATE FUNCTION practice_plans_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'practice_plans is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER practice_plans_no_change BEFORE UPDATE OR DELETE ON practice_plans
    FOR EACH ROW EXECUTE FUNCTION practice_plans_append_only();
