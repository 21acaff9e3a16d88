-- Bumped in every transaction that changes what the registry shows (an episode's facts, a
-- patient's name or care team): caches of computed caseloads compare it.
ALTER TABLE practices ADD COLUMN registry_generation INTEGER NOT NULL DEFAULT 0;
