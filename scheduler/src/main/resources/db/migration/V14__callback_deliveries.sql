-- Fanout scheduler: the outbox of callback deliveries (issue 14).
-- One script for H2 2.x and PostgreSQL 15+: only types and syntax both accept.
--
-- A terminal event's row is inserted in the transaction that ends the job; a progress event's in
-- the one that stores the results reaching its count (seq: results stored when it happened). The
-- body is rendered at the first attempt and kept, so that every retry sends the same bytes; the id
-- is the webhook-id's. A worker holds a row under a lease while it sends it.

CREATE TABLE callback_deliveries (
    id               UUID                     NOT NULL,
    job_id           UUID                     NOT NULL,
    owner            VARCHAR(200)             NOT NULL,
    event            VARCHAR(16)              NOT NULL,
    seq              INTEGER                  NOT NULL,
    status           VARCHAR(16)              NOT NULL,
    attempts         INTEGER                  NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    next_attempt_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    first_attempt_at TIMESTAMP WITH TIME ZONE,
    last_attempt_at  TIMESTAMP WITH TIME ZONE,
    delivered_at     TIMESTAMP WITH TIME ZONE,
    last_status_code INTEGER,
    last_error       VARCHAR(1000),
    lease_owner      VARCHAR(200),
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    body             VARCHAR,
    CONSTRAINT callback_deliveries_pk PRIMARY KEY (id),
    CONSTRAINT callback_deliveries_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
);

-- One row per event of a job.
CREATE UNIQUE INDEX callback_deliveries_event_idx ON callback_deliveries (job_id, event, seq);
-- The deliveries that are due.
CREATE INDEX callback_deliveries_due_idx ON callback_deliveries (status, next_attempt_at);
