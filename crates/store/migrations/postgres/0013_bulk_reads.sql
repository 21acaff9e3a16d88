-- Bulk reads of month close and the metrics (issues 4 and 8), PostgreSQL. Keep in step with
-- migrations/sqlite/0013_bulk_reads.sql.

-- `hex(id)`: an id as 32 hexadecimal digits, as SQLite's built-in `hex` gives a 16-byte blob
-- id, so that the queries that pack records into one text value (store/src/ops/packed.rs)
-- are written once for both engines.
CREATE FUNCTION hex(uuid) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT replace($1::text, '-', '') $$;
