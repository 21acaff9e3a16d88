-- Bulk reads of month close and the metrics (issues 4 and 8), SQLite. Keep in step with
-- migrations/postgres/0013_bulk_reads.sql.

-- `hex(id)` is SQLite's own function here (PostgreSQL gets one in its 0013).
