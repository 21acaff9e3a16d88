-- Keep in step with the other engine's 0002. The registry reads an episode's contacts with
-- `WHERE episode_id = $1 AND practice_id = $2` (facts on every write, the contact list).
-- SQLite's planner, without statistics, chose contacts_month (practice_id, contact_on) for
-- that query and read every contact of the practice each time; with both columns in the
-- episode index it takes that index on both engines.
DROP INDEX contacts_episode;
CREATE INDEX contacts_episode ON contacts (episode_id, practice_id, contact_on);
