-- Fanout scheduler: jobs, their specs, labels and per-request results.
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.

CREATE TABLE jobs (
    id               UUID                     NOT NULL,
    owner            VARCHAR(200)             NOT NULL,
    name             VARCHAR(200),
    labels           VARCHAR(16000)           NOT NULL,
    priority         INTEGER                  NOT NULL,
    status           VARCHAR(16)              NOT NULL,
    attempt          INTEGER                  NOT NULL,
    lease_owner      VARCHAR(200),
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    cancel_requested BOOLEAN                  NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE,
    finished_at      TIMESTAMP WITH TIME ZONE,
    deadline_ms      BIGINT,
    fail_fast        BOOLEAN                  NOT NULL,
    total            INTEGER                  NOT NULL,
    succeeded        INTEGER                  NOT NULL,
    http_error       INTEGER                  NOT NULL,
    timed_out        INTEGER                  NOT NULL,
    connection_error INTEGER                  NOT NULL,
    circuit_open     INTEGER                  NOT NULL,
    rejected         INTEGER                  NOT NULL,
    blocked          INTEGER                  NOT NULL,
    body_too_large   INTEGER                  NOT NULL,
    cancelled        INTEGER                  NOT NULL,
    idempotency_key  VARCHAR(200),
    spec_hash        VARCHAR(64)              NOT NULL,
    schedule_id      UUID,
    error_kind       VARCHAR(32),
    error_message    VARCHAR(1000),
    CONSTRAINT jobs_pk PRIMARY KEY (id)
);

-- The claim: queued jobs by priority, then age (ids are time-ordered).
CREATE INDEX jobs_claim_idx ON jobs (status, priority DESC, id);
-- Expired leases, and a node's running jobs.
CREATE INDEX jobs_lease_idx ON jobs (status, lease_expires_at);
-- Retention.
CREATE INDEX jobs_finished_idx ON jobs (status, finished_at);
-- Listing, newest first, per owner and with the usual filters.
CREATE INDEX jobs_owner_idx ON jobs (owner, id);
CREATE INDEX jobs_owner_status_idx ON jobs (owner, status, id);
CREATE INDEX jobs_owner_schedule_idx ON jobs (owner, schedule_id, id);
-- Idempotent submission: a key is unique per owner (NULL keys do not collide).
CREATE UNIQUE INDEX jobs_idempotency_idx ON jobs (owner, idempotency_key);

-- The requests and policy, as JSON; kept apart so that listing never reads them.
CREATE TABLE job_specs (
    job_id UUID          NOT NULL,
    spec   VARCHAR       NOT NULL,
    CONSTRAINT job_specs_pk PRIMARY KEY (job_id),
    CONSTRAINT job_specs_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);

-- Labels as rows, for filtering; the jobs.labels column keeps them for display.
CREATE TABLE job_labels (
    job_id      UUID         NOT NULL,
    label_key   VARCHAR(63)  NOT NULL,
    label_value VARCHAR(200) NOT NULL,
    CONSTRAINT job_labels_pk PRIMARY KEY (job_id, label_key),
    CONSTRAINT job_labels_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);

CREATE INDEX job_labels_lookup_idx ON job_labels (label_key, label_value, job_id);

-- One row per request outcome, written once. seq numbers a job's results in the order they were
-- stored (0, 1, 2...), so that live streams can follow them with a cursor.
CREATE TABLE job_results (
    job_id        UUID                     NOT NULL,
    idx           INTEGER                  NOT NULL,
    seq           INTEGER                  NOT NULL,
    method        VARCHAR(10)              NOT NULL,
    url           VARCHAR                  NOT NULL,
    outcome       VARCHAR(20)              NOT NULL,
    http_status   INTEGER,
    attempts      INTEGER                  NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_us   BIGINT                   NOT NULL,
    body          VARCHAR,
    body_size     BIGINT                   NOT NULL,
    extracted     VARCHAR,
    error_kind    VARCHAR(32),
    error_message VARCHAR(1000),
    CONSTRAINT job_results_pk PRIMARY KEY (job_id, idx),
    CONSTRAINT job_results_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX job_results_seq_idx ON job_results (job_id, seq);
CREATE INDEX job_results_outcome_idx ON job_results (job_id, outcome, idx);
