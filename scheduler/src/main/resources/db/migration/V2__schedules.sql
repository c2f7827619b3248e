-- Fanout scheduler: schedules, which submit a job periodically.
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.

CREATE TABLE schedules (
    id              UUID                     NOT NULL,
    owner           VARCHAR(200)             NOT NULL,
    name            VARCHAR(200)             NOT NULL,
    -- The trigger: a cron expression in a time zone, or a fixed rate.
    cron            VARCHAR(200),
    timezone        VARCHAR(100),
    fixed_rate_ms   BIGINT,
    -- The job to submit, as JSON (requests, policy, name, labels, priority).
    template        VARCHAR                  NOT NULL,
    overlap         VARCHAR(16)              NOT NULL,
    enabled         BOOLEAN                  NOT NULL,
    jitter_ms       BIGINT,
    -- When it fires next (jitter included), and the trigger's own time for that fire, from which the
    -- one after is computed. NULL while paused. A replica fires a schedule by moving next_fire_at
    -- on with a conditional UPDATE, in the transaction that inserts the job.
    next_fire_at    TIMESTAMP WITH TIME ZONE,
    nominal_fire_at TIMESTAMP WITH TIME ZONE,
    last_fired_at   TIMESTAMP WITH TIME ZONE,
    last_job_id     UUID,
    missed_count    BIGINT                   NOT NULL,
    skipped_count   BIGINT                   NOT NULL,
    -- For schedules declared in configuration: the hash of the declaration last applied.
    declared_hash   VARCHAR(64),
    -- Bumped by every change of the definition, so that a fire never runs a stale one.
    version         BIGINT                   NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT schedules_pk PRIMARY KEY (id)
);

-- A name is unique per owner.
CREATE UNIQUE INDEX schedules_name_idx ON schedules (owner, name);
-- The tick: schedules due by now.
CREATE INDEX schedules_due_idx ON schedules (next_fire_at);
-- Listing, newest first, per owner.
CREATE INDEX schedules_owner_idx ON schedules (owner, id);
