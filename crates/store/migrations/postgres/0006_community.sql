-- Community resource directory, closed-loop referrals and baselines, PostgreSQL. Keep in step
-- with migrations/sqlite/0006_community.sql: same tables, columns and indexes.

-- One directory entry: one service of one organization (Open Referral HSDS service +
-- organization). `doc` is the whole entry as domain::resources::Resource (JSON); the columns
-- beside it are what lists sort and filter by. Built-in national lines (988, …) keep the same
-- id in every practice, hence the key (practice_id, id). Entries are never deleted: they are
-- made inactive or defunct.
CREATE TABLE resources (
    practice_id UUID NOT NULL REFERENCES practices(id),
    id UUID NOT NULL,
    organization_name TEXT NOT NULL,
    service_name TEXT NOT NULL,
    status TEXT NOT NULL,
    categories TEXT NOT NULL,
    built_in BOOLEAN NOT NULL,
    doc TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by UUID REFERENCES users(id),
    PRIMARY KEY (practice_id, id)
);

-- A referral of a patient to a directory entry or to specialty behavioral health. `state`,
-- `last_update_at` and `appointment_on` summarise referral_events for lists; the events are
-- the record.
CREATE TABLE referrals (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    patient_id UUID NOT NULL REFERENCES patients(id),
    target_kind TEXT NOT NULL,
    resource_id UUID,
    target_description TEXT,
    sensitivity TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    disclosure_consent_on DATE,
    disclosure_consent_by UUID REFERENCES users(id),
    disclosure_consent_note TEXT,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    last_update_at TIMESTAMPTZ NOT NULL,
    appointment_on DATE,
    version BIGINT NOT NULL,
    FOREIGN KEY (practice_id, resource_id) REFERENCES resources(practice_id, id)
);
CREATE INDEX referrals_patient ON referrals (practice_id, patient_id);
CREATE INDEX referrals_state ON referrals (practice_id, state);

-- Every accepted change of a referral: who, when, from and to which state, and the action
-- with its details (JSON of domain::referral::ReferralAction). Append-only.
CREATE TABLE referral_events (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    referral_id UUID NOT NULL REFERENCES referrals(id),
    seq BIGINT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    action TEXT NOT NULL,
    user_id UUID NOT NULL REFERENCES users(id),
    at TIMESTAMPTZ NOT NULL,
    UNIQUE (referral_id, seq)
);
CREATE INDEX referral_events_practice ON referral_events (practice_id, referral_id);

-- A baseline snapshot (domain::baseline::Baseline as JSON), from the registry or entered by
-- hand. A practice may take several; the latest is the one progress is compared with.
CREATE TABLE baselines (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    taken_on DATE NOT NULL,
    source TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX baselines_practice ON baselines (practice_id, taken_on);
